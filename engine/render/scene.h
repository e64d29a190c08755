// What the renderer draws, built on the CPU from read-only views (pure, no
// Vulkan): the room's pieces and the avatars' parts as instances of the unit
// meshes, and the wall panels as textured quads. Nothing here mutates room
// state; the caller owns every input and the output lists.
// Allocation: the lists keep their capacity, so rebuilding each frame does
// not allocate once they have grown to the room's size.
#pragma once
#include <array>
#include <optional>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "core/role.h"
#include "render/camera.h"
#include "render/meshes.h"
#include "sim/avatar.h"
#include "sim/layout.h"

namespace caseroom::render {

// One participant as the renderer sees it this frame.
struct AvatarDraw {
    sim::AvatarPose pose;
    core::Role role = core::Role::Spoke;
    std::string_view name;  // for the name tag; must outlive the frame
    bool hideHead = false;  // first person: the viewer's own head is not drawn
    bool hidden = false;    // not drawn at all
    bool away = false;      // their link dropped and the room holds their place: the tag says "reconnecting"
};

// A live picture on an avatar's face: a quad just in front of the head,
// turned as the head is turned (renderer.h: FrameView::faces).
struct FaceDraw {
    std::uint32_t slot = 0;          // the renderer slot with the picture (a wall panel's or a video tile's)
    glm::vec3 head{0.0f};            // sim::AvatarPose::headPosition()
    glm::quat orientation{1, 0, 0, 0}; // sim::AvatarPose::head
    float aspect = 16.0f / 9.0f;     // the picture's width / height
};
// Face quad size: as wide as the head, in front of the visor.
constexpr float kFaceWidth = 0.30f;
constexpr float kFaceForward = 0.16f;

struct InstanceLists {
    std::array<std::vector<Instance>, kMeshKinds> byMesh;
    void clear() {
        for (auto& l : byMesh) l.clear();
    }
    [[nodiscard]] std::size_t total() const {
        std::size_t n = 0;
        for (const auto& l : byMesh) n += l.size();
        return n;
    }
    std::vector<Instance>& operator[](MeshKind k) { return byMesh[static_cast<std::size_t>(k)]; }
    const std::vector<Instance>& operator[](MeshKind k) const { return byMesh[static_cast<std::size_t>(k)]; }
};

// Torso colour per role (display-space RGB); the legend in the client uses it too.
glm::vec3 roleColor(core::Role role);

// Floor, walls, table, chairs and panel frames.
void appendRoom(const sim::RoomLayout& layout, InstanceLists& out);
// Beyond this distance (metres) from the camera a head uses the coarse sphere.
constexpr float kHeadDetailDistance = 6.0f;

// Head (with a dark visor showing where it faces), torso, hands and legs,
// standing or seated; 9 instances per avatar (~250 triangles near, ~150 far).
// `detailed`: near the camera, heads use the finer sphere.
void appendAvatar(const AvatarDraw& avatar, InstanceLists& out, bool detailed = true);
// Level of detail per avatar by its distance from `eye`.
void appendAvatars(std::span<const AvatarDraw> avatars, glm::vec3 eye, InstanceLists& out);

// Where a name tag is anchored: just above the head.
glm::vec3 nameTagAnchor(const sim::AvatarPose& pose);
// The torso centre, for tests that look for the role colour on screen.
glm::vec3 torsoCenter(const sim::AvatarPose& pose);

// The unit normal of a panel's face, pointing into the room whatever the
// sign convention of Panel::yaw.
glm::vec3 panelNormal(const sim::Panel& panel);
// Six vertices (two CCW triangles seen from the room) per panel, in world
// space, uv (0,0) at the top-left of the image as seen from the room.
void buildPanelQuads(const sim::RoomLayout& layout, std::vector<Vertex>& out);
// Six vertices (two CCW triangles seen from in front of the face), uv (0,0)
// at the picture's top-left as the onlooker sees it (a camera picture is
// mirrored by its sender if at all, never here).
std::array<Vertex, 6> faceQuad(const FaceDraw& face);
// Where a ray meets a panel's face, in panel uv (0..1, v down, as the quads'
// uv); empty when it misses, hits from behind, or points away.
std::optional<glm::vec2> panelHit(const sim::Panel& panel, glm::vec3 origin, glm::vec3 direction);
// A camera straight in front of a panel that fits it on screen (`aspect`
// width/height of the target), with `margin` around it: the full-screen view.
Camera panelCamera(const sim::Panel& panel, float aspect, float margin = 1.04f);

// A synthetic avatar set for headless runs, tests and benchmarks: the first
// `count` seats filled in order (table ring, then audience), then standing
// participants on a grid behind the audience. Deterministic.
std::vector<AvatarDraw> syntheticAvatars(const sim::RoomLayout& layout, std::uint32_t count);
// Names for syntheticAvatars ("Dr. Amara Osei", ...), stable per index.
std::string_view syntheticName(std::uint32_t index);

} // namespace caseroom::render
