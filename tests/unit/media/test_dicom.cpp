// DICOM through GDCM: files written by gdcm::ImageWriter at test time
// (signed 16-bit CT with rescale and window, MONOCHROME1, multi-frame, RGB),
// re-encoded in-process by GDCM's encoders into the compressed syntaxes, and checked
// pixel for pixel; DCMTK's dcmj2pnm is the independent reference for the
// windowed output.
#include <catch2/catch.hpp>

#include "fixtures.h"
#include "media/image.h"
#include "media/window.h"

#include <cmath>
#include <algorithm>
#include <cstring>
#include <fstream>

using namespace caseroom::media;
using namespace caseroom::media::testkit;

namespace {

// A 64x48 CT-like slice: raw -1024..3071 in a pattern, slope 1, intercept -1024... plus a
// non-trivial slope to catch rescale mistakes.
DicomSpec ctSpec() {
    DicomSpec s;
    s.width = 64;
    s.height = 48;
    s.bits = 16;
    s.isSigned = true;
    s.slope = 2.0;
    s.intercept = -1000.0;
    s.window = Window{40, 400};
    for (std::uint32_t y = 0; y < s.height; ++y)
        for (std::uint32_t x = 0; x < s.width; ++x)
            s.values.push_back(static_cast<std::int32_t>(x * 37 + y * 11) % 1400 - 300); // -300..1099
    return s;
}

// Largest |decoded - written| must be <= tolerance; for lossy syntaxes the
// mean error must also be <= meanTolerance (sharp edges ring, flat areas don't).
void checkPixels(const Image& img, const DicomSpec& s, int tolerance = 0, double meanTolerance = 0.0) {
    REQUIRE(img.width == s.width);
    REQUIRE(img.height == s.height);
    REQUIRE(img.frames == s.frames);
    REQUIRE(img.samplesPerPixel == s.samples);
    int worst = 0;
    double sum = 0;
    std::size_t i = 0;
    for (std::uint32_t f = 0; f < s.frames; ++f)
        for (std::uint32_t y = 0; y < s.height; ++y)
            for (std::uint32_t x = 0; x < s.width; ++x)
                for (std::uint32_t c = 0; c < s.samples; ++c) {
                    const int d = std::abs(img.sample(f, x, y, c) - s.values[i++]);
                    worst = std::max(worst, d);
                    sum += d;
                }
    CHECK(worst <= tolerance);
    if (tolerance > 0) CHECK(sum / static_cast<double>(i) <= meanTolerance);
}

} // namespace

TEST_CASE("DICOM: signed 16-bit CT keeps rescale, window and exact pixels") {
    const DicomSpec s = ctSpec();
    const auto r = decodeImage(makeDicom(s), "ct.dcm");
    REQUIRE(r.ok());
    CHECK(r->format == Format::Dicom);
    CHECK(r->bits == 16);
    CHECK(r->isSigned);
    CHECK(r->photometric == Photometric::Monochrome2);
    CHECK(r->rescaleSlope == 2.0);
    CHECK(r->rescaleIntercept == -1000.0);
    REQUIRE(r->window.has_value());
    CHECK(r->window->centre == 40.0); // the first of two values
    CHECK(r->window->width == 400.0);
    CHECK_FALSE(r->hasVoiLut);
    checkPixels(*r, s);

    // Windowed output at chosen pixels equals the PS3.3 formula.
    const auto grey = renderGrey8(*r, 0);
    REQUIRE(grey.ok());
    for (auto [x, y] : {std::pair{0u, 0u}, {5u, 3u}, {31u, 20u}, {63u, 47u}, {13u, 40u}}) {
        const double hu = s.values[y * s.width + x] * 2.0 - 1000.0;
        const double c = 39.5, w1 = 399.0;
        const double expect = hu <= c - w1 / 2 ? 0.0 : hu > c + w1 / 2 ? 255.0 : ((hu - c) / w1 + 0.5) * 255.0;
        CHECK(int{(*grey)[y * s.width + x]} == static_cast<int>(std::lround(expect)));
    }
}

TEST_CASE("DICOM: MONOCHROME1 is kept as the photometric and inverted on display") {
    DicomSpec s = ctSpec();
    s.photometric = Photometric::Monochrome1;
    const auto r = decodeImage(makeDicom(s), "cr.dcm");
    REQUIRE(r.ok());
    CHECK(r->photometric == Photometric::Monochrome1);
    checkPixels(*r, s);
    DicomSpec s2 = ctSpec();
    const auto m2 = decodeImage(makeDicom(s2), "ct.dcm");
    REQUIRE(m2.ok());
    const auto a = renderGrey8(*r, 0), b = renderGrey8(*m2, 0);
    REQUIRE((a.ok() && b.ok()));
    for (std::size_t i = 0; i < a->size(); ++i) REQUIRE(int{(*a)[i]} == 255 - int{(*b)[i]});
}

TEST_CASE("DICOM: an enhanced multi-frame CT keeps its rescale from the functional groups") {
    // GDCM writes a 3-D CT as Enhanced CT Image Storage, with Rescale
    // Slope/Intercept only inside the Shared Functional Groups Sequence.
    DicomSpec ct;
    ct.width = 8;
    ct.height = 4;
    ct.frames = 3;
    ct.intercept = -1024.0;
    ct.slope = 1.0;
    for (std::uint32_t i = 0; i < ct.width * ct.height * ct.frames; ++i) ct.values.push_back(static_cast<std::int32_t>(i * 40));
    const auto r = decodeImage(makeDicom(ct), "enhanced.dcm");
    REQUIRE(r.ok());
    CHECK(r->frames == 3);
    CHECK(r->rescaleIntercept == -1024.0);
    CHECK(r->rescaleSlope == 1.0);
    checkPixels(*r, ct);
}

TEST_CASE("DICOM: multi-frame 8-bit and RGB") {
    DicomSpec cine;
    cine.width = 16;
    cine.height = 8;
    cine.frames = 5;
    cine.bits = 8;
    cine.isSigned = false;
    cine.sopClassUid = "1.2.840.10008.5.1.4.1.1.7.2"; // Multi-frame Grayscale Byte SC
    for (std::uint32_t i = 0; i < cine.width * cine.height * cine.frames; ++i)
        cine.values.push_back(static_cast<std::int32_t>((i * 7) % 256));
    const auto r = decodeImage(makeDicom(cine), "cine.dcm");
    REQUIRE(r.ok());
    CHECK(r->frames == 5);
    CHECK(r->bits == 8);
    checkPixels(*r, cine);

    DicomSpec rgb;
    rgb.width = 10;
    rgb.height = 6;
    rgb.bits = 8;
    rgb.samples = 3;
    rgb.isSigned = false;
    rgb.photometric = Photometric::Rgb;
    rgb.sopClassUid = "1.2.840.10008.5.1.4.1.1.7"; // Secondary Capture
    for (std::uint32_t i = 0; i < rgb.width * rgb.height * 3; ++i)
        rgb.values.push_back(static_cast<std::int32_t>((i * 13) % 256));
    const auto c = decodeImage(makeDicom(rgb), "rgb.dcm");
    REQUIRE(c.ok());
    CHECK(c->photometric == Photometric::Rgb);
    checkPixels(*c, rgb);
}

TEST_CASE("DICOM: compressed transfer syntaxes (GDCM's encoders) decode; lossless ones exactly") {
    const DicomSpec s = ctSpec();
    const Bytes raw = makeDicom(s);
    for (const char* uid : {"1.2.840.10008.1.2.4.70",   // JPEG lossless SV1
                            "1.2.840.10008.1.2.4.57",   // JPEG lossless
                            "1.2.840.10008.1.2.4.80",   // JPEG-LS lossless
                            "1.2.840.10008.1.2.4.90",   // JPEG 2000 lossless
                            "1.2.840.10008.1.2.5",      // RLE
                            "1.2.840.10008.1.2",        // implicit VR little endian
                            "1.2.840.10008.1.2.2"}) {   // explicit VR big endian
        INFO(uid);
        const Bytes bytes = convertDicom(raw, uid);
        // The converted file really carries the syntax.
        CHECK(std::search(bytes.begin(), bytes.begin() + 300, uid, uid + std::strlen(uid)) != bytes.begin() + 300);
        const auto r = decodeImage(bytes, "ts.dcm");
        REQUIRE(r.ok());
        CHECK(r->rescaleSlope == 2.0);
        CHECK(r->rescaleIntercept == -1000.0);
        checkPixels(*r, s);
    }
    const auto dir = scratchDir("dicom_ts");
    // 8-bit RGB through JPEG baseline (lossy), encoded by DCMTK's dcmcjpeg,
    // which writes YBR_FULL_422 as the standard asks of lossy colour JPEG.
    if (!haveTool("dcmcjpeg")) {
        WARN("dcmcjpeg (dcmtk) not installed: lossy colour JPEG skipped");
    } else {
        DicomSpec rgb;
        rgb.width = 32;
        rgb.height = 16;
        rgb.bits = 8;
        rgb.samples = 3;
        rgb.isSigned = false;
        rgb.photometric = Photometric::Rgb;
        rgb.sopClassUid = "1.2.840.10008.5.1.4.1.1.7";
        for (std::uint32_t y = 0; y < rgb.height; ++y)
            for (std::uint32_t x = 0; x < rgb.width; ++x)
                for (std::uint32_t k = 0; k < 3; ++k)
                    rgb.values.push_back(static_cast<std::int32_t>(x * 4 + y * 4 + k * 30)); // <= 244, no wrap
        writeAll(dir / "rgb.dcm", makeDicom(rgb));
        REQUIRE(run("dcmcjpeg +eb +q 95 " + (dir / "rgb.dcm").string() + " " + (dir / "rgbj.dcm").string() +
                    " >/dev/null 2>&1") == 0);
        const auto j = decodeFile(dir / "rgbj.dcm");
        REQUIRE(j.ok());
        CHECK(j->photometric == Photometric::Rgb);
        checkPixels(*j, rgb, 16, 4.0);
    }
    std::filesystem::remove_all(dir);
}

TEST_CASE("DICOM: dcmj2pnm with the same window is an independent reference") {
    if (!haveTool("dcmj2pnm")) {
        WARN("dcmj2pnm (dcmtk) not installed: skipped");
        return;
    }
    const auto dir = scratchDir("dicom_ref");
    const DicomSpec s = ctSpec();
    writeAll(dir / "ct.dcm", makeDicom(s));
    for (Window w : {Window{40, 400}, Window{300, 1500}, Window{-600, 1501}}) {
        INFO("window " << w.centre << "/" << w.width);
        const auto pgm = dir / "ct.pgm";
        REQUIRE(run("dcmj2pnm +Ww " + std::to_string(w.centre) + " " + std::to_string(w.width) + " " +
                    (dir / "ct.dcm").string() + " " + pgm.string() + " >/dev/null 2>&1") == 0);
        const Bytes ref = readAll(pgm);
        const std::string header = "P5\n64 48\n255\n";
        REQUIRE(ref.size() == header.size() + 64 * 48);
        REQUIRE(std::equal(header.begin(), header.end(), ref.begin()));
        const auto img = decodeFile(dir / "ct.dcm");
        REQUIRE(img.ok());
        const auto ours = renderGrey8(*img, 0, w);
        REQUIRE(ours.ok());
        int worst = 0;
        for (std::size_t i = 0; i < ours->size(); ++i)
            worst = std::max(worst, std::abs(int{(*ours)[i]} - int{ref[header.size() + i]}));
        CHECK(worst <= 1); // rounding differs by at most one level
    }
    std::filesystem::remove_all(dir);
}

TEST_CASE("DICOM: truncated, corrupt, undecodable and oversized files are refused with the file named") {
    const Bytes dcm = makeDicom(ctSpec());
    for (std::size_t cut : {std::size_t{132}, std::size_t{300}, dcm.size() / 2, dcm.size() - 1}) {
        INFO("cut at " << cut);
        const auto r = decodeImage(Bytes(dcm.begin(), dcm.begin() + static_cast<std::ptrdiff_t>(cut)), "cut.dcm");
        REQUIRE_FALSE(r.ok());
        CHECK_THAT(r.error().message, Catch::StartsWith("cut.dcm: "));
    }
    DecodeLimits small;
    small.maxPixelsPerFrame = 64 * 47;
    const auto big = decodeImage(dcm, "big.dcm", small);
    REQUIRE_FALSE(big.ok());
    CHECK_THAT(big.error().message, Catch::Contains("big.dcm") && Catch::Contains("maxPixelsPerFrame"));

    DicomSpec cine;
    cine.width = 4;
    cine.height = 4;
    cine.frames = 9;
    cine.bits = 8;
    cine.isSigned = false;
    cine.sopClassUid = "1.2.840.10008.5.1.4.1.1.7.2";
    cine.values.assign(4 * 4 * 9, 1);
    DecodeLimits frames;
    frames.maxFrames = 8;
    const auto many = decodeImage(makeDicom(cine), "cine.dcm", frames);
    REQUIRE_FALSE(many.ok());
    CHECK_THAT(many.error().message, Catch::Contains("cine.dcm") && Catch::Contains("maxFrames"));

    Bytes j2k = convertDicom(dcm, "1.2.840.10008.1.2.4.90");
    // Destroy the J2K codestream (after the header, inside the pixel fragment).
    const std::uint8_t soc[4] = {0xff, 0x4f, 0xff, 0x51};
    auto at = std::search(j2k.begin(), j2k.end(), soc, soc + 4);
    REQUIRE(at != j2k.end());
    std::fill(at, std::min(at + 200, j2k.end() - 4), std::uint8_t{0x00});
    const auto bad = decodeImage(j2k, "bad_j2k.dcm");
    REQUIRE_FALSE(bad.ok());
    CHECK_THAT(bad.error().message, Catch::StartsWith("bad_j2k.dcm: ") && Catch::Contains("1.2.840.10008.1.2.4.90"));
}

TEST_CASE("DICOM: a transfer syntax GDCM cannot decode is an error naming it") {
    // Encapsulated pixel data declared as MPEG-2 Main Profile
    // (1.2.840.10008.1.2.4.100): GDCM has no MPEG codec. A JPEG 2000 file's
    // meta group is edited in place: the UID value, its length and the
    // group length (0002,0000) at byte 140.
    Bytes dcm = convertDicom(makeDicom(ctSpec()), "1.2.840.10008.1.2.4.90");
    const std::string oldUid("1.2.840.10008.1.2.4.90"), newUid("1.2.840.10008.1.2.4.100\0", 24);
    auto at = std::search(dcm.begin(), dcm.begin() + 400, oldUid.begin(), oldUid.end());
    REQUIRE(at != dcm.begin() + 400);
    const auto lenAt = static_cast<std::size_t>(at - dcm.begin()) - 2;
    REQUIRE(dcm[lenAt] == oldUid.size());
    dcm[lenAt] = static_cast<std::uint8_t>(newUid.size());
    at = dcm.erase(at, at + static_cast<std::ptrdiff_t>(oldUid.size()));
    dcm.insert(at, newUid.begin(), newUid.end());
    std::uint32_t groupLength = 0;
    std::memcpy(&groupLength, dcm.data() + 140, 4);
    groupLength += static_cast<std::uint32_t>(newUid.size() - oldUid.size());
    std::memcpy(dcm.data() + 140, &groupLength, 4);
    const auto r = decodeImage(dcm, "mpeg.dcm");
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message, Catch::StartsWith("mpeg.dcm: "));
    CHECK_THAT(r.error().message, Catch::Contains("1.2.840.10008.1.2.4.100"));
    CHECK_THAT(r.error().message, Catch::Contains("MPEG2"));
    UNSCOPED_INFO(r.error().message);
}

TEST_CASE("DICOM: values GDCM would assert on are refused by the framing check first") {
    const Bytes dcm = makeDicom(ctSpec());
    // Samples per Pixel (0028,0002) US: the value follows its 8-byte header.
    const std::uint8_t spp[] = {0x28, 0x00, 0x02, 0x00, 'U', 'S', 0x02, 0x00};
    auto at = std::search(dcm.begin(), dcm.end(), spp, spp + 8);
    REQUIRE(at != dcm.end());
    Bytes bad = dcm;
    bad[static_cast<std::size_t>(at - dcm.begin()) + 8] = 5;
    const auto r = decodeImage(bad, "spp.dcm");
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message, Catch::StartsWith("spp.dcm: ") && Catch::Contains("(0028,0002) value 5"));

    // RLE with a segment count that does not match 16-bit grey (2 segments).
    Bytes rle = convertDicom(dcm, "1.2.840.10008.1.2.5");
    const std::uint8_t item[] = {0xfe, 0xff, 0x00, 0xe0};
    auto bot = std::search(rle.begin(), rle.end(), item, item + 4);        // Basic Offset Table item
    REQUIRE(bot != rle.end());
    auto frag = std::search(bot + 4, rle.end(), item, item + 4);           // first fragment
    REQUIRE(frag != rle.end());
    const auto header = static_cast<std::size_t>(frag - rle.begin()) + 8;
    REQUIRE(rle[header] == 2);
    rle[header] = 0; // GDCM divides by this count
    const auto z = decodeImage(rle, "rle.dcm");
    REQUIRE_FALSE(z.ok());
    CHECK_THAT(z.error().message, Catch::StartsWith("rle.dcm: ") && Catch::Contains("RLE segment count 0"));

    // A JPEG-LS stream whose frame header disagrees with Rows.
    Bytes jls = convertDicom(dcm, "1.2.840.10008.1.2.4.80");
    const std::uint8_t sof55[] = {0xff, 0xf7};
    auto sof = std::search(jls.begin(), jls.end(), sof55, sof55 + 2);
    REQUIRE(sof != jls.end());
    const auto y = static_cast<std::size_t>(sof - jls.begin()) + 5; // FFF7 Lf(2) P(1) Y(2)
    jls[y + 1] = static_cast<std::uint8_t>(jls[y + 1] + 1);
    const auto l = decodeImage(jls, "jls.dcm");
    REQUIRE_FALSE(l.ok());
    CHECK_THAT(l.error().message, Catch::StartsWith("jls.dcm: ") && Catch::Contains("does not match the data set"));
}
