// PNG (libspng) and JPEG (libjpeg-turbo) decoding: fixtures written by the
// libraries' own encoders at test time; truncated, corrupt and oversized
// inputs are refused with the source named.
#include <catch2/catch.hpp>

#include "fixtures.h"
#include "media/image.h"

#include <cstring>

using namespace caseroom::media;
using namespace caseroom::media::testkit;

namespace {

Bytes gradient(std::uint32_t w, std::uint32_t h, unsigned samples) {
    Bytes px(std::size_t{w} * h * samples);
    for (std::uint32_t y = 0; y < h; ++y)
        for (std::uint32_t x = 0; x < w; ++x)
            for (unsigned s = 0; s < samples; ++s)
                px[(std::size_t{y} * w + x) * samples + s] = static_cast<std::uint8_t>((x * 4 + y * 2 + s * 60) & 0xff);
    return px;
}

void requireRefused(const Bytes& bytes, const std::string& source, const std::string& fault = "") {
    const auto r = decodeImage(bytes, source);
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message, Catch::StartsWith(source + ": "));
    if (!fault.empty()) CHECK_THAT(r.error().message, Catch::Contains(fault));
}

} // namespace

TEST_CASE("PNG: 8-bit grey, 8-bit RGB and 16-bit grey decode exactly") {
    const Bytes grey = gradient(33, 17, 1);
    auto a = decodeImage(makePng(33, 17, 1, 8, grey), "grey.png");
    REQUIRE(a.ok());
    CHECK(a->format == Format::Png);
    CHECK(a->width == 33);
    CHECK(a->height == 17);
    CHECK(a->bits == 8);
    CHECK(a->samplesPerPixel == 1);
    CHECK(a->photometric == Photometric::Monochrome2);
    CHECK(a->pixels == grey);

    const Bytes rgb = gradient(20, 9, 3);
    auto b = decodeImage(makePng(20, 9, 3, 8, rgb), "rgb.png");
    REQUIRE(b.ok());
    CHECK(b->photometric == Photometric::Rgb);
    CHECK(b->samplesPerPixel == 3);
    CHECK(b->pixels == rgb);

    std::vector<std::uint16_t> deep(12 * 5);
    for (std::size_t i = 0; i < deep.size(); ++i) deep[i] = static_cast<std::uint16_t>(i * 1000 + 7);
    Bytes deepBytes(deep.size() * 2);
    std::memcpy(deepBytes.data(), deep.data(), deepBytes.size());
    auto c = decodeImage(makePng(12, 5, 1, 16, deepBytes), "deep.png");
    REQUIRE(c.ok());
    CHECK(c->bits == 16);
    CHECK(c->sample(0, 3, 1) == 15 * 1000 + 7);
    CHECK(c->pixels == deepBytes);
}

TEST_CASE("PNG: 16-bit grey from an independent writer (ImageMagick) is read in host order") {
    if (run("convert -version 2>/dev/null | grep -q ImageMagick") != 0) {
        WARN("convert (ImageMagick) not installed: skipped");
        return;
    }
    const auto dir = scratchDir("png16");
    // PGM P5 with maxval 65535 is big-endian by definition: 0x0102, 0xfffe.
    const std::string pgm = "P5\n2 1\n65535\n\x01\x02\xff\xfe";
    writeAll(dir / "in.pgm", Bytes(pgm.begin(), pgm.end()));
    REQUIRE(run("convert " + (dir / "in.pgm").string() + " -depth 16 PNG48:" + (dir / "out.png").string() +
                " 2>/dev/null || convert " + (dir / "in.pgm").string() + " -depth 16 " + (dir / "out.png").string()) == 0);
    auto r = decodeFile(dir / "out.png");
    REQUIRE(r.ok());
    REQUIRE(r->bits == 16);
    CHECK(r->sample(0, 0, 0) == 0x0102);
    CHECK(r->sample(0, 1, 0, r->samplesPerPixel == 3 ? 1 : 0) == 0xfffe);
    std::filesystem::remove_all(dir);
}

TEST_CASE("PNG: truncated, corrupt and oversized files are refused with the source named") {
    const Bytes png = makePng(40, 40, 1, 8, gradient(40, 40, 1));
    for (std::size_t cut : {std::size_t{8}, std::size_t{20}, png.size() / 2, png.size() - 13})
        requireRefused(Bytes(png.begin(), png.begin() + static_cast<std::ptrdiff_t>(cut)), "cut.png");
    Bytes corrupt = png;
    corrupt[png.size() / 2] ^= 0x5a; // inside IDAT: the CRC no longer matches
    requireRefused(corrupt, "corrupt.png");

    DecodeLimits small;
    small.maxPixelsPerFrame = 1000;
    const auto r = decodeImage(png, "big.png", small);
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message, Catch::Contains("big.png") && Catch::Contains("maxPixelsPerFrame"));
    DecodeLimits tiny;
    tiny.maxBytes = png.size() - 1;
    const auto t = decodeImage(png, "bytes.png", tiny);
    REQUIRE_FALSE(t.ok());
    CHECK_THAT(t.error().message, Catch::Contains("bytes.png") && Catch::Contains("maxBytes"));
}

TEST_CASE("JPEG: grey and RGB decode close to the source at quality 95") {
    for (unsigned samples : {1u, 3u}) {
        // A smooth ramp (no wrap-around edges), which JPEG keeps well.
        Bytes px(48 * 32 * samples);
        for (std::uint32_t y = 0; y < 32; ++y)
            for (std::uint32_t x = 0; x < 48; ++x)
                for (unsigned c = 0; c < samples; ++c)
                    px[(y * 48 + x) * samples + c] = static_cast<std::uint8_t>(x * 2 + y * 3 + c * 20);
        auto r = decodeImage(makeJpeg(48, 32, samples, px, 95), "photo.jpg");
        REQUIRE(r.ok());
        CHECK(r->format == Format::Jpeg);
        CHECK(r->width == 48);
        CHECK(r->height == 32);
        CHECK(r->samplesPerPixel == samples);
        CHECK(r->photometric == (samples == 1 ? Photometric::Monochrome2 : Photometric::Rgb));
        REQUIRE(r->pixels.size() == px.size());
        int worst = 0;
        for (std::size_t i = 0; i < px.size(); ++i) worst = std::max(worst, std::abs(int{r->pixels[i]} - int{px[i]}));
        CHECK(worst <= 8); // lossy, but close at quality 95
    }
}

TEST_CASE("JPEG: truncated, corrupt and oversized files are refused with the source named") {
    const Bytes jpg = makeJpeg(64, 64, 3, gradient(64, 64, 3), 90);
    for (std::size_t cut : {std::size_t{3}, std::size_t{100}, jpg.size() / 2, jpg.size() - 2})
        requireRefused(Bytes(jpg.begin(), jpg.begin() + static_cast<std::ptrdiff_t>(cut)), "cut.jpg");
    Bytes garbage = jpg;
    std::fill(garbage.begin() + 2, garbage.begin() + 200, std::uint8_t{0x11}); // headers destroyed
    requireRefused(garbage, "corrupt.jpg");
    DecodeLimits small;
    small.maxTotalPixelBytes = 64 * 64 * 3 - 1;
    const auto r = decodeImage(jpg, "big.jpg", small);
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message, Catch::Contains("big.jpg") && Catch::Contains("maxTotalPixelBytes"));
}

TEST_CASE("The format comes from the bytes, not the name") {
    const Bytes png = makePng(4, 4, 1, 8, gradient(4, 4, 1));
    auto r = decodeImage(png, "misnamed.jpg");
    REQUIRE(r.ok());
    CHECK(r->format == Format::Png);
    requireRefused(Bytes{'h', 'e', 'l', 'l', 'o'}, "notes.png", "not a PNG, JPEG, PDF or DICOM");
    requireRefused(Bytes{}, "empty.dcm", "not a PNG, JPEG, PDF or DICOM");
    const auto missing = decodeFile("/nonexistent/caseroom/slide.png");
    REQUIRE_FALSE(missing.ok());
    CHECK_THAT(missing.error().message, Catch::Contains("/nonexistent/caseroom/slide.png"));
}
