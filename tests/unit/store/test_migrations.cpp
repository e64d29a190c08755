// Schema migrations: a new database gets every step; a database left at
// each earlier version, with rows in it, migrates to the newest with its
// rows intact; a step that fails leaves the version before it whole; a
// database newer than this build is refused and left byte for byte as it was.
#include <catch2/catch.hpp>

#include <fstream>

#include "store/database.h"
#include "store/records.h"
#include "store/schema.h"
#include "temp_dir.h"

using namespace caseroom;
using namespace caseroom::store;
using caseroom::testing::TempDir;

namespace {

std::unique_ptr<Database> openAt(const std::string& path, int version) {
    auto db = Database::open({.path = path, .migrate = false});
    REQUIRE(db.ok());
    auto s = migrate(**db, version);
    INFO((s.ok() ? std::string() : s.error().message));
    REQUIRE(s.ok());
    REQUIRE((*db)->schemaVersion() == version);
    return std::move(*db);
}

std::int64_t count(Database& db, const std::string& table) {
    auto st = db.prepare("SELECT count(*) FROM " + table);
    REQUIRE(st.ok());
    REQUIRE(st->step());
    return st->int64(0);
}

bool tableExists(Database& db, const std::string& name) {
    auto st = db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1");
    REQUIRE(st.ok());
    st->bind(1, std::string_view(name));
    REQUIRE(st->step());
    return st->int64(0) == 1;
}

// Rows as each version's tables allow, written with plain SQL as an older
// build would have written them.
void fill(Database& db, int version) {
    if (version >= 1) {
        REQUIRE(db.exec("INSERT INTO programs (id, code, name, time_zone, created_at, updated_at) "
                        "VALUES (1, 'hcv', 'Hepatitis C ECHO', 'America/Denver', 10, 10)").ok());
        REQUIRE(db.exec("INSERT INTO people (id, stable_id, name, created_at, updated_at) "
                        "VALUES (1, 'npi-1', 'Nguyễn Thị Lan', 10, 10), (2, 'npi-2', 'Ørsted', 10, 10)").ok());
        REQUIRE(db.exec("INSERT INTO roster (program_id, person_id, role) VALUES (1, 1, 'spoke'), (1, 2, 'specialist')").ok());
        REQUIRE(db.exec("INSERT INTO sessions (id, program_id, title, start_utc, end_utc, room, created_at, updated_at) "
                        "VALUES (1, 1, 'Week 1', 1000, 4600, 'hcv', 10, 10)").ok());
        REQUIRE(db.exec("INSERT INTO invitations (kind, program_id, session_id, person_id, token_id, user_id, issued_at, "
                        "valid_from, valid_until) VALUES ('session', 1, 1, 1, -5, 1, 10, 100, 6400)").ok());
        REQUIRE(db.exec("INSERT INTO audit (time, kind, text, mac) VALUES (10, 'RecordEdit', 'created', zeroblob(32))").ok());
    }
    if (version >= 2) {
        REQUIRE(db.exec("INSERT INTO cases (id, program_id, presenter_id, status, created_at, updated_at) "
                        "VALUES (1, 1, 1, 'submitted', 20, 20)").ok());
        REQUIRE(db.exec("INSERT INTO case_fields (case_id, ord, name, value) VALUES (1, 0, 'history', 'Bệnh sử')").ok());
        REQUIRE(db.exec("INSERT INTO attendance (session_id, person_id, user_id, display_name, role, kind, joined_at) "
                        "VALUES (1, 1, 1, 'Nguyễn Thị Lan', 'spoke', 'live', 1000)").ok());
    }
    if (version >= 3) {
        REQUIRE(db.exec("UPDATE programs SET confidentiality = 'Stays here.' WHERE id = 1").ok());
        REQUIRE(db.exec("UPDATE sessions SET facilitator_id = 2, didactic = 'HCV in pregnancy' WHERE id = 1").ok());
        REQUIRE(db.exec("INSERT INTO recommendations (session_id, case_id, entry_id, author_user_id, author_person_id, "
                        "author_name, author_role, text, consensus, created_at) "
                        "VALUES (1, 1, 4, 2, 2, 'Ørsted', 'specialist', 'Stage first.', 1, 1200)").ok());
        REQUIRE(db.exec("INSERT INTO chat_lines (session_id, seq, kind, author_user_id, author_name, author_role, text, created_at) "
                        "VALUES (1, 1, 'question', 9, 'Guest', 'spoke', 'Genotype?', 1100)").ok());
        REQUIRE(db.exec("INSERT INTO disclosures (program_id, person_id, text, created_at) VALUES (1, 2, 'None.', 10)").ok());
    }
    if (version >= 4) REQUIRE(db.exec("UPDATE programs SET recording_policy = 'whole' WHERE id = 1").ok());
    if (version >= 5) REQUIRE(db.exec("UPDATE programs SET record_cameras = 1 WHERE id = 1").ok());
}

void checkFilled(Database& db, int version) {
    Records r(db);
    if (version >= 1) {
        auto p = r.programByCode("hcv");
        REQUIRE(p.ok());
        CHECK(p->name == "Hepatitis C ECHO");
        CHECK(p->timeZone == "America/Denver");
        CHECK(p->lobbyMinutes == 15);   // the column default
        auto lan = r.personByStableId("npi-1");
        REQUIRE(lan.ok());
        REQUIRE(lan->has_value());
        CHECK((*lan)->name == "Nguyễn Thị Lan");
        CHECK(r.roster(1)->size() == 2);
        auto inv = r.invitationByToken(static_cast<std::uint64_t>(std::int64_t{-5}));
        REQUIRE(inv.ok());
        REQUIRE(inv->has_value());
        CHECK((*inv)->tokenId == 0xFFFFFFFFFFFFFFFBull);
        CHECK(count(db, "audit") == 1);
    }
    if (version >= 2) {
        auto c = r.caseRecord(1);
        REQUIRE(c.ok());
        CHECK(c->status == CaseStatus::Submitted);
        REQUIRE(c->fields.size() == 1);
        CHECK(c->fields[0].value == "Bệnh sử");
        CHECK(r.attendance(1)->size() == 1);
    }
    if (version >= 1 && version < 3) {
        // Columns v3 added read their defaults over older rows.
        CHECK(r.programByCode("hcv")->confidentiality.empty());
        auto s = r.session(1);
        REQUIRE(s.ok());
        CHECK(s->facilitatorId == 0);
        CHECK(s->coFacilitatorId == 0);
        CHECK(s->didactic.empty());
    }
    if (version >= 3) {
        CHECK(r.programByCode("hcv")->confidentiality == "Stays here.");
        CHECK(r.session(1)->facilitatorId == 2);
        CHECK(r.session(1)->didactic == "HCV in pregnancy");
        auto recs = r.recommendations(1);
        REQUIRE(recs.ok());
        REQUIRE(recs->size() == 1);
        CHECK((*recs)[0].consensus);
        CHECK((*recs)[0].authorRole == core::Role::Specialist);
        auto chat = r.chatLines(1);
        REQUIRE(chat.ok());
        REQUIRE(chat->size() == 1);
        CHECK((*chat)[0].kind == ChatLineKind::Question);
        CHECK(r.disclosures(1)->size() == 1);
    }
    if (version >= 1) {
        // v4's policy kept (its default over older rows); v5's camera rule
        // reads "no" over every older row: cameras stay out of recordings.
        const auto p = r.programByCode("hcv");
        REQUIRE(p.ok());
        CHECK(p->recordingPolicy == (version >= 4 ? "whole" : "didactic"));
        CHECK(p->recordCameras == (version >= 5));
    }
}

std::string bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

} // namespace

TEST_CASE("the steps are numbered 1, 2, ... with no gap") {
    const auto steps = migrations();
    REQUIRE(steps.size() >= 2);
    for (std::size_t i = 0; i < steps.size(); ++i) {
        CHECK(steps[i].version == static_cast<int>(i) + 1);
        CHECK_FALSE(steps[i].what.empty());
        CHECK_FALSE(steps[i].sql.empty());
    }
    CHECK(currentSchemaVersion() == steps.back().version);
}

TEST_CASE("an empty database migrates to the newest schema with every table") {
    TempDir dir;
    auto db = Database::open({.path = dir.file("clinic.db")});
    REQUIRE(db.ok());
    CHECK((*db)->schemaVersion() == currentSchemaVersion());
    for (const char* t : {"programs", "series", "sessions", "people", "roster", "invitations", "audit", "cases", "case_fields",
                          "case_decks", "case_findings", "attendance", "attendance_adjustments", "recommendations",
                          "chat_lines", "disclosures"})
        CHECK(tableExists(**db, t));
    // Migrating again is a no-op.
    CHECK(migrate(**db).ok());
    CHECK((*db)->schemaVersion() == currentSchemaVersion());
}

TEST_CASE("a database at every earlier version migrates with its rows kept") {
    for (int from = 0; from < currentSchemaVersion(); ++from) {
        DYNAMIC_SECTION("from version " << from) {
            TempDir dir;
            const std::string path = dir.file("clinic.db");
            {
                auto db = openAt(path, from);
                fill(*db, from);
            }
            auto db = Database::open({.path = path});
            INFO((db.ok() ? std::string() : db.error().message));
            REQUIRE(db.ok());
            CHECK((*db)->schemaVersion() == currentSchemaVersion());
            checkFilled(**db, from);
            // The newer tables work over the older rows.
            if (from >= 1) {
                Records r(**db);
                CaseRecord c;
                c.programId = 1;
                c.presenterId = 2;
                c.fields = {{"question", "Ørsted asks"}};
                auto id = r.createCase(c, Actor{.via = "test"}, 30);
                INFO((id.ok() ? std::string() : id.error().message));
                CHECK(id.ok());
                // And v3's over the older sessions and cases.
                Recommendation rec;
                rec.sessionId = 1;
                rec.caseId = *id;
                rec.entryId = 1;
                rec.authorName = "Ørsted";
                rec.authorRole = core::Role::Specialist;
                rec.text = "After the migration.";
                auto rid = r.addRecommendation(rec);
                INFO((rid.ok() ? std::string() : rid.error().message));
                CHECK(rid.ok());
                CHECK(r.setSessionFacilitators(1, 2, 0, Actor{.via = "test"}, 40).ok());
            }
            auto check = (*db)->prepare("PRAGMA foreign_key_check");
            REQUIRE(check.ok());
            CHECK_FALSE(check->step());
            CHECK(check->status().ok());
        }
    }
}

TEST_CASE("a step that fails leaves the version before it, whole") {
    TempDir dir;
    const std::string path = dir.file("clinic.db");
    {
        auto db = openAt(path, 1);
        fill(*db, 1);
        // Something in the way of step 2 (a hand-made table of the same name).
        REQUIRE(db->exec("CREATE TABLE attendance (x INTEGER)").ok());
    }
    auto db = Database::open({.path = path});
    REQUIRE_FALSE(db.ok());
    INFO(db.error().message);
    CHECK(db.error().message.find(path) != std::string::npos);
    CHECK(db.error().message.find("version 2") != std::string::npos);

    auto old = Database::open({.path = path, .migrate = false});
    REQUIRE(old.ok());
    CHECK((*old)->schemaVersion() == 1);
    CHECK_FALSE(tableExists(**old, "cases"));   // nothing of step 2 stayed
    // The rows of version 1, read with plain SQL (this build's Records reads
    // the newest schema's columns).
    CHECK(count(**old, "programs") == 1);
    CHECK(count(**old, "people") == 2);
    CHECK(count(**old, "roster") == 2);
    CHECK(count(**old, "invitations") == 1);
    CHECK(count(**old, "audit") == 1);
}

TEST_CASE("a database newer than this build is refused and left untouched") {
    TempDir dir;
    const std::string path = dir.file("clinic.db");
    {
        auto db = Database::open({.path = path});
        REQUIRE(db.ok());
        fill(**db, currentSchemaVersion());
        REQUIRE((*db)->exec("PRAGMA journal_mode=DELETE").ok());
        REQUIRE((*db)->exec("PRAGMA user_version = " + std::to_string(currentSchemaVersion() + 1)).ok());
    }
    const std::string before = bytes(path);
    REQUIRE_FALSE(before.empty());
    auto db = Database::open({.path = path});
    REQUIRE_FALSE(db.ok());
    INFO(db.error().message);
    CHECK(db.error().message.find(path) != std::string::npos);
    CHECK(db.error().message.find("newer") != std::string::npos);
    CHECK(bytes(path) == before);
    CHECK_FALSE(std::filesystem::exists(path + "-wal"));

    auto ro = Database::open({.path = path, .readOnly = true});
    CHECK_FALSE(ro.ok());
    auto raw = Database::open({.path = path, .migrate = false});
    REQUIRE(raw.ok());
    CHECK_FALSE(migrate(**raw).ok());
    CHECK((*raw)->schemaVersion() == currentSchemaVersion() + 1);
}

TEST_CASE("v5: a program's camera rule is no by default, set through Records, audited, and 0 or 1 only") {
    TempDir dir;
    auto db = Database::open({.path = dir.file("clinic.db")});
    REQUIRE(db.ok());
    REQUIRE(currentSchemaVersion() >= 5);
    Records r(**db);
    Program p;
    p.code = "hcv";
    p.name = "Hepatitis C ECHO";
    auto id = r.createProgram(p, Actor{.via = "test"}, 10);
    INFO((id.ok() ? std::string() : id.error().message));
    REQUIRE(id.ok());
    auto got = r.program(*id);
    REQUIRE(got.ok());
    CHECK_FALSE(got->recordCameras);
    auto before = r.auditRows(1, 0);
    REQUIRE(before.ok());
    got->recordCameras = true;
    REQUIRE(r.updateProgram(*got, Actor{.via = "test"}, 20).ok());
    CHECK(r.program(*id)->recordCameras);
    CHECK(r.programByCode("hcv")->recordCameras);
    auto after = r.auditRows(1, 0);
    REQUIRE(after.ok());
    REQUIRE(after->size() == before->size() + 1);   // one field changed: one row
    const std::string& text = after->back().text;
    CHECK(text.find("recordCameras") != std::string::npos);
    CHECK(text.find("yes") != std::string::npos);
    // The column takes nothing but 0 and 1.
    CHECK_FALSE((*db)->exec("UPDATE programs SET record_cameras = 2 WHERE id = 1").ok());
    CHECK(r.program(*id)->recordCameras);
}
