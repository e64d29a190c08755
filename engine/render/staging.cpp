#include "render/staging.h"

#include <algorithm>
#include <cassert>

namespace caseroom::render {

void createStagingRing(const Device& dev, StagingRing& ring, VkDeviceSize size) {
    ring = StagingRing{};
    ring.size = std::max(size, kMinStagingBytes) & ~VkDeviceSize{15};
    ring.buffer = createBuffer(dev, ring.size, VK_BUFFER_USAGE_TRANSFER_SRC_BIT, true);
}

void destroyStagingRing(const Device& dev, StagingRing& ring) {
    destroyBuffer(dev, ring.buffer);
    ring = StagingRing{};
}

void releaseSlot(StagingRing& ring, std::uint32_t slot) {
    // Frames finish in submission order, so a slot's mark only moves forward.
    ring.released = std::max(ring.released, ring.slotMark[slot]);
}

void markSlot(StagingRing& ring, std::uint32_t slot) { ring.slotMark[slot] = ring.written; }

StagingSpan reserve(StagingRing& ring, VkDeviceSize maxBytes, VkDeviceSize unit) {
    assert(unit > 0 && unit <= ring.size);
    StagingSpan span;
    // Align the start: copy offsets must be multiples of 4 and of the texel size.
    const VkDeviceSize pad = (16 - ring.written % 16) % 16;
    if (stagingFree(ring) < pad + unit) return span;
    VkDeviceSize pos = (ring.written + pad) % ring.size;
    VkDeviceSize room = std::min(ring.size - pos, stagingFree(ring) - pad);
    VkDeviceSize skip = pad;
    if (room < unit) {
        // Not even one row before the end: skip to the start of the buffer.
        skip = ring.size - ring.written % ring.size;
        if (stagingFree(ring) < skip + unit) return span;
        pos = 0;
        room = stagingFree(ring) - skip;
    }
    const VkDeviceSize bytes = std::min(room, maxBytes) / unit * unit;
    if (bytes == 0) return span;
    ring.written += skip + bytes;
    span.offset = pos;
    span.bytes = bytes;
    span.data = static_cast<std::uint8_t*>(ring.buffer.mapped) + pos;
    return span;
}

} // namespace caseroom::render
