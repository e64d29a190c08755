// Receive side for one listener: voice packets -> per-speaker jitter buffer
// and decoder -> mixer slot rings, with spatial parameters from the
// listener's head pose and each speaker's mouth position.
//
// Thread rule: one thread (the client's voice/main thread) calls everything
// here; the Mixer's render() runs on the device thread and only reads the
// rings and parameter mailboxes this class writes. A speaker's first packet
// allocates its jitter buffer and decoder (this thread, not the callback).
// Time is an input (`now`, seconds, the same clock for every call).
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "audio/codec.h"
#include "audio/jitter_buffer.h"
#include "audio/mixer.h"
#include "audio/spatializer.h"
#include "audio/voice_packet.h"

namespace caseroom::audio {

struct VoiceReceiverConfig {
    JitterConfig jitter;
    SpatialConfig spatial;
    double leadMs = 30.0;        // audio kept queued ahead of the device per voice
    double idleReleaseSec = 3.0; // a silent speaker gives its mixer slot back after this
};

using DecoderFactory = std::function<std::unique_ptr<VoiceDecoder>()>;

class VoiceReceiver {
public:
    // `decoders` makes one decoder per speaker (createOpusDecoder by default).
    VoiceReceiver(Mixer& mixer, const VoiceReceiverConfig& config = {}, DecoderFactory decoders = {});

    // A packet from the network (already authenticated and parsed).
    void onPacket(const VoicePacket& packet, double now);
    void setListener(const ListenerPose& pose) { listener_ = pose; }
    // Where a speaker's mouth is, room space; unknown speakers play in front.
    void setSpeakerPosition(std::uint16_t speaker, const glm::vec3& mouth);
    // Moves decoded audio into the mixer until each voice has leadMs queued,
    // refreshes spatial parameters, and releases idle speakers. Call every
    // few milliseconds (at least every 10 ms).
    void update(double now);

    struct SpeakerView {
        std::uint16_t speaker = 0;
        std::uint32_t mixerSlot = 0;
        bool playing = false;
        std::uint8_t level = 0;   // last packet's level byte
        const JitterStats* stats = nullptr;
        double targetMs = 0.0;
        double delayMs = 0.0;
    };
    // One entry per speaker holding a mixer slot.
    [[nodiscard]] std::vector<SpeakerView> speakers() const;
    [[nodiscard]] std::uint64_t packetsWithoutSlot() const { return noSlot_; }

private:
    struct Speaker {
        bool used = false;
        std::uint16_t id = 0;
        std::unique_ptr<JitterBuffer> jitter;
        glm::vec3 mouth{0.0f, 1.2f, -1.5f};
        SpatialParams params;
        double lastPacket = 0.0;
    };
    Speaker* findOrAttach(std::uint16_t speaker, double now);

    Mixer& mixer_;
    VoiceReceiverConfig config_;
    DecoderFactory decoders_;
    ListenerPose listener_;
    std::vector<Speaker> slots_; // index = mixer slot
    std::uint64_t noSlot_ = 0;
};

} // namespace caseroom::audio
