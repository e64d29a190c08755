#include "clinic/session_plan.h"

#include <algorithm>

#include "clinic/case_form.h"
#include "core/log.h"

namespace caseroom::clinic {

namespace {

constexpr std::size_t kMaxPresenterBytes = 48;   // = net::kMaxDisplayName
// defaultPlan names an entry "Case N: TITLE - clarifying questions": keep the
// whole within sim::kMaxTitleBytes.
constexpr std::size_t kCaseTitleOverhead = sizeof("Case 6: ") - 1 + sizeof(" - clarifying questions") - 1;
constexpr std::size_t kMaxCaseTitleBytes = sim::kMaxTitleBytes - kCaseTitleOverhead;

bool onSession(store::CaseStatus s) {
    using store::CaseStatus;
    return s == CaseStatus::Scheduled || s == CaseStatus::Presented || s == CaseStatus::RecommendationsSent ||
           s == CaseStatus::FollowUpRequested;
}

std::string oneLine(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    bool space = false;
    for (const char c : s) {
        if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
            space = !out.empty();
            continue;
        }
        if (space) out.push_back(' ');
        space = false;
        out.push_back(c);
    }
    return out;
}

// The de-identified summary from the fields the template shows in the room:
// "60-69 F: chief complaint". Fields the template keeps out of the room
// (or a template that does not parse) give nothing.
std::string caseTitle(const FormTemplate* t, const store::CaseRecord& c) {
    if (!t) return {};
    std::vector<FilledField> filled;
    for (const auto& f : c.fields) filled.push_back({f.name, f.value});
    const auto room = roomFields(*t, filled);
    auto value = [&](std::string_view name) -> std::string {
        for (const auto& f : room)
            if (f.name == name) return oneLine(f.value);
        return {};
    };
    std::string who = value("age_band");
    const std::string sex = value("sex");
    if (!sex.empty()) who += (who.empty() ? "" : " ") + sex;
    const std::string complaint = value("chief_complaint");
    std::string title = who;
    if (!complaint.empty()) title += (title.empty() ? "" : ": ") + complaint;
    return cutUtf8(title, kMaxCaseTitleBytes);
}

std::string question(const FormTemplate* t, const store::CaseRecord& c) {
    if (!t) return {};
    const FormField* f = t->find("question");
    if (!f || !f->shownInRoom) return {};
    for (const auto& cf : c.fields)
        if (cf.name == "question") return cutUtf8(oneLine(cf.value), sim::kMaxQuestionBytes);
    return {};
}

} // namespace

std::string cutUtf8(std::string_view s, std::size_t maxBytes) {
    if (s.size() <= maxBytes) return std::string(s);
    std::size_t n = maxBytes;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
    return std::string(s.substr(0, n));
}

core::Result<sim::SessionPlan> buildSessionPlan(store::Records& records, std::int64_t sessionId) {
    auto session = records.session(sessionId);
    if (!session) return session.error();
    auto program = records.program(session->programId);
    if (!program) return program.error();
    auto parsed = parseFormTemplate(program->formTemplate, "program " + program->code + " form");
    const FormTemplate* form = parsed ? &*parsed : nullptr;

    store::Records::CaseFilter filter;
    filter.programId = program->id;
    filter.sessionId = sessionId;
    auto cases = records.cases(filter);
    if (!cases) return cases.error();
    std::vector<sim::AgendaEntry> blocks;
    for (const auto& c : *cases) {
        if (!onSession(c.status) || c.sessionId != sessionId) continue;
        if (blocks.size() == sim::kMaxPlanCases) {
            CR_LOG_WARN("session %lld: more than %zu cases scheduled; the plan runs the first %zu", static_cast<long long>(sessionId),
                        sim::kMaxPlanCases, sim::kMaxPlanCases);
            break;
        }
        sim::AgendaEntry e;
        e.phase = sim::Phase::CasePresentation;
        e.title = caseTitle(form, c);
        if (auto who = records.person(c.presenterId)) e.presenter = cutUtf8(who->name, kMaxPresenterBytes);
        else return who.error();
        e.question = question(form, c);
        e.caseId = static_cast<std::uint64_t>(c.id);
        blocks.push_back(std::move(e));
    }

    sim::SessionPlan plan = sim::defaultPlan(cutUtf8(session->didactic, sim::kMaxTitleBytes - (sizeof("Didactic: ") - 1)), blocks);
    plan.sessionId = static_cast<std::uint64_t>(session->id);
    plan.facilitatorUser = static_cast<std::uint64_t>(session->facilitatorId);
    plan.coFacilitatorUser = static_cast<std::uint64_t>(session->coFacilitatorId);
    plan.recordingPolicy = program->recordingPolicy == "never"   ? sim::RecordingPolicy::Never
                           : program->recordingPolicy == "whole" ? sim::RecordingPolicy::WholeSession
                                                                 : sim::RecordingPolicy::DidacticOnly;
    plan.recordCameras = program->recordCameras; // faces in recordings only where the program allows them

    auto statement = [&](sim::StatementKind kind, std::string_view title, std::string_view text) {
        if (plan.statements.size() >= sim::kMaxStatements) return;
        plan.statements.push_back({kind, cutUtf8(title, sim::kMaxTitleBytes), cutUtf8(text, sim::kMaxStatementBytes)});
    };
    statement(sim::StatementKind::Confidentiality, "Confidentiality",
              program->confidentiality.empty() ? kDefaultConfidentiality : std::string_view(program->confidentiality));
    statement(sim::StatementKind::Liability, "Liability",
              program->liability.empty() ? kDefaultLiability : std::string_view(program->liability));
    auto disclosures = records.disclosures(program->id, sessionId);
    if (!disclosures) return disclosures.error();
    for (const auto& d : *disclosures) {
        auto who = records.person(d.personId);
        if (!who) return who.error();
        statement(sim::StatementKind::Disclosure, who->name, d.text);
    }
    return plan;
}

std::optional<sim::SessionPlan> loadSessionPlan(store::Records& records, std::int64_t sessionId) {
    auto plan = buildSessionPlan(records, sessionId);
    if (!plan) {
        CR_LOG_ERROR("session %lld: no plan: %s", static_cast<long long>(sessionId), plan.error().message.c_str());
        return std::nullopt;
    }
    return std::move(*plan);
}

core::Result<std::optional<sim::SessionPlan>> planForRoom(store::Records& records, std::string_view room, std::int64_t now) {
    auto s = records.sessionAt(room, now);
    if (!s) return s.error();
    if (!*s) return std::optional<sim::SessionPlan>{};
    auto plan = buildSessionPlan(records, (*s)->id);
    if (!plan) return plan.error();
    return std::optional<sim::SessionPlan>(std::move(*plan));
}

} // namespace caseroom::clinic
