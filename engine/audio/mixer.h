// Mixes up to maxVoices spatialized voices into stereo blocks for the device.
//
// Thread rules:
//  - Control thread (one; the client's voice/main thread): attach()/detach(),
//    setParams(), pushSamples(), setAmbience(), setMasterGain(), readers of
//    the atomics.
//  - Device thread (one; the audio callback): render(). It only reads from
//    per-voice SPSC rings and LatestValue mailboxes, and writes to atomics:
//    it never allocates, locks, logs or does I/O.
// Every buffer is allocated in the constructor.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "audio/audio_format.h"
#include "audio/spatializer.h"
#include "audio/spsc_ring.h"

namespace caseroom::audio {

struct MixerConfig {
    std::uint32_t maxVoices = 32;
    std::uint32_t ringSamples = kSampleRate / 4;  // per voice: 250 ms of mono audio
    std::uint32_t maxBlockFrames = 2048;          // largest render() the device may ask for
    float ambienceWet = 0.35f;
};

// Counters the device thread keeps; read from any thread.
struct MixerVoiceMeter {
    std::atomic<float> peak{0.0f};            // of the last block rendered, before spatializing
    std::atomic<std::uint64_t> starvedSamples{0}; // zero-filled because the ring ran dry
};

class Mixer {
public:
    explicit Mixer(const MixerConfig& config = {});
    Mixer(const Mixer&) = delete;
    Mixer& operator=(const Mixer&) = delete;

    [[nodiscard]] std::uint32_t maxVoices() const { return config_.maxVoices; }

    // ---- control thread ----
    // Starts a voice in `slot` (< maxVoices) from silence with `params`.
    void attach(std::uint32_t slot, const SpatialParams& params);
    // Stops rendering `slot`; the device thread drains its ring.
    void detach(std::uint32_t slot);
    void setParams(std::uint32_t slot, const SpatialParams& params);
    // Producer side of the slot's ring: returns samples accepted.
    std::size_t pushSamples(std::uint32_t slot, std::span<const float> mono);
    // Samples queued for the slot (lower bound): keep it near a target.
    [[nodiscard]] std::size_t queued(std::uint32_t slot) const;
    void setAmbience(bool on) { ambienceOn_.store(on, std::memory_order_relaxed); }
    void setMasterGain(float g) { masterGain_.store(g, std::memory_order_relaxed); }
    [[nodiscard]] const MixerVoiceMeter& meter(std::uint32_t slot) const { return voices_[slot]->meter; }

    // ---- device thread ----
    // Overwrites `stereo` (interleaved L R) with the mix; frames = size / 2
    // must not exceed maxBlockFrames.
    void render(std::span<float> stereo) noexcept;

private:
    struct Voice {
        explicit Voice(std::uint32_t ringSamples) : ring(ringSamples) {}
        SpscRing<float> ring;
        LatestValue<SpatialParams> params;
        std::atomic<bool> active{false};
        std::atomic<std::uint32_t> generation{0}; // bumped by attach(): the device resets its state
        MixerVoiceMeter meter;
        // Device-thread state.
        SpatialVoiceState state;
        std::uint32_t seenGeneration = 0;
        bool rendering = false;
    };
    MixerConfig config_;
    std::vector<std::unique_ptr<Voice>> voices_;
    std::vector<float> mono_; // device-thread scratch
    std::vector<float> send_;
    Ambience ambience_;
    std::atomic<bool> ambienceOn_{true};
    std::atomic<float> masterGain_{1.0f};
    bool ambienceWasOn_ = true;
};

} // namespace caseroom::audio
