#include <catch2/catch.hpp>

#include <cmath>

#include "core/rng.h"
#include "net/quantize.h"

using namespace caseroom;
using namespace caseroom::net;

TEST_CASE("positions quantize to within half a millimetre inside the bounds", "[net][quantize]") {
    core::Rng rng(5);
    for (int i = 0; i < 10000; ++i) {
        const glm::vec3 p{rng.uniformf(-32.7f, 32.7f), rng.uniformf(-0.99f, 3.09f), rng.uniformf(-32.7f, 32.7f)};
        const glm::vec3 q = dequantizePosition(quantizePosition(p));
        CHECK(std::fabs(q.x - p.x) <= 0.0005f + 1e-5f);
        CHECK(std::fabs(q.y - p.y) <= 0.0005f + 1e-5f);
        CHECK(std::fabs(q.z - p.z) <= 0.0005f + 1e-5f);
    }
    // Out of bounds and non-finite values clamp instead of wrapping.
    const QPosition far = quantizePosition({1000.0f, -50.0f, NAN});
    CHECK(far.x == kPosXZMax);
    CHECK(far.y == kPosYMin);
    CHECK(far.z == 0);
}

TEST_CASE("yaw quantizes within half a step and wraps", "[net][quantize]") {
    core::Rng rng(6);
    const float step = 6.2831853f / kYawSteps;
    for (int i = 0; i < 10000; ++i) {
        const float a = rng.uniformf(-20.0f, 20.0f);
        const float back = dequantizeYaw(quantizeYaw(a));
        float diff = std::fmod(std::fabs(back - a), 6.2831853f);
        diff = std::min(diff, 6.2831853f - diff);
        CHECK(diff <= step / 2 + 1e-4f);
    }
}

TEST_CASE("smallest-three quaternions stay within 0.25 degrees", "[net][quantize]") {
    core::Rng rng(8);
    float worst = 0;
    for (int i = 0; i < 20000; ++i) {
        glm::quat q(rng.uniformf(-1, 1), rng.uniformf(-1, 1), rng.uniformf(-1, 1), rng.uniformf(-1, 1));
        if (glm::length(q) < 1e-3f) continue;
        q = glm::normalize(q);
        const glm::quat back = dequantizeQuat(quantizeQuat(q));
        worst = std::max(worst, quatAngle(q, back));
    }
    const float bound = 0.25f * 3.14159265f / 180.0f;
    CHECK(worst <= bound);
    // q and -q are one rotation and one encoding.
    const glm::quat q = glm::normalize(glm::quat(0.3f, -0.5f, 0.7f, 0.1f));
    CHECK(quantizeQuat(q) == quantizeQuat(-q));
}
