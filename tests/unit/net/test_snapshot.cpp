#include <catch2/catch.hpp>

#include <map>

#include "core/rng.h"
#include "net/snapshot.h"

using namespace caseroom;
using namespace caseroom::net;

namespace {
QuantizedAvatar randomAvatar(core::Rng& rng) {
    QuantizedAvatar a;
    a.body = quantizePosition({rng.uniformf(-8, 8), 0.0f, rng.uniformf(-6, 6)});
    a.yaw = rng.below(kYawSteps);
    a.headOffset = quantizeOffset({0.0f, rng.chance(0.5) ? 1.2f : 1.65f, 0.0f});
    a.head = quantizeQuat(glm::normalize(glm::quat(rng.uniformf(-1, 1), rng.uniformf(-1, 1), rng.uniformf(-1, 1), 1.0f)));
    a.handsTracked = rng.chance(0.3);
    if (a.handsTracked) {
        for (int h = 0; h < 2; ++h) {
            a.handOffset[h] = quantizeOffset({rng.uniformf(-0.5f, 0.5f), rng.uniformf(0.5f, 1.5f), rng.uniformf(-0.5f, 0.5f)});
            a.hand[h] = quantizeQuat(glm::normalize(glm::quat(1.0f, rng.uniformf(-1, 1), 0.0f, 0.0f)));
        }
    }
    a.seat = rng.chance(0.5) ? rng.below(40) : kWireStanding;
    a.voiceLevel = rng.below(16);
    return a;
}

// Small movement, the common case between ticks.
void nudge(core::Rng& rng, QuantizedAvatar& a) {
    a.body.x += static_cast<std::int32_t>(rng.range(-60, 60));
    a.body.z += static_cast<std::int32_t>(rng.range(-60, 60));
    a.yaw = (a.yaw + rng.below(20)) % kYawSteps;
    if (rng.chance(0.5)) a.head = quantizeQuat(dequantizeQuat(a.head) * glm::angleAxis(rng.uniformf(-0.05f, 0.05f), glm::vec3(0, 1, 0)));
}

using Table = std::map<std::uint16_t, QuantizedAvatar>;
void applyUpdates(Table& t, const std::vector<EntityUpdate>& updates) {
    for (const auto& u : updates) {
        if (u.removed) t.erase(u.slot);
        else t[u.slot] = u.state;
    }
}
Table truth(const EntityHistory& h) {
    Table t;
    for (std::uint16_t s = 0; s < h.slotCount(); ++s)
        if (h.current(s).instance) t[s] = h.currentState(s);
    return t;
}
} // namespace

TEST_CASE("a delta decoded onto its baseline equals the full snapshot, with adds and removes", "[net][snapshot]") {
    core::Rng rng(11);
    constexpr std::uint32_t kSlots = 64;
    EntityHistory history(kSlots);
    std::vector<float> priority(kSlots, 1.0f);
    std::uint32_t instance = 1;
    for (std::uint16_t s = 0; s < 40; ++s) history.set(s, instance++, randomAvatar(rng), 0);

    ReplicationConfig big;
    big.budgetBytes = 16000; // everything fits: this test is about the encoding
    ClientReplicator rep(kSlots);
    SnapshotReceiver rx;
    Snapshot snap;
    std::vector<EntityUpdate> updates;
    Table seen;
    rep.build(history, priority, 0, false, 1, big, snap);
    REQUIRE(snap.baselineOffset == 0);
    REQUIRE(rx.receive(snap, updates) == SnapshotOutcome::Applied);
    applyUpdates(seen, updates);
    CHECK(seen == truth(history));
    rep.onAck(rx.ackSeq(), rx.ackBits());

    // Change the room: moves, removals, additions and a reused slot.
    for (std::uint16_t s = 0; s < 40; s += 2) { QuantizedAvatar a = history.currentState(s); nudge(rng, a); history.set(s, history.current(s).instance, a, 2); }
    for (std::uint16_t s = 1; s < 10; s += 3) history.remove(s, 2);
    for (std::uint16_t s = 40; s < 50; ++s) history.set(s, instance++, randomAvatar(rng), 2);
    history.set(3, instance++, randomAvatar(rng), 2); // slot 3 now holds someone else

    rep.build(history, priority, 0, false, 2, big, snap);
    REQUIRE(snap.baselineOffset == 1);
    REQUIRE(rx.receive(snap, updates) == SnapshotOutcome::Applied);
    applyUpdates(seen, updates);

    ClientReplicator fresh(kSlots);
    SnapshotReceiver rxFull;
    Snapshot full;
    std::vector<EntityUpdate> fullUpdates;
    fresh.build(history, priority, 0, false, 2, big, full);
    REQUIRE(full.baselineOffset == 0);
    REQUIRE(rxFull.receive(full, fullUpdates) == SnapshotOutcome::Applied);
    Table fromFull;
    applyUpdates(fromFull, fullUpdates);

    CHECK(seen == fromFull);
    CHECK(seen == truth(history));
    CHECK(snap.payload.size() < full.payload.size()); // and the delta is smaller
}

TEST_CASE("snapshots stay within budget and no avatar freezes", "[net][snapshot]") {
    // What ClientReplicator::build promises (snapshot.h, snapshot.cpp):
    //  - a payload never exceeds kStaleBudgetFactor (3) budgets: an entry is
    //    kept only while bits + terminator <= the limit, and the limit is a
    //    whole number of bytes, so alignment adds nothing;
    //  - it exceeds one budget only for entities that are stale (out of date
    //    for maxStaleTicks); those sort first, so the entries past the budget
    //    are the last ones carried, and every one of them must be stale.
    // Everyone moves every tick, so 200 entities always want more than fits.
    core::Rng rng(12);
    constexpr std::uint32_t kSlots = 200;
    EntityHistory history(kSlots);
    std::vector<float> priority(kSlots);
    for (std::uint16_t s = 0; s < kSlots; ++s) {
        history.set(s, s + 1u, randomAvatar(rng), 0);
        priority[s] = 4.0f / (1.0f + static_cast<float>(s) * 0.1f); // near ones first
    }
    const ReplicationConfig cfg; // the default budget (120 bytes)
    ClientReplicator rep(kSlots);
    SnapshotReceiver rx;
    Snapshot snap;
    SnapshotStats st;
    std::vector<EntityUpdate> updates;
    std::vector<EntityRecord> held(kSlots); // what the client holds, per slot (lossless link)
    Table seen;
    std::uint32_t worst = 0, ticksOverBudget = 0, staleSent = 0;
    for (std::uint32_t tick = 1; tick <= 300; ++tick) {
        for (std::uint16_t s = 0; s < kSlots; ++s) { // everyone moves every tick
            QuantizedAvatar a = history.currentState(s);
            nudge(rng, a);
            history.set(s, s + 1u, a, tick);
        }
        // Which entities are stale as build() will judge them.
        std::vector<bool> stale(kSlots);
        for (std::uint16_t s = 0; s < kSlots; ++s)
            stale[s] = held[s] != history.current(s) && tick - history.supersededTick(s, held[s]) >= cfg.maxStaleTicks;
        rep.build(history, priority, 0, false, tick, cfg, snap, &st);
        INFO("tick " << tick << ": " << snap.payload.size() << " bytes, " << st.updates << " updates, " << st.overBudget << " over budget");
        REQUIRE(rx.receive(snap, updates) == SnapshotOutcome::Applied);
        CHECK(snap.payload.size() <= 3 * cfg.budgetBytes);
        const bool over = snap.payload.size() > cfg.budgetBytes;
        CHECK(over == (st.overBudget > 0));
        ticksOverBudget += over;
        // The entries past the budget are the last st.overBudget carried: all stale.
        REQUIRE(st.overBudget <= updates.size());
        for (std::size_t k = updates.size() - st.overBudget; k < updates.size(); ++k) {
            INFO("entry " << k << " slot " << updates[k].slot);
            CHECK(stale[updates[k].slot]);
        }
        for (const auto& u : updates) {
            staleSent += stale[u.slot];
            held[u.slot] = history.current(u.slot);
        }
        applyUpdates(seen, updates);
        rep.onAck(rx.ackSeq(), rx.ackBits());
        if (tick > 60) worst = std::max(worst, rep.worstStalenessTicks(history, tick));
    }
    INFO("ticks over budget " << ticksOverBudget << " of 300; stale entries sent " << staleSent << "; worst staleness " << worst);
    // The freeze bound: nobody is shown out of date for more than a second
    // (30 ticks) even with all 200 moving every tick.
    CHECK(worst <= 30);
    CHECK(staleSent > 0); // the stale path ran (this load needs it)
    CHECK(seen.size() == kSlots);
}

TEST_CASE("lost, duplicated and reordered snapshots still converge", "[net][snapshot]") {
    core::Rng rng(13);
    constexpr std::uint32_t kSlots = 48;
    EntityHistory history(kSlots);
    std::vector<float> priority(kSlots, 1.0f);
    for (std::uint16_t s = 0; s < 30; ++s) history.set(s, s + 1u, randomAvatar(rng), 0);
    ReplicationConfig cfg;
    cfg.budgetBytes = 300;
    ClientReplicator rep(kSlots);
    SnapshotReceiver rx;
    std::vector<Snapshot> inFlight;
    std::vector<EntityUpdate> updates;
    Table seen;
    std::uint32_t applied = 0, missing = 0;
    for (std::uint32_t tick = 1; tick <= 400; ++tick) {
        if (tick < 200) {
            for (std::uint16_t s = 0; s < 30; ++s) {
                if (!rng.chance(0.3)) continue;
                QuantizedAvatar a = history.currentState(s);
                nudge(rng, a);
                history.set(s, s + 1u, a, tick);
            }
            if (tick == 100) history.remove(7, tick);
            if (tick == 120) history.set(40, 99, randomAvatar(rng), tick);
        }
        Snapshot snap;
        rep.build(history, priority, 0, false, tick, cfg, snap);
        if (rng.chance(0.2)) continue;                       // lost
        inFlight.push_back(snap);
        if (rng.chance(0.1)) inFlight.push_back(snap);       // duplicated
        if (inFlight.size() >= 2 && rng.chance(0.3)) std::swap(inFlight[inFlight.size() - 1], inFlight[inFlight.size() - 2]); // reordered
        if (rng.chance(0.5)) {
            for (const auto& s : inFlight) {
                const auto o = rx.receive(s, updates);
                if (o == SnapshotOutcome::Applied) { ++applied; applyUpdates(seen, updates); }
                if (o == SnapshotOutcome::MissingBaseline) ++missing;
                CHECK(o != SnapshotOutcome::Malformed);
            }
            inFlight.clear();
            rep.onAck(rx.ackSeq(), rx.ackBits());
        }
    }
    CHECK(applied > 100);
    CHECK(missing == 0); // the server only uses baselines the client acknowledged
    CHECK(seen == truth(history));
}

TEST_CASE("snapshot payload decoding refuses garbage without crashing", "[net][snapshot]") {
    core::Rng rng(14);
    EntityHistory history(32);
    std::vector<float> priority(32, 1.0f);
    for (std::uint16_t s = 0; s < 20; ++s) history.set(s, s + 1u, randomAvatar(rng), 0);
    ClientReplicator rep(32);
    Snapshot good;
    rep.build(history, priority, 0, false, 1, ReplicationConfig{}, good);
    std::vector<EntityUpdate> updates;
    std::size_t malformed = 0;
    for (std::size_t len = 0; len < good.payload.size(); ++len) { // truncations
        SnapshotReceiver rx;
        Snapshot cut = good;
        cut.payload.resize(len);
        const auto o = rx.receive(cut, updates);
        CHECK(o == SnapshotOutcome::Malformed);
        CHECK(updates.empty());
        malformed += o == SnapshotOutcome::Malformed;
    }
    for (int i = 0; i < 2000; ++i) { // random payloads and headers
        SnapshotReceiver rx;
        Snapshot junk;
        junk.seq = static_cast<std::uint16_t>(rng.below(65536));
        junk.baselineOffset = rng.chance(0.8) ? 0 : rng.below(64);
        junk.payload.resize(rng.below(300));
        for (auto& b : junk.payload) b = static_cast<std::uint8_t>(rng.below(256));
        const auto o = rx.receive(junk, updates);
        if (o != SnapshotOutcome::Applied) CHECK(updates.empty());
    }
    CHECK(malformed == good.payload.size());
}

TEST_CASE("a snapshot whose baseline the client lacks is refused, not misapplied", "[net][snapshot]") {
    core::Rng rng(15);
    EntityHistory history(8);
    std::vector<float> priority(8, 1.0f);
    history.set(0, 1, randomAvatar(rng), 0);
    ClientReplicator rep(8);
    SnapshotReceiver a, b;
    Snapshot s1, s2;
    std::vector<EntityUpdate> updates;
    rep.build(history, priority, 0, false, 1, ReplicationConfig{}, s1);
    REQUIRE(a.receive(s1, updates) == SnapshotOutcome::Applied);
    rep.onAck(a.ackSeq(), a.ackBits());
    QuantizedAvatar moved = history.currentState(0);
    moved.body.x += 10;
    history.set(0, 1, moved, 2);
    rep.build(history, priority, 0, false, 2, ReplicationConfig{}, s2);
    REQUIRE(s2.baselineOffset == 1);
    CHECK(b.receive(s2, updates) == SnapshotOutcome::MissingBaseline); // b never got s1
    CHECK(a.receive(s2, updates) == SnapshotOutcome::Applied);
    CHECK(a.receive(s2, updates) == SnapshotOutcome::Duplicate);
    REQUIRE(updates.empty());
}

// Found by tests/fuzz/fuzz_replicator: an entity that appears and leaves
// while the client's acks are lost must not stay as a ghost. Snapshot 2 adds
// B, its ack is lost, B leaves, snapshot 3 is encoded against snapshot 1 (the
// newest acked), where B never existed, so it carries no removal; the
// receiver reports removals against the newest view it applied.
TEST_CASE("an entity that comes and goes while acks are lost is removed on the client", "[net][snapshot]") {
    core::Rng rng(15);
    EntityHistory history(8);
    std::vector<float> priority(8, 1.0f);
    ClientReplicator rep(8);
    SnapshotReceiver rx;
    std::vector<EntityUpdate> updates;
    Table seen;
    Snapshot snap;
    auto deliver = [&](bool ack) {
        REQUIRE(rx.receive(snap, updates) == SnapshotOutcome::Applied);
        applyUpdates(seen, updates);
        if (ack) rep.onAck(rx.ackSeq(), rx.ackBits());
    };
    history.set(0, 1, randomAvatar(rng), 1);
    rep.build(history, priority, 0, false, 1, ReplicationConfig{}, snap);
    deliver(true);
    history.set(1, 2, randomAvatar(rng), 2); // B arrives
    rep.build(history, priority, 0, false, 2, ReplicationConfig{}, snap);
    deliver(false);                          // its ack is lost
    REQUIRE(seen.count(1) == 1);
    history.remove(1, 3);                    // B leaves
    for (std::uint32_t tick = 3; tick < 10; ++tick) {
        rep.build(history, priority, 0, false, tick, ReplicationConfig{}, snap);
        deliver(true);
    }
    CHECK(seen == truth(history));
}
