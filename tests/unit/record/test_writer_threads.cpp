// The writer's caller/worker hand-off under load (label "threads": the tsan
// preset runs it): one block per tick, stats() read while the worker writes,
// close() racing the last blocks. Everything appended comes back.
#include <catch2/catch.hpp>

#include "record_fixture.h"
#include "temp_dir.h"

using namespace caseroom::record;
using namespace caseroom::record::testing;
using caseroom::testing::TempDir;

TEST_CASE("one block per tick: the worker writes all of it while the caller appends and reads stats") {
    TempDir dir;
    for (bool sync : {false, true}) {
        const auto path = dir.file(sync ? "s.crrec" : "n.crrec");
        WriterConfig c;
        c.path = path;
        c.key = testKey();
        c.flushTicks = 1;
        c.syncEachBlock = sync;
        auto w = RecordingWriter::create(c);
        REQUIRE(w.ok());
        const std::uint32_t n = sync ? 60 : 2000;
        std::uint64_t seenBytes = 0;
        for (std::uint32_t t = 1; t <= n; ++t) {
            if (t % 100 == 1) (*w)->keyframe(sampleKeyframe(t));
            else (*w)->append(sampleTick(t));
            auto s = (*w)->stats();
            CHECK(s.fileBytes >= seenBytes);   // the worker's count only grows
            seenBytes = s.fileBytes;
            CHECK(s.error.empty());
        }
        REQUIRE((*w)->close().ok());
        CHECK((*w)->stats().queuedBlocks == 0);
        CHECK((*w)->close().ok());  // idempotent
        auto r = RecordingReader::open(path, testKey());
        REQUIRE(r.ok());
        CHECK((*r)->blocks().size() == n);
        CHECK((*r)->summary().lastTick == n);
        REQUIRE((*r)->verifyAll().ok());
    }
}

TEST_CASE("the destructor closes: the index is there") {
    TempDir dir;
    const auto path = dir.file("d.crrec");
    {
        WriterConfig c;
        c.path = path;
        c.key = testKey();
        auto w = RecordingWriter::create(c);
        REQUIRE(w.ok());
        for (std::uint32_t t = 1; t <= 100; ++t) (*w)->append(sampleTick(t));
    }
    auto r = RecordingReader::open(path, testKey());
    REQUIRE(r.ok());
    CHECK((*r)->summary().closed);
    CHECK((*r)->summary().lastTick == 100);
}
