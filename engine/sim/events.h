// The room's one event stream: what happened, per tick, as small typed
// records. Room systems (panels now; the agenda, floor, board, chat and
// recording later) and the host (joins, leaves, refusals, session
// extensions) push events as they happen; the host drains the stream once
// per tick and hands the events to its readers: the audit trail for the
// auditable kinds, and every session::RoomEventReader (attendance, the
// session clock; later the recorder and exports).
// Pure data: no I/O, no clock (the tick is the room's).
// Thread rule: the room's thread.
#pragma once
#include <cstdint>
#include <vector>

#include "core/content_hash.h"
#include "core/ids.h"

namespace caseroom::sim {

// Kinds are appended only (recordings will store them).
enum class RoomEventKind : std::uint8_t {
    DeckShown,         // panel, deck (empty: the panel went back to its idle card)
    SlideChanged,      // panel, value = slide
    ControlRequested,  // panel (the actor asked)
    RequestWithdrawn,  // panel, target = whose request (the actor withdrew or dismissed it)
    ControlGranted,    // panel, target = the new holder (handed by the actor)
    ControlTaken,      // panel, target = the previous holder (invalid: nobody)
    ControlReleased,   // panel, target = the previous holder (the actor released it, theirs or another's)
    ControlReturned,   // panel, target = the previous holder, who left the room: nobody holds it now
    Joined,            // the actor joined the room (admitted to a slot)
    Left,              // the actor left, value = net::LeaveReason
    JoinRefused,       // a join to this room was refused (actor invalid: no slot), value = net::JoinRefusal
    SessionExtended,   // the actor (ExtendSession permitted) moved the session's end, value = minutes
    Count
};
const char* toString(RoomEventKind k);
// Kinds the host writes to the audit trail from the stream (who drove what:
// control and decks). Joins, leaves and refusals are audited where they
// happen, with the address and token; extensions by the job that makes them.
[[nodiscard]] bool audited(RoomEventKind k);

struct RoomEvent {
    std::uint32_t tick = 0;
    core::EntityId actor;         // who did it (invalid: the room itself)
    RoomEventKind kind = RoomEventKind::DeckShown;
    std::uint16_t panel = 0;      // the object acted on (panel index)
    core::EntityId target;        // the other person involved, if any
    std::uint32_t value = 0;      // slide, ...
    core::ContentHash deck;       // DeckShown
    friend bool operator==(const RoomEvent&, const RoomEvent&) = default;
};

// Events of the current tick, in the order they happened. Bounded: past
// kMaxEventsPerTick events a tick, the rest are counted, not kept (intents
// are rate-limited upstream; this only guards memory). Joins, leaves and
// refused joins are never dropped: attendance and the audit trail depend on
// each one, and they are bounded by the connections anyway.
class EventStream {
public:
    static constexpr std::size_t kMaxEventsPerTick = 1024;
    // Kinds kept past the cap.
    [[nodiscard]] static constexpr bool uncapped(RoomEventKind k) {
        return k == RoomEventKind::Joined || k == RoomEventKind::Left || k == RoomEventKind::JoinRefused;
    }
    // Whether push(e) would keep `e` now.
    [[nodiscard]] bool accepts(const RoomEvent& e) const { return uncapped(e.kind) || events_.size() < kMaxEventsPerTick; }
    void push(const RoomEvent& e) {
        if (accepts(e)) events_.push_back(e);
        else ++dropped_;
    }
    // Moves the pending events into `out` (cleared first); the stream is empty after.
    void drain(std::vector<RoomEvent>& out) {
        out.clear();
        out.swap(events_);
    }
    [[nodiscard]] const std::vector<RoomEvent>& pending() const { return events_; }
    [[nodiscard]] std::uint64_t dropped() const { return dropped_; }

private:
    std::vector<RoomEvent> events_;
    std::uint64_t dropped_ = 0;
};

inline const char* toString(RoomEventKind k) {
    switch (k) {
    case RoomEventKind::DeckShown: return "deck shown";
    case RoomEventKind::SlideChanged: return "slide changed";
    case RoomEventKind::ControlRequested: return "control requested";
    case RoomEventKind::RequestWithdrawn: return "request withdrawn";
    case RoomEventKind::ControlGranted: return "control granted";
    case RoomEventKind::ControlTaken: return "control taken";
    case RoomEventKind::ControlReleased: return "control released";
    case RoomEventKind::ControlReturned: return "control returned";
    case RoomEventKind::Joined: return "joined";
    case RoomEventKind::Left: return "left";
    case RoomEventKind::JoinRefused: return "join refused";
    case RoomEventKind::SessionExtended: return "session extended";
    case RoomEventKind::Count: break;
    }
    return "?";
}

inline bool audited(RoomEventKind k) {
    switch (k) {
    case RoomEventKind::DeckShown:
    case RoomEventKind::ControlGranted:
    case RoomEventKind::ControlTaken:
    case RoomEventKind::ControlReleased:
    case RoomEventKind::ControlReturned: return true;
    default: return false;
    }
}

} // namespace caseroom::sim
