#include "session_pump.h"

#include <chrono>

#include "core/percentile.h"

namespace caseroom::client {
namespace {
constexpr std::size_t kGapRing = 4096; // ~20 s of gaps at 5 ms
} // namespace

void SessionPump::start(session::ClientSession& s, std::function<double()> now) {
    stop();
    stop_ = false;
    gapsMs_.assign(kGapRing, 0.0);
    nextGap_ = 0;
    runs_ = 0;
    thread_ = std::thread([this, &s, now = std::move(now)] { run(s, now); });
}

void SessionPump::stop() {
    if (!thread_.joinable()) return;
    stop_ = true;
    thread_.join();
}

void SessionPump::run(session::ClientSession& s, std::function<double()> now) {
    using Clock = std::chrono::steady_clock;
    const auto period = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(kPeriod));
    auto next = Clock::now();
    Clock::time_point last{};
    while (!stop_) {
        const auto t = Clock::now();
        if (runs_ > 0) {
            gapsMs_[nextGap_] = std::chrono::duration<double, std::milli>(t - last).count();
            nextGap_ = (nextGap_ + 1) % kGapRing;
        }
        last = t;
        ++runs_;
        {
            std::lock_guard<std::mutex> guard(mutex_);
            s.update(now());
        }
        next += period;
        if (next < Clock::now()) next = Clock::now(); // fell behind (lock held long, machine busy): no burst of catch-up runs
        std::this_thread::sleep_until(next);
    }
}

PumpTiming SessionPump::timing() const {
    PumpTiming t;
    t.runs = runs_;
    const std::size_t n = runs_ > kGapRing ? kGapRing : (runs_ > 0 ? static_cast<std::size_t>(runs_ - 1) : 0);
    std::vector<double> gaps(gapsMs_.begin(), gapsMs_.begin() + static_cast<std::ptrdiff_t>(n));
    t.medianGapMs = core::percentileInPlace(gaps, 0.5);
    t.p99GapMs = core::percentileInPlace(gaps, 0.99);
    t.maxGapMs = core::percentileInPlace(gaps, 1.0);
    return t;
}

} // namespace caseroom::client
