// A real server core and three real clients over ENet on 127.0.0.1 with
// ephemeral ports, and the same scenario over the lossy loopback twin.
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
#include "net/enet_transport.h"
#include "net/loopback_transport.h"
#include "session/client_session.h"
#include "session/server_host.h"

using namespace caseroom;
using namespace caseroom::session;

namespace {
using Clock = std::chrono::steady_clock;

float dist(glm::vec3 a, glm::vec3 b) { return std::hypot(a.x - b.x, a.z - b.z); }

// One server and its clients, driven either by the wall clock (ENet) or by
// simulated time (loopback twin).
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
    // Steps until pred() holds or `seconds` pass; returns the time it took (or -1).
    double until(double seconds, const std::function<bool()>& pred) {
        const double start = clock();
        while (clock() - start < seconds) {
            step();
            if (pred()) return clock() - start;
        }
        return -1;
    }
    bool everyoneSeesEveryone(std::size_t n) const {
        for (const auto& c : clients) {
            if (c->state() != ClientState::InRoom) continue;
            std::size_t withPose = 0;
            for (const auto& a : c->avatars()) withPose += a.hasPose;
            if (withPose != n) return false;
        }
        return true;
    }
    // Largest distance between what any client shows and the server's truth.
    float worstError() const {
        const sim::Room* room = server->room("demo");
        float worst = 0;
        for (const auto& c : clients)
            for (const auto& a : c->avatars()) {
                const sim::Participant* p = room->find(core::EntityId{a.slot});
                if (!p || !a.hasPose) return 1e9f;
                worst = std::max(worst, dist(a.pose.body, p->pose.body));
            }
        return worst;
    }
};

void walkThenStop(Scenario& s, double seconds) {
    core::Rng rng(3);
    for (auto& c : s.clients) {
        sim::MoveInput in;
        in.move = {rng.uniformf(-1, 1), rng.uniformf(-1, 0)};
        in.bodyYaw = rng.uniformf(-3, 3);
        in.headYaw = rng.uniformf(-1, 1);
        c->setIntent(in);
    }
    s.until(seconds, [] { return false; });
    for (auto& c : s.clients) c->setIntent(sim::MoveInput{});
}

constexpr float kQuantBound = 0.00071f; // 0.5 mm per axis, in the horizontal plane

// A real server core on an ENet socket at 127.0.0.1 with an ephemeral port,
// driven by the wall clock.
void startEnetServer(Scenario& s, std::chrono::microseconds pause) {
    net::EnetDesc sd;
    sd.listen = true;
    sd.bind = {"127.0.0.1", 0};
    auto st = net::EnetTransport::create(sd);
    REQUIRE(st.ok());
    s.address = {"127.0.0.1", (*st)->boundPort()};
    s.serverT = std::move(*st);
    s.server = std::make_unique<ServerHost>(*s.serverT, ServerConfig{});
    const auto t0 = Clock::now();
    s.clock = [t0] { return std::chrono::duration<double>(Clock::now() - t0).count(); };
    s.pause = [pause] { std::this_thread::sleep_for(pause); };
}
} // namespace

TEST_CASE("three clients on real ENet see each other, converge, and see a leaver go", "[integration][enet]") {
    Scenario s;
    startEnetServer(s, std::chrono::milliseconds(1));
    for (const char* name : {"Dr. Ana", "Dr. Ben", "Nurse Cy"}) {
        auto ct = net::EnetTransport::create(net::EnetDesc{});
        REQUIRE(ct.ok());
        s.add(std::move(*ct), name);
    }
    const double joined = s.until(5.0, [&] {
        for (auto& c : s.clients)
            if (c->state() != ClientState::InRoom) return false;
        return true;
    });
    REQUIRE(joined >= 0);
    const double seen = s.until(2.0, [&] { return s.everyoneSeesEveryone(3); });
    INFO("seen after " << seen << " s");
    REQUIRE(seen >= 0);
    CHECK(seen <= 0.5);

    walkThenStop(s, 1.0);
    const double converged = s.until(2.0, [&] { return s.worstError() <= kQuantBound; });
    INFO("worst error " << s.worstError());
    CHECK(converged >= 0);

    s.clients[2]->leave();
    const core::EntityId gone = s.clients[2]->self();
    const double vanished = s.until(2.0, [&] {
        for (int i = 0; i < 2; ++i)
            for (const auto& a : s.clients[i]->avatars())
                if (a.slot == gone.value) return false;
        return true;
    });
    CHECK(vanished >= 0);
    CHECK(s.server->room("demo")->population() == 2);
    CHECK(s.server->counters().malformed == 0);
}

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
    REQUIRE(s.until(3.0, [&] { return s.everyoneSeesEveryone(3); }) >= 0);
    walkThenStop(s, 3.0);
    const double converged = s.until(3.0, [&] { return s.worstError() <= kQuantBound; });
    INFO("worst error " << s.worstError());
    CHECK(converged >= 0);
    CHECK(net->dropped() > 0);
    s.clients[0]->leave();
    CHECK(s.until(3.0, [&] { return s.clients[1]->avatars().size() == 2 && s.clients[2]->avatars().size() == 2; }) >= 0);
}

TEST_CASE("10,000 random datagrams do not stop the server or starve a joined client", "[integration][enet][badinput]") {
    Scenario s;
    startEnetServer(s, std::chrono::microseconds(200));
    const std::uint16_t port = s.address.port;
    auto ct = net::EnetTransport::create(net::EnetDesc{});
    REQUIRE(ct.ok());
    ClientSession& client = s.add(std::move(*ct), "Survivor");
    REQUIRE(s.until(5.0, [&] { return client.state() == ClientState::InRoom; }) >= 0);

    const int sock = ::socket(AF_INET, SOCK_DGRAM, 0);
    REQUIRE(sock >= 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    core::Rng rng(65507);
    std::vector<std::uint8_t> buf(65507);
    std::size_t sent = 0;
    for (int i = 0; i < 10000; ++i) {
        // Mostly small, sometimes huge, including empty datagrams.
        const std::size_t size = rng.chance(0.05) ? rng.below(65508) : rng.below(1500);
        for (std::size_t k = 0; k < size; ++k) buf[k] = static_cast<std::uint8_t>(rng.next());
        if (size >= 4 && rng.chance(0.3)) { buf[0] = 0xFF; buf[1] = 0xFF; } // peer id looks like "no peer"
        if (::sendto(sock, buf.data(), size, 0, reinterpret_cast<sockaddr*>(&to), sizeof to) >= 0) ++sent;
        if (i % 50 == 0) s.step();
    }
    ::close(sock);
    CHECK(sent > 9000);
    const auto before = client.stats().snapshotsApplied;
    REQUIRE(s.until(2.0, [&] { return client.stats().snapshotsApplied > before + 10; }) >= 0);
    CHECK(client.state() == ClientState::InRoom);
}
