#include <catch2/catch.hpp>

#include "core/rng.h"
#include "net/stream.h"

using namespace caseroom;
using namespace caseroom::net;

TEST_CASE("bit streams round-trip values of every width", "[net][stream]") {
    core::Rng rng(7);
    std::vector<std::pair<std::uint32_t, int>> values;
    WriteStream w;
    for (int i = 0; i < 2000; ++i) {
        const int bits = static_cast<int>(rng.below(32)) + 1;
        std::uint32_t v = static_cast<std::uint32_t>(rng.next());
        if (bits < 32) v &= (1u << bits) - 1;
        values.emplace_back(v, bits);
        REQUIRE(w.serializeBits(v, bits));
    }
    const auto bytes = w.finish();
    ReadStream r(bytes);
    for (auto [v, bits] : values) {
        std::uint32_t got = 0;
        REQUIRE(r.serializeBits(got, bits));
        CHECK(got == v);
    }
    std::uint32_t extra = 0;
    CHECK_FALSE(r.serializeBits(extra, 16)); // past the end: refused
}

TEST_CASE("range-checked helpers refuse out-of-range values on both ends", "[net][stream]") {
    WriteStream w;
    std::uint32_t big = 11;
    CHECK_FALSE(serializeUInt(w, big, 0, 10));
    std::int32_t neg = -3;
    CHECK(serializeInt(w, neg, -3, 3));
    // A reader facing a value above the range (possible when hi-lo is not 2^n-1) refuses it.
    WriteStream w2;
    std::uint32_t raw = 7; // 3 bits, but the range below is 0..5
    REQUIRE(w2.serializeBits(raw, 3));
    ReadStream r(w2.finish());
    std::uint32_t v = 0;
    CHECK_FALSE(serializeUInt(r, v, 0, 5));
}

TEST_CASE("strings have a maximum and refuse control characters", "[net][stream]") {
    WriteStream w;
    std::string s = "Dr. Ada Lovelace";
    REQUIRE(serializeString(w, s, 48));
    std::string tooLong(49, 'x');
    CHECK_FALSE(serializeString(w, tooLong, 48));
    ReadStream r(w.finish());
    std::string back;
    REQUIRE(serializeString(r, back, 48));
    CHECK(back == s);

    WriteStream w2;
    std::string ctrl = "a\nb";
    REQUIRE(serializeString(w2, ctrl, 8)); // the writer trusts its own data
    ReadStream r2(w2.finish());
    std::string out;
    CHECK_FALSE(serializeString(r2, out, 8));
}

TEST_CASE("write streams can rewind to a mark and respect capacity", "[net][stream]") {
    WriteStream w(4);
    std::uint32_t v = 0xAB;
    REQUIRE(w.serializeBits(v, 8));
    const auto m = w.mark();
    std::uint32_t big = 0xFFFFFFFF;
    CHECK_FALSE(w.serializeBits(big, 32)); // would exceed 4 bytes
    CHECK(w.overflowed());
    w.rewind(m);
    CHECK_FALSE(w.overflowed());
    CHECK(w.bitsWritten() == 8);
    const auto bytes = w.finish();
    REQUIRE(bytes.size() == 1);
    CHECK(bytes[0] == 0xAB);
}

TEST_CASE("16-bit sequence helpers handle wrap-around", "[net][stream]") {
    CHECK(seqNewer(1, 0));
    CHECK(seqNewer(0, 65535));
    CHECK_FALSE(seqNewer(65535, 0));
    CHECK(seqExpand(2, 65534) == 65538u);
    CHECK(seqExpand(65534, 65538) == 65534u);
    CHECK(seqExpand(10, 5) == 10u);
}
