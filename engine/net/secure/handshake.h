// The join handshake, after netcode.io plus an ephemeral X25519 exchange:
// pure state machines and datagram codecs, no sockets. The server stays
// stateless until the sender proves it holds the token's keys and receives at
// its source address.
//
//   client                                  server
//   Request  [P][1][token wire][client kx public 32]                  (267 bytes)
//            -> per-source budget, token opened, room and revocation checked;
//               NO per-sender state, no key exchange work yet
//   Challenge[P][2][xnonce 24][seal_tokenS2C(server kx public 32, cookie 80)] (154)
//            cookie = [seq 8][seal_cookieKey(token id, issued, kx epoch, client kx public), AD=address]
//   Response [P][3][token wire][cookie 80]                             (315)
//            -> cookie (single use) and token re-verified; the X25519 shared
//               secret computed (only now: the address is proven); an Admission
//   Accepted [P][4][xnonce 24][seal_connS2C(token id 8)]                (50)
//   Denied   [P][5][refusal 1][first 8 bytes of the token nonce]        (11)
//
// P = kPacketPrefix. After Accepted, every datagram of the connection is
// sealed whole (channel.h). Every reply to an unauthenticated sender is no
// larger than the datagram that caused it.
// Connection keys: c2s = BLAKE2b(token c2s key; label, kx c2s, both kx
// publics), s2c likewise. The client's kx key pair lives for one handshake;
// the server's is one per second ("epoch", shared by the handshakes of that
// second) and is wiped once no cookie can name it (lifetime + 1 s). So a
// token file or the deployment key plus a capture of the traffic does not
// give the session keys (forward secrecy), and a request costs no
// scalar multiplication before the sender proved its address.
// Time: token checks take wall-clock unix seconds; cookie freshness and
// admission timeouts take monotonic seconds, so a stepped wall clock neither
// stalls nor expires handshakes. Thread rule: one thread per object.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/log.h"
#include "net/secure/crypto.h"
#include "net/secure/limits.h"
#include "net/secure/token.h"

namespace caseroom::net::secure {

// First byte of every handshake datagram. ENet's own datagrams never reach
// the wire unsealed (they start with kSealedPrefix, channel.h), so the two
// prefixes are the whole demultiplexing rule.
constexpr std::uint8_t kPacketPrefix = 0x3F;

enum class HandshakeType : std::uint8_t { Request = 1, Challenge = 2, Response = 3, Accepted = 4, Denied = 5 };

constexpr std::size_t kCookiePlainBytes = 8 + 8 + 8 + kKxPublicBytes;                               // 56
constexpr std::size_t kCookieBytes = 8 + kCookiePlainBytes + kMacBytes;                             // 80
constexpr std::size_t kRequestBytes = 2 + kTokenWireBytes + kKxPublicBytes;
constexpr std::size_t kChallengeBytes = 2 + kXNonceBytes + kKxPublicBytes + kCookieBytes + kMacBytes; // 154
constexpr std::size_t kResponseBytes = 2 + kTokenWireBytes + kCookieBytes;
constexpr std::size_t kAcceptedBytes = 2 + kXNonceBytes + 8 + kMacBytes;                            // 50
constexpr std::size_t kDeniedBytes = 2 + 1 + 8;                                                     // 11
constexpr std::size_t kMaxHandshakeBytes = kResponseBytes;
static_assert(kChallengeBytes <= kRequestBytes && kDeniedBytes <= kRequestBytes && kAcceptedBytes <= kResponseBytes,
              "replies to unauthenticated senders must never be larger than what they sent");

// True when `datagram` belongs to the handshake.
[[nodiscard]] inline bool isHandshakeDatagram(std::span<const std::uint8_t> datagram) {
    return !datagram.empty() && datagram[0] == kPacketPrefix;
}

// IPv4 source address as ENet reports it (host in network byte order).
struct PeerAddress {
    std::uint32_t host = 0;
    std::uint16_t port = 0;
    friend bool operator==(const PeerAddress&, const PeerAddress&) = default;
};

} // namespace caseroom::net::secure

template <>
struct std::hash<caseroom::net::secure::PeerAddress> {
    std::size_t operator()(const caseroom::net::secure::PeerAddress& a) const noexcept {
        return std::hash<std::uint64_t>{}((static_cast<std::uint64_t>(a.host) << 16) | a.port);
    }
};

namespace caseroom::net::secure {

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

// Per-connection keys from the token keys and the X25519 exchange.
struct ConnectionKeys {
    Key clientToServer{};
    Key serverToClient{};
};
[[nodiscard]] ConnectionKeys deriveConnectionKeys(const Key& tokenC2S, const Key& tokenS2C, const KxShared& shared,
                                                  const KxPublic& clientPublic, const KxPublic& serverPublic);

// ---- Server ------------------------------------------------------------------

struct ServerHandshakeConfig {
    // Whether this server hosts `room`; empty: every room is hosted.
    std::function<bool(std::string_view room)> roomHosted;
    // Whether a token or its user has been revoked; empty: nothing is.
    std::function<bool(std::uint64_t tokenId, std::uint64_t userId)> revoked;
    TokenPolicy tokenPolicy;                   // not-before skew and the longest lifetime accepted
    std::uint32_t maxAdmissions = 256;         // admitted connections at once (pending + connected)
    double challengeLifetimeSeconds = 10;      // at most 14 (the kx key ring holds 16 s)
    double connectTimeoutSeconds = 10;         // admitted but no ENet connect: dropped by update()
    double deniedRepliesPerSecond = 200;       // global cap on Denied datagrams (reflection)
    // Handshake work before any proof of address (F-12): token opens per
    // second per source /24, and for all sources together.
    double requestsPerSourcePerSecond = 20;
    double requestSourceBurst = 40;
    double tokenOpensPerSecond = 4000;
};

// A sender that answered the challenge: its address may now send sealed
// datagrams (and so reach ENet) under `keys`.
struct Admission {
    std::uint64_t id = 0;          // unique per admission for this server's life (never 0)
    PeerAddress address;
    std::uint64_t tokenId = 0;
    std::uint64_t userId = 0;
    std::string roomCode;
    std::string displayName;
    core::Role role = core::Role::Spoke;
    std::uint64_t tokenExpiresUnix = 0;
    double admittedAt = 0;         // monotonic seconds
    std::uint64_t cookieSeq = 0;   // the cookie that made it: a resent Response is recognised by it
    bool connected = false;
    SessionKeys keys; // send = server-to-client, receive = client-to-server
};

enum class ServerHandshakeEvent : std::uint8_t {
    Dropped,     // not a valid handshake datagram, a stale, forged or already used cookie; no reply
    Challenged,  // a valid request: reply holds a challenge
    Admitted,    // a valid response: reply holds Accepted; `admission` is the new entry and
                 // `replaced` names the admissions it displaced (same address or same token)
    Resent,      // a copy of the Response that made a live admission: Accepted again, nothing changed
    Refused,     // reply (if rate allows) holds Denied with `refusal`
    Count
};
const char* toString(ServerHandshakeEvent e);

struct ServerHandshakeStats {
    std::uint64_t datagrams = 0;
    std::uint64_t malformed = 0;
    std::uint64_t challenges = 0;
    std::uint64_t badCookies = 0;
    std::uint64_t reusedCookies = 0;    // a used cookie whose admission is gone (replay after release)
    std::uint64_t resent = 0;
    std::uint64_t admitted = 0;
    std::uint64_t replaced = 0;
    std::uint64_t budgetDropped = 0;    // requests over the per-source or global budget
    std::uint64_t tokenOpens = 0;       // AEAD opens of token private parts
    std::uint64_t deniedSuppressed = 0;
    std::array<std::uint64_t, static_cast<std::size_t>(Refusal::Count)> refused{};
};

// An admission displaced by a newer proof of the same token, or of a new
// token from the same address.
struct Replaced {
    std::uint64_t id = 0;
    PeerAddress address;
};

struct ServerHandshakeResult {
    ServerHandshakeEvent event = ServerHandshakeEvent::Dropped;
    Refusal refusal = Refusal::Malformed;    // for Refused (and Dropped malformed)
    const Admission* admission = nullptr;    // for Admitted / Resent; valid until the table changes
    std::array<Replaced, 2> replaced{};      // for Admitted: ids 0 = none
    std::uint64_t tokenId = 0;               // for Refused after the token opened (0 when it did not)
    std::uint64_t userId = 0;
};

class ServerHandshake {
public:
    // `keys` are the deployment keys (current first); `random` must outlive
    // this object and be SystemRandom outside tests.
    ServerHandshake(Keyring keys, RandomSource& random, ServerHandshakeConfig config = {});
    ~ServerHandshake();
    ServerHandshake(const ServerHandshake&) = delete;
    ServerHandshake& operator=(const ServerHandshake&) = delete;

    // Handles one datagram starting with kPacketPrefix from `from`. `reply`
    // receives the datagram to send back (size 0: send nothing); its size never
    // exceeds datagram.size(). Allocates only on Admitted.
    ServerHandshakeResult receive(std::span<const std::uint8_t> datagram, PeerAddress from, std::uint64_t nowUnix,
                                  double now, Datagram& reply);

    [[nodiscard]] const Admission* find(PeerAddress from) const;
    [[nodiscard]] const Admission* findId(std::uint64_t id) const;
    // Admission `id` got its ENet connection: it no longer times out.
    bool markConnected(std::uint64_t id);
    // Connection `id` ended: frees its admission. Releasing an id that was
    // replaced or already released does nothing.
    void release(std::uint64_t id);
    // Drops admissions that did not connect within connectTimeoutSeconds and
    // forgets used cookies past their lifetime; ids dropped are appended to `dropped`.
    void update(double now, std::vector<std::uint64_t>* dropped = nullptr);
    // Replaces the deployment keys (rotation: current first, then the ones still accepted).
    void setKeys(Keyring keys);

    [[nodiscard]] std::size_t admissionCount() const { return admissions_.size(); }
    template <typename F> void forEachAdmission(F&& f) const { for (const auto& [id, a] : admissions_) f(a); }
    [[nodiscard]] const ServerHandshakeStats& stats() const { return stats_; }
    // Bytes owned by this object (tables plus strings). Flood tests check it
    // does not grow while unauthenticated senders hammer it.
    [[nodiscard]] std::size_t footprintBytes() const;

private:
    ServerHandshakeResult refuse(Refusal why, std::span<const std::uint8_t> datagram, double now, Datagram& reply);
    ServerHandshakeResult onRequest(std::span<const std::uint8_t> datagram, PeerAddress from, std::uint64_t nowUnix,
                                    double now, Datagram& reply);
    ServerHandshakeResult onResponse(std::span<const std::uint8_t> datagram, PeerAddress from, std::uint64_t nowUnix,
                                     double now, Datagram& reply);
    bool withinBudget(PeerAddress from, double now);
    bool roomHosted(std::string_view room) const;
    bool isRevoked(const TokenGrant& g) const;
    void erase(std::uint64_t id);
    void writeAccepted(const Admission& a, Datagram& reply);

    Keyring keys_;
    Key cookieKey_{};             // fresh per server start, never stored
    std::uint64_t cookieSeq_ = 0; // cookie nonce counter under cookieKey_
    RandomSource& random_;
    ServerHandshakeConfig config_;
    std::uint64_t nextId_ = 1;
    std::unordered_map<std::uint64_t, Admission> admissions_;     // by id
    std::unordered_map<PeerAddress, std::uint64_t> byAddress_;
    std::unordered_map<std::uint64_t, std::uint64_t> byToken_;    // token id -> admission id
    std::unordered_map<std::uint64_t, double> usedCookies_;       // seq -> when issued (monotonic)
    ServerHandshakeStats stats_;
    double deniedTokens_ = 0;
    double deniedLast_ = 0;
    // Per-source request budget: a fixed table of buckets hashed by /24, so
    // spoofed floods cost bounded memory.
    static constexpr std::size_t kSourceBuckets = 4096;
    std::vector<TokenBucket> sourceBuckets_;
    TokenBucket opens_;
    // The server's ephemeral X25519 key pairs, one per second of monotonic
    // time, in a ring longer than the challenge lifetime.
    struct KxEpoch {
        std::uint64_t epoch = UINT64_MAX; // UINT64_MAX: empty (secret wiped)
        KxKeyPair pair;
    };
    static constexpr std::size_t kKxEpochs = 16;
    std::array<KxEpoch, kKxEpochs> kxEpochs_{};
    const KxKeyPair& kxForEpoch(std::uint64_t epoch);
    const KxKeyPair* kxAt(std::uint64_t epoch) const;
};

// ---- Client ------------------------------------------------------------------

enum class ClientHandshakeState : std::uint8_t { SendingRequest, SendingResponse, Admitted, Refused, TimedOut, Count };
const char* toString(ClientHandshakeState s);

struct ClientHandshakeConfig {
    double resendSeconds = 0.1;  // request/response resend interval
    double timeoutSeconds = 10;  // give up after this long without admission (net/timeouts.h)
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
    KxKeyPair kx_;                 // ephemeral; its secret is wiped once the challenge is answered
    std::array<std::uint8_t, kCookieBytes> cookie_{};
    SessionKeys keys_;
    ClientHandshakeState state_ = ClientHandshakeState::SendingRequest;
    Refusal refusal_ = Refusal::Malformed;
    ClientHandshakeConfig config_;
    double started_ = 0;
    double nextSend_ = 0;
};

} // namespace caseroom::net::secure
