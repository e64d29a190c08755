// The client's view model of a replay room's playback (session/replay_room.h):
// the Replay object (position, length, speed, paused, title, start time) and
// the timeline's ReplayMark objects, as the room replicates them. A room is a
// replay when its Replay object has arrived; its position is at most a
// recorded second old while playing (the server sets it once a second and on
// every control). Read by client/replay_ui and the
// headless printout; controls go back as net::ReplayIntent
// (ClientSession::sendReplay).
// Thread rule: the session's thread.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "net/room_objects.h"
#include "session/replay_room.h"

namespace caseroom::session {

class ReplayViewModel {
public:
    // Whether `kind` is one of the playback's kinds (Replay, ReplayMark).
    [[nodiscard]] static bool handles(net::ObjectKind kind);
    // Applies one update of a kind handles() accepts; false when it does not
    // decode (counted as malformed by the caller; the view keeps what it had).
    bool apply(const net::ObjectUpdate& u);
    void reset();

    [[nodiscard]] bool isReplay() const { return info_.has_value(); }
    [[nodiscard]] const std::optional<ReplayInfoObject>& info() const { return info_; }
    // The marks by index (those not arrived yet are skipped), in tick order.
    [[nodiscard]] std::vector<ReplayMarkObject> marks() const;
    // Seconds since the recording's first tick of recording tick `tick`.
    [[nodiscard]] double secondsAt(std::uint32_t tick) const;
    // "replay of <title>, <YYYY-MM-DD HH:MM UTC>" (empty when not a replay).
    [[nodiscard]] std::string header() const;
    // One line for logs and the headless printout: "replay 12.3 s / 45.6 s, playing, 1.5x".
    [[nodiscard]] std::string positionLine() const;
    [[nodiscard]] std::uint64_t changes() const { return changes_; }

private:
    std::optional<ReplayInfoObject> info_;
    std::vector<std::optional<ReplayMarkObject>> marks_;   // by id
    std::uint64_t changes_ = 0;
};

// "MM:SS" (or "H:MM:SS") of a duration in seconds.
[[nodiscard]] std::string formatReplayTime(double seconds);

} // namespace caseroom::session
