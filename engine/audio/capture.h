// Capture chain: microphone blocks -> clean-up (AEC/NS/AGC) -> level meter ->
// voice activity -> mic gate (mute / push-to-talk / open mic) -> encoder ->
// VoicePacket.
//
// vadUpdate() is the pure voice-activity stage: an energy detector against a
// tracked noise floor, with hangover so word gaps do not chop.
// VoiceCapture owns the stateful stages. Thread rule: one thread (the voice
// thread) that drains the device's capture ring; never the callback.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <span>

#include "audio/audio_format.h"
#include "audio/codec.h"
#include "audio/voice_packet.h"
#include "audio/voice_processor.h"
#include "audio/voice_rate.h"

namespace caseroom::audio {

struct VadConfig {
    float thresholdDb = 9.0f;     // speech is this far above the noise floor...
    float minSpeechDb = -50.0f;   // ...and at least this loud (dBFS)
    float hangoverMs = 300.0f;    // stays active this long after the last speech frame
    float floorRiseDbPerSec = 4.0f; // the noise floor creeps up this fast, drops at once
};

struct VadState {
    float noiseFloorDb = -70.0f;
    float hangoverLeftMs = 0.0f;
    bool active = false;
};

// One frame's update: frameDb is the frame's RMS level in dBFS.
bool vadUpdate(VadState& state, const VadConfig& config, float frameDb, float frameMs);

enum class MicMode : std::uint8_t { Muted, PushToTalk, OpenMic, Count };
const char* toString(MicMode mode);

struct CaptureConfig {
    FrameDuration frame = FrameDuration::Ms20;
    MicMode mode = MicMode::OpenMic;
    VadConfig vad;
    std::uint16_t speaker = 0;    // written into every packet
};

struct CaptureMeter {
    float inputDb = -140.0f;      // raw microphone, last 10 ms block (the UI's input meter)
    float cleanDb = -140.0f;      // after clean-up, last codec frame
    bool voiceActive = false;     // VAD verdict for the last frame
    bool transmitting = false;    // the last frame was sent
    std::uint64_t framesSent = 0;
    std::uint64_t framesGated = 0; // muted, PTT up, or VAD silent
    std::uint64_t framesDtx = 0;   // encoded but not sent (DTX silence)
};

class VoiceCapture {
public:
    VoiceCapture(const CaptureConfig& config, std::unique_ptr<VoiceProcessor> processor,
                 std::unique_ptr<VoiceEncoder> encoder);

    // Feeds one 10 ms block (kBlockSamples) of microphone audio and what the
    // speakers played over the same 10 ms. Returns true with `packet` filled
    // when a codec frame completed and must be sent.
    bool processBlock(std::span<const float> mic, std::span<const float> farEnd, VoicePacket& packet);

    void setMode(MicMode mode) { config_.mode = mode; }
    void setPushToTalk(bool down) { pttDown_ = down; }
    // The link's rate (voice_rate.h). A bitrate change waits for the end of
    // the talk spurt, so one spurt keeps one packet size (F-09); the FEC
    // level applies at once (it does not change the size).
    void setRate(const VoiceRate& rate);
    [[nodiscard]] std::int32_t bitrate() const { return encoder_->config().bitrate; }
    [[nodiscard]] MicMode mode() const { return config_.mode; }
    [[nodiscard]] const CaptureMeter& meter() const { return meter_; }
    [[nodiscard]] VoiceProcessor& processor() { return *processor_; }
    [[nodiscard]] VoiceEncoder& encoder() { return *encoder_; }

private:
    CaptureConfig config_;
    std::unique_ptr<VoiceProcessor> processor_;
    std::unique_ptr<VoiceEncoder> encoder_;
    VadState vad_;
    CaptureMeter meter_;
    bool pttDown_ = false;
    bool lastSent_ = false;
    std::uint16_t sequence_ = 0;
    std::uint32_t filled_ = 0;
    std::array<float, kMaxFrameSamples> frame_{};
    std::int32_t pendingBitrate_ = 0;   // 0: none waiting
};

} // namespace caseroom::audio
