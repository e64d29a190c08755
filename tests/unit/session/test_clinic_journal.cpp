// session::ClinicJournal through a real store::Writer on a real SQLite file:
// the board's and the chat's events of a room become rows of its session,
// read back with a fresh connection after the writer is gone; a held text
// is never stored; events of a room without a plan, or for a case the plan
// has no store case for, are dropped and counted; a write that fails is
// counted and does not stop the others.
#include <catch2/catch.hpp>

#include <vector>

#include "clinic/session_plan.h"
#include "session/db_audit.h"
#include "session/clinic_journal.h"
#include "store/database.h"
#include "store/records.h"
#include "store/writer.h"
#include "temp_dir.h"
#include "unit/clinic/round_fixture.h"

using namespace caseroom;
using caseroom::testing::RoundClinic;
using K = sim::RoomEventKind;

namespace {

struct Tick {
    std::vector<sim::RoomEvent> events;
    std::vector<session::RoomActor> actors;
    void add(K kind, const session::RoomActor& who, std::uint16_t panel, std::uint32_t value, std::string text = {}) {
        sim::RoomEvent e;
        e.kind = kind;
        e.actor = core::EntityId{static_cast<std::uint16_t>(actors.size() + 1)};
        e.panel = panel;
        e.value = value;
        e.text = std::move(text);
        events.push_back(std::move(e));
        actors.push_back(who);
    }
    void run(session::ClinicJournal& j, std::string_view room, std::uint64_t unix) {
        session::RoomTick t;
        t.room = room;
        t.tick = 1;
        t.unixTime = unix;
        t.events = events;
        t.actors = actors;
        j.onTick(t);
        events.clear();
        actors.clear();
    }
};

session::RoomActor actor(std::int64_t user, const char* name, core::Role role) {
    session::RoomActor a;
    a.userId = static_cast<std::uint64_t>(user);
    a.displayName = name;
    a.role = role;
    return a;
}

} // namespace

TEST_CASE("the board and the chat of a room are kept with its session, through the writer") {
    caseroom::testing::TempDir dir;
    const std::string path = dir.file("clinic.db");
    RoundClinic c;
    sim::SessionPlan plan;
    {
        auto db = store::Database::open({.path = path});
        REQUIRE(db.ok());
        store::Records r(**db);
        c = caseroom::testing::makeRoundClinic(r);
        auto p = clinic::loadSessionPlan(r, c.session);
        REQUIRE(p.has_value());
        plan = *p;
    }
    const auto t0 = static_cast<std::uint64_t>(RoundClinic::kStart + 600);
    const auto spec = actor(c.specialist, "Dr. Søren Ørsted", core::Role::Specialist);
    const auto lan = actor(c.lan, "Nguyễn Thị Lan", core::Role::Spoke);
    const auto fac = actor(c.facilitator, "Dr. Ana Facilitadora", core::Role::Facilitator);
    const auto guest = actor(0, "Guest at Site North", core::Role::Spoke);
    session::ClinicJournalCounters counters;
    {
        auto w = store::Writer::start({.path = path});
        REQUIRE(w.ok());
        session::ClinicJournal journal(**w);
        CHECK_FALSE(journal.hasPlan("hcv"));
        Tick tick;
        // Before the plan: dropped, counted.
        tick.add(K::ChatSaid, lan, 0, 1, "too early");
        tick.run(journal, "hcv", t0 - 60);
        journal.setPlan("hcv", plan);
        CHECK(journal.hasPlan("hcv"));

        tick.add(K::ChatSaid, lan, 0, 2, "Hello from Đà Lạt");
        tick.add(K::QuestionAsked, guest, 0, 3, "Is genotype testing still needed?");
        tick.add(K::TextHeld, lan, 0, 1, "Patient John Smith, MRN 12345");   // never stored (the host never puts text here either)
        tick.add(K::RecommendationPosted, spec, 0, 7, "Stage fibrosis first (FibroScan).");
        tick.add(K::RecommendationPosted, lan, 0, 8, "Check HBV status.");
        tick.add(K::RecommendationPosted, lan, 1, 9, "Case 2: dose for renal function.");
        tick.run(journal, "hcv", t0);
        tick.add(K::RecommendationEdited, spec, 0, 7, "Stage fibrosis first (FibroScan or APRI).");
        tick.add(K::RecommendationWithdrawn, lan, 0, 8);
        tick.add(K::SummaryWritten, fac, 0, 10, "Consensus: stage first, then treat.");
        tick.add(K::QuestionAnswered, fac, 0, 3);
        tick.run(journal, "hcv", t0 + 30);
        tick.add(K::SummaryWritten, fac, 0, 10, "Consensus: stage first, then 8 weeks G/P.");
        tick.add(K::RecommendationPosted, spec, 5, 11, "no such case in the plan");
        tick.add(K::RecommendationEdited, spec, 0, 99, "an entry never posted");   // fails in its job, alone
        tick.run(journal, "hcv", t0 + 60);
        tick.add(K::ChatSaid, lan, 0, 1, "another room, no plan");
        tick.run(journal, "other", t0 + 60);
        (*w)->flush();
        (*w)->drainReplies();
        counters = journal.counters();
    } // the writer is gone: what it acknowledged is on disk

    CHECK(counters.noPlan == 2);
    CHECK(counters.noCase == 1);
    CHECK(counters.failed == 1);
    CHECK(counters.posted == 11);
    CHECK(counters.written == 10);

    auto db = store::Database::open({.path = path, .readOnly = true});
    REQUIRE(db.ok());
    store::Records r(**db);
    auto recs = r.recommendations(c.session, c.case1);
    REQUIRE(recs.ok());
    REQUIRE(recs->size() == 3);
    const auto& a = (*recs)[0];
    CHECK(a.entryId == 7);
    CHECK(a.authorUserId == static_cast<std::uint64_t>(c.specialist));
    CHECK(a.authorPersonId == c.specialist);
    CHECK(a.authorName == "Dr. Søren Ørsted");
    CHECK(a.authorRole == core::Role::Specialist);
    CHECK(a.text == "Stage fibrosis first (FibroScan or APRI).");
    CHECK(a.createdAt == static_cast<std::int64_t>(t0));
    CHECK(a.editedAt == static_cast<std::int64_t>(t0 + 30));
    CHECK(a.edits == 1);
    CHECK_FALSE(a.consensus);
    const auto& b = (*recs)[1];
    CHECK(b.entryId == 8);
    CHECK(b.withdrawnAt == static_cast<std::int64_t>(t0 + 30));
    CHECK(b.text == "Check HBV status.");   // kept: the trail of what was said
    const auto& s = (*recs)[2];
    CHECK(s.consensus);
    CHECK(s.entryId == 10);
    CHECK(s.authorRole == core::Role::Facilitator);
    CHECK(s.text == "Consensus: stage first, then 8 weeks G/P.");   // rewritten: one row, edited
    CHECK(s.edits == 1);
    auto other = r.recommendations(c.session, c.case2);
    REQUIRE(other.ok());
    REQUIRE(other->size() == 1);
    CHECK((*other)[0].text == "Case 2: dose for renal function.");

    auto chat = r.chatLines(c.session);
    REQUIRE(chat.ok());
    REQUIRE(chat->size() == 2);
    CHECK((*chat)[0].kind == store::ChatLineKind::Chat);
    CHECK((*chat)[0].seq == 2);
    CHECK((*chat)[0].text == "Hello from Đà Lạt");
    CHECK((*chat)[0].authorPersonId == c.lan);
    CHECK((*chat)[1].kind == store::ChatLineKind::Question);
    CHECK((*chat)[1].authorUserId == 0);
    CHECK((*chat)[1].authorPersonId == 0);   // a guest
    CHECK((*chat)[1].authorName == "Guest at Site North");
    CHECK((*chat)[1].answeredAt == static_cast<std::int64_t>(t0 + 30));

    // The held text is nowhere in the database.
    for (const char* table : {"recommendations", "chat_lines", "audit"}) {
        auto st = (*db)->prepare(std::string("SELECT count(*) FROM ") + table + " WHERE text LIKE '%John Smith%'");
        REQUIRE(st.ok());
        REQUIRE(st->step());
        CHECK(st->int64(0) == 0);
    }
}

TEST_CASE("a room's plan can be replaced and cleared; a plan without a session writes nothing") {
    caseroom::testing::TempDir dir;
    const std::string path = dir.file("clinic.db");
    RoundClinic c;
    {
        auto db = store::Database::open({.path = path});
        REQUIRE(db.ok());
        store::Records r(**db);
        c = caseroom::testing::makeRoundClinic(r);
    }
    auto w = store::Writer::start({.path = path});
    REQUIRE(w.ok());
    session::ClinicJournal journal(**w);
    const auto lan = actor(c.lan, "Nguyễn Thị Lan", core::Role::Spoke);
    Tick tick;
    journal.setPlan("hcv", sim::defaultPlan("", {}));   // a test plan: sessionId 0
    tick.add(K::ChatSaid, lan, 0, 1, "nowhere to go");
    tick.run(journal, "hcv", 1);
    sim::SessionPlan plan = sim::defaultPlan("", {});
    plan.sessionId = static_cast<std::uint64_t>(c.session);
    journal.setPlan("hcv", plan);
    tick.add(K::ChatSaid, lan, 0, 2, "kept");
    tick.add(K::RecommendationPosted, lan, 0, 1, "no case on this plan");
    tick.run(journal, "hcv", 2);
    journal.clearPlan("hcv");
    tick.add(K::ChatSaid, lan, 0, 3, "after the session");
    tick.run(journal, "hcv", 3);
    (*w)->flush();
    (*w)->drainReplies();
    const auto n = journal.counters();
    CHECK(n.noPlan == 2);
    CHECK(n.noCase == 1);
    CHECK(n.written == 1);
    auto db = store::Database::open({.path = path});
    REQUIRE(db.ok());
    store::Records r(**db);
    auto chat = r.chatLines(c.session);
    REQUIRE(chat.ok());
    REQUIRE(chat->size() == 1);
    CHECK((*chat)[0].text == "kept");
}

TEST_CASE("requestPlan finds the room's session off the tick and sets (or clears) its plan") {
    caseroom::testing::TempDir dir;
    const std::string path = dir.file("clinic.db");
    RoundClinic c;
    {
        auto db = store::Database::open({.path = path});
        REQUIRE(db.ok());
        store::Records r(**db);
        c = caseroom::testing::makeRoundClinic(r);
    }
    auto w = store::Writer::start({.path = path});
    REQUIRE(w.ok());
    session::ClinicJournal journal(**w);
    int calls = 0;
    std::optional<sim::SessionPlan> got;
    auto ready = [&](const std::string& room, const std::optional<sim::SessionPlan>& plan) {
        CHECK(room == "hcv");
        ++calls;
        got = plan;
    };
    journal.requestPlan("hcv", static_cast<std::uint64_t>(RoundClinic::kStart - 600), ready);   // in the lobby
    CHECK_FALSE(journal.hasPlan("hcv"));   // nothing before the reply is drained
    (*w)->flush();
    (*w)->drainReplies();
    CHECK(calls == 1);
    REQUIRE(got.has_value());
    CHECK(got->sessionId == static_cast<std::uint64_t>(c.session));
    CHECK(journal.hasPlan("hcv"));

    const auto lan = actor(c.lan, "Nguyễn Thị Lan", core::Role::Spoke);
    Tick tick;
    tick.add(K::RecommendationPosted, lan, 1, 1, "for the second case");
    tick.run(journal, "hcv", static_cast<std::uint64_t>(RoundClinic::kStart + 100));

    // Long after the session: no session holds the room, the plan is cleared.
    journal.requestPlan("hcv", static_cast<std::uint64_t>(RoundClinic::kStart + 86400), ready);
    (*w)->flush();
    (*w)->drainReplies();
    CHECK(calls == 2);
    CHECK_FALSE(got.has_value());
    CHECK_FALSE(journal.hasPlan("hcv"));
    CHECK(journal.counters().written == 1);
    CHECK(journal.counters().planFailures == 0);

    auto db = store::Database::open({.path = path});
    REQUIRE(db.ok());
    store::Records r(**db);
    auto recs = r.recommendations(c.session, c.case2);
    REQUIRE(recs.ok());
    REQUIRE(recs->size() == 1);
    CHECK((*recs)[0].text == "for the second case");
}

TEST_CASE("with the audit key, a case's presentation marks it presented, chained in the trail") {
    caseroom::testing::TempDir dir;
    const std::string path = dir.file("clinic.db");
    session::AuditKey key;
    for (std::size_t i = 0; i < key.bytes.size(); ++i) key.bytes[i] = static_cast<std::uint8_t>(3 * i + 1);
    RoundClinic c;
    sim::SessionPlan plan;
    {
        auto db = store::Database::open({.path = path});
        REQUIRE(db.ok());
        store::Records r(**db);
        session::installEditAudit(r, key);
        c = caseroom::testing::makeRoundClinic(r);
        plan = *clinic::loadSessionPlan(r, c.session);
    }
    std::uint16_t presentation2 = 0;
    for (std::size_t k = 0; k < plan.entries.size(); ++k)
        if (plan.entries[k].phase == sim::Phase::CasePresentation && plan.entries[k].caseIndex == 1) presentation2 = static_cast<std::uint16_t>(k);
    REQUIRE(presentation2 != 0);
    auto w = store::Writer::start({.path = path});
    REQUIRE(w.ok());
    {
        session::ClinicJournal plain(**w);   // no key: changes no case
        plain.setPlan("hcv", plan);
        Tick tick;
        tick.add(K::PhaseChanged, actor(c.facilitator, "Dr. Ana Facilitadora", core::Role::Facilitator), 3,
                 static_cast<std::uint32_t>(sim::Phase::CasePresentation));
        tick.run(plain, "hcv", static_cast<std::uint64_t>(RoundClinic::kStart + 1500));
        (*w)->flush();
        (*w)->drainReplies();
        CHECK(plain.counters().presented == 0);
    }
    session::ClinicJournal journal(**w, key);
    journal.setPlan("hcv", plan);
    Tick tick;
    const auto fac = actor(c.facilitator, "Dr. Ana Facilitadora", core::Role::Facilitator);
    tick.add(K::PhaseChanged, fac, 3, static_cast<std::uint32_t>(sim::Phase::CasePresentation));   // case 1 by the facilitator
    tick.add(K::PhaseChanged, fac, 4, static_cast<std::uint32_t>(sim::Phase::CaseQuestions));      // not a presentation
    tick.run(journal, "hcv", static_cast<std::uint64_t>(RoundClinic::kStart + 1500));
    session::RoomActor room;   // the agenda moved by itself: no actor
    tick.add(K::PhaseChanged, room, presentation2, static_cast<std::uint32_t>(sim::Phase::CasePresentation));
    tick.add(K::PhaseChanged, fac, 3, static_cast<std::uint32_t>(sim::Phase::CasePresentation));   // back again: already presented
    tick.run(journal, "hcv", static_cast<std::uint64_t>(RoundClinic::kStart + 2700));
    (*w)->flush();
    (*w)->drainReplies();
    CHECK(journal.counters().presented == 2);
    CHECK(journal.counters().failed == 0);
    w->reset();

    auto db = store::Database::open({.path = path, .readOnly = true});
    REQUIRE(db.ok());
    store::Records r(**db);
    CHECK(r.caseRecord(c.case1)->status == store::CaseStatus::Presented);
    CHECK(r.caseRecord(c.case2)->status == store::CaseStatus::Presented);
    CHECK(r.caseRecord(c.case1)->updatedAt == RoundClinic::kStart + 1500);
    auto report = session::verifyAuditDb(**db, key);
    REQUIRE(report.ok());
    CHECK(report->problemCount == 0);
    auto rows = r.auditRows(1, 0);
    REQUIRE(rows.ok());
    int byFacilitator = 0, byServer = 0;
    for (const auto& row : *rows) {
        if (row.text.find("presented") == std::string::npos) continue;
        if (row.text.find("person " + std::to_string(c.facilitator) + " (stable id npi-f) via server") != std::string::npos) ++byFacilitator;
        else if (row.text.find("actor=server") != std::string::npos) ++byServer;
    }
    CHECK(byFacilitator == 1);
    CHECK(byServer == 1);
}
