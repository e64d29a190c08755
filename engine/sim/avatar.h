// The replicated body of one participant, in room space (metres, radians;
// y up, the front wall toward -z, yaw 0 facing -z, yaw grows counter-clockwise
// seen from above). Desktop users drive body and head; VR fills the hands.
#pragma once
#include <cmath>
#include <cstdint>

#include <glm/gtc/quaternion.hpp>
#include <glm/vec2.hpp>
#include <glm/vec3.hpp>

namespace caseroom::sim {

constexpr std::uint16_t kNoSeat = 0xFFFF;
constexpr float kStandingEyeHeight = 1.65f;
constexpr float kSeatedEyeHeight = 1.20f;
constexpr float kAvatarRadius = 0.25f;   // body footprint for collision
constexpr float kWalkSpeed = 1.5f;       // metres per second, the most the server allows
constexpr float kMaxHeadYaw = 2.0943951f;   // 120 degrees either side of the body
constexpr float kMaxHeadPitch = 1.4835299f; // 85 degrees up or down
constexpr float kMaxHandReach = 1.0f;       // metres from the head
constexpr float kPi = 3.14159265358979f;

struct HandPose {
    glm::vec3 offset{0.0f};            // from the body position
    glm::quat rotation{1, 0, 0, 0};
};

struct AvatarPose {
    glm::vec3 body{0.0f};              // feet on the floor
    float bodyYaw = 0.0f;
    glm::vec3 headOffset{0.0f, kStandingEyeHeight, 0.0f};
    glm::quat head{1, 0, 0, 0};        // world orientation of the head
    bool handsTracked = false;
    HandPose hands[2];                 // left, right; meaningful when tracked
    std::uint16_t seat = kNoSeat;
    std::uint8_t voiceLevel = 0;       // 0..15, set by the voice stage

    [[nodiscard]] bool seated() const { return seat != kNoSeat; }
    [[nodiscard]] glm::vec3 headPosition() const { return body + headOffset; }
};

inline glm::vec3 forwardOf(float yaw) { return {-std::sin(yaw), 0.0f, -std::cos(yaw)}; }
inline float yawToward(glm::vec2 from, glm::vec2 to) { return std::atan2(-(to.x - from.x), -(to.y - from.y)); }
inline float wrapAngle(float a) {
    a = std::fmod(a + kPi, 2 * kPi);
    if (a < 0) a += 2 * kPi;
    return a - kPi;
}
// Head orientation from world yaw and pitch (positive pitch looks up).
inline glm::quat headRotation(float worldYaw, float pitch) {
    return glm::angleAxis(worldYaw, glm::vec3(0, 1, 0)) * glm::angleAxis(pitch, glm::vec3(1, 0, 0));
}
// Where resting desktop hands sit, relative to the body, for viewers to draw.
HandPose restingHand(const AvatarPose& pose, int side);

} // namespace caseroom::sim
