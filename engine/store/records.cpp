// The clinic's records over SQLite (records.h).
//
// [SECTION] names
// [SECTION] audit
// [SECTION] programs
// [SECTION] series and sessions
// [SECTION] people and the roster
// [SECTION] invitations
// (cases, attendance and the audit trail: records_clinic.cpp)
//
// Every changing method runs in a WriteScope (its own transaction, or a
// savepoint inside the Writer's batch) and appends its audit rows inside
// it, so a record and its audit rows commit, or vanish, together.
#include "store/records.h"

#include "store/database.h"
#include "store/records_detail.h"

namespace caseroom::store {

// ---- [SECTION] names ------------------------------------------------

const char* toString(SessionStatus s) {
    switch (s) {
    case SessionStatus::Scheduled: return "scheduled";
    case SessionStatus::Open: return "open";
    case SessionStatus::Ended: return "ended";
    case SessionStatus::Cancelled: return "cancelled";
    case SessionStatus::Count: break;
    }
    return "?";
}

std::optional<SessionStatus> sessionStatusFromString(std::string_view s) {
    for (int i = 0; i < static_cast<int>(SessionStatus::Count); ++i)
        if (s == toString(static_cast<SessionStatus>(i))) return static_cast<SessionStatus>(i);
    return std::nullopt;
}

const char* toString(InvitationKind k) {
    switch (k) {
    case InvitationKind::Session: return "session";
    case InvitationKind::Program: return "program";
    case InvitationKind::Count: break;
    }
    return "?";
}

const char* toString(CaseStatus s) {
    switch (s) {
    case CaseStatus::Draft: return "draft";
    case CaseStatus::Submitted: return "submitted";
    case CaseStatus::Held: return "held";
    case CaseStatus::Vetted: return "vetted";
    case CaseStatus::Scheduled: return "scheduled";
    case CaseStatus::Presented: return "presented";
    case CaseStatus::RecommendationsSent: return "recommendations-sent";
    case CaseStatus::FollowUpRequested: return "follow-up-requested";
    case CaseStatus::Withdrawn: return "withdrawn";
    case CaseStatus::Count: break;
    }
    return "?";
}

std::optional<CaseStatus> caseStatusFromString(std::string_view s) {
    for (int i = 0; i < static_cast<int>(CaseStatus::Count); ++i)
        if (s == toString(static_cast<CaseStatus>(i))) return static_cast<CaseStatus>(i);
    return std::nullopt;
}

const char* toString(AttendanceKind k) {
    switch (k) {
    case AttendanceKind::Live: return "live";
    case AttendanceKind::Recording: return "recording";
    case AttendanceKind::Site: return "site";
    case AttendanceKind::Count: break;
    }
    return "?";
}

using namespace detail;

// ---- [SECTION] audit ------------------------------------------------------------

core::Status Records::audited(const Edit& e, const Actor& by, std::int64_t now) {
    if (hook_) return hook_(db_, e, by, now);
    // No chain installed (tests, tools before the key is known): the edit is
    // still recorded, readable, with an empty mac.
    std::string text = "RecordEdit";
    auto add = [&](const char* k, std::string_view v) {
        text += '\t';
        text += k;
        text += '=';
        text += escapeField(v);
    };
    add("record", e.record);
    add("field", e.field);
    add("what", e.what);
    add("actor", by.personId ? "person " + num(by.personId) : std::string("server"));
    add("os_user", by.osUser);
    add("via", by.via);
    // A sensitive value is never written: its length only (the hook adds a
    // keyed digest).
    auto value = [&](const std::string& v) { return e.sensitive && !v.empty() ? std::to_string(v.size()) + " bytes" : v; };
    add("old", value(e.oldValue));
    add("new", value(e.newValue));
    AuditRow row;
    row.time = now;
    row.kind = "RecordEdit";
    row.text = std::move(text);
    return appendAudit(row);
}

// ---- [SECTION] programs ------------------------------------------------------------

namespace {
core::Status checkProgram(const Program& p) {
    if (p.code.empty() || p.code.size() > 32) return core::Error{"program: code must be 1 to 32 bytes, got '" + p.code + "'"};
    for (char c : p.code)
        if (static_cast<unsigned char>(c) <= ' ' || c == '@')
            return core::Error{"program '" + p.code + "': code may not hold spaces, control characters or '@'"};
    if (p.name.empty()) return core::Error{"program '" + p.code + "': name is empty"};
    for (const auto& [k, v] : programValues(p)) CR_TRY(checkText("program '" + p.code + "'", k, v));
    if (!(p.cmeThreshold >= 0.0 && p.cmeThreshold <= 1.0))
        return core::Error{"program '" + p.code + "': cmeThreshold must be between 0 and 1"};
    if (!(p.creditPerHour >= 0.0)) return core::Error{"program '" + p.code + "': creditPerHour must not be negative"};
    if (p.lobbyMinutes < 0 || p.overrunMinutes < 0 || p.reconnectGraceSeconds < 0)
        return core::Error{"program '" + p.code + "': lobby, overrun and reconnect grace must not be negative"};
    if (p.recordingPolicy != "never" && p.recordingPolicy != "didactic" && p.recordingPolicy != "whole")
        return core::Error{"program '" + p.code + "': recording policy '" + p.recordingPolicy + "' is not one of never, didactic, whole"};
    return {};
}

void bindProgram(Statement& st, const Program& p) {
    st.bind(1, std::string_view(p.code)).bind(2, std::string_view(p.name)).bind(3, std::string_view(p.timeZone));
    st.bind(4, std::string_view(p.formTemplate)).bind(5, p.cmeThreshold).bind(6, std::string_view(p.creditType));
    st.bind(7, p.creditPerHour).bind(8, std::string_view(p.creditRounding)).bind(9, std::string_view(p.accreditation));
    st.bind(10, std::string_view(p.attestation)).bind(11, std::string_view(p.liability));
    st.bind(12, std::int64_t{p.lobbyMinutes}).bind(13, std::int64_t{p.overrunMinutes});
    st.bind(14, std::int64_t{p.reconnectGraceSeconds});
    st.bind(17, std::string_view(p.confidentiality));   // (v3; 15 and 16 are the caller's)
    st.bind(18, std::string_view(p.recordingPolicy));   // (v4)
    st.bind(19, std::int64_t{p.recordCameras ? 1 : 0}); // (v5)
}
} // namespace

core::Result<std::int64_t> Records::createProgram(const Program& p, const Actor& by, std::int64_t now) {
    CR_TRY(checkProgram(p));
    WriteScope scope(db_);
    CR_TRY(scope.begun());
    auto st = db_.prepare(
        "INSERT INTO programs (code, name, time_zone, form_template, cme_threshold, credit_type, credit_per_hour, "
        "credit_rounding, accreditation, attestation, liability, lobby_minutes, overrun_minutes, "
        "reconnect_grace_seconds, created_at, updated_at, confidentiality, recording_policy, record_cameras) "
        "VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?15,?17,?18,?19)");
    if (!st) return st.error();
    bindProgram(*st, p);
    st->bind(15, now);
    if (auto s = st->run(); !s.ok()) {
        if (auto existing = programByCode(p.code); existing.ok())
            return core::Error{"program '" + p.code + "': a program with this code exists (id " + num(existing->id) + ")"};
        return s.error();
    }
    const std::int64_t id = db_.lastInsertId();
    CR_TRY(audited({"program " + p.code, "created", "", summary(programValues(p)), "create program"}, by, now));
    CR_TRY(scope.commit());
    return id;
}

core::Status Records::updateProgram(const Program& p, const Actor& by, std::int64_t now) {
    CR_TRY(checkProgram(p));
    WriteScope scope(db_);
    CR_TRY(scope.begun());
    auto old = program(p.id);
    if (!old) return old.error();
    auto st = db_.prepare(
        "UPDATE programs SET code=?1, name=?2, time_zone=?3, form_template=?4, cme_threshold=?5, credit_type=?6, "
        "credit_per_hour=?7, credit_rounding=?8, accreditation=?9, attestation=?10, liability=?11, lobby_minutes=?12, "
        "overrun_minutes=?13, reconnect_grace_seconds=?14, updated_at=?15, confidentiality=?17, recording_policy=?18, record_cameras=?19 WHERE id=?16");
    if (!st) return st.error();
    bindProgram(*st, p);
    st->bind(15, now).bind(16, p.id);
    CR_TRY(runOne(db_, *st, noSuch("program", p.id)));
    CR_TRY(auditDiff(programValues(*old), programValues(p), "program " + old->code, "update program",
                     [&](const Edit& e) { return audited(e, by, now); }));
    return scope.commit();
}

core::Result<Program> Records::program(std::int64_t id) {
    auto st = db_.prepare(std::string("SELECT ") + kProgramCols + " FROM programs WHERE id=?1");
    if (!st) return st.error();
    st->bind(1, id);
    if (!st->step()) {
        CR_TRY(st->status());
        return noSuch("program", id);
    }
    return readProgram(*st);
}

core::Result<Program> Records::programByCode(std::string_view code) {
    auto st = db_.prepare(std::string("SELECT ") + kProgramCols + " FROM programs WHERE code=?1");
    if (!st) return st.error();
    st->bind(1, code);
    if (!st->step()) {
        CR_TRY(st->status());
        return core::Error{"program '" + std::string(code) + "': no such program"};
    }
    return readProgram(*st);
}

core::Result<std::vector<Program>> Records::programs() {
    auto st = db_.prepare(std::string("SELECT ") + kProgramCols + " FROM programs ORDER BY code");
    if (!st) return st.error();
    std::vector<Program> out;
    while (st->step()) out.push_back(readProgram(*st));
    CR_TRY(st->status());
    return out;
}

// ---- [SECTION] series and sessions --------------------------------------------------

core::Result<std::int64_t> Records::createSeries(const Series& s, const Actor& by, std::int64_t now) {
    if (s.weeks < 1 || s.durationMinutes < 1)
        return core::Error{"series '" + s.title + "': weeks and duration must be at least 1"};
    for (const auto& [k, v] : Values{{"title", s.title}, {"firstLocalDate", s.firstLocalDate}, {"localStart", s.localStart}})
        CR_TRY(checkText("series", k, v));
    WriteScope scope(db_);
    CR_TRY(scope.begun());
    auto prog = program(s.programId);
    if (!prog) return prog.error();
    auto st = db_.prepare(
        "INSERT INTO series (program_id, title, first_local_date, local_start, duration_minutes, weeks, created_at) "
        "VALUES (?1,?2,?3,?4,?5,?6,?7)");
    if (!st) return st.error();
    st->bind(1, s.programId).bind(2, std::string_view(s.title)).bind(3, std::string_view(s.firstLocalDate));
    st->bind(4, std::string_view(s.localStart)).bind(5, std::int64_t{s.durationMinutes}).bind(6, std::int64_t{s.weeks});
    st->bind(7, now);
    CR_TRY(st->run());
    const std::int64_t id = db_.lastInsertId();
    const Values v{{"program", prog->code},
                   {"title", s.title},
                   {"firstLocalDate", s.firstLocalDate},
                   {"localStart", s.localStart},
                   {"durationMinutes", num(std::int64_t{s.durationMinutes})},
                   {"weeks", num(std::int64_t{s.weeks})}};
    CR_TRY(audited({"series " + num(id), "created", "", summary(v), "create series"}, by, now));
    CR_TRY(scope.commit());
    return id;
}

core::Result<std::int64_t> Records::createSession(const Session& s, const Actor& by, std::int64_t now) {
    if (s.endUtc <= s.startUtc) return core::Error{"session '" + s.title + "': end must be after start"};
    if (s.extendedUntil != 0 && s.extendedUntil <= s.endUtc)
        return core::Error{"session '" + s.title + "': an extension must end after the scheduled end"};
    CR_TRY(checkText("session", "title", s.title));
    CR_TRY(checkText("session", "room", s.room));
    CR_TRY(checkText("session", "didactic", s.didactic));
    if (s.status >= SessionStatus::Count) return core::Error{"session '" + s.title + "': bad status"};
    WriteScope scope(db_);
    CR_TRY(scope.begun());
    auto prog = program(s.programId);
    if (!prog) return prog.error();
    const std::string room = s.room.empty() ? prog->code : s.room;
    auto st = db_.prepare(
        "INSERT INTO sessions (program_id, series_id, title, start_utc, end_utc, extended_until, room, status, "
        "created_at, updated_at, facilitator_id, co_facilitator_id, didactic) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?9,?10,?11,?12)");
    if (!st) return st.error();
    st->bind(1, s.programId).bind(2, idOrNull(s.seriesId)).bind(3, std::string_view(s.title)).bind(4, s.startUtc);
    st->bind(5, s.endUtc).bind(6, s.extendedUntil).bind(7, std::string_view(room)).bind(8, std::string_view(toString(s.status)));
    st->bind(9, now).bind(10, idOrNull(s.facilitatorId)).bind(11, idOrNull(s.coFacilitatorId)).bind(12, std::string_view(s.didactic));
    CR_TRY(st->run());
    const std::int64_t id = db_.lastInsertId();
    const Values v{{"program", prog->code},     {"series", s.seriesId ? num(s.seriesId) : ""},
                   {"title", s.title},          {"start", isoTime(s.startUtc)},
                   {"end", isoTime(s.endUtc)},  {"extendedUntil", isoTime(s.extendedUntil)},
                   {"room", room},              {"status", toString(s.status)},
                   {"facilitator", s.facilitatorId ? num(s.facilitatorId) : ""},
                   {"coFacilitator", s.coFacilitatorId ? num(s.coFacilitatorId) : ""},
                   {"didactic", s.didactic}};
    CR_TRY(audited({"session " + num(id), "created", "", summary(v), "create session"}, by, now));
    CR_TRY(scope.commit());
    return id;
}

core::Result<Session> Records::session(std::int64_t id) {
    auto st = db_.prepare(std::string("SELECT ") + kSessionCols + " FROM sessions s WHERE s.id=?1");
    if (!st) return st.error();
    st->bind(1, id);
    if (!st->step()) {
        CR_TRY(st->status());
        return noSuch("session", id);
    }
    return readSession(*st);
}

core::Result<std::vector<Session>> Records::sessions(std::int64_t programId) {
    auto st = db_.prepare(std::string("SELECT ") + kSessionCols +
                          " FROM sessions s WHERE s.program_id=?1 ORDER BY s.start_utc, s.id");
    if (!st) return st.error();
    st->bind(1, programId);
    std::vector<Session> out;
    while (st->step()) {
        auto s = readSession(*st);
        if (!s) return s.error();
        out.push_back(std::move(*s));
    }
    CR_TRY(st->status());
    return out;
}

core::Result<std::optional<Session>> Records::sessionAt(std::string_view room, std::int64_t now) {
    // Windows of consecutive sessions may overlap (one's overrun, the next's
    // lobby): an open session wins, then one not yet ended, then the earliest.
    auto st = db_.prepare(std::string("SELECT ") + kSessionCols +
                          " FROM sessions s JOIN programs p ON p.id = s.program_id"
                          " WHERE s.room = ?1 AND s.status <> 'cancelled'"
                          " AND s.start_utc - p.lobby_minutes * 60 <= ?2"
                          " AND max(s.end_utc, s.extended_until) + p.overrun_minutes * 60 >= ?2"
                          " ORDER BY (s.status = 'open') DESC, (s.status = 'ended') ASC, s.start_utc ASC, s.id ASC LIMIT 1");
    if (!st) return st.error();
    st->bind(1, room).bind(2, now);
    if (!st->step()) {
        CR_TRY(st->status());
        return std::optional<Session>{};
    }
    auto s = readSession(*st);
    if (!s) return s.error();
    return std::optional<Session>(std::move(*s));
}

core::Status Records::setSessionStatus(std::int64_t sessionId, SessionStatus s, const Actor& by, std::int64_t now) {
    if (s >= SessionStatus::Count) return core::Error{"session " + num(sessionId) + ": bad status"};
    WriteScope scope(db_);
    CR_TRY(scope.begun());
    auto old = session(sessionId);
    if (!old) return old.error();
    if (old->status == s) return scope.commit();
    auto st = db_.prepare("UPDATE sessions SET status=?1, updated_at=?2 WHERE id=?3");
    if (!st) return st.error();
    st->bind(1, std::string_view(toString(s))).bind(2, now).bind(3, sessionId);
    CR_TRY(runOne(db_, *st, noSuch("session", sessionId)));
    CR_TRY(audited({"session " + num(sessionId), "status", toString(old->status), toString(s), "set session status"}, by, now));
    return scope.commit();
}

core::Status Records::extendSession(std::int64_t sessionId, std::int64_t newEnd, const Actor& by, std::int64_t now) {
    WriteScope scope(db_);
    CR_TRY(scope.begun());
    auto old = session(sessionId);
    if (!old) return old.error();
    if (newEnd <= old->endUtc)
        return core::Error{"session " + num(sessionId) + ": an extension must end after the scheduled end (" +
                           isoTime(old->endUtc) + ")"};
    if (old->status == SessionStatus::Cancelled || old->status == SessionStatus::Ended)
        return core::Error{"session " + num(sessionId) + ": cannot extend a session that is " + toString(old->status)};
    if (old->extendedUntil == newEnd) return scope.commit();
    auto st = db_.prepare("UPDATE sessions SET extended_until=?1, updated_at=?2 WHERE id=?3");
    if (!st) return st.error();
    st->bind(1, newEnd).bind(2, now).bind(3, sessionId);
    CR_TRY(runOne(db_, *st, noSuch("session", sessionId)));
    CR_TRY(audited({"session " + num(sessionId), "extendedUntil", isoTime(old->extendedUntil), isoTime(newEnd),
                    "extend session"},
                   by, now));
    return scope.commit();
}

// ---- [SECTION] people and the roster ----------------------------------------------------

core::Result<std::int64_t> Records::upsertPerson(const Person& p, const Actor& by, std::int64_t now) {
    if (p.stableId.empty()) return core::Error{"person: stable id is empty"};
    if (p.name.empty()) return core::Error{"person " + p.stableId + ": name is empty"};
    for (const auto& [k, v] : personValues(p)) CR_TRY(checkText("person " + p.stableId, k, v));
    WriteScope scope(db_);
    CR_TRY(scope.begun());
    auto existing = personByStableId(p.stableId);
    if (!existing) return existing.error();
    if (!*existing) {
        auto st = db_.prepare(
            "INSERT INTO people (stable_id, name, email, phone, profession, credential, site, created_at, updated_at) "
            "VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?8)");
        if (!st) return st.error();
        st->bind(1, std::string_view(p.stableId)).bind(2, std::string_view(p.name)).bind(3, std::string_view(p.email));
        st->bind(4, std::string_view(p.phone)).bind(5, std::string_view(p.profession));
        st->bind(6, std::string_view(p.credential)).bind(7, std::string_view(p.site)).bind(8, now);
        CR_TRY(st->run());
        const std::int64_t id = db_.lastInsertId();
        // Contact details are audited apart, as sensitive (length and digest).
        Values plain, contact;
        for (auto& kv : personValues(p)) (isContactField(kv.first) ? contact : plain).push_back(kv);
        CR_TRY(audited({"person " + num(id), "created", "", summary(plain), "add person"}, by, now));
        CR_TRY(auditDiff({}, contact, "person " + num(id), "add person", [&](Edit e) {
            e.sensitive = true;
            return audited(e, by, now);
        }));
        CR_TRY(scope.commit());
        return id;
    }
    const Person& old = **existing;
    const Values before = personValues(old), after = personValues(p);
    if (before != after) {
        auto st = db_.prepare(
            "UPDATE people SET name=?1, email=?2, phone=?3, profession=?4, credential=?5, site=?6, updated_at=?7 WHERE id=?8");
        if (!st) return st.error();
        st->bind(1, std::string_view(p.name)).bind(2, std::string_view(p.email)).bind(3, std::string_view(p.phone));
        st->bind(4, std::string_view(p.profession)).bind(5, std::string_view(p.credential)).bind(6, std::string_view(p.site));
        st->bind(7, now).bind(8, old.id);
        CR_TRY(runOne(db_, *st, noSuch("person", old.id)));
        CR_TRY(auditDiff(before, after, "person " + num(old.id), "update person", [&](Edit e) {
            e.sensitive = isContactField(e.field);
            return audited(e, by, now);
        }));
    }
    CR_TRY(scope.commit());
    return old.id;
}

core::Result<Person> Records::person(std::int64_t id) {
    auto st = db_.prepare(std::string("SELECT ") + kPersonCols + " FROM people WHERE id=?1");
    if (!st) return st.error();
    st->bind(1, id);
    if (!st->step()) {
        CR_TRY(st->status());
        return noSuch("person", id);
    }
    return readPerson(*st);
}

core::Result<std::optional<Person>> Records::personByStableId(std::string_view stableId) {
    auto st = db_.prepare(std::string("SELECT ") + kPersonCols + " FROM people WHERE stable_id=?1");
    if (!st) return st.error();
    st->bind(1, stableId);
    if (!st->step()) {
        CR_TRY(st->status());
        return std::optional<Person>{};
    }
    return std::optional<Person>(readPerson(*st));
}

core::Status Records::setRoster(const RosterEntry& e, const Actor& by, std::int64_t now) {
    if (e.role >= core::Role::Count) return core::Error{"roster: bad role"};
    WriteScope scope(db_);
    CR_TRY(scope.begun());
    auto prog = program(e.programId);
    if (!prog) return prog.error();
    auto who = person(e.personId);
    if (!who) return who.error();
    auto old = rosterEntry(e.programId, e.personId);
    if (!old) return old.error();
    auto st = db_.prepare(
        "INSERT INTO roster (program_id, person_id, role, active) VALUES (?1,?2,?3,?4) "
        "ON CONFLICT (program_id, person_id) DO UPDATE SET role=excluded.role, active=excluded.active");
    if (!st) return st.error();
    st->bind(1, e.programId).bind(2, e.personId).bind(3, std::string_view(core::toString(e.role)));
    st->bind(4, std::int64_t{e.active ? 1 : 0});
    CR_TRY(st->run());
    const Values before = *old ? Values{{"role", core::toString((*old)->role)}, {"active", (*old)->active ? "yes" : "no"}}
                               : Values{};
    const Values after{{"role", core::toString(e.role)}, {"active", e.active ? "yes" : "no"}};
    CR_TRY(auditDiff(before, after, "roster " + prog->code + " person " + num(e.personId), *old ? "update roster" : "add to roster",
                     [&](const Edit& x) { return audited(x, by, now); }));
    return scope.commit();
}

core::Result<std::vector<RosterEntry>> Records::roster(std::int64_t programId) {
    auto st = db_.prepare(
        "SELECT r.program_id, r.person_id, r.role, r.active FROM roster r JOIN people p ON p.id = r.person_id "
        "WHERE r.program_id=?1 ORDER BY p.name, p.id");
    if (!st) return st.error();
    st->bind(1, programId);
    std::vector<RosterEntry> out;
    while (st->step()) {
        RosterEntry e;
        e.programId = st->int64(0);
        e.personId = st->int64(1);
        const std::string role = st->text(2);
        auto r = roleFromString(role);
        if (!r) return core::Error{"roster person " + num(e.personId) + ": unknown role '" + role + "' in the database"};
        e.role = *r;
        e.active = st->int64(3) != 0;
        out.push_back(e);
    }
    CR_TRY(st->status());
    return out;
}

core::Result<std::optional<RosterEntry>> Records::rosterEntry(std::int64_t programId, std::int64_t personId) {
    auto st = db_.prepare("SELECT role, active FROM roster WHERE program_id=?1 AND person_id=?2");
    if (!st) return st.error();
    st->bind(1, programId).bind(2, personId);
    if (!st->step()) {
        CR_TRY(st->status());
        return std::optional<RosterEntry>{};
    }
    RosterEntry e;
    e.programId = programId;
    e.personId = personId;
    const std::string role = st->text(0);
    auto r = roleFromString(role);
    if (!r) return core::Error{"roster person " + num(personId) + ": unknown role '" + role + "' in the database"};
    e.role = *r;
    e.active = st->int64(1) != 0;
    return std::optional<RosterEntry>(e);
}

// ---- [SECTION] invitations ------------------------------------------------------------

core::Result<std::int64_t> Records::recordInvitation(const Invitation& inv, const Actor& by, std::int64_t now) {
    if (inv.kind >= InvitationKind::Count) return core::Error{"invitation: bad kind"};
    if (inv.kind == InvitationKind::Session && inv.sessionId == 0)
        return core::Error{"invitation: a session invitation names its session"};
    if (inv.kind == InvitationKind::Program && inv.sessionId != 0)
        return core::Error{"invitation: a program credential names no session"};
    if (inv.validUntil <= inv.validFrom) return core::Error{"invitation: validUntil must be after validFrom"};
    if (inv.tokenId == 0) return core::Error{"invitation: token id is 0"};
    WriteScope scope(db_);
    CR_TRY(scope.begun());
    auto prog = program(inv.programId);
    if (!prog) return prog.error();
    auto who = person(inv.personId);
    if (!who) return who.error();
    if (inv.sessionId) {
        auto sess = session(inv.sessionId);
        if (!sess) return sess.error();
        if (sess->programId != inv.programId)
            return core::Error{"invitation: session " + num(inv.sessionId) + " is not in program '" + prog->code + "'"};
    }
    if (auto dup = invitationByToken(inv.tokenId); !dup) return dup.error();
    else if (*dup) return core::Error{"invitation: token " + hex64(inv.tokenId) + " is already recorded (invitation " + num((**dup).id) + ")"};
    auto st = db_.prepare(
        "INSERT INTO invitations (kind, program_id, session_id, person_id, token_id, user_id, issued_at, valid_from, "
        "valid_until, revoked_at, revoked_reason) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,0,'')");
    if (!st) return st.error();
    const std::int64_t issued = inv.issuedAt ? inv.issuedAt : now;
    st->bind(1, std::string_view(toString(inv.kind))).bind(2, inv.programId).bind(3, idOrNull(inv.sessionId));
    st->bind(4, inv.personId).bind(5, u64Bits(inv.tokenId)).bind(6, u64Bits(inv.userId)).bind(7, issued);
    st->bind(8, inv.validFrom).bind(9, inv.validUntil);
    CR_TRY(st->run());
    const std::int64_t id = db_.lastInsertId();
    const Values v{{"kind", toString(inv.kind)},
                   {"program", prog->code},
                   {"session", inv.sessionId ? num(inv.sessionId) : ""},
                   {"person", num(inv.personId)},
                   {"token", hex64(inv.tokenId)},
                   {"user", num(static_cast<std::int64_t>(inv.userId))},
                   {"validFrom", isoTime(inv.validFrom)},
                   {"validUntil", isoTime(inv.validUntil)}};
    CR_TRY(audited({"invitation " + num(id), "created", "", summary(v), "issue invitation"}, by, now));
    CR_TRY(scope.commit());
    return id;
}

core::Status Records::revokeInvitation(std::int64_t invitationId, std::string_view reason, const Actor& by, std::int64_t now) {
    if (reason.empty()) return core::Error{"invitation " + num(invitationId) + ": a revocation needs a reason"};
    CR_TRY(checkText("invitation " + num(invitationId), "reason", reason));
    WriteScope scope(db_);
    CR_TRY(scope.begun());
    auto st = db_.prepare("UPDATE invitations SET revoked_at=?1, revoked_reason=?2 WHERE id=?3 AND revoked_at=0");
    if (!st) return st.error();
    st->bind(1, now == 0 ? std::int64_t{1} : now).bind(2, reason).bind(3, invitationId);
    CR_TRY(st->run());
    if (db_.changes() == 0) {
        auto q = db_.prepare("SELECT revoked_at FROM invitations WHERE id=?1");
        if (!q) return q.error();
        q->bind(1, invitationId);
        if (q->step()) return core::Error{"invitation " + num(invitationId) + ": already revoked at " + isoTime(q->int64(0))};
        CR_TRY(q->status());
        return noSuch("invitation", invitationId);
    }
    CR_TRY(audited({"invitation " + num(invitationId), "revoked", "", std::string(reason), "revoke invitation"}, by, now));
    return scope.commit();
}

core::Result<std::vector<Invitation>> Records::invitations(std::int64_t programId, std::int64_t sessionId) {
    auto st = db_.prepare(std::string("SELECT ") + kInvitationCols +
                          " FROM invitations WHERE program_id=?1 AND (?2 = 0 OR session_id = ?2) ORDER BY id");
    if (!st) return st.error();
    st->bind(1, programId).bind(2, sessionId);
    std::vector<Invitation> out;
    while (st->step()) {
        auto i = readInvitation(*st);
        if (!i) return i.error();
        out.push_back(std::move(*i));
    }
    CR_TRY(st->status());
    return out;
}

core::Result<std::optional<Invitation>> Records::invitationByToken(std::uint64_t tokenId) {
    auto st = db_.prepare(std::string("SELECT ") + kInvitationCols + " FROM invitations WHERE token_id=?1");
    if (!st) return st.error();
    st->bind(1, u64Bits(tokenId));
    if (!st->step()) {
        CR_TRY(st->status());
        return std::optional<Invitation>{};
    }
    auto i = readInvitation(*st);
    if (!i) return i.error();
    return std::optional<Invitation>(std::move(*i));
}

} // namespace caseroom::store
