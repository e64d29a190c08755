// Mixes up to maxVoices spatialized voices into stereo blocks for the device.
//
// A voice slot is fed one of two ways:
//   - packets (the client's voices): pushPacket() hands encoded packets to
//     the slot's jitter buffer, which decodes IN THE CALLBACK, exactly when
//     the device needs the audio; nothing sits buffered between the jitter
//     buffer and the speaker. Needs a decoder factory at construction (one
//     decoder per slot, made up front).
//   - samples: pushSamples() queues decoded mono audio (tests, benchmarks,
//     local sources).
// Clock: the mixer's device time is frames rendered / 48 kHz, in seconds.
// Packets are stamped with deviceTime() when they arrive, and the jitter
// buffers run on that clock.
//
// Thread rules:
//  - Control thread (one; the client's voice/main thread): attach()/detach(),
//    setParams(), pushPacket(), pushSamples(), setAmbience(), setMasterGain(),
//    sourceStats(), deviceTime().
//  - Device thread (one; the audio callback): render(). It reads SPSC rings
//    and LatestValue mailboxes and writes atomics and mailboxes; it never
//    allocates, locks, logs or does I/O.
// Every buffer and decoder is allocated in the constructor.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "audio/audio_format.h"
#include "audio/codec.h"
#include "audio/jitter_buffer.h"
#include "audio/spatializer.h"
#include "audio/spsc_ring.h"
#include "audio/voice_packet.h"

namespace caseroom::audio {

using DecoderFactory = std::function<std::unique_ptr<VoiceDecoder>()>;

struct MixerConfig {
    std::uint32_t maxVoices = 32;
    std::uint32_t ringSamples = kSampleRate / 4;  // per voice sample ring: 250 ms of mono audio
    std::uint32_t packetRing = 32;                // per voice packet ring: 640 ms of 20 ms frames
    std::uint32_t maxBlockFrames = 2048;          // largest render() the device may ask for
    float ambienceWet = 0.35f;
    JitterConfig jitter;
};

// Counters the device thread keeps; read from any thread.
struct MixerVoiceMeter {
    std::atomic<float> peak{0.0f};            // of the last block rendered, before spatializing
    std::atomic<std::uint64_t> starvedSamples{0}; // sample-fed voices: zero-filled because the ring ran dry
    std::atomic<std::uint64_t> packetOverflows{0}; // packets refused because the packet ring was full
};

// A packet-fed voice's state as of the last rendered block.
struct VoiceSourceStats {
    JitterStats jitter;
    double targetMs = 0.0;
    double delayMs = 0.0;
    bool playing = false;
    std::uint8_t level = 0;                   // last packet's level byte
};

class Mixer {
public:
    // `decoders`: when given, every slot can take packets (decoded in render()).
    explicit Mixer(const MixerConfig& config = {}, const DecoderFactory& decoders = {});
    Mixer(const Mixer&) = delete;
    Mixer& operator=(const Mixer&) = delete;

    [[nodiscard]] std::uint32_t maxVoices() const { return config_.maxVoices; }
    [[nodiscard]] bool decodes() const { return decodes_; }

    // ---- control thread ----
    // Starts a voice in `slot` (< maxVoices) from silence with `params`;
    // `speaker` names whose packets the slot plays (others are dropped).
    void attach(std::uint32_t slot, const SpatialParams& params, std::uint16_t speaker = 0);
    // Stops rendering `slot`; the device thread drains its rings.
    void detach(std::uint32_t slot);
    void setParams(std::uint32_t slot, const SpatialParams& params);
    // Packet-fed voices: queues a packet that arrived at device time `arrival`.
    bool pushPacket(std::uint32_t slot, const VoicePacket& packet, double arrival);
    // Sample-fed voices: producer side of the slot's sample ring; returns samples accepted.
    std::size_t pushSamples(std::uint32_t slot, std::span<const float> mono);
    // Samples queued for a sample-fed slot (lower bound).
    [[nodiscard]] std::size_t queued(std::uint32_t slot) const;
    // Jitter-buffer state of a packet-fed slot as of the last render.
    [[nodiscard]] VoiceSourceStats sourceStats(std::uint32_t slot);
    // Seconds of audio rendered so far: the clock packets are stamped with.
    [[nodiscard]] double deviceTime() const;
    void setAmbience(bool on) { ambienceOn_.store(on, std::memory_order_relaxed); }
    void setMasterGain(float g) { masterGain_.store(g, std::memory_order_relaxed); }
    [[nodiscard]] const MixerVoiceMeter& meter(std::uint32_t slot) const { return voices_[slot]->meter; }

    // ---- device thread ----
    // Overwrites `stereo` (interleaved L R) with the mix; frames = size / 2
    // must not exceed maxBlockFrames.
    void render(std::span<float> stereo) noexcept;

private:
    struct TimedPacket {
        VoicePacket packet;
        double arrival = 0.0;
    };
    struct Voice {
        Voice(const MixerConfig& c, std::unique_ptr<VoiceDecoder> decoder);
        SpscRing<float> ring;
        std::unique_ptr<SpscRing<TimedPacket>> packets; // packet-fed mixers only
        std::unique_ptr<JitterBuffer> jitter;           // owned by the device thread after construction
        LatestValue<SpatialParams> params;
        LatestValue<VoiceSourceStats> stats;
        std::atomic<bool> active{false};
        std::atomic<std::uint32_t> generation{0}; // bumped by attach(): the device resets its state
        std::atomic<std::uint16_t> speaker{0};
        MixerVoiceMeter meter;
        // Device-thread state.
        SpatialVoiceState state;
        std::uint32_t seenGeneration = 0;
        bool rendering = false;
        std::array<float, kBlockSamples> decoded{}; // the jitter buffer's current 10 ms block
        std::uint32_t decodedPos = kBlockSamples;   // next unread sample in `decoded`
        VoiceSourceStats statsScratch;
    };
    void fillFromPackets(Voice& v, std::span<float> mono, double now) noexcept;

    MixerConfig config_;
    bool decodes_ = false;
    std::vector<std::unique_ptr<Voice>> voices_;
    std::vector<float> mono_; // device-thread scratch
    std::vector<float> send_;
    Ambience ambience_;
    std::atomic<bool> ambienceOn_{true};
    std::atomic<float> masterGain_{1.0f};
    std::atomic<std::uint64_t> framesRendered_{0};
    bool ambienceWasOn_ = true;
};

} // namespace caseroom::audio
