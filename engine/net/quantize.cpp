#include "net/quantize.h"

#include <algorithm>
#include <cmath>

namespace caseroom::net {
namespace {
constexpr float kTwoPi = 6.283185307179586f;
constexpr float kInvSqrt2 = 0.70710678118654752f;
constexpr std::uint32_t kQuatMax = (1u << kQuatComponentBits) - 1;

std::int32_t toMm(float v, std::int32_t lo, std::int32_t hi) {
    if (!std::isfinite(v)) return 0 < lo ? lo : (0 > hi ? hi : 0);
    const long r = std::lround(static_cast<double>(v) * 1000.0);
    return static_cast<std::int32_t>(std::clamp<long>(r, lo, hi));
}
} // namespace

QPosition quantizePosition(glm::vec3 p) {
    return {toMm(p.x, kPosXZMin, kPosXZMax), toMm(p.y, kPosYMin, kPosYMax), toMm(p.z, kPosXZMin, kPosXZMax)};
}
glm::vec3 dequantizePosition(QPosition q) {
    return {static_cast<float>(q.x) * 0.001f, static_cast<float>(q.y) * 0.001f, static_cast<float>(q.z) * 0.001f};
}
QPosition quantizeOffset(glm::vec3 p) {
    return {toMm(p.x, kOffXZMin, kOffXZMax), toMm(p.y, kOffYMin, kOffYMax), toMm(p.z, kOffXZMin, kOffXZMax)};
}
glm::vec3 dequantizeOffset(QPosition q) { return dequantizePosition(q); }

std::uint32_t quantizeYaw(float radians) {
    if (!std::isfinite(radians)) return 0;
    float t = std::fmod(radians, kTwoPi);
    if (t < 0) t += kTwoPi;
    auto q = static_cast<std::uint32_t>(std::lround(static_cast<double>(t) / kTwoPi * kYawSteps));
    return q % kYawSteps;
}
float dequantizeYaw(std::uint32_t q) { return static_cast<float>(q % kYawSteps) * (kTwoPi / kYawSteps); }

std::uint32_t quantizeQuat(glm::quat q) {
    float c[4] = {q.x, q.y, q.z, q.w};
    float len = std::sqrt(c[0] * c[0] + c[1] * c[1] + c[2] * c[2] + c[3] * c[3]);
    if (!(len > 1e-6f) || !std::isfinite(len)) { c[0] = c[1] = c[2] = 0; c[3] = 1; len = 1; }
    int largest = 0;
    for (int i = 0; i < 4; ++i) {
        c[i] /= len;
        if (std::fabs(c[i]) > std::fabs(c[largest])) largest = i;
    }
    const float sign = c[largest] < 0 ? -1.0f : 1.0f; // q and -q are the same rotation
    std::uint32_t packed = static_cast<std::uint32_t>(largest) << 30;
    int shift = 20;
    for (int i = 0; i < 4; ++i) {
        if (i == largest) continue;
        const float v = std::clamp(c[i] * sign, -kInvSqrt2, kInvSqrt2);
        const auto qi = static_cast<std::uint32_t>(std::lround((v + kInvSqrt2) / (2 * kInvSqrt2) * kQuatMax));
        packed |= std::min(qi, kQuatMax) << shift;
        shift -= 10;
    }
    return packed;
}

glm::quat dequantizeQuat(std::uint32_t packed) {
    const int largest = static_cast<int>(packed >> 30);
    float c[4];
    float sum = 0;
    int shift = 20;
    for (int i = 0; i < 4; ++i) {
        if (i == largest) continue;
        const auto qi = (packed >> shift) & kQuatMax;
        c[i] = static_cast<float>(qi) / kQuatMax * (2 * kInvSqrt2) - kInvSqrt2;
        sum += c[i] * c[i];
        shift -= 10;
    }
    c[largest] = std::sqrt(std::max(0.0f, 1.0f - sum));
    glm::quat r(c[3], c[0], c[1], c[2]); // glm: (w, x, y, z)
    return glm::normalize(r);
}


float quatAngle(glm::quat a, glm::quat b) {
    const float d = std::fabs(glm::dot(glm::normalize(a), glm::normalize(b)));
    return 2.0f * std::acos(std::min(1.0f, d));
}

} // namespace caseroom::net
