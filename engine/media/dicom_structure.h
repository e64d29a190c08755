// Pure structural check of a DICOM Part 10 file, run before GDCM sees the
// bytes: Debian's GDCM is built with assert() on, and some malformed inputs
// (a truncated file meta group, for one) trip an assert instead of an
// error. This walks every element header, item and delimiter and refuses
// any length that runs past the end, so the library only parses files
// whose framing is sound, and checks the Image Pixel module values GDCM
// asserts on. GDCM then reads a rebuilt file holding only the elements that
// decoding needs (`minimal`); the window, rescale and VOI LUT presence are
// read here from the original (the top level, else an enhanced multi-frame
// object's functional groups, PS3.3 C.7.6.16).
#pragma once
#include "core/result.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace caseroom::media {

// One data element as the walk found it (offsets into the file's bytes).
struct DicomElementRef {
    std::uint32_t tag = 0;              // group << 16 | element
    char vr[2] = {0, 0};                // explicit VR files; {0,0} when implicit
    std::uint32_t length = 0;           // 0xffffffff: undefined length
    std::uint8_t depth = 0;             // 0: top level (or file meta); n: inside n sequences
    std::size_t begin = 0, value = 0, end = 0;
    std::uint32_t parent = 0;           // depth > 0: the tag of its top-level sequence
};

struct DicomFraming {
    std::string transferSyntaxUid;           // (0002,0010), trailing NUL/space trimmed
    std::optional<double> windowCentre;      // first value of (0028,1050)
    std::optional<double> windowWidth;       // first value of (0028,1051)
    std::optional<double> rescaleIntercept;  // (0028,1052)
    std::optional<double> rescaleSlope;      // (0028,1053)
    bool hasVoiLut = false;                  // (0028,3010) present
    std::optional<double> frameTimeMs;       // (0018,1063)
    std::optional<double> cineRate;          // (0018,0040)
    std::optional<double> recommendedRate;   // (0008,2144)
    std::vector<std::uint8_t> minimal;       // what GDCM reads
};

// bytes: the whole file (128-byte preamble, "DICM", meta group, data set).
// With `elements`, every element is listed too (file meta, top level and
// nested, post-order), and defined-length sequence items are walked as data
// sets as well (so a malformed one is an error): de-identification sees
// every element. Without it, defined-length items are skipped unread.
core::Result<DicomFraming> checkDicomFraming(std::span<const std::uint8_t> bytes, std::string_view source,
                                             std::vector<DicomElementRef>* elements = nullptr);

} // namespace caseroom::media
