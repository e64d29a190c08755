// The case workflow: states (store::CaseStatus) and who may move a case
// between them. One table of transitions, each gated by an action of the one
// permissions table (sim/permissions.h), so a refused move has a reason and
// the table is tested over every role.
//
//   Draft -> Submitted            SubmitCase   (the presenter: any role but observer; attestation required)
//   Submitted -> Held             (the PHI screen found something; automatic)
//   Held -> Submitted             SubmitCase   (presenter fixed it; screened again)
//   Submitted|Held -> Vetted      VetCase      (coordinator; Held needs an override reason)
//   Vetted -> Scheduled           VetCase      (coordinator; names the session)
//   Scheduled -> Presented        RunAgenda    (facilitator, in the room; or coordinator after the fact)
//   Presented -> RecommendationsSent  SendRecommendations (facilitator, coordinator)
//   RecommendationsSent -> FollowUpRequested  RequestFollowUp (facilitator, specialist; with a date)
//   FollowUpRequested -> (a new case, originalCaseId set, Draft)  SubmitCase (the presenter)
//                                   (mayMove(FollowUpRequested, Draft) asks whether the presenter may
//                                   open it; followUpCase() makes it; the original keeps its state)
//   any but Presented..FollowUpRequested -> Withdrawn  SubmitCase (the presenter) or VetCase (coordinator)
// SubmitCase is sim::Action::PresentCase; RunAgenda is sim::Action::Moderate
// (the agenda is moderation until the agenda issue adds its own action).
// Submitted -> Held is made for the presenter's submission (PresentCase) or a
// coordinator's re-screen (VetCase), only with open findings; Held ->
// Submitted only once the screen finds nothing; Submitted -> Vetted with
// open findings is an override like Held -> Vetted (OverridePhi and VetCase,
// with a reason). Withdrawn and the states after Presented are final for the
// case itself. A move to the state the case is in is refused.
// Visibility: a presenter sees their own cases in every state; hub roles
// (facilitator, specialist, coordinator) see cases from Vetted on, and the
// coordinator sees everything; other spokes see none before the session.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "core/role.h"
#include "sim/permissions.h"
#include "store/records.h"

namespace caseroom::clinic {

struct TransitionCheck {
    bool ok = false;
    std::string reason;                  // why not, in plain words
    sim::Action action = sim::Action::Count;  // the action the move needs
};

struct MoveContext {
    core::Role role = core::Role::Observer;   // the actor's role in the program
    bool isPresenter = false;                 // the actor presents this case
    bool hasFindings = false;                 // open PHI findings on the case
    bool attested = false;
    std::string overrideReason;               // for Held -> Vetted
};

[[nodiscard]] TransitionCheck mayMove(store::CaseStatus from, store::CaseStatus to, const MoveContext& ctx);
// Whether a person may read the case at all (before the session).
[[nodiscard]] bool maySee(core::Role role, bool isPresenter, store::CaseStatus status);

// (CLINIC, added) The follow-up date a RequestFollowUp names: a calendar date
// "YYYY-MM-DD" not before `today` (the same format, in the program's zone).
// mayMove does not see the date: the caller checks it, as it checks that a
// Scheduled move names a session.
[[nodiscard]] core::Status checkFollowUpDate(std::string_view date, std::string_view today);
// (CLINIC, added) The new Draft case that re-presents `original` (whose state
// stays FollowUpRequested): the same program, presenter, fields and decks,
// originalCaseId set; no session, attestation, findings or override (it is
// attested and screened again when submitted).
[[nodiscard]] store::CaseRecord followUpCase(const store::CaseRecord& original, std::int64_t now);

} // namespace caseroom::clinic
