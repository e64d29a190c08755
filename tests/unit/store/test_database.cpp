// The SQLite adapter on real files: the durability pragmas every connection
// runs with, errors that name the file and SQLite's message, a file that is
// not a database refused untouched, create off, read-only opening, statement
// errors that name the SQL, and transactions and write scopes that commit or
// roll back.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <fstream>

#include "store/database.h"
#include "store/schema.h"
#include "temp_dir.h"

using namespace caseroom;
using namespace caseroom::store;
using caseroom::testing::TempDir;

namespace {

std::string pragma(Database& db, const char* sql) {
    auto st = db.prepare(sql);
    REQUIRE(st.ok());
    REQUIRE(st->step());
    return st->text(0);
}

std::unique_ptr<Database> openOk(const OpenDesc& d) {
    auto db = Database::open(d);
    INFO((db.ok() ? std::string() : db.error().message));
    REQUIRE(db.ok());
    return std::move(*db);
}

std::string slurpBytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

} // namespace

TEST_CASE("every connection runs WAL, synchronous FULL, foreign keys and the newest schema") {
    TempDir dir;
    auto db = openOk({.path = dir.file("clinic.db")});
    CHECK(pragma(*db, "PRAGMA journal_mode") == "wal");
    CHECK(pragma(*db, "PRAGMA synchronous") == "2");   // FULL
    CHECK(pragma(*db, "PRAGMA foreign_keys") == "1");
    CHECK(pragma(*db, "PRAGMA busy_timeout") == "5000");
    CHECK(db->schemaVersion() == currentSchemaVersion());
    CHECK(db->path() == dir.file("clinic.db"));

    // A second connection to the same file (caseroom-admin beside the server) gets the same.
    auto other = openOk({.path = dir.file("clinic.db"), .busyTimeoutMs = 250});
    CHECK(pragma(*other, "PRAGMA journal_mode") == "wal");
    CHECK(pragma(*other, "PRAGMA synchronous") == "2");
    CHECK(pragma(*other, "PRAGMA busy_timeout") == "250");
}

TEST_CASE("a missing file with create off is an error naming the file") {
    TempDir dir;
    const std::string path = dir.file("missing.db");
    auto db = Database::open({.path = path, .create = false});
    REQUIRE_FALSE(db.ok());
    CHECK(db.error().message.find(path) != std::string::npos);
    CHECK(db.error().message.find("unable to open") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(path));
}

TEST_CASE("a folder that does not exist is an error naming the file") {
    TempDir dir;
    const std::string path = dir.file("no/such/folder/clinic.db");
    auto db = Database::open({.path = path});
    REQUIRE_FALSE(db.ok());
    CHECK(db.error().message.find(path) != std::string::npos);
}

TEST_CASE("a file that is not a database is refused with SQLite's message and left as it was") {
    TempDir dir;
    const std::string path = dir.file("clinic.db");
    const std::string junk = "This is a clinic's notes file, not SQLite.\n" + std::string(4096, 'x');
    {
        std::ofstream out(path, std::ios::binary);
        out << junk;
    }
    for (bool readOnly : {false, true}) {
        auto db = Database::open({.path = path, .readOnly = readOnly});
        REQUIRE_FALSE(db.ok());
        INFO(db.error().message);
        CHECK(db.error().message.find(path) != std::string::npos);
        CHECK(db.error().message.find("file is not a database") != std::string::npos);
    }
    CHECK(slurpBytes(path) == junk);
    CHECK_FALSE(std::filesystem::exists(path + "-wal"));
}

TEST_CASE("read-only: reads work, writes are refused, nothing is created") {
    TempDir dir;
    const std::string path = dir.file("clinic.db");
    {
        auto db = openOk({.path = path});
        REQUIRE(db->exec("INSERT INTO people (stable_id, name, created_at, updated_at) VALUES ('npi-1', 'Ørsted', 1, 1)").ok());
    }
    auto ro = openOk({.path = path, .readOnly = true});
    CHECK(pragma(*ro, "SELECT name FROM people WHERE stable_id = 'npi-1'") == "Ørsted");
    auto w = ro->exec("INSERT INTO people (stable_id, name, created_at, updated_at) VALUES ('npi-2', 'x', 1, 1)");
    REQUIRE_FALSE(w.ok());
    CHECK(w.error().message.find("readonly") != std::string::npos);

    auto missing = Database::open({.path = dir.file("none.db"), .readOnly = true});
    REQUIRE_FALSE(missing.ok());
    CHECK_FALSE(std::filesystem::exists(dir.file("none.db")));
}

TEST_CASE("read-only refuses a database whose schema is not this build's") {
    TempDir dir;
    const std::string path = dir.file("old.db");
    {
        auto db = openOk({.path = path, .migrate = false});
        REQUIRE(migrate(*db, 1).ok());
    }
    auto ro = Database::open({.path = path, .readOnly = true});
    REQUIRE_FALSE(ro.ok());
    CHECK(ro.error().message.find("schema version 1") != std::string::npos);
    CHECK(ro.error().message.find(path) != std::string::npos);
}

TEST_CASE("statement errors name the SQL and are kept in status()") {
    TempDir dir;
    auto db = openOk({.path = dir.file("clinic.db")});
    auto bad = db->prepare("SELECT nothing FROM no_such_table");
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().message.find("no_such_table") != std::string::npos);

    auto st = db->prepare("INSERT INTO people (stable_id, name, created_at, updated_at) VALUES (?1, ?2, 1, 1)");
    REQUIRE(st.ok());
    st->bind(1, std::string_view("npi-1")).bind(2, std::string_view("Nguyễn Thị Lan"));
    REQUIRE(st->run().ok());
    st->reset();
    st->bind(1, std::string_view("npi-1")).bind(2, std::string_view("again"));
    auto dup = st->run();
    REQUIRE_FALSE(dup.ok());
    CHECK(dup.error().message.find("INSERT INTO people") != std::string::npos);
    CHECK(dup.error().message.find("UNIQUE") != std::string::npos);
    CHECK_FALSE(st->status().ok());
    CHECK_FALSE(st->step());   // stays failed until reset

    st->reset();
    st->bind(7, std::int64_t{1});   // no such parameter
    CHECK_FALSE(st->status().ok());
    CHECK(st->status().error().message.find("parameter 7") != std::string::npos);
}

TEST_CASE("values of every type round-trip, NULL included") {
    TempDir dir;
    auto db = openOk({.path = dir.file("clinic.db")});
    REQUIRE(db->exec("CREATE TABLE t (i INTEGER, r REAL, s TEXT, b BLOB, n INTEGER)").ok());
    auto ins = db->prepare("INSERT INTO t VALUES (?1, ?2, ?3, ?4, ?5)");
    REQUIRE(ins.ok());
    const std::vector<std::uint8_t> bytes{0, 1, 2, 255};
    ins->bind(1, std::int64_t{-(std::int64_t{1} << 62)}).bind(2, 0.75).bind(3, std::string_view("Ørsted\tnewline\n"));
    ins->bindBlob(4, bytes).bind(5, std::optional<std::int64_t>{});
    REQUIRE(ins->run().ok());
    CHECK(db->lastInsertId() == 1);
    CHECK(db->changes() == 1);
    auto q = db->prepare("SELECT i, r, s, b, n FROM t");
    REQUIRE(q.ok());
    REQUIRE(q->step());
    CHECK(q->int64(0) == -(std::int64_t{1} << 62));
    CHECK(q->real(1) == 0.75);
    CHECK(q->text(2) == "Ørsted\tnewline\n");
    CHECK(q->blob(3) == bytes);
    CHECK(q->isNull(4));
    CHECK_FALSE(q->optInt64(4).has_value());
    CHECK(q->optText(2) == std::optional<std::string>("Ørsted\tnewline\n"));
    CHECK_FALSE(q->step());
    CHECK(q->status().ok());
}

TEST_CASE("a transaction commits, or rolls back when dropped; a write scope nests as a savepoint") {
    TempDir dir;
    auto db = openOk({.path = dir.file("clinic.db")});
    REQUIRE(db->exec("CREATE TABLE t (v INTEGER)").ok());
    auto count = [&] { return pragma(*db, "SELECT count(*) FROM t"); };
    {
        Transaction tx(*db);
        REQUIRE(tx.begun().ok());
        CHECK(db->inTransaction());
        REQUIRE(db->exec("INSERT INTO t VALUES (1)").ok());
    }
    CHECK_FALSE(db->inTransaction());
    CHECK(count() == "0");
    {
        Transaction tx(*db);
        REQUIRE(db->exec("INSERT INTO t VALUES (1)").ok());
        {
            WriteScope inner(*db);
            REQUIRE(inner.begun().ok());
            CHECK(inner.nested());
            REQUIRE(db->exec("INSERT INTO t VALUES (2)").ok());
        }   // dropped: only its row goes
        {
            WriteScope inner(*db);
            REQUIRE(db->exec("INSERT INTO t VALUES (3)").ok());
            REQUIRE(inner.commit().ok());
        }
        CHECK(db->inTransaction());
        REQUIRE(tx.commit().ok());
        CHECK_FALSE(tx.commit().ok());   // once only
    }
    CHECK(pragma(*db, "SELECT group_concat(v) FROM (SELECT v FROM t ORDER BY v)") == "1,3");
    {
        WriteScope alone(*db);
        CHECK_FALSE(alone.nested());
        REQUIRE(db->exec("INSERT INTO t VALUES (4)").ok());
        REQUIRE(alone.commit().ok());
    }
    CHECK(count() == "3");
}

TEST_CASE("a second writer waits for the lock up to its busy timeout, then fails with a message") {
    TempDir dir;
    const std::string path = dir.file("clinic.db");
    auto a = openOk({.path = path});
    auto b = openOk({.path = path, .busyTimeoutMs = 50});
    Transaction holding(*a);
    REQUIRE(holding.begun().ok());
    Transaction blocked(*b);
    REQUIRE_FALSE(blocked.begun().ok());
    CHECK(blocked.begun().error().message.find("locked") != std::string::npos);
    // Readers are never blocked by the writer (WAL).
    CHECK(pragma(*b, "SELECT count(*) FROM programs") == "0");
}

TEST_CASE("plain ints, std::string, literals and u64 bind without casts; u64 keeps its bits") {
    TempDir dir;
    auto db = openOk({.path = dir.file("clinic.db")});
    REQUIRE(db->exec("CREATE TABLE t (a INTEGER, b TEXT, c TEXT, d INTEGER, e INTEGER)").ok());
    auto ins = db->prepare("INSERT INTO t VALUES (?1, ?2, ?3, ?4, ?5)");
    REQUIRE(ins.ok());
    const std::string name = "Nguyễn Thị Lan";
    ins->bind(1, 5).bind(2, name).bind(3, "Ørsted").bind(4, 0xF00DCAFEDEADBEEFull).bind(5, true);
    REQUIRE(ins->run().ok());
    auto q = db->prepare("SELECT a, b, c, d, e FROM t");
    REQUIRE(q.ok());
    REQUIRE(q->step());
    CHECK(q->int64(0) == 5);
    CHECK(q->text(1) == name);
    CHECK(q->text(2) == "Ørsted");
    CHECK(static_cast<std::uint64_t>(q->int64(3)) == 0xF00DCAFEDEADBEEFull);
    CHECK(q->int64(4) == 1);
}
