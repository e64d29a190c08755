// engine/record: truncation, flipped bits, a missing or damaged index. The
// reader opens what it can, reports the damage and keeps every block it can
// authenticate.
#include <catch2/catch.hpp>

#include <map>

#include "record_fixture.h"
#include "temp_dir.h"

using namespace caseroom;
using namespace caseroom::record;
using namespace caseroom::record::testing;
using caseroom::testing::TempDir;

namespace {

// A closed recording of ticks 1..600, keyframes every 150, 15-tick blocks.
void writeClosed(const std::string& path) {
    WriterConfig c;
    c.path = path;
    c.key = testKey();
    c.info = sampleInfo();
    c.syncEachBlock = false;
    auto w = RecordingWriter::create(c);
    REQUIRE(w.ok());
    for (std::uint32_t t = 1; t <= 600; ++t) {
        if (t % 150 == 1) (*w)->keyframe(sampleKeyframe(t));
        else (*w)->append(sampleTick(t));
        if (t == 200) (*w)->mark({t, 1, 1, "didactic"});
    }
    REQUIRE((*w)->close().ok());
}

std::uint64_t indexOffsetOf(const std::vector<std::uint8_t>& file) {
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | file[file.size() - 16 + std::size_t(i)];
    return v;
}

// Every block's decoded content keyed by its offset.
std::map<std::uint64_t, std::vector<std::uint32_t>> contents(RecordingReader& r) {
    std::map<std::uint64_t, std::vector<std::uint32_t>> out;
    for (std::size_t i = 0; i < r.blocks().size(); ++i) {
        auto b = r.read(i);
        REQUIRE(b.ok());
        auto& v = out[r.blocks()[i].offset];
        for (const auto& t : b->ticks) v.push_back(t.tick);
        if (b->keyframe) v.push_back(b->keyframe->tick);
    }
    return out;
}

std::unique_ptr<RecordingReader> openOk(const std::string& path) {
    auto r = RecordingReader::open(path, testKey());
    INFO((r.ok() ? std::string() : r.error().message));
    REQUIRE(r.ok());
    return std::move(*r);
}

} // namespace

TEST_CASE("closed and unclosed (no index, no trailer) give the same blocks") {
    TempDir dir;
    const auto path = dir.file("c.crrec"), cut = dir.file("u.crrec");
    writeClosed(path);
    auto file = slurpBytes(path);
    auto closed = openOk(path);
    CHECK(closed->summary().closed);
    file.resize(indexOffsetOf(file));
    spitBytes(cut, file);
    auto open = openOk(cut);
    CHECK(!open->summary().closed);
    CHECK(open->summary().damage.empty());
    CHECK(open->blocks() == closed->blocks());
    CHECK(open->info() == closed->info());
    CHECK(open->summary().marks == closed->summary().marks);
    CHECK(open->summary().everyone == closed->summary().everyone);
    CHECK(open->summary().firstTick == closed->summary().firstTick);
    CHECK(open->summary().lastTick == closed->summary().lastTick);
    CHECK(contents(*open) == contents(*closed));
    CHECK(open->keyframeAtOrBefore(400) == closed->keyframeAtOrBefore(400));
}

TEST_CASE("truncated at every frame boundary and inside frames: opens, keeps every block before the cut") {
    TempDir dir;
    const auto path = dir.file("t.crrec"), cut = dir.file("cut.crrec");
    writeClosed(path);
    const auto file = slurpBytes(path);
    auto whole = openOk(path);
    const auto all = contents(*whole);
    std::vector<std::uint64_t> bounds{48};  // the info block's frame
    for (const auto& b : whole->blocks()) bounds.push_back(b.offset);
    bounds.push_back(indexOffsetOf(file));
    bounds.push_back(file.size() - 24);
    std::vector<std::uint64_t> cuts;
    for (std::size_t i = 0; i + 1 < bounds.size(); ++i) {
        const auto a = bounds[i], len = bounds[i + 1] - a;
        for (std::uint64_t d : {std::uint64_t(0), std::uint64_t(1), std::uint64_t(19), std::uint64_t(20), std::uint64_t(21), len / 2, len - 1})
            if (d < len) cuts.push_back(a + d);
    }
    for (std::uint64_t at = 0; at < 48; at += 7) cuts.push_back(at);
    for (const auto at : cuts) {
        INFO("cut at " << at);
        spitBytes(cut, std::vector<std::uint8_t>(file.begin(), file.begin() + std::ptrdiff_t(at)));
        auto r = RecordingReader::open(cut, testKey());
        if (at < 48) {  // the header itself: a clear refusal
            CHECK(!r.ok());
            continue;
        }
        INFO((r.ok() ? std::string() : r.error().message));
        REQUIRE(r.ok());
        const bool boundary = std::find(bounds.begin(), bounds.end(), at) != bounds.end();
        if (boundary) {
            CHECK((*r)->summary().damage.empty());
        } else {
            REQUIRE(!(*r)->summary().damage.empty());
            CHECK((*r)->summary().damage.back().what == "truncated block");
            CHECK((*r)->summary().damage.back().offset + (*r)->summary().damage.back().bytes == at);
        }
        const auto got = contents(**r);
        for (const auto& [off, ticks] : all) {
            // A block kept when its frame ends before the cut.
            auto next = std::upper_bound(bounds.begin(), bounds.end(), off);
            if (next != bounds.end() && *next <= at) {
                REQUIRE(got.count(off) == 1);
                CHECK(got.at(off) == ticks);
            }
        }
        CHECK(got.size() <= all.size());
        CHECK_FALSE((*r)->summary().closed);
    }
}

TEST_CASE("flipped bits in a middle block: damage with its ticks, later blocks still read") {
    TempDir dir;
    const auto path = dir.file("f.crrec"), bad = dir.file("bad.crrec");
    writeClosed(path);
    auto whole = openOk(path);
    const auto all = contents(*whole);
    const auto& blocks = whole->blocks();
    std::size_t victim = blocks.size() / 2;
    while (blocks[victim].kind != BlockKind::Ticks || blocks[victim - 1].kind != BlockKind::Ticks) ++victim;
    REQUIRE(blocks[victim].kind == BlockKind::Ticks);
    const auto ref = blocks[victim];
    const auto prevLast = blocks[victim - 1].lastTick, nextFirst = blocks[victim + 1].firstTick;

    SECTION("in the ciphertext, closed file: read() and verifyAll report it") {
        auto file = slurpBytes(path);
        file[ref.offset + 30] ^= 0x10;
        spitBytes(bad, file);
        auto r = openOk(bad);
        REQUIRE(r->blocks().size() == blocks.size());
        auto b = r->read(victim);
        REQUIRE(!b.ok());
        CHECK_THAT(b.error().message, Catch::Contains(bad) && Catch::Contains(std::to_string(ref.offset)));
        CHECK(r->read(victim + 1).ok());
        CHECK(!r->verifyAll().ok());
        REQUIRE(r->summary().damage.size() == 1);
        CHECK(r->summary().damage[0].fromTick == ref.firstTick);
        CHECK(r->summary().damage[0].toTick == ref.lastTick);
    }
    for (std::uint64_t where : {std::uint64_t(2), std::uint64_t(6), std::uint64_t(13), std::uint64_t(17), std::uint64_t(40)}) {
        DYNAMIC_SECTION("unclosed file, byte " << where << " of the block flipped: the scan resyncs") {
            auto file = slurpBytes(path);
            file.resize(indexOffsetOf(file));
            file[ref.offset + where] ^= 0x04;
            spitBytes(bad, file);
            auto r = openOk(bad);
            REQUIRE(r->summary().damage.size() == 1);
            const auto& d = r->summary().damage[0];
            CHECK(d.offset == ref.offset);
            CHECK(d.bytes == blocks[victim + 1].offset - ref.offset);
            CHECK(d.fromTick == prevLast + 1);
            CHECK(d.toTick == nextFirst - 1);
            CHECK(r->blocks().size() == blocks.size() - 1);
            auto got = contents(*r);
            for (const auto& [off, ticks] : all)
                if (off != ref.offset) CHECK(got.at(off) == ticks);
        }
    }
}

TEST_CASE("a damaged index falls back to the scan") {
    TempDir dir;
    const auto path = dir.file("i.crrec");
    writeClosed(path);
    auto whole = openOk(path);
    auto file = slurpBytes(path);
    const auto idx = indexOffsetOf(file);
    file[idx + 25] ^= 0x01;   // inside the index's ciphertext
    spitBytes(path, file);
    auto r = openOk(path);
    CHECK(!r->summary().closed);
    CHECK(r->blocks() == whole->blocks());
    REQUIRE(r->summary().damage.size() == 1);
    CHECK(r->summary().damage[0].offset == idx);
    CHECK(r->summary().marks == whole->summary().marks);
}

TEST_CASE("garbage after the header: no blocks, damage, no crash") {
    TempDir dir;
    const auto path = dir.file("g.crrec");
    writeClosed(path);
    auto file = slurpBytes(path);
    for (std::size_t i = 48; i < file.size(); ++i) file[i] = std::uint8_t(i * 7919u >> 3);
    spitBytes(path, file);
    auto r = openOk(path);
    CHECK(r->blocks().empty());
    CHECK(!r->summary().damage.empty());
    CHECK(!r->keyframeAtOrBefore(100).has_value());
    CHECK(!r->read(0).ok());
}
