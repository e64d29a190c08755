// PCM twin of the Opus adapter: lossless 16-bit samples, so tests can compare
// what went in with what came out sample by sample.
#include <algorithm>
#include <cmath>
#include <vector>

#include "audio/codec.h"

namespace caseroom::audio {
namespace {

class PcmEncoder final : public VoiceEncoder {
public:
    explicit PcmEncoder(const EncoderConfig& c) : config_(c) {}
    core::Result<std::size_t> encode(std::span<const float> pcm, std::span<std::uint8_t> out) override {
        if (pcm.size() != frameSamples(config_.frame)) return core::Error{"pcm encode: wrong frame size"};
        if (out.size() < pcm.size() * 2) return core::Error{"pcm encode: output too small"};
        for (std::size_t i = 0; i < pcm.size(); ++i) {
            const float c = std::clamp(pcm[i], -1.0f, 1.0f);
            const auto v = static_cast<std::int16_t>(std::lround(c * 32767.0f));
            const auto u = static_cast<std::uint16_t>(v);
            out[2 * i] = static_cast<std::uint8_t>(u & 0xFF);
            out[2 * i + 1] = static_cast<std::uint8_t>(u >> 8);
        }
        return pcm.size() * 2;
    }
    [[nodiscard]] const EncoderConfig& config() const override { return config_; }
    void setBitrate(std::int32_t) override {}
    void setExpectedLoss(std::int32_t) override {}
    [[nodiscard]] std::uint32_t lookaheadSamples() const override { return 0; }

private:
    EncoderConfig config_;
};

class PcmDecoder final : public VoiceDecoder {
public:
    PcmDecoder() : last_(kMaxFrameSamples, 0.0f) {}
    core::Result<std::size_t> decode(std::span<const std::uint8_t> packet, std::span<float> out) override {
        if (packet.size() % 2 != 0 || packet.size() / 2 > out.size()) return core::Error{"pcm decode: bad packet size"};
        const std::size_t n = packet.size() / 2;
        for (std::size_t i = 0; i < n; ++i) {
            const auto u = static_cast<std::uint16_t>(packet[2 * i] | (packet[2 * i + 1] << 8));
            out[i] = static_cast<float>(static_cast<std::int16_t>(u)) / 32767.0f;
        }
        std::fill(out.begin() + static_cast<std::ptrdiff_t>(n), out.end(), 0.0f);
        remember(out);
        gain_ = 1.0f;
        return n;
    }
    core::Result<std::size_t> decodeFec(std::span<const std::uint8_t>, std::span<float> out) override { return conceal(out); }
    core::Result<std::size_t> conceal(std::span<float> out) override {
        // Repeat the last frame at falling gain: silence after about 60 ms.
        for (std::size_t i = 0; i < out.size(); ++i) {
            gain_ = std::max(0.0f, gain_ - 1.0f / (0.06f * kSampleRate));
            out[i] = last_[i % lastSize_] * gain_;
        }
        return out.size();
    }
    void reset() override { std::fill(last_.begin(), last_.end(), 0.0f); gain_ = 0.0f; }

private:
    void remember(std::span<const float> x) {
        lastSize_ = std::max<std::size_t>(1, std::min(x.size(), last_.size()));
        std::copy_n(x.begin(), lastSize_, last_.begin());
    }
    std::vector<float> last_;
    std::size_t lastSize_ = 1;
    float gain_ = 0.0f;
};

} // namespace

std::unique_ptr<VoiceEncoder> createPcmEncoder(const EncoderConfig& config) { return std::make_unique<PcmEncoder>(config); }
std::unique_ptr<VoiceDecoder> createPcmDecoder() { return std::make_unique<PcmDecoder>(); }

} // namespace caseroom::audio
