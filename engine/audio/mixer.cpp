#include "audio/mixer.h"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace caseroom::audio {

Mixer::Mixer(const MixerConfig& config)
    : config_(config), mono_(config.maxBlockFrames), send_(config.maxBlockFrames) {
    voices_.reserve(config.maxVoices);
    for (std::uint32_t i = 0; i < config.maxVoices; ++i) voices_.push_back(std::make_unique<Voice>(config.ringSamples));
}

void Mixer::attach(std::uint32_t slot, const SpatialParams& params) {
    assert(slot < config_.maxVoices);
    Voice& v = *voices_[slot];
    v.params.publish(params);
    v.generation.fetch_add(1, std::memory_order_release);
    v.active.store(true, std::memory_order_release);
}

void Mixer::detach(std::uint32_t slot) {
    assert(slot < config_.maxVoices);
    voices_[slot]->active.store(false, std::memory_order_release);
}

void Mixer::setParams(std::uint32_t slot, const SpatialParams& params) {
    assert(slot < config_.maxVoices);
    voices_[slot]->params.publish(params);
}

std::size_t Mixer::pushSamples(std::uint32_t slot, std::span<const float> mono) {
    assert(slot < config_.maxVoices);
    return voices_[slot]->ring.write(mono);
}

std::size_t Mixer::queued(std::uint32_t slot) const {
    assert(slot < config_.maxVoices);
    return voices_[slot]->ring.readAvailable();
}

void Mixer::render(std::span<float> stereo) noexcept {
    const std::size_t frames = stereo.size() / 2;
    assert(frames <= config_.maxBlockFrames);
    std::fill(stereo.begin(), stereo.end(), 0.0f);
    const std::span<float> mono(mono_.data(), frames);
    const std::span<float> send(send_.data(), frames);
    std::fill(send.begin(), send.end(), 0.0f);

    for (auto& vp : voices_) {
        Voice& v = *vp;
        if (!v.active.load(std::memory_order_acquire)) {
            if (v.rendering) {
                v.ring.discard(v.ring.readAvailable());
                v.rendering = false;
                v.meter.peak.store(0.0f, std::memory_order_relaxed);
            }
            continue;
        }
        const std::uint32_t gen = v.generation.load(std::memory_order_acquire);
        if (!v.rendering || gen != v.seenGeneration) {
            v.state = SpatialVoiceState{};
            v.seenGeneration = gen;
            v.rendering = true;
        }
        const std::size_t got = v.ring.read(mono);
        if (got < frames) {
            std::fill(mono.begin() + static_cast<std::ptrdiff_t>(got), mono.end(), 0.0f);
            v.meter.starvedSamples.fetch_add(frames - got, std::memory_order_relaxed);
        }
        float peak = 0.0f;
        for (float s : mono) peak = std::max(peak, std::abs(s));
        v.meter.peak.store(peak, std::memory_order_relaxed);
        SpatialParams p;
        v.params.take(p);
        spatializeBlock(v.state, p, mono, stereo, send);
    }

    const bool amb = ambienceOn_.load(std::memory_order_relaxed);
    if (amb) {
        if (!ambienceWasOn_) ambience_.clear();
        ambience_.process(send, stereo, config_.ambienceWet);
    }
    ambienceWasOn_ = amb;

    const float master = masterGain_.load(std::memory_order_relaxed);
    for (float& s : stereo) s = std::clamp(s * master, -1.0f, 1.0f);
}

} // namespace caseroom::audio
