// [SECTION] kinds, records, sinks, the limiter
// [SECTION] text: escaping, UTC time, numbers
// [SECTION] the chain: line text, mac, parsing
// [SECTION] keys
// [SECTION] verification
// [SECTION] the file sink
#include "session/audit_log.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <utility>

#include <fcntl.h>
#include <sodium.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"

namespace caseroom::session {

// ---- [SECTION] kinds, records, sinks, the limiter -----------------------------

const char* toString(AuditKind k) {
    switch (k) {
    case AuditKind::ServerStarted: return "ServerStarted";
    case AuditKind::ServerStopped: return "ServerStopped";
    case AuditKind::Joined: return "Joined";
    case AuditKind::Left: return "Left";
    case AuditKind::IntentRefused: return "IntentRefused";
    case AuditKind::HandshakeRefused: return "HandshakeRefused";
    case AuditKind::Replaced: return "Replaced";
    case AuditKind::Revoked: return "Revoked";
    case AuditKind::TokenExpired: return "TokenExpired";
    case AuditKind::Kicked: return "Kicked";
    case AuditKind::Muted: return "Muted";
    case AuditKind::Unmuted: return "Unmuted";
    case AuditKind::Suppressed: return "Suppressed";
    case AuditKind::ChainRestarted: return "ChainRestarted";
    case AuditKind::PanelControl: return "PanelControl";
    case AuditKind::DeckUpload: return "DeckUpload";
    case AuditKind::RecordEdit: return "RecordEdit";
    case AuditKind::SessionExtended: return "SessionExtended";
    case AuditKind::Moderation: return "Moderation";
    case AuditKind::Agenda: return "Agenda";
    case AuditKind::BoardEdit: return "BoardEdit";
    case AuditKind::TextHeld: return "TextHeld";
    case AuditKind::Count: break;
    }
    return "?";
}

std::optional<AuditKind> auditKindFromString(std::string_view s) {
    for (std::uint8_t i = 0; i < static_cast<std::uint8_t>(AuditKind::Count); ++i)
        if (s == toString(static_cast<AuditKind>(i))) return static_cast<AuditKind>(i);
    return std::nullopt;
}

bool auditSyncsAtOnce(AuditKind k) {
    return k == AuditKind::ServerStarted || k == AuditKind::ServerStopped || k == AuditKind::Revoked || k == AuditKind::Kicked ||
           k == AuditKind::ChainRestarted;
}

void fillIdentity(AuditRecord& r, const net::PeerIdentity& id) {
    r.room = id.roomCode;
    r.userId = id.userId;
    r.tokenId = id.tokenId;
    r.role = id.role;
    r.who = id.displayName;
}

std::string formatAddress(const net::Address& a) {
    const bool v6 = a.host.find(':') != std::string::npos;
    return (v6 ? "[" + a.host + "]" : a.host) + ":" + std::to_string(a.port);
}

void AuditSink::recordSuppressed(AuditRecord about, std::uint64_t count) {
    if (count == 0) return;
    about.kind = AuditKind::Suppressed;
    about.what = std::to_string(count) + (count == 1 ? " similar entry" : " similar entries") + " not written (rate limit)";
    about.outcome.clear();
    record(about);
}

bool AuditLimiter::allow(double now, std::uint64_t& suppressed) {
    tokens_ = std::min(burst_, tokens_ + std::max(0.0, now - last_) * rate_);
    last_ = std::max(last_, now);
    if (tokens_ >= 1.0) {
        tokens_ -= 1.0;
        suppressed = std::exchange(dropped_, 0);
        return true;
    }
    ++dropped_;
    suppressed = 0;
    return false;
}

std::uint64_t AuditLimiter::takePending() { return std::exchange(dropped_, 0); }

// ---- [SECTION] text: escaping, UTC time, numbers -------------------------------

namespace {

constexpr char kHex[] = "0123456789abcdef";

int hexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string hexOf(std::span<const std::uint8_t> bytes) {
    std::string s;
    s.reserve(bytes.size() * 2);
    for (std::uint8_t b : bytes) {
        s.push_back(kHex[b >> 4]);
        s.push_back(kHex[b & 15]);
    }
    return s;
}

// Lower-case hex only, so that each value has exactly one spelling.
bool lowerHex(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

template <typename T>
bool parseDecimal(std::string_view s, T& out) {
    if (s.empty() || s.size() > 20 || (s.size() > 1 && s[0] == '0')) return false;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc{} && end == s.data() + s.size();
}

// At most kAuditMaxField bytes, not splitting a UTF-8 sequence; a cut value ends in "...".
std::string cut(std::string_view s) {
    if (s.size() <= kAuditMaxField) return std::string(s);
    std::size_t n = kAuditMaxField - 3;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
    return std::string(s.substr(0, n)) + "...";
}

constexpr std::uint64_t kMaxUnixTime = 253402300799ull; // 9999-12-31T23:59:59Z

// Howard Hinnant's civil-from-days and days-from-civil, for days >= 0.
void civilFromDays(std::uint64_t days, std::uint64_t& y, unsigned& m, unsigned& d) {
    const std::uint64_t z = days + 719468;
    const std::uint64_t era = z / 146097;
    const std::uint64_t doe = z - era * 146097;
    const std::uint64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::uint64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const std::uint64_t mp = (5 * doy + 2) / 153;
    d = static_cast<unsigned>(doy - (153 * mp + 2) / 5 + 1);
    m = static_cast<unsigned>(mp < 10 ? mp + 3 : mp - 9);
    y = yoe + era * 400 + (m <= 2 ? 1 : 0);
}

std::uint64_t daysFromCivil(std::uint64_t y, unsigned m, unsigned d) {
    y -= m <= 2 ? 1 : 0;
    const std::uint64_t era = y / 400;
    const std::uint64_t yoe = y - era * 400;
    const std::uint64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const std::uint64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

} // namespace

std::string auditEscape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
        case '\\': out += "\\\\"; break;
        case '\t': out += "\\t"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        default:
            if (c < 0x20 || c == 0x7f) {
                out += "\\x";
                out.push_back(kHex[c >> 4]);
                out.push_back(kHex[c & 15]);
            } else {
                out.push_back(ch);
            }
        }
    }
    return out;
}

std::optional<std::string> auditUnescape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x20 || c == 0x7f) return std::nullopt; // never written raw
        if (c != '\\') { out.push_back(s[i]); continue; }
        if (++i == s.size()) return std::nullopt;
        switch (s[i]) {
        case '\\': out.push_back('\\'); break;
        case 't': out.push_back('\t'); break;
        case 'n': out.push_back('\n'); break;
        case 'r': out.push_back('\r'); break;
        case 'x': {
            if (i + 2 >= s.size()) return std::nullopt;
            const int hi = hexValue(s[i + 1]), lo = hexValue(s[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            out.push_back(static_cast<char>(hi * 16 + lo));
            i += 2;
            break;
        }
        default: return std::nullopt;
        }
    }
    return out;
}

std::string formatUtc(std::uint64_t t) {
    t = std::min(t, kMaxUnixTime);
    std::uint64_t y = 0;
    unsigned m = 0, d = 0;
    civilFromDays(t / 86400, y, m, d);
    const std::uint64_t s = t % 86400;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04llu-%02u-%02uT%02llu:%02llu:%02lluZ", static_cast<unsigned long long>(y), m, d,
                  static_cast<unsigned long long>(s / 3600), static_cast<unsigned long long>(s / 60 % 60),
                  static_cast<unsigned long long>(s % 60));
    return buf;
}

std::optional<std::uint64_t> parseUtc(std::string_view s) {
    // YYYY-MM-DDTHH:MM:SSZ
    if (s.size() != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z') return std::nullopt;
    auto num = [&](std::size_t at, std::size_t len, std::uint64_t& out) {
        out = 0;
        for (std::size_t i = at; i < at + len; ++i) {
            if (s[i] < '0' || s[i] > '9') return false;
            out = out * 10 + static_cast<std::uint64_t>(s[i] - '0');
        }
        return true;
    };
    std::uint64_t y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
    if (!num(0, 4, y) || !num(5, 2, mo) || !num(8, 2, d) || !num(11, 2, h) || !num(14, 2, mi) || !num(17, 2, se)) return std::nullopt;
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 59) return std::nullopt;
    const std::uint64_t t = daysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 + h * 3600 + mi * 60 + se;
    if (formatUtc(t) != s) return std::nullopt; // 31 February and the like
    return t;
}

// ---- [SECTION] the chain: line text, mac, parsing -------------------------------

namespace {

constexpr char kGenesisLabel[] = "caseroom audit chain v1";
constexpr std::string_view kMacField = "\tmac=";

// Field order of a line; parseAuditLine insists on it.
constexpr const char* kFields[] = {"seq", "time", "kind", "room", "user", "token", "role", "name", "addr", "peer", "what", "outcome", "mac"};
constexpr std::size_t kFieldCount = sizeof kFields / sizeof kFields[0];


} // namespace

std::string auditLineText(const AuditRecord& r, std::uint64_t seq) {
    char token[17] = "";
    if (r.tokenId) std::snprintf(token, sizeof token, "%016llx", static_cast<unsigned long long>(r.tokenId));
    std::string s;
    s.reserve(160 + r.room.size() + r.who.size() + r.what.size() + r.outcome.size());
    s += "seq=" + std::to_string(seq);
    s += "\ttime=" + formatUtc(r.unixTime);
    s += std::string("\tkind=") + toString(r.kind);
    s += "\troom=" + auditEscape(cut(r.room));
    s += "\tuser=" + (r.userId ? std::to_string(r.userId) : std::string());
    s += std::string("\ttoken=") + token;
    s += std::string("\trole=") + (r.role ? core::toString(*r.role) : "");
    s += "\tname=" + auditEscape(cut(r.who));
    s += "\taddr=" + auditEscape(cut(r.address));
    s += "\tpeer=" + (r.peer ? std::to_string(r.peer) : std::string());
    s += "\twhat=" + auditEscape(cut(r.what));
    s += "\toutcome=" + auditEscape(cut(r.outcome));
    return s;
}

AuditMac auditGenesis(const AuditKey& key) {
    AuditMac out{};
    crypto_generichash(out.data(), out.size(), reinterpret_cast<const unsigned char*>(kGenesisLabel), sizeof kGenesisLabel - 1,
                       key.bytes.data(), key.bytes.size());
    return out;
}

AuditMac auditChain(const AuditKey& key, const AuditMac& prev, std::string_view text) {
    crypto_generichash_state st;
    crypto_generichash_init(&st, key.bytes.data(), key.bytes.size(), kAuditMacBytes);
    crypto_generichash_update(&st, prev.data(), prev.size());
    crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(text.data()), text.size());
    AuditMac out{};
    crypto_generichash_final(&st, out.data(), out.size());
    return out;
}

core::Result<ParsedAuditLine> parseAuditLine(std::string_view line) {
    std::string_view values[kFieldCount];
    std::size_t at = 0;
    for (std::size_t i = 0; i < kFieldCount; ++i) {
        const std::size_t end = i + 1 < kFieldCount ? line.find('\t', at) : line.size();
        if (end == std::string_view::npos) return core::Error{"field '" + std::string(kFields[i]) + "' is missing"};
        const std::string_view field = line.substr(at, end - at);
        const std::size_t nameLen = std::strlen(kFields[i]);
        if (field.size() <= nameLen || field.substr(0, nameLen) != kFields[i] || field[nameLen] != '=')
            return core::Error{"field " + std::to_string(i + 1) + " should be '" + kFields[i] + "='"};
        values[i] = field.substr(nameLen + 1);
        at = end + 1;
    }
    ParsedAuditLine p;
    auto bad = [](const char* field, const char* why) { return core::Error{std::string("field '") + field + "' " + why}; };
    if (!parseDecimal(values[0], p.seq)) return bad("seq", "is not a decimal number");
    const auto time = parseUtc(values[1]);
    if (!time) return bad("time", "is not a UTC time YYYY-MM-DDTHH:MM:SSZ");
    p.record.unixTime = *time;
    const auto kind = auditKindFromString(values[2]);
    if (!kind) return bad("kind", "is not a known kind");
    p.record.kind = *kind;
    const auto room = auditUnescape(values[3]), name = auditUnescape(values[7]), addr = auditUnescape(values[8]),
               what = auditUnescape(values[10]), outcome = auditUnescape(values[11]);
    if (!room) return bad("room", "has a bad escape");
    if (!name) return bad("name", "has a bad escape");
    if (!addr) return bad("addr", "has a bad escape");
    if (!what) return bad("what", "has a bad escape");
    if (!outcome) return bad("outcome", "has a bad escape");
    p.record.room = *room;
    p.record.who = *name;
    p.record.address = *addr;
    p.record.what = *what;
    p.record.outcome = *outcome;
    if (!values[4].empty() && !parseDecimal(values[4], p.record.userId)) return bad("user", "is not a decimal number");
    if (!values[5].empty()) {
        if (values[5].size() != 16 || !lowerHex(values[5])) return bad("token", "is not 16 hex digits");
        std::from_chars(values[5].data(), values[5].data() + 16, p.record.tokenId, 16);
    }
    if (!values[6].empty()) {
        p.record.role = core::roleFromString(values[6]);
        if (!p.record.role) return bad("role", "is not a known role");
    }
    if (!values[9].empty() && !parseDecimal(values[9], p.record.peer)) return bad("peer", "is not a decimal number");
    const std::string_view mac = values[12];
    if (mac.size() != 2 * kAuditMacBytes || !lowerHex(mac)) return bad("mac", "is not 64 hex digits");
    for (std::size_t i = 0; i < kAuditMacBytes; ++i)
        p.mac[i] = static_cast<std::uint8_t>(hexValue(mac[2 * i]) * 16 + hexValue(mac[2 * i + 1]));
    p.text = line.substr(0, line.size() - kMacField.size() - mac.size());
    return p;
}

// ---- [SECTION] keys ------------------------------------------------------------

AuditKey::~AuditKey() { sodium_memzero(bytes.data(), bytes.size()); }

namespace {

std::string dirOf(const std::string& path) {
    const std::size_t slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

std::string modeText(mode_t m) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(m & 07777));
    return buf;
}

// A file holding audit data must be ours alone: regular, owned by this
// user, nothing for group or others. `what` names it in the error.
core::Status checkPrivate(int fd, const std::string& path, const char* what, struct stat& st) {
    if (::fstat(fd, &st) != 0) return core::Error{std::string(what) + " " + path + ": " + std::strerror(errno)};
    if (!S_ISREG(st.st_mode)) return core::Error{std::string(what) + " " + path + ": not a regular file"};
    if (st.st_uid != ::geteuid())
        return core::Error{std::string(what) + " " + path + ": owned by uid " + std::to_string(st.st_uid) + ", not by this user (uid " +
                           std::to_string(::geteuid()) + ")"};
    if ((st.st_mode & 077) != 0)
        return core::Error{std::string(what) + " " + path + ": mode " + modeText(st.st_mode) +
                           " lets group or others read or write it; run: chmod 600 " + path};
    return {};
}

// Makes a new directory entry durable (a crash right after creating a file
// could otherwise lose the file itself).
void syncDir(const std::string& file) {
    const int d = ::open(dirOf(file).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (d < 0) return;
    (void)::fsync(d);
    ::close(d);
}

bool initSodium() { return sodium_init() >= 0; }

} // namespace

std::string defaultAuditKeyPath(const std::string& logPath) {
    const std::size_t slash = logPath.rfind('/');
    return slash == std::string::npos ? "audit.key" : logPath.substr(0, slash + 1) + "audit.key";
}

core::Result<AuditKey> loadAuditKey(const std::string& path) {
    if (!initSodium()) return core::Error{"libsodium failed to initialise"};
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0 && errno == ELOOP) return core::Error{"audit key " + path + ": is a symbolic link; give the key's real path"};
    if (fd < 0) return core::Error{"audit key " + path + ": " + std::strerror(errno)};
    struct stat st {};
    if (auto s = checkPrivate(fd, path, "audit key", st); !s) {
        ::close(fd);
        return s.error();
    }
    if (st.st_size != static_cast<off_t>(kAuditKeyBytes)) {
        ::close(fd);
        return core::Error{"audit key " + path + ": size is " + std::to_string(st.st_size) + " bytes, an audit key holds exactly " +
                           std::to_string(kAuditKeyBytes)};
    }
    AuditKey key;
    std::size_t got = 0;
    while (got < kAuditKeyBytes) {
        const ssize_t n = ::read(fd, key.bytes.data() + got, kAuditKeyBytes - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            ::close(fd);
            return core::Error{"audit key " + path + ": short read"};
        }
        got += static_cast<std::size_t>(n);
    }
    ::close(fd);
    return key;
}

core::Result<AuditKey> loadOrCreateAuditKey(const std::string& path, const FillRandom& random, bool& created) {
    created = false;
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0) return loadAuditKey(path);
    if (errno != ENOENT) return core::Error{"audit key " + path + ": " + std::strerror(errno)};
    if (!random) return core::Error{"audit key " + path + ": missing, and no random source to make one"};
    if (!initSodium()) return core::Error{"libsodium failed to initialise"};
    AuditKey key;
    random(key.bytes);
    // O_EXCL: never overwrite a key another process made meanwhile.
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        if (errno == EEXIST) return loadAuditKey(path);
        return core::Error{"audit key " + path + ": cannot create: " + std::strerror(errno)};
    }
    (void)::fchmod(fd, 0600);
    std::size_t put = 0;
    while (put < kAuditKeyBytes) {
        const ssize_t n = ::write(fd, key.bytes.data() + put, kAuditKeyBytes - put);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const int e = errno;
            ::close(fd);
            ::unlink(path.c_str());
            return core::Error{"audit key " + path + ": cannot write: " + std::strerror(e)};
        }
        put += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        ::unlink(path.c_str());
        return core::Error{"audit key " + path + ": cannot flush the new key to disk"};
    }
    syncDir(path);
    created = true;
    return key;
}

// ---- [SECTION] verification ------------------------------------------------------

namespace {

// Walks the lines of a file, checking each against the chain so far. After
// a bad line it resynchronises on that line's claimed mac and sequence
// number, so one edit or one deletion is one problem and the lines after it
// are still checked. A chain restart must carry its own line number, so
// lines cut from before it are seen too.
class Verifier {
public:
    explicit Verifier(const AuditKey& key) : key_(key), genesis_(auditGenesis(key)), prev_(genesis_) {}

    void line(std::string_view text) {
        const std::uint64_t n = ++rep_.lines;
        auto parsed = parseAuditLine(text);
        if (!parsed) {
            problem(n, "not an audit entry: " + parsed.error().message);
            prevKnown_ = false;
            return;
        }
        const ParsedAuditLine& p = *parsed;
        auto seqText = [&](std::uint64_t expected) {
            return "sequence number " + std::to_string(p.seq) + " on line " + std::to_string(n) + " (expected " + std::to_string(expected) + ")";
        };
        if (p.record.kind == AuditKind::ChainRestarted && auditChain(key_, genesis_, p.text) == p.mac) {
            // A new chain the server started after a break it found.
            rep_.restarts.push_back(n);
            rep_.tailIntact = true;
            rep_.tailBreak.reset();
            if (p.seq != n) problem(n, seqText(n) + ": lines before this chain restart were deleted or inserted");
            else accept(p);
        } else if (!prevKnown_) {
            // Follows a line that is not an entry: nothing to check it against.
        } else if (auditChain(key_, prev_, p.text) != p.mac) {
            problem(n, p.seq != expectSeq_ ? seqText(expectSeq_) + ": a line before it was deleted, inserted or moved (mac does not chain)"
                                  : "mac mismatch: the line was edited or inserted, or the key is not the one that wrote it");
        } else if (p.seq != expectSeq_) {
            problem(n, seqText(expectSeq_));
        } else {
            accept(p);
        }
        prev_ = p.mac;
        prevKnown_ = true;
        expectSeq_ = p.seq + 1;
    }

    void tooLong() {
        problem(++rep_.lines, "longer than " + std::to_string(kAuditMaxLine) + " bytes: not an audit entry");
        prevKnown_ = false;
    }

    void unterminated() {
        rep_.endsWithNewline = false;
        problem(++rep_.lines, "incomplete: the file ends mid-line (cut off, or a write stopped at a crash)");
    }

    AuditVerifyReport finish() {
        rep_.lastMac = prev_;
        return std::move(rep_);
    }

private:
    void accept(const ParsedAuditLine& p) {
        if (rep_.intact++ == 0) rep_.firstTime = p.record.unixTime;
        rep_.lastTime = p.record.unixTime;
    }
    void problem(std::uint64_t n, std::string why) {
        ++rep_.problemCount;
        rep_.tailIntact = false;
        if (!rep_.tailBreak) rep_.tailBreak = AuditProblem{n, why};
        if (rep_.problems.size() < kAuditMaxProblems) rep_.problems.push_back(AuditProblem{n, std::move(why)});
    }

    const AuditKey& key_;
    AuditMac genesis_;
    AuditMac prev_;
    bool prevKnown_ = true;
    std::uint64_t expectSeq_ = 1;
    AuditVerifyReport rep_;
};

} // namespace

core::Result<AuditVerifyReport> verifyAuditFd(int fd, const std::string& path, const AuditKey& key) {
    if (!initSodium()) return core::Error{"libsodium failed to initialise"};
    Verifier v(key);
    std::string pending;       // the current line so far
    bool skipping = false;     // inside a line already found too long
    std::vector<char> buf(64 * 1024);
    off_t offset = 0;
    for (;;) {
        const ssize_t n = ::pread(fd, buf.data(), buf.size(), offset);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return core::Error{"audit log " + path + ": cannot read: " + std::strerror(errno)};
        if (n == 0) break;
        offset += n;
        std::string_view chunk(buf.data(), static_cast<std::size_t>(n));
        while (!chunk.empty()) {
            const std::size_t nl = chunk.find('\n');
            const std::string_view part = chunk.substr(0, nl);
            if (!skipping) {
                if (pending.size() + part.size() > kAuditMaxLine) {
                    skipping = true;
                    pending.clear();
                    v.tooLong();
                } else {
                    pending.append(part);
                }
            }
            if (nl == std::string_view::npos) break;
            if (!skipping) v.line(pending);
            pending.clear();
            skipping = false;
            chunk.remove_prefix(nl + 1);
        }
    }
    if (!pending.empty() || skipping) v.unterminated();
    return v.finish();
}

core::Result<AuditVerifyReport> verifyAuditFile(const std::string& path, const AuditKey& key) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0 && errno == ELOOP) return core::Error{"audit log " + path + ": is a symbolic link; give the log's real path"};
    if (fd < 0) return core::Error{"audit log " + path + ": " + std::strerror(errno)};
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        return core::Error{"audit log " + path + ": not a regular file"};
    }
    auto r = verifyAuditFd(fd, path, key);
    ::close(fd);
    return r;
}

// ---- [SECTION] the file sink -------------------------------------------------------

core::Result<std::unique_ptr<FileAudit>> FileAudit::open(FileAuditDesc desc) {
    if (!initSodium()) return core::Error{"libsodium failed to initialise"};
    if (desc.keyPath.empty()) desc.keyPath = defaultAuditKeyPath(desc.path);
    const std::string& path = desc.path;
    // Read and write on one descriptor, so the file verified is the file
    // appended to. O_NOFOLLOW: a planted symbolic link is refused, not followed.
    const int fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0 && errno == ELOOP) return core::Error{"audit log " + path + ": is a symbolic link; give the log's real path"};
    if (fd < 0) return core::Error{"audit log " + path + ": cannot open: " + std::strerror(errno)};
    auto close = [fd](core::Error e) -> core::Error {
        ::close(fd);
        return e;
    };
    struct stat st {};
    if (auto s = checkPrivate(fd, path, "audit log", st); !s) return close(s.error());
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0)
        return close(core::Error{"audit log " + path + ": in use by another process (is another caseroom-server running?)"});

    struct stat keySt {};
    if (st.st_size > 0 && ::lstat(desc.keyPath.c_str(), &keySt) != 0 && errno == ENOENT)
        return close(core::Error{"audit key " + desc.keyPath + " is missing, but the audit log " + path +
                                 " has entries that only it can verify: restore the key, or move the log away to start a new one"});
    bool created = false;
    auto key = loadOrCreateAuditKey(desc.keyPath, desc.random, created);
    if (!key) return close(key.error());
    if (st.st_size == 0) syncDir(path);

    auto report = verifyAuditFd(fd, path, *key);
    if (!report) return close(report.error());

    std::unique_ptr<FileAudit> log(new FileAudit(fd, std::move(desc), *key));
    log->keyCreated_ = created;
    log->prev_ = auditGenesis(log->key_);
    log->seq_ = report->lines + 1;
    const std::string& p = log->desc_.path;
    if (report->tailIntact) {
        if (report->lines > 0) log->prev_ = report->lastMac;
        if (!report->ok()) {
            const AuditProblem& first = report->problems.front();
            log->openReport_ = "audit log " + p + ": line " + std::to_string(first.line) + ": " + first.why + " (" +
                               std::to_string(report->problemCount) + " problem(s) in all); the chain was restarted at line " +
                               std::to_string(report->restarts.back()) + " and continues; run caseroom-audit verify " + p;
        }
    } else {
        const AuditProblem& brk = *report->tailBreak;
        log->openReport_ = "audit log " + p + ": line " + std::to_string(brk.line) + ": " + brk.why + "; a new chain starts at line " +
                           std::to_string(log->seq_);
        // An unterminated last line is ended, so the restart is a line of its own.
        if (!report->endsWithNewline && ::write(fd, "\n", 1) != 1)
            return core::Error{"audit log " + p + ": cannot append: " + std::strerror(errno)};
        log->restartChain("after a break at line " + std::to_string(brk.line) + ": " + brk.why);
        if (log->failures_ > 0) return core::Error{"audit log " + p + ": cannot append the chain restart"};
    }
    if (!log->openReport_.empty()) CR_LOG_WARN("%s", log->openReport_.c_str());
    return log;
}

FileAudit::~FileAudit() {
    sync();
    if (fd_ >= 0) ::close(fd_);
}

void FileAudit::record(const AuditRecord& r) { (void)writeLine(r, auditSyncsAtOnce(r.kind)); }

void FileAudit::sync() {
    if (!dirty_) return;
    if (::fdatasync(fd_) != 0) {
        fail("fdatasync", errno);
        return;
    }
    dirty_ = false;
}

void FileAudit::restartChain(const std::string& why) {
    prev_ = auditGenesis(key_);
    AuditRecord r;
    r.kind = AuditKind::ChainRestarted;
    r.what = "chain restarted";
    r.outcome = why;
    (void)writeLine(std::move(r), true);
}

bool FileAudit::writeLine(AuditRecord r, bool syncNow) {
    if (partial_) {
        // A write stopped mid-line: end that line, then start a new chain,
        // so what follows verifies and the cut line is still reported.
        if (::write(fd_, "\n", 1) != 1) {
            fail("write", errno);
            return false;
        }
        partial_ = false;
        restartChain("after a write failure at line " + std::to_string(partialLine_));
        if (partial_) return false;
    }
    if (r.unixTime == 0 && desc_.unixClock) r.unixTime = desc_.unixClock();
    const std::string text = auditLineText(r, seq_);
    const AuditMac mac = auditChain(key_, prev_, text);
    const std::string line = text + std::string(kMacField) + hexOf(mac) + "\n";
    std::size_t put = 0;
    while (put < line.size()) {
        const ssize_t n = ::write(fd_, line.data() + put, line.size() - put);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const int e = n < 0 ? errno : ENOSPC;
            if (put > 0) {
                partial_ = true;
                partialLine_ = seq_++;
            }
            fail("write", e);
            return false;
        }
        put += static_cast<std::size_t>(n);
    }
    prev_ = mac;
    ++seq_;
    dirty_ = true;
    if (syncNow) sync();
    return true;
}

void FileAudit::fail(const char* what, int err) {
    ++failures_;
    // Powers of two: a full disk does not flood the server log.
    if ((failures_ & (failures_ - 1)) == 0)
        CR_LOG_ERROR("audit log %s: %s failed: %s (%llu failure(s) so far)", desc_.path.c_str(), what, std::strerror(err),
                     static_cast<unsigned long long>(failures_));
}

} // namespace caseroom::session
