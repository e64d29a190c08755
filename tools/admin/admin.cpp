// caseroom-admin's context: the database and the acting person, option
// parsing, permission checks and small file helpers (admin.h).
#include "admin.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "core/cli.h"
#include "net/secure/crypto.h"
#include "session/audit_log.h"
#include "session/db_audit.h"

namespace caseroom::admin {

bool ParsedArgs::has(std::string_view name) const {
    if (values.find(name) != values.end()) return true;
    for (const auto& f : flags)
        if (f == name) return true;
    return false;
}

std::string ParsedArgs::get(std::string_view name, std::string_view fallback) const {
    const auto it = values.find(name);
    return it == values.end() || it->second.empty() ? std::string(fallback) : it->second.back();
}

const std::vector<std::string>& ParsedArgs::all(std::string_view name) const {
    static const std::vector<std::string> kNone;
    const auto it = values.find(name);
    return it == values.end() ? kNone : it->second;
}

core::Result<ParsedArgs> parseArgs(std::span<const std::string> args, std::span<const OptSpec> specs) {
    ParsedArgs out;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--help" || a == "-h") {
            out.help = true;
            continue;
        }
        if (a.size() < 2 || a.compare(0, 2, "--") != 0 || a == "-") {
            out.positional.push_back(a);
            continue;
        }
        const OptSpec* spec = nullptr;
        for (const auto& s : specs)
            if (s.name == a) spec = &s;
        if (!spec) return core::Error{"unknown option '" + a + "' (see --help)"};
        if (!spec->takesValue) {
            out.flags.push_back(a);
            continue;
        }
        if (i + 1 >= args.size()) return core::Error{a + " needs a value (see --help)"};
        auto& v = out.values[a];
        if (!v.empty() && !spec->repeatable) return core::Error{a + " given twice"};
        v.push_back(args[++i]);
    }
    return out;
}

// ---- the context ------------------------------------------------------------------

core::Status Context::open(bool create) {
    if (globals.stateDir.empty())
        globals.stateDir = core::cli::defaultStateDir(std::getenv("XDG_STATE_HOME"), std::getenv("HOME"), ::geteuid() == 0);
    if (globals.stateDir.empty())
        return core::Error{"no state directory: give --state-dir DIR (or set HOME or XDG_STATE_HOME)"};
    if (create) {
        if (auto st = core::cli::makeStateDir(globals.stateDir); !st) return st;
    }
    if (globals.dbPath.empty()) globals.dbPath = globals.stateDir + "/clinic.db";
    if (!create && !std::filesystem::exists(globals.dbPath))
        return core::Error{globals.dbPath + ": no clinic database here (create a program first: caseroom-admin program create ...)"};
    store::OpenDesc d;
    d.path = globals.dbPath;
    d.create = create;
    auto db = store::Database::open(d);
    if (!db) return db.error();
    db_ = std::move(*db);
    records_ = std::make_unique<store::Records>(*db_);
    // The chain key the server uses for the trail in this database: audit.key
    // beside the database (as the server and caseroom-audit verify --db find
    // it, whatever --db says); made here when the tool runs before the server.
    if (!net::secure::initCrypto()) return core::Error{"libsodium failed to start"};
    bool created = false;
    net::secure::SystemRandom random;
    auto key = session::loadOrCreateAuditKey(
        session::defaultAuditKeyPath(globals.dbPath), [&random](std::span<std::uint8_t> out) { random.fill(out); }, created);
    if (!key) return key.error();
    session::installEditAudit(*records_, *key);
    if (!globals.asStableId.empty()) {
        auto p = records_->personByStableId(globals.asStableId);
        if (!p) return p.error();
        if (!*p) return core::Error{"--as " + globals.asStableId + ": no such person on any roster"};
        asPerson_ = **p;
    }
    return {};
}

store::Actor Context::actor() const {
    store::Actor a;
    a.personId = asPerson_ ? asPerson_->id : 0;
    a.osUser = osUser;
    // Without --as only bootstrapping passes requireOrBootstrap: say so in the trail.
    a.via = asPerson_ ? "caseroom-admin" : "caseroom-admin bootstrap (state directory owner)";
    return a;
}

std::string Context::revocationsPath() const {
    return globals.revocationsPath.empty() ? globals.stateDir + "/revocations" : globals.revocationsPath;
}

bool Context::ownsStateDir() const {
    struct stat st{};
    return ::stat(globals.stateDir.c_str(), &st) == 0 && st.st_uid == ::geteuid();
}

core::Result<core::Role> Context::roleIn(std::int64_t programId) {
    if (!asPerson_) return core::Error{"say who acts: --as STABLE_ID (a person on the program's roster)"};
    auto e = records_->rosterEntry(programId, asPerson_->id);
    if (!e) return e.error();
    if (!*e || !(*e)->active) {
        auto p = records_->program(programId);
        return core::Error{asPerson_->stableId + " (" + asPerson_->name + ") is not on the roster of program " +
                           (p ? p->code : std::to_string(programId))};
    }
    return (*e)->role;
}

core::Status Context::require(std::int64_t programId, sim::Action action) {
    auto role = roleIn(programId);
    if (!role) return role.error();
    if (!sim::permitted(*role, action))
        return core::Error{asPerson_->stableId + " is " + core::toString(*role) + " in this program; a " +
                           core::toString(*role) + " may not " + sim::toString(action)};
    return {};
}

core::Status Context::requireOrBootstrap(std::int64_t programId, sim::Action action) {
    if (asPerson_) {
        if (programId != 0) return require(programId, action);
        // No program yet named (program create): anyone who may do it in some program.
        auto all = records_->programs();
        if (!all) return all.error();
        for (const auto& p : *all) {
            auto e = records_->rosterEntry(p.id, asPerson_->id);
            if (e && *e && (*e)->active && sim::permitted((*e)->role, action)) return {};
        }
        return core::Error{asPerson_->stableId + " may not " + std::string(sim::toString(action)) + " in any program"};
    }
    bool rosterEmpty = true;
    if (programId != 0) {
        auto r = records_->roster(programId);
        if (!r) return r.error();
        rosterEmpty = r->empty();
    }
    if (!rosterEmpty)
        return core::Error{"say who acts: --as STABLE_ID (the program has a roster; only its coordinators may " +
                           std::string(sim::toString(action)) + ")"};
    if (!ownsStateDir())
        return core::Error{"bootstrapping (no roster yet) is only for the owner of " + globals.stateDir + "; you are " + osUser};
    return {};
}

core::Result<store::Program> Context::program(std::string_view code) {
    if (code.empty()) return core::Error{"--program CODE is required"};
    auto p = records_->programByCode(code);
    if (!p) return core::Error{"program '" + std::string(code) + "': " + p.error().message};
    return p;
}

core::Result<store::Person> Context::personByStable(std::string_view stableId) {
    auto p = records_->personByStableId(stableId);
    if (!p) return p.error();
    if (!*p) return core::Error{"no person with stable id '" + std::string(stableId) + "'"};
    return **p;
}

// ---- messages -----------------------------------------------------------------------

int fail(const Context& ctx, const core::Error& e, int code) { return fail(ctx, e.message, code); }

int fail(const Context& ctx, std::string_view message, int code) {
    std::fprintf(stderr, "caseroom-admin %s: %.*s\n", ctx.command.c_str(), static_cast<int>(message.size()), message.data());
    return code;
}

int usageError(const Context& ctx, std::string_view message) { return fail(ctx, message, kExitUsage); }

std::optional<ParsedArgs> beginCommand(const Context& ctx, std::span<const std::string> args, std::span<const OptSpec> specs,
                                       const char* usage, Sub sub, int& exitCode) {
    auto a = parseArgs(args, specs);
    if (!a) {
        exitCode = usageError(ctx, a.error().message);
        return std::nullopt;
    }
    if (a->help) {
        std::fputs(usage, stdout);
        exitCode = kExitOk;
        return std::nullopt;
    }
    if (sub == Sub::Required && a->positional.empty()) {
        std::fputs(usage, stderr);
        exitCode = kExitUsage;
        return std::nullopt;
    }
    if (sub == Sub::None && !a->positional.empty()) {
        exitCode = usageError(ctx, "unexpected argument '" + a->positional[0] + "' (see --help)");
        return std::nullopt;
    }
    return std::move(*a);
}

// ---- helpers ------------------------------------------------------------------------



std::string utf8Prefix(std::string_view s, std::size_t maxBytes) {
    if (s.size() <= maxBytes) return std::string(s);
    std::size_t n = maxBytes;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
    return std::string(s.substr(0, n));
}

std::string safeFileName(std::string_view s) {
    std::string out;
    for (const char c : s) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
        out.push_back(ok ? c : '_');
    }
    if (out.empty() || out == "." || out == "..") out = "_" + out;
    return out;
}

namespace {
// Reads at most one buffer past the cap, so a huge (or endless) input is
// refused without being held in memory.
core::Result<std::string> readCapped(std::istream& in, const std::string& name) {
    std::string text;
    std::vector<char> buf(64 * 1024);
    for (;;) {
        in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        const auto got = static_cast<std::size_t>(in.gcount());
        text.append(buf.data(), got);
        if (text.size() > kMaxInputFileBytes)
            return core::Error{name + ": larger than " + std::to_string(kMaxInputFileBytes >> 20) + " MiB, not read"};
        if (!in) break;
    }
    if (in.bad()) return core::Error{name + ": read failed"};
    return text;
}
} // namespace

core::Result<std::string> readWholeFile(const std::string& path) {
    if (path == "-") return readCapped(std::cin, "standard input");
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) return core::Error{path + ": not a readable file"};
    std::ifstream in(path, std::ios::binary);
    if (!in) return core::Error{path + ": " + std::strerror(errno)};
    return readCapped(in, path);
}

core::Status writeWholeFile(const std::string& path, std::string_view text, unsigned mode) {
    // A new file beside the target, fsync'd, renamed over it: a reader never sees half a file.
    const std::string tmp = path + ".tmp" + std::to_string(::getpid());
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd < 0) return core::Error{tmp + ": " + std::strerror(errno)};
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const std::string why = std::strerror(errno);
            ::close(fd);
            ::unlink(tmp.c_str());
            return core::Error{path + ": write failed: " + why};
        }
        done += static_cast<std::size_t>(n);
    }
    const bool synced = ::fsync(fd) == 0;
    ::close(fd);
    if (!synced || ::rename(tmp.c_str(), path.c_str()) != 0) {
        const std::string why = std::strerror(errno);
        ::unlink(tmp.c_str());
        return core::Error{path + ": " + why};
    }
    return {};
}

core::Result<std::int64_t> parseId(std::string_view option, std::string_view text) {
    auto n = core::cli::parseInt(option, text, 1, INT64_MAX);
    if (!n) return n.error();
    return static_cast<std::int64_t>(*n);
}

std::string hex16(std::uint64_t v) {
    char buf[20];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
    return buf;
}

std::string csvField(std::string_view s) {
    if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
    std::string out = "\"";
    for (const char c : s) {
        if (c == '"') out.push_back('"');
        out.push_back(c);
    }
    out.push_back('"');
    return out;
}

} // namespace caseroom::admin
