// SPSC ring and the LatestValue triple buffer, single-threaded edge cases and
// a two-thread stress run.
#include <catch2/catch.hpp>

#include <thread>
#include <vector>

#include "audio/spsc_ring.h"

using namespace caseroom::audio;

TEST_CASE("spsc ring rounds capacity up and wraps", "[audio][ring]") {
    SpscRing<int> ring(5);
    REQUIRE(ring.capacity() == 8);
    std::vector<int> in{1, 2, 3, 4, 5, 6};
    CHECK(ring.write(in) == 6);
    std::vector<int> out(4);
    CHECK(ring.read(out) == 4);
    CHECK(out == std::vector<int>{1, 2, 3, 4});
    // Crosses the end of storage.
    std::vector<int> more{7, 8, 9, 10, 11, 12, 13};
    CHECK(ring.write(more) == 6); // 2 queued, 6 free
    CHECK(ring.readAvailable() == 8);
    CHECK(ring.writeAvailable() == 0);
    CHECK_FALSE(ring.push(99));
    std::vector<int> all(10);
    CHECK(ring.read(all) == 8);
    CHECK(std::vector<int>(all.begin(), all.begin() + 8) == std::vector<int>{5, 6, 7, 8, 9, 10, 11, 12});
    int v = 0;
    CHECK_FALSE(ring.pop(v));
    CHECK(ring.push(42));
    CHECK(ring.discard(5) == 1);
    CHECK(ring.readAvailable() == 0);
}

TEST_CASE("spsc ring keeps order across threads", "[audio][ring]") {
    SpscRing<std::uint32_t> ring(256);
    constexpr std::uint32_t kTotal = 200000;
    std::thread producer([&] {
        std::uint32_t next = 0;
        std::uint32_t chunk[37];
        while (next < kTotal) {
            std::uint32_t n = 0;
            while (n < 37 && next + n < kTotal) { chunk[n] = next + n; ++n; }
            const auto w = ring.write(std::span<const std::uint32_t>(chunk, n));
            next += static_cast<std::uint32_t>(w);
            if (w == 0) std::this_thread::yield();
        }
    });
    std::uint32_t expect = 0;
    bool inOrder = true;
    std::uint32_t buf[53];
    while (expect < kTotal) {
        const auto r = ring.read(std::span<std::uint32_t>(buf, 53));
        for (std::size_t i = 0; i < r; ++i) inOrder = inOrder && buf[i] == expect++;
        if (r == 0) std::this_thread::yield();
    }
    producer.join();
    CHECK(inOrder);
    CHECK(ring.readAvailable() == 0);
}

TEST_CASE("latest value hands over whole values, newest wins", "[audio][ring]") {
    struct Pair { std::uint64_t a = 0, b = 0; };
    LatestValue<Pair> box;
    Pair p;
    CHECK_FALSE(box.take(p));
    box.publish({1, 1});
    box.publish({2, 2});
    CHECK(box.take(p));
    CHECK(p.a == 2);
    CHECK_FALSE(box.take(p)); // nothing newer: keeps the last one
    CHECK(p.a == 2);

    std::atomic<bool> done{false};
    std::thread writer([&] {
        for (std::uint64_t i = 3; i < 300000; ++i) box.publish({i, i});
        done = true;
    });
    bool torn = false, monotonic = true;
    std::uint64_t last = 0;
    while (!done) {
        box.take(p);
        torn = torn || p.a != p.b;
        monotonic = monotonic && p.a >= last;
        last = p.a;
    }
    writer.join();
    CHECK_FALSE(torn);
    CHECK(monotonic);
}
