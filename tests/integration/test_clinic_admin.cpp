// caseroom-admin as a coordinator runs it, on a real SQLite file in a temp
// state directory: (a) the tool alone (programs, a UTF-8 roster, a schedule
// across a DST change, invitations, cases through the PHI screen and the
// workflow, refusals by role, attendance adjustments and the CSV export
// parsed back); (b) the whole path through caseroom-server and caseroom-bots
// joining with the tool's invitations, a revoked one refused, and the
// attendance intervals matching the server's joins and leaves.
// [SECTION] helpers  [SECTION] (a) the tool alone  [SECTION] (b) the whole path
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "clinic/attendance.h"
#include "clinic/schedule.h"
#include "core/cli.h"
#include "integration/process.h"
#include "net/secure/crypto.h"
#include "net/secure/invitation.h"
#include "net/secure/key_file.h"
#include "session/audit_log.h"
#include "session/db_audit.h"
#include "sim/permissions.h"
#include "store/database.h"
#include "store/records.h"

using namespace caseroom;
using caseroom::testing::slurp;
using caseroom::testing::waitExit;

namespace {

// [SECTION] helpers
struct Ran {
    int rc = -1;
    std::string out;  // stdout and stderr together
};

struct Clinic {
    caseroom::testing::TempDir tmp;
    std::string dir;      // the state directory
    int runs = 0;
    Clinic() : dir(tmp.path.string()) {}

    Ran admin(std::vector<std::string> args) {
        args.insert(args.begin(), {CASEROOM_ADMIN_EXE, "--state-dir", dir});
        const std::string log = dir + "/admin-" + std::to_string(++runs) + ".log";
        const pid_t pid = caseroom::testing::spawnLogged(args, log);
        Ran r;
        r.rc = pid > 0 ? waitExit(pid, 30) : -1;
        r.out = slurp(log);
        return r;
    }
    Ran as(const std::string& who, std::vector<std::string> args) {
        args.insert(args.begin(), {"--as", who});
        return admin(std::move(args));
    }
    std::string write(const std::string& name, const std::string& text) {
        const std::string path = dir + "/" + name;
        std::ofstream(path, std::ios::binary) << text;
        return path;
    }
    std::unique_ptr<store::Database> db() {
        store::OpenDesc d;
        d.path = dir + "/clinic.db";
        d.create = false;
        auto r = store::Database::open(d);
        REQUIRE(r.ok());
        return std::move(*r);
    }
};

std::string osUser() {
    const passwd* pw = ::getpwuid(::geteuid());
    return pw ? pw->pw_name : "";
}

constexpr const char* kForm =
    "[field age_band]\nlabel = Age band\nkind = choice\nchoices = 18-29, 30-39, 40-49, 50-59, 60-69, 70-79, 80-89, 90+\nrequired = yes\n"
    "[field history]\nlabel = History\nkind = longtext\nrequired = yes\n"
    "[field imaging]\nlabel = Imaging (a case deck)\nkind = deck\n"
    "[field question]\nlabel = Question for the hub\nkind = text\nrequired = yes\n";

constexpr const char* kClean =
    "[case]\nage_band = 60-69\nhistory = 67 yo M with chronic hepatitis C, ALT 54, treated in 2019 with\n  sofosbuvir 400 mg.\n"
    "imaging = 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\n"
    "question = Is retreatment advised?\n";

constexpr const char* kPlanted =
    "[case]\nage_band = 60-69\nhistory = Seen on 03/14/2025; reach the family at jdoe@example.org or 303-555-0188.\n"
    "question = Is retreatment advised?\n";

// stable id, name, role
struct Member { const char* stable; const char* name; core::Role role; };
const std::vector<Member> kRoster = {
    {"coord", "Maria Alvarez", core::Role::Coordinator}, {"fac", "Sam Okafor", core::Role::Facilitator},
    {"spec", "Ørsted", core::Role::Specialist},          {"spoke1", "Nguyễn Thị Lan", core::Role::Spoke},
    {"spoke2", "Jonas Berg", core::Role::Spoke},         {"obs", "Ola Nordmann", core::Role::Observer},
};

std::string rosterCsv(const std::string& speckPhone = "+45 3311 0000") {
    std::string csv = "stable_id,name,email,phone,profession,credential,site,role\n";
    for (const auto& m : kRoster)
        csv += std::string(m.stable) + "," + m.name + "," + m.stable + "@clinic.example,\"" +
               (std::string(m.stable) == "spec" ? speckPhone : "+1 555 0100") + "\",Physician,MD,\"Site, North\"," +
               core::toString(m.role) + "\n";
    return csv;
}

// Program "hcv" (America/Denver, the test form) with the roster, bootstrapped.
void setUpProgram(Clinic& c, const std::string& tz = "America/Denver") {
    const std::string form = c.write("form.ini", kForm);
    const Ran p = c.admin({"program", "create", "--code", "hcv", "--name", "Hepatitis C ECHO", "--tz", tz, "--form", form,
                           "--accreditation", "Accredited by the Example CME Council."});
    INFO(p.out);
    REQUIRE(p.rc == 0);
    const Ran r = c.admin({"roster", "import", "--program", "hcv", c.write("roster.csv", rosterCsv())});
    INFO(r.out);
    REQUIRE(r.rc == 0);
    CHECK(r.out.find("6 added") != std::string::npos);
}

std::int64_t personId(store::Records& rec, const char* stable) {
    auto p = rec.personByStableId(stable);
    REQUIRE(p.ok());
    REQUIRE(p->has_value());
    return (*p)->id;
}

std::int64_t lastNumberAfter(const std::string& text, const std::string& key) {
    const auto at = text.find(key);
    if (at == std::string::npos) return 0;
    return std::atoll(text.c_str() + at + key.size());
}

} // namespace

// [SECTION] (a) the tool alone
TEST_CASE("caseroom-admin: every command's --help exits 0", "[integration][admin]") {
    Clinic c;
    for (const std::vector<std::string>& args :
         std::vector<std::vector<std::string>>{{"--help"}, {"program", "--help"}, {"program", "create", "--help"}, {"roster", "--help"},
                                               {"roster", "import", "--help"}, {"schedule", "--help"}, {"sessions", "--help"},
                                               {"invite", "--help"}, {"credential", "--help"}, {"revoke", "--help"},
                                               {"invitations", "--help"}, {"case", "--help"}, {"case", "submit", "--help"},
                                               {"attendance", "--help"}, {"attendance", "adjust", "--help"}, {"certificates", "--help"},
                                               {"screen", "--help"}}) {
        const Ran r = c.admin(args);
        INFO(args[0] << " " << (args.size() > 1 ? args[1] : "") << ": " << r.out);
        CHECK(r.rc == 0);
        CHECK(r.out.find("usage: caseroom-admin") != std::string::npos);
    }
    CHECK(c.admin({"program", "create", "--bogus", "x"}).rc == 2);
    CHECK(c.admin({"no-such-command"}).rc == 2);
}

TEST_CASE("caseroom-admin: program and a UTF-8 roster, re-imported by stable id and audited", "[integration][admin]") {
    Clinic c;
    setUpProgram(c);
    // The state directory's owner bootstrapped; with a roster, --as is needed.
    const Ran again = c.admin({"roster", "import", "--program", "hcv", c.dir + "/roster.csv"});
    CHECK(again.rc == 1);
    CHECK(again.out.find("--as") != std::string::npos);
    const Ran list = c.as("coord", {"roster", "list", "--program", "hcv"});
    INFO(list.out);
    REQUIRE(list.rc == 0);
    CHECK(list.out.find("Nguyễn Thị Lan") != std::string::npos);
    CHECK(list.out.find("Ørsted") != std::string::npos);
    CHECK(list.out.find("\"Site, North\"") != std::string::npos);
    CHECK(c.as("spoke1", {"roster", "list", "--program", "hcv"}).rc == 1);  // contact details: coordinators only

    const Ran re = c.as("coord", {"roster", "import", "--program", "hcv", c.write("roster2.csv", rosterCsv("+45 7000 1111"))});
    INFO(re.out);
    REQUIRE(re.rc == 0);
    CHECK(re.out.find("1 updated") != std::string::npos);
    auto db = c.db();
    store::Records rec(*db);
    auto spec = rec.person(personId(rec, "spec"));
    REQUIRE(spec.ok());
    CHECK(spec->name == "Ørsted");
    CHECK(spec->phone == "+45 7000 1111");
    CHECK(spec->site == "Site, North");
    auto rows = rec.auditRows(1, 100000);
    REQUIRE(rows.ok());
    auto key = session::loadAuditKey(c.dir + "/audit.key");
    REQUIRE(key.ok());
    // The phone change is audited as the two values' lengths and keyed digests, never the numbers.
    const std::string oldPhone = session::auditValueDigest(*key, "+45 3311 0000");
    const std::string newPhone = session::auditValueDigest(*key, "+45 7000 1111");
    const bool audited = std::any_of(rows->begin(), rows->end(), [&](const store::AuditRow& r) {
        return r.text.find("\told=" + oldPhone + "\tnew=" + newPhone) != std::string::npos;
    });
    CHECK(audited);
    for (const auto& r : *rows) {
        INFO(r.text);
        CHECK(r.text.find("+45 3311 0000") == std::string::npos);
        CHECK(r.text.find("+45 7000 1111") == std::string::npos);
        CHECK(r.text.find("@clinic.example") == std::string::npos);
    }
    const std::string user = osUser();
    const bool named = std::any_of(rows->begin(), rows->end(), [&](const store::AuditRow& r) { return r.text.find(user) != std::string::npos; });
    CHECK(named);
    // The first program and roster were made by the state directory's owner, recorded as such.
    CHECK(std::any_of(rows->begin(), rows->end(), [](const store::AuditRow& r) { return r.text.find("bootstrap") != std::string::npos; }));
    // Every row the tool appended is on the chain the server's key verifies.
    auto report = session::verifyAuditDb(*db, *key);
    REQUIRE(report.ok());
    CHECK(report->problemCount == 0);
    CHECK(report->intact == rows->size());
}

TEST_CASE("caseroom-admin: a bad roster line is reported with its line and column and nothing is imported", "[integration][admin]") {
    Clinic c;
    const Ran p = c.admin({"program", "create", "--code", "hcv", "--name", "Hepatitis C ECHO", "--tz", "UTC"});
    REQUIRE(p.rc == 0);
    const std::string bad = c.write("bad.csv", "stable_id,name,email,phone,profession,credential,site,role\n"
                                               "a1,\"Lan, Nguyễn\",a1@x.org,,,,,spoke\n"
                                               "a2,Bob,b@x.org,,,,,nurse\n");
    const Ran r = c.admin({"roster", "import", "--program", "hcv", bad});
    INFO(r.out);
    CHECK(r.rc == 1);
    CHECK(r.out.find("bad.csv:3:") != std::string::npos);
    CHECK(r.out.find("role") != std::string::npos);
    CHECK(r.out.find("nurse") != std::string::npos);
    auto db = c.db();
    store::Records rec(*db);
    auto a1 = rec.personByStableId("a1");
    REQUIRE(a1.ok());
    CHECK_FALSE(a1->has_value());
    const Ran header = c.admin({"roster", "import", "--program", "hcv", c.write("h.csv", "stable_id,name,mail\n")});
    CHECK(header.rc == 1);
    CHECK(header.out.find("h.csv:1:") != std::string::npos);
}

TEST_CASE("caseroom-admin: a weekly series keeps its local time across the DST change", "[integration][admin]") {
    Clinic c;
    setUpProgram(c);
    // US daylight saving starts 2027-03-14: 12:00 in Denver is 19:00Z before, 18:00Z after.
    const Ran s = c.as("coord", {"schedule", "--program", "hcv", "--title", "Hep C clinic", "--first-date", "2027-03-04", "--time", "12:00",
                                 "--duration", "60", "--weeks", "3"});
    INFO(s.out);
    REQUIRE(s.rc == 0);
    CHECK(c.as("spoke1", {"schedule", "--program", "hcv", "--title", "x", "--first-date", "2027-03-04", "--time", "12:00", "--duration",
                          "60", "--weeks", "1"}).rc == 1);
    auto db = c.db();
    store::Records rec(*db);
    auto prog = rec.programByCode("hcv");
    REQUIRE(prog.ok());
    auto sessions = rec.sessions(prog->id);
    REQUIRE(sessions.ok());
    REQUIRE(sessions->size() == 3);
    CHECK(clinic::formatUtcIso((*sessions)[0].startUtc) == "2027-03-04T19:00:00Z");
    CHECK(clinic::formatUtcIso((*sessions)[1].startUtc) == "2027-03-11T19:00:00Z");
    CHECK(clinic::formatUtcIso((*sessions)[2].startUtc) == "2027-03-18T18:00:00Z");
    for (const auto& x : *sessions) {
        CHECK(x.endUtc - x.startUtc == 3600);
        CHECK(x.room == "hcv");
    }
    const Ran list = c.as("spoke1", {"sessions", "--program", "hcv"});
    INFO(list.out);
    CHECK(list.rc == 0);
    CHECK(list.out.find("2027-03-18T18:00:00Z") != std::string::npos);
    CHECK(list.out.find("2027-03-18 12:00") != std::string::npos);
}

TEST_CASE("caseroom-admin: invitations are written 0600 and parse and follow the identity conventions", "[integration][admin]") {
    Clinic c;
    setUpProgram(c);
    REQUIRE(net::secure::initCrypto());
    net::secure::SystemRandom random;
    REQUIRE(net::secure::loadOrCreateKeyFile(c.dir + "/caseroom.key", random).ok());
    REQUIRE(c.as("coord", {"schedule", "--program", "hcv", "--title", "Hep C clinic", "--first-date", "2027-03-04", "--time", "12:00",
                           "--duration", "60", "--weeks", "1"}).rc == 0);
    auto db = c.db();
    store::Records rec(*db);
    auto prog = rec.programByCode("hcv");
    REQUIRE(prog.ok());
    auto sessions = rec.sessions(prog->id);
    REQUIRE(sessions.ok());
    REQUIRE(sessions->size() == 1);
    const store::Session s = (*sessions)[0];
    const std::string out = c.dir + "/inv";
    const std::string now = std::to_string(s.startUtc - 86400);
    CHECK(c.as("spoke1", {"invite", "--session", std::to_string(s.id), "--all", "--server", "127.0.0.1:7777", "--out", out}).rc == 1);
    const Ran inv = c.as("coord", {"--now", now, "invite", "--session", std::to_string(s.id), "--all", "--server", "127.0.0.1:7777", "--out", out});
    INFO(inv.out);
    REQUIRE(inv.rc == 0);
    auto recorded = rec.invitations(prog->id, s.id);
    REQUIRE(recorded.ok());
    CHECK(recorded->size() == kRoster.size());
    for (const auto& m : kRoster) {
        const std::string path = out + "/" + m.stable + ".caseroom";
        struct stat st{};
        REQUIRE(::stat(path.c_str(), &st) == 0);
        CHECK((st.st_mode & 0777) == 0600);
        auto f = net::secure::readInvitationFile(path);
        INFO(path);
        REQUIRE(f.ok());
        CHECK(f->host == "127.0.0.1");
        CHECK(f->port == 7777);
        CHECK(f->room == "hcv");
        CHECK(f->sessionId == s.id);
        CHECK(f->kind == "session");
        const auto& g = f->token.grant;
        CHECK(g.roomCode == "hcv");
        CHECK(g.displayName == m.name);
        CHECK(g.role == m.role);
        CHECK(g.userId == static_cast<std::uint64_t>(personId(rec, m.stable)));
        CHECK(g.createdUnix == static_cast<std::uint64_t>(s.startUtc - 15 * 60));
        CHECK(f->token.wire.expiresUnix == static_cast<std::uint64_t>(s.endUtc + 30 * 60));
        const auto match = std::find_if(recorded->begin(), recorded->end(), [&](const store::Invitation& i) { return i.tokenId == g.tokenId; });
        REQUIRE(match != recorded->end());
        CHECK(match->personId == personId(rec, m.stable));
        CHECK(match->validFrom == s.startUtc - 15 * 60);
        CHECK(match->validUntil == s.endUtc + 30 * 60);
        const std::string text = slurp(path);
        CHECK(text.find("caseroom://") != std::string::npos);
    }
    // The program credential: room "@hcv", no session.
    const Ran cred = c.as("coord", {"credential", "--program", "hcv", "--person", "spoke1", "--server", "127.0.0.1:7777", "--out", out});
    INFO(cred.out);
    REQUIRE(cred.rc == 0);
    auto pc = net::secure::readInvitationFile(out + "/spoke1.program-hcv.caseroom");
    REQUIRE(pc.ok());
    CHECK(pc->token.grant.roomCode == "@hcv");
    CHECK(pc->kind == "program");
    // Revoking marks the record and appends the token id to the server's file.
    auto spoke2 = std::find_if(recorded->begin(), recorded->end(), [&](const store::Invitation& i) { return i.personId == personId(rec, "spoke2"); });
    REQUIRE(spoke2 != recorded->end());
    const Ran rv = c.as("coord", {"revoke", "--session", std::to_string(s.id), "--person", "spoke2", "--reason", "left the practice"});
    INFO(rv.out);
    REQUIRE(rv.rc == 0);
    char hex[20];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(spoke2->tokenId));
    CHECK(slurp(c.dir + "/revocations").find(std::string("token ") + hex) != std::string::npos);
    auto after = rec.invitationByToken(spoke2->tokenId);
    REQUIRE(after.ok());
    REQUIRE(after->has_value());
    CHECK((*after)->revokedAt != 0);
    CHECK((*after)->revokedReason == "left the practice");
    CHECK(c.as("coord", {"revoke", "--invitation", std::to_string(spoke2->id)}).rc == 1);  // already revoked
}

TEST_CASE("caseroom-admin: cases through the PHI screen and the workflow with refusals by role", "[integration][admin]") {
    Clinic c;
    setUpProgram(c);
    REQUIRE(c.as("coord", {"schedule", "--program", "hcv", "--title", "Hep C clinic", "--first-date", "2027-03-04", "--time", "12:00",
                           "--duration", "60", "--weeks", "1"}).rc == 0);
    const std::string clean = c.write("clean.case", kClean), planted = c.write("planted.case", kPlanted);
    // Without --attest: the attestation is shown and nothing is submitted.
    const Ran noAttest = c.as("spoke1", {"case", "submit", "--program", "hcv", clean});
    CHECK(noAttest.rc == 1);
    CHECK(noAttest.out.find("de-identified") != std::string::npos);
    CHECK(c.as("obs", {"case", "submit", "--program", "hcv", clean, "--attest"}).rc == 1);  // observers present nothing

    // The screen alone (tools/admin/screen_command.h): JSON lines, non-zero on findings.
    const Ran scr = c.admin({"screen", "--form", planted});
    INFO(scr.out);
    CHECK(scr.rc == 1);
    CHECK(scr.out.find("\"kind\":\"email\"") != std::string::npos);
    const Ran scrClean = c.admin({"screen", "--form", clean});
    INFO(scrClean.out);
    CHECK(scrClean.rc == 0);
    const Ran held = c.as("spoke1", {"case", "submit", "--program", "hcv", planted, "--attest"});
    INFO(held.out);
    CHECK(held.rc == 1);
    CHECK(held.out.find(store::toString(store::CaseStatus::Held)) != std::string::npos);
    CHECK(held.out.find("field history") != std::string::npos);
    CHECK(held.out.find("date") != std::string::npos);
    CHECK(held.out.find("email") != std::string::npos);
    CHECK(held.out.find("jdoe@example.org") == std::string::npos);  // spans and kinds, never the text
    const std::int64_t heldId = lastNumberAfter(held.out, "case ");
    const Ran ok = c.as("spoke1", {"case", "submit", "--program", "hcv", clean, "--attest"});
    INFO(ok.out);
    REQUIRE(ok.rc == 0);
    const std::int64_t cleanId = lastNumberAfter(ok.out, "case ");
    REQUIRE(heldId > 0);
    REQUIRE(cleanId > 0);
    {
        auto db = c.db();
        store::Records rec(*db);
        auto h = rec.caseRecord(heldId);
        REQUIRE(h.ok());
        CHECK(h->status == store::CaseStatus::Held);
        CHECK_FALSE(h->findings.empty());
        CHECK(h->attestedAt != 0);
        auto k = rec.caseRecord(cleanId);
        REQUIRE(k.ok());
        CHECK(k->status == store::CaseStatus::Submitted);
        CHECK(k->findings.empty());
        REQUIRE(k->decks.size() == 1);  // the form's deck field names the case deck
        CHECK(k->decks[0] == "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
    }
    // Hub-first visibility: another spoke sees neither; the presenter sees both.
    const Ran other = c.as("spoke2", {"case", "list", "--program", "hcv"});
    REQUIRE(other.rc == 0);
    CHECK(other.out.find(store::toString(store::CaseStatus::Submitted)) == std::string::npos);
    CHECK(c.as("spoke2", {"case", "show", std::to_string(cleanId)}).rc == 1);
    const Ran mine = c.as("spoke1", {"case", "list", "--program", "hcv"});
    CHECK(mine.out.find(store::toString(store::CaseStatus::Held)) != std::string::npos);
    CHECK(mine.out.find(store::toString(store::CaseStatus::Submitted)) != std::string::npos);

    // Vetting and overriding, table-driven over the roles: refused where the
    // permissions table says no (tried first), allowed where it says yes.
    struct Try { const char* verb; sim::Action action; std::int64_t id; std::vector<std::string> extra; };
    for (const Try& t : {Try{"vet", sim::Action::VetCase, cleanId, {}},
                         Try{"override", sim::Action::OverridePhi, heldId, {"--reason", "dates are the lab's, not the patient's"}}}) {
        std::vector<const Member*> order;
        for (const auto& m : kRoster)
            if (!sim::permitted(m.role, t.action)) order.push_back(&m);
        for (const auto& m : kRoster)
            if (sim::permitted(m.role, t.action)) order.push_back(&m);
        bool moved = false;
        for (const Member* m : order) {
            std::vector<std::string> args = {"case", t.verb, std::to_string(t.id)};
            args.insert(args.end(), t.extra.begin(), t.extra.end());
            const Ran r = c.as(m->stable, args);
            INFO(t.verb << " as " << m->stable << " (" << core::toString(m->role) << "): " << r.out);
            if (!sim::permitted(m->role, t.action) || moved) {
                CHECK(r.rc == 1);
            } else {
                CHECK(r.rc == 0);
                moved = true;
            }
        }
        CHECK(moved);
    }
    CHECK(c.as("coord", {"case", "override", std::to_string(heldId)}).rc == 2);  // the reason is required
    // The specialist now reads vetted cases; a refused move says why.
    const Ran hub = c.as("spec", {"case", "list", "--program", "hcv"});
    CHECK(hub.out.find(store::toString(store::CaseStatus::Vetted)) != std::string::npos);
    const Ran bad = c.as("coord", {"case", "move", std::to_string(cleanId), "--to", store::toString(store::CaseStatus::RecommendationsSent)});
    INFO(bad.out);
    CHECK(bad.rc == 1);
    CHECK(bad.out.find("refused") != std::string::npos);
    CHECK(c.as("spoke2", {"case", "move", std::to_string(cleanId), "--to", store::toString(store::CaseStatus::Withdrawn)}).rc == 1);
    // Scheduling names a session of the program.
    auto db = c.db();
    store::Records rec(*db);
    auto prog = rec.programByCode("hcv");
    REQUIRE(prog.ok());
    auto sessions = rec.sessions(prog->id);
    REQUIRE(sessions.ok());
    REQUIRE_FALSE(sessions->empty());
    const Ran sch = c.as("coord", {"case", "schedule", std::to_string(cleanId), "--session", std::to_string((*sessions)[0].id)});
    INFO(sch.out);
    CHECK(sch.rc == 0);
    auto k = rec.caseRecord(cleanId);
    REQUIRE(k.ok());
    CHECK(k->status == store::CaseStatus::Scheduled);
    CHECK(k->sessionId == (*sessions)[0].id);
    auto h = rec.caseRecord(heldId);
    REQUIRE(h.ok());
    CHECK(h->status == store::CaseStatus::Vetted);
    CHECK(h->phiOverride == "dates are the lab's, not the patient's");

    // An edit is screened again: a held case fixed goes back to submitted.
    const Ran held2 = c.as("spoke1", {"case", "submit", "--program", "hcv", planted, "--attest"});
    const std::int64_t id2 = lastNumberAfter(held2.out, "case ");
    REQUIRE(id2 > 0);
    const Ran fixed = c.as("spoke1", {"case", "edit", std::to_string(id2), clean});
    INFO(fixed.out);
    CHECK(fixed.rc == 0);
    auto e = rec.caseRecord(id2);
    REQUIRE(e.ok());
    CHECK(e->status == store::CaseStatus::Submitted);
    CHECK(e->findings.empty());
    const Ran again = c.as("spoke1", {"case", "edit", std::to_string(id2), planted});  // and held again
    CHECK(again.rc == 1);
    CHECK(rec.caseRecord(id2)->status == store::CaseStatus::Held);

    // Presented, recommendations sent, follow-up requested, re-presented.
    const auto to = [](store::CaseStatus st) { return std::string(store::toString(st)); };
    const std::string cid = std::to_string(cleanId);
    CHECK(c.as("fac", {"case", "move", cid, "--to", to(store::CaseStatus::Presented)}).rc == 0);
    CHECK(c.as("fac", {"case", "move", cid, "--to", to(store::CaseStatus::RecommendationsSent)}).rc == 0);
    CHECK(c.as("spec", {"case", "move", cid, "--to", to(store::CaseStatus::FollowUpRequested)}).rc == 2);  // the date is required
    const Ran fu = c.as("spec", {"case", "move", cid, "--to", to(store::CaseStatus::FollowUpRequested), "--date", "2099-01-14"});
    INFO(fu.out);
    CHECK(fu.rc == 0);
    CHECK(rec.caseRecord(cleanId)->followUpDate == "2099-01-14");
    CHECK(c.as("spoke2", {"case", "represent", cid, clean, "--attest"}).rc == 1);  // not the presenter
    const Ran rp = c.as("spoke1", {"case", "represent", cid, clean, "--attest"});
    INFO(rp.out);
    REQUIRE(rp.rc == 0);
    const std::int64_t newId = lastNumberAfter(rp.out.substr(rp.out.find('\n') + 1), "case ");
    REQUIRE(newId > 0);
    auto follow = rec.caseRecord(newId);
    REQUIRE(follow.ok());
    CHECK(follow->originalCaseId == cleanId);
    CHECK(follow->status == store::CaseStatus::Submitted);
    CHECK(rec.caseRecord(cleanId)->status == store::CaseStatus::FollowUpRequested);
}

TEST_CASE("caseroom-admin: an input file over 16 MiB is refused, naming it", "[integration][admin]") {
    Clinic c;
    setUpProgram(c);
    const std::string big = c.write("huge.csv", "stable_id,name,email,phone,profession,credential,site,role\n");
    std::filesystem::resize_file(big, (std::uintmax_t{16} << 20) + 1);
    const Ran r = c.as("coord", {"roster", "import", "--program", "hcv", big});
    INFO(r.out);
    CHECK(r.rc == 1);
    CHECK(r.out.find(big + ": larger than 16 MiB") != std::string::npos);
}

TEST_CASE("caseroom-admin: with --db outside the state directory the chain key is the database's, as the server's",
          "[integration][admin]") {
    Clinic c;
    caseroom::testing::TempDir elsewhere;
    REQUIRE(elsewhere.ok());
    const std::string dbPath = elsewhere.file("clinic.db");
    const std::string form = c.write("form.ini", kForm);
    const Ran p = c.admin({"--db", dbPath, "program", "create", "--code", "hcv", "--name", "Hepatitis C ECHO", "--tz", "America/Denver",
                           "--form", form});
    INFO(p.out);
    REQUIRE(p.rc == 0);
    const Ran r = c.admin({"--db", dbPath, "roster", "import", "--program", "hcv", c.write("roster.csv", rosterCsv())});
    INFO(r.out);
    REQUIRE(r.rc == 0);
    // The key is made beside the database (where the server and caseroom-audit look), not in the state directory.
    CHECK(std::filesystem::exists(elsewhere.file("audit.key")));
    CHECK_FALSE(std::filesystem::exists(c.dir + "/audit.key"));
    store::OpenDesc d;
    d.path = dbPath;
    d.create = false;
    auto db = store::Database::open(d);
    REQUIRE(db.ok());
    auto key = session::loadAuditKey(session::defaultAuditKeyPath(dbPath));
    REQUIRE(key.ok());
    auto report = session::verifyAuditDb(**db, *key);
    REQUIRE(report.ok());
    CHECK(report->problemCount == 0);
    CHECK(report->intact > 0);
    CHECK(report->intact == report->lines);
}

TEST_CASE("caseroom-admin: attendance adjustments are audited and the CSV export parses back", "[integration][admin]") {
    Clinic c;
    setUpProgram(c);
    REQUIRE(c.as("coord", {"schedule", "--program", "hcv", "--title", "Hep C clinic", "--first-date", "2027-03-04", "--time", "12:00",
                           "--duration", "60", "--weeks", "1"}).rc == 0);
    store::Session s;
    std::int64_t spoke1 = 0, spoke2 = 0, spec = 0;
    {
        // The server's join and leave intervals, written as it writes them.
        auto db = c.db();
        store::Records rec(*db);
        auto prog = rec.programByCode("hcv");
        REQUIRE(prog.ok());
        auto sessions = rec.sessions(prog->id);
        REQUIRE(sessions.ok());
        REQUIRE(sessions->size() == 1);
        s = (*sessions)[0];
        spoke1 = personId(rec, "spoke1");
        spoke2 = personId(rec, "spoke2");
        spec = personId(rec, "spec");
        auto interval = [&](std::int64_t person, const char* name, core::Role role, std::int64_t from, std::int64_t to) {
            store::AttendanceInterval a;
            a.sessionId = s.id;
            a.personId = person;
            a.userId = static_cast<std::uint64_t>(person);
            a.displayName = name;
            a.role = role;
            a.joinedAt = from;
            a.lastSeen = from;
            auto id = rec.openInterval(a);
            REQUIRE(id.ok());
            REQUIRE(rec.closeInterval(*id, to).ok());
        };
        interval(spoke1, "Nguyễn Thị Lan", core::Role::Spoke, s.startUtc, s.startUtc + 40 * 60);
        interval(spoke2, "Jonas Berg", core::Role::Spoke, s.startUtc + 5 * 60, s.startUtc + 20 * 60);
        interval(spoke2, "Jonas Berg", core::Role::Spoke, s.startUtc + 21 * 60, s.startUtc + 40 * 60);  // a reconnect
        interval(spec, "Ørsted", core::Role::Specialist, s.startUtc - 300, s.endUtc + 300);
    }
    const std::string now = std::to_string(s.endUtc + 3600);
    const std::string sid = std::to_string(s.id);
    CHECK(c.as("coord", {"attendance", "adjust", "--session", sid, "--person", "spoke2", "--minutes", "55"}).rc == 2);  // no reason
    CHECK(c.as("spoke2", {"attendance", "adjust", "--session", sid, "--person", "spoke2", "--minutes", "60", "--reason", "x"}).rc == 1);
    const Ran adj = c.as("coord", {"--now", now, "attendance", "adjust", "--session", sid, "--person", "spoke2", "--minutes", "55", "--reason",
                                   "audio dropped; stayed on the phone bridge"});
    INFO(adj.out);
    REQUIRE(adj.rc == 0);
    const Ran site = c.as("coord", {"--now", now, "attendance", "adjust", "--session", sid, "--site", "--people", "obs,fac", "--minutes",
                                    "60", "--reason", "watched from the Site North screen"});
    INFO(site.out);
    REQUIRE(site.rc == 0);
    const std::string csvPath = c.dir + "/attendance.csv";
    CHECK(c.as("spoke1", {"attendance", "export", "--session", sid, "--out", csvPath}).rc == 1);
    const Ran ex = c.as("coord", {"--now", now, "attendance", "export", "--session", sid, "--out", csvPath});
    INFO(ex.out);
    REQUIRE(ex.rc == 0);

    auto db = c.db();
    store::Records rec(*db);
    auto adjustments = rec.adjustments(s.id);
    REQUIRE(adjustments.ok());
    REQUIRE(adjustments->size() == 3);
    const auto& a0 = (*adjustments)[0];
    CHECK(a0.personId == spoke2);
    CHECK(a0.minutesNew == 55);
    CHECK(a0.minutesOld == 34);  // 15 + 19 minutes, the 60 s gap merged and not counted
    CHECK(a0.reason == "audio dropped; stayed on the phone bridge");
    CHECK(a0.byPersonId == personId(rec, "coord"));
    CHECK(a0.byOsUser == osUser());
    auto rows = rec.auditRows(1, 100000);
    REQUIRE(rows.ok());
    CHECK(std::any_of(rows->begin(), rows->end(), [](const store::AuditRow& r) { return r.text.find("phone bridge") != std::string::npos; }));

    // The export, parsed back, is what the clinic rules compute from the same rows.
    const std::string csv = slurp(csvPath);
    auto parsed = clinic::parseCsv(csv, csvPath);
    REQUIRE(parsed.ok());
    auto prog = rec.program(s.programId);
    REQUIRE(prog.ok());
    auto intervals = rec.attendance(s.id);
    REQUIRE(intervals.ok());
    const auto lines = clinic::computeAttendance(*prog, s, *intervals, *adjustments, std::stoll(now));
    std::string expected = clinic::attendanceCsvHeader();
    for (const auto& l : lines) {
        auto person = rec.person(l.personId);
        clinic::CsvPersonInfo info;
        if (person) info = {person->stableId, person->profession, person->credential, person->site};
        expected += clinic::attendanceCsvRow(s, l, info);
    }
    auto want = clinic::parseCsv(expected, "expected");
    REQUIRE(want.ok());
    CHECK(*parsed == *want);
    REQUIRE(parsed->size() >= 4);
    const auto& header = (*parsed)[0];
    const auto col = [&](const char* name) {
        return static_cast<std::size_t>(std::find(header.begin(), header.end(), name) - header.begin());
    };
    REQUIRE(col("name") < header.size());
    REQUIRE(col("minutes") < header.size());
    std::map<std::string, std::vector<std::string>> byStable;
    for (std::size_t i = 1; i < parsed->size(); ++i) byStable[(*parsed)[i][col("person_stable_id")]] = (*parsed)[i];
    REQUIRE(byStable.count("spoke1") == 1);
    CHECK(byStable["spoke1"][col("name")] == "Nguyễn Thị Lan");
    CHECK(std::stod(byStable["spoke1"][col("minutes")]) == Approx(40.0));
    REQUIRE(byStable.count("spoke2") == 1);
    CHECK(std::stod(byStable["spoke2"][col("minutes")]) == Approx(55.0));
    CHECK(byStable["spoke2"][col("intervals")] == "1");
    REQUIRE(byStable.count("spec") == 1);
    CHECK(std::stod(byStable["spec"][col("minutes")]) == Approx(60.0));  // clipped to the session window

    // Certificates for the eligible (threshold 0.75 of 60 minutes).
    const Ran cert = c.as("coord", {"--now", now, "certificates", "--session", sid, "--out", c.dir + "/certs"});
    INFO(cert.out);
    REQUIRE(cert.rc == 0);
    const std::string certText = slurp(c.dir + "/certs/spec-session-" + sid + ".txt");
    CHECK(certText.find("Ørsted") != std::string::npos);
    CHECK(certText.find("Accredited by the Example CME Council.") != std::string::npos);
    CHECK(std::filesystem::exists(c.dir + "/certs/spoke2-session-" + sid + ".html"));         // 55 of 60 minutes, adjusted
    CHECK_FALSE(std::filesystem::exists(c.dir + "/certs/spoke1-session-" + sid + ".txt"));  // 40 of 60 minutes: under 0.75
}

// [SECTION] (b) the whole path
namespace {

// A UDP port free right now on loopback (the invitations name it before the
// server starts, so the server loads the revocations already written).
std::uint16_t freeUdpPort() {
    const int s = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(s);
    return ntohs(a.sin_port);
}

struct Presence { std::uint64_t user = 0; std::uint64_t time = 0; session::AuditKind kind{}; };

// The server's joins, leaves and refusals from its audit trail in the
// database: a transport or room row's text is an audit line without its mac.
std::vector<Presence> auditPresence(store::Records& rec) {
    std::vector<Presence> out;
    auto rows = rec.auditRows(1, 1000000);
    REQUIRE(rows.ok());
    for (const auto& row : *rows) {
        std::string line = row.text + "\tmac=";
        for (const auto b : row.mac) {
            char h[3];
            std::snprintf(h, sizeof h, "%02x", b);
            line += h;
        }
        auto p = session::parseAuditLine(line);
        if (!p) continue;  // a record edit (actor, old and new fields)
        out.push_back({p->record.userId, p->record.unixTime, p->record.kind});
    }
    return out;
}

} // namespace

TEST_CASE("the whole path: invitations from caseroom-admin into caseroom-server --db and bots with a revoked one refused "
          "and attendance intervals matching the joins and leaves",
          "[integration][admin][process]") {
    Clinic c;
    REQUIRE(net::secure::initCrypto());
    net::secure::SystemRandom random;
    REQUIRE(net::secure::loadOrCreateKeyFile(c.dir + "/caseroom.key", random).ok());
    setUpProgram(c, "UTC");
    // A session that started a minute ago: its lobby is open and joins count.
    const std::int64_t start = static_cast<std::int64_t>(core::cli::unixSecondsNow()) / 60 * 60 - 60;
    const std::string iso = clinic::formatUtcIso(start);
    REQUIRE(c.as("coord", {"schedule", "--program", "hcv", "--title", "Hep C clinic", "--first-date", iso.substr(0, 10), "--time",
                           iso.substr(11, 5), "--duration", "60", "--weeks", "1"}).rc == 0);
    store::Session s;
    std::int64_t spoke1 = 0, spoke2 = 0, spec = 0;
    {
        auto db = c.db();
        store::Records rec(*db);
        auto prog = rec.programByCode("hcv");
        REQUIRE(prog.ok());
        auto sessions = rec.sessions(prog->id);
        REQUIRE(sessions.ok());
        REQUIRE(sessions->size() == 1);
        s = (*sessions)[0];
        spoke1 = personId(rec, "spoke1");
        spoke2 = personId(rec, "spoke2");
        spec = personId(rec, "spec");
    }
    const std::string port = std::to_string(freeUdpPort());
    const std::string inv = c.dir + "/invitations";
    const Ran issued = c.as("coord", {"invite", "--session", std::to_string(s.id), "--person", "spoke1,spoke2,spec", "--server",
                                      "127.0.0.1:" + port, "--out", inv});
    INFO(issued.out);
    REQUIRE(issued.rc == 0);
    const Ran revoked = c.as("coord", {"revoke", "--session", std::to_string(s.id), "--person", "spoke2", "--reason", "wrong person"});
    INFO(revoked.out);
    REQUIRE(revoked.rc == 0);

    caseroom::testing::Proc server(caseroom::testing::spawnLogged(
        {CASEROOM_SERVER_EXE, "--bind", "127.0.0.1", "--port", port, "--port-file", c.dir + "/port", "--state-dir", c.dir, "--db",
         c.dir + "/clinic.db"},  // every program in the database is a room
        c.dir + "/server.log"));
    REQUIRE(server.pid > 0);
    INFO(slurp(c.dir + "/server.log"));
    REQUIRE(caseroom::testing::waitForLine(c.dir + "/port", 10) == port);
    // One bot per invitation file; each joins with its own token, stays, leaves.
    const pid_t bots = caseroom::testing::spawnLogged({CASEROOM_BOTS_EXE, "--invitations", inv, "--duration", "4", "--quiet"},
                                                      c.dir + "/bots.log");
    REQUIRE(bots > 0);
    // The tool beside the running server on one database: reads and a write
    // (each one transaction, waiting on the busy timeout when the server writes).
    const auto joinedLog = [&] { return slurp(c.dir + "/server.log").find("joined room 'hcv'") != std::string::npos; };
    for (int i = 0; i < 500 && !joinedLog(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    CHECK(c.as("coord", {"attendance", "export", "--session", std::to_string(s.id)}).rc == 0);
    CHECK(c.as("spoke1", {"case", "submit", "--program", "hcv", c.write("live.case", kClean), "--attest"}).rc == 0);
    const int botsRc = waitExit(bots, 40);
    INFO("bots: " << slurp(c.dir + "/bots.log"));
    CHECK(botsRc != -1);
    REQUIRE(server.stop(10) == 0);

    // The server's own account: two joined and left, the revoked one refused.
    auto db = c.db();
    store::Records rec(*db);
    const auto presence = auditPresence(rec);
    REQUIRE_FALSE(presence.empty());
    auto find = [&](std::int64_t person, session::AuditKind kind) -> const Presence* {
        for (const auto& p : presence)
            if (p.user == static_cast<std::uint64_t>(person) && p.kind == kind) return &p;
        return nullptr;
    };
    CHECK(find(spoke2, session::AuditKind::Joined) == nullptr);
    CHECK((find(spoke2, session::AuditKind::Revoked) || find(spoke2, session::AuditKind::HandshakeRefused)));
    auto intervals = rec.attendance(s.id);
    REQUIRE(intervals.ok());
    for (const std::int64_t person : {spoke1, spec}) {
        const Presence* joined = find(person, session::AuditKind::Joined);
        const Presence* left = find(person, session::AuditKind::Left);
        INFO("person " << person);
        REQUIRE(joined);
        REQUIRE(left);
        std::vector<store::AttendanceInterval> mine;
        for (const auto& i : *intervals)
            if (i.personId == person) mine.push_back(i);
        REQUIRE(mine.size() == 1);
        CHECK(mine[0].userId == static_cast<std::uint64_t>(person));
        CHECK(std::llabs(mine[0].joinedAt - static_cast<std::int64_t>(joined->time)) <= 1);
        CHECK(std::llabs(mine[0].leftAt - static_cast<std::int64_t>(left->time)) <= 1);
        CHECK_FALSE(mine[0].interrupted);
    }
    CHECK(std::none_of(intervals->begin(), intervals->end(), [&](const store::AttendanceInterval& i) { return i.personId == spoke2; }));

    // The export through the tool says the same.
    const std::string csvPath = c.dir + "/attendance.csv";
    const Ran ex = c.as("coord", {"attendance", "export", "--session", std::to_string(s.id), "--out", csvPath});
    INFO(ex.out);
    REQUIRE(ex.rc == 0);
    // The server's rows and the tool's, written side by side, form one chain.
    auto key = session::loadAuditKey(c.dir + "/audit.key");
    REQUIRE(key.ok());
    auto report = session::verifyAuditDb(*db, *key);
    REQUIRE(report.ok());
    CHECK(report->problemCount == 0);
    auto parsed = clinic::parseCsv(slurp(csvPath), csvPath);
    REQUIRE(parsed.ok());
    REQUIRE(parsed->size() == 3);  // header, spoke1, spec
    const auto& header = (*parsed)[0];
    const auto col = [&](const char* name) {
        return static_cast<std::size_t>(std::find(header.begin(), header.end(), name) - header.begin());
    };
    for (std::size_t i = 1; i < parsed->size(); ++i) {
        const auto& row = (*parsed)[i];
        const std::int64_t person = row[col("person_stable_id")] == "spoke1" ? spoke1 : spec;
        const auto it = std::find_if(intervals->begin(), intervals->end(), [&](const store::AttendanceInterval& a) { return a.personId == person; });
        REQUIRE(it != intervals->end());
        CHECK(row[col("first_join_utc")] == clinic::formatUtcIso(std::max(it->joinedAt, s.startUtc)));
        CHECK(row[col("last_leave_utc")] == clinic::formatUtcIso(it->leftAt));
        CHECK(row[col("intervals")] == "1");
        const double seconds = static_cast<double>(it->leftAt - std::max(it->joinedAt, s.startUtc));
        CHECK(std::stod(row[col("minutes")]) == Approx(seconds / 60.0).margin(0.051));  // the CSV has tenths of minutes
    }
}
