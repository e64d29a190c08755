// The real transport: ENet over UDP. One ENetHost per EnetTransport; peers are
// named by PeerId handles that are never reused within a process.
// ENet's types stay inside enet_transport.cpp.
#pragma once
#include <cstdint>
#include <memory>

#include "core/log.h"
#include "core/result.h"
#include "net/transport.h"

namespace caseroom::net {

// An IPv4 address as ENet holds it (host in network byte order).
struct RawAddress {
    std::uint32_t host = 0;
    std::uint16_t port = 0;
    friend bool operator==(const RawAddress&, const RawAddress&) = default;
};

// Sees every UDP datagram before ENet parses it (ENet's intercept hook). The
// secure layer uses it to run the join handshake before ENet allocates a peer.
// Called from inside poll(); it may call sendRaw() but not connect/disconnect.
class DatagramFilter {
public:
    enum class Verdict : std::uint8_t { Pass, Consume };
    virtual ~DatagramFilter() = default;
    // `knownPeer`: the datagram names an ENet peer of this host at that address.
    virtual Verdict onDatagram(std::span<const std::uint8_t> datagram, RawAddress from, bool knownPeer) = 0;
};

struct EnetDesc {
    Address bind{"127.0.0.1", 0};  // port 0: ephemeral (clients, tests)
    bool listen = false;           // false: client host with no bound address
    std::uint32_t maxPeers = 64;   // sized to what the rooms need, not ENet's default
    std::uint32_t maxPeersPerAddress = 32; // ENet's duplicatePeers: connections from one IP
    std::uint32_t incomingBandwidth = 0; // bytes/s, 0 = unlimited
    std::uint32_t outgoingBandwidth = 0;
};

class EnetTransport final : public Transport {
public:
    static core::Result<std::unique_ptr<EnetTransport>> create(const EnetDesc& desc);
    ~EnetTransport() override;
    EnetTransport(const EnetTransport&) = delete;
    EnetTransport& operator=(const EnetTransport&) = delete;

    [[nodiscard]] std::uint16_t boundPort() const;

    core::PeerId connect(const Address& to) override;
    bool send(core::PeerId peer, Channel channel, std::span<const std::uint8_t> data, bool reliable) override;
    bool poll(double now, TransportEvent& event) override;
    void flush() override;
    void disconnect(core::PeerId peer, std::uint32_t reason) override;
    [[nodiscard]] PeerStats stats(core::PeerId peer) const override;
    void wait(double seconds) override;
    [[nodiscard]] std::uint64_t serviceErrors() const override { return serviceErrors_; }

    // Installs (or, with nullptr, removes) the datagram filter. Not owned.
    void setDatagramFilter(DatagramFilter* filter);
    // Sends one raw UDP datagram from this host's socket (handshake traffic).
    bool sendRaw(RawAddress to, std::span<const std::uint8_t> datagram);
    [[nodiscard]] core::Result<RawAddress> resolve(const Address& a) const;
    core::PeerId connect(RawAddress to);
    [[nodiscard]] RawAddress peerAddress(core::PeerId peer) const;

private:
    struct Impl;
    explicit EnetTransport(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
    std::uint64_t serviceErrors_ = 0;
    core::LogLimiter errorLog_{0.2, 3};
};

} // namespace caseroom::net
