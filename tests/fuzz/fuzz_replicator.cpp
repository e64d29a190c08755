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
// Room objects ride the same snapshots: a change whose slot byte is 240 or
// more acts on object (slot byte - 240) instead (what < 32 removes it, else
// sets bytes derived from what and the tick, of what % 100 bytes, the kind
// from what's low bit). Properties: after every snapshot, whatever the acks
// and the budget, no object the server removed lingers on the client; and
// when no object was deferred (the objects cap, ReplicationConfig::
// objectBudgetBytes: 4096, or 64 when the config byte's top bit is set) the
// client's objects equal the server's table exactly.
#include <cstdint>
#include <cstdlib>
#include <algorithm>
#include <map>
#include <vector>

#include "fuzz_common.h"
#include "net/room_objects.h"
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
    if (cfgByte & 0x80) cfg.objectBudgetBytes = 64; // a tight objects cap: objects wait their turn

    EntityHistory history(kSlots);
    ObjectTable objects;
    std::map<ObjectKey, std::vector<std::uint8_t>> shownObjects;
    std::vector<ObjectUpdate> objectUpdates;
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
            if (slotByte >= 240) { // a room object
                const ObjectKey key{what & 1 ? ObjectKind::Laser : ObjectKind::Panel, static_cast<std::uint16_t>(slotByte - 240)};
                if (what < 32) objects.remove(key);
                else {
                    std::vector<std::uint8_t> bytes(what % 100);
                    for (std::size_t k = 0; k < bytes.size(); ++k) bytes[k] = static_cast<std::uint8_t>(what + k * tick);
                    if (!objects.set(key, bytes)) std::abort(); // 16 keys x 2 kinds fit the table
                }
                continue;
            }
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
        rep.build(history, &objects, priority, static_cast<std::uint16_t>(ackKind % kSlots), (ackKind & 4) != 0, tick, cfg, snap, &st);
        if (rx.receive(snap, updates, objectUpdates) != SnapshotOutcome::Applied) std::abort();
        for (const auto& o : objectUpdates) {
            if (o.removed) {
                if (shownObjects.erase(o.key) != 1) std::abort(); // a removal of something not shown
            } else {
                shownObjects[o.key].assign(o.bytes.view().begin(), o.bytes.view().end());
            }
        }
        for (const auto& [key, bytes] : shownObjects)
            if (!objects.find(key)) std::abort(); // a ghost: removed on the server, still shown
        if (st.objectsDeferred == 0) {
            std::size_t live = 0;
            for (std::uint32_t s = 0; s < objects.slotCount(); ++s) {
                if (!objects.current(s).instance) continue;
                ++live;
                const auto it = shownObjects.find(objects.key(s));
                const auto want = objects.bytes(s).view();
                if (it == shownObjects.end() || !std::equal(it->second.begin(), it->second.end(), want.begin(), want.end())) std::abort();
            }
            if (live != shownObjects.size()) std::abort();
        }
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
