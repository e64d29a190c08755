// media::pdfPageCount and rasterisePdfPage (poppler-cpp) on any bytes.
// The render is small (64 px wide, at most 64x512) and only the first two
// pages are drawn, so a run stays fast (CI runs each harness for 20 s).
// Properties: nothing crashes or throws; an error names the source; a
// rendered page is 64 px wide RGB with a buffer exactly its size.
#include "media_fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace caseroom::media;
    const std::span<const std::uint8_t> bytes(data, size);
    DecodeLimits l = fuzz::limits();
    l.maxPixelsPerFrame = 64 * 512;
    const auto pages = pdfPageCount(bytes, fuzz::kSource, l);
    if (!pages.ok()) {
        if (pages.error().message.rfind(std::string(fuzz::kSource) + ": ", 0) != 0) std::abort();
        return 0;
    }
    if (*pages == 0) std::abort();
    for (std::uint32_t p = 0; p < *pages && p < 2; ++p) {
        const auto page = rasterisePdfPage(bytes, fuzz::kSource, p, 64, l);
        if (!page.ok()) {
            if (page.error().message.rfind(std::string(fuzz::kSource) + ": ", 0) != 0) std::abort();
            continue;
        }
        if (page->width != 64 || page->samplesPerPixel != 3 || page->pixels.size() != page->frameBytes()) std::abort();
    }
    return 0;
}
