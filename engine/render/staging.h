// The staging ring: one persistently mapped, host-visible buffer of fixed
// size, allocated once, through which every texture upload travels. Space is
// handed out in submission order and given back when the frame that used it
// has finished (its slot's fence was waited), so an upload never waits for
// the GPU and never allocates: a copy that does not fit now waits for the
// next frame (or goes in parts, see reserve()).
// Thread rule: render thread only.
#pragma once
#include <array>
#include <cstdint>

#include "render/device.h"
#include "render/frames.h"
#include "render/resources.h"

namespace caseroom::render {

struct StagingRing {
    Buffer buffer;                                   // TRANSFER_SRC, host visible, mapped
    VkDeviceSize size = 0;
    std::uint64_t written = 0;                       // bytes handed out so far (with wrap padding)
    std::uint64_t released = 0;                      // bytes the GPU is done with
    std::array<std::uint64_t, kFramesInFlight> slotMark{}; // `written` when each slot last submitted
};

constexpr VkDeviceSize kMinStagingBytes = 1u << 20;

void createStagingRing(const Device& dev, StagingRing& ring, VkDeviceSize size);
void destroyStagingRing(const Device& dev, StagingRing& ring);

// Bytes not in use by any frame in flight.
[[nodiscard]] inline VkDeviceSize stagingFree(const StagingRing& ring) { return ring.size - (ring.written - ring.released); }

// After waitFrameSlot(slot): what that slot's last frame used is free again.
void releaseSlot(StagingRing& ring, std::uint32_t slot);
// When the frame recorded in `slot` is submitted: what it used is pinned until then.
void markSlot(StagingRing& ring, std::uint32_t slot);

struct StagingSpan {
    VkDeviceSize offset = 0; // into ring.buffer, 16-byte aligned
    VkDeviceSize bytes = 0;  // a multiple of `unit`, at least one unit; 0: nothing fits now
    std::uint8_t* data = nullptr;
};
// The largest contiguous span of at most `maxBytes`, a whole number of
// `unit`s (a texture row), at a 16-byte aligned offset; wraps to the start
// of the buffer when the end has no room for one unit. bytes == 0 when not
// even one unit is free now (retry next frame).
[[nodiscard]] StagingSpan reserve(StagingRing& ring, VkDeviceSize maxBytes, VkDeviceSize unit);

} // namespace caseroom::render
