// Unit meshes built on the CPU (pure, no Vulkan): a box, a capped cylinder
// and a sphere, all centred on the origin with extent 1 along each axis.
// Every room piece and avatar part is one of these scaled by an instance
// matrix, so the whole lit scene is three instanced draws. CCW winding seen
// from outside.
#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include <glm/mat4x4.hpp>
#include <glm/vec2.hpp>
#include <glm/vec3.hpp>
#include <glm/vec4.hpp>

namespace caseroom::render {

struct Vertex {
    glm::vec3 position{0.0f};
    glm::vec3 normal{0.0f, 1.0f, 0.0f};
    glm::vec2 uv{0.0f};
};

// Per-instance data of the lit pipeline (binding 1). 80 bytes.
struct Instance {
    glm::mat4 model{1.0f}; // rotation * scale + translation, no shear
    glm::vec4 color{1.0f}; // display-space RGB, alpha unused
};

// Triangle counts matter more than draw calls on a CPU rasteriser
// (lavapipe sets up every triangle on one thread): small parts use the
// coarse variants.
enum class MeshKind : std::uint8_t {
    Box,            // 12 triangles
    Cylinder,       // 32 segments: table, carpet
    CylinderCoarse, // 10 segments: chair posts and feet
    Sphere,         // 7 rings x 10 segments: near heads
    SphereCoarse,   // 4 x 5: hands and far heads
    Count
};
constexpr std::size_t kMeshKinds = static_cast<std::size_t>(MeshKind::Count);
const char* toString(MeshKind k);

struct MeshRange {
    std::uint32_t firstIndex = 0;
    std::uint32_t indexCount = 0;
    std::int32_t vertexOffset = 0;
};

// All unit meshes in one vertex and one index array.
struct MeshSet {
    std::vector<Vertex> vertices;
    std::vector<std::uint32_t> indices;
    std::array<MeshRange, kMeshKinds> ranges{};
};

MeshSet buildUnitMeshes();

} // namespace caseroom::render
