// [SECTION] helpers  [SECTION] server  [SECTION] client
//
// Why 0x3F can never be an ENet datagram: ENet's header starts with a
// big-endian u16 whose top bits are [sent-time][compressed][session:2] and
// whose low 12 bits are the peer id. First byte 0x3F = session 3, peer id
// 0xF00..0xFFF. ENet hosts here have far fewer than 0xF00 peers, and the one
// reserved id in that range (0xFFF, used before a peer id is assigned) is sent
// with session bits 0.
#include "net/secure/handshake.h"

#include <algorithm>
#include <cassert>

#include "net/secure/bytes.h"

namespace caseroom::net::secure {

// ---- [SECTION] helpers -------------------------------------------------------
namespace {

constexpr std::array<std::uint8_t, 4> kCookieDomain{'C', 'K', 'I', 'E'};
constexpr std::string_view kC2SLabel = "caseroom-c2s";
constexpr std::string_view kS2CLabel = "caseroom-s2c";

std::span<const std::uint8_t> asBytes(std::string_view s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }

std::array<std::uint8_t, 6> addressBytes(PeerAddress a) {
    std::array<std::uint8_t, 6> out{};
    ByteWriter w(out);
    (void)(w.u32(a.host) && w.u8(static_cast<std::uint8_t>(a.port)) && w.u8(static_cast<std::uint8_t>(a.port >> 8)));
    return out;
}

Nonce cookieNonce(std::uint64_t seq) {
    Nonce n{};
    std::copy(kCookieDomain.begin(), kCookieDomain.end(), n.begin());
    for (std::size_t i = 0; i < 8; ++i) n[4 + i] = static_cast<std::uint8_t>(seq >> (8 * i));
    return n;
}

// The two type bytes every handshake datagram starts with are its AEAD
// additional data, so a sealed part cannot be moved to another datagram type.
std::array<std::uint8_t, 2> header(HandshakeType t) { return {kPacketPrefix, static_cast<std::uint8_t>(t)}; }

std::uint64_t load64(std::span<const std::uint8_t> b) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < 8; ++i) v |= static_cast<std::uint64_t>(b[i]) << (8 * i);
    return v;
}

} // namespace

ConnectionKeys deriveConnectionKeys(const Key& tokenC2S, const Key& tokenS2C,
                                    std::span<const std::uint8_t, kSaltBytes> clientSalt,
                                    std::span<const std::uint8_t, kSaltBytes> serverSalt) {
    ConnectionKeys k;
    const std::span<const std::uint8_t> c2s[] = {asBytes(kC2SLabel), clientSalt, serverSalt};
    const std::span<const std::uint8_t> s2c[] = {asBytes(kS2CLabel), clientSalt, serverSalt};
    k.clientToServer = deriveKey(tokenC2S, c2s);
    k.serverToClient = deriveKey(tokenS2C, s2c);
    return k;
}

const char* toString(ServerHandshakeEvent e) {
    switch (e) {
    case ServerHandshakeEvent::Dropped: return "dropped";
    case ServerHandshakeEvent::Challenged: return "challenged";
    case ServerHandshakeEvent::Admitted: return "admitted";
    case ServerHandshakeEvent::Refused: return "refused";
    case ServerHandshakeEvent::Count: break;
    }
    return "?";
}

const char* toString(ClientHandshakeState s) {
    switch (s) {
    case ClientHandshakeState::SendingRequest: return "sending-request";
    case ClientHandshakeState::SendingResponse: return "sending-response";
    case ClientHandshakeState::Admitted: return "admitted";
    case ClientHandshakeState::Refused: return "refused";
    case ClientHandshakeState::TimedOut: return "timed-out";
    case ClientHandshakeState::Count: break;
    }
    return "?";
}

// ---- [SECTION] server --------------------------------------------------------

ServerHandshake::ServerHandshake(const Key& secret, RandomSource& random, ServerHandshakeConfig config)
    : secret_(secret), random_(random), config_(std::move(config)) {
    random_.fill(cookieKey_);
    admissions_.reserve(config_.maxAdmissions);
    deniedTokens_ = config_.deniedRepliesPerSecond;
}

ServerHandshake::~ServerHandshake() {
    wipe(secret_);
    wipe(cookieKey_);
    for (auto& a : admissions_) {
        wipe(a.keys.send);
        wipe(a.keys.receive);
    }
}

bool ServerHandshake::roomHosted(std::string_view room) const { return !config_.roomHosted || config_.roomHosted(room); }

const Admission* ServerHandshake::find(PeerAddress from) const {
    for (const auto& a : admissions_)
        if (a.address == from) return &a;
    return nullptr;
}

const Admission* ServerHandshake::findToken(std::uint64_t tokenId) const {
    for (const auto& a : admissions_)
        if (a.tokenId == tokenId) return &a;
    return nullptr;
}

bool ServerHandshake::markConnected(PeerAddress from) {
    for (auto& a : admissions_)
        if (a.address == from) { a.connected = true; return true; }
    return false;
}

void ServerHandshake::release(PeerAddress from) {
    std::erase_if(admissions_, [&](const Admission& a) { return a.address == from; });
}

void ServerHandshake::update(std::uint64_t nowUnix) {
    std::erase_if(admissions_, [&](const Admission& a) {
        return !a.connected && nowUnix >= a.admittedUnix + config_.connectTimeoutSeconds;
    });
}

std::size_t ServerHandshake::footprintBytes() const {
    std::size_t n = sizeof *this + admissions_.capacity() * sizeof(Admission);
    for (const auto& a : admissions_) n += a.roomCode.capacity() + a.displayName.capacity();
    return n;
}

ServerHandshakeResult ServerHandshake::receive(std::span<const std::uint8_t> datagram, PeerAddress from,
                                               std::uint64_t nowUnix, Datagram& reply) {
    reply.size = 0;
    ++stats_.datagrams;
    if (datagram.size() < 2 || datagram[0] != kPacketPrefix) {
        ++stats_.malformed;
        return {};
    }
    switch (static_cast<HandshakeType>(datagram[1])) {
    case HandshakeType::Request: return onRequest(datagram, from, nowUnix, reply);
    case HandshakeType::Response: return onResponse(datagram, from, nowUnix, reply);
    default: ++stats_.malformed; return {};
    }
}

ServerHandshakeResult ServerHandshake::refuse(Refusal why, std::span<const std::uint8_t> datagram,
                                              std::uint64_t nowUnix, Datagram& reply) {
    ++stats_.refused[static_cast<std::size_t>(why)];
    // Global token bucket on Denied datagrams: a spoofed flood must not turn
    // the server into a reflector. Whole-second refill (time is unix seconds).
    if (nowUnix > deniedLast_) {
        deniedTokens_ = std::min(config_.deniedRepliesPerSecond,
                                 deniedTokens_ + static_cast<double>(nowUnix - deniedLast_) * config_.deniedRepliesPerSecond);
        deniedLast_ = nowUnix;
    }
    ServerHandshakeResult r{ServerHandshakeEvent::Refused, why, nullptr};
    if (deniedTokens_ < 1.0 || datagram.size() < 2 + kTokenWireBytes) { // callers pass whole requests/responses
        ++stats_.deniedSuppressed;
        return r;
    }
    deniedTokens_ -= 1.0;
    // Echo the first 8 bytes of the token nonce so the client can tell this
    // denial answers its own request.
    ByteWriter w(reply.bytes);
    const auto h = header(HandshakeType::Denied);
    const bool ok = w.bytes(h) && w.u8(static_cast<std::uint8_t>(why)) && w.bytes(datagram.subspan(2 + kTokenWireNonceOffset, 8));
    assert(ok && w.size() == kDeniedBytes);
    (void)ok;
    reply.size = w.size();
    return r;
}

ServerHandshakeResult ServerHandshake::onRequest(std::span<const std::uint8_t> datagram, PeerAddress from,
                                                 std::uint64_t nowUnix, Datagram& reply) {
    if (datagram.size() != kRequestBytes) {
        ++stats_.malformed;
        return {};
    }
    ByteReader r(datagram.subspan(2));
    TokenWire wire;
    std::array<std::uint8_t, kSaltBytes> clientSalt{};
    if (!readTokenWire(r, wire) || !r.bytes(clientSalt) || !r.atEnd()) {
        ++stats_.malformed;
        return {};
    }
    TokenCheck check = openToken(wire, secret_, nowUnix);
    if (!check.ok) return refuse(check.refusal, datagram, nowUnix, reply);
    const TokenGrant& g = check.grant;
    if (!roomHosted(g.roomCode)) return refuse(Refusal::WrongRoom, datagram, nowUnix, reply);
    if (const Admission* a = findToken(g.tokenId); a && !(a->address == from))
        return refuse(Refusal::AlreadyUsed, datagram, nowUnix, reply);

    // Cookie: everything the response needs, sealed under the per-start key
    // and bound to the source address, so no per-sender state is kept.
    std::array<std::uint8_t, kSaltBytes> serverSalt{};
    random_.fill(serverSalt);
    std::array<std::uint8_t, 8 + 8 + 2 * kSaltBytes> cookiePlain{};
    ByteWriter cw(cookiePlain);
    bool ok = cw.u64(g.tokenId) && cw.u64(nowUnix) && cw.bytes(clientSalt) && cw.bytes(serverSalt);
    std::array<std::uint8_t, kCookieBytes> cookie{};
    const std::uint64_t seq = cookieSeq_++;
    ByteWriter kw(cookie);
    ok = ok && kw.u64(seq);
    const auto addr = addressBytes(from);
    ok = ok && aeadSeal(std::span(cookie).subspan(8), cookiePlain, addr, cookieNonce(seq), cookieKey_);

    // Challenge: sealed with the token's server-to-client key, so only the
    // holder of the token file can read the cookie and answer.
    std::array<std::uint8_t, kSaltBytes + kCookieBytes> chPlain{};
    std::copy(serverSalt.begin(), serverSalt.end(), chPlain.begin());
    std::copy(cookie.begin(), cookie.end(), chPlain.begin() + kSaltBytes);
    XNonce nonce{};
    random_.fill(nonce);
    ByteWriter w(reply.bytes);
    const auto h = header(HandshakeType::Challenge);
    ok = ok && w.bytes(h) && w.bytes(nonce);
    ok = ok && xaeadSeal(std::span(reply.bytes).subspan(w.size(), chPlain.size() + kMacBytes), chPlain, h, nonce,
                         g.serverToClient);
    assert(ok);
    if (!ok) return {};
    reply.size = w.size() + chPlain.size() + kMacBytes;
    assert(reply.size == kChallengeBytes && reply.size <= datagram.size());
    ++stats_.challenges;
    return {ServerHandshakeEvent::Challenged, Refusal::Malformed, nullptr};
}

void ServerHandshake::writeAccepted(const Admission& a, Datagram& reply) {
    std::array<std::uint8_t, 8> plain{};
    ByteWriter pw(plain);
    (void)pw.u64(a.tokenId);
    XNonce nonce{};
    random_.fill(nonce);
    ByteWriter w(reply.bytes);
    const auto h = header(HandshakeType::Accepted);
    bool ok = w.bytes(h) && w.bytes(nonce);
    ok = ok && xaeadSeal(std::span(reply.bytes).subspan(w.size(), plain.size() + kMacBytes), plain, h, nonce, a.keys.send);
    assert(ok);
    (void)ok;
    reply.size = kAcceptedBytes;
}

ServerHandshakeResult ServerHandshake::onResponse(std::span<const std::uint8_t> datagram, PeerAddress from,
                                                  std::uint64_t nowUnix, Datagram& reply) {
    if (datagram.size() != kResponseBytes) {
        ++stats_.malformed;
        return {};
    }
    ByteReader r(datagram.subspan(2));
    TokenWire wire;
    std::uint64_t seq = 0;
    std::span<const std::uint8_t> sealedCookie;
    if (!readTokenWire(r, wire) || !r.u64(seq) || !r.view(kCookieBytes - 8, sealedCookie) || !r.atEnd()) {
        ++stats_.malformed;
        return {};
    }
    // Cookie first: it is cheaper than the token and proves the round trip.
    std::array<std::uint8_t, 8 + 8 + 2 * kSaltBytes> cookiePlain{};
    const auto addr = addressBytes(from);
    if (seq >= cookieSeq_ || !aeadOpen(cookiePlain, sealedCookie, addr, cookieNonce(seq), cookieKey_)) {
        ++stats_.badCookies;
        return {};
    }
    ByteReader cr(cookiePlain);
    std::uint64_t cookieTokenId = 0, issued = 0;
    std::array<std::uint8_t, kSaltBytes> clientSalt{}, serverSalt{};
    (void)(cr.u64(cookieTokenId) && cr.u64(issued) && cr.bytes(clientSalt) && cr.bytes(serverSalt));
    if (issued > nowUnix || nowUnix - issued > config_.challengeLifetimeSeconds) {
        ++stats_.badCookies;
        return {};
    }
    TokenCheck check = openToken(wire, secret_, nowUnix);
    if (!check.ok) return refuse(check.refusal, datagram, nowUnix, reply);
    TokenGrant& g = check.grant;
    if (g.tokenId != cookieTokenId) {
        ++stats_.badCookies;
        return {};
    }
    if (!roomHosted(g.roomCode)) return refuse(Refusal::WrongRoom, datagram, nowUnix, reply);
    const ConnectionKeys ck = deriveConnectionKeys(g.clientToServer, g.serverToClient, clientSalt, serverSalt);
    wipe(g.clientToServer);
    wipe(g.serverToClient);
    for (auto& existing : admissions_) {
        if (existing.tokenId != g.tokenId) continue;
        if (!(existing.address == from)) return refuse(Refusal::AlreadyUsed, datagram, nowUnix, reply);
        if (existing.keys.receive != ck.clientToServer) {
            // A new handshake from the same address (the client restarted):
            // it replaces the old admission; the caller drops any old peer.
            existing.keys.send = ck.serverToClient;
            existing.keys.receive = ck.clientToServer;
            existing.admittedUnix = nowUnix;
            existing.connected = false;
            ++stats_.admitted;
        }
        writeAccepted(existing, reply); // else a resent response: same cookie, same keys
        return {ServerHandshakeEvent::Admitted, Refusal::Malformed, &existing};
    }
    if (const Admission* other = find(from)) {
        if (other->connected) { // this address already has a live connection with another token
            ++stats_.malformed;
            return {};
        }
        release(from);
    }
    if (admissions_.size() >= config_.maxAdmissions) return refuse(Refusal::ServerFull, datagram, nowUnix, reply);

    Admission a;
    a.address = from;
    a.tokenId = g.tokenId;
    a.userId = g.userId;
    a.roomCode = std::move(g.roomCode);
    a.displayName = std::move(g.displayName);
    a.role = g.role;
    a.tokenExpiresUnix = g.expiresUnix;
    a.admittedUnix = nowUnix;
    a.keys.send = ck.serverToClient;
    a.keys.receive = ck.clientToServer;
    admissions_.push_back(std::move(a));
    ++stats_.admitted;
    writeAccepted(admissions_.back(), reply);
    return {ServerHandshakeEvent::Admitted, Refusal::Malformed, &admissions_.back()};
}

InterceptAction interceptAction(std::span<const std::uint8_t> datagram, PeerAddress from, bool knownPeer,
                                const ServerHandshake& handshake) {
    if (isHandshakeDatagram(datagram)) return InterceptAction::Handshake;
    if (knownPeer || handshake.find(from) != nullptr) return InterceptAction::PassToEnet;
    return InterceptAction::Drop;
}

// ---- [SECTION] client --------------------------------------------------------

ClientHandshake::ClientHandshake(const ConnectToken& token, RandomSource& random, double now, ClientHandshakeConfig config)
    : wire_(token.wire), tokenC2S_(token.grant.clientToServer), tokenS2C_(token.grant.serverToClient),
      tokenId_(token.grant.tokenId), config_(config), started_(now), nextSend_(now) {
    random.fill(clientSalt_);
}

ClientHandshake::~ClientHandshake() {
    wipe(tokenC2S_);
    wipe(tokenS2C_);
    wipe(keys_.send);
    wipe(keys_.receive);
}

void ClientHandshake::writeRequest(Datagram& out) const {
    ByteWriter w(out.bytes);
    const auto h = header(HandshakeType::Request);
    const bool ok = w.bytes(h) && writeTokenWire(wire_, w) && w.bytes(clientSalt_);
    assert(ok && w.size() == kRequestBytes);
    (void)ok;
    out.size = w.size();
}

void ClientHandshake::writeResponse(Datagram& out) const {
    ByteWriter w(out.bytes);
    const auto h = header(HandshakeType::Response);
    const bool ok = w.bytes(h) && writeTokenWire(wire_, w) && w.bytes(cookie_);
    assert(ok && w.size() == kResponseBytes);
    (void)ok;
    out.size = w.size();
}

bool ClientHandshake::poll(double now, Datagram& out) {
    out.size = 0;
    if (state_ != ClientHandshakeState::SendingRequest && state_ != ClientHandshakeState::SendingResponse) return false;
    if (now - started_ >= config_.timeoutSeconds) {
        state_ = ClientHandshakeState::TimedOut;
        return false;
    }
    if (now < nextSend_) return false;
    nextSend_ = now + config_.resendSeconds;
    if (state_ == ClientHandshakeState::SendingRequest) writeRequest(out);
    else writeResponse(out);
    return true;
}

bool ClientHandshake::receive(std::span<const std::uint8_t> datagram, double now) {
    if (datagram.size() < 2 || datagram[0] != kPacketPrefix) return false;
    const auto type = static_cast<HandshakeType>(datagram[1]);
    const auto h = header(type);
    switch (type) {
    case HandshakeType::Challenge: {
        if (state_ != ClientHandshakeState::SendingRequest && state_ != ClientHandshakeState::SendingResponse) return false;
        if (datagram.size() != kChallengeBytes) return false;
        XNonce nonce{};
        std::copy_n(datagram.begin() + 2, kXNonceBytes, nonce.begin());
        std::array<std::uint8_t, kSaltBytes + kCookieBytes> plain{};
        if (!xaeadOpen(plain, datagram.subspan(2 + kXNonceBytes), h, nonce, tokenS2C_)) return false;
        if (state_ == ClientHandshakeState::SendingResponse) return false; // keep the first cookie
        std::copy(plain.begin() + kSaltBytes, plain.end(), cookie_.begin());
        const ConnectionKeys ck = deriveConnectionKeys(tokenC2S_, tokenS2C_, clientSalt_,
                                                       std::span<const std::uint8_t, kSaltBytes>(plain.data(), kSaltBytes));
        keys_.send = ck.clientToServer;
        keys_.receive = ck.serverToClient;
        state_ = ClientHandshakeState::SendingResponse;
        nextSend_ = now; // answer at once
        return true;
    }
    case HandshakeType::Accepted: {
        if (state_ != ClientHandshakeState::SendingResponse || datagram.size() != kAcceptedBytes) return false;
        XNonce nonce{};
        std::copy_n(datagram.begin() + 2, kXNonceBytes, nonce.begin());
        std::array<std::uint8_t, 8> plain{};
        if (!xaeadOpen(plain, datagram.subspan(2 + kXNonceBytes), h, nonce, keys_.receive)) return false;
        if (load64(plain) != tokenId_) return false;
        state_ = ClientHandshakeState::Admitted;
        return true;
    }
    case HandshakeType::Denied: {
        if (state_ != ClientHandshakeState::SendingRequest && state_ != ClientHandshakeState::SendingResponse) return false;
        if (datagram.size() != kDeniedBytes || datagram[2] >= static_cast<std::uint8_t>(Refusal::Count)) return false;
        if (!std::equal(wire_.nonce.begin(), wire_.nonce.begin() + 8, datagram.begin() + 3)) return false;
        refusal_ = static_cast<Refusal>(datagram[2]);
        state_ = ClientHandshakeState::Refused;
        return true;
    }
    default: return false;
    }
}

} // namespace caseroom::net::secure
