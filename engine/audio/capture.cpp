#include "audio/capture.h"

#include <cassert>

namespace caseroom::audio {

bool vadUpdate(VadState& s, const VadConfig& c, float frameDb, float frameMs) {
    if (frameDb < s.noiseFloorDb) s.noiseFloorDb = frameDb;
    else s.noiseFloorDb += c.floorRiseDbPerSec * frameMs / 1000.0f;
    const bool speech = frameDb > s.noiseFloorDb + c.thresholdDb && frameDb > c.minSpeechDb;
    if (speech) s.hangoverLeftMs = c.hangoverMs;
    else s.hangoverLeftMs = s.hangoverLeftMs > frameMs ? s.hangoverLeftMs - frameMs : 0.0f;
    s.active = speech || s.hangoverLeftMs > 0.0f;
    return s.active;
}

const char* toString(MicMode mode) {
    switch (mode) {
    case MicMode::Muted: return "muted";
    case MicMode::PushToTalk: return "push-to-talk";
    case MicMode::OpenMic: return "open-mic";
    case MicMode::Count: break;
    }
    return "?";
}

VoiceCapture::VoiceCapture(const CaptureConfig& config, std::unique_ptr<VoiceProcessor> processor,
                           std::unique_ptr<VoiceEncoder> encoder)
    : config_(config), processor_(std::move(processor)), encoder_(std::move(encoder)) {
    assert(processor_ && encoder_ && encoder_->config().frame == config_.frame);
}

bool VoiceCapture::processBlock(std::span<const float> mic, std::span<const float> farEnd, VoicePacket& packet) {
    assert(mic.size() == kBlockSamples && farEnd.size() == kBlockSamples);
    meter_.inputDb = linearToDb(rmsOf(mic));
    processor_->process(mic, farEnd, std::span<float>(frame_.data() + filled_, kBlockSamples));
    filled_ += kBlockSamples;
    const std::uint32_t n = frameSamples(config_.frame);
    if (filled_ < n) return false;
    filled_ = 0;

    const std::span<const float> frame(frame_.data(), n);
    const float rms = rmsOf(frame);
    meter_.cleanDb = linearToDb(rms);
    meter_.voiceActive = vadUpdate(vad_, config_.vad, meter_.cleanDb, static_cast<float>(n) * 1000.0f / kSampleRate);
    const bool gateOpen = config_.mode == MicMode::OpenMic    ? meter_.voiceActive
                          : config_.mode == MicMode::PushToTalk ? pttDown_
                                                                : false;
    const std::uint16_t seq = sequence_++;
    bool send = false;
    if (pendingBitrate_ != 0 && !lastSent_) { // between spurts: the new size starts with the next one
        encoder_->setBitrate(pendingBitrate_);
        pendingBitrate_ = 0;
    }
    if (gateOpen) {
        auto r = encoder_->encode(frame, std::span<std::uint8_t>(packet.bytes.data(), packet.bytes.size()));
        if (r && *r > 2) {
            packet.speaker = config_.speaker;
            packet.sequence = seq;
            packet.level = levelByteFromRms(rms);
            packet.frame = config_.frame;
            packet.talkStart = !lastSent_;
            packet.size = static_cast<std::uint16_t>(*r);
            send = true;
        } else {
            ++meter_.framesDtx;
        }
    } else {
        ++meter_.framesGated;
    }
    if (send) ++meter_.framesSent;
    meter_.transmitting = send;
    lastSent_ = send;
    return send;
}

void VoiceCapture::setRate(const VoiceRate& rate) {
    encoder_->setExpectedLoss(rate.lossPercent);
    pendingBitrate_ = rate.bitrate == encoder_->config().bitrate ? 0 : rate.bitrate;
}

} // namespace caseroom::audio
