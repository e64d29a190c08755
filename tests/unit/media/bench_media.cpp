// Decode cost (not a test): caseroom_bench_media [runs]
// A 512x512 signed 16-bit CT-like slice in each transfer syntax (made with
// gdcm::ImageWriter and GDCM's encoders), decoded by media::decodeImage;
// one PDF page rasterised at 1024 and 2048 px; the deck side: one slice as
// a deck frame (PNG encode, and decodeRaster as clients do) and
// media::buildDeck of 20 such slices (--scrub, into a fresh blob store).
// Prints the median and range of `runs`.
#include "fixtures.h"
#include "media/deck_build.h"
#include "media/image.h"
#include "media/raster.h"

#include <algorithm>
#include <chrono>
#include <string>

#include "core/cli.h"
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

using namespace caseroom::media;
using namespace caseroom::media::testkit;

namespace {

struct Timing {
    double median = 0, min = 0, max = 0;
};

template <typename F>
Timing timeMs(int runs, F&& f) {
    std::vector<double> ms;
    for (int i = 0; i < runs; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        if (!f()) {
            std::fprintf(stderr, "decode failed\n");
            std::exit(1);
        }
        ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    std::sort(ms.begin(), ms.end());
    return {ms[ms.size() / 2], ms.front(), ms.back()};
}

} // namespace

int main(int argc, char** argv) {
    if (argc > 1 && (std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h")) {
        std::puts("usage: caseroom_bench_media [RUNS]\n\nDecode time of one 512x512 16-bit slice per transfer syntax, of one PDF page\n"
                  "at 1024 and 2048 px, a deck frame (PNG encode, decodeRaster) and a 20-slice deck build;\n"
                  "prints the median and range of RUNS runs (1..1000, default 21; deck build at most 5).");
        return 0;
    }
    int runs = 21;
    if (argc > 1) {
        auto n = caseroom::core::cli::parseInt("RUNS", argv[1], 1, 1000);
        if (!n || argc > 2) {
            std::fprintf(stderr, "caseroom_bench_media: RUNS must be one whole number from 1 to 1000 (see --help)\n");
            return 2;
        }
        runs = static_cast<int>(*n);
    }
    DicomSpec s;
    s.width = 512;
    s.height = 512;
    s.slope = 1;
    s.intercept = -1024;
    s.window = Window{40, 400};
    // A smooth body-like disc with noise-free gradients (compresses like CT, roughly).
    for (int y = 0; y < 512; ++y)
        for (int x = 0; x < 512; ++x) {
            const int dx = x - 256, dy = y - 256;
            const bool inside = dx * dx + dy * dy < 200 * 200;
            s.values.push_back(inside ? 1000 + ((x * 3 + y * 5) % 200) : 0);
        }
    const Bytes raw = makeDicom(s);
    std::printf("runs %d: median (min-max)\n", runs);
    const std::pair<const char*, const char*> syntaxes[] = {
        {"explicit VR little endian", "1.2.840.10008.1.2.1"}, {"JPEG lossless SV1", "1.2.840.10008.1.2.4.70"},
        {"JPEG-LS lossless", "1.2.840.10008.1.2.4.80"},       {"JPEG 2000 lossless", "1.2.840.10008.1.2.4.90"},
        {"RLE", "1.2.840.10008.1.2.5"}};
    for (const auto& [name, uid] : syntaxes) {
        const Bytes file = std::string(uid) == "1.2.840.10008.1.2.1" ? raw : convertDicom(raw, uid);
        const Timing t = timeMs(runs, [&] { return decodeImage(file, "bench.dcm").ok(); });
        std::printf("%-28s %8zu bytes  %8.2f ms (%.2f-%.2f)\n", name, file.size(), t.median, t.min, t.max);
    }
    const Bytes pdf = makePdf({PdfPage{}});
    const Timing t = timeMs(runs, [&] { return rasterisePdfPage(pdf, "bench.pdf", 0, 1024).ok(); });
    std::printf("%-28s %8zu bytes  %8.2f ms (%.2f-%.2f; 1024 px wide)\n", "PDF page", pdf.size(), t.median, t.min, t.max);
    const Timing t2 = timeMs(runs, [&] { return rasterisePdfPage(pdf, "bench.pdf", 0, 2048).ok(); });
    std::printf("%-28s %8zu bytes  %8.2f ms (%.2f-%.2f; 2048 px wide)\n", "PDF page", pdf.size(), t2.median, t2.min, t2.max);

    // Deck side.
    auto slice = decodeImage(raw, "bench.dcm");
    if (!slice) return 1;
    Bytes samples(512 * 512 * 2);
    for (std::uint32_t y = 0; y < 512; ++y)
        for (std::uint32_t x = 0; x < 512; ++x) {
            const auto u = static_cast<std::uint16_t>(slice->sample(0, x, y) + 32768);
            std::memcpy(samples.data() + (std::size_t{y} * 512 + x) * 2, &u, 2);
        }
    std::vector<std::uint8_t> frame;
    const Timing enc = timeMs(runs, [&] {
        auto png = encodePng(512, 512, 1, 16, samples);
        if (png) frame = std::move(*png);
        return png.ok();
    });
    std::printf("%-28s %8zu bytes  %8.2f ms (%.2f-%.2f)\n", "deck frame: PNG encode", frame.size(), enc.median, enc.min, enc.max);
    const Timing dec = timeMs(runs, [&] { return decodeRaster(frame, "frame.png").ok(); });
    std::printf("%-28s %8zu bytes  %8.2f ms (%.2f-%.2f)\n", "deck frame: decodeRaster", frame.size(), dec.median, dec.min, dec.max);
    const auto dir = scratchDir("bench_deck");
    std::vector<std::filesystem::path> inputs;
    for (int i = 0; i < 20; ++i) {
        DicomSpec one = s;
        for (auto& v : one.values) v = v == 0 ? 0 : v + i; // 20 different slices
        inputs.push_back(dir / ("slice" + std::to_string(i) + ".dcm"));
        writeAll(inputs.back(), makeDicom(one));
    }
    BuildOptions options;
    options.scrub = true;
    int round = 0;
    const int deckRuns = std::min(runs, 5);
    const Timing build = timeMs(deckRuns, [&] {
        auto store = BlobStore::open(dir / ("blobs" + std::to_string(round++)));
        if (!store) return false;
        auto r = buildDeck(inputs, options, *store);
        return r.ok() && r->ok();
    });
    std::printf("%-28s %8d files  %8.2f ms (%.2f-%.2f; %d runs)\n", "deck build, 20 CT slices", 20, build.median, build.min,
                build.max, deckRuns);
    std::filesystem::remove_all(dir);
    return 0;
}
