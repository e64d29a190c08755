#include "render/frames.h"

#include "render/vk_check.h"

namespace caseroom::render {
namespace {

void runDeferred(const Device& dev, FrameSlot& s) {
    for (Buffer& b : s.dyingBuffers) destroyBuffer(dev, b);
    for (Image& i : s.dyingImages) destroyImage(dev, i);
    if (!s.dyingSets.empty())
        VK_CHECK(vkFreeDescriptorSets(dev.device, s.dyingSetPool, static_cast<std::uint32_t>(s.dyingSets.size()),
                                      s.dyingSets.data()));
    s.dyingBuffers.clear();
    s.dyingImages.clear();
    s.dyingSets.clear();
}

} // namespace

void createFrameRing(const Device& dev, FrameRing& ring) {
    for (FrameSlot& s : ring.slots) {
        VkCommandPoolCreateInfo pool{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
        pool.flags = VK_COMMAND_POOL_CREATE_TRANSIENT_BIT;
        pool.queueFamilyIndex = dev.queueFamily;
        VK_CHECK(vkCreateCommandPool(dev.device, &pool, nullptr, &s.pool));
        VkCommandBufferAllocateInfo alloc{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
        alloc.commandPool = s.pool;
        alloc.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
        alloc.commandBufferCount = 1;
        VK_CHECK(vkAllocateCommandBuffers(dev.device, &alloc, &s.cmd));
        VkFenceCreateInfo fence{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
        fence.flags = VK_FENCE_CREATE_SIGNALED_BIT; // the first wait returns at once
        VK_CHECK(vkCreateFence(dev.device, &fence, nullptr, &s.done));
        VkSemaphoreCreateInfo sem{VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO};
        VK_CHECK(vkCreateSemaphore(dev.device, &sem, nullptr, &s.acquired));
        s.dyingBuffers.reserve(8);
        s.dyingImages.reserve(8);
        s.dyingSets.reserve(8);
    }
}

void destroyFrameRing(Device& dev, FrameRing& ring) {
    if (dev.device == VK_NULL_HANDLE) return;
    vkDeviceWaitIdle(dev.device); // result ignored: a lost device still frees its objects
    for (FrameSlot& s : ring.slots) {
        runDeferred(dev, s);
        if (s.acquired != VK_NULL_HANDLE) vkDestroySemaphore(dev.device, s.acquired, nullptr);
        if (s.done != VK_NULL_HANDLE) vkDestroyFence(dev.device, s.done, nullptr);
        if (s.pool != VK_NULL_HANDLE) vkDestroyCommandPool(dev.device, s.pool, nullptr);
        s = FrameSlot{};
    }
}

bool waitFrameSlot(Device& dev, FrameRing& ring) {
    if (dev.lost) return false;
    FrameSlot& s = currentSlot(ring);
    const VkResult r = vkWaitForFences(dev.device, 1, &s.done, VK_TRUE, UINT64_MAX);
    if (noteDeviceLost(dev, r)) return false;
    VK_CHECK(r);
    runDeferred(dev, s);
    return true;
}

// The current slot is being recorded; everything older is covered once this
// slot's fence is next waited (the ring waits slots in submission order).
void deferDestroy(FrameRing& ring, Buffer buf) { currentSlot(ring).dyingBuffers.push_back(buf); }
void deferDestroy(FrameRing& ring, Image img) { currentSlot(ring).dyingImages.push_back(img); }
void deferFree(FrameRing& ring, VkDescriptorPool pool, VkDescriptorSet set) {
    currentSlot(ring).dyingSetPool = pool;
    currentSlot(ring).dyingSets.push_back(set);
}

} // namespace caseroom::render
