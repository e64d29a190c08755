// Deck delivery benchmark (not a test; numbers go to BENCHMARKS.md
// "## Content delivery"): the real server core over the secure transport on
// 127.0.0.1 (ENet, sealed), N secure clients with cold caches fetching a deck
// of S random blobs of 50..300 KB (slide-sized) from the server's content
// store. Measured per run: wall time from the first want() to every client
// holding every blob verified; server uplink as payload bytes handed to the
// transport (per channel) and as the link scheduler's wire estimate (payload
// + 70 bytes of sealing, ENet and UDP/IPv4 per message). One thread runs the
// server and every client, as one loop (the server's own loop is the same).
// Usage: caseroom_bench_content [clients 50] [slides 40] [link kbit/s 2000] [runs 3]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/cli.h"
#include "core/percentile.h"
#include "core/rng.h"
#include "media/blob.h"
#include "net/secure/secure_transport.h"
#include "session/client_session.h"
#include "session/content_store.h"
#include "session/server_host.h"
#include "temp_dir.h"

using namespace caseroom;

namespace {
struct Run {
    double seconds = 0;
    std::uint64_t mediaPayload = 0, allPayload = 0, wireEstimate = 0, deckBytes = 0;
    bool ok = false;
};

Run runOnce(int clients, int slides, double linkKbps, std::uint64_t seed) {
    Run out;
    testing::TempDir tmp;
    auto store = session::ContentStore::open(tmp.path / "content");
    if (!store) { std::fprintf(stderr, "%s\n", store.error().message.c_str()); return out; }
    core::Rng rng(seed);
    std::vector<core::ContentHash> deck;
    for (int i = 0; i < slides; ++i) {
        std::vector<std::uint8_t> b(50'000 + rng.below(250'001));
        for (auto& x : b) x = static_cast<std::uint8_t>(rng.below(256));
        auto h = store->blobs().put(b);
        if (!h || !store->allow(*h)) return out;
        deck.push_back(*h);
        out.deckBytes += b.size();
    }

    net::secure::SystemRandom random;
    net::secure::Key secret{};
    random.fill(secret);
    net::secure::SecureServerDesc d;
    d.enet.bind = {"127.0.0.1", 0};
    d.enet.maxPeers = static_cast<std::uint32_t>(clients + 8);
    d.enet.maxPeersPerAddress = static_cast<std::uint32_t>(clients + 8);
    d.maxPeersPerAddress = static_cast<std::uint32_t>(clients + 8);
    d.keys = net::secure::Keyring(secret);
    d.unixClock = core::cli::unixSecondsNow;
    d.handshake.roomHosted = [](std::string_view room) { return room == "demo"; };
    auto serverT = net::secure::SecureTransport::createServer(std::move(d), random);
    if (!serverT) { std::fprintf(stderr, "%s\n", serverT.error().message.c_str()); return out; }
    session::ServerConfig cfg;
    cfg.content = &*store;
    cfg.link.defaultBytesPerSecond = linkKbps * 1000.0 / 8.0;
    session::ServerHost server(**serverT, cfg);
    const net::Address address{"127.0.0.1", (*serverT)->boundPort()};

    const auto t0 = std::chrono::steady_clock::now();
    auto now = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
    std::vector<std::unique_ptr<net::secure::SecureTransport>> transports;
    std::vector<std::unique_ptr<session::ClientSession>> sessions;
    for (int i = 0; i < clients; ++i) {
        net::secure::MintDesc m;
        m.userId = 1000 + static_cast<std::uint64_t>(i);
        m.displayName = "Spoke " + std::to_string(i);
        m.roomCode = "demo";
        m.nowUnix = core::cli::unixSecondsNow();
        auto token = net::secure::mintToken(m, secret, random);
        if (!token) { std::fprintf(stderr, "%s\n", token.error().message.c_str()); return out; }
        auto t = net::secure::SecureTransport::createClient(*token, random);
        if (!t) { std::fprintf(stderr, "%s\n", t.error().message.c_str()); return out; }
        transports.push_back(std::move(*t));
        session::ClientDesc cd;
        cd.displayName = m.displayName;
        cd.blobCacheDir = tmp.path / ("cache-" + std::to_string(i));
        sessions.push_back(std::make_unique<session::ClientSession>(*transports.back(), cd));
        sessions.back()->connect(address, now());
    }
    auto step = [&] {
        const double t = now();
        for (auto& s : sessions) s->update(t);
        server.update(t);
        (*serverT)->wait(0.0005);
    };
    const double joinBy = now() + 30;
    auto joined = [&] {
        for (auto& s : sessions)
            if (s->state() != session::ClientState::InRoom) return false;
        return true;
    };
    while (now() < joinBy && !joined()) step();
    if (!joined()) { std::fprintf(stderr, "not every client joined\n"); return out; }
    for (int i = 0; i < 30; ++i) step(); // settle
    const session::LinkCounters before = server.links().counters();
    std::uint64_t payloadBefore = 0;
    for (std::size_t c = 0; c < before.bytes.size(); ++c) payloadBefore += before.bytes[c] - before.messages[c] * cfg.link.wireOverheadBytes;

    const double start = now();
    for (auto& s : sessions)
        for (const auto& h : deck) s->fetcher().want(h);
    auto done = [&] {
        for (auto& s : sessions)
            if (!s->fetcher().complete()) return false;
        return true;
    };
    const double giveUp = start + 600;
    while (now() < giveUp && !done()) step();
    out.seconds = now() - start;
    out.ok = done();
    const session::LinkCounters& after = server.links().counters();
    const auto cls = [](session::TrafficClass c) { return static_cast<std::size_t>(c); };
    const std::size_t media = cls(session::TrafficClass::Media);
    out.mediaPayload = (after.bytes[media] - before.bytes[media]) - (after.messages[media] - before.messages[media]) * cfg.link.wireOverheadBytes;
    std::uint64_t payloadAfter = 0;
    for (std::size_t c = 0; c < after.bytes.size(); ++c) {
        payloadAfter += after.bytes[c] - after.messages[c] * cfg.link.wireOverheadBytes;
        out.wireEstimate += after.bytes[c] - before.bytes[c];
    }
    out.allPayload = payloadAfter - payloadBefore;
    for (auto& s : sessions) s->leave();
    for (int i = 0; i < 20; ++i) step();
    return out;
}
} // namespace

int main(int argc, char** argv) {
    const int clients = argc > 1 ? std::atoi(argv[1]) : 50;
    const int slides = argc > 2 ? std::atoi(argv[2]) : 40;
    const double kbps = argc > 3 ? std::atof(argv[3]) : 2000.0;
    const int runs = argc > 4 ? std::atoi(argv[4]) : 3;
    if (clients < 1 || clients > 200 || slides < 1 || slides > 512 || kbps < 64 || runs < 1) {
        std::fprintf(stderr, "usage: caseroom_bench_content [clients 1..200] [slides 1..512] [link kbit/s >= 64] [runs >= 1]\n");
        return 2;
    }
    if (!net::secure::initCrypto()) return 1;
    std::vector<double> seconds;
    Run last;
    for (int r = 0; r < runs; ++r) {
        const Run run = runOnce(clients, slides, kbps, 40); // the same deck every run: the spread is timing
        if (!run.ok) { std::fprintf(stderr, "run %d did not complete\n", r); return 1; }
        std::printf("run %d: %.2f s; deck %.2f MB; server uplink payload %.1f MB (media %.1f MB, %.3f x clients x deck), wire estimate %.1f MB\n", r,
                    run.seconds, static_cast<double>(run.deckBytes) / 1e6, static_cast<double>(run.allPayload) / 1e6,
                    static_cast<double>(run.mediaPayload) / 1e6,
                    static_cast<double>(run.mediaPayload) / (static_cast<double>(run.deckBytes) * clients), static_cast<double>(run.wireEstimate) / 1e6);
        std::fflush(stdout);
        seconds.push_back(run.seconds);
        last = run;
    }
    const double median = core::percentileInPlace(seconds, 0.5), lo = core::percentileInPlace(seconds, 0.0), hi = core::percentileInPlace(seconds, 1.0);
    const double ideal = static_cast<double>(last.deckBytes) / (kbps * 1000.0 / 8.0);
    std::printf("%d clients, %d slides, %.0f kbit/s per client: median %.2f s (min %.2f, max %.2f) over %d runs; the link alone needs %.2f s\n", clients,
                slides, kbps, median, lo, hi, runs, ideal);
    return 0;
}
