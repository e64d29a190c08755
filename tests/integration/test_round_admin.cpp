// caseroom-admin's teaching-round commands, run as a process on a real
// clinic database in a temp state directory: program statements, faculty
// disclosures, session facilitators, the recommendations list, document,
// export and send (outbox files, the audit row, the case's move), the kept
// chat; refusals by role; the audit chain verifies afterwards.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "clinic/recommendations_doc.h"
#include "clinic/session_plan.h"
#include "integration/process.h"
#include "session/audit_log.h"
#include "session/db_audit.h"
#include "store/database.h"
#include "store/records.h"
#include "temp_dir.h"
#include "unit/clinic/round_fixture.h"

using namespace caseroom;
using caseroom::testing::RoundClinic;

namespace {

struct Ran {
    int rc = -1;
    std::string out;
};

struct State {
    caseroom::testing::TempDir tmp;
    std::string dir = tmp.path.string();
    int runs = 0;
    Ran admin(std::vector<std::string> args) {
        args.insert(args.begin(), {CASEROOM_ADMIN_EXE, "--state-dir", dir, "--now", std::to_string(RoundClinic::kStart + 7200)});
        const std::string log = dir + "/admin-" + std::to_string(++runs) + ".log";
        const pid_t pid = caseroom::testing::spawnLogged(args, log);
        Ran r;
        r.rc = pid > 0 ? caseroom::testing::waitExit(pid, 30) : -1;
        r.out = caseroom::testing::slurp(log);
        return r;
    }
};

session::AuditKey keyFor(const std::string& dbPath) {
    bool created = false;
    std::uint8_t counter = 7;
    auto key = session::loadOrCreateAuditKey(
        session::defaultAuditKeyPath(dbPath),
        [&counter](std::span<std::uint8_t> out) {
            for (auto& b : out) b = counter++;
        },
        created);
    REQUIRE(key.ok());
    return *key;
}

} // namespace

TEST_CASE("caseroom-admin keeps the round's statements and faculty and sends the recommendations") {
    State s;
    const std::string dbPath = s.dir + "/clinic.db";
    RoundClinic c;
    {
        auto db = store::Database::open({.path = dbPath});
        REQUIRE(db.ok());
        store::Records r(**db);
        session::installEditAudit(r, keyFor(dbPath));   // chained, as the tool and the server chain
        c = caseroom::testing::makeRoundClinic(r);
        store::Recommendation rec;
        rec.sessionId = c.session;
        rec.caseId = c.case1;
        rec.entryId = 1;
        rec.authorUserId = static_cast<std::uint64_t>(c.specialist);
        rec.authorName = "Dr. Søren Ørsted";
        rec.authorRole = core::Role::Specialist;
        rec.text = "Stage fibrosis <first>.";
        rec.createdAt = RoundClinic::kStart + 1200;
        REQUIRE(r.addRecommendation(rec).ok());
        rec.entryId = 2;
        rec.authorName = "Dr. Ana Facilitadora";
        rec.authorRole = core::Role::Facilitator;
        rec.text = "Consensus: stage, then treat.";
        REQUIRE(r.writeSummary(rec).ok());
        store::ChatRecord line;
        line.sessionId = c.session;
        line.seq = 4;
        line.kind = store::ChatLineKind::Question;
        line.authorName = "Nguyễn Thị Lan";
        line.text = "Is genotype testing needed?";
        line.createdAt = RoundClinic::kStart + 900;
        REQUIRE(r.addChatLine(line).ok());
        line.seq = 5;
        line.kind = store::ChatLineKind::Chat;
        line.text = "red \x1b[31m alert\nsecond line";
        REQUIRE(r.addChatLine(line).ok());
        auto k = r.caseRecord(c.case1);
        REQUIRE(k.ok());
        k->status = store::CaseStatus::Presented;
        REQUIRE(r.saveCase(*k, store::Actor{.via = "test"}, RoundClinic::kStart + 1800).ok());
    }
    const std::string session = std::to_string(c.session), case1 = std::to_string(c.case1);

    // The recording policy: didactic by default, read by a roster member, set by the coordinator only.
    auto policy = s.admin({"--as", "npi-1", "program", "recording", "hcv"});
    CHECK(policy.rc == 0);
    CHECK(policy.out.find("recording        didactic") != std::string::npos);
    CHECK(s.admin({"--as", "npi-1", "program", "recording", "hcv", "whole"}).rc == 1);
    CHECK(s.admin({"--as", "maria", "program", "recording", "hcv", "sometimes"}).rc != 0);
    auto whole = s.admin({"--as", "maria", "program", "recording", "hcv", "whole"});
    CHECK(whole.rc == 0);
    CHECK(whole.out.find("recording        whole") != std::string::npos);
    // Cameras: not recorded by default; set by the coordinator only, the policy left as it is.
    CHECK(policy.out.find("cameras          not recorded") != std::string::npos);
    CHECK(s.admin({"--as", "npi-1", "program", "recording", "hcv", "--record-cameras", "yes"}).rc == 1);
    CHECK(s.admin({"--as", "maria", "program", "recording", "hcv", "--record-cameras", "maybe"}).rc != 0);
    auto cameras = s.admin({"--as", "maria", "program", "recording", "hcv", "--record-cameras", "yes"});
    CHECK(cameras.rc == 0);
    CHECK(cameras.out.find("cameras          recorded") != std::string::npos);
    CHECK(cameras.out.find("recording        whole") != std::string::npos);
    {
        auto db = store::Database::open({.path = dbPath});
        REQUIRE(db.ok());
        store::Records r(**db);
        auto program = r.programByCode("hcv");
        REQUIRE(program.ok());
        CHECK(program->recordCameras);
        auto plan = clinic::loadSessionPlan(r, c.session);
        REQUIRE(plan);
        CHECK(plan->recordingPolicy == sim::RecordingPolicy::WholeSession); // the room takes it with its plan
        CHECK(plan->recordCameras);                                          // and whether faces may be recorded
    }
    // Statements: read by a roster member, set by the coordinator only.
    auto shown = s.admin({"--as", "npi-1", "program", "statements", "hcv"});
    CHECK(shown.rc == 0);
    CHECK(shown.out.find("(default)") != std::string::npos);
    auto refused = s.admin({"--as", "npi-1", "program", "statements", "hcv", "--liability", "mine"});
    CHECK(refused.rc == 1);
    CHECK(refused.out.find("manage programs") != std::string::npos);
    auto set = s.admin({"--as", "maria", "program", "statements", "hcv", "--confidentiality", "Stays in the room.", "--liability",
                        "No provider-patient relationship is created."});
    INFO(set.out);
    CHECK(set.rc == 0);

    // Disclosures and facilitators.
    CHECK(s.admin({"--as", "maria", "disclosure", "add", "hcv", "npi-s", "Speaker fees, AbbVie."}).rc == 0);
    CHECK(s.admin({"--as", "maria", "disclosure", "add", session, "npi-f", "No relevant financial relationships."}).rc == 0);
    auto listed = s.admin({"--as", "npi-1", "disclosure", "list", session});
    CHECK(listed.rc == 0);
    CHECK(listed.out.find("Speaker fees, AbbVie.") != std::string::npos);
    CHECK(listed.out.find("No relevant financial relationships.") != std::string::npos);
    CHECK(s.admin({"--as", "maria", "disclosure", "add", "nosuch", "npi-f", "x"}).rc == 1);
    auto spoke = s.admin({"--as", "maria", "session", "facilitators", session, "--facilitator", "npi-1"});
    CHECK(spoke.rc == 1);   // a spoke cannot run the session
    auto fac = s.admin({"--as", "maria", "session", "facilitators", session, "--facilitator", "npi-f", "--co-facilitator", "npi-s",
                        "--didactic", "HCV in pregnancy"});
    INFO(fac.out);
    CHECK(fac.rc == 0);

    // The board and the chat.
    auto list = s.admin({"--as", "npi-f", "recommendations", "list", session});
    INFO(list.out);
    CHECK(list.rc == 0);
    CHECK(list.out.find("Stage fibrosis <first>.") != std::string::npos);
    CHECK(list.out.find("consensus") != std::string::npos);
    CHECK(s.admin({"--as", "npi-1", "recommendations", "list", session}).rc == 1);   // a spoke may not export
    auto chat = s.admin({"--as", "maria", "chat", "show", session});
    CHECK(chat.rc == 0);
    CHECK(chat.out.find("Is genotype testing needed? ") == std::string::npos);
    CHECK(chat.out.find("[open]: Is genotype testing needed?") != std::string::npos);
    CHECK(chat.out.find("red \\x1b[31m alert\\nsecond line") != std::string::npos);   // no escape reaches the terminal
    CHECK(chat.out.find('\x1b') == std::string::npos);

    const std::string htmlPath = s.dir + "/doc.html", jsonPath = s.dir + "/doc.json";
    CHECK(s.admin({"--as", "maria", "recommendations", "document", session, case1, "--out", htmlPath}).rc == 0);
    CHECK(s.admin({"--as", "maria", "recommendations", "export", session, case1, "--out", jsonPath}).rc == 0);
    const std::string html = caseroom::testing::slurp(htmlPath);
    CHECK(html.find("No provider-patient relationship is created.") != std::string::npos);
    CHECK(html.find("Stage fibrosis &lt;first&gt;.") != std::string::npos);
    CHECK(html.find("Dr. Ana Facilitadora") != std::string::npos);
    std::string error;
    auto doc = clinic::fromJson(caseroom::testing::slurp(jsonPath), &error);
    INFO(error);
    REQUIRE(doc.has_value());
    CHECK(doc->coFacilitator == "Dr. Søren Ørsted");
    CHECK(doc->recommendations.size() == 1);
    REQUIRE(doc->consensus.has_value());
    struct stat st{};
    REQUIRE(::stat(jsonPath.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK(s.admin({"--as", "maria", "recommendations", "export", session, std::to_string(c.unscheduled)}).rc == 1);

    // Send: a spoke may not; the facilitator may.
    CHECK(s.admin({"--as", "npi-1", "recommendations", "send", session, case1}).rc == 1);
    auto sent = s.admin({"--as", "npi-f", "recommendations", "send", session, case1});
    INFO(sent.out);
    CHECK(sent.rc == 0);
    const std::string outbox = s.dir + "/outbox/" + std::to_string(c.lan) + "/recommendations-session-" + session + "-case-" + case1;
    CHECK(caseroom::testing::slurp(outbox + ".html") == html);
    auto sentDoc = clinic::fromJson(caseroom::testing::slurp(outbox + ".json"));
    REQUIRE(sentDoc.has_value());
    CHECK(*sentDoc == *doc);

    auto db = store::Database::open({.path = dbPath, .readOnly = true});
    REQUIRE(db.ok());
    store::Records r(**db);
    CHECK(r.caseRecord(c.case1)->status == store::CaseStatus::RecommendationsSent);
    CHECK(r.programByCode("hcv")->confidentiality == "Stays in the room.");
    CHECK(r.session(c.session)->coFacilitatorId == c.specialist);
    auto rows = r.auditRows(1, 0);
    REQUIRE(rows.ok());
    bool sendRow = false;
    for (const auto& row : *rows)
        if (row.text.find("SendRecommendations") != std::string::npos && row.text.find("person " + std::to_string(c.facilitator)) != std::string::npos)
            sendRow = true;
    CHECK(sendRow);
    auto report = session::verifyAuditDb(**db, keyFor(dbPath));
    REQUIRE(report.ok());
    CHECK(report->problemCount == 0);
    CHECK(report->intact == rows->size());
}
