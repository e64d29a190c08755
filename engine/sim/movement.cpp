#include "sim/movement.h"

#include <algorithm>
#include <cmath>

namespace caseroom::sim {

void poseHead(AvatarPose& pose, float headYaw, float headPitch) {
    const float yaw = std::clamp(std::isfinite(headYaw) ? headYaw : 0.0f, -kMaxHeadYaw, kMaxHeadYaw);
    const float pitch = std::clamp(std::isfinite(headPitch) ? headPitch : 0.0f, -kMaxHeadPitch, kMaxHeadPitch);
    pose.headOffset = {0.0f, pose.seated() ? kSeatedEyeHeight : kStandingEyeHeight, 0.0f};
    pose.head = headRotation(pose.bodyYaw + yaw, pitch);
}

void stepAvatar(const RoomLayout& layout, AvatarPose& pose, const MoveInput& in, float dt) {
    float headYaw = in.headYaw;
    if (pose.seated()) {
        // The body keeps facing the seat's way; a seated person turns the head.
        headYaw = wrapAngle(in.bodyYaw + in.headYaw - pose.bodyYaw);
    } else {
        if (std::isfinite(in.bodyYaw)) pose.bodyYaw = wrapAngle(in.bodyYaw);
        glm::vec2 m = in.move;
        if (!std::isfinite(m.x) || !std::isfinite(m.y)) m = glm::vec2(0.0f);
        const float len = std::sqrt(m.x * m.x + m.y * m.y);
        if (len > 1.0f) m /= len;
        const glm::vec2 next = glm::vec2(pose.body.x, pose.body.z) + m * (kWalkSpeed * dt);
        const glm::vec2 resolved = layout.resolveCollision(next);
        pose.body = {resolved.x, 0.0f, resolved.y};
    }
    poseHead(pose, headYaw, in.headPitch);
}

} // namespace caseroom::sim
