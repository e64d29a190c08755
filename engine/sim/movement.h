// One fixed step of a participant's intent, applied identically by the
// server (authority) and the client (prediction). Pure: no clock, no I/O.
#pragma once
#include <glm/vec2.hpp>

#include "sim/avatar.h"
#include "sim/layout.h"

namespace caseroom::sim {

struct MoveInput {
    glm::vec2 move{0.0f};   // desired walk direction (x, z); length above 1 is clamped
    float bodyYaw = 0.0f;   // where the body faces while standing
    float headYaw = 0.0f;   // relative to the body
    float headPitch = 0.0f; // positive looks up
};

// Applies one step of `dt` seconds. Standing: walks at most kWalkSpeed*dt,
// kept inside the walls and out of the table. Seated: the body stays on the
// seat and only the head turns. Head yaw and pitch are clamped to a neck's range.
void stepAvatar(const RoomLayout& layout, AvatarPose& pose, const MoveInput& in, float dt);

// Sets the head offset and orientation from posture and look angles.
void poseHead(AvatarPose& pose, float headYaw, float headPitch);

} // namespace caseroom::sim
