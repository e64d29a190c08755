// The transport the server and clients use on real networks: ENet, with the
// join handshake in front of it and every datagram sealed below it.
//
// Below ENet (a DatagramCodec on the ENet socket, enet_transport.h): every
// datagram is either a handshake datagram (handshake.h) or a sealed one
// (channel.h). A sealed datagram is opened with the keys of the connection at
// its source address before ENet parses a byte of it; anything that does not
// open is dropped and counted, and never reaches ENet, a peer's rate budget or
// its strikes. ENet's own header (peer id, sequence numbers, DISCONNECT,
// throttle commands) is therefore authenticated like the payload.
//
// Server: one admission = one connection = at most one ENet peer. A second
// ENet connect under an admitted address is refused; a fresh proof of the
// same token from a new address (or a restarted client at the same address)
// replaces the old connection, which is closed; connections are released by
// admission id, never by address. A connected peer has a rate limiter and a
// strike counter over authenticated traffic only. Token expiry and revocation
// end live connections (disconnectRevoked, and the expiry sweep in poll),
// except that expiry never cuts a room that is still open: a peer whose
// token has expired stays while roomOpenUntil(its room) is later than now.
// identity() is the token's user, name, room and role: the server trusts
// nothing else.
// Client: connect() starts the handshake with the token (timed from the next
// poll, on the caller's clock), then ENet-connects under the sealed channel.
// Datagrams from anywhere but the server are dropped. A refused token ends in
// Disconnected with the reason in plain words. connect() again (a reconnect,
// the same token) resets the old ENet peer first and proves the token anew;
// the server replaces the old connection with the new one.
// Thread rule: one thread. Time: poll(now) takes monotonic seconds; token
// expiry uses the unix clock given in the Desc.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/log.h"
#include "core/result.h"
#include "net/enet_transport.h"
#include "net/secure/channel.h"
#include "net/secure/handshake.h"
#include "net/secure/limits.h"
#include "net/secure/token.h"

namespace caseroom::net::secure {

// Access events for the audit trail and the server log. Refusals are
// rate-limited (suppressed counts the ones not reported since the last).
enum class AccessKind : std::uint8_t {
    Refused,          // the handshake refused a token (refusal says why)
    Replaced,         // a connection was closed because the token was proven again (address = the old one)
    DuplicateConnect, // a second ENet connect under one admission was refused
    Revoked,          // a live connection was ended by revocation
    Expired,          // a live connection was ended because its token expired
    StrikeKick,       // a peer was disconnected for repeated bad authenticated traffic
    Count
};
const char* toString(AccessKind k);

// "a.b.c.d:port", for logs and the audit trail.
[[nodiscard]] std::string formatRawAddress(RawAddress a);

struct AccessEvent {
    AccessKind kind = AccessKind::Refused;
    RawAddress address;
    std::uint64_t tokenId = 0;   // 0 when the token did not open
    std::uint64_t userId = 0;
    Refusal refusal = Refusal::Malformed;
    std::uint64_t suppressed = 0;
    const PeerIdentity* identity = nullptr; // for events about a live connection
};

struct SecureServerDesc {
    EnetDesc enet;
    Keyring keys;                               // deployment keys (key_file.h): current first
    ServerHandshakeConfig handshake;
    RateLimitConfig limits = RateLimitConfig::defaults();
    StrikeConfig strikes;
    std::uint32_t maxPeersPerAddress = 32;      // a clinic behind one NAT shares an address
    std::function<std::uint64_t()> unixClock;   // wall-clock seconds, for token expiry
    std::function<void(const AccessEvent&)> onAccess; // optional; called from poll()
    // Optional: unix seconds until which `room`'s session stays open (0:
    // none open). A live peer whose token expired is kept while this is
    // later than the clock, so expiry never cuts an open room; it must
    // answer from memory (it is called from poll(), on the server thread).
    std::function<std::uint64_t(std::string_view room)> roomOpenUntil;
};

struct SecureCounters {
    std::uint64_t opened = 0;          // sealed datagrams opened and handed to ENet
    std::uint64_t sealed = 0;
    std::uint64_t dropped = 0;         // every datagram or message dropped below the application
    std::uint64_t forged = 0, replayed = 0, unadmitted = 0, malformed = 0, strays = 0;
    std::uint64_t rateLimited = 0;
    std::uint64_t strikeDisconnects = 0;
    std::uint64_t duplicateConnects = 0;
    std::uint64_t replaced = 0, revoked = 0, expired = 0;
};

// The DatagramCodec face is public so the fuzz harness can drive the datagram path directly.
class SecureTransport final : public Transport, public DatagramCodec {
public:
    static core::Result<std::unique_ptr<SecureTransport>> createServer(SecureServerDesc desc, RandomSource& random);
    static core::Result<std::unique_ptr<SecureTransport>> createClient(const ConnectToken& token, RandomSource& random);
    ~SecureTransport() override;

    core::PeerId connect(const Address& to) override;
    bool send(core::PeerId peer, Channel channel, std::span<const std::uint8_t> data, bool reliable) override;
    bool poll(double now, TransportEvent& event) override;
    void flush() override { inner_->flush(); }
    void disconnect(core::PeerId peer, std::uint32_t reason) override;
    [[nodiscard]] PeerStats stats(core::PeerId peer) const override;
    void wait(double seconds) override { inner_->wait(seconds); }
    [[nodiscard]] std::uint64_t serviceErrors() const override { return inner_->serviceErrors(); }
    [[nodiscard]] bool authenticates() const override { return true; }
    [[nodiscard]] const PeerIdentity* identity(core::PeerId peer) const override;
    [[nodiscard]] std::uint64_t droppedPackets() const override { return counters_.dropped; }

    // Server: ends every live connection whose token or user `revoked` names
    // (LeaveReason::Revoked, reported as Disconnected by the next poll) and
    // drops pending admissions likewise; returns how many. New attempts are
    // refused through ServerHandshakeConfig::revoked.
    std::size_t disconnectRevoked(const std::function<bool(std::uint64_t tokenId, std::uint64_t userId)>& revoked);
    // Server: new deployment keys (rotation); live connections keep theirs.
    void setKeys(Keyring keys) { if (server_) server_->setKeys(std::move(keys)); }

    // The codec below ENet (called from inside ENet's service call).
    std::size_t inbound(std::span<const std::uint8_t> wire, RawAddress from, std::span<std::uint8_t> out) override;
    std::size_t outbound(std::span<const std::uint8_t> plain, RawAddress to, std::span<std::uint8_t> out) override;

    [[nodiscard]] std::uint16_t boundPort() const { return inner_->boundPort(); }
    [[nodiscard]] const SecureCounters& counters() const { return counters_; }
    [[nodiscard]] SocketStats socketStats() const { return inner_->socketStats(); }
    [[nodiscard]] const ServerHandshake* handshake() const { return server_.get(); }
    // Server: the ENet peer bound to the admission at `address` (invalid when none).
    [[nodiscard]] core::PeerId peerAt(RawAddress address) const;

private:
    struct Connection {          // one per admitted address (server) or the server (client)
        std::uint64_t admission = 0;
        std::unique_ptr<SecureChannel> channel;
        core::PeerId enetPeer;   // invalid until ENet connects
    };
    struct Peer {
        core::PeerId inner;
        RawAddress address;
        std::uint64_t admission = 0;
        std::uint64_t tokenExpiresUnix = 0;
        std::optional<PeerRateLimiter> limiter;
        StrikeCounter strikes{StrikeConfig{}};
        PeerIdentity identity;
    };
    struct PendingClose {        // decided inside the service call, carried out in poll()
        std::uint64_t admission = 0;
        RawAddress address;
    };

    SecureTransport(std::unique_ptr<EnetTransport> inner, RandomSource& random);
    std::size_t serverHandshake(std::span<const std::uint8_t> wire, RawAddress from);
    std::size_t openFrom(Connection& c, std::span<const std::uint8_t> wire, std::span<std::uint8_t> out, RawAddress from);
    bool pollClientHandshake(double now, TransportEvent& event);
    void serverHousekeeping(double now);
    // Ends peer `p` now (sealed DISCONNECT with `reason`) and queues its Disconnected event.
    void closePeer(std::uint32_t peerId, LeaveReason reason, const char* detail);
    void report(const AccessEvent& e, double now);
    static AccessEvent accessAbout(AccessKind kind, const Peer& p);
    void drop(Peer& p, double now, bool strike);

    std::unique_ptr<EnetTransport> inner_;
    RandomSource& random_;
    SecureCounters counters_;
    core::LogLimiter log_{0.5, 5};
    core::LogLimiter refusalReports_{0.2, 10};
    double now_ = 0;
    std::vector<TransportEvent> events_; // synthesized events, handed out first by poll()

    // Server side.
    std::unique_ptr<ServerHandshake> server_;
    SecureServerDesc desc_;
    std::unique_ptr<AddressPeerCap> cap_;
    std::unordered_map<PeerAddress, Connection> connections_;
    std::unordered_map<std::uint32_t, Peer> peers_; // by inner (= outer) peer id
    std::vector<PendingClose> pendingClose_;
    std::vector<AccessEvent> pendingReports_;
    std::vector<std::uint64_t> expiredAdmissions_;
    double nextHousekeeping_ = 0;

    // Client side.
    std::optional<ConnectToken> token_;
    std::unique_ptr<ClientHandshake> client_;
    RawAddress serverAddress_;
    core::PeerId clientPeer_;                       // the id handed to the application
    Connection clientLink_;
    bool clientOpen_ = false;                       // Connected was reported upward
    bool handshaking_ = false;
};

} // namespace caseroom::net::secure
