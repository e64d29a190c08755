// PNG files for screenshots and reference images (stb_image_write /
// stb_image from libstb). Errors name the file.
#pragma once
#include <string>

#include "core/result.h"
#include "render/test_image.h"

namespace caseroom::render {

[[nodiscard]] core::Status writePng(const std::string& path, const RgbaImage& img);
[[nodiscard]] core::Result<RgbaImage> readPng(const std::string& path);

} // namespace caseroom::render
