// caseroom-bench-state: rooms of N bot participants in the clinic motion
// pattern over the loopback transport (simulated time, so the numbers do not
// depend on how fast the clients run), reporting server tick time, state
// bytes per client, bytes per avatar update and the worst staleness.
// Results go to BENCHMARKS.md; this is a benchmark, not a test.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include "net/loopback_transport.h"
#include "net/secure/channel.h"
#include "session/bot_brain.h"
#include "session/client_session.h"
#include "session/server_host.h"

using namespace caseroom;

namespace {
// Benchmark-only: seals and opens every message with the product's
// SecureChannel (one seal per message here, where the real transport seals
// each UDP datagram, often several messages) over the loopback twin, to price encryption at scale. Every
// connection shares one key pair, which is only acceptable because this class
// lives in a benchmark executable and never in the server or client; the real
// transport (SecureTransport) derives fresh keys per connection.
class SealedTransport final : public net::Transport {
public:
    SealedTransport(std::unique_ptr<net::Transport> inner, bool serverSide) : inner_(std::move(inner)), server_(serverSide) {
        for (std::size_t i = 0; i < kA.size(); ++i) { kA[i] = static_cast<std::uint8_t>(i); kB[i] = static_cast<std::uint8_t>(255 - i); }
    }
    core::PeerId connect(const net::Address& to) override { return inner_->connect(to); }
    bool send(core::PeerId peer, net::Channel ch, std::span<const std::uint8_t> data, bool reliable) override {
        if (!channel(peer).seal(data, scratch_)) return false;
        return inner_->send(peer, ch, scratch_, reliable);
    }
    bool poll(double now, net::TransportEvent& ev) override {
        while (inner_->poll(now, ev)) {
            if (ev.type != net::TransportEventType::Received) return true;
            if (channel(ev.peer).open(ev.data, scratch_) != net::secure::OpenResult::Ok) continue;
            ev.data.swap(scratch_);
            return true;
        }
        return false;
    }
    void flush() override { inner_->flush(); }
    void disconnect(core::PeerId p, std::uint32_t r) override { inner_->disconnect(p, r); }
    [[nodiscard]] net::PeerStats stats(core::PeerId p) const override { return inner_->stats(p); }
    void wait(double s) override { inner_->wait(s); }

private:
    net::secure::SecureChannel& channel(core::PeerId peer) {
        auto it = channels_.find(peer.value);
        if (it == channels_.end()) {
            net::secure::SessionKeys keys;
            keys.send = server_ ? kB : kA;
            keys.receive = server_ ? kA : kB;
            it = channels_.emplace(peer.value, std::make_unique<net::secure::SecureChannel>(keys)).first;
        }
        return *it->second;
    }
    std::unique_ptr<net::Transport> inner_;
    bool server_;
    net::secure::Key kA{}, kB{};
    std::unordered_map<std::uint32_t, std::unique_ptr<net::secure::SecureChannel>> channels_;
    std::vector<std::uint8_t> scratch_;
};

std::unique_ptr<net::Transport> maybeSealed(std::unique_ptr<net::Transport> t, bool sealed, bool serverSide) {
    if (!sealed) return t;
    return std::make_unique<SealedTransport>(std::move(t), serverSide);
}

struct Result {
    std::uint32_t participants = 0;
    double tickMedianMs = 0, tickP99Ms = 0, tickMaxMs = 0;
    double payloadKbps = 0;       // snapshot payload per client
    double wireKbps = 0;          // every state-channel message byte per client
    double withHeadersKbps = 0;   // plus UDP/IPv4 (28 B) and ENet (~12 B) per snapshot packet
    double bytesPerUpdate = 0;
    double worstStaleMs = 0;
    std::uint32_t seated = 0;
};

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const auto i = static_cast<std::size_t>(std::min<double>(static_cast<double>(v.size() - 1), std::ceil(p * static_cast<double>(v.size())) - 1));
    return v[i];
}

Result runRoom(std::uint32_t n, double warmup, double seconds, std::uint32_t budget, std::uint64_t seed, bool sealed) {
    net::LoopbackNetwork network(seed);
    network.setConditions({0.0, 0.02, 0.005, 0.0, 0.0}); // a 40 ms round trip
    auto serverT = maybeSealed(network.createHost(7777), sealed, true);
    session::ServerConfig cfg;
    sim::RoomSpec spec;
    spec.code = "bench";
    spec.maxParticipants = n;
    spec.width = n > 250 ? 40.0f : 24.0f;
    spec.depth = n > 250 ? 30.0f : 18.0f;
    spec.tableSeats = 16;
    spec.audiencePerRow = n > 250 ? 40 : 24;
    spec.audienceRows = 40;
    cfg.rooms = {spec};
    cfg.replication.budgetBytes = budget;
    session::ServerHost server(*serverT, cfg);

    std::vector<std::unique_ptr<net::Transport>> transports;
    std::vector<std::unique_ptr<session::ClientSession>> clients;
    std::vector<std::unique_ptr<session::BotBrain>> brains;
    for (std::uint32_t i = 0; i < n; ++i) {
        transports.push_back(maybeSealed(network.createHost(), sealed, false));
        session::ClientDesc d;
        d.roomCode = "bench";
        d.displayName = "Bot " + std::to_string(i + 1);
        clients.push_back(std::make_unique<session::ClientSession>(*transports.back(), d));
        brains.push_back(std::make_unique<session::BotBrain>(seed * 7919 + i, i % 5 == 4)); // one in five wanders
    }
    double now = 0;
    const double step = 1.0 / 60.0;
    std::vector<double> tickMs;
    std::uint64_t bytesStart = 0, payloadStart = 0, updatesStart = 0;
    std::uint32_t joined = 0;
    std::uint32_t worstStale = 0;
    const double end = warmup + seconds;
    bool measuring = false;
    auto stateBytes = [&] {
        std::uint64_t b = 0;
        for (auto& c : clients) b += c->stats().bytesIn;
        return b;
    };
    while (now < end) {
        now += step;
        // Stagger the joins over the first seconds, as people arrive.
        while (joined < n && static_cast<double>(joined) < now * 100.0) clients[joined++]->connect({"loop", 7777}, now);
        for (std::uint32_t i = 0; i < joined; ++i) {
            clients[i]->update(now);
            brains[i]->think(*clients[i], now);
        }
        if (!measuring && now >= warmup) {
            measuring = true;
            bytesStart = stateBytes();
            payloadStart = server.counters().snapshotBytes;
            updatesStart = server.counters().entityUpdates;
        }
        const auto sentBefore = server.counters().snapshotsSent;
        const auto t0 = std::chrono::steady_clock::now();
        server.update(now);
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        if (measuring && server.counters().snapshotsSent != sentBefore) {
            tickMs.push_back(ms);
            worstStale = std::max(worstStale, server.worstStalenessTicks()); // outside the timed call
        }
    }
    Result r;
    r.participants = n;
    r.tickMedianMs = percentile(tickMs, 0.5);
    r.tickP99Ms = percentile(tickMs, 0.99);
    r.tickMaxMs = percentile(tickMs, 1.0);
    const double perClient = 1.0 / (static_cast<double>(n) * seconds);
    r.payloadKbps = static_cast<double>(server.counters().snapshotBytes - payloadStart) * 8.0 / 1000.0 * perClient;
    r.wireKbps = static_cast<double>(stateBytes() - bytesStart) * 8.0 / 1000.0 * perClient;
    r.withHeadersKbps = r.wireKbps + 30.0 * 40.0 * 8.0 / 1000.0;
    const auto updates = server.counters().entityUpdates - updatesStart;
    r.bytesPerUpdate = updates ? static_cast<double>(server.counters().snapshotBytes - payloadStart) / static_cast<double>(updates) : 0;
    r.worstStaleMs = worstStale * 1000.0 / cfg.tickRate;
    for (auto& b : brains) r.seated += b->mode() == session::BotMode::Seated;
    return r;
}
} // namespace

int main(int argc, char** argv) {
    std::vector<std::uint32_t> sizes{50, 200, 500};
    double seconds = 20, warmup = 12;
    std::uint32_t budget = session::ServerConfig{}.replication.budgetBytes;
    std::uint64_t seed = 1;
    std::vector<bool> modes{true};
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&]() -> std::string { if (i + 1 >= argc) { std::fprintf(stderr, "%s needs a value\n", a.c_str()); std::exit(2); } return argv[++i]; };
        if (a == "--sizes") {
            sizes.clear();
            std::stringstream ss(next());
            std::string item;
            while (std::getline(ss, item, ',')) sizes.push_back(static_cast<std::uint32_t>(std::stoul(item)));
        } else if (a == "--seconds") seconds = std::stod(next());
        else if (a == "--warmup") warmup = std::stod(next());
        else if (a == "--budget") budget = static_cast<std::uint32_t>(std::stoul(next()));
        else if (a == "--seed") seed = std::stoull(next());
        else if (a == "--encryption") {
            const std::string m = next();
            modes = m == "both" ? std::vector<bool>{false, true} : std::vector<bool>{m == "on"};
        }
        else if (a == "--help") {
            std::puts("usage: caseroom-bench-state [--sizes 50,200,500] [--seconds 20] [--warmup 12] [--budget BYTES] [--seed N]\n"
                      "                            [--encryption on|off|both]   (default on: as the product runs)");
            return 0;
        } else { std::fprintf(stderr, "unknown option %s\n", a.c_str()); return 2; }
    }
    std::printf("| participants | encryption | tick median ms | tick p99 ms | tick max ms | state payload kbit/s/client | state messages kbit/s/client | with UDP+ENet headers kbit/s | bytes per avatar update | worst staleness ms | seated |\n");
    std::printf("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (std::uint32_t n : sizes)
      for (bool sealed : modes) {
        const Result r = runRoom(n, warmup, seconds, budget, seed, sealed);
        std::printf("| %u | %s | %.3f | %.3f | %.3f | %.1f | %.1f | %.1f | %.2f | %.0f | %u |\n", r.participants, sealed ? "on" : "off", r.tickMedianMs, r.tickP99Ms,
                    r.tickMaxMs, r.payloadKbps, r.wireKbps, r.withHeadersKbps, r.bytesPerUpdate, r.worstStaleMs, r.seated);
        std::fflush(stdout);
    }
    return 0;
}
