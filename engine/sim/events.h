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
#include <string>
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
    // The teaching round. For these `panel` is the item acted on: the agenda
    // entry (PhaseChanged) or the case's index in the plan (board kinds);
    // `value` as noted; `text` only where noted (screened before it is pushed).
    PhaseChanged,          // panel = plan entry, value = sim::Phase (the actor advanced; invalid actor: automatic)
    HandRaised,            // the actor raised their hand
    HandLowered,           // target's hand went down (the actor lowered their own or dismissed it)
    FloorGiven,            // target has the floor (the actor called them; value 1: CallNext)
    FloorEnded,            // target's floor ended (the actor released it; invalid: they left)
    Muted,                 // target muted by the actor
    Unmuted,               // target unmuted by the actor (or by themselves, self-unmute)
    MutedAll,              // all but the hub muted, value = 1 when self-unmute is allowed
    UnmutedAll,
    RoomLocked,
    RoomUnlocked,
    ParticipantRemoved,    // target removed by the actor, text = the reason
    BroughtToChair,        // target now in the presenter's chair
    FacilitationHanded,    // target runs the session now; value 1: automatically (the facilitator did not return)
    CoFacilitatorNamed,    // target
    RecommendationPosted,  // panel = case, value = entry id, text
    RecommendationEdited,  // panel = case, value = entry id, text (the new text)
    RecommendationWithdrawn, // panel = case, value = entry id
    SummaryWritten,        // panel = case, value = entry id, text (the consensus)
    ChatSaid,              // value = line seq, text
    QuestionAsked,         // value = line seq, text
    QuestionAnswered,      // value = line seq (the actor took it; or withdrew their own)
    TextHeld,              // the PHI screen held the actor's text, value = bit mask of clinic::PhiKind found; never the text
    // Recording (sim/recording.h).
    RecordingStarted,      // the actor started recording, value = sim::RecordingPolicy
    RecordingPaused,       // value = sim::Phase; actor invalid: the policy paused it for the phase
    RecordingResumed,      // value = sim::Phase
    RecordingStopped,      // the actor stopped it (invalid: the room emptied or the server stopped)
    RecordingAcknowledged, // the actor acknowledged the recording, value = epoch
    // Live video (session/video_host.h): panel = the stream id (net::VideoStreamId::packed).
    VideoStarted,          // the actor started publishing, value = net::VideoKind
    VideoStopped,          // the actor's stream ended, value = net::VideoKind (they stopped it, or left)
    Count
};
const char* toString(RoomEventKind k);
// Kinds the host writes to the audit trail from the stream (who drove what:
// control and decks; every moderation; the board's edits and summaries; a
// text the PHI screen held, by kind, never its text; recording started,
// stopped and acknowledged). Joins, leaves and refusals are audited where they
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
    std::string text;             // the kinds that say so (chat, recommendations, a removal's reason)
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
    case RoomEventKind::PhaseChanged: return "phase changed";
    case RoomEventKind::HandRaised: return "hand raised";
    case RoomEventKind::HandLowered: return "hand lowered";
    case RoomEventKind::FloorGiven: return "floor given";
    case RoomEventKind::FloorEnded: return "floor ended";
    case RoomEventKind::Muted: return "muted";
    case RoomEventKind::Unmuted: return "unmuted";
    case RoomEventKind::MutedAll: return "muted all but the hub";
    case RoomEventKind::UnmutedAll: return "unmuted all";
    case RoomEventKind::RoomLocked: return "room locked";
    case RoomEventKind::RoomUnlocked: return "room unlocked";
    case RoomEventKind::ParticipantRemoved: return "participant removed";
    case RoomEventKind::BroughtToChair: return "brought to the presenter's chair";
    case RoomEventKind::FacilitationHanded: return "facilitation handed";
    case RoomEventKind::CoFacilitatorNamed: return "co-facilitator named";
    case RoomEventKind::RecommendationPosted: return "recommendation posted";
    case RoomEventKind::RecommendationEdited: return "recommendation edited";
    case RoomEventKind::RecommendationWithdrawn: return "recommendation withdrawn";
    case RoomEventKind::SummaryWritten: return "summary written";
    case RoomEventKind::ChatSaid: return "chat";
    case RoomEventKind::QuestionAsked: return "question asked";
    case RoomEventKind::QuestionAnswered: return "question answered";
    case RoomEventKind::TextHeld: return "text held by the PHI screen";
    case RoomEventKind::RecordingStarted: return "recording started";
    case RoomEventKind::RecordingPaused: return "recording paused";
    case RoomEventKind::RecordingResumed: return "recording resumed";
    case RoomEventKind::RecordingStopped: return "recording stopped";
    case RoomEventKind::RecordingAcknowledged: return "recording acknowledged";
    case RoomEventKind::VideoStarted: return "video started";
    case RoomEventKind::VideoStopped: return "video stopped";
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
    case RoomEventKind::ControlReturned:
    // Moderation and the board's edits: who did what to whom.
    case RoomEventKind::PhaseChanged:
    case RoomEventKind::FloorGiven:
    case RoomEventKind::Muted:
    case RoomEventKind::Unmuted:
    case RoomEventKind::MutedAll:
    case RoomEventKind::UnmutedAll:
    case RoomEventKind::RoomLocked:
    case RoomEventKind::RoomUnlocked:
    case RoomEventKind::ParticipantRemoved:
    case RoomEventKind::BroughtToChair:
    case RoomEventKind::FacilitationHanded:
    case RoomEventKind::CoFacilitatorNamed:
    case RoomEventKind::RecommendationEdited:
    case RoomEventKind::RecommendationWithdrawn:
    case RoomEventKind::SummaryWritten:
    case RoomEventKind::TextHeld:
    // Recording: who started and stopped it, and each acknowledgement (consent).
    case RoomEventKind::RecordingStarted:
    case RoomEventKind::RecordingStopped:
    case RoomEventKind::RecordingAcknowledged:
    // Video: who showed their face or shared a screen (a screen may show patient data), and when it ended.
    case RoomEventKind::VideoStarted:
    case RoomEventKind::VideoStopped: return true;
    default: return false;
    }
}

} // namespace caseroom::sim
