// The teaching round's notices and printout lines, as pure logic: from what
// the clinic view said before and says now (for one participant), the
// notices that person should see ("you have the floor", "you are muted
// (didactic: raise your hand with H)", "your hand is #2 in the queue", ...),
// and the one-line descriptions of the phase, the queue and the board that
// the headless printout writes when they change. No ImGui, no clock: time is
// the room's tick, names come from the session's avatars. Strings come from
// the client's table (ui_strings.h).
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/ids.h"
#include "core/role.h"
#include "session/client_session.h"
#include "session/clinic_view.h"
#include "sim/clinic_state.h"
#include "sim/recording.h"
#include "ui_strings.h"

namespace caseroom::client {

// What matters to one participant of the round at one moment. Built from the
// view by factsOf; plain data so that tests can write transitions directly.
struct ClinicFacts {
    bool hasPlan = false;
    sim::Phase phase = sim::Phase::Lobby;
    std::uint8_t current = 0;           // agenda entry index
    std::string title;                  // the current entry's title
    std::size_t handPosition = 0;       // 1-based; 0: my hand is down
    bool haveFloor = false;
    bool mutedByModeration = false;     // in the Moderation object's muted list
    bool mutedByPhase = false;          // my role may not speak in this phase (the didactic for spokes) and I lack the floor
    bool mayUnmuteSelf = false;         // muted by a mute-all that allows self-unmute
    bool mayRecommend = false;          // sim::check(Recommend) passes now
    bool locked = false;
    sim::MuteAll muteAll = sim::MuteAll::Off;
    core::EntityId facilitator, coFacilitator, chair, floor;
    sim::RecordingStatus recording = sim::RecordingStatus::Off;
    sim::RecordingPolicy recordingPolicy = sim::RecordingPolicy::DidacticOnly;
    friend bool operator==(const ClinicFacts&, const ClinicFacts&) = default;
};

// The holdings that the round gives `self` now (the floor, acting facilitation).
[[nodiscard]] sim::HoldingSet clinicHoldings(const session::ClinicViewModel& v, core::EntityId self);
[[nodiscard]] ClinicFacts factsOf(const session::ClinicViewModel& v, core::EntityId self, core::Role role);

struct ClinicNotice {
    StringId id = StringId::NoticeFloorGiven;
    std::string text;                   // formatted, ready to show
};

// The notices for the change from `before` to `now` (for `self`, named in
// `people`: the session's avatars). The first call after joining passes a
// default ClinicFacts as `before`: states that concern me (muted, the floor,
// my hand, the phase) are announced, the room's history is not.
[[nodiscard]] std::vector<ClinicNotice> clinicNotices(const ClinicFacts& before, const ClinicFacts& now, core::EntityId self,
                                                      std::span<const session::RemoteAvatar> people);

// A participant's display name, or "participant N" when not (or no longer) known.
[[nodiscard]] std::string nameOf(std::span<const session::RemoteAvatar> people, core::EntityId who);
// "m:ss" (or "h:mm:ss") of a tick span at `tickRate`; 0:00 when `to` is before `from`.
[[nodiscard]] std::string clockText(std::uint32_t fromTick, std::uint32_t toTick, double tickRate);

// One line each, for the headless printout and the logs (no trailing newline):
// "phase: recommendations, 'Case 1: ...' 1:20 of 8:00" (or "no session plan").
[[nodiscard]] std::string describePhase(const session::ClinicViewModel& v, std::uint32_t tick, double tickRate);
// "hands: 1. Ana Ruiz (0:12), 2. Bo Li (0:03)" (or "hands: none").
[[nodiscard]] std::string describeQueue(const sim::QueueState& q, std::span<const session::RemoteAvatar> people,
                                        std::uint32_t tick, double tickRate);
// The current case's entries, one line each: "board: #3 Dr. X (specialist) [consensus]: text".
[[nodiscard]] std::vector<std::string> describeBoard(const session::ClinicViewModel& v);
// The current case's board entries (during a case; else the latest case's), posting order.
[[nodiscard]] std::vector<const sim::BoardEntry*> currentBoard(const session::ClinicViewModel& v);

// A held text cut into pieces for display: the spans the PHI screen found
// (byte ranges of the author's own text; overlapping ones merged, ones
// outside the text dropped) and the text between them, in order, covering
// the whole text.
struct HeldSegment {
    std::uint32_t begin = 0, end = 0;
    bool held = false;
    friend bool operator==(const HeldSegment&, const HeldSegment&) = default;
};
[[nodiscard]] std::vector<HeldSegment> heldSegments(std::string_view text, std::span<const net::WireFinding> findings);

} // namespace caseroom::client
