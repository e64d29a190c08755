// The generated test card shown on wall panels until slides and video arrive:
// colour bars, a grid, a gradient and `index + 1` dots so that each panel is
// recognisable in screenshots. Pure, deterministic, RGBA8 row-major, top row
// first.
#pragma once
#include <cstdint>
#include <vector>

namespace caseroom::render {

struct RgbaImage {
    std::uint32_t width = 0, height = 0;
    std::vector<std::uint8_t> pixels; // width * height * 4
};

RgbaImage makeTestCard(std::uint32_t width, std::uint32_t height, std::uint32_t index);

} // namespace caseroom::render
