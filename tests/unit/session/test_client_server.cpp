// The client core against the real server core over the loopback twin:
// deterministic (simulated time, seeded link), so these can be exact.
#include <catch2/catch.hpp>

#include <cmath>
#include <memory>

#include "net/loopback_transport.h"
#include "session/client_session.h"
#include "session/server_host.h"

using namespace caseroom;
using namespace caseroom::session;

namespace {
struct World {
    net::LoopbackNetwork net{21};
    std::unique_ptr<net::Transport> serverT = net.createHost(7777);
    ServerHost server{*serverT, ServerConfig{}};
    std::vector<std::unique_ptr<net::Transport>> clientT;
    std::vector<std::unique_ptr<ClientSession>> clients;
    double now = 0;

    ClientSession& add(const std::string& name, const std::string& room = "demo") {
        clientT.push_back(net.createHost());
        ClientDesc d;
        d.displayName = name;
        d.roomCode = room;
        clients.push_back(std::make_unique<ClientSession>(*clientT.back(), d));
        clients.back()->connect(net::Address{"loop", 7777}, now);
        return *clients.back();
    }
    void run(double seconds, double step = 1.0 / 120.0) {
        const double end = now + seconds;
        while (now < end) {
            now += step;
            for (auto& c : clients) c->update(now);
            server.update(now);
        }
    }
};
float dist(glm::vec3 a, glm::vec3 b) { return std::hypot(a.x - b.x, a.z - b.z); }

std::uint16_t nearestSeat(const std::vector<sim::Seat>& seats, glm::vec3 from) {
    std::uint16_t best = 0;
    for (std::uint16_t i = 0; i < seats.size(); ++i)
        if (dist({seats[i].position.x, 0, seats[i].position.y}, from) < dist({seats[best].position.x, 0, seats[best].position.y}, from))
            best = i;
    return best;
}

// Walks `c` towards `target` (room x, z) until within 1 m (or 400 client ticks), then stops.
void walkTo(World& w, ClientSession& c, glm::vec2 target) {
    for (int i = 0; i < 400 && dist({target.x, 0, target.y}, c.selfPose()->body) > 1.0f; ++i) {
        const glm::vec3 p = c.selfPose()->body;
        const glm::vec2 d = target - glm::vec2(p.x, p.z);
        sim::MoveInput in;
        in.move = d / std::max(0.001f, std::hypot(d.x, d.y));
        c.setIntent(in);
        w.run(1.0 / 30.0);
    }
    c.setIntent(sim::MoveInput{});
    w.run(0.3); // the last inputs reach the server
}
} // namespace

TEST_CASE("a client joins and sees itself and the room", "[session]") {
    World w;
    ClientSession& a = w.add("Dr. Ana");
    w.run(0.3);
    REQUIRE(a.state() == ClientState::InRoom);
    REQUIRE(a.layout() != nullptr);
    CHECK(a.layout()->seats.size() >= 12);
    REQUIRE(a.selfPose() != nullptr);
    REQUIRE(a.avatars().size() == 1);
    CHECK(a.avatars()[0].self);
    CHECK(a.avatars()[0].name == "Dr. Ana");
}

TEST_CASE("a join to an unknown room is refused in plain words", "[session]") {
    World w;
    ClientSession& a = w.add("Dr. Ana", "nope");
    w.run(0.3);
    CHECK(a.state() == ClientState::Refused);
    CHECK(a.statusText().find("no room with that code") != std::string::npos);
}

TEST_CASE("prediction matches the server and reconciles under loss and jitter", "[session]") {
    World w;
    w.net.setConditions({0.1, 0.03, 0.02, 0.1, 0.02});
    ClientSession& a = w.add("Walker");
    ClientSession& b = w.add("Watcher");
    w.run(1.0);
    REQUIRE(a.state() == ClientState::InRoom);
    sim::MoveInput in;
    in.move = {1.0f, -0.3f};
    in.bodyYaw = 1.0f;
    a.setIntent(in);
    w.run(2.0);
    a.setIntent(sim::MoveInput{});
    w.run(1.5);
    const sim::Participant* truth = w.server.room("demo")->find(a.self());
    REQUIRE(truth);
    REQUIRE(a.selfPose());
    // Own prediction agrees with the authority to quantization (0.5 mm per axis).
    CHECK(dist(a.selfPose()->body, truth->pose.body) < 0.002f);
    CHECK(dist(truth->pose.body, glm::vec3(0.0f)) > 0.1f);
    // The other client sees the walker where the server has it.
    const RemoteAvatar* seen = nullptr;
    for (const auto& av : b.avatars())
        if (av.slot == a.self().value) seen = &av;
    REQUIRE(seen);
    REQUIRE(seen->hasPose);
    CHECK(dist(seen->pose.body, truth->pose.body) < 0.002f);
}

TEST_CASE("sitting goes through the server, and a taken seat is refused", "[session]") {
    World w;
    ClientSession& a = w.add("A");
    ClientSession& b = w.add("B");
    w.run(0.5);
    REQUIRE(a.layout());
    const auto& seats = a.layout()->seats;
    const std::uint16_t best = nearestSeat(seats, a.selfPose()->body);
    walkTo(w, a, seats[best].position);
    a.requestSit(best);
    w.run(0.5);
    REQUIRE(a.selfPose()->seated());
    CHECK(a.selfPose()->seat == best);

    // B walks up to the same chair, so that distance cannot be why it is
    // refused: only the seat being taken can be.
    walkTo(w, b, seats[best].position);
    const sim::Participant* bTruth = w.server.room("demo")->find(b.self());
    REQUIRE(bTruth);
    REQUIRE(dist({seats[best].position.x, 0, seats[best].position.y}, bTruth->pose.body) < sim::kSitReach);
    (void)b.takeNotices();
    b.requestSit(best);
    w.run(0.5);
    std::vector<std::string> refusals;
    for (const auto& n : b.takeNotices())
        if (n.find("refused") != std::string::npos) refusals.push_back(n);
    REQUIRE(refusals.size() == 1);
    CHECK(refusals[0] == std::string(net::toString(net::IntentKind::Sit)) + " refused: " + net::toString(net::RefusalReason::SeatTaken));
    CHECK(b.stats().refusals == 1);
    CHECK_FALSE(b.selfPose()->seated());
    CHECK(w.server.room("demo")->find(a.self())->pose.seat == best); // A keeps the chair
}

TEST_CASE("a free seat out of reach is refused as too far", "[session]") {
    World w;
    ClientSession& a = w.add("A");
    w.run(0.5);
    REQUIRE(a.layout());
    const auto& seats = a.layout()->seats;
    // The seat farthest from where A stands: out of reach in any layout.
    std::uint16_t far = 0;
    const glm::vec3 at = a.selfPose()->body;
    for (std::uint16_t i = 0; i < seats.size(); ++i)
        if (dist({seats[i].position.x, 0, seats[i].position.y}, at) > dist({seats[far].position.x, 0, seats[far].position.y}, at)) far = i;
    REQUIRE(dist({seats[far].position.x, 0, seats[far].position.y}, at) > sim::kSitReach);
    (void)a.takeNotices();
    a.requestSit(far);
    w.run(0.5);
    std::vector<std::string> refusals;
    for (const auto& n : a.takeNotices())
        if (n.find("refused") != std::string::npos) refusals.push_back(n);
    REQUIRE(refusals.size() == 1);
    CHECK(refusals[0] == std::string(net::toString(net::IntentKind::Sit)) + " refused: " + net::toString(net::RefusalReason::SeatTooFar));
    CHECK_FALSE(a.selfPose()->seated());
}

TEST_CASE("malformed packets are dropped and counted, and a flooding peer is cut off", "[session]") {
    World w;
    ClientSession& a = w.add("Good");
    auto rogue = w.net.createHost();
    const core::PeerId toServer = rogue->connect(net::Address{"loop", 7777});
    w.run(0.3);
    std::vector<std::uint8_t> junk{0xFF, 1, 2, 3};
    for (int i = 0; i < 10; ++i) REQUIRE(rogue->send(toServer, net::Channel::Control, junk, true));
    w.run(0.1);
    CHECK(w.server.counters().malformed == 10);
    for (int i = 0; i < 100; ++i) (void)rogue->send(toServer, net::Channel::State, junk, false);
    w.run(0.2);
    CHECK(w.server.counters().peersDropped == 1);
    CHECK(a.state() == ClientState::InRoom);
    const auto before = a.stats().snapshotsApplied;
    w.run(0.5);
    CHECK(a.stats().snapshotsApplied > before);
}
