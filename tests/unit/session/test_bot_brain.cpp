// BotBrain over the real server core and client sessions on the loopback twin
// (simulated time, seeded): bots that look for seats end up seated, each in
// its own chair, and a wanderer stays standing but moves (review 1.11).
#include <catch2/catch.hpp>

#include <memory>
#include <set>
#include <vector>

#include "net/loopback_transport.h"
#include "session/bot_brain.h"
#include "session/client_session.h"
#include "session/server_host.h"

using namespace caseroom;
using namespace caseroom::session;

TEST_CASE("bots find their own seats and sit, a wanderer keeps walking", "[session][bots]") {
    net::LoopbackNetwork network(33);
    auto serverT = network.createHost(7777);
    ServerHost server(*serverT, ServerConfig{});
    constexpr int kSeekers = 8;
    std::vector<std::unique_ptr<net::Transport>> transports;
    std::vector<std::unique_ptr<ClientSession>> sessions;
    std::vector<BotBrain> brains;
    double now = 0;
    for (int i = 0; i <= kSeekers; ++i) {
        transports.push_back(network.createHost());
        ClientDesc d;
        d.displayName = "Bot " + std::to_string(i + 1);
        d.roomCode = "demo";
        sessions.push_back(std::make_unique<ClientSession>(*transports.back(), d));
        sessions.back()->connect(net::Address{"loop", 7777}, now);
        brains.emplace_back(1000 + static_cast<std::uint64_t>(i), /*wanderer=*/i == kSeekers);
    }
    std::vector<glm::vec3> wandererAt;
    for (int step = 0; step < 120 * 60; ++step) { // 60 s of simulated time
        now += 1.0 / 120.0;
        for (std::size_t i = 0; i < sessions.size(); ++i) {
            sessions[i]->update(now);
            if (sessions[i]->state() == ClientState::InRoom) brains[i].think(*sessions[i], now);
        }
        server.update(now);
        if (step % 1200 == 0 && sessions.back()->selfPose()) wandererAt.push_back(sessions.back()->selfPose()->body);
    }
    const sim::Room* room = server.room("demo");
    REQUIRE(room != nullptr);
    std::set<std::uint16_t> seats;
    for (int i = 0; i < kSeekers; ++i) {
        INFO("bot " << i + 1 << " mode " << toString(brains[static_cast<std::size_t>(i)].mode()));
        const sim::Participant* p = room->find(sessions[static_cast<std::size_t>(i)]->self());
        REQUIRE(p != nullptr);
        CHECK(p->pose.seated());
        if (p->pose.seated()) seats.insert(p->pose.seat);
    }
    CHECK(seats.size() == static_cast<std::size_t>(kSeekers)); // one chair each
    const sim::Participant* w = room->find(sessions.back()->self());
    REQUIRE(w != nullptr);
    CHECK_FALSE(w->pose.seated());
    REQUIRE(wandererAt.size() >= 3);
    float moved = 0;
    for (std::size_t i = 1; i < wandererAt.size(); ++i) moved += glm::distance(wandererAt[i], wandererAt[i - 1]);
    CHECK(moved > 1.0f); // it strolled, it did not stand still
}
