// The moderation system: individual mutes, mute-all-but-the-hub (with or
// without self-unmute), the room's lock, removals, the presenter's chair,
// and who runs the session (the facilitator, the co-facilitator, the
// hand-over when the facilitator drops). Pure room rules (no network, no
// clock: the tick comes in); the host replicates state() as the
// {Moderation, 0} object and carries out what it cannot (disconnecting a
// removed participant, seating someone in the chair).
//
// Rules (docs/PERMISSIONS.md "Moderation"; checked with sim::check in the
// phase the caller passes):
// - Mute / Unmute one (Moderate), Remove (RemoveParticipant, a non-blank
//   reason: BadText): the target is in the room (NoSuchParticipant), not the
//   sender (NotOnSelf), not a role with Moderate (TargetModerates). A muted
//   or removed user id (non-zero) is remembered for the room's life: a
//   muted one comes back muted, a removed one is refused by admits(). A
//   removal leaves the target in the roster: the caller disconnects them
//   and calls leave() (session::RoundHost does at once).
// - MuteAllButHub (MuteAll; flag: self-unmute allowed -> MuteAll::SelfUnmute,
//   else Hard) mutes every spoke present and joining later; the hub
//   (facilitator, specialist, coordinator) is never muted by it; doing it
//   again re-mutes those who unmuted. UnmuteAll lifts it (individual mutes
//   stay). A moderator's Unmute of a spoke under the mute-all lifts it for them.
// - SelfUnmute (one's own): only under MuteAll::SelfUnmute and not muted
//   individually by a moderator, else SelfUnmuteOff; not muted: a no-op.
// - Lock / Unlock (LockRoom): admits() refuses RoomLocked to anyone whose
//   user id was not in the room earlier this session (user 0 always).
// - BringToChair (BringToChair): the target is in the room and may hold things.
// - HandFacilitation (HandFacilitation): the target (facilitator or
//   specialist role, else NotHub) runs the session: state().facilitator,
//   Holding::ActingFacilitator. NameCoFacilitator likewise names who takes
//   over when the facilitator goes.
// - The first facilitator: the plan's facilitatorUser when they join (taking
//   over from one chosen by default), else the first Facilitator-role
//   participant to join while nobody runs the session. The plan's
//   coFacilitatorUser is co-facilitator while present.
// - The facilitator drops (leave, dropped): nobody runs the session during
//   the grace; the same user id rejoining in time runs it again; at expiry
//   (step) it goes to the co-facilitator if present, else the longest-present
//   specialist, else the longest-present facilitator-role participant
//   (FacilitationHanded, value 1, no actor). A deliberate leave hands over at once.
// - state().muted = individually muted ∪ (mute-all: spokes present who did
//   not unmute), minus the floor holder (setFloor), sorted.
// Events Muted, Unmuted, MutedAll (value 1: self-unmute), UnmutedAll,
// RoomLocked, RoomUnlocked, ParticipantRemoved (text = reason),
// BroughtToChair, FacilitationHanded, CoFacilitatorNamed.
// Thread rule: the room's thread.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/ids.h"
#include "core/role.h"
#include "sim/clinic_state.h"
#include "sim/events.h"
#include "sim/permissions.h"
#include "sim/phase.h"

namespace caseroom::sim {

// Values mirror net::ModerateAction.
enum class ModerationOp : std::uint8_t {
    Mute, Unmute, Remove, MuteAllButHub, UnmuteAll, SelfUnmute, Lock, Unlock, BringToChair, HandFacilitation,
    NameCoFacilitator, Count
};
const char* toString(ModerationOp op);

struct ModerationCommand {
    ModerationOp op = ModerationOp::Mute;
    core::EntityId target;    // ignored by MuteAllButHub, UnmuteAll, SelfUnmute, Lock, Unlock
    bool flag = false;        // MuteAllButHub: self-unmute allowed
    std::string reason;       // Remove
};

enum class ModerationRefusal : std::uint8_t {
    NotPermitted, WrongPhase, NoSuchParticipant, NotOnSelf, TargetModerates, SelfUnmuteOff, BadText, NotHub, BadValue, Count
};
const char* toString(ModerationRefusal r);

enum class AdmitRefusal : std::uint8_t { Removed, RoomLocked, Count };
const char* toString(AdmitRefusal r);

class ModerationSystem {
public:
    // `events` (not owned, may be null) is the room's stream; `graceTicks`
    // the facilitator's reconnect grace.
    ModerationSystem(EventStream* events, std::uint32_t graceTicks) : events_(events), graceTicks_(graceTicks) {}

    // The session's named facilitator and co-facilitator (0: none). Those
    // already present take their place at once.
    void setPlan(std::uint64_t facilitatorUser, std::uint64_t coFacilitatorUser);

    [[nodiscard]] std::optional<AdmitRefusal> admits(core::Role role, std::uint64_t userId) const;
    void join(const ClinicActor& who, std::uint32_t tick);
    void leave(core::EntityId who, std::uint32_t tick, bool dropped);
    // A member whose link dropped and whose place is held: still a member
    // (a moderator may remove them), never handed facilitation; a
    // facilitator's grace starts as for a drop. back(): in again, running
    // the session again when the grace is theirs and still running.
    void away(core::EntityId who, std::uint32_t tick);
    void back(core::EntityId who);

    // nullopt: carried out (or a no-op); else why not (nothing changed).
    // `actor.holding` must already carry the round's holdings.
    [[nodiscard]] std::optional<ModerationRefusal> apply(const ClinicActor& actor, const ModerationCommand& cmd, Phase phase,
                                                         std::uint32_t tick);
    // Per tick: the facilitator's grace.
    void step(std::uint32_t tick);
    // The floor holder (from the floor system): shown in state(), never muted.
    void setFloor(core::EntityId who, std::uint32_t sinceTick);

    [[nodiscard]] const ModerationState& state() const { return state_; }
    [[nodiscard]] bool muted(core::EntityId who) const;
    [[nodiscard]] bool present(core::EntityId who) const { return find(who) != nullptr; }
    // Whether the reconnect grace of a dropped facilitator is running.
    [[nodiscard]] bool graceRunning() const { return graceRunning_; }
    // Bumps on every change of state().
    [[nodiscard]] std::uint64_t version() const { return version_; }
    // For the publisher: whether anything changed since the last call (true on the first).
    [[nodiscard]] bool takeChange() {
        const bool changed = version_ != taken_;
        taken_ = version_;
        return changed;
    }

private:
    struct Member {
        core::EntityId id;
        core::Role role = core::Role::Observer;
        std::uint64_t user = 0;
        std::uint32_t joinTick = 0;
        std::uint64_t order = 0;   // join order (ties of joinTick)
        bool away = false;         // link dropped, place held (away())
    };
    [[nodiscard]] const Member* find(core::EntityId who) const;
    [[nodiscard]] Member* findMutable(core::EntityId who);
    [[nodiscard]] std::optional<ModerationRefusal> checkTarget(const ClinicActor& actor, core::EntityId target) const;
    void emit(std::uint32_t tick, core::EntityId actor, RoomEventKind kind, core::EntityId target = {}, std::uint32_t value = 0,
              std::string text = {});
    void handOver(std::uint32_t tick);   // to the successor, automatically
    void recompute();                    // state_.muted from the sets; bumps the version when it changed
    void bump() { ++version_; }

    ModerationState state_;
    std::vector<Member> members_;
    std::vector<std::uint16_t> mutedSlots_;   // present, muted by a moderator
    std::vector<std::uint16_t> lifted_;       // present spokes the mute-all no longer holds (self- or moderator-unmuted)
    std::vector<std::uint64_t> mutedUsers_;   // user ids muted by a moderator (a rejoin keeps it)
    std::vector<std::uint64_t> removedUsers_; // user ids removed (refused for the room's life)
    std::vector<std::uint64_t> seenUsers_;    // user ids that were in the room (let in past the lock)
    std::uint64_t planFacilitator_ = 0, coUser_ = 0;
    bool defaultFacilitator_ = false;         // the facilitator was chosen by default (the plan's one takes over)
    bool graceRunning_ = false;
    std::uint64_t graceUser_ = 0;
    std::uint32_t graceUntil_ = 0;
    std::uint64_t joins_ = 0;
    EventStream* events_;
    std::uint32_t graceTicks_;
    std::uint64_t version_ = 0;
    std::uint64_t taken_ = ~0ull;
};

} // namespace caseroom::sim
