// The recording system: whether the room is recorded now, under which
// policy, and who acknowledged it. Pure room rules (no I/O, no clock: the
// tick comes in); session/recording_host.h turns its state into a file.
//
// Rules (docs/RECORDING.md "Policy" and "Consent"):
// - Start and Stop take Action::Record (the facilitator or the coordinator).
//   Start under the policy Never is refused PolicyForbidden; Start while
//   recording AlreadyRecording; Stop while not recording NotRecording.
// - Recording is Live or Paused. Under DidacticOnly (the default) it is live
//   only in the didactic phase and pauses by itself in every other phase
//   (case phases carry patient information); WholeSession is live in every
//   phase but Ended. The phase is the agenda's (a room without an agenda is
//   in the lobby). The file holds nothing of a paused stretch.
// - Each Start opens a new epoch. Everyone present or entering sees it; a
//   participant acknowledges the epoch once (audited event). A voice is
//   recorded only from a participant who acknowledged this epoch.
// Events: RecordingStarted (value = policy), RecordingPaused (value =
// phase; target invalid: by the policy), RecordingResumed (value = phase),
// RecordingStopped, RecordingAcknowledged (the actor; value = epoch).
// Thread rule: the room's thread.
#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include "core/ids.h"
#include "sim/clinic_state.h"
#include "sim/events.h"
#include "sim/phase.h"

namespace caseroom::sim {

enum class RecordingStatus : std::uint8_t { Off, Live, Paused, Count };
const char* toString(RecordingStatus s);

// Whether the policy records the phase.
[[nodiscard]] constexpr bool records(RecordingPolicy policy, Phase phase) {
    switch (policy) {
    case RecordingPolicy::DidacticOnly: return phase == Phase::Didactic;
    case RecordingPolicy::WholeSession: return phase != Phase::Ended;
    default: return false;
    }
}

// The replicated state (the Recording object, session/clinic_wire.h).
struct RecordingState {
    RecordingStatus status = RecordingStatus::Off;
    RecordingPolicy policy = RecordingPolicy::DidacticOnly;
    std::uint16_t epoch = 0;         // bumps at every Start (0: never started)
    std::uint32_t sinceTick = 0;     // when status last changed
    core::EntityId startedBy;        // who started the current epoch
    friend bool operator==(const RecordingState&, const RecordingState&) = default;
};

enum class RecordingOp : std::uint8_t { Start, Stop, Acknowledge, Count };
enum class RecordingError : std::uint8_t { NotPermitted, PolicyForbids, AlreadyRecording, NotRecording, Count };
const char* toString(RecordingError e);

class RecordingSystem {
public:
    explicit RecordingSystem(EventStream* events) : events_(events) {}

    // The program's policy (the room's session or, without records, the
    // server's default). Changing it while recording re-evaluates the phase.
    void setPolicy(RecordingPolicy policy, Phase phase, std::uint32_t tick);

    // nullopt: carried out (an acknowledgement of an old epoch, or a repeated
    // one, is a no-op); else why not (nothing changed).
    [[nodiscard]] std::optional<RecordingError> apply(const ClinicActor& actor, RecordingOp op, std::uint16_t epoch,
                                                      Phase phase, std::uint32_t tick);
    // The agenda's phase now (every tick): pauses or resumes by the policy.
    void onPhase(Phase phase, std::uint32_t tick);
    // The participant left: their acknowledgement goes (a new entry asks again).
    void leave(core::EntityId who);

    [[nodiscard]] const RecordingState& state() const { return state_; }
    [[nodiscard]] bool live() const { return state_.status == RecordingStatus::Live; }
    [[nodiscard]] bool acknowledged(core::EntityId who) const;
    [[nodiscard]] std::uint64_t version() const { return version_; }

private:
    void set(RecordingStatus status, std::uint32_t tick);
    void push(RoomEventKind kind, core::EntityId actor, std::uint32_t value, std::uint32_t tick);

    RecordingState state_;
    std::vector<std::uint16_t> acked_;  // per slot: the epoch acknowledged (0: none)
    EventStream* events_;
    std::uint64_t version_ = 1;
};

} // namespace caseroom::sim
