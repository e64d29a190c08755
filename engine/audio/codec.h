// Voice codec seam. The real codec is Opus (opus_codec.cpp); the twin is raw
// 16-bit PCM (pcm_codec.cpp) for tests that must compare samples exactly.
// 48 kHz mono, one frame (10 or 20 ms) per packet.
// Thread rule: an encoder or decoder is used from one thread at a time; none
// of these run in the audio callback.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "audio/audio_format.h"
#include "core/result.h"

namespace caseroom::audio {

struct EncoderConfig {
    FrameDuration frame = FrameDuration::Ms20;
    std::int32_t bitrate = 24000;       // bits per second
    bool fec = true;                     // Opus in-band FEC (LBRR)
    bool dtx = true;                     // discontinuous transmission in silence
    // Constant size while talking, so encrypted speech does not leak words
    // by packet size (audit F-09; RFC 6562): Opus CBR, every packet that
    // carries sound is exactly constantPacketBytes(config) long. DTX frames
    // (2 bytes or less) stay short and are not sent. False: VBR.
    bool constantSize = true;
    std::int32_t expectedLossPercent = 10; // tunes how much FEC Opus spends
    std::int32_t complexity = 5;         // 0..10
};

// The size of every sounding packet with constantSize: bitrate x frame
// length (24 kbit/s, 20 ms: 60 bytes).
[[nodiscard]] inline std::size_t constantPacketBytes(const EncoderConfig& config) {
    return static_cast<std::size_t>(config.bitrate) * frameSamples(config.frame) / (8u * kSampleRate);
}

class VoiceEncoder {
public:
    virtual ~VoiceEncoder() = default;
    // Encodes exactly frameSamples(config.frame) samples into `out`; returns
    // the packet size in bytes. With DTX, a size of 2 or less means "silence,
    // no need to send". With constantSize (Opus), any larger packet is
    // exactly constantPacketBytes(config) long.
    virtual core::Result<std::size_t> encode(std::span<const float> pcm, std::span<std::uint8_t> out) = 0;
    [[nodiscard]] virtual const EncoderConfig& config() const = 0;
    // Changes the bitrate (bits per second) for the next frames.
    virtual void setBitrate(std::int32_t bitsPerSecond) = 0;
    // How much loss to protect against with in-band FEC (0..100 %; ignored without fec).
    virtual void setExpectedLoss(std::int32_t percent) = 0;
    // Algorithmic delay the codec adds beyond the frame, in samples (Opus: 312 = 6.5 ms).
    [[nodiscard]] virtual std::uint32_t lookaheadSamples() const = 0;
};

class VoiceDecoder {
public:
    virtual ~VoiceDecoder() = default;
    // Decodes one packet into `out` (out.size() = the frame's samples);
    // returns samples written. Untrusted bytes: a malformed packet is an error.
    virtual core::Result<std::size_t> decode(std::span<const std::uint8_t> packet, std::span<float> out) = 0;
    // Rebuilds the frame BEFORE `nextPacket` from its in-band FEC data; where
    // the packet carries none, this is concealment. out.size() = lost frame.
    virtual core::Result<std::size_t> decodeFec(std::span<const std::uint8_t> nextPacket, std::span<float> out) = 0;
    // Packet loss concealment for one missing frame of out.size() samples.
    virtual core::Result<std::size_t> conceal(std::span<float> out) = 0;
    // Forgets history (after a long silence, so old state does not leak in).
    virtual void reset() = 0;
};

// Opus adapter (opus_codec.cpp). 48 kHz mono, OPUS_APPLICATION_VOIP.
core::Result<std::unique_ptr<VoiceEncoder>> createOpusEncoder(const EncoderConfig& config);
core::Result<std::unique_ptr<VoiceDecoder>> createOpusDecoder();

// PCM twin (pcm_codec.cpp): 16-bit little-endian samples, no FEC (decodeFec
// conceals), concealment repeats the last frame fading out. A 20 ms PCM frame
// (1920 bytes) exceeds kMaxCodecBytes: put PCM in VoicePackets at 10 ms only.
std::unique_ptr<VoiceEncoder> createPcmEncoder(const EncoderConfig& config);
std::unique_ptr<VoiceDecoder> createPcmDecoder();

} // namespace caseroom::audio
