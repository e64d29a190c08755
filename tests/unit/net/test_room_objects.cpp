// Room objects (net/room_objects.h) in the snapshots: the table's versions,
// and the replicator/receiver pair carrying objects whole against the
// client's acknowledged baseline, through loss, removal, a late joiner's
// full snapshot, a budget too small for them, and hostile payloads.
#include <catch2/catch.hpp>

#include <functional>
#include <map>
#include <vector>

#include "net/snapshot.h"

using namespace caseroom;
using namespace caseroom::net;

namespace {
std::vector<std::uint8_t> bytesOf(std::uint8_t seed, std::size_t n) {
    std::vector<std::uint8_t> b(n);
    for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(seed * 31 + i * 7);
    return b;
}

using Shown = std::map<ObjectKey, std::vector<std::uint8_t>>;
void applyObjects(Shown& shown, const std::vector<ObjectUpdate>& ups) {
    for (const ObjectUpdate& u : ups) {
        if (u.removed) {
            REQUIRE(shown.erase(u.key) == 1);
        } else {
            shown[u.key].assign(u.bytes.view().begin(), u.bytes.view().end());
        }
    }
}
Shown truth(const ObjectTable& t) {
    Shown s;
    for (std::uint32_t i = 0; i < t.slotCount(); ++i)
        if (t.current(i).instance) s[t.key(i)].assign(t.bytes(i).view().begin(), t.bytes(i).view().end());
    return s;
}

// One server-side replicator and one client receiver over a link that the
// test drops packets on.
struct Link {
    EntityHistory history{8};
    ObjectTable objects;
    ClientReplicator rep{8};
    SnapshotReceiver rx;
    std::vector<float> priority = std::vector<float>(8, 1.0f);
    ReplicationConfig cfg;
    Snapshot snap;
    SnapshotStats st;
    std::vector<EntityUpdate> ents;
    std::vector<ObjectUpdate> objs;
    Shown shown;
    std::uint32_t tick = 0;

    // Builds one snapshot; delivers it (and acks) unless `lost`.
    void step(bool lost = false, bool ack = true) {
        ++tick;
        rep.build(history, &objects, priority, 0, false, tick, cfg, snap, &st);
        if (lost) return;
        REQUIRE(rx.receive(snap, ents, objs) == SnapshotOutcome::Applied);
        applyObjects(shown, objs);
        if (ack) rep.onAck(rx.ackSeq(), rx.ackBits());
    }
};
} // namespace

TEST_CASE("the object table bumps a version only when the bytes change, and bounds objects", "[net][objects]") {
    ObjectTable t;
    const ObjectKey a{ObjectKind::Panel, 0}, b{ObjectKind::Laser, 7};
    REQUIRE(t.set(a, bytesOf(1, 20)));
    const ObjectRecord first = t.current(0);
    CHECK(first.version == 1);
    REQUIRE(t.set(a, bytesOf(1, 20)));
    CHECK(t.current(0) == first); // same bytes: no new version
    REQUIRE(t.set(a, bytesOf(2, 20)));
    CHECK(t.current(0).version == 2);
    REQUIRE(t.set(b, bytesOf(3, 11)));
    CHECK(t.liveCount() == 2);
    t.remove(a);
    CHECK(t.find(a) == nullptr);
    CHECK(t.liveCount() == 1);
    REQUIRE(t.set(a, bytesOf(1, 20)));
    CHECK(t.current(0).instance != first.instance); // back as a new instance

    ObjectError err = ObjectError::Count;
    CHECK_FALSE(t.set(ObjectKey{ObjectKind::Panel, 1}, bytesOf(4, kMaxObjectBytes + 1), &err));
    CHECK(err == ObjectError::TooLarge);
    for (std::uint16_t i = 0; t.liveCount() < kMaxRoomObjects; ++i) REQUIRE(t.set(ObjectKey{ObjectKind::Laser, static_cast<std::uint16_t>(100 + i)}, bytesOf(5, 3)));
    CHECK_FALSE(t.set(ObjectKey{ObjectKind::Panel, 9}, bytesOf(6, 3), &err));
    CHECK(err == ObjectError::TableFull);
}

TEST_CASE("objects ride the snapshots: carried until acknowledged, then not again; changes and removals", "[net][objects][snapshot]") {
    Link l;
    REQUIRE(l.objects.set({ObjectKind::Panel, 0}, bytesOf(1, 60)));
    REQUIRE(l.objects.set({ObjectKind::Panel, 3}, bytesOf(2, 40)));
    l.step();
    CHECK(l.st.full);
    CHECK(l.st.objects == 2);
    CHECK(l.shown == truth(l.objects));
    l.step();
    CHECK(l.st.objects == 0); // acknowledged: nothing to carry
    CHECK(l.objs.empty());

    REQUIRE(l.objects.set({ObjectKind::Panel, 3}, bytesOf(9, 40)));
    l.step();
    CHECK(l.st.objects == 1);
    REQUIRE(l.objs.size() == 1);
    CHECK(l.objs[0].key == ObjectKey{ObjectKind::Panel, 3});
    CHECK(l.shown == truth(l.objects));

    l.objects.remove({ObjectKind::Panel, 0});
    l.step();
    REQUIRE(l.objs.size() == 1);
    CHECK(l.objs[0].removed);
    CHECK(l.shown == truth(l.objects));
    l.step();
    CHECK(l.st.objects == 0);
}

TEST_CASE("a lost snapshot's objects come again in the next one", "[net][objects][snapshot]") {
    Link l;
    l.step();
    REQUIRE(l.objects.set({ObjectKind::Laser, 2}, bytesOf(1, 11)));
    l.step(/*lost=*/true);
    CHECK(l.st.objects == 1);
    l.step(/*lost=*/true);
    CHECK(l.st.objects == 1); // not acknowledged: repeated every tick
    l.step();
    CHECK(l.shown == truth(l.objects));
    // A change and a removal while every snapshot is lost, then one arrives.
    REQUIRE(l.objects.set({ObjectKind::Panel, 1}, bytesOf(3, 30)));
    l.step(true);
    l.objects.remove({ObjectKind::Laser, 2});
    l.step(true);
    l.step();
    CHECK(l.shown == truth(l.objects));
}

TEST_CASE("an object that comes and goes while acknowledgements are lost leaves no ghost", "[net][objects][snapshot]") {
    Link l;
    l.step();
    REQUIRE(l.objects.set({ObjectKind::Laser, 4}, bytesOf(1, 11)));
    l.step(false, /*ack=*/false); // delivered, its ack lost: the server still deltas against the old baseline
    CHECK(l.shown.size() == 1);
    l.objects.remove({ObjectKind::Laser, 4});
    l.step(false, false); // the baseline never held it, so nothing is carried; the receiver still drops it
    CHECK(l.shown.empty());
    // And back with the same bytes after being dropped: shown again.
    REQUIRE(l.objects.set({ObjectKind::Laser, 4}, bytesOf(1, 11)));
    l.step(false, false);
    CHECK(l.shown == truth(l.objects));
}

TEST_CASE("a late joiner's first snapshot carries every object, past any budget", "[net][objects][snapshot]") {
    Link l;
    for (std::uint16_t i = 0; i < 12; ++i) REQUIRE(l.objects.set({ObjectKind::Panel, i}, bytesOf(static_cast<std::uint8_t>(i), 100)));
    for (std::uint16_t s = 0; s < 8; ++s) {
        QuantizedAvatar a;
        a.body = {s * 100, 0, 0};
        l.history.set(s, s + 1u, a, 0);
    }
    l.cfg.budgetBytes = 16; // far too small for 1.2 KB of objects
    l.step();
    CHECK(l.st.full);
    CHECK(l.st.objects == 12);
    CHECK(l.st.objectBytes >= 1200);
    CHECK(l.shown == truth(l.objects));
    CHECK(l.st.updates >= 1); // the avatars still make progress
}

TEST_CASE("a snapshot arriving late reports no objects (it would show an older state)", "[net][objects][snapshot]") {
    Link l;
    REQUIRE(l.objects.set({ObjectKind::Panel, 0}, bytesOf(1, 20)));
    l.step();
    REQUIRE(l.objects.set({ObjectKind::Panel, 0}, bytesOf(2, 20)));
    l.step(true); // held back
    const Snapshot late = l.snap;
    REQUIRE(l.objects.set({ObjectKind::Panel, 0}, bytesOf(3, 20)));
    l.step();
    CHECK(l.shown == truth(l.objects));
    REQUIRE(l.rx.receive(late, l.ents, l.objs) == SnapshotOutcome::Applied);
    CHECK(l.objs.empty());
}

TEST_CASE("hostile object sections are refused as malformed", "[net][objects][snapshot]") {
    // Hand-written full snapshots: count 0 slots, then the objects section.
    auto payload = [](auto&& write) {
        WriteStream w(256);
        std::uint32_t count = 0;
        w.serializeBits(count, bitsRequired(kMaxEntities));
        write(w);
        std::uint32_t end = 0;
        w.serializeBits(end, 1); // objects end
        std::uint32_t none = 1;
        w.serializeBits(none, 1); // no entities: their count, 0 in Exp-Golomb order 0
        w.align();
        const auto b = w.finish();
        Snapshot s;
        s.seq = 1;
        s.payload.assign(b.begin(), b.end());
        return s;
    };
    auto entry = [](WriteStream& w, std::uint32_t kind, std::uint16_t id, bool removed, std::uint32_t size) {
        std::uint32_t more = 1;
        w.serializeBits(more, 1);
        w.serializeBits(kind, kObjectKindBits);
        serializeU16(w, id);
        serializeBool(w, removed);
        if (!removed) {
            w.serializeBits(size, bitsRequired(kMaxObjectBytes)); // as serializeObjectBytes reads it
            for (std::uint32_t i = 0; i < size; ++i) {
                std::uint32_t b = i;
                w.serializeBits(b, 8);
            }
        }
    };
    std::vector<EntityUpdate> ents;
    std::vector<ObjectUpdate> objs;
    {
        SnapshotReceiver rx;
        CHECK(rx.receive(payload([&](WriteStream& w) { entry(w, 0, 1, false, 5); }), ents, objs) == SnapshotOutcome::Applied);
        CHECK(objs.size() == 1);
    }
    const std::vector<std::pair<const char*, std::function<void(WriteStream&)>>> bad = {
        {"removal of an object not held", [&](WriteStream& w) { entry(w, 0, 1, true, 0); }},
        {"a key twice", [&](WriteStream& w) { entry(w, 0, 1, false, 2); entry(w, 0, 1, false, 3); }},
        {"an unknown kind", [&](WriteStream& w) { entry(w, static_cast<std::uint32_t>(ObjectKind::Count), 1, false, 2); }},
        {"too long", [&](WriteStream& w) { entry(w, 0, 1, false, kMaxObjectBytes + 1); }},
    };
    for (const auto& [what, write] : bad) {
        INFO(what);
        SnapshotReceiver rx;
        CHECK(rx.receive(payload(write), ents, objs) == SnapshotOutcome::Malformed);
        CHECK(objs.empty());
    }
    // More live objects than a room may hold.
    SnapshotReceiver rx;
    CHECK(rx.receive(payload([&](WriteStream& w) {
              for (std::uint16_t i = 0; i <= kMaxRoomObjects; ++i) entry(w, 1, i, false, 0);
          }),
          ents, objs) == SnapshotOutcome::Malformed);
}
