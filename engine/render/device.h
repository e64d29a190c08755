// The Vulkan instance, the optional validation layer with a counting debug
// messenger, the chosen physical device and one graphics(+present) queue.
// Ownership: Device owns every handle in it; destroyDevice releases them in
// reverse order. Thread rule: created and destroyed on the render thread; the
// messenger callback may run on any thread, so its counter is atomic.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <vulkan/vulkan.h>

#include "core/result.h"

namespace caseroom::render {

enum class Validation : std::uint8_t {
    Off,       // no layer
    IfPresent, // use the Khronos layer when installed, say so when not
    Required,  // fail creation when the layer is missing (render tests)
    Count
};

struct DeviceDesc {
    const char* appName = "CaseRoom";
    Validation validation = Validation::Off;
    std::vector<const char*> instanceExtensions; // e.g. from SDL_Vulkan_GetInstanceExtensions
    bool logValidation = true;                   // write each validation message to the log
};

// Counts messages from the validation layer; tests assert both stay zero.
struct ValidationCounters {
    std::atomic<std::uint32_t> errors{0};
    std::atomic<std::uint32_t> warnings{0};
    bool log = true;
};

struct Device {
    VkInstance instance = VK_NULL_HANDLE;
    VkDebugUtilsMessengerEXT messenger = VK_NULL_HANDLE;
    VkPhysicalDevice physical = VK_NULL_HANDLE;
    VkDevice device = VK_NULL_HANDLE;
    std::uint32_t queueFamily = 0;
    VkQueue queue = VK_NULL_HANDLE;
    VkPhysicalDeviceProperties properties{};
    VkPhysicalDeviceMemoryProperties memory{};
    VkSampleCountFlagBits maxSamples = VK_SAMPLE_COUNT_1_BIT; // colour and depth both
    VkCommandPool uploadPool = VK_NULL_HANDLE;                // one-shot transfers
    bool validationEnabled = false;
    bool lost = false;                                        // set once VK_ERROR_DEVICE_LOST was seen
    std::unique_ptr<ValidationCounters> counters = std::make_unique<ValidationCounters>();
};

// Step 1: instance (+ messenger). The surface, if any, is made from it by the platform.
[[nodiscard]] core::Status createInstance(Device& dev, const DeviceDesc& desc);
// Step 2: physical device, logical device and queue. With a surface, the
// queue family must also present to it and VK_KHR_swapchain is enabled.
[[nodiscard]] core::Status createDevice(Device& dev, VkSurfaceKHR surface);
void destroyDevice(Device& dev);

// Total validation messages (errors + warnings) seen so far.
std::uint32_t validationMessageCount(const Device& dev);

// Records a lost device: later frames stop submitting. Returns true for
// VK_ERROR_DEVICE_LOST so callers can branch in one line.
bool noteDeviceLost(Device& dev, VkResult result);

} // namespace caseroom::render
