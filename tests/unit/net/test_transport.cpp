#include <catch2/catch.hpp>

#include <algorithm>

#include <chrono>
#include <thread>

#include "net/enet_transport.h"
#include "net/loopback_transport.h"

using namespace caseroom;
using namespace caseroom::net;

namespace {
std::vector<std::uint8_t> bytes(std::uint8_t v, std::size_t n = 4) { return std::vector<std::uint8_t>(n, v); }

struct Pair {
    LoopbackNetwork net{3};
    std::unique_ptr<Transport> server = net.createHost(9000);
    std::unique_ptr<Transport> client = net.createHost();
    core::PeerId toServer, toClient;
    double now = 0;
    void connect() {
        toServer = client->connect(Address{"loop", 9000});
        TransportEvent ev;
        for (int i = 0; i < 100 && !(toClient.valid()); ++i, now += 0.01)
            while (server->poll(now, ev))
                if (ev.type == TransportEventType::Connected) toClient = ev.peer;
        REQUIRE(toClient.valid());
    }
};
} // namespace

TEST_CASE("loopback delivers reliable messages in order despite jitter", "[net][transport]") {
    Pair p;
    p.net.setConditions({0.5, 0.02, 0.03, 0.5, 0.5});
    p.connect();
    for (std::uint8_t i = 0; i < 50; ++i) REQUIRE(p.client->send(p.toServer, Channel::Control, bytes(i), true));
    std::vector<std::uint8_t> got;
    TransportEvent ev;
    for (int step = 0; step < 200; ++step, p.now += 0.005)
        while (p.server->poll(p.now, ev))
            if (ev.type == TransportEventType::Received) got.push_back(ev.data[0]);
    REQUIRE(got.size() == 50); // no loss on reliable, no duplicates
    for (std::uint8_t i = 0; i < 50; ++i) CHECK(got[i] == i);
}

TEST_CASE("loopback loses, duplicates and reorders unreliable messages as configured", "[net][transport]") {
    Pair p;
    p.connect();
    p.net.setConditions({0.1, 0.01, 0.02, 0.2, 0.05});
    for (int i = 0; i < 2000; ++i) {
        REQUIRE(p.client->send(p.toServer, Channel::State, bytes(static_cast<std::uint8_t>(i % 256)), false));
        p.now += 0.001;
        p.net.advance(p.now);
    }
    std::size_t received = 0, outOfOrder = 0;
    int last = -1;
    TransportEvent ev;
    for (int step = 0; step < 200; ++step, p.now += 0.01)
        while (p.server->poll(p.now, ev)) {
            if (ev.type != TransportEventType::Received) continue;
            ++received;
            if (ev.data[0] < last && last - ev.data[0] < 128) ++outOfOrder;
            last = ev.data[0];
        }
    CHECK(received > 1700);
    CHECK(received < 2000);
    CHECK(outOfOrder > 0);
    CHECK(p.net.dropped() > 100);
}

TEST_CASE("loopback reports disconnects to the far side", "[net][transport]") {
    Pair p;
    p.connect();
    p.client->disconnect(p.toServer, 0);
    TransportEvent ev;
    bool sawDisconnect = false;
    for (int i = 0; i < 10; ++i, p.now += 0.01)
        while (p.server->poll(p.now, ev)) sawDisconnect |= ev.type == TransportEventType::Disconnected && ev.peer == p.toClient;
    CHECK(sawDisconnect);
    CHECK_FALSE(p.server->send(p.toClient, Channel::Control, bytes(1), true));
}

TEST_CASE("ENet hosts on loopback connect and exchange messages on each channel", "[net][transport][enet]") {
    EnetDesc sd;
    sd.listen = true;
    sd.bind = {"127.0.0.1", 0};
    auto server = EnetTransport::create(sd);
    REQUIRE(server.ok());
    const std::uint16_t port = (*server)->boundPort();
    REQUIRE(port != 0);
    auto client = EnetTransport::create(EnetDesc{});
    REQUIRE(client.ok());
    const core::PeerId toServer = (*client)->connect(Address{"127.0.0.1", port});
    REQUIRE(toServer.valid());
    core::PeerId toClient;
    bool clientUp = false;
    std::vector<std::pair<Channel, std::uint8_t>> got;
    TransportEvent ev;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    bool sent = false;
    constexpr std::size_t kChannels = static_cast<std::size_t>(Channel::Count);
    while (std::chrono::steady_clock::now() < deadline && got.size() < kChannels) {
        while ((*server)->poll(0, ev)) {
            if (ev.type == TransportEventType::Connected) toClient = ev.peer;
            if (ev.type == TransportEventType::Received) got.emplace_back(ev.channel, ev.data.at(0));
        }
        while ((*client)->poll(0, ev)) clientUp |= ev.type == TransportEventType::Connected;
        if (clientUp && !sent) { // every channel, each with its catalog reliability
            for (std::size_t c = 0; c < kChannels; ++c) {
                const auto ch = static_cast<Channel>(c);
                const bool reliable = ch == Channel::Control || ch == Channel::Media;
                REQUIRE((*client)->send(toServer, ch, bytes(static_cast<std::uint8_t>(10 + c)), reliable));
            }
            (*client)->flush();
            sent = true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    REQUIRE(toClient.valid());
    REQUIRE(got.size() == kChannels);
    std::sort(got.begin(), got.end());
    for (std::size_t c = 0; c < kChannels; ++c) // each arrived on its own channel with its own byte
        CHECK(got[c] == std::pair{static_cast<Channel>(c), static_cast<std::uint8_t>(10 + c)});
    CHECK((*client)->stats(toServer).bytesSent == 4 * kChannels);
    CHECK((*server)->serviceErrors() == 0);
}

TEST_CASE("ENet refuses a bind to a port that is taken, with a message", "[net][transport][enet]") {
    EnetDesc sd;
    sd.listen = true;
    auto first = EnetTransport::create(sd);
    REQUIRE(first.ok());
    sd.bind.port = (*first)->boundPort();
    auto second = EnetTransport::create(sd);
    REQUIRE_FALSE(second.ok());
    CHECK(second.error().message.find(std::to_string(sd.bind.port)) != std::string::npos);
}

TEST_CASE("loopback applies each direction's link model on its own", "[net][transport][link]") {
    Pair p;
    p.connect();
    LinkParams up;
    up.loss = 1.0;                 // client -> server: nothing unreliable arrives
    LinkParams down;
    down.rateBytesPerSecond = 1000; // server -> client: 100-byte messages, 10 per second
    down.queueBytes = 100000;
    p.net.setLinks(up, down);
    const double sentAt = p.net.now(); // the network time sends are stamped with
    for (int i = 0; i < 20; ++i) {
        REQUIRE(p.client->send(p.toServer, Channel::State, bytes(1, 100), false));
        REQUIRE(p.server->send(p.toClient, Channel::State, bytes(2, 100), false));
    }
    REQUIRE(p.client->send(p.toServer, Channel::Control, bytes(3, 100), true)); // reliable: never lost
    std::size_t atServer = 0, reliableAtServer = 0;
    std::vector<double> atClient;
    TransportEvent ev;
    for (int step = 0; step < 300; ++step, p.now += 0.01) {
        while (p.server->poll(p.now, ev))
            if (ev.type == TransportEventType::Received) (ev.channel == Channel::Control ? reliableAtServer : atServer) += 1;
        while (p.client->poll(p.now, ev))
            if (ev.type == TransportEventType::Received) atClient.push_back(p.now);
    }
    CHECK(atServer == 0);
    CHECK(reliableAtServer == 1);
    REQUIRE(atClient.size() == 20);
    // Message k leaves the 1000 B/s bottleneck k * 0.1 s after they were all sent.
    CHECK(atClient.front() >= sentAt + 0.1 - 1e-9);
    CHECK(atClient.back() >= sentAt + 2.0 - 1e-9);
    CHECK(atClient.back() < sentAt + 2.0 + 0.02);
    const LinkCounters c = p.net.counters();
    CHECK(c.droppedLoss == 20);
    CHECK(p.net.dropped() == 20);
}
