// The transport seam. ENet (enet_transport.h) is the real one; the loopback
// network (loopback_transport.h) is its in-memory twin with a link simulator,
// for deterministic tests and benchmarks. Both deliver whole messages per
// channel, reliable-ordered or unreliable, and name peers by PeerId handles.
// Thread rule: a Transport is used from one thread.
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/ids.h"
#include "core/role.h"
#include "net/messages.h"

namespace caseroom::net {

struct Address {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;
};

enum class TransportEventType : std::uint8_t { Connected, Disconnected, Received, Count };

struct TransportEvent {
    TransportEventType type = TransportEventType::Received;
    core::PeerId peer;
    Channel channel = Channel::Control;
    std::uint32_t disconnectReason = 0; // LeaveReason for Disconnected when given by the far end
    std::string detail;                 // Disconnected: plain words when the transport refused (e.g. a bad token)
    std::vector<std::uint8_t> data;     // Received only
};

// Who a peer proved to be, on a transport that authenticates (the secure
// transport: from the connect token). Servers take room, name and role from
// here, never from what the peer claims in messages.
struct PeerIdentity {
    std::uint64_t userId = 0;
    std::uint64_t tokenId = 0;
    std::string displayName;
    std::string roomCode;
    core::Role role = core::Role::Observer;
    std::string address;   // the peer's source "a.b.c.d:port", for the audit trail
};

struct PeerStats {
    double rttMs = 0;
    double lossFraction = 0;            // packets lost / sent, recent window
    std::uint64_t bytesSent = 0;        // payload bytes handed to send()
    std::uint64_t bytesReceived = 0;    // payload bytes delivered
    std::uint64_t packetsSent = 0;
    std::uint64_t packetsReceived = 0;
};

class Transport {
public:
    virtual ~Transport() = default;
    // Starts a connection; Connected (or Disconnected on failure) follows from poll().
    virtual core::PeerId connect(const Address& to) = 0;
    // Queues one message. False when the peer is unknown or the send failed.
    [[nodiscard]] virtual bool send(core::PeerId peer, Channel channel, std::span<const std::uint8_t> data, bool reliable) = 0;
    // Next pending event at `now` (seconds); false when there is none.
    virtual bool poll(double now, TransportEvent& event) = 0;
    // Pushes queued sends onto the wire.
    virtual void flush() = 0;
    // Closes a connection; the far end sees Disconnected with `reason`.
    virtual void disconnect(core::PeerId peer, std::uint32_t reason) = 0;
    [[nodiscard]] virtual PeerStats stats(core::PeerId peer) const = 0;
    // Blocks up to `seconds` for incoming data (no-op for simulated transports).
    virtual void wait(double seconds) = 0;
    // Service errors seen so far (negative ENet service results and the like).
    [[nodiscard]] virtual std::uint64_t serviceErrors() const { return 0; }
    // True when every peer is authenticated and identity() is authoritative.
    // Only the loopback twin (tests, benchmarks) answers false.
    [[nodiscard]] virtual bool authenticates() const { return false; }
    [[nodiscard]] virtual const PeerIdentity* identity(core::PeerId) const { return nullptr; }
    // Packets dropped by the transport itself (failed authentication, replays,
    // rate limits); the application's own malformed counts are separate.
    [[nodiscard]] virtual std::uint64_t droppedPackets() const { return 0; }
};

} // namespace caseroom::net
