// The teaching round's records (records.h, schema v3): the recommendations
// board and the chat as the room wrote them, the program's statements,
// faculty disclosures and who runs a session.
//
// [SECTION] recommendations
// [SECTION] chat
// [SECTION] statements, disclosures, facilitators
//
// The board and chat rows are the room's own (the server's journal writes
// them; the host audits the board's edits from the event stream), so they
// take no Actor. Statements, disclosures and facilitators are record edits:
// audited through the hook in the same WriteScope, as in records.cpp.
#include "store/database.h"
#include "store/records.h"
#include "store/records_detail.h"

namespace caseroom::store {

using namespace detail;

const char* toString(ChatLineKind k) {
    switch (k) {
    case ChatLineKind::Chat: return "chat";
    case ChatLineKind::Question: return "question";
    case ChatLineKind::Count: break;
    }
    return "?";
}

// ---- [SECTION] recommendations --------------------------------------------------------

namespace {

constexpr const char* kRecommendationCols =
    "id, session_id, case_id, entry_id, author_user_id, author_person_id, author_name, author_role, text, consensus, "
    "created_at, edited_at, withdrawn_at, edits";

core::Result<Recommendation> readRecommendation(const Statement& st) {
    Recommendation r;
    r.id = st.int64(0);
    r.sessionId = st.int64(1);
    r.caseId = st.int64(2);
    r.entryId = static_cast<std::uint32_t>(st.int64(3));
    r.authorUserId = u64From(st.int64(4));
    r.authorPersonId = st.optInt64(5).value_or(0);
    r.authorName = st.text(6);
    const std::string role = st.text(7);
    auto parsed = roleFromString(role);
    if (!parsed) return core::Error{"recommendation " + num(r.id) + ": unknown role '" + role + "' in the database"};
    r.authorRole = *parsed;
    r.text = st.text(8);
    r.consensus = st.int64(9) != 0;
    r.createdAt = st.int64(10);
    r.editedAt = st.int64(11);
    r.withdrawnAt = st.int64(12);
    r.edits = static_cast<std::int32_t>(st.int64(13));
    return r;
}

core::Status checkRecommendation(const Recommendation& r) {
    if (r.sessionId <= 0) return core::Error{"recommendation: no session"};
    if (r.caseId <= 0) return core::Error{"recommendation: no case"};
    if (r.authorRole >= core::Role::Count) return core::Error{"recommendation: bad role"};
    CR_TRY(checkText("recommendation", "author name", r.authorName));
    CR_TRY(checkText("recommendation", "text", r.text));
    return {};
}

// The newest row of the session with that board entry id (a restarted
// room may reuse an id: its newest row is the live one).
core::Result<std::optional<Recommendation>> newestEntry(Database& db, std::int64_t sessionId, std::uint32_t entryId) {
    auto st = db.prepare(std::string("SELECT ") + kRecommendationCols +
                         " FROM recommendations WHERE session_id=?1 AND entry_id=?2 ORDER BY id DESC LIMIT 1");
    if (!st) return st.error();
    st->bind(1, sessionId).bind(2, std::int64_t{entryId});
    if (!st->step()) {
        CR_TRY(st->status());
        return std::optional<Recommendation>{};
    }
    auto r = readRecommendation(*st);
    if (!r) return r.error();
    return std::optional<Recommendation>(std::move(*r));
}

core::Error noEntry(std::int64_t sessionId, std::uint32_t entryId) {
    return core::Error{"session " + num(sessionId) + ": no recommendation with board entry " + num(std::int64_t{entryId})};
}

} // namespace

core::Result<std::int64_t> Records::addRecommendation(const Recommendation& r) {
    CR_TRY(checkRecommendation(r));
    auto st = db_.prepare(
        "INSERT INTO recommendations (session_id, case_id, entry_id, author_user_id, author_person_id, author_name, "
        "author_role, text, consensus, created_at, edited_at, withdrawn_at, edits) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13)");
    if (!st) return st.error();
    st->bind(1, r.sessionId).bind(2, r.caseId).bind(3, std::int64_t{r.entryId}).bind(4, u64Bits(r.authorUserId));
    st->bind(5, idOrNull(r.authorPersonId)).bind(6, std::string_view(r.authorName));
    st->bind(7, std::string_view(core::toString(r.authorRole))).bind(8, std::string_view(r.text));
    st->bind(9, std::int64_t{r.consensus ? 1 : 0}).bind(10, r.createdAt).bind(11, r.editedAt).bind(12, r.withdrawnAt);
    st->bind(13, std::int64_t{r.edits});
    if (auto s = st->run(); !s.ok()) {
        if (auto sess = session(r.sessionId); !sess) return sess.error();
        if (auto c = caseRecord(r.caseId); !c) return c.error();
        return s.error();
    }
    return db_.lastInsertId();
}

core::Status Records::editRecommendation(std::int64_t sessionId, std::uint32_t entryId, std::string_view text, std::int64_t now) {
    CR_TRY(checkText("recommendation", "text", text));
    auto row = newestEntry(db_, sessionId, entryId);
    if (!row) return row.error();
    if (!*row) return noEntry(sessionId, entryId);
    if ((*row)->withdrawnAt != 0)
        return core::Error{"session " + num(sessionId) + ": recommendation " + num(std::int64_t{entryId}) + " was withdrawn"};
    auto st = db_.prepare("UPDATE recommendations SET text=?1, edited_at=?2, edits=edits+1 WHERE id=?3");
    if (!st) return st.error();
    st->bind(1, text).bind(2, now).bind(3, (*row)->id);
    return runOne(db_, *st, noEntry(sessionId, entryId));
}

core::Status Records::withdrawRecommendation(std::int64_t sessionId, std::uint32_t entryId, std::int64_t now) {
    auto row = newestEntry(db_, sessionId, entryId);
    if (!row) return row.error();
    if (!*row) return noEntry(sessionId, entryId);
    if ((*row)->withdrawnAt != 0) return {};   // already: the same outcome
    auto st = db_.prepare("UPDATE recommendations SET withdrawn_at=?1 WHERE id=?2");
    if (!st) return st.error();
    st->bind(1, now).bind(2, (*row)->id);
    return runOne(db_, *st, noEntry(sessionId, entryId));
}

core::Result<std::int64_t> Records::writeSummary(const Recommendation& r) {
    CR_TRY(checkRecommendation(r));
    auto row = newestEntry(db_, r.sessionId, r.entryId);
    if (!row) return row.error();
    if (*row && (*row)->consensus && (*row)->withdrawnAt == 0 && (*row)->caseId == r.caseId) {
        if ((*row)->text == r.text) return (*row)->id;
        CR_TRY(editRecommendation(r.sessionId, r.entryId, r.text, r.createdAt));
        return (*row)->id;
    }
    Recommendation c = r;
    c.consensus = true;
    return addRecommendation(c);
}

core::Result<std::vector<Recommendation>> Records::recommendations(std::int64_t sessionId, std::int64_t caseId) {
    auto st = db_.prepare(std::string("SELECT ") + kRecommendationCols +
                          " FROM recommendations WHERE session_id=?1 AND (?2 = 0 OR case_id=?2) ORDER BY created_at, id");
    if (!st) return st.error();
    st->bind(1, sessionId).bind(2, caseId);
    std::vector<Recommendation> out;
    while (st->step()) {
        auto r = readRecommendation(*st);
        if (!r) return r.error();
        out.push_back(std::move(*r));
    }
    CR_TRY(st->status());
    return out;
}

// ---- [SECTION] chat -------------------------------------------------------------------

core::Result<std::int64_t> Records::addChatLine(const ChatRecord& c) {
    if (c.sessionId <= 0) return core::Error{"chat line: no session"};
    if (c.kind >= ChatLineKind::Count || c.authorRole >= core::Role::Count) return core::Error{"chat line: bad kind or role"};
    CR_TRY(checkText("chat line", "author name", c.authorName));
    CR_TRY(checkText("chat line", "text", c.text));
    auto st = db_.prepare(
        "INSERT INTO chat_lines (session_id, seq, kind, author_user_id, author_person_id, author_name, author_role, text, "
        "created_at, answered_at) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)");
    if (!st) return st.error();
    st->bind(1, c.sessionId).bind(2, std::int64_t{c.seq}).bind(3, std::string_view(toString(c.kind)));
    st->bind(4, u64Bits(c.authorUserId)).bind(5, idOrNull(c.authorPersonId)).bind(6, std::string_view(c.authorName));
    st->bind(7, std::string_view(core::toString(c.authorRole))).bind(8, std::string_view(c.text)).bind(9, c.createdAt);
    st->bind(10, c.answeredAt);
    if (auto s = st->run(); !s.ok()) {
        if (auto sess = session(c.sessionId); !sess) return sess.error();
        return s.error();
    }
    return db_.lastInsertId();
}

core::Status Records::answerQuestion(std::int64_t sessionId, std::uint32_t seq, std::int64_t now) {
    auto st = db_.prepare(
        "UPDATE chat_lines SET answered_at=?1 WHERE id = (SELECT id FROM chat_lines WHERE session_id=?2 AND seq=?3 "
        "AND kind='question' ORDER BY id DESC LIMIT 1) AND answered_at = 0");
    if (!st) return st.error();
    st->bind(1, now).bind(2, sessionId).bind(3, std::int64_t{seq});
    CR_TRY(st->run());
    if (db_.changes() == 1) return {};
    auto q = db_.prepare("SELECT answered_at FROM chat_lines WHERE session_id=?1 AND seq=?2 AND kind='question' ORDER BY id DESC LIMIT 1");
    if (!q) return q.error();
    q->bind(1, sessionId).bind(2, std::int64_t{seq});
    if (q->step()) return {};   // answered already: the same outcome
    CR_TRY(q->status());
    return core::Error{"session " + num(sessionId) + ": no question with line " + num(std::int64_t{seq})};
}

core::Result<std::vector<ChatRecord>> Records::chatLines(std::int64_t sessionId) {
    auto st = db_.prepare(
        "SELECT id, session_id, seq, kind, author_user_id, author_person_id, author_name, author_role, text, created_at, "
        "answered_at FROM chat_lines WHERE session_id=?1 ORDER BY created_at, id");
    if (!st) return st.error();
    st->bind(1, sessionId);
    std::vector<ChatRecord> out;
    while (st->step()) {
        ChatRecord c;
        c.id = st->int64(0);
        c.sessionId = st->int64(1);
        c.seq = static_cast<std::uint32_t>(st->int64(2));
        const std::string kind = st->text(3);
        auto k = enumFromString<ChatLineKind>(kind);
        if (!k) return core::Error{"chat line " + num(c.id) + ": unknown kind '" + kind + "' in the database"};
        c.kind = *k;
        c.authorUserId = u64From(st->int64(4));
        c.authorPersonId = st->optInt64(5).value_or(0);
        c.authorName = st->text(6);
        const std::string role = st->text(7);
        auto r = roleFromString(role);
        if (!r) return core::Error{"chat line " + num(c.id) + ": unknown role '" + role + "' in the database"};
        c.authorRole = *r;
        c.text = st->text(8);
        c.createdAt = st->int64(9);
        c.answeredAt = st->int64(10);
        out.push_back(std::move(c));
    }
    CR_TRY(st->status());
    return out;
}

// ---- [SECTION] statements, disclosures, facilitators ------------------------------------

core::Status Records::setProgramStatements(std::int64_t programId, std::string_view confidentiality, std::string_view liability,
                                           const Actor& by, std::int64_t now) {
    WriteScope scope(db_);
    CR_TRY(scope.begun());
    auto p = program(programId);
    if (!p) return p.error();
    Program changed = *p;
    changed.confidentiality = std::string(confidentiality);
    changed.liability = std::string(liability);
    CR_TRY(updateProgram(changed, by, now));   // checks the text, audits each changed statement
    return scope.commit();
}

core::Result<std::int64_t> Records::addDisclosure(const Disclosure& d, const Actor& by, std::int64_t now) {
    if (d.text.empty()) return core::Error{"disclosure: the text is empty (say \"No relevant financial relationships.\")"};
    CR_TRY(checkText("disclosure", "text", d.text));
    WriteScope scope(db_);
    CR_TRY(scope.begun());
    auto p = program(d.programId);
    if (!p) return p.error();
    if (d.sessionId) {
        auto s = session(d.sessionId);
        if (!s) return s.error();
        if (s->programId != d.programId)
            return core::Error{"disclosure: session " + num(d.sessionId) + " is not a session of program " + p->code};
    }
    auto who = person(d.personId);
    if (!who) return who.error();
    auto st = db_.prepare("INSERT INTO disclosures (program_id, session_id, person_id, text, created_at) VALUES (?1,?2,?3,?4,?5)");
    if (!st) return st.error();
    st->bind(1, d.programId).bind(2, idOrNull(d.sessionId)).bind(3, d.personId).bind(4, std::string_view(d.text)).bind(5, now);
    CR_TRY(st->run());
    const std::int64_t id = db_.lastInsertId();
    const Values v{{"program", p->code}, {"session", d.sessionId ? num(d.sessionId) : ""}, {"person", num(d.personId)}, {"text", d.text}};
    CR_TRY(audited({"disclosure " + num(id), "created", "", summary(v), "add disclosure"}, by, now));
    CR_TRY(scope.commit());
    return id;
}

core::Status Records::removeDisclosure(std::int64_t disclosureId, const Actor& by, std::int64_t now) {
    WriteScope scope(db_);
    CR_TRY(scope.begun());
    auto q = db_.prepare("SELECT text FROM disclosures WHERE id=?1");
    if (!q) return q.error();
    q->bind(1, disclosureId);
    if (!q->step()) {
        CR_TRY(q->status());
        return noSuch("disclosure", disclosureId);
    }
    const std::string text = q->text(0);
    auto st = db_.prepare("DELETE FROM disclosures WHERE id=?1");
    if (!st) return st.error();
    st->bind(1, disclosureId);
    CR_TRY(runOne(db_, *st, noSuch("disclosure", disclosureId)));
    CR_TRY(audited({"disclosure " + num(disclosureId), "text", text, "", "remove disclosure"}, by, now));
    return scope.commit();
}

core::Result<std::vector<Disclosure>> Records::disclosures(std::int64_t programId, std::int64_t sessionId) {
    auto st = db_.prepare(
        "SELECT id, program_id, session_id, person_id, text, created_at FROM disclosures "
        "WHERE program_id=?1 AND (session_id IS NULL OR session_id=?2) ORDER BY id");
    if (!st) return st.error();
    st->bind(1, programId).bind(2, sessionId);
    std::vector<Disclosure> out;
    while (st->step()) {
        Disclosure d;
        d.id = st->int64(0);
        d.programId = st->int64(1);
        d.sessionId = st->optInt64(2).value_or(0);
        d.personId = st->int64(3);
        d.text = st->text(4);
        d.createdAt = st->int64(5);
        out.push_back(std::move(d));
    }
    CR_TRY(st->status());
    return out;
}

core::Status Records::setSessionFacilitators(std::int64_t sessionId, std::int64_t facilitatorId, std::int64_t coFacilitatorId,
                                             const Actor& by, std::int64_t now) {
    WriteScope scope(db_);
    CR_TRY(scope.begun());
    auto old = session(sessionId);
    if (!old) return old.error();
    if (facilitatorId != 0 && facilitatorId == coFacilitatorId)
        return core::Error{"session " + num(sessionId) + ": the co-facilitator must be someone other than the facilitator"};
    for (const std::int64_t who : {facilitatorId, coFacilitatorId}) {
        if (who == 0) continue;
        auto e = rosterEntry(old->programId, who);
        if (!e) return e.error();
        if (!*e || !(*e)->active)
            return core::Error{"session " + num(sessionId) + ": person " + num(who) + " is not on the program's active roster"};
        const core::Role r = (*e)->role;
        if (r != core::Role::Facilitator && r != core::Role::Specialist && r != core::Role::Coordinator)
            return core::Error{"session " + num(sessionId) + ": person " + num(who) + " is a " + core::toString(r) +
                               "; the facilitator and co-facilitator are hub members (facilitator, specialist, coordinator)"};
    }
    if (old->facilitatorId == facilitatorId && old->coFacilitatorId == coFacilitatorId) return scope.commit();
    auto st = db_.prepare("UPDATE sessions SET facilitator_id=?1, co_facilitator_id=?2, updated_at=?3 WHERE id=?4");
    if (!st) return st.error();
    st->bind(1, idOrNull(facilitatorId)).bind(2, idOrNull(coFacilitatorId)).bind(3, now).bind(4, sessionId);
    CR_TRY(runOne(db_, *st, noSuch("session", sessionId)));
    auto idText = [](std::int64_t id) { return id ? "person " + num(id) : std::string(); };
    const std::string record = "session " + num(sessionId);
    if (old->facilitatorId != facilitatorId)
        CR_TRY(audited({record, "facilitator", idText(old->facilitatorId), idText(facilitatorId), "name facilitators"}, by, now));
    if (old->coFacilitatorId != coFacilitatorId)
        CR_TRY(audited({record, "coFacilitator", idText(old->coFacilitatorId), idText(coFacilitatorId), "name facilitators"}, by, now));
    return scope.commit();
}

core::Status Records::setSessionDidactic(std::int64_t sessionId, std::string_view title, const Actor& by, std::int64_t now) {
    CR_TRY(checkText("session", "didactic", title));
    WriteScope scope(db_);
    CR_TRY(scope.begun());
    auto old = session(sessionId);
    if (!old) return old.error();
    if (old->didactic == title) return scope.commit();
    auto st = db_.prepare("UPDATE sessions SET didactic=?1, updated_at=?2 WHERE id=?3");
    if (!st) return st.error();
    st->bind(1, title).bind(2, now).bind(3, sessionId);
    CR_TRY(runOne(db_, *st, noSuch("session", sessionId)));
    CR_TRY(audited({"session " + num(sessionId), "didactic", old->didactic, std::string(title), "set didactic"}, by, now));
    return scope.commit();
}

} // namespace caseroom::store
