#include "sim/permissions.h"

#include <array>

namespace caseroom::sim {
namespace {
using core::Role;

// Bit sets over roles and holdings, written by name so the table reads as
// docs/PERMISSIONS.md does.
constexpr std::uint8_t bit(Role r) { return static_cast<std::uint8_t>(1u << static_cast<unsigned>(r)); }
constexpr std::uint8_t bit(Holding h) { return static_cast<std::uint8_t>(1u << static_cast<unsigned>(h)); }
constexpr std::uint8_t F = bit(Role::Facilitator), S = bit(Role::Specialist), C = bit(Role::Coordinator),
                       P = bit(Role::Spoke), O = bit(Role::Observer);
constexpr std::uint8_t kEveryone = F | S | C | P | O, kMembers = F | S | C | P, kNobody = 0;
constexpr std::uint8_t kPanel = bit(Holding::PanelHolder), kFloor = bit(Holding::FloorHolder),
                       kActing = bit(Holding::ActingFacilitator);

constexpr PhaseSet kAll = PhaseSet::all();
constexpr PhaseSet kLive = PhaseSet::all().without(Phase::Ended);
constexpr PhaseSet kNotDidactic = PhaseSet::all().without(Phase::Didactic);
constexpr PhaseSet kRecommend = PhaseSet{}.with(Phase::CaseRecommendations);
constexpr PhaseSet kSummary = PhaseSet{}.with(Phase::CaseRecommendations).with(Phase::CaseSummary);

struct Rule {
    std::uint8_t roles;     // roles whose own row allows the action
    std::uint8_t holdings;  // states whose holding grants it
    PhaseSet phases;        // where it is open to gated roles
    std::uint8_t gated;     // roles subject to `phases` (the rest: every phase)
};

// One row per Action, in its order.
constexpr std::array<Rule, static_cast<std::size_t>(Action::Count)> kRules{{
    /* Walk                */ {kEveryone, 0, kAll, kNobody},
    /* Look                */ {kEveryone, 0, kAll, kNobody},
    /* Sit                 */ {kEveryone, 0, kAll, kNobody},
    /* Stand               */ {kEveryone, 0, kAll, kNobody},
    /* Speak               */ {kMembers, kFloor, kNotDidactic, P},
    /* PresentCase         */ {F | S | P, 0, kAll, kNobody},
    /* DrivePanel          */ {F | C, kPanel, kAll, kNobody},
    /* Recommend           */ {F | S | P, 0, kRecommend, kEveryone},
    /* Moderate            */ {F | C, kActing, kAll, kNobody},
    /* Record              */ {F | C, 0, kAll, kNobody},
    /* RequestControl      */ {kMembers, 0, kAll, kNobody},
    /* GrantControl        */ {F | C, kPanel, kAll, kNobody},
    /* TakeControl         */ {F | C, 0, kAll, kNobody},
    /* PointLaser          */ {F | S | C, kPanel, kAll, kNobody},
    /* UploadDeck          */ {kMembers, 0, kAll, kNobody},
    /* VetCase             */ {C, 0, kAll, kNobody},
    /* ReadVettedCases     */ {F | S | C, 0, kAll, kNobody},
    /* OverridePhi         */ {C, 0, kAll, kNobody},
    /* SendRecommendations */ {F | C, 0, kAll, kNobody},
    /* RequestFollowUp     */ {F | S, 0, kAll, kNobody},
    /* ManagePrograms      */ {C, 0, kAll, kNobody},
    /* IssueInvitations    */ {C, 0, kAll, kNobody},
    /* AdjustAttendance    */ {C, 0, kAll, kNobody},
    /* ExportRecords       */ {F | C, 0, kAll, kNobody},
    /* ExtendSession       */ {F | C, 0, kAll, kNobody},
    /* AdvanceAgenda       */ {F, kActing, kAll, kNobody},
    /* RaiseHand           */ {S | C | P, 0, kLive, kEveryone},
    /* RunFloor            */ {F, kActing, kLive, kEveryone},
    /* MuteAll             */ {F, kActing, kLive, kEveryone},
    /* LockRoom            */ {F | C, kActing, kAll, kNobody},
    /* RemoveParticipant   */ {F | C, kActing, kAll, kNobody},
    /* BringToChair        */ {F, kActing, kLive, kEveryone},
    /* HandFacilitation    */ {F, kActing, kLive, kEveryone},
    /* WriteSummary        */ {F, kActing, kSummary, kEveryone},
    /* Chat                */ {kMembers, 0, kLive, kEveryone},
    /* AskQuestion         */ {kMembers, 0, kLive, kEveryone},
    /* ControlReplay       */ {F | S | C, 0, kAll, kNobody},
    /* ShowCamera          */ {kMembers, 0, kAll, kNobody},
    /* ShareScreen         */ {kMembers, 0, kNotDidactic, P},
}};

constexpr const Rule& rule(Action a) { return kRules[static_cast<std::size_t>(a)]; }
constexpr bool has(std::uint8_t set, Role r) { return (set & bit(r)) != 0; }
} // namespace

const char* toString(Action a) {
    switch (a) {
    case Action::Walk: return "walk";
    case Action::Look: return "look";
    case Action::Sit: return "sit";
    case Action::Stand: return "stand";
    case Action::Speak: return "speak";
    case Action::PresentCase: return "present a case";
    case Action::DrivePanel: return "drive a panel";
    case Action::Recommend: return "recommend";
    case Action::Moderate: return "moderate";
    case Action::Record: return "record";
    case Action::RequestControl: return "ask for panel control";
    case Action::GrantControl: return "hand over panel control";
    case Action::TakeControl: return "take panel control";
    case Action::PointLaser: return "point the laser";
    case Action::UploadDeck: return "upload a deck";
    case Action::VetCase: return "vet a case";
    case Action::ReadVettedCases: return "read vetted cases";
    case Action::OverridePhi: return "override the PHI screen";
    case Action::SendRecommendations: return "send recommendations";
    case Action::RequestFollowUp: return "request a follow-up";
    case Action::ManagePrograms: return "manage programs";
    case Action::IssueInvitations: return "issue invitations";
    case Action::AdjustAttendance: return "adjust attendance";
    case Action::ExportRecords: return "export records";
    case Action::ExtendSession: return "extend a session";
    case Action::AdvanceAgenda: return "advance the agenda";
    case Action::RaiseHand: return "raise a hand";
    case Action::RunFloor: return "run the floor";
    case Action::MuteAll: return "mute all but the hub";
    case Action::LockRoom: return "lock the room";
    case Action::RemoveParticipant: return "remove a participant";
    case Action::BringToChair: return "bring to the presenter's chair";
    case Action::HandFacilitation: return "hand over facilitation";
    case Action::WriteSummary: return "write the summary";
    case Action::Chat: return "chat";
    case Action::AskQuestion: return "ask a question";
    case Action::ControlReplay: return "control a replay";
    case Action::ShowCamera: return "show one's camera";
    case Action::ShareScreen: return "share a screen";
    case Action::Count: break;
    }
    return "?";
}

const char* toString(Holding h) {
    switch (h) {
    case Holding::PanelHolder: return "panel holder";
    case Holding::FloorHolder: return "floor holder";
    case Holding::ActingFacilitator: return "acting facilitator";
    case Holding::Count: break;
    }
    return "?";
}

const char* toString(Denial d) {
    switch (d) {
    case Denial::NotPermitted: return "not permitted";
    case Denial::WrongPhase: return "not in this phase";
    case Denial::Count: break;
    }
    return "?";
}

bool permitted(core::Role role, Action action) {
    if (role >= core::Role::Count || action >= Action::Count) return false;
    return has(rule(action).roles, role);
}

bool grantedBy(Holding holding, Action action) {
    if (holding >= Holding::Count || action >= Action::Count) return false;
    return (rule(action).holdings & bit(holding)) != 0;
}

bool mayHold(core::Role role) { return permitted(role, Action::RequestControl); }

bool permitted(core::Role role, HoldingSet holding, Action action) {
    if (permitted(role, action)) return true;
    if (!mayHold(role) || action >= Action::Count) return false;
    return (rule(action).holdings & holding.bits) != 0;
}

PhaseSet openPhases(Action action) { return action < Action::Count ? rule(action).phases : PhaseSet{}; }

bool phaseGated(core::Role role, Action action) {
    return role < core::Role::Count && action < Action::Count && has(rule(action).gated, role);
}

std::optional<Denial> check(core::Role role, HoldingSet holding, Action action, Phase phase) {
    if (role >= core::Role::Count || action >= Action::Count || phase >= Phase::Count) return Denial::NotPermitted;
    const Rule& r = rule(action);
    const bool byRole = has(r.roles, role);
    const bool byHolding = mayHold(role) && (r.holdings & holding.bits) != 0;
    if (!byRole && !byHolding) return Denial::NotPermitted;
    const bool open = r.phases.has(phase);
    if (byRole && (!has(r.gated, role) || open)) return std::nullopt;
    // A holding is gated only where the action is gated for every role.
    if (byHolding && (r.gated != kEveryone || open)) return std::nullopt;
    return Denial::WrongPhase;
}

} // namespace caseroom::sim
