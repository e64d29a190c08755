// The client's AudioCallback: the only code that runs on the device threads.
//   onPlayback: Mixer::render() into the device buffer, then a mono copy of
//               what was played into the far-end ring (the echo canceller's
//               reference).
//   onCapture:  microphone samples into the capture ring.
// The voice thread drains both rings in 10 ms blocks with readCaptureBlock(),
// which pairs each microphone block with the far-end block played at about
// the same time (the reference is kept at most 50 ms ahead of the
// microphone). Overflow drops samples and counts them; nothing blocks.
// Thread rule: onPlayback on the playback thread, onCapture on the capture
// thread, everything else on the one voice thread.
#pragma once
#include <atomic>
#include <cstdint>
#include <span>
#include <vector>

#include "audio/audio_device.h"
#include "audio/mixer.h"
#include "audio/spsc_ring.h"

namespace caseroom::audio {

class AudioBridge final : public AudioCallback {
public:
    // Rings hold `ringMs` of audio each.
    explicit AudioBridge(Mixer& mixer, std::uint32_t ringMs = 200);

    void onPlayback(std::span<float> stereo) noexcept override;
    void onCapture(std::span<const float> mono) noexcept override;

    // Voice thread: true with one 10 ms microphone block and the matching
    // far-end block (silence where playback has not produced it).
    bool readCaptureBlock(std::span<float> mic, std::span<float> farEnd);
    [[nodiscard]] std::uint64_t captureOverflows() const { return captureOverflow_.load(std::memory_order_relaxed); }
    [[nodiscard]] std::uint64_t framesPlayed() const { return played_.load(std::memory_order_relaxed); }

private:
    static constexpr std::size_t kMaxFarLead = kSampleRate / 20; // 50 ms
    Mixer& mixer_;
    SpscRing<float> capture_;
    SpscRing<float> farEnd_;
    std::vector<float> farScratch_; // playback-thread scratch, sized once
    std::atomic<std::uint64_t> captureOverflow_{0};
    std::atomic<std::uint64_t> played_{0};
};

} // namespace caseroom::audio
