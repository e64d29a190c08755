// SeatHolds: the table of places held for dropped participants.
#include <catch2/catch.hpp>

#include "session/seat_holds.h"

using namespace caseroom;
using namespace caseroom::session;

namespace {
SeatHold hold(const char* room, std::uint16_t slot, std::uint64_t user, core::Role role, double until) {
    SeatHold h;
    h.room = room;
    h.entity = core::EntityId{slot};
    h.userId = user;
    h.role = role;
    h.until = until;
    return h;
}
} // namespace

TEST_CASE("seat holds: taken back by the same user in the same role and room, once", "[session][reconnect]") {
    SeatHolds t;
    t.hold(hold("demo", 3, 41, core::Role::Spoke, 50));
    t.hold(hold("other", 4, 41, core::Role::Spoke, 50));
    CHECK(t.held("demo", core::EntityId{3}));
    CHECK_FALSE(t.take("demo", 41, core::Role::Specialist));   // another role joins afresh
    CHECK_FALSE(t.take("demo", 42, core::Role::Spoke));        // another user
    CHECK_FALSE(t.take("demo", 0, core::Role::Spoke));         // unauthenticated: never
    const auto h = t.take("demo", 41, core::Role::Spoke);
    REQUIRE(h);
    CHECK(h->entity == core::EntityId{3});
    CHECK_FALSE(t.take("demo", 41, core::Role::Spoke));
    CHECK_FALSE(t.held("demo", core::EntityId{3}));
    CHECK(t.size() == 1);
}

TEST_CASE("seat holds: expiry takes the ended ones oldest first; a hold of the same place is replaced", "[session][reconnect]") {
    SeatHolds t;
    t.hold(hold("demo", 1, 11, core::Role::Spoke, 30));
    t.hold(hold("demo", 2, 12, core::Role::Spoke, 20));
    t.hold(hold("demo", 3, 13, core::Role::Spoke, 40));
    t.hold(hold("demo", 3, 13, core::Role::Spoke, 45)); // dropped again: the newer hold counts
    CHECK(t.size() == 3);
    CHECK(t.takeExpired(19.9).empty());
    const auto ended = t.takeExpired(40);
    REQUIRE(ended.size() == 2);
    CHECK(ended[0].entity == core::EntityId{2});
    CHECK(ended[1].entity == core::EntityId{1});
    CHECK(t.size() == 1);
    const auto removed = t.takeEntity("demo", core::EntityId{3});
    REQUIRE(removed);
    CHECK(removed->until == 45);
    CHECK(t.size() == 0);
}
