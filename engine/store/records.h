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
    std::string confidentiality;      // (v3) confidentiality statement shown in the introductions
    std::string recordingPolicy = "didactic"; // (v4) "never", "didactic" (live only in the didactic phase), "whole" (docs/RECORDING.md)
    bool recordCameras = false;       // (v5) cameras (faces) in its recordings; off: screens only (docs/RECORDING.md)
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
    // (v3) Who runs it: people ids (0: not named; whoever joins as facilitator).
    std::int64_t facilitatorId = 0;
    std::int64_t coFacilitatorId = 0;   // a specialist who takes over if the facilitator drops
    std::string didactic;               // the didactic's title ("HCV in pregnancy"); empty: none named
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

// (v3) One entry of a case's recommendations board, as the room wrote it
// (session/clinic_journal.h). entryId is the board's id in the room; after a
// server restart a room may reuse one, so edits go to the newest row with it.
struct Recommendation {
    std::int64_t id = 0;
    std::int64_t sessionId = 0;
    std::int64_t caseId = 0;
    std::uint32_t entryId = 0;
    std::uint64_t authorUserId = 0;   // from the connect token (= the person's id by the identity conventions)
    std::int64_t authorPersonId = 0;  // 0: not a roster person (a guest)
    std::string authorName;
    core::Role authorRole = core::Role::Spoke;
    std::string text;                 // screened by the PHI screen before the room saw it
    bool consensus = false;           // the facilitator's summary
    std::int64_t createdAt = 0;
    std::int64_t editedAt = 0;        // 0: never edited
    std::int64_t withdrawnAt = 0;     // 0: standing
    std::int32_t edits = 0;
};

enum class ChatLineKind : std::uint8_t { Chat, Question, Count };
const char* toString(ChatLineKind k);   // "chat", "question"

// (v3) One line of the room's chat or a question for the hub, kept with the session.
struct ChatRecord {
    std::int64_t id = 0;
    std::int64_t sessionId = 0;
    std::uint32_t seq = 0;            // the room's line number (1, 2, ...)
    ChatLineKind kind = ChatLineKind::Chat;
    std::uint64_t authorUserId = 0;
    std::int64_t authorPersonId = 0;  // 0: a guest
    std::string authorName;
    core::Role authorRole = core::Role::Spoke;
    std::string text;
    std::int64_t createdAt = 0;
    std::int64_t answeredAt = 0;      // questions: when the hub took it (0: open)
};

// (v3) A faculty member's financial disclosure, shown in the introductions:
// for every session of a program (sessionId 0) or for one session.
struct Disclosure {
    std::int64_t id = 0;
    std::int64_t programId = 0;
    std::int64_t sessionId = 0;       // 0: every session of the program
    std::int64_t personId = 0;
    std::string text;                 // "No relevant financial relationships."
    std::int64_t createdAt = 0;
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

    // (v3) The teaching round, written by the server's journal
    // (session/clinic_journal.h) from the room's event stream. These are the
    // room's own rows, not record edits: the host audits the board's edits
    // from the stream (sim::audited). Text must be valid UTF-8.
    [[nodiscard]] core::Result<std::int64_t> addRecommendation(const Recommendation& r);
    // The newest row of the session with that entry id gets the new text
    // (edits + 1, editedAt); an error when there is none or it was withdrawn.
    [[nodiscard]] core::Status editRecommendation(std::int64_t sessionId, std::uint32_t entryId, std::string_view text, std::int64_t now);
    [[nodiscard]] core::Status withdrawRecommendation(std::int64_t sessionId, std::uint32_t entryId, std::int64_t now);
    // The summary (consensus): an edit of the newest standing consensus row
    // with that entry id, else a new consensus row.
    [[nodiscard]] core::Result<std::int64_t> writeSummary(const Recommendation& r);
    // A session's rows (caseId 0: every case), withdrawn ones included, by time then id.
    [[nodiscard]] core::Result<std::vector<Recommendation>> recommendations(std::int64_t sessionId, std::int64_t caseId = 0);
    [[nodiscard]] core::Result<std::int64_t> addChatLine(const ChatRecord& c);
    // The newest open question of the session with that seq is answered at `now`.
    [[nodiscard]] core::Status answerQuestion(std::int64_t sessionId, std::uint32_t seq, std::int64_t now);
    [[nodiscard]] core::Result<std::vector<ChatRecord>> chatLines(std::int64_t sessionId);

    // (v3) Statements and faculty (record edits, audited).
    // The program's confidentiality and liability statements (updateProgram
    // also sets them; this changes only these two).
    [[nodiscard]] core::Status setProgramStatements(std::int64_t programId, std::string_view confidentiality,
                                                    std::string_view liability, const Actor& by, std::int64_t now);
    [[nodiscard]] core::Result<std::int64_t> addDisclosure(const Disclosure& d, const Actor& by, std::int64_t now);
    [[nodiscard]] core::Status removeDisclosure(std::int64_t disclosureId, const Actor& by, std::int64_t now);
    // What applies to a session: the program's (sessionId 0 rows) and the session's own, by id.
    [[nodiscard]] core::Result<std::vector<Disclosure>> disclosures(std::int64_t programId, std::int64_t sessionId = 0);
    // Names who runs the session (people ids; 0 clears). The people must be
    // on the program's active roster in a hub role (facilitator, specialist, coordinator).
    [[nodiscard]] core::Status setSessionFacilitators(std::int64_t sessionId, std::int64_t facilitatorId,
                                                      std::int64_t coFacilitatorId, const Actor& by, std::int64_t now);
    [[nodiscard]] core::Status setSessionDidactic(std::int64_t sessionId, std::string_view title, const Actor& by, std::int64_t now);

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
    // An action on records that changes no row of its own (e.g. sending the
    // recommendations document) as an audit row through the same hook as
    // edits (a chained RecordEdit row; `e.what` names the action).
    [[nodiscard]] core::Status recordAction(const Edit& e, const Actor& by, std::int64_t now) { return audited(e, by, now); }

private:
    core::Status audited(const Edit& e, const Actor& by, std::int64_t now);
    Database& db_;
    AuditHook hook_;
};

} // namespace caseroom::store
