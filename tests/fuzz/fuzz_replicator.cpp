// The server's ClientReplicator against hostile acknowledgements: onAck takes
// (ackSeq, ackBits) straight from a client's ClientInput. Each tick the input
// changes the room (moves, joins, leaves, reused slots), may send any ack,
// and the replicator builds a snapshot that a SnapshotReceiver receives (the
// link is lossless here, so every snapshot the server sent is held by the
// client while it is in the 32-snapshot ring).
// Input: a config byte (budget), then per tick
//   [u8 changes][changes x (u8 slot, u8 what)][u8 ackKind][u16 ackSeq][u32 ackBits]
// ackKind bit 0: send the ack; bit 1: the client's true ack instead of the
// input's values.
// Properties: nothing crashes; whatever acks arrive, every snapshot decodes
// (Applied: the server only deltas against a snapshot the client holds, and
// an ack for one never sent is ignored); when nothing was deferred every live
// entity is shown with its current state.
// Also: no entity is shown after it left (an entity that comes and goes
// while acks are lost once stayed as a ghost; test_snapshot pins the fix).
#include <cstdint>
#include <cstdlib>
#include <map>
#include <vector>

#include "fuzz_common.h"
#include "net/snapshot.h"

using namespace caseroom::net;

namespace {
constexpr std::uint16_t kSlots = 24;
constexpr bool kCheckGhosts = true;

using Reader = caseroom::fuzz::InputReader;

QuantizedAvatar avatar(std::uint8_t what, std::uint32_t tick) {
    QuantizedAvatar a;
    a.body = {static_cast<std::int32_t>(what) * 97 - 9000, 0, static_cast<std::int32_t>(tick % 200) * 31 - 3000};
    a.yaw = (what * 131u + tick) % kYawSteps;
    a.headOffset = {0, 1600, 0};
    a.seat = what % 5 == 0 ? static_cast<std::uint32_t>(what % 40) : kWireStanding;
    a.voiceLevel = what % 16;
    return a;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    Reader in{data, size};
    std::uint8_t cfgByte = 0;
    if (!in.u8(cfgByte)) return 0;
    ReplicationConfig cfg;
    cfg.budgetBytes = cfgByte & 1 ? 16000 : 16u + (cfgByte >> 1); // everything fits, or a tight budget
    cfg.maxStaleTicks = 1u + (cfgByte >> 4);

    EntityHistory history(kSlots);
    ClientReplicator rep(kSlots);
    SnapshotReceiver rx;
    std::vector<float> priority(kSlots, 1.0f);
    std::vector<EntityUpdate> updates;
    std::map<std::uint16_t, QuantizedAvatar> seen;
    std::vector<std::uint32_t> instance(kSlots, 0);
    std::uint32_t nextInstance = 1;
    Snapshot snap;
    SnapshotStats st;
    for (std::uint32_t tick = 1; tick <= 200; ++tick) {
        std::uint8_t changes = 0;
        if (!in.u8(changes)) break;
        for (std::uint8_t c = 0; c < changes % 8; ++c) {
            std::uint8_t slotByte = 0, what = 0;
            if (!in.u8(slotByte) || !in.u8(what)) break;
            const auto slot = static_cast<std::uint16_t>(slotByte % kSlots);
            if (what < 32) { // leaves
                history.remove(slot, tick);
                instance[slot] = 0;
            } else if (what < 64 || instance[slot] == 0) { // someone (new) takes the slot
                instance[slot] = nextInstance++;
                history.set(slot, instance[slot], avatar(what, tick), tick);
            } else { // moves
                history.set(slot, instance[slot], avatar(what, tick), tick);
            }
        }
        std::uint8_t ackKind = 0;
        std::uint16_t ackSeq = 0;
        std::uint32_t ackBits = 0;
        if (!in.u8(ackKind) || !in.u16(ackSeq) || !in.u32(ackBits)) break;
        if (ackKind & 1) {
            if (ackKind & 2) rep.onAck(rx.ackSeq(), rx.ackBits());
            else rep.onAck(ackSeq, ackBits);
        }
        rep.build(history, priority, static_cast<std::uint16_t>(ackKind % kSlots), (ackKind & 4) != 0, tick, cfg, snap, &st);
        if (rx.receive(snap, updates) != SnapshotOutcome::Applied) std::abort();
        for (const auto& u : updates) {
            if (u.removed) seen.erase(u.slot);
            else seen[u.slot] = u.state;
        }
        if (st.deferred == 0) {
            for (std::uint16_t s = 0; s < kSlots; ++s) {
                const auto it = seen.find(s);
                if (history.current(s).instance) {
                    if (it == seen.end() || !(it->second == history.currentState(s))) std::abort();
                } else if (kCheckGhosts && it != seen.end()) {
                    std::abort();
                }
            }
        }
    }
    return 0;
}
