// The clinic's records (docs/RECORDS.md): programs, series and sessions,
// people and the roster, invitations, cases with their form fields, PHI
// findings and attachments, attendance intervals and adjustments, and the
// audit trail. Plain structs and one repository over a Database.
//
// Contracts:
// - Times are unix seconds, UTC. A program's IANA zone is kept for showing
//   and for expanding series (clinic/schedule.h), never for storage.
// - Ids are SQLite rowids (> 0); 0 means "none". People also have a stable
//   id (the roster's, e.g. an NPI or the program's own) that survives
//   re-imports.
// - Every method that changes a clinical record (program, roster, session,
//   invitation, case, attendance adjustment) takes an Actor and appends one
//   audit row per changed value, with the old and the new value, in the same
//   transaction as the change: a record and its audit row commit together.
// - Methods return errors, never throw; an unknown id is an error naming it.
// Thread rule: the thread that owns the Database.
#pragma once
#include <array>
#include <functional>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/role.h"

namespace caseroom::store {

class Database;

// Who did it: the roster person (0 when the server itself acts) and, from
// caseroom-admin, the operating-system user.
struct Actor {
    std::int64_t personId = 0;
    std::string osUser;
    std::string via;          // "caseroom-admin", "server", "client"
};

struct Program {
    std::int64_t id = 0;
    std::string code;                 // short, unique; also the room code of its sessions (<= 32 bytes)
    std::string name;                 // "Hepatitis C ECHO"
    std::string timeZone = "UTC";     // IANA, e.g. "America/Denver"
    std::string formTemplate;         // clinic/case_form.h text format
    double cmeThreshold = 0.75;       // share of the session needed for credit (0..1)
    std::string creditType;           // "AMA PRA Category 1 Credit(TM)"
    double creditPerHour = 1.0;       // credits per attended hour
    std::string creditRounding = "quarter-down";  // clinic/attendance.h rounding names
    std::string accreditation;        // accreditation statement printed on certificates
    std::string attestation;          // what a presenter attests when submitting a case
    std::string liability;            // liability statement shown on joining and on documents
    std::int32_t lobbyMinutes = 15;   // the room opens this long before the start
    std::int32_t overrunMinutes = 30; // invitations stay valid this long after the scheduled end
    std::int32_t reconnectGraceSeconds = 120;  // attendance merges gaps up to this
};

struct Series {
    std::int64_t id = 0;
    std::int64_t programId = 0;
    std::string title;
    std::string firstLocalDate;       // "2026-12-03" in the program's zone
    std::string localStart;           // "12:00" wall clock in the program's zone
    std::int32_t durationMinutes = 60;
    std::int32_t weeks = 1;           // sessions in the series, one a week
};

enum class SessionStatus : std::uint8_t { Scheduled, Open, Ended, Cancelled, Count };
const char* toString(SessionStatus s);
[[nodiscard]] std::optional<SessionStatus> sessionStatusFromString(std::string_view s);

struct Session {
    std::int64_t id = 0;
    std::int64_t programId = 0;
    std::int64_t seriesId = 0;        // 0: a one-off
    std::string title;
    std::int64_t startUtc = 0;
    std::int64_t endUtc = 0;          // scheduled end
    std::int64_t extendedUntil = 0;   // 0: not extended; else the facilitator's new end
    std::string room;                 // room code (the program's code by default)
    SessionStatus status = SessionStatus::Scheduled;
};

struct Person {
    std::int64_t id = 0;
    std::string stableId;             // unique, from the roster
    std::string name;                 // UTF-8 as the person writes it ("Nguyễn Thị Lan")
    std::string email;
    std::string phone;
    std::string profession;           // "Family physician", "Nurse practitioner"
    std::string credential;           // "MD", "DO", "NP", "PA", "RN", "PharmD"
    std::string site;                 // clinic or site name
};

struct RosterEntry {
    std::int64_t programId = 0;
    std::int64_t personId = 0;
    core::Role role = core::Role::Spoke;   // role in this program
    bool active = true;
};

enum class InvitationKind : std::uint8_t { Session, Program, Count };  // Program: the program-scoped credential (cases before the session)
const char* toString(InvitationKind k);

struct Invitation {
    std::int64_t id = 0;
    InvitationKind kind = InvitationKind::Session;
    std::int64_t programId = 0;
    std::int64_t sessionId = 0;       // 0 for kind Program
    std::int64_t personId = 0;
    std::uint64_t tokenId = 0;        // the connect token's id (revocation names it)
    std::uint64_t userId = 0;         // the token's user id (= the person's id)
    std::int64_t issuedAt = 0;
    std::int64_t validFrom = 0;       // lobby opening
    std::int64_t validUntil = 0;      // scheduled end + overrun
    std::int64_t revokedAt = 0;       // 0: live
    std::string revokedReason;
};

// Case workflow states: clinic/case_workflow.h holds the transitions and who
// may make them; the store only keeps the state.
enum class CaseStatus : std::uint8_t {
    Draft, Submitted, Held, Vetted, Scheduled, Presented, RecommendationsSent, FollowUpRequested, Withdrawn, Count
};
const char* toString(CaseStatus s);
[[nodiscard]] std::optional<CaseStatus> caseStatusFromString(std::string_view s);

struct CaseField {
    std::string name;                 // as in the program's form template
    std::string value;                // UTF-8
};

// One PHI finding (clinic/phi_screen.h), kept with the case until fixed.
struct CaseFinding {
    std::string field;
    std::uint32_t begin = 0, end = 0; // byte span in the field's value
    std::string kind;                 // clinic::toString(PhiKind)
};

struct CaseRecord {
    std::int64_t id = 0;
    std::int64_t programId = 0;
    std::int64_t presenterId = 0;     // person
    std::int64_t sessionId = 0;       // 0: not scheduled yet
    CaseStatus status = CaseStatus::Draft;
    std::vector<CaseField> fields;
    std::vector<std::string> decks;   // attached case decks, manifest hashes (64 hex)
    std::int64_t attestedAt = 0;      // when the presenter attested (0: not yet)
    std::string phiOverride;          // a coordinator's reason for passing despite findings (empty: none)
    std::vector<CaseFinding> findings;
    std::string followUpDate;         // "2027-01-14" when follow-up was requested
    std::int64_t originalCaseId = 0;  // a re-presentation links to the case it follows up
    std::int64_t createdAt = 0, updatedAt = 0;
};

enum class AttendanceKind : std::uint8_t { Live, Recording, Site, Count };  // Site: counted from a site's shared screen
const char* toString(AttendanceKind k);

struct AttendanceInterval {
    std::int64_t id = 0;
    std::int64_t sessionId = 0;
    std::int64_t personId = 0;        // 0: a guest not on the roster
    std::uint64_t userId = 0;         // from the connect token
    std::string displayName;
    core::Role role = core::Role::Spoke;
    AttendanceKind kind = AttendanceKind::Live;
    std::int64_t joinedAt = 0;
    std::int64_t leftAt = 0;          // 0: still open
    std::int64_t lastSeen = 0;        // heartbeat; an open interval closes here after a crash
    bool interrupted = false;         // closed at the last heartbeat, not by a leave
};

struct AttendanceAdjustment {
    std::int64_t id = 0;
    std::int64_t sessionId = 0;
    std::int64_t personId = 0;
    std::int64_t minutesOld = 0, minutesNew = 0;
    std::string reason;               // required
    std::int64_t byPersonId = 0;
    std::string byOsUser;
    std::int64_t at = 0;
};

// One row of the audit trail as stored: the session layer's AuditRecord
// (session/audit_log.h) plus who acted and, for record edits, the old and
// new value; `text` is the canonical line the mac covers, `mac` chains from
// the previous row's (session/db_audit.h computes both). The table is
// append-only: triggers refuse UPDATE and DELETE.
struct AuditRow {
    std::int64_t seq = 0;             // 1, 2, ... (the rowid)
    std::int64_t time = 0;
    std::string kind;
    std::string text;
    std::array<std::uint8_t, 32> mac{};
};

class Records {
public:
    explicit Records(Database& db) : db_(db) {}

    // Programs
    [[nodiscard]] core::Result<std::int64_t> createProgram(const Program& p, const Actor& by, std::int64_t now);
    [[nodiscard]] core::Status updateProgram(const Program& p, const Actor& by, std::int64_t now);
    [[nodiscard]] core::Result<Program> program(std::int64_t id);
    [[nodiscard]] core::Result<Program> programByCode(std::string_view code);
    [[nodiscard]] core::Result<std::vector<Program>> programs();

    // Series and sessions (the caller expands a series with clinic/schedule.h)
    [[nodiscard]] core::Result<std::int64_t> createSeries(const Series& s, const Actor& by, std::int64_t now);
    [[nodiscard]] core::Result<std::int64_t> createSession(const Session& s, const Actor& by, std::int64_t now);
    [[nodiscard]] core::Result<Session> session(std::int64_t id);
    [[nodiscard]] core::Result<std::vector<Session>> sessions(std::int64_t programId);
    // The session a room is holding at `now`: lobby opening <= now <= (extended) end + overrun.
    [[nodiscard]] core::Result<std::optional<Session>> sessionAt(std::string_view room, std::int64_t now);
    [[nodiscard]] core::Status setSessionStatus(std::int64_t sessionId, SessionStatus s, const Actor& by, std::int64_t now);
    [[nodiscard]] core::Status extendSession(std::int64_t sessionId, std::int64_t newEnd, const Actor& by, std::int64_t now);

    // People and the roster
    // Inserts or updates by stable id (changed fields audited); returns the person's id.
    [[nodiscard]] core::Result<std::int64_t> upsertPerson(const Person& p, const Actor& by, std::int64_t now);
    [[nodiscard]] core::Result<Person> person(std::int64_t id);
    [[nodiscard]] core::Result<std::optional<Person>> personByStableId(std::string_view stableId);
    [[nodiscard]] core::Status setRoster(const RosterEntry& e, const Actor& by, std::int64_t now);
    [[nodiscard]] core::Result<std::vector<RosterEntry>> roster(std::int64_t programId);
    [[nodiscard]] core::Result<std::optional<RosterEntry>> rosterEntry(std::int64_t programId, std::int64_t personId);

    // Invitations
    [[nodiscard]] core::Result<std::int64_t> recordInvitation(const Invitation& inv, const Actor& by, std::int64_t now);
    [[nodiscard]] core::Status revokeInvitation(std::int64_t invitationId, std::string_view reason, const Actor& by, std::int64_t now);
    [[nodiscard]] core::Result<std::vector<Invitation>> invitations(std::int64_t programId, std::int64_t sessionId = 0);
    [[nodiscard]] core::Result<std::optional<Invitation>> invitationByToken(std::uint64_t tokenId);

    // Cases. Fields, decks and findings are replaced whole by saveCase; each
    // changed field is one audit row (old, new).
    [[nodiscard]] core::Result<std::int64_t> createCase(const CaseRecord& c, const Actor& by, std::int64_t now);
    [[nodiscard]] core::Status saveCase(const CaseRecord& c, const Actor& by, std::int64_t now);
    [[nodiscard]] core::Result<CaseRecord> caseRecord(std::int64_t id);
    struct CaseFilter {
        std::int64_t programId = 0;
        std::int64_t presenterId = 0;                  // 0: any
        std::int64_t sessionId = 0;                    // 0: any
        std::optional<CaseStatus> status;
    };
    [[nodiscard]] core::Result<std::vector<CaseRecord>> cases(const CaseFilter& f);

    // Attendance. The server writes intervals from its join and leave events;
    // heartbeat() moves every open interval's lastSeen for a session;
    // closeInterrupted() closes open intervals at their lastSeen (after a crash).
    [[nodiscard]] core::Result<std::int64_t> openInterval(const AttendanceInterval& a);
    [[nodiscard]] core::Status closeInterval(std::int64_t intervalId, std::int64_t leftAt);
    [[nodiscard]] core::Status heartbeat(std::int64_t sessionId, std::int64_t now);
    [[nodiscard]] core::Result<int> closeInterrupted();   // how many were closed
    [[nodiscard]] core::Result<std::vector<AttendanceInterval>> attendance(std::int64_t sessionId);
    [[nodiscard]] core::Result<std::int64_t> adjustAttendance(const AttendanceAdjustment& a, const Actor& by, std::int64_t now);
    [[nodiscard]] core::Result<std::vector<AttendanceAdjustment>> adjustments(std::int64_t sessionId);

    // Audit trail (rows made by session/db_audit.h; record edits above append
    // through the hook the session layer installs, see setAuditHook).
    [[nodiscard]] core::Status appendAudit(const AuditRow& row);
    [[nodiscard]] core::Result<std::optional<AuditRow>> lastAudit();
    [[nodiscard]] core::Result<std::vector<AuditRow>> auditRows(std::int64_t fromSeq, std::int64_t limit);

    // Record edits become audit rows through this hook (installed by
    // session::DbAudit, which chains them); without one, edits are still
    // stored and a raw row with an empty mac is appended.
    struct Edit {
        std::string record;           // "case 12", "person 7", "program hcv"
        std::string field;            // "history", "status"
        std::string oldValue, newValue;
        std::string what;             // e.g. "vet case"
        // Case text and contact details: the audit keeps the field name and,
        // for each value, its byte length (and, with the hook, a keyed
        // digest), never the text.
        bool sensitive = false;
    };
    using AuditHook = std::function<core::Status(Database&, const Edit&, const Actor&, std::int64_t now)>;
    void setAuditHook(AuditHook hook) { hook_ = std::move(hook); }

private:
    core::Status audited(const Edit& e, const Actor& by, std::int64_t now);
    Database& db_;
    AuditHook hook_;
};

} // namespace caseroom::store
