// Room rules that live in sim: interest, the voice policy (room-wide roles,
// the believed level, the room-wide talker cap), the one seat-range check,
// moderation, and verified user ids.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/voice_frame.h"
#include "sim/interest.h"
#include "sim/room.h"
#include "sim/voice_policy.h"
#include "sim/voice_router.h"

using namespace caseroom;
using namespace caseroom::sim;

TEST_CASE("interest: nearer, moving and speaking avatars come first; empty slots get nothing", "[sim][interest]") {
    const InterestSpot me{0, 0, true, false, false};
    const InterestSpot near{1, 0, true, false, false}, far{10, 0, true, false, false};
    CHECK(interestPriority(me, near) > interestPriority(me, far));
    CHECK(interestPriority(me, near) == Approx(4.0f / 1.1f));
    InterestSpot farMoving = far, farSpeaking = far;
    farMoving.moving = true;
    farSpeaking.speaking = true;
    CHECK(interestPriority(me, farMoving) == Approx(interestPriority(me, far) + 1.0f));
    CHECK(interestPriority(me, farSpeaking) == Approx(interestPriority(me, far) + 1.0f));
    InterestSpot empty = near;
    empty.active = false;
    CHECK(interestPriority(me, empty) == 0.0f);

    const std::vector<InterestSpot> spots{me, far, empty, near};
    std::vector<float> priority(spots.size(), -1.0f);
    fillInterest(me, spots, priority);
    CHECK(priority[2] == 0.0f);
    CHECK(priority[3] > priority[1]);
    CHECK(priority[1] == Approx(interestPriority(me, far)));
}

TEST_CASE("voice policy: the hub team is heard room-wide, nobody else", "[sim][voice]") {
    CHECK(heardRoomWide(core::Role::Facilitator));
    CHECK(heardRoomWide(core::Role::Specialist));
    CHECK_FALSE(heardRoomWide(core::Role::Coordinator));
    CHECK_FALSE(heardRoomWide(core::Role::Spoke));
    CHECK_FALSE(heardRoomWide(core::Role::Observer));
}

TEST_CASE("voice policy: a claimed level is capped, rises at a bounded rate, and an empty frame is silent", "[sim][voice]") {
    OpusPacketInfo twenty;
    twenty.frames = 1;
    twenty.frameUs = twenty.durationUs = 20000;
    twenty.codedBytes = 60;
    VoiceLevelGuard liar;
    // A spoke claiming 255 (0 dBFS) every frame: starts low, climbs, stops at the ceiling.
    std::uint8_t first = acceptVoiceLevel(liar, 255, twenty, 0.0);
    CHECK(core::levelByteToDb(first) == Approx(kVoiceLevelStartDb + kVoiceLevelRiseDbPer20Ms).margin(0.5));
    std::uint8_t prev = first, last = first;
    for (int i = 1; i < 50; ++i) {
        last = acceptVoiceLevel(liar, 255, twenty, 0.02 * i);
        CHECK(core::levelByteToDb(last) - core::levelByteToDb(prev) <= kVoiceLevelRiseDbPer20Ms + 0.5f);
        prev = last;
    }
    CHECK(core::levelByteToDb(last) == Approx(kVoiceLevelCeilingDb).margin(0.5));
    // An honest quiet talker is believed as is, and falling is immediate.
    VoiceLevelGuard honest;
    CHECK(acceptVoiceLevel(honest, core::levelByteFromDb(-35.0f), twenty, 0.0) == core::levelByteFromDb(-35.0f));
    CHECK(acceptVoiceLevel(liar, core::levelByteFromDb(-50.0f), twenty, 1.02) == core::levelByteFromDb(-50.0f));
    // Only empty frames (DTX): nothing said, whatever the byte claims.
    OpusPacketInfo dtx = twenty;
    dtx.codedBytes = 0;
    CHECK(acceptVoiceLevel(honest, 255, dtx, 0.02) == 0);
    // After a talkspurt gap the level starts low again.
    const std::uint8_t again = acceptVoiceLevel(liar, 255, twenty, 5.0);
    CHECK(again == first);
}

TEST_CASE("router: at most maxRoomWideTalkers room-wide speakers at once, the next one dropped until a place frees", "[sim][router]") {
    RouterConfig cfg;
    cfg.maxRoomWideTalkers = 2;
    VoiceRouter router(cfg);
    for (std::uint16_t id = 1; id <= 3; ++id) router.upsert(id, {static_cast<float>(id), 1.2f, 0.0f}, true);
    for (std::uint16_t id = 10; id < 15; ++id) router.upsert(id, {static_cast<float>(id), 1.2f, 3.0f}, false);
    std::vector<std::uint16_t> out(router.participantCount());
    const auto lvl = core::levelByteFromDb(-20.0f);
    CHECK(router.route(1, lvl, 0.00, out) == 7);
    CHECK(router.route(2, lvl, 0.01, out) == 7);
    CHECK(router.route(3, lvl, 0.02, out) == 0); // a third room-wide talker: no one
    CHECK(router.stats().roomWideCapped == 1);
    CHECK(router.route(1, lvl, 0.20, out) == 7); // the first two go on
    CHECK(router.route(2, lvl, 0.20, out) == 7);
    // Speaker 2 falls silent for longer than the hold: 3 gets its place.
    CHECK(router.route(1, lvl, 0.50, out) == 7);
    CHECK(router.route(3, lvl, 0.65, out) == 7);
    CHECK(router.stats().roomWideCapped == 1);
    // Ordinary speakers are not counted against the room-wide places.
    CHECK(router.route(10, lvl, 0.66, out) > 0);
}

TEST_CASE("seats: the room checks the range of a wire seat number, however large", "[sim][seats]") {
    Room room(RoomSpec{}, 30.0);
    const auto a = room.join("A", core::Role::Spoke).entity;
    const std::uint32_t seats = static_cast<std::uint32_t>(room.layout().seats.size());
    REQUIRE(seats > 0);
    CHECK(room.sit(a, seats) == IntentError::SeatInvalid);
    CHECK(room.sit(a, 65536u) == IntentError::SeatInvalid);  // would truncate to seat 0 as 16 bits
    CHECK(room.sit(a, 0xFFFFFFFFu) == IntentError::SeatInvalid);
    CHECK(room.sit(a, 0) == IntentError::SeatTooFar);         // in range: the next rule speaks
}

TEST_CASE("seatAt: brought to a chair from anywhere; whoever sat there stands", "[sim][seats]") {
    Room room(RoomSpec{}, 30.0);
    const auto a = room.join("Presenter Pat", core::Role::Spoke).entity;
    const auto b = room.join("Sitting Sue", core::Role::Spoke).entity;
    REQUIRE(room.seatAt(b, 0) == std::nullopt); // far from it: seatAt has no reach check
    CHECK(room.seatOwner(0) == b);
    REQUIRE(room.seatAt(a, 0) == std::nullopt);
    CHECK(room.seatOwner(0) == a);
    CHECK(room.find(a)->pose.seat == 0);
    CHECK_FALSE(room.find(b)->pose.seated());
    CHECK(room.seatAt(a, 0) == std::nullopt); // already there: nothing to do
    CHECK(room.seatAt(a, 100000) == IntentError::SeatInvalid);
    CHECK(room.seatAt(core::EntityId{900}, 0) == IntentError::NoSuchParticipant);
}

TEST_CASE("two people with one display name stay two: each keeps its verified user id", "[sim][identity]") {
    Room room(RoomSpec{}, 30.0);
    const auto a = room.join("Dr. Lee", core::Role::Spoke, 1001);
    const auto b = room.join("Dr. Lee", core::Role::Spoke, 1002);
    REQUIRE_FALSE(a.error);
    REQUIRE_FALSE(b.error);
    CHECK(a.entity != b.entity);
    CHECK(room.find(a.entity)->userId == 1001);
    CHECK(room.find(b.entity)->userId == 1002);
}

namespace {
// A grand round: a hub of `hub` at the table, the rest of `n` in audience
// rows 1 m apart, 40 to a row, from 6 m behind the table.
std::vector<caseroom::sim::InterestSpot> grandRound(std::uint32_t n, std::uint32_t hub) {
    std::vector<caseroom::sim::InterestSpot> spots(n);
    for (std::uint32_t i = 0; i < n; ++i) {
        auto& s = spots[i];
        s.active = true;
        if (i < hub) {
            s.hub = true;
            s.x = 1.5f * std::cos(static_cast<float>(i));
            s.z = 1.5f * std::sin(static_cast<float>(i));
        } else {
            s.x = -20.0f + static_cast<float>((i - hub) % 40);
            s.z = 6.0f + static_cast<float>((i - hub) / 40);
        }
    }
    return spots;
}
} // namespace

TEST_CASE("interest scope: a small room examines every slot every tick", "[sim][interest]") {
    auto spots = grandRound(kFullScopeSlots, 16);
    InterestGrid grid;
    grid.build(spots, 7);
    CHECK(grid.farStride() == 1);
    std::vector<std::uint16_t> consider;
    std::vector<float> priority(spots.size(), -1.0f);
    grid.gather(40, spots, consider, priority);
    CHECK(consider.size() == spots.size());
    std::vector<float> all(spots.size());
    fillInterest(spots[40], spots, all);
    CHECK(priority == all);
}

TEST_CASE("interest scope: in a room of 1,000 a viewer examines the hub and its neighbours every tick, the far audience in turn",
          "[sim][interest]") {
    auto spots = grandRound(1000, 16);
    spots[900].active = false; // a left seat: still examined in its phase (its removal must be seen)
    InterestGrid grid;
    const std::uint16_t viewer = 500; // mid-audience
    std::vector<std::uint16_t> consider;
    std::vector<float> priority(spots.size(), -1.0f);
    std::vector<std::uint32_t> seen(spots.size(), 0);
    std::size_t most = 0;
    std::uint32_t stride = 0;
    for (std::uint32_t tick = 0; tick < 60; ++tick) {
        grid.build(spots, tick);
        stride = grid.farStride();
        grid.gather(viewer, spots, consider, priority);
        most = std::max(most, consider.size());
        std::vector<bool> once(spots.size(), false);
        bool hubAll = true, self = false;
        for (const std::uint16_t slot : consider) {
            CHECK_FALSE(once[slot]); // each at most once
            once[slot] = true;
            ++seen[slot];
            if (spots[slot].active) CHECK(priority[slot] == Approx(interestPriority(spots[viewer], spots[slot])));
            self = self || slot == viewer;
        }
        for (std::uint16_t h = 0; h < 16; ++h) hubAll = hubAll && once[h];
        CHECK(hubAll);
        CHECK(self);
        // The audience next to the viewer, every tick.
        CHECK(once[viewer + 1]);
        CHECK(once[viewer - 40]);
    }
    CHECK(stride > 1);
    CHECK(stride <= kMaxFarStride);
    // The work per viewer grows with its neighbourhood plus n / stride, not with n.
    CHECK(most < spots.size() / 2);
    // Every slot (the empty one too) examined at least once in every `stride` ticks.
    for (std::size_t slot = 0; slot < spots.size(); ++slot) CHECK(seen[slot] >= 60 / stride);
    // The hub every tick; a far audience member about one tick in `stride`.
    CHECK(seen[3] == 60);
    CHECK(seen[999] == 60 / stride);
}
