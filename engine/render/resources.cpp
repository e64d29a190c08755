#include "render/resources.h"

#include <cassert>
#include <cstring>

#include "render/vk_check.h"

namespace caseroom::render {

std::uint32_t findMemoryType(const Device& dev, std::uint32_t typeBits, VkMemoryPropertyFlags wanted) {
    for (std::uint32_t i = 0; i < dev.memory.memoryTypeCount; ++i)
        if ((typeBits & (1u << i)) && (dev.memory.memoryTypes[i].propertyFlags & wanted) == wanted) return i;
    return UINT32_MAX;
}

Buffer createBuffer(const Device& dev, VkDeviceSize size, VkBufferUsageFlags usage, bool hostVisible) {
    Buffer b;
    b.size = size;
    VkBufferCreateInfo info{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
    info.size = size;
    info.usage = usage;
    info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
    VK_CHECK(vkCreateBuffer(dev.device, &info, nullptr, &b.buffer));
    VkMemoryRequirements req;
    vkGetBufferMemoryRequirements(dev.device, b.buffer, &req);
    const VkMemoryPropertyFlags props = hostVisible
                                            ? VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT
                                            : VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT;
    VkMemoryAllocateInfo alloc{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
    alloc.allocationSize = req.size;
    alloc.memoryTypeIndex = findMemoryType(dev, req.memoryTypeBits, props);
    assert(alloc.memoryTypeIndex != UINT32_MAX);
    VK_CHECK(vkAllocateMemory(dev.device, &alloc, nullptr, &b.memory));
    VK_CHECK(vkBindBufferMemory(dev.device, b.buffer, b.memory, 0));
    if (hostVisible) VK_CHECK(vkMapMemory(dev.device, b.memory, 0, VK_WHOLE_SIZE, 0, &b.mapped));
    return b;
}

void destroyBuffer(const Device& dev, Buffer& b) {
    if (b.buffer != VK_NULL_HANDLE) vkDestroyBuffer(dev.device, b.buffer, nullptr);
    if (b.memory != VK_NULL_HANDLE) vkFreeMemory(dev.device, b.memory, nullptr); // unmaps implicitly
    b = Buffer{};
}

Image createImage(const Device& dev, const ImageDesc& desc) {
    Image img;
    img.format = desc.format;
    img.extent = desc.extent;
    img.samples = desc.samples;
    img.mipLevels = desc.mipLevels;
    VkImageCreateInfo info{VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO};
    info.imageType = VK_IMAGE_TYPE_2D;
    info.format = desc.format;
    info.extent = {desc.extent.width, desc.extent.height, 1};
    info.mipLevels = desc.mipLevels;
    info.arrayLayers = 1;
    info.samples = desc.samples;
    info.tiling = VK_IMAGE_TILING_OPTIMAL;
    info.usage = desc.usage;
    info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
    info.initialLayout = VK_IMAGE_LAYOUT_UNDEFINED;
    VK_CHECK(vkCreateImage(dev.device, &info, nullptr, &img.image));
    VkMemoryRequirements req;
    vkGetImageMemoryRequirements(dev.device, img.image, &req);
    VkMemoryAllocateInfo alloc{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
    alloc.allocationSize = req.size;
    alloc.memoryTypeIndex = UINT32_MAX;
    if (desc.lazy)
        alloc.memoryTypeIndex = findMemoryType(dev, req.memoryTypeBits, VK_MEMORY_PROPERTY_LAZILY_ALLOCATED_BIT);
    if (alloc.memoryTypeIndex == UINT32_MAX)
        alloc.memoryTypeIndex = findMemoryType(dev, req.memoryTypeBits, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT);
    assert(alloc.memoryTypeIndex != UINT32_MAX);
    VK_CHECK(vkAllocateMemory(dev.device, &alloc, nullptr, &img.memory));
    VK_CHECK(vkBindImageMemory(dev.device, img.image, img.memory, 0));

    VkImageViewCreateInfo view{VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO};
    view.image = img.image;
    view.viewType = VK_IMAGE_VIEW_TYPE_2D;
    view.format = desc.format;
    view.subresourceRange = {desc.aspect, 0, desc.mipLevels, 0, 1};
    VK_CHECK(vkCreateImageView(dev.device, &view, nullptr, &img.view));
    return img;
}

void destroyImage(const Device& dev, Image& img) {
    if (img.view != VK_NULL_HANDLE) vkDestroyImageView(dev.device, img.view, nullptr);
    if (img.image != VK_NULL_HANDLE) vkDestroyImage(dev.device, img.image, nullptr);
    if (img.memory != VK_NULL_HANDLE) vkFreeMemory(dev.device, img.memory, nullptr);
    img = Image{};
}

VkCommandBuffer beginOneShot(const Device& dev) {
    VkCommandBufferAllocateInfo alloc{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
    alloc.commandPool = dev.uploadPool;
    alloc.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    alloc.commandBufferCount = 1;
    VkCommandBuffer cmd = VK_NULL_HANDLE;
    VK_CHECK(vkAllocateCommandBuffers(dev.device, &alloc, &cmd));
    VkCommandBufferBeginInfo begin{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
    begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
    VK_CHECK(vkBeginCommandBuffer(cmd, &begin));
    return cmd;
}

bool endOneShot(Device& dev, VkCommandBuffer cmd) {
    VK_CHECK(vkEndCommandBuffer(cmd));
    VkSubmitInfo submit{VK_STRUCTURE_TYPE_SUBMIT_INFO};
    submit.commandBufferCount = 1;
    submit.pCommandBuffers = &cmd;
    bool ok = true;
    VkResult r = dev.lost ? VK_ERROR_DEVICE_LOST : vkQueueSubmit(dev.queue, 1, &submit, VK_NULL_HANDLE);
    if (r == VK_SUCCESS) r = vkQueueWaitIdle(dev.queue);
    if (noteDeviceLost(dev, r)) ok = false;
    else VK_CHECK(r);
    vkFreeCommandBuffers(dev.device, dev.uploadPool, 1, &cmd);
    return ok;
}

void transitionImage(VkCommandBuffer cmd, VkImage image, VkImageLayout from, VkImageLayout to,
                     VkPipelineStageFlags srcStage, VkAccessFlags srcAccess, VkPipelineStageFlags dstStage,
                     VkAccessFlags dstAccess, std::uint32_t baseMip, std::uint32_t mipLevels) {
    VkImageMemoryBarrier b{VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER};
    b.srcAccessMask = srcAccess;
    b.dstAccessMask = dstAccess;
    b.oldLayout = from;
    b.newLayout = to;
    b.srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
    b.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
    b.image = image;
    b.subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, baseMip, mipLevels, 0, 1};
    vkCmdPipelineBarrier(cmd, srcStage, dstStage, 0, 0, nullptr, 0, nullptr, 1, &b);
}

bool uploadRgba(Device& dev, Image& img, const std::uint8_t* pixels) {
    const VkDeviceSize size = VkDeviceSize{img.extent.width} * img.extent.height * 4;
    Buffer staging = createBuffer(dev, size, VK_BUFFER_USAGE_TRANSFER_SRC_BIT, true);
    std::memcpy(staging.mapped, pixels, size);
    VkCommandBuffer cmd = beginOneShot(dev);
    transitionImage(cmd, img.image, VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
                    VK_PIPELINE_STAGE_FRAGMENT_SHADER_BIT, 0, VK_PIPELINE_STAGE_TRANSFER_BIT,
                    VK_ACCESS_TRANSFER_WRITE_BIT);
    VkBufferImageCopy region{};
    region.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
    region.imageExtent = {img.extent.width, img.extent.height, 1};
    vkCmdCopyBufferToImage(cmd, staging.buffer, img.image, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1, &region);
    transitionImage(cmd, img.image, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL,
                    VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT,
                    VK_PIPELINE_STAGE_FRAGMENT_SHADER_BIT, VK_ACCESS_SHADER_READ_BIT);
    const bool ok = endOneShot(dev, cmd);
    destroyBuffer(dev, staging);
    return ok;
}

bool readbackRgba(Device& dev, const Image& img, std::uint8_t* out) {
    const VkDeviceSize size = VkDeviceSize{img.extent.width} * img.extent.height * 4;
    Buffer staging = createBuffer(dev, size, VK_BUFFER_USAGE_TRANSFER_DST_BIT, true);
    VkCommandBuffer cmd = beginOneShot(dev);
    VkBufferImageCopy region{};
    region.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
    region.imageExtent = {img.extent.width, img.extent.height, 1};
    vkCmdCopyImageToBuffer(cmd, img.image, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, staging.buffer, 1, &region);
    VkBufferMemoryBarrier toHost{VK_STRUCTURE_TYPE_BUFFER_MEMORY_BARRIER};
    toHost.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
    toHost.dstAccessMask = VK_ACCESS_HOST_READ_BIT;
    toHost.srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
    toHost.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
    toHost.buffer = staging.buffer;
    toHost.size = VK_WHOLE_SIZE;
    vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 0, nullptr, 1, &toHost,
                         0, nullptr);
    const bool ok = endOneShot(dev, cmd);
    if (ok) {
        std::memcpy(out, staging.mapped, size);
        const bool bgra = img.format == VK_FORMAT_B8G8R8A8_UNORM || img.format == VK_FORMAT_B8G8R8A8_SRGB;
        if (bgra)
            for (VkDeviceSize i = 0; i < size; i += 4) std::swap(out[i], out[i + 2]);
    }
    destroyBuffer(dev, staging);
    return ok;
}

} // namespace caseroom::render
