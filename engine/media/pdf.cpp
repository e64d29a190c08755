// PDF adapter (poppler-cpp): page count, one page rasterised at a given
// width as 8-bit RGB on white paper, and the pages' text (for the PHI
// screen). poppler may throw; nothing escapes.
#include "media/decoders.h"

#include <poppler-document.h>
#include <poppler-global.h>
#include <poppler-image.h>
#include <poppler-page-renderer.h>
#include <poppler-page.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstring>
#include <memory>
#include <mutex>

namespace caseroom::media {
namespace {

// poppler prints parse errors to stderr by default; the caller gets ours.
void quiet(const std::string&, void*) {}

core::Result<std::unique_ptr<poppler::document>> openPdf(std::span<const std::uint8_t> bytes,
                                                         std::string_view source, const DecodeLimits& limits) {
    static std::once_flag once;
    std::call_once(once, [] { poppler::set_debug_error_function(quiet, nullptr); });
    if (auto st = detail::checkInputSize(source, limits, bytes.size()); !st) return st.error();
    if (bytes.size() > static_cast<std::size_t>(INT_MAX)) return detail::fault(source, "PDF too large for poppler");
    std::unique_ptr<poppler::document> doc(poppler::document::load_from_raw_data(
        reinterpret_cast<const char*>(bytes.data()), static_cast<int>(bytes.size())));
    if (!doc) return detail::fault(source, "not a readable PDF (poppler could not open it)");
    if (doc->is_locked()) return detail::fault(source, "PDF is encrypted (password required)");
    return doc;
}

} // namespace

core::Result<std::uint32_t> pdfPageCount(std::span<const std::uint8_t> bytes, std::string_view source,
                                         const DecodeLimits& limits) {
    try {
        auto doc = openPdf(bytes, source, limits);
        if (!doc) return doc.error();
        const int pages = (*doc)->pages();
        if (pages <= 0) return detail::fault(source, "PDF has no pages");
        return static_cast<std::uint32_t>(pages);
    } catch (const std::exception& e) {
        return detail::fault(source, std::string("PDF: ") + e.what());
    } catch (...) {
        return detail::fault(source, "PDF: unknown failure in poppler");
    }
}

core::Result<PdfMetadata> pdfMetadata(std::span<const std::uint8_t> bytes, std::string_view source,
                                      const DecodeLimits& limits) {
    try {
        auto doc = openPdf(bytes, source, limits);
        if (!doc) return doc.error();
        PdfMetadata out;
        for (std::string& key : (*doc)->info_keys()) {
            // Keys are PDF names; keep them printable and short for the report.
            if (key.size() > 64) key.resize(64);
            for (char& c : key)
                if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = '?';
            out.infoKeys.push_back(std::move(key));
        }
        std::sort(out.infoKeys.begin(), out.infoKeys.end());
        const poppler::ustring xmp = (*doc)->metadata();
        out.xmpBytes = xmp.size();
        return out;
    } catch (const std::exception& e) {
        return detail::fault(source, std::string("PDF: ") + e.what());
    } catch (...) {
        return detail::fault(source, "PDF: unknown failure in poppler");
    }
}

core::Result<Image> rasterisePdfPage(std::span<const std::uint8_t> bytes, std::string_view source,
                                     std::uint32_t pageIndex, std::uint32_t targetWidthPx,
                                     const DecodeLimits& limits) {
    try {
        if (targetWidthPx == 0 || targetWidthPx > kMaxPdfWidthPx)
            return detail::fault(source, "PDF render width " + std::to_string(targetWidthPx) +
                                             " px out of range 1.." + std::to_string(kMaxPdfWidthPx));
        auto doc = openPdf(bytes, source, limits);
        if (!doc) return doc.error();
        const int pages = (*doc)->pages();
        if (pages <= 0 || pageIndex >= static_cast<std::uint32_t>(pages))
            return detail::fault(source, "PDF page " + std::to_string(pageIndex) + " out of range (" +
                                             std::to_string(std::max(pages, 0)) + " pages)");
        std::unique_ptr<poppler::page> page((*doc)->create_page(static_cast<int>(pageIndex)));
        if (!page) return detail::fault(source, "PDF page " + std::to_string(pageIndex) + " cannot be read");
        const poppler::rectf box = page->page_rect(poppler::crop_box);
        const double wPt = box.width(), hPt = box.height();
        if (!(wPt >= 1.0 && hPt >= 1.0 && wPt < 1e6 && hPt < 1e6))
            return detail::fault(source, "PDF page " + std::to_string(pageIndex) + " has an unusable size");
        const double dpi = 72.0 * targetWidthPx / wPt;
        const double heightPx = std::ceil(hPt * dpi / 72.0);
        if (heightPx > static_cast<double>(UINT32_MAX))
            return detail::fault(source, "PDF page aspect ratio too extreme");
        if (auto st = detail::checkDimensions(source, limits, targetWidthPx, static_cast<std::uint64_t>(heightPx), 1, 4); !st)
            return st.error();

        poppler::page_renderer renderer;
        renderer.set_render_hint(poppler::page_renderer::antialiasing, true);
        renderer.set_render_hint(poppler::page_renderer::text_antialiasing, true);
        renderer.set_image_format(poppler::image::format_argb32);
        renderer.set_paper_color(0xffffffffu);
        const poppler::image im = renderer.render_page(page.get(), dpi, dpi);
        if (!im.is_valid() || im.width() <= 0 || im.height() <= 0 || im.format() != poppler::image::format_argb32)
            return detail::fault(source, "PDF page " + std::to_string(pageIndex) + " could not be rendered");

        Image img;
        img.format = Format::Pdf;
        img.width = static_cast<std::uint32_t>(im.width());
        img.height = static_cast<std::uint32_t>(im.height());
        img.samplesPerPixel = 3;
        img.photometric = Photometric::Rgb;
        if (auto st = detail::checkDimensions(source, limits, img.width, img.height, 1, 4); !st) return st.error();
        img.pixels.resize(img.frameBytes());
        const char* rows = im.const_data();
        const auto stride = static_cast<std::size_t>(im.bytes_per_row());
        for (std::uint32_t y = 0; y < img.height; ++y) {
            for (std::uint32_t x = 0; x < img.width; ++x) {
                std::uint32_t argb = 0; // premultiplied ARGB32 in host order; paper is opaque
                std::memcpy(&argb, rows + y * stride + std::size_t{x} * 4, 4);
                std::uint8_t* out = img.pixels.data() + (std::size_t{y} * img.width + x) * 3;
                out[0] = static_cast<std::uint8_t>(argb >> 16);
                out[1] = static_cast<std::uint8_t>(argb >> 8);
                out[2] = static_cast<std::uint8_t>(argb);
            }
        }
        return img;
    } catch (const std::exception& e) {
        return detail::fault(source, std::string("PDF: ") + e.what());
    } catch (...) {
        return detail::fault(source, "PDF: unknown failure in poppler");
    }
}

core::Result<std::vector<std::string>> detail::pdfPageTexts(std::span<const std::uint8_t> bytes, std::string_view source,
                                                            const DecodeLimits& limits) {
    try {
        auto doc = openPdf(bytes, source, limits);
        if (!doc) return doc.error();
        const int pages = (*doc)->pages();
        if (pages <= 0) return detail::fault(source, "PDF has no pages");
        std::vector<std::string> out;
        for (int i = 0; i < pages; ++i) {
            std::unique_ptr<poppler::page> page((*doc)->create_page(i));
            if (!page) return detail::fault(source, "PDF page " + std::to_string(i) + " cannot be read");
            const poppler::byte_array utf8 = page->text().to_utf8();
            out.emplace_back(utf8.begin(), utf8.end());
        }
        return out;
    } catch (const std::exception& e) {
        return detail::fault(source, std::string("PDF: ") + e.what());
    } catch (...) {
        return detail::fault(source, "PDF: unknown failure in poppler");
    }
}

} // namespace caseroom::media
