// The secure channel: round trips, replays, reordered duplicates, bit flips,
// channel binding, and the replay window's reach.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "net/secure/channel.h"
#include "unit/secure/seeded_random.h"

using namespace caseroom;
using namespace caseroom::net::secure;

namespace {

struct Pair {
    SessionKeys client, server;
    Pair() {
        REQUIRE(initCrypto());
        test::SeededRandom r(5);
        r.fill(client.send);
        r.fill(client.receive);
        server.send = client.receive;
        server.receive = client.send;
    }
};

std::vector<std::uint8_t> bytesOf(const std::string& s) { return {s.begin(), s.end()}; }

} // namespace

TEST_CASE("channel: messages round-trip in both directions and the plaintext never shows", "[secure][channel]") {
    Pair p;
    SecureChannel c(p.client), s(p.server);
    const auto msg = bytesOf("Patient is a 54-year-old with HCV genotype 3");
    std::vector<std::uint8_t> pkt, out;
    REQUIRE(c.seal(0, msg, pkt));
    CHECK(pkt.size() == msg.size() + kChannelOverhead);
    CHECK(std::search(pkt.begin(), pkt.end(), msg.begin(), msg.begin() + 10) == pkt.end());
    REQUIRE(s.open(0, pkt, out) == OpenResult::Ok);
    CHECK(out == msg);
    REQUIRE(s.seal(2, msg, pkt));
    REQUIRE(c.open(2, pkt, out) == OpenResult::Ok);
    CHECK(out == msg);
    std::vector<std::uint8_t> empty;
    REQUIRE(c.seal(1, {}, pkt));
    REQUIRE(s.open(1, pkt, empty) == OpenResult::Ok);
    CHECK(empty.empty());
}

TEST_CASE("channel: replayed and reordered-duplicate packets are dropped, reordered ones kept", "[secure][channel]") {
    Pair p;
    SecureChannel c(p.client), s(p.server);
    std::vector<std::vector<std::uint8_t>> pkts(10);
    for (std::size_t i = 0; i < pkts.size(); ++i) REQUIRE(c.seal(1, bytesOf("m" + std::to_string(i)), pkts[i]));
    std::vector<std::uint8_t> out;
    // Delivery order 0 2 1 3 (reorder) then duplicates of 2, 0 and 3.
    CHECK(s.open(1, pkts[0], out) == OpenResult::Ok);
    CHECK(s.open(1, pkts[2], out) == OpenResult::Ok);
    CHECK(s.open(1, pkts[1], out) == OpenResult::Ok);
    CHECK(out == bytesOf("m1"));
    CHECK(s.open(1, pkts[3], out) == OpenResult::Ok);
    CHECK(s.open(1, pkts[2], out) == OpenResult::Replayed);
    CHECK(s.open(1, pkts[0], out) == OpenResult::Replayed);
    CHECK(s.open(1, pkts[3], out) == OpenResult::Replayed);
    CHECK(out.empty());
    CHECK(s.stats().dropped[static_cast<std::size_t>(OpenResult::Replayed)] == 3);
    CHECK(s.stats().opened == 4);
}

TEST_CASE("channel: the replay window reaches at least 256 packets back", "[secure][channel]") {
    Pair p;
    SecureChannel c(p.client), s(p.server);
    const std::size_t n = kReplayWindow + 10;
    std::vector<std::vector<std::uint8_t>> pkts(n);
    for (std::size_t i = 0; i < n; ++i) REQUIRE(c.seal(3, bytesOf("x"), pkts[i]));
    std::vector<std::uint8_t> out;
    // Newest first, then 256 older ones in reverse: all accepted once.
    REQUIRE(s.open(3, pkts[n - 1], out) == OpenResult::Ok);
    for (std::size_t k = 2; k <= 257; ++k) CHECK(s.open(3, pkts[n - k], out) == OpenResult::Ok);
    for (std::size_t k = 2; k <= 257; ++k) CHECK(s.open(3, pkts[n - k], out) == OpenResult::Replayed);
    // Outside the window: too old, even though never seen.
    CHECK(s.open(3, pkts[0], out) == OpenResult::TooOld);
    CHECK(kReplayWindow >= 256);
}

TEST_CASE("channel: every bit-flipped packet is dropped and counted", "[secure][channel]") {
    Pair p;
    SecureChannel c(p.client), s(p.server);
    std::vector<std::uint8_t> pkt, out;
    // Send a few first so that counter flips can land inside the window.
    for (int i = 0; i < 3; ++i) REQUIRE(c.seal(0, bytesOf("warmup"), pkt));
    REQUIRE(c.seal(0, bytesOf("the sentence nobody may alter"), pkt));
    std::uint64_t dropped = 0;
    for (std::size_t byte = 0; byte < pkt.size(); ++byte)
        for (int bit = 0; bit < 8; ++bit) {
            auto bad = pkt;
            bad[byte] = static_cast<std::uint8_t>(bad[byte] ^ (1u << bit));
            const auto r = s.open(0, bad, out);
            CHECK(r != OpenResult::Ok);
            CHECK(out.empty());
            ++dropped;
        }
    std::uint64_t counted = 0;
    for (auto d : s.stats().dropped) counted += d;
    CHECK(counted == dropped);
    CHECK(s.stats().dropped[static_cast<std::size_t>(OpenResult::Forged)] > 0);
    // The genuine packet still opens: forgeries did not move the window.
    CHECK(s.open(0, pkt, out) == OpenResult::Ok);
}

TEST_CASE("channel: a packet moved to another channel, truncated, or sealed with other keys is dropped",
          "[secure][channel]") {
    Pair p;
    SecureChannel c(p.client), s(p.server);
    std::vector<std::uint8_t> pkt, out;
    REQUIRE(c.seal(0, bytesOf("control"), pkt));
    CHECK(s.open(1, pkt, out) == OpenResult::Forged);
    CHECK(s.open(9, pkt, out) == OpenResult::BadChannel);
    CHECK(s.open(0, std::span(pkt).first(kChannelOverhead - 1), out) == OpenResult::Short);
    // Reflection: the client's own packet fed back to it fails (per-direction keys).
    CHECK(c.open(0, pkt, out) == OpenResult::Forged);
    CHECK(s.open(0, pkt, out) == OpenResult::Ok);
    CHECK(!c.seal(8, bytesOf("x"), pkt));
}
