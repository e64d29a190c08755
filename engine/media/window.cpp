// Pure display transforms: see window.h.
#include "media/window.h"
#include "media/decoders.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace caseroom::media {

double applyWindow(double x, double centre, double width, double yMin, double yMax) {
    const double w = std::max(width, 1.0);
    const double c = centre - 0.5;
    const double half = (w - 1.0) / 2.0;
    if (x <= c - half) return yMin;
    if (x > c + half) return yMax;
    // x is inside (c - half, c + half], so w > 1 here: no division by zero.
    return ((x - c) / (w - 1.0) + 0.5) * (yMax - yMin) + yMin;
}

core::Result<std::vector<std::uint8_t>> renderGrey8(const Image& image, std::uint32_t frame,
                                                    std::optional<Window> window) {
    const std::string source = std::string("image ") + std::to_string(image.width) + "x" +
                               std::to_string(image.height);
    if (image.samplesPerPixel != 1 || image.photometric == Photometric::Rgb)
        return detail::fault(source, "renderGrey8 needs a grey image, not RGB");
    if (frame >= image.frames)
        return detail::fault(source, "frame " + std::to_string(frame) + " out of range (" +
                                         std::to_string(image.frames) + " frames)");
    if (image.pixels.size() < image.frameBytes() * image.frames)
        return detail::fault(source, "pixel data shorter than its dimensions");
    const std::size_t n = std::size_t{image.width} * image.height;
    std::vector<double> values(n);
    for (std::uint32_t y = 0; y < image.height; ++y)
        for (std::uint32_t x = 0; x < image.width; ++x)
            values[std::size_t{y} * image.width + x] =
                image.sample(frame, x, y) * image.rescaleSlope + image.rescaleIntercept;
    if (!window) window = image.window;
    if (!window) {
        // No window anywhere: map the frame's full range linearly.
        const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
        const double lo0 = n ? *lo : 0.0;
        const double hi0 = n ? *hi : 0.0;
        window = Window{(lo0 + hi0 + 1.0) / 2.0, hi0 - lo0 + 1.0};
    }
    std::vector<std::uint8_t> out(n);
    const bool invert = image.photometric == Photometric::Monochrome1;
    for (std::size_t i = 0; i < n; ++i) {
        const double y = applyWindow(values[i], window->centre, window->width);
        auto v = static_cast<int>(std::lround(std::clamp(y, 0.0, 255.0)));
        if (invert) v = 255 - v;
        out[i] = static_cast<std::uint8_t>(v);
    }
    return out;
}

} // namespace caseroom::media
