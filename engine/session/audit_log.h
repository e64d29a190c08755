// The audit trail: who joined, left, was refused, replaced, revoked, kicked or
// muted, when, from which address and under which token, and when the server
// started and stopped. The server host and the transport write records;
// sinks decide where they go: FileAudit (a hash-chained, synced file) for
// the server, MemoryAudit for tests.
//
// File format (docs/SECURITY.md, "Audit trail"): one entry per line, fields
// separated by tabs, every text field escaped so that no value can contain a
// tab or a line break:
//   seq=N time=YYYY-MM-DDTHH:MM:SSZ kind=K room= user= token= role= name= addr=
//   peer= what= outcome= mac=<64 hex>
// mac = keyed BLAKE2b-256 (the audit key) over the previous line's mac (32
// bytes) followed by this line's text up to, not including, "\tmac=". Line 1
// chains from the genesis value (the keyed hash of a fixed label); seq equals
// the line number, so a deleted, inserted or moved line breaks both.
// Thread rule: a sink is used from one thread (the server's).
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/role.h"
#include "net/transport.h"

namespace caseroom::session {

// ---- records -------------------------------------------------------------------

enum class AuditKind : std::uint8_t {
    ServerStarted,
    ServerStopped,
    Joined,
    Left,
    IntentRefused,     // an intent, join or message the role or invitation does not allow
    HandshakeRefused,  // forged, expired, already used, wrong room (transport)
    Replaced,          // the same token proven from a new address took over the connection
    Revoked,
    TokenExpired,
    Kicked,            // removed: strikes (malformed traffic) or by a moderator
    Muted,
    Unmuted,
    Suppressed,        // N similar entries from one source were not written (rate limit)
    ChainRestarted,    // written by FileAudit: a new chain after a break it found
    PanelControl,      // a panel's deck shown, its control granted, taken, released or returned (sim/events.h)
    DeckUpload,        // a deck uploaded into the content store: accepted, or refused and why (session/deck_upload.h)
    RecordEdit,        // a clinical record created or changed (store/records.h): old and new value
    SessionExtended,   // a live session's end moved later (by whom, old and new end)
    Moderation,        // the teaching round's moderation: the floor, a mute, mute-all, lock, removal (reason), chair, facilitation
    Agenda,            // the session's phase moved (by whom, to which entry)
    BoardEdit,         // a recommendation edited or withdrawn, a summary written (the text is in the records)
    TextHeld,          // the PHI screen held someone's chat line, question or recommendation (the kinds found, never the text)
    Count
};
const char* toString(AuditKind k);
[[nodiscard]] std::optional<AuditKind> auditKindFromString(std::string_view s);
// Kinds FileAudit syncs to disk at once (rare, and the ones an investigation needs).
[[nodiscard]] bool auditSyncsAtOnce(AuditKind k);

// One entry. Empty strings and zero ids are written as empty fields.
struct AuditRecord {
    AuditKind kind = AuditKind::IntentRefused;
    std::uint64_t unixTime = 0;      // seconds since 1970 UTC; 0: the sink stamps its own clock
    std::string room;                // room code
    std::uint64_t userId = 0;        // from the connect token (0: unauthenticated transport)
    std::uint64_t tokenId = 0;       // from the connect token, written as 16 hex digits
    std::optional<core::Role> role;  // as invited (or, untrusted transports, as claimed)
    std::string who;                 // display name as invited
    std::string address;             // source address, "1.2.3.4:5678"
    std::uint32_t peer = 0;          // the server's connection handle
    std::string what;                // what was attempted or happened, e.g. "join as facilitator"
    std::string outcome;             // the server's answer, e.g. "refused: invited as spoke"
    // Clinic records (db_audit.h): who acted and what a record edit changed.
    // Written only by the database trail; empty for transport and room entries.
    std::string actor;               // roster person, "person 7 (NPI 1234567890)"
    std::string osUser;              // the operating-system user (caseroom-admin)
    std::string oldValue, newValue;  // a record edit's before and after
};
using AuditEntry = AuditRecord;      // the older name

// Room, user, token, role and name from what a peer proved (its token).
void fillIdentity(AuditRecord& r, const net::PeerIdentity& id);
[[nodiscard]] std::string formatAddress(const net::Address& a);  // "host:port"

// ---- sinks ---------------------------------------------------------------------

class AuditSink {
public:
    virtual ~AuditSink() = default;
    virtual void record(const AuditRecord& r) = 0;
    // Makes what was recorded durable (fdatasync for a file). The server
    // calls it about once a second and on stop.
    virtual void sync() {}
    // Records that `count` entries like `about` were not written (kind
    // Suppressed, the count in `what`); does nothing for a count of 0.
    void recordSuppressed(AuditRecord about, std::uint64_t count);
};
using AuditLog = AuditSink;

class MemoryAudit final : public AuditSink {
public:
    void record(const AuditRecord& r) override { entries.push_back(r); }
    void sync() override { ++syncs; }
    std::vector<AuditRecord> entries;
    std::uint64_t syncs = 0;
};

// Rate limit for entries a peer can provoke at will (refused intents): a
// token bucket that counts what it holds back, so the count survives to be
// written (recordSuppressed) with the next allowed entry or when the peer
// goes away. Time in seconds, passed in.
class AuditLimiter {
public:
    AuditLimiter(double perSecond, double burst) : rate_(perSecond), burst_(burst), tokens_(burst) {}
    // True if an entry may be written at `now`; `suppressed` receives the
    // number held back since the last allowed one.
    bool allow(double now, std::uint64_t& suppressed);
    // The number held back and not yet reported; resets it.
    std::uint64_t takePending();

private:
    double rate_;
    double burst_;
    double tokens_;
    double last_ = 0.0;
    std::uint64_t dropped_ = 0;
};

// ---- the chain ---------------------------------------------------------------------

inline constexpr std::size_t kAuditKeyBytes = 32;
inline constexpr std::size_t kAuditMacBytes = 32;
inline constexpr std::size_t kAuditMaxField = 512;       // bytes per text field before escaping; longer is cut
inline constexpr std::size_t kAuditMaxLine = 16 * 1024;  // a longer line is not an entry
using AuditMac = std::array<std::uint8_t, kAuditMacBytes>;

// The audit key: 32 random bytes, wiped when destroyed. Not the deployment
// key, so rotating that one leaves old logs verifiable.
struct AuditKey {
    std::array<std::uint8_t, kAuditKeyBytes> bytes{};
    AuditKey() = default;
    AuditKey(const AuditKey&) = default;
    AuditKey& operator=(const AuditKey&) = default;
    ~AuditKey();
};

using FillRandom = std::function<void(std::span<std::uint8_t>)>;

// "audit.key" in the log file's directory.
[[nodiscard]] std::string defaultAuditKeyPath(const std::string& logPath);
// Loads a key file: a regular file (no symbolic link) of exactly 32 bytes,
// owned by this user, not readable or writable by group or others.
[[nodiscard]] core::Result<AuditKey> loadAuditKey(const std::string& path);
// Loads the key file, or creates it (0600, O_EXCL) from `random` if absent;
// `created` tells which.
[[nodiscard]] core::Result<AuditKey> loadOrCreateAuditKey(const std::string& path, const FillRandom& random, bool& created);

// Escapes \ tab LF CR as \\ \t \n \r and other control bytes as \xHH, so a
// value cannot end its field or its line. auditUnescape inverts it
// (nullopt on a malformed escape).
[[nodiscard]] std::string auditEscape(std::string_view s);
[[nodiscard]] std::optional<std::string> auditUnescape(std::string_view s);
// "2026-12-01T20:59:06Z"; and back (nullopt unless exactly that shape).
[[nodiscard]] std::string formatUtc(std::uint64_t unixSeconds);
[[nodiscard]] std::optional<std::uint64_t> parseUtc(std::string_view s);

// The text of entry `seq` (no mac, no line break); text fields cut to kAuditMaxField.
[[nodiscard]] std::string auditLineText(const AuditRecord& r, std::uint64_t seq);
[[nodiscard]] AuditMac auditGenesis(const AuditKey& key);
[[nodiscard]] AuditMac auditChain(const AuditKey& key, const AuditMac& prev, std::string_view text);

struct ParsedAuditLine {
    std::uint64_t seq = 0;
    AuditRecord record;
    AuditMac mac{};
    std::string_view text;   // the part the mac covers (points into the parsed line)
};
// Parses one line (without its '\n'); the error says which field is wrong.
[[nodiscard]] core::Result<ParsedAuditLine> parseAuditLine(std::string_view line);

struct AuditProblem {
    std::uint64_t line = 0;  // 1-based
    std::string why;
};

struct AuditVerifyReport {
    std::uint64_t lines = 0;                 // lines in the file, a final unterminated one included
    std::uint64_t intact = 0;                // entries whose mac and sequence checked out
    std::uint64_t problemCount = 0;
    std::vector<AuditProblem> problems;      // the first few, in file order
    std::vector<std::uint64_t> restarts;     // lines where the server restarted the chain
    std::uint64_t firstTime = 0, lastTime = 0;  // of intact entries
    bool endsWithNewline = true;
    // The chain from the last start (line 1 or the last restart) to the end
    // is unbroken, so a writer may continue it from lastMac.
    bool tailIntact = true;
    std::optional<AuditProblem> tailBreak;   // the first problem since the last start
    AuditMac lastMac{};
    [[nodiscard]] bool ok() const { return problemCount == 0; }
};
inline constexpr std::size_t kAuditMaxProblems = 20;

// Checks every line of an open file (read from offset 0 with pread).
[[nodiscard]] core::Result<AuditVerifyReport> verifyAuditFd(int fd, const std::string& path, const AuditKey& key);
[[nodiscard]] core::Result<AuditVerifyReport> verifyAuditFile(const std::string& path, const AuditKey& key);

// ---- the file sink -------------------------------------------------------------------

struct FileAuditDesc {
    std::string path;                             // the log file
    std::string keyPath;                          // empty: defaultAuditKeyPath(path)
    std::function<std::uint64_t()> unixClock;     // stamps records that carry no time
    FillRandom random;                            // makes the key if there is none yet
};

// Appends hash-chained entries to a file opened without following links,
// created 0600, refused if it is not a regular file owned by this user or if
// group or others may read it, and locked against a second writer. On open
// it verifies the whole file; when the chain's tail is broken (an edit, a
// cut, a line half-written at a crash) it says so in openReport() and starts
// a new chain with a ChainRestarted entry naming the line. sync() makes
// every recorded entry durable; ServerStarted, ServerStopped, Revoked,
// Kicked and ChainRestarted entries are synced at once.
class FileAudit final : public AuditSink {
public:
    [[nodiscard]] static core::Result<std::unique_ptr<FileAudit>> open(FileAuditDesc desc);
    ~FileAudit() override;  // syncs
    FileAudit(const FileAudit&) = delete;
    FileAudit& operator=(const FileAudit&) = delete;

    void record(const AuditRecord& r) override;
    void sync() override;

    // Empty when the file was new or its chain intact; otherwise what open found.
    [[nodiscard]] const std::string& openReport() const { return openReport_; }
    [[nodiscard]] bool keyCreated() const { return keyCreated_; }
    [[nodiscard]] std::uint64_t nextSeq() const { return seq_; }
    // Writes and syncs that failed (each is also logged, rate-limited).
    [[nodiscard]] std::uint64_t failures() const { return failures_; }

private:
    FileAudit(int fd, FileAuditDesc desc, AuditKey key) : fd_(fd), desc_(std::move(desc)), key_(std::move(key)) {}
    bool writeLine(AuditRecord r, bool syncNow);
    void restartChain(const std::string& why);
    void fail(const char* what, int err);

    int fd_ = -1;
    FileAuditDesc desc_;
    AuditKey key_;
    AuditMac prev_{};
    std::uint64_t seq_ = 1;            // the next line's number
    bool dirty_ = false;               // written since the last sync
    bool partial_ = false;             // a write stopped mid-line: the chain must restart
    std::uint64_t partialLine_ = 0;
    std::uint64_t failures_ = 0;
    std::string openReport_;
    bool keyCreated_ = false;
};

} // namespace caseroom::session
