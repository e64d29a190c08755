#include "render/headless.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>

#include <imgui.h>

#include "render/ui_font.h"

namespace caseroom::render {

std::string defaultShaderDir() {
    if (const char* env = std::getenv("CASEROOM_SHADERS"); env && *env) return env;
    std::error_code ec;
#ifdef CASEROOM_SHADER_DIR
    if (std::filesystem::exists(std::filesystem::path(CASEROOM_SHADER_DIR) / "scene.vert.spv", ec))
        return CASEROOM_SHADER_DIR;
#endif
    const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        for (const auto& candidate : {exe.parent_path() / "shaders", exe.parent_path().parent_path() / "shaders",
                                      exe.parent_path().parent_path() / "share/caseroom/shaders"})
            if (std::filesystem::exists(candidate / "scene.vert.spv", ec)) return candidate.string();
    }
    return "shaders";
}

core::Status createHeadlessRig(HeadlessRig& rig, const HeadlessDesc& desc) {
    DeviceDesc dd;
    dd.validation = desc.validation;
    dd.logValidation = desc.logValidation;
    if (auto s = createInstance(rig.dev, dd); !s) return s;
    if (auto s = createDevice(rig.dev, VK_NULL_HANDLE); !s) return s;
    TargetDesc td;
    td.extent = desc.extent;
    td.samples = desc.samples;
    if (auto s = createOffscreenTarget(rig.dev, rig.target, td); !s) return s;
    RendererDesc rd;
    rd.shaderDir = desc.shaderDir.empty() ? defaultShaderDir() : desc.shaderDir;
    if (desc.stagingBytes != 0) rd.stagingBytes = desc.stagingBytes;
    if (desc.uploadBytesPerFrame != 0) rd.uploadBytesPerFrame = desc.uploadBytesPerFrame;
    rd.cpuMipmaps = desc.cpuMipmaps;
    return createRenderer(rig.renderer, rig.dev, rig.target, rd);
}

void destroyHeadlessRig(HeadlessRig& rig) {
    destroyRenderer(rig.renderer);
    destroyTarget(rig.dev, rig.target);
    destroyDevice(rig.dev);
}

core::Status renderFrames(HeadlessRig& rig, const FrameView& view, std::uint32_t frames) {
    for (std::uint32_t i = 0; i < frames; ++i) {
        const FrameResult b = beginFrame(rig.renderer, rig.target.extent);
        if (b == FrameResult::DeviceLost) return core::Error{"the Vulkan device was lost"};
        if (b != FrameResult::Ready) continue;
        drawScene(rig.renderer, view);
        if (endFrame(rig.renderer) == FrameResult::DeviceLost) return core::Error{"the Vulkan device was lost"};
    }
    if (!waitIdle(rig.renderer)) return core::Error{"the Vulkan device was lost"};
    return {};
}

core::Status createHeadlessUiRig(HeadlessUiRig& r, const HeadlessDesc& desc) {
    if (auto s = createHeadlessRig(r.rig, desc); !s) return s;
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    io.DisplaySize = ImVec2(static_cast<float>(desc.extent.width), static_cast<float>(desc.extent.height));
    (void)loadUiFont(*io.Fonts); // before the layer uploads the atlas
    if (auto s = createImGuiLayer(r.ui, r.rig.dev, r.rig.target); !s) return s;
    r.uiReady = true;
    return {};
}

void destroyHeadlessUiRig(HeadlessUiRig& r) {
    if (r.uiReady) destroyImGuiLayer(r.ui);
    r.uiReady = false;
    if (ImGui::GetCurrentContext()) ImGui::DestroyContext();
    destroyHeadlessRig(r.rig);
}

FrameResult renderUiFrame(HeadlessUiRig& r, const FrameView& view, const std::function<void()>& ui, double* cpuSeconds,
                          const std::vector<ThumbnailDraw>* screen) {
    const FrameResult b = beginFrame(r.rig.renderer, r.rig.target.extent);
    if (b != FrameResult::Ready) return b;
    const auto t0 = std::chrono::steady_clock::now();
    drawScene(r.rig.renderer, view);
    ImGui::GetIO().DeltaTime = 1.0f / 60.0f;
    imguiNewFrame(r.ui);
    ImGui::NewFrame();
    if (ui) ui();
    ImGui::Render();
    recordImGui(r.ui, frameCommandBuffer(r.rig.renderer));
    if (screen) drawThumbnails(r.rig.renderer, *screen);
    const FrameResult e = endFrame(r.rig.renderer);
    if (cpuSeconds) *cpuSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return e;
}

} // namespace caseroom::render
