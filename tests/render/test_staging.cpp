// The staging ring's bookkeeping without a GPU: a ring over host memory
// (the Buffer is only its mapped pointer here), frames marked and released
// in submission order as the renderer does around each fence.
#include <catch2/catch.hpp>

#include <vector>

#include "render/staging.h"

using namespace caseroom::render;

namespace {

struct HostRing {
    std::vector<std::uint8_t> memory;
    StagingRing ring;
    explicit HostRing(VkDeviceSize size) : memory(size) {
        ring.size = size;
        ring.buffer.mapped = memory.data();
        ring.buffer.size = size;
    }
};

} // namespace

TEST_CASE("staging ring: spans are aligned, whole rows, and come back when their frame is done", "[render][staging]") {
    HostRing h(1024);
    StagingRing& r = h.ring;
    // Frame 0 (slot 0): 3 rows of 100 bytes, asked for up to 1000.
    StagingSpan a = reserve(r, 300, 100);
    CHECK(a.offset == 0);
    CHECK(a.bytes == 300);
    CHECK(a.data == h.memory.data());
    StagingSpan b = reserve(r, 1000, 100); // the rest, aligned to 16 and cut to whole rows
    CHECK(b.offset % 16 == 0);
    CHECK(b.offset >= 300);
    CHECK(b.bytes % 100 == 0);
    CHECK(b.offset + b.bytes <= 1024);
    CHECK(reserve(r, 100, 100).bytes == 0); // full: wait for a frame
    markSlot(r, 0);
    // Frame 1 (slot 1) finds nothing free until slot 0's fence is waited.
    CHECK(reserve(r, 100, 100).bytes == 0);
    markSlot(r, 1);
    releaseSlot(r, 0); // frame 0 done
    CHECK(stagingFree(r) == 1024);
    // The end has less than a row: the next span starts at the beginning.
    StagingSpan c = reserve(r, 200, 200);
    CHECK(c.offset == 0);
    CHECK(c.bytes == 200);
}

TEST_CASE("staging ring: a big upload goes in parts over frames, never overlapping live data", "[render][staging]") {
    HostRing h(4096);
    StagingRing& r = h.ring;
    const VkDeviceSize row = 250, total = 53 * row; // 3.2 rings' worth of whole rows
    VkDeviceSize copied = 0;
    std::uint32_t slot = 0;
    int frames = 0;
    std::vector<std::pair<VkDeviceSize, VkDeviceSize>> live[2];
    while (copied < total && frames < 100) {
        releaseSlot(r, slot); // this slot's previous frame is done
        live[slot].clear();
        const VkDeviceSize budget = 2048;
        VkDeviceSize used = 0;
        for (;;) {
            const VkDeviceSize want = std::min(budget - used, total - copied);
            if (want < row) break;
            const StagingSpan s = reserve(r, want, row);
            if (s.bytes == 0) break;
            // No overlap with what the other frame in flight still reads.
            for (const auto& [off, len] : live[1 - slot]) CHECK((s.offset + s.bytes <= off || off + len <= s.offset));
            live[slot].push_back({s.offset, s.bytes});
            copied += s.bytes;
            used += s.bytes;
        }
        markSlot(r, slot);
        slot = 1 - slot;
        ++frames;
    }
    CHECK(copied == total);
    CHECK(frames >= 7);               // bounded by the budget, not all at once
}
