// Interest: how much each avatar matters to one viewer this tick, the
// priority that fills the viewer's snapshot budget (net::ClientReplicator).
// Nearer avatars, ones that just moved and ones speaking come first:
//   priority = 4 / (1 + 0.1 d^2) + (moving ? 1 : 0) + (speaking ? 1 : 0)
// with d the floor distance in metres; an empty slot has priority 0.
// Pure functions over packed per-slot spots (one pass per viewer, no
// striding over participants).
//
// Scope (InterestGrid): in a room of up to kFullScopeSlots participants each
// viewer examines every slot every tick. A larger room (a grand round, most
// of it audience) would cost participants squared per tick, so there each
// viewer examines, every tick, the room's hub (near the table or the
// presenter's spot, or speaking) and the audience in its own and the eight
// neighbouring cells of a grid rebuilt once per tick and shared by every
// viewer; the rest of the audience one tick in farStride(), in phase by
// slot. A viewer's work is then its neighbourhood plus n / farStride. Far
// audience members are updated at a lower rate; the replicator's staleness
// bound still applies to them when they are examined, so none is frozen
// longer than maxStaleTicks + farStride ticks (under a second at 30 Hz).
#pragma once
#include <cstdint>
#include <span>
#include <vector>

namespace caseroom::sim {

struct InterestSpot {
    float x = 0, z = 0;      // floor position, metres
    bool active = false;     // a participant holds the slot
    bool moving = false;     // its pose changed in the last few ticks
    bool speaking = false;   // its voice level is above zero
    bool hub = false;        // at the table or the presenter's spot: never in the far audience
};

constexpr std::uint32_t kMovingTicks = 3;   // "just moved": pose changed within this many ticks

[[nodiscard]] float interestPriority(const InterestSpot& viewer, const InterestSpot& other);
// Writes priority[slot] for every slot of `spots` as seen by `viewer`;
// priority.size() must be at least spots.size().
void fillInterest(const InterestSpot& viewer, std::span<const InterestSpot> spots, std::span<float> priority);

constexpr std::uint32_t kFullScopeSlots = 160;  // up to this many active: every viewer examines every slot
constexpr std::uint32_t kMaxFarStride = 6;      // far audience examined at least one tick in this many
constexpr float kInterestCellMetres = 4.0f;     // grid cell edge: the "near" audience is the 3x3 cells around the viewer

class InterestGrid {
public:
    // Once per tick, from the room's spots (hub flags set by the caller).
    void build(std::span<const InterestSpot> spots, std::uint32_t tick);
    [[nodiscard]] std::uint32_t farStride() const { return stride_; }
    // The slots `viewer` examines this tick, each once (the viewer's own
    // among them), and priority[slot] for each; the far phase includes empty
    // slots, so a removal is seen within farStride ticks. Reads only what
    // build() wrote: viewers may gather concurrently.
    void gather(std::uint16_t viewer, std::span<const InterestSpot> spots, std::vector<std::uint16_t>& consider,
                std::span<float> priority) const;

private:
    [[nodiscard]] std::uint32_t cellOf(float x, float z) const;
    std::uint32_t stride_ = 1;
    std::uint32_t phase_ = 0;
    float minX_ = 0, minZ_ = 0;
    std::uint32_t cellsX_ = 1, cellsZ_ = 1;
    std::vector<std::uint16_t> hub_;          // active hub slots not in this tick's phase
    std::vector<std::uint32_t> cellStart_;    // audience slots of cell c: cellSlots_[cellStart_[c] .. cellStart_[c+1])
    std::vector<std::uint16_t> cellSlots_;    // active audience slots not in this tick's phase, by cell
    std::vector<std::uint32_t> fill_;         // build() scratch
};

} // namespace caseroom::sim
