// Shared by both targets: the render pass, the MSAA/depth attachments and the
// framebuffers. Swapchain specifics live in swapchain.cpp, the headless twin
// in offscreen.cpp.
#include "render/target.h"

#include <array>

#include "render/vk_check.h"

namespace caseroom::render {

const char* toString(TargetKind k) {
    switch (k) {
    case TargetKind::Offscreen: return "offscreen";
    case TargetKind::Swapchain: return "swapchain";
    case TargetKind::Count: break;
    }
    return "?";
}

const char* toString(TargetStatus s) {
    switch (s) {
    case TargetStatus::Ok: return "ok";
    case TargetStatus::Suboptimal: return "suboptimal";
    case TargetStatus::OutOfDate: return "out of date";
    case TargetStatus::Minimised: return "minimised";
    case TargetStatus::DeviceLost: return "device lost";
    case TargetStatus::Count: break;
    }
    return "?";
}

VkSampleCountFlagBits clampSamples(const Device& dev, VkSampleCountFlagBits wanted) {
    if (wanted == kAutoSamples)
        wanted = dev.properties.deviceType == VK_PHYSICAL_DEVICE_TYPE_CPU ? VK_SAMPLE_COUNT_1_BIT : VK_SAMPLE_COUNT_4_BIT;
    VkSampleCountFlagBits s = wanted;
    while (s > dev.maxSamples) s = static_cast<VkSampleCountFlagBits>(s >> 1);
    return s == 0 ? VK_SAMPLE_COUNT_1_BIT : s;
}

VkRenderPass createRenderPass(const Device& dev, VkFormat color, VkFormat depth, VkSampleCountFlagBits samples,
                              VkImageLayout finalLayout) {
    const bool msaa = samples != VK_SAMPLE_COUNT_1_BIT;
    std::array<VkAttachmentDescription, 3> att{};
    // 0: colour (MSAA, transient, or the target image itself without MSAA)
    att[0].format = color;
    att[0].samples = samples;
    att[0].loadOp = VK_ATTACHMENT_LOAD_OP_CLEAR;
    att[0].storeOp = msaa ? VK_ATTACHMENT_STORE_OP_DONT_CARE : VK_ATTACHMENT_STORE_OP_STORE;
    att[0].stencilLoadOp = VK_ATTACHMENT_LOAD_OP_DONT_CARE;
    att[0].stencilStoreOp = VK_ATTACHMENT_STORE_OP_DONT_CARE;
    att[0].initialLayout = VK_IMAGE_LAYOUT_UNDEFINED;
    att[0].finalLayout = msaa ? VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL : finalLayout;
    // 1: depth
    att[1].format = depth;
    att[1].samples = samples;
    att[1].loadOp = VK_ATTACHMENT_LOAD_OP_CLEAR;
    att[1].storeOp = VK_ATTACHMENT_STORE_OP_DONT_CARE;
    att[1].stencilLoadOp = VK_ATTACHMENT_LOAD_OP_DONT_CARE;
    att[1].stencilStoreOp = VK_ATTACHMENT_STORE_OP_DONT_CARE;
    att[1].initialLayout = VK_IMAGE_LAYOUT_UNDEFINED;
    att[1].finalLayout = VK_IMAGE_LAYOUT_DEPTH_STENCIL_ATTACHMENT_OPTIMAL;
    // 2: resolve into the target image (MSAA only)
    att[2].format = color;
    att[2].samples = VK_SAMPLE_COUNT_1_BIT;
    att[2].loadOp = VK_ATTACHMENT_LOAD_OP_DONT_CARE;
    att[2].storeOp = VK_ATTACHMENT_STORE_OP_STORE;
    att[2].stencilLoadOp = VK_ATTACHMENT_LOAD_OP_DONT_CARE;
    att[2].stencilStoreOp = VK_ATTACHMENT_STORE_OP_DONT_CARE;
    att[2].initialLayout = VK_IMAGE_LAYOUT_UNDEFINED;
    att[2].finalLayout = finalLayout;

    VkAttachmentReference colorRef{0, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL};
    VkAttachmentReference depthRef{1, VK_IMAGE_LAYOUT_DEPTH_STENCIL_ATTACHMENT_OPTIMAL};
    VkAttachmentReference resolveRef{2, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL};
    VkSubpassDescription sub{};
    sub.pipelineBindPoint = VK_PIPELINE_BIND_POINT_GRAPHICS;
    sub.colorAttachmentCount = 1;
    sub.pColorAttachments = &colorRef;
    sub.pDepthStencilAttachment = &depthRef;
    sub.pResolveAttachments = msaa ? &resolveRef : nullptr;

    // Frames in flight share the depth and MSAA images and (offscreen) the
    // target image: order this frame's writes after the previous frame's, and
    // the next transfer (readback) after this frame's resolve.
    std::array<VkSubpassDependency, 2> deps{};
    deps[0].srcSubpass = VK_SUBPASS_EXTERNAL;
    deps[0].dstSubpass = 0;
    deps[0].srcStageMask = VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT | VK_PIPELINE_STAGE_LATE_FRAGMENT_TESTS_BIT |
                           VK_PIPELINE_STAGE_TRANSFER_BIT;
    deps[0].dstStageMask = VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT | VK_PIPELINE_STAGE_EARLY_FRAGMENT_TESTS_BIT;
    deps[0].srcAccessMask = VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT | VK_ACCESS_DEPTH_STENCIL_ATTACHMENT_WRITE_BIT |
                            VK_ACCESS_TRANSFER_READ_BIT;
    deps[0].dstAccessMask = VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT | VK_ACCESS_COLOR_ATTACHMENT_READ_BIT |
                            VK_ACCESS_DEPTH_STENCIL_ATTACHMENT_WRITE_BIT | VK_ACCESS_DEPTH_STENCIL_ATTACHMENT_READ_BIT;
    deps[1].srcSubpass = 0;
    deps[1].dstSubpass = VK_SUBPASS_EXTERNAL;
    deps[1].srcStageMask = VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT;
    deps[1].dstStageMask = VK_PIPELINE_STAGE_TRANSFER_BIT;
    deps[1].srcAccessMask = VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT;
    deps[1].dstAccessMask = VK_ACCESS_TRANSFER_READ_BIT;

    VkRenderPassCreateInfo info{VK_STRUCTURE_TYPE_RENDER_PASS_CREATE_INFO};
    info.attachmentCount = msaa ? 3u : 2u;
    info.pAttachments = att.data();
    info.subpassCount = 1;
    info.pSubpasses = &sub;
    info.dependencyCount = static_cast<std::uint32_t>(deps.size());
    info.pDependencies = deps.data();
    VkRenderPass pass = VK_NULL_HANDLE;
    VK_CHECK(vkCreateRenderPass(dev.device, &info, nullptr, &pass));
    return pass;
}

void createAttachments(Device& dev, Target& t) {
    ImageDesc depth;
    depth.extent = t.extent;
    depth.format = t.depthFormat;
    depth.usage = VK_IMAGE_USAGE_DEPTH_STENCIL_ATTACHMENT_BIT | VK_IMAGE_USAGE_TRANSIENT_ATTACHMENT_BIT;
    depth.samples = t.samples;
    depth.aspect = VK_IMAGE_ASPECT_DEPTH_BIT;
    depth.lazy = true;
    t.depth = createImage(dev, depth);
    if (t.samples != VK_SAMPLE_COUNT_1_BIT) {
        ImageDesc color;
        color.extent = t.extent;
        color.format = t.colorFormat;
        color.usage = VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_TRANSIENT_ATTACHMENT_BIT;
        color.samples = t.samples;
        color.lazy = true;
        t.msaaColor = createImage(dev, color);
    }
    t.framebuffers.resize(t.views.size());
    for (std::size_t i = 0; i < t.views.size(); ++i) {
        std::array<VkImageView, 3> views{};
        std::uint32_t n = 0;
        if (t.samples != VK_SAMPLE_COUNT_1_BIT) {
            views = {t.msaaColor.view, t.depth.view, t.views[i]};
            n = 3;
        } else {
            views = {t.views[i], t.depth.view, VK_NULL_HANDLE};
            n = 2;
        }
        VkFramebufferCreateInfo fb{VK_STRUCTURE_TYPE_FRAMEBUFFER_CREATE_INFO};
        fb.renderPass = t.renderPass;
        fb.attachmentCount = n;
        fb.pAttachments = views.data();
        fb.width = t.extent.width;
        fb.height = t.extent.height;
        fb.layers = 1;
        VK_CHECK(vkCreateFramebuffer(dev.device, &fb, nullptr, &t.framebuffers[i]));
    }
}

void destroyAttachments(Device& dev, Target& t) {
    for (VkFramebuffer fb : t.framebuffers) vkDestroyFramebuffer(dev.device, fb, nullptr);
    t.framebuffers.clear();
    destroyImage(dev, t.msaaColor);
    destroyImage(dev, t.depth);
}

void destroyTarget(Device& dev, Target& t) {
    if (dev.device == VK_NULL_HANDLE) return;
    vkDeviceWaitIdle(dev.device); // result ignored: a lost device still frees its objects
    destroyAttachments(dev, t);
    if (t.kind == TargetKind::Swapchain) {
        for (VkImageView v : t.views) vkDestroyImageView(dev.device, v, nullptr);
        for (VkSemaphore s : t.renderDone) vkDestroySemaphore(dev.device, s, nullptr);
        if (t.swapchain != VK_NULL_HANDLE) vkDestroySwapchainKHR(dev.device, t.swapchain, nullptr);
    } else {
        destroyImage(dev, t.offscreen);
    }
    if (t.renderPass != VK_NULL_HANDLE) vkDestroyRenderPass(dev.device, t.renderPass, nullptr);
    t = Target{};
}

} // namespace caseroom::render
