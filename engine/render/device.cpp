#include "render/device.h"

#include <cstring>

#include "core/log.h"
#include "render/vk_check.h"

namespace caseroom::render {
namespace {

constexpr const char* kValidationLayer = "VK_LAYER_KHRONOS_validation";

VKAPI_ATTR VkBool32 VKAPI_CALL onDebugMessage(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
                                              VkDebugUtilsMessageTypeFlagsEXT /*types*/,
                                              const VkDebugUtilsMessengerCallbackDataEXT* data, void* user) {
    auto* counters = static_cast<ValidationCounters*>(user);
    const bool error = (severity & VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT) != 0;
    if (error) counters->errors.fetch_add(1);
    else counters->warnings.fetch_add(1);
    if (counters->log)
        CR_LOG_ERROR("vulkan validation %s: %s", error ? "error" : "warning", data && data->pMessage ? data->pMessage : "?");
    return VK_FALSE;
}

bool layerPresent(const char* name) {
    std::uint32_t count = 0;
    VK_CHECK(vkEnumerateInstanceLayerProperties(&count, nullptr));
    std::vector<VkLayerProperties> layers(count);
    VK_CHECK(vkEnumerateInstanceLayerProperties(&count, layers.data()));
    for (const auto& l : layers)
        if (std::strcmp(l.layerName, name) == 0) return true;
    return false;
}

bool extensionPresent(const char* name) {
    std::uint32_t count = 0;
    VK_CHECK(vkEnumerateInstanceExtensionProperties(nullptr, &count, nullptr));
    std::vector<VkExtensionProperties> exts(count);
    VK_CHECK(vkEnumerateInstanceExtensionProperties(nullptr, &count, exts.data()));
    for (const auto& e : exts)
        if (std::strcmp(e.extensionName, name) == 0) return true;
    return false;
}

VkSampleCountFlagBits highestSamples(const VkPhysicalDeviceProperties& p) {
    const VkSampleCountFlags both = p.limits.framebufferColorSampleCounts & p.limits.framebufferDepthSampleCounts;
    for (VkSampleCountFlagBits s : {VK_SAMPLE_COUNT_8_BIT, VK_SAMPLE_COUNT_4_BIT, VK_SAMPLE_COUNT_2_BIT})
        if (both & s) return s;
    return VK_SAMPLE_COUNT_1_BIT;
}

} // namespace

core::Status createInstance(Device& dev, const DeviceDesc& desc) {
    std::vector<const char*> layers;
    std::vector<const char*> extensions = desc.instanceExtensions;
    if (desc.validation != Validation::Off) {
        const bool present = layerPresent(kValidationLayer) && extensionPresent(VK_EXT_DEBUG_UTILS_EXTENSION_NAME);
        if (present) {
            layers.push_back(kValidationLayer);
            extensions.push_back(VK_EXT_DEBUG_UTILS_EXTENSION_NAME);
            dev.validationEnabled = true;
        } else if (desc.validation == Validation::Required) {
            return core::Error{"the Vulkan validation layer (VK_LAYER_KHRONOS_validation) is not installed; "
                               "install vulkan-validationlayers"};
        } else {
            CR_LOG_WARN("validation requested but VK_LAYER_KHRONOS_validation is not installed; running without it");
        }
    }
    dev.counters->log = desc.logValidation;

    VkApplicationInfo app{VK_STRUCTURE_TYPE_APPLICATION_INFO};
    app.pApplicationName = desc.appName;
    app.pEngineName = "CaseRoom";
    app.apiVersion = VK_API_VERSION_1_2;

    VkDebugUtilsMessengerCreateInfoEXT messengerInfo{VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT};
    messengerInfo.messageSeverity =
        VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT;
    messengerInfo.messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT |
                                VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT |
                                VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT;
    messengerInfo.pfnUserCallback = onDebugMessage;
    messengerInfo.pUserData = dev.counters.get();

    VkInstanceCreateInfo info{VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO};
    info.pApplicationInfo = &app;
    info.enabledLayerCount = static_cast<std::uint32_t>(layers.size());
    info.ppEnabledLayerNames = layers.data();
    info.enabledExtensionCount = static_cast<std::uint32_t>(extensions.size());
    info.ppEnabledExtensionNames = extensions.data();
    // Chained so that instance creation and destruction are validated too.
    if (dev.validationEnabled) info.pNext = &messengerInfo;

    const VkResult r = vkCreateInstance(&info, nullptr, &dev.instance);
    if (r != VK_SUCCESS)
        return core::Error{std::string("cannot create a Vulkan instance (") + toString(r) +
                           "); is a Vulkan driver installed (mesa-vulkan-drivers)?"};
    if (dev.validationEnabled) {
        auto create = reinterpret_cast<PFN_vkCreateDebugUtilsMessengerEXT>(
            vkGetInstanceProcAddr(dev.instance, "vkCreateDebugUtilsMessengerEXT"));
        if (create) VK_CHECK(create(dev.instance, &messengerInfo, nullptr, &dev.messenger));
    }
    return {};
}

core::Status createDevice(Device& dev, VkSurfaceKHR surface) {
    std::uint32_t count = 0;
    VK_CHECK(vkEnumeratePhysicalDevices(dev.instance, &count, nullptr));
    if (count == 0) return core::Error{"no Vulkan device found (install mesa-vulkan-drivers for lavapipe)"};
    std::vector<VkPhysicalDevice> devices(count);
    VK_CHECK(vkEnumeratePhysicalDevices(dev.instance, &count, devices.data()));

    // Prefer a discrete GPU, then integrated, then anything (lavapipe is CPU).
    int bestScore = -1;
    for (VkPhysicalDevice pd : devices) {
        VkPhysicalDeviceProperties props;
        vkGetPhysicalDeviceProperties(pd, &props);
        if (props.apiVersion < VK_API_VERSION_1_2) continue;
        std::uint32_t qcount = 0;
        vkGetPhysicalDeviceQueueFamilyProperties(pd, &qcount, nullptr);
        std::vector<VkQueueFamilyProperties> families(qcount);
        vkGetPhysicalDeviceQueueFamilyProperties(pd, &qcount, families.data());
        for (std::uint32_t q = 0; q < qcount; ++q) {
            if (!(families[q].queueFlags & VK_QUEUE_GRAPHICS_BIT)) continue;
            if (surface != VK_NULL_HANDLE) {
                VkBool32 present = VK_FALSE;
                VK_CHECK(vkGetPhysicalDeviceSurfaceSupportKHR(pd, q, surface, &present));
                if (!present) continue;
            }
            int score = props.deviceType == VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU     ? 3
                        : props.deviceType == VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU ? 2
                                                                                     : 1;
            if (score > bestScore) {
                bestScore = score;
                dev.physical = pd;
                dev.queueFamily = q;
            }
            break;
        }
    }
    if (dev.physical == VK_NULL_HANDLE)
        return core::Error{surface != VK_NULL_HANDLE
                               ? "no Vulkan 1.2 device can draw to this window"
                               : "no Vulkan 1.2 device with a graphics queue found"};

    vkGetPhysicalDeviceProperties(dev.physical, &dev.properties);
    vkGetPhysicalDeviceMemoryProperties(dev.physical, &dev.memory);
    dev.maxSamples = highestSamples(dev.properties);
    CR_LOG_INFO("vulkan device: %s (api %u.%u.%u), up to %ux MSAA", dev.properties.deviceName,
                VK_API_VERSION_MAJOR(dev.properties.apiVersion), VK_API_VERSION_MINOR(dev.properties.apiVersion),
                VK_API_VERSION_PATCH(dev.properties.apiVersion), static_cast<unsigned>(dev.maxSamples));

    const float priority = 1.0f;
    VkDeviceQueueCreateInfo qinfo{VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
    qinfo.queueFamilyIndex = dev.queueFamily;
    qinfo.queueCount = 1;
    qinfo.pQueuePriorities = &priority;
    const char* swapchainExt = VK_KHR_SWAPCHAIN_EXTENSION_NAME;
    VkDeviceCreateInfo info{VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
    info.queueCreateInfoCount = 1;
    info.pQueueCreateInfos = &qinfo;
    if (surface != VK_NULL_HANDLE) {
        info.enabledExtensionCount = 1;
        info.ppEnabledExtensionNames = &swapchainExt;
    }
    const VkResult r = vkCreateDevice(dev.physical, &info, nullptr, &dev.device);
    if (r != VK_SUCCESS) return core::Error{std::string("cannot create the Vulkan device: ") + toString(r)};
    vkGetDeviceQueue(dev.device, dev.queueFamily, 0, &dev.queue);

    VkCommandPoolCreateInfo pool{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
    pool.flags = VK_COMMAND_POOL_CREATE_TRANSIENT_BIT | VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
    pool.queueFamilyIndex = dev.queueFamily;
    VK_CHECK(vkCreateCommandPool(dev.device, &pool, nullptr, &dev.uploadPool));
    return {};
}

void destroyDevice(Device& dev) {
    if (dev.device != VK_NULL_HANDLE) {
        vkDeviceWaitIdle(dev.device); // result ignored: a lost device is still destroyed
        vkDestroyCommandPool(dev.device, dev.uploadPool, nullptr);
        vkDestroyDevice(dev.device, nullptr);
    }
    if (dev.messenger != VK_NULL_HANDLE) {
        auto destroy = reinterpret_cast<PFN_vkDestroyDebugUtilsMessengerEXT>(
            vkGetInstanceProcAddr(dev.instance, "vkDestroyDebugUtilsMessengerEXT"));
        if (destroy) destroy(dev.instance, dev.messenger, nullptr);
    }
    if (dev.instance != VK_NULL_HANDLE) vkDestroyInstance(dev.instance, nullptr);
    dev.device = VK_NULL_HANDLE;
    dev.messenger = VK_NULL_HANDLE;
    dev.instance = VK_NULL_HANDLE;
    dev.uploadPool = VK_NULL_HANDLE;
}

std::uint32_t validationMessageCount(const Device& dev) {
    return dev.counters->errors.load() + dev.counters->warnings.load();
}

bool noteDeviceLost(Device& dev, VkResult result) {
    if (result != VK_ERROR_DEVICE_LOST) return false;
    if (!dev.lost) CR_LOG_ERROR("the Vulkan device was lost (driver reset or GPU removed); rendering stops");
    dev.lost = true;
    return true;
}

} // namespace caseroom::render
