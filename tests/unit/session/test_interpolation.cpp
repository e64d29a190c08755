#include <catch2/catch.hpp>

#include "session/interpolation.h"
#include "session/wire_avatar.h"

using namespace caseroom;
using namespace caseroom::session;

namespace {
sim::AvatarPose at(float x) {
    sim::AvatarPose p;
    p.body = {x, 0.0f, 0.0f};
    return p;
}
} // namespace

TEST_CASE("interpolation blends between the samples around render time", "[session][interp]") {
    InterpolationBuffer b;
    b.push(10, at(0.0f));
    b.push(14, at(4.0f));
    CHECK(b.sample(12.0)->body.x == Approx(2.0f));
    CHECK(b.sample(5.0)->body.x == Approx(0.0f));   // before the first: hold the first
    CHECK(b.sample(20.0)->body.x == Approx(4.0f));  // past the last: hold, never extrapolate
}

TEST_CASE("late, duplicate and reordered samples land in order", "[session][interp]") {
    InterpolationBuffer b;
    b.push(20, at(20.0f));
    b.push(10, at(10.0f));  // reordered
    b.push(20, at(99.0f));  // duplicate: ignored
    b.push(15, at(15.0f));  // late but useful
    REQUIRE(b.size() == 3);
    CHECK(b.sample(12.5)->body.x == Approx(12.5f));
    CHECK(b.sample(17.5)->body.x == Approx(17.5f));
    CHECK(b.newestTick() == 20u);
}

TEST_CASE("lost samples are bridged by the neighbours", "[session][interp]") {
    InterpolationBuffer b;
    for (std::uint32_t t = 0; t <= 30; t += 3) // two of every three lost
        b.push(t, at(static_cast<float>(t)));
    CHECK(b.sample(16.0)->body.x == Approx(16.0f));
    b.discardBefore(20.0);
    CHECK(b.sample(20.0)->body.x == Approx(20.0f));
    CHECK(b.sample(19.0)->body.x == Approx(19.0f)); // the span 18..21 is kept
    CHECK(b.sample(10.0)->body.x == Approx(18.0f)); // older spans are gone: hold the oldest kept
}

TEST_CASE("a full buffer drops its oldest sample and refuses older ones", "[session][interp]") {
    InterpolationBuffer b;
    for (std::uint32_t t = 100; t < 100 + InterpolationBuffer::kCapacity; ++t) b.push(t, at(static_cast<float>(t)));
    b.push(50, at(50.0f)); // older than everything held
    CHECK(b.size() == InterpolationBuffer::kCapacity);
    CHECK(b.sample(0.0)->body.x == Approx(100.0f));
    b.push(500, at(500.0f));
    CHECK(b.sample(0.0)->body.x == Approx(101.0f));
}

TEST_CASE("sitting down snaps instead of sliding through the chair", "[session][interp]") {
    sim::AvatarPose standing = at(0.0f), seated = at(1.0f);
    seated.seat = 3;
    const auto mid = lerpPose(standing, seated, 0.4f);
    CHECK(mid.body.x == Approx(0.0f));
    CHECK(lerpPose(standing, seated, 0.6f).seat == 3);
}

TEST_CASE("server clock follows the newest tick and never runs backwards", "[session][interp]") {
    ServerClock c;
    c.reset(30.0);
    c.observe(300, 10.0);
    CHECK(c.estimate(10.0) == Approx(300.0));
    CHECK(c.estimate(11.0) == Approx(330.0));
    double last = c.estimate(11.0);
    // Jittery arrivals: late ones pull the estimate back only slowly.
    for (int i = 0; i < 100; ++i) {
        const double now = 11.0 + i / 30.0;
        c.observe(330 + static_cast<std::uint32_t>(i) - (i % 3 == 0 ? 2u : 0u), now + (i % 2) * 0.01);
        const double e = c.estimate(now + 0.001);
        CHECK(e >= last - 1e-9);
        last = e;
    }
}

TEST_CASE("wire round trip of a pose keeps it within the quantization bounds", "[session][wire]") {
    sim::AvatarPose p;
    p.body = {1.2345f, 0.0f, -3.4567f};
    p.bodyYaw = 1.0f;
    p.head = sim::headRotation(1.3f, -0.2f);
    p.seat = 5;
    const sim::AvatarPose q = fromWire(toWire(p));
    CHECK(std::fabs(q.body.x - p.body.x) <= 0.0005f);
    CHECK(std::fabs(q.body.z - p.body.z) <= 0.0005f);
    CHECK(net::quatAngle(q.head, p.head) < 0.005f);
    CHECK(q.seat == 5);
    CHECK_FALSE(q.handsTracked);
}
