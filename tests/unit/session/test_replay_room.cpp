// ReplayRoom (session/replay_room.h) over synthetic recordings written with
// record::RecordingWriter (unit/session/replay_fixture.h): playing shows what
// the room showed; seeking to a tick gives exactly the state playing up to it
// gives (across pauses, keyframes and block boundaries) and reads one
// keyframe block plus the blocks up to the tick; speed; voice in order and on
// time; the Replay/ReplayMark codecs; a truncated file plays up to the damage.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "temp_dir.h"
#include "sim/room.h"
#include "unit/session/replay_fixture.h"

using namespace caseroom;
using namespace caseroom::session;

namespace {
std::unique_ptr<record::RecordingReader> openReader(const std::string& path) {
    auto r = record::RecordingReader::open(path, testing::testRecordingKey());
    REQUIRE(r.ok());
    return std::move(*r);
}
double msOf(std::uint32_t tick, std::uint32_t first) { return (static_cast<double>(tick) - first) * 1000.0 / 30.0; }
} // namespace

TEST_CASE("replay: playing shows what the room showed; seeking anywhere gives the played state", "[replay]") {
    testing::TempDir tmp;
    const auto rec = testing::writeSyntheticRecording(tmp.file("r.rec"));
    REQUIRE(rec.expected.size() > 1000);
    auto reader = openReader(rec.path);
    REQUIRE(reader->summary().firstTick == rec.firstTick);
    REQUIRE(reader->summary().lastTick == rec.lastTick);
    ReplayRoom play(*reader);
    CHECK(play.recordedSlots() == 5);
    CHECK(play.paused());
    CHECK(play.position() == rec.firstTick);
    CHECK(play.state() == rec.expected.at(rec.firstTick));

    auto reader2 = openReader(rec.path);
    ReplayRoom seeker(*reader2);
    play.play();
    std::map<std::uint32_t, ReplayState> played;
    bool sawGapJump = false;
    std::uint32_t prev = play.position();
    for (int step = 0; step < 5000 && !play.paused(); ++step) {
        ReplayDue due;
        play.advance(1.0 / 30.0, due);
        const std::uint32_t at = play.position();
        if (prev < rec.pauseTick && at >= rec.resumeTick) sawGapJump = true;
        CHECK((at < rec.pauseTick || at >= rec.resumeTick)); // the pause is skipped
        prev = at;
        if (rec.expected.contains(at)) {
            INFO("tick " << at);
            CHECK(play.state() == rec.expected.at(at));
        }
        played[at] = play.state();
    }
    CHECK(sawGapJump);
    CHECK(play.paused());
    CHECK(play.position() == rec.lastTick);
    CHECK(play.stats().badSamples == 0);
    CHECK(play.notes().empty());

    // Seeks forwards and backwards, 150 sampled ticks, in a scrambled order.
    std::vector<std::uint32_t> ticks;
    for (const auto& [t, s] : played) ticks.push_back(t);
    REQUIRE(ticks.size() > 1000);
    std::size_t checked = 0;
    for (std::size_t i = 0; i < 150; ++i) {
        const std::uint32_t t = ticks[(i * 7919) % ticks.size()];
        seeker.seek(t);
        INFO("seek to " << t);
        CHECK(seeker.position() == t);
        CHECK(seeker.state() == played.at(t));
        ++checked;
    }
    CHECK(checked >= 100);
    // Into the pause: the room as it was paused.
    seeker.seek(rec.pauseTick + 20);
    ReplayState frozen = rec.expected.at(rec.pauseTick - 1);
    frozen.tick = rec.pauseTick + 20;
    CHECK(seeker.state() == frozen);
    // Out of range: clamped.
    seeker.seek(0);
    CHECK(seeker.position() == rec.firstTick);
    seeker.seek(1u << 30);
    CHECK(seeker.position() == rec.lastTick);
    CHECK(seeker.state() == played.at(rec.lastTick));
}

TEST_CASE("replay: stepTo walks every tick of the timeline, the pause included, as seeks give it", "[replay]") {
    testing::TempDir tmp;
    const auto rec = testing::writeSyntheticRecording(tmp.file("r.rec"));
    auto reader = openReader(rec.path);
    auto reader2 = openReader(rec.path);
    ReplayRoom walker(*reader), seeker(*reader2);
    std::uint32_t pausedTicks = 0;
    for (std::uint32_t t = rec.firstTick; t <= rec.lastTick; t += 3) {
        ReplayDue due;
        walker.stepTo(t, &due);
        INFO("tick " << t);
        REQUIRE(walker.position() == t);               // no jump over the pause
        CHECK(walker.paused());                         // stepping is not playing
        const bool inPause = t >= rec.pauseTick && t < rec.resumeTick;
        CHECK(walker.inRecordedPause() == inPause);
        if (inPause) ++pausedTicks;
        if (t % 30 == 0) {
            seeker.seek(t);
            CHECK(walker.state() == seeker.state());
        }
    }
    CHECK(pausedTicks > 0);
    // Backwards is a seek.
    ReplayDue due;
    walker.stepTo(rec.firstTick + 10, &due);
    CHECK(due.jumped);
    CHECK(walker.position() == rec.firstTick + 10);
    seeker.seek(rec.firstTick + 10);
    CHECK(walker.state() == seeker.state());
}

TEST_CASE("replay: a seek reads one keyframe block and the blocks up to the tick", "[replay]") {
    testing::TempDir tmp;
    const auto rec = testing::writeSyntheticRecording(tmp.file("r.rec"));
    auto reader = openReader(rec.path);
    ReplayRoom room(*reader);
    const auto& blocks = reader->blocks();
    for (std::uint32_t t : {rec.lastTick, 1000u, 1299u, 300u, 745u, 101u}) {
        const auto k = reader->keyframeAtOrBefore(t);
        std::size_t bound = 0;
        for (std::size_t i = k ? *k : 0; i < blocks.size(); ++i)
            if (blocks[i].firstTick <= t) ++bound;
        const std::uint64_t before = room.stats().blocksRead;
        room.seek(t);
        INFO("seek to " << t);
        CHECK(room.stats().blocksRead - before <= bound);
        CHECK(room.state() == rec.expected.at(t));
        if (k) CHECK(bound <= 300 / 30 + 6); // keyframes every 300 ticks, blocks of at most 30 (and the flushes')
    }
}

TEST_CASE("replay: speed 0.5x and 2x move the recorded clock accordingly; pause holds it", "[replay]") {
    testing::TempDir tmp;
    const auto rec = testing::writeSyntheticRecording(tmp.file("r.rec"));
    auto reader = openReader(rec.path);
    ReplayRoom room(*reader);
    ReplayDue due;
    room.seek(200);
    room.play();
    room.setSpeedPercent(50);
    for (int i = 0; i < 60; ++i) room.advance(1.0 / 30.0, due); // 2 s
    CHECK(room.position() >= 229);
    CHECK(room.position() <= 231);
    room.setSpeedPercent(200);
    for (int i = 0; i < 30; ++i) room.advance(1.0 / 30.0, due); // 1 s
    CHECK(room.position() >= 289);
    CHECK(room.position() <= 291);
    CHECK(room.speedPercent() == 200);
    room.setSpeedPercent(500);
    CHECK(room.speedPercent() == 200);
    room.setSpeedPercent(10);
    CHECK(room.speedPercent() == 50);
    room.pause();
    const std::uint32_t at = room.position();
    room.advance(5.0, due);
    CHECK(room.position() == at);
    // At the end it pauses on the last tick; play() starts over.
    room.seek(rec.lastTick - 10);
    room.play();
    room.setSpeedPercent(100);
    room.advance(2.0, due);
    CHECK(room.paused());
    CHECK(room.position() == rec.lastTick);
    room.play();
    CHECK(room.position() == rec.firstTick);
    CHECK_FALSE(room.paused());
    const ReplayInfoObject info = room.infoObject();
    CHECK(info.firstTick == rec.firstTick);
    CHECK(info.lastTick == rec.lastTick);
    CHECK(info.title == "Hepatitis C clinic");
    CHECK(info.tickRate == 30);
}

TEST_CASE("replay: voice frames come out once each, in order, when the clock passes them", "[replay]") {
    testing::TempDir tmp;
    const auto rec = testing::writeSyntheticRecording(tmp.file("r.rec"));
    REQUIRE(rec.voice.size() > 500);
    auto reader = openReader(rec.path);
    ReplayRoom room(*reader);
    room.play();
    std::vector<record::VoiceSample> out;
    const double tickMs = 1000.0 / 30.0;
    for (int step = 0; step < 3000 && !room.paused(); ++step) {
        ReplayDue due;
        room.advance(1.0 / 30.0, due);
        const double now = msOf(room.position(), rec.firstTick);
        for (const auto& v : due.voice) {
            // Due: its arrival has passed, and by at most a tick or two
            // (frames carried past a keyframe tick, the gap's first tick).
            CHECK(v.atMs <= now + tickMs);
            if (room.position() != rec.resumeTick) CHECK(v.atMs + 3 * tickMs >= now);
            out.push_back(v);
        }
    }
    REQUIRE(out.size() == rec.voice.size());
    for (std::size_t i = 0; i < out.size(); ++i) {
        INFO("frame " << i << ": seq " << out[i].seq << " vs " << rec.voice[i].seq << ", at " << out[i].atMs << " vs " << rec.voice[i].atMs
                      << ", level " << int(out[i].level) << " vs " << int(rec.voice[i].level) << ", slot " << out[i].slot);
        REQUIRE(out[i] == rec.voice[i]);
    }
    CHECK(room.stats().voiceOut == out.size());
    // After a seek, no frame from before it.
    room.seek(1000);
    room.play();
    ReplayDue due;
    room.advance(0.2, due);
    for (const auto& v : due.voice) CHECK(v.atMs >= msOf(1000, rec.firstTick) - 40);
}

TEST_CASE("replay: recorded video fragments come out once each, in order, on time; none from before a seek", "[replay]") {
    testing::TempDir tmp;
    const auto rec = testing::writeSyntheticRecording(tmp.file("r.rec"));
    REQUIRE(rec.video.size() > 100);
    auto reader = openReader(rec.path);
    ReplayRoom room(*reader);
    room.play();
    std::vector<record::VideoSample> out;
    const double tickMs = 1000.0 / 30.0;
    for (int step = 0; step < 3000 && !room.paused(); ++step) {
        ReplayDue due;
        room.advance(1.0 / 30.0, due);
        const double now = msOf(room.position(), rec.firstTick);
        for (const auto& v : due.video) {
            CHECK(v.atMs <= now + tickMs);
            if (room.position() != rec.resumeTick) CHECK(v.atMs + 3 * tickMs >= now);
            out.push_back(v);
        }
    }
    REQUIRE(out.size() == rec.video.size());
    for (std::size_t i = 0; i < out.size(); ++i) REQUIRE(out[i] == rec.video[i]);
    CHECK(room.stats().videoOut == out.size());
    // Seek to just before a recorded fragment: it comes, nothing from before the seek does.
    const record::VideoSample& mid = rec.video[rec.video.size() / 2];
    const auto at = static_cast<std::uint32_t>(rec.firstTick + mid.atMs * 30 / 1000) - 2;
    room.seek(at);
    room.play();
    ReplayDue due;
    room.advance(0.3, due);
    CHECK(std::find(due.video.begin(), due.video.end(), mid) != due.video.end());
    for (const auto& v : due.video) CHECK(v.atMs >= msOf(at, rec.firstTick) - 40);
}

TEST_CASE("replay: the playback and mark objects round-trip and are bounded", "[replay]") {
    ReplayInfoObject info;
    info.position = 150;
    info.firstTick = 100;
    info.lastTick = 900;
    info.speedPercent = 150;
    info.paused = false;
    info.tickRate = 30;
    info.startedUnix = 1764676800;
    info.title = std::string(300, 'x');
    net::ObjectBytes bytes;
    REQUIRE(encodeReplayInfo(info, bytes));
    auto back = decodeReplayInfo(bytes.view());
    REQUIRE(back);
    CHECK(back->title.size() == kMaxReplayTitleBytes);
    info.title = back->title;
    CHECK(*back == info);
    // A position outside the recording is not encoded; a truncated object not decoded.
    ReplayInfoObject bad = info;
    bad.position = 50;
    CHECK_FALSE(encodeReplayInfo(bad, bytes));
    REQUIRE(encodeReplayInfo(info, bytes));
    CHECK_FALSE(decodeReplayInfo(bytes.view().first(bytes.size - 1)));

    ReplayMarkObject m{1020, static_cast<std::uint8_t>(sim::Phase::CasePresentation), 2, "case 1: hepatitis C"};
    REQUIRE(encodeReplayMark(m, bytes));
    auto mb = decodeReplayMark(bytes.view());
    REQUIRE(mb);
    CHECK(*mb == m);
    m.phase = 200;
    CHECK_FALSE(encodeReplayMark(m, bytes));
}

TEST_CASE("replay: the timeline marks are the recording's", "[replay]") {
    testing::TempDir tmp;
    const auto rec = testing::writeSyntheticRecording(tmp.file("r.rec"));
    auto reader = openReader(rec.path);
    ReplayRoom room(*reader);
    REQUIRE(room.marks().size() == rec.marks.size());
    for (std::size_t i = 0; i < rec.marks.size(); ++i) {
        CHECK(room.marks()[i] == rec.marks[i]);
        CHECK(room.markObject(i).tick == rec.marks[i].tick);
        CHECK(room.markObject(i).label == rec.marks[i].label);
    }
    CHECK(room.marksDropped() == 0);
}

TEST_CASE("replay: a truncated recording plays up to the damage", "[replay]") {
    testing::TempDir tmp;
    const auto rec = testing::writeSyntheticRecording(tmp.file("r.rec"));
    const std::string cut = tmp.file("cut.rec");
    std::filesystem::copy_file(rec.path, cut);
    const auto size = std::filesystem::file_size(cut);
    std::filesystem::resize_file(cut, size * 6 / 10);
    auto opened = record::RecordingReader::open(cut, testing::testRecordingKey());
    REQUIRE(opened.ok());
    auto& reader = **opened;
    CHECK_FALSE(reader.summary().closed);
    CHECK_FALSE(reader.summary().damage.empty());
    ReplayRoom room(reader);
    CHECK(room.lastTick() < rec.lastTick);
    CHECK(room.lastTick() > rec.firstTick + 300);
    room.play();
    int steps = 0;
    for (; steps < 5000 && !room.paused(); ++steps) {
        ReplayDue due;
        room.advance(1.0 / 30.0, due);
        if (rec.expected.contains(room.position())) {
            INFO("tick " << room.position());
            CHECK(room.state() == rec.expected.at(room.position()));
        }
    }
    CHECK(room.paused());
    CHECK(room.position() == room.lastTick());

    // Damage in the middle: a block's bytes overwritten. The state holds
    // until the next keyframe, then is the recorded one again.
    const std::string mid = tmp.file("mid.rec");
    std::filesystem::copy_file(rec.path, mid);
    std::uint64_t at = 0;
    {
        auto r = record::RecordingReader::open(rec.path, testing::testRecordingKey());
        REQUIRE(r.ok());
        for (const auto& b : (*r)->blocks())
            if (b.kind == record::BlockKind::Ticks && b.firstTick > 820 && b.firstTick < 900) { at = b.offset; break; }
    }
    REQUIRE(at > 0);
    {
        std::fstream f(mid, std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(static_cast<std::streamoff>(at + 40));
        const char junk[] = "this is not a sealed block, it is damage in the middle of a file";
        f.write(junk, sizeof junk);
    }
    auto damaged = record::RecordingReader::open(mid, testing::testRecordingKey());
    REQUIRE(damaged.ok());
    ReplayRoom dr(**damaged);
    dr.seek(800);
    dr.play();
    bool resumed = false;
    for (int i = 0; i < 2000 && !dr.paused(); ++i) {
        ReplayDue due;
        dr.advance(1.0 / 30.0, due);
        if (dr.position() >= 1000 && rec.expected.contains(dr.position())) {
            CHECK(dr.state() == rec.expected.at(dr.position()));
            resumed = true;
        }
    }
    CHECK(resumed);
    CHECK(dr.position() == rec.lastTick);
    CHECK(dr.stats().damageSkipped >= 1);
    CHECK_FALSE(dr.notes().empty());
}

TEST_CASE("replay: a room keeps its recorded slots from joins", "[replay]") {
    sim::RoomSpec spec;
    spec.maxParticipants = 8;
    sim::Room room(spec, 30.0);
    CHECK(room.reserveSlots(5) == 5);
    std::vector<core::EntityId> in;
    for (int i = 0; i < 3; ++i) {
        const auto j = room.join("Viewer " + std::to_string(i), core::Role::Spoke);
        REQUIRE_FALSE(j.error);
        CHECK(j.entity.value >= 5);
        in.push_back(j.entity);
    }
    CHECK(room.join("One too many", core::Role::Spoke).error == sim::JoinError::RoomFull);
    room.leave(in[0]);
    const auto again = room.join("Again", core::Role::Spoke);
    REQUIRE_FALSE(again.error);
    CHECK(again.entity.value >= 5);
    sim::Room small(spec, 30.0);
    CHECK(small.reserveSlots(100) == 8);
    CHECK(small.join("Nobody", core::Role::Spoke).error == sim::JoinError::RoomFull);
}
