// The SQLite adapter (database.h). Every error names the file and, for
// statements, the SQL, with SQLite's own message.
#include "store/database.h"

#include <sqlite3.h>

#include <cstdlib>
#include <cstring>
#include <utility>

#include "store/schema.h"

namespace caseroom::store {

namespace {

// SQL in an error message: one line, at most 160 bytes.
std::string shortSql(std::string_view sql) {
    std::string out;
    out.reserve(sql.size() < 160 ? sql.size() : 160);
    bool space = false;
    for (char c : sql) {
        const bool ws = c == ' ' || c == '\n' || c == '\t' || c == '\r';
        if (ws) {
            space = !out.empty();
            continue;
        }
        if (space) out += ' ';
        space = false;
        out += c;
        if (out.size() >= 160) {
            out += "...";
            break;
        }
    }
    return out;
}

std::string fileOf(sqlite3* db) {
    const char* f = db ? sqlite3_db_filename(db, "main") : nullptr;
    return f && *f ? f : ":memory:";
}

core::Error sqlError(sqlite3* db, std::string_view sql) {
    return core::Error{fileOf(db) + ": " + shortSql(sql) + ": " + (db ? sqlite3_errmsg(db) : "no connection")};
}

// A pragma that answers one text value.
core::Result<std::string> pragmaText(sqlite3* db, const std::string& path, const char* sql) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) != SQLITE_OK)
        return core::Error{path + ": " + sqlite3_errmsg(db)};
    std::string value;
    const int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const auto* t = sqlite3_column_text(st, 0);
        if (t) value.assign(reinterpret_cast<const char*>(t), static_cast<std::size_t>(sqlite3_column_bytes(st, 0)));
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        std::string msg = path + ": " + sqlite3_errmsg(db);
        sqlite3_finalize(st);
        return core::Error{std::move(msg)};
    }
    sqlite3_finalize(st);
    return value;
}

} // namespace

// ---- Statement ----------------------------------------------------------------

Statement::Statement(Statement&& o) noexcept
    : stmt_(std::exchange(o.stmt_, nullptr)), db_(std::exchange(o.db_, nullptr)), sql_(std::move(o.sql_)),
      status_(std::move(o.status_)) {}

Statement& Statement::operator=(Statement&& o) noexcept {
    if (this != &o) {
        if (stmt_) sqlite3_finalize(stmt_);
        stmt_ = std::exchange(o.stmt_, nullptr);
        db_ = std::exchange(o.db_, nullptr);
        sql_ = std::move(o.sql_);
        status_ = std::move(o.status_);
    }
    return *this;
}

Statement::~Statement() {
    if (stmt_) sqlite3_finalize(stmt_);
}

namespace {
bool bindFailed(int rc) { return rc != SQLITE_OK; }
} // namespace

#define CR_BIND(call)                                                                                \
    do {                                                                                             \
        if (!stmt_ || !status_.ok()) return *this;                                                   \
        if (bindFailed(call))                                                                        \
            status_ = core::Error{sqlError(db_, sql_).message + " (binding parameter " +              \
                                  std::to_string(index) + ")"};                                      \
        return *this;                                                                                \
    } while (false)

Statement& Statement::bind(int index, std::int64_t v) { CR_BIND(sqlite3_bind_int64(stmt_, index, v)); }
Statement& Statement::bind(int index, double v) { CR_BIND(sqlite3_bind_double(stmt_, index, v)); }
Statement& Statement::bind(int index, std::string_view text) {
    static const char kEmpty[1] = {0};
    CR_BIND(sqlite3_bind_text64(stmt_, index, text.empty() ? kEmpty : text.data(), text.size(), SQLITE_TRANSIENT,
                                SQLITE_UTF8));
}
Statement& Statement::bindBlob(int index, std::span<const std::uint8_t> bytes) {
    static const std::uint8_t kEmpty[1] = {0};
    CR_BIND(sqlite3_bind_blob64(stmt_, index, bytes.empty() ? kEmpty : bytes.data(), bytes.size(), SQLITE_TRANSIENT));
}
Statement& Statement::bindNull(int index) { CR_BIND(sqlite3_bind_null(stmt_, index)); }
Statement& Statement::bind(int index, const std::optional<std::int64_t>& v) {
    return v ? bind(index, *v) : bindNull(index);
}
Statement& Statement::bind(int index, const std::optional<std::string>& v) {
    return v ? bind(index, std::string_view(*v)) : bindNull(index);
}

#undef CR_BIND

bool Statement::step() {
    if (!stmt_) {
        if (status_.ok()) status_ = core::Error{"statement not prepared: " + shortSql(sql_)};
        return false;
    }
    if (!status_.ok()) return false;
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) status_ = sqlError(db_, sql_);
    return false;
}

core::Status Statement::run() {
    while (step()) {
    }
    return status_;
}

void Statement::reset() {
    if (!stmt_) return;
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    status_ = core::Status{};
}

std::int64_t Statement::int64(int col) const { return stmt_ ? sqlite3_column_int64(stmt_, col) : 0; }
double Statement::real(int col) const { return stmt_ ? sqlite3_column_double(stmt_, col) : 0.0; }

std::string Statement::text(int col) const {
    if (!stmt_) return {};
    const auto* t = sqlite3_column_text(stmt_, col);
    if (!t) return {};
    return {reinterpret_cast<const char*>(t), static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))};
}

std::vector<std::uint8_t> Statement::blob(int col) const {
    if (!stmt_) return {};
    const auto* b = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt_, col));
    const int n = sqlite3_column_bytes(stmt_, col);
    if (!b || n <= 0) return {};
    return {b, b + n};
}

bool Statement::isNull(int col) const { return !stmt_ || sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

std::optional<std::int64_t> Statement::optInt64(int col) const {
    if (isNull(col)) return std::nullopt;
    return int64(col);
}

std::optional<std::string> Statement::optText(int col) const {
    if (isNull(col)) return std::nullopt;
    return text(col);
}

// ---- Database -----------------------------------------------------------------

core::Result<std::unique_ptr<Database>> Database::open(const OpenDesc& desc) {
    const std::string& path = desc.path;
    if (path.empty()) return core::Error{"database: no file given"};
    int flags = SQLITE_OPEN_NOMUTEX;   // one thread at a time (database.h)
    if (desc.readOnly) flags |= SQLITE_OPEN_READONLY;
    else flags |= SQLITE_OPEN_READWRITE | (desc.create ? SQLITE_OPEN_CREATE : 0);
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
    if (rc != SQLITE_OK) {
        std::string msg = path + ": " + (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc));
        if (!desc.create && !desc.readOnly) msg += " (it is not created: create is off)";
        sqlite3_close_v2(raw);
        return core::Error{std::move(msg)};
    }
    std::unique_ptr<Database> db(new Database(raw, path));
    sqlite3_extended_result_codes(raw, 1);
    sqlite3_busy_timeout(raw, desc.busyTimeoutMs < 0 ? 0 : desc.busyTimeoutMs);

    // The first read of the header: a file that is not SQLite fails here
    // ("file is not a database"), before anything is written to it.
    if (auto probe = pragmaText(raw, path, "PRAGMA schema_version"); !probe) return probe.error();

    const bool memory = path == ":memory:";
    if (!desc.readOnly) {
        auto mode = pragmaText(raw, path, "PRAGMA journal_mode=WAL");
        if (!mode) return mode.error();
        if (!memory && *mode != "wal")
            return core::Error{path + ": cannot switch to WAL journal mode (journal mode is '" + *mode + "')"};
    }
    for (const char* pragma : {"PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON"}) {
        if (auto s = db->exec(pragma); !s.ok()) return s.error();
    }

    if (desc.migrate) {
        if (desc.readOnly) {
            const int have = db->schemaVersion();
            if (have != currentSchemaVersion())
                return core::Error{path + ": schema version " + std::to_string(have) + ", this build reads version " +
                                   std::to_string(currentSchemaVersion()) +
                                   (have < currentSchemaVersion() ? " (open it read-write once to migrate it)"
                                                                  : " (the database is newer than this build)")};
        } else if (auto s = migrate(*db); !s.ok()) {
            return s.error();
        }
    }
    return db;
}

Database::~Database() {
    if (db_) sqlite3_close_v2(db_);
}

core::Result<Statement> Database::prepare(std::string_view sql) {
    sqlite3_stmt* st = nullptr;
    const int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &st, nullptr);
    if (rc != SQLITE_OK) {
        core::Error e = sqlError(db_, sql);
        sqlite3_finalize(st);
        return e;
    }
    return Statement(st, db_, std::string(sql));
}

core::Status Database::exec(std::string_view sql) {
    const std::string owned(sql);   // sqlite3_exec wants a terminator
    char* err = nullptr;
    const int rc = sqlite3_exec(db_, owned.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
        std::string msg = path_ + ": " + shortSql(sql) + ": " + (err ? err : sqlite3_errmsg(db_));
        sqlite3_free(err);
        return core::Error{std::move(msg)};
    }
    return {};
}

std::int64_t Database::lastInsertId() const { return sqlite3_last_insert_rowid(db_); }
int Database::changes() const { return sqlite3_changes(db_); }
bool Database::inTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

int Database::schemaVersion() const {
    auto v = pragmaText(db_, path_, "PRAGMA user_version");
    if (!v) return -1;
    return std::atoi(v->c_str());
}

// ---- Transaction, WriteScope ----------------------------------------------------

Transaction::Transaction(Database& db) : db_(db), begun_(db.exec("BEGIN IMMEDIATE")) {}

Transaction::~Transaction() {
    if (begun_.ok() && !done_ && db_.inTransaction()) (void)db_.exec("ROLLBACK");
}

core::Status Transaction::commit() {
    if (!begun_.ok()) return begun_;
    if (done_) return core::Error{db_.path() + ": transaction already committed"};
    auto s = db_.exec("COMMIT");
    if (s.ok()) done_ = true;
    return s;
}

namespace {
constexpr const char* kScopeName = "caseroom_scope";
} // namespace

WriteScope::WriteScope(Database& db) : db_(db), nested_(db.inTransaction()) {
    begun_ = db_.exec(nested_ ? std::string("SAVEPOINT ") + kScopeName : std::string("BEGIN IMMEDIATE"));
}

WriteScope::~WriteScope() {
    if (!begun_.ok() || done_) return;
    if (nested_) {
        // Undo this scope's changes and drop its savepoint; the outer
        // transaction stays open.
        (void)db_.exec(std::string("ROLLBACK TO ") + kScopeName + "; RELEASE " + kScopeName);
    } else if (db_.inTransaction()) {
        (void)db_.exec("ROLLBACK");
    }
}

core::Status WriteScope::commit() {
    if (!begun_.ok()) return begun_;
    if (done_) return core::Error{db_.path() + ": write already committed"};
    auto s = db_.exec(nested_ ? std::string("RELEASE ") + kScopeName : std::string("COMMIT"));
    if (s.ok()) done_ = true;
    return s;
}

} // namespace caseroom::store
