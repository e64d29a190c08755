// [SECTION] helpers  [SECTION] create/destroy  [SECTION] room and panels
// [SECTION] frame
#include "render/renderer.h"

#include <array>
#include <cassert>
#include <cstring>

#include "core/log.h"
#include "render/panel_upload.h"
#include "render/vk_check.h"

namespace caseroom::render {

const char* toString(FrameResult r) {
    switch (r) {
    case FrameResult::Ready: return "ready";
    case FrameResult::Skipped: return "skipped";
    case FrameResult::DeviceLost: return "device lost";
    case FrameResult::Count: break;
    }
    return "?";
}

namespace {

// [SECTION] helpers
struct Push {
    glm::mat4 viewProj{1.0f};
    glm::vec4 lightDir{0.35f, 0.85f, 0.4f, 0.0f};
    glm::vec4 eye{0.0f};
};
static_assert(sizeof(Push) == 96);

constexpr VkDeviceSize kInitialInstances = 2048;

bool sameLayout(const sim::RoomLayout& a, const sim::RoomLayout& b) {
    if (a.name != b.name || a.halfExtents != b.halfExtents || a.height != b.height ||
        a.tableCenter != b.tableCenter || a.tableRadius != b.tableRadius || a.seats.size() != b.seats.size() ||
        a.panels.size() != b.panels.size())
        return false;
    for (std::size_t i = 0; i < a.seats.size(); ++i)
        if (a.seats[i].position != b.seats[i].position || a.seats[i].yaw != b.seats[i].yaw ||
            a.seats[i].atTable != b.seats[i].atTable)
            return false;
    for (std::size_t i = 0; i < a.panels.size(); ++i)
        if (a.panels[i].center != b.panels[i].center || a.panels[i].yaw != b.panels[i].yaw ||
            a.panels[i].width != b.panels[i].width || a.panels[i].height != b.panels[i].height)
            return false;
    return true;
}

Buffer uploadStatic(Device& dev, const void* data, VkDeviceSize size, VkBufferUsageFlags usage) {
    // Host-visible is fine for a few hundred kilobytes of static meshes, and
    // on unified-memory devices (lavapipe, integrated GPUs) it is the same memory.
    Buffer b = createBuffer(dev, size, usage, true);
    std::memcpy(b.mapped, data, size);
    return b;
}

// Called with the current slot waited: old objects go through deferred destruction.
void applyPending(Renderer& r) {
    if (r.pendingLayout) {
        const sim::RoomLayout& layout = *r.pendingLayout;
        r.roomInstances.clear();
        appendRoom(layout, r.roomInstances);
        r.panelScratch.clear();
        buildPanelQuads(layout, r.panelScratch);
        const auto wanted = static_cast<std::uint32_t>(std::min<std::size_t>(layout.panels.size(), kMaxPanels));
        if (!r.panelScratch.empty()) {
            if (r.panelVertices.buffer != VK_NULL_HANDLE) deferDestroy(r.frames, r.panelVertices);
            r.panelVertices = uploadStatic(*r.dev, r.panelScratch.data(), r.panelScratch.size() * sizeof(Vertex),
                                           VK_BUFFER_USAGE_VERTEX_BUFFER_BIT);
        }
        // New panels get a test card; existing panels keep their image.
        detail::queueTestCards(r, wanted);
        r.panelCount = wanted;
        r.currentLayout = std::move(r.pendingLayout);
        r.pendingLayout.reset();
    }
}

} // namespace

void detail::setViewport(VkCommandBuffer cmd, VkExtent2D extent) {
    // Flipped: +y up in clip space, as the projection expects (and the panel quads' winding).
    VkViewport vp{0, static_cast<float>(extent.height), static_cast<float>(extent.width),
                  -static_cast<float>(extent.height), 0.0f, 1.0f};
    VkRect2D scissor{{0, 0}, extent};
    vkCmdSetViewport(cmd, 0, 1, &vp);
    vkCmdSetScissor(cmd, 0, 1, &scissor);
}

float aspectRatio(const Target& t) {
    return t.extent.height == 0 ? 1.0f : static_cast<float>(t.extent.width) / static_cast<float>(t.extent.height);
}

// [SECTION] create/destroy
core::Status createRenderer(Renderer& r, Device& dev, Target& target, const RendererDesc& desc) {
    r.dev = &dev;
    r.target = &target;
    r.builtFor = target.extent;
    r.desc = desc;
    if (desc.panelWidth == 0 || desc.panelHeight == 0 || desc.panelWidth > kMaxPanelSize ||
        desc.panelHeight > kMaxPanelSize)
        return core::Error{"panel size must be between 1 and 4096 pixels"};
    createFrameRing(dev, r.frames);

    // Per panel: its image, and its slice of the per-frame uniform buffer (dynamic offset).
    const std::array<VkDescriptorSetLayoutBinding, 2> bindings{{
        {0, VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, 1, VK_SHADER_STAGE_FRAGMENT_BIT, nullptr},
        {1, VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC, 1, VK_SHADER_STAGE_FRAGMENT_BIT, nullptr}}};
    VkDescriptorSetLayoutCreateInfo setLayout{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO};
    setLayout.bindingCount = static_cast<std::uint32_t>(bindings.size());
    setLayout.pBindings = bindings.data();
    VK_CHECK(vkCreateDescriptorSetLayout(dev.device, &setLayout, nullptr, &r.panelSetLayout));
    // Room for every panel twice over: replacements are freed a frame or two later.
    const std::array<VkDescriptorPoolSize, 2> sizes{{{VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, kSlideSlots * 3},
                                                    {VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC, kSlideSlots * 3}}};
    VkDescriptorPoolCreateInfo pool{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
    pool.flags = VK_DESCRIPTOR_POOL_CREATE_FREE_DESCRIPTOR_SET_BIT;
    pool.maxSets = kSlideSlots * 3;
    pool.poolSizeCount = static_cast<std::uint32_t>(sizes.size());
    pool.pPoolSizes = sizes.data();
    VK_CHECK(vkCreateDescriptorPool(dev.device, &pool, nullptr, &r.descriptorPool));
    VkSamplerCreateInfo sampler{VK_STRUCTURE_TYPE_SAMPLER_CREATE_INFO};
    sampler.magFilter = VK_FILTER_LINEAR;
    sampler.minFilter = VK_FILTER_LINEAR;
    sampler.mipmapMode = VK_SAMPLER_MIPMAP_MODE_LINEAR; // slides have mip chains; cards one level
    sampler.addressModeU = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE;
    sampler.addressModeV = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE;
    sampler.addressModeW = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE;
    sampler.maxLod = VK_LOD_CLAMP_NONE;
    VK_CHECK(vkCreateSampler(dev.device, &sampler, nullptr, &r.sampler));

    // Each pipeline declares only the attributes its vertex shader reads.
    const VkVertexInputAttributeDescription position{0, 0, VK_FORMAT_R32G32B32_SFLOAT, offsetof(Vertex, position)};
    const VkVertexInputAttributeDescription normal{1, 0, VK_FORMAT_R32G32B32_SFLOAT, offsetof(Vertex, normal)};
    const VkVertexInputAttributeDescription uv{2, 0, VK_FORMAT_R32G32_SFLOAT, offsetof(Vertex, uv)};
    PipelineDesc lit;
    lit.vertexSpv = desc.shaderDir + "/scene.vert.spv";
    lit.fragmentSpv = desc.shaderDir + "/scene.frag.spv";
    lit.renderPass = target.renderPass;
    lit.samples = target.samples;
    lit.bindings = {{0, sizeof(Vertex), VK_VERTEX_INPUT_RATE_VERTEX}, {1, sizeof(Instance), VK_VERTEX_INPUT_RATE_INSTANCE}};
    lit.attributes = {position, normal};
    for (std::uint32_t i = 0; i < 4; ++i)
        lit.attributes.push_back({3 + i, 1, VK_FORMAT_R32G32B32A32_SFLOAT, static_cast<std::uint32_t>(i * sizeof(glm::vec4))});
    lit.attributes.push_back({7, 1, VK_FORMAT_R32G32B32A32_SFLOAT, offsetof(Instance, color)});
    lit.pushConstantBytes = sizeof(Push);
    auto litPipe = createPipeline(dev, lit);
    if (!litPipe) return litPipe.error();
    r.lit = *litPipe;

    PipelineDesc panel;
    panel.vertexSpv = desc.shaderDir + "/panel.vert.spv";
    panel.fragmentSpv = desc.shaderDir + "/panel.frag.spv";
    panel.renderPass = target.renderPass;
    panel.samples = target.samples;
    panel.bindings = {{0, sizeof(Vertex), VK_VERTEX_INPUT_RATE_VERTEX}};
    panel.attributes = {position, uv};
    panel.setLayout = r.panelSetLayout;
    panel.pushConstantBytes = sizeof(Push);
    auto panelPipe = createPipeline(dev, panel);
    if (!panelPipe) return panelPipe.error();
    r.panel = *panelPipe;

    r.meshes = buildUnitMeshes();
    r.meshVertices = uploadStatic(dev, r.meshes.vertices.data(), r.meshes.vertices.size() * sizeof(Vertex),
                                  VK_BUFFER_USAGE_VERTEX_BUFFER_BIT);
    r.meshIndices = uploadStatic(dev, r.meshes.indices.data(), r.meshes.indices.size() * sizeof(std::uint32_t),
                                 VK_BUFFER_USAGE_INDEX_BUFFER_BIT);
    for (Buffer& b : r.instanceBuffers)
        b = createBuffer(dev, kInitialInstances * sizeof(Instance), VK_BUFFER_USAGE_VERTEX_BUFFER_BIT, true);
    for (auto& l : r.roomInstances.byMesh) l.reserve(256);
    for (auto& l : r.avatarInstances.byMesh) l.reserve(1024);
    detail::createPanelContent(r);
    return {};
}

void destroyRenderer(Renderer& r) {
    if (r.dev == nullptr) return;
    Device& dev = *r.dev;
    destroyFrameRing(dev, r.frames); // waits idle, runs deferred destruction
    detail::destroyPanelContent(r);
    destroyBuffer(dev, r.panelVertices);
    for (Buffer& b : r.instanceBuffers) destroyBuffer(dev, b);
    destroyBuffer(dev, r.meshVertices);
    destroyBuffer(dev, r.meshIndices);
    destroyPipeline(dev, r.lit);
    destroyPipeline(dev, r.panel);
    if (r.sampler) vkDestroySampler(dev.device, r.sampler, nullptr);
    if (r.descriptorPool) vkDestroyDescriptorPool(dev.device, r.descriptorPool, nullptr);
    if (r.panelSetLayout) vkDestroyDescriptorSetLayout(dev.device, r.panelSetLayout, nullptr);
    r = Renderer{};
}

// [SECTION] room and panels
void setRoom(Renderer& r, const sim::RoomLayout& layout) {
    if (r.pendingLayout) {
        if (!sameLayout(*r.pendingLayout, layout)) r.pendingLayout = layout;
        return;
    }
    if (r.currentLayout && sameLayout(*r.currentLayout, layout)) return;
    r.pendingLayout = layout;
}

// [SECTION] frame
FrameResult beginFrame(Renderer& r, VkExtent2D drawable) {
    assert(!r.recording);
    Device& dev = *r.dev;
    Target& t = *r.target;
    if (dev.lost) return FrameResult::DeviceLost;
    r.drawable = drawable;
    if (t.kind == TargetKind::Swapchain) {
        if (drawable.width == 0 || drawable.height == 0) return FrameResult::Skipped; // minimised
        // Compared with the drawable size of the last rebuild, not t.extent:
        // the surface may pick a different extent, and that must not cause a
        // rebuild every frame.
        const bool resized = drawable.width != r.builtFor.width || drawable.height != r.builtFor.height;
        if (resized || r.rebuildAfterPresent || t.swapchain == VK_NULL_HANDLE) {
            r.rebuildAfterPresent = false;
            r.builtFor = drawable;
            const TargetStatus s = recreateSwapchain(dev, t, drawable);
            ++r.stats.swapchainRebuilds;
            if (s == TargetStatus::DeviceLost) return FrameResult::DeviceLost;
            if (s != TargetStatus::Ok) return FrameResult::Skipped;
        }
    }
    if (!waitFrameSlot(dev, r.frames)) return FrameResult::DeviceLost;
    FrameSlot& slot = currentSlot(r.frames);
    r.recording = true; // deferred destruction may be queued from here on
    applyPending(r);

    r.imageIndex = 0;
    if (t.kind == TargetKind::Swapchain) {
        const TargetStatus s = acquireImage(dev, t, slot.acquired, r.imageIndex);
        if (s == TargetStatus::DeviceLost) {
            r.recording = false;
            return FrameResult::DeviceLost;
        }
        if (s == TargetStatus::OutOfDate) {
            r.recording = false;
            r.rebuildAfterPresent = true; // rebuilt at the start of the next frame
            return FrameResult::Skipped;
        }
        if (s == TargetStatus::Suboptimal) r.rebuildAfterPresent = true;
    }
    VK_CHECK(vkResetFences(dev.device, 1, &slot.done));
    VK_CHECK(vkResetCommandPool(dev.device, slot.pool, 0));
    VkCommandBufferBeginInfo begin{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
    begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
    VK_CHECK(vkBeginCommandBuffer(slot.cmd, &begin));
    detail::recordPanelUploads(r, slot.cmd); // copies go before the render pass

    std::array<VkClearValue, 3> clears{};
    clears[0].color = {{r.desc.clearColor.r, r.desc.clearColor.g, r.desc.clearColor.b, 1.0f}};
    clears[1].depthStencil = {1.0f, 0};
    clears[2].color = clears[0].color;
    VkRenderPassBeginInfo rp{VK_STRUCTURE_TYPE_RENDER_PASS_BEGIN_INFO};
    rp.renderPass = t.renderPass;
    rp.framebuffer = t.framebuffers[r.imageIndex];
    rp.renderArea = {{0, 0}, t.extent};
    rp.clearValueCount = t.samples != VK_SAMPLE_COUNT_1_BIT ? 3u : 2u;
    rp.pClearValues = clears.data();
    vkCmdBeginRenderPass(slot.cmd, &rp, VK_SUBPASS_CONTENTS_INLINE);
    detail::setViewport(slot.cmd, t.extent);
    return FrameResult::Ready;
}

namespace {

// Live pictures on avatars' faces (at most kMaxVideoTiles), with the panel pipeline (depth tested like the walls' panels).
void drawFaces(Renderer& r, VkCommandBuffer cmd, std::span<const FaceDraw> faces, const Push& push) {
    if (faces.empty()) return;
    auto* verts = static_cast<Vertex*>(r.faceVertices[r.frames.current].mapped);
    bool bound = false;
    std::uint32_t n = 0;
    for (const FaceDraw& f : faces) {
        if (n >= kMaxVideoTiles) break;
        const std::uint32_t slot = f.slot;
        if (!slotHasPicture(r, slot)) continue;
        if (!bound) {
            vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, r.panel.pipeline);
            vkCmdPushConstants(cmd, r.panel.layout, VK_SHADER_STAGE_VERTEX_BIT | VK_SHADER_STAGE_FRAGMENT_BIT, 0,
                               sizeof(Push), &push);
            const VkDeviceSize zero = 0;
            vkCmdBindVertexBuffers(cmd, 0, 1, &r.faceVertices[r.frames.current].buffer, &zero);
            bound = true;
        }
        const std::array<Vertex, 6> quad = faceQuad(f);
        std::memcpy(verts + n * 6, quad.data(), sizeof(Vertex) * 6);
        const float aspect = f.aspect > 0.1f && f.aspect < 10.0f ? f.aspect : 16.0f / 9.0f;
        const std::uint32_t offset = detail::writePanelParams(r, slot, aspect, kFirstFaceEntry + n);
        vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, r.panel.layout, 0, 1, &r.panels[slot].set, 1,
                                &offset);
        vkCmdDraw(cmd, 6, 1, n * 6, 0);
        ++r.stats.drawCalls;
        ++n;
    }
}

} // namespace

void drawScene(Renderer& r, const FrameView& view) {
    assert(r.recording);
    r.stats.drawCalls = 0;
    r.stats.instances = 0;
    r.stats.avatars = static_cast<std::uint32_t>(view.avatars.size());
    if (view.layout == nullptr) return;
    setRoom(r, *view.layout);
    if (r.pendingLayout) applyPending(r); // first frame with this layout
    FrameSlot& slot = currentSlot(r.frames);
    VkCommandBuffer cmd = slot.cmd;

    r.avatarInstances.clear();
    appendAvatars(view.avatars, view.camera.eye, r.avatarInstances);

    // Instance buffer for this slot, grouped by mesh: avatars first, then the
    // room (whose floor and walls come last), so that the big surfaces fail
    // the depth test where something already covers them.
    const std::size_t total = r.roomInstances.total() + r.avatarInstances.total();
    Buffer& ib = r.instanceBuffers[r.frames.current];
    if (total * sizeof(Instance) > ib.size) {
        VkDeviceSize cap = ib.size / sizeof(Instance);
        while (cap < total) cap *= 2;
        deferDestroy(r.frames, ib);
        ib = createBuffer(*r.dev, cap * sizeof(Instance), VK_BUFFER_USAGE_VERTEX_BUFFER_BIT, true);
        ++r.stats.bufferGrowths;
    }
    std::array<std::uint32_t, kMeshKinds> first{}, count{};
    auto* dst = static_cast<Instance*>(ib.mapped);
    std::uint32_t cursor = 0;
    for (std::size_t k = 0; k < kMeshKinds; ++k) {
        first[k] = cursor;
        for (const auto* list : {&r.avatarInstances.byMesh[k], &r.roomInstances.byMesh[k]}) {
            if (!list->empty()) std::memcpy(dst + cursor, list->data(), list->size() * sizeof(Instance));
            cursor += static_cast<std::uint32_t>(list->size());
        }
        count[k] = cursor - first[k];
    }

    Push push;
    push.viewProj = viewProjection(view.camera, aspectRatio(*r.target));
    push.eye = glm::vec4(view.camera.eye, 1.0f);

    vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, r.lit.pipeline);
    vkCmdPushConstants(cmd, r.lit.layout, VK_SHADER_STAGE_VERTEX_BIT | VK_SHADER_STAGE_FRAGMENT_BIT, 0, sizeof(Push),
                       &push);
    const std::array<VkBuffer, 2> vbs{r.meshVertices.buffer, ib.buffer};
    const std::array<VkDeviceSize, 2> offsets{0, 0};
    vkCmdBindVertexBuffers(cmd, 0, 2, vbs.data(), offsets.data());
    vkCmdBindIndexBuffer(cmd, r.meshIndices.buffer, 0, VK_INDEX_TYPE_UINT32);
    // Boxes (with the floor and walls) last, small parts first.
    for (std::size_t k = kMeshKinds; k-- > 0;) {
        if (count[k] == 0) continue;
        const MeshRange& m = r.meshes.ranges[k];
        vkCmdDrawIndexed(cmd, m.indexCount, count[k], m.firstIndex, m.vertexOffset, first[k]);
        ++r.stats.drawCalls;
    }
    r.stats.instances = cursor;

    if (r.panelCount > 0 && r.panelVertices.buffer != VK_NULL_HANDLE) {
        vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, r.panel.pipeline);
        vkCmdPushConstants(cmd, r.panel.layout, VK_SHADER_STAGE_VERTEX_BIT | VK_SHADER_STAGE_FRAGMENT_BIT, 0,
                           sizeof(Push), &push);
        const VkDeviceSize zero = 0;
        vkCmdBindVertexBuffers(cmd, 0, 1, &r.panelVertices.buffer, &zero);
        const auto& panels = r.currentLayout->panels;
        for (std::uint32_t p = 0; p < r.panelCount; ++p) {
            const float aspect = panels[p].height > 0.0f ? panels[p].width / panels[p].height : 1.0f;
            const std::uint32_t offset = detail::writePanelParams(r, p, aspect);
            vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, r.panel.layout, 0, 1, &r.panels[p].set, 1,
                                    &offset);
            vkCmdDraw(cmd, 6, 1, p * 6, 0);
            ++r.stats.drawCalls;
        }
    }
    drawFaces(r, cmd, view.faces, push);
}

VkCommandBuffer frameCommandBuffer(const Renderer& r) { return r.frames.slots[r.frames.current].cmd; }

FrameResult endFrame(Renderer& r) {
    assert(r.recording);
    Device& dev = *r.dev;
    Target& t = *r.target;
    FrameSlot& slot = currentSlot(r.frames);
    vkCmdEndRenderPass(slot.cmd);
    VK_CHECK(vkEndCommandBuffer(slot.cmd));

    const VkPipelineStageFlags waitStage = VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT;
    VkSubmitInfo submit{VK_STRUCTURE_TYPE_SUBMIT_INFO};
    submit.commandBufferCount = 1;
    submit.pCommandBuffers = &slot.cmd;
    if (t.kind == TargetKind::Swapchain) {
        submit.waitSemaphoreCount = 1;
        submit.pWaitSemaphores = &slot.acquired;
        submit.pWaitDstStageMask = &waitStage;
        submit.signalSemaphoreCount = 1;
        submit.pSignalSemaphores = &t.renderDone[r.imageIndex];
    }
    detail::markPanelUploads(r);
    const VkResult sr = vkQueueSubmit(dev.queue, 1, &submit, slot.done);
    r.recording = false;
    if (noteDeviceLost(dev, sr)) return FrameResult::DeviceLost;
    VK_CHECK(sr);

    FrameResult result = FrameResult::Ready;
    if (t.kind == TargetKind::Swapchain) {
        const TargetStatus ps = presentImage(dev, t, r.imageIndex);
        if (ps == TargetStatus::DeviceLost) result = FrameResult::DeviceLost;
        else if (ps == TargetStatus::OutOfDate || ps == TargetStatus::Suboptimal) r.rebuildAfterPresent = true;
    }
    advanceFrame(r.frames);
    return result;
}

bool waitIdle(Renderer& r) {
    if (r.dev->lost) return false;
    const VkResult res = vkDeviceWaitIdle(r.dev->device);
    if (noteDeviceLost(*r.dev, res)) return false;
    VK_CHECK(res);
    return true;
}

core::Result<RgbaImage> captureFrame(Renderer& r) {
    if (r.target->kind != TargetKind::Offscreen) return core::Error{"screenshots need the offscreen target (--headless)"};
    if (r.frames.frameNumber == 0) return core::Error{"no frame has been rendered yet"};
    RgbaImage img;
    img.width = r.target->extent.width;
    img.height = r.target->extent.height;
    img.pixels.resize(static_cast<std::size_t>(img.width) * img.height * 4);
    if (!readTarget(*r.dev, *r.target, img.pixels.data())) return core::Error{"the Vulkan device was lost"};
    return img;
}

} // namespace caseroom::render
