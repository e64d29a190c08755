// The sealed datagram channel: round trips, replays, reordered duplicates,
// bit flips (header included), the replay window's reach, counter exhaustion.
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
    REQUIRE(c.seal(msg, pkt));
    CHECK(pkt.size() == msg.size() + kSealedOverhead);
    CHECK(std::search(pkt.begin(), pkt.end(), msg.begin(), msg.begin() + 10) == pkt.end());
    REQUIRE(s.open(pkt, out) == OpenResult::Ok);
    CHECK(out == msg);
    REQUIRE(s.seal(msg, pkt));
    REQUIRE(c.open(pkt, out) == OpenResult::Ok);
    CHECK(out == msg);
    std::vector<std::uint8_t> empty;
    REQUIRE(c.seal({}, pkt));
    REQUIRE(s.open(pkt, empty) == OpenResult::Ok);
    CHECK(empty.empty());
}

TEST_CASE("channel: replayed and reordered-duplicate packets are dropped, reordered ones kept", "[secure][channel]") {
    Pair p;
    SecureChannel c(p.client), s(p.server);
    std::vector<std::vector<std::uint8_t>> pkts(10);
    for (std::size_t i = 0; i < pkts.size(); ++i) REQUIRE(c.seal(bytesOf("m" + std::to_string(i)), pkts[i]));
    std::vector<std::uint8_t> out;
    // Delivery order 0 2 1 3 (reorder) then duplicates of 2, 0 and 3.
    CHECK(s.open(pkts[0], out) == OpenResult::Ok);
    CHECK(s.open(pkts[2], out) == OpenResult::Ok);
    CHECK(s.open(pkts[1], out) == OpenResult::Ok);
    CHECK(out == bytesOf("m1"));
    CHECK(s.open(pkts[3], out) == OpenResult::Ok);
    CHECK(s.open(pkts[2], out) == OpenResult::Replayed);
    CHECK(s.open(pkts[0], out) == OpenResult::Replayed);
    CHECK(s.open(pkts[3], out) == OpenResult::Replayed);
    CHECK(out.empty());
    CHECK(s.stats().dropped[static_cast<std::size_t>(OpenResult::Replayed)] == 3);
    CHECK(s.stats().opened == 4);
}

TEST_CASE("channel: the replay window reaches at least 256 packets back", "[secure][channel]") {
    Pair p;
    SecureChannel c(p.client), s(p.server);
    const std::size_t n = kReplayWindow + 10;
    std::vector<std::vector<std::uint8_t>> pkts(n);
    for (std::size_t i = 0; i < n; ++i) REQUIRE(c.seal(bytesOf("x"), pkts[i]));
    std::vector<std::uint8_t> out;
    // Newest first, then 256 older ones in reverse: all accepted once.
    REQUIRE(s.open(pkts[n - 1], out) == OpenResult::Ok);
    for (std::size_t k = 2; k <= 257; ++k) CHECK(s.open(pkts[n - k], out) == OpenResult::Ok);
    for (std::size_t k = 2; k <= 257; ++k) CHECK(s.open(pkts[n - k], out) == OpenResult::Replayed);
    // Outside the window: too old, even though never seen.
    CHECK(s.open(pkts[0], out) == OpenResult::TooOld);
    CHECK(kReplayWindow >= 256);
}

TEST_CASE("channel: every bit-flipped packet is dropped and counted", "[secure][channel]") {
    Pair p;
    SecureChannel c(p.client), s(p.server);
    std::vector<std::uint8_t> pkt, out;
    // Send a few first so that counter flips can land inside the window.
    for (int i = 0; i < 3; ++i) REQUIRE(c.seal(bytesOf("warmup"), pkt));
    REQUIRE(c.seal(bytesOf("the sentence nobody may alter"), pkt));
    std::uint64_t dropped = 0;
    for (std::size_t byte = 0; byte < pkt.size(); ++byte)
        for (int bit = 0; bit < 8; ++bit) {
            auto bad = pkt;
            bad[byte] = static_cast<std::uint8_t>(bad[byte] ^ (1u << bit));
            const auto r = s.open(bad, out);
            CHECK(r != OpenResult::Ok);
            CHECK(out.empty());
            ++dropped;
        }
    std::uint64_t counted = 0;
    for (auto d : s.stats().dropped) counted += d;
    CHECK(counted == dropped);
    CHECK(s.stats().dropped[static_cast<std::size_t>(OpenResult::Forged)] > 0);
    // The genuine packet still opens: forgeries did not move the window.
    CHECK(s.open(pkt, out) == OpenResult::Ok);
}

TEST_CASE("channel: a truncated datagram, a wrong prefix or other keys are dropped", "[secure][channel]") {
    Pair p;
    SecureChannel c(p.client), s(p.server);
    std::vector<std::uint8_t> pkt, out;
    REQUIRE(c.seal(bytesOf("control"), pkt));
    CHECK(pkt[0] == kSealedPrefix);
    CHECK(s.open(std::span(pkt).first(kSealedOverhead - 1), out) == OpenResult::Short);
    auto other = pkt;
    other[0] = kPacketPrefix;
    CHECK(s.open(other, out) == OpenResult::BadPrefix);
    // Reflection: the client's own datagram fed back to it fails (per-direction keys).
    CHECK(c.open(pkt, out) == OpenResult::Forged);
    CHECK(s.open(pkt, out) == OpenResult::Ok);
    // A buffer too small to seal into is refused, not overrun.
    std::array<std::uint8_t, 8> tiny{};
    CHECK(c.seal(bytesOf("x"), std::span(tiny)) == 0);
}

TEST_CASE("channel: an exhausted counter refuses every later seal instead of wrapping", "[secure][channel]") {
    Pair p;
    SecureChannel c(p.client), s(p.server);
    c.advanceSendCounterForTest(UINT64_MAX - 1);
    std::vector<std::uint8_t> pkt, out;
    REQUIRE(c.seal(bytesOf("last"), pkt)); // counter UINT64_MAX - 1
    REQUIRE(s.open(pkt, out) == OpenResult::Ok);
    for (int i = 0; i < 3; ++i) CHECK(!c.seal(bytesOf("again"), pkt));
    CHECK(c.nextSendCounter() == UINT64_MAX); // saturated, never back to 0
    CHECK(c.stats().sealRefused == 3);
}
