// Deck manifests (deck.h; format: docs/DECKS.md). Written canonically (one
// layout, shortest round-trip numbers) and parsed strictly: every key known,
// every value in range, every slide self-consistent; errors name the source,
// the line and the fault.
#include "media/deck.h"

#include "core/config_text.h"

#include <charconv>
#include <cmath>
#include <set>
#include <system_error>

namespace caseroom::media {
namespace {

constexpr const char* kFormatLine = "caseroom-deck 1";
constexpr std::size_t kHashesPerLine = 8;
constexpr std::uint32_t kMaxSide = 65535;
constexpr double kMaxSlope = 1e6, kMaxIntercept = 1e9, kMaxWindow = 1e9, kMaxFrameRate = 1000;

std::string number(double v) {
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
}

const char* kindKey(SlideKind k) {
    switch (k) {
    case SlideKind::Photo: return "photo";
    case SlideKind::Dicom: return "dicom";
    case SlideKind::PdfPage: return "pdf-page";
    case SlideKind::Count: break;
    }
    return "?";
}

// A text the format can carry unchanged: no control characters (the
// config reader refuses them), no leading or trailing blanks (it trims).
bool carriable(std::string_view s) {
    for (unsigned char c : s)
        if (c < 0x20 || c == 0x7f) return false;
    return s.empty() || (s.front() != ' ' && s.back() != ' ' && s.front() != '\t' && s.back() != '\t');
}

struct Reader {
    const core::ConfigDocument& doc;
    const core::ConfigSection& sec;
    std::set<std::string> used;

    core::Error fail(std::uint32_t line, const std::string& what) const {
        return core::Error{doc.source + ":" + std::to_string(line) + ": " + what};
    }
    const core::ConfigEntry* get(const std::string& key) {
        used.insert(key);
        return sec.find(key);
    }
    core::Result<const core::ConfigEntry*> need(const std::string& key) {
        const auto* e = get(key);
        if (!e) return fail(sec.line, "[" + sec.type + "] has no '" + key + "'");
        return e;
    }
    core::Result<std::uint64_t> integer(const std::string& key, std::uint64_t lo, std::uint64_t hi) {
        auto e = need(key);
        if (!e) return e.error();
        const std::string& v = (*e)->value;
        std::uint64_t out = 0;
        const auto r = std::from_chars(v.data(), v.data() + v.size(), out);
        if (v.empty() || r.ec != std::errc{} || r.ptr != v.data() + v.size())
            return fail((*e)->line, "'" + key + "' must be a whole number, got '" + v + "'");
        if (out < lo || out > hi)
            return fail((*e)->line, "'" + key + "' = " + v + " is out of range " + std::to_string(lo) + ".." +
                                        std::to_string(hi));
        return out;
    }
    core::Result<double> real(const core::ConfigEntry& e, std::string_view text, double lo, double hi) const {
        double out = 0;
        const auto r = std::from_chars(text.data(), text.data() + text.size(), out);
        if (text.empty() || r.ec != std::errc{} || r.ptr != text.data() + text.size() || !std::isfinite(out))
            return fail(e.line, "'" + e.key + "' must be a finite number, got '" + std::string(text) + "'");
        if (out < lo || out > hi)
            return fail(e.line, "'" + e.key + "' = " + std::string(text) + " is out of range " + number(lo) + ".." +
                                    number(hi));
        return out;
    }
    core::Result<double> real(const std::string& key, double lo, double hi) {
        auto e = need(key);
        if (!e) return e.error();
        return real(**e, (*e)->value, lo, hi);
    }
    core::Result<std::string> text(const std::string& key, std::size_t maxBytes) {
        auto e = need(key);
        if (!e) return e.error();
        if ((*e)->value.size() > maxBytes)
            return fail((*e)->line, "'" + key + "' is " + std::to_string((*e)->value.size()) + " bytes, more than " +
                                        std::to_string(maxBytes));
        return (*e)->value;
    }
    core::Status noStrays() const {
        for (const auto& e : sec.entries)
            if (!used.count(e.key)) return fail(e.line, "unknown key '" + e.key + "' in [" + sec.type + "]");
        return {};
    }
};

core::Result<DeckSlide> readSlide(const core::ConfigDocument& doc, const core::ConfigSection& sec, std::size_t index) {
    Reader r{doc, sec, {}};
    DeckSlide s;
    const std::string where = "slide " + std::to_string(index + 1);
    auto kind = r.need("kind");
    if (!kind) return kind.error();
    bool known = false;
    for (std::uint8_t k = 0; k < static_cast<std::uint8_t>(SlideKind::Count); ++k)
        if ((*kind)->value == kindKey(static_cast<SlideKind>(k))) {
            s.kind = static_cast<SlideKind>(k);
            known = true;
        }
    if (!known) return r.fail((*kind)->line, "unknown slide kind '" + (*kind)->value + "' (photo, dicom or pdf-page)");
    auto w = r.integer("width", 1, kMaxSide);
    if (!w) return w.error();
    auto h = r.integer("height", 1, kMaxSide);
    if (!h) return h.error();
    s.width = static_cast<std::uint32_t>(*w);
    s.height = static_cast<std::uint32_t>(*h);
    if (std::uint64_t{s.width} * s.height > DecodeLimits{}.maxPixelsPerFrame)
        return r.fail(sec.line, where + ": " + std::to_string(s.width) + "x" + std::to_string(s.height) +
                                    " exceeds the per-frame pixel limit");
    auto bits = r.integer("bits", 8, 16);
    if (!bits) return bits.error();
    if (*bits != 8 && *bits != 16) return r.fail(r.sec.find("bits")->line, "'bits' must be 8 or 16");
    s.bits = static_cast<std::uint8_t>(*bits);
    auto samples = r.integer("samples", 1, 3);
    if (!samples) return samples.error();
    if (*samples == 2) return r.fail(r.sec.find("samples")->line, "'samples' must be 1 or 3");
    s.samplesPerPixel = static_cast<std::uint8_t>(*samples);
    auto sgn = r.need("signed");
    if (!sgn) return sgn.error();
    if ((*sgn)->value != "yes" && (*sgn)->value != "no")
        return r.fail((*sgn)->line, "'signed' must be yes or no, got '" + (*sgn)->value + "'");
    s.isSigned = (*sgn)->value == "yes";
    auto pi = r.need("photometric");
    if (!pi) return pi.error();
    known = false;
    for (std::uint8_t p = 0; p < static_cast<std::uint8_t>(Photometric::Count); ++p)
        if ((*pi)->value == toString(static_cast<Photometric>(p))) {
            s.photometric = static_cast<Photometric>(p);
            known = true;
        }
    if (!known) return r.fail((*pi)->line, "unknown photometric '" + (*pi)->value + "'");
    auto slope = r.real("rescale-slope", -kMaxSlope, kMaxSlope);
    if (!slope) return slope.error();
    if (*slope == 0.0) return r.fail(r.sec.find("rescale-slope")->line, "'rescale-slope' must not be 0");
    s.rescaleSlope = *slope;
    auto intercept = r.real("rescale-intercept", -kMaxIntercept, kMaxIntercept);
    if (!intercept) return intercept.error();
    s.rescaleIntercept = *intercept;
    if (const auto* win = r.get("window")) {
        const auto sp = win->value.find(' ');
        if (sp == std::string::npos)
            return r.fail(win->line, "'window' must be 'CENTRE WIDTH', got '" + win->value + "'");
        auto c = r.real(*win, std::string_view(win->value).substr(0, sp), -kMaxWindow, kMaxWindow);
        if (!c) return c.error();
        auto wd = r.real(*win, std::string_view(win->value).substr(sp + 1), 1.0, kMaxWindow);
        if (!wd) return wd.error();
        s.window = Window{*c, *wd};
    }
    auto rate = r.real("frame-rate", 0.0, kMaxFrameRate);
    if (!rate) return rate.error();
    s.frameRateHz = *rate;
    auto caption = r.text("caption", kMaxCaptionBytes);
    if (!caption) return caption.error();
    s.caption = std::move(*caption);
    auto frames = r.integer("frames", 1, kMaxSlideFrames);
    if (!frames) return frames.error();
    const std::size_t lines = (*frames + kHashesPerLine - 1) / kHashesPerLine;
    for (std::size_t l = 0; l < lines; ++l) {
        auto e = r.need("frames." + std::to_string(l));
        if (!e) return e.error();
        std::string_view rest = (*e)->value;
        const std::size_t want = std::min<std::size_t>(kHashesPerLine, *frames - l * kHashesPerLine);
        for (std::size_t i = 0; i < want; ++i) {
            if (i > 0) {
                if (rest.empty() || rest.front() != ' ')
                    return r.fail((*e)->line, "'" + (*e)->key + "' must hold " + std::to_string(want) +
                                                  " hashes separated by one space");
                rest.remove_prefix(1);
            }
            auto hash = BlobHash::fromHex(rest.substr(0, 64));
            if (!hash || hash->empty())
                return r.fail((*e)->line, "'" + (*e)->key + "' hash " + std::to_string(i + 1) +
                                              " is not 64 hex digits naming a blob");
            s.frames.push_back(*hash);
            rest.remove_prefix(std::min<std::size_t>(64, rest.size()));
        }
        if (!rest.empty())
            return r.fail((*e)->line, "'" + (*e)->key + "' holds more than " + std::to_string(want) + " hashes");
    }
    if (auto st = r.noStrays(); !st) return st.error();
    if (auto st = checkSlide(s); !st) return r.fail(sec.line, where + ": " + st.error().message);
    return s;
}

} // namespace

const char* toString(SlideKind k) { return kindKey(k); }

std::vector<BlobHash> DeckManifest::blobs() const {
    std::vector<BlobHash> out;
    std::set<BlobHash> seen;
    for (const auto& s : slides)
        for (const auto& f : s.frames)
            if (seen.insert(f).second) out.push_back(f);
    return out;
}

core::Status checkSlide(const DeckSlide& s) {
    if (s.kind >= SlideKind::Count) return core::Error{"invalid kind"};
    if (s.width == 0 || s.height == 0 || s.width > kMaxSide || s.height > kMaxSide)
        return core::Error{"size " + std::to_string(s.width) + "x" + std::to_string(s.height) + " out of range"};
    if (s.bits != 8 && s.bits != 16) return core::Error{"bits must be 8 or 16"};
    if (s.samplesPerPixel != 1 && s.samplesPerPixel != 3) return core::Error{"samples must be 1 or 3"};
    if ((s.samplesPerPixel == 3) != (s.photometric == Photometric::Rgb))
        return core::Error{"photometric RGB goes with 3 samples, MONOCHROME1/2 with 1"};
    if (s.photometric >= Photometric::Count) return core::Error{"invalid photometric"};
    if (s.isSigned && (s.kind != SlideKind::Dicom || s.samplesPerPixel != 1))
        return core::Error{"only grey DICOM slides may be signed"};
    if (s.kind != SlideKind::Dicom && (s.rescaleSlope != 1.0 || s.rescaleIntercept != 0.0 || s.window))
        return core::Error{"only DICOM slides carry a rescale or a window"};
    if (s.window && s.samplesPerPixel != 1) return core::Error{"a window needs a grey slide"};
    if (!(std::isfinite(s.rescaleSlope) && s.rescaleSlope != 0.0 && std::fabs(s.rescaleSlope) <= kMaxSlope &&
          std::isfinite(s.rescaleIntercept) && std::fabs(s.rescaleIntercept) <= kMaxIntercept))
        return core::Error{"rescale out of range"};
    if (s.window && !(std::isfinite(s.window->centre) && std::fabs(s.window->centre) <= kMaxWindow &&
                      std::isfinite(s.window->width) && s.window->width >= 1.0 && s.window->width <= kMaxWindow))
        return core::Error{"window out of range (width must be at least 1)"};
    if (s.frames.empty() || s.frames.size() > kMaxSlideFrames)
        return core::Error{std::to_string(s.frames.size()) + " frames (1.." + std::to_string(kMaxSlideFrames) + ")"};
    for (const auto& f : s.frames)
        if (f.empty()) return core::Error{"a frame hash is empty"};
    if (!(std::isfinite(s.frameRateHz) && s.frameRateHz >= 0.0 && s.frameRateHz <= kMaxFrameRate))
        return core::Error{"frame rate out of range 0.." + number(kMaxFrameRate)};
    if ((s.frames.size() > 1) != (s.frameRateHz > 0.0))
        return core::Error{"a cine slide (more than one frame) needs a frame rate above 0, a still has 0"};
    if (s.caption.size() > kMaxCaptionBytes) return core::Error{"caption longer than " + std::to_string(kMaxCaptionBytes) + " bytes"};
    if (!carriable(s.caption)) return core::Error{"caption has control characters or leading/trailing blanks"};
    return {};
}

core::Status checkManifest(const DeckManifest& m) {
    if (m.title.size() > kMaxDeckTitleBytes) return core::Error{"title longer than " + std::to_string(kMaxDeckTitleBytes) + " bytes"};
    if (!carriable(m.title)) return core::Error{"title has control characters or leading/trailing blanks"};
    if (m.slides.empty() || m.slides.size() > kMaxDeckSlides)
        return core::Error{std::to_string(m.slides.size()) + " slides (1.." + std::to_string(kMaxDeckSlides) + ")"};
    for (std::size_t i = 0; i < m.slides.size(); ++i)
        if (auto st = checkSlide(m.slides[i]); !st)
            return core::Error{"slide " + std::to_string(i + 1) + ": " + st.error().message};
    return {};
}

core::Result<DeckManifest> parseManifest(std::span<const std::uint8_t> bytes, std::string_view source) {
    if (bytes.size() > kMaxManifestBytes)
        return core::Error{std::string(source) + ": manifest is " + std::to_string(bytes.size()) +
                           " bytes, more than the limit of " + std::to_string(kMaxManifestBytes)};
    for (std::uint8_t c : bytes)
        if (c == 0) return core::Error{std::string(source) + ": manifest contains a NUL byte"};
    const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    auto doc = core::parseConfigText(text, source);
    if (!doc) return doc.error();
    const auto fail = [&](std::uint32_t line, const std::string& what) {
        return core::Error{std::string(source) + ":" + std::to_string(line) + ": " + what};
    };
    if (doc->sections.empty() || doc->sections.front().type != "deck")
        return fail(doc->sections.empty() ? 1 : doc->sections.front().line, "a manifest starts with a [deck] section");
    DeckManifest m;
    Reader deck{*doc, doc->sections.front(), {}};
    auto format = deck.need("format");
    if (!format) return format.error();
    if ((*format)->value != kFormatLine)
        return fail((*format)->line, "unknown manifest format '" + (*format)->value + "' (expected '" + kFormatLine + "')");
    auto title = deck.text("title", kMaxDeckTitleBytes);
    if (!title) return title.error();
    m.title = std::move(*title);
    auto count = deck.integer("slides", 1, kMaxDeckSlides);
    if (!count) return count.error();
    if (auto st = deck.noStrays(); !st) return st.error();
    if (!doc->sections.front().name.empty()) return fail(doc->sections.front().line, "[deck] takes no name");
    if (doc->sections.size() - 1 != *count)
        return fail(doc->sections.front().line, "[deck] says " + std::to_string(*count) + " slides, the manifest has " +
                                                    std::to_string(doc->sections.size() - 1));
    for (std::size_t i = 1; i < doc->sections.size(); ++i) {
        const auto& sec = doc->sections[i];
        if (sec.type != "slide") return fail(sec.line, "unknown section [" + sec.type + "] (expected [slide])");
        if (!sec.name.empty()) return fail(sec.line, "[slide] takes no name");
        auto slide = readSlide(*doc, sec, i - 1);
        if (!slide) return slide.error();
        m.slides.push_back(std::move(*slide));
    }
    if (auto st = checkManifest(m); !st) return fail(1, st.error().message);
    return m;
}

std::vector<std::uint8_t> writeManifest(const DeckManifest& m) {
    std::string out = "# CaseRoom case deck (docs/DECKS.md)\n[deck]\n";
    out += std::string("format = ") + kFormatLine + "\n";
    out += "title = " + m.title + "\n";
    out += "slides = " + std::to_string(m.slides.size()) + "\n";
    for (const DeckSlide& s : m.slides) {
        out += "\n[slide]\n";
        out += std::string("kind = ") + kindKey(s.kind) + "\n";
        out += "width = " + std::to_string(s.width) + "\n";
        out += "height = " + std::to_string(s.height) + "\n";
        out += "bits = " + std::to_string(s.bits) + "\n";
        out += "samples = " + std::to_string(s.samplesPerPixel) + "\n";
        out += std::string("signed = ") + (s.isSigned ? "yes" : "no") + "\n";
        out += std::string("photometric = ") + toString(s.photometric) + "\n";
        out += "rescale-slope = " + number(s.rescaleSlope) + "\n";
        out += "rescale-intercept = " + number(s.rescaleIntercept) + "\n";
        if (s.window) out += "window = " + number(s.window->centre) + " " + number(s.window->width) + "\n";
        out += "frame-rate = " + number(s.frameRateHz) + "\n";
        out += "caption = " + s.caption + "\n";
        out += "frames = " + std::to_string(s.frames.size()) + "\n";
        for (std::size_t i = 0; i < s.frames.size(); i += kHashesPerLine) {
            out += "frames." + std::to_string(i / kHashesPerLine) + " =";
            for (std::size_t j = i; j < std::min(s.frames.size(), i + kHashesPerLine); ++j) out += " " + s.frames[j].hex();
            out += "\n";
        }
    }
    return std::vector<std::uint8_t>(out.begin(), out.end());
}

} // namespace caseroom::media
