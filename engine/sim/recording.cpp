#include "sim/recording.h"

#include "sim/permissions.h"

namespace caseroom::sim {

const char* toString(RecordingPolicy p) {
    switch (p) {
    case RecordingPolicy::Never: return "never";
    case RecordingPolicy::DidacticOnly: return "didactic";
    case RecordingPolicy::WholeSession: return "whole";
    case RecordingPolicy::Count: break;
    }
    return "?";
}

const char* toString(RecordingStatus s) {
    switch (s) {
    case RecordingStatus::Off: return "off";
    case RecordingStatus::Live: return "recording";
    case RecordingStatus::Paused: return "paused";
    case RecordingStatus::Count: break;
    }
    return "?";
}

const char* toString(RecordingError e) {
    switch (e) {
    case RecordingError::NotPermitted: return "not permitted";
    case RecordingError::PolicyForbids: return "the program does not allow recording";
    case RecordingError::AlreadyRecording: return "already recording";
    case RecordingError::NotRecording: return "not recording";
    case RecordingError::Count: break;
    }
    return "?";
}

void RecordingSystem::push(RoomEventKind kind, core::EntityId actor, std::uint32_t value, std::uint32_t tick) {
    if (!events_) return;
    RoomEvent e;
    e.tick = tick;
    e.kind = kind;
    e.actor = actor;
    e.value = value;
    events_->push(e);
}

void RecordingSystem::set(RecordingStatus status, std::uint32_t tick) {
    if (state_.status == status) return;
    state_.status = status;
    state_.sinceTick = tick;
    ++version_;
}

void RecordingSystem::setPolicy(RecordingPolicy policy, Phase phase, std::uint32_t tick) {
    if (policy >= RecordingPolicy::Count || policy == state_.policy) return;
    state_.policy = policy;
    ++version_;
    if (state_.status == RecordingStatus::Off) return;
    if (policy == RecordingPolicy::Never) {
        // The program forbids it now: the recording ends, not pauses.
        set(RecordingStatus::Off, tick);
        push(RoomEventKind::RecordingStopped, {}, 0, tick);
        return;
    }
    onPhase(phase, tick);
}

std::optional<RecordingError> RecordingSystem::apply(const ClinicActor& actor, RecordingOp op, std::uint16_t epoch,
                                                     Phase phase, std::uint32_t tick) {
    switch (op) {
    case RecordingOp::Start:
    case RecordingOp::Stop:
        if (check(actor.role, actor.holding, Action::Record, phase)) return RecordingError::NotPermitted;
        if (op == RecordingOp::Start) {
            if (state_.policy == RecordingPolicy::Never) return RecordingError::PolicyForbids;
            if (state_.status != RecordingStatus::Off) return RecordingError::AlreadyRecording;
            state_.epoch = static_cast<std::uint16_t>(state_.epoch == 0xFFFF ? 1 : state_.epoch + 1);
            state_.startedBy = actor.id;
            set(records(state_.policy, phase) ? RecordingStatus::Live : RecordingStatus::Paused, tick);
            push(RoomEventKind::RecordingStarted, actor.id, static_cast<std::uint32_t>(state_.policy), tick);
            if (state_.status == RecordingStatus::Paused)
                push(RoomEventKind::RecordingPaused, {}, static_cast<std::uint32_t>(phase), tick);
            return std::nullopt;
        }
        if (state_.status == RecordingStatus::Off) return RecordingError::NotRecording;
        set(RecordingStatus::Off, tick);
        push(RoomEventKind::RecordingStopped, actor.id, 0, tick);
        return std::nullopt;
    case RecordingOp::Acknowledge: {
        if (state_.status == RecordingStatus::Off || epoch != state_.epoch) return RecordingError::NotRecording;
        if (!actor.id.valid()) return RecordingError::NotPermitted;
        const std::size_t slot = actor.id.value;
        if (acked_.size() <= slot) acked_.resize(slot + 1, 0);
        if (acked_[slot] == epoch) return std::nullopt;
        acked_[slot] = epoch;
        push(RoomEventKind::RecordingAcknowledged, actor.id, epoch, tick);
        return std::nullopt;
    }
    case RecordingOp::Count: break;
    }
    return RecordingError::NotPermitted;
}

void RecordingSystem::onPhase(Phase phase, std::uint32_t tick) {
    if (state_.status == RecordingStatus::Off) return;
    const bool want = records(state_.policy, phase);
    if (want && state_.status == RecordingStatus::Paused) {
        set(RecordingStatus::Live, tick);
        push(RoomEventKind::RecordingResumed, {}, static_cast<std::uint32_t>(phase), tick);
    } else if (!want && state_.status == RecordingStatus::Live) {
        set(RecordingStatus::Paused, tick);
        push(RoomEventKind::RecordingPaused, {}, static_cast<std::uint32_t>(phase), tick);
    }
}

void RecordingSystem::leave(core::EntityId who) {
    if (who.valid() && who.value < acked_.size()) acked_[who.value] = 0;
}

bool RecordingSystem::acknowledged(core::EntityId who) const {
    return state_.status != RecordingStatus::Off && who.valid() && who.value < acked_.size() &&
           acked_[who.value] == state_.epoch;
}

} // namespace caseroom::sim
