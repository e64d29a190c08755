#include "render/vk_check.h"

#include <cstdlib>

#include "core/log.h"

namespace caseroom::render {

const char* toString(VkResult result) {
    switch (result) {
#define CR_VK_RESULT(name) case name: return #name;
    CR_VK_RESULT(VK_SUCCESS)
    CR_VK_RESULT(VK_NOT_READY)
    CR_VK_RESULT(VK_TIMEOUT)
    CR_VK_RESULT(VK_EVENT_SET)
    CR_VK_RESULT(VK_EVENT_RESET)
    CR_VK_RESULT(VK_INCOMPLETE)
    CR_VK_RESULT(VK_ERROR_OUT_OF_HOST_MEMORY)
    CR_VK_RESULT(VK_ERROR_OUT_OF_DEVICE_MEMORY)
    CR_VK_RESULT(VK_ERROR_INITIALIZATION_FAILED)
    CR_VK_RESULT(VK_ERROR_DEVICE_LOST)
    CR_VK_RESULT(VK_ERROR_MEMORY_MAP_FAILED)
    CR_VK_RESULT(VK_ERROR_LAYER_NOT_PRESENT)
    CR_VK_RESULT(VK_ERROR_EXTENSION_NOT_PRESENT)
    CR_VK_RESULT(VK_ERROR_FEATURE_NOT_PRESENT)
    CR_VK_RESULT(VK_ERROR_INCOMPATIBLE_DRIVER)
    CR_VK_RESULT(VK_ERROR_TOO_MANY_OBJECTS)
    CR_VK_RESULT(VK_ERROR_FORMAT_NOT_SUPPORTED)
    CR_VK_RESULT(VK_ERROR_FRAGMENTED_POOL)
    CR_VK_RESULT(VK_ERROR_OUT_OF_POOL_MEMORY)
    CR_VK_RESULT(VK_ERROR_SURFACE_LOST_KHR)
    CR_VK_RESULT(VK_ERROR_NATIVE_WINDOW_IN_USE_KHR)
    CR_VK_RESULT(VK_SUBOPTIMAL_KHR)
    CR_VK_RESULT(VK_ERROR_OUT_OF_DATE_KHR)
    CR_VK_RESULT(VK_ERROR_VALIDATION_FAILED_EXT)
#undef CR_VK_RESULT
    default: break;
    }
    return "VK_RESULT_UNKNOWN";
}

void vkCheckFailed(const char* file, int line, const char* call, VkResult result) {
    CR_LOG_ERROR("VK_CHECK failed at %s:%d: %s returned %s (%d)", file, line, call, toString(result),
                 static_cast<int>(result));
    std::abort();
}

} // namespace caseroom::render
