// The room's event stream read into the clinic database, through the real
// server core on the loopback twin (simulated time) and a real SQLite file:
//  - joins and leaves become attendance intervals of the session that holds
//    the room; a join outside any session is recorded nowhere and counted;
//  - open intervals are heartbeated, and after a "crash" (the recorder gone
//    without closing) the next start closes them at the last heartbeat,
//    marked interrupted;
//  - SessionExtend from a facilitator moves the session's end (audited with
//    old and new), from a spoke it is refused and audited;
//  - a batch whose COMMIT fails (the writer reruns each job alone) still
//    closes the leaves and closeAll's rows, never credits a rolled-back join
//    or closes another's row in its place, and a leave whose write failed is
//    written at the next heartbeat, at the leave's time.
#include <catch2/catch.hpp>

#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "net/loopback_transport.h"
#include "session/attendance_recorder.h"
#include "session/client_session.h"
#include "session/db_audit.h"
#include "session/room_sessions.h"
#include "session/server_host.h"
#include "store/records.h"
#include "temp_dir.h"

using namespace caseroom;
using namespace caseroom::session;

namespace {

constexpr std::int64_t kStart = 1'800'000'000; // the session's scheduled start (unix)

AuditKey testKey() {
    AuditKey k;
    for (std::size_t i = 0; i < k.bytes.size(); ++i) k.bytes[i] = static_cast<std::uint8_t>(i + 1);
    return k;
}

// A program "hcv" (lobby 15 min, overrun 30 min) with one session of an hour.
std::int64_t makeSession(const std::string& path) {
    store::OpenDesc od;
    od.path = path;
    auto db = store::Database::open(od);
    REQUIRE(db);
    store::Records records(**db);
    installEditAudit(records, testKey()); // the setup's edits are chained too
    store::Actor admin;
    admin.via = "test";
    store::Program p;
    p.code = "hcv";
    p.name = "Hepatitis C ECHO";
    auto pid = records.createProgram(p, admin, kStart - 86400);
    REQUIRE(pid);
    store::Session s;
    s.programId = *pid;
    s.title = "Week 1";
    s.startUtc = kStart;
    s.endUtc = kStart + 3600;
    s.room = "hcv";
    auto sid = records.createSession(s, admin, kStart - 86400);
    REQUIRE(sid);
    return *sid;
}

struct World {
    explicit World(const std::string& dbPath, std::int64_t unixAtZero) : unixAtZero_(unixAtZero) {
        store::OpenDesc od;
        od.path = dbPath;
        auto w = store::Writer::start(od);
        REQUIRE(w);
        writer = std::move(*w);
        audit = std::make_unique<DbAudit>(*writer, testKey(), [this] { return unix(); });
        AttendanceConfig ac;
        ac.heartbeatSeconds = 10;
        attendance = std::make_unique<AttendanceRecorder>(*writer, ac);
        attendance->recoverInterrupted();
        sessions = std::make_unique<RoomSessions>(*writer, testKey(), std::vector<std::string>{"hcv"});
        sessions->refresh(unix());
        settle();
        ServerConfig c;
        sim::RoomSpec spec;
        spec.code = "hcv";
        c.rooms = {spec};
        c.audit = audit.get();
        c.readers = {attendance.get(), sessions.get()};
        c.unixClock = [this] { return unix(); };
        c.sessionOpen = [this](std::string_view room) { return sessions->open(room, unix()); };
        server = std::make_unique<ServerHost>(*serverT, c);
        sessions->onRefused([this](const RoomActor& who) { server->refuseExtend(who); });
    }
    ~World() {
        server.reset();
        writer.reset(); // its replies name the readers: gone first
    }
    std::uint64_t unix() const { return static_cast<std::uint64_t>(unixAtZero_ + static_cast<std::int64_t>(now)); }
    void settle() {
        writer->flush();
        writer->drainReplies();
    }
    ClientSession& add(const std::string& name, core::Role role) {
        clientT.push_back(net.createHost());
        ClientDesc d;
        d.displayName = name;
        d.roomCode = "hcv";
        d.role = role;
        clients.push_back(std::make_unique<ClientSession>(*clientT.back(), d));
        clients.back()->connect(net::Address{"loop", 7777}, now);
        return *clients.back();
    }
    void run(double seconds, double step = 1.0 / 60.0) {
        const double end = now + seconds;
        while (now < end) {
            now += step;
            for (auto& c : clients) c->update(now);
            server->update(now);
            writer->drainReplies();
        }
    }
    void leave(std::size_t i) {
        clients[i]->leave();
        run(0.5);
    }

    std::int64_t unixAtZero_;
    double now = 0;
    std::unique_ptr<store::Writer> writer;
    std::unique_ptr<DbAudit> audit;
    std::unique_ptr<AttendanceRecorder> attendance;
    std::unique_ptr<RoomSessions> sessions;
    net::LoopbackNetwork net{11};
    std::unique_ptr<net::Transport> serverT = net.createHost(7777);
    std::unique_ptr<ServerHost> server;
    std::vector<std::unique_ptr<net::Transport>> clientT;
    std::vector<std::unique_ptr<ClientSession>> clients;
};

// Keeps the writer's thread inside a job until release(): what is posted
// meanwhile is taken as one batch.
class WriterHold {
public:
    explicit WriterHold(store::Writer& w) {
        w.post([s = state_](store::Database&) -> core::Status {
            *s = 1;
            while (*s != 2) std::this_thread::sleep_for(std::chrono::milliseconds(1));
            return {};
        });
        while (*state_ != 1) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ~WriterHold() { release(); }
    void release() { *state_ = 2; }

private:
    std::shared_ptr<std::atomic<int>> state_ = std::make_shared<std::atomic<int>>(0);
};

using Flag = std::shared_ptr<std::atomic<bool>>;

// On the writer's own connection (a job is the only way to it): while `armed`,
// every insert into or update of attendance fails (temporary triggers calling
// a function of this test). The raw handle is the store's internal; a test's
// fault injection is its one use outside engine/store.
void installTrap(store::Writer& w, const Flag& armed) {
    w.post([armed](store::Database& db) -> core::Status {
        auto* holder = new Flag(armed);
        const int rc = sqlite3_create_function_v2(
            db.handle(), "caseroom_test_trap", 0, SQLITE_UTF8, holder,
            [](sqlite3_context* ctx, int, sqlite3_value**) {
                if (static_cast<Flag*>(sqlite3_user_data(ctx))->get()->load()) sqlite3_result_error(ctx, "test: attendance write refused", -1);
                else sqlite3_result_null(ctx);
            },
            nullptr, nullptr, [](void* p) { delete static_cast<Flag*>(p); });
        if (rc != SQLITE_OK) return core::Error{"test: trap function not installed"};
        return db.exec("CREATE TEMP TRIGGER trap_insert BEFORE INSERT ON main.attendance BEGIN SELECT caseroom_test_trap(); END;"
                       "CREATE TEMP TRIGGER trap_update BEFORE UPDATE ON main.attendance BEGIN SELECT caseroom_test_trap(); END;");
    });
    w.flush();
}

// A job whose batch then fails to COMMIT (a deferred foreign-key violation
// is only checked there): the writer reruns every job of the batch alone,
// and this one fails alone. With `arm`, its first run arms the trap, so the
// reruns of the jobs before it fail too; its own rerun disarms it.
void postCommitFailure(store::Writer& w, const Flag& arm = {}) {
    auto runs = std::make_shared<int>(0);
    w.post([runs, arm](store::Database& db) -> core::Status {
        if ((*runs)++ > 0) {
            if (arm) *arm = false;
            return core::Error{"test: the failing job, alone"};
        }
        if (arm) *arm = true;
        return db.exec("PRAGMA defer_foreign_keys=ON; INSERT INTO roster (program_id, person_id, role) VALUES (987654, 987654, 'spoke')");
    });
}

std::vector<store::AttendanceInterval> intervals(const std::string& path, std::int64_t session) {
    store::OpenDesc od;
    od.path = path;
    auto db = store::Database::open(od);
    REQUIRE(db);
    store::Records records(**db);
    auto a = records.attendance(session);
    REQUIRE(a);
    return *a;
}

} // namespace

TEST_CASE("joins and leaves in a session's window become its attendance intervals", "[session][attendance][threads]") {
    const testing::TempDir tmp;
    REQUIRE(tmp.ok());
    const std::string path = tmp.file("clinic.db");
    const std::int64_t session = makeSession(path);
    World w(path, kStart - 5 * 60); // five minutes before the start: the lobby is open
    w.add("Nguyễn Thị Lan", core::Role::Spoke);
    w.add("Dr Ørsted", core::Role::Facilitator);
    w.run(2.0);
    REQUIRE(w.server->clientCount() == 2);
    w.run(25.0); // heartbeats at 10 s intervals
    w.leave(0);
    w.settle();
    const auto a = intervals(path, session);
    REQUIRE(a.size() == 2);
    for (const auto& i : a) {
        CHECK(i.joinedAt >= kStart - 300);
        CHECK(i.joinedAt <= kStart - 298);
        CHECK(i.kind == store::AttendanceKind::Live);
        CHECK_FALSE(i.interrupted);
    }
    const auto& lan = a[0].displayName == "Nguyễn Thị Lan" ? a[0] : a[1];
    const auto& orsted = a[0].displayName == "Nguyễn Thị Lan" ? a[1] : a[0];
    CHECK(lan.role == core::Role::Spoke);
    CHECK(lan.leftAt >= kStart - 300 + 27);
    CHECK(orsted.leftAt == 0);                  // still in
    CHECK(orsted.lastSeen >= kStart - 300 + 20); // heartbeated
    CHECK(w.attendance->counters().opened == 2);
    CHECK(w.attendance->counters().closed == 1);
}

TEST_CASE("a join outside any session is counted, not recorded", "[session][attendance][threads]") {
    const testing::TempDir tmp;
    REQUIRE(tmp.ok());
    const std::string path = tmp.file("clinic.db");
    const std::int64_t session = makeSession(path);
    World w(path, kStart - 3 * 3600); // hours before the lobby opens
    w.add("Early Bird", core::Role::Spoke);
    w.run(2.0);
    REQUIRE(w.server->clientCount() == 1);
    w.leave(0);
    w.settle();
    CHECK(intervals(path, session).empty());
    CHECK(w.attendance->counters().outsideSession == 1);
    CHECK(w.attendance->counters().opened == 0);
}

TEST_CASE("after a crash the next start closes open intervals at their last heartbeat, interrupted", "[session][attendance][threads]") {
    const testing::TempDir tmp;
    REQUIRE(tmp.ok());
    const std::string path = tmp.file("clinic.db");
    const std::int64_t session = makeSession(path);
    std::int64_t lastSeen = 0;
    {
        World w(path, kStart);
        w.add("Spoke A", core::Role::Spoke);
        w.add("Spoke B", core::Role::Spoke);
        w.run(35.0);
        w.settle();
        const auto a = intervals(path, session);
        REQUIRE(a.size() == 2);
        lastSeen = a[0].lastSeen;
        CHECK(lastSeen >= kStart + 30);
        // The process dies here: no leave, no closeAll.
    }
    CHECK(intervals(path, session)[0].leftAt == 0);
    World again(path, kStart + 600);
    again.settle();
    CHECK(again.attendance->counters().interrupted == 2);
    for (const auto& i : intervals(path, session)) {
        CHECK(i.interrupted);
        CHECK(i.leftAt == lastSeen);
    }
}

// The roster, not the token, decides (the permitted path, with a person on
// the roster, runs in tests/integration/test_clinic_server.cpp): on the
// loopback twin nobody has a user id, so nobody is on the roster.
TEST_CASE("SessionExtend: a spoke is refused by its role, a facilitator not on the roster by the roster; both audited", "[session][extend][threads]") {
    const testing::TempDir tmp;
    REQUIRE(tmp.ok());
    const std::string path = tmp.file("clinic.db");
    const std::int64_t session = makeSession(path);
    World w(path, kStart + 3000);
    ClientSession& spoke = w.add("Spoke", core::Role::Spoke);
    ClientSession& host = w.add("Facilitator", core::Role::Facilitator);
    w.run(2.0);
    REQUIRE(w.server->clientCount() == 2);
    const std::uint64_t before = w.sessions->openUntil("hcv");
    CHECK(before == static_cast<std::uint64_t>(kStart + 3600 + 30 * 60));
    spoke.requestExtendSession(30);
    host.requestExtendSession(20);
    w.run(1.0);
    w.settle();
    w.run(0.5); // the refusal reaches the client
    CHECK(w.server->counters().extendsAsked == 1);   // the token's role let it through to the job
    CHECK(w.server->counters().extendsRefused == 2);
    CHECK(w.sessions->extensions() == 0);
    CHECK(w.sessions->openUntil("hcv") == before);
    CHECK(spoke.stats().refusals == 1);
    CHECK(host.stats().refusals == 1);
    store::OpenDesc od;
    od.path = path;
    auto db = store::Database::open(od);
    REQUIRE(db);
    store::Records records(**db);
    auto s = records.session(session);
    REQUIRE(s);
    CHECK(s->extendedUntil == 0);
    auto rows = records.auditRows(1, 0);
    REQUIRE(rows);
    int roster = 0, refused = 0, done = 0;
    for (const auto& r : *rows) {
        if (r.kind == "SessionExtended" && r.text.find("outcome=refused: not on the program's roster") != std::string::npos) ++roster;
        if (r.kind == "SessionExtended" && r.text.find("outcome=done") != std::string::npos) ++done;
        if (r.kind == "IntentRefused" && r.text.find("extend a session") != std::string::npos) ++refused;
    }
    CHECK(roster == 1);
    CHECK(done == 0);
    CHECK(refused == 1);
    const auto rep = verifyAuditDb(**db, testKey());
    REQUIRE(rep);
    CHECK(rep->ok());
}

TEST_CASE("a leave and closeAll in a batch whose commit fails are still written on the rerun", "[session][attendance][threads]") {
    const testing::TempDir tmp;
    REQUIRE(tmp.ok());
    const std::string path = tmp.file("clinic.db");
    const std::int64_t session = makeSession(path);
    World w(path, kStart - 5 * 60);
    w.add("Nguyễn Thị Lan", core::Role::Spoke);
    w.add("Dr Ørsted", core::Role::Facilitator);
    w.run(2.0);
    REQUIRE(w.server->clientCount() == 2);
    {
        WriterHold hold(*w.writer);
        w.leave(0);                      // its job waits behind the hold
        postCommitFailure(*w.writer);    // ... and its batch does not commit
    }
    w.settle();
    auto a = intervals(path, session);
    REQUIRE(a.size() == 2);
    const auto lanOf = [](const std::vector<store::AttendanceInterval>& v) { return v[0].displayName == "Dr Ørsted" ? v[1] : v[0]; };
    const std::int64_t leftAt = lanOf(a).leftAt;
    CHECK(leftAt >= kStart - 300 + 2);
    CHECK(w.attendance->counters().closed == 1);
    w.run(25.0); // heartbeats: her row is closed, they leave it alone
    a = intervals(path, session);
    CHECK(lanOf(a).leftAt == leftAt);
    CHECK(lanOf(a).lastSeen == leftAt);

    {
        WriterHold hold(*w.writer);
        w.attendance->closeAll(w.unix());
        postCommitFailure(*w.writer);
    }
    w.settle();
    for (const auto& i : intervals(path, session)) {
        INFO(i.displayName);
        CHECK(i.leftAt != 0);
    }
    CHECK(w.attendance->counters().closed == 2);
}

TEST_CASE("a join whose rerun fails is not credited, and its leave closes nobody else's row", "[session][attendance][threads]") {
    const testing::TempDir tmp;
    REQUIRE(tmp.ok());
    const std::string path = tmp.file("clinic.db");
    const std::int64_t session = makeSession(path);
    World w(path, kStart - 5 * 60);
    const Flag trap = std::make_shared<std::atomic<bool>>(false);
    installTrap(*w.writer, trap);
    w.add("Nguyễn Thị Lan", core::Role::Spoke);
    w.run(2.0);
    REQUIRE(w.server->clientCount() == 1);
    {
        WriterHold hold(*w.writer);
        w.add("Ghost", core::Role::Spoke);
        w.run(2.0);
        REQUIRE(w.server->clientCount() == 2); // joined: the interval's job waits behind the hold
        postCommitFailure(*w.writer, trap);    // the batch fails, and so does the join's rerun
    }
    w.settle();
    CHECK_FALSE(trap->load());
    REQUIRE(intervals(path, session).size() == 1); // the ghost's row was rolled back
    CHECK(w.attendance->counters().opened == 1);
    CHECK(w.attendance->counters().failed >= 1);
    // The next row may take the rolled-back row's id; the ghost's leave must not close it.
    w.add("Dr Ørsted", core::Role::Facilitator);
    w.run(2.0);
    REQUIRE(w.server->clientCount() == 3);
    w.leave(1);
    w.run(15.0); // past the heartbeat at +20 s
    w.settle();
    const auto a = intervals(path, session);
    REQUIRE(a.size() == 2);
    for (const auto& i : a) {
        INFO(i.displayName);
        CHECK(i.displayName != "Ghost");
        CHECK(i.leftAt == 0);
        CHECK(i.lastSeen >= kStart - 300 + 20); // still heartbeated
    }
    CHECK(w.attendance->counters().opened == 2);
    CHECK(w.attendance->counters().closed == 0);
}

TEST_CASE("a leave whose write fails is written at the next heartbeat, at the time of the leave", "[session][attendance][threads]") {
    const testing::TempDir tmp;
    REQUIRE(tmp.ok());
    const std::string path = tmp.file("clinic.db");
    const std::int64_t session = makeSession(path);
    World w(path, kStart - 5 * 60);
    const Flag trap = std::make_shared<std::atomic<bool>>(false);
    installTrap(*w.writer, trap);
    w.add("Nguyễn Thị Lan", core::Role::Spoke);
    w.add("Dr Ørsted", core::Role::Facilitator);
    w.run(2.0);
    REQUIRE(w.server->clientCount() == 2);
    {
        WriterHold hold(*w.writer);
        w.leave(0);
        postCommitFailure(*w.writer, trap); // the leave's rerun fails too
    }
    w.settle();
    const auto lanOf = [](const std::vector<store::AttendanceInterval>& v) { return v[0].displayName == "Dr Ørsted" ? v[1] : v[0]; };
    REQUIRE(intervals(path, session).size() == 2);
    CHECK(lanOf(intervals(path, session)).leftAt == 0); // not written yet
    CHECK(w.attendance->counters().failed >= 1);
    w.run(12.0); // past the next heartbeat
    w.settle();
    const auto lan = lanOf(intervals(path, session));
    CHECK(lan.leftAt >= kStart - 300 + 2);
    CHECK(lan.leftAt <= kStart - 300 + 3); // the leave's time, not the heartbeat's
    CHECK(lan.lastSeen == lan.leftAt);     // never heartbeated past it
    CHECK(w.attendance->counters().closed == 1);
}
