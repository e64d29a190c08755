// engine/record: round trips, seeking, refusals, file mode, no I/O on append.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <fstream>

#include "record_fixture.h"
#include "temp_dir.h"

using namespace caseroom;
using namespace caseroom::record;
using namespace caseroom::record::testing;
using caseroom::testing::TempDir;

namespace {

// Records ticks [first, last] with keyframes every `keyEvery` ticks, a mark
// and a pause/resume; returns what was written, in order.
struct Written {
    std::vector<TickRecord> ticks;
    std::vector<Keyframe> keyframes;
    std::vector<Mark> marks;
    std::vector<Pause> pauses;
};

Written writeSample(const std::string& path, std::uint32_t first, std::uint32_t last, std::uint32_t keyEvery, bool close,
               std::uint32_t flushTicks = 15) {
    Written w;
    WriterConfig c;
    c.path = path;
    c.key = testKey();
    c.info = sampleInfo();
    c.flushTicks = flushTicks;
    c.syncEachBlock = false;
    auto writer = RecordingWriter::create(c);
    REQUIRE(writer.ok());
    for (std::uint32_t t = first; t <= last; ++t) {
        if ((t - first) % keyEvery == 0) {
            w.keyframes.push_back(sampleKeyframe(t));
            (*writer)->keyframe(w.keyframes.back());
            continue;
        }
        if (t % 97 == 0) {
            w.marks.push_back({t, 2, std::uint16_t(t / 97), "case " + std::to_string(t / 97)});
            (*writer)->mark(w.marks.back());
        }
        w.ticks.push_back(sampleTick(t));
        (*writer)->append(w.ticks.back());
    }
    if (close) REQUIRE((*writer)->close().ok());
    else (*writer)->flush();
    (void)close;
    return w;
}

struct ReadBack {
    std::vector<TickRecord> ticks;
    std::vector<Keyframe> keyframes;
    std::vector<Mark> marks;
    std::vector<Pause> pauses;
};

ReadBack readAll(RecordingReader& r) {
    ReadBack out;
    for (std::size_t i = 0; i < r.blocks().size(); ++i) {
        auto b = r.read(i);
        INFO((b.ok() ? std::string() : b.error().message));
        REQUIRE(b.ok());
        for (auto& t : b->ticks) out.ticks.push_back(t);
        for (auto& m : b->marks) out.marks.push_back(m);
        for (auto& p : b->pauses) out.pauses.push_back(p);
        if (b->keyframe) out.keyframes.push_back(*b->keyframe);
    }
    return out;
}

} // namespace

TEST_CASE("every content type and the info round trip") {
    TempDir dir;
    const auto path = dir.file("a.crrec");
    auto w = writeSample(path, 100, 700, 300, true);
    auto r = RecordingReader::open(path, testKey());
    INFO((r.ok() ? std::string() : r.error().message));
    REQUIRE(r.ok());
    CHECK((*r)->info() == sampleInfo());
    CHECK((*r)->summary().closed);
    CHECK((*r)->summary().damage.empty());
    auto back = readAll(**r);
    CHECK(back.ticks == w.ticks);
    CHECK(back.keyframes == w.keyframes);
    CHECK(back.marks == w.marks);
    CHECK((*r)->summary().marks == w.marks);
    CHECK((*r)->summary().firstTick == 100);
    CHECK((*r)->summary().lastTick == 700);
    CHECK(!(*r)->summary().everyone.empty());
    REQUIRE((*r)->verifyAll().ok());
    std::uint64_t voice = 0;
    for (const auto& t : w.ticks) for (const auto& v : t.voice) voice += v.opus.size();
    CHECK((*r)->summary().voiceBytes == voice);
    CHECK((*r)->summary().stateBytes > 0);
}

TEST_CASE("keyframeAtOrBefore finds the last keyframe at or before a tick") {
    TempDir dir;
    const auto path = dir.file("k.crrec");
    (void)writeSample(path, 100, 1000, 300, true);
    auto r = RecordingReader::open(path, testKey());
    REQUIRE(r.ok());
    auto& rd = **r;
    CHECK(!rd.keyframeAtOrBefore(99).has_value());
    for (std::uint32_t t : {100u, 101u, 399u, 400u, 401u, 699u, 700u, 1000u, 5000u}) {
        auto k = rd.keyframeAtOrBefore(t);
        REQUIRE(k.has_value());
        auto b = rd.read(*k);
        REQUIRE(b.ok());
        REQUIRE(b->keyframe.has_value());
        CHECK(b->keyframe->tick == 100 + (std::min(t, 1000u) - 100) / 300 * 300);
    }
}
