// engine/record's plaintext codec (record/format.h, internal): bounded reads.
#include <catch2/catch.hpp>

#include "record/format.h"
#include "record_fixture.h"

using namespace caseroom::record;
using namespace caseroom::record::format;

TEST_CASE("a length past the bytes left is a decode error, the length byte counted") {
    // Found by fuzz_record_reader: the length was checked against the bytes
    // left before its own byte was read.
    const std::vector<std::uint8_t> b{3, 'a', 'b'};
    In in(b);
    std::string s;
    in.str(s, 48);
    CHECK(!in.ok());
    const std::vector<std::uint8_t> ok{2, 'a', 'b'};
    In in2(ok);
    in2.str(s, 48);
    CHECK(in2.ok());
    CHECK(s == "ab");
    CHECK(in2.done());
}

TEST_CASE("limits and ranges: over-long strings, slots past u16, bad role or level") {
    std::string s;
    std::vector<std::uint8_t> longName{49};
    longName.resize(50, 'x');
    In a(longName);
    a.str(s, kMaxName);
    CHECK(!a.ok());
    const std::vector<std::uint8_t> bigSlot{0xFF, 0xFF, 0x04};  // 65536+
    In b(bigSlot);
    (void)b.var(0xFFFF);
    CHECK(!b.ok());
    Present p{1, 1, caseroom::core::Role::Spoke, std::string(60, 'n')};
    Out o;
    encodePresent(o, p);  // the writer cuts the name to 48
    In c(o.bytes);
    Present q;
    REQUIRE(decodePresent(c, q));
    CHECK(q.name.size() == kMaxName);
    o.bytes[2] = 9;  // role past Count
    In d(o.bytes);
    CHECK(!decodePresent(d, q));
    const std::vector<std::uint8_t> tenBytes(11, 0x80);
    In e(tenBytes);
    (void)e.var(~0ull);
    CHECK(!e.ok());
}

TEST_CASE("every tick decodes back as written") {
    for (std::uint32_t t = 0; t < 400; ++t) {
        Out o;
        Sizes sz;
        const auto tick = testing::sampleTick(t);
        encodeTick(o, tick, sz);
        In in(o.bytes);
        TickRecord back;
        REQUIRE(decodeTick(in, back));
        CHECK(in.done());
        CHECK(back == tick);
        // Every proper prefix fails cleanly.
        for (std::size_t n = 0; n < o.bytes.size(); n += 7) {
            In cut(std::span<const std::uint8_t>(o.bytes.data(), n));
            TickRecord x;
            CHECK((!decodeTick(cut, x) || !cut.done() || n == o.bytes.size()));
        }
    }
}

TEST_CASE("format 2's tick record is format 1's and then its video list") {
    std::size_t withVideo = 0;
    for (std::uint32_t t = 0; t < 200; ++t) {
        const auto tick = testing::sampleTick(t);
        Out v1, v2;
        Sizes s1, s2;
        encodeTick(v1, tick, s1, 1);
        encodeTick(v2, tick, s2, 2);
        REQUIRE(v2.bytes.size() > v1.bytes.size());
        CHECK(std::equal(v1.bytes.begin(), v1.bytes.end(), v2.bytes.begin()));
        CHECK(s1.video == 0);
        CHECK(s1.videoFragments == 0);
        CHECK(s2.videoFragments == tick.video.size());
        if (!tick.video.empty()) ++withVideo;
        // Format 1 reads back without video, and does not read the video list as its own.
        In in1(v1.bytes);
        TickRecord back1;
        REQUIRE(decodeTick(in1, back1, 1));
        CHECK(in1.done());
        CHECK(back1.video.empty());
        TickRecord expect = tick;
        expect.video.clear();
        CHECK(back1 == expect);
        In in2(v2.bytes);
        TickRecord back2;
        REQUIRE(decodeTick(in2, back2, 2));
        CHECK(in2.done());
        CHECK(back2 == tick);
        // A format 2 record read as format 1 leaves the video list unread.
        In mixed(v2.bytes);
        TickRecord x;
        CHECK((!decodeTick(mixed, x, 1) || !mixed.done()));
    }
    CHECK(withVideo > 0);
}

TEST_CASE("video items: an empty or over-long fragment is a decode error") {
    auto tickWith = [](std::size_t wireBytes) {
        Out o;
        o.var(7);                        // tick
        for (int i = 0; i < 5; ++i) o.var(0); // joined, left, avatars, objects, voice
        o.var(0);                        // events
        o.var(1);                        // one video fragment
        o.var(100); o.u16(5);
        o.blob(std::vector<std::uint8_t>(wireBytes, 0x5A));
        return o.bytes;
    };
    for (std::size_t n : {std::size_t{1}, kMaxVideo}) {
        const auto b = tickWith(n);
        In in(b);
        TickRecord t;
        REQUIRE(decodeTick(in, t, 2));
        REQUIRE(t.video.size() == 1);
        CHECK(t.video[0].wire.size() == n);
        CHECK(t.video[0].stream == 5);
        CHECK(t.video[0].atMs == 100);
    }
    for (std::size_t n : {std::size_t{0}, kMaxVideo + 1}) {
        const auto b = tickWith(n);
        In in(b);
        TickRecord t;
        CHECK_FALSE(decodeTick(in, t, 2));
    }
}
