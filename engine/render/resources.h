// Buffers, images and one-shot uploads. Plain structs with create/destroy
// pairs; each owns its own VkDeviceMemory (the renderer has a few dozen
// resources, so a sub-allocator would buy nothing yet).
// Thread rule: render thread only.
#pragma once
#include <cstddef>
#include <cstdint>

#include <vulkan/vulkan.h>

#include "render/device.h"

namespace caseroom::render {

struct Buffer {
    VkBuffer buffer = VK_NULL_HANDLE;
    VkDeviceMemory memory = VK_NULL_HANDLE;
    VkDeviceSize size = 0;
    void* mapped = nullptr; // persistently mapped when host visible
};

// Host-visible buffers are coherent and stay mapped for their lifetime.
Buffer createBuffer(const Device& dev, VkDeviceSize size, VkBufferUsageFlags usage, bool hostVisible);
void destroyBuffer(const Device& dev, Buffer& buf);

struct Image {
    VkImage image = VK_NULL_HANDLE;
    VkDeviceMemory memory = VK_NULL_HANDLE;
    VkImageView view = VK_NULL_HANDLE;
    VkFormat format = VK_FORMAT_UNDEFINED;
    VkExtent2D extent{0, 0};
    VkSampleCountFlagBits samples = VK_SAMPLE_COUNT_1_BIT;
    std::uint32_t mipLevels = 1;
};

struct ImageDesc {
    VkExtent2D extent{1, 1};
    VkFormat format = VK_FORMAT_R8G8B8A8_UNORM;
    VkImageUsageFlags usage = 0;
    VkSampleCountFlagBits samples = VK_SAMPLE_COUNT_1_BIT;
    std::uint32_t mipLevels = 1;
    VkImageAspectFlags aspect = VK_IMAGE_ASPECT_COLOR_BIT;
    bool lazy = false; // transient attachment: lazily allocated memory when offered
};
Image createImage(const Device& dev, const ImageDesc& desc);
void destroyImage(const Device& dev, Image& img);

std::uint32_t findMemoryType(const Device& dev, std::uint32_t typeBits, VkMemoryPropertyFlags wanted);

// One-shot command buffer on the upload pool; endOneShot submits and waits.
VkCommandBuffer beginOneShot(const Device& dev);
[[nodiscard]] bool endOneShot(Device& dev, VkCommandBuffer cmd); // false: device lost

// Copies tightly packed RGBA8 pixels into a sampled image (any previous
// content discarded) and leaves it in SHADER_READ_ONLY_OPTIMAL. Blocks.
[[nodiscard]] bool uploadRgba(Device& dev, Image& img, const std::uint8_t* pixels);

// Reads a colour image (in TRANSFER_SRC_OPTIMAL, RGBA8 or BGRA8) back as
// tightly packed RGBA8. `out` must hold width*height*4 bytes. Blocks.
[[nodiscard]] bool readbackRgba(Device& dev, const Image& img, std::uint8_t* out);

// A layout transition barrier for colour images (mip levels [baseMip, baseMip + mipLevels)).
void transitionImage(VkCommandBuffer cmd, VkImage image, VkImageLayout from, VkImageLayout to,
                     VkPipelineStageFlags srcStage, VkAccessFlags srcAccess, VkPipelineStageFlags dstStage,
                     VkAccessFlags dstAccess,
                     std::uint32_t baseMip = 0, std::uint32_t mipLevels = 1);

} // namespace caseroom::render
