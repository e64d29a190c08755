// Binaural-lite spatializer: places a mono voice around the listener's head.
//
// Stage 1, computeSpatialParams(): a pure function of the listener's head pose
// and the speaker's mouth position (room space, metres; y up, a head with the
// identity orientation faces -z, +x is its right). It yields
//   - interaural time difference (Woodworth's spherical head,
//     ITD = r/c * (theta + sin theta), theta the lateral angle), as a delay of
//     the far ear in samples;
//   - interaural level difference from a head-shadow filter per ear (Brown and
//     Duda's one-pole/one-zero model: DC gain 1, high-frequency gain alpha from
//     2.0 facing the ear to about 0.1 behind it, corner near 1.2 kHz);
//   - distance attenuation: minDistance / max(distance, minDistance), fading
//     to zero over the last fifth of maxDistance;
//   - cheap mode beyond cheapDistance (with 10 % hysteresis): constant-power
//     panning only, no delay line and no filter;
//   - the send level to the room ambience.
// Stage 2, spatializeBlock(): renders one block of mono samples into a stereo
// accumulator, ramping every parameter across the block (no zipper noise),
// crossfading when the mode changes. No allocation; safe in the callback.
// Ambience: a small 4-line feedback delay network (RT60 about 0.35 s, damped)
// fed by the voices' sends; switchable.
#pragma once
#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include <glm/gtc/quaternion.hpp>
#include <glm/vec3.hpp>

#include "audio/audio_format.h"

namespace caseroom::audio {

struct ListenerPose {
    glm::vec3 position{0.0f};       // centre of the head, room space, metres
    glm::quat orientation{1, 0, 0, 0}; // head orientation in room space
};

struct SpatialConfig {
    float minDistance = 1.0f;     // metres: no louder than at this distance
    float maxDistance = 30.0f;    // metres: silent from here on
    float cheapDistance = 8.0f;   // metres: beyond this, panning only
    float headRadius = 0.0875f;   // metres
    float ambienceSend = 0.25f;   // send level at minDistance
};

struct SpatialParams {
    float gain = 0.0f;            // distance gain, linear
    float delayL = 0.0f;          // samples, left ear
    float delayR = 0.0f;          // samples, right ear
    float shadowL = 1.0f;         // head-shadow high-frequency gain, left
    float shadowR = 1.0f;         // head-shadow high-frequency gain, right
    float panL = 0.70710678f;     // cheap-mode constant-power gains
    float panR = 0.70710678f;
    float ambience = 0.0f;        // send level to the ambience bus
    bool cheap = false;
};

// `wasCheap` supplies the hysteresis: pass the previous params' `cheap`.
SpatialParams computeSpatialParams(const ListenerPose& listener, const glm::vec3& source,
                                   const SpatialConfig& config, bool wasCheap = false);

// Per-voice rendering state; plain data, lives in the mixer's fixed arrays.
struct SpatialVoiceState {
    static constexpr std::uint32_t kDelayLen = 64; // > max ITD (~31 samples) + interpolation
    std::array<float, kDelayLen> delay{};
    std::uint32_t pos = 0;
    float zL = 0.0f, zR = 0.0f;   // head-shadow filter states (transposed direct form II)
    SpatialParams current{};      // parameters at the end of the last block
    bool primed = false;          // false until the first block: no ramp from zero
};

// Adds the spatialized `mono` into `stereo` (interleaved L R, 2 * mono.size())
// and its ambience send into `send` (mono.size()). Ramps from state.current to
// `target`; afterwards state.current == target. Real-time safe.
void spatializeBlock(SpatialVoiceState& state, const SpatialParams& target, std::span<const float> mono,
                     std::span<float> stereo, std::span<float> send);

// Small room ambience. Allocates its delay lines once, in the constructor;
// process() is real-time safe.
class Ambience {
public:
    Ambience();
    // Adds the reverberated `send` (mono) into `stereo` (interleaved), scaled by `wet`.
    void process(std::span<const float> send, std::span<float> stereo, float wet);
    void clear();

private:
    static constexpr int kLines = 4;
    std::array<std::vector<float>, kLines> lines_;
    std::array<std::uint32_t, kLines> pos_{};
    std::array<float, kLines> lp_{};
    float feedback_ = 0.0f;
    float damping_ = 0.3f;
};

} // namespace caseroom::audio
