// media: decoded images and the one decode entry point (DESIGN.md, media).
// Pure header: no library types leak out. The format is picked from the
// bytes (magic numbers), never from the file name. Every failure is a
// core::Error whose message names the source and the fault; no exception
// escapes any function declared here.
#pragma once
#include "core/result.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace caseroom::media {

enum class Format : std::uint8_t { Png, Jpeg, Pdf, Dicom, Count };
const char* toString(Format f);

// DICOM PS3.3 C.7.6.3.1.2. Png/Jpeg/Pdf decode to Monochrome2 or Rgb.
enum class Photometric : std::uint8_t { Monochrome1, Monochrome2, Rgb, Count };
const char* toString(Photometric p);

struct Window {
    double centre = 0.0;
    double width = 1.0;
    friend bool operator==(const Window&, const Window&) = default;
};

// Hostile-file limits. Each is checked before the allocation it bounds.
struct DecodeLimits {
    std::uint64_t maxBytes = 512ull << 20;          // encoded input
    std::uint64_t maxPixelsPerFrame = 64ull << 20;  // width * height
    std::uint32_t maxFrames = 4096;
    std::uint64_t maxTotalPixelBytes = 1ull << 30;  // decoded pixel data
};

struct Image {
    Format format = Format::Png;
    std::uint32_t width = 0;
    std::uint32_t height = 0;
    std::uint32_t frames = 1;
    std::uint8_t bits = 8;             // bits allocated per sample: 8 or 16
    std::uint8_t bitsStored = 8;       // significant low bits (DICOM), <= bits
    std::uint8_t samplesPerPixel = 1;  // 1 grey, 3 RGB (interleaved)
    bool isSigned = false;             // two's complement samples
    Photometric photometric = Photometric::Monochrome2;
    double rescaleSlope = 1.0;         // modality LUT: value = raw * slope + intercept
    double rescaleIntercept = 0.0;
    std::optional<Window> window;      // the file's first Window Center/Width
    // True when the file carries a VOI LUT Sequence (0028,3010). It is NOT
    // applied: the linear window above (or the viewer's) is used instead.
    bool hasVoiLut = false;
    // Frame-major, then row-major, samples interleaved. 16-bit samples are
    // two bytes each in host byte order. size() == frameBytes() * frames.
    std::vector<std::uint8_t> pixels;

    std::size_t frameBytes() const {
        return std::size_t{width} * height * samplesPerPixel * (bits / 8u);
    }
    // Raw stored sample (before rescale), sign-extended from bitsStored.
    std::int32_t sample(std::uint32_t frame, std::uint32_t x, std::uint32_t y,
                        std::uint32_t s = 0) const;
};

// Format from the magic bytes: PNG signature, JPEG SOI FF D8 FF, "%PDF-",
// DICOM "DICM" at offset 128. nullopt when none matches.
std::optional<Format> sniffFormat(std::span<const std::uint8_t> bytes);

// PNG or JPEG only (caseroom_raster: what the server and clients link, so
// that bytes from the network never reach GDCM or poppler). Any other format
// is an error naming the source and saying the format is not allowed here.
core::Result<Image> decodeRaster(std::span<const std::uint8_t> bytes, std::string_view source,
                                 const DecodeLimits& limits = {});

// The functions below are in caseroom_media (the import side: caseroom-deck,
// tests, fuzzers), which links GDCM and poppler.
// Decodes a PNG, JPEG, DICOM or PDF (page 0 at kDefaultPdfWidthPx).
core::Result<Image> decodeImage(std::span<const std::uint8_t> bytes, std::string_view source,
                                const DecodeLimits& limits = {});
core::Result<Image> decodeFile(const std::filesystem::path& path, const DecodeLimits& limits = {});
// A whole file, its size checked against limits.maxBytes before reading; the
// error names the file (not a regular file, unreadable, too large).
core::Result<std::vector<std::uint8_t>> readFileBounded(const std::filesystem::path& path, const DecodeLimits& limits = {});

inline constexpr std::uint32_t kDefaultPdfWidthPx = 1024;
inline constexpr std::uint32_t kMaxPdfWidthPx = 16384;
core::Result<std::uint32_t> pdfPageCount(std::span<const std::uint8_t> bytes, std::string_view source,
                                         const DecodeLimits& limits = {});
// The document metadata a PDF carries: the keys of its Info dictionary
// (never their values: they may identify) and the size of its XMP stream
// (0 when none). Rasterised pages carry none of it.
struct PdfMetadata {
    std::vector<std::string> infoKeys; // sorted
    std::size_t xmpBytes = 0;
};
core::Result<PdfMetadata> pdfMetadata(std::span<const std::uint8_t> bytes, std::string_view source,
                                      const DecodeLimits& limits = {});
// Renders one page (0-based) as 8-bit RGB, targetWidthPx wide, height from
// the page's aspect ratio, on white paper.
core::Result<Image> rasterisePdfPage(std::span<const std::uint8_t> bytes, std::string_view source,
                                     std::uint32_t pageIndex, std::uint32_t targetWidthPx,
                                     const DecodeLimits& limits = {});

} // namespace caseroom::media
