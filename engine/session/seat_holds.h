// Seats held for participants whose link dropped. A drop (the connection
// timed out, or the same invitation was proven again from another address)
// does not take a participant out of the room: their entity stays, seated,
// hand raised, floor held, shown "reconnecting", for the hold's length. The
// same user in the same role joining that room in time takes the hold back:
// the same entity slot, so nothing has to be restored. A hold that runs out
// is a timed-out leave, carried out then by the host.
// Pure bookkeeping, no effects: the host (server_host_reconnect.cpp) acts.
// Thread rule: one thread (the server's).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/ids.h"
#include "core/role.h"
#include "session/audit_log.h"
#include "session/room_events.h"

namespace caseroom::session {

struct SeatHold {
    std::string room;              // room code
    core::EntityId entity;
    std::uint64_t userId = 0;      // never 0: unauthenticated transports hold nothing
    core::Role role = core::Role::Spoke;
    double since = 0;              // monotonic seconds of the drop
    double until = 0;              // ... and of the hold's end
    RoomActor actor;               // who, as the dropped connection proved it (the leave event at expiry)
    AuditRecord audit;             // ditto, for the audit trail
};

class SeatHolds {
public:
    // Adds a hold; one for the same room and entity is replaced.
    void hold(SeatHold h);
    // The hold of `userId` in `room` as `role`, removed from the table; none:
    // nullopt. A hold of the same user in another role is not taken (a new
    // invitation with another role joins afresh; the old hold runs out).
    [[nodiscard]] std::optional<SeatHold> take(const std::string& room, std::uint64_t userId, core::Role role);
    // The hold of `entity` in `room`, removed from the table (a moderator removed them while away).
    [[nodiscard]] std::optional<SeatHold> takeEntity(const std::string& room, core::EntityId entity);
    // Holds whose end is at or before `now`, removed from the table, oldest first.
    [[nodiscard]] std::vector<SeatHold> takeExpired(double now);
    [[nodiscard]] bool held(const std::string& room, core::EntityId entity) const;
    [[nodiscard]] std::size_t size() const { return holds_.size(); }
    [[nodiscard]] const std::vector<SeatHold>& all() const { return holds_; }

private:
    template <typename Pred> std::optional<SeatHold> takeFirst(Pred pred);
    std::vector<SeatHold> holds_;   // few (the dropped, for seconds): a vector scans fastest
};

} // namespace caseroom::session
