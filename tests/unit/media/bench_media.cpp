// Decode cost (not a test): caseroom_bench_media [runs]
// A 512x512 signed 16-bit CT-like slice in each transfer syntax (made with
// gdcm::ImageWriter and GDCM's encoders), decoded by media::decodeImage;
// and one PDF page rasterised at 1024 px. Prints the median of `runs`.
#include "fixtures.h"
#include "media/image.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

using namespace caseroom::media;
using namespace caseroom::media::testkit;

namespace {

template <typename F>
double medianMs(int runs, F&& f) {
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
    return ms[ms.size() / 2];
}

} // namespace

int main(int argc, char** argv) {
    const int runs = argc > 1 ? std::max(1, std::atoi(argv[1])) : 21;
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
    std::printf("runs %d (median)\n", runs);
    const std::pair<const char*, const char*> syntaxes[] = {
        {"explicit VR little endian", "1.2.840.10008.1.2.1"}, {"JPEG lossless SV1", "1.2.840.10008.1.2.4.70"},
        {"JPEG-LS lossless", "1.2.840.10008.1.2.4.80"},       {"JPEG 2000 lossless", "1.2.840.10008.1.2.4.90"},
        {"RLE", "1.2.840.10008.1.2.5"}};
    for (const auto& [name, uid] : syntaxes) {
        const Bytes file = std::string(uid) == "1.2.840.10008.1.2.1" ? raw : convertDicom(raw, uid);
        const double ms = medianMs(runs, [&] { return decodeImage(file, "bench.dcm").ok(); });
        std::printf("%-28s %8zu bytes  %8.2f ms\n", name, file.size(), ms);
    }
    const Bytes pdf = makePdf({PdfPage{}});
    const double ms = medianMs(runs, [&] { return rasterisePdfPage(pdf, "bench.pdf", 0, 1024).ok(); });
    std::printf("%-28s %8zu bytes  %8.2f ms (1024 px wide)\n", "PDF page", pdf.size(), ms);
    return 0;
}
