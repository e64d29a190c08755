// Fixed-step clock. The caller passes wall time in; the clock says how many
// fixed ticks are due. Never reads a clock itself.
#pragma once
#include <cstdint>

namespace caseroom::core {

using TickIndex = std::uint32_t;

struct FixedTick {
    double rateHz = 30.0;
    double start = 0.0;     // wall time (seconds) of tick 0
    TickIndex next = 0;     // index of the next tick to run
    std::uint32_t maxCatchUp = 5; // ticks run at most per advance(); the rest are dropped

    [[nodiscard]] double dt() const { return 1.0 / rateHz; }
    [[nodiscard]] double timeOf(TickIndex t) const { return start + static_cast<double>(t) / rateHz; }

    // Number of ticks due at `now`. Advances `next` by that count. If the
    // caller fell far behind, skips ticks rather than spiralling.
    std::uint32_t advance(double now) {
        std::uint32_t due = 0;
        while (timeOf(next) <= now && due < maxCatchUp) { ++next; ++due; }
        if (timeOf(next) <= now) { // still behind: drop the backlog rather than spiral
            start = now + dt() - static_cast<double>(next) / rateHz;
        }
        return due;
    }
    // Seconds until the next tick is due (>= 0).
    [[nodiscard]] double untilNext(double now) const {
        const double d = timeOf(next) - now;
        return d > 0 ? d : 0;
    }
};

} // namespace caseroom::core
