// Decode cost (not a test): caseroom_bench_media [runs]
// A 512x512 signed 16-bit CT-like slice in each transfer syntax (made with
// gdcm::ImageWriter and GDCM's encoders), decoded by media::decodeImage;
// and one PDF page rasterised at 1024 px. Prints the median of `runs`.
#include "fixtures.h"
#include "media/image.h"

#include <algorithm>
#include <chrono>
#include <string>

#include "core/cli.h"
#include <cstdio>
#include <cstdlib>
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
        std::puts("usage: caseroom_bench_media [RUNS]\n\nDecode time of one 512x512 16-bit slice per transfer syntax and of one PDF page\n"
                  "at 1024 px; prints the median and range of RUNS runs (1..1000, default 21).");
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
    return 0;
}
