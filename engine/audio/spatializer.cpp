#include "audio/spatializer.h"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace caseroom::audio {
namespace {

constexpr float kSpeedOfSound = 343.0f; // m/s
constexpr float kPi = 3.14159265358979f;
constexpr float kAlphaMin = 0.1f;       // Brown-Duda: HF gain behind the head
constexpr float kThetaMin = 150.0f / 180.0f * kPi;

// Brown-Duda high-frequency gain for an ear, theta = angle between the source
// direction and the ear's outward axis.
float shadowAlpha(float cosTheta) {
    const float theta = std::acos(std::clamp(cosTheta, -1.0f, 1.0f));
    return (1.0f + kAlphaMin / 2.0f) + (1.0f - kAlphaMin / 2.0f) * std::cos(theta / kThetaMin * kPi);
}

// H(s) = (alpha*s + beta) / (s + beta), beta = 2c/r, bilinear transform.
struct ShadowCoef {
    float b0, b1, a1;
};
ShadowCoef shadowCoef(float alpha, float headRadius) {
    const float beta = 2.0f * kSpeedOfSound / headRadius;
    const float k = 2.0f * static_cast<float>(kSampleRate);
    const float norm = 1.0f / (k + beta);
    return {(alpha * k + beta) * norm, (beta - alpha * k) * norm, (beta - k) * norm};
}

} // namespace

SpatialParams computeSpatialParams(const ListenerPose& listener, const glm::vec3& source, const SpatialConfig& config,
                                   bool wasCheap) {
    SpatialParams p;
    const glm::vec3 rel = source - listener.position;
    const float dist = glm::length(rel);
    // Direction in head coordinates: +x right, +y up, -z forward.
    glm::vec3 dir{0.0f, 0.0f, -1.0f};
    if (dist > 1e-4f) dir = glm::inverse(listener.orientation) * (rel / dist);
    const float lateral = std::clamp(dir.x, -1.0f, 1.0f); // sin of the lateral angle, + right

    // Distance.
    const float d = std::max(dist, config.minDistance);
    float g = config.minDistance / d;
    const float fadeStart = 0.8f * config.maxDistance;
    if (dist > fadeStart) g *= std::clamp((config.maxDistance - dist) / (config.maxDistance - fadeStart), 0.0f, 1.0f);
    p.gain = g;
    p.ambience = config.ambienceSend * std::sqrt(g);

    // ITD: the far ear hears later.
    const float theta = std::asin(lateral);
    const float itd = config.headRadius / kSpeedOfSound * (theta + std::sin(theta)); // seconds, + = right leads
    const float itdSamples = std::abs(itd) * static_cast<float>(kSampleRate);
    p.delayL = itd > 0 ? itdSamples : 0.0f;
    p.delayR = itd < 0 ? itdSamples : 0.0f;

    // ILD from head shadow; ears point along -x (left) and +x (right).
    p.shadowL = shadowAlpha(-dir.x);
    p.shadowR = shadowAlpha(dir.x);

    // Constant-power pan for cheap mode: lateral -1 -> all left.
    const float pan = (lateral + 1.0f) * 0.25f * kPi;
    p.panL = std::cos(pan);
    p.panR = std::sin(pan);

    p.cheap = wasCheap ? dist > config.cheapDistance : dist > config.cheapDistance * 1.1f;
    return p;
}

namespace {

// Full mode, both ears: writes each sample into the delay line, reads it back
// at each ear's fractional delay (linear interpolation), then runs that ear's
// shadow filter; delay, gain and alpha ramp linearly over the block.
void renderFull(SpatialVoiceState& st, const SpatialParams& from, const SpatialParams& to, std::span<const float> mono,
                std::span<float> stereo, float scaleFrom, float scaleTo, float headRadius) {
    const std::uint32_t n = static_cast<std::uint32_t>(mono.size());
    const ShadowCoef l0 = shadowCoef(from.shadowL, headRadius), l1 = shadowCoef(to.shadowL, headRadius);
    const ShadowCoef r0 = shadowCoef(from.shadowR, headRadius), r1 = shadowCoef(to.shadowR, headRadius);
    const float a1 = l0.a1; // depends only on head radius and rate: constant
    const float g0 = from.gain * scaleFrom, g1 = to.gain * scaleTo;
    const float inv = 1.0f / static_cast<float>(n);
    constexpr std::uint32_t kMask = SpatialVoiceState::kDelayLen - 1;
    float zL = st.zL, zR = st.zR;
    for (std::uint32_t i = 0; i < n; ++i) {
        const std::uint32_t w = st.pos + i;
        st.delay[w & kMask] = mono[i];
        const float t = static_cast<float>(i + 1) * inv;
        const float g = g0 + (g1 - g0) * t;
        {
            const float delay = from.delayL + (to.delayL - from.delayL) * t;
            const auto di = static_cast<std::uint32_t>(delay);
            const float frac = delay - static_cast<float>(di);
            const float x = st.delay[(w - di) & kMask] * (1.0f - frac) + st.delay[(w - di - 1) & kMask] * frac;
            const float y = (l0.b0 + (l1.b0 - l0.b0) * t) * x + zL;
            zL = (l0.b1 + (l1.b1 - l0.b1) * t) * x - a1 * y;
            stereo[2 * i] += y * g;
        }
        {
            const float delay = from.delayR + (to.delayR - from.delayR) * t;
            const auto di = static_cast<std::uint32_t>(delay);
            const float frac = delay - static_cast<float>(di);
            const float x = st.delay[(w - di) & kMask] * (1.0f - frac) + st.delay[(w - di - 1) & kMask] * frac;
            const float y = (r0.b0 + (r1.b0 - r0.b0) * t) * x + zR;
            zR = (r0.b1 + (r1.b1 - r0.b1) * t) * x - a1 * y;
            stereo[2 * i + 1] += y * g;
        }
    }
    st.zL = zL;
    st.zR = zR;
}

// Keeps the delay line's history current while rendering cheaply.
void feedDelay(SpatialVoiceState& st, std::span<const float> mono) {
    const std::uint32_t n = static_cast<std::uint32_t>(mono.size());
    constexpr std::uint32_t kMask = SpatialVoiceState::kDelayLen - 1;
    const std::uint32_t from = n > SpatialVoiceState::kDelayLen ? n - SpatialVoiceState::kDelayLen : 0;
    for (std::uint32_t i = from; i < n; ++i) st.delay[(st.pos + i) & kMask] = mono[i];
}

void renderCheap(const SpatialParams& from, const SpatialParams& to, std::span<const float> mono, std::span<float> stereo,
                 float scaleFrom, float scaleTo) {
    const std::uint32_t n = static_cast<std::uint32_t>(mono.size());
    const float inv = 1.0f / static_cast<float>(n);
    const float l0 = from.gain * from.panL * scaleFrom, l1 = to.gain * to.panL * scaleTo;
    const float r0 = from.gain * from.panR * scaleFrom, r1 = to.gain * to.panR * scaleTo;
    for (std::uint32_t i = 0; i < n; ++i) {
        const float t = static_cast<float>(i + 1) * inv;
        stereo[2 * i] += mono[i] * (l0 + (l1 - l0) * t);
        stereo[2 * i + 1] += mono[i] * (r0 + (r1 - r0) * t);
    }
}

} // namespace

void spatializeBlock(SpatialVoiceState& st, const SpatialParams& target, std::span<const float> mono,
                     std::span<float> stereo, std::span<float> send) {
    assert(stereo.size() == 2 * mono.size() && send.size() == mono.size());
    if (!st.primed) {
        st.current = target;
        st.primed = true;
    }
    const SpatialParams from = st.current;
    const std::uint32_t n = static_cast<std::uint32_t>(mono.size());
    constexpr float kHeadRadius = SpatialConfig{}.headRadius;
    if (from.cheap == target.cheap) {
        if (target.cheap) {
            renderCheap(from, target, mono, stereo, 1.0f, 1.0f);
            feedDelay(st, mono);
        } else {
            renderFull(st, from, target, mono, stereo, 1.0f, 1.0f, kHeadRadius);
        }
    } else {
        // Mode change: crossfade the old rendering out and the new one in.
        SpatialParams oldTo = target;
        oldTo.cheap = from.cheap;
        if (from.cheap) {
            renderCheap(from, oldTo, mono, stereo, 1.0f, 0.0f);
            st.zL = st.zR = 0.0f;
            renderFull(st, target, target, mono, stereo, 0.0f, 1.0f, kHeadRadius);
        } else {
            renderFull(st, from, oldTo, mono, stereo, 1.0f, 0.0f, kHeadRadius);
            renderCheap(target, target, mono, stereo, 0.0f, 1.0f);
        }
    }
    st.pos += n;
    const float inv = 1.0f / static_cast<float>(n);
    for (std::uint32_t i = 0; i < n; ++i) {
        const float t = static_cast<float>(i + 1) * inv;
        send[i] += mono[i] * (from.ambience + (target.ambience - from.ambience) * t);
    }
    st.current = target;
}

// ---- Ambience -------------------------------------------------------------

Ambience::Ambience() {
    // Mutually prime lengths of roughly 30-45 ms: a small consulting room.
    constexpr std::array<std::uint32_t, kLines> kLen{1433, 1777, 1999, 2251};
    for (int i = 0; i < kLines; ++i) lines_[static_cast<std::size_t>(i)].assign(kLen[static_cast<std::size_t>(i)], 0.0f);
    // Feedback for RT60 ~0.35 s at the mean line length (~37 ms): g = 10^(-3 * L / (fs * RT60)).
    const float meanLen = (1433.0f + 1777.0f + 1999.0f + 2251.0f) / 4.0f;
    feedback_ = std::pow(10.0f, -3.0f * meanLen / (static_cast<float>(kSampleRate) * 0.35f));
}

void Ambience::clear() {
    for (auto& l : lines_) std::fill(l.begin(), l.end(), 0.0f);
    lp_.fill(0.0f);
}

void Ambience::process(std::span<const float> send, std::span<float> stereo, float wet) {
    assert(stereo.size() == 2 * send.size());
    for (std::size_t i = 0; i < send.size(); ++i) {
        float o[kLines];
        for (std::size_t k = 0; k < kLines; ++k) {
            const auto& line = lines_[k];
            o[k] = line[pos_[k]];
            lp_[k] += (1.0f - damping_) * (o[k] - lp_[k]); // high frequencies die first
            o[k] = lp_[k];
        }
        // 4x4 Hadamard mix (orthogonal after the 0.5 scale): energy-preserving feedback.
        const float h0 = 0.5f * (o[0] + o[1] + o[2] + o[3]);
        const float h1 = 0.5f * (o[0] - o[1] + o[2] - o[3]);
        const float h2 = 0.5f * (o[0] + o[1] - o[2] - o[3]);
        const float h3 = 0.5f * (o[0] - o[1] - o[2] + o[3]);
        const float h[kLines] = {h0, h1, h2, h3};
        for (std::size_t k = 0; k < kLines; ++k) {
            auto& line = lines_[k];
            line[pos_[k]] = send[i] + feedback_ * h[k];
            if (++pos_[k] == line.size()) pos_[k] = 0;
        }
        stereo[2 * i] += wet * (o[0] + o[2]) * 0.5f;
        stereo[2 * i + 1] += wet * (o[1] + o[3]) * 0.5f;
    }
}

} // namespace caseroom::audio
