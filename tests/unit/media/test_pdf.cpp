// PDF pages through poppler-cpp: a hand-written two-page PDF with one
// filled rectangle per page; the rasterised pixels have the right colours.
#include <catch2/catch.hpp>

#include "fixtures.h"
#include "media/image.h"

using namespace caseroom::media;
using namespace caseroom::media::testkit;

namespace {

std::array<int, 3> rgbAt(const Image& img, std::uint32_t x, std::uint32_t y) {
    return {img.sample(0, x, y, 0), img.sample(0, x, y, 1), img.sample(0, x, y, 2)};
}

const std::vector<PdfPage> kPages = {
    // 200x100 pt, left half red.
    PdfPage{200, 100, 0, 0, 100, 100, 1, 0, 0},
    // 100x100 pt, lower-right quarter blue.
    PdfPage{100, 100, 50, 0, 50, 50, 0, 0, 1},
};

} // namespace

TEST_CASE("PDF: page count and pages rasterised at the requested width") {
    const Bytes pdf = makePdf(kPages);
    const auto count = pdfPageCount(pdf, "deck.pdf");
    REQUIRE(count.ok());
    CHECK(*count == 2);

    const auto p0 = rasterisePdfPage(pdf, "deck.pdf", 0, 400);
    REQUIRE(p0.ok());
    CHECK(p0->format == Format::Pdf);
    CHECK(p0->width == 400);
    CHECK(p0->height == 200);
    CHECK(p0->photometric == Photometric::Rgb);
    CHECK(p0->samplesPerPixel == 3);
    CHECK(rgbAt(*p0, 50, 100) == std::array<int, 3>{255, 0, 0});
    CHECK(rgbAt(*p0, 350, 100) == std::array<int, 3>{255, 255, 255});

    const auto p1 = rasterisePdfPage(pdf, "deck.pdf", 1, 64);
    REQUIRE(p1.ok());
    CHECK(p1->width == 64);
    CHECK(p1->height == 64);
    // PDF y runs up: the lower-right quarter is the image's bottom-right.
    CHECK(rgbAt(*p1, 48, 48) == std::array<int, 3>{0, 0, 255});
    CHECK(rgbAt(*p1, 48, 16) == std::array<int, 3>{255, 255, 255});
    CHECK(rgbAt(*p1, 16, 48) == std::array<int, 3>{255, 255, 255});

    // decodeImage sniffs "%PDF-" and renders page 0 at the default width.
    const auto d = decodeImage(pdf, "deck.bin");
    REQUIRE(d.ok());
    CHECK(d->width == kDefaultPdfWidthPx);
}

TEST_CASE("PDF: bad pages, widths, truncation and limits are refused with the source named") {
    const Bytes pdf = makePdf(kPages);
    const auto page = rasterisePdfPage(pdf, "deck.pdf", 2, 100);
    REQUIRE_FALSE(page.ok());
    CHECK_THAT(page.error().message, Catch::StartsWith("deck.pdf: ") && Catch::Contains("page 2 out of range"));
    CHECK_FALSE(rasterisePdfPage(pdf, "deck.pdf", 0, 0).ok());
    CHECK_FALSE(rasterisePdfPage(pdf, "deck.pdf", 0, kMaxPdfWidthPx + 1).ok());

    // Cut before the page tree: nothing left to render. (poppler rebuilds a
    // damaged cross-reference table, so a cut after the pages may still render.)
    for (std::size_t cut : {std::size_t{5}, std::size_t{16}, std::size_t{40}}) {
        const Bytes truncated(pdf.begin(), pdf.begin() + static_cast<std::ptrdiff_t>(cut));
        const auto r = rasterisePdfPage(truncated, "cut.pdf", 0, 100);
        REQUIRE_FALSE(r.ok());
        CHECK_THAT(r.error().message, Catch::StartsWith("cut.pdf: "));
        CHECK_FALSE(pdfPageCount(truncated, "cut.pdf").ok());
    }
    DecodeLimits small;
    small.maxPixelsPerFrame = 100 * 100;
    const auto big = rasterisePdfPage(pdf, "big.pdf", 0, 1000, small);
    REQUIRE_FALSE(big.ok());
    CHECK_THAT(big.error().message, Catch::Contains("big.pdf") && Catch::Contains("maxPixelsPerFrame"));
}
