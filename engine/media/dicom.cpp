// DICOM adapter (GDCM). Grey 8/16-bit (signed or not), RGB, multi-frame,
// every transfer syntax GDCM's codecs decode. Modality rescale and the
// first Window Center/Width are carried, not applied; MONOCHROME1 is kept
// as the photometric so the display inverts it. A syntax GDCM cannot
// decode is an error naming its UID and name. GDCM may throw: nothing escapes.
#include <cmath>
#include "media/decoders.h"
#include "media/dicom_structure.h"

#include <gdcmImage.h>
#include <gdcmImageReader.h>
#include <gdcmTrace.h>
#include <gdcmTransferSyntax.h>
#include <gdcmUIDs.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <sstream>

namespace caseroom::media::detail {
namespace {

std::string describeSyntax(const std::string& uid) {
    std::string out = "transfer syntax " + uid;
    gdcm::UIDs names;
    if (names.SetFromUID(uid.c_str()) && names.GetName()) out.append(" (").append(names.GetName()).append(")");
    return out;
}

core::Result<Image> decodeDicomImpl(std::span<const std::uint8_t> bytes, std::string_view source,
                                    const DecodeLimits& limits) {
    // GDCM logs warnings and errors to stderr; the caller gets ours instead.
    static std::once_flag quiet;
    std::call_once(quiet, [] {
        gdcm::Trace::WarningOff();
        gdcm::Trace::ErrorOff();
        gdcm::Trace::DebugOff();
    });
    // Framing first: GDCM asserts on some malformed files (dicom_structure.h).
    auto framing = checkDicomFraming(bytes, source);
    if (!framing) return framing.error();
    std::istringstream stream(std::string(reinterpret_cast<const char*>(framing->minimal.data()), framing->minimal.size()));
    gdcm::ImageReader reader;
    reader.SetStream(stream);
    if (!reader.Read())
        return fault(source, "DICOM: not a readable image (GDCM could not parse the file or it has no pixel data; " +
                                 describeSyntax(framing->transferSyntaxUid) + ")");
    const gdcm::Image& g = reader.GetImage();
    const gdcm::TransferSyntax ts = g.GetTransferSyntax();
    const gdcm::PixelFormat pf = g.GetPixelFormat();
    const unsigned dims = g.GetNumberOfDimensions();
    if (dims < 2 || dims > 3) return fault(source, "DICOM: " + std::to_string(dims) + "-dimensional pixel data");
    const std::uint64_t width = g.GetDimension(0), height = g.GetDimension(1);
    const std::uint64_t frames = dims == 3 ? g.GetDimension(2) : 1;
    const unsigned bitsAllocated = pf.GetBitsAllocated();
    const unsigned samples = pf.GetSamplesPerPixel();
    if (bitsAllocated != 8 && bitsAllocated != 16)
        return fault(source, "DICOM: Bits Allocated " + std::to_string(bitsAllocated) + " not supported (8 or 16)");
    if (samples != 1 && samples != 3)
        return fault(source, "DICOM: Samples per Pixel " + std::to_string(samples) + " not supported (1 or 3)");
    const unsigned bitsStored = pf.GetBitsStored();
    if (bitsStored == 0 || bitsStored > bitsAllocated)
        return fault(source, "DICOM: Bits Stored " + std::to_string(bitsStored) + " invalid for Bits Allocated " +
                                 std::to_string(bitsAllocated));

    Image img;
    img.format = Format::Dicom;
    img.bits = static_cast<std::uint8_t>(bitsAllocated);
    img.bitsStored = static_cast<std::uint8_t>(bitsStored);
    img.samplesPerPixel = static_cast<std::uint8_t>(samples);
    img.isSigned = pf.GetPixelRepresentation() == 1;

    using PI = gdcm::PhotometricInterpretation;
    const PI::PIType pi = g.GetPhotometricInterpretation().GetType();
    bool convertYbr = false;
    switch (pi) {
    case PI::MONOCHROME1: img.photometric = Photometric::Monochrome1; break;
    case PI::MONOCHROME2: img.photometric = Photometric::Monochrome2; break;
    case PI::RGB: img.photometric = Photometric::Rgb; break;
    // JPEG 2000's colour transforms are undone by the codec.
    case PI::YBR_ICT:
    case PI::YBR_RCT: img.photometric = Photometric::Rgb; break;
    case PI::YBR_FULL:
    case PI::YBR_FULL_422:
        img.photometric = Photometric::Rgb;
        // GDCM hands JPEG-decoded YBR back as YBR (upsampled to full
        // resolution); we convert. Raw YBR_FULL_422 is subsampled: refused.
        convertYbr = true;
        if (pi == PI::YBR_FULL_422 && !ts.IsEncapsulated())
            return fault(source, "DICOM: uncompressed YBR_FULL_422 is not supported");
        break;
    default:
        return fault(source, std::string("DICOM: photometric interpretation ") +
                                 (PI::GetPIString(pi) ? PI::GetPIString(pi) : "?") + " not supported");
    }
    if ((img.photometric == Photometric::Rgb) != (samples == 3))
        return fault(source, "DICOM: photometric interpretation does not match Samples per Pixel");
    if (img.photometric == Photometric::Rgb && bitsAllocated != 8)
        return fault(source, "DICOM: 16-bit colour is not supported");

    if (auto st = checkDimensions(source, limits, width, height, frames, std::uint64_t{samples} * (bitsAllocated / 8)); !st)
        return st.error();
    img.width = static_cast<std::uint32_t>(width);
    img.height = static_cast<std::uint32_t>(height);
    img.frames = static_cast<std::uint32_t>(frames);
    const std::size_t expected = img.frameBytes() * img.frames;
    const unsigned long length = g.GetBufferLength();
    if (length < expected)
        return fault(source, "DICOM: pixel data length " + std::to_string(length) + " is shorter than " +
                                 std::to_string(expected) + " bytes for its dimensions");
    std::vector<std::uint8_t> buffer(length);
    if (!g.GetBuffer(reinterpret_cast<char*>(buffer.data())))
        return fault(source, "DICOM: cannot decode pixel data in " + describeSyntax(framing->transferSyntaxUid) +
                                 " (unsupported or corrupt compressed data)");
    buffer.resize(expected);

    if (img.samplesPerPixel == 3 && g.GetPlanarConfiguration() == 1) {
        // Planes RRR..GGG..BBB.. per frame -> interleaved RGB.
        img.pixels.resize(expected);
        const std::size_t n = std::size_t{img.width} * img.height;
        for (std::uint32_t f = 0; f < img.frames; ++f) {
            const std::uint8_t* src = buffer.data() + f * n * 3;
            std::uint8_t* dst = img.pixels.data() + f * n * 3;
            for (std::size_t i = 0; i < n; ++i)
                for (std::size_t s = 0; s < 3; ++s) dst[i * 3 + s] = src[s * n + i];
        }
    } else {
        img.pixels = std::move(buffer);
    }
    if (convertYbr) {
        // PS3.3 C.7.6.3.1.2, YBR_FULL to RGB.
        for (std::size_t i = 0; i + 2 < img.pixels.size(); i += 3) {
            const double y = img.pixels[i], cb = img.pixels[i + 1] - 128.0, cr = img.pixels[i + 2] - 128.0;
            auto c = [](double v) { return static_cast<std::uint8_t>(std::clamp(std::lround(v), 0L, 255L)); };
            img.pixels[i] = c(y + 1.402 * cr);
            img.pixels[i + 1] = c(y - 0.344136 * cb - 0.714136 * cr);
            img.pixels[i + 2] = c(y + 1.772 * cb);
        }
    }

    // From the top level, or an enhanced object's functional groups (dicom_structure.h).
    img.rescaleSlope = framing->rescaleSlope.value_or(1.0);
    img.rescaleIntercept = framing->rescaleIntercept.value_or(0.0);
    if (!std::isfinite(img.rescaleSlope) || !std::isfinite(img.rescaleIntercept))
        return fault(source, "DICOM: rescale slope or intercept is not a finite number");
    if (img.rescaleSlope == 0.0) img.rescaleSlope = 1.0;
    if (framing->windowCentre && framing->windowWidth && *framing->windowWidth >= 1.0)
        img.window = Window{*framing->windowCentre, *framing->windowWidth};
    img.hasVoiLut = framing->hasVoiLut;
    return img;
}

} // namespace

core::Result<Image> decodeDicom(std::span<const std::uint8_t> bytes, std::string_view source,
                                const DecodeLimits& limits) {
    try {
        return decodeDicomImpl(bytes, source, limits);
    } catch (const std::exception& e) {
        return fault(source, std::string("DICOM: ") + e.what());
    } catch (...) {
        return fault(source, "DICOM: unknown failure in GDCM");
    }
}

} // namespace caseroom::media::detail
