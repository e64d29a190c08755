// Capture-side clean-up seam: echo cancellation, noise suppression and
// automatic gain. The real one wraps speexdsp (speex_processor.cpp: MDF echo
// canceller + preprocessor with residual-echo suppression); the twin passes
// the microphone through untouched.
// Frames are 10 ms (kBlockSamples) at 48 kHz, float in [-1, 1].
// Thread rule: one thread (the capture/voice thread), never the callback.
#pragma once
#include <memory>
#include <span>

#include "audio/audio_format.h"
#include "core/result.h"

namespace caseroom::audio {

struct VoiceProcessorConfig {
    bool echoCancel = true;
    bool noiseSuppress = true;
    bool autoGain = true;
    std::uint32_t echoTailMs = 200;     // longest echo path the canceller models
    int noiseSuppressDb = -25;          // most attenuation applied to noise
    int echoSuppressDb = -40;           // residual echo suppression
    int echoSuppressActiveDb = -15;     // ... while the near end talks
    float agcLevel = 8000.0f;           // target level on the 16-bit scale (about -12 dBFS)
};

class VoiceProcessor {
public:
    virtual ~VoiceProcessor() = default;
    // mic: what the microphone heard; farEnd: what the speakers played for the
    // same 10 ms (mono). Writes the cleaned signal to `out`. All kBlockSamples.
    virtual void process(std::span<const float> mic, std::span<const float> farEnd, std::span<float> out) = 0;
    // Switches take effect on the next process().
    virtual void setEchoCancel(bool on) = 0;
    virtual void setNoiseSuppress(bool on) = 0;
    virtual void setAutoGain(bool on) = 0;
    [[nodiscard]] virtual const VoiceProcessorConfig& config() const = 0;
};

core::Result<std::unique_ptr<VoiceProcessor>> createSpeexProcessor(const VoiceProcessorConfig& config);
std::unique_ptr<VoiceProcessor> createPassThroughProcessor(const VoiceProcessorConfig& config = {});

} // namespace caseroom::audio
