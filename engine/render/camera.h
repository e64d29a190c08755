// Cameras, projection and picking. Pure maths, no Vulkan: unit-tested
// without a GPU. Conventions follow sim/avatar.h (y up, yaw 0 looks along
// -z); clip space is Vulkan's (depth 0..1) and the renderer flips the
// viewport so that +y is up on screen.
#pragma once
#include <cstdint>
#include <optional>

#include <glm/gtc/quaternion.hpp>
#include <glm/mat4x4.hpp>
#include <glm/vec2.hpp>
#include <glm/vec3.hpp>

#include "sim/avatar.h"
#include "sim/layout.h"

namespace caseroom::render {

struct Camera {
    glm::vec3 eye{0.0f, sim::kStandingEyeHeight, 0.0f};
    glm::quat orientation{1, 0, 0, 0}; // identity looks along -z
    float fovY = 1.22173f;             // radians (70 degrees)
    float nearZ = 0.05f;               // metres
    float farZ = 80.0f;
};

// Panel: facing wall panel 0 so that it fills the view (as F does in the window).
enum class CameraPreset : std::uint8_t { Seat, Overview, Panel, Count };
const char* toString(CameraPreset p);

glm::mat4 viewMatrix(const Camera& c);
glm::mat4 projectionMatrix(const Camera& c, float aspect);
inline glm::mat4 viewProjection(const Camera& c, float aspect) { return projectionMatrix(c, aspect) * viewMatrix(c); }

// Looking from `eye` toward `target` (up is +y).
Camera lookAt(glm::vec3 eye, glm::vec3 target, float fovY);
// From a participant's head (first person).
Camera headCamera(const sim::AvatarPose& pose);
// The eyes of someone seated at `seat`, looking slightly down across the table.
Camera seatCamera(const sim::RoomLayout& layout, std::uint16_t seat);
// From high above the back of the room, the whole table and the front wall in view.
Camera overviewCamera(const sim::RoomLayout& layout);

// World point to pixel (origin top-left). Empty when behind the camera.
std::optional<glm::vec2> projectToPixel(const glm::mat4& viewProj, glm::vec3 world, glm::vec2 viewport);

struct Ray {
    glm::vec3 origin{0.0f};
    glm::vec3 direction{0.0f, 0.0f, -1.0f}; // unit length
};
// The ray through pixel `pixel` (origin top-left) of a `viewport`-sized image.
Ray pixelRay(const Camera& c, glm::vec2 pixel, glm::vec2 viewport);

// The seat whose chair the ray hits (within `radius` metres of the seat's
// centre at seat height), nearest to the ray origin first.
std::optional<std::uint16_t> pickSeat(const sim::RoomLayout& layout, const Ray& ray, float radius = 0.35f);

} // namespace caseroom::render
