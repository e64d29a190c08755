// Pure structural check of a DICOM Part 10 file, run before GDCM sees the
// bytes: Debian's GDCM is built with assert() on, and some malformed inputs
// (a truncated file meta group, for one) trip an assert instead of an
// error. This walks every element header, item and delimiter and refuses
// any length that runs past the end, so the library only parses files
// whose framing is sound, and checks the Image Pixel module values GDCM
// asserts on. GDCM then reads a rebuilt file holding only the elements that
// decoding needs (`minimal`); the window, rescale and VOI LUT presence are
// read here from the original.
#pragma once
#include "core/result.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace caseroom::media {

struct DicomFraming {
    std::string transferSyntaxUid;           // (0002,0010), trailing NUL/space trimmed
    std::optional<double> windowCentre;      // first value of (0028,1050)
    std::optional<double> windowWidth;       // first value of (0028,1051)
    std::optional<double> rescaleIntercept;  // (0028,1052)
    std::optional<double> rescaleSlope;      // (0028,1053)
    bool hasVoiLut = false;                  // (0028,3010) present
    std::vector<std::uint8_t> minimal;       // what GDCM reads
};

// bytes: the whole file (128-byte preamble, "DICM", meta group, data set).
core::Result<DicomFraming> checkDicomFraming(std::span<const std::uint8_t> bytes, std::string_view source);

} // namespace caseroom::media
