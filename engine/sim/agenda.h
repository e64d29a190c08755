// The agenda system: which step of the session plan the room is in (the
// phase that gates actions through the permissions table) and since when.
// Pure room rules (no network, no clock: the tick comes in); the host feeds
// it intents and replicates its state (AgendaState, the plan's entries) as
// room objects.
//
// Rules (docs/PERMISSIONS.md "The agenda phase"):
// - Next, Previous and Goto take Action::AdvanceAgenda (the facilitator, or
//   whoever holds acting facilitation) in the current phase.
// - Without a plan every step is refused NoAgenda; Next at the last entry
//   AtEnd, Previous at the first AtStart, Goto past the plan BadValue; Goto
//   to the current entry is a no-op.
// - Each change records phaseStartTick; leaving the lobby the first time
//   records sessionStartTick. Event PhaseChanged (panel = entry, value = phase).
// Thread rule: the room's thread.
#pragma once
#include <cstdint>
#include <optional>

#include "sim/clinic_state.h"
#include "sim/events.h"
#include "sim/permissions.h"

namespace caseroom::sim {

// Values mirror net::AgendaIntent::Op.
enum class AgendaOp : std::uint8_t { Next, Previous, Goto, Count };
const char* toString(AgendaOp op);

enum class AgendaError : std::uint8_t { NotPermitted, WrongPhase, NoAgenda, AtStart, AtEnd, BadValue, Count };
const char* toString(AgendaError e);

class AgendaSystem {
public:
    // `events` (not owned, may be null) is the room's stream.
    explicit AgendaSystem(EventStream* events) : events_(events) {}

    // Replaces the plan (at most kMaxPlanEntries entries are kept) and goes
    // back to entry 0 at `tick`; the session has not started yet.
    void setPlan(const SessionPlan& plan, std::uint32_t tick);

    // nullopt: carried out (or a no-op); else why not (nothing changed).
    // `actor.holding` must already carry the round's holdings.
    [[nodiscard]] std::optional<AgendaError> apply(const ClinicActor& actor, AgendaOp op, std::uint32_t index, std::uint32_t tick);

    [[nodiscard]] const AgendaState& state() const { return state_; }
    [[nodiscard]] const SessionPlan& plan() const { return plan_; }
    [[nodiscard]] Phase phase() const { return state_.phase; }
    // The current entry; nullptr without a plan.
    [[nodiscard]] const AgendaEntry* current() const;
    // Bumps when state() changes (the Agenda object).
    [[nodiscard]] std::uint64_t version() const { return version_; }
    // Bumps when plan() changes (the AgendaEntry and Statement objects).
    [[nodiscard]] std::uint64_t planVersion() const { return planVersion_; }
    // For the publisher: whether state() / plan() changed since the last
    // call (true on the first call).
    [[nodiscard]] bool takeStateChange() { return take(version_, takenVersion_); }
    [[nodiscard]] bool takePlanChange() { return take(planVersion_, takenPlan_); }

private:
    static bool take(std::uint64_t now, std::uint64_t& taken) {
        const bool changed = now != taken;
        taken = now;
        return changed;
    }
    void go(const ClinicActor& actor, std::uint8_t index, std::uint32_t tick);

    SessionPlan plan_;
    AgendaState state_;
    bool started_ = false;   // left the lobby once (sessionStartTick may be 0 at tick 0)
    EventStream* events_;
    std::uint64_t version_ = 0;
    std::uint64_t planVersion_ = 0;
    std::uint64_t takenVersion_ = ~0ull, takenPlan_ = ~0ull;
};

} // namespace caseroom::sim
