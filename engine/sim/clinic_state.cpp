#include "sim/clinic_state.h"

namespace caseroom::sim {

const char* toString(StatementKind k) {
    switch (k) {
    case StatementKind::Confidentiality: return "confidentiality";
    case StatementKind::Liability: return "liability";
    case StatementKind::Disclosure: return "disclosure";
    case StatementKind::Count: break;
    }
    return "?";
}

SessionPlan defaultPlan(const std::string& didacticTitle, const std::vector<AgendaEntry>& cases) {
    SessionPlan plan;
    auto add = [&](Phase phase, std::uint16_t minutes, std::string title, std::uint8_t caseIndex = 0) -> AgendaEntry& {
        AgendaEntry e;
        e.phase = phase;
        e.plannedSeconds = static_cast<std::uint16_t>(minutes * 60);
        e.title = std::move(title);
        e.caseIndex = caseIndex;
        plan.entries.push_back(std::move(e));
        return plan.entries.back();
    };
    add(Phase::Lobby, 0, "Lobby");
    add(Phase::Introductions, 5, "Introductions");
    add(Phase::Didactic, 20, didacticTitle.empty() ? "Didactic" : "Didactic: " + didacticTitle);
    for (std::size_t i = 0; i < cases.size() && i < kMaxPlanCases; ++i) {
        const AgendaEntry& c = cases[i];
        const auto k = static_cast<std::uint8_t>(i);
        const std::string name = "Case " + std::to_string(i + 1) + (c.title.empty() ? "" : ": " + c.title);
        static constexpr struct { Phase phase; std::uint16_t minutes; const char* step; } kSteps[] = {
            {Phase::CasePresentation, 5, "presentation"},
            {Phase::CaseQuestions, 5, "clarifying questions"},
            {Phase::CaseRecommendations, 8, "recommendations"},
            {Phase::CaseSummary, 2, "summary"},
        };
        for (const auto& step : kSteps) {
            AgendaEntry& e = add(step.phase, step.minutes, name + " - " + step.step, k);
            e.presenter = c.presenter;
            e.caseId = c.caseId;
            if (step.phase == Phase::CasePresentation) e.question = c.question;
        }
    }
    add(Phase::WrapUp, 5, "Wrap-up");
    add(Phase::Ended, 0, "Ended");
    return plan;
}

} // namespace caseroom::sim
