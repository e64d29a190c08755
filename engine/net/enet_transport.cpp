#include "net/enet_transport.h"

#include <enet/enet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include <mutex>
#include <unordered_map>

namespace caseroom::net {
namespace {
// ENet needs one global initialisation per process; this refcount is the
// only place that knows about it.
std::mutex gInitMutex;
int gInitCount = 0;
bool acquireEnet() {
    std::lock_guard lock(gInitMutex);
    if (gInitCount == 0 && enet_initialize() != 0) return false;
    ++gInitCount;
    return true;
}
void releaseEnet() {
    std::lock_guard lock(gInitMutex);
    if (--gInitCount == 0) enet_deinitialize();
}

// ---- socket hook ----------------------------------------------------------
// ENet 1.3 has no per-host hook on the send path, and its receive hook
// (intercept) runs only after a successful receive, so neither whole-datagram
// sealing nor oversized datagrams (1.3.17 fails the whole service call on
// MSG_TRUNC, audit F-07) can be handled through its API. libenet calls its own
// socket functions through the PLT, so the definitions of enet_socket_send and
// enet_socket_receive below replace them for every host in this process (ELF
// symbol interposition; test_enet_socket_hook checks that a codec sees ENet's
// traffic). A socket without a codec gets the plain behaviour. The table of
// codecs by socket is the one global here: ENet passes only the socket.
struct SocketHook {
    DatagramCodec* codec = nullptr;
    SocketStats stats;
};
std::mutex gHookMutex;
std::unordered_map<int, SocketHook> gHooks;

// Room for what a codec adds to ENet's largest datagram (the secure layer's 25 bytes).
constexpr std::size_t kCodecSlack = 256;
constexpr std::size_t kWireMax = ENET_PROTOCOL_MAXIMUM_MTU + kCodecSlack;

DatagramCodec* codecFor(int fd) {
    std::lock_guard lock(gHookMutex);
    const auto it = gHooks.find(fd);
    return it == gHooks.end() ? nullptr : it->second.codec;
}

void countHook(int fd, std::uint64_t SocketStats::*field) {
    std::lock_guard lock(gHookMutex);
    ++(gHooks[fd].stats.*field); // plain hosts get an entry too; the host's destructor erases it
}

sockaddr_in toSockaddr(const ENetAddress& a) {
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_port = htons(a.port);
    sin.sin_addr.s_addr = a.host;
    return sin;
}

// One sendmsg of `count` buffers: ENet's contract (bytes sent, 0 when the
// socket would block, -1 on error).
int plainSend(int fd, const ENetAddress* to, const ENetBuffer* buffers, std::size_t count) {
    msghdr msg{};
    sockaddr_in sin{};
    if (to) {
        sin = toSockaddr(*to);
        msg.msg_name = &sin;
        msg.msg_namelen = sizeof sin;
    }
    iovec iov[ENET_BUFFER_MAXIMUM];
    if (count > ENET_BUFFER_MAXIMUM) return -1;
    for (std::size_t i = 0; i < count; ++i) {
        iov[i].iov_base = buffers[i].data;
        iov[i].iov_len = buffers[i].dataLength;
    }
    msg.msg_iov = iov;
    msg.msg_iovlen = count;
    const ssize_t n = ::sendmsg(fd, &msg, MSG_NOSIGNAL);
    if (n < 0) return errno == EWOULDBLOCK || errno == EAGAIN ? 0 : -1;
    return static_cast<int>(n);
}

// One datagram into `buf`: its size, 0 when none is waiting, -1 on error,
// -2 for a datagram larger than `buf` (discarded; the next one is read).
int plainReceiveOne(int fd, ENetAddress* from, std::uint8_t* buf, std::size_t size) {
    msghdr msg{};
    sockaddr_in sin{};
    msg.msg_name = &sin;
    msg.msg_namelen = sizeof sin;
    iovec iov{buf, size};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    const ssize_t n = ::recvmsg(fd, &msg, MSG_NOSIGNAL);
    if (n < 0) return errno == EWOULDBLOCK || errno == EAGAIN || errno == EINTR || errno == ECONNREFUSED ? 0 : -1;
    if (msg.msg_flags & MSG_TRUNC) return -2;
    if (from) {
        from->host = sin.sin_addr.s_addr;
        from->port = ntohs(sin.sin_port);
    }
    return static_cast<int>(n);
}

// Datagrams one receive call may discard before it yields (oversized or
// consumed by the codec), so a flood cannot hold the service loop.
constexpr int kMaxDiscardsPerReceive = 512;

} // namespace
} // namespace caseroom::net

extern "C" int enet_socket_send(ENetSocket socket, const ENetAddress* address, const ENetBuffer* buffers, size_t bufferCount) {
    using namespace caseroom::net;
    DatagramCodec* codec = codecFor(socket);
    if (!codec || !address) return plainSend(socket, address, buffers, bufferCount);
    std::uint8_t plain[ENET_PROTOCOL_MAXIMUM_MTU];
    std::size_t n = 0;
    for (std::size_t i = 0; i < bufferCount; ++i) {
        if (n + buffers[i].dataLength > sizeof plain) return -1; // ENet never builds more than its MTU
        std::memcpy(plain + n, buffers[i].data, buffers[i].dataLength);
        n += buffers[i].dataLength;
    }
    std::uint8_t wire[kWireMax];
    const std::size_t w = codec->outbound(std::span<const std::uint8_t>(plain, n), RawAddress{address->host, address->port},
                                          std::span<std::uint8_t>(wire, sizeof wire));
    if (w == 0) {
        countHook(socket, &SocketStats::sendDropped);
        return static_cast<int>(n); // dropped on purpose: to ENet it is a datagram lost on the way
    }
    ENetBuffer out{};
    out.data = wire;
    out.dataLength = w;
    const int r = plainSend(socket, address, &out, 1);
    return r <= 0 ? r : static_cast<int>(n);
}

extern "C" int enet_socket_receive(ENetSocket socket, ENetAddress* address, ENetBuffer* buffers, size_t bufferCount) {
    using namespace caseroom::net;
    if (bufferCount != 1) return -1; // ENet receives into one buffer
    DatagramCodec* codec = codecFor(socket);
    for (int discards = 0; discards < kMaxDiscardsPerReceive;) {
        if (!codec) {
            const int r = plainReceiveOne(socket, address, static_cast<std::uint8_t*>(buffers[0].data), buffers[0].dataLength);
            if (r == -2) {
                countHook(socket, &SocketStats::oversized);
                ++discards;
                continue;
            }
            return r;
        }
        std::uint8_t wire[kWireMax];
        ENetAddress from{};
        const int r = plainReceiveOne(socket, &from, wire, sizeof wire);
        if (r == -2) {
            countHook(socket, &SocketStats::oversized);
            ++discards;
            continue;
        }
        if (r <= 0) return r;
        const std::size_t n = codec->inbound(std::span<const std::uint8_t>(wire, static_cast<std::size_t>(r)),
                                             RawAddress{from.host, from.port},
                                             std::span<std::uint8_t>(static_cast<std::uint8_t*>(buffers[0].data), buffers[0].dataLength));
        if (n == 0) {
            countHook(socket, &SocketStats::consumed);
            ++discards;
            continue;
        }
        if (address) *address = from;
        return static_cast<int>(n);
    }
    return 0; // yield; the rest waits for the next service call
}

namespace caseroom::net {
namespace {

struct PeerData {
    std::uint32_t id = 0;
    PeerStats counters;
};
} // namespace

struct EnetTransport::Impl {
    ENetHost* host = nullptr;
    std::uint32_t nextId = 1;
    std::unordered_map<std::uint32_t, ENetPeer*> peers;
    std::unordered_map<std::uint32_t, PeerData> data;

    ENetPeer* find(core::PeerId id) const {
        const auto it = peers.find(id.value);
        return it == peers.end() ? nullptr : it->second;
    }
    std::uint32_t adopt(ENetPeer* peer) {
        const std::uint32_t id = nextId++;
        peers[id] = peer;
        data[id].id = id;
        peer->data = reinterpret_cast<void*>(static_cast<std::uintptr_t>(id));
        return id;
    }
    static std::uint32_t idOf(const ENetPeer* peer) {
        return static_cast<std::uint32_t>(reinterpret_cast<std::uintptr_t>(peer->data));
    }
};

EnetTransport::EnetTransport(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

core::Result<std::unique_ptr<EnetTransport>> EnetTransport::create(const EnetDesc& desc) {
    if (!acquireEnet()) return core::Error{"ENet initialisation failed"};
    auto impl = std::make_unique<Impl>();
    ENetAddress address{};
    ENetAddress* bindAddress = nullptr;
    if (desc.listen) {
        if (enet_address_set_host(&address, desc.bind.host.c_str()) != 0) {
            releaseEnet();
            return core::Error{"cannot resolve bind address '" + desc.bind.host + "'"};
        }
        address.port = desc.bind.port;
        bindAddress = &address;
    }
    impl->host = enet_host_create(bindAddress, desc.maxPeers, static_cast<std::size_t>(Channel::Count),
                                  desc.incomingBandwidth, desc.outgoingBandwidth);
    if (!impl->host) {
        releaseEnet();
        return core::Error{"cannot open UDP socket on " + desc.bind.host + ":" + std::to_string(desc.bind.port) +
                           " (port in use?)"};
    }
    // Bound what one peer may make us buffer; the defaults are far larger
    // than any CaseRoom message needs.
    // The largest CaseRoom message is 16 KiB (messages.h); 256 KiB of waiting
    // data holds a full reliable window of them (audit F-13).
    impl->host->maximumPacketSize = 32 * 1024;
    impl->host->maximumWaitingData = 256 * 1024;
    // Sealed datagrams stay within ENet's default MTU on the wire.
    impl->host->mtu = ENET_HOST_DEFAULT_MTU - desc.mtuReserve;
    impl->host->duplicatePeers = desc.maxPeersPerAddress;
    return std::unique_ptr<EnetTransport>(new EnetTransport(std::move(impl)));
}

EnetTransport::~EnetTransport() {
    if (impl_ && impl_->host) {
        // The codec stays installed through the last flush: nothing leaves unsealed.
        for (auto& [id, peer] : impl_->peers) enet_peer_disconnect_now(peer, static_cast<std::uint32_t>(LeaveReason::Left));
        enet_host_flush(impl_->host);
        const int fd = impl_->host->socket;
        enet_host_destroy(impl_->host);
        {
            std::lock_guard lock(gHookMutex);
            gHooks.erase(fd);
        }
        releaseEnet();
    }
}

std::uint16_t EnetTransport::boundPort() const {
    ENetAddress a{};
    if (enet_socket_get_address(impl_->host->socket, &a) != 0) return 0;
    return a.port;
}

core::PeerId EnetTransport::connect(const Address& to) {
    const auto raw = resolve(to);
    return raw ? connect(*raw) : core::PeerId::invalid();
}

core::PeerId EnetTransport::connect(RawAddress to) {
    ENetAddress a{};
    a.host = to.host;
    a.port = to.port;
    ENetPeer* peer = enet_host_connect(impl_->host, &a, static_cast<std::size_t>(Channel::Count), 0);
    if (!peer) return core::PeerId::invalid();
    return core::PeerId{impl_->adopt(peer)};
}

bool EnetTransport::send(core::PeerId id, Channel channel, std::span<const std::uint8_t> data, bool reliable) {
    ENetPeer* peer = impl_->find(id);
    if (!peer || peer->state != ENET_PEER_STATE_CONNECTED) return false;
    const enet_uint32 flags = reliable ? ENET_PACKET_FLAG_RELIABLE : ENET_PACKET_FLAG_UNSEQUENCED;
    ENetPacket* packet = enet_packet_create(data.data(), data.size(), flags);
    if (!packet) return false;
    if (enet_peer_send(peer, static_cast<enet_uint8>(channel), packet) != 0) {
        enet_packet_destroy(packet);
        return false;
    }
    auto& c = impl_->data[id.value].counters;
    c.bytesSent += data.size();
    ++c.packetsSent;
    return true;
}

bool EnetTransport::poll(double now, TransportEvent& event) {
    ENetEvent e{};
    int r = 0;
    // A socket error ends one service call, not the drain: try again a few
    // times so that an error cannot starve the traffic behind it.
    for (int attempt = 0; attempt < 4; ++attempt) {
        r = enet_host_service(impl_->host, &e, 0);
        if (r >= 0) break;
        ++serviceErrors_;
        std::uint64_t suppressed = 0;
        if (errorLog_.allow(now, suppressed))
            CR_LOG_WARN("enet: host service error (%llu more suppressed)", static_cast<unsigned long long>(suppressed));
    }
    if (r <= 0) return false;
    switch (e.type) {
    case ENET_EVENT_TYPE_CONNECT: {
        std::uint32_t id = Impl::idOf(e.peer);
        if (id == 0) id = impl_->adopt(e.peer); // incoming connection
        // ENet's packet throttle drops unreliable packets (snapshots, voice)
        // whenever the round trip rises. CaseRoom budgets its own bandwidth
        // (snapshot budget, voice cap), so the throttle stays fully open:
        // acceleration to the top at once, never decelerate.
        enet_peer_throttle_configure(e.peer, ENET_PEER_PACKET_THROTTLE_INTERVAL,
                                     static_cast<enet_uint32>(ENET_PEER_PACKET_THROTTLE_SCALE), 0);
        event = TransportEvent{};
        event.type = TransportEventType::Connected;
        event.peer = core::PeerId{id};
        return true;
    }
    case ENET_EVENT_TYPE_DISCONNECT: {
        const std::uint32_t id = Impl::idOf(e.peer);
        event = TransportEvent{};
        event.type = TransportEventType::Disconnected;
        event.peer = core::PeerId{id};
        event.disconnectReason = e.data;
        impl_->peers.erase(id);
        impl_->data.erase(id);
        e.peer->data = nullptr;
        return id != 0;
    }
    case ENET_EVENT_TYPE_RECEIVE: {
        const std::uint32_t id = Impl::idOf(e.peer);
        event.type = TransportEventType::Received;
        event.peer = core::PeerId{id};
        event.channel = e.channelID < static_cast<enet_uint8>(Channel::Count) ? static_cast<Channel>(e.channelID) : Channel::Count;
        event.disconnectReason = 0;
        event.data.assign(e.packet->data, e.packet->data + e.packet->dataLength);
        enet_packet_destroy(e.packet);
        if (auto it = impl_->data.find(id); it != impl_->data.end()) {
            it->second.counters.bytesReceived += event.data.size();
            ++it->second.counters.packetsReceived;
        }
        return id != 0;
    }
    case ENET_EVENT_TYPE_NONE: break;
    }
    return false;
}

void EnetTransport::flush() { enet_host_flush(impl_->host); }

void EnetTransport::setDatagramCodec(DatagramCodec* codec) {
    std::lock_guard lock(gHookMutex);
    gHooks[impl_->host->socket].codec = codec;
}

SocketStats EnetTransport::socketStats() const {
    std::lock_guard lock(gHookMutex);
    const auto it = gHooks.find(impl_->host->socket);
    return it == gHooks.end() ? SocketStats{} : it->second.stats;
}

bool EnetTransport::sendRaw(RawAddress to, std::span<const std::uint8_t> datagram) {
    ENetAddress a{};
    a.host = to.host;
    a.port = to.port;
    ENetBuffer buf;
    buf.data = const_cast<std::uint8_t*>(datagram.data()); // ENet's buffer type is not const
    buf.dataLength = datagram.size();
    return plainSend(impl_->host->socket, &a, &buf, 1) == static_cast<int>(datagram.size());
}

void EnetTransport::disconnectNow(core::PeerId id, std::uint32_t reason) {
    ENetPeer* peer = impl_->find(id);
    if (!peer) return;
    peer->data = nullptr;
    enet_peer_disconnect_now(peer, reason);
    impl_->peers.erase(id.value);
    impl_->data.erase(id.value);
}

void EnetTransport::resetPeer(core::PeerId id) {
    ENetPeer* peer = impl_->find(id);
    if (!peer) return;
    peer->data = nullptr;
    enet_peer_reset(peer);
    impl_->peers.erase(id.value);
    impl_->data.erase(id.value);
}

core::Result<RawAddress> EnetTransport::resolve(const Address& addr) const {
    ENetAddress a{};
    if (enet_address_set_host(&a, addr.host.c_str()) != 0) return core::Error{"cannot resolve '" + addr.host + "'"};
    return RawAddress{a.host, addr.port};
}

RawAddress EnetTransport::peerAddress(core::PeerId id) const {
    const ENetPeer* peer = impl_->find(id);
    return peer ? RawAddress{peer->address.host, peer->address.port} : RawAddress{};
}

void EnetTransport::disconnect(core::PeerId id, std::uint32_t reason) {
    if (ENetPeer* peer = impl_->find(id)) enet_peer_disconnect_later(peer, reason);
}

PeerStats EnetTransport::stats(core::PeerId id) const {
    PeerStats s;
    ENetPeer* peer = impl_->find(id);
    if (!peer) return s;
    if (auto it = impl_->data.find(id.value); it != impl_->data.end()) s = it->second.counters;
    s.rttMs = peer->roundTripTime;
    s.lossFraction = static_cast<double>(peer->packetLoss) / static_cast<double>(static_cast<int>(ENET_PEER_PACKET_LOSS_SCALE));
    return s;
}

void EnetTransport::wait(double seconds) {
    enet_uint32 condition = ENET_SOCKET_WAIT_RECEIVE;
    const auto ms = static_cast<enet_uint32>(seconds > 0 ? seconds * 1000.0 : 0);
    (void)enet_socket_wait(impl_->host->socket, &condition, ms);
}

} // namespace caseroom::net
