// The Dear ImGui bridge: the unmodified Vulkan backend from libimgui-dev,
// initialised against a Target's render pass, plus name tags drawn through
// ImGui's background draw list at projected head positions.
// Contract: the caller creates the ImGui context (and, with a window, the
// SDL2 backend) before createImGuiLayer and destroys it after
// destroyImGuiLayer. Only one layer may exist per process (the backend keeps
// global state). Render thread only.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <glm/mat4x4.hpp>
#include <glm/vec2.hpp>
#include <vulkan/vulkan.h>

#include "core/result.h"
#include "render/device.h"
#include "render/scene.h"
#include "render/target.h"

struct ImDrawList;

namespace caseroom::render {

struct ImGuiLayer {
    Device* dev = nullptr;
    VkDescriptorPool pool = VK_NULL_HANDLE;
    bool initialised = false;
    std::vector<std::pair<float, std::uint32_t>> tagOrder; // scratch, keeps capacity
    std::vector<glm::vec4> tagRects;                        // scratch: placed tags (min x, min y, max x, max y)
    std::string tagText;                                    // scratch: a tag with its state ("reconnecting")
};

[[nodiscard]] core::Status createImGuiLayer(ImGuiLayer& layer, Device& dev, const Target& target);
void destroyImGuiLayer(ImGuiLayer& layer);
// Starts the backend's frame; call before ImGui::NewFrame().
void imguiNewFrame(ImGuiLayer& layer);
// Records ImGui::GetDrawData() (after ImGui::Render()) into the open render pass.
void recordImGui(ImGuiLayer& layer, VkCommandBuffer cmd);

// Name tags: a dark rounded label with the name and a role-coloured bar,
// anchored above each visible avatar's head. Placed nearest first; a tag
// that would overlap one already placed is left out, so every tag shown
// stays readable in a crowd. Tags fade beyond `fadeFrom` metres; a speaking
// participant's tag (pose.voiceLevel > 0) gets a white outline.
void drawNameTags(ImGuiLayer& layer, ImDrawList* draw, const glm::mat4& viewProj, glm::vec3 eye, glm::vec2 viewport,
                  std::span<const AvatarDraw> avatars, float fadeFrom = 9.0f);

} // namespace caseroom::render
