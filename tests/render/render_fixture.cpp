#include "render_fixture.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace caseroom::render::test {

std::unique_ptr<Rig> makeRig(std::uint32_t width, std::uint32_t height) {
    auto r = std::make_unique<Rig>();
    HeadlessDesc d;
    d.extent = {width, height};
    d.samples = VK_SAMPLE_COUNT_4_BIT;
    d.validation = Validation::Required;
    auto s = createHeadlessRig(r->rig, d);
    r->ok = s.ok();
    if (!s) r->error = s.error().message;
    return r;
}

std::uint32_t finish(std::unique_ptr<Rig>& rig) {
    destroyHeadlessRig(rig->rig);
    const std::uint32_t n = validationMessageCount(rig->rig.dev);
    rig.reset();
    return n;
}

RgbaImage renderImage(Rig& rig, const FrameView& view) {
    auto s = renderFrames(rig.rig, view, 3);
    if (!s) return {};
    auto img = captureFrame(rig.rig.renderer);
    return img ? *img : RgbaImage{};
}

glm::vec3 pixel(const RgbaImage& img, int x, int y) {
    x = std::clamp(x, 0, static_cast<int>(img.width) - 1);
    y = std::clamp(y, 0, static_cast<int>(img.height) - 1);
    const std::uint8_t* p = &img.pixels[(static_cast<std::size_t>(y) * img.width + static_cast<std::size_t>(x)) * 4];
    return {p[0] / 255.0f, p[1] / 255.0f, p[2] / 255.0f};
}

glm::vec3 meanBlock(const RgbaImage& img, int x, int y, int r) {
    glm::vec3 sum{0.0f};
    int n = 0;
    for (int dy = -r; dy <= r; ++dy)
        for (int dx = -r; dx <= r; ++dx) {
            sum += pixel(img, x + dx, y + dy);
            ++n;
        }
    return sum / static_cast<float>(n);
}

bool sameChroma(glm::vec3 c, glm::vec3 role, float tolerance) {
    const float lc = c.r + c.g + c.b, lr = role.r + role.g + role.b;
    if (lc < 0.05f) return false;
    const glm::vec3 a = c / lc, b = role / lr;
    return std::fabs(a.r - b.r) <= tolerance && std::fabs(a.g - b.g) <= tolerance && std::fabs(a.b - b.b) <= tolerance;
}

Diff compare(const RgbaImage& a, const RgbaImage& b, std::uint32_t tolerance) {
    Diff d;
    if (a.width != b.width || a.height != b.height) {
        d.over = UINT32_MAX;
        return d;
    }
    double sum = 0;
    for (std::size_t i = 0; i < a.pixels.size(); i += 4) {
        bool bad = false;
        for (std::size_t k = 0; k < 3; ++k) {
            const auto delta = static_cast<std::uint32_t>(std::abs(int(a.pixels[i + k]) - int(b.pixels[i + k])));
            sum += delta;
            d.maxDelta = std::max(d.maxDelta, delta);
            if (delta > tolerance) bad = true;
        }
        if (bad) ++d.over;
    }
    d.mean = sum / static_cast<double>(a.pixels.size() / 4 * 3);
    return d;
}

} // namespace caseroom::render::test
