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
