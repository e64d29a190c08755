// One voice packet: a codec frame from one speaker, plus what the server needs
// to route and rank it without decoding (speaker, sequence, level).
//
// Wire layout (bit-packed, LSB-first; 52 header bits padded to 7 bytes, then
// the codec bytes):
//   speaker      16 bits   the speaker's entity slot in the room (EntityId value)
//   sequence     16 bits   per-speaker frame counter, wraps; advances by one per
//                          codec frame, also across frames not sent (DTX)
//   level         8 bits   speech level of the frame, see levelByteFromRms()
//   frame         1 bit    FrameDuration (0: 10 ms, 1: 20 ms)
//   talkStart     1 bit    first frame after frames that were not sent (DTX
//                          or mute): the gap before it was silence, not loss
//   size         10 bits   codec bytes that follow, 1..kMaxCodecBytes
//   (align to a byte)
//   bytes        size bytes
//
// `serialize` follows the stream contract of engine/net/stream.h (a stream
// type S with S::kReading, serializeBits(uint32_t&, int), serializeBytes(
// uint8_t*, size_t) and align(), each returning false on a bad read or
// write) without including net: audio stays independent of the wire layer.
// A malformed packet (size 0 or above the maximum, truncated bytes) reads as
// false. The struct holds its bytes inline: no allocation per packet.
// On the wire the catalog's net::VoiceFrame carries exactly this layout (with
// at most net::kMaxVoiceBytes = 400 codec bytes); session/voice_wire.h
// converts, and tests/integration/test_voice.cpp pins the two together.
#pragma once
#include <array>
#include <cmath>
#include <cstdint>
#include <span>

#include "audio/audio_format.h"

namespace caseroom::audio {

constexpr std::uint32_t kMaxCodecBytes = 1000; // 20 ms at up to 400 kbit/s; 24 kbit/s needs ~60

struct VoicePacket {
    std::uint16_t speaker = 0;
    std::uint16_t sequence = 0;
    std::uint8_t level = 0;
    FrameDuration frame = FrameDuration::Ms20;
    bool talkStart = false;
    std::uint16_t size = 0;                          // valid bytes in `bytes`
    std::array<std::uint8_t, kMaxCodecBytes> bytes{}; // codec payload

    [[nodiscard]] std::span<const std::uint8_t> payload() const { return {bytes.data(), size}; }

    template <typename S>
    bool serialize(S& s) {
        std::uint32_t v = speaker;
        if (!s.serializeBits(v, 16)) return false;
        if constexpr (S::kReading) speaker = static_cast<std::uint16_t>(v);
        v = sequence;
        if (!s.serializeBits(v, 16)) return false;
        if constexpr (S::kReading) sequence = static_cast<std::uint16_t>(v);
        v = level;
        if (!s.serializeBits(v, 8)) return false;
        if constexpr (S::kReading) level = static_cast<std::uint8_t>(v);
        v = frame == FrameDuration::Ms20 ? 1u : 0u;
        if (!s.serializeBits(v, 1)) return false;
        if constexpr (S::kReading) frame = v ? FrameDuration::Ms20 : FrameDuration::Ms10;
        v = talkStart ? 1u : 0u;
        if (!s.serializeBits(v, 1)) return false;
        if constexpr (S::kReading) talkStart = v != 0;
        v = size;
        if (!S::kReading && (size == 0 || size > kMaxCodecBytes)) return false;
        if (!s.serializeBits(v, 10)) return false;
        if constexpr (S::kReading) {
            if (v == 0 || v > kMaxCodecBytes) return false;
            size = static_cast<std::uint16_t>(v);
        }
        if (!s.align()) return false;
        return s.serializeBytes(bytes.data(), size);
    }
};

// ---- Levels ---------------------------------------------------------------
// The level byte is the frame's RMS in dBFS in half-decibel steps:
// 255 = 0 dBFS, 0 = -127.5 dBFS or quieter. Servers rank speakers by it.

inline std::uint8_t levelByteFromDb(float dbfs) {
    const float v = 255.0f + 2.0f * dbfs;
    if (!(v > 0.0f)) return 0;
    if (v >= 255.0f) return 255;
    return static_cast<std::uint8_t>(v + 0.5f);
}
inline float levelByteToDb(std::uint8_t level) { return (static_cast<float>(level) - 255.0f) * 0.5f; }

// RMS of a buffer, linear.
inline float rmsOf(std::span<const float> x) {
    double acc = 0.0;
    for (float s : x) acc += static_cast<double>(s) * s;
    return x.empty() ? 0.0f : static_cast<float>(std::sqrt(acc / static_cast<double>(x.size())));
}
inline float linearToDb(float v) { return v > 1e-7f ? 20.0f * std::log10(v) : -140.0f; }
inline std::uint8_t levelByteFromRms(float rms) { return levelByteFromDb(linearToDb(rms)); }

// The avatar's 0..15 speaking indicator (AvatarPose::voiceLevel): -60 dBFS
// and below is 0, -12 dBFS and above is 15.
inline std::uint8_t avatarLevelFromByte(std::uint8_t level) {
    const float db = levelByteToDb(level);
    const float t = (db + 60.0f) / 48.0f;
    if (!(t > 0.0f)) return 0;
    if (t >= 1.0f) return 15;
    return static_cast<std::uint8_t>(t * 15.0f + 0.5f);
}

} // namespace caseroom::audio
