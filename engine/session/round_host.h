// The teaching round's agenda, floor and moderation in the server: one per
// room, beside PanelHost and BoardHost. Routes the room's AgendaIntent,
// FloorIntent and ModerateRequest to the sim systems (sim/agenda.h,
// sim/floor.h, sim/moderation.h), runs them each tick, publishes their state
// as room objects (Agenda, AgendaEntry, Queue{hands}, Moderation, Statement;
// session/clinic_wire.h) and pushes their events into the room's stream.
// ServerHost calls it in a few lines and applies what it cannot do itself
// (disconnect a removed participant, seat someone in the presenter's chair,
// gate and widen voice).
// Thread rule: the room's thread.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>

#include "net/messages.h"
#include "net/room_objects.h"
#include "sim/clinic_state.h"
#include "sim/events.h"

namespace caseroom::sim {
class AgendaSystem;
class FloorSystem;
class ModerationSystem;
} // namespace caseroom::sim

namespace caseroom::session {

struct RoundConfig {
    // A facilitator who drops (timed out, not left on purpose) and is not
    // back within this many seconds hands facilitation to the co-facilitator
    // (named, else the longest-present specialist), automatically.
    double reconnectGraceSeconds = 60.0;
};

// What ServerHost must carry out after a moderation intent succeeded.
struct ModerationEffect {
    core::EntityId remove;      // disconnect with LeaveReason::Removed, revoke the session's invitation
    std::string reason;         // the removal's reason (audited)
    core::EntityId toChair;     // seat in the presenter's chair (the layout's first seat)
};

class RoundHost {
public:
    // `events` (not owned, may be null) is the room's stream; `tickRate` turns seconds into ticks.
    RoundHost(sim::EventStream* events, double tickRate, RoundConfig config = {});
    ~RoundHost();
    RoundHost(const RoundHost&) = delete;
    RoundHost& operator=(const RoundHost&) = delete;

    // The session's plan (the room opened for a session, or tests). Resets
    // the agenda to its lobby and publishes entries and statements. Without a
    // plan the room is in the lobby phase with no agenda (AgendaIntent
    // refused NoAgenda): permissions answer as in the lobby.
    void setPlan(const sim::SessionPlan& plan, std::uint32_t tick);

    // nullopt: `userId` may join now; RoomLocked when the room is locked
    // (a participant who dropped and comes back is let in: anyone who was in
    // the room this session), Removed when a moderator removed them.
    [[nodiscard]] std::optional<net::JoinRefusal> admits(core::Role role, std::uint64_t userId) const;
    void join(const sim::ClinicActor& who, std::uint32_t tick);
    // `dropped`: the connection was lost (timed out), not a deliberate leave
    // (only a drop starts the facilitator's reconnect grace). Their hand,
    // floor and chair go.
    void leave(core::EntityId who, std::uint32_t tick, bool dropped);
    // A participant whose link dropped and whose place the server holds
    // (session/seat_holds.h): their hand and the floor stay; as for a drop,
    // a facilitator's grace starts (nobody runs the session meanwhile).
    // back(): the same user is in again, and runs it again if in time.
    void away(core::EntityId who, std::uint32_t tick);
    void back(core::EntityId who);

    // nullopt: carried out (or a no-op); else the refusal (IntentRefused{Agenda|Floor|Moderate, reason}).
    [[nodiscard]] std::optional<net::RefusalReason> onIntent(const sim::ClinicActor& actor, const net::AgendaIntent& m, std::uint32_t tick);
    [[nodiscard]] std::optional<net::RefusalReason> onIntent(const sim::ClinicActor& actor, const net::FloorIntent& m, std::uint32_t tick);
    // Refusal, or the effect to carry out (all invalid: nothing more to do).
    struct Moderated {
        std::optional<net::RefusalReason> refused;
        ModerationEffect effect;
    };
    [[nodiscard]] Moderated onModerate(const sim::ClinicActor& actor, const net::ModerateRequest& m, std::uint32_t tick);

    // Per tick: the facilitator's grace, publishing what changed.
    void tick(std::uint32_t tick, net::ObjectTable& objects);

    // Voice, for the server's forwarding: whether `who`'s frames go out now
    // (the role and phase per the permissions table, the floor, moderation's
    // mutes) and whether they are heard room-wide (the floor).
    [[nodiscard]] bool maySpeak(core::EntityId who, core::Role role) const;
    [[nodiscard]] bool roomWide(core::EntityId who) const;
    // Holdings the round grants: FloorHolder, ActingFacilitator.
    [[nodiscard]] sim::HoldingSet holding(core::EntityId who) const;
    [[nodiscard]] sim::RoundView view() const;
    [[nodiscard]] sim::Phase phase() const;

    [[nodiscard]] const sim::AgendaSystem& agenda() const { return *agenda_; }
    [[nodiscard]] const sim::FloorSystem& floor() const { return *floor_; }
    [[nodiscard]] const sim::ModerationSystem& moderation() const { return *moderation_; }
    [[nodiscard]] std::uint64_t publishFailures() const { return publishFailures_; }

private:
    std::unique_ptr<sim::AgendaSystem> agenda_;
    std::unique_ptr<sim::FloorSystem> floor_;
    std::unique_ptr<sim::ModerationSystem> moderation_;
    sim::EventStream* events_;
    double tickRate_;
    RoundConfig config_;
    std::uint64_t publishFailures_ = 0;
};

} // namespace caseroom::session
