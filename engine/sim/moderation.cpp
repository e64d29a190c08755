#include "sim/moderation.h"

#include <algorithm>

namespace caseroom::sim {
namespace {
using core::Role;

template <typename T>
bool contains(const std::vector<T>& v, const T& x) { return std::find(v.begin(), v.end(), x) != v.end(); }
template <typename T>
void insert(std::vector<T>& v, const T& x) { if (!contains(v, x)) v.push_back(x); }
template <typename T>
bool erase(std::vector<T>& v, const T& x) { return std::erase(v, x) != 0; }

bool isHubMember(Role r) { return r == Role::Facilitator || r == Role::Specialist; }  // may run the session
bool blank(const std::string& s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; });
}

Action actionOf(ModerationOp op) {
    switch (op) {
    case ModerationOp::Mute:
    case ModerationOp::Unmute: return Action::Moderate;
    case ModerationOp::Remove: return Action::RemoveParticipant;
    case ModerationOp::MuteAllButHub:
    case ModerationOp::UnmuteAll: return Action::MuteAll;
    case ModerationOp::Lock:
    case ModerationOp::Unlock: return Action::LockRoom;
    case ModerationOp::BringToChair: return Action::BringToChair;
    case ModerationOp::HandFacilitation:
    case ModerationOp::NameCoFacilitator: return Action::HandFacilitation;
    case ModerationOp::SelfUnmute:
    case ModerationOp::Count: break;
    }
    return Action::Count;
}
} // namespace

const char* toString(ModerationOp op) {
    switch (op) {
    case ModerationOp::Mute: return "mute";
    case ModerationOp::Unmute: return "unmute";
    case ModerationOp::Remove: return "remove";
    case ModerationOp::MuteAllButHub: return "mute all but the hub";
    case ModerationOp::UnmuteAll: return "unmute all";
    case ModerationOp::SelfUnmute: return "self-unmute";
    case ModerationOp::Lock: return "lock";
    case ModerationOp::Unlock: return "unlock";
    case ModerationOp::BringToChair: return "bring to the chair";
    case ModerationOp::HandFacilitation: return "hand facilitation";
    case ModerationOp::NameCoFacilitator: return "name co-facilitator";
    case ModerationOp::Count: break;
    }
    return "?";
}

const char* toString(AdmitRefusal r) {
    switch (r) {
    case AdmitRefusal::Removed: return "removed";
    case AdmitRefusal::RoomLocked: return "room locked";
    case AdmitRefusal::Count: break;
    }
    return "?";
}

const char* toString(ModerationRefusal r) {
    switch (r) {
    case ModerationRefusal::NotPermitted: return "not permitted";
    case ModerationRefusal::WrongPhase: return "not in this phase";
    case ModerationRefusal::NoSuchParticipant: return "no such participant";
    case ModerationRefusal::NotOnSelf: return "not on oneself";
    case ModerationRefusal::TargetModerates: return "the target moderates";
    case ModerationRefusal::SelfUnmuteOff: return "self-unmute is off";
    case ModerationRefusal::BadText: return "a reason is required";
    case ModerationRefusal::NotHub: return "not a hub member";
    case ModerationRefusal::BadValue: return "bad value";
    case ModerationRefusal::Count: break;
    }
    return "?";
}

const ModerationSystem::Member* ModerationSystem::find(core::EntityId who) const {
    if (!who.valid()) return nullptr;
    const auto it = std::find_if(members_.begin(), members_.end(), [&](const Member& m) { return m.id == who; });
    return it == members_.end() ? nullptr : &*it;
}

ModerationSystem::Member* ModerationSystem::findMutable(core::EntityId who) {
    if (!who.valid()) return nullptr;
    const auto it = std::find_if(members_.begin(), members_.end(), [&](const Member& m) { return m.id == who; });
    return it == members_.end() ? nullptr : &*it;
}

bool ModerationSystem::muted(core::EntityId who) const {
    return who.valid() && std::binary_search(state_.muted.begin(), state_.muted.end(), who.value);
}

void ModerationSystem::emit(std::uint32_t tick, core::EntityId actor, RoomEventKind kind, core::EntityId target,
                            std::uint32_t value, std::string text) {
    if (!events_) return;
    RoomEvent e;
    e.tick = tick;
    e.actor = actor;
    e.kind = kind;
    e.target = target;
    e.value = value;
    e.text = std::move(text);
    events_->push(e);
}

void ModerationSystem::recompute() {
    std::vector<std::uint16_t> m = mutedSlots_;
    if (state_.muteAll != MuteAll::Off)
        for (const Member& p : members_)
            if (p.role == Role::Spoke && !contains(lifted_, p.id.value)) m.push_back(p.id.value);
    if (state_.floor.valid()) std::erase(m, state_.floor.value);
    std::sort(m.begin(), m.end());
    m.erase(std::unique(m.begin(), m.end()), m.end());
    state_.muted = std::move(m);
    ++version_;
}

void ModerationSystem::setPlan(std::uint64_t facilitatorUser, std::uint64_t coFacilitatorUser) {
    planFacilitator_ = facilitatorUser;
    coUser_ = coFacilitatorUser;
    for (const Member& m : members_) {
        if (planFacilitator_ != 0 && m.user == planFacilitator_ && state_.facilitator != m.id) {
            state_.facilitator = m.id;
            defaultFacilitator_ = false;
            graceRunning_ = false;
        }
    }
    for (const Member& m : members_)
        if (coUser_ != 0 && m.user == coUser_ && m.id != state_.facilitator) state_.coFacilitator = m.id;
    if (state_.coFacilitator == state_.facilitator) state_.coFacilitator = {};
    recompute();
}

std::optional<AdmitRefusal> ModerationSystem::admits(core::Role /*role: no role passes a lock*/, std::uint64_t userId) const {
    if (userId != 0 && contains(removedUsers_, userId)) return AdmitRefusal::Removed;
    if (state_.locked && (userId == 0 || !contains(seenUsers_, userId))) return AdmitRefusal::RoomLocked;
    return std::nullopt;
}

void ModerationSystem::join(const ClinicActor& who, std::uint32_t tick) {
    if (!who.id.valid()) return;
    if (find(who.id)) leave(who.id, tick, false);  // a stale slot: the host reuses it
    members_.push_back(Member{who.id, who.role, who.userId, tick, joins_++});
    if (who.userId != 0) {
        insert(seenUsers_, who.userId);
        if (contains(mutedUsers_, who.userId)) insert(mutedSlots_, who.id.value);
    }
    const bool planned = planFacilitator_ != 0 && who.userId == planFacilitator_;
    if (graceRunning_ && who.userId != 0 && who.userId == graceUser_) {
        // Back within the grace: runs the session again.
        state_.facilitator = who.id;
        graceRunning_ = false;
    } else if (planned && (!state_.facilitator.valid() || defaultFacilitator_)) {
        state_.facilitator = who.id;
        defaultFacilitator_ = false;
        graceRunning_ = false;
    } else if (!state_.facilitator.valid() && !graceRunning_ && who.role == Role::Facilitator) {
        state_.facilitator = who.id;
        defaultFacilitator_ = true;
    }
    if (coUser_ != 0 && who.userId == coUser_ && !state_.coFacilitator.valid() && state_.facilitator != who.id)
        state_.coFacilitator = who.id;
    if (state_.coFacilitator == state_.facilitator) state_.coFacilitator = {};
    recompute();
}

void ModerationSystem::leave(core::EntityId who, std::uint32_t tick, bool dropped) {
    const Member* m = find(who);
    if (!m) return;
    const std::uint64_t user = m->user;
    std::erase_if(members_, [&](const Member& x) { return x.id == who; });
    erase(mutedSlots_, who.value);
    erase(lifted_, who.value);
    if (state_.chair == who) state_.chair = {};
    if (state_.coFacilitator == who) state_.coFacilitator = {};
    if (state_.floor == who) {
        state_.floor = {};
        state_.floorSinceTick = 0;
    }
    if (state_.facilitator == who) {
        state_.facilitator = {};
        if (dropped) {
            graceRunning_ = true;
            graceUser_ = user;
            graceUntil_ = tick + graceTicks_;
        } else {
            handOver(tick);
        }
    }
    recompute();
}

void ModerationSystem::away(core::EntityId who, std::uint32_t tick) {
    Member* m = findMutable(who);
    if (!m || m->away) return;
    m->away = true;
    if (state_.facilitator == who) { // as for a drop: nobody runs it during the grace
        state_.facilitator = {};
        graceRunning_ = true;
        graceUser_ = m->user;
        graceUntil_ = tick + graceTicks_;
        recompute();
    }
}

void ModerationSystem::back(core::EntityId who) {
    Member* m = findMutable(who);
    if (!m || !m->away) return;
    m->away = false;
    if (graceRunning_ && m->user != 0 && m->user == graceUser_) { // back within the grace: runs the session again
        state_.facilitator = who;
        graceRunning_ = false;
        if (state_.coFacilitator == who) state_.coFacilitator = {};
        recompute();
    }
}

void ModerationSystem::handOver(std::uint32_t tick) {
    graceRunning_ = false;
    const Member* next = find(state_.coFacilitator);
    if (next && next->away) next = nullptr;
    for (Role r : {Role::Specialist, Role::Facilitator}) {
        for (const Member& m : members_)
            if (!next && m.role == r && !m.away) next = &m;  // members_ is in join order: the first is the longest present
        if (next) break;
    }
    if (!next) return;  // nobody: the next facilitator to join runs it
    state_.facilitator = next->id;
    if (state_.coFacilitator == next->id) state_.coFacilitator = {};
    defaultFacilitator_ = false;
    emit(tick, {}, RoomEventKind::FacilitationHanded, next->id, 1);
}

void ModerationSystem::step(std::uint32_t tick) {
    if (!graceRunning_ || tick < graceUntil_) return;
    handOver(tick);
    recompute();
}

void ModerationSystem::setFloor(core::EntityId who, std::uint32_t sinceTick) {
    if (state_.floor == who && state_.floorSinceTick == sinceTick) return;
    state_.floor = who;
    state_.floorSinceTick = sinceTick;
    recompute();
}

std::optional<ModerationRefusal> ModerationSystem::checkTarget(const ClinicActor& actor, core::EntityId target) const {
    const Member* t = find(target);
    if (!t) return ModerationRefusal::NoSuchParticipant;
    if (target == actor.id) return ModerationRefusal::NotOnSelf;
    if (permitted(t->role, Action::Moderate)) return ModerationRefusal::TargetModerates;
    return std::nullopt;
}

std::optional<ModerationRefusal> ModerationSystem::apply(const ClinicActor& actor, const ModerationCommand& cmd, Phase phase,
                                                         std::uint32_t tick) {
    if (cmd.op >= ModerationOp::Count) return ModerationRefusal::BadValue;
    if (cmd.op != ModerationOp::SelfUnmute)
        if (const auto d = check(actor.role, actor.holding, actionOf(cmd.op), phase))
            return *d == Denial::WrongPhase ? ModerationRefusal::WrongPhase : ModerationRefusal::NotPermitted;
    const Member* t = find(cmd.target);
    switch (cmd.op) {
    case ModerationOp::Mute: {
        if (const auto r = checkTarget(actor, cmd.target)) return r;
        const bool was = contains(mutedSlots_, t->id.value);
        const bool lifted = erase(lifted_, t->id.value);
        if (was && !lifted) return std::nullopt;
        insert(mutedSlots_, t->id.value);
        if (t->user != 0) insert(mutedUsers_, t->user);
        emit(tick, actor.id, RoomEventKind::Muted, t->id);
        break;
    }
    case ModerationOp::Unmute: {
        if (const auto r = checkTarget(actor, cmd.target)) return r;
        bool changed = erase(mutedSlots_, t->id.value);
        if (t->user != 0) erase(mutedUsers_, t->user);
        if (state_.muteAll != MuteAll::Off && t->role == Role::Spoke && !contains(lifted_, t->id.value)) {
            lifted_.push_back(t->id.value);
            changed = true;
        }
        if (!changed) return std::nullopt;
        emit(tick, actor.id, RoomEventKind::Unmuted, t->id);
        break;
    }
    case ModerationOp::Remove: {
        if (const auto r = checkTarget(actor, cmd.target)) return r;
        if (blank(cmd.reason)) return ModerationRefusal::BadText;
        if (t->user != 0) insert(removedUsers_, t->user);
        emit(tick, actor.id, RoomEventKind::ParticipantRemoved, t->id, 0, cmd.reason);
        return std::nullopt;  // the caller disconnects them and calls leave()
    }
    case ModerationOp::MuteAllButHub:
        state_.muteAll = cmd.flag ? MuteAll::SelfUnmute : MuteAll::Hard;
        lifted_.clear();  // again: those who unmuted are muted once more
        emit(tick, actor.id, RoomEventKind::MutedAll, {}, cmd.flag ? 1u : 0u);
        break;
    case ModerationOp::UnmuteAll:
        if (state_.muteAll == MuteAll::Off) return std::nullopt;
        state_.muteAll = MuteAll::Off;
        lifted_.clear();
        emit(tick, actor.id, RoomEventKind::UnmutedAll);
        break;
    case ModerationOp::SelfUnmute: {
        const Member* self = find(actor.id);
        if (!self) return ModerationRefusal::NoSuchParticipant;
        if (contains(mutedSlots_, self->id.value)) return ModerationRefusal::SelfUnmuteOff;
        if (state_.muteAll == MuteAll::Off || self->role != Role::Spoke || contains(lifted_, self->id.value))
            return std::nullopt;  // not muted
        if (state_.muteAll != MuteAll::SelfUnmute) return ModerationRefusal::SelfUnmuteOff;
        lifted_.push_back(self->id.value);
        emit(tick, actor.id, RoomEventKind::Unmuted, self->id);
        break;
    }
    case ModerationOp::Lock:
    case ModerationOp::Unlock: {
        const bool lock = cmd.op == ModerationOp::Lock;
        if (state_.locked == lock) return std::nullopt;
        state_.locked = lock;
        emit(tick, actor.id, lock ? RoomEventKind::RoomLocked : RoomEventKind::RoomUnlocked);
        break;
    }
    case ModerationOp::BringToChair:
        if (!t) return ModerationRefusal::NoSuchParticipant;
        if (!mayHold(t->role)) return ModerationRefusal::NotPermitted;
        if (state_.chair == t->id) return std::nullopt;
        state_.chair = t->id;
        emit(tick, actor.id, RoomEventKind::BroughtToChair, t->id);
        break;
    case ModerationOp::HandFacilitation:
        if (!t) return ModerationRefusal::NoSuchParticipant;
        if (!isHubMember(t->role)) return ModerationRefusal::NotHub;
        if (state_.facilitator == t->id) return std::nullopt;
        state_.facilitator = t->id;
        if (state_.coFacilitator == t->id) state_.coFacilitator = {};
        defaultFacilitator_ = false;
        graceRunning_ = false;
        emit(tick, actor.id, RoomEventKind::FacilitationHanded, t->id, 0);
        break;
    case ModerationOp::NameCoFacilitator:
        if (!t) return ModerationRefusal::NoSuchParticipant;
        if (!isHubMember(t->role)) return ModerationRefusal::NotHub;
        if (state_.facilitator == t->id) return ModerationRefusal::NotOnSelf;
        if (state_.coFacilitator == t->id) return std::nullopt;
        state_.coFacilitator = t->id;
        coUser_ = t->user;
        emit(tick, actor.id, RoomEventKind::CoFacilitatorNamed, t->id);
        break;
    case ModerationOp::Count: return ModerationRefusal::BadValue;
    }
    recompute();
    return std::nullopt;
}

} // namespace caseroom::sim
