#include "audio/voice_receiver.h"

#include <cassert>

namespace caseroom::audio {

VoiceReceiver::VoiceReceiver(Mixer& mixer, const VoiceReceiverConfig& config)
    : mixer_(mixer), config_(config), slots_(mixer.maxVoices()) {
    assert(mixer_.decodes());
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
    freeSlot->lastPacket = now;
    freeSlot->params = computeSpatialParams(listener_, freeSlot->mouth, config_.spatial);
    mixer_.attach(static_cast<std::uint32_t>(freeSlot - slots_.data()), freeSlot->params, speaker);
    return freeSlot;
}

void VoiceReceiver::onPacket(const VoicePacket& packet, double now) {
    Speaker* s = findOrAttach(packet.speaker, now);
    if (!s) { ++noSlot_; return; }
    s->lastPacket = now;
    (void)mixer_.pushPacket(static_cast<std::uint32_t>(s - slots_.data()), packet, mixer_.deviceTime());
}

void VoiceReceiver::setSpeakerPosition(std::uint16_t speaker, const glm::vec3& mouth) {
    for (auto& s : slots_)
        if (s.used && s.id == speaker) s.mouth = mouth;
}

void VoiceReceiver::update(double now) {
    for (std::size_t i = 0; i < slots_.size(); ++i) {
        Speaker& s = slots_[i];
        if (!s.used) continue;
        const auto slot = static_cast<std::uint32_t>(i);
        if (now - s.lastPacket > config_.idleReleaseSec) {
            mixer_.detach(slot);
            s = Speaker{};
            continue;
        }
        s.params = computeSpatialParams(listener_, s.mouth, config_.spatial, s.params.cheap);
        mixer_.setParams(slot, s.params);
    }
}

std::vector<VoiceReceiver::SpeakerView> VoiceReceiver::speakers() const {
    std::vector<SpeakerView> out;
    for (std::size_t i = 0; i < slots_.size(); ++i) {
        const Speaker& s = slots_[i];
        if (!s.used) continue;
        const auto slot = static_cast<std::uint32_t>(i);
        out.push_back({s.id, slot, mixer_.sourceStats(slot), mixer_.meter(slot).peak.load(std::memory_order_relaxed)});
    }
    return out;
}

} // namespace caseroom::audio
