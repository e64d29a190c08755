// Quantization of room-space quantities for the wire. Bounds and steps are
// part of the protocol (PROTOCOL.md, "Quantization"):
//   position    x,z in [-32.768, 32.767] m, y in [-1.000, 3.095] m, 1 mm step
//               -> error <= 0.5 mm per axis
//   offset      head/hand offset from the body, x,z [-1.536, 1.535] m,
//               y [-0.512, 2.559] m, 1 mm step -> error <= 0.5 mm per axis
//   yaw         [0, 2pi) in 4096 steps -> error <= 0.044 degrees
//   quaternion  smallest three, 10 bits per component + 2-bit index
//               -> rotation error <= 0.25 degrees (tested)
#pragma once
#include <cstdint>

#include <glm/gtc/quaternion.hpp>
#include <glm/vec3.hpp>

namespace caseroom::net {

struct QPosition {
    std::int32_t x = 0, y = 0, z = 0;
    friend bool operator==(const QPosition&, const QPosition&) = default;
};

constexpr std::int32_t kPosXZMin = -32768, kPosXZMax = 32767;
constexpr std::int32_t kPosYMin = -1000, kPosYMax = 3095;
constexpr std::int32_t kOffXZMin = -1536, kOffXZMax = 1535;
constexpr std::int32_t kOffYMin = -512, kOffYMax = 2559;
constexpr int kYawBits = 12;
constexpr std::uint32_t kYawSteps = 1u << kYawBits;
constexpr int kQuatComponentBits = 10;

QPosition quantizePosition(glm::vec3 p);       // clamps into the bounds
glm::vec3 dequantizePosition(QPosition q);
QPosition quantizeOffset(glm::vec3 p);         // clamps into the offset bounds
glm::vec3 dequantizeOffset(QPosition q);

std::uint32_t quantizeYaw(float radians);      // any angle; wrapped
float dequantizeYaw(std::uint32_t q);          // in [0, 2pi)

// Smallest-three: [2-bit index of the dropped largest component][3 x 10 bits].
std::uint32_t quantizeQuat(glm::quat q);       // q need not be normalised
glm::quat dequantizeQuat(std::uint32_t packed);

// Rotation angle in radians between two unit quaternions.
float quatAngle(glm::quat a, glm::quat b);

} // namespace caseroom::net
