// Every cell of sim::check(role, holding, action, phase): allowed, or
// refused with the right Denial. The expectation is written here by hand
// from docs/PERMISSIONS.md (the role table, the holding table and "The
// agenda phase"), independently of the table in permissions.cpp, so that a
// change to either without the other fails.
#include <catch2/catch.hpp>

#include <array>
#include <string>

#include "sim/permissions.h"

using namespace caseroom;
using namespace caseroom::sim;
using core::Role;

namespace {
constexpr auto kRoles = static_cast<std::size_t>(Role::Count);
constexpr auto kActions = static_cast<std::size_t>(Action::Count);
constexpr auto kPhases = static_cast<std::size_t>(Phase::Count);

// The doc's role table: "FSCPO" = facilitator, specialist, coordinator,
// spoke, observer; 'y' yes, '-' no. The holding columns: panel holder,
// floor holder, acting facilitator.
struct Row {
    Action action;
    const char* roles;     // 5 chars
    const char* holdings;  // 3 chars
};
constexpr Row kDoc[] = {
    {Action::Walk, "yyyyy", "---"},
    {Action::Look, "yyyyy", "---"},
    {Action::Sit, "yyyyy", "---"},
    {Action::Stand, "yyyyy", "---"},
    {Action::Speak, "yyyy-", "-y-"},
    {Action::PresentCase, "yy-y-", "---"},
    {Action::DrivePanel, "y-y--", "y--"},
    {Action::Recommend, "yy-y-", "---"},
    {Action::Moderate, "y-y--", "--y"},
    {Action::Record, "y-y--", "---"},
    {Action::RequestControl, "yyyy-", "---"},
    {Action::GrantControl, "y-y--", "y--"},
    {Action::TakeControl, "y-y--", "---"},
    {Action::PointLaser, "yyy--", "y--"},
    {Action::UploadDeck, "yyyy-", "---"},
    {Action::VetCase, "--y--", "---"},
    {Action::ReadVettedCases, "yyy--", "---"},
    {Action::OverridePhi, "--y--", "---"},
    {Action::SendRecommendations, "y-y--", "---"},
    {Action::RequestFollowUp, "yy---", "---"},
    {Action::ManagePrograms, "--y--", "---"},
    {Action::IssueInvitations, "--y--", "---"},
    {Action::AdjustAttendance, "--y--", "---"},
    {Action::ExportRecords, "y-y--", "---"},
    {Action::ExtendSession, "y-y--", "---"},
    {Action::AdvanceAgenda, "y----", "--y"},
    {Action::RaiseHand, "-yyy-", "---"},
    {Action::RunFloor, "y----", "--y"},
    {Action::MuteAll, "y----", "--y"},
    {Action::LockRoom, "y-y--", "--y"},
    {Action::RemoveParticipant, "y-y--", "--y"},
    {Action::BringToChair, "y----", "--y"},
    {Action::HandFacilitation, "y----", "--y"},
    {Action::WriteSummary, "y----", "--y"},
    {Action::Chat, "yyyy-", "---"},
    {Action::AskQuestion, "yyyy-", "---"},
    {Action::ControlReplay, "yyy--", "---"},
    {Action::ShowCamera, "yyyy-", "---"},
    {Action::ShareScreen, "yyyy-", "---"},
};

// "The agenda phase": phases by letter L(obby) I(ntroductions) D(idactic)
// P(resentation) Q(uestions) R(ecommendations) S(ummary) W(rap-up) E(nded).
struct Gate {
    const char* open;   // letters of the phases where it is open
    const char* gated;  // roles (FSCPO letters) subject to the gate
};
Gate gateOf(Action a) {
    switch (a) {
    case Action::Speak: return {"LIPQRSWE", "P"};
    case Action::ShareScreen: return {"LIPQRSWE", "P"};
    case Action::Recommend: return {"R", "FSCPO"};
    case Action::WriteSummary: return {"RS", "FSCPO"};
    case Action::RaiseHand:
    case Action::RunFloor:
    case Action::MuteAll:
    case Action::BringToChair:
    case Action::HandFacilitation:
    case Action::Chat:
    case Action::AskQuestion: return {"LIDPQRSW", "FSCPO"};
    default: return {"LIDPQRSWE", ""};
    }
}

char letter(Phase p) { return "LIDPQRSWE"[static_cast<std::size_t>(p)]; }
char letter(Role r) { return "FSCPO"[static_cast<std::size_t>(r)]; }
bool in(const char* set, char c) { return std::string(set).find(c) != std::string::npos; }

const Row& docRow(Action a) {
    for (const Row& r : kDoc)
        if (r.action == a) return r;
    FAIL("no doc row for " << toString(a));
    return kDoc[0];
}

// The doc's answer for one cell.
std::optional<Denial> expected(Role role, HoldingSet holding, Action action, Phase phase) {
    const Row& row = docRow(action);
    const Gate gate = gateOf(action);
    const bool byRole = row.roles[static_cast<std::size_t>(role)] == 'y';
    bool byHolding = false;
    if (role != Role::Observer)  // observers hold nothing
        for (std::size_t h = 0; h < static_cast<std::size_t>(Holding::Count); ++h)
            if (holding.has(static_cast<Holding>(h)) && row.holdings[h] == 'y') byHolding = true;
    if (!byRole && !byHolding) return Denial::NotPermitted;
    const bool open = in(gate.open, letter(phase));
    const bool gatedForRole = in(gate.gated, letter(role));
    const bool gatedForAll = std::string(gate.gated) == "FSCPO";
    if (byRole && (!gatedForRole || open)) return std::nullopt;
    if (byHolding && (!gatedForAll || open)) return std::nullopt;
    return Denial::WrongPhase;
}

std::string cell(Role r, HoldingSet h, Action a, Phase p) {
    return std::string(core::toString(r)) + " holding " + std::to_string(h.bits) + " / " + toString(a) + " / " + toString(p);
}
} // namespace

TEST_CASE("phase permissions: the doc's tables name every action once", "[sim][permissions][phase]") {
    std::array<int, kActions> seen{};
    for (const Row& r : kDoc) {
        REQUIRE(r.action < Action::Count);
        ++seen[static_cast<std::size_t>(r.action)];
        CHECK(std::string(r.roles).size() == kRoles);
        CHECK(std::string(r.holdings).size() == static_cast<std::size_t>(Holding::Count));
    }
    for (std::size_t a = 0; a < kActions; ++a) {
        INFO(toString(static_cast<Action>(a)));
        CHECK(seen[a] == 1);
    }
    CHECK(std::string("LIDPQRSWE").size() == kPhases);
}

TEST_CASE("phase permissions: every role x action x phase cell holding nothing", "[sim][permissions][phase]") {
    std::size_t cells = 0, allowed = 0, wrongPhase = 0;
    for (std::size_t r = 0; r < kRoles; ++r)
        for (std::size_t a = 0; a < kActions; ++a)
            for (std::size_t p = 0; p < kPhases; ++p) {
                const auto role = static_cast<Role>(r);
                const auto action = static_cast<Action>(a);
                const auto phase = static_cast<Phase>(p);
                const auto want = expected(role, {}, action, phase);
                INFO(cell(role, {}, action, phase));
                CHECK(check(role, {}, action, phase) == want);
                CHECK(permitted(role, {}, action, phase) == !want.has_value());
                ++cells;
                if (!want) ++allowed;
                else if (*want == Denial::WrongPhase) ++wrongPhase;
            }
    CHECK(cells == kRoles * kActions * kPhases);
    // Sanity: the doc's phase gates are not vacuous.
    CHECK(wrongPhase > 0);
    CHECK(allowed > 0);
}

TEST_CASE("phase permissions: every cell again with each holding and with all of them", "[sim][permissions][phase]") {
    std::vector<HoldingSet> sets;
    for (std::size_t h = 0; h < static_cast<std::size_t>(Holding::Count); ++h) sets.push_back(HoldingSet{}.with(static_cast<Holding>(h)));
    HoldingSet all;
    for (std::size_t h = 0; h < static_cast<std::size_t>(Holding::Count); ++h) all = all.with(static_cast<Holding>(h));
    sets.push_back(all);
    for (const HoldingSet hs : sets)
        for (std::size_t r = 0; r < kRoles; ++r)
            for (std::size_t a = 0; a < kActions; ++a)
                for (std::size_t p = 0; p < kPhases; ++p) {
                    const auto role = static_cast<Role>(r);
                    const auto action = static_cast<Action>(a);
                    const auto phase = static_cast<Phase>(p);
                    INFO(cell(role, hs, action, phase));
                    CHECK(check(role, hs, action, phase) == expected(role, hs, action, phase));
                }
}

TEST_CASE("phase permissions: the doc's worked examples", "[sim][permissions][phase]") {
    const HoldingSet floor = HoldingSet{}.with(Holding::FloorHolder);
    const HoldingSet acting = HoldingSet{}.with(Holding::ActingFacilitator);
    // A spoke is silent in the didactic unless given the floor; the hub is not gated.
    CHECK(check(Role::Spoke, {}, Action::Speak, Phase::Didactic) == Denial::WrongPhase);
    CHECK(check(Role::Spoke, floor, Action::Speak, Phase::Didactic) == std::nullopt);
    CHECK(check(Role::Specialist, {}, Action::Speak, Phase::Didactic) == std::nullopt);
    CHECK(check(Role::Observer, floor, Action::Speak, Phase::CaseQuestions) == Denial::NotPermitted);
    // Recommendations only in their phase, for everyone.
    CHECK(check(Role::Facilitator, {}, Action::Recommend, Phase::CaseQuestions) == Denial::WrongPhase);
    CHECK(check(Role::Spoke, {}, Action::Recommend, Phase::CaseRecommendations) == std::nullopt);
    CHECK(check(Role::Coordinator, {}, Action::Recommend, Phase::CaseRecommendations) == Denial::NotPermitted);
    // Acting facilitation does not open the summary before its phase.
    CHECK(check(Role::Specialist, acting, Action::WriteSummary, Phase::CaseQuestions) == Denial::WrongPhase);
    CHECK(check(Role::Specialist, acting, Action::WriteSummary, Phase::CaseSummary) == std::nullopt);
    // Nothing of the floor once the session ended; the agenda may still step back.
    CHECK(check(Role::Spoke, {}, Action::RaiseHand, Phase::Ended) == Denial::WrongPhase);
    CHECK(check(Role::Facilitator, {}, Action::RunFloor, Phase::Ended) == Denial::WrongPhase);
    CHECK(check(Role::Facilitator, {}, Action::AdvanceAgenda, Phase::Ended) == std::nullopt);
    CHECK(check(Role::Specialist, acting, Action::AdvanceAgenda, Phase::Ended) == std::nullopt);
    // Out-of-range inputs are refused, never read past the table.
    CHECK(check(Role::Count, {}, Action::Walk, Phase::Lobby) == Denial::NotPermitted);
    CHECK(check(Role::Facilitator, {}, Action::Count, Phase::Lobby) == Denial::NotPermitted);
    CHECK(check(Role::Facilitator, {}, Action::Walk, Phase::Count) == Denial::NotPermitted);
}
