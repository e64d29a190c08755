// The real transport: ENet over UDP. One ENetHost per EnetTransport; peers are
// named by PeerId handles that are never reused within a process.
// ENet's types stay inside enet_transport.cpp.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

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

// Sits between ENet and its UDP socket: sees every datagram the socket
// receives before ENet parses it, and every datagram ENet sends, whole (ENet's
// header included). The secure layer seals and opens whole datagrams here and
// runs the join handshake. Called from inside poll() and flush(); it may call
// sendRaw() but not connect/disconnect.
class DatagramCodec {
public:
    virtual ~DatagramCodec() = default;
    // `wire` arrived from `from`. Writes the datagram ENet should parse into
    // `out` and returns its size; 0 consumes it (handshake, junk, forgeries).
    virtual std::size_t inbound(std::span<const std::uint8_t> wire, RawAddress from, std::span<std::uint8_t> out) = 0;
    // ENet sends `plain` to `to`. Writes the wire datagram into `out` and
    // returns its size; 0 drops it.
    virtual std::size_t outbound(std::span<const std::uint8_t> plain, RawAddress to, std::span<std::uint8_t> out) = 0;
};

// Socket-level counters of one host (both directions, before any codec).
struct SocketStats {
    std::uint64_t oversized = 0;   // datagrams larger than ENet's maximum MTU: discarded, never parsed
    std::uint64_t consumed = 0;    // datagrams the codec consumed or dropped
    std::uint64_t sendDropped = 0; // datagrams the codec refused to send
};

struct EnetDesc {
    Address bind{"127.0.0.1", 0};  // port 0: ephemeral (clients, tests)
    bool listen = false;           // false: client host with no bound address
    std::uint32_t maxPeers = 64;   // sized to what the rooms need, not ENet's default
    std::uint32_t maxPeersPerAddress = 32; // ENet's duplicatePeers: connections from one IP
    std::uint32_t incomingBandwidth = 0; // bytes/s, 0 = unlimited
    std::uint32_t outgoingBandwidth = 0;
    std::uint32_t mtuReserve = 0;  // bytes a codec adds per datagram: ENet's MTU shrinks by this
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

    // Installs (or, with nullptr, removes) the datagram codec. Not owned.
    void setDatagramCodec(DatagramCodec* codec);
    // Sends one datagram from this host's socket as it is, past the codec (handshake traffic).
    bool sendRaw(RawAddress to, std::span<const std::uint8_t> datagram);
    // Forgets a peer at once without a word to the far end (ENet reset): for a
    // connection whose keys were replaced, so nothing more is sent under them.
    // No Disconnected event follows.
    void resetPeer(core::PeerId peer);
    // Sends a DISCONNECT with `reason` at once and forgets the peer; no
    // Disconnected event follows (the caller reports it).
    void disconnectNow(core::PeerId peer, std::uint32_t reason);
    [[nodiscard]] SocketStats socketStats() const;
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
