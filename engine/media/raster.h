// Deck frames as bytes (caseroom_raster): the PNG writer for DICOM frames and
// PDF pages, and the byte-level metadata strippers for photos. Library-free
// header (libspng stays in png_write.cpp; the strippers use no library).
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace caseroom::media {

// One PNG (no ancillary chunks) of width x height pixels: samples 1 (grey)
// with bits 8 or 16, or samples 3 (RGB) with bits 8. 16-bit samples are
// host order in `pixels`, two bytes each; pixels.size() must be exactly
// width * height * samples * bits / 8. Errors name the fault.
core::Result<std::vector<std::uint8_t>> encodePng(std::uint32_t width, std::uint32_t height, unsigned samples,
                                                  unsigned bits, std::span<const std::uint8_t> pixels);

// One thing a stripper removed: a PNG chunk type ("tEXt") or JPEG segment
// ("APP1 Exif", "COM"), and its size in bytes including its framing.
struct RemovedPart {
    std::string name;
    std::uint64_t bytes = 0;
};
struct Stripped {
    std::vector<std::uint8_t> bytes;   // the file without its metadata
    std::vector<RemovedPart> removed;  // in file order
};

// PNG: keeps IHDR, PLTE, IDAT, IEND (critical), tRNS (transparency is
// pixels), and gAMA, cHRM, sRGB (fixed-size numbers, no text, colour
// meaning); drops every other ancillary chunk (tEXt, zTXt, iTXt, eXIf, tIME,
// pHYs, iCCP (a free-text profile name and profile text tags; nothing here
// colour-manages), sBIT, bKGD, hIST, sPLT, private chunks) and any bytes
// after IEND. Chunk bytes are copied, never re-encoded, so the pixels are
// untouched. An unknown critical chunk, a chunk running past the end, a
// missing IHDR or IEND are errors naming the source.
core::Result<Stripped> stripPngMetadata(std::span<const std::uint8_t> bytes, std::string_view source);

// JPEG: keeps SOI, the frame, table and scan segments and their entropy-coded
// data, APP0 JFIF (with any embedded thumbnail removed: a thumbnail can show
// what an edit cut out) and APP14 Adobe (colour transform needed to decode);
// drops APP0 other than JFIF, APP1..APP13, APP15 (EXIF, XMP, ICC, IPTC,
// maker notes), COM and any bytes after EOI. Byte-level: the scans are
// copied unchanged. Malformed framing is an error naming the source.
core::Result<Stripped> stripJpegMetadata(std::span<const std::uint8_t> bytes, std::string_view source);

// By signature: PNG or JPEG; anything else is an error.
core::Result<Stripped> stripPhotoMetadata(std::span<const std::uint8_t> bytes, std::string_view source);

} // namespace caseroom::media
