#include "sim/permissions.h"

#include <array>

namespace caseroom::sim {
namespace {
constexpr std::size_t kActions = static_cast<std::size_t>(Action::Count);
using Row = std::array<bool, kActions>;
// Columns: Walk Look Sit Stand Speak PresentCase DrivePanel Recommend Moderate Record
//          RequestControl GrantControl TakeControl PointLaser UploadDeck
//          VetCase ReadVettedCases OverridePhi SendRecommendations RequestFollowUp
//          ManagePrograms IssueInvitations AdjustAttendance ExportRecords ExtendSession
constexpr std::array<Row, static_cast<std::size_t>(core::Role::Count)> kTable{{
    /* facilitator */ {true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, false, true, false, true, true, false, false, false, true, true},
    /* specialist  */ {true, true, true, true, true, true, false, true, false, false, true, false, false, true, true, false, true, false, false, true, false, false, false, false, false},
    /* coordinator */ {true, true, true, true, true, false, true, false, true, true, true, true, true, true, true, true, true, true, true, false, true, true, true, true, true},
    /* spoke       */ {true, true, true, true, true, true, false, false, false, false, true, false, false, false, true, false, false, false, false, false, false, false, false, false, false},
    /* observer    */ {true, true, true, true, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false},
}};
// What holding a state adds, whatever the role (observers excepted).
constexpr std::array<Row, static_cast<std::size_t>(Holding::Count)> kHolding{{
    /* panel holder       */ {false, false, false, false, false, false, true, false, false, false, false, true, false, true, false, false, false, false, false, false, false, false, false, false, false},
    /* floor holder       */ {false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false},
    /* acting facilitator */ {false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false},
}};
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

bool permitted(core::Role role, Action action) {
    if (role >= core::Role::Count || action >= Action::Count) return false;
    return kTable[static_cast<std::size_t>(role)][static_cast<std::size_t>(action)];
}

bool grantedBy(Holding holding, Action action) {
    if (holding >= Holding::Count || action >= Action::Count) return false;
    return kHolding[static_cast<std::size_t>(holding)][static_cast<std::size_t>(action)];
}

bool mayHold(core::Role role) { return permitted(role, Action::RequestControl); }

bool permitted(core::Role role, HoldingSet holding, Action action) {
    if (permitted(role, action)) return true;
    if (!mayHold(role)) return false;
    for (std::uint8_t h = 0; h < static_cast<std::uint8_t>(Holding::Count); ++h)
        if (holding.has(static_cast<Holding>(h)) && grantedBy(static_cast<Holding>(h), static_cast<Action>(action))) return true;
    return false;
}

} // namespace caseroom::sim
