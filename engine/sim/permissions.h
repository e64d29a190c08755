// Who may do what in a clinic: one table, checked by the server for every
// intent. Later issues add actions (recording, video) to this table, not
// checks scattered elsewhere. docs/PERMISSIONS.md mirrors it.
//
// Three dimensions: the role (from the connect token, fixed for the session)
// and what the person holds right now (a set of states of the person: the
// panel they drive; with the agenda, the floor and acting as facilitator).
// permitted(role, holding, action) is true when the role's row allows the
// action or any held state's row does; a few actions are never granted by a
// holding to a role whose own row forbids everything of the kind (observers:
// kMayHold). Holdings are relative to the object acted on: "holds the panel"
// means the panel the intent names. The third is the agenda phase
// (sim/phase.h): check(role, holding, action, phase) below.
#pragma once
#include <cstdint>
#include <optional>

#include "core/role.h"
#include "sim/phase.h"

namespace caseroom::sim {

enum class Action : std::uint8_t {
    Walk,           // move one's own avatar
    Look,           // turn one's own head
    Sit,            // take a free seat
    Stand,          // leave one's seat
    Speak,          // send voice
    PresentCase,    // present a de-identified case
    DrivePanel,     // change what a wall panel shows: deck, slide, cine frame, zoom/pan, window
    Recommend,      // write a recommendation for the presenter
    Moderate,       // mute others, run the hand-raise queue and the agenda
    Record,         // start and stop recording
    RequestControl, // ask for control of a panel (a pending request everyone sees)
    GrantControl,   // hand a panel's control to someone, or dismiss a request
    TakeControl,    // take a panel's control (or end anyone's) without being handed it
    PointLaser,     // show one's laser pointer
    UploadDeck,     // upload a built deck into the server's content store (session/deck_upload.h)
    // The clinic's records (clinic/case_workflow.h, caseroom-admin). Submitting
    // a case is PresentCase.
    VetCase,             // vet, schedule or withdraw a submitted case
    ReadVettedCases,     // read vetted cases before the session (hub-first visibility)
    OverridePhi,         // pass a held case despite PHI findings, with a reason
    SendRecommendations, // send the recommendations document to the presenter
    RequestFollowUp,     // ask the presenter to present the case again, with a date
    ManagePrograms,      // programs, form templates, roster, schedule
    IssueInvitations,    // issue and revoke invitations and program credentials
    AdjustAttendance,    // correct attendance minutes, with a reason
    ExportRecords,       // export attendance, certificates and case documents
    ExtendSession,       // move a live session's end later
    // The teaching round (sim/agenda.h, sim/floor.h, sim/moderation.h,
    // sim/board.h, sim/chat.h). Gated by the agenda phase where it matters.
    AdvanceAgenda,       // start the session, next / previous phase
    RaiseHand,           // raise or lower one's own hand
    RunFloor,            // call the next hand, give or end anyone's floor, dismiss a hand, take the next question
    MuteAll,             // mute all but the hub (with or without self-unmute), and lift it
    LockRoom,            // lock the room (no new joins) and unlock it
    RemoveParticipant,   // remove someone, with a reason (their invitation for the session is revoked)
    BringToChair,        // bring someone to the presenter's chair
    HandFacilitation,    // hand facilitation to another hub member; name the co-facilitator
    WriteSummary,        // the facilitator's summary of a case, marked as the consensus
    Chat,                // room chat
    AskQuestion,         // a question for the hub (queued like raised hands)
    // Recording and replay (sim/recording.h, session/replay_room.h).
    ControlReplay,       // play, pause, seek and set the speed of a replay room
    // Live video (session/video_host.h). Watching needs no permission.
    ShowCamera,          // publish one's own camera
    ShareScreen,         // share a window (or, deliberately, the desktop): it may show patient data
    Count
};
const char* toString(Action a);

// States of a person that grant actions beside their role. Appended only.
enum class Holding : std::uint8_t {
    PanelHolder,        // drives the panel the intent names (sim/panels.h)
    FloorHolder,        // has the floor (sim/floor.h): speaks room-wide, in any phase
    ActingFacilitator,  // runs the session in the facilitator's stead (sim/moderation.h)
    Count
};
const char* toString(Holding h);

struct HoldingSet {
    std::uint8_t bits = 0;
    [[nodiscard]] bool has(Holding h) const { return h < Holding::Count && (bits >> static_cast<unsigned>(h)) & 1u; }
    [[nodiscard]] HoldingSet with(Holding h) const {
        return h < Holding::Count ? HoldingSet{static_cast<std::uint8_t>(bits | (1u << static_cast<unsigned>(h)))} : *this;
    }
    friend bool operator==(HoldingSet, HoldingSet) = default;
};

// The role's row only (what the person may do holding nothing).
[[nodiscard]] bool permitted(core::Role role, Action action);
// The holding's row only.
[[nodiscard]] bool grantedBy(Holding holding, Action action);
// Role or any held state. Observers gain nothing from holdings (they may not
// hold anything: RequestControl is not theirs and nothing is granted to them).
[[nodiscard]] bool permitted(core::Role role, HoldingSet holding, Action action);
// Whether a role may hold things at all (be granted a panel, later the floor).
[[nodiscard]] bool mayHold(core::Role role);

// The phase dimension. An action is open in a set of phases for the roles
// it gates (recommendations only in their phase, for everyone; a spoke's
// voice not in the didactic); ungated roles may act in every phase. A
// holding's grant follows the same gate when the action is gated for every
// role, and is open in every phase otherwise (the floor lets a spoke speak
// in the didactic; acting facilitation does not open recommendations early).
enum class Denial : std::uint8_t {
    NotPermitted,  // not in any phase, with this role and holding
    WrongPhase,    // allowed in another phase (the answer names the phase it is)
    Count
};
const char* toString(Denial d);
// The phases where `action` is open to a gated role.
[[nodiscard]] PhaseSet openPhases(Action action);
// Whether `role` is subject to `action`'s phase gate.
[[nodiscard]] bool phaseGated(core::Role role, Action action);
// nullopt: permitted now; else why not.
[[nodiscard]] std::optional<Denial> check(core::Role role, HoldingSet holding, Action action, Phase phase);
[[nodiscard]] inline bool permitted(core::Role role, HoldingSet holding, Action action, Phase phase) {
    return !check(role, holding, action, phase).has_value();
}

} // namespace caseroom::sim
