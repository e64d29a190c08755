// The clinic side of the records (records.h): cases with their fields,
// decks and PHI findings, attendance, and the audit trail. Same rules as
// records.cpp: every change in a WriteScope with its audit rows.
#include "store/records.h"

#include "store/database.h"
#include "store/records_detail.h"

namespace caseroom::store {

using namespace detail;

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
    // Each filled field is its own row, as sensitive: a case may hold PHI
    // (that is why it is held), so the trail keeps length and digest only.
    auto sensitive = [&](Edit e) {
        e.sensitive = true;
        return audited(e, by, now);
    };
    CR_TRY(auditDiff({}, fieldValues(c), record, "create case", sensitive));
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
    CR_TRY(auditDiff(fieldsBefore, fieldsAfter, record, "save case", [&](Edit e) {
        e.sensitive = true;  // case text: length and digest only (createCase)
        return audited(e, by, now);
    }));
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
