// The SQLite adapter: one connection, prepared statements, transactions and
// schema migrations. The only file outside store/ that may name sqlite3 is
// none: callers see Database, Statement and Transaction.
//
// Durability contract (clinical records): every connection runs in WAL mode
// with synchronous=FULL, foreign_keys=ON and a busy timeout, so a committed
// transaction survives kill -9 and power loss, and the server and
// caseroom-admin may use one database file at once (one writer at a time,
// readers never blocked).
// Thread rule: a Database (and its statements) is used from one thread at a
// time; the server's writes go through store::Writer (writer.h), which owns
// its own connection on its own thread.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace caseroom::store {

struct OpenDesc {
    std::string path;                 // the database file; ":memory:" for tests
    bool create = true;               // false: a missing file is an error
    int busyTimeoutMs = 5000;         // waiting for another process's write lock
    bool migrate = true;              // run pending migrations (schema.h) on open
    bool readOnly = false;            // caseroom-admin list/export may open read-only
};

// A prepared statement. bind* take 1-based indexes; step() returns true while
// a row is ready, false when done; an error is kept and returned by status().
class Statement {
public:
    Statement() = default;
    Statement(Statement&&) noexcept;
    Statement& operator=(Statement&&) noexcept;
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    ~Statement();

    Statement& bind(int index, std::int64_t v);
    Statement& bind(int index, double v);
    Statement& bind(int index, std::string_view text);   // UTF-8, copied
    Statement& bindBlob(int index, std::span<const std::uint8_t> bytes);
    Statement& bindNull(int index);
    Statement& bind(int index, const std::optional<std::int64_t>& v);     // null when empty
    Statement& bind(int index, const std::optional<std::string>& v);

    [[nodiscard]] bool step();           // a row is ready
    [[nodiscard]] core::Status run();    // step to the end; the error names the SQL
    void reset();                        // for re-use with new bindings

    [[nodiscard]] std::int64_t int64(int col) const;
    [[nodiscard]] double real(int col) const;
    [[nodiscard]] std::string text(int col) const;
    [[nodiscard]] std::vector<std::uint8_t> blob(int col) const;
    [[nodiscard]] bool isNull(int col) const;
    [[nodiscard]] std::optional<std::int64_t> optInt64(int col) const;
    [[nodiscard]] std::optional<std::string> optText(int col) const;

    [[nodiscard]] const core::Status& status() const { return status_; }

private:
    friend class Database;
    Statement(sqlite3_stmt* s, sqlite3* db, std::string sql) : stmt_(s), db_(db), sql_(std::move(sql)) {}
    sqlite3_stmt* stmt_ = nullptr;
    sqlite3* db_ = nullptr;
    std::string sql_;
    core::Status status_;
};

class Database {
public:
    // Opens (creating when allowed), sets the pragmas above and, unless
    // desc.migrate is false, migrates to the newest schema. Errors name the
    // file and the fault ("clinic.db: file is not a database").
    [[nodiscard]] static core::Result<std::unique_ptr<Database>> open(const OpenDesc& desc);
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    [[nodiscard]] core::Result<Statement> prepare(std::string_view sql);
    [[nodiscard]] core::Status exec(std::string_view sql);   // one or more statements, no results
    [[nodiscard]] std::int64_t lastInsertId() const;
    [[nodiscard]] int changes() const;                        // rows changed by the last statement
    [[nodiscard]] const std::string& path() const { return path_; }
    [[nodiscard]] int schemaVersion() const;                  // PRAGMA user_version
    [[nodiscard]] bool inTransaction() const;                 // a transaction is open on this connection
    [[nodiscard]] sqlite3* handle() const { return db_; }     // store/ internals only

private:
    Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
    sqlite3* db_ = nullptr;
    std::string path_;
};

// BEGIN IMMEDIATE ... COMMIT; rolled back when destroyed uncommitted.
class Transaction {
public:
    explicit Transaction(Database& db);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    [[nodiscard]] const core::Status& begun() const { return begun_; }
    [[nodiscard]] core::Status commit();

private:
    Database& db_;
    core::Status begun_;
    bool done_ = false;
};

// A write that nests: BEGIN IMMEDIATE ... COMMIT when no transaction is open
// on the connection, else SAVEPOINT ... RELEASE inside the open one (the
// Writer's batch, or a caller's Transaction). Destroyed uncommitted, it rolls
// back its own part only. Records' changing methods run in one of these.
class WriteScope {
public:
    explicit WriteScope(Database& db);
    ~WriteScope();
    WriteScope(const WriteScope&) = delete;
    WriteScope& operator=(const WriteScope&) = delete;
    [[nodiscard]] const core::Status& begun() const { return begun_; }
    [[nodiscard]] core::Status commit();
    [[nodiscard]] bool nested() const { return nested_; }

private:
    Database& db_;
    core::Status begun_;
    bool nested_ = false;
    bool done_ = false;
};

} // namespace caseroom::store
