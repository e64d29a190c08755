// The floor system's rules (sim/floor.h): the ordered queue, raising and
// lowering one's own hand, calling the next, giving, releasing and
// dismissing; who may, in which phase; one floor at a time; leavers; events.
#include <catch2/catch.hpp>

#include "sim/floor.h"

using namespace caseroom;
using namespace caseroom::sim;

namespace {
ClinicActor actor(std::uint16_t slot, core::Role role, HoldingSet h = {}) {
    ClinicActor a;
    a.id = core::EntityId{slot};
    a.role = role;
    a.holding = h;
    return a;
}

struct World {
    EventStream events;
    FloorSystem floor{&events};
    ClinicActor fac = actor(0, core::Role::Facilitator);
    ClinicActor spec = actor(1, core::Role::Specialist);
    ClinicActor coord = actor(2, core::Role::Coordinator);
    ClinicActor spoke = actor(3, core::Role::Spoke);
    ClinicActor spoke2 = actor(4, core::Role::Spoke);
    ClinicActor obs = actor(5, core::Role::Observer);
    Phase phase = Phase::CaseQuestions;
    std::uint32_t tick = 100;
    World() {
        for (const ClinicActor* a : {&fac, &spec, &coord, &spoke, &spoke2, &obs}) floor.join(a->id, a->role);
    }
    std::optional<FloorError> op(const ClinicActor& who, FloorOp o, core::EntityId target = {}) {
        return floor.apply(who, o, target, phase, tick);
    }
    std::vector<RoomEvent> drain() {
        std::vector<RoomEvent> out;
        events.drain(out);
        return out;
    }
    std::vector<core::EntityId> queue() const {
        std::vector<core::EntityId> q;
        for (const QueueEntry& e : floor.hands().entries) q.push_back(e.who);
        return q;
    }
};
} // namespace

TEST_CASE("floor: hands queue in order with their time; raising twice is a no-op", "[sim][floor]") {
    World w;
    CHECK(w.op(w.spoke, FloorOp::Raise) == std::nullopt);
    w.tick = 110;
    CHECK(w.op(w.spec, FloorOp::Raise) == std::nullopt);
    w.tick = 120;
    CHECK(w.op(w.coord, FloorOp::Raise) == std::nullopt);
    const std::uint64_t v = w.floor.version();
    CHECK(w.op(w.spoke, FloorOp::Raise) == std::nullopt);  // again: keeps its place and its time
    CHECK(w.floor.version() == v);
    CHECK(w.queue() == std::vector<core::EntityId>{w.spoke.id, w.spec.id, w.coord.id});
    CHECK(w.floor.hands().entries[0].sinceTick == 100);
    CHECK(w.floor.hands().entries[1].sinceTick == 110);
    CHECK(w.floor.raised(w.spec.id));
    CHECK_FALSE(w.floor.raised(w.spoke2.id));

    // The facilitator and observers do not raise hands.
    CHECK(w.op(w.fac, FloorOp::Raise) == FloorError::NotPermitted);
    CHECK(w.op(w.obs, FloorOp::Raise) == FloorError::NotPermitted);

    CHECK(w.op(w.spec, FloorOp::Lower) == std::nullopt);
    CHECK(w.queue() == std::vector<core::EntityId>{w.spoke.id, w.coord.id});
    CHECK(w.op(w.spec, FloorOp::Lower) == FloorError::NotInQueue);

    const auto ev = w.drain();
    REQUIRE(ev.size() == 4);
    CHECK(ev[0].kind == RoomEventKind::HandRaised);
    CHECK(ev[0].actor == w.spoke.id);
    CHECK(ev[3].kind == RoomEventKind::HandLowered);
    CHECK(ev[3].actor == w.spec.id);
    CHECK(ev[3].target == w.spec.id);
}

TEST_CASE("floor: the queue holds kMaxQueue hands", "[sim][floor]") {
    World w;
    for (std::uint16_t i = 0; i < kMaxQueue; ++i) {
        const ClinicActor s = actor(static_cast<std::uint16_t>(10 + i), core::Role::Spoke);
        w.floor.join(s.id, s.role);
        REQUIRE(w.op(s, FloorOp::Raise) == std::nullopt);
    }
    CHECK(w.op(w.spoke, FloorOp::Raise) == FloorError::QueueFull);
    CHECK(w.floor.hands().entries.size() == kMaxQueue);
    CHECK_FALSE(w.floor.raised(w.spoke.id));
}

TEST_CASE("floor: call next gives the first hand the floor; one floor at a time", "[sim][floor]") {
    World w;
    CHECK(w.op(w.fac, FloorOp::CallNext) == FloorError::NotInQueue);
    REQUIRE(w.op(w.spoke, FloorOp::Raise) == std::nullopt);
    REQUIRE(w.op(w.spoke2, FloorOp::Raise) == std::nullopt);
    w.drain();
    CHECK(w.op(w.spec, FloorOp::CallNext) == FloorError::NotPermitted);
    CHECK(w.op(w.coord, FloorOp::CallNext) == FloorError::NotPermitted);
    w.tick = 200;
    CHECK(w.op(w.fac, FloorOp::CallNext) == std::nullopt);
    CHECK(w.floor.holder() == w.spoke.id);
    CHECK(w.floor.holderSinceTick() == 200);
    CHECK(w.queue() == std::vector<core::EntityId>{w.spoke2.id});
    w.tick = 210;
    CHECK(w.op(w.fac, FloorOp::CallNext) == std::nullopt);
    CHECK(w.floor.holder() == w.spoke2.id);
    CHECK(w.queue().empty());
    const auto ev = w.drain();
    REQUIRE(ev.size() == 3);
    CHECK(ev[0].kind == RoomEventKind::FloorGiven);
    CHECK(ev[0].target == w.spoke.id);
    CHECK(ev[0].value == 1);
    CHECK(ev[1].kind == RoomEventKind::FloorEnded);  // the previous holder's floor ends first
    CHECK(ev[1].target == w.spoke.id);
    CHECK(ev[1].actor == w.fac.id);
    CHECK(ev[2].kind == RoomEventKind::FloorGiven);
    CHECK(ev[2].target == w.spoke2.id);
}

TEST_CASE("floor: give needs a present target that may hold; it takes their hand down", "[sim][floor]") {
    World w;
    REQUIRE(w.op(w.spoke, FloorOp::Raise) == std::nullopt);
    CHECK(w.op(w.fac, FloorOp::Give, core::EntityId{99}) == FloorError::NoSuchParticipant);
    CHECK(w.op(w.fac, FloorOp::Give, core::EntityId{}) == FloorError::NoSuchParticipant);
    CHECK(w.op(w.fac, FloorOp::Give, w.obs.id) == FloorError::NotPermitted);
    CHECK(w.op(w.spoke2, FloorOp::Give, w.spoke2.id) == FloorError::NotPermitted);
    CHECK(w.op(w.fac, FloorOp::Give, w.spoke.id) == std::nullopt);
    CHECK(w.floor.holder() == w.spoke.id);
    CHECK_FALSE(w.floor.raised(w.spoke.id));
    const std::uint64_t v = w.floor.version();
    CHECK(w.op(w.fac, FloorOp::Give, w.spoke.id) == std::nullopt);  // already theirs
    CHECK(w.floor.version() == v);
    // The acting facilitator (a specialist) runs the floor too.
    const ClinicActor acting = actor(w.spec.id.value, core::Role::Specialist, HoldingSet{}.with(Holding::ActingFacilitator));
    CHECK(w.op(acting, FloorOp::Give, w.spec.id) == std::nullopt);
    CHECK(w.floor.holder() == w.spec.id);
}

TEST_CASE("floor: release by the holder, or anyone's by RunFloor; dismiss a hand", "[sim][floor]") {
    World w;
    CHECK(w.op(w.fac, FloorOp::Release) == FloorError::NoFloor);
    CHECK(w.op(w.spoke, FloorOp::Release) == FloorError::NoFloor);
    REQUIRE(w.op(w.fac, FloorOp::Give, w.spoke.id) == std::nullopt);
    CHECK(w.op(w.spoke2, FloorOp::Release) == FloorError::NotPermitted);
    CHECK(w.op(w.spoke, FloorOp::Release) == std::nullopt);
    CHECK_FALSE(w.floor.holder().valid());
    REQUIRE(w.op(w.fac, FloorOp::Give, w.spoke2.id) == std::nullopt);
    w.drain();
    CHECK(w.op(w.fac, FloorOp::Release) == std::nullopt);
    auto ev = w.drain();
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].kind == RoomEventKind::FloorEnded);
    CHECK(ev[0].actor == w.fac.id);
    CHECK(ev[0].target == w.spoke2.id);

    REQUIRE(w.op(w.spoke, FloorOp::Raise) == std::nullopt);
    CHECK(w.op(w.spec, FloorOp::Dismiss, w.spoke.id) == FloorError::NotPermitted);
    CHECK(w.op(w.fac, FloorOp::Dismiss, w.spoke2.id) == FloorError::NotInQueue);
    w.drain();
    CHECK(w.op(w.fac, FloorOp::Dismiss, w.spoke.id) == std::nullopt);
    CHECK(w.queue().empty());
    ev = w.drain();
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].kind == RoomEventKind::HandLowered);
    CHECK(ev[0].actor == w.fac.id);
    CHECK(ev[0].target == w.spoke.id);
}

TEST_CASE("floor: the phase gates hands and the floor once the session ended", "[sim][floor]") {
    World w;
    w.phase = Phase::Didactic;  // hands are raised in the didactic
    CHECK(w.op(w.spoke, FloorOp::Raise) == std::nullopt);
    CHECK(w.op(w.fac, FloorOp::CallNext) == std::nullopt);
    w.phase = Phase::Ended;
    CHECK(w.op(w.spoke2, FloorOp::Raise) == FloorError::WrongPhase);
    CHECK(w.op(w.spoke2, FloorOp::Lower) == FloorError::WrongPhase);
    CHECK(w.op(w.fac, FloorOp::Give, w.spoke2.id) == FloorError::WrongPhase);
    CHECK(w.op(w.fac, FloorOp::Release) == FloorError::WrongPhase);
    // The holder's own release needs no permission.
    CHECK(w.op(w.spoke, FloorOp::Release) == std::nullopt);
    // Observers: not permitted in any phase.
    CHECK(w.op(w.obs, FloorOp::Raise) == FloorError::NotPermitted);
}

TEST_CASE("floor: a leaver's hand and floor go; end() ends the floor", "[sim][floor]") {
    World w;
    REQUIRE(w.op(w.spoke, FloorOp::Raise) == std::nullopt);
    REQUIRE(w.op(w.spoke2, FloorOp::Raise) == std::nullopt);
    REQUIRE(w.op(w.fac, FloorOp::Give, w.spec.id) == std::nullopt);
    w.drain();
    w.floor.leave(w.spoke.id, 300);
    w.floor.leave(w.spec.id, 301);
    CHECK(w.queue() == std::vector<core::EntityId>{w.spoke2.id});
    CHECK_FALSE(w.floor.holder().valid());
    auto ev = w.drain();
    REQUIRE(ev.size() == 2);
    CHECK(ev[0].kind == RoomEventKind::HandLowered);
    CHECK_FALSE(ev[0].actor.valid());
    CHECK(ev[1].kind == RoomEventKind::FloorEnded);
    CHECK_FALSE(ev[1].actor.valid());
    CHECK(ev[1].target == w.spec.id);
    // Gone: not a target any more.
    CHECK(w.op(w.fac, FloorOp::Give, w.spec.id) == FloorError::NoSuchParticipant);

    REQUIRE(w.op(w.fac, FloorOp::CallNext) == std::nullopt);
    w.drain();
    w.floor.end(400);
    CHECK_FALSE(w.floor.holder().valid());
    ev = w.drain();
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].kind == RoomEventKind::FloorEnded);
    CHECK(ev[0].target == w.spoke2.id);
    w.floor.end(401);  // nobody: nothing
    CHECK(w.drain().empty());
}

TEST_CASE("floor: one not in the room raises no hand", "[sim][floor]") {
    World w;
    const ClinicActor stranger = actor(30, core::Role::Spoke);
    CHECK(w.op(stranger, FloorOp::Raise) == FloorError::NoSuchParticipant);
    w.floor.leave(w.spoke.id, 5);
    CHECK(w.op(w.spoke, FloorOp::Raise) == FloorError::NoSuchParticipant);
    CHECK(w.queue().empty());
    CHECK(w.op(w.fac, FloorOp::Count) == FloorError::BadValue);
}
