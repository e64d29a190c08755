// kill -9 while recording: a child records at 30 Hz in real time and prints
// each tick after its append returned; the test kills it after about 1.7 s
// and opens the file. Every tick up to one second (30 ticks) before the last
// printed one must be there, and nothing after a lost tick is claimed. Three
// times, each a fresh file. What this cannot show: power loss (the child's
// writes sit in the page cache either way; fdatasync is syncEachBlock's).
#include <catch2/catch.hpp>

#include <set>
#include <sstream>

#include "integration/process.h"
#include "record_fixture.h"

using namespace caseroom;
using namespace caseroom::record;
using namespace caseroom::record::testing;
using namespace caseroom::testing;

namespace {

// The last complete "tick N" line (a line cut by the kill is not one).
std::uint32_t lastPrinted(const std::string& out) {
    std::uint32_t last = 0;
    std::istringstream in(out);
    std::string line;
    while (std::getline(in, line)) {
        if (in.eof()) break;
        unsigned t = 0;
        if (std::sscanf(line.c_str(), "tick %u", &t) == 1) last = t;
    }
    return last;
}

} // namespace

TEST_CASE("kill -9 while recording loses at most one second, three times over") {
    TempDir dir;
    for (int round = 0; round < 3; ++round) {
        INFO("round " << round);
        const std::string file = dir.file(("rec" + std::to_string(round) + ".crrec").c_str());
        const std::string outFile = dir.file(("child" + std::to_string(round) + ".out").c_str());
        Proc child(spawnLogged({CASEROOM_RECORD_CRASH_CHILD, file}, outFile));
        REQUIRE(child.pid > 0);
        // Kill at a different phase of the block each round: ~1.5 s plus a few ticks.
        const auto killAfter = std::chrono::milliseconds(1500 + 170 * round);
        const auto t0 = std::chrono::steady_clock::now();
        while (std::chrono::steady_clock::now() - t0 < killAfter) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
            int status = 0;
            if (waitpid(child.pid, &status, WNOHANG) == child.pid) {
                child.pid = -1;
                FAIL("the child exited early: " << slurp(outFile));
            }
        }
        REQUIRE(kill(child.pid, SIGKILL) == 0);
        int status = 0;
        REQUIRE(waitpid(child.pid, &status, 0) == child.pid);
        child.pid = -1;
        CHECK(WIFSIGNALED(status));
        const std::uint32_t last = lastPrinted(slurp(outFile));
        INFO(slurp(outFile).substr(0, 400));
        REQUIRE(last > 30);

        auto r = RecordingReader::open(file, testKey());
        INFO((r.ok() ? std::string() : r.error().message));
        REQUIRE(r.ok());
        std::set<std::uint32_t> kept;
        for (std::size_t i = 0; i < (*r)->blocks().size(); ++i) {
            auto b = (*r)->read(i);
            REQUIRE(b.ok());
            for (const auto& t : b->ticks) {
                CHECK(t == sampleTick(t.tick));
                kept.insert(t.tick);
            }
            if (b->keyframe) kept.insert(b->keyframe->tick);
        }
        std::uint32_t contiguous = 0;
        while (kept.count(contiguous + 1)) ++contiguous;
        CHECK(kept.size() == contiguous);   // no holes: what is kept is a prefix
        const std::uint32_t lost = last > contiguous ? last - contiguous : 0;
        WARN("round " << round << ": last appended tick " << last << ", kept through " << contiguous << ", lost "
                      << lost << " ticks (" << lost * 1000 / 30 << " ms)");
        CHECK(contiguous + 30 >= last);
        CHECK((*r)->summary().firstTick == 1);
    }
}
