// Interest: how much each avatar matters to one viewer this tick, the
// priority that fills the viewer's snapshot budget (net::ClientReplicator).
// Nearer avatars, ones that just moved and ones speaking come first:
//   priority = 4 / (1 + 0.1 d^2) + (moving ? 1 : 0) + (speaking ? 1 : 0)
// with d the floor distance in metres; an empty slot has priority 0.
// Pure functions over packed per-slot spots (one pass per viewer, no
// striding over participants).
#pragma once
#include <cstdint>
#include <span>

namespace caseroom::sim {

struct InterestSpot {
    float x = 0, z = 0;      // floor position, metres
    bool active = false;     // a participant holds the slot
    bool moving = false;     // its pose changed in the last few ticks
    bool speaking = false;   // its voice level is above zero
};

constexpr std::uint32_t kMovingTicks = 3;   // "just moved": pose changed within this many ticks

[[nodiscard]] float interestPriority(const InterestSpot& viewer, const InterestSpot& other);
// Writes priority[slot] for every slot of `spots` as seen by `viewer`;
// priority.size() must be at least spots.size().
void fillInterest(const InterestSpot& viewer, std::span<const InterestSpot> spots, std::span<float> priority);

} // namespace caseroom::sim
