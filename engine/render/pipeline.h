// Shader modules and graphics pipelines. A pipeline is built for one render
// pass shape (see target.h) and survives swapchain recreation.
// Ownership: Pipeline owns its VkPipeline and layout; the descriptor set
// layout is owned by whoever passed it in.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <vulkan/vulkan.h>

#include "core/result.h"
#include "render/device.h"

namespace caseroom::render {

struct Pipeline {
    VkPipeline pipeline = VK_NULL_HANDLE;
    VkPipelineLayout layout = VK_NULL_HANDLE;
};

struct PipelineDesc {
    std::string vertexSpv;    // path to .spv
    std::string fragmentSpv;
    VkRenderPass renderPass = VK_NULL_HANDLE;
    VkSampleCountFlagBits samples = VK_SAMPLE_COUNT_1_BIT;
    std::vector<VkVertexInputBindingDescription> bindings;
    std::vector<VkVertexInputAttributeDescription> attributes;
    VkDescriptorSetLayout setLayout = VK_NULL_HANDLE; // optional
    std::uint32_t pushConstantBytes = 0;              // vertex + fragment stages
    VkCullModeFlags cull = VK_CULL_MODE_BACK_BIT;
};

// Reads SPIR-V from disk; the error names the file.
[[nodiscard]] core::Result<std::vector<std::uint32_t>> loadSpirv(const std::string& path);
[[nodiscard]] core::Result<Pipeline> createPipeline(const Device& dev, const PipelineDesc& desc);
void destroyPipeline(const Device& dev, Pipeline& p);

} // namespace caseroom::render
