// The teaching round kept in the clinic records: a secure ServerHost on
// 127.0.0.1 with the session's plan built from a real SQLite database
// (clinic::planForRoom) and the clinic journal as a reader of the room's
// events (store::Writer). Recommendations and the consensus posted through
// the room are stored, become the presenter's document, are exported as
// JSON, parsed back and compared with what the room's board showed.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include "clinic/recommendations_doc.h"
#include "clinic/session_plan.h"
#include "integration/secure_fixture.h"
#include "session/clinic_journal.h"
#include "store/database.h"
#include "store/records.h"
#include "store/writer.h"
#include "temp_dir.h"
#include "unit/clinic/round_fixture.h"

using namespace caseroom;
using namespace caseroom::session;
using caseroom::testing::RoundClinic;

TEST_CASE("recommendations from the room are stored, exported, parsed back and match the board", "[integration][round][records]") {
    caseroom::testing::TempDir dir;
    const std::string path = dir.file("clinic.db");
    RoundClinic c;
    {
        auto db = store::Database::open({.path = path});
        REQUIRE(db.ok());
        store::Records r(**db);
        c = caseroom::testing::makeRoundClinic(r);
    }
    auto writer = store::Writer::start({.path = path});
    REQUIRE(writer.ok());
    auto reads = store::Database::open({.path = path});
    REQUIRE(reads.ok());
    ClinicJournal journal(**writer);
    constexpr std::uint64_t kNow = RoundClinic::kStart + 600; // ten minutes into the session
    std::optional<sim::SessionPlan> served;
    auto world = std::make_unique<test::SecureWorld>("Hepatitis C ECHO", [&](ServerConfig& cfg) {
        cfg.readers = {&journal};
        cfg.unixClock = [] { return kNow; };
        // The server's planFor: the session the program's room holds now, from the records.
        cfg.planFor = [&](std::string_view room) -> std::optional<sim::SessionPlan> {
            store::Records records(**reads);
            auto plan = clinic::planForRoom(records, "hcv", static_cast<std::int64_t>(kNow));
            if (!plan || !*plan) return std::nullopt;
            journal.setPlan(std::string(room), **plan);
            served = **plan;
            return **plan;
        };
    });
    test::SecureWorld& w = *world;
    auto as = [&](std::int64_t person, const char* name, core::Role role) -> ClientSession& {
        w.nextUser = static_cast<std::uint64_t>(person); // the invitation convention: user id = person id
        return w.join(w.mint(name, role));
    };
    ClientSession& fac = as(c.facilitator, "Dr. Ana Facilitadora", core::Role::Facilitator);
    ClientSession& spec = as(c.specialist, "Dr. Søren Ørsted", core::Role::Specialist);
    ClientSession& lan = as(c.lan, "Nguyễn Thị Lan", core::Role::Spoke);
    const std::vector<ClientSession*> all{&fac, &spec, &lan};
    REQUIRE(w.until(5.0, [&] {
        return std::all_of(all.begin(), all.end(), [](auto* s) { return s->state() == ClientState::InRoom && s->clinic().agenda().hasPlan; });
    }));
    REQUIRE(served.has_value());
    CHECK(served->sessionId == static_cast<std::uint64_t>(c.session));
    // The case's entries name the presenter and carry her question, from the records.
    const auto& entries = lan.clinic().entries();
    const auto firstCase = std::find_if(entries.begin(), entries.end(), [](const sim::AgendaEntry& e) { return e.phase == sim::Phase::CasePresentation; });
    REQUIRE(firstCase != entries.end());
    CHECK(firstCase->presenter == "Nguyễn Thị Lan");
    CHECK(firstCase->question == "Treat now, or stage fibrosis first?");
    const auto recs = static_cast<std::uint32_t>(firstCase - entries.begin()) + 2;

    fac.sendClinic(net::AgendaIntent{net::AgendaIntent::Op::Goto, recs});
    REQUIRE(w.until(2.0, [&] { return lan.clinic().agenda().phase == sim::Phase::CaseRecommendations; }));
    lan.sendClinic(net::BoardIntent{net::BoardIntent::Op::Post, 0, 1, "Stage fibrosis first with a FibroScan."});
    REQUIRE(w.until(2.0, [&] { return spec.clinic().board().size() == 1; }));
    spec.sendClinic(net::BoardIntent{net::BoardIntent::Op::Post, 0, 2, "Check HBV serology before any DAA."});
    REQUIRE(w.until(2.0, [&] { return fac.clinic().board().size() == 2; }));
    const std::uint16_t lanEntry = fac.clinic().board()[0].id;
    lan.sendClinic(net::BoardIntent{net::BoardIntent::Op::Edit, lanEntry, 3, "Stage fibrosis first (FibroScan or APRI)."});
    REQUIRE(w.until(2.0, [&] { return fac.clinic().board()[0].editedTick != 0; }));
    fac.sendClinic(net::AgendaIntent{net::AgendaIntent::Op::Next, 0});
    REQUIRE(w.until(2.0, [&] { return lan.clinic().agenda().phase == sim::Phase::CaseSummary; }));
    fac.sendClinic(net::BoardIntent{net::BoardIntent::Op::Summary, 0, 4, "Consensus: stage first, then 8 weeks of glecaprevir/pibrentasvir."});
    REQUIRE(w.until(2.0, [&] { return lan.clinic().board().size() == 3; }));
    w.until(0.3, [] { return false; }); // the last tick's events reach the journal
    const std::vector<sim::BoardEntry> board(lan.clinic().board().begin(), lan.clinic().board().end());

    (*writer)->flush();
    (*writer)->drainReplies();
    CHECK(journal.counters().failed == 0);
    CHECK(journal.counters().noPlan == 0);

    store::Records records(**reads);
    auto doc = clinic::loadRecommendationsDoc(records, c.session, c.case1);
    REQUIRE(doc.ok());
    CHECK(doc->presenter == "Nguyễn Thị Lan");
    CHECK(doc->question == "Treat now, or stage fibrosis first?");
    // What the board showed is what the document says, in posting order.
    std::vector<std::pair<std::string, std::string>> shown, kept;
    for (const sim::BoardEntry& e : board)
        if (!e.consensus) shown.emplace_back(e.authorName, e.text);
    for (const clinic::DocEntry& e : doc->recommendations) kept.emplace_back(e.author, e.text);
    CHECK(kept == shown);
    REQUIRE(doc->consensus.has_value());
    CHECK(doc->consensus->text == "Consensus: stage first, then 8 weeks of glecaprevir/pibrentasvir.");
    CHECK(doc->consensus->author == "Dr. Ana Facilitadora");
    CHECK(doc->recommendations[0].editedUtc != 0);
    CHECK_FALSE(doc->liability.empty());

    // The structured export parses back to the same document; the printable one carries the statement.
    std::string error;
    const auto back = clinic::fromJson(clinic::toJson(*doc), &error);
    INFO(error);
    REQUIRE(back.has_value());
    CHECK(*back == *doc);
    const std::string html = clinic::renderHtml(*doc);
    CHECK(html.find(clinic::escapeHtml(doc->liability)) != std::string::npos);
    CHECK(html.find("Nguyễn Thị Lan") != std::string::npos);
}
