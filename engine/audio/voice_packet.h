// One voice packet: a codec frame from one speaker, plus what the server needs
// to route and rank it without decoding (speaker, sequence, level).
// The wire layout and the level scale are core/voice_frame.h's, the one
// layout net::VoiceFrame also uses (session/voice_wire.h copies between the
// two; the catalog's frame carries at most net::kMaxVoiceBytes codec bytes).
// A malformed packet (size 0 or above kMaxCodecBytes, truncated bytes) reads
// as false. The struct holds its bytes inline: no allocation per packet.
#pragma once
#include <array>
#include <cmath>
#include <cstdint>
#include <span>

#include "audio/audio_format.h"
#include "core/voice_frame.h"

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
        bool frame20 = frame == FrameDuration::Ms20;
        if (!core::serializeVoiceFrame(s, {speaker, sequence, level, frame20, talkStart, size, bytes.data()}, kMaxCodecBytes))
            return false;
        if constexpr (S::kReading) frame = frame20 ? FrameDuration::Ms20 : FrameDuration::Ms10;
        return true;
    }
};

// ---- Levels ---------------------------------------------------------------
// The scale is core/voice_frame.h's; these names keep the audio code short.
using core::avatarLevelFromByte;
using core::levelByteFromDb;
using core::levelByteToDb;

// RMS of a buffer, linear.
inline float rmsOf(std::span<const float> x) {
    double acc = 0.0;
    for (float s : x) acc += static_cast<double>(s) * s;
    return x.empty() ? 0.0f : static_cast<float>(std::sqrt(acc / static_cast<double>(x.size())));
}
inline float linearToDb(float v) { return v > 1e-7f ? 20.0f * std::log10(v) : -140.0f; }
inline std::uint8_t levelByteFromRms(float rms) { return levelByteFromDb(linearToDb(rms)); }

} // namespace caseroom::audio
