#include "audio/mixer.h"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace caseroom::audio {

Mixer::Voice::Voice(const MixerConfig& c, std::unique_ptr<VoiceDecoder> decoder) : ring(c.ringSamples) {
    if (decoder) {
        packets = std::make_unique<SpscRing<TimedPacket>>(c.packetRing);
        jitter = std::make_unique<JitterBuffer>(std::move(decoder), c.jitter);
    }
}

Mixer::Mixer(const MixerConfig& config, const DecoderFactory& decoders)
    : config_(config), decodes_(static_cast<bool>(decoders)), mono_(config.maxBlockFrames), send_(config.maxBlockFrames) {
    voices_.reserve(config.maxVoices);
    for (std::uint32_t i = 0; i < config.maxVoices; ++i)
        voices_.push_back(std::make_unique<Voice>(config, decodes_ ? decoders() : nullptr));
}

void Mixer::attach(std::uint32_t slot, const SpatialParams& params, std::uint16_t speaker) {
    assert(slot < config_.maxVoices);
    Voice& v = *voices_[slot];
    v.params.publish(params);
    v.speaker.store(speaker, std::memory_order_relaxed);
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

bool Mixer::pushPacket(std::uint32_t slot, const VoicePacket& packet, double arrival) {
    assert(slot < config_.maxVoices && decodes_);
    Voice& v = *voices_[slot];
    TimedPacket tp{packet, arrival};
    if (v.packets->push(tp)) return true;
    v.meter.packetOverflows.fetch_add(1, std::memory_order_relaxed);
    return false;
}

std::size_t Mixer::pushSamples(std::uint32_t slot, std::span<const float> mono) {
    assert(slot < config_.maxVoices);
    return voices_[slot]->ring.write(mono);
}

std::size_t Mixer::queued(std::uint32_t slot) const {
    assert(slot < config_.maxVoices);
    return voices_[slot]->ring.readAvailable();
}

VoiceSourceStats Mixer::sourceStats(std::uint32_t slot) {
    assert(slot < config_.maxVoices);
    VoiceSourceStats s;
    voices_[slot]->stats.take(s);
    return s;
}

double Mixer::deviceTime() const {
    return static_cast<double>(framesRendered_.load(std::memory_order_acquire)) / kSampleRate;
}

void Mixer::fillFromPackets(Voice& v, std::span<float> mono, double now) noexcept {
    // Packets first, so a packet that arrived during the last block counts.
    const std::uint16_t speaker = v.speaker.load(std::memory_order_relaxed);
    TimedPacket tp;
    while (v.packets->pop(tp))
        if (tp.packet.speaker == speaker) v.jitter->push(tp.packet, tp.arrival);
    std::size_t done = 0;
    while (done < mono.size()) {
        if (v.decodedPos >= kBlockSamples) {
            // The block starting `done` samples into this render.
            v.jitter->pull(now + static_cast<double>(done) / kSampleRate, v.decoded);
            v.decodedPos = 0;
        }
        const std::size_t n = std::min<std::size_t>(mono.size() - done, kBlockSamples - v.decodedPos);
        std::copy_n(v.decoded.begin() + v.decodedPos, n, mono.begin() + static_cast<std::ptrdiff_t>(done));
        v.decodedPos += static_cast<std::uint32_t>(n);
        done += n;
    }
    VoiceSourceStats& s = v.statsScratch;
    s.jitter = v.jitter->stats();
    s.targetMs = v.jitter->targetMs();
    s.delayMs = v.jitter->delayMs();
    s.playing = v.jitter->playing();
    s.level = v.jitter->lastLevel();
    v.stats.publish(s);
}

void Mixer::render(std::span<float> stereo) noexcept {
    const std::size_t frames = stereo.size() / 2;
    assert(frames <= config_.maxBlockFrames);
    const double now = static_cast<double>(framesRendered_.load(std::memory_order_relaxed)) / kSampleRate;
    std::fill(stereo.begin(), stereo.end(), 0.0f);
    const std::span<float> mono(mono_.data(), frames);
    const std::span<float> send(send_.data(), frames);
    std::fill(send.begin(), send.end(), 0.0f);

    for (auto& vp : voices_) {
        Voice& v = *vp;
        if (!v.active.load(std::memory_order_acquire)) {
            if (v.rendering) {
                v.ring.discard(v.ring.readAvailable());
                if (v.packets) v.packets->discard(v.packets->readAvailable());
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
            if (v.jitter) {
                v.jitter->clear();
                v.decodedPos = kBlockSamples;
            }
        }
        if (v.jitter) {
            fillFromPackets(v, mono, now);
            // A slot may also carry local samples on top (rare); mix them in.
            if (v.ring.readAvailable() > 0) {
                float extra[256];
                for (std::size_t at = 0; at < frames;) {
                    const std::size_t want = std::min<std::size_t>(256, frames - at);
                    const std::size_t got = v.ring.read(std::span<float>(extra, want));
                    for (std::size_t i = 0; i < got; ++i) mono[at + i] += extra[i];
                    if (got < want) break;
                    at += got;
                }
            }
        } else {
            const std::size_t got = v.ring.read(mono);
            if (got < frames) {
                std::fill(mono.begin() + static_cast<std::ptrdiff_t>(got), mono.end(), 0.0f);
                v.meter.starvedSamples.fetch_add(frames - got, std::memory_order_relaxed);
            }
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
    framesRendered_.fetch_add(frames, std::memory_order_release);
}

} // namespace caseroom::audio
