// Internal to engine/store: the helpers records.cpp and records_clinic.cpp
// share (value formatting, UTF-8 checks, audit diffs, row readers). Not
// part of the store's interface.
#pragma once
#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "store/database.h"
#include "store/records.h"
#include "core/utf8.h"

namespace caseroom::store::detail {
using core::validUtf8;
using core::roleFromString;

#define CR_TRY(expr)                                  \
    do {                                              \
        auto cr_try_s_ = (expr);                      \
        if (!cr_try_s_.ok()) return cr_try_s_.error(); \
    } while (false)

template <typename E>
inline std::optional<E> enumFromString(std::string_view s) {
    for (int i = 0; i < static_cast<int>(E::Count); ++i)
        if (s == toString(static_cast<E>(i))) return static_cast<E>(i);
    return std::nullopt;
}


// 0 means "none" in the structs and NULL in the tables (foreign keys).
inline std::optional<std::int64_t> idOrNull(std::int64_t id) {
    if (id == 0) return std::nullopt;
    return id;
}

// Token and user ids are u64; SQLite integers are i64: the bit pattern is kept.
inline std::int64_t u64Bits(std::uint64_t v) { return static_cast<std::int64_t>(v); }
inline std::uint64_t u64From(std::int64_t v) { return static_cast<std::uint64_t>(v); }

inline std::string num(std::int64_t v) { return std::to_string(v); }
inline std::string num(double v) {
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
inline std::string hex64(std::uint64_t v) {
    char b[24];
    std::snprintf(b, sizeof b, "%016" PRIx64, v);
    return b;
}

// Unix seconds as "2026-12-03T19:00:00Z" (audit values people read); 0: "".
inline std::string isoTime(std::int64_t t) {
    if (t == 0) return {};
    const std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    if (!gmtime_r(&tt, &tm)) return num(t);
    char b[32];
    std::strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return b;
}


inline core::Status checkText(std::string_view what, std::string_view field, std::string_view value) {
    if (!validUtf8(value)) return core::Error{std::string(what) + ": " + std::string(field) + " is not valid UTF-8"};
    return {};
}

// One record's values by name, for diffs and creation summaries.
using Values = std::vector<std::pair<std::string, std::string>>;

inline std::string summary(const Values& v) {
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

inline Values programValues(const Program& p) {
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
            {"reconnectGraceSeconds", num(std::int64_t{p.reconnectGraceSeconds})},
            {"confidentiality", p.confidentiality},
            {"recordingPolicy", p.recordingPolicy},
            {"recordCameras", p.recordCameras ? "yes" : "no"}};
}

inline Values personValues(const Person& p) {
    return {{"stableId", p.stableId}, {"name", p.name},           {"email", p.email}, {"phone", p.phone},
            {"profession", p.profession}, {"credential", p.credential}, {"site", p.site}};
}

// A person's email and phone: audited as sensitive (Records::Edit).
inline bool isContactField(std::string_view name) { return name == "email" || name == "phone"; }

inline std::string decksText(const std::vector<std::string>& d) {
    std::string out;
    for (const auto& h : d) {
        if (!out.empty()) out += ' ';
        out += h;
    }
    return out;
}

inline std::string findingsText(const std::vector<CaseFinding>& f) {
    std::string out;
    for (const auto& x : f) {
        if (!out.empty()) out += "; ";
        out += x.field + ":" + std::to_string(x.begin) + "-" + std::to_string(x.end) + " " + x.kind;
    }
    return out;
}

// Audit line fields: tab-separated, so tabs, newlines and backslashes are escaped.
inline std::string escapeField(std::string_view s) {
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

inline core::Error noSuch(const char* kind, std::int64_t id) {
    return core::Error{std::string(kind) + " " + std::to_string(id) + ": no such " + kind};
}

// ---- row readers --------------------------------------------------------------

constexpr const char* kProgramCols =
    "id, code, name, time_zone, form_template, cme_threshold, credit_type, credit_per_hour, credit_rounding, "
    "accreditation, attestation, liability, lobby_minutes, overrun_minutes, reconnect_grace_seconds, confidentiality, recording_policy, record_cameras";

inline Program readProgram(const Statement& st) {
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
    p.confidentiality = st.text(15);
    p.recordingPolicy = st.text(16);
    p.recordCameras = st.int64(17) != 0;
    return p;
}

constexpr const char* kSessionCols =
    "s.id, s.program_id, s.series_id, s.title, s.start_utc, s.end_utc, s.extended_until, s.room, s.status, "
    "s.facilitator_id, s.co_facilitator_id, s.didactic";

inline core::Result<Session> readSession(const Statement& st) {
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
    s.facilitatorId = st.optInt64(9).value_or(0);
    s.coFacilitatorId = st.optInt64(10).value_or(0);
    s.didactic = st.text(11);
    return s;
}

constexpr const char* kPersonCols = "id, stable_id, name, email, phone, profession, credential, site";

inline Person readPerson(const Statement& st) {
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

inline core::Result<Invitation> readInvitation(const Statement& st) {
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

inline core::Result<AttendanceInterval> readInterval(const Statement& st) {
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
inline core::Status runOne(Database& db, Statement& st, core::Error ifNone) {
    CR_TRY(st.run());
    if (db.changes() == 0) return ifNone;
    return {};
}

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

} // namespace caseroom::store::detail
