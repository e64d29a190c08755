// The clinic's records over SQLite (records.h).
//
// [SECTION] names and helpers
// [SECTION] audit
// [SECTION] programs
// [SECTION] series and sessions
// [SECTION] people and the roster
// [SECTION] invitations
// [SECTION] cases
// [SECTION] attendance
// [SECTION] audit trail
//
// Every changing method runs in a WriteScope (its own transaction, or a
// savepoint inside the Writer's batch) and appends its audit rows inside
// it, so a record and its audit rows commit, or vanish, together.
#include "store/records.h"

#include <algorithm>
#include <cinttypes>
#include <cstdlib>
#include <cstdio>
#include <ctime>
#include <map>
#include <set>

#include "store/database.h"

namespace caseroom::store {

// ---- [SECTION] names and helpers ------------------------------------------------

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

namespace {

#define CR_TRY(expr)                                  \
    do {                                              \
        auto cr_try_s_ = (expr);                      \
        if (!cr_try_s_.ok()) return cr_try_s_.error(); \
    } while (false)

template <typename E>
std::optional<E> enumFromString(std::string_view s) {
    for (int i = 0; i < static_cast<int>(E::Count); ++i)
        if (s == toString(static_cast<E>(i))) return static_cast<E>(i);
    return std::nullopt;
}

std::optional<core::Role> roleFromString(std::string_view s) {
    for (int i = 0; i < static_cast<int>(core::Role::Count); ++i)
        if (s == core::toString(static_cast<core::Role>(i))) return static_cast<core::Role>(i);
    return std::nullopt;
}

// 0 means "none" in the structs and NULL in the tables (foreign keys).
std::optional<std::int64_t> idOrNull(std::int64_t id) {
    if (id == 0) return std::nullopt;
    return id;
}

// Token and user ids are u64; SQLite integers are i64: the bit pattern is kept.
std::int64_t u64Bits(std::uint64_t v) { return static_cast<std::int64_t>(v); }
std::uint64_t u64From(std::int64_t v) { return static_cast<std::uint64_t>(v); }

std::string num(std::int64_t v) { return std::to_string(v); }
std::string num(double v) {
    char b[40];
    std::snprintf(b, sizeof b, "%.17g", v);
    // Shortest form that reads back the same value.
    for (int prec = 1; prec < 17; ++prec) {
        char t[40];
        std::snprintf(t, sizeof t, "%.*g", prec, v);
        if (std::strtod(t, nullptr) == v) return t;
    }
    return b;
}
std::string hex64(std::uint64_t v) {
    char b[24];
    std::snprintf(b, sizeof b, "%016" PRIx64, v);
    return b;
}

// Unix seconds as "2026-12-03T19:00:00Z" (audit values people read); 0: "".
std::string isoTime(std::int64_t t) {
    if (t == 0) return {};
    const std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    if (!gmtime_r(&tt, &tm)) return num(t);
    char b[32];
    std::strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return b;
}

bool validUtf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t n = 0;
        std::uint32_t cp = 0;
        if (c < 0x80) { ++i; continue; }
        if ((c & 0xE0) == 0xC0) { n = 1; cp = c & 0x1Fu; }
        else if ((c & 0xF0) == 0xE0) { n = 2; cp = c & 0x0Fu; }
        else if ((c & 0xF8) == 0xF0) { n = 3; cp = c & 0x07u; }
        else return false;
        if (i + n >= s.size()) return false;   // the sequence runs past the end
        for (std::size_t k = 1; k <= n; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (cc & 0x3Fu);
        }
        if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += n + 1;
    }
    return true;
}

core::Status checkText(std::string_view what, std::string_view field, std::string_view value) {
    if (!validUtf8(value)) return core::Error{std::string(what) + ": " + std::string(field) + " is not valid UTF-8"};
    return {};
}

// One record's values by name, for diffs and creation summaries.
using Values = std::vector<std::pair<std::string, std::string>>;

std::string summary(const Values& v) {
    std::string out;
    for (const auto& [k, val] : v) {
        if (val.empty()) continue;
        if (!out.empty()) out += "; ";
        out += k;
        out += '=';
        out += val;
    }
    return out;
}

Values programValues(const Program& p) {
    return {{"code", p.code},
            {"name", p.name},
            {"timeZone", p.timeZone},
            {"formTemplate", p.formTemplate},
            {"cmeThreshold", num(p.cmeThreshold)},
            {"creditType", p.creditType},
            {"creditPerHour", num(p.creditPerHour)},
            {"creditRounding", p.creditRounding},
            {"accreditation", p.accreditation},
            {"attestation", p.attestation},
            {"liability", p.liability},
            {"lobbyMinutes", num(std::int64_t{p.lobbyMinutes})},
            {"overrunMinutes", num(std::int64_t{p.overrunMinutes})},
            {"reconnectGraceSeconds", num(std::int64_t{p.reconnectGraceSeconds})}};
}

Values personValues(const Person& p) {
    return {{"stableId", p.stableId}, {"name", p.name},           {"email", p.email}, {"phone", p.phone},
            {"profession", p.profession}, {"credential", p.credential}, {"site", p.site}};
}

std::string decksText(const std::vector<std::string>& d) {
    std::string out;
    for (const auto& h : d) {
        if (!out.empty()) out += ' ';
        out += h;
    }
    return out;
}

std::string findingsText(const std::vector<CaseFinding>& f) {
    std::string out;
    for (const auto& x : f) {
        if (!out.empty()) out += "; ";
        out += x.field + ":" + std::to_string(x.begin) + "-" + std::to_string(x.end) + " " + x.kind;
    }
    return out;
}

// Audit line fields: tab-separated, so tabs, newlines and backslashes are escaped.
std::string escapeField(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        switch (c) {
        case '\\': out += "\\\\"; break;
        case '\t': out += "\\t"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        default: out += c;
        }
    }
    return out;
}

core::Error noSuch(const char* kind, std::int64_t id) {
    return core::Error{std::string(kind) + " " + std::to_string(id) + ": no such " + kind};
}

// ---- row readers --------------------------------------------------------------

constexpr const char* kProgramCols =
    "id, code, name, time_zone, form_template, cme_threshold, credit_type, credit_per_hour, credit_rounding, "
    "accreditation, attestation, liability, lobby_minutes, overrun_minutes, reconnect_grace_seconds";

Program readProgram(const Statement& st) {
    Program p;
    p.id = st.int64(0);
    p.code = st.text(1);
    p.name = st.text(2);
    p.timeZone = st.text(3);
    p.formTemplate = st.text(4);
    p.cmeThreshold = st.real(5);
    p.creditType = st.text(6);
    p.creditPerHour = st.real(7);
    p.creditRounding = st.text(8);
    p.accreditation = st.text(9);
    p.attestation = st.text(10);
    p.liability = st.text(11);
    p.lobbyMinutes = static_cast<std::int32_t>(st.int64(12));
    p.overrunMinutes = static_cast<std::int32_t>(st.int64(13));
    p.reconnectGraceSeconds = static_cast<std::int32_t>(st.int64(14));
    return p;
}

constexpr const char* kSessionCols = "s.id, s.program_id, s.series_id, s.title, s.start_utc, s.end_utc, s.extended_until, s.room, s.status";

core::Result<Session> readSession(const Statement& st) {
    Session s;
    s.id = st.int64(0);
    s.programId = st.int64(1);
    s.seriesId = st.optInt64(2).value_or(0);
    s.title = st.text(3);
    s.startUtc = st.int64(4);
    s.endUtc = st.int64(5);
    s.extendedUntil = st.int64(6);
    s.room = st.text(7);
    const std::string status = st.text(8);
    auto parsed = sessionStatusFromString(status);
    if (!parsed) return core::Error{"session " + num(s.id) + ": unknown status '" + status + "' in the database"};
    s.status = *parsed;
    return s;
}

constexpr const char* kPersonCols = "id, stable_id, name, email, phone, profession, credential, site";

Person readPerson(const Statement& st) {
    Person p;
    p.id = st.int64(0);
    p.stableId = st.text(1);
    p.name = st.text(2);
    p.email = st.text(3);
    p.phone = st.text(4);
    p.profession = st.text(5);
    p.credential = st.text(6);
    p.site = st.text(7);
    return p;
}

constexpr const char* kInvitationCols =
    "id, kind, program_id, session_id, person_id, token_id, user_id, issued_at, valid_from, valid_until, revoked_at, "
    "revoked_reason";

core::Result<Invitation> readInvitation(const Statement& st) {
    Invitation i;
    i.id = st.int64(0);
    const std::string kind = st.text(1);
    auto k = enumFromString<InvitationKind>(kind);
    if (!k) return core::Error{"invitation " + num(i.id) + ": unknown kind '" + kind + "' in the database"};
    i.kind = *k;
    i.programId = st.int64(2);
    i.sessionId = st.optInt64(3).value_or(0);
    i.personId = st.int64(4);
    i.tokenId = u64From(st.int64(5));
    i.userId = u64From(st.int64(6));
    i.issuedAt = st.int64(7);
    i.validFrom = st.int64(8);
    i.validUntil = st.int64(9);
    i.revokedAt = st.int64(10);
    i.revokedReason = st.text(11);
    return i;
}

constexpr const char* kAttendanceCols =
    "id, session_id, person_id, user_id, display_name, role, kind, joined_at, left_at, last_seen, interrupted";

core::Result<AttendanceInterval> readInterval(const Statement& st) {
    AttendanceInterval a;
    a.id = st.int64(0);
    a.sessionId = st.int64(1);
    a.personId = st.optInt64(2).value_or(0);
    a.userId = u64From(st.int64(3));
    a.displayName = st.text(4);
    const std::string role = st.text(5);
    auto r = roleFromString(role);
    if (!r) return core::Error{"attendance " + num(a.id) + ": unknown role '" + role + "' in the database"};
    a.role = *r;
    const std::string kind = st.text(6);
    auto k = enumFromString<AttendanceKind>(kind);
    if (!k) return core::Error{"attendance " + num(a.id) + ": unknown kind '" + kind + "' in the database"};
    a.kind = *k;
    a.joinedAt = st.int64(7);
    a.leftAt = st.int64(8);
    a.lastSeen = st.int64(9);
    a.interrupted = st.int64(10) != 0;
    return a;
}

// Runs a statement that must change exactly one row's worth (or none: the error).
core::Status runOne(Database& db, Statement& st, core::Error ifNone) {
    CR_TRY(st.run());
    if (db.changes() == 0) return ifNone;
    return {};
}

} // namespace

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
    add("old", e.oldValue);
    add("new", e.newValue);
    AuditRow row;
    row.time = now;
    row.kind = "RecordEdit";
    row.text = std::move(text);
    return appendAudit(row);
}

namespace {

// Appends one audit row per value that differs between `before` and `after`
// (matched by name); a name missing on one side counts as "".
template <typename Audit>
core::Status auditDiff(const Values& before, const Values& after, const std::string& record, const std::string& what,
                       Audit&& audit) {
    std::map<std::string, std::string> old(before.begin(), before.end());
    std::set<std::string> seen;
    for (const auto& [k, v] : after) {
        seen.insert(k);
        auto it = old.find(k);
        const std::string& was = it == old.end() ? std::string() : it->second;
        if (was != v) CR_TRY(audit(Records::Edit{record, k, was, v, what}));
    }
    for (const auto& [k, v] : before)
        if (!seen.count(k) && !v.empty()) CR_TRY(audit(Records::Edit{record, k, v, "", what}));
    return {};
}

} // namespace

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
    return {};
}

void bindProgram(Statement& st, const Program& p) {
    st.bind(1, std::string_view(p.code)).bind(2, std::string_view(p.name)).bind(3, std::string_view(p.timeZone));
    st.bind(4, std::string_view(p.formTemplate)).bind(5, p.cmeThreshold).bind(6, std::string_view(p.creditType));
    st.bind(7, p.creditPerHour).bind(8, std::string_view(p.creditRounding)).bind(9, std::string_view(p.accreditation));
    st.bind(10, std::string_view(p.attestation)).bind(11, std::string_view(p.liability));
    st.bind(12, std::int64_t{p.lobbyMinutes}).bind(13, std::int64_t{p.overrunMinutes});
    st.bind(14, std::int64_t{p.reconnectGraceSeconds});
}
} // namespace

core::Result<std::int64_t> Records::createProgram(const Program& p, const Actor& by, std::int64_t now) {
    CR_TRY(checkProgram(p));
    WriteScope scope(db_);
    CR_TRY(scope.begun());
    auto st = db_.prepare(
        "INSERT INTO programs (code, name, time_zone, form_template, cme_threshold, credit_type, credit_per_hour, "
        "credit_rounding, accreditation, attestation, liability, lobby_minutes, overrun_minutes, "
        "reconnect_grace_seconds, created_at, updated_at) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?15)");
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
        "overrun_minutes=?13, reconnect_grace_seconds=?14, updated_at=?15 WHERE id=?16");
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
    if (s.status >= SessionStatus::Count) return core::Error{"session '" + s.title + "': bad status"};
    WriteScope scope(db_);
    CR_TRY(scope.begun());
    auto prog = program(s.programId);
    if (!prog) return prog.error();
    const std::string room = s.room.empty() ? prog->code : s.room;
    auto st = db_.prepare(
        "INSERT INTO sessions (program_id, series_id, title, start_utc, end_utc, extended_until, room, status, "
        "created_at, updated_at) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?9)");
    if (!st) return st.error();
    st->bind(1, s.programId).bind(2, idOrNull(s.seriesId)).bind(3, std::string_view(s.title)).bind(4, s.startUtc);
    st->bind(5, s.endUtc).bind(6, s.extendedUntil).bind(7, std::string_view(room)).bind(8, std::string_view(toString(s.status)));
    st->bind(9, now);
    CR_TRY(st->run());
    const std::int64_t id = db_.lastInsertId();
    const Values v{{"program", prog->code},     {"series", s.seriesId ? num(s.seriesId) : ""},
                   {"title", s.title},          {"start", isoTime(s.startUtc)},
                   {"end", isoTime(s.endUtc)},  {"extendedUntil", isoTime(s.extendedUntil)},
                   {"room", room},              {"status", toString(s.status)}};
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
        CR_TRY(audited({"person " + num(id), "created", "", summary(personValues(p)), "add person"}, by, now));
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
        CR_TRY(auditDiff(before, after, "person " + num(old.id), "update person",
                         [&](const Edit& e) { return audited(e, by, now); }));
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

// ---- [SECTION] cases --------------------------------------------------------------------

namespace {

core::Status checkCase(const CaseRecord& c) {
    if (c.status >= CaseStatus::Count) return core::Error{"case: bad status"};
    for (const auto& f : c.fields) {
        CR_TRY(checkText("case", "a field name", f.name));
        CR_TRY(checkText("case field '" + f.name + "'", "value", f.value));
    }
    for (const auto& d : c.decks) {
        if (d.size() != 64 || d.find_first_not_of("0123456789abcdef") != std::string::npos)
            return core::Error{"case: a deck is named by its manifest hash (64 lowercase hex digits)"};
    }
    for (const auto& f : c.findings)
        if (f.begin > f.end) return core::Error{"case: a PHI finding in '" + f.field + "' ends before it begins"};
    CR_TRY(checkText("case", "phiOverride", c.phiOverride));
    CR_TRY(checkText("case", "followUpDate", c.followUpDate));
    return {};
}

Values caseValues(const CaseRecord& c) {
    Values v{{"program", num(c.programId)},
             {"presenter", num(c.presenterId)},
             {"session", c.sessionId ? num(c.sessionId) : ""},
             {"status", toString(c.status)},
             {"attestedAt", isoTime(c.attestedAt)},
             {"phiOverride", c.phiOverride},
             {"followUpDate", c.followUpDate},
             {"originalCase", c.originalCaseId ? num(c.originalCaseId) : ""},
             {"decks", decksText(c.decks)},
             {"findings", findingsText(c.findings)}};
    return v;
}

// The form fields by name (the first of a repeated name wins).
Values fieldValues(const CaseRecord& c) {
    Values v;
    std::set<std::string> seen;
    for (const auto& f : c.fields)
        if (seen.insert(f.name).second) v.emplace_back(f.name, f.value);
    return v;
}

} // namespace

namespace {
// Replaces a case's fields, decks and findings whole.
core::Status writeCaseParts(Database& db, const CaseRecord& c, std::int64_t id) {
    for (const char* table : {"case_fields", "case_decks", "case_findings"}) {
        auto del = db.prepare(std::string("DELETE FROM ") + table + " WHERE case_id=?1");
        if (!del) return del.error();
        del->bind(1, id);
        CR_TRY(del->run());
    }
    auto f = db.prepare("INSERT INTO case_fields (case_id, ord, name, value) VALUES (?1,?2,?3,?4)");
    if (!f) return f.error();
    for (std::size_t i = 0; i < c.fields.size(); ++i) {
        f->reset();
        f->bind(1, id).bind(2, static_cast<std::int64_t>(i)).bind(3, std::string_view(c.fields[i].name));
        f->bind(4, std::string_view(c.fields[i].value));
        CR_TRY(f->run());
    }
    auto d = db.prepare("INSERT INTO case_decks (case_id, ord, manifest_hash) VALUES (?1,?2,?3)");
    if (!d) return d.error();
    for (std::size_t i = 0; i < c.decks.size(); ++i) {
        d->reset();
        d->bind(1, id).bind(2, static_cast<std::int64_t>(i)).bind(3, std::string_view(c.decks[i]));
        CR_TRY(d->run());
    }
    auto p = db.prepare("INSERT INTO case_findings (case_id, ord, field, begin_byte, end_byte, kind) VALUES (?1,?2,?3,?4,?5,?6)");
    if (!p) return p.error();
    for (std::size_t i = 0; i < c.findings.size(); ++i) {
        const auto& x = c.findings[i];
        p->reset();
        p->bind(1, id).bind(2, static_cast<std::int64_t>(i)).bind(3, std::string_view(x.field));
        p->bind(4, std::int64_t{x.begin}).bind(5, std::int64_t{x.end}).bind(6, std::string_view(x.kind));
        CR_TRY(p->run());
    }
    return {};
}
} // namespace

core::Result<std::int64_t> Records::createCase(const CaseRecord& c, const Actor& by, std::int64_t now) {
    CR_TRY(checkCase(c));
    WriteScope scope(db_);
    CR_TRY(scope.begun());
    if (auto p = program(c.programId); !p) return p.error();
    if (auto who = person(c.presenterId); !who) return who.error();
    if (c.sessionId)
        if (auto s = session(c.sessionId); !s) return s.error();
    auto st = db_.prepare(
        "INSERT INTO cases (program_id, presenter_id, session_id, status, attested_at, phi_override, follow_up_date, "
        "original_case_id, created_at, updated_at) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?9)");
    if (!st) return st.error();
    st->bind(1, c.programId).bind(2, c.presenterId).bind(3, idOrNull(c.sessionId));
    st->bind(4, std::string_view(toString(c.status))).bind(5, c.attestedAt).bind(6, std::string_view(c.phiOverride));
    st->bind(7, std::string_view(c.followUpDate)).bind(8, idOrNull(c.originalCaseId)).bind(9, now);
    if (auto s = st->run(); !s.ok()) {
        if (c.originalCaseId) return core::Error{"case: " + s.error().message + " (is case " + num(c.originalCaseId) + " recorded?)"};
        return s.error();
    }
    const std::int64_t id = db_.lastInsertId();
    CR_TRY(writeCaseParts(db_, c, id));
    const std::string record = "case " + num(id);
    CR_TRY(audited({record, "created", "", summary(caseValues(c)), "create case"}, by, now));
    // Each filled field is its own row, so the trail shows every value once.
    CR_TRY(auditDiff({}, fieldValues(c), record, "create case", [&](const Edit& e) { return audited(e, by, now); }));
    CR_TRY(scope.commit());
    return id;
}

core::Status Records::saveCase(const CaseRecord& c, const Actor& by, std::int64_t now) {
    CR_TRY(checkCase(c));
    WriteScope scope(db_);
    CR_TRY(scope.begun());
    auto old = caseRecord(c.id);
    if (!old) return old.error();
    const Values before = caseValues(*old), after = caseValues(c);
    const Values fieldsBefore = fieldValues(*old), fieldsAfter = fieldValues(c);
    bool partsSame = old->fields.size() == c.fields.size() && old->decks == c.decks;
    for (std::size_t i = 0; partsSame && i < c.fields.size(); ++i)
        partsSame = old->fields[i].name == c.fields[i].name && old->fields[i].value == c.fields[i].value;
    if (before == after && partsSame) return scope.commit();
    if (c.presenterId != old->presenterId)
        if (auto who = person(c.presenterId); !who) return who.error();
    if (c.sessionId && c.sessionId != old->sessionId)
        if (auto s = session(c.sessionId); !s) return s.error();
    auto st = db_.prepare(
        "UPDATE cases SET program_id=?1, presenter_id=?2, session_id=?3, status=?4, attested_at=?5, phi_override=?6, "
        "follow_up_date=?7, original_case_id=?8, updated_at=?9 WHERE id=?10");
    if (!st) return st.error();
    st->bind(1, c.programId).bind(2, c.presenterId).bind(3, idOrNull(c.sessionId));
    st->bind(4, std::string_view(toString(c.status))).bind(5, c.attestedAt).bind(6, std::string_view(c.phiOverride));
    st->bind(7, std::string_view(c.followUpDate)).bind(8, idOrNull(c.originalCaseId)).bind(9, now).bind(10, c.id);
    CR_TRY(runOne(db_, *st, noSuch("case", c.id)));
    CR_TRY(writeCaseParts(db_, c, c.id));
    const std::string record = "case " + num(c.id);
    auto audit = [&](const Edit& e) { return audited(e, by, now); };
    CR_TRY(auditDiff(before, after, record, "save case", audit));
    CR_TRY(auditDiff(fieldsBefore, fieldsAfter, record, "save case", audit));
    return scope.commit();
}

core::Result<CaseRecord> Records::caseRecord(std::int64_t id) {
    auto st = db_.prepare(
        "SELECT id, program_id, presenter_id, session_id, status, attested_at, phi_override, follow_up_date, "
        "original_case_id, created_at, updated_at FROM cases WHERE id=?1");
    if (!st) return st.error();
    st->bind(1, id);
    if (!st->step()) {
        CR_TRY(st->status());
        return noSuch("case", id);
    }
    CaseRecord c;
    c.id = st->int64(0);
    c.programId = st->int64(1);
    c.presenterId = st->int64(2);
    c.sessionId = st->optInt64(3).value_or(0);
    const std::string status = st->text(4);
    auto parsed = caseStatusFromString(status);
    if (!parsed) return core::Error{"case " + num(id) + ": unknown status '" + status + "' in the database"};
    c.status = *parsed;
    c.attestedAt = st->int64(5);
    c.phiOverride = st->text(6);
    c.followUpDate = st->text(7);
    c.originalCaseId = st->optInt64(8).value_or(0);
    c.createdAt = st->int64(9);
    c.updatedAt = st->int64(10);

    auto f = db_.prepare("SELECT name, value FROM case_fields WHERE case_id=?1 ORDER BY ord");
    if (!f) return f.error();
    f->bind(1, id);
    while (f->step()) c.fields.push_back({f->text(0), f->text(1)});
    CR_TRY(f->status());
    auto d = db_.prepare("SELECT manifest_hash FROM case_decks WHERE case_id=?1 ORDER BY ord");
    if (!d) return d.error();
    d->bind(1, id);
    while (d->step()) c.decks.push_back(d->text(0));
    CR_TRY(d->status());
    auto p = db_.prepare("SELECT field, begin_byte, end_byte, kind FROM case_findings WHERE case_id=?1 ORDER BY ord");
    if (!p) return p.error();
    p->bind(1, id);
    while (p->step())
        c.findings.push_back({p->text(0), static_cast<std::uint32_t>(p->int64(1)), static_cast<std::uint32_t>(p->int64(2)), p->text(3)});
    CR_TRY(p->status());
    return c;
}

core::Result<std::vector<CaseRecord>> Records::cases(const CaseFilter& f) {
    auto st = db_.prepare(
        "SELECT id FROM cases WHERE (?1 = 0 OR program_id = ?1) AND (?2 = 0 OR presenter_id = ?2) "
        "AND (?3 = 0 OR session_id = ?3) AND (?4 IS NULL OR status = ?4) ORDER BY id");
    if (!st) return st.error();
    st->bind(1, f.programId).bind(2, f.presenterId).bind(3, f.sessionId);
    st->bind(4, f.status ? std::optional<std::string>(toString(*f.status)) : std::optional<std::string>{});
    std::vector<std::int64_t> ids;
    while (st->step()) ids.push_back(st->int64(0));
    CR_TRY(st->status());
    std::vector<CaseRecord> out;
    out.reserve(ids.size());
    for (std::int64_t id : ids) {
        auto c = caseRecord(id);
        if (!c) return c.error();
        out.push_back(std::move(*c));
    }
    return out;
}

// ---- [SECTION] attendance -------------------------------------------------------------

core::Result<std::int64_t> Records::openInterval(const AttendanceInterval& a) {
    if (a.role >= core::Role::Count || a.kind >= AttendanceKind::Count) return core::Error{"attendance: bad role or kind"};
    if (a.leftAt != 0 && a.leftAt < a.joinedAt) return core::Error{"attendance: leaves before it joins"};
    CR_TRY(checkText("attendance", "displayName", a.displayName));
    auto st = db_.prepare(
        "INSERT INTO attendance (session_id, person_id, user_id, display_name, role, kind, joined_at, left_at, "
        "last_seen, interrupted) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)");
    if (!st) return st.error();
    st->bind(1, a.sessionId).bind(2, idOrNull(a.personId)).bind(3, u64Bits(a.userId)).bind(4, std::string_view(a.displayName));
    st->bind(5, std::string_view(core::toString(a.role))).bind(6, std::string_view(toString(a.kind))).bind(7, a.joinedAt);
    st->bind(8, a.leftAt).bind(9, std::max(a.lastSeen, a.joinedAt)).bind(10, std::int64_t{a.interrupted ? 1 : 0});
    if (auto s = st->run(); !s.ok()) {
        if (auto sess = session(a.sessionId); !sess) return sess.error();
        if (a.personId)
            if (auto who = person(a.personId); !who) return who.error();
        return s.error();
    }
    return db_.lastInsertId();
}

core::Status Records::closeInterval(std::int64_t intervalId, std::int64_t leftAt) {
    auto st = db_.prepare(
        "UPDATE attendance SET left_at = max(?1, joined_at), last_seen = max(last_seen, ?1) WHERE id=?2 AND left_at=0");
    if (!st) return st.error();
    st->bind(1, leftAt).bind(2, intervalId);
    CR_TRY(st->run());
    if (db_.changes() == 0) {
        auto q = db_.prepare("SELECT left_at FROM attendance WHERE id=?1");
        if (!q) return q.error();
        q->bind(1, intervalId);
        if (q->step()) return core::Error{"attendance interval " + num(intervalId) + ": already closed"};
        CR_TRY(q->status());
        return core::Error{"attendance interval " + num(intervalId) + ": no such interval"};
    }
    return {};
}

core::Status Records::heartbeat(std::int64_t sessionId, std::int64_t now) {
    auto st = db_.prepare("UPDATE attendance SET last_seen = max(last_seen, ?1) WHERE session_id=?2 AND left_at=0");
    if (!st) return st.error();
    st->bind(1, now).bind(2, sessionId);
    return st->run();
}

core::Result<int> Records::closeInterrupted() {
    // Open after a crash: the last heartbeat is the last moment the person
    // is known to have been there (joined_at when none came).
    auto st = db_.prepare("UPDATE attendance SET left_at = max(last_seen, joined_at), interrupted = 1 WHERE left_at = 0");
    if (!st) return st.error();
    CR_TRY(st->run());
    return db_.changes();
}

core::Result<std::vector<AttendanceInterval>> Records::attendance(std::int64_t sessionId) {
    auto st = db_.prepare(std::string("SELECT ") + kAttendanceCols + " FROM attendance WHERE session_id=?1 ORDER BY joined_at, id");
    if (!st) return st.error();
    st->bind(1, sessionId);
    std::vector<AttendanceInterval> out;
    while (st->step()) {
        auto a = readInterval(*st);
        if (!a) return a.error();
        out.push_back(std::move(*a));
    }
    CR_TRY(st->status());
    return out;
}

core::Result<std::int64_t> Records::adjustAttendance(const AttendanceAdjustment& a, const Actor& by, std::int64_t now) {
    if (a.reason.empty()) return core::Error{"attendance adjustment: a reason is required"};
    CR_TRY(checkText("attendance adjustment", "reason", a.reason));
    if (a.minutesNew < 0) return core::Error{"attendance adjustment: minutes must not be negative"};
    WriteScope scope(db_);
    CR_TRY(scope.begun());
    if (auto s = session(a.sessionId); !s) return s.error();
    if (auto who = person(a.personId); !who) return who.error();
    // Who adjusted and when are the Actor and `now` (the struct's by* and at are outputs).
    auto st = db_.prepare(
        "INSERT INTO attendance_adjustments (session_id, person_id, minutes_old, minutes_new, reason, by_person_id, "
        "by_os_user, at) VALUES (?1,?2,?3,?4,?5,?6,?7,?8)");
    if (!st) return st.error();
    st->bind(1, a.sessionId).bind(2, a.personId).bind(3, a.minutesOld).bind(4, a.minutesNew);
    st->bind(5, std::string_view(a.reason)).bind(6, idOrNull(by.personId)).bind(7, std::string_view(by.osUser)).bind(8, now);
    CR_TRY(st->run());
    const std::int64_t id = db_.lastInsertId();
    CR_TRY(audited({"attendance session " + num(a.sessionId) + " person " + num(a.personId), "minutes", num(a.minutesOld),
                    num(a.minutesNew), "adjust attendance: " + a.reason},
                   by, now));
    CR_TRY(scope.commit());
    return id;
}

core::Result<std::vector<AttendanceAdjustment>> Records::adjustments(std::int64_t sessionId) {
    auto st = db_.prepare(
        "SELECT id, session_id, person_id, minutes_old, minutes_new, reason, by_person_id, by_os_user, at "
        "FROM attendance_adjustments WHERE session_id=?1 ORDER BY at, id");
    if (!st) return st.error();
    st->bind(1, sessionId);
    std::vector<AttendanceAdjustment> out;
    while (st->step()) {
        AttendanceAdjustment a;
        a.id = st->int64(0);
        a.sessionId = st->int64(1);
        a.personId = st->int64(2);
        a.minutesOld = st->int64(3);
        a.minutesNew = st->int64(4);
        a.reason = st->text(5);
        a.byPersonId = st->optInt64(6).value_or(0);
        a.byOsUser = st->text(7);
        a.at = st->int64(8);
        out.push_back(std::move(a));
    }
    CR_TRY(st->status());
    return out;
}

// ---- [SECTION] audit trail -----------------------------------------------------------

core::Status Records::appendAudit(const AuditRow& row) {
    if (row.kind.empty()) return core::Error{"audit: a row needs a kind"};
    // A given seq is kept (the chain's own numbering: a clash is an error,
    // never a silent renumber); 0 takes the next one.
    auto st = db_.prepare("INSERT INTO audit (seq, time, kind, text, mac) VALUES (?1,?2,?3,?4,?5)");
    if (!st) return st.error();
    st->bind(1, idOrNull(row.seq)).bind(2, row.time).bind(3, std::string_view(row.kind)).bind(4, std::string_view(row.text));
    st->bindBlob(5, row.mac);
    return st->run();
}

namespace {
core::Result<AuditRow> readAudit(const Statement& st) {
    AuditRow r;
    r.seq = st.int64(0);
    r.time = st.int64(1);
    r.kind = st.text(2);
    r.text = st.text(3);
    const auto mac = st.blob(4);
    if (mac.size() != r.mac.size())
        return core::Error{"audit row " + num(r.seq) + ": mac is " + std::to_string(mac.size()) + " bytes, expected 32"};
    std::copy(mac.begin(), mac.end(), r.mac.begin());
    return r;
}
} // namespace

core::Result<std::optional<AuditRow>> Records::lastAudit() {
    auto st = db_.prepare("SELECT seq, time, kind, text, mac FROM audit ORDER BY seq DESC LIMIT 1");
    if (!st) return st.error();
    if (!st->step()) {
        CR_TRY(st->status());
        return std::optional<AuditRow>{};
    }
    auto r = readAudit(*st);
    if (!r) return r.error();
    return std::optional<AuditRow>(std::move(*r));
}

core::Result<std::vector<AuditRow>> Records::auditRows(std::int64_t fromSeq, std::int64_t limit) {
    auto st = db_.prepare("SELECT seq, time, kind, text, mac FROM audit WHERE seq >= ?1 ORDER BY seq LIMIT ?2");
    if (!st) return st.error();
    st->bind(1, fromSeq).bind(2, limit <= 0 ? std::int64_t{-1} : limit);
    std::vector<AuditRow> out;
    while (st->step()) {
        auto r = readAudit(*st);
        if (!r) return r.error();
        out.push_back(std::move(*r));
    }
    CR_TRY(st->status());
    return out;
}

} // namespace caseroom::store
