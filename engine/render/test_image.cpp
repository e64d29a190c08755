#include "render/test_image.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace caseroom::render {

RgbaImage makeTestCard(std::uint32_t w, std::uint32_t h, std::uint32_t index) {
    RgbaImage img;
    img.width = w;
    img.height = h;
    img.pixels.assign(static_cast<std::size_t>(w) * h * 4, 255);
    static constexpr std::array<std::array<std::uint8_t, 3>, 7> kBars{{
        {192, 192, 192}, {192, 192, 0}, {0, 192, 192}, {0, 192, 0}, {192, 0, 192}, {192, 0, 0}, {0, 0, 192}}};
    const std::uint32_t dots = index + 1;
    for (std::uint32_t y = 0; y < h; ++y) {
        for (std::uint32_t x = 0; x < w; ++x) {
            const float u = (static_cast<float>(x) + 0.5f) / static_cast<float>(w);
            const float v = (static_cast<float>(y) + 0.5f) / static_cast<float>(h);
            std::array<float, 3> c{};
            if (v < 0.45f) {
                const auto& bar = kBars[std::min<std::size_t>(6, static_cast<std::size_t>(u * 7))];
                c = {bar[0] / 255.0f, bar[1] / 255.0f, bar[2] / 255.0f};
            } else if (v < 0.55f) {
                c.fill(u); // grey ramp
            } else {
                // dark blue field with a grid and the panel's dots
                c = {0.08f, 0.12f, 0.22f};
                const bool grid = (x % std::max(1u, w / 16)) == 0 || (y % std::max(1u, h / 9)) == 0;
                if (grid) c = {0.30f, 0.36f, 0.50f};
                for (std::uint32_t d = 0; d < dots; ++d) {
                    const float cx = (static_cast<float>(d) + 1.0f) / (static_cast<float>(dots) + 1.0f);
                    const float dx = (u - cx) * static_cast<float>(w), dy = (v - 0.775f) * static_cast<float>(h);
                    if (dx * dx + dy * dy < std::pow(static_cast<float>(h) * 0.08f, 2.0f)) c = {0.95f, 0.95f, 0.95f};
                }
            }
            // a white border so the panel's edge reads
            if (x < 3 || y < 3 || x + 3 >= w || y + 3 >= h) c = {1, 1, 1};
            std::uint8_t* px = &img.pixels[(static_cast<std::size_t>(y) * w + x) * 4];
            for (int k = 0; k < 3; ++k) px[k] = static_cast<std::uint8_t>(std::lround(std::clamp(c[static_cast<std::size_t>(k)], 0.0f, 1.0f) * 255.0f));
            px[3] = 255;
        }
    }
    return img;
}

} // namespace caseroom::render
