// A real server core and three real clients on 127.0.0.1 over the transport
// the product ships (SecureTransport: token handshake, sealed ENet), and the
// same scenario over the lossy loopback twin; then a garbage flood at the
// secure server. Real sockets run on the wall clock, so nothing here asserts
// how long something took: each wait is a generous bound on an eventual
// state (timing lives in the benchmarks, BENCHMARKS.md).
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <functional>
#include <memory>
#include <thread>

#include "core/rng.h"
#include "integration/secure_fixture.h"
#include "net/loopback_transport.h"
#include "session/client_session.h"
#include "session/server_host.h"

using namespace caseroom;
using namespace caseroom::session;

namespace {

float dist(glm::vec3 a, glm::vec3 b) { return std::hypot(a.x - b.x, a.z - b.z); }

// One server and its clients over the loopback twin, on simulated time.
struct Scenario {
    std::unique_ptr<net::Transport> serverT;
    std::unique_ptr<ServerHost> server;
    std::vector<std::unique_ptr<net::Transport>> clientT;
    std::vector<std::unique_ptr<ClientSession>> clients;
    std::function<double()> clock;
    std::function<void()> pause;
    net::Address address;

    ClientSession& add(std::unique_ptr<net::Transport> t, const std::string& name) {
        clientT.push_back(std::move(t));
        ClientDesc d;
        d.displayName = name;
        clients.push_back(std::make_unique<ClientSession>(*clientT.back(), d));
        clients.back()->connect(address, clock());
        return *clients.back();
    }
    void step() {
        const double now = clock();
        for (auto& c : clients) c->update(now);
        server->update(now);
        pause();
    }
    // Steps until pred() holds or `seconds` of simulated time pass.
    bool until(double seconds, const std::function<bool()>& pred) {
        const double start = clock();
        while (clock() - start < seconds) {
            step();
            if (pred()) return true;
        }
        return false;
    }
};

using Clients = std::vector<std::unique_ptr<ClientSession>>;

bool everyoneSeesEveryone(const Clients& clients, std::size_t n) {
    for (const auto& c : clients) {
        if (c->state() != ClientState::InRoom) return false;
        std::size_t withPose = 0;
        for (const auto& a : c->avatars()) withPose += a.hasPose;
        if (withPose != n) return false;
    }
    return true;
}

// Largest distance between what any client shows and the server's truth.
float worstError(const ServerHost& server, const Clients& clients) {
    const sim::Room* room = server.room("demo");
    float worst = 0;
    for (const auto& c : clients)
        for (const auto& a : c->avatars()) {
            const sim::Participant* p = room->find(core::EntityId{a.slot});
            if (!p || !a.hasPose) return 1e9f;
            worst = std::max(worst, dist(a.pose.body, p->pose.body));
        }
    return worst;
}

void setWalking(Clients& clients) {
    core::Rng rng(3);
    for (auto& c : clients) {
        sim::MoveInput in;
        in.move = {rng.uniformf(-1, 1), rng.uniformf(-1, 0)};
        in.bodyYaw = rng.uniformf(-3, 3);
        in.headYaw = rng.uniformf(-1, 1);
        c->setIntent(in);
    }
}
void stopWalking(Clients& clients) {
    for (auto& c : clients) c->setIntent(sim::MoveInput{});
}

constexpr float kQuantBound = 0.00071f; // 0.5 mm per axis, in the horizontal plane
// A generous bound for eventual states over real sockets on a loaded CI
// machine: a bound, not a measurement.
constexpr double kPatience = 30.0;
} // namespace

TEST_CASE("three clients on the secure transport see each other, converge, and see a leaver go", "[integration][enet][secure]") {
    test::SecureWorld w;
    for (const char* name : {"Dr. Ana", "Dr. Ben", "Nurse Cy"}) (void)w.join(w.mint(name));
    REQUIRE(w.until(kPatience, [&] { return everyoneSeesEveryone(w.clients, 3); }));

    setWalking(w.clients);
    w.until(1.0, [] { return false; }); // walk a while (how far does not matter)
    stopWalking(w.clients);
    const bool converged = w.until(kPatience, [&] { return worstError(*w.server, w.clients) <= kQuantBound; });
    INFO("worst error " << worstError(*w.server, w.clients));
    CHECK(converged);
    for (auto& c : w.clients) CHECK(c->state() == ClientState::InRoom);

    w.clients[2]->leave();
    const core::EntityId gone = w.clients[2]->self();
    CHECK(w.until(kPatience, [&] {
        for (int i = 0; i < 2; ++i)
            for (const auto& a : w.clients[static_cast<std::size_t>(i)]->avatars())
                if (a.slot == gone.value) return false;
        return true;
    }));
    CHECK(w.server->room("demo")->population() == 2);
    CHECK(w.server->counters().malformed == 0);
}

namespace {
void walkThenStop(Scenario& s, double seconds) {
    setWalking(s.clients);
    s.until(seconds, [] { return false; });
    stopWalking(s.clients);
}
} // namespace

TEST_CASE("the same scenario over the loopback twin with 10% loss and reordering converges", "[integration][loopback]") {
    auto net = std::make_shared<net::LoopbackNetwork>(99); // outlives its hosts (declared first)
    Scenario s;
    net->setConditions({0.10, 0.04, 0.03, 0.10, 0.0});
    s.address = {"loop", 7777};
    s.serverT = net->createHost(7777);
    s.server = std::make_unique<ServerHost>(*s.serverT, ServerConfig{});
    auto now = std::make_shared<double>(0.0);
    s.clock = [now] { return *now; };
    s.pause = [now] { *now += 1.0 / 240.0; };
    for (const char* name : {"Dr. Ana", "Dr. Ben", "Nurse Cy"}) s.add(net->createHost(), name);
    // Simulated time: these bounds are in simulated seconds, exactly repeatable.
    REQUIRE(s.until(3.0, [&] { return everyoneSeesEveryone(s.clients, 3); }));
    walkThenStop(s, 3.0);
    const bool converged = s.until(3.0, [&] { return worstError(*s.server, s.clients) <= kQuantBound; });
    INFO("worst error " << worstError(*s.server, s.clients));
    CHECK(converged);
    CHECK(net->dropped() > 0);
    s.clients[0]->leave();
    CHECK(s.until(3.0, [&] { return s.clients[1]->avatars().size() == 2 && s.clients[2]->avatars().size() == 2; }));
}

TEST_CASE("10,000 random datagrams do not stop the secure server or starve a joined client", "[integration][enet][secure][badinput]") {
    test::SecureWorld w;
    ClientSession& client = w.join(w.mint("Survivor"));
    REQUIRE(w.until(kPatience, [&] { return client.state() == ClientState::InRoom; }));

    const int sock = ::socket(AF_INET, SOCK_DGRAM, 0);
    REQUIRE(sock >= 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(w.address.port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    core::Rng rng(65507);
    std::vector<std::uint8_t> buf(65507);
    std::size_t sent = 0;
    for (int i = 0; i < 10000; ++i) {
        // Mostly small, sometimes huge, including empty datagrams.
        const std::size_t size = rng.chance(0.05) ? rng.below(65508) : rng.below(1500);
        for (std::size_t k = 0; k < size; ++k) buf[k] = static_cast<std::uint8_t>(rng.next());
        if (size >= 4 && rng.chance(0.3)) { buf[0] = 0xFF; buf[1] = 0xFF; } // ENet: peer id looks like "no peer"
        if (size >= 1 && rng.chance(0.2)) buf[0] = 0x3F;                    // the handshake's prefix byte
        if (::sendto(sock, buf.data(), size, 0, reinterpret_cast<sockaddr*>(&to), sizeof to) >= 0) ++sent;
        if (i % 50 == 0) w.step();
    }
    ::close(sock);
    CHECK(sent > 9000);
    const auto before = client.stats().snapshotsApplied;
    REQUIRE(w.until(kPatience, [&] { return client.stats().snapshotsApplied > before + 10; }));
    CHECK(client.state() == ClientState::InRoom);
    // Nothing from the unauthenticated sender reached the room as a message.
    CHECK(w.server->counters().malformed == 0);
    CHECK(w.server->room("demo")->population() == 1);
}
