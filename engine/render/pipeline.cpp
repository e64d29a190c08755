#include "render/pipeline.h"

#include <array>
#include <fstream>

#include "render/vk_check.h"

namespace caseroom::render {

core::Result<std::vector<std::uint32_t>> loadSpirv(const std::string& path) {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in) return core::Error{path + ": cannot open shader (is the shader directory right? see --shaders)"};
    const std::streamsize size = in.tellg();
    if (size <= 0 || size % 4 != 0 || size > (16 << 20))
        return core::Error{path + ": not a SPIR-V file (size " + std::to_string(size) + ")"};
    std::vector<std::uint32_t> words(static_cast<std::size_t>(size) / 4);
    in.seekg(0);
    if (!in.read(reinterpret_cast<char*>(words.data()), size)) return core::Error{path + ": read failed"};
    if (words[0] != 0x07230203u) return core::Error{path + ": bad SPIR-V magic number"};
    return words;
}

namespace {

VkShaderModule makeModule(const Device& dev, const std::vector<std::uint32_t>& code) {
    VkShaderModuleCreateInfo info{VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO};
    info.codeSize = code.size() * 4;
    info.pCode = code.data();
    VkShaderModule m = VK_NULL_HANDLE;
    VK_CHECK(vkCreateShaderModule(dev.device, &info, nullptr, &m));
    return m;
}

} // namespace

core::Result<Pipeline> createPipeline(const Device& dev, const PipelineDesc& desc) {
    auto vs = loadSpirv(desc.vertexSpv);
    if (!vs) return vs.error();
    auto fs = loadSpirv(desc.fragmentSpv);
    if (!fs) return fs.error();

    Pipeline p;
    VkPushConstantRange push{VK_SHADER_STAGE_VERTEX_BIT | VK_SHADER_STAGE_FRAGMENT_BIT, 0, desc.pushConstantBytes};
    VkPipelineLayoutCreateInfo layout{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
    layout.setLayoutCount = desc.setLayout != VK_NULL_HANDLE ? 1u : 0u;
    layout.pSetLayouts = &desc.setLayout;
    layout.pushConstantRangeCount = desc.pushConstantBytes ? 1u : 0u;
    layout.pPushConstantRanges = &push;
    VK_CHECK(vkCreatePipelineLayout(dev.device, &layout, nullptr, &p.layout));

    VkShaderModule vsm = makeModule(dev, *vs);
    VkShaderModule fsm = makeModule(dev, *fs);
    std::array<VkPipelineShaderStageCreateInfo, 2> stages{};
    stages[0].sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO;
    stages[0].stage = VK_SHADER_STAGE_VERTEX_BIT;
    stages[0].module = vsm;
    stages[0].pName = "main";
    stages[1].sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO;
    stages[1].stage = VK_SHADER_STAGE_FRAGMENT_BIT;
    stages[1].module = fsm;
    stages[1].pName = "main";

    VkPipelineVertexInputStateCreateInfo vin{VK_STRUCTURE_TYPE_PIPELINE_VERTEX_INPUT_STATE_CREATE_INFO};
    vin.vertexBindingDescriptionCount = static_cast<std::uint32_t>(desc.bindings.size());
    vin.pVertexBindingDescriptions = desc.bindings.data();
    vin.vertexAttributeDescriptionCount = static_cast<std::uint32_t>(desc.attributes.size());
    vin.pVertexAttributeDescriptions = desc.attributes.data();
    VkPipelineInputAssemblyStateCreateInfo ia{VK_STRUCTURE_TYPE_PIPELINE_INPUT_ASSEMBLY_STATE_CREATE_INFO};
    ia.topology = VK_PRIMITIVE_TOPOLOGY_TRIANGLE_LIST;
    VkPipelineViewportStateCreateInfo vp{VK_STRUCTURE_TYPE_PIPELINE_VIEWPORT_STATE_CREATE_INFO};
    vp.viewportCount = 1;
    vp.scissorCount = 1;
    VkPipelineRasterizationStateCreateInfo rs{VK_STRUCTURE_TYPE_PIPELINE_RASTERIZATION_STATE_CREATE_INFO};
    rs.polygonMode = VK_POLYGON_MODE_FILL;
    rs.cullMode = desc.cull;
    // The viewport is flipped (negative height), so GL-style CCW stays front.
    rs.frontFace = VK_FRONT_FACE_COUNTER_CLOCKWISE;
    rs.lineWidth = 1.0f;
    VkPipelineMultisampleStateCreateInfo ms{VK_STRUCTURE_TYPE_PIPELINE_MULTISAMPLE_STATE_CREATE_INFO};
    ms.rasterizationSamples = desc.samples;
    VkPipelineDepthStencilStateCreateInfo ds{VK_STRUCTURE_TYPE_PIPELINE_DEPTH_STENCIL_STATE_CREATE_INFO};
    ds.depthTestEnable = VK_TRUE;
    ds.depthWriteEnable = VK_TRUE;
    ds.depthCompareOp = VK_COMPARE_OP_LESS_OR_EQUAL;
    VkPipelineColorBlendAttachmentState blend{};
    blend.colorWriteMask = VK_COLOR_COMPONENT_R_BIT | VK_COLOR_COMPONENT_G_BIT | VK_COLOR_COMPONENT_B_BIT |
                           VK_COLOR_COMPONENT_A_BIT;
    VkPipelineColorBlendStateCreateInfo cb{VK_STRUCTURE_TYPE_PIPELINE_COLOR_BLEND_STATE_CREATE_INFO};
    cb.attachmentCount = 1;
    cb.pAttachments = &blend;
    const std::array<VkDynamicState, 2> dyn{VK_DYNAMIC_STATE_VIEWPORT, VK_DYNAMIC_STATE_SCISSOR};
    VkPipelineDynamicStateCreateInfo dy{VK_STRUCTURE_TYPE_PIPELINE_DYNAMIC_STATE_CREATE_INFO};
    dy.dynamicStateCount = static_cast<std::uint32_t>(dyn.size());
    dy.pDynamicStates = dyn.data();

    VkGraphicsPipelineCreateInfo info{VK_STRUCTURE_TYPE_GRAPHICS_PIPELINE_CREATE_INFO};
    info.stageCount = static_cast<std::uint32_t>(stages.size());
    info.pStages = stages.data();
    info.pVertexInputState = &vin;
    info.pInputAssemblyState = &ia;
    info.pViewportState = &vp;
    info.pRasterizationState = &rs;
    info.pMultisampleState = &ms;
    info.pDepthStencilState = &ds;
    info.pColorBlendState = &cb;
    info.pDynamicState = &dy;
    info.layout = p.layout;
    info.renderPass = desc.renderPass;
    info.subpass = 0;
    VK_CHECK(vkCreateGraphicsPipelines(dev.device, VK_NULL_HANDLE, 1, &info, nullptr, &p.pipeline));
    vkDestroyShaderModule(dev.device, vsm, nullptr);
    vkDestroyShaderModule(dev.device, fsm, nullptr);
    return p;
}

void destroyPipeline(const Device& dev, Pipeline& p) {
    if (p.pipeline != VK_NULL_HANDLE) vkDestroyPipeline(dev.device, p.pipeline, nullptr);
    if (p.layout != VK_NULL_HANDLE) vkDestroyPipelineLayout(dev.device, p.layout, nullptr);
    p = Pipeline{};
}

} // namespace caseroom::render
