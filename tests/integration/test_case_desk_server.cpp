// The case desk through the shipped executables: caseroom-server with its
// clinic database (a program and its roster made with store::Records), and
// `caseroom --headless --submit-case` with a program credential ("@hcv").
// A case held for its findings is fixed and accepted; the database holds
// it, its edits are on the audit chain under the presenter's name, and
// caseroom-audit verify --db passes.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "clinic/case_form.h"
#include "core/cli.h"
#include "integration/clinic_fixture.h"
#include "integration/process.h"
#include "net/secure/crypto.h"
#include "net/secure/key_file.h"
#include "net/secure/token.h"
#include "session/db_audit.h"
#include "store/database.h"
#include "store/records.h"

using namespace caseroom;
using caseroom::testing::slurp;
using caseroom::testing::spawnLogged;
using caseroom::testing::waitExit;

namespace {

std::int64_t unixNow() { return static_cast<std::int64_t>(core::cli::unixSecondsNow()); }

std::string formFile(const std::string& dir, const std::string& name, const std::string& history) {
    const std::vector<clinic::FilledField> fields{{"age_band", "60-69"},         {"sex", "female"},
                                                 {"setting", "rural"},          {"chief_complaint", "Fatigue, ALT 54"},
                                                 {"history", history},          {"question", "Treat now or wait?"}};
    const std::string path = dir + "/" + name;
    std::ofstream(path) << clinic::formatFilledForm(fields);
    return path;
}

} // namespace

TEST_CASE("caseroom --headless --submit-case against caseroom-server --db: held, fixed, accepted, audited", "[integration][process][desk]") {
    const caseroom::testing::TempDir tmp;
    REQUIRE(tmp.ok());
    const std::string d = tmp.path.string();
    std::int64_t lan = 0;
    {
        auto db = caseroom::testing::openClinicDb(d + "/clinic.db");
        store::Records records(*db);
        session::installEditAudit(records, caseroom::testing::stateAuditKey(d));
        const store::Actor admin{0, "coordinator", "test"};
        store::Program p;
        p.code = "hcv";
        p.name = "Hepatitis C ECHO";
        p.attestation = "De-identified, shared with consent.";
        auto pid = records.createProgram(p, admin, unixNow());
        REQUIRE(pid);
        store::Person person;
        person.stableId = "NPI-1000000002";
        person.name = "Nguyễn Thị Lan";
        auto id = records.upsertPerson(person, admin, unixNow());
        REQUIRE(id);
        lan = *id;
        REQUIRE(records.setRoster(store::RosterEntry{*pid, lan, core::Role::Spoke, true}, admin, unixNow()));
    }
    const pid_t server = spawnLogged({CASEROOM_SERVER_EXE, "--port", "0", "--bind", "127.0.0.1", "--port-file", d + "/port", "--state-dir", d},
                                     d + "/server.log");
    testing::Proc serverProc(server);
    REQUIRE(server > 0);
    const std::string port = caseroom::testing::waitForLine(d + "/port", 10.0);
    REQUIRE_FALSE(port.empty());

    // The program credential, minted with the server's deployment key.
    REQUIRE(net::secure::initCrypto());
    auto keys = net::secure::loadKeyring({d + "/caseroom.key"});
    REQUIRE(keys);
    net::secure::SystemRandom random;
    net::secure::MintDesc m;
    m.userId = static_cast<std::uint64_t>(lan);
    m.displayName = "Nguyễn Thị Lan";
    m.roomCode = "@hcv";
    m.role = core::Role::Spoke;
    m.nowUnix = core::cli::unixSecondsNow();
    auto token = net::secure::mintToken(m, *keys, random);
    REQUIRE(token);
    const std::string tokenPath = d + "/lan-hcv.token";
    REQUIRE(net::secure::writeTokenFile(tokenPath, *token));
    auto client = [&](std::vector<std::string> extra, std::string& out) {
        std::vector<std::string> args{CASEROOM_CLIENT_EXE, "--headless", "--connect", "127.0.0.1:" + port};
        args.insert(args.end(), extra.begin(), extra.end());
        const pid_t pid = spawnLogged(args, d + "/client.out");
        REQUIRE(pid > 0);
        const int rc = waitExit(pid, 60);
        out = slurp(d + "/client.out");
        return rc;
    };

    std::string out;
    const std::string held = formFile(d, "held.case", "Seen on 03/14/2025; call 555-867-5309.");
    CHECK(client({"--submit-case", held, tokenPath, "--attest"}, out) == 1);
    INFO(out);
    CHECK(out.find("\"kind\":\"date\"") != std::string::npos);
    CHECK(out.find("\"kind\":\"phone\"") != std::string::npos);
    CHECK(out.find("867-5309") == std::string::npos);
    const auto at = out.find("{\"case\":");
    REQUIRE(at != std::string::npos);
    const std::string caseId = out.substr(at + 8, out.find(',', at) - at - 8);

    const std::string fixed = formFile(d, "fixed.case", "Seen in 2025; chart reviewed.");
    CHECK(client({"--submit-case", fixed, tokenPath, "--attest", "--case", caseId}, out) == 0);
    CHECK(out.find("accepted case " + caseId) != std::string::npos);

    // In the database: the case, submitted, its edits on the chain under the presenter.
    {
        auto db = caseroom::testing::openClinicDb(d + "/clinic.db");
        store::Records records(*db);
        auto c = records.caseRecord(std::stoll(caseId));
        REQUIRE(c);
        CHECK(c->status == store::CaseStatus::Submitted);
        CHECK(c->presenterId == lan);
        CHECK(c->findings.empty());
        auto rows = records.auditRows(1, 0);
        REQUIRE(rows);
        bool edit = false;
        for (const auto& r : *rows)
            if (r.text.find("case " + caseId) != std::string::npos && r.text.find("person " + std::to_string(lan)) != std::string::npos) edit = true;
        CHECK(edit);
    }
    CHECK(serverProc.stop(10) == 0);
    const pid_t verify = spawnLogged({CASEROOM_AUDIT_EXE, "verify", "--db", d + "/clinic.db"}, d + "/verify.log");
    CHECK(waitExit(verify, 20) == 0);
    INFO(slurp(d + "/verify.log"));
}
