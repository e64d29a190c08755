#include "audio/audio_bridge.h"

#include <algorithm>
#include <cassert>

namespace caseroom::audio {

AudioBridge::AudioBridge(Mixer& mixer, std::uint32_t ringMs)
    : mixer_(mixer), capture_(kSampleRate / 1000 * ringMs), farEnd_(kSampleRate / 1000 * ringMs), farScratch_(4096) {}

void AudioBridge::onPlayback(std::span<float> stereo) noexcept {
    mixer_.render(stereo);
    const std::size_t frames = stereo.size() / 2;
    for (std::size_t at = 0; at < frames; at += farScratch_.size()) {
        const std::size_t n = std::min(farScratch_.size(), frames - at);
        for (std::size_t i = 0; i < n; ++i) farScratch_[i] = 0.5f * (stereo[2 * (at + i)] + stereo[2 * (at + i) + 1]);
        farEnd_.write(std::span<const float>(farScratch_.data(), n)); // a full ring drops the reference: AEC re-adapts
    }
    played_.fetch_add(frames, std::memory_order_relaxed);
}

void AudioBridge::onCapture(std::span<const float> mono) noexcept {
    const std::size_t w = capture_.write(mono);
    if (w < mono.size()) captureOverflow_.fetch_add(mono.size() - w, std::memory_order_relaxed);
}

bool AudioBridge::readCaptureBlock(std::span<float> mic, std::span<float> farEnd) {
    assert(mic.size() == kBlockSamples && farEnd.size() == kBlockSamples);
    if (capture_.readAvailable() < kBlockSamples) return false;
    capture_.read(mic);
    // Keep the reference at most kMaxFarLead ahead of the microphone, so the
    // echo stays inside the canceller's tail even if playback started first.
    const std::size_t queued = farEnd_.readAvailable();
    if (queued > kMaxFarLead + kBlockSamples) farEnd_.discard(queued - kMaxFarLead);
    const std::size_t got = farEnd_.read(farEnd);
    std::fill(farEnd.begin() + static_cast<std::ptrdiff_t>(got), farEnd.end(), 0.0f);
    return true;
}

} // namespace caseroom::audio
