// kill -9 while writing: a child commits attendance rows through the Writer
// and acknowledges each on stdout only after its commit; the test kills it
// with SIGKILL once 200 or more are acknowledged, reopens the file and finds
// every acknowledged row, an intact database (integrity_check "ok") and a
// database that takes the next write. Three times over the same file.
// What this cannot show: power loss. A killed process keeps every WAL frame
// it wrote in the kernel's page cache whether synchronous is FULL or NORMAL;
// only FULL also waits for the disk at each commit. That the pragma is FULL
// on every connection is test_database.cpp's check.
#include <catch2/catch.hpp>

#include <set>
#include <sstream>

#include "integration/process.h"
#include "store/database.h"
#include "store/records.h"
#include "temp_dir.h"

using namespace caseroom;
using namespace caseroom::store;
using namespace caseroom::testing;

namespace {

// The ids on complete "ack N" lines (a line cut by the kill is not one).
std::vector<std::int64_t> acked(const std::string& out) {
    std::vector<std::int64_t> ids;
    std::istringstream in(out);
    std::string line;
    while (std::getline(in, line)) {
        if (in.eof()) break;   // no newline after it: cut
        long long id = 0;
        if (std::sscanf(line.c_str(), "ack %lld", &id) == 1) ids.push_back(id);
    }
    return ids;
}

} // namespace

TEST_CASE("every acknowledged row survives kill -9, three times over") {
    TempDir dir;
    const std::string dbPath = dir.file("clinic.db");
    std::set<std::int64_t> all;
    for (int round = 0; round < 3; ++round) {
        INFO("round " << round);
        const std::string outFile = dir.file(("child" + std::to_string(round) + ".out").c_str());
        Proc child(spawnLogged({CASEROOM_STORE_CRASH_CHILD, dbPath}, outFile));
        REQUIRE(child.pid > 0);
        std::vector<std::int64_t> ids;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
        while (ids.size() < 200 && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
            ids = acked(slurp(outFile));
            int status = 0;
            if (waitpid(child.pid, &status, WNOHANG) == child.pid) {
                child.pid = -1;
                FAIL("the child exited early: " << slurp(outFile));
            }
        }
        INFO(slurp(outFile).substr(0, 2000));
        REQUIRE(ids.size() >= 200);
        REQUIRE(kill(child.pid, SIGKILL) == 0);
        int status = 0;
        REQUIRE(waitpid(child.pid, &status, 0) == child.pid);
        child.pid = -1;
        CHECK(WIFSIGNALED(status));
        ids = acked(slurp(outFile));   // what it acknowledged up to its death
        all.insert(ids.begin(), ids.end());

        auto db = Database::open({.path = dbPath});
        INFO((db.ok() ? std::string() : db.error().message));
        REQUIRE(db.ok());
        auto integrity = (*db)->prepare("PRAGMA integrity_check");
        REQUIRE(integrity.ok());
        REQUIRE(integrity->step());
        CHECK(integrity->text(0) == "ok");
        auto has = (*db)->prepare("SELECT count(*) FROM attendance WHERE id = ?1");
        REQUIRE(has.ok());
        std::size_t missing = 0;
        for (std::int64_t id : all) {
            has->reset();
            has->bind(1, id);
            REQUIRE(has->step());
            if (has->int64(0) != 1) ++missing;
        }
        CHECK(missing == 0);
        // The next write works, and the crash's open intervals can be closed.
        Records r(**db);
        auto sessions = r.sessions(r.programByCode("crash")->id);
        REQUIRE(sessions.ok());
        REQUIRE_FALSE(sessions->empty());
        AttendanceInterval a;
        a.sessionId = sessions->back().id;
        a.displayName = "after the crash";
        a.joinedAt = 1;
        CHECK(r.openInterval(a).ok());
        auto closed = r.closeInterrupted();
        REQUIRE(closed.ok());
        CHECK(*closed >= 1);
    }
    CHECK(all.size() >= 600);
}
