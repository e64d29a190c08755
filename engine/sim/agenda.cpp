#include "sim/agenda.h"

namespace caseroom::sim {

const char* toString(AgendaOp op) {
    switch (op) {
    case AgendaOp::Next: return "next";
    case AgendaOp::Previous: return "previous";
    case AgendaOp::Goto: return "go to";
    case AgendaOp::Count: break;
    }
    return "?";
}

const char* toString(AgendaError e) {
    switch (e) {
    case AgendaError::NotPermitted: return "not permitted";
    case AgendaError::WrongPhase: return "not in this phase";
    case AgendaError::NoAgenda: return "no agenda";
    case AgendaError::AtStart: return "at the start";
    case AgendaError::AtEnd: return "at the end";
    case AgendaError::BadValue: return "no such entry";
    case AgendaError::Count: break;
    }
    return "?";
}

void AgendaSystem::setPlan(const SessionPlan& plan, std::uint32_t tick) {
    plan_ = plan;
    if (plan_.entries.size() > kMaxPlanEntries) plan_.entries.resize(kMaxPlanEntries);
    if (plan_.statements.size() > kMaxStatements) plan_.statements.resize(kMaxStatements);
    state_ = AgendaState{};
    state_.hasPlan = !plan_.entries.empty();
    state_.entryCount = static_cast<std::uint8_t>(plan_.entries.size());
    state_.phaseStartTick = tick;
    if (state_.hasPlan) {
        state_.phase = plan_.entries[0].phase;
        state_.caseIndex = plan_.entries[0].caseIndex;
    }
    started_ = state_.hasPlan && state_.phase != Phase::Lobby;
    if (started_) state_.sessionStartTick = tick;
    ++version_;
    ++planVersion_;
}

const AgendaEntry* AgendaSystem::current() const {
    return state_.hasPlan && state_.current < plan_.entries.size() ? &plan_.entries[state_.current] : nullptr;
}

std::optional<AgendaError> AgendaSystem::apply(const ClinicActor& actor, AgendaOp op, std::uint32_t index, std::uint32_t tick) {
    if (op >= AgendaOp::Count) return AgendaError::BadValue;
    if (const auto d = check(actor.role, actor.holding, Action::AdvanceAgenda, state_.phase))
        return *d == Denial::WrongPhase ? AgendaError::WrongPhase : AgendaError::NotPermitted;
    if (!state_.hasPlan) return AgendaError::NoAgenda;
    const std::uint32_t n = state_.entryCount;
    std::uint32_t to = state_.current;
    switch (op) {
    case AgendaOp::Next:
        if (to + 1 >= n) return AgendaError::AtEnd;
        ++to;
        break;
    case AgendaOp::Previous:
        if (to == 0) return AgendaError::AtStart;
        --to;
        break;
    case AgendaOp::Goto:
        if (index >= n) return AgendaError::BadValue;
        to = index;
        break;
    case AgendaOp::Count: break;
    }
    if (to != state_.current) go(actor, static_cast<std::uint8_t>(to), tick);
    return std::nullopt;
}

void AgendaSystem::go(const ClinicActor& actor, std::uint8_t index, std::uint32_t tick) {
    const AgendaEntry& e = plan_.entries[index];
    state_.current = index;
    state_.phase = e.phase;
    state_.caseIndex = e.caseIndex;
    state_.phaseStartTick = tick;
    if (!started_ && e.phase != Phase::Lobby) {
        started_ = true;
        state_.sessionStartTick = tick;
    }
    ++version_;
    if (events_) {
        RoomEvent ev;
        ev.tick = tick;
        ev.actor = actor.id;
        ev.kind = RoomEventKind::PhaseChanged;
        ev.panel = index;
        ev.value = static_cast<std::uint32_t>(e.phase);
        events_->push(ev);
    }
}

} // namespace caseroom::sim
