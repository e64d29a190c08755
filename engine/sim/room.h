// The authoritative room: who is in it, where they are, which seats are
// taken. The server owns one Room per hosted room and is the only writer;
// clients send intents that the Room validates. Rooms never read each other.
// Time comes in as a tick count; nothing here reads a clock.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/ids.h"
#include "core/role.h"
#include "sim/avatar.h"
#include "sim/layout.h"
#include "sim/movement.h"

namespace caseroom::sim {

enum class JoinError : std::uint8_t { RoomFull, BadName, BadRole, Count };
enum class IntentError : std::uint8_t { NoSuchParticipant, SeatInvalid, SeatTaken, SeatTooFar, AlreadySeated, NotSeated, Count };
const char* toString(JoinError e);
const char* toString(IntentError e);


constexpr std::uint32_t kInputQueue = 8;     // pending steps kept per participant
constexpr float kInputBurst = 4.0f;          // steps that may run in one tick after a stall
constexpr float kSitReach = 1.6f;            // metres from a seat to sit on it
constexpr std::size_t kMaxNameBytes = 48;    // display names; = net::kMaxDisplayName (static_assert in server_host.cpp)

struct Participant {
    std::uint32_t instance = 0;  // 0: slot free; unique per join within the room
    std::string name;
    std::uint64_t userId = 0;    // verified, from the connect token; 0 on unauthenticated transports
    core::Role role = core::Role::Spoke;
    AvatarPose pose;
    float headYaw = 0.0f, headPitch = 0.0f;
    std::uint32_t lastInputSeq = 0;  // newest step applied (32-bit, expanded)
    bool anyInput = false;
    float inputTokens = kInputBurst;
    std::uint32_t joinedTick = 0;
    std::uint32_t changedTick = 0;    // last tick the pose changed
    struct Pending { std::uint32_t seq; MoveInput input; };
    std::array<Pending, kInputQueue> queue{};
    std::uint32_t queued = 0;

    [[nodiscard]] bool active() const { return instance != 0; }
};

struct JoinResult {
    core::EntityId entity;
    std::optional<JoinError> error;
};

class Room {
public:
    Room(const RoomSpec& spec, double tickRateHz);

    [[nodiscard]] const RoomSpec& spec() const { return spec_; }
    [[nodiscard]] const RoomLayout& layout() const { return layout_; }
    [[nodiscard]] double tickRate() const { return tickRate_; }
    [[nodiscard]] std::uint32_t tick() const { return tick_; }

    // `userId`: the verified id from the token (0: none). Who may join at
    // all (locked rooms, removed users) is moderation's (sim/moderation.h).
    JoinResult join(const std::string& displayName, core::Role role, std::uint64_t userId = 0);
    void leave(core::EntityId id);
    // A replay room (session/replay_room.h): slots [0, n) are the recording's
    // and never given to a join. Call before anyone joins; clamped to the
    // capacity. Returns the slots now kept.
    std::uint32_t reserveSlots(std::uint32_t n);

    // Queues one input step (sequence expanded to 32 bits by the caller).
    // Steps at or below the newest applied one are ignored.
    void submitInput(core::EntityId id, std::uint32_t seq, const MoveInput& input);
    // A new connection of the same participant (a reconnect) numbers its
    // steps afresh: queued steps are dropped and any sequence is accepted next.
    void restartInput(core::EntityId id);
    // `seat` is checked against the layout here, the one seat-range check.
    std::optional<IntentError> sit(core::EntityId id, std::uint32_t seat);
    std::optional<IntentError> stand(core::EntityId id);

    // Moderation's "bring to the presenter's chair": seats `id` on `seat`
    // wherever they stand (no reach check); whoever sat there stands up
    // first, and `id` leaves any seat they held.
    std::optional<IntentError> seatAt(core::EntityId id, std::uint32_t seat);

    // Advances one fixed tick: each participant runs its queued steps, at most
    // one per tick on average (bursts of kInputBurst), so no one outruns
    // kWalkSpeed however fast they send.
    void step();

    [[nodiscard]] std::uint32_t capacity() const { return static_cast<std::uint32_t>(participants_.size()); }
    [[nodiscard]] std::uint32_t population() const { return population_; }
    [[nodiscard]] const Participant* find(core::EntityId id) const;
    [[nodiscard]] const std::vector<Participant>& participants() const { return participants_; }
    [[nodiscard]] core::EntityId seatOwner(std::uint16_t seat) const;

private:
    Participant* get(core::EntityId id);
    glm::vec2 spawnPoint();

    RoomSpec spec_;
    RoomLayout layout_;
    double tickRate_;
    std::uint32_t tick_ = 0;
    std::uint32_t nextInstance_ = 1;
    std::uint32_t population_ = 0;
    std::uint32_t spawnCounter_ = 0;
    std::vector<Participant> participants_;
    std::vector<core::EntityId> seatOwners_;
    std::vector<std::uint16_t> freeSlots_; // FIFO, so a slot is reused as late as possible
    std::size_t freeHead_ = 0;
};

} // namespace caseroom::sim
