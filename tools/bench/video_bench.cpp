// caseroom-bench-video: VP8 encode and decode CPU per frame at each use's
// profile (media/vp8.h), one thread each, and the quality at that rate
// (mean luma PSNR), on two contents: the test pattern (easy: far under any
// profile's rate) and the pattern with +-20 luma noise (hard: the encoder
// spends its whole rate, like a dim, grainy webcam). Median, p90 and max over the run,
// after one second of warm-up. BENCHMARKS.md "Video".
//   caseroom-bench-video [--seconds S]   (default 10 s of video per profile)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "core/percentile.h"
#include "media/video_frame.h"
#include "media/vp8.h"

using namespace caseroom;

int main(int argc, char** argv) {
    double seconds = 10;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) seconds = std::atof(argv[++i]);
        else {
            std::fprintf(stderr, "usage: caseroom-bench-video [--seconds S]\n");
            return 64;
        }
    }
    if (seconds < 2 || seconds > 600) {
        std::fprintf(stderr, "caseroom-bench-video: --seconds 2..600\n");
        return 64;
    }
    using Clock = std::chrono::steady_clock;
    std::printf("| use | content | size | fps | kbit/s (target, measured) | layers | encode ms median / p90 / max | decode ms median / p90 / max | luma PSNR dB |\n");
    std::printf("|---|---|---|---:|---:|---:|---:|---:|---:|\n");
    for (int run = 0; run < 2 * static_cast<int>(media::VideoUse::Count); ++run) {
        const int u = run / 2;
        const bool noisy = run % 2 == 1;
        const media::VideoProfile& p = media::videoProfile(static_cast<media::VideoUse>(u));
        auto enc = media::Vp8Encoder::create(p);
        auto dec = media::Vp8Decoder::create();
        if (!enc || !dec) {
            std::fprintf(stderr, "caseroom-bench-video: %s\n", (!enc ? enc.error() : dec.error()).message.c_str());
            return 1;
        }
        const auto frames = static_cast<std::uint32_t>(seconds * p.fps);
        std::vector<double> encMs, decMs;
        double psnr = 0;
        int measured = 0;
        std::uint64_t bytes = 0;
        std::vector<media::EncodedFrame> out;
        for (std::uint32_t i = 0; i < frames; ++i) {
            media::I420Frame f = media::testPattern(p.width, p.height, i);
            if (noisy) media::addLumaNoise(f, i);
            f.ptsUs = static_cast<std::uint64_t>(i) * 1000000u / p.fps;
            out.clear();
            const auto t0 = Clock::now();
            if (auto s = (*enc)->encode(f, out); !s) {
                std::fprintf(stderr, "caseroom-bench-video: %s\n", s.error().message.c_str());
                return 1;
            }
            const auto t1 = Clock::now();
            for (const auto& pk : out) {
                const auto t2 = Clock::now();
                auto pic = (*dec)->decode(pk.bytes);
                const auto t3 = Clock::now();
                if (!pic || !pic->has_value()) {
                    std::fprintf(stderr, "caseroom-bench-video: frame %u did not decode\n", i);
                    return 1;
                }
                if (i >= p.fps) {
                    decMs.push_back(std::chrono::duration<double, std::milli>(t3 - t2).count());
                    psnr += media::psnrLuma(**pic, f);
                    ++measured;
                    bytes += pk.bytes.size();
                }
            }
            if (i >= p.fps) encMs.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
        }
        const double kbps = static_cast<double>(bytes) * 8 / 1000.0 / (static_cast<double>(frames - p.fps) / p.fps);
        std::printf("| %s | %s | %ux%u | %u | %u, %.0f | %u | %.2f / %.2f / %.2f | %.2f / %.2f / %.2f | %.1f |\n", media::toString(p.use),
                    noisy ? "pattern + noise" : "pattern", p.width,
                    p.height, p.fps, p.bitrateKbps, kbps, p.temporalLayers, core::percentile(encMs, 0.5), core::percentile(encMs, 0.9),
                    core::percentile(encMs, 1.0), core::percentile(decMs, 0.5), core::percentile(decMs, 0.9), core::percentile(decMs, 1.0),
                    measured ? psnr / measured : 0.0);
    }
    return 0;
}
