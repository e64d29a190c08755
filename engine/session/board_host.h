// The teaching round's recommendations board and chat in the server: one per
// room, beside RoundHost. Routes BoardIntent and ChatIntent to the sim systems
// (sim/board.h, sim/chat.h), gates them by the round's phase (the
// permissions table), runs the PHI screen (clinic/phi_screen.h) on every chat
// line, question, recommendation and summary before anyone else sees it (a
// held text goes back to its author as TextHeld, is never stored, and its
// event carries the finding kinds only), publishes BoardEntry, ChatLine and
// Queue{questions} objects (session/clinic_wire.h) and pushes events with the
// screened text into the room's stream (the clinic journal persists them).
// Thread rule: the room's thread.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "net/messages.h"
#include "net/room_objects.h"
#include "sim/clinic_state.h"
#include "sim/events.h"

namespace caseroom::sim {
class BoardSystem;
class ChatSystem;
} // namespace caseroom::sim

namespace caseroom::session {

struct BoardConfig {
    // Texts screened per room tick (each ~60-250 us, BENCHMARKS.md "PHI
    // screening"); past it an intent is refused RateLimited, so a flood
    // cannot stretch the tick.
    std::uint32_t screensPerTick = 16;
};

class BoardHost {
public:
    // `events` (not owned, may be null) is the room's stream.
    explicit BoardHost(sim::EventStream* events, BoardConfig config = {});
    ~BoardHost();
    BoardHost(const BoardHost&) = delete;
    BoardHost& operator=(const BoardHost&) = delete;

    // The session's plan: its cases' boards start empty. The presenters'
    // names and everyone's who joined (from their invitations) are known
    // colleagues: a Name finding made only of titles and parts of those names
    // is dropped, so "Dr Okafor" in chat is a colleague, not a finding. (They
    // are not ScreenContext::knownNames: the screen flags those, as a case
    // must not name them.)
    void setPlan(const sim::SessionPlan& plan);
    void join(const sim::ClinicActor& who);
    void leave(core::EntityId who, std::uint32_t tick);   // their queued questions go

    struct Outcome {
        std::optional<net::RefusalReason> refused;   // IntentRefused{Board|Chat, reason}
        std::optional<net::TextHeld> held;           // sent to the author instead (refused = PhiHeld)
    };
    [[nodiscard]] Outcome onIntent(const sim::ClinicActor& actor, const sim::RoundView& round, const net::BoardIntent& m, std::uint32_t tick);
    [[nodiscard]] Outcome onIntent(const sim::ClinicActor& actor, const sim::RoundView& round, const net::ChatIntent& m, std::uint32_t tick);

    // Per tick: resets the screening budget, publishes what changed.
    void tick(std::uint32_t tick, net::ObjectTable& objects);

    [[nodiscard]] const sim::BoardSystem& board() const { return *board_; }
    [[nodiscard]] const sim::ChatSystem& chat() const { return *chat_; }
    [[nodiscard]] std::uint64_t held() const { return held_; }           // texts the screen held
    [[nodiscard]] std::uint64_t publishFailures() const { return publishFailures_; }

private:
    std::unique_ptr<sim::BoardSystem> board_;
    std::unique_ptr<sim::ChatSystem> chat_;
    sim::EventStream* events_;
    BoardConfig config_;
    std::vector<std::string> knownNames_;
    std::uint32_t screensLeft_ = 0;
    std::uint64_t held_ = 0;
    std::uint64_t publishFailures_ = 0;
};

} // namespace caseroom::session
