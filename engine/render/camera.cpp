#include "render/camera.h"

#include <cmath>

#include <glm/gtc/matrix_transform.hpp>

namespace caseroom::render {

const char* toString(CameraPreset p) {
    switch (p) {
    case CameraPreset::Seat: return "seat";
    case CameraPreset::Overview: return "overview";
    case CameraPreset::Panel: return "panel";
    case CameraPreset::Count: break;
    }
    return "?";
}

glm::mat4 viewMatrix(const Camera& c) {
    const glm::mat4 rot = glm::mat4_cast(glm::conjugate(c.orientation));
    return rot * glm::translate(glm::mat4(1.0f), -c.eye);
}

glm::mat4 projectionMatrix(const Camera& c, float aspect) {
    return glm::perspectiveRH_ZO(c.fovY, aspect, c.nearZ, c.farZ);
}

Camera lookAt(glm::vec3 eye, glm::vec3 target, float fovY) {
    const glm::vec3 d = target - eye;
    const float yaw = std::atan2(-d.x, -d.z);
    const float pitch = std::atan2(d.y, std::sqrt(d.x * d.x + d.z * d.z));
    Camera c;
    c.eye = eye;
    c.orientation = sim::headRotation(yaw, pitch);
    c.fovY = fovY;
    return c;
}

Camera headCamera(const sim::AvatarPose& pose) {
    Camera c;
    c.eye = pose.headPosition();
    c.orientation = pose.head;
    return c;
}

Camera seatCamera(const sim::RoomLayout& layout, std::uint16_t seat) {
    if (seat >= layout.seats.size()) return overviewCamera(layout);
    const sim::Seat& s = layout.seats[seat];
    Camera c;
    c.eye = {s.position.x, sim::kSeatedEyeHeight, s.position.y};
    c.orientation = sim::headRotation(s.yaw, -0.12f);
    return c;
}

Camera overviewCamera(const sim::RoomLayout& layout) {
    const glm::vec3 target{layout.tableCenter.x, 0.0f, layout.tableCenter.y + 0.6f};
    const glm::vec3 eye{layout.tableCenter.x, layout.height + 8.5f, layout.halfExtents.y + 0.5f};
    return lookAt(eye, target, 0.95f);
}

std::optional<glm::vec2> projectToPixel(const glm::mat4& viewProj, glm::vec3 world, glm::vec2 viewport) {
    const glm::vec4 clip = viewProj * glm::vec4(world, 1.0f);
    if (clip.w <= 1e-4f) return std::nullopt;
    const glm::vec3 ndc = glm::vec3(clip) / clip.w;
    return glm::vec2((ndc.x * 0.5f + 0.5f) * viewport.x, (0.5f - ndc.y * 0.5f) * viewport.y);
}

Ray pixelRay(const Camera& c, glm::vec2 pixel, glm::vec2 viewport) {
    const float aspect = viewport.x / viewport.y;
    const float t = std::tan(c.fovY * 0.5f);
    const float nx = (pixel.x / viewport.x) * 2.0f - 1.0f;
    const float ny = 1.0f - (pixel.y / viewport.y) * 2.0f;
    const glm::vec3 local{nx * t * aspect, ny * t, -1.0f};
    Ray r;
    r.origin = c.eye;
    r.direction = glm::normalize(c.orientation * local);
    return r;
}

std::optional<std::uint16_t> pickSeat(const sim::RoomLayout& layout, const Ray& ray, float radius) {
    constexpr float kSeatHeight = 0.45f;
    if (std::fabs(ray.direction.y) < 1e-5f) return std::nullopt;
    const float t = (kSeatHeight - ray.origin.y) / ray.direction.y;
    if (t <= 0) return std::nullopt;
    const glm::vec3 hit = ray.origin + ray.direction * t;
    std::optional<std::uint16_t> best;
    float bestDist = radius;
    for (std::size_t i = 0; i < layout.seats.size(); ++i) {
        const glm::vec2 d = glm::vec2(hit.x, hit.z) - layout.seats[i].position;
        const float dist = std::sqrt(d.x * d.x + d.y * d.y);
        if (dist <= bestDist) {
            bestDist = dist;
            best = static_cast<std::uint16_t>(i);
        }
    }
    return best;
}

} // namespace caseroom::render
