// Receive side for one listener, control-thread half: assigns each speaker a
// mixer slot, hands the slot its packets (stamped with the mixer's device
// time; the jitter buffer and decoder run inside Mixer::render, in the audio
// callback, so no extra buffering sits between them and the device), and
// keeps each voice's spatial parameters current from the listener's head
// pose and the speaker's mouth position. Speakers silent for idleReleaseSec
// give their slot back.
//
// Thread rule: one thread (the client's voice/main thread) calls everything
// here. Time is an input (`now`, seconds, one clock for every call); it only
// decides slot release. Needs a Mixer made with a decoder factory.
#pragma once
#include <cstdint>
#include <vector>

#include "audio/mixer.h"
#include "audio/spatializer.h"
#include "audio/voice_packet.h"

namespace caseroom::audio {

struct VoiceReceiverConfig {
    SpatialConfig spatial;
    double idleReleaseSec = 3.0; // a silent speaker gives its mixer slot back after this
};

class VoiceReceiver {
public:
    explicit VoiceReceiver(Mixer& mixer, const VoiceReceiverConfig& config = {});

    // A packet from the network (already authenticated and parsed).
    void onPacket(const VoicePacket& packet, double now);
    void setListener(const ListenerPose& pose) { listener_ = pose; }
    // Where a speaker's mouth is, room space; unknown speakers play in front.
    void setSpeakerPosition(std::uint16_t speaker, const glm::vec3& mouth);
    // Refreshes spatial parameters and releases idle speakers. Call at least
    // every 20 ms (every frame is fine).
    void update(double now);

    struct SpeakerView {
        std::uint16_t speaker = 0;
        std::uint32_t mixerSlot = 0;
        VoiceSourceStats source;  // playing, level byte, jitter stats, target/delay
        float peak = 0.0f;        // of the last rendered block: "is speaking" for avatars
    };
    // One entry per speaker holding a mixer slot.
    [[nodiscard]] std::vector<SpeakerView> speakers() const;
    [[nodiscard]] std::uint64_t packetsWithoutSlot() const { return noSlot_; }

private:
    struct Speaker {
        bool used = false;
        std::uint16_t id = 0;
        glm::vec3 mouth{0.0f, 1.2f, -1.5f};
        SpatialParams params;
        double lastPacket = 0.0;
    };
    Speaker* findOrAttach(std::uint16_t speaker, double now);

    Mixer& mixer_;
    VoiceReceiverConfig config_;
    ListenerPose listener_;
    std::vector<Speaker> slots_; // index = mixer slot
    std::uint64_t noSlot_ = 0;
};

} // namespace caseroom::audio
