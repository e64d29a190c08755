// clinic::loadSessionPlan over a real SQLite file: a scheduled session with
// two cases (and a withdrawn and an unscheduled one that must not appear),
// its statements and disclosures, its facilitators; planForRoom by time.
#include <catch2/catch.hpp>

#include "clinic/session_plan.h"
#include "store/database.h"
#include "temp_dir.h"
#include "unit/clinic/round_fixture.h"

using namespace caseroom;
using caseroom::testing::RoundClinic;

TEST_CASE("a scheduled session with two cases becomes the default plan with the records' cases, statements and faculty") {
    caseroom::testing::TempDir dir;
    auto db = store::Database::open({.path = dir.file("clinic.db")});
    REQUIRE(db.ok());
    store::Records r(**db);
    const RoundClinic c = caseroom::testing::makeRoundClinic(r);
    const store::Actor a{.via = "test"};
    REQUIRE(r.setSessionFacilitators(c.session, c.facilitator, c.specialist, a, RoundClinic::kStart - 100).ok());
    REQUIRE(r.setSessionDidactic(c.session, "HCV in pregnancy", a, RoundClinic::kStart - 100).ok());
    REQUIRE(r.setProgramStatements(c.program, "What is said here stays here.", "", a, RoundClinic::kStart - 100).ok());
    REQUIRE(r.addDisclosure({.programId = c.program, .personId = c.specialist, .text = "Speaker fees, AbbVie."}, a, 1).ok());
    REQUIRE(r.addDisclosure({.programId = c.program, .sessionId = c.session, .personId = c.facilitator,
                             .text = "No relevant financial relationships."},
                            a, 2)
                .ok());

    auto plan = clinic::loadSessionPlan(r, c.session);
    REQUIRE(plan.has_value());
    CHECK(plan->sessionId == static_cast<std::uint64_t>(c.session));
    CHECK(plan->facilitatorUser == static_cast<std::uint64_t>(c.facilitator));
    CHECK(plan->coFacilitatorUser == static_cast<std::uint64_t>(c.specialist));

    // Lobby, introductions, didactic, 4 x 2 case entries, wrap-up, ended.
    REQUIRE(plan->entries.size() == 3 + 8 + 2);
    CHECK(plan->entries[2].title == "Didactic: HCV in pregnancy");
    const auto& p1 = plan->entries[3];
    CHECK(p1.phase == sim::Phase::CasePresentation);
    CHECK(p1.caseIndex == 0);
    CHECK(p1.caseId == static_cast<std::uint64_t>(c.case1));
    CHECK(p1.title == "Case 1: 60-69 female: Fatigue, raised ALT - presentation");
    CHECK(p1.presenter == "Nguyễn Thị Lan");
    CHECK(p1.question == "Treat now, or stage fibrosis first?");
    for (int k = 3; k < 7; ++k) CHECK(plan->entries[k].caseId == static_cast<std::uint64_t>(c.case1));
    const auto& p2 = plan->entries[7];
    CHECK(p2.caseIndex == 1);
    CHECK(p2.caseId == static_cast<std::uint64_t>(c.case2));   // the withdrawn case in between is not on the plan
    CHECK(p2.presenter == "Ole <Bull> & Co");
    CHECK(p2.question == "Which regimen with <eGFR 30>?");
    CHECK(plan->entries[8].question.empty());                  // only the presentation carries the question
    for (const auto& e : plan->entries) {
        CHECK(e.title.size() <= sim::kMaxTitleBytes);
        CHECK(e.title.find("call before noon") == std::string::npos);   // room = no: never on the plan
    }

    REQUIRE(plan->statements.size() == 4);
    CHECK(plan->statements[0].kind == sim::StatementKind::Confidentiality);
    CHECK(plan->statements[0].text == "What is said here stays here.");
    CHECK(plan->statements[1].kind == sim::StatementKind::Liability);
    CHECK(plan->statements[1].text == std::string(clinic::kDefaultLiability));   // the program wrote none
    CHECK(plan->statements[2].kind == sim::StatementKind::Disclosure);
    CHECK(plan->statements[2].title == "Dr. Søren Ørsted");
    CHECK(plan->statements[2].text == "Speaker fees, AbbVie.");
    CHECK(plan->statements[3].title == "Dr. Ana Facilitadora");

    // The plan is the default plan of the same cases (one code path).
    std::vector<sim::AgendaEntry> cases(2);
    cases[0] = plan->entries[3];
    cases[1] = plan->entries[7];
    for (auto& e : cases) e.title = e.title.substr(8, e.title.size() - 8 - std::string(" - presentation").size());
    auto expected = sim::defaultPlan("HCV in pregnancy", cases);
    CHECK(expected.entries == plan->entries);
}

TEST_CASE("the plan for a room is the plan of the session holding it now; none outside any window") {
    caseroom::testing::TempDir dir;
    auto db = store::Database::open({.path = dir.file("clinic.db")});
    REQUIRE(db.ok());
    store::Records r(**db);
    const RoundClinic c = caseroom::testing::makeRoundClinic(r);

    auto lobby = clinic::planForRoom(r, "hcv", RoundClinic::kStart - 10 * 60);   // the lobby opens 15 min early
    REQUIRE(lobby.ok());
    REQUIRE(lobby->has_value());
    CHECK((*lobby)->sessionId == static_cast<std::uint64_t>(c.session));
    CHECK((*lobby)->facilitatorUser == 0);
    CHECK((*lobby)->statements.size() == 2);   // the default statements; no disclosures yet

    auto early = clinic::planForRoom(r, "hcv", RoundClinic::kStart - 3600);
    REQUIRE(early.ok());
    CHECK_FALSE(early->has_value());
    auto other = clinic::planForRoom(r, "other", RoundClinic::kStart);
    REQUIRE(other.ok());
    CHECK_FALSE(other->has_value());

    CHECK_FALSE(clinic::loadSessionPlan(r, 999).has_value());
    auto err = clinic::buildSessionPlan(r, 999);
    REQUIRE_FALSE(err.ok());
    CHECK(err.error().message.find("999") != std::string::npos);
}

TEST_CASE("facilitators must be hub members on the program's roster") {
    caseroom::testing::TempDir dir;
    auto db = store::Database::open({.path = dir.file("clinic.db")});
    REQUIRE(db.ok());
    store::Records r(**db);
    const RoundClinic c = caseroom::testing::makeRoundClinic(r);
    const store::Actor a{.via = "test"};
    auto spoke = r.setSessionFacilitators(c.session, c.lan, 0, a, 1);
    REQUIRE_FALSE(spoke.ok());
    CHECK(spoke.error().message.find("spoke") != std::string::npos);
    CHECK_FALSE(r.setSessionFacilitators(c.session, c.facilitator, c.facilitator, a, 1).ok());
    CHECK_FALSE(r.setSessionFacilitators(c.session, 4242, 0, a, 1).ok());
    REQUIRE(r.setSessionFacilitators(c.session, c.facilitator, 0, a, 1).ok());
    CHECK(r.session(c.session)->facilitatorId == c.facilitator);
    CHECK(r.session(c.session)->coFacilitatorId == 0);
    // Audited as a record edit.
    auto rows = r.auditRows(1, 0);
    REQUIRE(rows.ok());
    bool found = false;
    for (const auto& row : *rows)
        if (row.text.find("field=facilitator") != std::string::npos && row.text.find("person " + std::to_string(c.facilitator)) != std::string::npos)
            found = true;
    CHECK(found);
}
