// The headless twin of the swapchain: one RGBA8 image that every frame
// resolves into and that readTarget copies back for screenshots and tests.
#include "render/target.h"

#include "render/vk_check.h"

namespace caseroom::render {

core::Status createOffscreenTarget(Device& dev, Target& t, const TargetDesc& desc) {
    if (desc.extent.width == 0 || desc.extent.height == 0 || desc.extent.width > 8192 || desc.extent.height > 8192)
        return core::Error{"offscreen size must be between 1x1 and 8192x8192"};
    t.kind = TargetKind::Offscreen;
    t.extent = desc.extent;
    t.colorFormat = VK_FORMAT_R8G8B8A8_UNORM;
    t.samples = clampSamples(dev, desc.samples);
    t.renderPass = createRenderPass(dev, t.colorFormat, t.depthFormat, t.samples, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL);
    ImageDesc img;
    img.extent = t.extent;
    img.format = t.colorFormat;
    img.usage = VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT;
    t.offscreen = createImage(dev, img);
    t.images = {t.offscreen.image};
    t.views = {t.offscreen.view};
    createAttachments(dev, t);
    return {};
}

bool readTarget(Device& dev, Target& t, std::uint8_t* out) {
    if (t.kind != TargetKind::Offscreen || dev.lost) return false;
    const VkResult r = vkQueueWaitIdle(dev.queue);
    if (noteDeviceLost(dev, r)) return false;
    VK_CHECK(r);
    return readbackRgba(dev, t.offscreen, out);
}

} // namespace caseroom::render
