// caseroom-bench-video: VP8 encode and decode CPU per frame at each use's
// profile (media/vp8.h), one thread each, and the quality at that rate
// (mean luma PSNR), on two contents: the test pattern (easy: far under any
// profile's rate) and the pattern with +-20 luma noise (hard: the encoder
// spends its whole rate, like a dim, grainy webcam). Median, p90 and max over the run,
// after one second of warm-up. BENCHMARKS.md "Video".
// --forward instead: the server's forwarding cost (see [SECTION] forwarding).
//   caseroom-bench-video [--seconds S]   (default 10 s of video per profile)
//   caseroom-bench-video --forward [--seconds S] [--repeats R]   (default 10 s measured, 5 repeats)
// [SECTION] forwarding  [SECTION] codec  [SECTION] main
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "core/percentile.h"
#include "media/video_frame.h"
#include "media/vp8.h"
#include "net/messages.h"
#include "net/video_numbering.h"
#include "net/video_wire.h"
#include "session/link_scheduler.h"
#include "session/video_host.h"

using namespace caseroom;

namespace {

// [SECTION] forwarding ------------------------------------------------------------------
// One publisher at the presenter profile and N receivers that show it, fed
// the real encoder's frames (pattern + noise: the whole rate spent), cut and
// numbered as VideoClient's publisher does, at their real pace in simulated
// time (frames at the profile's rate, room ticks at 30 Hz). Two paths:
//   host:   VideoHost::onFragment per fragment and VideoHost::tick per tick
//           (the forwarding decisions alone);
//   server: what ServerHost does per video byte (server_host_video.cpp):
//           decodeMessage of each datagram, onFragment, then per receiver
//           LinkScheduler::queueVideo + serveVideo (the send charges the
//           link), and per tick beginTick, VideoHost::tick with the
//           scheduler's allowance and congestion, serveVideo per receiver.
//           The transport's own work (sealing, ENet, the socket) is not in it.
// CPU time of this thread over the measured seconds (after a warm-up in
// which every receiver climbs to the Full tier): per second of stream, per
// forwarded Mbit (the message bytes of the copies sent, without the 70-byte
// datagram overhead; 1 us per Mbit = 0.0001 % of a core per Mbit/s), per
// fragment in and per copy out.

double threadCpuMicros() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

struct SentFrame {
    std::vector<net::VideoFragment> fragments;
    std::vector<std::vector<std::uint8_t>> wire;   // each fragment's VideoFragment message, as the server receives it
};

// `seconds` of the presenter's camera as its publisher sends it (frame numbers, tl0).
bool presenterStream(const media::VideoProfile& p, double seconds, std::vector<SentFrame>& out) {
    auto enc = media::Vp8Encoder::create(p);
    if (!enc) {
        std::fprintf(stderr, "caseroom-bench-video: %s\n", enc.error().message.c_str());
        return false;
    }
    net::VideoFrameNumbering numbering;
    std::vector<media::EncodedFrame> packets;
    const auto count = static_cast<std::uint32_t>(seconds * p.fps);
    for (std::uint32_t i = 0; i < count; ++i) {
        media::I420Frame f = media::testPattern(p.width, p.height, i);
        media::addLumaNoise(f, i);
        f.ptsUs = std::uint64_t{i} * 1000000u / p.fps;
        packets.clear();
        if (!(*enc)->encode(f, packets).ok()) return false;
        for (auto& pk : packets) {
            const net::VideoFrameData d = numbering.next({0, net::VideoKind::Camera}, pk.layer, pk.keyframe, pk.ptsUs, std::move(pk.bytes));
            SentFrame s;
            s.fragments = net::fragmentVideoFrame(d);
            for (const auto& g : s.fragments) s.wire.push_back(net::encodeMessage(net::Message{net::VideoFragmentMsg{g}}));
            out.push_back(std::move(s));
        }
        // A dropped frame (rate control) is a gap in time, not in numbering: keep the pace.
        if (packets.empty()) out.push_back(SentFrame{});
    }
    return true;
}

enum class Path : std::uint8_t { Host, Server };

struct ForwardRun {
    double cpuUs = 0, seconds = 0;
    std::uint64_t fragmentsIn = 0, copies = 0, copyBytes = 0;
    std::uint32_t full = 0;   // receivers on the Full tier at the end
    bool ok = true;
};

ForwardRun forward(const std::vector<SentFrame>& frames, const media::VideoProfile& p, std::uint16_t receivers, Path path,
                   std::size_t warmFrames) {
    session::LinkScheduler links;
    const auto peer = [](std::uint16_t slot) { return core::PeerId{slot}; };
    const double flatAllowance = links.config().defaultBytesPerSecond * links.config().videoShare;
    const bool server = path == Path::Server;
    session::VideoHost host(
        nullptr, [&](std::uint16_t slot) { return server ? links.videoAllowance(peer(slot)) : flatAllowance; },
        [&](std::uint16_t slot) { return server && links.videoCongested(peer(slot)); });
    sim::ClinicActor presenter;
    presenter.id = core::EntityId{0};
    presenter.role = core::Role::Specialist;
    net::VideoPublish pub;
    pub.width = p.width;
    pub.height = p.height;
    pub.fps = p.fps;
    pub.layers = p.temporalLayers;
    ForwardRun run;
    if (host.onPublish(presenter, pub, sim::Phase::CasePresentation, 1)) {
        run.ok = false;
        return run;
    }
    const net::VideoStreamId stream{0, net::VideoKind::Camera};
    for (std::uint16_t r = 1; r <= receivers; ++r) {
        links.addClient(peer(r), 0.0);
        host.onShow(r, net::VideoShow{{stream}});
    }
    std::vector<std::uint16_t> to;
    session::VideoHost::Tick tick;
    std::uint32_t roomTick = 0;
    double nextTick = 0;
    std::uint64_t copies = 0, copyBytes = 0, fragmentsIn = 0;
    const auto serve = [&](std::uint16_t slot, double now) {
        const core::PeerId pr = peer(slot);
        links.serveVideo(pr, now, [&](std::span<const std::uint8_t> b) {
            links.charge(pr, net::Channel::Video, b.size());
            ++copies;
            copyBytes += b.size();
        });
    };
    double cpu0 = 0;
    for (std::size_t i = 0; i < frames.size(); ++i) {
        if (i == warmFrames) {
            copies = copyBytes = fragmentsIn = 0;
            cpu0 = threadCpuMicros();
        }
        const double now = static_cast<double>(i) / p.fps;
        for (; nextTick <= now; nextTick += 1.0 / 30.0) {
            if (server) links.beginTick(nextTick);
            host.tick(nextTick, roomTick++, tick);
            if (server)
                for (std::uint16_t r = 1; r <= receivers; ++r) serve(r, nextTick);
        }
        const SentFrame& f = frames[i];
        for (std::size_t k = 0; k < f.fragments.size(); ++k) {
            ++fragmentsIn;
            if (!server) {
                if (host.onFragment(0, f.fragments[k], now, to) != session::VideoHost::Verdict::Forward) run.ok = false;
                copies += to.size();
                copyBytes += to.size() * f.wire[k].size();
                continue;
            }
            const net::DecodeResult d = net::decodeMessage(f.wire[k], net::Channel::Video);
            const auto* m = d.ok ? std::get_if<net::VideoFragmentMsg>(&d.message) : nullptr;
            if (!m || host.onFragment(0, m->fragment, now, to) != session::VideoHost::Verdict::Forward) {
                run.ok = false;
                continue;
            }
            for (std::uint16_t slot : to)
                if (links.queueVideo(peer(slot), f.wire[k])) serve(slot, now);
        }
    }
    run.cpuUs = threadCpuMicros() - cpu0;
    run.seconds = static_cast<double>(frames.size() - warmFrames) / p.fps;
    run.fragmentsIn = fragmentsIn;
    run.copies = copies;
    run.copyBytes = copyBytes;
    for (std::uint16_t r = 1; r <= receivers; ++r) {
        const auto t = host.tierOf(r, stream);
        if (t && t->tier == net::VideoTier::Full) ++run.full;
    }
    return run;
}

int forwardTable(double seconds, int repeats) {
    const media::VideoProfile& p = media::videoProfile(media::VideoUse::Presenter);
    constexpr double kWarmSeconds = 4;   // tiers climb one layer per upgradeSeconds (1 s) from the base layer
    std::vector<SentFrame> frames;
    if (!presenterStream(p, kWarmSeconds + seconds, frames)) return 1;
    const auto warm = static_cast<std::size_t>(kWarmSeconds * p.fps);
    std::printf("presenter %ux%u at %u fps, %u kbit/s target, %u layers; %.0f s measured after %.0f s warm-up; median [min, max] of %d runs\n\n",
                p.width, p.height, p.fps, p.bitrateKbps, p.temporalLayers, seconds, kWarmSeconds, repeats);
    std::printf("| path | receivers | forwarded Mbit/s | CPU us per s | CPU us per forwarded Mbit | CPU us per fragment in | CPU us per copy out | on Full |\n");
    std::printf("|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (const Path path : {Path::Host, Path::Server}) {
        for (const std::uint16_t n : {std::uint16_t{1}, std::uint16_t{8}, std::uint16_t{24}}) {
            std::vector<double> mbps, cpuShare, perMbps, perIn, perCopy;
            std::uint32_t full = n;
            for (int r = 0; r < repeats; ++r) {
                const ForwardRun run = forward(frames, p, n, path, warm);
                if (!run.ok || run.copies == 0) {
                    std::fprintf(stderr, "caseroom-bench-video: forwarding run failed (a fragment was not forwarded)\n");
                    return 1;
                }
                const double rate = static_cast<double>(run.copyBytes) * 8 / 1e6 / run.seconds;
                const double perSecond = run.cpuUs / run.seconds;
                mbps.push_back(rate);
                cpuShare.push_back(perSecond);
                perMbps.push_back(perSecond / rate);
                perIn.push_back(run.cpuUs / static_cast<double>(run.fragmentsIn));
                perCopy.push_back(run.cpuUs / static_cast<double>(run.copies));
                full = std::min(full, run.full);
            }
            const auto cell = [](const std::vector<double>& v, int digits) {
                char b[96];
                std::snprintf(b, sizeof b, "%.*f [%.*f, %.*f]", digits, core::percentile(v, 0.5), digits, core::percentile(v, 0.0), digits,
                              core::percentile(v, 1.0));
                return std::string(b);
            };
            std::printf("| %s | %u | %.2f | %s | %s | %s | %s | %u of %u |\n", path == Path::Host ? "VideoHost" : "as ServerHost (+ LinkScheduler)", n,
                        core::percentile(mbps, 0.5), cell(cpuShare, 0).c_str(), cell(perMbps, 1).c_str(), cell(perIn, 2).c_str(),
                        cell(perCopy, 3).c_str(), full, n);
        }
    }
    return 0;
}

// [SECTION] codec -----------------------------------------------------------------------

int codecTable(double seconds) {
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

} // namespace

// [SECTION] main ------------------------------------------------------------------------

int main(int argc, char** argv) {
    double seconds = 10;
    int repeats = 5;
    bool forwarding = false;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) seconds = std::atof(argv[++i]);
        else if (std::strcmp(argv[i], "--repeats") == 0 && i + 1 < argc) repeats = std::atoi(argv[++i]);
        else if (std::strcmp(argv[i], "--forward") == 0) forwarding = true;
        else {
            std::fprintf(stderr, "usage: caseroom-bench-video [--seconds S] | --forward [--seconds S] [--repeats R]\n");
            return 64;
        }
    }
    if (seconds < 2 || seconds > 600 || repeats < 1 || repeats > 100) {
        std::fprintf(stderr, "caseroom-bench-video: --seconds 2..600, --repeats 1..100\n");
        return 64;
    }
    return forwarding ? forwardTable(seconds, repeats) : codecTable(seconds);
}
