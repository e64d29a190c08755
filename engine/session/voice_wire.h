// Conversions between the voice path's packet (audio::VoicePacket) and the
// catalog's message (net::VoiceFrame). The two share one wire layout (see
// net/messages.h VoiceFrame); audio and net may not include each other, so
// session, which sees both, converts. A packet whose codec bytes exceed
// net::kMaxVoiceBytes has no wire form (toWire returns false).
#pragma once
#include <algorithm>

#include "audio/voice_packet.h"
#include "net/messages.h"

namespace caseroom::session {

// `speaker` overrides the packet's own: the session, not the codec, knows the
// entity slot the server gave us.
[[nodiscard]] inline bool toWire(const audio::VoicePacket& p, std::uint16_t speaker, net::VoiceFrame& out) {
    if (p.size == 0 || p.size > net::kMaxVoiceBytes) return false;
    out.speaker = speaker;
    out.sequence = p.sequence;
    out.level = p.level;
    out.frame20 = p.frame == audio::FrameDuration::Ms20;
    out.talkStart = p.talkStart;
    out.size = p.size;
    std::copy_n(p.bytes.begin(), p.size, out.bytes.begin());
    return true;
}

inline void fromWire(const net::VoiceFrame& f, audio::VoicePacket& out) {
    static_assert(net::kMaxVoiceBytes <= audio::kMaxCodecBytes);
    out.speaker = f.speaker;
    out.sequence = f.sequence;
    out.level = f.level;
    out.frame = f.frame20 ? audio::FrameDuration::Ms20 : audio::FrameDuration::Ms10;
    out.talkStart = f.talkStart;
    out.size = f.size;
    std::copy_n(f.bytes.begin(), f.size, out.bytes.begin());
}

} // namespace caseroom::session
