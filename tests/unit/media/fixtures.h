// Test fixtures made at run time with each format's own library writer
// (libspng, TurboJPEG, GDCM) or by hand (a minimal PDF as text). Shared by
// the unit tests and the fuzz seed writer; nothing binary is committed.
#pragma once
#include "media/image.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace caseroom::media::testkit {

using Bytes = std::vector<std::uint8_t>;

// PNG of the given samples (1 grey or 3 RGB; bits 8 or 16, 16-bit samples
// host-order in `pixels`, two bytes each).
Bytes makePng(std::uint32_t width, std::uint32_t height, unsigned samples, unsigned bits, const Bytes& pixels);
// Baseline JPEG (quality 0..100) of 8-bit grey or RGB samples.
Bytes makeJpeg(std::uint32_t width, std::uint32_t height, unsigned samples, const Bytes& pixels, int quality);

// One filled rectangle per page, in points from the lower-left corner.
struct PdfPage {
    double widthPt = 200, heightPt = 100;
    double x = 0, y = 0, w = 100, h = 100; // rectangle
    double r = 1, g = 0, b = 0;            // its colour, 0..1
};
// A hand-written PDF 1.4 with a correct cross-reference table; with
// infoTitle, an Info dictionary with /Title and /Author (both infoTitle).
Bytes makePdf(const std::vector<PdfPage>& pages, const std::string& infoTitle = {});
// The same with a line of Helvetica text on page i (texts[i]: ASCII, no
// parentheses or backslashes; empty: none).
Bytes makePdfWithText(const std::vector<PdfPage>& pages, const std::vector<std::string>& texts);

struct DicomSpec {
    std::uint32_t width = 4, height = 4, frames = 1;
    unsigned bits = 16;        // allocated = stored
    unsigned samples = 1;
    bool isSigned = true;
    Photometric photometric = Photometric::Monochrome2;
    double slope = 1.0, intercept = 0.0;
    std::optional<Window> window;
    std::string sopClassUid = "1.2.840.10008.5.1.4.1.1.2"; // CT Image Storage
    std::string sopInstanceUid;       // empty: a fresh one (seeds pass a fixed UID)
    std::vector<std::int32_t> values; // width*height*frames*samples raw stored values
    std::string modality = "CT";
    struct Extra {
        std::uint16_t group = 0, element = 0;
        std::string vr;    // two letters
        std::string value;
    };
    std::vector<Extra> extra;          // more attributes (replace any the writer sets)
};
// Explicit VR Little Endian file written by gdcm::ImageWriter.
Bytes makeDicom(const DicomSpec& spec);
// The same file re-encoded in-process by gdcm::ImageChangeTransferSyntax
// (GDCM's own encoders, lossless) into transferSyntaxUid. Throws when GDCM
// cannot encode it.
Bytes convertDicom(const Bytes& dicom, const std::string& transferSyntaxUid);

// Inserts an ancillary chunk (type, data) with a correct CRC right after IHDR.
Bytes insertPngChunk(const Bytes& png, const std::string& type, const std::string& data);
// Inserts a marker segment (0xFF, code, length, payload) right after SOI.
Bytes insertJpegSegment(const Bytes& jpeg, std::uint8_t code, const std::string& payload);

Bytes readAll(const std::filesystem::path& path);
void writeAll(const std::filesystem::path& path, const Bytes& bytes);
// A fresh empty directory under the system temp dir, named after `tag`.
std::filesystem::path scratchDir(const std::string& tag);
// True when `tool` is on PATH.
bool haveTool(const std::string& tool);
// Runs a shell command; returns its exit status.
int run(const std::string& command);

} // namespace caseroom::media::testkit
