// The voice frame's one wire layout and its level scale, shared by the voice
// path (audio::VoicePacket) and the message catalog (net::VoiceFrame), which
// may not include each other. Header-only; includes nothing but the standard
// library, so the server's voice policy (sim) uses it without any codec.
//
// Layout (bit-packed, LSB-first; 52 header bits padded to 7 bytes, then the
// codec bytes):
//   speaker      16 bits   the speaker's entity slot in the room
//   sequence     16 bits   per-speaker frame counter, wraps; advances by one per
//                          codec frame, also across frames not sent (DTX)
//   level         8 bits   speech level of the frame (levelByteFromDb)
//   frame         1 bit    0: 10 ms, 1: 20 ms codec frame
//   talkStart     1 bit    first frame after frames that were not sent (DTX
//                          or mute): the gap before it was silence, not loss
//   size         10 bits   codec bytes that follow, 1..maxBytes
//   (align to a byte)
//   bytes        size bytes
//
// `S` follows the stream contract of engine/net/stream.h: S::kReading,
// serializeBits(uint32_t&, int), serializeBytes(uint8_t*, size_t), align(),
// each false on a bad read or write. A size of 0 or above `maxBytes` (at
// most 1023) is refused both ways; `bytes` must hold `maxBytes`.
#pragma once
#include <cstdint>

namespace caseroom::core {

struct VoiceFrameFields {
    std::uint16_t& speaker;
    std::uint16_t& sequence;
    std::uint8_t& level;
    bool& frame20;
    bool& talkStart;
    std::uint16_t& size;
    std::uint8_t* bytes;
};

template <typename S>
bool serializeVoiceFrame(S& s, VoiceFrameFields f, std::uint32_t maxBytes) {
    std::uint32_t v = f.speaker;
    if (!s.serializeBits(v, 16)) return false;
    if constexpr (S::kReading) f.speaker = static_cast<std::uint16_t>(v);
    v = f.sequence;
    if (!s.serializeBits(v, 16)) return false;
    if constexpr (S::kReading) f.sequence = static_cast<std::uint16_t>(v);
    v = f.level;
    if (!s.serializeBits(v, 8)) return false;
    if constexpr (S::kReading) f.level = static_cast<std::uint8_t>(v);
    v = f.frame20 ? 1u : 0u;
    if (!s.serializeBits(v, 1)) return false;
    if constexpr (S::kReading) f.frame20 = v != 0;
    v = f.talkStart ? 1u : 0u;
    if (!s.serializeBits(v, 1)) return false;
    if constexpr (S::kReading) f.talkStart = v != 0;
    v = f.size;
    if (!S::kReading && (f.size == 0 || f.size > maxBytes)) return false;
    if (!s.serializeBits(v, 10)) return false;
    if constexpr (S::kReading) {
        if (v == 0 || v > maxBytes) return false;
        f.size = static_cast<std::uint16_t>(v);
    }
    return s.align() && s.serializeBytes(f.bytes, f.size);
}

// ---- Levels -------------------------------------------------------------------
// The level byte is the frame's RMS in dBFS in half-decibel steps:
// 255 = 0 dBFS, 0 = -127.5 dBFS or quieter. The server ranks speakers by it.

inline std::uint8_t levelByteFromDb(float dbfs) {
    const float v = 255.0f + 2.0f * dbfs;
    if (!(v > 0.0f)) return 0;
    if (v >= 255.0f) return 255;
    return static_cast<std::uint8_t>(v + 0.5f);
}
inline float levelByteToDb(std::uint8_t level) { return (static_cast<float>(level) - 255.0f) * 0.5f; }

// The avatar's 0..15 speaking indicator (AvatarPose::voiceLevel): -60 dBFS
// and below is 0, -12 dBFS and above is 15.
inline std::uint8_t avatarLevelFromByte(std::uint8_t level) {
    const float db = levelByteToDb(level);
    const float t = (db + 60.0f) / 48.0f;
    if (!(t > 0.0f)) return 0;
    if (t >= 1.0f) return 15;
    return static_cast<std::uint8_t>(t * 15.0f + 0.5f);
}

} // namespace caseroom::core
