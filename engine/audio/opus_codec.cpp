// Opus adapter: the only file that includes <opus.h>.
#include <opus.h>

#include <string>

#include "audio/codec.h"

namespace caseroom::audio {
namespace {

core::Error opusError(const char* what, int code) { return core::Error{std::string(what) + ": " + opus_strerror(code)}; }

class OpusVoiceEncoder final : public VoiceEncoder {
public:
    OpusVoiceEncoder(OpusEncoder* enc, const EncoderConfig& config) : enc_(enc), config_(config) {}
    ~OpusVoiceEncoder() override { opus_encoder_destroy(enc_); }
    OpusVoiceEncoder(const OpusVoiceEncoder&) = delete;
    OpusVoiceEncoder& operator=(const OpusVoiceEncoder&) = delete;

    core::Result<std::size_t> encode(std::span<const float> pcm, std::span<std::uint8_t> out) override {
        const auto n = static_cast<int>(frameSamples(config_.frame));
        if (pcm.size() != static_cast<std::size_t>(n)) return core::Error{"opus encode: wrong frame size"};
        const int bytes = opus_encode_float(enc_, pcm.data(), n, out.data(), static_cast<opus_int32>(out.size()));
        if (bytes < 0) return opusError("opus encode", bytes);
        return static_cast<std::size_t>(bytes);
    }
    [[nodiscard]] const EncoderConfig& config() const override { return config_; }
    [[nodiscard]] std::uint32_t lookaheadSamples() const override {
        opus_int32 v = 0;
        opus_encoder_ctl(enc_, OPUS_GET_LOOKAHEAD(&v));
        return v > 0 ? static_cast<std::uint32_t>(v) : 0u;
    }
    void setBitrate(std::int32_t bitsPerSecond) override {
        config_.bitrate = bitsPerSecond;
        opus_encoder_ctl(enc_, OPUS_SET_BITRATE(bitsPerSecond));
    }
    void setExpectedLoss(std::int32_t percent) override {
        config_.expectedLossPercent = percent;
        if (config_.fec) opus_encoder_ctl(enc_, OPUS_SET_PACKET_LOSS_PERC(percent));
    }

private:
    OpusEncoder* enc_;
    EncoderConfig config_;
};

class OpusVoiceDecoder final : public VoiceDecoder {
public:
    explicit OpusVoiceDecoder(OpusDecoder* dec) : dec_(dec) {}
    ~OpusVoiceDecoder() override { opus_decoder_destroy(dec_); }
    OpusVoiceDecoder(const OpusVoiceDecoder&) = delete;
    OpusVoiceDecoder& operator=(const OpusVoiceDecoder&) = delete;

    core::Result<std::size_t> decode(std::span<const std::uint8_t> packet, std::span<float> out) override {
        return run(packet, out, 0);
    }
    core::Result<std::size_t> decodeFec(std::span<const std::uint8_t> nextPacket, std::span<float> out) override {
        return run(nextPacket, out, 1);
    }
    core::Result<std::size_t> conceal(std::span<float> out) override { return run({}, out, 0); }
    void reset() override { opus_decoder_ctl(dec_, OPUS_RESET_STATE); }

private:
    core::Result<std::size_t> run(std::span<const std::uint8_t> packet, std::span<float> out, int fec) {
        if (packet.size() > 0x7FFF) return core::Error{"opus decode: packet too large"};
        const int n = opus_decode_float(dec_, packet.empty() ? nullptr : packet.data(),
                                        static_cast<opus_int32>(packet.size()), out.data(),
                                        static_cast<int>(out.size()), fec);
        if (n < 0) return opusError("opus decode", n);
        // A packet shorter than `out` (a 10 ms packet in a 20 ms slot) leaves a tail.
        for (std::size_t i = static_cast<std::size_t>(n); i < out.size(); ++i) out[i] = 0.0f;
        return static_cast<std::size_t>(n);
    }
    OpusDecoder* dec_;
};

} // namespace

core::Result<std::unique_ptr<VoiceEncoder>> createOpusEncoder(const EncoderConfig& config) {
    int err = OPUS_OK;
    OpusEncoder* enc = opus_encoder_create(static_cast<opus_int32>(kSampleRate), 1, OPUS_APPLICATION_VOIP, &err);
    if (err != OPUS_OK || !enc) return opusError("opus_encoder_create", err);
    opus_encoder_ctl(enc, OPUS_SET_BITRATE(config.bitrate));
    opus_encoder_ctl(enc, OPUS_SET_VBR(config.constantSize ? 0 : 1)); // F-09: CBR, one packet size while talking
    opus_encoder_ctl(enc, OPUS_SET_INBAND_FEC(config.fec ? 1 : 0));
    opus_encoder_ctl(enc, OPUS_SET_PACKET_LOSS_PERC(config.fec ? config.expectedLossPercent : 0));
    opus_encoder_ctl(enc, OPUS_SET_DTX(config.dtx ? 1 : 0));
    opus_encoder_ctl(enc, OPUS_SET_COMPLEXITY(config.complexity));
    opus_encoder_ctl(enc, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE));
    return std::unique_ptr<VoiceEncoder>(new OpusVoiceEncoder(enc, config));
}

core::Result<std::unique_ptr<VoiceDecoder>> createOpusDecoder() {
    int err = OPUS_OK;
    OpusDecoder* dec = opus_decoder_create(static_cast<opus_int32>(kSampleRate), 1, &err);
    if (err != OPUS_OK || !dec) return opusError("opus_decoder_create", err);
    return std::unique_ptr<VoiceDecoder>(new OpusVoiceDecoder(dec));
}

} // namespace caseroom::audio
