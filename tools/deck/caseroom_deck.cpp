// caseroom-deck: builds a case deck from DICOM, PDF, PNG and JPEG files,
// inspects and verifies decks, and writes de-identified DICOM copies.
// Thin: the rules live in media/deck_build, media/deidentify, media/deck.
#include <sodium.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "core/cli.h"
#include "media/deck.h"
#include "media/deck_build.h"
#include "media/deidentify.h"
#include "media/image.h"
#include "upload_command.h"

using namespace caseroom;
namespace fs = std::filesystem;

namespace {

constexpr int kUsage = 2, kRefused = 1;

void usage() {
    std::puts(
        "usage: caseroom-deck build FILE...|DIR --out DIR [--title T] [--scrub] [--burned-in-ok REASON]\n"
        "                           [--allow-phi REASON] [--names FILE] [--pdf-width N] [--caption FILE=TEXT]...\n"
        "       caseroom-deck inspect DIR | MANIFESTHASH --blobs DIR\n"
        "       caseroom-deck verify DIR\n"
        "       caseroom-deck scrub IN.dcm OUT.dcm\n"
        "       caseroom-deck upload DIR --server HOST:PORT --token-file FILE [--timeout SECONDS]\n"
        "\n"
        "build    makes a deck (docs/DECKS.md): DICOM -> one slide (multi-frame: a cine loop),\n"
        "         PDF -> one slide per page (rasterised), PNG/JPEG -> a photo (metadata removed).\n"
        "         Files in the order given; a DIR's files sorted by name. Writes DIR/blobs (the\n"
        "         manifest and every frame) and DIR/deck (the manifest hash). Prints a report.\n"
        "         A DICOM file holding identifying attributes (PS3.15 Table E.1-1), private tags or\n"
        "         descriptions is refused, listing file, tag and value kind (never the value).\n"
        "  --out DIR             where the deck goes (created if missing)\n"
        "  --title T             the deck's title (default \"Case deck\"); it travels: keep it free of PHI\n"
        "  --scrub               accept such DICOM files; the report lists what was dropped (the deck\n"
        "                        carries only pixels and display parameters)\n"
        "  --burned-in-ok REASON accept Burned In Annotation = YES (or unknown on US, XA, secondary\n"
        "                        capture) after checking the pixels; the reason goes in the report\n"
        "  --allow-phi REASON    accept PHI screen findings (captions, file names, PDF page text, title:\n"
        "                        names, dates, numbers, addresses; see docs/DECKS.md); the reason goes in\n"
        "                        the report. Without it a finding refuses the file, naming the field,\n"
        "                        byte span and kind\n"
        "  --names FILE          people's names for the PHI screen (a roster), one per line\n"
        "  --pdf-width N         PDF page width in pixels (default 2048, 16..16384)\n"
        "  --caption FILE=TEXT   caption for FILE's slide(s) (default \"Slide N\"; file names never travel)\n"
        "inspect  prints a deck's title, slides, sizes, frames, window and blob sizes.\n"
        "verify   checks the manifest, every blob's presence and hash, and that every frame decodes\n"
        "         (PNG/JPEG only) to its declared size and bits. Exit 1 names each problem.\n"
        "scrub    writes a de-identified copy of one DICOM file: identifying attributes removed,\n"
        "         emptied or replaced (UIDs by new ones), private tags removed, Pixel Data byte for\n"
        "         byte. Burned-in text in the pixels is NOT removed.\n"
        "upload   sends a built deck to the server's content store as the token's person (who must be\n"
        "         allowed to upload: not an observer); the server checks it again (every frame decodes\n"
        "         to its declared size, no metadata) and accepts or refuses it. Prints the verdict.\n"
        "\n"
        "exit: 0 done, 1 refused or damaged (the report says why), 2 usage or I/O error.");
}

int fail(const std::string& message, int code = kUsage) {
    std::fprintf(stderr, "caseroom-deck: %s\n", message.c_str());
    return code;
}

core::Result<std::vector<std::uint8_t>> readSmall(const fs::path& path, std::uint64_t max) {
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    if (ec) return core::Error{path.string() + ": " + ec.message()};
    if (size > max) return core::Error{path.string() + ": larger than " + std::to_string(max) + " bytes"};
    std::ifstream in(path, std::ios::binary);
    std::vector<std::uint8_t> b(size);
    if (!in || (size && !in.read(reinterpret_cast<char*>(b.data()), static_cast<std::streamsize>(size))))
        return core::Error{path.string() + ": cannot read"};
    return b;
}

core::Status writeAtomically(const fs::path& path, std::span<const std::uint8_t> bytes) {
    const fs::path tmp = path.string() + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
        out.flush();
        if (!out) return core::Error{tmp.string() + ": write failed"};
    }
    std::error_code ec;
    fs::rename(tmp, path, ec);
    if (ec) return core::Error{path.string() + ": " + ec.message()};
    return {};
}

// DIR/deck -> the manifest hash.
core::Result<media::BlobHash> deckHash(const fs::path& dir) {
    auto b = readSmall(dir / "deck", 1024);
    if (!b) return b.error();
    std::string text(b->begin(), b->end());
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
    auto h = media::BlobHash::fromHex(text);
    if (!h) return core::Error{(dir / "deck").string() + ": not one line of 64 hex digits (a manifest hash)"};
    return *h;
}

int build(const std::vector<std::string>& inputs, const fs::path& out, media::BuildOptions& options) {
    std::vector<fs::path> files;
    for (const auto& in : inputs) {
        std::error_code ec;
        if (fs::is_directory(in, ec)) {
            auto listed = media::listDeckInputs(in);
            if (!listed) return fail(listed.error().message);
            files.insert(files.end(), listed->begin(), listed->end());
        } else {
            files.emplace_back(in);
        }
    }
    if (files.empty()) return fail("build: no input files (see --help)");
    std::error_code ec;
    fs::create_directories(out, ec);
    if (ec) return fail(out.string() + ": " + ec.message());
    auto store = media::BlobStore::open(out / "blobs");
    if (!store) return fail(store.error().message);
    randombytes_buf(options.scrubOptions.uidKey.data(), options.scrubOptions.uidKey.size());
    auto result = media::buildDeck(files, options, *store);
    if (!result) return fail(result.error().message);
    std::size_t refused = 0;
    for (const auto& f : result->files) {
        std::printf("%s (%s): %s\n", f.source.c_str(), f.format.c_str(),
                    f.refused() ? "REFUSED"
                                : (f.slides == 1 ? "slide " + std::to_string(f.firstSlide)
                                                 : "slides " + std::to_string(f.firstSlide) + "-" +
                                                       std::to_string(f.firstSlide + f.slides - 1))
                                      .c_str());
        for (const auto& r : f.refusals) std::printf("  refused: %s\n", r.c_str());
        for (const auto& s : f.scrubbed) std::printf("  scrubbed (not in the deck): %s\n", s.c_str());
        for (const auto& s : f.stripped) std::printf("  metadata: %s\n", s.c_str());
        for (const auto& n : f.notes) std::printf("  note: %s\n", n.c_str());
        refused += f.refused() ? 1 : 0;
    }
    for (const auto& n : result->notes) std::printf("note: %s\n", n.c_str());
    if (refused) {
        std::printf("deck not written: %zu of %zu files refused\n", refused, result->files.size());
        return kRefused;
    }
    if (!result->ok()) {
        std::printf("deck not written: %s\n", result->error.c_str());
        return kRefused;
    }
    const std::string line = result->manifestHash->hex() + "\n";
    if (auto st = writeAtomically(out / "deck", std::span(reinterpret_cast<const std::uint8_t*>(line.data()), line.size())); !st)
        return fail(st.error().message);
    std::printf("deck %s: %zu slides, %zu blobs, written to %s\n", result->manifestHash->hex().c_str(),
                result->manifest.slides.size(), result->manifest.blobs().size() + 1, out.string().c_str());
    return 0;
}

int inspect(const media::BlobStore& store, const media::BlobHash& hash) {
    auto bytes = store.read(hash, media::kMaxManifestBytes);
    if (!bytes) return fail(bytes.error().message, kRefused);
    auto m = media::parseManifest(*bytes, store.pathOf(hash).string());
    if (!m) return fail(m.error().message, kRefused);
    std::printf("deck %s\ntitle: %s\nslides: %zu\nmanifest: %zu bytes\n", hash.hex().c_str(), m->title.c_str(),
                m->slides.size(), bytes->size());
    std::uint64_t total = bytes->size(); // manifest + each distinct blob once (what a client fetches)
    for (const auto& b : m->blobs()) total += store.size(b).value_or(0);
    for (std::size_t i = 0; i < m->slides.size(); ++i) {
        const auto& s = m->slides[i];
        std::uint64_t sum = 0;
        for (const auto& f : s.frames) sum += store.size(f).value_or(0);
        std::printf("slide %zu: %s %ux%u, %u-bit %s%s, %zu frame%s", i + 1, media::toString(s.kind), s.width, s.height,
                    s.bits, media::toString(s.photometric), s.isSigned ? " signed" : "", s.frames.size(),
                    s.frames.size() == 1 ? "" : "s");
        if (s.frameRateHz > 0) std::printf(" at %g Hz", s.frameRateHz);
        if (s.kind == media::SlideKind::Dicom) std::printf(", rescale %g x + %g", s.rescaleSlope, s.rescaleIntercept);
        if (s.window) std::printf(", window %g/%g", s.window->centre, s.window->width);
        std::printf(", %llu bytes\n  caption: %s\n", static_cast<unsigned long long>(sum), s.caption.c_str());
        for (std::size_t f = 0; f < s.frames.size() && f < 8; ++f) {
            const auto size = store.size(s.frames[f]);
            std::printf("  frame %zu: %s %s\n", f + 1, s.frames[f].shortHex().c_str(),
                        size ? (std::to_string(*size) + " bytes").c_str() : "MISSING");
        }
        if (s.frames.size() > 8) std::printf("  ... %zu more frames\n", s.frames.size() - 8);
    }
    std::printf("total: %llu bytes in %zu blobs (manifest and distinct frames)\n", static_cast<unsigned long long>(total),
                m->blobs().size() + 1);
    return 0;
}

int verify(const fs::path& dir) {
    auto hash = deckHash(dir);
    if (!hash) return fail(hash.error().message, kRefused);
    auto store = media::BlobStore::open(dir / "blobs");
    if (!store) return fail(store.error().message, kRefused);
    std::vector<std::string> problems;
    auto bytes = store->read(*hash, media::kMaxManifestBytes);
    if (!bytes) return fail("manifest: " + bytes.error().message, kRefused);
    auto m = media::parseManifest(*bytes, store->pathOf(*hash).string());
    if (!m) return fail(m.error().message, kRefused);
    std::size_t frames = 0;
    for (std::size_t i = 0; i < m->slides.size(); ++i) {
        const auto& s = m->slides[i];
        for (std::size_t f = 0; f < s.frames.size(); ++f) {
            ++frames;
            const std::string where = "slide " + std::to_string(i + 1) + " frame " + std::to_string(f + 1) + " (blob " +
                                      s.frames[f].hex() + ")";
            if (!store->has(s.frames[f])) { problems.push_back(where + ": missing: " + store->pathOf(s.frames[f]).string()); continue; }
            auto blob = store->read(s.frames[f]);
            if (!blob) { problems.push_back(where + ": " + blob.error().message); continue; }
            auto img = media::decodeRaster(*blob, store->pathOf(s.frames[f]).string());
            if (!img) { problems.push_back(where + ": " + img.error().message); continue; }
            if (img->width != s.width || img->height != s.height || img->bits != s.bits ||
                img->samplesPerPixel != s.samplesPerPixel)
                problems.push_back(where + ": decodes to " + std::to_string(img->width) + "x" + std::to_string(img->height) +
                                   " " + std::to_string(img->bits) + "-bit x" + std::to_string(img->samplesPerPixel) +
                                   ", the manifest says " + std::to_string(s.width) + "x" + std::to_string(s.height) + " " +
                                   std::to_string(s.bits) + "-bit x" + std::to_string(s.samplesPerPixel));
        }
    }
    for (const auto& p : problems) std::printf("%s\n", p.c_str());
    if (!problems.empty()) {
        std::printf("deck %s: %zu problem(s) in %zu frames\n", hash->hex().c_str(), problems.size(), frames);
        return kRefused;
    }
    std::printf("deck %s: ok, %zu slides, %zu frames verified\n", hash->hex().c_str(), m->slides.size(), frames);
    return 0;
}

int scrub(const fs::path& in, const fs::path& out) {
    auto bytes = readSmall(in, media::DecodeLimits{}.maxBytes);
    if (!bytes) return fail(bytes.error().message);
    media::ScrubOptions options;
    randombytes_buf(options.uidKey.data(), options.uidKey.size());
    auto scrubbed = media::scrubDicom(*bytes, in.string(), options);
    if (!scrubbed) return fail(scrubbed.error().message, kRefused);
    if (auto st = writeAtomically(out, scrubbed->bytes); !st) return fail(st.error().message);
    for (const auto& a : scrubbed->actions) std::printf("%s: %s\n", in.string().c_str(), a.c_str());
    auto check = media::screenDicom(scrubbed->bytes, out.string());
    if (check && check->burnedInRefused())
        std::printf("warning: %s: %s; scrub does not edit pixels\n", out.string().c_str(), check->burnedInWhy().c_str());
    std::printf("wrote %s (%zu changes)\n", out.string().c_str(), scrubbed->actions.size());
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    if (sodium_init() < 0) return fail("libsodium failed to initialise");
    core::cli::Args args(argc, argv);
    std::string command;
    std::vector<std::string> positional;
    fs::path out, blobs;
    std::string server, tokenFile;
    double timeout = 600.0;
    media::BuildOptions options;
    while (args.next()) {
        const std::string_view flag = args.flag();
        if (flag == "--help" || flag == "-h") { usage(); return 0; }
        if (flag == "--scrub") { options.scrub = true; continue; }
        if (flag == "--out" || flag == "--title" || flag == "--burned-in-ok" || flag == "--pdf-width" ||
            flag == "--caption" || flag == "--allow-phi" || flag == "--names" || flag == "--blobs" || flag == "--server" || flag == "--token-file" || flag == "--timeout") {
            auto v = args.value();
            if (!v) return fail(v.error().message);
            if (flag == "--out") out = *v;
            else if (flag == "--server") server = *v;
            else if (flag == "--token-file") tokenFile = *v;
            else if (flag == "--timeout") {
                auto n = core::cli::parseInt("--timeout", *v, 1, 86400);
                if (!n) return fail(n.error().message);
                timeout = static_cast<double>(*n);
            }
            else if (flag == "--blobs") blobs = *v;
            else if (flag == "--title") options.title = *v;
            else if (flag == "--allow-phi") {
                if (v->empty()) return fail("--allow-phi needs a reason");
                options.allowPhi = *v;
            } else if (flag == "--names") {
                auto b = readSmall(*v, 16u << 20);
                if (!b) return fail(b.error().message);
                std::string line;
                for (std::size_t i = 0; i <= b->size(); ++i) {
                    if (i == b->size() || (*b)[i] == '\n') {
                        while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
                        if (!line.empty() && line[0] != '#') options.knownNames.push_back(line);
                        line.clear();
                    } else {
                        line += static_cast<char>((*b)[i]);
                    }
                }
            } else if (flag == "--burned-in-ok") {
                if (v->empty()) return fail("--burned-in-ok needs a reason");
                options.burnedInOk = *v;
            } else if (flag == "--pdf-width") {
                auto n = core::cli::parseInt("--pdf-width", *v, 16, media::kMaxPdfWidthPx);
                if (!n) return fail(n.error().message);
                options.pdfWidthPx = static_cast<std::uint32_t>(*n);
            } else {
                const auto eq = v->find('=');
                if (eq == std::string::npos || eq == 0) return fail("--caption wants FILE=TEXT, got '" + *v + "'");
                options.captions.emplace_back(v->substr(0, eq), v->substr(eq + 1));
            }
            continue;
        }
        if (!flag.empty() && flag[0] == '-') return fail("unknown option '" + std::string(flag) + "' (see --help)");
        if (command.empty()) command = flag;
        else positional.emplace_back(flag);
    }
    if (command == "build") {
        if (out.empty()) return fail("build needs --out DIR (see --help)");
        if (positional.empty()) return fail("build needs files or a directory (see --help)");
        return build(positional, out, options);
    }
    if (command == "inspect") {
        if (positional.size() != 1) return fail("inspect takes one DIR or MANIFESTHASH (see --help)");
        if (auto h = media::BlobHash::fromHex(positional[0])) {
            if (blobs.empty()) return fail("inspect MANIFESTHASH needs --blobs DIR");
            auto store = media::BlobStore::open(blobs);
            if (!store) return fail(store.error().message);
            return inspect(*store, *h);
        }
        auto h = deckHash(positional[0]);
        if (!h) return fail(h.error().message);
        auto store = media::BlobStore::open(fs::path(positional[0]) / "blobs");
        if (!store) return fail(store.error().message);
        return inspect(*store, *h);
    }
    if (command == "verify") {
        if (positional.size() != 1) return fail("verify takes one DIR (see --help)");
        return verify(positional[0]);
    }
    if (command == "scrub") {
        if (positional.size() != 2) return fail("scrub takes IN.dcm OUT.dcm (see --help)");
        return scrub(positional[0], positional[1]);
    }
    if (command == "upload") {
        if (positional.size() != 1) return fail("upload takes one DIR (see --help)");
        if (server.empty() || tokenFile.empty()) return fail("upload needs --server HOST:PORT and --token-file FILE");
        return tools::uploadDeck(positional[0], server, tokenFile, timeout);
    }
    if (command.empty()) { usage(); return kUsage; }
    return fail("unknown command '" + command + "' (build, inspect, verify, scrub or upload; see --help)");
}
