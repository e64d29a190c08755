#include "sim/interest.h"

#include <algorithm>
#include <cassert>
#include <cmath>

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

std::uint32_t InterestGrid::cellOf(float x, float z) const {
    const auto cx = static_cast<std::uint32_t>(std::clamp((x - minX_) / kInterestCellMetres, 0.0f, static_cast<float>(cellsX_ - 1)));
    const auto cz = static_cast<std::uint32_t>(std::clamp((z - minZ_) / kInterestCellMetres, 0.0f, static_cast<float>(cellsZ_ - 1)));
    return cz * cellsX_ + cx;
}

void InterestGrid::build(std::span<const InterestSpot> spots, std::uint32_t tick) {
    std::uint32_t active = 0;
    float maxX = 0, maxZ = 0;
    bool any = false;
    for (const InterestSpot& s : spots) {
        if (!s.active) continue;
        ++active;
        if (s.hub) continue;
        if (!any) { minX_ = maxX = s.x; minZ_ = maxZ = s.z; any = true; }
        minX_ = std::min(minX_, s.x); maxX = std::max(maxX, s.x);
        minZ_ = std::min(minZ_, s.z); maxZ = std::max(maxZ, s.z);
    }
    stride_ = active <= kFullScopeSlots ? 1u : std::min(kMaxFarStride, (active + kFullScopeSlots - 1) / kFullScopeSlots);
    phase_ = tick % stride_;
    hub_.clear();
    cellSlots_.clear();
    if (stride_ == 1) return;
    // Cells cover the audience's extent (a room is at most a few tens of metres; capped all the same).
    cellsX_ = std::clamp(static_cast<std::uint32_t>((maxX - minX_) / kInterestCellMetres) + 1, 1u, 64u);
    cellsZ_ = std::clamp(static_cast<std::uint32_t>((maxZ - minZ_) / kInterestCellMetres) + 1, 1u, 64u);
    cellStart_.assign(cellsX_ * cellsZ_ + 1, 0);
    // Counting sort of the audience (not in the phase) by cell.
    for (std::uint32_t slot = 0; slot < spots.size(); ++slot) {
        const InterestSpot& s = spots[slot];
        if (!s.active || slot % stride_ == phase_) continue;
        if (s.hub) { hub_.push_back(static_cast<std::uint16_t>(slot)); continue; }
        ++cellStart_[cellOf(s.x, s.z) + 1];
    }
    for (std::size_t c = 1; c < cellStart_.size(); ++c) cellStart_[c] += cellStart_[c - 1];
    cellSlots_.resize(cellStart_.back());
    fill_.assign(cellStart_.begin(), cellStart_.end() - 1);
    for (std::uint32_t slot = 0; slot < spots.size(); ++slot) {
        const InterestSpot& s = spots[slot];
        if (!s.active || s.hub || slot % stride_ == phase_) continue;
        cellSlots_[fill_[cellOf(s.x, s.z)]++] = static_cast<std::uint16_t>(slot);
    }
}

void InterestGrid::gather(std::uint16_t viewer, std::span<const InterestSpot> spots, std::vector<std::uint16_t>& consider,
                          std::span<float> priority) const {
    assert(priority.size() >= spots.size());
    consider.clear();
    const InterestSpot& me = spots[viewer];
    const auto take = [&](std::uint16_t slot) {
        consider.push_back(slot);
        priority[slot] = interestPriority(me, spots[slot]);
    };
    if (stride_ == 1) {
        for (std::uint32_t slot = 0; slot < spots.size(); ++slot) take(static_cast<std::uint16_t>(slot));
        return;
    }
    for (std::uint32_t slot = phase_; slot < spots.size(); slot += stride_) take(static_cast<std::uint16_t>(slot));
    for (const std::uint16_t slot : hub_) take(slot);
    // The viewer's own cell and its neighbours (the viewer among them, unless in the hub or the phase).
    const std::uint32_t c = cellOf(me.x, me.z);
    const std::uint32_t cx = c % cellsX_, cz = c / cellsX_;
    for (std::uint32_t z = cz > 0 ? cz - 1 : 0; z <= std::min(cz + 1, cellsZ_ - 1); ++z)
        for (std::uint32_t x = cx > 0 ? cx - 1 : 0; x <= std::min(cx + 1, cellsX_ - 1); ++x) {
            const std::uint32_t cell = z * cellsX_ + x;
            for (std::uint32_t i = cellStart_[cell]; i < cellStart_[cell + 1]; ++i) take(cellSlots_[i]);
        }
}

} // namespace caseroom::sim
