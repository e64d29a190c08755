#include "sim/voice_policy.h"

#include <algorithm>

namespace caseroom::sim {

bool heardRoomWide(core::Role role) { return role == core::Role::Facilitator || role == core::Role::Specialist; }

const char* toString(VoiceFrameError e) {
    switch (e) {
    case VoiceFrameError::BadOpus: return "malformed Opus packet";
    case VoiceFrameError::WrongDuration: return "Opus packet duration differs from the frame's";
    case VoiceFrameError::Count: break;
    }
    return "?";
}

VoiceFrameCheck checkVoiceFrame(std::span<const std::uint8_t> codecBytes, bool frame20) {
    VoiceFrameCheck c;
    const OpusParse p = parseOpusPacket(codecBytes);
    c.info = p.info;
    if (p.error) {
        c.error = VoiceFrameError::BadOpus;
        c.opus = p.error;
    } else if (p.info.durationUs != (frame20 ? 20000u : 10000u)) {
        c.error = VoiceFrameError::WrongDuration;
    }
    return c;
}

std::uint8_t acceptVoiceLevel(VoiceLevelGuard& guard, std::uint8_t claimed, const OpusPacketInfo& info, double now) {
    float db = core::levelByteToDb(claimed);
    if (info.codedBytes == 0) db = -127.5f; // only empty frames: nothing was said
    db = std::min(db, kVoiceLevelCeilingDb);
    const bool fresh = now - guard.lastAt > kVoiceTalkspurtGapSec;
    const float from = fresh ? kVoiceLevelStartDb : std::max(guard.lastDb, kVoiceLevelStartDb);
    const float rise = kVoiceLevelRiseDbPer20Ms * static_cast<float>(info.durationUs) / 20000.0f;
    db = std::min(db, from + rise);
    guard.lastDb = db;
    guard.lastAt = now;
    return core::levelByteFromDb(db);
}

} // namespace caseroom::sim
