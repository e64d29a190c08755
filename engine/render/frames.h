// Frames in flight: a ring of kFramesInFlight slots, each with its own command
// pool and buffer, a fence, an image-acquired semaphore and a list of Vulkan
// objects whose destruction waits until the GPU is done with that slot.
// Thread rule: render thread only. Deferred destruction never allocates in
// the steady state: the lists keep their capacity.
#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include <vulkan/vulkan.h>

#include "render/device.h"
#include "render/resources.h"

namespace caseroom::render {

constexpr std::uint32_t kFramesInFlight = 2;

struct FrameSlot {
    VkCommandPool pool = VK_NULL_HANDLE;
    VkCommandBuffer cmd = VK_NULL_HANDLE;
    VkFence done = VK_NULL_HANDLE;          // signalled when this slot's last submit finished
    VkSemaphore acquired = VK_NULL_HANDLE;  // swapchain image ready
    std::vector<Buffer> dyingBuffers;       // destroyed once `done` is next waited
    std::vector<Image> dyingImages;
    std::vector<VkDescriptorSet> dyingSets; // freed back to `dyingSetPool`
    VkDescriptorPool dyingSetPool = VK_NULL_HANDLE;
};

struct FrameRing {
    std::array<FrameSlot, kFramesInFlight> slots;
    std::uint32_t current = 0;      // slot index being recorded
    std::uint64_t frameNumber = 0;  // frames submitted so far
};

void createFrameRing(const Device& dev, FrameRing& ring);
// Waits for the device, runs all deferred destruction, frees everything.
void destroyFrameRing(Device& dev, FrameRing& ring);

// Waits for the current slot's previous submit and runs its deferred
// destruction. False when the device is lost.
[[nodiscard]] bool waitFrameSlot(Device& dev, FrameRing& ring);

// Queue for destruction after every frame now in flight has finished.
// Contract: call only while a frame is being recorded (after waitFrameSlot,
// before advanceFrame): the slot then next waits for a frame newer than every
// frame that could still use the object.
void deferDestroy(FrameRing& ring, Buffer buf);
void deferDestroy(FrameRing& ring, Image img);
void deferFree(FrameRing& ring, VkDescriptorPool pool, VkDescriptorSet set);

inline FrameSlot& currentSlot(FrameRing& ring) { return ring.slots[ring.current]; }
inline void advanceFrame(FrameRing& ring) {
    ring.current = (ring.current + 1) % kFramesInFlight;
    ++ring.frameNumber;
}

} // namespace caseroom::render
