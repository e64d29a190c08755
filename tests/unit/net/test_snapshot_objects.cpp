// The objects section's cap (ReplicationConfig::objectBudgetBytes): a late
// joiner in a room of many large objects (the teaching round's board and
// chat: up to 192 objects of up to 512 bytes) gets them over a few
// snapshots, none past the cap plus one object, and its view never steps
// back (no object reported removed or reverted while the rest arrive),
// through delayed acknowledgements, loss and changes meanwhile.
#include <catch2/catch.hpp>

#include <deque>
#include <map>
#include <vector>

#include "net/snapshot.h"

using namespace caseroom;
using namespace caseroom::net;

namespace {
std::vector<std::uint8_t> bytesOf(std::uint32_t seed, std::size_t n) {
    std::vector<std::uint8_t> b(n);
    for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(seed * 131 + i * 7);
    return b;
}

using Shown = std::map<ObjectKey, std::vector<std::uint8_t>>;
Shown truth(const ObjectTable& t) {
    Shown s;
    for (std::uint32_t i = 0; i < t.slotCount(); ++i)
        if (t.current(i).instance) s[t.key(i)].assign(t.bytes(i).view().begin(), t.bytes(i).view().end());
    return s;
}

// A replicator and a receiver; acknowledgements reach the server `ackDelay`
// snapshots late (a round trip of a few ticks).
struct Link {
    EntityHistory history{16};
    ObjectTable objects;
    ClientReplicator rep{16};
    SnapshotReceiver rx;
    std::vector<float> priority = std::vector<float>(16, 1.0f);
    ReplicationConfig cfg;
    Snapshot snap;
    SnapshotStats st;
    std::vector<EntityUpdate> ents;
    std::vector<ObjectUpdate> objs;
    Shown shown;
    std::uint32_t tick = 0;
    std::size_t ackDelay = 0;
    std::deque<std::pair<std::uint16_t, std::uint32_t>> acks;
    std::uint32_t removalsReported = 0, biggestSection = 0;

    void step(bool lost = false) {
        ++tick;
        rep.build(history, &objects, priority, 0, false, tick, cfg, snap, &st);
        biggestSection = std::max(biggestSection, st.objectBytes);
        REQUIRE(snap.payload.size() <= kMaxMessageBytes);
        if (!lost) {
            REQUIRE(rx.receive(snap, ents, objs) == SnapshotOutcome::Applied);
            for (const ObjectUpdate& u : objs) {
                if (u.removed) {
                    ++removalsReported;
                    shown.erase(u.key);
                } else {
                    shown[u.key].assign(u.bytes.view().begin(), u.bytes.view().end());
                }
            }
            acks.emplace_back(rx.ackSeq(), rx.ackBits());
        }
        while (acks.size() > ackDelay) {
            rep.onAck(acks.front().first, acks.front().second);
            acks.pop_front();
        }
    }
};

void fill(ObjectTable& t, std::uint16_t count, std::size_t size) {
    for (std::uint16_t i = 0; i < count; ++i)
        REQUIRE(t.set({ObjectKind::BoardEntry, i}, bytesOf(i, size - (i % 7) * 3)));
}
} // namespace

TEST_CASE("a late joiner gets 150 large objects within a few snapshots, none past the cap plus one object",
          "[net][objects][snapshot]") {
    Link l;
    fill(l.objects, 150, 420); // ~60 KB
    for (std::uint16_t s = 0; s < 8; ++s) {
        QuantizedAvatar a;
        a.body = {s * 100, 0, 0};
        l.history.set(s, s + 1u, a, 0);
    }
    l.ackDelay = GENERATE(0u, 2u, 5u);
    const std::uint32_t cap = l.cfg.objectBudgetBytes;
    const std::uint32_t limit = cap + kMaxObjectBytes + 8; // the cap, one object and its header
    int snapshots = 0;
    l.step();
    ++snapshots;
    CHECK(l.st.full);
    CHECK(l.st.objects > 0);
    CHECK(l.st.objectsDeferred > 0);
    CHECK(l.st.updates >= 1); // the avatars still make progress beside the objects
    while (l.shown != truth(l.objects) && snapshots < 200) {
        l.step();
        ++snapshots;
    }
    CHECK(l.shown == truth(l.objects));
    CHECK(l.biggestSection <= limit);
    CHECK(l.removalsReported == 0); // the view only grew
    // 60 KB at 4 KiB a snapshot is 15 batches. Objects in flight are repeated
    // until acknowledged (never stacked past the cap), so a batch takes a
    // round trip: ackDelay + 1 snapshots (at 30 Hz and 40 ms, about 1.5 s).
    const int batches = static_cast<int>((60000 + cap - 1) / cap) + 1;
    CHECK(snapshots <= batches * static_cast<int>(l.ackDelay + 1) + 2);
    for (std::size_t i = 0; i <= l.ackDelay + 1; ++i) l.step();
    CHECK(l.st.objects == 0); // all acknowledged: nothing more to carry
}

TEST_CASE("objects sent but not yet acknowledged go again: the view never steps back while others wait",
          "[net][objects][snapshot]") {
    Link l;
    l.ackDelay = 3;
    fill(l.objects, 120, 400);
    std::map<ObjectKey, std::vector<std::uint8_t>> seen; // newest bytes the client showed per key
    for (int i = 0; i < 60; ++i) {
        // Early slots keep changing while the late joiner catches up; some snapshots are lost.
        if (i % 3 == 0) REQUIRE(l.objects.set({ObjectKind::BoardEntry, static_cast<std::uint16_t>(i % 5)}, bytesOf(1000u + i, 400)));
        const Shown before = l.shown;
        l.step(/*lost=*/i % 7 == 3);
        for (const auto& [key, bytes] : before) {
            REQUIRE(l.shown.count(key) == 1); // nothing the client showed disappears
            (void)bytes;
        }
        for (const ObjectUpdate& u : l.objs) {
            // An update is the object's current bytes or newer than what was shown: never an older version.
            if (u.removed) continue;
            const auto* now = l.objects.find(u.key);
            REQUIRE(now != nullptr);
            CHECK(*now == u.bytes);
        }
        INFO("step " << i << " objects " << l.st.objects << " deferred " << l.st.objectsDeferred);
        CHECK(l.st.objectBytes <= l.cfg.objectBudgetBytes + kMaxObjectBytes + 8);
    }
    for (int i = 0; i < 20 && l.shown != truth(l.objects); ++i) l.step();
    CHECK(l.shown == truth(l.objects));
    CHECK(l.removalsReported == 0);
}

TEST_CASE("removals go whatever the cap, and a deferred object removed meanwhile leaves no ghost", "[net][objects][snapshot]") {
    Link l;
    l.ackDelay = 1;
    fill(l.objects, 100, 450);
    l.step();
    l.step();
    // Remove some objects the client holds and some it has not been sent yet.
    for (std::uint16_t i = 0; i < 100; i += 9) l.objects.remove({ObjectKind::BoardEntry, i});
    for (int i = 0; i < 40 && l.shown != truth(l.objects); ++i) l.step();
    CHECK(l.shown == truth(l.objects));
    // A key that moves to another slot while deferred: removed and set again.
    l.objects.remove({ObjectKind::BoardEntry, 1});
    REQUIRE(l.objects.set({ObjectKind::Panel, 0}, bytesOf(7, 40)));   // takes the freed slot
    REQUIRE(l.objects.set({ObjectKind::BoardEntry, 1}, bytesOf(8, 450)));
    for (int i = 0; i < 10; ++i) l.step();
    CHECK(l.shown == truth(l.objects));
    l.objects.remove({ObjectKind::BoardEntry, 1});
    for (int i = 0; i < 10; ++i) l.step();
    CHECK(l.shown == truth(l.objects));
}

TEST_CASE("a small room's objects still all go in the first snapshot", "[net][objects][snapshot]") {
    Link l;
    fill(l.objects, 9, 400); // 3.6 KB: under the cap
    l.step();
    CHECK(l.st.objectsDeferred == 0);
    CHECK(l.shown == truth(l.objects));
}
