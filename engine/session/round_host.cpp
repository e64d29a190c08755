// RoundHost: routing the round's intents to the agenda, floor and moderation
// systems, the facilitator's grace, and publishing their objects.
// [SECTION] wire <-> sim   [SECTION] roster   [SECTION] intents   [SECTION] tick
#include "session/round_host.h"

#include <algorithm>
#include <cmath>

#include "session/clinic_wire.h"
#include "sim/agenda.h"
#include "sim/floor.h"
#include "sim/moderation.h"

namespace caseroom::session {
namespace {
using net::RefusalReason;

// [SECTION] wire <-> sim
// The sim ops mirror the wire's values: the host casts one into the other.
template <typename A, typename B>
constexpr bool same(A a, B b) { return static_cast<unsigned>(a) == static_cast<unsigned>(b); }
static_assert(same(sim::AgendaOp::Next, net::AgendaIntent::Op::Next) && same(sim::AgendaOp::Previous, net::AgendaIntent::Op::Previous) &&
              same(sim::AgendaOp::Goto, net::AgendaIntent::Op::Goto) && same(sim::AgendaOp::Count, net::AgendaIntent::Op::Count));
static_assert(same(sim::FloorOp::Raise, net::FloorIntent::Op::Raise) && same(sim::FloorOp::Lower, net::FloorIntent::Op::Lower) &&
              same(sim::FloorOp::CallNext, net::FloorIntent::Op::CallNext) && same(sim::FloorOp::Give, net::FloorIntent::Op::Give) &&
              same(sim::FloorOp::Release, net::FloorIntent::Op::Release) &&
              same(sim::FloorOp::Dismiss, net::FloorIntent::Op::Dismiss) && same(sim::FloorOp::Count, net::FloorIntent::Op::Count));
static_assert(same(sim::ModerationOp::Mute, net::ModerateAction::Mute) && same(sim::ModerationOp::Unmute, net::ModerateAction::Unmute) &&
              same(sim::ModerationOp::Remove, net::ModerateAction::Remove) &&
              same(sim::ModerationOp::MuteAllButHub, net::ModerateAction::MuteAllButHub) &&
              same(sim::ModerationOp::UnmuteAll, net::ModerateAction::UnmuteAll) &&
              same(sim::ModerationOp::SelfUnmute, net::ModerateAction::SelfUnmute) &&
              same(sim::ModerationOp::Lock, net::ModerateAction::Lock) && same(sim::ModerationOp::Unlock, net::ModerateAction::Unlock) &&
              same(sim::ModerationOp::BringToChair, net::ModerateAction::BringToChair) &&
              same(sim::ModerationOp::HandFacilitation, net::ModerateAction::HandFacilitation) &&
              same(sim::ModerationOp::NameCoFacilitator, net::ModerateAction::NameCoFacilitator) &&
              same(sim::ModerationOp::Count, net::ModerateAction::Count));

RefusalReason toWire(sim::AgendaError e) {
    switch (e) {
    case sim::AgendaError::NotPermitted: return RefusalReason::NotPermitted;
    case sim::AgendaError::WrongPhase: return RefusalReason::WrongPhase;
    case sim::AgendaError::NoAgenda: return RefusalReason::NoAgenda;
    case sim::AgendaError::AtStart: return RefusalReason::AtStart;
    case sim::AgendaError::AtEnd: return RefusalReason::AtEnd;
    case sim::AgendaError::BadValue:
    case sim::AgendaError::Count: break;
    }
    return RefusalReason::BadValue;
}

RefusalReason toWire(sim::FloorError e) {
    switch (e) {
    case sim::FloorError::NotPermitted: return RefusalReason::NotPermitted;
    case sim::FloorError::WrongPhase: return RefusalReason::WrongPhase;
    case sim::FloorError::QueueFull: return RefusalReason::QueueFull;
    case sim::FloorError::NotInQueue: return RefusalReason::NotInQueue;
    case sim::FloorError::NoFloor: return RefusalReason::NoFloor;
    case sim::FloorError::NoSuchParticipant: return RefusalReason::NoSuchParticipant;
    case sim::FloorError::BadValue:
    case sim::FloorError::Count: break;
    }
    return RefusalReason::BadValue;
}

RefusalReason toWire(sim::ModerationRefusal r) {
    switch (r) {
    case sim::ModerationRefusal::NotPermitted: return RefusalReason::NotPermitted;
    case sim::ModerationRefusal::WrongPhase: return RefusalReason::WrongPhase;
    case sim::ModerationRefusal::NoSuchParticipant: return RefusalReason::NoSuchParticipant;
    case sim::ModerationRefusal::NotOnSelf: return RefusalReason::NotOnSelf;
    case sim::ModerationRefusal::TargetModerates: return RefusalReason::TargetModerates;
    case sim::ModerationRefusal::SelfUnmuteOff: return RefusalReason::SelfUnmuteOff;
    case sim::ModerationRefusal::BadText: return RefusalReason::BadText;
    case sim::ModerationRefusal::NotHub: return RefusalReason::NotHub;
    case sim::ModerationRefusal::BadValue:
    case sim::ModerationRefusal::Count: break;
    }
    return RefusalReason::BadValue;
}

// The floor's holder into the moderation state (shown there, never muted).
void syncFloor(const sim::FloorSystem& floor, sim::ModerationSystem& moderation) {
    moderation.setFloor(floor.holder(), floor.holderSinceTick());
}

// The actor as the server sent it, with the round's own holdings (the floor,
// acting facilitation) as the round has them now: the round is their one
// authority, so a stale copy in `actor.holding` neither grants nor withholds.
// Other holdings (a panel) are the caller's and pass through.
sim::ClinicActor merged(const sim::ClinicActor& actor, sim::HoldingSet round) {
    constexpr auto kRoundBits = static_cast<std::uint8_t>((1u << static_cast<unsigned>(sim::Holding::FloorHolder)) |
                                                          (1u << static_cast<unsigned>(sim::Holding::ActingFacilitator)));
    sim::ClinicActor a = actor;
    a.holding.bits = static_cast<std::uint8_t>((a.holding.bits & ~kRoundBits) | (round.bits & kRoundBits));
    return a;
}

// At least one tick for any positive grace; a non-finite or negative one is none.
std::uint32_t graceTicks(double seconds, double tickRate) {
    const double t = seconds * tickRate;
    if (!std::isfinite(t) || t <= 0.0) return 0;
    return t >= 4.0e9 ? 4000000000u : static_cast<std::uint32_t>(std::ceil(t));
}
} // namespace

RoundHost::RoundHost(sim::EventStream* events, double tickRate, RoundConfig config)
    : agenda_(std::make_unique<sim::AgendaSystem>(events)),
      floor_(std::make_unique<sim::FloorSystem>(events)),
      moderation_(std::make_unique<sim::ModerationSystem>(events, graceTicks(config.reconnectGraceSeconds, tickRate))),
      events_(events),
      tickRate_(tickRate),
      config_(config) {}

RoundHost::~RoundHost() = default;

void RoundHost::setPlan(const sim::SessionPlan& plan, std::uint32_t tick) {
    agenda_->setPlan(plan, tick);
    moderation_->setPlan(plan.facilitatorUser, plan.coFacilitatorUser);
    floor_->end(tick);
    syncFloor(*floor_, *moderation_);
}

// [SECTION] roster
std::optional<net::JoinRefusal> RoundHost::admits(core::Role role, std::uint64_t userId) const {
    const auto r = moderation_->admits(role, userId);
    if (!r) return std::nullopt;
    return *r == sim::AdmitRefusal::Removed ? net::JoinRefusal::Removed : net::JoinRefusal::RoomLocked;
}

void RoundHost::join(const sim::ClinicActor& who, std::uint32_t tick) {
    floor_->join(who.id, who.role);
    moderation_->join(who, tick);
}

void RoundHost::leave(core::EntityId who, std::uint32_t tick, bool dropped) {
    floor_->leave(who, tick);
    syncFloor(*floor_, *moderation_);
    moderation_->leave(who, tick, dropped);
}

void RoundHost::away(core::EntityId who, std::uint32_t tick) { moderation_->away(who, tick); }

void RoundHost::back(core::EntityId who) { moderation_->back(who); }

sim::HoldingSet RoundHost::holding(core::EntityId who) const {
    sim::HoldingSet h;
    if (!who.valid()) return h;
    if (floor_->holder() == who) h = h.with(sim::Holding::FloorHolder);
    if (moderation_->state().facilitator == who) h = h.with(sim::Holding::ActingFacilitator);
    return h;
}

// [SECTION] intents
std::optional<net::RefusalReason> RoundHost::onIntent(const sim::ClinicActor& actor, const net::AgendaIntent& m, std::uint32_t tick) {
    if (m.op >= net::AgendaIntent::Op::Count) return RefusalReason::BadValue;
    const std::uint8_t before = agenda_->state().current;
    const std::uint64_t version = agenda_->version();
    if (const auto e = agenda_->apply(merged(actor, holding(actor.id)), static_cast<sim::AgendaOp>(m.op), m.index, tick)) return toWire(*e);
    // A phase change ends the floor.
    if (agenda_->version() != version && agenda_->state().current != before) {
        floor_->end(tick);
        syncFloor(*floor_, *moderation_);
    }
    return std::nullopt;
}

std::optional<net::RefusalReason> RoundHost::onIntent(const sim::ClinicActor& actor, const net::FloorIntent& m, std::uint32_t tick) {
    if (m.op >= net::FloorIntent::Op::Count) return RefusalReason::BadValue;
    const auto e = floor_->apply(merged(actor, holding(actor.id)), static_cast<sim::FloorOp>(m.op), core::EntityId{m.target}, phase(), tick);
    syncFloor(*floor_, *moderation_);
    if (e) return toWire(*e);
    return std::nullopt;
}

RoundHost::Moderated RoundHost::onModerate(const sim::ClinicActor& actor, const net::ModerateRequest& m, std::uint32_t tick) {
    Moderated out;
    if (m.action >= net::ModerateAction::Count) {
        out.refused = RefusalReason::BadValue;
        return out;
    }
    sim::ModerationCommand cmd;
    cmd.op = static_cast<sim::ModerationOp>(m.action);
    cmd.target = core::EntityId{m.target};
    cmd.flag = m.flag;
    cmd.reason = m.reason;
    if (const auto r = moderation_->apply(merged(actor, holding(actor.id)), cmd, phase(), tick)) {
        out.refused = toWire(*r);
        return out;
    }
    if (cmd.op == sim::ModerationOp::Remove) {
        out.effect.remove = cmd.target;
        out.effect.reason = m.reason;
        leave(cmd.target, tick, false);  // their hand, floor and chair go now; the host's own leave() is then a no-op
    } else if (cmd.op == sim::ModerationOp::BringToChair) {
        out.effect.toChair = cmd.target;
    }
    return out;
}

// [SECTION] tick
void RoundHost::tick(std::uint32_t tick, net::ObjectTable& objects) {
    moderation_->step(tick);
    net::ObjectBytes bytes;
    auto publish = [&](net::ObjectKey key, bool encoded) {
        if (!encoded || !objects.set(key, bytes.view())) ++publishFailures_;
    };
    if (agenda_->takeStateChange()) publish({net::ObjectKind::Agenda, 0}, encodeAgenda(agenda_->state(), bytes));
    if (agenda_->takePlanChange()) {
        const sim::SessionPlan& plan = agenda_->plan();
        for (std::uint16_t i = 0; i < plan.entries.size(); ++i)
            publish({net::ObjectKind::AgendaEntry, i}, encodeAgendaEntry(plan.entries[i], bytes));
        // A shorter plan than the last: its entries past the end go (remove is a no-op when absent).
        for (std::size_t i = plan.entries.size(); i < sim::kMaxPlanEntries; ++i)
            objects.remove({net::ObjectKind::AgendaEntry, static_cast<std::uint16_t>(i)});
        for (std::uint16_t i = 0; i < plan.statements.size(); ++i)
            publish({net::ObjectKind::Statement, i}, encodeStatement(plan.statements[i], bytes));
        for (std::size_t i = plan.statements.size(); i < sim::kMaxStatements; ++i)
            objects.remove({net::ObjectKind::Statement, static_cast<std::uint16_t>(i)});
    }
    if (floor_->takeChange()) publish({net::ObjectKind::Queue, sim::kHandsQueue}, encodeQueue(floor_->hands(), bytes));
    if (moderation_->takeChange()) publish({net::ObjectKind::Moderation, 0}, encodeModeration(moderation_->state(), bytes));
}

bool RoundHost::maySpeak(core::EntityId who, core::Role role) const {
    return sim::permitted(role, holding(who), sim::Action::Speak, phase()) && !moderation_->muted(who);
}

bool RoundHost::roomWide(core::EntityId who) const { return who.valid() && floor_->holder() == who; }

sim::Phase RoundHost::phase() const { return agenda_->phase(); }

sim::RoundView RoundHost::view() const {
    sim::RoundView v;
    const sim::AgendaState& a = agenda_->state();
    v.hasPlan = a.hasPlan;
    v.phase = a.phase;
    v.caseIndex = a.caseIndex;
    if (const sim::AgendaEntry* e = agenda_->current()) v.caseId = isCasePhase(e->phase) ? e->caseId : 0;
    return v;
}

} // namespace caseroom::session
