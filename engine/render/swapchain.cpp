// The window target: swapchain creation and recreation, acquire and present.
// Every "recreate" result is turned into a TargetStatus, never asserted.
#include "render/target.h"

#include <algorithm>

#include "core/log.h"
#include "render/vk_check.h"

namespace caseroom::render {
namespace {

VkSurfaceFormatKHR pickFormat(const Device& dev, VkSurfaceKHR surface) {
    std::uint32_t n = 0;
    VK_CHECK(vkGetPhysicalDeviceSurfaceFormatsKHR(dev.physical, surface, &n, nullptr));
    std::vector<VkSurfaceFormatKHR> formats(n);
    VK_CHECK(vkGetPhysicalDeviceSurfaceFormatsKHR(dev.physical, surface, &n, formats.data()));
    // UNORM on purpose: the offscreen twin is RGBA8 UNORM, and screenshots
    // from either target must look the same.
    for (const auto& f : formats)
        if ((f.format == VK_FORMAT_B8G8R8A8_UNORM || f.format == VK_FORMAT_R8G8B8A8_UNORM) &&
            f.colorSpace == VK_COLOR_SPACE_SRGB_NONLINEAR_KHR)
            return f;
    return formats.empty() ? VkSurfaceFormatKHR{VK_FORMAT_B8G8R8A8_UNORM, VK_COLOR_SPACE_SRGB_NONLINEAR_KHR}
                           : formats[0];
}

VkPresentModeKHR pickPresentMode(const Device& dev, VkSurfaceKHR surface, bool vsync) {
    if (vsync) return VK_PRESENT_MODE_FIFO_KHR; // always offered
    std::uint32_t n = 0;
    VK_CHECK(vkGetPhysicalDeviceSurfacePresentModesKHR(dev.physical, surface, &n, nullptr));
    std::vector<VkPresentModeKHR> modes(n);
    VK_CHECK(vkGetPhysicalDeviceSurfacePresentModesKHR(dev.physical, surface, &n, modes.data()));
    for (VkPresentModeKHR want : {VK_PRESENT_MODE_MAILBOX_KHR, VK_PRESENT_MODE_IMMEDIATE_KHR})
        if (std::find(modes.begin(), modes.end(), want) != modes.end()) return want;
    return VK_PRESENT_MODE_FIFO_KHR;
}

// Builds (or rebuilds, passing the old one) the swapchain and its views.
TargetStatus buildSwapchain(Device& dev, Target& t, VkExtent2D drawable) {
    VkSurfaceCapabilitiesKHR caps;
    const VkResult cr = vkGetPhysicalDeviceSurfaceCapabilitiesKHR(dev.physical, t.surface, &caps);
    if (cr == VK_ERROR_SURFACE_LOST_KHR) return TargetStatus::OutOfDate;
    if (noteDeviceLost(dev, cr)) return TargetStatus::DeviceLost;
    VK_CHECK(cr);
    VkExtent2D extent = caps.currentExtent;
    if (extent.width == UINT32_MAX) {
        extent.width = std::clamp(drawable.width, caps.minImageExtent.width, caps.maxImageExtent.width);
        extent.height = std::clamp(drawable.height, caps.minImageExtent.height, caps.maxImageExtent.height);
    }
    if (extent.width == 0 || extent.height == 0) return TargetStatus::Minimised;

    std::uint32_t imageCount = caps.minImageCount + 1;
    if (caps.maxImageCount > 0) imageCount = std::min(imageCount, caps.maxImageCount);

    VkSwapchainCreateInfoKHR info{VK_STRUCTURE_TYPE_SWAPCHAIN_CREATE_INFO_KHR};
    info.surface = t.surface;
    info.minImageCount = imageCount;
    info.imageFormat = t.colorFormat;
    info.imageColorSpace = VK_COLOR_SPACE_SRGB_NONLINEAR_KHR;
    info.imageExtent = extent;
    info.imageArrayLayers = 1;
    info.imageUsage = VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT;
    info.imageSharingMode = VK_SHARING_MODE_EXCLUSIVE;
    info.preTransform = caps.currentTransform;
    info.compositeAlpha = (caps.supportedCompositeAlpha & VK_COMPOSITE_ALPHA_OPAQUE_BIT_KHR)
                              ? VK_COMPOSITE_ALPHA_OPAQUE_BIT_KHR
                              : VK_COMPOSITE_ALPHA_INHERIT_BIT_KHR;
    info.presentMode = pickPresentMode(dev, t.surface, t.vsync);
    info.clipped = VK_TRUE;
    info.oldSwapchain = t.swapchain;
    VkSwapchainKHR swapchain = VK_NULL_HANDLE;
    const VkResult r = vkCreateSwapchainKHR(dev.device, &info, nullptr, &swapchain);
    if (noteDeviceLost(dev, r)) return TargetStatus::DeviceLost;
    if (r == VK_ERROR_SURFACE_LOST_KHR || r == VK_ERROR_NATIVE_WINDOW_IN_USE_KHR) return TargetStatus::OutOfDate;
    VK_CHECK(r);

    // The old chain's resources go now: the caller waited for idle.
    destroyAttachments(dev, t);
    for (VkImageView v : t.views) vkDestroyImageView(dev.device, v, nullptr);
    for (VkSemaphore s : t.renderDone) vkDestroySemaphore(dev.device, s, nullptr);
    t.views.clear();
    t.renderDone.clear();
    if (t.swapchain != VK_NULL_HANDLE) vkDestroySwapchainKHR(dev.device, t.swapchain, nullptr);
    t.swapchain = swapchain;
    t.extent = extent;
    t.minImageCount = imageCount;

    std::uint32_t n = 0;
    VK_CHECK(vkGetSwapchainImagesKHR(dev.device, t.swapchain, &n, nullptr));
    t.images.resize(n);
    VK_CHECK(vkGetSwapchainImagesKHR(dev.device, t.swapchain, &n, t.images.data()));
    t.views.resize(n);
    t.renderDone.resize(n);
    for (std::uint32_t i = 0; i < n; ++i) {
        VkImageViewCreateInfo view{VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO};
        view.image = t.images[i];
        view.viewType = VK_IMAGE_VIEW_TYPE_2D;
        view.format = t.colorFormat;
        view.subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1};
        VK_CHECK(vkCreateImageView(dev.device, &view, nullptr, &t.views[i]));
        VkSemaphoreCreateInfo sem{VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO};
        VK_CHECK(vkCreateSemaphore(dev.device, &sem, nullptr, &t.renderDone[i]));
    }
    createAttachments(dev, t);
    return TargetStatus::Ok;
}

} // namespace

core::Status createSwapchainTarget(Device& dev, Target& t, VkSurfaceKHR surface, const TargetDesc& desc) {
    t.kind = TargetKind::Swapchain;
    t.surface = surface;
    t.vsync = desc.vsync;
    t.colorFormat = pickFormat(dev, surface).format;
    t.samples = clampSamples(dev, desc.samples);
    t.renderPass = createRenderPass(dev, t.colorFormat, t.depthFormat, t.samples, VK_IMAGE_LAYOUT_PRESENT_SRC_KHR);
    const TargetStatus s = buildSwapchain(dev, t, desc.extent);
    if (s == TargetStatus::DeviceLost) return core::Error{"the Vulkan device was lost while creating the swapchain"};
    // Minimised at start is fine: the first frame recreates.
    return {};
}

TargetStatus recreateSwapchain(Device& dev, Target& t, VkExtent2D drawable) {
    if (dev.lost) return TargetStatus::DeviceLost;
    if (drawable.width == 0 || drawable.height == 0) return TargetStatus::Minimised;
    const VkResult r = vkDeviceWaitIdle(dev.device);
    if (noteDeviceLost(dev, r)) return TargetStatus::DeviceLost;
    VK_CHECK(r);
    const TargetStatus s = buildSwapchain(dev, t, drawable);
    if (s == TargetStatus::Ok) CR_LOG_DEBUG("swapchain recreated at %ux%u", t.extent.width, t.extent.height);
    return s;
}

// Acquire and present answer alike: "recreate" results are statuses, a lost
// device is remembered, anything else is a programming error (VK_CHECK).
namespace {
TargetStatus swapchainStatus(Device& dev, VkResult r) {
    switch (r) {
    case VK_SUCCESS: return TargetStatus::Ok;
    case VK_SUBOPTIMAL_KHR: return TargetStatus::Suboptimal;
    case VK_ERROR_OUT_OF_DATE_KHR:
    case VK_ERROR_SURFACE_LOST_KHR: return TargetStatus::OutOfDate;
    default: break;
    }
    if (noteDeviceLost(dev, r)) return TargetStatus::DeviceLost;
    VK_CHECK(r);
    return TargetStatus::Ok;
}
} // namespace

TargetStatus acquireImage(Device& dev, Target& t, VkSemaphore signal, std::uint32_t& index) {
    if (dev.lost) return TargetStatus::DeviceLost;
    if (t.swapchain == VK_NULL_HANDLE) return TargetStatus::OutOfDate;
    return swapchainStatus(dev, vkAcquireNextImageKHR(dev.device, t.swapchain, UINT64_MAX, signal, VK_NULL_HANDLE, &index));
}

TargetStatus presentImage(Device& dev, Target& t, std::uint32_t index) {
    VkPresentInfoKHR info{VK_STRUCTURE_TYPE_PRESENT_INFO_KHR};
    info.waitSemaphoreCount = 1;
    info.pWaitSemaphores = &t.renderDone[index];
    info.swapchainCount = 1;
    info.pSwapchains = &t.swapchain;
    info.pImageIndices = &index;
    return swapchainStatus(dev, vkQueuePresentKHR(dev.queue, &info));
}

} // namespace caseroom::render
