#include <catch2/catch.hpp>

#include "core/ids.h"
#include "core/log.h"
#include "core/rng.h"
#include "core/tick.h"

using namespace caseroom::core;

TEST_CASE("typed ids have an invalid value", "[core]") {
    EntityId none;
    CHECK_FALSE(none.valid());
    CHECK(EntityId{3}.valid());
    CHECK(EntityId{3} == EntityId{3});
    CHECK(EntityId{3} != EntityId{4});
}

TEST_CASE("rng is deterministic for a seed and stays in range", "[core]") {
    Rng a(42), b(42), c(43);
    bool differs = false;
    for (int i = 0; i < 1000; ++i) {
        const auto x = a.next();
        CHECK(x == b.next());
        differs |= x != c.next();
    }
    CHECK(differs);
    for (int i = 0; i < 1000; ++i) {
        const auto r = a.range(-5, 5);
        CHECK(r >= -5);
        CHECK(r <= 5);
        CHECK(a.below(7) < 7u);
        const double u = a.uniform();
        CHECK(u >= 0.0);
        CHECK(u < 1.0);
    }
}

TEST_CASE("fixed tick runs the ticks that are due and skips a long stall", "[core]") {
    FixedTick t;
    t.rateHz = 10;
    CHECK(t.advance(0.0) == 1);   // tick 0 at t=0
    CHECK(t.advance(0.05) == 0);
    CHECK(t.advance(0.25) == 2);  // ticks 1 and 2
    CHECK(t.untilNext(0.25) == Approx(0.05));
    CHECK(t.advance(100.0) == t.maxCatchUp); // stalled: catches up a little, then rebases
    CHECK(t.advance(100.0) == 0);
}

TEST_CASE("log limiter lets a burst through then counts what it drops", "[core]") {
    LogLimiter lim(1.0, 2.0);
    std::uint64_t suppressed = 0;
    CHECK(lim.allow(0.0, suppressed));
    CHECK(lim.allow(0.0, suppressed));
    CHECK_FALSE(lim.allow(0.0, suppressed));
    CHECK_FALSE(lim.allow(0.1, suppressed));
    CHECK(lim.allow(1.5, suppressed));
    CHECK(suppressed == 2);
}
