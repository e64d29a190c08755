#include "sim/floor.h"

#include <algorithm>

namespace caseroom::sim {

const char* toString(FloorOp op) {
    switch (op) {
    case FloorOp::Raise: return "raise";
    case FloorOp::Lower: return "lower";
    case FloorOp::CallNext: return "call next";
    case FloorOp::Give: return "give";
    case FloorOp::Release: return "release";
    case FloorOp::Dismiss: return "dismiss";
    case FloorOp::Count: break;
    }
    return "?";
}

const char* toString(FloorError e) {
    switch (e) {
    case FloorError::NotPermitted: return "not permitted";
    case FloorError::WrongPhase: return "not in this phase";
    case FloorError::QueueFull: return "queue full";
    case FloorError::NotInQueue: return "not in the queue";
    case FloorError::NoFloor: return "nobody has the floor";
    case FloorError::NoSuchParticipant: return "no such participant";
    case FloorError::BadValue: return "bad value";
    case FloorError::Count: break;
    }
    return "?";
}

void FloorSystem::join(core::EntityId who, core::Role role) {
    if (!who.valid()) return;
    if (roster_.size() <= who.value) roster_.resize(who.value + 1u);
    roster_[who.value] = role;
}

std::optional<core::Role> FloorSystem::roleOf(core::EntityId who) const {
    if (!who.valid() || who.value >= roster_.size()) return std::nullopt;
    return roster_[who.value];
}

bool FloorSystem::raised(core::EntityId who) const {
    return std::any_of(hands_.entries.begin(), hands_.entries.end(), [&](const QueueEntry& e) { return e.who == who; });
}

bool FloorSystem::lower(core::EntityId who) {
    const auto n = std::erase_if(hands_.entries, [&](const QueueEntry& e) { return e.who == who; });
    if (n) ++version_;
    return n != 0;
}

void FloorSystem::emit(std::uint32_t tick, core::EntityId actor, RoomEventKind kind, core::EntityId target, std::uint32_t value) {
    if (!events_) return;
    RoomEvent e;
    e.tick = tick;
    e.actor = actor;
    e.kind = kind;
    e.target = target;
    e.value = value;
    events_->push(e);
}

void FloorSystem::endFloor(core::EntityId actor, std::uint32_t tick) {
    if (!holder_.valid()) return;
    const core::EntityId was = holder_;
    holder_ = {};
    holderSince_ = 0;
    ++version_;
    emit(tick, actor, RoomEventKind::FloorEnded, was);
}

void FloorSystem::give(core::EntityId actor, core::EntityId to, std::uint32_t tick, bool callNext) {
    lower(to);
    if (holder_ == to) return;
    endFloor(actor, tick);
    holder_ = to;
    holderSince_ = tick;
    ++version_;
    emit(tick, actor, RoomEventKind::FloorGiven, to, callNext ? 1u : 0u);
}

void FloorSystem::end(std::uint32_t tick) { endFloor({}, tick); }

void FloorSystem::leave(core::EntityId who, std::uint32_t tick) {
    if (!who.valid()) return;
    if (lower(who)) emit(tick, {}, RoomEventKind::HandLowered, who);
    if (holder_ == who) endFloor({}, tick);
    if (who.value < roster_.size()) roster_[who.value].reset();
}

std::optional<FloorError> FloorSystem::apply(const ClinicActor& actor, FloorOp op, core::EntityId target, Phase phase,
                                             std::uint32_t tick) {
    if (op >= FloorOp::Count) return FloorError::BadValue;
    auto denied = [&](Action a) -> std::optional<FloorError> {
        if (const auto d = check(actor.role, actor.holding, a, phase))
            return *d == Denial::WrongPhase ? FloorError::WrongPhase : FloorError::NotPermitted;
        return std::nullopt;
    };
    switch (op) {
    case FloorOp::Raise:
        if (const auto e = denied(Action::RaiseHand)) return e;
        if (!roleOf(actor.id)) return FloorError::NoSuchParticipant;  // not in the room: no hand to raise
        if (raised(actor.id)) return std::nullopt;
        if (hands_.entries.size() >= kMaxQueue) return FloorError::QueueFull;
        hands_.entries.push_back(QueueEntry{actor.id, tick, 0});
        ++version_;
        emit(tick, actor.id, RoomEventKind::HandRaised, actor.id);
        return std::nullopt;
    case FloorOp::Lower:
        if (const auto e = denied(Action::RaiseHand)) return e;
        if (!lower(actor.id)) return FloorError::NotInQueue;
        emit(tick, actor.id, RoomEventKind::HandLowered, actor.id);
        return std::nullopt;
    case FloorOp::Dismiss:
        if (const auto e = denied(Action::RunFloor)) return e;
        if (!lower(target)) return FloorError::NotInQueue;
        emit(tick, actor.id, RoomEventKind::HandLowered, target);
        return std::nullopt;
    case FloorOp::CallNext: {
        if (const auto e = denied(Action::RunFloor)) return e;
        if (hands_.entries.empty()) return FloorError::NotInQueue;
        give(actor.id, hands_.entries.front().who, tick, true);
        return std::nullopt;
    }
    case FloorOp::Give: {
        if (const auto e = denied(Action::RunFloor)) return e;
        const auto role = roleOf(target);
        if (!role) return FloorError::NoSuchParticipant;
        if (!mayHold(*role)) return FloorError::NotPermitted;
        give(actor.id, target, tick, false);
        return std::nullopt;
    }
    case FloorOp::Release:
        if (!holder_.valid()) return FloorError::NoFloor;
        if (holder_ != actor.id)
            if (const auto e = denied(Action::RunFloor)) return e;
        endFloor(actor.id, tick);
        return std::nullopt;
    case FloorOp::Count: break;
    }
    return FloorError::BadValue;
}

} // namespace caseroom::sim
