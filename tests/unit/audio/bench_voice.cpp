// Client CPU time to mix N spatialized voices into one 10 ms stereo block
// (Mixer::render, the audio callback's whole job), for N = 6, 16, 32.
// Voices sit around a case table and beyond (the farther ones in cheap mode),
// ambience on, parameters refreshed every 10 blocks as heads move.
// Prints median, 10th/90th percentile and maximum per block, in microseconds
// of thread CPU time. For context it also times the other per-10 ms client
// work off the callback: the capture chain (speexdsp AEC + NS + AGC, VAD,
// Opus encode) and one voice's receive path (jitter buffer + Opus decode).
// Then the callback as the client runs it: N packet-fed voices, each jitter
// buffer decoding its Opus frames inside render(). Last, the server's
// forwarding decision (VoiceRouter::route) in packets per second on one core.
// Usage: caseroom_bench_voice [blocks per run, default 3000]
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include "audio/capture.h"
#include "audio/jitter_buffer.h"
#include "audio/mixer.h"
#include "core/cli.h"
#include "sim/voice_router.h"

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

void report(const char* what, std::vector<double>& times) {
    std::sort(times.begin(), times.end());
    const auto at = [&](double q) { return times[static_cast<std::size_t>(q * static_cast<double>(times.size() - 1))]; };
    std::printf("%-44s median %7.1f us  p10 %7.1f  p90 %7.1f  max %7.1f\n", what, at(0.5), at(0.1), at(0.9), times.back());
}

std::vector<float> voicedSignal(std::size_t n) {
    std::vector<float> x(n);
    for (std::size_t i = 0; i < n; ++i) {
        const float t = static_cast<float>(i) / kSampleRate;
        const float env = 0.5f + 0.5f * std::sin(6.0f * t);
        x[i] = 0.2f * env * (std::sin(2.0f * 3.14159f * 140.0f * t) + 0.5f * std::sin(2.0f * 3.14159f * 700.0f * t) +
                             0.25f * std::sin(2.0f * 3.14159f * 2400.0f * t));
    }
    return x;
}

void benchCaptureAndReceive(int blocks) {
    const auto mic = voicedSignal(kBlockSamples * 200);
    auto proc = createSpeexProcessor({});
    auto enc = createOpusEncoder({});
    auto dec = createOpusDecoder();
    if (!proc || !enc || !dec) { std::printf("codec/processor creation failed\n"); return; }
    CaptureConfig cc;
    cc.mode = MicMode::PushToTalk;
    VoiceCapture capture(cc, std::move(*proc), std::move(*enc));
    capture.setPushToTalk(true);
    JitterBuffer jb(std::move(*dec));
    std::vector<float> far(kBlockSamples), block(kBlockSamples);
    for (std::size_t i = 0; i < far.size(); ++i) far[i] = 0.3f * mic[(i * 3) % mic.size()];
    std::vector<double> capT, recvT;
    VoicePacket pkt;
    for (int b = 0; b < blocks + 100; ++b) {
        const std::size_t at = (static_cast<std::size_t>(b) % 200) * kBlockSamples;
        const double now = b * 0.01;
        const double t0 = cpuMicros();
        const bool sent = capture.processBlock(std::span<const float>(mic.data() + at, kBlockSamples), far, pkt);
        const double t1 = cpuMicros();
        if (sent) jb.push(pkt, now);
        jb.pull(now, block);
        const double t2 = cpuMicros();
        if (b >= 100) {
            capT.push_back(t1 - t0);
            recvT.push_back(t2 - t1);
        }
    }
    report("capture chain per 10 ms (AEC+NS+AGC, encode)", capT);
    report("one voice's receive per 10 ms (jitter, decode)", recvT);
}

void runDecoding(std::uint32_t voices, int blocks) {
    MixerConfig mc;
    mc.maxVoices = voices;
    Mixer mixer(mc, [] { return std::move(*createOpusDecoder()); });
    EncoderConfig ec;
    ec.dtx = false;
    // Pre-encode 2 s of a voiced signal once; every voice replays it.
    const auto pcm = voicedSignal(kSampleRate * 2);
    auto enc = createOpusEncoder(ec);
    if (!enc) return;
    std::vector<VoicePacket> packets;
    for (std::size_t at = 0; at + kMaxFrameSamples <= pcm.size(); at += kMaxFrameSamples) {
        VoicePacket p;
        auto n = (*enc)->encode(std::span<const float>(pcm.data() + at, kMaxFrameSamples), p.bytes);
        if (!n) return;
        p.size = static_cast<std::uint16_t>(*n);
        packets.push_back(p);
    }
    for (std::uint32_t v = 0; v < voices; ++v) {
        const float angle = static_cast<float>(v) * 2.399963f;
        const float dist = 1.2f + 14.0f * static_cast<float>(v) / static_cast<float>(voices);
        mixer.attach(v, computeSpatialParams({}, {dist * std::sin(angle), 0.0f, -dist * std::cos(angle)}, {}),
                     static_cast<std::uint16_t>(v));
    }
    std::vector<float> stereo(2 * kBlockSamples);
    std::vector<double> times;
    for (int b = 0; b < blocks + 100; ++b) {
        if (b % 2 == 0) {
            for (std::uint32_t v = 0; v < voices; ++v) {
                VoicePacket p = packets[static_cast<std::size_t>(b / 2 + static_cast<int>(v)) % packets.size()];
                p.speaker = static_cast<std::uint16_t>(v);
                p.sequence = static_cast<std::uint16_t>(b / 2);
                mixer.pushPacket(v, p, mixer.deviceTime());
            }
        }
        const double t0 = cpuMicros();
        mixer.render(stereo);
        const double t1 = cpuMicros();
        if (b >= 100) times.push_back(t1 - t0);
    }
    char what[96];
    std::snprintf(what, sizeof what, "callback, %2u packet-fed voices (decode+mix)", voices);
    report(what, times);
}

void benchRouter() {
    for (const std::uint16_t people : {std::uint16_t{30}, std::uint16_t{200}}) {
        caseroom::sim::RouterConfig rc;
        caseroom::sim::VoiceRouter router(rc);
        for (std::uint16_t id = 1; id <= people; ++id) {
            const float a = static_cast<float>(id) * 0.7f;
            const float r = 2.0f + static_cast<float>(id % 10);
            router.upsert(id, {r * std::sin(a), 1.2f, r * std::cos(a)}, id <= 3);
        }
        std::vector<std::uint16_t> out(people);
        const int frames = people > 100 ? 500 : 2000;
        std::uint64_t copies = 0;
        const double t0 = cpuMicros();
        for (int f = 0; f < frames; ++f)
            for (std::uint16_t s = 1; s <= 20; ++s) // 20 people talking at once
                copies += router.route(s, static_cast<std::uint8_t>(180 + (f * 7 + s * 13) % 60), f * 0.02 + s * 1e-4, out);
        const double secs = (cpuMicros() - t0) / 1e6;
        const double packets = static_cast<double>(frames) * 20;
        std::printf("router, %3u people, 20 talking: %9.0f packets/s per core (%.2f us each), %.1f copies per packet\n",
                    people, packets / secs, secs * 1e6 / packets, static_cast<double>(copies) / packets);
    }
}

} // namespace

int main(int argc, char** argv) {
    const std::string first = argc > 1 ? argv[1] : "";
    if (first == "--help" || first == "-h") {
        std::puts("usage: caseroom_bench_voice [BLOCKS]\n"
                  "\n"
                  "Client voice CPU costs (a benchmark, not a test; numbers go to BENCHMARKS.md):\n"
                  "mixing 6/16/32 spatialized voices per 10 ms block, the capture chain, one voice's\n"
                  "receive path, packet-fed voices decoding in the callback, and the server's\n"
                  "forwarding decision.\n"
                  "\n"
                  "  BLOCKS   10 ms blocks per run, 100..10000000 (default 3000)\n"
                  "  --help   this text");
        return 0;
    }
    if (argc > 2) { std::fprintf(stderr, "caseroom_bench_voice: one argument at most (see --help)\n"); return 2; }
    int blocks = 3000;
    if (argc > 1) {
        auto n = caseroom::core::cli::parseInt("BLOCKS", first, 100, 10000000);
        if (!n) { std::fprintf(stderr, "caseroom_bench_voice: %s (see --help)\n", n.error().message.c_str()); return 2; }
        blocks = static_cast<int>(*n);
    }
    for (std::uint32_t n : {6u, 16u, 32u}) run(n, blocks);
    benchCaptureAndReceive(blocks);
    for (std::uint32_t n : {6u, 16u, 32u}) runDecoding(n, blocks);
    benchRouter();
    return 0;
}
