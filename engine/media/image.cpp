// Format sniffing, limit checks and decodeRaster (caseroom_raster; the
// libraries live in png.cpp and jpeg.cpp). decodeImage is in decode.cpp.
#include "media/image.h"
#include "media/decoders.h"

#include <array>
#include <cstring>
#include <fstream>

namespace caseroom::media {

const char* toString(Format f) {
    switch (f) {
    case Format::Png: return "PNG";
    case Format::Jpeg: return "JPEG";
    case Format::Pdf: return "PDF";
    case Format::Dicom: return "DICOM";
    case Format::Count: break;
    }
    return "?";
}

const char* toString(Photometric p) {
    switch (p) {
    case Photometric::Monochrome1: return "MONOCHROME1";
    case Photometric::Monochrome2: return "MONOCHROME2";
    case Photometric::Rgb: return "RGB";
    case Photometric::Count: break;
    }
    return "?";
}

std::int32_t Image::sample(std::uint32_t frame, std::uint32_t x, std::uint32_t y, std::uint32_t s) const {
    const std::size_t index =
        ((std::size_t{frame} * height + y) * width + x) * samplesPerPixel + s;
    std::uint32_t raw = 0;
    if (bits == 16) {
        std::uint16_t v = 0;
        std::memcpy(&v, pixels.data() + index * 2, 2);
        raw = v;
    } else {
        raw = pixels[index];
    }
    const unsigned stored = (bitsStored == 0 || bitsStored > bits) ? bits : bitsStored;
    const std::uint32_t mask = (stored >= 32) ? 0xffffffffu : ((1u << stored) - 1u);
    raw &= mask;
    if (isSigned && (raw & (1u << (stored - 1u))) != 0)
        return static_cast<std::int32_t>(raw) - static_cast<std::int32_t>(1u << stored);
    return static_cast<std::int32_t>(raw);
}

std::optional<Format> sniffFormat(std::span<const std::uint8_t> b) {
    static constexpr std::array<std::uint8_t, 8> png{0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a};
    if (b.size() >= png.size() && std::memcmp(b.data(), png.data(), png.size()) == 0) return Format::Png;
    if (b.size() >= 3 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff) return Format::Jpeg;
    if (b.size() >= 5 && std::memcmp(b.data(), "%PDF-", 5) == 0) return Format::Pdf;
    if (b.size() >= 132 && std::memcmp(b.data() + 128, "DICM", 4) == 0) return Format::Dicom;
    return std::nullopt;
}

namespace detail {

core::Error fault(std::string_view source, std::string_view what) {
    std::string m;
    m.reserve(source.size() + what.size() + 2);
    m.append(source).append(": ").append(what);
    return core::Error{std::move(m)};
}

core::Status checkInputSize(std::string_view source, const DecodeLimits& limits, std::size_t bytes) {
    if (bytes > limits.maxBytes)
        return fault(source, std::to_string(bytes) + " bytes exceeds the limit of " +
                                 std::to_string(limits.maxBytes) + " bytes (maxBytes)");
    return {};
}

core::Status checkDimensions(std::string_view source, const DecodeLimits& limits, std::uint64_t width,
                             std::uint64_t height, std::uint64_t frames, std::uint64_t bytesPerPixel) {
    if (width == 0 || height == 0 || frames == 0)
        return fault(source, "empty image (" + std::to_string(width) + "x" + std::to_string(height) + ", " +
                                 std::to_string(frames) + " frames)");
    // width, height < 2^32 each, so the product fits in 64 bits.
    const std::uint64_t pixels = width * height;
    if (pixels > limits.maxPixelsPerFrame)
        return fault(source, std::to_string(width) + "x" + std::to_string(height) + " = " +
                                 std::to_string(pixels) + " pixels per frame exceeds the limit of " +
                                 std::to_string(limits.maxPixelsPerFrame) + " (maxPixelsPerFrame)");
    if (frames > limits.maxFrames)
        return fault(source, std::to_string(frames) + " frames exceeds the limit of " +
                                 std::to_string(limits.maxFrames) + " (maxFrames)");
    // pixels <= maxPixelsPerFrame; guard the multiplication anyway.
    const std::uint64_t perFrame = pixels * bytesPerPixel;
    if (frames != 0 && perFrame > limits.maxTotalPixelBytes / frames)
        return fault(source, std::to_string(frames) + " frames of " + std::to_string(perFrame) +
                                 " bytes exceed the limit of " + std::to_string(limits.maxTotalPixelBytes) +
                                 " decoded bytes (maxTotalPixelBytes)");
    return {};
}

} // namespace detail

core::Result<Image> decodeRaster(std::span<const std::uint8_t> bytes, std::string_view source,
                                 const DecodeLimits& limits) {
    if (auto st = detail::checkInputSize(source, limits, bytes.size()); !st) return st.error();
    const auto format = sniffFormat(bytes);
    if (format == Format::Png) return detail::decodePng(bytes, source, limits);
    if (format == Format::Jpeg) return detail::decodeJpeg(bytes, source, limits);
    if (!format) return detail::fault(source, "not a PNG or JPEG file (no PNG or JPEG signature)");
    return detail::fault(source, std::string(toString(*format)) +
                                     " is not allowed here: deck frames are PNG or JPEG only");
}

} // namespace caseroom::media
