// Internal: one adapter per format (png.cpp, jpeg.cpp, pdf.cpp, dicom.cpp)
// and the shared limit checks (image.cpp). Not part of the module's API.
#pragma once
#include "media/image.h"

#include <string>
#include <vector>

namespace caseroom::media::detail {

core::Result<Image> decodePng(std::span<const std::uint8_t> bytes, std::string_view source, const DecodeLimits& limits);
core::Result<Image> decodeJpeg(std::span<const std::uint8_t> bytes, std::string_view source, const DecodeLimits& limits);
core::Result<Image> decodeDicom(std::span<const std::uint8_t> bytes, std::string_view source, const DecodeLimits& limits);

// The text of every page of a PDF (poppler's reading order, UTF-8), for the
// PHI screen: page i of the result is page i + 1 of the document.
core::Result<std::vector<std::string>> pdfPageTexts(std::span<const std::uint8_t> bytes, std::string_view source,
                                                    const DecodeLimits& limits);

// "<source>: <what>"
core::Error fault(std::string_view source, std::string_view what);
// Checks width/height/frames/bytes-per-pixel against limits before the
// pixel buffer is allocated; the error names the source and the limit.
core::Status checkDimensions(std::string_view source, const DecodeLimits& limits, std::uint64_t width,
                             std::uint64_t height, std::uint64_t frames, std::uint64_t bytesPerPixel);
core::Status checkInputSize(std::string_view source, const DecodeLimits& limits, std::size_t bytes);

} // namespace caseroom::media::detail
