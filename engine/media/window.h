// Pure display transforms for grey images (no library): modality rescale,
// then the linear VOI window, then MONOCHROME1 inversion, in that order
// (the same order the shader applies them).
#pragma once
#include "media/image.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace caseroom::media {

// DICOM PS3.3 C.11.2.1.2.1, the LINEAR VOI function. x is the value after
// the modality rescale. width < 1 is treated as 1 (the standard requires >= 1).
double applyWindow(double x, double centre, double width, double yMin = 0.0, double yMax = 255.0);

// One frame of a grey image as 8-bit grey (width * height bytes): rescale,
// window (the given one, else the image's, else the frame's min..max of
// rescaled values), round to nearest, then 255 - y for MONOCHROME1.
// Errors for an RGB image or a frame index out of range.
core::Result<std::vector<std::uint8_t>> renderGrey8(const Image& image, std::uint32_t frame,
                                                    std::optional<Window> window = std::nullopt);

} // namespace caseroom::media
