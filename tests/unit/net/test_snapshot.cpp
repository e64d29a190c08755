#include <catch2/catch.hpp>

#include <algorithm>
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

namespace {
template <AvatarCode C>
std::size_t roundTrip(const QuantizedAvatar& a, const QuantizedAvatar& base) {
    WriteStream w(128);
    QuantizedAvatar copy = a;
    REQUIRE(serializeAvatarDelta<WriteStream, C>(w, copy, base));
    const std::size_t bits = w.bitsWritten();
    w.align();
    const auto bytes = w.finish();
    ReadStream r(bytes);
    QuantizedAvatar back{};
    REQUIRE(serializeAvatarDelta<ReadStream, C>(r, back, base));
    CHECK(back == a);
    MeasureStream m;
    copy = a;
    REQUIRE(serializeAvatarDelta<MeasureStream, C>(m, copy, base));
    CHECK(m.bitsWritten() == bits);
    return bits;
}
} // namespace

TEST_CASE("avatar codes: compact and classic both carry every field exactly, compact in fewer bits", "[net][snapshot]") {
    core::Rng rng(41);
    std::size_t compact = 0, classic = 0;         // the realistic changes (walking, turning, talking, a VR head)
    std::size_t worstExtra = 0;                   // anything against anything: what the grades and the head-only bit cost
    for (int i = 0; i < 3000; ++i) {
        const QuantizedAvatar base = randomAvatar(rng);
        QuantizedAvatar a = base;
        switch (i % 5) {
        case 0: a = randomAvatar(rng); break;                          // anything against anything
        case 1: nudge(rng, a); break;                                  // a walker
        case 2:                                                        // a seated head turn, small or large
            a.head = quantizeQuat(dequantizeQuat(a.head) * glm::angleAxis(rng.uniformf(-1.0f, 1.0f) * (rng.chance(0.5) ? 0.05f : 1.0f), glm::vec3(0, 1, 0)));
            break;
        case 3: a.voiceLevel = rng.below(16); break;                   // talking
        case 4: a.headOffset.y += static_cast<std::int32_t>(rng.range(-3000, 3000)) % 1000; break; // a VR head bobbing
        }
        if (i % 5 == 4 && (a.headOffset.y < kOffYMin || a.headOffset.y > kOffYMax)) a.headOffset.y = base.headOffset.y;
        const std::size_t cb = roundTrip<AvatarCode::Compact>(a, base), kb = roundTrip<AvatarCode::Classic>(a, base);
        if (i % 5 == 0) worstExtra = std::max(worstExtra, cb > kb ? cb - kb : 0);
        else {
            compact += cb;
            classic += kb;
        }
        // Absolute (against the zero avatar), as a first description goes.
        (void)roundTrip<AvatarCode::Compact>(a, QuantizedAvatar{});
    }
    INFO("compact " << compact << " bits, classic " << classic << " bits; random changes: at most " << worstExtra << " bits more");
    CHECK(compact < classic);
    CHECK(worstExtra <= 12);
}

TEST_CASE("avatar codes: a seated head shift costs at most 3 bytes in the compact code", "[net][snapshot]") {
    core::Rng rng(42);
    std::size_t worst = 0;
    for (int i = 0; i < 500; ++i) {
        QuantizedAvatar base = randomAvatar(rng);
        base.handsTracked = false;
        base.handOffset[0] = base.handOffset[1] = QPosition{};
        base.hand[0] = base.hand[1] = 0;
        QuantizedAvatar a = base;
        a.head = quantizeQuat(dequantizeQuat(a.head) * glm::angleAxis(rng.uniformf(-0.05f, 0.05f), glm::vec3(0, 1, 0)));
        if (a.head == base.head) continue;
        if ((a.head >> 30) != (base.head >> 30)) continue; // the dropped component changed: 32 bits whole (rare)
        worst = std::max(worst, roundTrip<AvatarCode::Compact>(a, base));
    }
    // headOnly (1) + same index (1) + grade (2) + 3 x 6 bits + voice unchanged (1).
    CHECK(worst <= 24);
}

TEST_CASE("avatar codes: a walker's step on the floor, turning a little, costs at most 33 bits in the compact code", "[net][snapshot]") {
    core::Rng rng(44);
    std::size_t worst = 0, classicWorst = 0;
    for (int i = 0; i < 500; ++i) {
        QuantizedAvatar base = randomAvatar(rng);
        base.handsTracked = false;
        base.handOffset[0] = base.handOffset[1] = QPosition{};
        base.hand[0] = base.hand[1] = 0;
        // Across the yaw's wrap now and then: 4095 to 3 is a turn of 4 steps.
        if (i % 7 == 0) base.yaw = kYawSteps - 1 - rng.below(4);
        QuantizedAvatar a = base;
        // 1.4 m/s at 30 Hz is under 47 mm a tick; the height stays (the floor).
        a.body.x += static_cast<std::int32_t>(rng.range(-47, 47));
        a.body.z += static_cast<std::int32_t>(rng.range(-47, 47));
        a.yaw = (base.yaw + kYawSteps + static_cast<std::uint32_t>(rng.range(-15, 15))) % kYawSteps;
        if (a.body.x < kPosXZMin || a.body.x > kPosXZMax || a.body.z < kPosXZMin || a.body.z > kPosXZMax) continue;
        worst = std::max(worst, roundTrip<AvatarCode::Compact>(a, base));
        classicWorst = std::max(classicWorst, roundTrip<AvatarCode::Classic>(a, base));
    }
    INFO("compact " << worst << " bits, classic " << classicWorst);
    // headOnly (1) + body changed (1), grade (2), level (1), 2 x 8 bits + yaw
    // changed (1), small (1), 5 bits + head offset, head, hands, seat and
    // voice unchanged (5 bits): 33.
    CHECK(worst <= 33);
    CHECK(worst < classicWorst);
}

TEST_CASE("avatar codes: a turn across the yaw's wrap decodes the shorter way round", "[net][snapshot]") {
    QuantizedAvatar base{};
    base.yaw = kYawSteps - 2;
    QuantizedAvatar a = base;
    a.yaw = 3; // five steps on, through zero
    const std::size_t bits = roundTrip<AvatarCode::Compact>(a, base);
    // headOnly, body unchanged, yaw changed + small + 5 bits, the rest unchanged.
    CHECK(bits <= 1 + 1 + 7 + 5);
    a.yaw = kYawSteps / 2; // half a turn: the whole 12 bits
    CHECK(roundTrip<AvatarCode::Compact>(a, base) > bits);
}

TEST_CASE("avatar codes: malformed compact bytes are refused, not misread", "[net][snapshot]") {
    core::Rng rng(43);
    const QuantizedAvatar base = randomAvatar(rng);
    std::size_t refused = 0;
    for (int i = 0; i < 2000; ++i) {
        std::vector<std::uint8_t> bytes(1 + rng.below(20));
        for (auto& b : bytes) b = static_cast<std::uint8_t>(rng.below(256));
        ReadStream r(bytes);
        QuantizedAvatar a{};
        if (!serializeAvatarDelta(r, a, base)) { ++refused; continue; }
        // Whatever reads is within the wire's ranges.
        CHECK(a.seat <= kWireStanding);
        CHECK(a.voiceLevel <= kVoiceLevelMax);
        CHECK(a.headOffset.y >= kOffYMin);
        CHECK(a.headOffset.y <= kOffYMax);
    }
    CHECK(refused > 0);
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
        // The budget is counted with an upper bound of each entry's slot
        // code, so a payload over it always had entries chosen past it.
        const bool over = snap.payload.size() > cfg.budgetBytes;
        if (over) CHECK(st.overBudget > 0);
        ticksOverBudget += over;
        // The entries chosen past the budget were all stale (they are
        // written in slot order, so which ones is not visible here: at
        // least that many of the carried ones are stale).
        REQUIRE(st.overBudget <= updates.size());
        std::size_t staleCarried = 0;
        for (const auto& u : updates) staleCarried += stale[u.slot];
        CHECK(staleCarried >= st.overBudget);
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

TEST_CASE("a scoped build examines only the slots it is given, and the far ones still never freeze", "[net][snapshot]") {
    // A grand round as sim::InterestGrid scopes it: 1,000 entities, the
    // viewer's 100 neighbours examined every tick, the other 900 one tick in
    // six (in phase by slot). Each entity changes about every three seconds
    // (ten changes a tick): more than the 120-byte budget carries.
    core::Rng rng(14);
    constexpr std::uint32_t kSlots = 1000, kNear = 100, kStride = 6;
    EntityHistory history(kSlots);
    std::vector<float> priority(kSlots, 0.0f);
    for (std::uint16_t s = 0; s < kSlots; ++s) history.set(s, s + 1u, randomAvatar(rng), 0);
    const ReplicationConfig cfg;
    ClientReplicator rep(kSlots);
    SnapshotReceiver rx;
    Snapshot snap;
    SnapshotStats st;
    std::vector<EntityUpdate> updates;
    std::vector<std::uint16_t> consider;
    std::vector<bool> examined(kSlots);
    Table seen;
    std::uint32_t worst = 0, removedAt = 0, removalSeen = 0;
    for (std::uint32_t tick = 1; tick <= 360; ++tick) {
        for (std::uint16_t s = 0; s < kSlots; ++s) {
            if (history.current(s).instance == 0 || !rng.chance(0.01)) continue;
            QuantizedAvatar a = history.currentState(s);
            nudge(rng, a);
            history.set(s, s + 1u, a, tick);
        }
        if (tick == 200) { history.remove(731, tick); removedAt = tick; } // someone far away leaves
        consider.clear();
        std::fill(examined.begin(), examined.end(), false);
        for (std::uint16_t s = 0; s < kSlots; ++s)
            if (s < kNear || s % kStride == tick % kStride) {
                consider.push_back(s);
                examined[s] = true;
                priority[s] = s < kNear ? 3.0f : 0.2f;
            }
        rep.build(history, nullptr, priority, consider, 0, false, tick, cfg, snap, &st);
        REQUIRE(rx.receive(snap, updates) == SnapshotOutcome::Applied);
        CHECK(snap.payload.size() <= 3 * cfg.budgetBytes);
        for (const auto& u : updates) {
            INFO("tick " << tick << " slot " << u.slot);
            CHECK(examined[u.slot]); // nothing outside the scope is carried
            if (u.slot == 731 && u.removed) removalSeen = tick;
        }
        applyUpdates(seen, updates);
        rep.onAck(rx.ackSeq(), rx.ackBits());
        if (tick > 120) worst = std::max(worst, rep.worstStalenessTicks(history, tick)); // after the first descriptions of all 1,000
    }
    INFO("worst staleness " << worst << " ticks");
    // Examined one tick in six, a far entity is still never shown out of
    // date for more than a second: the staleness bound plus the stride.
    CHECK(worst <= cfg.maxStaleTicks + kStride + 6);
    CHECK(worst <= 30);
    CHECK(removalSeen >= removedAt);
    CHECK(removalSeen < removedAt + kStride);
    CHECK(seen.size() == kSlots - 1);
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

// Two chains of baselines: four slots, a client that received and acked a
// full first snapshot, then a budget that carries one avatar a snapshot
// (the first candidate always goes; nothing past it fits).
namespace {
struct OneAtATime {
    core::Rng rng;
    EntityHistory history{4};
    std::vector<float> priority = std::vector<float>(4, 1.0f);
    ReplicationConfig one;
    ClientReplicator rep{4};
    SnapshotReceiver rx;
    std::vector<EntityUpdate> updates;
    Table seen;
    SnapshotStats st;
    OneAtATime(std::uint64_t seed, std::uint16_t live) : rng(seed) {
        one.budgetBytes = 1;
        for (std::uint16_t s = 0; s < live; ++s) history.set(s, s + 1u, randomAvatar(rng), 0);
        ReplicationConfig big;
        big.budgetBytes = 16000;
        Snapshot first;
        rep.build(history, priority, 0, false, 1, big, first);
        REQUIRE(deliver(first));
        rep.onAck(rx.ackSeq(), rx.ackBits());
    }
    Snapshot build(std::uint32_t tick) {
        Snapshot s;
        rep.build(history, priority, 0, false, tick, one, s, &st);
        return s;
    }
    bool deliver(const Snapshot& s) {
        if (rx.receive(s, updates) != SnapshotOutcome::Applied) return false;
        applyUpdates(seen, updates);
        return true;
    }
    void move(std::uint16_t slot, std::uint32_t tick) {
        QuantizedAvatar a = history.currentState(slot);
        nudge(rng, a);
        history.set(slot, history.current(slot).instance, a, tick);
    }
};
} // namespace

// With a round trip longer than a tick each snapshot's baseline is a few
// snapshots back, so the views form interleaved chains: snapshot 3 below is
// built on 1, not on 2. What 2 carried is shown on the client once 2 is
// acked, so a later snapshot on 3's chain must not send it again.
TEST_CASE("an update acked in one chain of baselines is not sent again in another", "[net][snapshot]") {
    OneAtATime room(16, 3);
    room.priority[1] = 2.0f; // slot 1 goes first
    room.move(1, 2);
    room.move(2, 2);
    const Snapshot s2 = room.build(2);
    REQUIRE(room.st.updates == 1); // slot 1
    const Snapshot s3 = room.build(3); // 2 not acked yet: on 1 as well
    REQUIRE(s3.baselineOffset == 2);
    REQUIRE(room.st.updates == 1); // slot 2, which waited longer
    REQUIRE(room.deliver(s2));
    REQUIRE(room.deliver(s3));
    CHECK(room.seen == truth(room.history));
    room.rep.onAck(room.rx.ackSeq(), room.rx.ackBits()); // 2 and 3 together

    const Snapshot s4 = room.build(4);
    CHECK(s4.baselineOffset == 1); // on 3, whose chain never held slot 1's move
    CHECK(room.st.updates == 0);   // the client shows it all the same
    REQUIRE(room.deliver(s4));
    CHECK(room.seen == truth(room.history));
    CHECK(room.rep.worstStalenessTicks(room.history, 4) == 0);
}

// The other side of the same: an avatar one chain described, that another
// chain's baseline never held, still goes in that chain; without it the
// receiver, decoding against a baseline without the avatar, reports it
// removed (found by tests/fuzz/fuzz_replicator).
TEST_CASE("an avatar new to one chain of baselines is still described in it", "[net][snapshot]") {
    OneAtATime room(17, 2);
    room.priority[2] = 2.0f; // the newcomer goes first
    room.history.set(2, 3, randomAvatar(room.rng), 2); // someone joins
    room.move(1, 2);
    const Snapshot s2 = room.build(2); // the newcomer, on 1
    REQUIRE(room.st.absolutes == 1);
    const Snapshot s3 = room.build(3); // slot 1, on 1 as well
    REQUIRE(s3.baselineOffset == 2);
    REQUIRE(room.deliver(s2));
    REQUIRE(room.deliver(s3));
    room.rep.onAck(room.rx.ackSeq(), room.rx.ackBits());
    const Snapshot s4 = room.build(4); // on 3, which never held the newcomer
    CHECK(room.st.absolutes == 1);
    REQUIRE(room.deliver(s4));
    CHECK(room.seen == truth(room.history));
}
