#include "session/attendance_recorder.h"

#include <cmath>
#include <limits>
#include <optional>
#include <set>
#include <vector>

#include "core/log.h"
#include "store/records.h"

namespace caseroom::session {

// The joins as the server thread knows them (touched only on the server
// thread: onTick, closeAll and the replies) and the counters (atomics: read
// from either thread, added to only by replies, so a rerun job never counts
// twice).
struct AttendanceRecorder::Shared {
    struct Join {
        std::string room;
        std::uint64_t userId = 0;
        std::string displayName;
        std::int64_t joinedAt = 0;
        std::int64_t sessionId = 0;   // 0 until the join's reply (a job resolves it itself)
        std::int64_t intervalId = 0;  // the row the join committed (a hint: rows are matched by content)
        bool committed = false;       // the join's reply said its row is in the database
        std::int64_t leftAt = 0;      // 0: still in; else a close not yet known written
        std::uint32_t closing = 0;    // close jobs in flight
    };
    std::unordered_map<std::uint64_t, Join> joins;  // by serial: joined, not yet known closed
    std::atomic<std::uint64_t> opened{0}, closed{0}, outside{0}, heartbeats{0}, failed{0}, interrupted{0};
};

namespace {

void logFailure(std::atomic<std::uint64_t>& failed, const char* what, const core::Status& st) {
    if (st) return;
    const std::uint64_t n = ++failed;
    if (n <= 5 || n % 100 == 0) CR_LOG_ERROR("attendance: %s not written (%llu failures): %s", what, static_cast<unsigned long long>(n), st.error().message.c_str());
}

// What a close job needs of one join (a copy: jobs never read Shared::joins).
struct CloseItem {
    std::string room;
    std::uint64_t userId = 0;
    std::string displayName;
    std::int64_t joinedAt = 0;
    std::int64_t sessionId = 0;
    std::int64_t intervalId = 0;
    std::int64_t leftAt = 0;
};

// The still-open row a join committed, found by what the join wrote; none:
// the join never committed (rolled back, outside any session) or its row is
// closed already. Matching content, not a remembered id, keeps a rerun from
// closing a row that reused a rolled-back insert's id.
core::Result<std::optional<std::int64_t>> findOpenRow(store::Records& records, const CloseItem& c) {
    std::int64_t session = c.sessionId;
    if (session == 0) {
        auto s = records.sessionAt(c.room, c.joinedAt);
        if (!s) return s.error();
        if (!*s) return std::optional<std::int64_t>{};
        session = (*s)->id;
    }
    auto rows = records.attendance(session);
    if (!rows) return rows.error();
    std::optional<std::int64_t> found;
    for (const auto& r : *rows) {
        if (r.leftAt != 0 || r.kind != store::AttendanceKind::Live || r.userId != c.userId || r.joinedAt != c.joinedAt ||
            r.displayName != c.displayName)
            continue;
        if (r.id == c.intervalId) return std::optional<std::int64_t>{r.id};
        if (!found) found = r.id;
    }
    return found;
}

} // namespace

AttendanceRecorder::AttendanceRecorder(store::Writer& writer, AttendanceConfig config)
    : writer_(writer), config_(config), shared_(std::make_shared<Shared>()) {}

AttendanceRecorder::~AttendanceRecorder() = default;

void AttendanceRecorder::recoverInterrupted() {
    auto sh = shared_;
    auto n = std::make_shared<int>(0);
    writer_.post(
        [n](store::Database& db) -> core::Status {
            store::Records records(db);
            auto closed = records.closeInterrupted();
            if (!closed) return closed.error();
            *n = *closed;
            return {};
        },
        [sh, n](const core::Status& st) {
            if (!st) { logFailure(sh->failed, "closing interrupted intervals", st); return; }
            sh->interrupted += static_cast<std::uint64_t>(*n);
            CR_LOG_INFO("attendance: %llu interval(s) left open by an earlier run closed at their last heartbeat, marked interrupted",
                        static_cast<unsigned long long>(sh->interrupted.load()));
        });
}

void AttendanceRecorder::postWrite(const std::vector<std::uint64_t>& closing, std::vector<std::int64_t> beat, std::int64_t now, const char* what) {
    auto sh = shared_;
    std::vector<CloseItem> items;
    items.reserve(closing.size());
    for (const std::uint64_t serial : closing) {
        auto it = sh->joins.find(serial);
        if (it == sh->joins.end()) continue;
        Shared::Join& j = it->second;
        ++j.closing;
        items.push_back(CloseItem{j.room, j.userId, j.displayName, j.joinedAt, j.sessionId, j.intervalId, j.leftAt ? j.leftAt : now});
    }
    auto closedRows = std::make_shared<std::uint64_t>(0);
    const bool isHeartbeat = !beat.empty();
    writer_.post(
        [items = std::move(items), beat = std::move(beat), now, closedRows](store::Database& db) -> core::Status {
            store::Records records(db);
            *closedRows = 0;   // a rerun starts over: the first run's writes were rolled back
            for (const CloseItem& c : items) {
                auto row = findOpenRow(records, c);
                if (!row) return row.error();
                if (!*row) continue;
                if (auto st = records.closeInterval(**row, c.leftAt); !st) return st;
                ++*closedRows;
            }
            for (const std::int64_t s : beat)
                if (auto st = records.heartbeat(s, now); !st) return st;
            return {};
        },
        [sh, closing, isHeartbeat, closedRows, what](const core::Status& st) {
            for (const std::uint64_t serial : closing)
                if (auto it = sh->joins.find(serial); it != sh->joins.end() && it->second.closing > 0) --it->second.closing;
            if (!st) { logFailure(sh->failed, what, st); return; } // kept: written again at the next heartbeat
            for (const std::uint64_t serial : closing) sh->joins.erase(serial);
            sh->closed += *closedRows;
            if (isHeartbeat) ++sh->heartbeats;
        });
}

void AttendanceRecorder::onTick(const RoomTick& t) {
    if (t.unixTime == 0) return; // no wall clock: nothing can be placed in a session
    const auto now = static_cast<std::int64_t>(t.unixTime);
    auto sh = shared_;
    auto leave = [&](std::uint64_t serial) {
        auto it = sh->joins.find(serial);
        if (it == sh->joins.end()) return; // outside any session, or its join failed
        if (it->second.leftAt == 0) it->second.leftAt = now;
        postWrite({serial}, {}, now, "leave");
    };
    for (std::size_t i = 0; i < t.events.size(); ++i) {
        const sim::RoomEvent& e = t.events[i];
        if (e.kind != sim::RoomEventKind::Joined && e.kind != sim::RoomEventKind::Left) continue;
        auto& slots = open_[std::string(t.room)];
        if (e.kind == sim::RoomEventKind::Joined) {
            const RoomActor& who = t.actors[i];
            const std::uint64_t serial = nextSerial_++;
            if (const auto old = slots.find(e.actor.value); old != slots.end()) leave(old->second); // the slot's last leave was missed
            slots[e.actor.value] = serial;
            store::AttendanceInterval a;
            a.userId = who.userId;
            a.displayName = who.displayName;
            a.role = who.role.value_or(core::Role::Observer);
            // Viewing a replay is attendance of kind "recording", of the recorded session.
            a.kind = t.replay ? store::AttendanceKind::Recording : store::AttendanceKind::Live;
            const std::int64_t replaySession = t.replay ? static_cast<std::int64_t>(t.replaySession) : 0;
            if (t.replay && replaySession == 0) continue; // a recording of no known session: nothing to credit
            a.joinedAt = now;
            a.lastSeen = now;
            Shared::Join& j = sh->joins[serial];
            j.room = std::string(t.room);
            j.userId = a.userId;
            j.displayName = a.displayName;
            j.joinedAt = now;
            struct Opened { bool outside = false; std::int64_t sessionId = 0, intervalId = 0; };
            auto result = std::make_shared<Opened>();
            writer_.post(
                [room = j.room, a, result, replaySession](store::Database& db) mutable -> core::Status {
                    *result = Opened{}; // a rerun starts over
                    store::Records records(db);
                    if (replaySession != 0) {
                        a.sessionId = replaySession;
                    } else {
                        auto s = records.sessionAt(room, a.joinedAt);
                        if (!s) return s.error();
                        if (!*s) { result->outside = true; return {}; }
                        a.sessionId = (*s)->id;
                    }
                    if (a.userId > 0 && a.userId <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
                        if (auto p = records.person(static_cast<std::int64_t>(a.userId))) a.personId = p->id;
                    auto id = records.openInterval(a);
                    if (!id) return id.error();
                    result->sessionId = a.sessionId;
                    result->intervalId = *id;
                    return {};
                },
                [sh, serial, result](const core::Status& st) {
                    const auto it = sh->joins.find(serial);
                    if (!st || result->outside) {
                        // Nothing in the database to close or beat: forget the join.
                        if (it != sh->joins.end()) sh->joins.erase(it);
                        if (!st) logFailure(sh->failed, "join", st);
                        else ++sh->outside;
                        return;
                    }
                    ++sh->opened;
                    if (it == sh->joins.end()) return;
                    it->second.sessionId = result->sessionId;
                    it->second.intervalId = result->intervalId;
                    it->second.committed = true;
                });
        } else {
            const auto it = slots.find(e.actor.value);
            if (it == slots.end()) continue;
            const std::uint64_t serial = it->second;
            slots.erase(it);
            leave(serial);
        }
    }
    if (t.unixTime < nextHeartbeat_) return;
    nextHeartbeat_ = t.unixTime + static_cast<std::uint64_t>(std::max(1.0, std::ceil(config_.heartbeatSeconds)));
    // Leaves not yet written are written first, in the same job, so their
    // rows close at the leave and are never heartbeated past it.
    std::vector<std::uint64_t> closing;
    std::set<std::int64_t> sessions;
    for (const auto& [serial, j] : sh->joins) {
        if (j.leftAt != 0) {
            if (j.closing == 0) closing.push_back(serial);
        } else if (j.committed) {
            sessions.insert(j.sessionId);
        }
    }
    if (closing.empty() && sessions.empty()) return;
    postWrite(closing, std::vector<std::int64_t>(sessions.begin(), sessions.end()), now, sessions.empty() ? "leave" : "heartbeat");
}

void AttendanceRecorder::closeAll(std::uint64_t unixNow) {
    open_.clear();
    const auto now = static_cast<std::int64_t>(unixNow);
    std::vector<std::uint64_t> all;
    for (auto& [serial, j] : shared_->joins) {
        if (j.leftAt == 0) j.leftAt = now;
        all.push_back(serial);
    }
    if (all.empty()) return;
    postWrite(all, {}, now, "closing at shutdown");
}

AttendanceCounters AttendanceRecorder::counters() const {
    AttendanceCounters c;
    c.opened = shared_->opened;
    c.closed = shared_->closed;
    c.outsideSession = shared_->outside;
    c.heartbeats = shared_->heartbeats;
    c.failed = shared_->failed;
    c.interrupted = shared_->interrupted;
    return c;
}

} // namespace caseroom::session
