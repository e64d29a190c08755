// Readers of the room's one event stream (sim/events.h). ServerHost drains
// each room's stream once per tick and hands every reader the tick's events
// with who did each one, resolved by the host (a participant who left in the
// same tick is still named: identities are captured when the event is
// pushed). Readers get a call every tick of every room, also with no events,
// so that they can keep time (heartbeats, refreshes) on the room's clock.
// A reader must not block: it posts what must persist to store::Writer.
// Thread rule: the server's thread (the host calls readers from update()).
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/role.h"
#include "sim/events.h"

namespace caseroom::session {

// Who an event's actor is: what the connect token says (user 0 and token 0
// on transports that do not authenticate).
struct RoomActor {
    std::uint64_t userId = 0;
    std::uint64_t tokenId = 0;
    std::string displayName;
    std::optional<core::Role> role;   // empty: the room itself, or nobody known
    std::string address;              // "host:port"
    std::uint32_t peer = 0;           // the server's connection handle
};

struct RoomTick {
    std::string_view room;                  // room code
    std::uint32_t tick = 0;                 // the room's tick
    std::uint64_t unixTime = 0;             // wall clock at this tick (ServerConfig::unixClock; 0: none given)
    std::span<const sim::RoomEvent> events; // in the order they happened
    std::span<const RoomActor> actors;      // actors[i]: who did events[i]
    bool replay = false;                    // a replay room (session/replay_room.h): its Joined/Left are viewers, attendance of kind "recording"
    std::uint64_t replaySession = 0;        // replay rooms: the clinic session the recording is of (0: none known)
};

class RoomEventReader {
public:
    virtual ~RoomEventReader() = default;
    virtual void onTick(const RoomTick& t) = 0;
};

} // namespace caseroom::session
