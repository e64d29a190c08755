// The audit trail in the clinic database (session/db_audit.h) over a real
// SQLite file: the chain over rows, record edits with old and new values,
// tampering found by verifyAuditDb, and two connections (two writers, as the
// server and caseroom-admin) interleaving into one chain.
#include <catch2/catch.hpp>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "session/db_audit.h"
#include "store/database.h"
#include "store/records.h"
#include "store/writer.h"
#include "temp_dir.h"

using namespace caseroom;
using namespace caseroom::session;

namespace {

AuditKey testKey(std::uint8_t seed = 7) {
    AuditKey k;
    for (std::size_t i = 0; i < k.bytes.size(); ++i) k.bytes[i] = static_cast<std::uint8_t>(seed + i * 3);
    return k;
}

std::unique_ptr<store::Database> openDb(const std::string& path) {
    store::OpenDesc od;
    od.path = path;
    auto db = store::Database::open(od);
    REQUIRE(db);
    return std::move(*db);
}

AuditRecord joinRecord(std::uint64_t t, const std::string& who) {
    AuditRecord r;
    r.kind = AuditKind::Joined;
    r.unixTime = t;
    r.room = "hcv";
    r.userId = 42;
    r.tokenId = 0x1122334455667788ull;
    r.role = core::Role::Spoke;
    r.who = who;
    r.address = "127.0.0.1:5000";
    r.what = "joined as spoke";
    r.outcome = "admitted";
    return r;
}

std::vector<store::AuditRow> rows(store::Database& db) {
    store::Records records(db);
    auto r = records.auditRows(1, 0);
    REQUIRE(r);
    return *r;
}

} // namespace

TEST_CASE("DbAudit chains every row from the genesis value and verifyAuditDb accepts it", "[audit][db]") {
    const testing::TempDir tmp;
    REQUIRE(tmp.ok());
    const std::string path = tmp.file("clinic.db");
    const AuditKey key = testKey();
    {
        store::OpenDesc od;
        od.path = path;
        auto writer = store::Writer::start(od);
        REQUIRE(writer);
        DbAudit audit(**writer, key, [] { return std::uint64_t{1'800'000'000}; });
        audit.record(joinRecord(1'799'999'000, "Nguyễn Thị Lan"));
        AuditRecord unstamped = joinRecord(0, "Ørsted");
        audit.record(unstamped); // stamped by the sink's clock
        AuditRecord edit = joinRecord(1'799'999'100, "Coordinator");
        edit.kind = AuditKind::RecordEdit;
        edit.actor = "person 3";
        edit.osUser = "coord";
        edit.oldValue = "a\tb";
        edit.newValue = "line\nbreak";
        audit.record(edit);
        (*writer)->flush();
        (*writer)->drainReplies();
        CHECK(audit.failures() == 0);
    }
    auto db = openDb(path);
    const auto all = rows(*db);
    REQUIRE(all.size() == 3);
    AuditMac prev = auditGenesis(key);
    for (std::size_t i = 0; i < all.size(); ++i) {
        INFO("row " << i + 1);
        CHECK(all[i].seq == static_cast<std::int64_t>(i + 1));
        AuditMac mac{};
        std::copy(all[i].mac.begin(), all[i].mac.end(), mac.begin());
        CHECK(auditChain(key, prev, all[i].text) == mac);
        prev = mac;
    }
    CHECK(all[0].text == auditLineText(joinRecord(1'799'999'000, "Nguyễn Thị Lan"), 1));
    CHECK(all[1].time == 1'800'000'000);
    // The extra fields follow the file format's, escaped, only when present.
    CHECK(all[0].text.find("\tactor=") == std::string::npos);
    CHECK(all[2].text.find("\tactor=person 3\tos_user=coord\told=a\\tb\tnew=line\\nbreak") != std::string::npos);
    const auto rep = verifyAuditDb(*db, key);
    REQUIRE(rep);
    CHECK(rep->ok());
    CHECK(rep->intact == 3);
    CHECK(rep->lines == 3);
    CHECK(rep->firstTime == 1'799'999'000);
    CHECK(rep->lastMac == prev);
    // Another key did not write it.
    const auto other = verifyAuditDb(*db, testKey(99));
    REQUIRE(other);
    CHECK_FALSE(other->ok());
}

TEST_CASE("record edits become chained rows with the old and the new value", "[audit][db]") {
    const testing::TempDir tmp;
    REQUIRE(tmp.ok());
    auto db = openDb(tmp.file("clinic.db"));
    const AuditKey key = testKey();
    store::Records records(*db);
    installEditAudit(records, key);
    store::Actor coordinator;
    coordinator.osUser = "maria";
    coordinator.via = "caseroom-admin";
    store::Program p;
    p.code = "hcv";
    p.name = "Hepatitis C ECHO";
    auto id = records.createProgram(p, coordinator, 1'800'000'000);
    REQUIRE(id);
    p.id = *id;
    p.name = "Hepatitis C ECHO (adult)";
    REQUIRE(records.updateProgram(p, coordinator, 1'800'000'100));
    const auto all = rows(*db);
    REQUIRE_FALSE(all.empty());
    bool renamed = false;
    for (const auto& r : all) {
        CHECK(r.kind == "RecordEdit");
        CHECK(r.text.find("\tos_user=maria") != std::string::npos);
        if (r.text.find("\told=Hepatitis C ECHO\tnew=Hepatitis C ECHO (adult)") != std::string::npos) renamed = true;
    }
    CHECK(renamed);
    const auto rep = verifyAuditDb(*db, key);
    REQUIRE(rep);
    CHECK(rep->ok());
    CHECK(rep->intact == all.size());
}

TEST_CASE("case text and contact details are chained as length and keyed digest, never the text", "[audit][db][privacy]") {
    const testing::TempDir tmp;
    REQUIRE(tmp.ok());
    auto db = openDb(tmp.file("clinic.db"));
    const AuditKey key = testKey();
    store::Records records(*db);
    installEditAudit(records, key);
    store::Actor admin;
    admin.osUser = "maria";
    admin.via = "caseroom-admin";
    store::Program p;
    p.code = "hcv";
    p.name = "Hepatitis C ECHO";
    auto prog = records.createProgram(p, admin, 1'800'000'000);
    REQUIRE(prog);
    store::Person lan;
    lan.stableId = "npi-1";
    lan.name = "Nguyễn Thị Lan";
    lan.email = "lan@example.org";
    lan.phone = "+84 90 123 4567";
    auto who = records.upsertPerson(lan, admin, 1'800'000'001);
    REQUIRE(who);
    const std::string held = "Patient John Smithers, MRN 12345678, 54 y";
    store::CaseRecord c;
    c.programId = *prog;
    c.presenterId = *who;
    c.fields.push_back(store::CaseField{"history", held});
    auto caseId = records.createCase(c, admin, 1'800'000'002);
    REQUIRE(caseId);
    auto saved = records.caseRecord(*caseId);
    REQUIRE(saved);
    saved->fields[0].value = "Patient, 54 y";
    REQUIRE(records.saveCase(*saved, admin, 1'800'000'003));

    const auto all = rows(*db);
    bool sawCreated = false, sawFixed = false, sawEmail = false;
    for (const auto& r : all) {
        INFO(r.text);
        CHECK(r.text.find("Smithers") == std::string::npos);
        CHECK(r.text.find("12345678") == std::string::npos);
        CHECK(r.text.find("Patient") == std::string::npos);
        CHECK(r.text.find("example.org") == std::string::npos);
        CHECK(r.text.find("123 4567") == std::string::npos);
        if (r.text.find("create case: case") != std::string::npos && r.text.find(" history\t") != std::string::npos) {
            CHECK(r.text.find("\tnew=" + auditValueDigest(key, held)) != std::string::npos);
            sawCreated = true;
        }
        if (r.text.find("save case: case") != std::string::npos && r.text.find(" history\t") != std::string::npos) {
            // The old value is the held text: its digest again, so someone with
            // the key can match it to the creation row, but not read it.
            CHECK(r.text.find("\told=" + auditValueDigest(key, held) + "\tnew=" + auditValueDigest(key, "Patient, 54 y")) !=
                  std::string::npos);
            sawFixed = true;
        }
        if (r.text.find(" email\t") != std::string::npos) {
            CHECK(r.text.find("\tnew=" + auditValueDigest(key, lan.email)) != std::string::npos);
            sawEmail = true;
        }
    }
    CHECK(sawCreated);
    CHECK(sawFixed);
    CHECK(sawEmail);
    const std::string d = auditValueDigest(key, held);
    CHECK(d.rfind(std::to_string(held.size()) + " bytes, blake2b ", 0) == 0);
    CHECK(d.size() == std::to_string(held.size()).size() + std::string(" bytes, blake2b ").size() + 32);
    CHECK(auditValueDigest(testKey(99), held) != d);   // keyed: another key, another digest
    CHECK(auditValueDigest(key, "").empty());
    const auto rep = verifyAuditDb(*db, key);
    REQUIRE(rep);
    CHECK(rep->ok());
    CHECK(rep->intact == all.size());
}

TEST_CASE("a value longer than the cut says it was cut and how long it was", "[audit][db]") {
    const testing::TempDir tmp;
    REQUIRE(tmp.ok());
    auto db = openDb(tmp.file("clinic.db"));
    const AuditKey key = testKey();
    AuditRecord r = joinRecord(1'800'000'000, "Coordinator");
    r.kind = AuditKind::RecordEdit;
    r.newValue = std::string(kAuditMaxLine / 4 + 100, 'x');
    r.oldValue = "short";
    REQUIRE(appendChainedAudit(*db, key, r));
    const auto all = rows(*db);
    REQUIRE(all.size() == 1);
    CHECK(all[0].text.find("\told=short\tnew=") != std::string::npos);
    CHECK(all[0].text.find(std::string(kAuditMaxLine / 4, 'x') + " [cut: " + std::to_string(kAuditMaxLine / 4 + 100) + " bytes]") !=
          std::string::npos);
    CHECK(all[0].text.find("short [cut") == std::string::npos);
    const auto rep = verifyAuditDb(*db, key);
    REQUIRE(rep);
    CHECK(rep->ok());
}

TEST_CASE("verifyAuditDb finds an edited row, a forged row and a deleted row", "[audit][db]") {
    const testing::TempDir tmp;
    REQUIRE(tmp.ok());
    auto db = openDb(tmp.file("clinic.db"));
    const AuditKey key = testKey();
    for (int i = 0; i < 5; ++i) REQUIRE(appendChainedAudit(*db, key, joinRecord(1'800'000'000 + i, "Bot " + std::to_string(i))));
    {
        const auto rep = verifyAuditDb(*db, key);
        REQUIRE(rep);
        REQUIRE(rep->ok());
    }
    // The table refuses changes; someone with the file drops the guards first.
    CHECK_FALSE(db->exec("UPDATE audit SET text = 'x' WHERE seq = 2"));
    REQUIRE(db->exec("DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete"));

    SECTION("an edited row") {
        std::string text = rows(*db)[1].text;
        text.replace(text.find("Bot 1"), 5, "Eve 1");
        auto st = db->prepare("UPDATE audit SET text = ?1 WHERE seq = 2");
        REQUIRE(st);
        st->bind(1, std::string_view(text));
        REQUIRE(st->run());
        const auto rep = verifyAuditDb(*db, key);
        REQUIRE(rep);
        CHECK_FALSE(rep->ok());
        REQUIRE(rep->problemCount == 1);
        CHECK(rep->problems[0].line == 2);
        CHECK(rep->problems[0].why.find("mac mismatch") != std::string::npos);
        CHECK(rep->intact == 4);
    }
    SECTION("a deleted row") {
        REQUIRE(db->exec("DELETE FROM audit WHERE seq = 3"));
        const auto rep = verifyAuditDb(*db, key);
        REQUIRE(rep);
        REQUIRE(rep->problemCount == 1);
        CHECK(rep->problems[0].why.find("row 4") != std::string::npos);
        CHECK(rep->problems[0].why.find("deleted") != std::string::npos);
    }
    SECTION("a forged row appended without the key") {
        store::Records records(*db);
        store::AuditRow forged;
        forged.seq = 6;
        forged.time = 1'800'000'010;
        forged.kind = "Joined";
        forged.text = auditLineText(joinRecord(1'800'000'010, "Mallory"), 6);
        REQUIRE(records.appendAudit(forged));
        const auto rep = verifyAuditDb(*db, key);
        REQUIRE(rep);
        REQUIRE(rep->problemCount == 1);
        CHECK(rep->problems[0].line == 6);
        CHECK_FALSE(rep->tailIntact);
    }
}

TEST_CASE("two connections appending at once keep one unbroken chain", "[audit][db][threads]") {
    const testing::TempDir tmp;
    REQUIRE(tmp.ok());
    const std::string path = tmp.file("clinic.db");
    const AuditKey key = testKey();
    openDb(path); // creates and migrates once
    constexpr int kEach = 60;
    std::atomic<int> failures{0};
    auto writer = [&](const char* who) {
        store::OpenDesc od;
        od.path = path;
        auto db = store::Database::open(od);
        if (!db) { ++failures; return; }
        for (int i = 0; i < kEach; ++i)
            if (!appendChainedAudit(**db, key, joinRecord(1'800'000'000 + static_cast<std::uint64_t>(i), std::string(who) + " " + std::to_string(i))))
                ++failures;
    };
    std::thread a(writer, "server"), b(writer, "admin");
    a.join();
    b.join();
    CHECK(failures == 0);
    auto db = openDb(path);
    const auto rep = verifyAuditDb(*db, key);
    REQUIRE(rep);
    CHECK(rep->ok());
    CHECK(rep->intact == 2 * kEach);
    // Both really interleaved into the one table.
    int server = 0, admin = 0;
    for (const auto& r : rows(*db)) {
        if (r.text.find("name=server ") != std::string::npos) ++server;
        if (r.text.find("name=admin ") != std::string::npos) ++admin;
    }
    CHECK(server == kEach);
    CHECK(admin == kEach);
}
