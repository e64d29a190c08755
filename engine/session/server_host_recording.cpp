// ServerHost's recording: routes RecordingIntent to the room's
// RecordingHost (the rules are sim/recording.h's), answers refusals, and
// hands the recorder each tick's replicated room and asks publishers for
// the key frames it waits for. server_host.cpp calls
// these in a few lines; the recorder itself is session/recording_host.h.
#include "session/server_host.h"

namespace caseroom::session {

const RecordingHost* ServerHost::recording(const std::string& code) const {
    for (const auto& r : rooms_)
        if (r->room.spec().code == code) return r->recording.get();
    return nullptr;
}

void ServerHost::handle(Client& c, const net::RecordingIntent& m, std::span<const std::uint8_t>, double now) {
    RoomInstance& r = *c.room;
    const std::uint64_t unix = config_.unixClock ? config_.unixClock() : 0;
    const auto why = r.recording->onIntent(clinicActor(c), m, r.round->phase(), r.room.tick(), unix);
    if (!why) {
        ++counters_.recordingIntents;
        return;
    }
    ++counters_.recordingRefused;
    static constexpr const char* kOps[] = {"start", "stop", "acknowledge"};
    const std::string what = std::string("recording: ") + kOps[static_cast<std::size_t>(m.op) % 3];
    if (*why == net::RefusalReason::NotPermitted)
        audit(c, now, what, std::string("refused: not permitted (") + core::toString(c.role) + ")");
    else if (*why == net::RefusalReason::NoRecorder && !r.recording->stats().error.empty())
        audit(c, now, what, "refused: the recording could not be made: " + r.recording->stats().error);
    send(c.peer, net::IntentRefused{net::IntentKind::Record, *why});
}

void ServerHost::captureRecording(RoomInstance& r, double now) {
    if (!r.recording->recording()) return;
    r.recorded.clear();
    const auto& all = r.room.participants();
    for (std::uint16_t slot = 0; slot < all.size(); ++slot) {
        const sim::Participant& p = all[slot];
        if (!p.active()) continue;
        RecordedSlot s;
        s.slot = slot;
        s.instance = p.instance;
        s.role = p.role;
        s.name = &p.name;
        s.state = r.history.currentState(slot);
        r.recorded.push_back(s);
    }
    r.recording->capture(r.room.tick(), now, r.recorded, r.objects, r.events);
    // Key frames the recorder waits for (a stream's first recorded picture,
    // and one after each keyframe of the file): asked of the publisher as a
    // receiver's request would be.
    for (const net::VideoStreamId& s : r.recording->keyframesWanted(now))
        if (s.publisher < r.peerOfSlot.size() && r.peerOfSlot[s.publisher].valid()) send(r.peerOfSlot[s.publisher], net::KeyframeRequest{s});
}

} // namespace caseroom::session
