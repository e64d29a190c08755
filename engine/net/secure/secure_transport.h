// The transport the server and clients use on real networks: ENet, with the
// join handshake in front of it and every message sealed behind it.
//
// Server: an ENet datagram filter runs the stateless challenge handshake
// (handshake.h) before ENet sees a datagram, so an address gets an ENet peer
// only after it proved it holds a token and receives at its address. Each
// connected peer then has a SecureChannel (per-direction keys, replay window),
// a per-class rate limiter and a strike counter; a peer that keeps sending
// bad packets is disconnected. identity() is the token's user, name, room and
// role: the server trusts nothing else.
// Client: connect() starts the handshake with the token (timed from the next
// poll, on the caller's clock), then ENet-connects and seals. A refused token ends in Disconnected with the reason in plain words.
// Thread rule: one thread. Time: poll(now) takes monotonic seconds; token
// expiry uses the unix clock given in the Desc.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
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

struct SecureServerDesc {
    EnetDesc enet;
    Key secret{};                               // the deployment key (key_file.h)
    ServerHandshakeConfig handshake;
    RateLimitConfig limits = RateLimitConfig::defaults();
    StrikeConfig strikes;
    std::uint32_t maxPeersPerAddress = 32;      // a clinic behind one NAT shares an address
    std::function<std::uint64_t()> unixClock;   // wall-clock seconds, for token expiry
};

struct SecureCounters {
    std::uint64_t opened = 0;
    std::uint64_t sealed = 0;
    std::uint64_t dropped = 0;                  // every packet dropped below the application
    std::uint64_t forged = 0, replayed = 0, rateLimited = 0, unadmitted = 0;
    std::uint64_t strikeDisconnects = 0;
};

class SecureTransport final : public Transport, private DatagramFilter {
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

    [[nodiscard]] std::uint16_t boundPort() const { return inner_->boundPort(); }
    [[nodiscard]] const SecureCounters& counters() const { return counters_; }
    [[nodiscard]] const ServerHandshake* handshake() const { return server_.get(); }

private:
    struct Peer {
        core::PeerId inner;
        RawAddress address;
        std::unique_ptr<SecureChannel> channel;
        std::optional<PeerRateLimiter> limiter;
        StrikeCounter strikes{StrikeConfig{}};
        PeerIdentity identity;
        bool open = false;        // Connected was reported upward
    };

    SecureTransport(std::unique_ptr<EnetTransport> inner, RandomSource& random);
    Verdict onDatagram(std::span<const std::uint8_t> datagram, RawAddress from, bool knownPeer) override;
    bool pollClientHandshake(double now, TransportEvent& event);
    void drop(Peer& p, double now, bool strike);
    Peer* byInner(core::PeerId inner);

    std::unique_ptr<EnetTransport> inner_;
    RandomSource& random_;
    SecureCounters counters_;
    std::vector<std::uint8_t> scratch_;
    core::LogLimiter log_{0.5, 5};
    double now_ = 0;

    // Server side.
    std::unique_ptr<ServerHandshake> server_;
    SecureServerDesc desc_;
    std::unique_ptr<AddressPeerCap> cap_;
    std::unordered_map<std::uint32_t, Peer> peers_; // by inner (= outer) peer id
    std::vector<RawAddress> restarted_;             // handshakes restarted by a connected address

    // Client side.
    std::optional<ConnectToken> token_;
    std::unique_ptr<ClientHandshake> client_;
    RawAddress serverAddress_;
    core::PeerId clientPeer_;                       // the id handed to the application
    Peer clientLink_;
    bool handshaking_ = false;
};

} // namespace caseroom::net::secure
