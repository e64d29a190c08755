// One client's whole voice path behind one object, for ClientSession, bots
// and headless clients:
//   device --(AudioBridge rings)--> VoiceCapture --> packets to send
//   packets received --> VoiceReceiver (jitter buffer, decode, spatial
//   params) --> Mixer --(AudioBridge)--> device
// Wiring: give callback() to an AudioDevice's start(); call pump(now, send)
// from the voice/main thread often (every 10 ms or less: captured audio waits
// in a ring until then); hand every received VoicePacket to onPacket() as it
// arrives (decoding happens in the callback); keep the listener pose and
// speaker positions current. Thread rule: everything except callback() on
// one thread.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "audio/audio_bridge.h"
#include "audio/capture.h"
#include "audio/mixer.h"
#include "audio/voice_receiver.h"
#include "core/result.h"

namespace caseroom::audio {

struct VoiceClientConfig {
    std::uint16_t speaker = 0;          // this client's entity slot, written into its packets
    EncoderConfig encoder;              // Opus 20 ms, 24 kbit/s, FEC + DTX
    VoiceProcessorConfig processor;     // AEC + NS + AGC (speexdsp)
    CaptureConfig capture;              // mic mode, VAD
    MixerConfig mixer;
    VoiceReceiverConfig receiver;
    bool useSpeex = true;               // false: pass-through clean-up (tests, bots)
};

class VoiceClient {
public:
    static core::Result<std::unique_ptr<VoiceClient>> create(const VoiceClientConfig& config);

    // For AudioDevice::start(); runs on the device threads.
    [[nodiscard]] AudioCallback& callback() { return bridge_; }

    // Drains captured audio: every completed frame that must be sent is passed
    // to send(const VoicePacket&). Then refreshes spatial parameters.
    // `now`: seconds, the same clock as onPacket().
    template <typename Send>
    void pump(double now, Send&& send) {
        while (bridge_.readCaptureBlock(mic_, far_)) {
            if (capture_->processBlock(mic_, far_, packet_)) send(static_cast<const VoicePacket&>(packet_));
        }
        receiver_.update(now);
    }
    void onPacket(const VoicePacket& packet, double now) { receiver_.onPacket(packet, now); }

    void setListener(const ListenerPose& pose) { receiver_.setListener(pose); }
    void setSpeakerPosition(std::uint16_t speaker, const glm::vec3& mouth) { receiver_.setSpeakerPosition(speaker, mouth); }

    [[nodiscard]] VoiceCapture& capture() { return *capture_; }   // mic mode, PTT, meter, AEC/NS/AGC switches
    [[nodiscard]] VoiceReceiver& receiver() { return receiver_; } // speakers(): who is talking, stats
    [[nodiscard]] Mixer& mixer() { return *mixer_; }               // ambience, master gain
    [[nodiscard]] const AudioBridge& bridge() const { return bridge_; }

private:
    VoiceClient(const VoiceClientConfig& config, std::unique_ptr<Mixer> mixer, std::unique_ptr<VoiceCapture> capture);

    std::unique_ptr<Mixer> mixer_;
    AudioBridge bridge_;
    VoiceReceiver receiver_;
    std::unique_ptr<VoiceCapture> capture_;
    std::vector<float> mic_, far_;
    VoicePacket packet_;
};

} // namespace caseroom::audio
