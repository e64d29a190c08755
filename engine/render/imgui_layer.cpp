#include "render/imgui_layer.h"

#include <algorithm>
#include <array>
#include <cmath>

#include <imgui.h>
#include <backends/imgui_impl_vulkan.h>

#include "core/log.h"
#include "render/camera.h"
#include "render/frames.h"
#include "render/resources.h"
#include "render/vk_check.h"

namespace caseroom::render {
namespace {

void checkImGuiVk(VkResult r) {
    if (r != VK_SUCCESS) vkCheckFailed(__FILE__, __LINE__, "imgui vulkan backend", r);
}

} // namespace

core::Status createImGuiLayer(ImGuiLayer& layer, Device& dev, const Target& target) {
    layer.dev = &dev;
    const std::array<VkDescriptorPoolSize, 1> sizes{{{VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, 16}}};
    VkDescriptorPoolCreateInfo pool{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
    pool.flags = VK_DESCRIPTOR_POOL_CREATE_FREE_DESCRIPTOR_SET_BIT;
    pool.maxSets = 16;
    pool.poolSizeCount = static_cast<std::uint32_t>(sizes.size());
    pool.pPoolSizes = sizes.data();
    VK_CHECK(vkCreateDescriptorPool(dev.device, &pool, nullptr, &layer.pool));

    ImGui_ImplVulkan_InitInfo info{};
    info.Instance = dev.instance;
    info.PhysicalDevice = dev.physical;
    info.Device = dev.device;
    info.QueueFamily = dev.queueFamily;
    info.Queue = dev.queue;
    info.PipelineCache = VK_NULL_HANDLE;
    info.DescriptorPool = layer.pool;
    info.Subpass = 0;
    // The backend rotates its vertex buffers over ImageCount frames; our
    // frames-in-flight ring guarantees a buffer is idle when it comes round.
    info.MinImageCount = kFramesInFlight;
    info.ImageCount = kFramesInFlight;
    info.MSAASamples = target.samples;
    info.Allocator = nullptr;
    info.CheckVkResultFn = checkImGuiVk;
    if (!ImGui_ImplVulkan_Init(&info, target.renderPass)) return core::Error{"Dear ImGui Vulkan backend failed to start"};
    layer.initialised = true;

    VkCommandBuffer cmd = beginOneShot(dev);
    ImGui_ImplVulkan_CreateFontsTexture(cmd);
    if (!endOneShot(dev, cmd)) return core::Error{"the Vulkan device was lost while uploading the UI font"};
    ImGui_ImplVulkan_DestroyFontUploadObjects();
    layer.tagOrder.reserve(256);
    layer.tagRects.reserve(256);
    return {};
}

void destroyImGuiLayer(ImGuiLayer& layer) {
    if (layer.dev == nullptr) return;
    vkDeviceWaitIdle(layer.dev->device); // result ignored: teardown continues on a lost device
    if (layer.initialised) ImGui_ImplVulkan_Shutdown();
    if (layer.pool != VK_NULL_HANDLE) vkDestroyDescriptorPool(layer.dev->device, layer.pool, nullptr);
    layer = ImGuiLayer{};
}

void imguiNewFrame(ImGuiLayer& /*layer*/) { ImGui_ImplVulkan_NewFrame(); }

void recordImGui(ImGuiLayer& /*layer*/, VkCommandBuffer cmd) {
    ImDrawData* data = ImGui::GetDrawData();
    if (data != nullptr) ImGui_ImplVulkan_RenderDrawData(data, cmd);
}

void drawNameTags(ImGuiLayer& layer, ImDrawList* draw, const glm::mat4& viewProj, glm::vec3 eye, glm::vec2 viewport,
                  std::span<const AvatarDraw> avatars, float fadeFrom) {
    layer.tagOrder.clear();
    for (std::size_t i = 0; i < avatars.size(); ++i) {
        const AvatarDraw& a = avatars[i];
        if (a.hidden || a.hideHead || a.name.empty()) continue;
        const glm::vec3 d = nameTagAnchor(a.pose) - eye;
        layer.tagOrder.emplace_back(glm::dot(d, d), static_cast<std::uint32_t>(i));
    }
    std::sort(layer.tagOrder.begin(), layer.tagOrder.end(),
              [](const auto& x, const auto& y) { return x.first < y.first; });
    layer.tagRects.clear();
    ImFont* font = ImGui::GetFont();
    const float fontSize = ImGui::GetFontSize();
    for (const auto& [dist2, index] : layer.tagOrder) {
        const AvatarDraw& a = avatars[index];
        const auto px = projectToPixel(viewProj, nameTagAnchor(a.pose), viewport);
        if (!px || px->x < -200 || px->y < -50 || px->x > viewport.x + 200 || px->y > viewport.y + 50) continue;
        const float dist = std::sqrt(dist2);
        const float alpha = std::clamp(1.0f - (dist - fadeFrom) / 10.0f, 0.35f, 1.0f);
        std::string_view text = a.name;
        if (a.away) { // the state in the tag, in amber
            layer.tagText.assign(a.name);
            layer.tagText += " (reconnecting)";
            text = layer.tagText;
        }
        const char* begin = text.data();
        const char* end = begin + text.size();
        const ImVec2 size = font->CalcTextSizeA(fontSize, 1e9f, 0.0f, begin, end);
        const float padX = 5.0f, padY = 2.0f, bar = 3.0f;
        const ImVec2 min{std::round(px->x - size.x / 2 - padX), std::round(px->y - size.y - 2 * padY - bar)};
        const ImVec2 max{std::round(px->x + size.x / 2 + padX), std::round(px->y)};
        bool overlaps = false;
        for (const glm::vec4& r : layer.tagRects)
            if (min.x < r.z && max.x > r.x && min.y < r.w && max.y > r.y) {
                overlaps = true;
                break;
            }
        if (overlaps) continue;
        layer.tagRects.emplace_back(min.x, min.y, max.x, max.y);
        const auto a8 = [&](float f) { return static_cast<int>(std::lround(std::clamp(f, 0.0f, 1.0f) * 255.0f)); };
        draw->AddRectFilled(min, max, IM_COL32(20, 22, 28, a8(0.78f * alpha)), 4.0f);
        const glm::vec3 rc = roleColor(a.role);
        draw->AddRectFilled({min.x, max.y - bar}, max, IM_COL32(a8(rc.r), a8(rc.g), a8(rc.b), a8(alpha)), 4.0f,
                            ImDrawFlags_RoundCornersBottom);
        draw->AddText(font, fontSize, {min.x + padX, min.y + padY},
                      a.away ? IM_COL32(255, 199, 77, a8(alpha)) : IM_COL32(255, 255, 255, a8(alpha)), begin, end);
        if (a.pose.voiceLevel > 0) // speaking: a bright outline that grows with the level
            draw->AddRect({min.x - 2, min.y - 2}, {max.x + 2, max.y + 2}, IM_COL32(255, 255, 255, a8(alpha)), 5.0f, 0,
                          1.0f + static_cast<float>(std::min<int>(a.pose.voiceLevel, 15)) / 5.0f);
    }
}

} // namespace caseroom::render
