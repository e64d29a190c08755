// The case workflow's one transition table (case_workflow.h). Each move names
// the sim::Action it needs; the role's row of the permissions table decides.
#include "clinic/case_workflow.h"

#include <algorithm>

namespace caseroom::clinic {
namespace {

using store::CaseStatus;
using sim::Action;

std::string stateName(CaseStatus s) { return store::toString(s); }

TransitionCheck refuse(Action a, std::string reason) { return TransitionCheck{false, std::move(reason), a}; }
TransitionCheck allow(Action a) { return TransitionCheck{true, {}, a}; }

// The role's own row; a refusal says who may not do what.
TransitionCheck needs(const MoveContext& ctx, Action a) {
    if (!sim::permitted(ctx.role, a))
        return refuse(a, std::string("a ") + core::toString(ctx.role) + " may not " + sim::toString(a));
    return allow(a);
}

// Moves only the presenter makes (submit, open a follow-up).
TransitionCheck presenterOnly(const MoveContext& ctx, Action a) {
    if (!ctx.isPresenter) return refuse(a, "only the case's presenter may do this");
    return needs(ctx, a);
}

// Moves the presenter makes for their case (PresentCase) or a coordinator for
// anyone's (VetCase).
TransitionCheck presenterOrCoordinator(const MoveContext& ctx, const char* what) {
    if (ctx.isPresenter && sim::permitted(ctx.role, Action::PresentCase)) return allow(Action::PresentCase);
    if (sim::permitted(ctx.role, Action::VetCase)) return allow(Action::VetCase);
    if (ctx.isPresenter) return needs(ctx, Action::PresentCase);
    return refuse(Action::VetCase, std::string("only the presenter or a coordinator may ") + what);
}

// Held -> Vetted, or Submitted -> Vetted with open findings.
TransitionCheck overridePhi(const MoveContext& ctx) {
    if (auto c = needs(ctx, Action::VetCase); !c.ok) return refuse(Action::OverridePhi, c.reason);
    if (auto c = needs(ctx, Action::OverridePhi); !c.ok) return c;
    const bool blank = std::all_of(ctx.overrideReason.begin(), ctx.overrideReason.end(),
                                   [](char ch) { return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r'; });
    if (blank) return refuse(Action::OverridePhi, "passing a case with PHI findings needs an override reason");
    return allow(Action::OverridePhi);
}

bool withdrawable(CaseStatus s) {
    return s == CaseStatus::Draft || s == CaseStatus::Submitted || s == CaseStatus::Held || s == CaseStatus::Vetted ||
           s == CaseStatus::Scheduled;
}

bool digits(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}
int num(std::string_view s) {
    int v = 0;
    for (char c : s) v = v * 10 + (c - '0');
    return v;
}
bool calendarDate(std::string_view d) {
    if (d.size() != 10 || d[4] != '-' || d[7] != '-' || !digits(d.substr(0, 4)) || !digits(d.substr(5, 2)) ||
        !digits(d.substr(8, 2)))
        return false;
    const int y = num(d.substr(0, 4)), m = num(d.substr(5, 2)), day = num(d.substr(8, 2));
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1 || m < 1 || m > 12 || day < 1) return false;
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return day <= kDays[m - 1] + (m == 2 && leap ? 1 : 0);
}

} // namespace

TransitionCheck mayMove(CaseStatus from, CaseStatus to, const MoveContext& ctx) {
    if (from >= CaseStatus::Count || to >= CaseStatus::Count) return refuse(Action::Count, "unknown case state");
    if (from == to) return refuse(Action::Count, "the case is already " + stateName(from));
    const std::string noSuchMove = "a case does not move from " + stateName(from) + " to " + stateName(to);
    switch (to) {
    case CaseStatus::Submitted: {
        if (from != CaseStatus::Draft && from != CaseStatus::Held) break;
        auto c = presenterOnly(ctx, Action::PresentCase);
        if (!c.ok) return c;
        if (!ctx.attested) return refuse(Action::PresentCase, "submitting needs the program's attestation (de-identified, shared with consent)");
        if (from == CaseStatus::Held && ctx.hasFindings)
            return refuse(Action::PresentCase, "the PHI screen still finds identifiers: fix them first");
        return c;
    }
    case CaseStatus::Held: {
        if (from != CaseStatus::Submitted) break;
        if (!ctx.hasFindings) return refuse(Action::PresentCase, "a case is held only while the PHI screen has findings");
        return presenterOrCoordinator(ctx, "hold a case");
    }
    case CaseStatus::Vetted:
        if (from == CaseStatus::Held || (from == CaseStatus::Submitted && ctx.hasFindings)) return overridePhi(ctx);
        if (from == CaseStatus::Submitted) return needs(ctx, Action::VetCase);
        break;
    case CaseStatus::Scheduled:
        if (from == CaseStatus::Vetted) return needs(ctx, Action::VetCase);
        break;
    case CaseStatus::Presented:
        if (from == CaseStatus::Scheduled) return needs(ctx, Action::Moderate);
        break;
    case CaseStatus::RecommendationsSent:
        if (from == CaseStatus::Presented) return needs(ctx, Action::SendRecommendations);
        break;
    case CaseStatus::FollowUpRequested:
        if (from == CaseStatus::RecommendationsSent) return needs(ctx, Action::RequestFollowUp);
        break;
    case CaseStatus::Draft:
        if (from == CaseStatus::FollowUpRequested) return presenterOnly(ctx, Action::PresentCase);
        return refuse(Action::Count, "a case never goes back to draft (a follow-up is a new case)");
    case CaseStatus::Withdrawn:
        if (!withdrawable(from)) break;
        return presenterOrCoordinator(ctx, "withdraw a case");
    case CaseStatus::Count: break;
    }
    return refuse(Action::Count, noSuchMove);
}

bool maySee(core::Role role, bool isPresenter, CaseStatus status) {
    if (status >= CaseStatus::Count || role >= core::Role::Count) return false;
    if (isPresenter) return true;
    if (sim::permitted(role, Action::VetCase)) return true;  // the coordinator sees everything
    const bool vettedOn = status == CaseStatus::Vetted || status == CaseStatus::Scheduled ||
                          status == CaseStatus::Presented || status == CaseStatus::RecommendationsSent ||
                          status == CaseStatus::FollowUpRequested;
    return vettedOn && sim::permitted(role, Action::ReadVettedCases);
}

core::Status checkFollowUpDate(std::string_view date, std::string_view today) {
    if (!calendarDate(date)) return core::Error{"follow-up date '" + std::string(date) + "' is not a calendar date YYYY-MM-DD"};
    if (calendarDate(today) && date < today)
        return core::Error{"follow-up date " + std::string(date) + " is before today (" + std::string(today) + ")"};
    return {};
}

store::CaseRecord followUpCase(const store::CaseRecord& original, std::int64_t now) {
    store::CaseRecord c;
    c.programId = original.programId;
    c.presenterId = original.presenterId;
    c.status = CaseStatus::Draft;
    c.fields = original.fields;
    c.decks = original.decks;
    c.originalCaseId = original.id;
    c.createdAt = now;
    c.updatedAt = now;
    return c;
}

} // namespace caseroom::clinic
