// Schema migrations. The schema is a list of steps, step k taking a database
// from user_version k-1 to k; each runs in its own transaction, so a crash
// mid-migration leaves the previous version. Steps are appended only: a
// released step never changes (tests migrate from every earlier version).
// The tables are documented in docs/RECORDS.md.
#pragma once
#include <span>
#include <string_view>

#include "core/result.h"

namespace caseroom::store {

class Database;

struct Migration {
    int version;              // user_version after this step
    std::string_view what;    // one line, for the log and docs
    std::string_view sql;
};

// Every step, in order; the last one's version is the current schema.
[[nodiscard]] std::span<const Migration> migrations();
[[nodiscard]] int currentSchemaVersion();

// Runs the steps after the database's user_version, up to `target` (default:
// the newest). A database newer than this build is an error, never touched.
[[nodiscard]] core::Status migrate(Database& db, int target = -1);

} // namespace caseroom::store
