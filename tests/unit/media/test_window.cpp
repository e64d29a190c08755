// The linear VOI function (DICOM PS3.3 C.11.2.1.2.1) against values worked
// by hand from the standard's formula, and the display order: rescale,
// then window, then MONOCHROME1 inversion.
#include <catch2/catch.hpp>

#include "media/window.h"

#include <cstring>

using namespace caseroom::media;

TEST_CASE("applyWindow follows PS3.3 C.11.2.1.2.1 (c=40, w=400)") {
    // c - 0.5 - (w-1)/2 = 39.5 - 199.5 = -160; c - 0.5 + (w-1)/2 = 239.
    CHECK(applyWindow(-1000, 40, 400) == 0.0);
    CHECK(applyWindow(-160, 40, 400) == 0.0);                        // boundary is ymin (x <= ...)
    CHECK(applyWindow(-159, 40, 400) == Approx(0.6390977).epsilon(1e-6)); // ((-159-39.5)/399+0.5)*255
    CHECK(applyWindow(40, 40, 400) == Approx(127.8195489).epsilon(1e-6)); // (0.5/399+0.5)*255
    CHECK(applyWindow(100, 40, 400) == Approx(166.1654135).epsilon(1e-6)); // (60.5/399+0.5)*255
    CHECK(applyWindow(239, 40, 400) == Approx(255.0));                    // (199.5/399+0.5)*255
    CHECK(applyWindow(239.5, 40, 400) == 255.0);                          // x > 239
    CHECK(applyWindow(3000, 40, 400) == 255.0);
}

TEST_CASE("applyWindow: other output range and width 1 (a threshold)") {
    // c=0, w=2: bounds -1 and 0; x=-0.5 -> ((-0.5+0.5)/1+0.5)*(ymax-ymin)+ymin = 0.5*100-50 = 0
    CHECK(applyWindow(-0.5, 0, 2, -50, 50) == Approx(0.0).margin(1e-12));
    CHECK(applyWindow(-1, 0, 2, -50, 50) == -50.0);
    CHECK(applyWindow(0, 0, 2, -50, 50) == Approx(50.0));
    // w = 1: x <= c - 0.5 -> ymin, else ymax; never divides by zero.
    CHECK(applyWindow(9.5, 10, 1) == 0.0);
    CHECK(applyWindow(9.51, 10, 1) == 255.0);
    CHECK(applyWindow(9.51, 10, 0.25) == 255.0); // width < 1 treated as 1
}

namespace {

Image ctImage(Photometric photometric) {
    Image img;
    img.format = Format::Dicom;
    img.width = 6;
    img.height = 1;
    img.bits = 16;
    img.bitsStored = 16;
    img.isSigned = true;
    img.photometric = photometric;
    img.rescaleSlope = 2.0;
    img.rescaleIntercept = -1000.0;
    img.window = Window{40, 400};
    const std::int16_t raw[6] = {-100, 0, 500, 520, 700, 2000}; // HU -1200 -1000 0 40 400 3000
    img.pixels.resize(sizeof raw);
    std::memcpy(img.pixels.data(), raw, sizeof raw);
    return img;
}

} // namespace

TEST_CASE("renderGrey8: rescale, then window, then MONOCHROME1 inversion") {
    const Image img = ctImage(Photometric::Monochrome2);
    REQUIRE(img.sample(0, 0, 0) == -100);
    const auto out = renderGrey8(img, 0);
    REQUIRE(out.ok());
    // HU 0 -> ((0-39.5)/399+0.5)*255 = 102.255 -> 102; HU 40 -> 127.82 -> 128.
    CHECK(*out == std::vector<std::uint8_t>{0, 0, 102, 128, 255, 255});

    const auto inverted = renderGrey8(ctImage(Photometric::Monochrome1), 0);
    REQUIRE(inverted.ok());
    CHECK(*inverted == std::vector<std::uint8_t>{255, 255, 153, 127, 0, 0});

    // An explicit window overrides the file's: c=0 w=2001 over HU 0 -> ((0+0.5)/2000+0.5)*255 = 127.56 -> 128.
    const auto custom = renderGrey8(img, 0, Window{0, 2001});
    REQUIRE(custom.ok());
    CHECK((*custom)[2] == 128);
    CHECK((*custom)[0] == 0);   // -1200 <= -1000.5
    CHECK((*custom)[5] == 255);
}

TEST_CASE("renderGrey8 refuses RGB and frames out of range") {
    Image rgb;
    rgb.width = 1;
    rgb.height = 1;
    rgb.samplesPerPixel = 3;
    rgb.photometric = Photometric::Rgb;
    rgb.pixels = {1, 2, 3};
    CHECK_FALSE(renderGrey8(rgb, 0).ok());
    const auto bad = renderGrey8(ctImage(Photometric::Monochrome2), 1);
    REQUIRE_FALSE(bad.ok());
    CHECK_THAT(bad.error().message, Catch::Contains("frame 1 out of range"));
}

TEST_CASE("Image::sample sign-extends from Bits Stored") {
    Image img;
    img.width = 2;
    img.height = 1;
    img.bits = 16;
    img.bitsStored = 12;
    img.isSigned = true;
    const std::uint16_t raw[2] = {0x0fff, 0xf7ff}; // 12-bit -1; high bits are not part of the value
    img.pixels.resize(4);
    std::memcpy(img.pixels.data(), raw, 4);
    CHECK(img.sample(0, 0, 0) == -1);
    CHECK(img.sample(0, 1, 0) == 2047);
}
