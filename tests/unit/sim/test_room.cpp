#include <catch2/catch.hpp>

#include <cmath>

#include "core/capacity.h"
#include "core/config_text.h"
#include "net/avatar_codec.h" // header only: the wire's seat limit, pinned below
#include "sim/events.h"
#include "sim/room.h"

using namespace caseroom;
using namespace caseroom::sim;

namespace {
float dist2d(glm::vec3 a, glm::vec2 b) { return std::hypot(a.x - b.x, a.z - b.y); }
// Walks participant `id` toward `target` for `ticks` ticks, one input per tick.
void walk(Room& room, core::EntityId id, glm::vec2 dir, int ticks, std::uint32_t& seq) {
    for (int i = 0; i < ticks; ++i) {
        MoveInput in;
        in.move = dir;
        in.bodyYaw = yawToward({0, 0}, dir);
        room.submitInput(id, ++seq, in);
        room.step();
    }
}
} // namespace

TEST_CASE("the default layout puts seats around the table, inside the walls", "[sim]") {
    const RoomLayout l = makeLayout(RoomSpec{});
    REQUIRE(l.seats.size() >= 12);
    REQUIRE(l.panels.size() >= 4);
    for (const Seat& s : l.seats) {
        CHECK(l.insideWalls(s.position, 0.3f));
        CHECK(dist2d({s.position.x, 0, s.position.y}, l.tableCenter) > l.tableRadius + kAvatarRadius);
    }
    // Table seats face the table.
    const Seat& s0 = l.seats[0];
    const glm::vec3 f = forwardOf(s0.yaw);
    const glm::vec2 toTable = glm::normalize(l.tableCenter - s0.position);
    CHECK(f.x * toTable.x + f.z * toTable.y > 0.99f);
}

TEST_CASE("walking is limited to walking speed however many inputs arrive", "[sim]") {
    Room room(RoomSpec{}, 30.0);
    const auto id = room.join("Dr. Chen", core::Role::Specialist).entity;
    REQUIRE(id.valid());
    const glm::vec3 start = room.find(id)->pose.body;
    // A hostile client sends 20 steps per tick for 30 ticks.
    std::uint32_t seq = 0;
    for (int t = 0; t < 30; ++t) {
        for (int k = 0; k < 20; ++k) {
            MoveInput in;
            in.move = {10.0f, 0.0f}; // also over-long: clamped to unit length
            room.submitInput(id, ++seq, in);
        }
        room.step();
    }
    const glm::vec3 end = room.find(id)->pose.body;
    const float moved = std::hypot(end.x - start.x, end.z - start.z);
    // One second: at most walk speed plus the small burst allowance.
    CHECK(moved <= kWalkSpeed * (1.0f + kInputBurst / 30.0f) + 1e-3f);
    CHECK(moved > 0.5f);
}

TEST_CASE("nobody walks through walls or the table", "[sim]") {
    Room room(RoomSpec{}, 30.0);
    const auto id = room.join("Spoke", core::Role::Spoke).entity;
    std::uint32_t seq = 0;
    walk(room, id, {0.0f, 1.0f}, 400, seq); // into the back wall
    const auto& l = room.layout();
    CHECK(room.find(id)->pose.body.z <= l.halfExtents.y - kAvatarRadius + 1e-4f);
    walk(room, id, {0.0f, -1.0f}, 600, seq); // straight at the table, then the front wall
    const glm::vec3 p = room.find(id)->pose.body;
    CHECK(dist2d(p, l.tableCenter) >= l.tableRadius + kAvatarRadius - 1e-3f);
    CHECK(l.insideWalls({p.x, p.z}, kAvatarRadius - 1e-3f));
}

TEST_CASE("one person per seat, within reach, and standing frees it", "[sim]") {
    Room room(RoomSpec{}, 30.0);
    const auto a = room.join("A", core::Role::Spoke).entity;
    const auto b = room.join("B", core::Role::Spoke).entity;
    const Seat& seat = room.layout().seats[0];
    CHECK(room.sit(a, 0) == IntentError::SeatTooFar); // spawned at the back wall
    // Teleporting is not allowed, so walk there.
    std::uint32_t seqA = 0, seqB = 0;
    for (int i = 0; i < 600 && dist2d(room.find(a)->pose.body, seat.position) > 1.0f; ++i) {
        const glm::vec3 p = room.find(a)->pose.body;
        glm::vec2 d = seat.position - glm::vec2(p.x, p.z);
        d /= std::max(1e-3f, std::hypot(d.x, d.y));
        // Go around the table: sidestep when blocked.
        if (dist2d(p, room.layout().tableCenter) < room.layout().tableRadius + 0.4f) d = {1.0f, 0.0f};
        walk(room, a, d, 1, seqA);
    }
    REQUIRE(dist2d(room.find(a)->pose.body, seat.position) <= kSitReach);
    CHECK_FALSE(room.sit(a, 0).has_value());
    CHECK(room.find(a)->pose.seated());
    CHECK(room.seatOwner(0) == a);
    CHECK(room.sit(a, 1) == IntentError::AlreadySeated);
    CHECK(room.sit(b, 0) == IntentError::SeatTaken);
    CHECK(room.sit(b, 9999) == IntentError::SeatInvalid);
    // Seated: move inputs do not move the body.
    const glm::vec3 before = room.find(a)->pose.body;
    walk(room, a, {1.0f, 0.0f}, 10, seqA);
    CHECK(room.find(a)->pose.body == before);
    CHECK_FALSE(room.stand(a).has_value());
    CHECK_FALSE(room.seatOwner(0).valid());
    CHECK(room.stand(a) == IntentError::NotSeated);
    (void)seqB;
}

TEST_CASE("joins refuse bad names and a full room, leaving frees the slot", "[sim]") {
    RoomSpec spec;
    spec.maxParticipants = 2;
    Room room(spec, 30.0);
    CHECK(room.join("", core::Role::Spoke).error == JoinError::BadName);
    CHECK(room.join(std::string(49, 'x'), core::Role::Spoke).error == JoinError::BadName);
    const auto a = room.join("A", core::Role::Spoke);
    const auto b = room.join("B", core::Role::Spoke);
    REQUIRE_FALSE(a.error);
    REQUIRE_FALSE(b.error);
    CHECK(room.join("C", core::Role::Spoke).error == JoinError::RoomFull);
    room.leave(a.entity);
    CHECK(room.find(a.entity) == nullptr);
    const auto c = room.join("C", core::Role::Spoke);
    REQUIRE_FALSE(c.error);
    CHECK(room.population() == 2);
}

TEST_CASE("inputs apply in sequence order and duplicates are ignored", "[sim]") {
    Room room(RoomSpec{}, 30.0);
    const auto id = room.join("A", core::Role::Spoke).entity;
    MoveInput left;
    left.move = {-1.0f, 0.0f};
    room.submitInput(id, 2, left);
    room.submitInput(id, 1, left); // arrives late: sorted ahead of 2
    room.submitInput(id, 2, left); // duplicate
    room.step();
    room.step();
    CHECK(room.find(id)->lastInputSeq == 2);
    room.submitInput(id, 1, left); // already applied
    const glm::vec3 before = room.find(id)->pose.body;
    room.step();
    CHECK(room.find(id)->pose.body == before);
}

TEST_CASE("head turns are clamped to a neck's range", "[sim]") {
    Room room(RoomSpec{}, 30.0);
    const auto id = room.join("A", core::Role::Spoke).entity;
    MoveInput in;
    in.headYaw = 3.0f;
    in.headPitch = 2.0f;
    room.submitInput(id, 1, in);
    room.step();
    const glm::quat h = room.find(id)->pose.head;
    const glm::quat limit = headRotation(room.find(id)->pose.bodyYaw + kMaxHeadYaw, kMaxHeadPitch);
    CHECK(std::fabs(glm::dot(h, limit)) > 0.9999f);
}

TEST_CASE("room files are read with errors that name file and line", "[sim][config]") {
    auto doc = core::parseConfigText("[room liver]\nname = Liver ECHO\nmax_participants = 300\ntable_seats = 16\n[room hcv]\n", "clinic.rooms");
    REQUIRE(doc.ok());
    auto specs = roomSpecsFromConfig(*doc);
    REQUIRE(specs.ok());
    REQUIRE(specs->size() == 2);
    CHECK((*specs)[0].maxParticipants == 300);
    CHECK((*specs)[0].name == "Liver ECHO");
    CHECK((*specs)[1].code == "hcv");

    auto bad = roomSpecsFromConfig(*core::parseConfigText("[room a]\nmax_participants = 5000\n", "x.rooms"));
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().message.find("x.rooms:2:") == 0);
    auto unknown = roomSpecsFromConfig(*core::parseConfigText("[room a]\ncolour = red\n", "x.rooms"));
    REQUIRE_FALSE(unknown.ok());
    CHECK(unknown.error().message.find("unknown key 'colour'") != std::string::npos);
    auto dup = roomSpecsFromConfig(*core::parseConfigText("[room a]\n[room a]\n", "x.rooms"));
    CHECK_FALSE(dup.ok());
    auto badCode = roomSpecsFromConfig(*core::parseConfigText("[room a/b]\n", "x.rooms"));
    CHECK_FALSE(badCode.ok());
}

TEST_CASE("room files that would break at runtime are refused at load time", "[sim][config]") {
    // About 2000 seats: RoomLayoutMsg could not carry them, so clients would sit with no layout.
    auto big = roomSpecsFromConfig(
        *core::parseConfigText("[room huge]\nwidth = 60\ndepth = 60\naudience_rows = 40\naudience_per_row = 60\n", "big.rooms"));
    REQUIRE_FALSE(big.ok());
    INFO(big.error().message);
    CHECK(big.error().message.find("big.rooms:1: room 'huge' lays out ") == 0);
    CHECK(big.error().message.find("at most 1023") != std::string::npos);
    // The grand-rounds shape (about 580 seats) stays accepted.
    auto grand = roomSpecsFromConfig(*core::parseConfigText(
        "[room g]\nwidth = 40\ndepth = 30\ntable_seats = 16\naudience_rows = 14\naudience_per_row = 40\n", "g.rooms"));
    REQUIRE(grand.ok());
    CHECK(makeLayout((*grand)[0]).seats.size() <= kMaxRoomSeats);

    // Five rooms of 1000: 5000 + slack connections, beyond what ENet allows.
    std::string five;
    for (int i = 0; i < 5; ++i) five += "[room r" + std::to_string(i) + "]\nmax_participants = 1000\n";
    auto many = roomSpecsFromConfig(*core::parseConfigText(five, "many.rooms"));
    REQUIRE_FALSE(many.ok());
    INFO(many.error().message);
    CHECK(many.error().message.find("many.rooms: the rooms hold 5000 participants in all") == 0);
    CHECK(many.error().message.find("at most " + std::to_string(core::kMaxServerPeers - core::kPeerSlack) + " participants") !=
          std::string::npos);
    std::string four;
    for (int i = 0; i < 4; ++i) four += "[room r" + std::to_string(i) + "]\nmax_participants = 1000\n";
    CHECK(roomSpecsFromConfig(*core::parseConfigText(four, "four.rooms")).ok());
}

TEST_CASE("the room seat limit is the wire's", "[sim]") {
    STATIC_REQUIRE(kMaxRoomSeats == net::kMaxSeats);
    STATIC_REQUIRE(net::kWireStanding == kMaxRoomSeats); // the first index that is not a seat
}

TEST_CASE("the shipped rooms file loads and every room fits its seats", "[sim][config]") {
    auto doc = core::loadConfigFile(CASEROOM_ASSETS_DIR "/rooms/clinic.rooms");
    REQUIRE(doc.ok());
    auto specs = roomSpecsFromConfig(*doc);
    INFO((specs.ok() ? std::string() : specs.error().message));
    REQUIRE(specs.ok());
    REQUIRE(specs->size() >= 2);
    for (const RoomSpec& spec : *specs) {
        const RoomLayout l = makeLayout(spec);
        CHECK(l.seats.size() >= spec.tableSeats);
        for (const Seat& s : l.seats) CHECK(l.insideWalls(s.position, 0.3f));
    }
}

TEST_CASE("the event stream's cap drops panel churn, never joins, leaves or refused joins", "[sim][events]") {
    EventStream s;
    for (std::size_t i = 0; i < EventStream::kMaxEventsPerTick + 10; ++i)
        s.push(RoomEvent{1, core::EntityId{1}, RoomEventKind::SlideChanged, 0, {}, static_cast<std::uint32_t>(i), {}, {}});
    REQUIRE(s.pending().size() == EventStream::kMaxEventsPerTick);
    CHECK(s.dropped() == 10);
    // Past the cap: each of these still goes in (attendance and audit read them).
    s.push(RoomEvent{1, core::EntityId{2}, RoomEventKind::Joined, 0, {}, 0, {}, {}});
    s.push(RoomEvent{1, core::EntityId{3}, RoomEventKind::Left, 0, {}, 1, {}, {}});
    s.push(RoomEvent{1, {}, RoomEventKind::JoinRefused, 0, {}, 2, {}, {}});
    s.push(RoomEvent{1, core::EntityId{1}, RoomEventKind::ControlRequested, 0, {}, 0, {}, {}});
    CHECK(s.dropped() == 11);
    REQUIRE(s.pending().size() == EventStream::kMaxEventsPerTick + 3);
    CHECK(s.pending()[EventStream::kMaxEventsPerTick].kind == RoomEventKind::Joined);
    CHECK(s.pending()[EventStream::kMaxEventsPerTick + 1].kind == RoomEventKind::Left);
    CHECK(s.pending()[EventStream::kMaxEventsPerTick + 2].kind == RoomEventKind::JoinRefused);
    std::vector<RoomEvent> out;
    s.drain(out);
    CHECK(out.size() == EventStream::kMaxEventsPerTick + 3);
    CHECK(s.pending().empty());
}
