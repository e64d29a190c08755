// The floor system: the ordered hand-raise queue and who has the floor (who
// speaks room-wide until it is released). Pure room rules (no network, no
// clock: the tick comes in); the host replicates hands() as the {Queue,
// kHandsQueue} object and the holder inside the Moderation object.
//
// Rules (docs/PERMISSIONS.md, Action::RaiseHand and RunFloor, checked with
// sim::check in the phase the caller passes):
// - Raise / Lower one's own hand (RaiseHand). Raising twice is a no-op; at
//   kMaxQueue hands QueueFull; lowering a hand not raised NotInQueue; one
//   not in the room (join) raises nothing: NoSuchParticipant.
// - Dismiss a target's hand (RunFloor; NotInQueue).
// - CallNext (RunFloor): the first hand gets the floor and leaves the queue;
//   an empty queue NotInQueue.
// - Give a target the floor (RunFloor): the target must be in the room
//   (NoSuchParticipant) and be a role that may hold things (NotPermitted:
//   observers); their hand, if raised, goes down.
// - Release: the holder ends their own floor; RunFloor ends anyone's;
//   nobody holding: NoFloor.
// - One floor at a time: a new holder ends the previous one's (FloorEnded).
//   end() (a phase change) ends it; a leaver's hand and floor go.
// Events HandRaised, HandLowered, FloorGiven (value 1: CallNext), FloorEnded.
// Thread rule: the room's thread.
#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include "core/ids.h"
#include "core/role.h"
#include "sim/clinic_state.h"
#include "sim/events.h"
#include "sim/permissions.h"
#include "sim/phase.h"

namespace caseroom::sim {

// Values mirror net::FloorIntent::Op.
enum class FloorOp : std::uint8_t { Raise, Lower, CallNext, Give, Release, Dismiss, Count };
const char* toString(FloorOp op);

enum class FloorError : std::uint8_t { NotPermitted, WrongPhase, QueueFull, NotInQueue, NoFloor, NoSuchParticipant, BadValue, Count };
const char* toString(FloorError e);

class FloorSystem {
public:
    // `events` (not owned, may be null) is the room's stream.
    explicit FloorSystem(EventStream* events) : events_(events) {}

    // Roster: who may be given the floor, with which role.
    void join(core::EntityId who, core::Role role);
    // Their hand goes down and their floor ends (events with no actor).
    void leave(core::EntityId who, std::uint32_t tick);

    // nullopt: carried out (or a no-op); else why not (nothing changed).
    // `target` is read by Give and Dismiss; `actor.holding` must already
    // carry the round's holdings.
    [[nodiscard]] std::optional<FloorError> apply(const ClinicActor& actor, FloorOp op, core::EntityId target, Phase phase,
                                                  std::uint32_t tick);
    // Ends the floor, if anyone holds it (the agenda moved on).
    void end(std::uint32_t tick);

    [[nodiscard]] const QueueState& hands() const { return hands_; }
    [[nodiscard]] core::EntityId holder() const { return holder_; }
    [[nodiscard]] std::uint32_t holderSinceTick() const { return holderSince_; }
    [[nodiscard]] bool raised(core::EntityId who) const;
    // Bumps on every change of hands() or the holder.
    [[nodiscard]] std::uint64_t version() const { return version_; }
    // For the publisher: whether anything changed since the last call (true on the first).
    [[nodiscard]] bool takeChange() {
        const bool changed = version_ != taken_;
        taken_ = version_;
        return changed;
    }

private:
    void emit(std::uint32_t tick, core::EntityId actor, RoomEventKind kind, core::EntityId target, std::uint32_t value = 0);
    void give(core::EntityId actor, core::EntityId to, std::uint32_t tick, bool callNext);
    void endFloor(core::EntityId actor, std::uint32_t tick);
    bool lower(core::EntityId who);
    [[nodiscard]] std::optional<core::Role> roleOf(core::EntityId who) const;

    QueueState hands_;
    core::EntityId holder_;
    std::uint32_t holderSince_ = 0;
    std::vector<std::optional<core::Role>> roster_;  // by entity slot
    EventStream* events_;
    std::uint64_t version_ = 0;
    std::uint64_t taken_ = ~0ull;
};

} // namespace caseroom::sim
