#include "render/image_io.h"

#include <cstring>

#include <stb_image.h>
#include <stb_image_write.h>

namespace caseroom::render {

core::Status writePng(const std::string& path, const RgbaImage& img) {
    if (img.width == 0 || img.height == 0 || img.pixels.size() != static_cast<std::size_t>(img.width) * img.height * 4)
        return core::Error{path + ": refusing to write an empty or inconsistent image"};
    const int ok = stbi_write_png(path.c_str(), static_cast<int>(img.width), static_cast<int>(img.height), 4,
                                  img.pixels.data(), static_cast<int>(img.width * 4));
    if (!ok) return core::Error{path + ": cannot write PNG (directory missing or not writable?)"};
    return {};
}

core::Result<RgbaImage> readPng(const std::string& path) {
    int w = 0, h = 0, n = 0;
    stbi_uc* data = stbi_load(path.c_str(), &w, &h, &n, 4);
    if (!data) return core::Error{path + ": cannot read PNG: " + (stbi_failure_reason() ? stbi_failure_reason() : "?")};
    RgbaImage img;
    img.width = static_cast<std::uint32_t>(w);
    img.height = static_cast<std::uint32_t>(h);
    img.pixels.resize(static_cast<std::size_t>(w) * static_cast<std::size_t>(h) * 4);
    std::memcpy(img.pixels.data(), data, img.pixels.size());
    stbi_image_free(data);
    return img;
}

} // namespace caseroom::render
