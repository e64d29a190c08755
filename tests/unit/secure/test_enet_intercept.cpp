// The handshake over real ENet 1.3.17 sockets on loopback, through the
// host->intercept callback: proves the prefix byte routes handshake datagrams,
// that an address without a completed handshake never gets an ENet peer, and
// that a handshaken client connects and exchanges sealed messages. This is the
// shape phase 2 wires into the ENet transport.
#include <catch2/catch.hpp>

#include <enet/enet.h>

#include <map>
#include <string>
#include <vector>

#include "net/secure/channel.h"
#include "net/secure/handshake.h"
#include "unit/secure/seeded_random.h"

using namespace caseroom;
using namespace caseroom::net::secure;

namespace {

constexpr std::uint64_t kNow = 1'800'000'000;

struct HostContext {
    ServerHandshake* server = nullptr;   // server side
    ClientHandshake* client = nullptr;   // client side
    int handshakeDatagrams = 0;
    int dropped = 0;
};
// ENet 1.3.17's ENetHost has no user pointer; a test-local registry maps
// hosts to their context.
std::map<const ENetHost*, HostContext*>& registry() {
    static std::map<const ENetHost*, HostContext*> r;
    return r;
}

PeerAddress toPeer(const ENetAddress& a) { return PeerAddress{a.host, a.port}; }

bool knownPeer(const ENetHost* host, const ENetAddress& a) {
    for (std::size_t i = 0; i < host->peerCount; ++i) {
        const ENetPeer& p = host->peers[i];
        if (p.state != ENET_PEER_STATE_DISCONNECTED && p.address.host == a.host && p.address.port == a.port) return true;
    }
    return false;
}

void sendRaw(ENetHost* host, const ENetAddress& to, std::span<const std::uint8_t> bytes) {
    ENetBuffer buf;
    buf.data = const_cast<std::uint8_t*>(bytes.data());
    buf.dataLength = bytes.size();
    REQUIRE(enet_socket_send(host->socket, &to, &buf, 1) == static_cast<int>(bytes.size()));
}

int ENET_CALLBACK serverIntercept(ENetHost* host, ENetEvent*) {
    HostContext& ctx = *registry().at(host);
    const std::span<const std::uint8_t> bytes(host->receivedData, host->receivedDataLength);
    switch (interceptAction(bytes, toPeer(host->receivedAddress), knownPeer(host, host->receivedAddress), *ctx.server)) {
    case InterceptAction::Handshake: {
        ++ctx.handshakeDatagrams;
        Datagram reply;
        (void)ctx.server->receive(bytes, toPeer(host->receivedAddress), kNow, reply);
        if (reply.size) sendRaw(host, host->receivedAddress, reply.view());
        return 1;
    }
    case InterceptAction::PassToEnet: return 0;
    default: ++ctx.dropped; return 1;
    }
}

int ENET_CALLBACK clientIntercept(ENetHost* host, ENetEvent*) {
    HostContext& ctx = *registry().at(host);
    const std::span<const std::uint8_t> bytes(host->receivedData, host->receivedDataLength);
    if (!isHandshakeDatagram(bytes)) return 0;
    ++ctx.handshakeDatagrams;
    (void)ctx.client->receive(bytes, 0.0);
    return 1;
}

struct EnetInit {
    EnetInit() { REQUIRE(enet_initialize() == 0); }
    ~EnetInit() { enet_deinitialize(); }
};

} // namespace

TEST_CASE("enet intercept: only a handshaken client gets an ENet peer, and its traffic is sealed",
          "[secure][enet][integration]") {
    REQUIRE(initCrypto());
    EnetInit init;
    test::SeededRandom rnd(21);
    Key secret{};
    rnd.fill(secret);

    ENetAddress bind{};
    REQUIRE(enet_address_set_host_ip(&bind, "127.0.0.1") == 0);
    bind.port = 0;
    ENetHost* server = enet_host_create(&bind, 8, 5, 0, 0);
    REQUIRE(server != nullptr);
    ENetAddress serverAddr{};
    REQUIRE(enet_socket_get_address(server->socket, &serverAddr) == 0);
    serverAddr.host = bind.host;

    ServerHandshake handshake(secret, rnd);
    HostContext serverCtx;
    serverCtx.server = &handshake;
    registry()[server] = &serverCtx;
    server->intercept = serverIntercept;

    // An attacker that skips the handshake and goes straight to ENet connect.
    ENetHost* attacker = enet_host_create(nullptr, 1, 5, 0, 0);
    REQUIRE(attacker != nullptr);
    REQUIRE(enet_host_connect(attacker, &serverAddr, 5, 0) != nullptr);

    MintDesc d;
    d.userId = 9;
    d.displayName = "Real Spoke";
    d.roomCode = "demo";
    d.nowUnix = kNow;
    auto tok = mintToken(d, secret, rnd);
    REQUIRE(tok.ok());
    ENetHost* client = enet_host_create(nullptr, 1, 5, 0, 0);
    REQUIRE(client != nullptr);
    ClientHandshake hs(*tok, rnd, 0.0);
    HostContext clientCtx;
    clientCtx.client = &hs;
    registry()[client] = &clientCtx;
    client->intercept = clientIntercept;

    int serverConnects = 0, clientConnects = 0, attackerConnects = 0;
    ENetPeer* clientPeer = nullptr;
    ENetPeer* serverSidePeer = nullptr;
    std::vector<std::uint8_t> received;
    const std::string sentence = "recommend fibroscan before treatment";
    bool sent = false;
    double t = 0;
    for (int step = 0; step < 400 && received.empty(); ++step, t += 0.01) {
        Datagram out;
        if (hs.state() != ClientHandshakeState::Admitted && hs.poll(t, out)) sendRaw(client, serverAddr, out.view());
        if (hs.state() == ClientHandshakeState::Admitted && clientPeer == nullptr) {
            clientPeer = enet_host_connect(client, &serverAddr, 5, 0);
            REQUIRE(clientPeer != nullptr);
        }
        ENetEvent ev;
        while (enet_host_service(server, &ev, 1) > 0) {
            if (ev.type == ENET_EVENT_TYPE_CONNECT) {
                ++serverConnects;
                serverSidePeer = ev.peer;
                REQUIRE(handshake.markConnected(toPeer(ev.peer->address)));
            } else if (ev.type == ENET_EVENT_TYPE_RECEIVE) {
                const Admission* a = handshake.find(toPeer(ev.peer->address));
                REQUIRE(a != nullptr);
                SecureChannel ch(a->keys);
                REQUIRE(ch.open(ev.channelID, {ev.packet->data, ev.packet->dataLength}, received) == OpenResult::Ok);
                enet_packet_destroy(ev.packet);
            }
        }
        while (enet_host_service(client, &ev, 1) > 0)
            if (ev.type == ENET_EVENT_TYPE_CONNECT) ++clientConnects;
        while (enet_host_service(attacker, &ev, 0) > 0)
            if (ev.type == ENET_EVENT_TYPE_CONNECT) ++attackerConnects;
        if (clientConnects == 1 && !sent) {
            SecureChannel ch(hs.keys());
            std::vector<std::uint8_t> pkt;
            REQUIRE(ch.seal(0, std::span(reinterpret_cast<const std::uint8_t*>(sentence.data()), sentence.size()), pkt));
            ENetPacket* p = enet_packet_create(pkt.data(), pkt.size(), ENET_PACKET_FLAG_RELIABLE);
            REQUIRE(enet_peer_send(clientPeer, 0, p) == 0);
            sent = true;
        }
    }
    CHECK(hs.state() == ClientHandshakeState::Admitted);
    CHECK(serverConnects == 1);
    CHECK(clientConnects == 1);
    CHECK(attackerConnects == 0);
    CHECK(serverCtx.dropped > 0);               // the attacker's connect attempts
    CHECK(serverCtx.handshakeDatagrams >= 2);   // request + response
    CHECK(clientCtx.handshakeDatagrams >= 2);   // challenge + accepted
    CHECK(std::string(received.begin(), received.end()) == sentence);
    CHECK(serverSidePeer != nullptr);
    CHECK(server->connectedPeers == 1);

    registry().erase(server);
    registry().erase(client);
    enet_host_destroy(attacker);
    enet_host_destroy(client);
    enet_host_destroy(server);
}
