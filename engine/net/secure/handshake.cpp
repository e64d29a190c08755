// [SECTION] helpers  [SECTION] server  [SECTION] client
#include "net/secure/handshake.h"

#include <algorithm>
#include <cassert>

#include "net/secure/bytes.h"

namespace caseroom::net::secure {

// ---- [SECTION] helpers -------------------------------------------------------
namespace {

constexpr std::array<std::uint8_t, 4> kCookieDomain{'C', 'K', 'I', 'E'};
constexpr std::string_view kC2SLabel = "caseroom-c2s-kx";
constexpr std::string_view kS2CLabel = "caseroom-s2c-kx";

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

ConnectionKeys deriveConnectionKeys(const Key& tokenC2S, const Key& tokenS2C, const KxShared& shared,
                                    const KxPublic& clientPublic, const KxPublic& serverPublic) {
    ConnectionKeys k;
    const std::span<const std::uint8_t> c2s[] = {asBytes(kC2SLabel), shared.toServer, clientPublic, serverPublic};
    const std::span<const std::uint8_t> s2c[] = {asBytes(kS2CLabel), shared.toClient, clientPublic, serverPublic};
    k.clientToServer = deriveKey(tokenC2S, c2s);
    k.serverToClient = deriveKey(tokenS2C, s2c);
    return k;
}

const char* toString(ServerHandshakeEvent e) {
    switch (e) {
    case ServerHandshakeEvent::Dropped: return "dropped";
    case ServerHandshakeEvent::Challenged: return "challenged";
    case ServerHandshakeEvent::Admitted: return "admitted";
    case ServerHandshakeEvent::Resent: return "resent";
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

ServerHandshake::ServerHandshake(Keyring keys, RandomSource& random, ServerHandshakeConfig config)
    : keys_(std::move(keys)), random_(random), config_(std::move(config)) {
    random_.fill(cookieKey_);
    admissions_.reserve(config_.maxAdmissions);
    byAddress_.reserve(config_.maxAdmissions);
    byToken_.reserve(config_.maxAdmissions);
    deniedTokens_ = config_.deniedRepliesPerSecond;
    sourceBuckets_.assign(kSourceBuckets, TokenBucket(config_.requestsPerSourcePerSecond, config_.requestSourceBurst, 0));
    opens_ = TokenBucket(config_.tokenOpensPerSecond, config_.tokenOpensPerSecond, 0);
}

ServerHandshake::~ServerHandshake() {
    wipe(cookieKey_);
    for (auto& [id, a] : admissions_) {
        wipe(a.keys.send);
        wipe(a.keys.receive);
    }
}

void ServerHandshake::setKeys(Keyring keys) { keys_ = std::move(keys); }

const KxKeyPair& ServerHandshake::kxForEpoch(std::uint64_t epoch) {
    KxEpoch& slot = kxEpochs_[epoch % kKxEpochs];
    if (slot.epoch != epoch) {
        kxKeyPair(random_, slot.pair); // overwrites (and so forgets) the secret of epoch - kKxEpochs
        slot.epoch = epoch;
    }
    return slot.pair;
}

const KxKeyPair* ServerHandshake::kxAt(std::uint64_t epoch) const {
    const KxEpoch& slot = kxEpochs_[epoch % kKxEpochs];
    return slot.epoch == epoch ? &slot.pair : nullptr;
}

bool ServerHandshake::roomHosted(std::string_view room) const { return !config_.roomHosted || config_.roomHosted(room); }

bool ServerHandshake::isRevoked(const TokenGrant& g) const { return config_.revoked && config_.revoked(g.tokenId, g.userId); }

const Admission* ServerHandshake::find(PeerAddress from) const {
    const auto it = byAddress_.find(from);
    return it == byAddress_.end() ? nullptr : findId(it->second);
}

const Admission* ServerHandshake::findId(std::uint64_t id) const {
    const auto it = admissions_.find(id);
    return it == admissions_.end() ? nullptr : &it->second;
}

bool ServerHandshake::markConnected(std::uint64_t id) {
    const auto it = admissions_.find(id);
    if (it == admissions_.end()) return false;
    it->second.connected = true;
    return true;
}

void ServerHandshake::erase(std::uint64_t id) {
    const auto it = admissions_.find(id);
    if (it == admissions_.end()) return;
    Admission& a = it->second;
    if (auto at = byAddress_.find(a.address); at != byAddress_.end() && at->second == id) byAddress_.erase(at);
    if (auto tt = byToken_.find(a.tokenId); tt != byToken_.end() && tt->second == id) byToken_.erase(tt);
    wipe(a.keys.send);
    wipe(a.keys.receive);
    admissions_.erase(it);
}

void ServerHandshake::release(std::uint64_t id) { erase(id); }

void ServerHandshake::update(double now, std::vector<std::uint64_t>* dropped) {
    for (auto it = admissions_.begin(); it != admissions_.end();) {
        const Admission& a = it->second;
        if (!a.connected && now >= a.admittedAt + config_.connectTimeoutSeconds) {
            const std::uint64_t id = a.id;
            ++it;
            if (dropped) dropped->push_back(id);
            erase(id);
        } else {
            ++it;
        }
    }
    std::erase_if(usedCookies_, [&](const auto& kv) { return now - kv.second > config_.challengeLifetimeSeconds + 1; });
    // Forward secrecy: a key pair no cookie can name any more is wiped.
    for (KxEpoch& slot : kxEpochs_)
        if (slot.epoch != UINT64_MAX && now > static_cast<double>(slot.epoch) + 1.0 + config_.challengeLifetimeSeconds) {
            wipe(slot.pair.secretKey);
            slot.epoch = UINT64_MAX;
        }
}

std::size_t ServerHandshake::footprintBytes() const {
    std::size_t n = sizeof *this + admissions_.bucket_count() * sizeof(void*) + admissions_.size() * sizeof(Admission) +
                    byAddress_.bucket_count() * sizeof(void*) + byToken_.bucket_count() * sizeof(void*) +
                    usedCookies_.bucket_count() * sizeof(void*) + usedCookies_.size() * 32 +
                    sourceBuckets_.capacity() * sizeof(TokenBucket);
    for (const auto& [id, a] : admissions_) n += a.roomCode.capacity() + a.displayName.capacity();
    return n;
}

ServerHandshakeResult ServerHandshake::receive(std::span<const std::uint8_t> datagram, PeerAddress from,
                                               std::uint64_t nowUnix, double now, Datagram& reply) {
    reply.size = 0;
    ++stats_.datagrams;
    if (datagram.size() < 2 || datagram[0] != kPacketPrefix) {
        ++stats_.malformed;
        return {};
    }
    switch (static_cast<HandshakeType>(datagram[1])) {
    case HandshakeType::Request: return onRequest(datagram, from, nowUnix, now, reply);
    case HandshakeType::Response: return onResponse(datagram, from, nowUnix, now, reply);
    default: ++stats_.malformed; return {};
    }
}

ServerHandshakeResult ServerHandshake::refuse(Refusal why, std::span<const std::uint8_t> datagram, double now,
                                              Datagram& reply) {
    ++stats_.refused[static_cast<std::size_t>(why)];
    // Global token bucket on Denied datagrams: a spoofed flood must not turn
    // the server into a reflector.
    if (now > deniedLast_) {
        deniedTokens_ = std::min(config_.deniedRepliesPerSecond, deniedTokens_ + (now - deniedLast_) * config_.deniedRepliesPerSecond);
        deniedLast_ = now;
    }
    ServerHandshakeResult r;
    r.event = ServerHandshakeEvent::Refused;
    r.refusal = why;
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

bool ServerHandshake::withinBudget(PeerAddress from, double now) {
    // Sources are grouped by /24 (host is in network byte order: the first
    // three octets are the low three bytes).
    const std::uint32_t net24 = from.host & 0x00FFFFFFu;
    TokenBucket& b = sourceBuckets_[std::hash<std::uint32_t>{}(net24 * 2654435761u) % kSourceBuckets];
    if (!b.take(now) || !opens_.take(now)) {
        ++stats_.budgetDropped;
        return false;
    }
    return true;
}

ServerHandshakeResult ServerHandshake::onRequest(std::span<const std::uint8_t> datagram, PeerAddress from,
                                                 std::uint64_t nowUnix, double now, Datagram& reply) {
    if (datagram.size() != kRequestBytes) {
        ++stats_.malformed;
        return {};
    }
    ByteReader r(datagram.subspan(2));
    TokenWire wire;
    KxPublic clientPublic{};
    if (!readTokenWire(r, wire) || !r.bytes(clientPublic) || !r.atEnd()) {
        ++stats_.malformed;
        return {};
    }
    if (!withinBudget(from, now)) return {};
    ++stats_.tokenOpens;
    TokenCheck check = openToken(wire, keys_, nowUnix, config_.tokenPolicy);
    if (!check.ok) return refuse(check.refusal, datagram, now, reply);
    TokenGrant& g = check.grant;
    const auto done = [&](ServerHandshakeResult res) {
        wipe(g.clientToServer);
        wipe(g.serverToClient);
        res.tokenId = g.tokenId;
        res.userId = g.userId;
        return res;
    };
    if (!roomHosted(g.roomCode)) return done(refuse(Refusal::WrongRoom, datagram, now, reply));
    if (isRevoked(g)) return done(refuse(Refusal::Revoked, datagram, now, reply));

    // The server's half of the key exchange is this second's key pair; the
    // shared secret is computed only once the Response proves the address.
    const std::uint64_t epoch = static_cast<std::uint64_t>(now < 0 ? 0 : now);
    const KxKeyPair& kx = kxForEpoch(epoch);
    std::array<std::uint8_t, kCookiePlainBytes> cookiePlain{};
    ByteWriter cw(cookiePlain);
    // Issued time in milliseconds of this server's monotonic clock.
    bool ok = cw.u64(g.tokenId) && cw.u64(static_cast<std::uint64_t>(now * 1000.0)) && cw.u64(epoch) &&
              cw.bytes(clientPublic);
    std::array<std::uint8_t, kCookieBytes> cookie{};
    const std::uint64_t seq = cookieSeq_++;
    ByteWriter kw(cookie);
    ok = ok && kw.u64(seq);
    const auto addr = addressBytes(from);
    ok = ok && aeadSeal(std::span(cookie).subspan(8), cookiePlain, addr, cookieNonce(seq), cookieKey_);
    wipe(cookiePlain);

    // Challenge: sealed with the token's server-to-client key, so only the
    // holder of the token file can read the cookie and answer.
    std::array<std::uint8_t, kKxPublicBytes + kCookieBytes> chPlain{};
    std::copy(kx.publicKey.begin(), kx.publicKey.end(), chPlain.begin());
    std::copy(cookie.begin(), cookie.end(), chPlain.begin() + kKxPublicBytes);
    XNonce nonce{};
    random_.fill(nonce);
    ByteWriter w(reply.bytes);
    const auto h = header(HandshakeType::Challenge);
    ok = ok && w.bytes(h) && w.bytes(nonce);
    ok = ok && xaeadSeal(std::span(reply.bytes).subspan(w.size(), chPlain.size() + kMacBytes), chPlain, h, nonce,
                         g.serverToClient);
    assert(ok);
    if (!ok) return done({});
    reply.size = w.size() + chPlain.size() + kMacBytes;
    assert(reply.size == kChallengeBytes && reply.size <= datagram.size());
    ++stats_.challenges;
    ServerHandshakeResult res;
    res.event = ServerHandshakeEvent::Challenged;
    return done(res);
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
                                                  std::uint64_t nowUnix, double now, Datagram& reply) {
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
    std::array<std::uint8_t, kCookiePlainBytes> cookiePlain{};
    const auto addr = addressBytes(from);
    if (seq >= cookieSeq_ || !aeadOpen(cookiePlain, sealedCookie, addr, cookieNonce(seq), cookieKey_)) {
        ++stats_.badCookies;
        return {};
    }
    ByteReader cr(cookiePlain);
    std::uint64_t cookieTokenId = 0, issuedMs = 0, epoch = 0;
    KxPublic clientPublic{};
    (void)(cr.u64(cookieTokenId) && cr.u64(issuedMs) && cr.u64(epoch) && cr.bytes(clientPublic));
    ConnectionKeys ck;
    const double issued = static_cast<double>(issuedMs) / 1000.0;
    const auto wipeKeys = [&] {
        wipe(ck.clientToServer);
        wipe(ck.serverToClient);
    };
    if (issued > now + 1.0 || now - issued > config_.challengeLifetimeSeconds) {
        ++stats_.badCookies;
        wipeKeys();
        return {};
    }
    // A cookie makes one admission. A copy of its Response (a resend on a
    // lossy link, a network duplicate, a replay) changes nothing: while the
    // admission it made lives at this address, Accepted is sent again;
    // otherwise it is dropped, so a replay can never re-admit after release.
    if (usedCookies_.contains(seq)) {
        wipeKeys();
        const Admission* a = find(from);
        if (a && a->cookieSeq == seq) {
            ++stats_.resent;
            writeAccepted(*a, reply);
            ServerHandshakeResult res;
            res.event = ServerHandshakeEvent::Resent;
            res.admission = a;
            return res;
        }
        ++stats_.reusedCookies;
        return {};
    }
    ++stats_.tokenOpens;
    TokenCheck check = openToken(wire, keys_, nowUnix, config_.tokenPolicy);
    if (!check.ok) {
        wipeKeys();
        return refuse(check.refusal, datagram, now, reply);
    }
    TokenGrant& g = check.grant;
    {
        const KxKeyPair* kx = kxAt(epoch);
        KxShared shared;
        if (!kx || !kxServerShared(*kx, clientPublic, shared)) { // an epoch gone, or a low-order public key
            ++stats_.badCookies;
            wipe(g.clientToServer);
            wipe(g.serverToClient);
            return {};
        }
        ck = deriveConnectionKeys(g.clientToServer, g.serverToClient, shared, clientPublic, kx->publicKey);
    }
    wipe(g.clientToServer);
    wipe(g.serverToClient);
    const auto refuseGrant = [&](Refusal why) {
        wipeKeys();
        ServerHandshakeResult res = refuse(why, datagram, now, reply);
        res.tokenId = g.tokenId;
        res.userId = g.userId;
        return res;
    };
    if (g.tokenId != cookieTokenId) {
        ++stats_.badCookies;
        wipeKeys();
        return {};
    }
    if (!roomHosted(g.roomCode)) return refuseGrant(Refusal::WrongRoom);
    if (isRevoked(g)) return refuseGrant(Refusal::Revoked);

    // One admission per token and per address: a fresh proof replaces what
    // was there (a laptop that changed networks, a client that restarted).
    ServerHandshakeResult res;
    res.event = ServerHandshakeEvent::Admitted;
    std::size_t nReplaced = 0;
    const auto displace = [&](std::uint64_t id) {
        const Admission* old = findId(id);
        if (!old) return;
        res.replaced[nReplaced++] = Replaced{id, old->address};
        ++stats_.replaced;
        erase(id);
    };
    const auto byToken = byToken_.find(g.tokenId);
    const std::uint64_t sameToken = byToken == byToken_.end() ? 0 : byToken->second;
    const auto byAddr = byAddress_.find(from);
    const std::uint64_t sameAddress = byAddr == byAddress_.end() ? 0 : byAddr->second;
    if (admissions_.size() - (sameToken ? 1 : 0) - (sameAddress && sameAddress != sameToken ? 1 : 0) >= config_.maxAdmissions)
        return refuseGrant(Refusal::ServerFull);
    if (sameToken) displace(sameToken);
    if (sameAddress && sameAddress != sameToken) displace(sameAddress);

    usedCookies_.emplace(seq, issued);
    Admission a;
    a.id = nextId_++;
    a.address = from;
    a.tokenId = g.tokenId;
    a.userId = g.userId;
    a.roomCode = std::move(g.roomCode);
    a.displayName = std::move(g.displayName);
    a.role = g.role;
    a.tokenExpiresUnix = g.expiresUnix;
    a.admittedAt = now;
    a.cookieSeq = seq;
    a.keys.send = ck.serverToClient;
    a.keys.receive = ck.clientToServer;
    wipeKeys();
    const std::uint64_t id = a.id;
    auto [it, inserted] = admissions_.emplace(id, std::move(a));
    assert(inserted);
    byAddress_[from] = id;
    byToken_[it->second.tokenId] = id;
    ++stats_.admitted;
    writeAccepted(it->second, reply);
    res.admission = &it->second;
    res.tokenId = it->second.tokenId;
    res.userId = it->second.userId;
    return res;
}

// ---- [SECTION] client --------------------------------------------------------

ClientHandshake::ClientHandshake(const ConnectToken& token, RandomSource& random, double now, ClientHandshakeConfig config)
    : wire_(token.wire), tokenC2S_(token.grant.clientToServer), tokenS2C_(token.grant.serverToClient),
      tokenId_(token.grant.tokenId), config_(config), started_(now), nextSend_(now) {
    kxKeyPair(random, kx_);
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
    const bool ok = w.bytes(h) && writeTokenWire(wire_, w) && w.bytes(kx_.publicKey);
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
        std::array<std::uint8_t, kKxPublicBytes + kCookieBytes> plain{};
        if (!xaeadOpen(plain, datagram.subspan(2 + kXNonceBytes), h, nonce, tokenS2C_)) return false;
        if (state_ == ClientHandshakeState::SendingResponse) return false; // keep the first cookie
        KxPublic serverPublic{};
        std::copy_n(plain.begin(), kKxPublicBytes, serverPublic.begin());
        KxShared shared;
        if (!kxClientShared(kx_, serverPublic, shared)) return false;
        std::copy(plain.begin() + kKxPublicBytes, plain.end(), cookie_.begin());
        ConnectionKeys ck = deriveConnectionKeys(tokenC2S_, tokenS2C_, shared, kx_.publicKey, serverPublic);
        wipe(kx_.secretKey); // one challenge is answered; the ephemeral secret is no longer needed
        keys_.send = ck.clientToServer;
        keys_.receive = ck.serverToClient;
        wipe(ck.clientToServer);
        wipe(ck.serverToClient);
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
