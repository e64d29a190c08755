// The ENet socket hook (enet_transport.cpp): the product's EnetTransport on
// real UDP sockets on loopback. A codec must see every datagram ENet sends
// and receives, whole, and oversized datagrams must neither reach ENet nor
// cut the drain short (audit F-07).
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <vector>

#include "net/enet_transport.h"

using namespace caseroom;
using namespace caseroom::net;

namespace {
// A codec that frames each datagram as [0xA5][datagram][0x5A] and counts.
struct FramingCodec final : DatagramCodec {
    int in = 0, out = 0, rejected = 0;
    std::size_t inbound(std::span<const std::uint8_t> wire, RawAddress, std::span<std::uint8_t> dst) override {
        if (wire.size() < 2 || wire.front() != 0xA5 || wire.back() != 0x5A || wire.size() - 2 > dst.size()) {
            ++rejected;
            return 0;
        }
        std::copy(wire.begin() + 1, wire.end() - 1, dst.begin());
        ++in;
        return wire.size() - 2;
    }
    std::size_t outbound(std::span<const std::uint8_t> plain, RawAddress, std::span<std::uint8_t> dst) override {
        if (plain.size() + 2 > dst.size()) return 0;
        dst[0] = 0xA5;
        std::copy(plain.begin(), plain.end(), dst.begin() + 1);
        dst[plain.size() + 1] = 0x5A;
        ++out;
        return plain.size() + 2;
    }
};

void sendUdp(std::uint16_t port, std::size_t size) {
    const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    std::vector<std::uint8_t> junk(size, 0x42);
    (void)::sendto(fd, junk.data(), junk.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
    ::close(fd);
}

struct Pair {
    FramingCodec serverCodec, clientCodec; // outlive the transports (destroyed after them)
    std::unique_ptr<EnetTransport> server, client;
    core::PeerId serverSide, clientSide;
    Pair() {
        EnetDesc sd;
        sd.listen = true;
        sd.mtuReserve = 2;
        auto s = EnetTransport::create(sd);
        REQUIRE(s.ok());
        server = std::move(*s);
        auto c = EnetTransport::create(EnetDesc{});
        REQUIRE(c.ok());
        client = std::move(*c);
        server->setDatagramCodec(&serverCodec);
        client->setDatagramCodec(&clientCodec);
        clientSide = client->connect(Address{"127.0.0.1", server->boundPort()});
        bool a = false, b = false;
        TransportEvent ev;
        for (int i = 0; i < 2000 && !(a && b); ++i) {
            while (server->poll(0, ev))
                if (ev.type == TransportEventType::Connected) { a = true; serverSide = ev.peer; }
            while (client->poll(0, ev))
                if (ev.type == TransportEventType::Connected) b = true;
            server->wait(0.001);
        }
        REQUIRE(a);
        REQUIRE(b);
    }
};
} // namespace

TEST_CASE("enet socket hook: a codec sees and frames every ENet datagram in both directions", "[net][enet][hook]") {
    Pair p;
    // The handshake of ENet itself went through both codecs.
    CHECK(p.serverCodec.in > 0);
    CHECK(p.serverCodec.out > 0);
    CHECK(p.clientCodec.in > 0);
    CHECK(p.clientCodec.out > 0);
    const std::uint8_t msg[] = {1, 2, 3, 4};
    REQUIRE(p.client->send(p.clientSide, Channel::Control, msg, true));
    p.client->flush();
    TransportEvent ev;
    bool got = false;
    for (int i = 0; i < 2000 && !got; ++i) {
        while (p.server->poll(0, ev))
            if (ev.type == TransportEventType::Received) got = ev.data == std::vector<std::uint8_t>(msg, msg + 4);
        (void)p.client->poll(0, ev);
        p.server->wait(0.001);
    }
    CHECK(got);
    // An unframed datagram (what plain ENet would send) never reaches ENet.
    const int before = p.serverCodec.rejected;
    sendUdp(p.server->boundPort(), 40);
    for (int i = 0; i < 200 && p.serverCodec.rejected == before; ++i) {
        (void)p.server->poll(0, ev);
        p.server->wait(0.001);
    }
    CHECK(p.serverCodec.rejected == before + 1);
    CHECK(p.server->socketStats().consumed >= 1);
}

TEST_CASE("enet socket hook: oversized datagrams are discarded and the traffic behind them still flows",
          "[net][enet][hook][F-07]") {
    Pair p;
    const std::uint64_t errorsBefore = p.server->serviceErrors();
    // 50 datagrams over ENet's 4096-byte receive buffer, then one real message.
    for (int i = 0; i < 50; ++i) sendUdp(p.server->boundPort(), 5000);
    const std::uint8_t msg[] = {9, 9, 9};
    REQUIRE(p.client->send(p.clientSide, Channel::State, msg, false));
    p.client->flush();
    TransportEvent ev;
    bool got = false;
    for (int i = 0; i < 2000 && !got; ++i) {
        while (p.server->poll(0, ev))
            if (ev.type == TransportEventType::Received) got = true;
        p.server->wait(0.001);
    }
    CHECK(got);
    CHECK(p.server->socketStats().oversized == 50);
    CHECK(p.server->serviceErrors() == errorsBefore); // never an ENet error
}
