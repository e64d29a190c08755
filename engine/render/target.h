// Where frames go: a window's swapchain or an offscreen image (the headless
// twin, no window or display needed). Both share one render pass shape:
//   [MSAA colour] + [MSAA depth] (+ resolve into the target image when MSAA),
// so pipelines built against a target stay valid across swapchain recreation
// as long as the colour format and sample count do not change.
// Ownership: Target owns its images, views, framebuffers, render pass and
// swapchain; it does not own the surface (the platform window does).
// Thread rule: render thread only.
#pragma once
#include <cstdint>
#include <vector>

#include <vulkan/vulkan.h>

#include "core/result.h"
#include "render/device.h"
#include "render/resources.h"

namespace caseroom::render {

enum class TargetKind : std::uint8_t { Offscreen, Swapchain, Count };
const char* toString(TargetKind k);

// What acquire/present report instead of raw VkResults.
enum class TargetStatus : std::uint8_t {
    Ok,
    Suboptimal,  // usable this frame; recreate afterwards
    OutOfDate,   // recreate before drawing
    Minimised,   // zero-sized window: skip drawing, do not spin
    DeviceLost,  // stop rendering; the app shows an error
    Count
};
const char* toString(TargetStatus s);

constexpr auto kAutoSamples = static_cast<VkSampleCountFlagBits>(0);

struct TargetDesc {
    VkExtent2D extent{1280, 720};
    // Clamped to what the device offers. kAutoSamples: 4x on GPUs, 1x on CPU
    // rasterisers (lavapipe), where 4x MSAA costs about three times the frame.
    VkSampleCountFlagBits samples = kAutoSamples;
    bool vsync = true;                                     // swapchain: FIFO, else MAILBOX/IMMEDIATE when offered
};

struct Target {
    TargetKind kind = TargetKind::Offscreen;
    VkExtent2D extent{0, 0};
    VkFormat colorFormat = VK_FORMAT_R8G8B8A8_UNORM;
    VkFormat depthFormat = VK_FORMAT_D32_SFLOAT;
    VkSampleCountFlagBits samples = VK_SAMPLE_COUNT_1_BIT;
    bool vsync = true;
    VkRenderPass renderPass = VK_NULL_HANDLE;
    Image msaaColor;  // only when samples > 1
    Image depth;
    // One entry per presentable (swapchain) or per offscreen image.
    std::vector<VkImage> images;
    std::vector<VkImageView> views;
    std::vector<VkFramebuffer> framebuffers;
    std::vector<VkSemaphore> renderDone; // swapchain: signalled by the frame that draws image i
    Image offscreen;                     // Offscreen: the resolved image (TRANSFER_SRC after a frame)
    VkSurfaceKHR surface = VK_NULL_HANDLE;
    VkSwapchainKHR swapchain = VK_NULL_HANDLE;
    std::uint32_t minImageCount = 2;
};

[[nodiscard]] core::Status createOffscreenTarget(Device& dev, Target& t, const TargetDesc& desc);
// `extent` is the window's drawable size in pixels.
[[nodiscard]] core::Status createSwapchainTarget(Device& dev, Target& t, VkSurfaceKHR surface, const TargetDesc& desc);
// Rebuilds the swapchain (and attachments) for a new drawable size. Waits for
// the device to go idle first. Minimised when the size is zero.
[[nodiscard]] TargetStatus recreateSwapchain(Device& dev, Target& t, VkExtent2D drawable);
void destroyTarget(Device& dev, Target& t);

// Swapchain only. `signal` is signalled when the image may be drawn.
[[nodiscard]] TargetStatus acquireImage(Device& dev, Target& t, VkSemaphore signal, std::uint32_t& index);
[[nodiscard]] TargetStatus presentImage(Device& dev, Target& t, std::uint32_t index);

// Offscreen only: copies the last rendered frame into `out` (RGBA8,
// width*height*4 bytes). Waits for the device to go idle first.
[[nodiscard]] bool readTarget(Device& dev, Target& t, std::uint8_t* out);

// Internal to the target files: attachments, render pass and framebuffers.
void createAttachments(Device& dev, Target& t);
void destroyAttachments(Device& dev, Target& t);
VkRenderPass createRenderPass(const Device& dev, VkFormat color, VkFormat depth, VkSampleCountFlagBits samples,
                              VkImageLayout finalLayout);
VkSampleCountFlagBits clampSamples(const Device& dev, VkSampleCountFlagBits wanted);

} // namespace caseroom::render
