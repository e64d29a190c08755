#include "sim/interest.h"

#include <cassert>

namespace caseroom::sim {

float interestPriority(const InterestSpot& viewer, const InterestSpot& s) {
    if (!s.active) return 0.0f;
    const float dx = s.x - viewer.x, dz = s.z - viewer.z;
    return 4.0f / (1.0f + 0.1f * (dx * dx + dz * dz)) + (s.moving ? 1.0f : 0.0f) + (s.speaking ? 1.0f : 0.0f);
}

void fillInterest(const InterestSpot& viewer, std::span<const InterestSpot> spots, std::span<float> priority) {
    assert(priority.size() >= spots.size());
    for (std::size_t slot = 0; slot < spots.size(); ++slot) priority[slot] = interestPriority(viewer, spots[slot]);
}

} // namespace caseroom::sim
