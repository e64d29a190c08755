// The server's snapshot builds on a pool of threads (ServerConfig::threads,
// core/worker_pool.h): the pool itself, and the real server core with
// several rooms of bots over the loopback twin, run once on one thread and
// once on three: the same seed must give the same bytes to every client.
// Label "threads": the tsan preset runs these under ThreadSanitizer.
#include <catch2/catch.hpp>

#include <atomic>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "core/worker_pool.h"
#include "net/loopback_transport.h"
#include "session/bot_brain.h"
#include "session/client_session.h"
#include "session/server_host.h"

using namespace caseroom;
using namespace caseroom::session;

TEST_CASE("worker pool: every job runs once per run, on the pool's threads, run after run", "[core][threads]") {
    core::WorkerPool pool(3);
    CHECK(pool.threads() == 3);
    std::vector<std::uint32_t> ran(1000, 0);
    std::vector<std::atomic<std::uint32_t>> byThread(3);
    std::atomic<bool> badIndex{false}; // Catch's assertions are not for worker threads: checked after
    for (int round = 0; round < 200; ++round) {
        const std::size_t count = 1 + static_cast<std::size_t>(round * 37 % 1000);
        pool.run(count, [&](std::size_t i) {
            ++ran[i]; // each index is one job's own
            const unsigned t = core::WorkerPool::threadIndex();
            if (t >= 3) { badIndex = true; return; }
            byThread[t].fetch_add(1, std::memory_order_relaxed);
        });
    }
    CHECK_FALSE(badIndex);
    std::uint64_t expected = 0, total = 0;
    for (int round = 0; round < 200; ++round) expected += 1 + static_cast<std::size_t>(round * 37 % 1000);
    for (std::uint32_t n : ran) total += n;
    CHECK(total == expected);
    // Index i ran once in every run that had more than i jobs.
    for (std::size_t i = 0; i < ran.size(); ++i) {
        std::uint32_t want = 0;
        for (int round = 0; round < 200; ++round) want += i < 1 + static_cast<std::size_t>(round * 37 % 1000) ? 1 : 0;
        REQUIRE(ran[i] == want);
    }
    CHECK(byThread[0].load() + byThread[1].load() + byThread[2].load() == expected);
}

TEST_CASE("worker pool: a pool of one runs on the caller", "[core][threads]") {
    core::WorkerPool pool(1);
    CHECK(pool.threads() == 1);
    int sum = 0;
    pool.run(10, [&](std::size_t i) {
        CHECK(core::WorkerPool::threadIndex() == 0);
        sum += static_cast<int>(i);
    });
    CHECK(sum == 45);
}

namespace {
struct Outcome {
    ServerCounters counters;
    std::vector<std::uint64_t> bytesIn;       // per client
    std::vector<std::size_t> seen;            // avatars each client shows
    std::vector<float> firstX;                // where each client shows the first other avatar
    std::vector<std::string> status;          // each client's state, for a failure's message
};

// Four rooms of ten bots (two wander), six simulated seconds.
Outcome runRooms(unsigned threads) {
    net::LoopbackNetwork network(33);
    network.setConditions({0.01, 0.02, 0.004, 0.0, 0.0});
    auto serverT = network.createHost(7777);
    ServerConfig cfg;
    cfg.threads = threads;
    for (int r = 0; r < 4; ++r) {
        sim::RoomSpec spec;
        spec.code = "room" + std::to_string(r);
        spec.maxParticipants = 16;
        cfg.rooms.push_back(spec);
    }
    ServerHost server(*serverT, cfg);
    std::vector<std::unique_ptr<net::Transport>> transports;
    std::vector<std::unique_ptr<ClientSession>> clients;
    std::vector<std::unique_ptr<BotBrain>> brains;
    for (std::uint32_t i = 0; i < 40; ++i) {
        transports.push_back(network.createHost());
        ClientDesc d;
        d.roomCode = "room" + std::to_string(i % 4);
        d.displayName = "Bot " + std::to_string(i);
        clients.push_back(std::make_unique<ClientSession>(*transports.back(), d));
        brains.push_back(std::make_unique<BotBrain>(1000 + i, i % 5 == 4));
    }
    double now = 0;
    std::uint32_t joined = 0;
    while (now < 6.0) {
        now += 1.0 / 60.0;
        while (joined < clients.size() && static_cast<double>(joined) < now * 40.0) clients[joined++]->connect({"loop", 7777}, now);
        for (std::uint32_t i = 0; i < joined; ++i) {
            clients[i]->update(now);
            brains[i]->think(*clients[i], now);
        }
        server.update(now);
    }
    Outcome o;
    o.counters = server.counters();
    for (auto& c : clients) {
        o.bytesIn.push_back(c->stats().bytesIn);
        o.seen.push_back(c->avatars().size());
        float x = 0;
        for (const RemoteAvatar& a : c->avatars())
            if (!a.self && a.hasPose) { x = a.pose.body.x; break; }
        o.firstX.push_back(x);
        o.status.push_back(std::string(toString(c->state())) + " (" + c->statusText() + "), snapshots " +
                           std::to_string(c->stats().snapshotsApplied) + " applied, " + std::to_string(c->stats().malformed) + " malformed");
    }
    return o;
}
} // namespace

TEST_CASE("server threads: four rooms on three threads give every client what one thread gives it", "[session][threads]") {
    const Outcome one = runRooms(1);
    const Outcome three = runRooms(3);
    // Everyone joined its room of ten and sees the other nine.
    for (std::size_t i = 0; i < one.seen.size(); ++i) {
        INFO("client " << i << ": " << one.status[i]);
        CHECK(one.seen[i] == 10);
        CHECK(three.seen[i] == 10);
    }
    CHECK(one.counters.joins == 40);
    CHECK(one.counters.snapshotsSent > 40u * 30u * 4u);
    // Built on different threads, sent in the same order: the same bytes.
    CHECK(three.counters.snapshotsSent == one.counters.snapshotsSent);
    CHECK(three.counters.snapshotBytes == one.counters.snapshotBytes);
    CHECK(three.counters.entityUpdates == one.counters.entityUpdates);
    CHECK(three.bytesIn == one.bytesIn);
    CHECK(three.firstX == one.firstX);
}
