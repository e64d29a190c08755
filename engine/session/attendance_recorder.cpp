#include "session/attendance_recorder.h"

#include <cmath>
#include <limits>
#include <set>
#include <vector>

#include "core/log.h"
#include "store/records.h"

namespace caseroom::session {

// State of the worker thread's side: which database interval each join
// serial opened. Only jobs touch `open` (they run one at a time on the
// writer's thread); the counters are read from the server thread.
struct AttendanceRecorder::Shared {
    struct Open {
        std::int64_t intervalId = 0;
        std::int64_t sessionId = 0;
    };
    std::unordered_map<std::uint64_t, Open> open;
    std::atomic<std::uint64_t> opened{0}, closed{0}, outside{0}, heartbeats{0}, failed{0}, interrupted{0};
};

namespace {
void logFailure(std::atomic<std::uint64_t>& failed, const char* what, const core::Status& st) {
    if (st) return;
    const std::uint64_t n = ++failed;
    if (n <= 5 || n % 100 == 0) CR_LOG_ERROR("attendance: %s not written (%llu failures): %s", what, static_cast<unsigned long long>(n), st.error().message.c_str());
}
} // namespace

AttendanceRecorder::AttendanceRecorder(store::Writer& writer, AttendanceConfig config)
    : writer_(writer), config_(config), shared_(std::make_shared<Shared>()) {}

AttendanceRecorder::~AttendanceRecorder() = default;

void AttendanceRecorder::recoverInterrupted() {
    auto sh = shared_;
    writer_.post(
        [sh](store::Database& db) -> core::Status {
            store::Records records(db);
            auto n = records.closeInterrupted();
            if (!n) return n.error();
            sh->interrupted += static_cast<std::uint64_t>(*n);
            return {};
        },
        [sh](const core::Status& st) {
            if (!st) { logFailure(sh->failed, "closing interrupted intervals", st); return; }
            CR_LOG_INFO("attendance: %llu interval(s) left open by an earlier run closed at their last heartbeat, marked interrupted",
                        static_cast<unsigned long long>(sh->interrupted.load()));
        });
}

void AttendanceRecorder::onTick(const RoomTick& t) {
    if (t.unixTime == 0) return; // no wall clock: nothing can be placed in a session
    const auto now = static_cast<std::int64_t>(t.unixTime);
    for (std::size_t i = 0; i < t.events.size(); ++i) {
        const sim::RoomEvent& e = t.events[i];
        if (e.kind != sim::RoomEventKind::Joined && e.kind != sim::RoomEventKind::Left) continue;
        auto& slots = open_[std::string(t.room)];
        auto sh = shared_;
        if (e.kind == sim::RoomEventKind::Joined) {
            const RoomActor& who = t.actors[i];
            const std::uint64_t serial = nextSerial_++;
            if (slots.insert_or_assign(e.actor.value, serial).second) ++openCount_;
            store::AttendanceInterval a;
            a.userId = who.userId;
            a.displayName = who.displayName;
            a.role = who.role.value_or(core::Role::Observer);
            a.kind = store::AttendanceKind::Live;
            a.joinedAt = now;
            a.lastSeen = now;
            writer_.post(
                [sh, room = std::string(t.room), a, serial](store::Database& db) mutable -> core::Status {
                    store::Records records(db);
                    auto s = records.sessionAt(room, a.joinedAt);
                    if (!s) return s.error();
                    if (!*s) { ++sh->outside; return {}; }
                    a.sessionId = (*s)->id;
                    if (a.userId > 0 && a.userId <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
                        if (auto p = records.person(static_cast<std::int64_t>(a.userId))) a.personId = p->id;
                    auto id = records.openInterval(a);
                    if (!id) return id.error();
                    // A retried batch runs this again: the last run's row is the one committed.
                    if (!sh->open.insert_or_assign(serial, Shared::Open{*id, a.sessionId}).second) return {};
                    ++sh->opened;
                    return {};
                },
                [sh](const core::Status& st) { logFailure(sh->failed, "join", st); });
        } else {
            const auto it = slots.find(e.actor.value);
            if (it == slots.end()) continue;
            const std::uint64_t serial = it->second;
            slots.erase(it);
            --openCount_;
            writer_.post(
                [sh, serial, now](store::Database& db) -> core::Status {
                    const auto o = sh->open.find(serial);
                    if (o == sh->open.end()) return {}; // outside any session, or its join failed
                    store::Records records(db);
                    if (auto st = records.closeInterval(o->second.intervalId, now); !st) return st;
                    sh->open.erase(o);
                    ++sh->closed;
                    return {};
                },
                [sh](const core::Status& st) { logFailure(sh->failed, "leave", st); });
        }
    }
    if (t.unixTime < nextHeartbeat_) return;
    nextHeartbeat_ = t.unixTime + static_cast<std::uint64_t>(std::max(1.0, std::ceil(config_.heartbeatSeconds)));
    if (openCount_ == 0) return;
    auto sh = shared_;
    writer_.post(
        [sh, now](store::Database& db) -> core::Status {
            std::set<std::int64_t> sessions;
            for (const auto& [serial, o] : sh->open) sessions.insert(o.sessionId);
            store::Records records(db);
            for (const std::int64_t s : sessions)
                if (auto st = records.heartbeat(s, now); !st) return st;
            ++sh->heartbeats;
            return {};
        },
        [sh](const core::Status& st) { logFailure(sh->failed, "heartbeat", st); });
}

void AttendanceRecorder::closeAll(std::uint64_t unixNow) {
    open_.clear();
    openCount_ = 0;
    auto sh = shared_;
    const auto now = static_cast<std::int64_t>(unixNow);
    writer_.post(
        [sh, now](store::Database& db) -> core::Status {
            store::Records records(db);
            for (auto it = sh->open.begin(); it != sh->open.end();) {
                if (auto st = records.closeInterval(it->second.intervalId, now); !st) return st;
                ++sh->closed;
                it = sh->open.erase(it);
            }
            return {};
        },
        [sh](const core::Status& st) { logFailure(sh->failed, "closing at shutdown", st); });
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
