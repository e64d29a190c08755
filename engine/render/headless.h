// The headless rig: a device with no surface, an offscreen target and a
// renderer, in one place, for `caseroom --headless`, render tests and the
// benchmark. No window, no display, no SDL.
// Ownership: the rig owns all three; it must not move after creation (the
// renderer points at the device and target inside it).
#pragma once
#include <functional>
#include <string>

#include "core/result.h"
#include "render/device.h"
#include "render/imgui_layer.h"
#include "render/renderer.h"
#include "render/target.h"

namespace caseroom::render {

struct HeadlessDesc {
    VkExtent2D extent{1280, 720};
    VkSampleCountFlagBits samples = kAutoSamples;          // see TargetDesc
    Validation validation = Validation::Off;
    bool logValidation = true;
    std::string shaderDir;                                  // empty: defaultShaderDir()
    VkDeviceSize stagingBytes = 0;                          // 0: RendererDesc's default
    VkDeviceSize uploadBytesPerFrame = 0;                   // 0: RendererDesc's default
    bool cpuMipmaps = false;                                // see RendererDesc
};

struct HeadlessRig {
    Device dev;
    Target target;
    Renderer renderer;
    HeadlessRig() = default;
    HeadlessRig(const HeadlessRig&) = delete;
    HeadlessRig& operator=(const HeadlessRig&) = delete;
};

[[nodiscard]] core::Status createHeadlessRig(HeadlessRig& rig, const HeadlessDesc& desc);
void destroyHeadlessRig(HeadlessRig& rig);

// Where compiled shaders are: $CASEROOM_SHADERS if set, else the build
// tree's shaders/ directory, else `shaders/` next to the executable's parent.
std::string defaultShaderDir();

// The rig with Dear ImGui over it (name tags, the room's UI, captions): the
// context (display size = the target, no ini file), the UI font and the
// layer, made after the rig and destroyed before it. One per process (the
// ImGui backend is process-wide).
struct HeadlessUiRig {
    HeadlessRig rig;
    ImGuiLayer ui;
    bool uiReady = false;
};
[[nodiscard]] core::Status createHeadlessUiRig(HeadlessUiRig& r, const HeadlessDesc& desc);
void destroyHeadlessUiRig(HeadlessUiRig& r);   // safe after a failed create
// One frame: the scene, then `ui` between ImGui::NewFrame and ImGui::Render
// (draw lists, windows), recorded into the frame. `cpuSeconds`, when given:
// the time from the frame's start to its submission. Skipped: nothing drawn.
// `screen`, when given, is read after `ui` ran (which may fill it): screen
// slots drawn above the UI (drawThumbnails: thumbnails, video tiles).
[[nodiscard]] FrameResult renderUiFrame(HeadlessUiRig& r, const FrameView& view, const std::function<void()>& ui,
                                        double* cpuSeconds = nullptr,
                                        const std::vector<ThumbnailDraw>* screen = nullptr);

// Renders `frames` frames of `view` (no UI) and waits for the last one.
[[nodiscard]] core::Status renderFrames(HeadlessRig& rig, const FrameView& view, std::uint32_t frames);

} // namespace caseroom::render
