// The room's voice rules the server applies before routing (sim owns them;
// the server host only calls them):
//   - who is heard room-wide: the hub team (facilitator, specialists); the
//     presenter joins them once the clinic agenda has a presenting state;
//   - what a voice frame must be to be forwarded: well-framed Opus whose
//     duration matches the frame's declared 10 or 20 ms (sim/opus_packet.h);
//   - how far the self-declared level is believed (audit F-14): the level
//     drives routing and the "speaking" indicator, so the server bounds it.
//     A frame whose coded bytes are empty (DTX) is silent; no level is above
//     kVoiceLevelCeiling; a level rises at most kVoiceLevelRiseDbPer20Ms per
//     20 ms of audio above the previous frame's accepted level, from
//     kVoiceLevelStartDb at the start of a talkspurt. Falling is free.
//     This bounds a liar (a spoke claiming 255 all the time sits at the
//     ceiling, like a loud talker) but cannot prove a level without decoding.
// Pure functions; time is an input.
#pragma once
#include <cstdint>
#include <optional>
#include <span>

#include "core/role.h"
#include "core/voice_frame.h"
#include "sim/opus_packet.h"

namespace caseroom::sim {

// True when `role`'s voice reaches every listener (VoiceRouter room-wide).
[[nodiscard]] bool heardRoomWide(core::Role role);

constexpr float kVoiceLevelCeilingDb = -10.0f;      // loudest level the server believes
constexpr float kVoiceLevelStartDb = -30.0f;        // where a talkspurt's level may start
constexpr float kVoiceLevelRiseDbPer20Ms = 3.0f;    // fastest believed rise
constexpr double kVoiceTalkspurtGapSec = 0.4;       // silence that ends a talkspurt (VoiceRouter holdSec)

enum class VoiceFrameError : std::uint8_t { BadOpus, WrongDuration, Count };
const char* toString(VoiceFrameError e);

struct VoiceFrameCheck {
    std::optional<VoiceFrameError> error;
    std::optional<OpusPacketError> opus;   // the framing fault, for BadOpus
    OpusPacketInfo info;
};
// Checks a frame's codec bytes against its declared duration (20 or 10 ms).
[[nodiscard]] VoiceFrameCheck checkVoiceFrame(std::span<const std::uint8_t> codecBytes, bool frame20);

// Per speaker: the last accepted level and when.
struct VoiceLevelGuard {
    float lastDb = -127.5f;
    double lastAt = -1e9;
};
// The level byte the server uses for a checked frame claiming `claimed`.
[[nodiscard]] std::uint8_t acceptVoiceLevel(VoiceLevelGuard& guard, std::uint8_t claimed, const OpusPacketInfo& info, double now);

} // namespace caseroom::sim
