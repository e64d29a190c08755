// The server's writer thread on a real file (label "threads": runs under
// TSan): many jobs from the owner all land; a failing or throwing job is
// rolled back alone and the others in its batch commit; replies run only on
// the owner, in drainReplies(), and only after their batch is committed
// (another connection already sees the row); flush() waits for everything
// posted; the destructor commits what is queued; a database held locked by
// another process fails the jobs with a reason instead of losing them quietly.
#include <catch2/catch.hpp>

#include <atomic>
#include <future>
#include <thread>

#include "store/database.h"
#include "store/records.h"
#include "store/writer.h"
#include "temp_dir.h"

using namespace caseroom;
using namespace caseroom::store;
using caseroom::testing::TempDir;

namespace {

struct Fixture {
    TempDir dir;
    std::string path = dir.file("clinic.db");
    std::int64_t sessionId = 0;
    Fixture() {
        auto db = Database::open({.path = path});
        REQUIRE(db.ok());
        Records r(**db);
        Program p;
        p.code = "hcv";
        p.name = "Hepatitis C ECHO";
        auto prog = r.createProgram(p, Actor{}, 1);
        REQUIRE(prog.ok());
        Session s;
        s.programId = *prog;
        s.title = "w1";
        s.startUtc = 1000;
        s.endUtc = 4600;
        auto sess = r.createSession(s, Actor{}, 1);
        REQUIRE(sess.ok());
        sessionId = *sess;
    }
    std::unique_ptr<Writer> start(int busyMs = 5000) {
        OpenDesc d;
        d.path = path;
        d.busyTimeoutMs = busyMs;
        auto w = Writer::start(d);
        INFO((w.ok() ? std::string() : w.error().message));
        REQUIRE(w.ok());
        return std::move(*w);
    }
    std::unique_ptr<Database> reader() {
        auto db = Database::open({.path = path});
        REQUIRE(db.ok());
        return std::move(*db);
    }
};

std::int64_t countWhere(Database& db, const std::string& where) {
    auto st = db.prepare("SELECT count(*) FROM attendance WHERE " + where);
    REQUIRE(st.ok());
    REQUIRE(st->step());
    return st->int64(0);
}

// A job that records one join named `name`.
Writer::Job join(std::int64_t session, std::string name) {
    return [session, name = std::move(name)](Database& db) -> core::Status {
        Records r(db);
        AttendanceInterval a;
        a.sessionId = session;
        a.displayName = name;
        a.joinedAt = 1000;
        auto id = r.openInterval(a);
        if (!id) return id.error();
        return {};
    };
}

} // namespace

TEST_CASE("writer: thousands of jobs posted by the owner are all committed, in few batches") {
    Fixture f;
    auto w = f.start();
    constexpr int kJobs = 3000;
    int replies = 0, failures = 0;
    for (int i = 0; i < kJobs; ++i)
        w->post(join(f.sessionId, "p" + std::to_string(i)), [&](const core::Status& s) {
            ++replies;
            if (!s.ok()) ++failures;
        });
    w->flush();
    w->drainReplies();
    CHECK(replies == kJobs);
    CHECK(failures == 0);
    const WriterStats st = w->stats();
    CHECK(st.jobs == kJobs);
    CHECK(st.failed == 0);
    CHECK(st.batches >= 1);
    CHECK(st.batches <= st.jobs);
    CHECK(st.queuedMax >= 1);
    CHECK(st.lastCommitMs >= 0.0);
    auto db = f.reader();
    CHECK(countWhere(*db, "1") == kJobs);
}

TEST_CASE("writer: a failing job and a throwing job are rolled back alone; their batch commits the rest") {
    Fixture f;
    auto w = f.start();
    // Hold the worker inside a first job so the next ones wait and form one batch.
    std::promise<void> release;
    std::shared_future<void> gate = release.get_future().share();
    std::atomic<bool> holding{false};
    w->post([gate, &holding](Database&) -> core::Status {
        holding = true;
        gate.wait();
        return {};
    });
    while (!holding) std::this_thread::yield();

    std::vector<std::pair<std::string, core::Status>> got;
    auto reply = [&](std::string tag) { return [&got, tag](const core::Status& s) { got.emplace_back(tag, s); }; };
    w->post(join(f.sessionId, "before"), reply("before"));
    w->post(
        [s = f.sessionId](Database& db) -> core::Status {
            auto inner = join(s, "failing")(db);   // writes, then fails: the write must go
            if (!inner.ok()) return inner;
            return core::Error{"refused by the job"};
        },
        reply("failing"));
    w->post([](Database&) -> core::Status { throw std::runtime_error("boom"); }, reply("throwing"));
    w->post(join(999, "orphan"), reply("orphan"));   // no such session: the store's own error
    w->post(join(f.sessionId, "after"), reply("after"));
    release.set_value();
    w->flush();

    CHECK(got.empty());   // replies wait for the owner
    CHECK(w->drainReplies() == 5);
    REQUIRE(got.size() == 5);
    CHECK(got[0].first == "before");
    CHECK(got[0].second.ok());
    CHECK(got[1].first == "failing");
    REQUIRE_FALSE(got[1].second.ok());
    CHECK(got[1].second.error().message == "refused by the job");
    CHECK(got[2].first == "throwing");
    REQUIRE_FALSE(got[2].second.ok());
    CHECK(got[2].second.error().message.find("boom") != std::string::npos);
    REQUIRE_FALSE(got[3].second.ok());
    CHECK(got[3].second.error().message.find("session 999") != std::string::npos);
    CHECK(got[4].second.ok());

    const WriterStats st = w->stats();
    CHECK(st.jobs == 6);
    CHECK(st.failed == 3);
    CHECK(st.batches == 2);   // the holding job's, then one for the five
    auto db = f.reader();
    CHECK(countWhere(*db, "display_name = 'before'") == 1);
    CHECK(countWhere(*db, "display_name = 'after'") == 1);
    CHECK(countWhere(*db, "display_name = 'failing'") == 0);
    CHECK(countWhere(*db, "1") == 2);
}

TEST_CASE("writer: a reply runs after its batch committed: another connection sees the row") {
    Fixture f;
    auto w = f.start();
    auto other = f.reader();
    int seen = -1;
    w->post(join(f.sessionId, "Nguyễn Thị Lan"), [&](const core::Status& s) {
        REQUIRE(s.ok());
        seen = static_cast<int>(countWhere(*other, "display_name = 'Nguyễn Thị Lan'"));
    });
    // Poll the way the server's tick does, without flush() (bounded: a lost reply fails, not hangs).
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (w->drainReplies() == 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    CHECK(seen == 1);
}

TEST_CASE("writer: flush waits for everything posted, from several rounds") {
    Fixture f;
    auto w = f.start();
    auto other = f.reader();
    for (int round = 1; round <= 5; ++round) {
        for (int i = 0; i < 50; ++i) w->post(join(f.sessionId, "r"));
        w->flush();
        CHECK(countWhere(*other, "1") == round * 50);
    }
    CHECK(w->drainReplies() == 0);   // no job asked for a reply
}

TEST_CASE("writer: the destructor commits every queued job") {
    Fixture f;
    {
        auto w = f.start();
        for (int i = 0; i < 500; ++i) w->post(join(f.sessionId, "queued"));
    }
    auto db = f.reader();
    CHECK(countWhere(*db, "display_name = 'queued'") == 500);
}

TEST_CASE("writer: a database locked by another writer for a while: the batch waits and is written") {
    Fixture f;
    auto w = f.start(250);  // 250 ms busy timeout: 12 tries give the test almost 3 s to let go
    auto admin = f.reader();
    std::vector<core::Status> got;
    auto holding = std::make_unique<Transaction>(*admin);   // caseroom-admin in the middle of a long import
    REQUIRE(holding->begun().ok());
    w->post(join(f.sessionId, "waited"), [&](const core::Status& s) { got.push_back(s); });
    // Let the writer fail at least one try, then release the lock.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (w->stats().busyRetries == 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    REQUIRE(w->stats().busyRetries > 0);
    REQUIRE(holding->commit().ok());
    holding.reset();
    w->flush();
    w->drainReplies();
    REQUIRE(got.size() == 1);
    CHECK(got[0].ok());
    CHECK(w->stats().failed == 0);
    CHECK(countWhere(*admin, "display_name = 'waited'") == 1);
}

TEST_CASE("writer: a database locked past every try fails the jobs with a reason, then works again") {
    Fixture f;
    auto w = f.start(20);
    auto admin = f.reader();
    std::vector<core::Status> got;
    {
        Transaction holding(*admin);
        REQUIRE(holding.begun().ok());
        w->post(join(f.sessionId, "blocked"), [&](const core::Status& s) { got.push_back(s); });
        w->flush();   // returns after kBusyAttempts tries of 20 ms each
    }
    w->drainReplies();
    REQUIRE(got.size() == 1);
    REQUIRE_FALSE(got[0].ok());
    CHECK(got[0].error().message.find("locked") != std::string::npos);
    CHECK(w->stats().failed == 1);
    CHECK(w->stats().busyRetries == static_cast<std::uint64_t>(Writer::kBusyAttempts - 1));
    w->post(join(f.sessionId, "later"), [&](const core::Status& s) { got.push_back(s); });
    w->flush();
    w->drainReplies();
    REQUIRE(got.size() == 2);
    CHECK(got[1].ok());
    CHECK(countWhere(*admin, "display_name = 'later'") == 1);
}

TEST_CASE("writer: start names the file when it cannot open it") {
    TempDir dir;
    OpenDesc d;
    d.path = dir.file("missing/clinic.db");
    auto w = Writer::start(d);
    REQUIRE_FALSE(w.ok());
    CHECK(w.error().message.find(d.path) != std::string::npos);
}

TEST_CASE("writer: the server's writer and an admin connection write one file at once, nothing lost") {
    Fixture f;
    auto w = f.start();
    int failures = 0;
    for (int i = 0; i < 200; ++i)
        w->post(
            [i](Database& db) -> core::Status {
                Records r(db);
                Person p;
                p.stableId = "server-" + std::to_string(i);
                p.name = "Ørsted " + std::to_string(i);
                auto id = r.upsertPerson(p, Actor{.personId = 0, .osUser = "", .via = "server"}, 10);
                if (!id) return id.error();
                return {};
            },
            [&failures](const core::Status& s) { failures += s.ok() ? 0 : 1; });
    // Meanwhile caseroom-admin, its own connection on this thread.
    auto admin = f.reader();
    Records r(*admin);
    for (int i = 0; i < 50; ++i) {
        Person p;
        p.stableId = "admin-" + std::to_string(i);
        p.name = "Nguyễn Thị Lan " + std::to_string(i);
        auto id = r.upsertPerson(p, Actor{.personId = 0, .osUser = "coord", .via = "caseroom-admin"}, 10);
        INFO((id.ok() ? std::string() : id.error().message));
        REQUIRE(id.ok());
    }
    w->flush();
    w->drainReplies();
    CHECK(failures == 0);
    auto people = admin->prepare("SELECT count(*) FROM people");
    REQUIRE(people.ok());
    REQUIRE(people->step());
    CHECK(people->int64(0) == 250);
    // One audit row per new person, numbered without gaps.
    auto rows = r.auditRows(1, 0);
    REQUIRE(rows.ok());
    std::int64_t expect = (*rows)[0].seq, persons = 0;
    for (const auto& row : *rows) {
        CHECK(row.seq == expect++);
        if (row.text.find("\trecord=person ") != std::string::npos) ++persons;
    }
    CHECK(persons == 250);
}
