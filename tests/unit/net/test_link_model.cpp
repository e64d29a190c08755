// The link model on its own: statistics for fixed seeds and large N, the
// bottleneck's rate and drop-tail queue, and determinism.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <deque>
#include <vector>

#include "net/link_model.h"

using namespace caseroom;
using namespace caseroom::net;

namespace {
// Runs of consecutive lost packets among `n` sent 1 ms apart.
struct LossRuns {
    std::size_t lost = 0;
    std::size_t runs = 0;
    std::size_t longest = 0;
    [[nodiscard]] double meanRun() const { return runs ? static_cast<double>(lost) / static_cast<double>(runs) : 0.0; }
};
LossRuns measureRuns(const LinkParams& p, std::uint64_t seed, int n) {
    LinkModel model(p);
    core::Rng rng(seed);
    LossRuns r;
    std::size_t run = 0;
    for (int i = 0; i < n; ++i) {
        const bool lost = model.send(i * 0.001, 100, rng).copies == 0;
        if (lost) {
            ++r.lost;
            if (run++ == 0) ++r.runs;
            r.longest = std::max(r.longest, run);
        } else {
            run = 0;
        }
    }
    return r;
}
// Bound for a binomial proportion: 5 standard deviations (a fixed seed makes
// the result exact; the bound says the model is right, not lucky).
double fiveSigma(double p, int n) { return 5.0 * std::sqrt(p * (1.0 - p) / n); }
} // namespace

TEST_CASE("link model loses the configured fraction of packets", "[net][link]") {
    const int n = 200000;
    for (const double loss : {0.01, 0.05, 0.3}) {
        LinkParams p;
        p.loss = loss;
        const LossRuns r = measureRuns(p, 11, n);
        const double measured = static_cast<double>(r.lost) / n;
        INFO("loss " << loss << " measured " << measured);
        CHECK(std::abs(measured - loss) < fiveSigma(loss, n));
    }
}

TEST_CASE("Gilbert-Elliott loss has the configured mean and longer runs than random loss", "[net][link]") {
    const int n = 400000;
    LinkParams random;
    random.loss = 0.05;
    LinkParams bursty;
    bursty.burst.exitBad = 0.25;                       // mean burst 4 packets
    bursty.burst.enterBad = 0.05 * 0.25 / (1 - 0.05);  // stationary Bad share 5 %
    bursty.burst.lossBad = 1.0;
    const LossRuns r = measureRuns(random, 5, n);
    const LossRuns b = measureRuns(bursty, 5, n);
    const double meanB = static_cast<double>(b.lost) / n;
    INFO("random mean run " << r.meanRun() << ", bursty mean run " << b.meanRun() << ", bursty loss " << meanB);
    // Bursts are correlated, so the bound on the mean is looser than binomial.
    CHECK(std::abs(meanB - 0.05) < 0.005);
    CHECK(r.meanRun() < 1.2);                 // geometric with p = 0.05: 1 / 0.95
    CHECK(std::abs(b.meanRun() - 4.0) < 0.3); // geometric with exit 0.25
    CHECK(b.longest > r.longest);
    LinkModel m(bursty);
    core::Rng rng(5);
    for (int i = 0; i < 1000; ++i) (void)m.send(i * 0.001, 10, rng);
    CHECK(m.counters().droppedBurst > 0);
    CHECK(m.counters().droppedLoss == 0);
}

TEST_CASE("delay and jitter stay within their bounds", "[net][link]") {
    LinkParams p;
    p.delay = 0.060;
    p.jitter = 0.020;
    LinkModel model(p);
    core::Rng rng(3);
    double lo = 1e9, hi = -1e9, sum = 0;
    const int n = 50000;
    for (int i = 0; i < n; ++i) {
        const double now = i * 0.0005;
        const LinkDecision d = model.send(now, 200, rng);
        REQUIRE(d.copies == 1);
        const double lat = d.arriveAt[0] - now;
        lo = std::min(lo, lat);
        hi = std::max(hi, lat);
        sum += lat;
    }
    CHECK(lo >= 0.060);
    CHECK(hi <= 0.080);
    CHECK(lo < 0.0601);                              // the whole range is used
    CHECK(hi > 0.0799);
    CHECK(std::abs(sum / n - 0.070) < 0.0005);       // uniform jitter: mean in the middle
}

TEST_CASE("the bottleneck never exceeds its rate and drops the tail when its queue is full", "[net][link]") {
    LinkParams p;
    p.rateBytesPerSecond = 8000; // 64 kbit/s
    p.queueBytes = 4000;
    p.delay = 0.030;
    LinkModel model(p);
    core::Rng rng(9);
    struct Out { double at; std::size_t bytes; };
    std::vector<Out> out;
    std::size_t offered = 0;
    // Offer 4x the rate for 10 s in 250-byte packets (128 packets/s), with a
    // quiet second in the middle so the queue drains and refills.
    for (int i = 0; i < 1400; ++i) {
        const double now = i / 128.0 + (i >= 640 ? 1.0 : 0.0);
        const LinkDecision d = model.send(now, 250, rng);
        offered += 250;
        REQUIRE(model.queuedBytes(now) <= static_cast<double>(p.queueBytes));
        for (int k = 0; k < d.copies; ++k) {
            CHECK(d.arriveAt[k] == Approx(d.leaveAt[k] + 0.030));
            CHECK(d.leaveAt[k] >= now);
            out.push_back({d.arriveAt[k], 250});
        }
    }
    const LinkCounters& c = model.counters();
    CHECK(c.droppedQueue > 0);
    CHECK(c.received == 1400);
    CHECK(c.forwarded + c.droppedQueue == c.received);
    // Arrivals are in order without jitter; in any window of T seconds at most
    // rate * T + one packet arrives.
    std::sort(out.begin(), out.end(), [](const Out& a, const Out& b) { return a.at < b.at; });
    std::deque<Out> window;
    std::size_t inWindow = 0;
    for (const double span : {0.1, 0.5, 2.0}) {
        window.clear();
        inWindow = 0;
        for (const Out& o : out) {
            window.push_back(o);
            inWindow += o.bytes;
            while (window.front().at < o.at - span) {
                inWindow -= window.front().bytes;
                window.pop_front();
            }
            INFO("window " << span << " s at " << o.at);
            REQUIRE(static_cast<double>(inWindow) <= p.rateBytesPerSecond * span + 250 + 1e-6);
        }
    }
    // The link was kept busy while overloaded: it delivered close to its rate.
    const double busySeconds = out.back().at - out.front().at;
    CHECK(static_cast<double>(c.bytesOut) > 0.8 * p.rateBytesPerSecond * (busySeconds - 1.0));
    CHECK(c.bytesOut < offered);
}

TEST_CASE("a queue drop is the newest packet: those already queued still leave", "[net][link]") {
    LinkParams p;
    p.rateBytesPerSecond = 1000;
    p.queueBytes = 1000;
    LinkModel model(p);
    core::Rng rng(1);
    // At t = 0 offer 15 packets of 100 bytes: ten fit the queue, five are dropped.
    std::vector<int> fate;
    for (int i = 0; i < 15; ++i) fate.push_back(model.send(0.0, 100, rng).copies);
    CHECK(std::count(fate.begin(), fate.begin() + 10, 1) == 10);
    CHECK(std::count(fate.begin() + 10, fate.end(), 0) == 5);
    CHECK(model.counters().droppedQueue == 5);
    // After 0.5 s half drained: five more fit.
    int accepted = 0;
    for (int i = 0; i < 8; ++i) accepted += model.send(0.5, 100, rng).copies;
    CHECK(accepted == 5);
}

TEST_CASE("duplicates and reorders are counted and show up in arrivals", "[net][link]") {
    LinkParams p;
    p.duplicate = 0.1;
    p.reorder = 0.1;
    p.delay = 0.010;
    LinkModel model(p);
    core::Rng rng(21);
    const int n = 20000;
    std::size_t copies = 0, held = 0;
    std::vector<double> firstArrival; // per packet sent, its first copy's arrival
    for (int i = 0; i < n; ++i) {
        const double now = i * 0.001;
        const LinkDecision d = model.send(now, 64, rng);
        copies += static_cast<std::size_t>(d.copies);
        for (int k = 0; k < d.copies; ++k) {
            if (!d.reordered[k]) continue;
            ++held;
            CHECK(d.arriveAt[k] == Approx(now + 0.010 + reorderHold(p)));
        }
        firstArrival.push_back(d.arriveAt[0]);
    }
    // A packet sent 1 ms after a held one arrives before it.
    std::size_t overtaken = 0;
    for (std::size_t i = 1; i < firstArrival.size(); ++i) overtaken += firstArrival[i] < firstArrival[i - 1] ? 1 : 0;
    const LinkCounters& c = model.counters();
    CHECK(c.received == static_cast<std::uint64_t>(n));
    CHECK(c.forwarded == copies);
    CHECK(c.forwarded == c.received + c.duplicated);
    CHECK(c.reordered == held);
    CHECK(std::abs(static_cast<double>(c.duplicated) / n - 0.1) < fiveSigma(0.1, n));
    CHECK(std::abs(static_cast<double>(c.reordered) / static_cast<double>(copies) - 0.1) < fiveSigma(0.1, n));
    CHECK(overtaken > 0);
}

TEST_CASE("the same seed gives the same decisions, another seed different ones", "[net][link]") {
    LinkParams p;
    p.loss = 0.05;
    p.burst.enterBad = 0.01;
    p.burst.exitBad = 0.3;
    p.duplicate = 0.02;
    p.reorder = 0.05;
    p.delay = 0.02;
    p.jitter = 0.01;
    p.rateBytesPerSecond = 50000;
    p.queueBytes = 3000;
    auto run = [&](std::uint64_t seed) {
        LinkModel m(p);
        core::Rng rng(seed);
        std::vector<double> trace;
        for (int i = 0; i < 5000; ++i) {
            const LinkDecision d = m.send(i * 0.002, 100 + static_cast<std::size_t>(i % 7) * 50, rng);
            trace.push_back(d.copies);
            for (int k = 0; k < d.copies; ++k) trace.push_back(d.arriveAt[k]);
        }
        return trace;
    };
    CHECK(run(42) == run(42));
    CHECK(run(42) != run(43));
}

TEST_CASE("reliable packets are never lost or duplicated but wait for the bottleneck", "[net][link]") {
    LinkParams p;
    p.loss = 1.0;
    p.duplicate = 1.0;
    p.reorder = 1.0;
    p.rateBytesPerSecond = 1000;
    p.queueBytes = 100;
    LinkModel model(p);
    core::Rng rng(2);
    double last = 0;
    for (int i = 0; i < 10; ++i) {
        const LinkDecision d = model.sendReliable(0.0, 500, rng);
        REQUIRE(d.copies == 1);
        CHECK(d.arriveAt[0] == Approx(0.5 * (i + 1)));
        CHECK(d.arriveAt[0] > last);
        last = d.arriveAt[0];
    }
    CHECK(model.counters().dropped() == 0);
}

TEST_CASE("link parameters are validated with the field named", "[net][link]") {
    LinkParams p;
    CHECK(validate(p).empty());
    p.loss = 1.5;
    CHECK(validate(p).find("loss") != std::string::npos);
    p = {};
    p.burst.exitBad = 0.0;
    CHECK(validate(p).find("burst.exitBad") != std::string::npos);
    p = {};
    p.jitter = -1;
    CHECK(validate(p).find("jitter") != std::string::npos);
    p = {};
    p.delay = std::nan("");
    CHECK(validate(p).find("delay") != std::string::npos);
    p = {};
    p.rateBytesPerSecond = 1000;
    p.queueBytes = 0;
    CHECK(validate(p).find("queueBytes") != std::string::npos);
}
