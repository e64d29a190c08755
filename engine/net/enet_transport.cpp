#include "net/enet_transport.h"

#include <enet/enet.h>

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

// ENet 1.3's host has no user pointer for its intercept callback: this map
// (guarded like the init count) finds the transport that owns a host.
std::unordered_map<const ENetHost*, DatagramFilter*> gFilters;

bool datagramNamesKnownPeer(const ENetHost* host, std::span<const std::uint8_t> d, const ENetAddress& from) {
    if (d.size() < 2) return false;
    // ENet header: 16-bit peer id, big-endian; the top four bits are flags and session.
    const unsigned id = ((static_cast<unsigned>(d[0]) << 8) | d[1]) & 0x0FFFu;
    if (id >= host->peerCount) return false;
    const ENetPeer& p = host->peers[id];
    return p.state != ENET_PEER_STATE_DISCONNECTED && p.address.host == from.host && p.address.port == from.port;
}

int ENET_CALLBACK interceptThunk(ENetHost* host, ENetEvent*) {
    DatagramFilter* filter = nullptr;
    {
        std::lock_guard lock(gInitMutex);
        const auto it = gFilters.find(host);
        if (it != gFilters.end()) filter = it->second;
    }
    if (!filter) return 0;
    const std::span<const std::uint8_t> d(host->receivedData, host->receivedDataLength);
    const RawAddress from{host->receivedAddress.host, host->receivedAddress.port};
    return filter->onDatagram(d, from, datagramNamesKnownPeer(host, d, host->receivedAddress)) == DatagramFilter::Verdict::Consume ? 1 : 0;
}

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
    impl->host->maximumPacketSize = 64 * 1024;
    impl->host->maximumWaitingData = 4 * 1024 * 1024;
    impl->host->duplicatePeers = desc.maxPeersPerAddress;
    return std::unique_ptr<EnetTransport>(new EnetTransport(std::move(impl)));
}

EnetTransport::~EnetTransport() {
    if (impl_ && impl_->host) {
        setDatagramFilter(nullptr);
        for (auto& [id, peer] : impl_->peers) enet_peer_disconnect_now(peer, static_cast<std::uint32_t>(LeaveReason::Left));
        enet_host_flush(impl_->host);
        enet_host_destroy(impl_->host);
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
    const int r = enet_host_service(impl_->host, &e, 0);
    if (r < 0) {
        // One bad datagram or socket hiccup must not stop the loop.
        ++serviceErrors_;
        std::uint64_t suppressed = 0;
        if (errorLog_.allow(now, suppressed))
            CR_LOG_WARN("enet: host service error (%llu more suppressed)", static_cast<unsigned long long>(suppressed));
        return false;
    }
    if (r == 0) return false;
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

void EnetTransport::setDatagramFilter(DatagramFilter* filter) {
    std::lock_guard lock(gInitMutex);
    if (filter) {
        gFilters[impl_->host] = filter;
        impl_->host->intercept = interceptThunk;
    } else {
        gFilters.erase(impl_->host);
        impl_->host->intercept = nullptr;
    }
}

bool EnetTransport::sendRaw(RawAddress to, std::span<const std::uint8_t> datagram) {
    ENetAddress a{};
    a.host = to.host;
    a.port = to.port;
    ENetBuffer buf;
    buf.data = const_cast<std::uint8_t*>(datagram.data()); // ENet's buffer type is not const
    buf.dataLength = datagram.size();
    return enet_socket_send(impl_->host->socket, &a, &buf, 1) == static_cast<int>(datagram.size());
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
