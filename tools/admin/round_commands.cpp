// caseroom-admin recommendations list|document|export|send, disclosure
// add|list|remove, session facilitators, chat show: the teaching round's
// records (store/records.h, schema v3) and the recommendations document
// (clinic/recommendations_doc.h). Permissions: ExportRecords to read and
// export, SendRecommendations to send, ManagePrograms to change.
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

#include "admin.h"
#include "clinic/case_workflow.h"
#include "clinic/recommendations_doc.h"
#include "clinic/schedule.h"

namespace caseroom::admin {
namespace {

constexpr const char* kRecUsage =
    "usage: caseroom-admin --as STABLE_ID recommendations list SESSION\n"
    "       caseroom-admin --as STABLE_ID recommendations document SESSION CASE [--out FILE.html]\n"
    "       caseroom-admin --as STABLE_ID recommendations export SESSION CASE [--out FILE.json]\n"
    "       caseroom-admin --as STABLE_ID recommendations send SESSION CASE\n"
    "\n"
    "The recommendations board of a session as the room kept it (docs/RECORDS.md).\n"
    "list: every entry of the session's cases, withdrawn ones marked (ExportRecords).\n"
    "document: the printable page for the presenter: the de-identified case, the\n"
    "question, the recommendations and the consensus, the hub's names and the program's\n"
    "liability statement (docs/CASES.md). export: the same as JSON (format\n"
    "caseroom-recommendations/1). Both to FILE (mode 0600) or standard output\n"
    "(ExportRecords).\n"
    "send: writes both into STATE_DIR/outbox/<presenter user id>/ (mode 0600), records\n"
    "it in the audit trail and moves a presented case to recommendations-sent\n"
    "(SendRecommendations).\n";

constexpr const char* kDisclosureUsage =
    "usage: caseroom-admin --as STABLE_ID disclosure add PROGRAM|SESSION PERSON TEXT\n"
    "       caseroom-admin --as STABLE_ID disclosure list PROGRAM|SESSION\n"
    "       caseroom-admin --as STABLE_ID disclosure remove ID\n"
    "\n"
    "Faculty financial disclosures, shown in the introductions of every session of the\n"
    "program (PROGRAM: its code) or of one session (SESSION: its id, when no program\n"
    "has that code). PERSON is a stable id; TEXT e.g. \"No relevant financial\n"
    "relationships.\" (@FILE reads a file). Needs ManagePrograms; audited.\n";

constexpr const char* kSessionUsage =
    "usage: caseroom-admin --as STABLE_ID session facilitators SESSION --facilitator PERSON\n"
    "           [--co-facilitator PERSON] [--didactic TITLE]\n"
    "\n"
    "Names who runs the session (the room's plan: they may advance the agenda; the\n"
    "co-facilitator takes over if the facilitator drops) and, optionally, the\n"
    "didactic's title. PERSON is a stable id of a hub member (facilitator, specialist or\n"
    "coordinator) on the program's roster; \"-\" clears. Needs ManagePrograms; audited.\n";

constexpr const char* kChatUsage =
    "usage: caseroom-admin --as STABLE_ID chat show SESSION\n"
    "\n"
    "The room's chat and questions for the hub as kept with the session: time (UTC),\n"
    "seq, kind, author (role) and text; questions marked answered. Needs ExportRecords.\n";

struct Loaded {
    store::Session session;
    store::Program program;
};

core::Result<Loaded> loadSession(Context& ctx, std::string_view idText, sim::Action action) {
    auto id = parseId("SESSION", idText);
    if (!id) return id.error();
    auto s = ctx.records().session(*id);
    if (!s) return s.error();
    auto p = ctx.records().program(s->programId);
    if (!p) return p.error();
    if (auto st = ctx.require(p->id, action); !st) return st.error();
    return Loaded{*s, *p};
}

std::string isoOrEmpty(std::int64_t t) { return t ? clinic::formatUtcIso(t) : std::string(); }

// Room text for a terminal: control characters (an escape sequence typed into
// the chat) shown as \xHH, line breaks as "\n" so one entry stays one line.
std::string printable(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == '\n') out += "\\n";
        else if (c < 0x20 || c == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        } else out += ch;
    }
    return out;
}

// TEXT, or the contents of FILE for "@FILE" (trailing line ends dropped).
core::Result<std::string> textOrFile(std::string_view what, const std::string& v) {
    std::string text = v;
    if (!v.empty() && v[0] == '@') {
        auto f = readWholeFile(v.substr(1));
        if (!f) return f.error();
        text = *f;
        while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    }
    if (!validUtf8(text)) return core::Error{std::string(what) + ": not UTF-8 text"};
    return text;
}

// ---- recommendations --------------------------------------------------------------------

int recList(Context& ctx, const std::string& sessionText) {
    if (auto st = ctx.open(false); !st) return fail(ctx, st.error());
    auto l = loadSession(ctx, sessionText, sim::Action::ExportRecords);
    if (!l) return fail(ctx, l.error());
    auto recs = ctx.records().recommendations(l->session.id);
    if (!recs) return fail(ctx, recs.error());
    std::printf("session %lld \"%s\" (%s): %zu entr%s\n", static_cast<long long>(l->session.id), l->session.title.c_str(),
                clinic::formatLocal(l->session.startUtc, l->program.timeZone).c_str(), recs->size(), recs->size() == 1 ? "y" : "ies");
    for (const auto& r : *recs) {
        std::string flags;
        if (r.consensus) flags += " consensus";
        if (r.edits) flags += " edited x" + std::to_string(r.edits);
        if (r.withdrawnAt) flags += " withdrawn " + isoOrEmpty(r.withdrawnAt);
        std::printf("case %-4lld entry %-4u %s  %s (%s)%s\n  %s\n", static_cast<long long>(r.caseId), r.entryId,
                    isoOrEmpty(r.createdAt).c_str(), printable(r.authorName).c_str(), core::toString(r.authorRole), flags.c_str(),
                    printable(r.text).c_str());
    }
    return kExitOk;
}

core::Result<clinic::RecommendationsDoc> loadDoc(Context& ctx, const std::string& sessionText, const std::string& caseText,
                                                 sim::Action action) {
    auto l = loadSession(ctx, sessionText, action);
    if (!l) return l.error();
    auto caseId = parseId("CASE", caseText);
    if (!caseId) return caseId.error();
    return clinic::loadRecommendationsDoc(ctx.records(), l->session.id, *caseId);
}

int recWrite(Context& ctx, const ParsedArgs& a, bool json) {
    if (a.positional.size() != 3) return usageError(ctx, "expected SESSION CASE (see --help)");
    if (auto st = ctx.open(false); !st) return fail(ctx, st.error());
    // One read snapshot: the board and the case from the same moment.
    Tx tx(ctx.db());
    if (auto st = tx.begun(); !st) return fail(ctx, st.error());
    auto doc = loadDoc(ctx, a.positional[1], a.positional[2], sim::Action::ExportRecords);
    if (!doc) return fail(ctx, doc.error());
    if (auto st = tx.commit(); !st) return fail(ctx, st.error());
    const std::string text = json ? clinic::toJson(*doc) : clinic::renderHtml(*doc);
    const std::string out = a.get("--out");
    if (out.empty() || out == "-") {
        std::fwrite(text.data(), 1, text.size(), stdout);
        return kExitOk;
    }
    if (auto st = writeWholeFile(out, text, 0600); !st) return fail(ctx, st.error());
    std::fprintf(stderr, "wrote %s: case %lld of session %lld, %zu recommendation(s)%s\n", out.c_str(),
                 static_cast<long long>(doc->caseId), static_cast<long long>(doc->sessionId), doc->recommendations.size(),
                 doc->consensus ? " and the consensus" : ", no consensus");
    return kExitOk;
}

core::Status makePrivateDir(const std::string& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return core::Error{dir + ": " + ec.message()};
    if (::chmod(dir.c_str(), 0700) != 0) return core::Error{dir + ": " + std::strerror(errno)};
    return {};
}

int recSend(Context& ctx, const ParsedArgs& a) {
    if (a.positional.size() != 3) return usageError(ctx, "expected SESSION CASE (see --help)");
    if (auto st = ctx.open(false); !st) return fail(ctx, st.error());
    Tx tx(ctx.db());
    if (auto st = tx.begun(); !st) return fail(ctx, st.error());
    auto doc = loadDoc(ctx, a.positional[1], a.positional[2], sim::Action::SendRecommendations);
    if (!doc) return fail(ctx, doc.error());
    auto kase = ctx.records().caseRecord(doc->caseId);
    if (!kase) return fail(ctx, kase.error());
    // The presenter's user id is their person id (the invitations' identity convention).
    const std::string dir = ctx.stateDir() + "/outbox/" + std::to_string(kase->presenterId);
    const std::string base = "recommendations-session-" + std::to_string(doc->sessionId) + "-case-" + std::to_string(doc->caseId);
    const std::string html = dir + "/" + base + ".html", json = dir + "/" + base + ".json";
    if (auto st = makePrivateDir(ctx.stateDir() + "/outbox"); !st) return fail(ctx, st.error());
    if (auto st = makePrivateDir(dir); !st) return fail(ctx, st.error());
    // A presented case moves on; one not yet marked presented keeps its state.
    const store::CaseStatus was = kase->status;
    bool moved = false;
    if (was == store::CaseStatus::Presented) {
        auto role = ctx.roleIn(kase->programId);
        if (!role) return fail(ctx, role.error());
        clinic::MoveContext mc;
        mc.role = *role;
        const auto check = clinic::mayMove(was, store::CaseStatus::RecommendationsSent, mc);
        if (!check.ok) return fail(ctx, "case " + std::to_string(kase->id) + ": " + check.reason);
        store::CaseRecord next = *kase;
        next.status = store::CaseStatus::RecommendationsSent;
        if (auto st = ctx.records().saveCase(next, ctx.actor(), ctx.globals.now); !st) return fail(ctx, st.error());
        moved = true;
    }
    store::Records::Edit e;
    e.record = "case " + std::to_string(kase->id);
    e.field = "recommendations";
    e.newValue = "outbox/" + std::to_string(kase->presenterId) + "/" + base + ".html, .json (session " +
                 std::to_string(doc->sessionId) + ", " + std::to_string(doc->recommendations.size()) + " recommendation(s)" +
                 (doc->consensus ? ", consensus" : ", no consensus") + ")";
    e.what = "SendRecommendations";
    if (auto st = ctx.records().recordAction(e, ctx.actor(), ctx.globals.now); !st) return fail(ctx, st.error());
    // The files first, then the commit: if the commit fails they are removed,
    // so nothing is in the outbox that the trail does not name.
    if (auto st = writeWholeFile(html, clinic::renderHtml(*doc), 0600); !st) return fail(ctx, st.error());
    if (auto st = writeWholeFile(json, clinic::toJson(*doc), 0600); !st) {
        std::filesystem::remove(html);
        return fail(ctx, st.error());
    }
    if (auto st = tx.commit(); !st) {
        std::filesystem::remove(html);
        std::filesystem::remove(json);
        return fail(ctx, st.error());
    }
    std::printf("sent case %lld of session %lld to %s: %s and .json%s\n", static_cast<long long>(doc->caseId),
                static_cast<long long>(doc->sessionId), doc->presenter.c_str(), html.c_str(),
                moved ? " (case now recommendations-sent)"
                      : ("; case stays " + std::string(store::toString(was))).c_str());
    return kExitOk;
}

// ---- disclosures --------------------------------------------------------------------------

struct Scope {
    store::Program program;
    std::int64_t sessionId = 0;
};

// A program code when one exists, else a session id.
core::Result<Scope> scopeOf(Context& ctx, const std::string& what) {
    if (auto p = ctx.records().programByCode(what); p) return Scope{*p, 0};
    auto id = parseId("PROGRAM|SESSION", what);
    if (!id) return core::Error{"'" + what + "' is neither a program code nor a session id"};
    auto s = ctx.records().session(*id);
    if (!s) return s.error();
    auto p = ctx.records().program(s->programId);
    if (!p) return p.error();
    return Scope{*p, s->id};
}

int disclosureCmd(Context& ctx, const ParsedArgs& a) {
    const std::string sub = a.positional[0];
    if (sub == "add" && a.positional.size() == 4) {
        auto text = textOrFile("TEXT", a.positional[3]);
        if (!text) return usageError(ctx, text.error().message);
        if (text->empty()) return usageError(ctx, "TEXT is empty (say \"No relevant financial relationships.\")");
        if (auto st = ctx.open(false); !st) return fail(ctx, st.error());
        Tx tx(ctx.db());
        if (auto st = tx.begun(); !st) return fail(ctx, st.error());
        auto scope = scopeOf(ctx, a.positional[1]);
        if (!scope) return fail(ctx, scope.error());
        if (auto st = ctx.require(scope->program.id, sim::Action::ManagePrograms); !st) return fail(ctx, st.error());
        auto who = ctx.personByStable(a.positional[2]);
        if (!who) return fail(ctx, who.error());
        store::Disclosure d;
        d.programId = scope->program.id;
        d.sessionId = scope->sessionId;
        d.personId = who->id;
        d.text = *text;
        auto id = ctx.records().addDisclosure(d, ctx.actor(), ctx.globals.now);
        if (!id) return fail(ctx, id.error());
        if (auto st = tx.commit(); !st) return fail(ctx, st.error());
        std::printf("disclosure %lld: %s, %s%s\n", static_cast<long long>(*id), who->name.c_str(),
                    scope->sessionId ? ("session " + std::to_string(scope->sessionId)).c_str() : "every session of ",
                    scope->sessionId ? "" : scope->program.code.c_str());
        return kExitOk;
    }
    if (sub == "list" && a.positional.size() == 2) {
        if (auto st = ctx.open(false); !st) return fail(ctx, st.error());
        auto scope = scopeOf(ctx, a.positional[1]);
        if (!scope) return fail(ctx, scope.error());
        if (auto st = ctx.roleIn(scope->program.id); !st) return fail(ctx, st.error());   // any roster member
        auto all = ctx.records().disclosures(scope->program.id, scope->sessionId);
        if (!all) return fail(ctx, all.error());
        for (const auto& d : *all) {
            auto who = ctx.records().person(d.personId);
            std::printf("%-5lld %-10s %s: %s\n", static_cast<long long>(d.id),
                        d.sessionId ? ("session " + std::to_string(d.sessionId)).c_str() : "program", who ? who->name.c_str() : "?",
                        d.text.c_str());
        }
        return kExitOk;
    }
    if (sub == "remove" && a.positional.size() == 2) {
        auto id = parseId("ID", a.positional[1]);
        if (!id) return usageError(ctx, id.error().message);
        if (auto st = ctx.open(false); !st) return fail(ctx, st.error());
        Tx tx(ctx.db());
        if (auto st = tx.begun(); !st) return fail(ctx, st.error());
        // The program it belongs to, for the permission check.
        auto st0 = ctx.db().prepare("SELECT program_id FROM disclosures WHERE id=?1");
        if (!st0) return fail(ctx, st0.error());
        st0->bind(1, *id);
        if (!st0->step()) return fail(ctx, "disclosure " + std::to_string(*id) + ": no such disclosure");
        const std::int64_t programId = st0->int64(0);
        if (auto st = ctx.require(programId, sim::Action::ManagePrograms); !st) return fail(ctx, st.error());
        if (auto st = ctx.records().removeDisclosure(*id, ctx.actor(), ctx.globals.now); !st) return fail(ctx, st.error());
        if (auto st = tx.commit(); !st) return fail(ctx, st.error());
        std::printf("removed disclosure %lld\n", static_cast<long long>(*id));
        return kExitOk;
    }
    return usageError(ctx, "expected add PROGRAM|SESSION PERSON TEXT, list PROGRAM|SESSION or remove ID (see --help)");
}

} // namespace

int runRecommendations(Context& ctx, std::span<const std::string> args) {
    static constexpr OptSpec kSpecs[] = {{"--out"}};
    int exitCode = kExitOk;
    auto a = beginCommand(ctx, args, kSpecs, kRecUsage, Sub::Required, exitCode);
    if (!a) return exitCode;
    const std::string sub = a->positional[0];
    ctx.command = "recommendations " + sub;
    if (sub == "list" && a->positional.size() == 2 && !a->has("--out")) return recList(ctx, a->positional[1]);
    if (sub == "document") return recWrite(ctx, *a, false);
    if (sub == "export") return recWrite(ctx, *a, true);
    if (sub == "send" && !a->has("--out")) return recSend(ctx, *a);
    return usageError(ctx, "expected list SESSION, document|export SESSION CASE [--out FILE] or send SESSION CASE (see --help)");
}

int runDisclosure(Context& ctx, std::span<const std::string> args) {
    int exitCode = kExitOk;
    auto a = beginCommand(ctx, args, {}, kDisclosureUsage, Sub::Required, exitCode);
    if (!a) return exitCode;
    ctx.command = "disclosure " + a->positional[0];
    return disclosureCmd(ctx, *a);
}

int runSessionCommand(Context& ctx, std::span<const std::string> args) {
    static constexpr OptSpec kSpecs[] = {{"--facilitator"}, {"--co-facilitator"}, {"--didactic"}};
    int exitCode = kExitOk;
    auto a = beginCommand(ctx, args, kSpecs, kSessionUsage, Sub::Required, exitCode);
    if (!a) return exitCode;
    ctx.command = "session " + a->positional[0];
    if (a->positional[0] != "facilitators" || a->positional.size() != 2)
        return usageError(ctx, "expected facilitators SESSION --facilitator PERSON (see --help)");
    if (!a->has("--facilitator")) return usageError(ctx, "--facilitator PERSON is required (\"-\" clears)");
    const std::string didactic = a->get("--didactic");
    if (!validUtf8(didactic)) return usageError(ctx, "--didactic: not UTF-8 text");
    if (auto st = ctx.open(false); !st) return fail(ctx, st.error());
    Tx tx(ctx.db());
    if (auto st = tx.begun(); !st) return fail(ctx, st.error());
    auto l = loadSession(ctx, a->positional[1], sim::Action::ManagePrograms);
    if (!l) return fail(ctx, l.error());
    auto personId = [&](const std::string& stable) -> core::Result<std::int64_t> {
        if (stable.empty() || stable == "-") return std::int64_t{0};
        auto p = ctx.personByStable(stable);
        if (!p) return p.error();
        return p->id;
    };
    auto fac = personId(a->get("--facilitator"));
    if (!fac) return fail(ctx, fac.error());
    auto co = personId(a->get("--co-facilitator"));
    if (!co) return fail(ctx, co.error());
    if (auto st = ctx.records().setSessionFacilitators(l->session.id, *fac, *co, ctx.actor(), ctx.globals.now); !st)
        return fail(ctx, st.error());
    if (a->has("--didactic"))
        if (auto st = ctx.records().setSessionDidactic(l->session.id, didactic, ctx.actor(), ctx.globals.now); !st)
            return fail(ctx, st.error());
    if (auto st = tx.commit(); !st) return fail(ctx, st.error());
    auto name = [&](std::int64_t id) -> std::string {
        if (!id) return "(none)";
        auto p = ctx.records().person(id);
        return p ? p->name : "person " + std::to_string(id);
    };
    std::printf("session %lld: facilitator %s, co-facilitator %s%s\n", static_cast<long long>(l->session.id), name(*fac).c_str(),
                name(*co).c_str(), a->has("--didactic") ? (", didactic \"" + didactic + "\"").c_str() : "");
    return kExitOk;
}

int runChat(Context& ctx, std::span<const std::string> args) {
    int exitCode = kExitOk;
    auto a = beginCommand(ctx, args, {}, kChatUsage, Sub::Required, exitCode);
    if (!a) return exitCode;
    ctx.command = "chat " + a->positional[0];
    if (a->positional[0] != "show" || a->positional.size() != 2) return usageError(ctx, "expected show SESSION (see --help)");
    if (auto st = ctx.open(false); !st) return fail(ctx, st.error());
    auto l = loadSession(ctx, a->positional[1], sim::Action::ExportRecords);
    if (!l) return fail(ctx, l.error());
    auto lines = ctx.records().chatLines(l->session.id);
    if (!lines) return fail(ctx, lines.error());
    std::printf("session %lld \"%s\": %zu line(s)\n", static_cast<long long>(l->session.id), l->session.title.c_str(), lines->size());
    for (const auto& c : *lines) {
        std::string mark;
        if (c.kind == store::ChatLineKind::Question) mark = c.answeredAt ? " [answered " + isoOrEmpty(c.answeredAt) + "]" : " [open]";
        std::printf("%s #%-4u %-8s %s (%s)%s: %s\n", isoOrEmpty(c.createdAt).c_str(), c.seq, store::toString(c.kind),
                    printable(c.authorName).c_str(), core::toString(c.authorRole), mark.c_str(), printable(c.text).c_str());
    }
    return kExitOk;
}

} // namespace caseroom::admin
