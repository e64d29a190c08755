// The headless rig: a device with no surface, an offscreen target and a
// renderer, in one place, for `caseroom --headless`, render tests and the
// benchmark. No window, no display, no SDL.
// Ownership: the rig owns all three; it must not move after creation (the
// renderer points at the device and target inside it).
#pragma once
#include <string>

#include "core/result.h"
#include "render/device.h"
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

// Renders `frames` frames of `view` (no UI) and waits for the last one.
[[nodiscard]] core::Status renderFrames(HeadlessRig& rig, const FrameView& view, std::uint32_t frames);

} // namespace caseroom::render
