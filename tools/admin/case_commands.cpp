// caseroom-admin case ...: case presentations from filled form files, the PHI
// screen on every submission and edit, and the workflow (clinic::mayMove, one
// table gated by the permissions table; a refusal prints its reason).
// [SECTION] usage  [SECTION] form and screen  [SECTION] submit, edit, represent
// [SECTION] list, show  [SECTION] moves  [SECTION] dispatch
#include <algorithm>
#include <cstdio>
#include <string>

#include "admin.h"
#include "clinic/case_form.h"
#include "clinic/case_workflow.h"
#include "clinic/phi_screen.h"
#include "clinic/schedule.h"

namespace caseroom::admin {
namespace {

// [SECTION] usage
constexpr const char* kUsage =
    "usage: caseroom-admin --as STABLE_ID case COMMAND ...\n"
    "\n"
    "  submit --program CODE [--presenter STABLE] FILE --attest\n"
    "        submit a filled case form (the program's template; [case] section of\n"
    "        name = value lines, continuation lines indented two spaces). Without\n"
    "        --attest it prints the program's attestation and submits nothing.\n"
    "        The PHI screen runs over the screened fields (roster names known): any\n"
    "        finding holds the case (status held; each finding printed as field,\n"
    "        byte span and kind, never the text) and exits 1; a clean case is\n"
    "        submitted. The presenter (default: --as) must be allowed to present\n"
    "        cases; a coordinator (ManagePrograms) may submit for a presenter.\n"
    "  edit ID FILE                 replace the form's fields (draft, submitted or held\n"
    "                               cases; the presenter or a coordinator); screened\n"
    "                               again, each changed field audited\n"
    "  list --program CODE [--status S]   the cases --as may see (hub-first visibility)\n"
    "  show ID                      one case: fields, findings, status, links\n"
    "  vet ID                       submitted -> vetted (VetCase)\n"
    "  override ID --reason TEXT    held -> vetted despite findings (OverridePhi; audited)\n"
    "  schedule ID --session S      vetted -> scheduled for session S (VetCase)\n"
    "  move ID --to STATE [--date YYYY-MM-DD]\n"
    "                               any move of the workflow (presented,\n"
    "                               recommendations-sent, follow-up-requested with\n"
    "                               --date, withdrawn, ...); refusals say why, exit 1\n"
    "  represent ID FILE --attest   a follow-up re-presentation: a new case linked to\n"
    "                               case ID (which must have follow-up requested)\n"
    "\n"
    "states: draft, submitted, held, vetted, scheduled, presented,\n"
    "recommendations-sent, follow-up-requested, withdrawn (as store::toString names them)\n";

std::string statusNames() {
    std::string s;
    for (std::uint8_t i = 0; i < static_cast<std::uint8_t>(store::CaseStatus::Count); ++i)
        s += std::string(i ? ", " : "") + store::toString(static_cast<store::CaseStatus>(i));
    return s;
}

// [SECTION] form and screen
struct CheckedForm {
    std::vector<store::CaseField> fields;
    std::vector<std::string> decks;   // manifest hashes named by the form's deck fields
    std::vector<store::CaseFinding> findings;
};

// A deck field's value: manifest hashes separated by commas or line breaks
// (validateForm has checked each is 64 hex digits).
void addDecks(std::string_view v, std::vector<std::string>& out) {
    while (!v.empty()) {
        const auto sep = v.find_first_of(",\n");
        std::string_view h = v.substr(0, sep);
        while (!h.empty() && (h.front() == ' ' || h.front() == '\t')) h.remove_prefix(1);
        while (!h.empty() && (h.back() == ' ' || h.back() == '\t' || h.back() == '\r')) h.remove_suffix(1);
        if (!h.empty() && std::find(out.begin(), out.end(), h) == out.end()) out.emplace_back(h);
        if (sep == std::string_view::npos) break;
        v.remove_prefix(sep + 1);
    }
}

// Parses FILE against the program's template, validates it and screens it.
core::Result<CheckedForm> checkForm(Context& ctx, const store::Program& p, const std::string& file) {
    auto text = readWholeFile(file);
    if (!text) return text.error();
    auto tmpl = clinic::parseFormTemplate(p.formTemplate, "program " + p.code + " form");
    if (!tmpl) return tmpl.error();
    auto filled = clinic::parseFilledForm(*text, file);
    if (!filled) return filled.error();
    const auto problems = clinic::validateForm(*tmpl, *filled);
    if (!problems.empty()) {
        std::string msg = file + ": the form does not fit program " + p.code + "'s template:";
        for (const auto& pr : problems) msg += "\n  " + pr;
        return core::Error{msg};
    }
    clinic::ScreenContext sc;
    if (auto r = ctx.records().roster(p.id); r) {
        for (const auto& e : *r)
            if (auto person = ctx.records().person(e.personId); person) sc.knownNames.push_back(person->name);
    } else {
        return r.error();
    }
    CheckedForm out;
    // The fields the template marks screened, and any it does not know (the safe side).
    const auto names = clinic::screenedFieldNames(*tmpl, *filled);
    std::vector<clinic::ScreenField> screened;
    for (const auto& f : *filled) {
        out.fields.push_back({f.name, f.value});
        if (const clinic::FormField* def = tmpl->find(f.name); def && def->kind == clinic::FieldKind::Deck) addDecks(f.value, out.decks);
        if (std::find(names.begin(), names.end(), f.name) != names.end()) screened.push_back({f.name, f.value});
    }
    for (const auto& f : clinic::screen(screened, sc))
        out.findings.push_back({f.field, f.begin, f.end, clinic::toString(f.kind)});
    return out;
}

// submit, represent and edit run checkForm (the file read and the PHI screen,
// which may take a while over a long form) before the write transaction;
// inside it the program's template must still be the one screened against,
// or nothing is written.
core::Status sameTemplate(const store::Program& screened, const store::Program& now) {
    if (screened.formTemplate == now.formTemplate) return {};
    return core::Error{"program " + now.code + "'s form template changed while the form was screened: run the command again"};
}

void printFindings(const std::vector<store::CaseFinding>& findings) {
    for (const auto& f : findings)
        std::printf("  finding: field %s, bytes %u..%u: %s\n", f.field.c_str(), f.begin, f.end, f.kind.c_str());
}

struct Loaded {
    store::CaseRecord c;
    store::Program p;
    core::Role role = core::Role::Observer;
    bool isPresenter = false;
};

core::Result<Loaded> loadCase(Context& ctx, std::string_view idText) {
    auto id = parseId("case ID", idText);
    if (!id) return id.error();
    Loaded l;
    auto c = ctx.records().caseRecord(*id);
    if (!c) return c.error();
    l.c = *c;
    auto p = ctx.records().program(l.c.programId);
    if (!p) return p.error();
    l.p = *p;
    auto role = ctx.roleIn(l.p.id);
    if (!role) return role.error();
    l.role = *role;
    l.isPresenter = ctx.asPerson() && ctx.asPerson()->id == l.c.presenterId;
    return l;
}

clinic::MoveContext moveContext(const Loaded& l) {
    clinic::MoveContext m;
    m.role = l.role;
    m.isPresenter = l.isPresenter;
    m.hasFindings = !l.c.findings.empty();
    m.attested = l.c.attestedAt != 0;
    m.overrideReason = l.c.phiOverride;
    return m;
}

int refuse(Context& ctx, const store::CaseRecord& c, store::CaseStatus to, const clinic::TransitionCheck& t) {
    return fail(ctx, "case " + std::to_string(c.id) + ": " + store::toString(c.status) + " -> " + store::toString(to) +
                         " refused: " + t.reason);
}

// The acting person may write this presenter's case: they are the presenter,
// or they manage the program (a coordinator entering a form sent to them).
core::Status mayWriteFor(Context& ctx, std::int64_t programId, std::int64_t presenterId) {
    if (!ctx.asPerson()) return core::Error{"say who acts: --as STABLE_ID"};
    if (ctx.asPerson()->id == presenterId) return ctx.roleIn(programId).ok() ? core::Status{} : core::Status{ctx.roleIn(programId).error()};
    return ctx.require(programId, sim::Action::ManagePrograms);
}

// [SECTION] submit, edit, represent
// A new case (a submission, or a re-presentation when original != 0).
// On kExitOk the case is created (not committed) and `newId` names it.
// `base` is a new Draft (empty, or clinic::followUpCase of the original).
// `form` was checked and screened before the transaction (null only without
// --attest, which submits nothing).
int submitNew(Context& ctx, const store::Program& p, const store::Person& presenter, const CheckedForm* form, bool attest,
              store::CaseRecord base, std::int64_t& newId) {
    if (!attest) {
        std::printf("To submit, the presenter attests:\n\n  %s\n\nRe-run with --attest to attest and submit.\n", p.attestation.c_str());
        return kExitRefused;
    }
    auto presenterRole = ctx.records().rosterEntry(p.id, presenter.id);
    if (!presenterRole) return fail(ctx, presenterRole.error());
    if (!*presenterRole || !(*presenterRole)->active) return fail(ctx, presenter.stableId + " is not on the roster of " + p.code);
    if (auto st = mayWriteFor(ctx, p.id, presenter.id); !st) return fail(ctx, st.error());
    clinic::MoveContext m;
    m.role = (*presenterRole)->role;
    m.isPresenter = true;
    m.attested = true;
    if (const auto t = clinic::mayMove(store::CaseStatus::Draft, store::CaseStatus::Submitted, m); !t.ok)
        return fail(ctx, presenter.stableId + " (" + core::toString(m.role) + ") may not submit a case: " + t.reason);
    if (!form) return fail(ctx, "no screened form");
    store::CaseRecord c = std::move(base);
    c.programId = p.id;
    c.presenterId = presenter.id;
    c.fields = form->fields;
    c.decks = form->decks;
    c.findings = form->findings;
    c.attestedAt = ctx.globals.now;
    c.status = c.findings.empty() ? store::CaseStatus::Submitted : store::CaseStatus::Held;
    c.createdAt = c.updatedAt = ctx.globals.now;
    auto id = ctx.records().createCase(c, ctx.actor(), ctx.globals.now);
    if (!id) return fail(ctx, id.error());
    newId = *id;
    return kExitOk;
}

int report(const store::CaseRecord& c, std::int64_t id, const char* what) {
    std::printf("case %lld %s: %s\n", static_cast<long long>(id), what, store::toString(c.status));
    if (!c.findings.empty()) {
        std::printf("held by the PHI screen: %zu finding(s); fix the form and run caseroom-admin case edit %lld FILE,\n"
                    "or a coordinator overrides with a reason (case override %lld --reason ...)\n",
                    c.findings.size(), static_cast<long long>(id), static_cast<long long>(id));
        printFindings(c.findings);
        return kExitRefused;
    }
    return kExitOk;
}

int submit(Context& ctx, const ParsedArgs& a) {
    if (a.positional.size() != 2) return usageError(ctx, "give one filled form FILE (see --help)");
    if (auto st = ctx.open(false); !st) return fail(ctx, st.error());
    std::optional<CheckedForm> form;
    std::optional<store::Program> screenedWith;
    if (a.has("--attest")) {
        auto p0 = ctx.program(a.get("--program"));
        if (!p0) return fail(ctx, p0.error());
        auto f = checkForm(ctx, *p0, a.positional[1]);
        if (!f) return fail(ctx, f.error());
        form = std::move(*f);
        screenedWith = std::move(*p0);
    }
    Tx tx(ctx.db());
    if (auto st = tx.begun(); !st) return fail(ctx, st.error());
    auto p = ctx.program(a.get("--program"));
    if (!p) return fail(ctx, p.error());
    if (screenedWith)
        if (auto st = sameTemplate(*screenedWith, *p); !st) return fail(ctx, st.error());
    if (!ctx.asPerson()) return fail(ctx, "say who acts: --as STABLE_ID");
    const std::string presenterId = a.get("--presenter", ctx.asPerson()->stableId);
    auto presenter = ctx.personByStable(presenterId);
    if (!presenter) return fail(ctx, presenter.error());
    std::int64_t id = 0;
    if (const int rc = submitNew(ctx, *p, *presenter, form ? &*form : nullptr, a.has("--attest"), store::CaseRecord{}, id); rc != kExitOk)
        return rc;
    if (auto st = tx.commit(); !st) return fail(ctx, st.error());
    auto c = ctx.records().caseRecord(id);
    if (!c) return fail(ctx, c.error());
    return report(*c, id, "submitted");
}

int represent(Context& ctx, const ParsedArgs& a) {
    if (a.positional.size() != 3) return usageError(ctx, "give the original case ID and a filled form FILE (see --help)");
    if (auto st = ctx.open(false); !st) return fail(ctx, st.error());
    std::optional<CheckedForm> form;
    std::optional<store::Program> screenedWith;
    if (a.has("--attest")) {
        auto l0 = loadCase(ctx, a.positional[1]);
        if (!l0) return fail(ctx, l0.error());
        auto f = checkForm(ctx, l0->p, a.positional[2]);
        if (!f) return fail(ctx, f.error());
        form = std::move(*f);
        screenedWith = l0->p;
    }
    Tx tx(ctx.db());
    if (auto st = tx.begun(); !st) return fail(ctx, st.error());
    auto l = loadCase(ctx, a.positional[1]);
    if (!l) return fail(ctx, l.error());
    if (screenedWith)
        if (auto st = sameTemplate(*screenedWith, l->p); !st) return fail(ctx, st.error());
    if (l->c.status != store::CaseStatus::FollowUpRequested)
        return fail(ctx, "case " + std::to_string(l->c.id) + " is " + store::toString(l->c.status) +
                             ": a re-presentation follows a case whose follow-up was requested");
    auto presenter = ctx.records().person(l->c.presenterId);
    if (!presenter) return fail(ctx, presenter.error());
    auto presenterEntry = ctx.records().rosterEntry(l->p.id, presenter->id);
    if (!presenterEntry) return fail(ctx, presenterEntry.error());
    if (!*presenterEntry) return fail(ctx, presenter->stableId + " is not on the roster of " + l->p.code);
    clinic::MoveContext m = moveContext(*l);
    m.role = (*presenterEntry)->role;
    m.isPresenter = true;
    if (const auto t = clinic::mayMove(store::CaseStatus::FollowUpRequested, store::CaseStatus::Draft, m); !t.ok)
        return fail(ctx, "case " + std::to_string(l->c.id) + ": a re-presentation is refused: " + t.reason);
    std::int64_t id = 0;
    if (const int rc = submitNew(ctx, l->p, *presenter, form ? &*form : nullptr, a.has("--attest"),
                                 clinic::followUpCase(l->c, ctx.globals.now), id);
        rc != kExitOk)
        return rc;
    if (auto st = tx.commit(); !st) return fail(ctx, st.error());
    auto c = ctx.records().caseRecord(id);
    if (!c) return fail(ctx, c.error());
    std::printf("re-presentation of case %lld (follow-up date %s)\n", static_cast<long long>(l->c.id),
                l->c.followUpDate.empty() ? "not set" : l->c.followUpDate.c_str());
    return report(*c, id, "submitted");
}

int edit(Context& ctx, const ParsedArgs& a) {
    if (a.positional.size() != 3) return usageError(ctx, "give the case ID and a filled form FILE (see --help)");
    if (auto st = ctx.open(false); !st) return fail(ctx, st.error());
    auto l0 = loadCase(ctx, a.positional[1]);
    if (!l0) return fail(ctx, l0.error());
    auto form = checkForm(ctx, l0->p, a.positional[2]);
    if (!form) return fail(ctx, form.error());
    Tx tx(ctx.db());
    if (auto st = tx.begun(); !st) return fail(ctx, st.error());
    auto l = loadCase(ctx, a.positional[1]);
    if (!l) return fail(ctx, l.error());
    if (auto st = sameTemplate(l0->p, l->p); !st) return fail(ctx, st.error());
    if (auto st = mayWriteFor(ctx, l->p.id, l->c.presenterId); !st) return fail(ctx, st.error());
    const auto s = l->c.status;
    if (s != store::CaseStatus::Draft && s != store::CaseStatus::Submitted && s != store::CaseStatus::Held)
        return fail(ctx, "case " + std::to_string(l->c.id) + " is " + store::toString(s) +
                             ": only draft, submitted or held cases are edited (a vetted case is what the hub read)");
    store::CaseRecord c = l->c;
    c.fields = form->fields;
    c.decks = form->decks;
    c.findings = form->findings;
    c.updatedAt = ctx.globals.now;
    if (!c.findings.empty()) {
        if (s == store::CaseStatus::Submitted) {  // the screen holds it again
            Loaded found = *l;
            found.c.findings = c.findings;
            if (const auto t = clinic::mayMove(s, store::CaseStatus::Held, moveContext(found)); !t.ok)
                return refuse(ctx, l->c, store::CaseStatus::Held, t);
            c.status = store::CaseStatus::Held;
        }
    } else if (s == store::CaseStatus::Held) {
        Loaded fixed = *l;
        fixed.c.findings.clear();
        if (const auto t = clinic::mayMove(s, store::CaseStatus::Submitted, moveContext(fixed)); !t.ok)
            return refuse(ctx, l->c, store::CaseStatus::Submitted, t);
        c.status = store::CaseStatus::Submitted;
    }
    if (auto st = ctx.records().saveCase(c, ctx.actor(), ctx.globals.now); !st) return fail(ctx, st.error());
    if (auto st = tx.commit(); !st) return fail(ctx, st.error());
    return report(c, c.id, "edited");
}

// [SECTION] list, show
int list(Context& ctx, const ParsedArgs& a) {
    if (auto st = ctx.open(false); !st) return fail(ctx, st.error());
    auto p = ctx.program(a.get("--program"));
    if (!p) return fail(ctx, p.error());
    auto role = ctx.roleIn(p->id);
    if (!role) return fail(ctx, role.error());
    store::Records::CaseFilter f;
    f.programId = p->id;
    if (a.has("--status")) {
        f.status = store::caseStatusFromString(a.get("--status"));
        if (!f.status) return usageError(ctx, "--status: '" + a.get("--status") + "' is not one of " + statusNames());
    }
    auto cases = ctx.records().cases(f);
    if (!cases) return fail(ctx, cases.error());
    std::printf("%-6s %-22s %-16s %-8s %-9s %s\n", "id", "status", "presenter", "session", "findings", "updated (UTC)");
    for (const auto& c : *cases) {
        const bool mine = ctx.asPerson()->id == c.presenterId;
        if (!clinic::maySee(*role, mine, c.status)) continue;
        auto presenter = ctx.records().person(c.presenterId);
        std::printf("%-6lld %-22s %-16s %-8lld %-9zu %s\n", static_cast<long long>(c.id), store::toString(c.status),
                    presenter ? presenter->stableId.c_str() : "?", static_cast<long long>(c.sessionId), c.findings.size(),
                    clinic::formatUtcIso(c.updatedAt).c_str());
    }
    return kExitOk;
}

int show(Context& ctx, const ParsedArgs& a) {
    if (a.positional.size() != 2) return usageError(ctx, "give the case ID");
    if (auto st = ctx.open(false); !st) return fail(ctx, st.error());
    auto l = loadCase(ctx, a.positional[1]);
    if (!l) return fail(ctx, l.error());
    if (!clinic::maySee(l->role, l->isPresenter, l->c.status))
        return fail(ctx, "a " + std::string(core::toString(l->role)) + " may not read case " + std::to_string(l->c.id) + " while it is " +
                             store::toString(l->c.status));
    const auto& c = l->c;
    auto presenter = ctx.records().person(c.presenterId);
    std::printf("case %lld, program %s, status %s\n", static_cast<long long>(c.id), l->p.code.c_str(), store::toString(c.status));
    std::printf("presenter %s (%s)\n", presenter ? presenter->name.c_str() : "?", presenter ? presenter->stableId.c_str() : "?");
    if (c.sessionId) std::printf("session %lld\n", static_cast<long long>(c.sessionId));
    if (c.originalCaseId) std::printf("re-presentation of case %lld\n", static_cast<long long>(c.originalCaseId));
    if (!c.followUpDate.empty()) std::printf("follow-up requested for %s\n", c.followUpDate.c_str());
    for (const auto& d : c.decks) std::printf("case deck %s\n", d.c_str());
    if (c.attestedAt) std::printf("attested %s\n", clinic::formatUtcIso(c.attestedAt).c_str());
    if (!c.phiOverride.empty()) std::printf("PHI override: %s\n", c.phiOverride.c_str());
    std::vector<clinic::FilledField> filled;
    for (const auto& f : c.fields) filled.push_back({f.name, f.value});
    std::printf("\n%s\n", clinic::formatFilledForm(filled).c_str());
    printFindings(c.findings);
    return kExitOk;
}

// [SECTION] moves
// Applies one workflow move after clinic::mayMove allows it.
int applyMove(Context& ctx, Loaded& l, store::CaseStatus to, const clinic::MoveContext& m, const char* what) {
    if (const auto t = clinic::mayMove(l.c.status, to, m); !t.ok) return refuse(ctx, l.c, to, t);
    const store::CaseStatus from = l.c.status;
    l.c.status = to;
    l.c.updatedAt = ctx.globals.now;
    if (auto st = ctx.records().saveCase(l.c, ctx.actor(), ctx.globals.now); !st) return fail(ctx, st.error());
    std::printf("case %lld: %s -> %s (%s)\n", static_cast<long long>(l.c.id), store::toString(from), store::toString(to), what);
    return kExitOk;
}

int move(Context& ctx, const ParsedArgs& a, const std::string& sub) {
    if (a.positional.size() != 2) return usageError(ctx, "give the case ID (see --help)");
    if (sub == "override" && a.get("--reason").empty()) return usageError(ctx, "--reason TEXT is required for an override");
    if (sub == "schedule" && !a.has("--session")) return usageError(ctx, "--session ID is required");
    if (sub == "move" && !a.has("--to")) return usageError(ctx, "--to STATE is required (one of " + statusNames() + ")");
    if (auto st = ctx.open(false); !st) return fail(ctx, st.error());
    Tx tx(ctx.db());
    if (auto st = tx.begun(); !st) return fail(ctx, st.error());
    auto l = loadCase(ctx, a.positional[1]);
    if (!l) return fail(ctx, l.error());
    clinic::MoveContext m = moveContext(*l);
    int rc = kExitOk;
    if (sub == "vet") {
        rc = applyMove(ctx, *l, store::CaseStatus::Vetted, m, "vetted");
    } else if (sub == "override") {
        if (auto st = ctx.require(l->p.id, sim::Action::OverridePhi); !st) return fail(ctx, st.error());
        if (l->c.status != store::CaseStatus::Held)
            return fail(ctx, "case " + std::to_string(l->c.id) + " is " + store::toString(l->c.status) + ", not held: nothing to override");
        m.overrideReason = a.get("--reason");
        if (!validUtf8(m.overrideReason)) return usageError(ctx, "--reason: not UTF-8 text");
        l->c.phiOverride = m.overrideReason;
        rc = applyMove(ctx, *l, store::CaseStatus::Vetted, m, "PHI screen overridden");
    } else if (sub == "schedule") {
        auto sid = parseId("--session", a.get("--session"));
        if (!sid) return usageError(ctx, sid.error().message);
        auto s = ctx.records().session(*sid);
        if (!s) return fail(ctx, s.error());
        if (s->programId != l->p.id) return fail(ctx, "session " + std::to_string(*sid) + " belongs to another program");
        if (s->status == store::SessionStatus::Ended || s->status == store::SessionStatus::Cancelled)
            return fail(ctx, "session " + std::to_string(*sid) + " is " + store::toString(s->status));
        l->c.sessionId = *sid;
        rc = applyMove(ctx, *l, store::CaseStatus::Scheduled, m, ("for session " + std::to_string(*sid)).c_str());
    } else {
        const auto to = store::caseStatusFromString(a.get("--to"));
        if (!to) return usageError(ctx, "--to: '" + a.get("--to") + "' is not one of " + statusNames());
        if (*to == store::CaseStatus::Scheduled) return usageError(ctx, "scheduling names a session: case schedule ID --session S");
        if (*to == store::CaseStatus::FollowUpRequested) {
            const std::string date = a.get("--date");
            if (date.empty()) return usageError(ctx, "--date YYYY-MM-DD is required for a follow-up request");
            const std::string today = clinic::formatLocal(ctx.globals.now, l->p.timeZone).substr(0, 10);
            if (auto ok = clinic::checkFollowUpDate(date, today); !ok) return fail(ctx, "--date: " + ok.error().message);
            l->c.followUpDate = date;
        }
        rc = applyMove(ctx, *l, *to, m, "moved");
    }
    if (rc != kExitOk) return rc;
    if (auto st = tx.commit(); !st) return fail(ctx, st.error());
    return kExitOk;
}

} // namespace

// [SECTION] dispatch
int runCase(Context& ctx, std::span<const std::string> args) {
    static constexpr OptSpec kSpecs[] = {{"--program"}, {"--presenter"}, {"--attest", false}, {"--status"},
                                         {"--reason"},  {"--session"},   {"--to"},            {"--date"}};
    int exitCode = kExitOk;
    auto a = beginCommand(ctx, args, kSpecs, kUsage, Sub::Required, exitCode);
    if (!a) return exitCode;
    const std::string sub = a->positional[0];
    ctx.command = "case " + sub;
    if ((sub == "submit" || sub == "list") && !a->has("--program")) return usageError(ctx, "--program CODE is required");
    if (sub == "submit") return submit(ctx, *a);
    if (sub == "represent") return represent(ctx, *a);
    if (sub == "edit") return edit(ctx, *a);
    if (sub == "list") return list(ctx, *a);
    if (sub == "show") return show(ctx, *a);
    if (sub == "vet" || sub == "override" || sub == "schedule" || sub == "move") return move(ctx, *a, sub);
    return usageError(ctx, "unknown case command '" + sub + "' (see --help)");
}

} // namespace caseroom::admin
