// Rate limits, per-address peer caps and the bad-packet strike counter.
#include <catch2/catch.hpp>

#include "net/secure/limits.h"

using namespace caseroom::net::secure;

TEST_CASE("limits: a token bucket allows its burst, then its rate", "[secure][limits]") {
    TokenBucket b(8, 5, 100.0); // binary-exact times below
    int allowed = 0;
    for (int i = 0; i < 20; ++i) allowed += b.take(100.0) ? 1 : 0;
    CHECK(allowed == 5);
    CHECK(!b.take(100.0625)); // half a token
    CHECK(b.take(100.125));   // 0.125 s at 8/s = 1 token
    CHECK(!b.take(100.125));
    CHECK(b.available(200.0) == Approx(5.0)); // never above the burst
    CHECK(!b.take(50.0));     // time going backwards refills nothing
}

TEST_CASE("limits: per-class rate limiter refuses floods and oversize messages", "[secure][limits]") {
    RateLimitConfig cfg;
    cfg.classes[0] = {2, 4, 1000, 1000, 100};
    cfg.classes[2] = {100, 100, 100000, 100000, 1500};
    PeerRateLimiter lim(cfg, 0.0);
    int allowed = 0;
    for (int i = 0; i < 10; ++i) allowed += lim.admit(0, 10, 0.0) == RateVerdict::Allow ? 1 : 0;
    CHECK(allowed == 4);
    // Another class is independent.
    CHECK(lim.admit(2, 200, 0.0) == RateVerdict::Allow);
    CHECK(lim.admit(0, 101, 10.0) == RateVerdict::TooLarge);
    CHECK(lim.admit(0, 10, 0.5) == RateVerdict::Allow); // 0.5 s * 2/s = 1 message
    CHECK(lim.admit(0, 10, 0.5) == RateVerdict::RateLimited);
    CHECK(lim.admit(200, 1, 0.5) == RateVerdict::BadClass);

    // Byte budget: messages that fit the count can still exceed the bytes.
    RateLimitConfig bytes;
    bytes.classes[1] = {1000, 1000, 100, 250, 200};
    PeerRateLimiter bl(bytes, 0.0);
    CHECK(bl.admit(1, 200, 0.0) == RateVerdict::Allow);
    CHECK(bl.admit(1, 100, 0.0) == RateVerdict::RateLimited);
    CHECK(bl.admit(1, 50, 0.0) == RateVerdict::Allow);
    CHECK(bl.admit(1, 100, 1.0) == RateVerdict::Allow);

    const auto d = RateLimitConfig::defaults();
    CHECK(d.classes[1].messagesPerSecond >= 30); // a 30 Hz client fits
    CHECK(d.classes[6].maxMessageBytes == 0);
}

TEST_CASE("limits: peers per source address are capped", "[secure][limits]") {
    AddressPeerCap cap(2);
    CHECK(cap.tryAdd(1));
    CHECK(cap.tryAdd(1));
    CHECK(!cap.tryAdd(1));
    CHECK(cap.tryAdd(2));
    CHECK(cap.count(1) == 2);
    cap.remove(1);
    CHECK(cap.tryAdd(1));
    cap.remove(3); // unknown: no effect
    CHECK(cap.count(3) == 0);
    AddressPeerCap none(0);
    CHECK(!none.tryAdd(5));
    CHECK(none.count(5) == 0);
}

TEST_CASE("limits: bad packets add strikes that decay, past the threshold the peer is cut off", "[secure][limits]") {
    StrikeCounter s(StrikeConfig{5, 1});
    for (int i = 0; i < 4; ++i) CHECK(s.strike(0.0) == StrikeVerdict::Keep);
    CHECK(s.strike(0.0) == StrikeVerdict::Disconnect);

    StrikeCounter slow(StrikeConfig{5, 1});
    // One bad packet a second never adds up.
    for (int i = 0; i < 100; ++i) CHECK(slow.strike(static_cast<double>(i)) == StrikeVerdict::Keep);
    CHECK(slow.score(1000.0) == Approx(0.0));
}
