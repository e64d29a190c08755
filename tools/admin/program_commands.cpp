// caseroom-admin program create|list|show: programs with their case form
// template, their CME, attestation and liability settings and their
// recording rules (the policy, whether cameras are recorded).
#include <cstdio>
#include <optional>
#include <string>

#include "admin.h"
#include "clinic/attendance.h"
#include "clinic/case_form.h"
#include "clinic/schedule.h"
#include "clinic/session_plan.h"
#include "core/cli.h"

namespace caseroom::admin {
namespace {

constexpr const char* kUsage =
    "usage: caseroom-admin program create --code CODE --name NAME --tz ZONE [options]\n"
    "       caseroom-admin program list\n"
    "       caseroom-admin program show CODE\n"
    "       caseroom-admin program statements CODE [--confidentiality TEXT] [--liability TEXT]\n"
    "       caseroom-admin program recording CODE [never|didactic|whole] [--record-cameras yes|no]\n"
    "                        show or set the recording policy (didactic, the default: recorded only in\n"
    "                        the didactic phase) and whether cameras are recorded (no, the default:\n"
    "                        screens only, faces never; docs/RECORDING.md)\n"
    "\n"
    "create: a program (e.g. \"Hepatitis C ECHO\"). Its code is also the room code of its\n"
    "sessions. Needs ManagePrograms (a coordinator of some program), or, before any\n"
    "roster exists, the owner of the state directory (bootstrapping).\n"
    "  --code CODE            1-31 letters, digits, '-' or '_' (unique)\n"
    "  --name NAME            the program's name (UTF-8)\n"
    "  --tz ZONE              IANA time zone of its sessions, e.g. America/Denver\n"
    "  --form FILE            case form template (clinic/case_form.h format; default: the\n"
    "                         built-in ECHO form)\n"
    "  --cme-threshold F      share of a session needed for credit, 0..1 (default 0.75)\n"
    "  --credit-type TEXT     e.g. \"AMA PRA Category 1 Credit(TM)\"\n"
    "  --credit-per-hour F    credits per attended hour, 0..10 (default 1)\n"
    "  --rounding R           quarter-down (default), quarter-nearest, half-down,\n"
    "                         half-nearest or none\n"
    "  --accreditation TEXT   accreditation statement on certificates (@FILE reads a file)\n"
    "  --attestation TEXT     what a presenter attests when submitting a case (@FILE)\n"
    "  --liability TEXT       liability statement shown on joining and on documents (@FILE)\n"
    "  --confidentiality TEXT confidentiality statement shown in the introductions (@FILE)\n"
    "  --lobby-minutes N      the room opens this long before the start, 0..240 (default 15)\n"
    "  --overrun-minutes N    invitations stay valid this long after the end, 0..600 (default 30)\n"
    "  --record-cameras yes|no  whether recordings keep cameras (default no: screens only)\n"
    "list: every program. show: one program's settings and form fields.\n"
    "statements: the confidentiality statement (shown in the introductions) and the\n"
    "liability statement (on the recommendations document: a consultation creates no\n"
    "provider-patient relationship); without options prints them (with the defaults\n"
    "used where none is set); with them sets them, audited (ManagePrograms; @FILE reads\n"
    "a file; \"\" clears, falling back to the default).\n";

constexpr const char* kDefaultAttestation =
    "I attest that this case is de-identified (no HIPAA Safe Harbor identifiers) and that it is "
    "shared with the patient's consent for the purpose of tele-mentoring.";

// The camera rule's value: "yes" or "no".
std::optional<bool> yesNo(const std::string& v) {
    if (v == "yes") return true;
    if (v == "no") return false;
    return std::nullopt;
}

const char* camerasText(bool recorded) { return recorded ? "recorded" : "not recorded (screens only)"; }

bool validCode(std::string_view c) {
    if (c.empty() || c.size() > 31) return false;
    for (const char ch : c)
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_'))
            return false;
    return true;
}

// TEXT, or the contents of FILE for "@FILE".
core::Result<std::string> textOrFile(std::string_view option, const std::string& v) {
    std::string text = v;
    if (!v.empty() && v[0] == '@') {
        auto f = readWholeFile(v.substr(1));
        if (!f) return f.error();
        text = *f;
        while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    }
    if (!validUtf8(text)) return core::Error{std::string(option) + ": not UTF-8 text"};
    return text;
}

int create(Context& ctx, const ParsedArgs& a) {
    store::Program p;
    p.code = a.get("--code");
    p.name = a.get("--name");
    p.timeZone = a.get("--tz");
    if (!validCode(p.code)) return usageError(ctx, "--code: '" + p.code + "' is not 1-31 letters, digits, '-' or '_'");
    if (p.name.empty() || !validUtf8(p.name)) return usageError(ctx, "--name: a non-empty UTF-8 name is required");
    if (p.timeZone.empty()) return usageError(ctx, "--tz ZONE is required (an IANA zone such as America/Denver)");
    if (!clinic::validTimeZone(p.timeZone)) return fail(ctx, "--tz: '" + p.timeZone + "' is not an IANA time zone this system knows");
    const std::string formPath = a.get("--form");
    std::string form = clinic::defaultFormTemplateText();
    if (!formPath.empty()) {
        auto f = readWholeFile(formPath);
        if (!f) return fail(ctx, f.error());
        form = *f;
    }
    if (auto t = clinic::parseFormTemplate(form, formPath.empty() ? "built-in form" : formPath); !t) return fail(ctx, t.error());
    p.formTemplate = form;
    if (a.has("--cme-threshold")) {
        auto v = core::cli::parseNumber("--cme-threshold", a.get("--cme-threshold"), 0.0, 1.0);
        if (!v) return usageError(ctx, v.error().message);
        p.cmeThreshold = *v;
    }
    if (a.has("--credit-per-hour")) {
        auto v = core::cli::parseNumber("--credit-per-hour", a.get("--credit-per-hour"), 0.0, 10.0);
        if (!v) return usageError(ctx, v.error().message);
        p.creditPerHour = *v;
    }
    if (a.has("--rounding")) {
        p.creditRounding = a.get("--rounding");
        if (!clinic::creditRoundingFromString(p.creditRounding))
            return usageError(ctx, "--rounding: '" + p.creditRounding + "' is not quarter-down, quarter-nearest, half-down, half-nearest or none");
    }
    if (a.has("--lobby-minutes")) {
        auto v = core::cli::parseInt("--lobby-minutes", a.get("--lobby-minutes"), 0, 240);
        if (!v) return usageError(ctx, v.error().message);
        p.lobbyMinutes = static_cast<std::int32_t>(*v);
    }
    if (a.has("--overrun-minutes")) {
        auto v = core::cli::parseInt("--overrun-minutes", a.get("--overrun-minutes"), 0, 600);
        if (!v) return usageError(ctx, v.error().message);
        p.overrunMinutes = static_cast<std::int32_t>(*v);
    }
    if (a.has("--record-cameras")) {
        const auto v = yesNo(a.get("--record-cameras"));
        if (!v) return usageError(ctx, "--record-cameras: yes or no (got '" + a.get("--record-cameras") + "')");
        p.recordCameras = *v;
    }
    p.creditType = a.get("--credit-type", "AMA PRA Category 1 Credit(TM)");
    if (!validUtf8(p.creditType)) return usageError(ctx, "--credit-type: not UTF-8 text");
    struct TextOpt { const char* name; std::string* field; };
    for (const TextOpt t : {TextOpt{"--accreditation", &p.accreditation}, TextOpt{"--attestation", &p.attestation},
                            TextOpt{"--liability", &p.liability}, TextOpt{"--confidentiality", &p.confidentiality}}) {
        if (!a.has(t.name)) continue;
        auto v = textOrFile(t.name, a.get(t.name));
        if (!v) return fail(ctx, v.error());
        *t.field = *v;
    }
    if (p.attestation.empty()) p.attestation = kDefaultAttestation;

    if (auto st = ctx.open(true); !st) return fail(ctx, st.error());
    Tx tx(ctx.db());
    if (auto st = tx.begun(); !st) return fail(ctx, st.error());
    if (auto st = ctx.requireOrBootstrap(0, sim::Action::ManagePrograms); !st) return fail(ctx, st.error());
    if (auto existing = ctx.records().programByCode(p.code); existing)
        return fail(ctx, "a program with code '" + p.code + "' exists already (" + existing->name + ")");
    auto id = ctx.records().createProgram(p, ctx.actor(), ctx.globals.now);
    if (!id) return fail(ctx, id.error());
    if (auto st = tx.commit(); !st) return fail(ctx, st.error());
    std::printf("created program %s (%s), id %lld, zone %s%s\n", p.code.c_str(), p.name.c_str(), static_cast<long long>(*id),
                p.timeZone.c_str(), ctx.asPerson() ? "" : (", bootstrapped by " + ctx.osUser).c_str());
    std::printf("next: caseroom-admin roster import --program %s ROSTER.csv\n", p.code.c_str());
    return kExitOk;
}

int list(Context& ctx) {
    if (auto st = ctx.open(false); !st) return fail(ctx, st.error());
    auto all = ctx.records().programs();
    if (!all) return fail(ctx, all.error());
    std::printf("%-12s %-24s %s\n", "code", "zone", "name");
    for (const auto& p : *all) std::printf("%-12s %-24s %s\n", p.code.c_str(), p.timeZone.c_str(), p.name.c_str());
    return kExitOk;
}

int show(Context& ctx, const std::string& code) {
    if (auto st = ctx.open(false); !st) return fail(ctx, st.error());
    auto p = ctx.program(code);
    if (!p) return fail(ctx, p.error());
    std::printf("program          %s (id %lld)\n", p->code.c_str(), static_cast<long long>(p->id));
    std::printf("name             %s\n", p->name.c_str());
    std::printf("time zone        %s\n", p->timeZone.c_str());
    std::printf("CME threshold    %.2f of the session\n", p->cmeThreshold);
    std::printf("credit           %g %s per hour, rounded %s\n", p->creditPerHour, p->creditType.c_str(), p->creditRounding.c_str());
    std::printf("lobby / overrun  %d / %d minutes\n", p->lobbyMinutes, p->overrunMinutes);
    std::printf("accreditation    %s\n", p->accreditation.empty() ? "(none)" : p->accreditation.c_str());
    std::printf("attestation      %s\n", p->attestation.c_str());
    std::printf("liability        %s\n", p->liability.empty() ? "(none)" : p->liability.c_str());
    std::printf("recording        %s, cameras %s\n", p->recordingPolicy.c_str(), camerasText(p->recordCameras));
    auto t = clinic::parseFormTemplate(p->formTemplate, "program " + p->code + " form");
    if (!t) return fail(ctx, t.error());
    std::printf("case form        %zu fields\n", t->fields.size());
    for (const auto& f : t->fields)
        std::printf("  %-18s %-8s %s%s%s\n", f.name.c_str(), clinic::toString(f.kind), f.required ? "required " : "",
                    f.shownInRoom ? "room " : "", f.screened ? "screened" : "");
    if (auto r = ctx.records().roster(p->id); r) std::printf("roster           %zu people\n", r->size());
    if (auto s = ctx.records().sessions(p->id); s) std::printf("sessions         %zu\n", s->size());
    return kExitOk;
}

int statements(Context& ctx, const ParsedArgs& a, const std::string& code) {
    const bool change = a.has("--confidentiality") || a.has("--liability");
    if (auto st = ctx.open(false); !st) return fail(ctx, st.error());
    Tx tx(ctx.db());
    if (auto st = tx.begun(); !st) return fail(ctx, st.error());
    auto p = ctx.program(code);
    if (!p) return fail(ctx, p.error());
    if (change) {
        if (auto st = ctx.require(p->id, sim::Action::ManagePrograms); !st) return fail(ctx, st.error());
        std::string confidentiality = p->confidentiality, liability = p->liability;
        if (a.has("--confidentiality")) {
            auto v = textOrFile("--confidentiality", a.get("--confidentiality"));
            if (!v) return fail(ctx, v.error());
            confidentiality = *v;
        }
        if (a.has("--liability")) {
            auto v = textOrFile("--liability", a.get("--liability"));
            if (!v) return fail(ctx, v.error());
            liability = *v;
        }
        if (auto st = ctx.records().setProgramStatements(p->id, confidentiality, liability, ctx.actor(), ctx.globals.now); !st)
            return fail(ctx, st.error());
        p->confidentiality = confidentiality;
        p->liability = liability;
    } else if (auto st = ctx.roleIn(p->id); !st) {
        return fail(ctx, st.error());   // reading: any roster member
    }
    if (auto st = tx.commit(); !st) return fail(ctx, st.error());
    auto show = [](const char* what, const std::string& v, std::string_view fallback) {
        std::printf("%-16s %s%s\n", what, v.empty() ? std::string(fallback).c_str() : v.c_str(), v.empty() ? "  (default)" : "");
    };
    std::printf("program          %s%s\n", p->code.c_str(), change ? " (statements set)" : "");
    show("confidentiality", p->confidentiality, clinic::kDefaultConfidentiality);
    show("liability", p->liability, clinic::kDefaultLiability);
    return kExitOk;
}

} // namespace

// The program's recording policy and camera rule: shown to any roster
// member, set by whoever may manage programs (audited as program field
// changes).
int recording(Context& ctx, const ParsedArgs& a, const std::string& code, const std::string* policy) {
    if (policy && *policy != "never" && *policy != "didactic" && *policy != "whole")
        return usageError(ctx, "recording policy must be never, didactic or whole (got '" + *policy + "')");
    std::optional<bool> cameras;
    if (a.has("--record-cameras")) {
        cameras = yesNo(a.get("--record-cameras"));
        if (!cameras) return usageError(ctx, "--record-cameras: yes or no (got '" + a.get("--record-cameras") + "')");
    }
    const bool change = policy || cameras;
    if (auto st = ctx.open(false); !st) return fail(ctx, st.error());
    Tx tx(ctx.db());
    if (auto st = tx.begun(); !st) return fail(ctx, st.error());
    auto p = ctx.program(code);
    if (!p) return fail(ctx, p.error());
    if (change) {
        if (auto st = ctx.require(p->id, sim::Action::ManagePrograms); !st) return fail(ctx, st.error());
        store::Program changed = *p;
        if (policy) changed.recordingPolicy = *policy;
        if (cameras) changed.recordCameras = *cameras;
        if (auto st = ctx.records().updateProgram(changed, ctx.actor(), ctx.globals.now); !st) return fail(ctx, st.error());
        *p = changed;
    } else if (auto st = ctx.roleIn(p->id); !st) {
        return fail(ctx, st.error());
    }
    if (auto st = tx.commit(); !st) return fail(ctx, st.error());
    std::printf("program          %s%s\nrecording        %s\ncameras          %s\n", p->code.c_str(),
                change ? " (recording rules set)" : "", p->recordingPolicy.c_str(), camerasText(p->recordCameras));
    return kExitOk;
}

int runProgram(Context& ctx, std::span<const std::string> args) {
    static constexpr OptSpec kSpecs[] = {{"--code"}, {"--name"}, {"--tz"}, {"--form"}, {"--cme-threshold"}, {"--credit-type"},
                                         {"--credit-per-hour"}, {"--rounding"}, {"--accreditation"}, {"--attestation"},
                                         {"--liability"}, {"--lobby-minutes"}, {"--overrun-minutes"}, {"--confidentiality"},
                                         {"--record-cameras"}};
    int exitCode = kExitOk;
    auto a = beginCommand(ctx, args, kSpecs, kUsage, Sub::Required, exitCode);
    if (!a) return exitCode;
    const std::string sub = a->positional[0];
    ctx.command = "program " + sub;
    if (sub == "create" && a->positional.size() == 1) return create(ctx, *a);
    if (sub == "list" && a->positional.size() == 1) return list(ctx);
    if (sub == "show" && a->positional.size() == 2) return show(ctx, a->positional[1]);
    if (sub == "statements" && a->positional.size() == 2) return statements(ctx, *a, a->positional[1]);
    if (sub == "recording" && (a->positional.size() == 2 || a->positional.size() == 3))
        return recording(ctx, *a, a->positional[1], a->positional.size() == 3 ? &a->positional[2] : nullptr);
    return usageError(ctx, "expected create, list, show CODE, statements CODE or recording CODE [POLICY] (see --help)");
}

} // namespace caseroom::admin
