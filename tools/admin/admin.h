// caseroom-admin's shared parts: the global options, the context a command
// runs in (the database, the records, who acts), option parsing for the
// commands, and the permission check against the one table (sim/permissions.h).
//
// Contracts:
// - Every command that changes records runs in one write transaction
//   (store::Transaction, BEGIN IMMEDIATE): it commits whole or not at all, and
//   the database's busy timeout lets it wait for a running server's writer.
// - Every change is audited with store::Actor{the --as person, the OS user,
//   "caseroom-admin"}; session::installEditAudit chains the rows.
// - Exit status: 0 done, 1 refused or bad data (the message says why), 2 bad
//   usage (unknown option, missing value).
// Thread rule: single-threaded tool.
#pragma once
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/role.h"
#include "sim/permissions.h"
#include "store/database.h"
#include "store/records.h"
#include "core/utf8.h"

namespace caseroom::admin {

inline constexpr int kExitOk = 0;
inline constexpr int kExitRefused = 1;
inline constexpr int kExitUsage = 2;

// Options every command takes (anywhere on the command line).
struct Globals {
    std::string dbPath;            // --db (default STATE_DIR/clinic.db)
    std::string stateDir;          // --state-dir (default core/cli.h defaultStateDir)
    std::string asStableId;        // --as: the acting roster person
    std::string revocationsPath;   // --revocations (default STATE_DIR/revocations)
    std::int64_t now = 0;          // --now UNIX (tests, demos), else the wall clock
};

// One option a command accepts.
struct OptSpec {
    std::string_view name;         // "--program"
    bool takesValue = true;
    bool repeatable = false;
};

struct ParsedArgs {
    std::map<std::string, std::vector<std::string>, std::less<>> values;
    std::vector<std::string> flags;
    std::vector<std::string> positional;
    bool help = false;
    [[nodiscard]] bool has(std::string_view name) const;
    [[nodiscard]] std::string get(std::string_view name, std::string_view fallback = {}) const;
    [[nodiscard]] const std::vector<std::string>& all(std::string_view name) const;
};

// Parses `args` against `specs`; errors name the option.
[[nodiscard]] core::Result<ParsedArgs> parseArgs(std::span<const std::string> args, std::span<const OptSpec> specs);

// What a command runs in. The database is opened by open(); writes go
// through records() inside a Tx.
class Context {
public:
    Globals globals;
    std::string osUser;            // getpwuid(geteuid())
    std::string command;           // "case vet", for messages

    // Opens the database (creating it and the state directory when `create`),
    // installs the audit hook and resolves --as. Errors name the file.
    [[nodiscard]] core::Status open(bool create);
    [[nodiscard]] store::Database& db() { return *db_; }
    [[nodiscard]] store::Records& records() { return *records_; }
    [[nodiscard]] store::Actor actor() const;
    [[nodiscard]] const std::optional<store::Person>& asPerson() const { return asPerson_; }
    [[nodiscard]] std::string stateDir() const { return globals.stateDir; }
    [[nodiscard]] std::string revocationsPath() const;

    // The acting person's role in the program (error: not on its roster, or no --as).
    [[nodiscard]] core::Result<core::Role> roleIn(std::int64_t programId);
    // Refuses unless the --as person's role in the program permits `action`;
    // the message names the person, the role and the action.
    [[nodiscard]] core::Status require(std::int64_t programId, sim::Action action);
    // Bootstrapping: no --as, the OS user owns the state directory and the
    // program has no roster yet (or there is no program yet).
    [[nodiscard]] core::Status requireOrBootstrap(std::int64_t programId, sim::Action action);

    [[nodiscard]] core::Result<store::Program> program(std::string_view code);
    [[nodiscard]] core::Result<store::Person> personByStable(std::string_view stableId);

private:
    [[nodiscard]] bool ownsStateDir() const;
    std::unique_ptr<store::Database> db_;
    std::unique_ptr<store::Records> records_;
    std::optional<store::Person> asPerson_;
};

// One write transaction for a command (BEGIN IMMEDIATE; rolled back unless committed).
class Tx {
public:
    explicit Tx(store::Database& db) : tx_(db) {}
    [[nodiscard]] core::Status begun() const { return tx_.begun(); }
    [[nodiscard]] core::Status commit() { return tx_.commit(); }

private:
    store::Transaction tx_;
};

// Prints "caseroom-admin COMMAND: message" to stderr and returns `code`.
int fail(const Context& ctx, const core::Error& e, int code = kExitRefused);
int fail(const Context& ctx, std::string_view message, int code = kExitRefused);
int usageError(const Context& ctx, std::string_view message);
// The start every command shares: parse `args` against `specs`; --help prints
// `usage` on stdout; a group with sub-commands (Sub::Required) without one
// prints it on stderr; a command without them (Sub::None) refuses stray
// arguments. nullopt: return `exitCode` (set here).
enum class Sub : std::uint8_t { Required, None };
[[nodiscard]] std::optional<ParsedArgs> beginCommand(const Context& ctx, std::span<const std::string> args,
                                                     std::span<const OptSpec> specs, const char* usage, Sub sub,
                                                     int& exitCode);

// Small helpers shared by the command files.
using core::roleFromString;  // core/role.h
using core::validUtf8;   // core/utf8.h
// The longest prefix of `s` of at most `maxBytes` bytes that ends on a code point.
[[nodiscard]] std::string utf8Prefix(std::string_view s, std::size_t maxBytes);
// A file name part: [A-Za-z0-9._-] kept, others '_' (never empty, never "." or "..").
[[nodiscard]] std::string safeFileName(std::string_view s);
// A file the tool reads (a roster, a form, a case) is at most this long.
inline constexpr std::size_t kMaxInputFileBytes = std::size_t{16} << 20;
// The whole file ("-": stdin); over kMaxInputFileBytes is an error naming it.
[[nodiscard]] core::Result<std::string> readWholeFile(const std::string& path);
[[nodiscard]] core::Status writeWholeFile(const std::string& path, std::string_view text, unsigned mode = 0644);
[[nodiscard]] core::Result<std::int64_t> parseId(std::string_view option, std::string_view text);
[[nodiscard]] std::string hex16(std::uint64_t v);
// One CSV field, RFC 4180 quoted when it holds a comma, a quote or a line break.
[[nodiscard]] std::string csvField(std::string_view s);

// The command groups (one file each). args: everything after the group's name.
int runProgram(Context& ctx, std::span<const std::string> args);
int runRoster(Context& ctx, std::span<const std::string> args);
int runSchedule(Context& ctx, std::span<const std::string> args);
int runSessions(Context& ctx, std::span<const std::string> args);
int runInvite(Context& ctx, std::span<const std::string> args);
int runCredential(Context& ctx, std::span<const std::string> args);
int runRevoke(Context& ctx, std::span<const std::string> args);
int runInvitations(Context& ctx, std::span<const std::string> args);
int runCase(Context& ctx, std::span<const std::string> args);
int runAttendance(Context& ctx, std::span<const std::string> args);
int runCertificates(Context& ctx, std::span<const std::string> args);
// The teaching round's records (round_commands.cpp).
int runRecommendations(Context& ctx, std::span<const std::string> args);
int runDisclosure(Context& ctx, std::span<const std::string> args);
int runSessionCommand(Context& ctx, std::span<const std::string> args);   // `session facilitators`
int runChat(Context& ctx, std::span<const std::string> args);

} // namespace caseroom::admin
