// First-person look and walk: mouse deltas and held keys to a look direction
// and a sim::MoveInput. Pure (no SDL, no clock), so it is easy to reason
// about; the server applies the same clamps again.
#pragma once
#include <algorithm>
#include <cmath>

#include "sim/avatar.h"
#include "sim/movement.h"

namespace caseroom::client {

struct Look {
    float yaw = 0.0f;    // world yaw, radians (sim convention)
    float pitch = 0.0f;  // positive looks up
    float sensitivity = 0.0025f; // radians per pixel
};

inline void applyMouse(Look& look, float dx, float dy) {
    look.yaw = sim::wrapAngle(look.yaw - dx * look.sensitivity);
    look.pitch = std::clamp(look.pitch - dy * look.sensitivity, -1.3f, 1.3f);
}

// Seated: the head turns at most kMaxHeadYaw from the seat's facing.
inline void clampToSeat(Look& look, float seatYaw) {
    const float rel = std::clamp(sim::wrapAngle(look.yaw - seatYaw), -sim::kMaxHeadYaw, sim::kMaxHeadYaw);
    look.yaw = sim::wrapAngle(seatYaw + rel);
}

// forward/back/left/right in -1..1; the walk direction is relative to where the user looks.
inline sim::MoveInput makeIntent(const Look& look, float forward, float strafe) {
    sim::MoveInput in;
    const glm::vec3 f = sim::forwardOf(look.yaw);
    const glm::vec2 fwd{f.x, f.z};
    const glm::vec2 right{-f.z, f.x};
    glm::vec2 m = fwd * forward + right * strafe;
    const float len = std::sqrt(m.x * m.x + m.y * m.y);
    if (len > 1.0f) m /= len;
    in.move = m;
    in.bodyYaw = look.yaw;
    in.headYaw = 0.0f;
    in.headPitch = look.pitch;
    return in;
}

} // namespace caseroom::client
