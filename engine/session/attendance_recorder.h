// Attendance from the room's own join and leave events (a RoomEventReader):
// each Joined opens an interval in the clinic database, each Left closes it,
// and the open ones are heartbeated, so that after a crash they close at the
// last persisted heartbeat, marked interrupted (store::Records::
// closeInterrupted, which recoverInterrupted() runs at server start).
//
// Never blocks the tick: every write is a job posted to the store::Writer.
// The session a join belongs to is resolved inside the job
// (Records::sessionAt(room, now)); a join outside any session (lobby opening
// to the extended end plus overrun) is recorded nowhere and counted. The
// person is the token's user id when such a person exists (else a guest,
// person 0, with the user id and name kept).
// A leave (or closeAll) whose write fails is kept and written again at the
// next heartbeat, before the heartbeat, so its row is never heartbeated on.
// Thread rule: onTick, recoverInterrupted, closeAll and the replies
// (Writer::drainReplies) on the server thread; the jobs on the writer's;
// counters() from either.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "session/room_events.h"
#include "store/writer.h"

namespace caseroom::session {

struct AttendanceConfig {
    double heartbeatSeconds = 30.0;   // how often open intervals' lastSeen is written (unix seconds of the ticks)
};

struct AttendanceCounters {
    std::uint64_t opened = 0;         // intervals opened in the database
    std::uint64_t closed = 0;         // closed by a leave (or closeAll)
    std::uint64_t outsideSession = 0; // joins at a time no session of the room holds: not recorded
    std::uint64_t heartbeats = 0;     // heartbeat jobs run
    std::uint64_t failed = 0;         // jobs whose write failed (logged)
    std::uint64_t interrupted = 0;    // intervals recoverInterrupted() closed
};

class AttendanceRecorder final : public RoomEventReader {
public:
    explicit AttendanceRecorder(store::Writer& writer, AttendanceConfig config = {});
    ~AttendanceRecorder() override;
    AttendanceRecorder(const AttendanceRecorder&) = delete;
    AttendanceRecorder& operator=(const AttendanceRecorder&) = delete;

    // Closes the intervals a crash left open, at their last heartbeat,
    // interrupted; posted first, so it runs before any new join. Logs how
    // many when its reply is drained.
    void recoverInterrupted();
    void onTick(const RoomTick& t) override;
    // A clean stop: closes every interval still open at `unixNow`.
    void closeAll(std::uint64_t unixNow);
    [[nodiscard]] AttendanceCounters counters() const;

private:
    struct Shared;
    // The server thread's record of each join (Shared::joins) is changed only
    // by onTick/closeAll and by the jobs' replies, which run after the commit
    // that made a write durable (store/writer.h): a batch that fails and is
    // rerun job by job never finds it half-changed. The jobs get copies and
    // find an interval's row by what its join wrote (session, user, name,
    // join time, still open), so a rerun is harmless and a rolled-back row is
    // never mistaken for another's.
    // One job: closes the given joins' rows (at their leftAt), then moves
    // lastSeen of `beat`'s sessions to `now`; the reply forgets the closed joins.
    void postWrite(const std::vector<std::uint64_t>& closing, std::vector<std::int64_t> beat, std::int64_t now, const char* what);
    store::Writer& writer_;
    AttendanceConfig config_;
    std::shared_ptr<Shared> shared_;
    // Per room, per entity slot: the serial of the join the slot's interval belongs to.
    std::unordered_map<std::string, std::unordered_map<std::uint32_t, std::uint64_t>> open_;
    std::uint64_t nextSerial_ = 1;
    std::uint64_t nextHeartbeat_ = 0;
};

} // namespace caseroom::session
