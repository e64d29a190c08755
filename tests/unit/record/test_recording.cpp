// engine/record: round trips, seeking, refusals, file mode, no I/O on append.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/resource.h>
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
    // Video: every fragment back as written (in back.ticks == w.ticks), counted by verifyAll.
    std::uint64_t video = 0, fragments = 0;
    for (const auto& t : w.ticks) for (const auto& v : t.video) { video += v.wire.size(); ++fragments; }
    REQUIRE(fragments > 0);
    CHECK((*r)->summary().videoFragments == fragments);
    CHECK((*r)->summary().videoBytes == video);
    CHECK((*r)->summary().version == kFormatVersion);
}

TEST_CASE("video fragments: kept up to the limit, counted by the writer; longer or empty ones dropped") {
    TempDir dir;
    WriterConfig c;
    c.path = dir.file("v.crrec");
    c.key = testKey();
    c.info = sampleInfo();
    c.syncEachBlock = false;
    auto w = RecordingWriter::create(c);
    REQUIRE(w.ok());
    TickRecord t;
    t.tick = 100;
    t.video.push_back({10, 5, bytesOf(kMaxVideoWireBytes, 1)});      // the largest fragment message
    t.video.push_back({11, 5, bytesOf(kMaxVideoWireBytes + 1, 2)});  // longer than any message: dropped
    t.video.push_back({11, 5, {}});                                   // empty: dropped
    t.video.push_back({12, 0, bytesOf(20, 3)});
    (*w)->append(t);
    const auto s = (*w)->stats();
    CHECK(s.videoFragments == 2);
    CHECK(s.videoBytes == kMaxVideoWireBytes + 20);
    REQUIRE((*w)->close().ok());
    auto r = RecordingReader::open(c.path, testKey());
    REQUIRE(r.ok());
    auto back = readAll(**r);
    REQUIRE(back.ticks.size() == 1);
    const auto& v = back.ticks[0].video;
    REQUIRE(v.size() == 2);
    CHECK(v[0] == t.video[0]);
    CHECK(v[1] == t.video[3]);
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

TEST_CASE("many blocks: every tick back, in order, blocks in tick order") {
    TempDir dir;
    const auto path = dir.file("many.crrec");
    auto w = writeSample(path, 1, 3000, 300, true, 4);
    auto r = RecordingReader::open(path, testKey());
    REQUIRE(r.ok());
    CHECK((*r)->blocks().size() > 600);
    auto back = readAll(**r);
    CHECK(back.ticks == w.ticks);
    CHECK(back.keyframes.size() == 10);
    for (std::size_t i = 1; i < (*r)->blocks().size(); ++i)
        CHECK((*r)->blocks()[i].firstTick > (*r)->blocks()[i - 1].lastTick);
}

TEST_CASE("an existing path is refused, naming it; the file is 0600") {
    TempDir dir;
    const auto path = dir.file("x.crrec");
    WriterConfig c;
    c.path = path;
    c.key = testKey();
    {
        auto w = RecordingWriter::create(c);
        REQUIRE(w.ok());
        struct stat st {};
        REQUIRE(::stat(path.c_str(), &st) == 0);
        CHECK((st.st_mode & 0777) == 0600);
    }
    auto again = RecordingWriter::create(c);
    REQUIRE(!again.ok());
    CHECK_THAT(again.error().message, Catch::Contains(path));
    CHECK_THAT(again.error().message, Catch::Contains("exists"));
}

TEST_CASE("a wrong key is refused with both key ids") {
    TempDir dir;
    const auto path = dir.file("k.crrec");
    (void)writeSample(path, 1, 40, 30, true);
    auto r = RecordingReader::open(path, testKey(8));
    REQUIRE(!r.ok());
    CHECK_THAT(r.error().message, Catch::Contains("recorded under another key (id "));
    CHECK_THAT(r.error().message, Catch::Contains(path));
}

TEST_CASE("not a recording, another version: clear errors naming the file") {
    TempDir dir;
    const auto path = dir.file("n.crrec");
    spitBytes(path, std::vector<std::uint8_t>(100, 'x'));
    auto r = RecordingReader::open(path, testKey());
    REQUIRE(!r.ok());
    CHECK_THAT(r.error().message, Catch::Contains(path) && Catch::Contains("bad magic"));
    spitBytes(path, {});
    r = RecordingReader::open(path, testKey());
    REQUIRE(!r.ok());
    CHECK_THAT(r.error().message, Catch::Contains("too short"));
}

TEST_CASE("the recording key is a key file: created 0600, refused when others can read it") {
    TempDir dir;
    const auto path = dir.file("recording.key");
    CHECK(!loadRecordingKey(path, false).ok()); // missing, not asked to create
    auto k = loadRecordingKey(path, true);
    REQUIRE(k.ok());
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    auto again = loadRecordingKey(path, false);
    REQUIRE(again.ok());
    CHECK(*again == *k);
    REQUIRE(::chmod(path.c_str(), 0644) == 0);
    auto open = loadRecordingKey(path, false);
    REQUIRE(!open.ok());
    CHECK_THAT(open.error().message, Catch::Contains(path));
}

TEST_CASE("policy names round trip") {
    for (auto p : {Policy::Never, Policy::DidacticOnly, Policy::WholeSession}) CHECK(policyFromString(toString(p)) == p);
    CHECK(!policyFromString("sometimes").has_value());
}

TEST_CASE("append does no I/O: a partial block stays in memory until flush") {
    TempDir dir;
    WriterConfig c;
    c.path = dir.file("io.crrec");
    c.key = testKey();
    c.flushTicks = 1000;
    auto w = RecordingWriter::create(c);
    REQUIRE(w.ok());
    const auto before = (*w)->stats().fileBytes;
    const auto size0 = slurpBytes(c.path).size();
    CHECK(size0 == before);
    for (std::uint32_t t = 1; t <= 20; ++t) (*w)->append(sampleTick(t));
    auto s = (*w)->stats();
    CHECK(s.fileBytes == before);
    CHECK(s.blocks == 0);
    CHECK(s.queuedBlocks == 0);
    CHECK(s.ticks == 20);
    CHECK(s.avatarBytes > 0);
    CHECK(s.voiceBytes == 10 * 70);
    CHECK(slurpBytes(c.path).size() == size0);
    REQUIRE((*w)->close().ok());
    CHECK((*w)->stats().fileBytes > before);
    CHECK((*w)->stats().blocks == 1);
}

TEST_CASE("after a pause nothing is kept until the next keyframe") {
    TempDir dir;
    const auto path = dir.file("p.crrec");
    {
        WriterConfig c;
        c.path = path;
        c.key = testKey();
        auto w = RecordingWriter::create(c);
        REQUIRE(w.ok());
        (*w)->keyframe(sampleKeyframe(1));
        (*w)->append(sampleTick(2));
        (*w)->pause({3, 4, 0});
        (*w)->append(sampleTick(4)); // dropped: paused
        (*w)->keyframe(sampleKeyframe(10));
        (*w)->append(sampleTick(11));
        REQUIRE((*w)->close().ok());
    }
    auto r = RecordingReader::open(path, testKey());
    REQUIRE(r.ok());
    auto back = readAll(**r);
    REQUIRE(back.ticks.size() == 2);
    CHECK(back.ticks[0].tick == 2);
    CHECK(back.ticks[1].tick == 11);
    REQUIRE(back.pauses.size() == 1);
    CHECK(back.pauses[0] == Pause{3, 4, 0});
    CHECK((*r)->summary().pauses == back.pauses);
}

TEST_CASE("a stolen file reveals nothing: no name, room, text or voice byte in the clear") {
    TempDir dir;
    const auto path = dir.file("s.crrec");
    {
        WriterConfig c;
        c.path = path;
        c.key = testKey();
        c.info = sampleInfo();
        auto w = RecordingWriter::create(c);
        REQUIRE(w.ok());
        TickRecord t = sampleTick(1);
        t.joined = {{3, 1, core::Role::Spoke, "Dr. Zebediah Quist"}};
        t.events = {{1, 3, 0xFFFF, 0, 0, "patient Marguerite"}};
        t.voice = {{0, 3, 1, 5, 20, false, std::vector<std::uint8_t>(64, 0x5A)}};
        (*w)->append(t);
        (*w)->mark({1, 1, 0, "didactic session label"});
        REQUIRE((*w)->close().ok());
    }
    const auto file = slurpBytes(path);
    const std::string text(file.begin(), file.end());
    for (const char* secret : {"Zebediah", "Marguerite", "ECHO-7", "Hepatitis", "[room", "didactic session"})
        CHECK(text.find(secret) == std::string::npos);
    CHECK(text.find(std::string(16, '\x5A')) == std::string::npos);
}

TEST_CASE("an I/O error is kept, later appends are dropped, close returns it") {
    TempDir dir;
    WriterConfig c;
    c.path = dir.file("full.crrec");
    c.key = testKey();
    c.flushTicks = 1;
    auto w = RecordingWriter::create(c);
    REQUIRE(w.ok());
    // A file size limit just past what is written: the next blocks hit EFBIG.
    struct rlimit old {};
    REQUIRE(::getrlimit(RLIMIT_FSIZE, &old) == 0);
    auto oldSig = ::signal(SIGXFSZ, SIG_IGN);
    struct rlimit small = old;
    small.rlim_cur = (*w)->stats().fileBytes + 3000;
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
    for (std::uint32_t t = 1; t <= 200; ++t) (*w)->append(sampleTick(t));
    auto closed = (*w)->close();
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &old) == 0);
    ::signal(SIGXFSZ, oldSig);
    REQUIRE(!closed.ok());
    CHECK_THAT(closed.error().message, Catch::Contains(c.path) && Catch::Contains("write"));
    CHECK(!(*w)->stats().error.empty());
    CHECK((*w)->stats().blocks < 200);
    (*w)->append(sampleTick(300));  // accepted, dropped, no crash
    CHECK(!(*w)->close().ok());
    // What was written before the error still reads.
    auto r = RecordingReader::open(c.path, testKey());
    REQUIRE(r.ok());
    CHECK((*r)->blocks().size() == (*w)->stats().blocks);
    CHECK(!(*r)->summary().closed);
}
