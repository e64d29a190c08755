// caseroom-deck build (deck_build.h). Per input: sniff, check, convert,
// store the frames; then the manifest, if nothing was refused.
#include "media/deck_build.h"

#include "clinic/phi_screen.h"
#include "media/decoders.h"
#include "media/dicom_structure.h"
#include "media/raster.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>

namespace caseroom::media {
namespace {

// Printable, single-line, trimmed, at most maxBytes (cut at a UTF-8 boundary).
std::string cleanText(std::string s, std::size_t maxBytes) {
    for (char& c : s)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
    if (s.size() > maxBytes) {
        std::size_t cut = maxBytes;
        while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xc0) == 0x80) --cut;
        s.resize(cut);
    }
    const auto b = s.find_first_not_of(" \t");
    if (b == std::string::npos) return {};
    const auto e = s.find_last_not_of(" \t");
    return s.substr(b, e - b + 1);
}


// One frame of a decoded image as the deck's PNG samples (deck.h).
core::Result<std::vector<std::uint8_t>> framePng(const Image& img, std::uint32_t frame) {
    if (img.samplesPerPixel == 3)
        return encodePng(img.width, img.height, 3, 8,
                         std::span<const std::uint8_t>(img.pixels).subspan(img.frameBytes() * frame, img.frameBytes()));
    const std::size_t n = std::size_t{img.width} * img.height;
    std::vector<std::uint8_t> samples(n * (img.bits / 8u));
    const std::int32_t offset = img.isSigned ? (1 << (img.bits - 1)) : 0;
    for (std::uint32_t y = 0; y < img.height; ++y)
        for (std::uint32_t x = 0; x < img.width; ++x) {
            const std::size_t i = std::size_t{y} * img.width + x;
            const std::int32_t v = img.sample(frame, x, y) + offset;
            if (img.bits == 16) {
                const auto u = static_cast<std::uint16_t>(v);
                std::memcpy(samples.data() + i * 2, &u, 2);
            } else {
                samples[i] = static_cast<std::uint8_t>(v);
            }
        }
    return encodePng(img.width, img.height, 1, img.bits, samples);
}

struct Builder {
    const BuildOptions& options;
    BlobStore& store;
    BuildResult result;

    std::string captionFor(const std::filesystem::path& input, std::size_t slideNumber, std::uint32_t page,
                           std::uint32_t pages) const {
        for (const auto& [file, text] : options.captions) {
            if (file == input.string() || file == input.filename().string()) {
                std::string c = text;
                if (pages > 1) c += ", page " + std::to_string(page + 1);
                return cleanText(c, kMaxCaptionBytes);
            }
        }
        return "Slide " + std::to_string(slideNumber);
    }

    // The caption the presenter gave for this file, if any (the first match wins).
    const std::string* givenCaption(const std::filesystem::path& input) const {
        for (const auto& [file, text] : options.captions)
            if (file == input.string() || file == input.filename().string()) return &text;
        return nullptr;
    }

    // PHI screen of one text of a file: each finding is a refusal naming the
    // field, span and kind (never the text), or with --allow-phi a note.
    void screenText(const std::string& source, const std::string& field, std::string_view text, FileReport& rep) const {
        clinic::ScreenContext ctx;
        ctx.knownNames = options.knownNames;
        const auto findings = clinic::screenText(field, text, ctx);
        for (const auto& f : findings) {
            const std::string line = source + ": " + field + ": possible PHI (" + clinic::toString(f.kind) + ") at bytes " +
                                     std::to_string(f.begin) + "-" + std::to_string(f.end);
            if (options.allowPhi) rep.notes.push_back(line);
            else rep.refusals.push_back(line + " (edit it, or --allow-phi REASON accepts it)");
        }
        if (!findings.empty() && options.allowPhi)
            rep.notes.push_back(source + ": " + field + ": PHI screen findings accepted with --allow-phi: " + *options.allowPhi);
    }

    // Stores a blob; a store failure is fatal for the build.
    core::Result<BlobHash> put(const std::vector<std::uint8_t>& bytes) { return store.put(bytes); }

    core::Status addDicom(const std::filesystem::path& input, const std::vector<std::uint8_t>& bytes, FileReport& rep,
                          std::vector<DeckSlide>& out) {
        const std::string source = input.string();
        auto screen = screenDicom(bytes, source);
        if (!screen) { rep.refusals.push_back(screen.error().message); return {}; }
        for (const auto& f : screen->findings) {
            const std::string line = source + ": " + f.describe();
            if (options.scrub) rep.scrubbed.push_back(line);
            else rep.refusals.push_back(line);
        }
        if (screen->burnedInRefused()) {
            if (options.burnedInOk)
                rep.notes.push_back(source + ": " + screen->burnedInWhy() + "; accepted with --burned-in-ok: " + *options.burnedInOk);
            else
                rep.refusals.push_back(source + ": " + screen->burnedInWhy() +
                                       " (check the pixels; --burned-in-ok REASON accepts it)");
        }
        if (!rep.refusals.empty()) return {};
        auto img = detail::decodeDicom(bytes, source, options.limits);
        if (!img) { rep.refusals.push_back(img.error().message); return {}; }
        if (img->frames > kMaxSlideFrames) {
            rep.refusals.push_back(source + ": " + std::to_string(img->frames) + " frames, more than a slide holds (" +
                                   std::to_string(kMaxSlideFrames) + ")");
            return {};
        }
        DeckSlide s;
        s.kind = SlideKind::Dicom;
        s.width = img->width;
        s.height = img->height;
        s.bits = img->bits;
        s.samplesPerPixel = img->samplesPerPixel;
        s.isSigned = img->isSigned && img->samplesPerPixel == 1;
        s.photometric = img->photometric;
        if (img->samplesPerPixel == 1) {
            s.rescaleSlope = img->rescaleSlope;
            s.rescaleIntercept = img->rescaleIntercept;
            s.window = img->window;
        }
        if (img->frames > 1) {
            auto framing = checkDicomFraming(bytes, source);
            double rate = 0;
            if (framing) {
                if (framing->recommendedRate) rate = *framing->recommendedRate;
                else if (framing->cineRate) rate = *framing->cineRate;
                else if (framing->frameTimeMs && *framing->frameTimeMs > 0) rate = 1000.0 / *framing->frameTimeMs;
            }
            if (!(rate > 0 && rate <= 1000)) {
                rate = options.defaultCineRateHz;
                rep.notes.push_back(source + ": no frame rate in the file; cine plays at " +
                                    std::to_string(static_cast<int>(rate)) + " Hz");
            }
            s.frameRateHz = rate;
        }
        for (std::uint32_t f = 0; f < img->frames; ++f) {
            auto png = framePng(*img, f);
            if (!png) { rep.refusals.push_back(source + ": frame " + std::to_string(f + 1) + ": " + png.error().message); return {}; }
            auto h = put(*png);
            if (!h) return h.error();
            s.frames.push_back(*h);
        }
        if (auto st = checkSlide(s); !st) { rep.refusals.push_back(source + ": " + st.error().message); return {}; }
        out.push_back(std::move(s));
        return {};
    }

    core::Status addPdf(const std::filesystem::path& input, const std::vector<std::uint8_t>& bytes, FileReport& rep,
                        std::vector<DeckSlide>& out, std::size_t slidesSoFar) {
        const std::string source = input.string();
        auto pages = pdfPageCount(bytes, source, options.limits);
        if (!pages) { rep.refusals.push_back(pages.error().message); return {}; }
        if (slidesSoFar + *pages > kMaxDeckSlides) {
            rep.refusals.push_back(source + ": " + std::to_string(*pages) + " pages would take the deck past " +
                                   std::to_string(kMaxDeckSlides) + " slides");
            return {};
        }
        auto texts = detail::pdfPageTexts(bytes, source, options.limits);
        if (!texts) { rep.refusals.push_back(texts.error().message); return {}; }
        for (std::size_t p = 0; p < texts->size(); ++p) screenText(source, "pdf page " + std::to_string(p + 1), (*texts)[p], rep);
        if (rep.refused()) return {};
        auto meta = pdfMetadata(bytes, source, options.limits);
        if (!meta) { rep.refusals.push_back(meta.error().message); return {}; }
        std::string keys;
        for (const auto& k : meta->infoKeys) keys += (keys.empty() ? "" : ", ") + k;
        if (keys.empty() && meta->xmpBytes == 0) rep.stripped.push_back(source + ": no PDF document metadata");
        else
            rep.stripped.push_back(source + ": PDF document metadata dropped (pages are rasterised): Info keys [" + keys +
                                   "], XMP " + std::to_string(meta->xmpBytes) + " bytes");
        for (std::uint32_t p = 0; p < *pages; ++p) {
            auto img = rasterisePdfPage(bytes, source, p, options.pdfWidthPx, options.limits);
            if (!img) { rep.refusals.push_back(img.error().message); return {}; }
            auto png = encodePng(img->width, img->height, 3, 8, img->pixels);
            if (!png) { rep.refusals.push_back(source + ": page " + std::to_string(p + 1) + ": " + png.error().message); return {}; }
            auto h = put(*png);
            if (!h) return h.error();
            DeckSlide s;
            s.kind = SlideKind::PdfPage;
            s.width = img->width;
            s.height = img->height;
            s.samplesPerPixel = 3;
            s.photometric = Photometric::Rgb;
            s.frames.push_back(*h);
            s.caption = captionFor(input, slidesSoFar + out.size() + 1, p, *pages);
            out.push_back(std::move(s));
        }
        return {};
    }

    core::Status addPhoto(const std::filesystem::path& input, const std::vector<std::uint8_t>& bytes, FileReport& rep,
                          std::vector<DeckSlide>& out) {
        const std::string source = input.string();
        auto stripped = stripPhotoMetadata(bytes, source);
        if (!stripped) { rep.refusals.push_back(stripped.error().message); return {}; }
        for (const auto& part : stripped->removed)
            rep.stripped.push_back(source + ": removed " + part.name + " (" + std::to_string(part.bytes) + " bytes)");
        if (stripped->removed.empty()) rep.stripped.push_back(source + ": no metadata to remove");
        auto img = decodeRaster(stripped->bytes, source, options.limits);
        if (!img) { rep.refusals.push_back(img.error().message); return {}; }
        auto h = put(stripped->bytes);
        if (!h) return h.error();
        DeckSlide s;
        s.kind = SlideKind::Photo;
        s.width = img->width;
        s.height = img->height;
        s.bits = img->bits;
        s.samplesPerPixel = img->samplesPerPixel;
        s.photometric = img->photometric;
        s.frames.push_back(*h);
        out.push_back(std::move(s));
        return {};
    }
};

} // namespace

core::Result<std::vector<std::filesystem::path>> listDeckInputs(const std::filesystem::path& dir) {
    std::error_code ec;
    std::vector<std::filesystem::path> out;
    std::filesystem::directory_iterator it(dir, ec);
    if (ec) return core::Error{dir.string() + ": cannot list: " + ec.message()};
    for (const auto& entry : it) {
        if (!entry.is_regular_file(ec)) continue;
        if (entry.path().filename().string().front() == '.') continue; // .DS_Store and friends
        out.push_back(entry.path());
        if (out.size() > 4 * kMaxDeckSlides)
            return core::Error{dir.string() + ": more than " + std::to_string(4 * kMaxDeckSlides) + " files"};
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.filename().string() < b.filename().string(); });
    return out;
}

core::Result<BuildResult> buildDeck(const std::vector<std::filesystem::path>& inputs, const BuildOptions& options,
                                    BlobStore& store) {
    Builder b{options, store, {}};
    std::vector<DeckSlide> slides;
    bool anyRefused = false;
    for (const auto& input : inputs) {
        FileReport rep;
        rep.source = input.string();
        std::vector<DeckSlide> mine;
        b.screenText(rep.source, "file name", input.filename().string(), rep);
        if (const std::string* caption = b.givenCaption(input)) b.screenText(rep.source, "caption", *caption, rep);
        auto bytes = readFileBounded(input, options.limits);
        if (!bytes) {
            rep.refusals.push_back(bytes.error().message);
        } else {
            const auto format = sniffFormat(*bytes);
            rep.format = format ? toString(*format) : "unknown";
            core::Status st;
            if (!format) rep.refusals.push_back(rep.source + ": not a PNG, JPEG, PDF or DICOM file");
            else if (!rep.refused()) { // PHI in its name or caption: nothing of it is converted or stored
                if (*format == Format::Dicom) st = b.addDicom(input, *bytes, rep, mine);
                else if (*format == Format::Pdf) st = b.addPdf(input, *bytes, rep, mine, slides.size());
                else st = b.addPhoto(input, *bytes, rep, mine);
            }
            if (!st) return st.error();
        }
        if (rep.refused()) {
            anyRefused = true;
        } else {
            rep.firstSlide = static_cast<std::uint32_t>(slides.size() + 1);
            rep.slides = static_cast<std::uint32_t>(mine.size());
            for (auto& s : mine) {
                if (s.kind != SlideKind::PdfPage) s.caption = b.captionFor(input, slides.size() + 1, 0, 1);
                slides.push_back(std::move(s));
            }
        }
        b.result.files.push_back(std::move(rep));
    }
    if (anyRefused) return std::move(b.result);
    if (slides.empty()) {
        b.result.error = "no slides: give at least one PNG, JPEG, PDF or DICOM file";
        return std::move(b.result);
    }
    if (slides.size() > kMaxDeckSlides) {
        b.result.error = std::to_string(slides.size()) + " slides, more than a deck holds (" + std::to_string(kMaxDeckSlides) + ")";
        return std::move(b.result);
    }
    b.result.manifest.title = cleanText(options.title, kMaxDeckTitleBytes);
    {
        FileReport titleReport;
        b.screenText("--title", "title", b.result.manifest.title, titleReport);
        if (titleReport.refused()) {
            b.result.error = titleReport.refusals.front();
            return std::move(b.result);
        }
        for (auto& n : titleReport.notes) b.result.notes.push_back(std::move(n));
    }
    b.result.manifest.slides = std::move(slides);
    if (auto st = checkManifest(b.result.manifest); !st) {
        b.result.error = "manifest: " + st.error().message;
        return std::move(b.result);
    }
    auto h = store.put(writeManifest(b.result.manifest));
    if (!h) return h.error();
    b.result.manifestHash = *h;
    return std::move(b.result);
}

} // namespace caseroom::media
