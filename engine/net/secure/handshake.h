// The join handshake, after netcode.io: pure state machines and datagram
// codecs, no sockets. The server stays stateless until the sender proves it
// holds the token's keys and receives at its source address.
//
//   client                                  server
//   Request  [P][1][token wire 229][client salt 16]        (247 bytes)
//            -> token opened, room + reuse checked; NO per-sender state
//   Challenge[P][2][xnonce 24][seal_s2c(server salt 16, cookie 72)] (130)
//            cookie = [seq 8][seal_cookieKey(token id, issued, both salts), AD=address]
//   Response [P][3][token wire 229][cookie 72]                (303)
//            -> token and cookie re-verified; only now an Admission is made
//   Accepted [P][4][xnonce 24][seal_connS2C(token id 8)]        (50)
//   Denied   [P][5][refusal 1][first 8 bytes of the token nonce] (11)
//
// P = kPacketPrefix, a first byte ENet never sends (see handshake.cpp), so an
// ENet intercept callback can route these datagrams here. Every reply to an
// unauthenticated sender is no larger than the datagram that caused it.
// Per-connection keys: connC2S = BLAKE2b(token c2s key; "caseroom-c2s", client
// salt, server salt), connS2C likewise; server salts are random per challenge
// and the cookie key is random per server start, so keys (and thus nonces)
// never repeat across connections or restarts.
// Time: the server takes wall-clock unix seconds (tokens expire in wall time);
// the client takes any monotonic seconds. Thread rule: one thread per object.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/log.h"
#include "net/secure/crypto.h"
#include "net/secure/token.h"

namespace caseroom::net::secure {

// First byte of every handshake datagram: 0x3F reads, as an ENet header, as
// peer id 0xFxx with session bits 3; ENet only uses peer ids >= 0xF00 for
// 0xFFF (connect), which it sends with session bits 0. So no ENet datagram
// starts with it.
constexpr std::uint8_t kPacketPrefix = 0x3F;

enum class HandshakeType : std::uint8_t { Request = 1, Challenge = 2, Response = 3, Accepted = 4, Denied = 5 };

constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kCookieBytes = 8 + 8 + 8 + 2 * kSaltBytes + kMacBytes;                   // 72
constexpr std::size_t kRequestBytes = 2 + kTokenWireBytes + kSaltBytes;                         // 247
constexpr std::size_t kChallengeBytes = 2 + kXNonceBytes + kSaltBytes + kCookieBytes + kMacBytes; // 130
constexpr std::size_t kResponseBytes = 2 + kTokenWireBytes + kCookieBytes;                      // 303
constexpr std::size_t kAcceptedBytes = 2 + kXNonceBytes + 8 + kMacBytes;                        // 50
constexpr std::size_t kDeniedBytes = 2 + 1 + 8;                                                 // 11
constexpr std::size_t kMaxHandshakeBytes = kResponseBytes;
static_assert(kChallengeBytes <= kRequestBytes && kDeniedBytes <= kRequestBytes && kAcceptedBytes <= kResponseBytes,
              "replies to unauthenticated senders must never be larger than what they sent");

// True when `datagram` belongs to the handshake (the ENet intercept's test).
[[nodiscard]] inline bool isHandshakeDatagram(std::span<const std::uint8_t> datagram) {
    return !datagram.empty() && datagram[0] == kPacketPrefix;
}

// IPv4 source address as ENet reports it (host in network byte order).
struct PeerAddress {
    std::uint32_t host = 0;
    std::uint16_t port = 0;
    friend bool operator==(const PeerAddress&, const PeerAddress&) = default;
};

// Keys of one connection, from the holder's point of view.
struct SessionKeys {
    Key send{};
    Key receive{};
};

// A fixed-size datagram buffer: handshake code never allocates to reply.
struct Datagram {
    std::array<std::uint8_t, kMaxHandshakeBytes> bytes{};
    std::size_t size = 0;
    [[nodiscard]] std::span<const std::uint8_t> view() const { return {bytes.data(), size}; }
};

// Per-connection keys from the token keys and both salts.
struct ConnectionKeys {
    Key clientToServer{};
    Key serverToClient{};
};
[[nodiscard]] ConnectionKeys deriveConnectionKeys(const Key& tokenC2S, const Key& tokenS2C,
                                                  std::span<const std::uint8_t, kSaltBytes> clientSalt,
                                                  std::span<const std::uint8_t, kSaltBytes> serverSalt);

// ---- Server ------------------------------------------------------------------

struct ServerHandshakeConfig {
    // Whether this server hosts `room`; empty: every room is hosted.
    std::function<bool(std::string_view room)> roomHosted;
    std::uint32_t maxAdmissions = 256;         // admitted connections at once (pending + connected)
    std::uint32_t challengeLifetimeSeconds = 10;
    std::uint32_t connectTimeoutSeconds = 10;  // admitted but no ENet connect: dropped by update()
    double deniedRepliesPerSecond = 200;       // global cap on Denied datagrams (reflection)
};

// A sender that answered the challenge: whitelisted for the ENet connect.
struct Admission {
    PeerAddress address;
    std::uint64_t tokenId = 0;
    std::uint64_t userId = 0;
    std::string roomCode;
    std::string displayName;
    core::Role role = core::Role::Spoke;
    std::uint64_t tokenExpiresUnix = 0;
    std::uint64_t admittedUnix = 0;
    bool connected = false;
    SessionKeys keys; // send = server-to-client, receive = client-to-server
};

enum class ServerHandshakeEvent : std::uint8_t {
    Dropped,     // not a valid handshake datagram, or a stale/forged cookie; no reply
    Challenged,  // a valid request: reply holds a challenge
    Admitted,    // a valid response: reply holds Accepted; `admission` names the entry. An
                 // Admitted for an address whose admission was already connected means the
                 // client restarted its handshake: drop the old ENet peer at that address.
    Refused,     // reply (if rate allows) holds Denied with `refusal`
    Count
};
const char* toString(ServerHandshakeEvent e);

struct ServerHandshakeStats {
    std::uint64_t datagrams = 0;
    std::uint64_t malformed = 0;
    std::uint64_t challenges = 0;
    std::uint64_t badCookies = 0;
    std::uint64_t admitted = 0;
    std::uint64_t deniedSuppressed = 0;
    std::array<std::uint64_t, static_cast<std::size_t>(Refusal::Count)> refused{};
};

struct ServerHandshakeResult {
    ServerHandshakeEvent event = ServerHandshakeEvent::Dropped;
    Refusal refusal = Refusal::Malformed;    // for Refused (and Dropped malformed)
    const Admission* admission = nullptr;    // for Admitted; valid until the table changes
};

class ServerHandshake {
public:
    // `secret` is the deployment key; `random` must outlive this object and be
    // SystemRandom outside tests (per-start freshness depends on it).
    ServerHandshake(const Key& secret, RandomSource& random, ServerHandshakeConfig config = {});
    ~ServerHandshake();
    ServerHandshake(const ServerHandshake&) = delete;
    ServerHandshake& operator=(const ServerHandshake&) = delete;

    // Handles one datagram starting with kPacketPrefix from `from`. `reply`
    // receives the datagram to send back (size 0: send nothing); its size never
    // exceeds datagram.size(). Allocates only on Admitted.
    ServerHandshakeResult receive(std::span<const std::uint8_t> datagram, PeerAddress from, std::uint64_t nowUnix,
                                  Datagram& reply);

    // The admission for `from`, or nullptr: the ENet intercept lets a non-
    // handshake datagram through only when this is non-null.
    [[nodiscard]] const Admission* find(PeerAddress from) const;
    // The ENet peer for `from` connected: the admission no longer times out.
    bool markConnected(PeerAddress from);
    // The connection ended: frees the admission (the token may join again).
    void release(PeerAddress from);
    // Drops admissions that did not connect within connectTimeoutSeconds.
    void update(std::uint64_t nowUnix);

    [[nodiscard]] std::size_t admissionCount() const { return admissions_.size(); }
    [[nodiscard]] const ServerHandshakeStats& stats() const { return stats_; }
    // Bytes owned by this object (table capacity plus strings). Flood tests
    // check it does not move while unauthenticated senders hammer it.
    [[nodiscard]] std::size_t footprintBytes() const;

private:
    ServerHandshakeResult refuse(Refusal why, std::span<const std::uint8_t> datagram, std::uint64_t nowUnix,
                                 Datagram& reply);
    ServerHandshakeResult onRequest(std::span<const std::uint8_t> datagram, PeerAddress from, std::uint64_t nowUnix,
                                    Datagram& reply);
    ServerHandshakeResult onResponse(std::span<const std::uint8_t> datagram, PeerAddress from, std::uint64_t nowUnix,
                                     Datagram& reply);
    const Admission* findToken(std::uint64_t tokenId) const;
    bool roomHosted(std::string_view room) const;
    void writeAccepted(const Admission& a, Datagram& reply);

    Key secret_{};
    Key cookieKey_{};             // fresh per server start
    std::uint64_t cookieSeq_ = 0; // cookie nonce counter under cookieKey_
    RandomSource& random_;
    ServerHandshakeConfig config_;
    std::vector<Admission> admissions_;
    ServerHandshakeStats stats_;
    double deniedTokens_ = 0;
    std::uint64_t deniedLast_ = 0;
};

// What a server's ENet intercept callback does with one raw datagram:
// Handshake: feed it to ServerHandshake::receive and return 1 (consumed);
// PassToEnet: return 0; Drop: return 1 without looking further, so ENet never
// allocates a peer for an address that has not completed the handshake.
// `knownPeer`: the address belongs to an ENet peer the server already has.
enum class InterceptAction : std::uint8_t { Handshake, PassToEnet, Drop, Count };
[[nodiscard]] InterceptAction interceptAction(std::span<const std::uint8_t> datagram, PeerAddress from, bool knownPeer,
                                              const ServerHandshake& handshake);

// ---- Client ------------------------------------------------------------------

enum class ClientHandshakeState : std::uint8_t { SendingRequest, SendingResponse, Admitted, Refused, TimedOut, Count };
const char* toString(ClientHandshakeState s);

struct ClientHandshakeConfig {
    double resendSeconds = 0.1;  // request/response resend interval
    double timeoutSeconds = 10;  // give up after this long without admission
};

class ClientHandshake {
public:
    ClientHandshake(const ConnectToken& token, RandomSource& random, double now, ClientHandshakeConfig config = {});
    ~ClientHandshake();

    // The datagram due at `now` (request or response, resent on an interval),
    // or false. Moves to TimedOut when the timeout passes.
    bool poll(double now, Datagram& out);
    // Feeds one datagram from the server. Returns true when it advanced the
    // handshake (a valid challenge, Accepted or Denied for this token).
    bool receive(std::span<const std::uint8_t> datagram, double now);

    [[nodiscard]] ClientHandshakeState state() const { return state_; }
    [[nodiscard]] Refusal refusal() const { return refusal_; }        // when Refused
    [[nodiscard]] const SessionKeys& keys() const { return keys_; }   // when Admitted: send = c2s

private:
    void writeRequest(Datagram& out) const;
    void writeResponse(Datagram& out) const;

    TokenWire wire_;
    Key tokenC2S_{}, tokenS2C_{};
    std::uint64_t tokenId_ = 0;
    std::array<std::uint8_t, kSaltBytes> clientSalt_{};
    std::array<std::uint8_t, kCookieBytes> cookie_{};
    SessionKeys keys_;
    ClientHandshakeState state_ = ClientHandshakeState::SendingRequest;
    Refusal refusal_ = Refusal::Malformed;
    ClientHandshakeConfig config_;
    double started_ = 0;
    double nextSend_ = 0;
};

} // namespace caseroom::net::secure

template <>
struct std::hash<caseroom::net::secure::PeerAddress> {
    std::size_t operator()(const caseroom::net::secure::PeerAddress& a) const noexcept {
        return std::hash<std::uint64_t>{}((static_cast<std::uint64_t>(a.host) << 16) | a.port);
    }
};
