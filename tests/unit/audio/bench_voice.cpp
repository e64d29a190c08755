// Client CPU time to mix N spatialized voices into one 10 ms stereo block
// (Mixer::render, the audio callback's whole job), for N = 6, 16, 32.
// Voices sit around a case table and beyond (the farther ones in cheap mode),
// ambience on, parameters refreshed every 10 blocks as heads move.
// Prints median, 10th/90th percentile and maximum per block, in microseconds
// of thread CPU time. Usage: caseroom_bench_voice [blocks per run, default 3000]
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <vector>

#include "audio/mixer.h"

using namespace caseroom::audio;

namespace {

double cpuMicros() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

void run(std::uint32_t voices, int blocks) {
    MixerConfig mc;
    mc.maxVoices = voices;
    Mixer mixer(mc);
    std::vector<float> speech(kBlockSamples * 64), stereo(2 * kBlockSamples);
    std::uint32_t seed = 12345;
    for (auto& s : speech) {
        seed = seed * 1664525u + 1013904223u;
        s = 0.2f * (static_cast<float>(seed >> 8) / 16777216.0f - 0.5f);
    }
    auto place = [&](std::uint32_t v, int step, bool wasCheap) {
        const float angle = static_cast<float>(v) * 2.399963f + static_cast<float>(step) * 0.01f; // golden angle
        const float dist = 1.2f + 14.0f * static_cast<float>(v) / static_cast<float>(voices);
        return computeSpatialParams({}, {dist * std::sin(angle), 0.0f, -dist * std::cos(angle)}, {}, wasCheap);
    };
    std::vector<SpatialParams> params(voices);
    for (std::uint32_t v = 0; v < voices; ++v) {
        params[v] = place(v, 0, false);
        mixer.attach(v, params[v]);
    }
    std::vector<double> times;
    times.reserve(static_cast<std::size_t>(blocks));
    for (int b = 0; b < blocks + 100; ++b) {
        for (std::uint32_t v = 0; v < voices; ++v) {
            const std::size_t at = ((static_cast<std::size_t>(b) + v * 7) % 64) * kBlockSamples;
            mixer.pushSamples(v, std::span<const float>(speech.data() + at, kBlockSamples));
            if (b % 10 == 0) {
                params[v] = place(v, b, params[v].cheap);
                mixer.setParams(v, params[v]);
            }
        }
        const double t0 = cpuMicros();
        mixer.render(stereo);
        const double t1 = cpuMicros();
        if (b >= 100) times.push_back(t1 - t0); // after warm-up
    }
    std::sort(times.begin(), times.end());
    std::uint32_t cheap = 0;
    for (const auto& p : params) cheap += p.cheap ? 1 : 0;
    const auto at = [&](double q) { return times[static_cast<std::size_t>(q * static_cast<double>(times.size() - 1))]; };
    std::printf("voices %2u (%2u cheap): median %7.1f us  p10 %7.1f  p90 %7.1f  max %7.1f  (%.2f%% of a 10 ms block)\n",
                voices, cheap, at(0.5), at(0.1), at(0.9), times.back(), at(0.5) / 100.0);
}

} // namespace

int main(int argc, char** argv) {
    const int blocks = argc > 1 ? std::atoi(argv[1]) : 3000;
    for (std::uint32_t n : {6u, 16u, 32u}) run(n, blocks);
    return 0;
}
