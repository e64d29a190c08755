// speexdsp adapter: the only file that includes speex headers.
// The echo canceller (MDF) removes the linear echo; the preprocessor then
// suppresses residual echo and noise and applies AGC. speexdsp's API is
// 16-bit; conversion happens here.
#include <speex/speex_echo.h>
#include <speex/speex_preprocess.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "audio/voice_processor.h"

namespace caseroom::audio {
namespace {

void toInt16(std::span<const float> in, spx_int16_t* out) {
    for (std::size_t i = 0; i < in.size(); ++i)
        out[i] = static_cast<spx_int16_t>(std::lround(std::clamp(in[i], -1.0f, 1.0f) * 32767.0f));
}

class SpeexProcessor final : public VoiceProcessor {
public:
    SpeexProcessor(const VoiceProcessorConfig& config, SpeexEchoState* echo, SpeexPreprocessState* pre)
        : config_(config), echo_(echo), pre_(pre) {
        int rate = static_cast<int>(kSampleRate);
        speex_echo_ctl(echo_, SPEEX_ECHO_SET_SAMPLING_RATE, &rate);
        int v = config_.noiseSuppressDb;
        speex_preprocess_ctl(pre_, SPEEX_PREPROCESS_SET_NOISE_SUPPRESS, &v);
        v = config_.echoSuppressDb;
        speex_preprocess_ctl(pre_, SPEEX_PREPROCESS_SET_ECHO_SUPPRESS, &v);
        v = config_.echoSuppressActiveDb;
        speex_preprocess_ctl(pre_, SPEEX_PREPROCESS_SET_ECHO_SUPPRESS_ACTIVE, &v);
        float level = config_.agcLevel;
        speex_preprocess_ctl(pre_, SPEEX_PREPROCESS_SET_AGC_LEVEL, &level);
        apply();
    }
    ~SpeexProcessor() override {
        speex_preprocess_state_destroy(pre_);
        speex_echo_state_destroy(echo_);
    }
    SpeexProcessor(const SpeexProcessor&) = delete;
    SpeexProcessor& operator=(const SpeexProcessor&) = delete;

    void process(std::span<const float> mic, std::span<const float> farEnd, std::span<float> out) override {
        if (dirty_) apply();
        toInt16(mic, mic_.data());
        spx_int16_t* cur = mic_.data();
        if (config_.echoCancel) {
            toInt16(farEnd, far_.data());
            speex_echo_cancellation(echo_, mic_.data(), far_.data(), clean_.data());
            cur = clean_.data();
        }
        if (config_.noiseSuppress || config_.autoGain || config_.echoCancel) speex_preprocess_run(pre_, cur);
        for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<float>(cur[i]) / 32767.0f;
    }
    void setEchoCancel(bool on) override { if (on != config_.echoCancel) { config_.echoCancel = on; dirty_ = true; } }
    void setNoiseSuppress(bool on) override { if (on != config_.noiseSuppress) { config_.noiseSuppress = on; dirty_ = true; } }
    void setAutoGain(bool on) override { if (on != config_.autoGain) { config_.autoGain = on; dirty_ = true; } }
    [[nodiscard]] const VoiceProcessorConfig& config() const override { return config_; }

private:
    void apply() {
        int on = config_.noiseSuppress ? 1 : 0;
        speex_preprocess_ctl(pre_, SPEEX_PREPROCESS_SET_DENOISE, &on);
        on = config_.autoGain ? 1 : 0;
        speex_preprocess_ctl(pre_, SPEEX_PREPROCESS_SET_AGC, &on);
        speex_preprocess_ctl(pre_, SPEEX_PREPROCESS_SET_ECHO_STATE, config_.echoCancel ? echo_ : nullptr);
        if (!config_.echoCancel) speex_echo_state_reset(echo_);
        dirty_ = false;
    }
    VoiceProcessorConfig config_;
    SpeexEchoState* echo_;
    SpeexPreprocessState* pre_;
    bool dirty_ = false;
    std::array<spx_int16_t, kBlockSamples> mic_{};
    std::array<spx_int16_t, kBlockSamples> far_{};
    std::array<spx_int16_t, kBlockSamples> clean_{};
};

class PassThroughProcessor final : public VoiceProcessor {
public:
    explicit PassThroughProcessor(const VoiceProcessorConfig& c) : config_(c) {}
    void process(std::span<const float> mic, std::span<const float>, std::span<float> out) override {
        std::copy(mic.begin(), mic.end(), out.begin());
    }
    void setEchoCancel(bool on) override { config_.echoCancel = on; }
    void setNoiseSuppress(bool on) override { config_.noiseSuppress = on; }
    void setAutoGain(bool on) override { config_.autoGain = on; }
    [[nodiscard]] const VoiceProcessorConfig& config() const override { return config_; }

private:
    VoiceProcessorConfig config_;
};

} // namespace

core::Result<std::unique_ptr<VoiceProcessor>> createSpeexProcessor(const VoiceProcessorConfig& config) {
    const int tail = static_cast<int>(config.echoTailMs * kSampleRate / 1000);
    SpeexEchoState* echo = speex_echo_state_init(static_cast<int>(kBlockSamples), tail);
    if (!echo) return core::Error{"speex_echo_state_init failed"};
    SpeexPreprocessState* pre = speex_preprocess_state_init(static_cast<int>(kBlockSamples), static_cast<int>(kSampleRate));
    if (!pre) {
        speex_echo_state_destroy(echo);
        return core::Error{"speex_preprocess_state_init failed"};
    }
    return std::unique_ptr<VoiceProcessor>(new SpeexProcessor(config, echo, pre));
}

std::unique_ptr<VoiceProcessor> createPassThroughProcessor(const VoiceProcessorConfig& config) {
    return std::make_unique<PassThroughProcessor>(config);
}

} // namespace caseroom::audio
