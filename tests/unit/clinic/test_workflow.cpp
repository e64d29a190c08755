// The case workflow (clinic/case_workflow.h), table-driven over every role x
// every (from, to) pair x presenter or not, and against the permissions table.
#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <utility>

#include "clinic/case_workflow.h"
#include "sim/permissions.h"

using namespace caseroom;
using clinic::MoveContext;
using clinic::mayMove;
using store::CaseStatus;

namespace {

constexpr int kStates = static_cast<int>(CaseStatus::Count);
constexpr int kRoles = static_cast<int>(core::Role::Count);

// Who may make each move, written out by hand from the header's table (not
// derived from the code): the roles, in the order facilitator, specialist,
// coordinator, spoke, observer ("FSCPO", '.' = no), first as the case's
// presenter, then as anyone else.
struct Expected { CaseStatus from, to; const char* asPresenter; const char* asOther; };
constexpr Expected kMoves[] = {
    {CaseStatus::Draft, CaseStatus::Submitted, "FS.P.", "....."},
    {CaseStatus::Held, CaseStatus::Submitted, "FS.P.", "....."},
    {CaseStatus::Submitted, CaseStatus::Held, "FSCP.", "..C.."},
    {CaseStatus::Submitted, CaseStatus::Vetted, "..C..", "..C.."},
    {CaseStatus::Held, CaseStatus::Vetted, "..C..", "..C.."},
    {CaseStatus::Vetted, CaseStatus::Scheduled, "..C..", "..C.."},
    {CaseStatus::Scheduled, CaseStatus::Presented, "F.C..", "F.C.."},
    {CaseStatus::Presented, CaseStatus::RecommendationsSent, "F.C..", "F.C.."},
    {CaseStatus::RecommendationsSent, CaseStatus::FollowUpRequested, "FS...", "FS..."},
    {CaseStatus::FollowUpRequested, CaseStatus::Draft, "FS.P.", "....."},
    {CaseStatus::Draft, CaseStatus::Withdrawn, "FSCP.", "..C.."},
    {CaseStatus::Submitted, CaseStatus::Withdrawn, "FSCP.", "..C.."},
    {CaseStatus::Held, CaseStatus::Withdrawn, "FSCP.", "..C.."},
    {CaseStatus::Vetted, CaseStatus::Withdrawn, "FSCP.", "..C.."},
    {CaseStatus::Scheduled, CaseStatus::Withdrawn, "FSCP.", "..C.."},
};

bool expectedOk(CaseStatus from, CaseStatus to, core::Role role, bool presenter) {
    for (const auto& m : kMoves)
        if (m.from == from && m.to == to) return (presenter ? m.asPresenter : m.asOther)[static_cast<int>(role)] != '.';
    return false;
}

// A context that meets every gate of the move, so only role and presenter decide.
MoveContext enabling(CaseStatus from, CaseStatus to, core::Role role, bool presenter) {
    MoveContext c;
    c.role = role;
    c.isPresenter = presenter;
    c.attested = true;
    c.hasFindings = to == CaseStatus::Held;  // held only with findings; unheld only without
    c.overrideReason = from == CaseStatus::Held ? "findings are drug names (false positives)" : "";
    return c;
}

} // namespace

TEST_CASE("every role x every (from, to) pair follows the workflow table", "[clinic][workflow]") {
    int allowed = 0;
    for (int r = 0; r < kRoles; ++r)
        for (int f = 0; f < kStates; ++f)
            for (int t = 0; t < kStates; ++t)
                for (bool presenter : {false, true}) {
                    const auto role = static_cast<core::Role>(r);
                    const auto from = static_cast<CaseStatus>(f), to = static_cast<CaseStatus>(t);
                    INFO(core::toString(role) << (presenter ? " (presenter) " : " ") << store::toString(from) << " -> "
                                              << store::toString(to));
                    const auto c = mayMove(from, to, enabling(from, to, role, presenter));
                    CHECK(c.ok == expectedOk(from, to, role, presenter));
                    if (c.ok) {
                        ++allowed;
                        CHECK(c.reason.empty());
                        // A move the workflow allows is one the permissions table permits.
                        REQUIRE(c.action < sim::Action::Count);
                        CHECK(sim::permitted(role, c.action));
                    } else {
                        CHECK_FALSE(c.reason.empty());
                    }
                }
    // Nothing outside the table: count the table's own cells.
    int cells = 0;
    for (const auto& m : kMoves)
        for (int r = 0; r < kRoles; ++r) cells += (m.asPresenter[r] != '.') + (m.asOther[r] != '.');
    CHECK(allowed == cells);
}

TEST_CASE("each move names the action of the permissions table it needs", "[clinic][workflow]") {
    const std::pair<std::pair<CaseStatus, CaseStatus>, sim::Action> actions[] = {
        {{CaseStatus::Draft, CaseStatus::Submitted}, sim::Action::PresentCase},
        {{CaseStatus::Submitted, CaseStatus::Vetted}, sim::Action::VetCase},
        {{CaseStatus::Held, CaseStatus::Vetted}, sim::Action::OverridePhi},
        {{CaseStatus::Vetted, CaseStatus::Scheduled}, sim::Action::VetCase},
        {{CaseStatus::Scheduled, CaseStatus::Presented}, sim::Action::Moderate},
        {{CaseStatus::Presented, CaseStatus::RecommendationsSent}, sim::Action::SendRecommendations},
        {{CaseStatus::RecommendationsSent, CaseStatus::FollowUpRequested}, sim::Action::RequestFollowUp},
    };
    for (const auto& [move, action] : actions) {
        // A spoke presenter lacks every hub action, so a refusal still names the action.
        const auto c = mayMove(move.first, move.second, enabling(move.first, move.second, core::Role::Spoke, move.first == CaseStatus::Draft));
        INFO(store::toString(move.first) << " -> " << store::toString(move.second));
        CHECK(c.action == action);
    }
    const auto w = mayMove(CaseStatus::Vetted, CaseStatus::Withdrawn, enabling(CaseStatus::Vetted, CaseStatus::Withdrawn, core::Role::Spoke, true));
    CHECK(w.action == sim::Action::PresentCase);
    const auto wc = mayMove(CaseStatus::Vetted, CaseStatus::Withdrawn, enabling(CaseStatus::Vetted, CaseStatus::Withdrawn, core::Role::Coordinator, false));
    CHECK(wc.action == sim::Action::VetCase);
}

TEST_CASE("the gates: attestation, findings, override reason", "[clinic][workflow]") {
    MoveContext spoke;
    spoke.role = core::Role::Spoke;
    spoke.isPresenter = true;
    spoke.attested = false;
    auto c = mayMove(CaseStatus::Draft, CaseStatus::Submitted, spoke);
    CHECK_FALSE(c.ok);
    CHECK(c.reason.find("attestation") != std::string::npos);
    spoke.attested = true;
    CHECK(mayMove(CaseStatus::Draft, CaseStatus::Submitted, spoke).ok);
    // Submitting with findings is fine: the screen then holds it.
    spoke.hasFindings = true;
    CHECK(mayMove(CaseStatus::Draft, CaseStatus::Submitted, spoke).ok);
    CHECK(mayMove(CaseStatus::Submitted, CaseStatus::Held, spoke).ok);
    // A held case comes back only once the screen finds nothing.
    c = mayMove(CaseStatus::Held, CaseStatus::Submitted, spoke);
    CHECK_FALSE(c.ok);
    CHECK(c.reason.find("PHI") != std::string::npos);
    spoke.hasFindings = false;
    CHECK(mayMove(CaseStatus::Held, CaseStatus::Submitted, spoke).ok);
    CHECK_FALSE(mayMove(CaseStatus::Submitted, CaseStatus::Held, spoke).ok);  // nothing to hold it for

    MoveContext coord;
    coord.role = core::Role::Coordinator;
    coord.hasFindings = true;
    c = mayMove(CaseStatus::Held, CaseStatus::Vetted, coord);
    CHECK_FALSE(c.ok);
    CHECK(c.reason.find("override reason") != std::string::npos);
    coord.overrideReason = "  \t\n";
    CHECK_FALSE(mayMove(CaseStatus::Held, CaseStatus::Vetted, coord).ok);
    // Submitted with open findings is an override too.
    coord.overrideReason.clear();
    c = mayMove(CaseStatus::Submitted, CaseStatus::Vetted, coord);
    CHECK_FALSE(c.ok);
    CHECK(c.action == sim::Action::OverridePhi);
    coord.overrideReason = "\"Hep\" flagged as a name";
    CHECK(mayMove(CaseStatus::Submitted, CaseStatus::Vetted, coord).ok);
    CHECK(mayMove(CaseStatus::Held, CaseStatus::Vetted, coord).ok);
    coord.hasFindings = false;
    coord.overrideReason.clear();
    CHECK(mayMove(CaseStatus::Submitted, CaseStatus::Vetted, coord).ok);

    // Refusals say why in plain words.
    MoveContext spec;
    spec.role = core::Role::Specialist;
    c = mayMove(CaseStatus::Submitted, CaseStatus::Vetted, spec);
    CHECK(c.reason == "a specialist may not vet a case");
    c = mayMove(CaseStatus::Presented, CaseStatus::Vetted, coord);
    CHECK(c.reason == "a case does not move from presented to vetted");
    c = mayMove(CaseStatus::Vetted, CaseStatus::Vetted, coord);
    CHECK(c.reason.find("already vetted") != std::string::npos);
    CHECK_FALSE(mayMove(CaseStatus::Count, CaseStatus::Draft, coord).ok);
    CHECK_FALSE(mayMove(CaseStatus::Draft, static_cast<CaseStatus>(200), coord).ok);
}

TEST_CASE("hub-first visibility over every role, presenter or not, and state", "[clinic][workflow]") {
    for (int r = 0; r < kRoles; ++r)
        for (int s = 0; s < kStates; ++s)
            for (bool presenter : {false, true}) {
                const auto role = static_cast<core::Role>(r);
                const auto st = static_cast<CaseStatus>(s);
                INFO(core::toString(role) << (presenter ? " (presenter) " : " ") << store::toString(st));
                const bool vettedOn = st == CaseStatus::Vetted || st == CaseStatus::Scheduled ||
                                      st == CaseStatus::Presented || st == CaseStatus::RecommendationsSent ||
                                      st == CaseStatus::FollowUpRequested;
                bool expected = presenter || role == core::Role::Coordinator;
                if ((role == core::Role::Facilitator || role == core::Role::Specialist) && vettedOn) expected = true;
                CHECK(clinic::maySee(role, presenter, st) == expected);
                // Seeing another's case before the session needs read-vetted-cases.
                if (clinic::maySee(role, presenter, st) && !presenter) CHECK(sim::permitted(role, sim::Action::ReadVettedCases));
            }
    CHECK_FALSE(clinic::maySee(core::Role::Coordinator, false, CaseStatus::Count));
}

TEST_CASE("follow-up dates and the follow-up case", "[clinic][workflow]") {
    CHECK(clinic::checkFollowUpDate("2027-01-14", "2026-12-03").ok());
    CHECK(clinic::checkFollowUpDate("2026-12-03", "2026-12-03").ok());
    CHECK(clinic::checkFollowUpDate("2028-02-29", "2026-12-03").ok());
    for (const char* bad : {"2027-02-29", "2027-13-01", "2027-1-14", "", "next week", "2027-01-00"}) {
        INFO(bad);
        auto s = clinic::checkFollowUpDate(bad, "2026-12-03");
        REQUIRE_FALSE(s.ok());
        CHECK(s.error().message.find("calendar date") != std::string::npos);
    }
    auto past = clinic::checkFollowUpDate("2026-11-30", "2026-12-03");
    REQUIRE_FALSE(past.ok());
    CHECK(past.error().message.find("before today") != std::string::npos);

    store::CaseRecord orig;
    orig.id = 12;
    orig.programId = 3;
    orig.presenterId = 7;
    orig.sessionId = 40;
    orig.status = CaseStatus::FollowUpRequested;
    orig.fields = {{"history", "as before"}, {"question", "still?"}};
    orig.decks = {std::string(64, 'c')};
    orig.attestedAt = 100;
    orig.phiOverride = "reason";
    orig.findings = {{"history", 0, 2, "name"}};
    orig.followUpDate = "2027-01-14";
    const auto f = clinic::followUpCase(orig, 5000);
    CHECK(f.id == 0);
    CHECK(f.originalCaseId == 12);
    CHECK(f.status == CaseStatus::Draft);
    CHECK(f.programId == 3);
    CHECK(f.presenterId == 7);
    CHECK(f.sessionId == 0);
    CHECK(f.fields.size() == 2);
    CHECK(f.fields[0].value == "as before");
    CHECK(f.decks == orig.decks);
    CHECK(f.attestedAt == 0);
    CHECK(f.phiOverride.empty());
    CHECK(f.findings.empty());
    CHECK(f.createdAt == 5000);
}
