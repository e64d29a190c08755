// Shared by the GPU render tests: a headless rig with the validation layer
// required and its messages counted, plus image helpers.
#pragma once
#include <memory>
#include <optional>
#include <string>

#include <glm/vec3.hpp>

#include "render/headless.h"
#include "render/test_image.h"

namespace caseroom::render::test {

constexpr std::uint32_t kWidth = 480, kHeight = 270;

struct Rig {
    HeadlessRig rig;
    bool ok = false;
    std::string error;
};

// Validation required, MSAA 4x (clamped to the device). Tear down with
// finish(), which returns the validation message count seen over the rig's life.
std::unique_ptr<Rig> makeRig(std::uint32_t width = kWidth, std::uint32_t height = kHeight);
std::uint32_t finish(std::unique_ptr<Rig>& rig);

// Renders `view` (a few frames so the ring wraps) and reads the image back.
RgbaImage renderImage(Rig& rig, const FrameView& view);

glm::vec3 pixel(const RgbaImage& img, int x, int y);   // 0..1
// Mean colour over a (2r+1)^2 block.
glm::vec3 meanBlock(const RgbaImage& img, int x, int y, int r);
// True when `c` has the hue of `role` (same chromaticity, any brightness).
bool sameChroma(glm::vec3 c, glm::vec3 role, float tolerance);

struct Diff {
    std::uint32_t over = 0;   // pixels with a channel differing by more than the tolerance
    double mean = 0;          // mean absolute channel difference (0..255)
    std::uint32_t maxDelta = 0;
};
Diff compare(const RgbaImage& a, const RgbaImage& b, std::uint32_t tolerance);

} // namespace caseroom::render::test
