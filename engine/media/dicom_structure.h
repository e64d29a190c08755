// Pure structural check of a DICOM Part 10 file, run before GDCM sees the
// bytes: Debian's GDCM is built with assert() on, and some malformed inputs
// (a truncated file meta group, for one) trip an assert instead of an
// error. This walks every element header, item and delimiter and refuses
// any length that runs past the end, so the library only parses files
// whose framing is sound. It does not interpret values.
#pragma once
#include "core/result.h"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace caseroom::media {

struct DicomFraming {
    std::string transferSyntaxUid; // (0002,0010), trailing NUL/space trimmed
};

// bytes: the whole file (128-byte preamble, "DICM", meta group, data set).
core::Result<DicomFraming> checkDicomFraming(std::span<const std::uint8_t> bytes, std::string_view source);

} // namespace caseroom::media
