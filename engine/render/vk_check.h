// VK_CHECK: on in every build. A failing call logs file, line, the call text
// and the VkResult name, then aborts: these are calls that only fail on
// programmer error or exhausted memory. Calls whose results mean "recreate"
// or "device lost" (acquire, present, submit, fence waits) are not wrapped;
// their callers turn the result into a status (see target.h, frames.h).
#pragma once
#include <vulkan/vulkan.h>

namespace caseroom::render {

const char* toString(VkResult result);
[[noreturn]] void vkCheckFailed(const char* file, int line, const char* call, VkResult result);

} // namespace caseroom::render

#define VK_CHECK(call)                                                                   \
    do {                                                                                 \
        const VkResult vkCheckResult_ = (call);                                          \
        if (vkCheckResult_ != VK_SUCCESS)                                                \
            ::caseroom::render::vkCheckFailed(__FILE__, __LINE__, #call, vkCheckResult_); \
    } while (0)
