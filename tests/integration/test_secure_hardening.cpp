// The audit's findings against the real secure transport on loopback, each
// with the test its report proposed: F-01 (one admission, one connection),
// F-02 (ENet framing authenticated, no strikes for forgeries), F-05 (revocation),
// F-04 (expiry of live sessions), F-06 (replayed Response), F-07 (oversized
// datagrams), F-10 (unsolicited traffic at a client), and replacement of a
// connection by a fresh proof of the same token.
#include <catch2/catch.hpp>

#include <algorithm>

#include "core/rng.h"
#include "integration/secure_fixture.h"

using namespace caseroom;
using namespace caseroom::session;
using net::secure::AccessKind;

namespace {
bool inRoom(const ClientSession& c) { return c.state() == ClientState::InRoom; }

void sendFrom(int sock, std::uint16_t port, std::span<const std::uint8_t> d) {
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::sendto(sock, d.data(), d.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
}

std::size_t countAccess(const test::SecureWorld& w, AccessKind k) {
    return static_cast<std::size_t>(std::count_if(w.access.begin(), w.access.end(), [&](const auto& e) { return e.kind == k; }));
}

// An insider with a valid token who speaks the protocol by hand: completes the
// handshake, then drives its own ENet host (two peer slots) under the sealed
// channel, so it can try a second ENet connection under one admission.
struct Insider final : net::DatagramCodec {
    net::secure::SystemRandom random;
    std::unique_ptr<net::secure::ClientHandshake> hs;
    std::unique_ptr<net::secure::SecureChannel> channel;
    std::unique_ptr<net::EnetTransport> enet;
    net::RawAddress server;
    explicit Insider(const net::secure::ConnectToken& token, std::uint16_t port) {
        net::EnetDesc d;
        d.maxPeers = 2;
        d.mtuReserve = net::secure::kSealedOverhead;
        auto e = net::EnetTransport::create(d);
        REQUIRE(e.ok());
        enet = std::move(*e);
        enet->setDatagramCodec(this);
        server = *enet->resolve(net::Address{"127.0.0.1", port});
        hs = std::make_unique<net::secure::ClientHandshake>(token, random, 0.0);
    }
    ~Insider() override { enet.reset(); }
    std::size_t inbound(std::span<const std::uint8_t> wire, net::RawAddress, std::span<std::uint8_t> out) override {
        if (net::secure::isHandshakeDatagram(wire)) {
            (void)hs->receive(wire, 0.0);
            return 0;
        }
        std::size_t n = 0;
        return channel && channel->open(wire, out, n) == net::secure::OpenResult::Ok ? n : 0;
    }
    std::size_t outbound(std::span<const std::uint8_t> plain, net::RawAddress, std::span<std::uint8_t> out) override {
        return channel ? channel->seal(plain, out) : 0;
    }
    void step(double t) {
        net::secure::Datagram dg;
        if (!channel && hs->poll(t, dg)) (void)enet->sendRaw(server, dg.view());
        if (!channel && hs->state() == net::secure::ClientHandshakeState::Admitted)
            channel = std::make_unique<net::secure::SecureChannel>(hs->keys());
        net::TransportEvent ev;
        while (enet->poll(t, ev)) {
            if (ev.type == net::TransportEventType::Connected) ++connected;
            if (ev.type == net::TransportEventType::Disconnected) ++disconnected;
        }
    }
    int connected = 0, disconnected = 0;
};
} // namespace

TEST_CASE("F-01: a second ENet connect under one admission is refused and the admission stays", "[integration][secure][F-01]") {
    test::SecureWorld w;
    const auto token = w.mint("Dr. Insider");
    Insider in(token, w.address.port);
    REQUIRE(w.until(5.0, [&] { return in.channel != nullptr; }, [&] { in.step(w.now()); }));
    in.enet->connect(in.server);
    REQUIRE(w.until(5.0, [&] { return in.connected == 1; }, [&] { in.step(w.now()); }));
    in.enet->connect(in.server); // same socket, same keys, a new ENet connection
    REQUIRE(w.until(5.0, [&] { return w.serverT->counters().duplicateConnects == 1; }, [&] { in.step(w.now()); }));
    w.until(0.5, [] { return false; }, [&] { in.step(w.now()); });
    CHECK(w.serverT->counters().duplicateConnects == 1);
    CHECK(countAccess(w, AccessKind::DuplicateConnect) == 1);
    const net::RawAddress self{htonl(INADDR_LOOPBACK), in.enet->boundPort()};
    CHECK(w.serverT->handshake()->find(net::secure::PeerAddress{self.host, self.port}) != nullptr);
    CHECK(w.serverT->handshake()->admissionCount() == 1);
    CHECK(w.serverT->peerAt(self).valid());
}

TEST_CASE("F-02: forged datagrams under a participant's address neither disconnect it nor cost it strikes",
          "[integration][secure][F-02]") {
    test::SecureWorld w;
    test::Relay relay(w.address.port);
    const net::Address via{"127.0.0.1", relay.port()};
    ClientSession& victim = w.join(w.mint("Dr. Victim"), &via);
    auto pump = [&] { relay.pump(); };
    REQUIRE(w.until(5.0, [&] { return inRoom(victim); }, pump));
    core::Rng rng(3);
    // What an attacker who sees the traffic can build: ENet DISCONNECT and
    // THROTTLE_CONFIGURE commands in the clear (peer id 0, session 0), random
    // payloads behind a correct sealed prefix, and replays of real datagrams.
    const std::uint8_t enetDisconnect[] = {0x00, 0x00, 0x00, 0x00, 0x04 | 0x80, 0x00, 0x00, 0x01, 0, 0, 0, 0};
    const std::uint8_t enetThrottle[] = {0x00, 0x00, 0x00, 0x00, 0x0B | 0x80, 0x00, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 2};
    const std::size_t capturedBefore = relay.captured.size();
    const std::uint64_t snapshotsBefore = victim.stats().snapshotsApplied;
    int injected = 0;
    REQUIRE(!w.until(2.0, [] { return false; }, [&] {
        relay.pump();
        if (injected >= 200) return;
        relay.inject(enetDisconnect);
        relay.inject(enetThrottle);
        std::vector<std::uint8_t> junk(20 + rng.below(300));
        for (auto& b : junk) b = static_cast<std::uint8_t>(rng.next());
        junk[0] = net::secure::kSealedPrefix;
        relay.inject(junk);
        if (relay.captured.size() > capturedBefore) relay.inject(relay.captured[capturedBefore]); // a replay
        ++injected;
    }));
    CHECK(inRoom(victim));
    CHECK(victim.stats().snapshotsApplied > snapshotsBefore + 20); // state kept flowing
    CHECK(w.serverT->counters().strikeDisconnects == 0);
    CHECK(w.serverT->counters().malformed >= 400);   // the clear ENet commands
    CHECK(w.serverT->counters().forged + w.serverT->counters().replayed >= 200); // the random sealed ones (a random counter may read as old)
    CHECK(w.serverT->counters().replayed >= 1);
    CHECK(w.server->counters().malformed == 0);
}

TEST_CASE("F-06: a replayed Response after joining changes nothing", "[integration][secure][F-06]") {
    test::SecureWorld w;
    test::Relay relay(w.address.port);
    const net::Address via{"127.0.0.1", relay.port()};
    ClientSession& c = w.join(w.mint("Dr. Steady"), &via);
    auto pump = [&] { relay.pump(); };
    REQUIRE(w.until(5.0, [&] { return inRoom(c); }, pump));
    std::vector<std::uint8_t> response;
    for (const auto& d : relay.captured)
        if (d.size() == net::secure::kResponseBytes && d[0] == net::secure::kPacketPrefix && d[1] == 3) response = d;
    REQUIRE(!response.empty());
    w.until(0.3, [] { return false; }, pump);
    for (int i = 0; i < 5; ++i) relay.inject(response);
    REQUIRE(!w.until(1.5, [&] { return !inRoom(c); }, pump));
    CHECK(w.serverT->handshake()->stats().resent >= 5);
    CHECK(w.server->clientCount() == 1);
    CHECK(countAccess(w, AccessKind::Replaced) == 0);
}

TEST_CASE("the same invitation proven from another computer replaces the old connection", "[integration][secure][replace]") {
    test::SecureWorld w;
    const auto token = w.mint("Dr. Roaming");
    ClientSession& laptop = w.join(token);
    REQUIRE(w.until(5.0, [&] { return inRoom(laptop); }));
    ClientSession& again = w.join(token); // a new socket: a new address
    REQUIRE(w.until(5.0, [&] { return inRoom(again) && laptop.state() == ClientState::Disconnected; }));
    CHECK(laptop.statusText().find("another computer") != std::string::npos);
    CHECK(w.server->room("demo")->population() == 1);
    CHECK(w.serverT->handshake()->admissionCount() == 1);
    CHECK(countAccess(w, AccessKind::Replaced) == 1);
    w.until(0.5, [] { return false; });
    CHECK(inRoom(again));
}

TEST_CASE("F-05: a revoked participant is cut off at once and refused afterwards", "[integration][secure][F-05]") {
    test::SecureWorld w;
    const auto token = w.mint("Dr. Withdrawn");
    ClientSession& c = w.join(token);
    ClientSession& other = w.join(w.mint("Dr. Stays"));
    REQUIRE(w.until(5.0, [&] { return inRoom(c) && inRoom(other); }));
    w.revokedUsers.insert(token.grant.userId);
    CHECK(w.serverT->disconnectRevoked([&](std::uint64_t, std::uint64_t user) { return w.revokedUsers.contains(user); }) == 1);
    w.step(); // one tick
    CHECK(w.server->clientCount() == 1);
    REQUIRE(w.until(3.0, [&] { return c.state() == ClientState::Disconnected; }));
    CHECK(c.statusText().find("withdrawn") != std::string::npos);
    CHECK(countAccess(w, AccessKind::Revoked) == 1);
    ClientSession& retry = w.join(token);
    REQUIRE(w.until(5.0, [&] { return retry.state() == ClientState::Refused; }));
    CHECK(retry.statusText().find(net::secure::describe(net::secure::Refusal::Revoked)) != std::string::npos);
    CHECK(inRoom(other));
}

TEST_CASE("F-04: a session ends when its invitation expires", "[integration][secure][F-04]") {
    test::SecureWorld w;
    ClientSession& c = w.join(w.mint("Dr. Brief", core::Role::Spoke, "demo", nullptr, 0, 2));
    REQUIRE(w.until(5.0, [&] { return inRoom(c); }));
    REQUIRE(w.until(6.0, [&] { return c.state() == ClientState::Disconnected; }));
    CHECK(c.statusText().find("expired") != std::string::npos);
    CHECK(countAccess(w, AccessKind::Expired) == 1);
    CHECK(w.server->clientCount() == 0);
}

TEST_CASE("F-07 and F-10: oversized datagrams at the server and strangers at the client do not stop a join",
          "[integration][secure][F-07][F-10]") {
    test::SecureWorld w;
    const int sock = ::socket(AF_INET, SOCK_DGRAM, 0);
    REQUIRE(sock >= 0);
    std::vector<std::uint8_t> big(5000, 0xEE);
    const std::uint8_t enetConnect[] = {0x8F, 0xFF, 0x00, 0x00, 0x82, 0xFF, 0x00, 0x01};
    ClientSession& c = w.join(w.mint("Dr. Patient"));
    auto hostile = [&] {
        sendFrom(sock, w.address.port, big);
        sendFrom(sock, w.address.port, big);
        const std::uint16_t clientPort = w.clientT.back()->boundPort();
        if (clientPort) sendFrom(sock, clientPort, enetConnect);
    };
    REQUIRE(w.until(5.0, [&] { return inRoom(c); }, hostile));
    w.until(0.5, [] { return false; }, hostile);
    ::close(sock);
    CHECK(inRoom(c));
    CHECK(w.serverT->socketStats().oversized > 10);
    CHECK(w.clientT.back()->counters().strays > 0);
    CHECK(w.serverT->serviceErrors() == 0);
}
