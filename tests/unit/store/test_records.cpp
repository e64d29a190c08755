// The clinic's records on a real SQLite file: every kind round-trips,
// UTF-8 names included; every edit leaves one audit row per changed value
// with the old and the new value, in the edit's own transaction; the audit
// table refuses UPDATE and DELETE; a room's session window; intervals left
// open by a crash close at their last heartbeat.
#include <catch2/catch.hpp>

#include <map>

#include "store/database.h"
#include "store/records.h"
#include "temp_dir.h"

using namespace caseroom;
using namespace caseroom::store;
using caseroom::testing::TempDir;

namespace {

const Actor kAdmin{.personId = 0, .osUser = "coord", .via = "caseroom-admin"};

struct Fixture {
    TempDir dir;
    std::unique_ptr<Database> db;
    std::unique_ptr<Records> r;
    Fixture() {
        auto d = Database::open({.path = dir.file("clinic.db")});
        REQUIRE(d.ok());
        db = std::move(*d);
        r = std::make_unique<Records>(*db);
    }
};

template <typename T>
T ok(core::Result<T> v) {
    INFO((v.ok() ? std::string() : v.error().message));
    REQUIRE(v.ok());
    return std::move(*v);
}

void ok(const core::Status& s) {
    INFO((s.ok() ? std::string() : s.error().message));
    REQUIRE(s.ok());
}

// A raw audit row (no hook installed) as its named fields.
std::map<std::string, std::string> fieldsOf(const AuditRow& row) {
    std::map<std::string, std::string> out;
    std::size_t at = 0;
    while (at <= row.text.size()) {
        std::size_t end = row.text.find('\t', at);
        if (end == std::string::npos) end = row.text.size();
        const std::string part = row.text.substr(at, end - at);
        if (auto eq = part.find('='); eq != std::string::npos) out[part.substr(0, eq)] = part.substr(eq + 1);
        at = end + 1;
    }
    return out;
}

std::vector<std::map<std::string, std::string>> auditSince(Records& r, std::int64_t seq) {
    std::vector<std::map<std::string, std::string>> out;
    for (const auto& row : ok(r.auditRows(seq + 1, 0))) {
        CHECK(row.kind == "RecordEdit");
        CHECK(row.mac == std::array<std::uint8_t, 32>{});
        out.push_back(fieldsOf(row));
    }
    return out;
}

std::int64_t lastSeq(Records& r) {
    auto last = ok(r.lastAudit());
    return last ? last->seq : 0;
}

Program hcv() {
    Program p;
    p.code = "hcv";
    p.name = "Hepatitis C ECHO";
    p.timeZone = "America/Denver";
    p.formTemplate = "field history text required\n";
    p.cmeThreshold = 0.8;
    p.creditType = "AMA PRA Category 1 Credit(TM)";
    p.creditPerHour = 1.5;
    p.creditRounding = "half-down";
    p.accreditation = "Accredited by the Ørsted Institute";
    p.attestation = "I attest the case is de-identified.";
    p.liability = "Recommendations are advice only.";
    p.lobbyMinutes = 10;
    p.overrunMinutes = 20;
    p.reconnectGraceSeconds = 90;
    return p;
}

Person lan() {
    return Person{.stableId = "NPI 1234567890", .name = "Nguyễn Thị Lan", .email = "lan@example.org", .phone = "+84 1",
                  .profession = "Family physician", .credential = "MD", .site = "Trạm Y tế Xã"};
}

} // namespace

TEST_CASE("a program round-trips, and each changed value is one audit row with old and new") {
    Fixture f;
    const std::int64_t id = ok(f.r->createProgram(hcv(), kAdmin, 100));
    CHECK(id > 0);
    Program got = ok(f.r->program(id));
    Program want = hcv();
    want.id = id;
    CHECK(got.code == want.code);
    CHECK(got.name == want.name);
    CHECK(got.timeZone == want.timeZone);
    CHECK(got.formTemplate == want.formTemplate);
    CHECK(got.cmeThreshold == want.cmeThreshold);
    CHECK(got.creditType == want.creditType);
    CHECK(got.creditPerHour == want.creditPerHour);
    CHECK(got.creditRounding == want.creditRounding);
    CHECK(got.accreditation == want.accreditation);
    CHECK(got.attestation == want.attestation);
    CHECK(got.liability == want.liability);
    CHECK(got.lobbyMinutes == 10);
    CHECK(got.overrunMinutes == 20);
    CHECK(got.reconnectGraceSeconds == 90);
    CHECK(ok(f.r->programByCode("hcv")).id == id);
    CHECK(ok(f.r->programs()).size() == 1);

    auto created = auditSince(*f.r, 0);
    REQUIRE(created.size() == 1);
    CHECK(created[0]["record"] == "program hcv");
    CHECK(created[0]["field"] == "created");
    CHECK(created[0]["os_user"] == "coord");
    CHECK(created[0]["via"] == "caseroom-admin");
    CHECK(created[0]["new"].find("name=Hepatitis C ECHO") != std::string::npos);

    const std::int64_t seq = lastSeq(*f.r);
    got.name = "HCV ECHO";
    got.cmeThreshold = 0.5;
    ok(f.r->updateProgram(got, kAdmin, 200));
    auto edits = auditSince(*f.r, seq);
    REQUIRE(edits.size() == 2);
    CHECK(edits[0]["field"] == "name");
    CHECK(edits[0]["old"] == "Hepatitis C ECHO");
    CHECK(edits[0]["new"] == "HCV ECHO");
    CHECK(edits[1]["field"] == "cmeThreshold");
    CHECK(edits[1]["old"] == "0.8");
    CHECK(edits[1]["new"] == "0.5");
    CHECK(ok(f.r->program(id)).name == "HCV ECHO");

    // Saving the same values again changes nothing and records nothing.
    const std::int64_t seq2 = lastSeq(*f.r);
    ok(f.r->updateProgram(got, kAdmin, 300));
    CHECK(lastSeq(*f.r) == seq2);
}

TEST_CASE("program errors name the program or the id") {
    Fixture f;
    ok(f.r->createProgram(hcv(), kAdmin, 1));
    auto dup = f.r->createProgram(hcv(), kAdmin, 2);
    REQUIRE_FALSE(dup.ok());
    CHECK(dup.error().message.find("'hcv'") != std::string::npos);
    auto missing = f.r->program(42);
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().message == "program 42: no such program");
    Program bad = hcv();
    bad.code = "x y";
    CHECK_FALSE(f.r->createProgram(bad, kAdmin, 3).ok());
    bad = hcv();
    bad.code = "other";
    bad.cmeThreshold = 1.5;
    CHECK_FALSE(f.r->createProgram(bad, kAdmin, 3).ok());
    Program ghost = hcv();
    ghost.id = 42;
    ghost.code = "ghost";
    auto up = f.r->updateProgram(ghost, kAdmin, 4);
    REQUIRE_FALSE(up.ok());
    CHECK(up.error().message.find("program 42") != std::string::npos);
    CHECK(ok(f.r->programs()).size() == 1);
}

TEST_CASE("people keep UTF-8 names; an upsert by stable id audits only what changed") {
    Fixture f;
    const std::int64_t id = ok(f.r->upsertPerson(lan(), kAdmin, 10));
    Person orsted{.stableId = "dk-7", .name = "Ørsted", .credential = "PharmD"};
    const std::int64_t id2 = ok(f.r->upsertPerson(orsted, kAdmin, 10));
    CHECK(id2 != id);
    Person got = ok(f.r->person(id));
    CHECK(got.name == "Nguyễn Thị Lan");
    CHECK(got.site == "Trạm Y tế Xã");
    CHECK(got.email == "lan@example.org");
    CHECK(got.profession == "Family physician");
    CHECK(ok(f.r->person(id2)).name == "Ørsted");
    CHECK(ok(f.r->personByStableId("dk-7"))->id == id2);
    CHECK_FALSE(ok(f.r->personByStableId("nobody")).has_value());

    const std::int64_t seq = lastSeq(*f.r);
    Person moved = lan();
    moved.site = "Bệnh viện Huyện";
    CHECK(ok(f.r->upsertPerson(moved, kAdmin, 20)) == id);   // same person
    auto edits = auditSince(*f.r, seq);
    REQUIRE(edits.size() == 1);
    CHECK(edits[0]["record"] == "person " + std::to_string(id));
    CHECK(edits[0]["field"] == "site");
    // Email and phone are sensitive: lengths only, at creation and on change.
    moved.email = "lan.nguyen@example.org";
    moved.phone = "+84 90 123 4567";
    ok(f.r->upsertPerson(moved, kAdmin, 21));
    std::map<std::string, std::map<std::string, std::string>> contact;
    for (auto& e : auditSince(*f.r, seq + 1)) contact[e["field"]] = e;
    REQUIRE(contact.size() == 2);
    CHECK(contact["email"]["old"] == "15 bytes");
    CHECK(contact["email"]["new"] == "22 bytes");
    CHECK(contact["phone"]["new"] == "15 bytes");
    for (const auto& row : ok(f.r->auditRows(1, 0))) {
        CHECK(row.text.find("example.org") == std::string::npos);
        CHECK(row.text.find("123 4567") == std::string::npos);
    }
    CHECK(edits[0]["old"] == "Trạm Y tế Xã");
    CHECK(edits[0]["new"] == "Bệnh viện Huyện");

    Person bad = lan();
    bad.stableId = "bad";
    bad.name = std::string("Lan\xC3", 4);   // cut UTF-8
    auto refused = f.r->upsertPerson(bad, kAdmin, 30);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().message.find("UTF-8") != std::string::npos);
    CHECK(refused.error().message.find("name") != std::string::npos);
    CHECK_FALSE(f.r->upsertPerson(Person{.stableId = "", .name = "x"}, kAdmin, 30).ok());
    CHECK_FALSE(f.r->person(999).ok());
}

TEST_CASE("the roster keeps roles per program and audits role changes") {
    Fixture f;
    const std::int64_t prog = ok(f.r->createProgram(hcv(), kAdmin, 1));
    const std::int64_t a = ok(f.r->upsertPerson(lan(), kAdmin, 1));
    const std::int64_t b = ok(f.r->upsertPerson(Person{.stableId = "dk-7", .name = "Ørsted"}, kAdmin, 1));
    ok(f.r->setRoster({.programId = prog, .personId = a, .role = core::Role::Spoke}, kAdmin, 2));
    ok(f.r->setRoster({.programId = prog, .personId = b, .role = core::Role::Specialist}, kAdmin, 2));
    auto roster = ok(f.r->roster(prog));
    REQUIRE(roster.size() == 2);
    auto entry = ok(f.r->rosterEntry(prog, b));
    REQUIRE(entry.has_value());
    CHECK(entry->role == core::Role::Specialist);
    CHECK(entry->active);

    const std::int64_t seq = lastSeq(*f.r);
    ok(f.r->setRoster({.programId = prog, .personId = b, .role = core::Role::Facilitator, .active = false}, kAdmin, 3));
    auto edits = auditSince(*f.r, seq);
    REQUIRE(edits.size() == 2);
    CHECK(edits[0]["field"] == "role");
    CHECK(edits[0]["old"] == "specialist");
    CHECK(edits[0]["new"] == "facilitator");
    CHECK(edits[1]["field"] == "active");
    CHECK(edits[1]["old"] == "yes");
    CHECK(edits[1]["new"] == "no");
    CHECK_FALSE(ok(f.r->rosterEntry(prog, b))->active);
    CHECK_FALSE(ok(f.r->rosterEntry(prog, 999)).has_value());
    CHECK_FALSE(f.r->setRoster({.programId = prog, .personId = 999}, kAdmin, 4).ok());
}

TEST_CASE("series and sessions round-trip; status and extensions are audited") {
    Fixture f;
    const std::int64_t prog = ok(f.r->createProgram(hcv(), kAdmin, 1));
    const std::int64_t series = ok(f.r->createSeries({.programId = prog, .title = "Winter", .firstLocalDate = "2026-12-03",
                                                       .localStart = "12:00", .durationMinutes = 90, .weeks = 8},
                                                      kAdmin, 1));
    CHECK(series > 0);
    Session s{.programId = prog, .seriesId = series, .title = "Week 1: Điều trị", .startUtc = 1'800'000'000, .endUtc = 1'800'005'400};
    const std::int64_t id = ok(f.r->createSession(s, kAdmin, 2));
    Session got = ok(f.r->session(id));
    CHECK(got.title == "Week 1: Điều trị");
    CHECK(got.room == "hcv");   // the program's code by default
    CHECK(got.seriesId == series);
    CHECK(got.status == SessionStatus::Scheduled);
    CHECK(ok(f.r->sessions(prog)).size() == 1);

    const std::int64_t seq = lastSeq(*f.r);
    ok(f.r->setSessionStatus(id, SessionStatus::Open, kAdmin, 3));
    ok(f.r->extendSession(id, s.endUtc + 900, Actor{.personId = 7, .via = "server"}, 4));
    auto edits = auditSince(*f.r, seq);
    REQUIRE(edits.size() == 2);
    CHECK(edits[0]["field"] == "status");
    CHECK(edits[0]["old"] == "scheduled");
    CHECK(edits[0]["new"] == "open");
    CHECK(edits[1]["field"] == "extendedUntil");
    CHECK(edits[1]["old"] == "");
    CHECK(edits[1]["new"] == "2027-01-15T09:45:00Z");
    CHECK(edits[1]["actor"] == "person 7");
    CHECK(ok(f.r->session(id)).extendedUntil == s.endUtc + 900);
    CHECK_FALSE(f.r->extendSession(id, s.endUtc - 1, kAdmin, 5).ok());
    CHECK_FALSE(f.r->createSession(Session{.programId = prog, .title = "x", .startUtc = 10, .endUtc = 5}, kAdmin, 5).ok());
    auto none = f.r->session(77);
    REQUIRE_FALSE(none.ok());
    CHECK(none.error().message == "session 77: no such session");
}

TEST_CASE("sessionAt: from the lobby opening to the (extended) end plus the overrun, never a cancelled one") {
    Fixture f;
    const std::int64_t prog = ok(f.r->createProgram(hcv(), kAdmin, 1));   // lobby 10 min, overrun 20 min
    const std::int64_t start = 1'800'000'000, end = start + 3600;
    const std::int64_t id = ok(f.r->createSession({.programId = prog, .title = "w1", .startUtc = start, .endUtc = end}, kAdmin, 1));
    auto at = [&](std::int64_t t) { return ok(f.r->sessionAt("hcv", t)); };
    CHECK_FALSE(at(start - 601).has_value());
    REQUIRE(at(start - 600).has_value());
    CHECK(at(start - 600)->id == id);
    CHECK(at(start + 100).has_value());
    CHECK(at(end + 1200).has_value());
    CHECK_FALSE(at(end + 1201).has_value());
    CHECK_FALSE(ok(f.r->sessionAt("other", start)).has_value());

    ok(f.r->extendSession(id, end + 1800, kAdmin, 2));
    CHECK(at(end + 1800 + 1200).has_value());
    CHECK_FALSE(at(end + 1800 + 1201).has_value());

    // The next week's session: each window holds its own session.
    const std::int64_t next = ok(f.r->createSession(
        {.programId = prog, .title = "w2", .startUtc = start + 7 * 86400, .endUtc = end + 7 * 86400}, kAdmin, 3));
    CHECK(at(start + 7 * 86400)->id == next);
    CHECK(at(start)->id == id);

    ok(f.r->setSessionStatus(id, SessionStatus::Cancelled, kAdmin, 4));
    CHECK_FALSE(at(start).has_value());
}

TEST_CASE("sessionAt prefers the open session where two windows overlap") {
    Fixture f;
    const std::int64_t prog = ok(f.r->createProgram(hcv(), kAdmin, 1));
    const std::int64_t t = 1'800'000'000;
    const std::int64_t a = ok(f.r->createSession({.programId = prog, .title = "a", .startUtc = t, .endUtc = t + 3600}, kAdmin, 1));
    const std::int64_t b = ok(f.r->createSession({.programId = prog, .title = "b", .startUtc = t + 4200, .endUtc = t + 7200}, kAdmin, 1));
    const std::int64_t overlap = t + 3600 + 300;   // a's overrun, b's lobby
    CHECK(ok(f.r->sessionAt("hcv", overlap))->id == a);
    ok(f.r->setSessionStatus(a, SessionStatus::Ended, kAdmin, 2));
    CHECK(ok(f.r->sessionAt("hcv", overlap))->id == b);
    ok(f.r->setSessionStatus(a, SessionStatus::Open, kAdmin, 3));
    CHECK(ok(f.r->sessionAt("hcv", overlap))->id == a);
}

TEST_CASE("invitations keep 64-bit token ids, are found by token and revoked once, with a reason") {
    Fixture f;
    const std::int64_t prog = ok(f.r->createProgram(hcv(), kAdmin, 1));
    const std::int64_t who = ok(f.r->upsertPerson(lan(), kAdmin, 1));
    const std::int64_t sess = ok(f.r->createSession({.programId = prog, .title = "w1", .startUtc = 5000, .endUtc = 8600}, kAdmin, 1));
    Invitation inv{.kind = InvitationKind::Session, .programId = prog, .sessionId = sess, .personId = who,
                   .tokenId = 0xF00DCAFEDEADBEEFull, .userId = static_cast<std::uint64_t>(who), .issuedAt = 100,
                   .validFrom = 4400, .validUntil = 10400};
    const std::int64_t id = ok(f.r->recordInvitation(inv, kAdmin, 100));
    Invitation cred{.kind = InvitationKind::Program, .programId = prog, .personId = who, .tokenId = 7,
                    .userId = static_cast<std::uint64_t>(who), .validFrom = 100, .validUntil = 99999};
    ok(f.r->recordInvitation(cred, kAdmin, 100));

    auto found = ok(f.r->invitationByToken(0xF00DCAFEDEADBEEFull));
    REQUIRE(found.has_value());
    CHECK(found->id == id);
    CHECK(found->tokenId == 0xF00DCAFEDEADBEEFull);
    CHECK(found->sessionId == sess);
    CHECK(found->validFrom == 4400);
    CHECK(found->revokedAt == 0);
    CHECK(ok(f.r->invitations(prog)).size() == 2);
    CHECK(ok(f.r->invitations(prog, sess)).size() == 1);
    CHECK_FALSE(ok(f.r->invitationByToken(8)).has_value());

    auto dup = f.r->recordInvitation(inv, kAdmin, 101);
    REQUIRE_FALSE(dup.ok());
    CHECK(dup.error().message.find("f00dcafedeadbeef") != std::string::npos);
    Invitation noSession = inv;
    noSession.sessionId = 0;
    noSession.tokenId = 9;
    CHECK_FALSE(f.r->recordInvitation(noSession, kAdmin, 101).ok());

    const std::int64_t seq = lastSeq(*f.r);
    ok(f.r->revokeInvitation(id, "sent to the wrong address", kAdmin, 200));
    auto edits = auditSince(*f.r, seq);
    REQUIRE(edits.size() == 1);
    CHECK(edits[0]["field"] == "revoked");
    CHECK(edits[0]["new"] == "sent to the wrong address");
    auto again = ok(f.r->invitationByToken(0xF00DCAFEDEADBEEFull));
    CHECK(again->revokedAt == 200);
    CHECK(again->revokedReason == "sent to the wrong address");
    CHECK_FALSE(f.r->revokeInvitation(id, "twice", kAdmin, 201).ok());
    CHECK_FALSE(f.r->revokeInvitation(999, "none", kAdmin, 201).ok());
    CHECK_FALSE(f.r->revokeInvitation(id, "", kAdmin, 201).ok());
}

TEST_CASE("a case round-trips with fields, decks and findings; each changed field is one audit row") {
    Fixture f;
    const std::int64_t prog = ok(f.r->createProgram(hcv(), kAdmin, 1));
    const std::int64_t who = ok(f.r->upsertPerson(lan(), kAdmin, 1));
    const std::string deck(64, 'a');
    CaseRecord c{.programId = prog, .presenterId = who, .status = CaseStatus::Draft,
                 .fields = {{"history", "Bệnh nhân nam, 54 tuổi"}, {"question", "Liệu pháp nào?"}},
                 .decks = {deck},
                 .findings = {{.field = "history", .begin = 0, .end = 9, .kind = "name"}}};
    const std::int64_t id = ok(f.r->createCase(c, Actor{.personId = who, .via = "client"}, 50));
    CaseRecord got = ok(f.r->caseRecord(id));
    CHECK(got.programId == prog);
    CHECK(got.presenterId == who);
    CHECK(got.status == CaseStatus::Draft);
    REQUIRE(got.fields.size() == 2);
    CHECK(got.fields[0].name == "history");
    CHECK(got.fields[0].value == "Bệnh nhân nam, 54 tuổi");
    CHECK(got.fields[1].value == "Liệu pháp nào?");
    CHECK(got.decks == std::vector<std::string>{deck});
    REQUIRE(got.findings.size() == 1);
    CHECK(got.findings[0].end == 9);
    CHECK(got.findings[0].kind == "name");
    CHECK(got.createdAt == 50);

    const std::int64_t seq = lastSeq(*f.r);
    got.fields[0].value = "Bệnh nhân nam, 55 tuổi";
    got.status = CaseStatus::Submitted;
    got.attestedAt = 1'800'000'000;
    got.findings.clear();
    ok(f.r->saveCase(got, Actor{.personId = who, .via = "client"}, 60));
    auto edits = auditSince(*f.r, seq);
    std::map<std::string, std::map<std::string, std::string>> byField;
    for (auto& e : edits) byField[e["field"]] = e;
    REQUIRE(edits.size() == 4);
    // Case text is sensitive: the raw row keeps its length, never the text.
    CHECK(byField["history"]["old"] == std::to_string(std::string("Bệnh nhân nam, 54 tuổi").size()) + " bytes");
    CHECK(byField["history"]["new"] == std::to_string(std::string("Bệnh nhân nam, 55 tuổi").size()) + " bytes");
    for (const auto& row : ok(f.r->auditRows(1, 0))) {
        CHECK(row.text.find("Bệnh nhân") == std::string::npos);
        CHECK(row.text.find("Liệu pháp") == std::string::npos);
    }
    CHECK(byField["status"]["old"] == "draft");
    CHECK(byField["status"]["new"] == "submitted");
    CHECK(byField["attestedAt"]["new"] == "2027-01-15T08:00:00Z");
    CHECK(byField["findings"]["old"] == "history:0-9 name");
    CHECK(byField["findings"]["new"] == "");
    CHECK(byField["history"]["actor"] == "person " + std::to_string(who));

    CaseRecord again = ok(f.r->caseRecord(id));
    CHECK(again.fields[0].value == "Bệnh nhân nam, 55 tuổi");
    CHECK(again.findings.empty());
    CHECK(again.updatedAt == 60);

    CHECK(ok(f.r->cases({.programId = prog})).size() == 1);
    CHECK(ok(f.r->cases({.programId = prog, .status = CaseStatus::Submitted})).size() == 1);
    CHECK(ok(f.r->cases({.programId = prog, .status = CaseStatus::Vetted})).empty());
    CHECK(ok(f.r->cases({.programId = prog, .presenterId = who + 1})).empty());

    CaseRecord badDeck = c;
    badDeck.decks = {"not-a-hash"};
    CHECK_FALSE(f.r->createCase(badDeck, kAdmin, 70).ok());
    CaseRecord ghost = got;
    ghost.id = 999;
    auto missing = f.r->saveCase(ghost, kAdmin, 70);
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().message == "case 999: no such case");
}

TEST_CASE("attendance intervals: open, heartbeat, close, and close at the last heartbeat after a crash") {
    Fixture f;
    const std::int64_t prog = ok(f.r->createProgram(hcv(), kAdmin, 1));
    const std::int64_t who = ok(f.r->upsertPerson(lan(), kAdmin, 1));
    const std::int64_t sess = ok(f.r->createSession({.programId = prog, .title = "w1", .startUtc = 1000, .endUtc = 4600}, kAdmin, 1));
    const std::int64_t a = ok(f.r->openInterval({.sessionId = sess, .personId = who, .userId = 0xFFFFFFFF00000001ull,
                                                 .displayName = "Nguyễn Thị Lan", .joinedAt = 1000}));
    const std::int64_t guest = ok(f.r->openInterval({.sessionId = sess, .displayName = "Ørsted (guest)", .role = core::Role::Observer,
                                                     .kind = AttendanceKind::Site, .joinedAt = 1100}));
    const std::int64_t gone = ok(f.r->openInterval({.sessionId = sess, .personId = who, .displayName = "Lan", .joinedAt = 1200}));
    ok(f.r->heartbeat(sess, 1500));
    ok(f.r->closeInterval(gone, 1300));
    ok(f.r->heartbeat(sess, 2000));
    CHECK_FALSE(f.r->closeInterval(gone, 1400).ok());   // already closed
    CHECK_FALSE(f.r->closeInterval(999, 1400).ok());

    // The server dies here; on restart every open interval closes at its last heartbeat.
    CHECK(ok(f.r->closeInterrupted()) == 2);
    CHECK(ok(f.r->closeInterrupted()) == 0);
    auto rows = ok(f.r->attendance(sess));
    REQUIRE(rows.size() == 3);
    CHECK(rows[0].id == a);
    CHECK(rows[0].userId == 0xFFFFFFFF00000001ull);
    CHECK(rows[0].displayName == "Nguyễn Thị Lan");
    CHECK(rows[0].leftAt == 2000);
    CHECK(rows[0].interrupted);
    CHECK(rows[1].id == guest);
    CHECK(rows[1].personId == 0);
    CHECK(rows[1].role == core::Role::Observer);
    CHECK(rows[1].kind == AttendanceKind::Site);
    CHECK(rows[1].leftAt == 2000);
    CHECK(rows[2].id == gone);
    CHECK(rows[2].leftAt == 1300);
    CHECK_FALSE(rows[2].interrupted);   // left by a leave, before the heartbeat of 2000
    CHECK(rows[2].lastSeen == 1500);

    // No heartbeat at all: closed at its join.
    const std::int64_t quiet = ok(f.r->openInterval({.sessionId = sess, .displayName = "x", .joinedAt = 3000}));
    CHECK(ok(f.r->closeInterrupted()) == 1);
    for (const auto& row : ok(f.r->attendance(sess)))
        if (row.id == quiet) CHECK(row.leftAt == 3000);

    auto orphan = f.r->openInterval({.sessionId = 999, .displayName = "x", .joinedAt = 1});
    REQUIRE_FALSE(orphan.ok());
    CHECK(orphan.error().message == "session 999: no such session");
}

TEST_CASE("attendance adjustments need a reason and are audited with the old and new minutes") {
    Fixture f;
    const std::int64_t prog = ok(f.r->createProgram(hcv(), kAdmin, 1));
    const std::int64_t who = ok(f.r->upsertPerson(lan(), kAdmin, 1));
    const std::int64_t sess = ok(f.r->createSession({.programId = prog, .title = "w1", .startUtc = 1000, .endUtc = 4600}, kAdmin, 1));
    CHECK_FALSE(f.r->adjustAttendance({.sessionId = sess, .personId = who, .minutesOld = 30, .minutesNew = 60}, kAdmin, 5).ok());
    const std::int64_t seq = lastSeq(*f.r);
    ok(f.r->adjustAttendance({.sessionId = sess, .personId = who, .minutesOld = 30, .minutesNew = 60,
                              .reason = "joined by phone, confirmed by Ørsted"},
                             kAdmin, 5));
    auto adj = ok(f.r->adjustments(sess));
    REQUIRE(adj.size() == 1);
    CHECK(adj[0].reason == "joined by phone, confirmed by Ørsted");
    CHECK(adj[0].byOsUser == "coord");
    CHECK(adj[0].at == 5);
    auto edits = auditSince(*f.r, seq);
    REQUIRE(edits.size() == 1);
    CHECK(edits[0]["field"] == "minutes");
    CHECK(edits[0]["old"] == "30");
    CHECK(edits[0]["new"] == "60");
}

TEST_CASE("the audit table refuses UPDATE and DELETE; appends keep a given seq") {
    Fixture f;
    ok(f.r->createProgram(hcv(), kAdmin, 1));
    auto upd = f.db->exec("UPDATE audit SET text = 'forged'");
    REQUIRE_FALSE(upd.ok());
    CHECK(upd.error().message.find("append-only") != std::string::npos);
    auto del = f.db->exec("DELETE FROM audit");
    REQUIRE_FALSE(del.ok());
    CHECK(del.error().message.find("append-only") != std::string::npos);
    CHECK(ok(f.r->auditRows(1, 0)).size() == 1);

    AuditRow row{.seq = 2, .time = 9, .kind = "Joined", .text = "line\twith tab"};
    row.mac.fill(0xAB);
    ok(f.r->appendAudit(row));
    CHECK_FALSE(f.r->appendAudit(row).ok());   // seq 2 again
    auto last = ok(f.r->lastAudit());
    REQUIRE(last.has_value());
    CHECK(last->seq == 2);
    CHECK(last->text == "line\twith tab");
    CHECK(last->mac == row.mac);
    ok(f.r->appendAudit(AuditRow{.time = 10, .kind = "Left"}));
    CHECK(ok(f.r->lastAudit())->seq == 3);
    CHECK(ok(f.r->auditRows(2, 1)).size() == 1);
    CHECK(ok(f.r->auditRows(2, 0)).size() == 2);
}

TEST_CASE("edits go through the hook inside their transaction: a failing hook undoes the edit") {
    Fixture f;
    std::vector<Records::Edit> seen;
    bool fail = false;
    f.r->setAuditHook([&](Database& db, const Records::Edit& e, const Actor& by, std::int64_t now) -> core::Status {
        CHECK(db.inTransaction());
        seen.push_back(e);
        if (fail) return core::Error{"audit chain unavailable"};
        Records raw(db);
        return raw.appendAudit(AuditRow{.time = now, .kind = "RecordEdit", .text = "hooked " + e.field + " by " + by.osUser});
    });
    const std::int64_t prog = ok(f.r->createProgram(hcv(), kAdmin, 1));
    REQUIRE(seen.size() == 1);
    CHECK(ok(f.r->lastAudit())->text == "hooked created by coord");

    fail = true;
    Program p = ok(f.r->program(prog));
    p.name = "Renamed";
    auto s = f.r->updateProgram(p, kAdmin, 2);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().message == "audit chain unavailable");
    CHECK(ok(f.r->program(prog)).name == "Hepatitis C ECHO");   // no edit without its audit row
    CHECK_FALSE(f.db->inTransaction());
    auto person = f.r->upsertPerson(lan(), kAdmin, 3);
    CHECK_FALSE(person.ok());
    CHECK_FALSE(ok(f.r->personByStableId(lan().stableId)).has_value());
}

TEST_CASE("inside an open transaction, a failing change rolls back alone (savepoint)") {
    Fixture f;
    Transaction tx(*f.db);
    REQUIRE(tx.begun().ok());
    ok(f.r->createProgram(hcv(), kAdmin, 1));
    CHECK_FALSE(f.r->createProgram(hcv(), kAdmin, 2).ok());   // duplicate code
    CHECK(f.db->inTransaction());
    ok(f.r->upsertPerson(lan(), kAdmin, 3));
    ok(tx.commit());
    CHECK(ok(f.r->programs()).size() == 1);
    CHECK(ok(f.r->personByStableId(lan().stableId)).has_value());
    // The program, the person, and the person's email and phone (sensitive: rows of their own).
    CHECK(ok(f.r->auditRows(1, 0)).size() == 4);
}
