// A session's plan (sim::SessionPlan) from the clinic records: what the
// agenda system runs when a room opens for a scheduled session.
//
// - Cases: those scheduled for the session (status scheduled, presented,
//   recommendations-sent or follow-up-requested; never withdrawn), by case id
//   (the order they were put on the session). Each gives one case block of
//   sim::defaultPlan: title from the room-visible (de-identified) fields
//   "age band, sex: chief complaint", the presenter's roster name, the
//   `question` field, and the entries' caseId. At most sim::kMaxPlanCases;
//   texts cut on a code point to the plan's limits (sim/clinic_state.h).
// - Statements: the program's confidentiality statement, its liability
//   statement (kDefault* when the program has none), then one Disclosure
//   per faculty disclosure (the program's and the session's) titled with the
//   person's name; at most sim::kMaxStatements.
// - facilitatorUser / coFacilitatorUser: the session's named people (user id
//   = person id, the identity convention of invitations); 0 when not named.
// - The didactic's title: Session::didactic ("Didactic" when empty).
// Reads only; runs wherever the Database is (a writer job on the server).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "sim/clinic_state.h"
#include "store/records.h"

namespace caseroom::clinic {

// Shown when a program has written none (docs/CASES.md).
inline constexpr std::string_view kDefaultConfidentiality =
    "Cases presented here are de-identified. What is said about them stays in this session: do not record, "
    "copy or share it, and do not name a patient in chat or on the board.";
inline constexpr std::string_view kDefaultLiability =
    "This is a tele-mentoring consultation between clinicians. It creates no provider-patient relationship "
    "between the hub's faculty and the patient; the presenting clinician remains responsible for the patient's care.";

// The plan, or the reason it cannot be built (no such session, a read failed).
[[nodiscard]] core::Result<sim::SessionPlan> buildSessionPlan(store::Records& records, std::int64_t sessionId);
// The same, nullopt on any error (logged).
[[nodiscard]] std::optional<sim::SessionPlan> loadSessionPlan(store::Records& records, std::int64_t sessionId);

// The session a room holds at `now` (store::Records::sessionAt: lobby opening
// to the extended end plus overrun) and its plan; nullopt when no session
// holds the room. For the server: run it in a writer job when a room opens
// (and again at each lobby opening) and hand the plan to the agenda and to
// session::ClinicJournal::setPlan.
[[nodiscard]] core::Result<std::optional<sim::SessionPlan>> planForRoom(store::Records& records, std::string_view room,
                                                                        std::int64_t now);

// The longest prefix of `s` of at most `maxBytes` bytes ending on a code point.
[[nodiscard]] std::string cutUtf8(std::string_view s, std::size_t maxBytes);

} // namespace caseroom::clinic
