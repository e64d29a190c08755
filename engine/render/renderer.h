// The case-room renderer: draws a read-only FrameView (room layout, avatars,
// camera) into a Target, with the room and avatars as three instanced draws
// (box, cylinder, sphere) plus one draw per wall panel. The UI (Dear ImGui)
// records into the same render pass between drawScene and endFrame.
//
// Frame protocol (render thread only):
//   if (beginFrame(r, drawable) == FrameResult::Ready) {
//       drawScene(r, view);            // optional
//       ... record UI into frameCommandBuffer(r) ...
//       endFrame(r);
//   }
// Ownership: Renderer owns its pipelines, buffers, panel images and frame
// ring; it borrows the Device and Target, which must outlive it.
// Allocation: no heap allocation per frame once instance lists and buffers
// have grown to the scene's size (they only grow, by doubling).
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <glm/mat4x4.hpp>

#include "core/result.h"
#include "render/camera.h"
#include "render/device.h"
#include "render/frames.h"
#include "render/pipeline.h"
#include "render/resources.h"
#include "render/scene.h"
#include "render/target.h"
#include "render/test_image.h"
#include "sim/layout.h"

namespace caseroom::render {

struct RendererDesc {
    std::string shaderDir;                  // directory with scene.vert.spv etc.
    std::uint32_t panelWidth = 512;         // default test-card size
    std::uint32_t panelHeight = 288;
    glm::vec3 clearColor{0.16f, 0.17f, 0.19f};
};

struct FrameView {
    const sim::RoomLayout* layout = nullptr; // null: only the clear colour (and the UI)
    std::span<const AvatarDraw> avatars;
    Camera camera;
};

enum class FrameResult : std::uint8_t {
    Ready,      // recording; call endFrame
    Skipped,    // minimised or the swapchain was just rebuilt: draw nothing this time
    DeviceLost, // stop; show deviceLostMessage()
    Count
};
const char* toString(FrameResult r);

struct RenderStats {
    std::uint32_t drawCalls = 0;      // scene draws last frame (UI not counted)
    std::uint32_t instances = 0;
    std::uint32_t avatars = 0;
    std::uint64_t swapchainRebuilds = 0;
    std::uint64_t bufferGrowths = 0;   // instance buffer reallocations so far
};

struct Renderer {
    Device* dev = nullptr;
    Target* target = nullptr;
    RendererDesc desc;
    FrameRing frames;
    Pipeline lit;
    Pipeline panel;
    VkDescriptorSetLayout panelSetLayout = VK_NULL_HANDLE;
    VkDescriptorPool descriptorPool = VK_NULL_HANDLE;
    VkSampler sampler = VK_NULL_HANDLE;
    MeshSet meshes;                              // CPU copy: ranges used when drawing
    Buffer meshVertices, meshIndices;
    std::array<Buffer, kFramesInFlight> instanceBuffers;
    InstanceLists roomInstances;                 // rebuilt when the layout changes
    InstanceLists avatarInstances;               // rebuilt every frame
    Buffer panelVertices;
    std::vector<Vertex> panelScratch;
    std::vector<Image> panelImages;
    std::vector<VkDescriptorSet> panelSets;
    std::optional<sim::RoomLayout> currentLayout; // what roomInstances and panels show
    std::optional<sim::RoomLayout> pendingLayout; // applied at the next beginFrame
    std::vector<std::pair<std::uint32_t, RgbaImage>> pendingPanelImages;
    std::uint32_t panelCount = 0;
    std::uint32_t imageIndex = 0;
    bool recording = false;
    bool rebuildAfterPresent = false;
    VkExtent2D drawable{0, 0};
    VkExtent2D builtFor{0, 0};                   // drawable size the swapchain was last built for
    RenderStats stats;
};

[[nodiscard]] core::Status createRenderer(Renderer& r, Device& dev, Target& target, const RendererDesc& desc);
void destroyRenderer(Renderer& r);

// The room to draw. Cheap to call every frame with the same layout: it only
// rebuilds when the layout differs from the last one (by content).
void setRoom(Renderer& r, const sim::RoomLayout& layout);
// Replaces one panel's image (slides and video later). RGBA8, any size up to
// 4096x4096; applied at the next beginFrame, the old image destroyed once
// no frame in flight uses it. Out-of-range indices are ignored.
void setPanelImage(Renderer& r, std::uint32_t panel, RgbaImage image);

// `drawable` is the window's size in pixels (ignored for offscreen targets).
[[nodiscard]] FrameResult beginFrame(Renderer& r, VkExtent2D drawable);
void drawScene(Renderer& r, const FrameView& view);
[[nodiscard]] FrameResult endFrame(Renderer& r);
VkCommandBuffer frameCommandBuffer(const Renderer& r);

// Waits until every submitted frame is done (before screenshots and teardown).
[[nodiscard]] bool waitIdle(Renderer& r);
// Offscreen targets: the last finished frame as RGBA8.
[[nodiscard]] core::Result<RgbaImage> captureFrame(Renderer& r);

float aspectRatio(const Target& t);

} // namespace caseroom::render
