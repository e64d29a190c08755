#include "audio/voice_receiver.h"

#include <array>

namespace caseroom::audio {

VoiceReceiver::VoiceReceiver(Mixer& mixer, const VoiceReceiverConfig& config, DecoderFactory decoders)
    : mixer_(mixer), config_(config), decoders_(std::move(decoders)), slots_(mixer.maxVoices()) {
    if (!decoders_) {
        decoders_ = [] {
            auto r = createOpusDecoder();
            return r ? std::move(*r) : createPcmDecoder();
        };
    }
}

VoiceReceiver::Speaker* VoiceReceiver::findOrAttach(std::uint16_t speaker, double now) {
    Speaker* freeSlot = nullptr;
    for (auto& s : slots_) {
        if (s.used && s.id == speaker) return &s;
        if (!s.used && !freeSlot) freeSlot = &s;
    }
    if (!freeSlot) return nullptr;
    freeSlot->used = true;
    freeSlot->id = speaker;
    freeSlot->jitter = std::make_unique<JitterBuffer>(decoders_(), config_.jitter);
    freeSlot->lastPacket = now;
    freeSlot->params = computeSpatialParams(listener_, freeSlot->mouth, config_.spatial);
    mixer_.attach(static_cast<std::uint32_t>(freeSlot - slots_.data()), freeSlot->params);
    return freeSlot;
}

void VoiceReceiver::onPacket(const VoicePacket& packet, double now) {
    Speaker* s = findOrAttach(packet.speaker, now);
    if (!s) { ++noSlot_; return; }
    s->lastPacket = now;
    s->jitter->push(packet, now);
}

void VoiceReceiver::setSpeakerPosition(std::uint16_t speaker, const glm::vec3& mouth) {
    for (auto& s : slots_)
        if (s.used && s.id == speaker) s.mouth = mouth;
}

void VoiceReceiver::update(double now) {
    std::array<float, kBlockSamples> block{};
    const auto lead = static_cast<std::size_t>(config_.leadMs * 1e-3 * kSampleRate);
    for (std::size_t i = 0; i < slots_.size(); ++i) {
        Speaker& s = slots_[i];
        if (!s.used) continue;
        const auto slot = static_cast<std::uint32_t>(i);
        if (!s.jitter->playing() && now - s.lastPacket > config_.idleReleaseSec) {
            mixer_.detach(slot);
            s = Speaker{};
            continue;
        }
        s.params = computeSpatialParams(listener_, s.mouth, config_.spatial, s.params.cheap);
        mixer_.setParams(slot, s.params);
        std::size_t queued = mixer_.queued(slot);
        while (queued < lead) {
            // Pull "at" the moment this block will start playing.
            const double playAt = now + static_cast<double>(queued) / kSampleRate;
            s.jitter->pull(playAt, block);
            mixer_.pushSamples(slot, block);
            queued += kBlockSamples;
        }
    }
}

std::vector<VoiceReceiver::SpeakerView> VoiceReceiver::speakers() const {
    std::vector<SpeakerView> out;
    for (std::size_t i = 0; i < slots_.size(); ++i) {
        const Speaker& s = slots_[i];
        if (!s.used) continue;
        out.push_back({s.id, static_cast<std::uint32_t>(i), s.jitter->playing(), s.jitter->lastLevel(),
                       &s.jitter->stats(), s.jitter->targetMs(), s.jitter->delayMs()});
    }
    return out;
}

} // namespace caseroom::audio
