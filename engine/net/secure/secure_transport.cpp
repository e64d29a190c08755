// [SECTION] construction  [SECTION] datagram codec  [SECTION] client
// [SECTION] server housekeeping  [SECTION] poll  [SECTION] send and the rest
#include "net/secure/secure_transport.h"

#include <arpa/inet.h>

namespace caseroom::net::secure {
namespace {
PeerAddress toPeer(RawAddress a) { return {a.host, a.port}; }

} // namespace

std::string formatRawAddress(RawAddress a) {
    char buf[INET_ADDRSTRLEN] = {};
    in_addr in{};
    in.s_addr = a.host;
    if (!inet_ntop(AF_INET, &in, buf, sizeof buf)) return "?";
    return std::string(buf) + ":" + std::to_string(a.port);
}

const char* toString(AccessKind k) {
    switch (k) {
    case AccessKind::Refused: return "refused";
    case AccessKind::Replaced: return "replaced";
    case AccessKind::DuplicateConnect: return "duplicate-connect";
    case AccessKind::Revoked: return "revoked";
    case AccessKind::Expired: return "expired";
    case AccessKind::StrikeKick: return "strike-kick";
    case AccessKind::Count: break;
    }
    return "?";
}

// ---- [SECTION] construction ------------------------------------------------------

SecureTransport::SecureTransport(std::unique_ptr<EnetTransport> inner, RandomSource& random)
    : inner_(std::move(inner)), random_(random) {
    inner_->setDatagramCodec(this);
}

SecureTransport::~SecureTransport() {
    // Close live connections while the codec can still seal their DISCONNECTs.
    for (auto& [id, p] : peers_) inner_->disconnectNow(p.inner, static_cast<std::uint32_t>(LeaveReason::ServerShutdown));
    if (clientLink_.enetPeer.valid()) inner_->disconnectNow(clientLink_.enetPeer, static_cast<std::uint32_t>(LeaveReason::Left));
    inner_->flush();
    inner_.reset(); // while this codec is still alive: the host's last datagrams are sealed too
}

core::Result<std::unique_ptr<SecureTransport>> SecureTransport::createServer(SecureServerDesc desc, RandomSource& random) {
    if (!initCrypto()) return core::Error{"libsodium failed to initialise"};
    if (!desc.unixClock) return core::Error{"secure server needs a unix clock"};
    if (desc.keys.empty()) return core::Error{"secure server needs a deployment key"};
    desc.enet.listen = true;
    desc.enet.maxPeersPerAddress = desc.maxPeersPerAddress;
    desc.enet.mtuReserve = kSealedOverhead;
    auto inner = EnetTransport::create(desc.enet);
    if (!inner) return inner.error();
    std::unique_ptr<SecureTransport> t(new SecureTransport(std::move(*inner), random));
    t->server_ = std::make_unique<ServerHandshake>(desc.keys, random, desc.handshake);
    t->cap_ = std::make_unique<AddressPeerCap>(desc.maxPeersPerAddress);
    desc.keys.clear(); // wiped: the handshake holds the only copy
    t->connections_.reserve(desc.handshake.maxAdmissions);
    t->desc_ = std::move(desc);
    return t;
}

core::Result<std::unique_ptr<SecureTransport>> SecureTransport::createClient(const ConnectToken& token, RandomSource& random) {
    if (!initCrypto()) return core::Error{"libsodium failed to initialise"};
    EnetDesc d;
    d.maxPeers = 1;
    d.mtuReserve = kSealedOverhead;
    auto inner = EnetTransport::create(d);
    if (!inner) return inner.error();
    std::unique_ptr<SecureTransport> t(new SecureTransport(std::move(*inner), random));
    t->token_ = token;
    return t;
}

// ---- [SECTION] datagram codec (runs inside the ENet service call) ------------------

std::size_t SecureTransport::openFrom(Connection& c, std::span<const std::uint8_t> wire, std::span<std::uint8_t> out, RawAddress from) {
    std::size_t n = 0;
    const OpenResult r = c.channel->open(wire, out, n);
    if (r == OpenResult::Ok) {
        ++counters_.opened;
        return n;
    }
    ++counters_.dropped;
    if (r == OpenResult::Replayed || r == OpenResult::TooOld) ++counters_.replayed;
    else ++counters_.forged;
    std::uint64_t suppressed = 0;
    if (log_.allow(now_, suppressed))
        CR_LOG_WARN("secure: dropped a datagram from %s: %s (%llu similar suppressed)", formatRawAddress(from).c_str(), toString(r),
                    static_cast<unsigned long long>(suppressed));
    return 0;
}

std::size_t SecureTransport::inbound(std::span<const std::uint8_t> wire, RawAddress from, std::span<std::uint8_t> out) {
    if (server_) {
        if (isHandshakeDatagram(wire)) return serverHandshake(wire, from);
        if (!isSealedDatagram(wire)) {
            ++counters_.malformed;
            ++counters_.dropped;
            return 0;
        }
        const auto it = connections_.find(toPeer(from));
        if (it == connections_.end()) {
            ++counters_.unadmitted;
            ++counters_.dropped;
            return 0;
        }
        return openFrom(it->second, wire, out, from);
    }
    // Client: only the server may speak to us (an unsolicited ENet CONNECT
    // from anyone else would take the host's one peer slot).
    if (!(from == serverAddress_)) {
        ++counters_.strays;
        ++counters_.dropped;
        return 0;
    }
    if (isHandshakeDatagram(wire)) {
        if (client_) (void)client_->receive(wire, now_);
        return 0;
    }
    if (!clientLink_.channel || !isSealedDatagram(wire)) {
        ++counters_.dropped;
        return 0;
    }
    return openFrom(clientLink_, wire, out, from);
}

std::size_t SecureTransport::outbound(std::span<const std::uint8_t> plain, RawAddress to, std::span<std::uint8_t> out) {
    Connection* c = nullptr;
    if (server_) {
        const auto it = connections_.find(toPeer(to));
        if (it != connections_.end()) c = &it->second;
    } else if (to == serverAddress_ && clientLink_.channel) {
        c = &clientLink_;
    }
    if (!c) return 0; // no keys for that address (a connection already closed): nothing goes out in clear
    const std::size_t n = c->channel->seal(plain, out);
    if (n) ++counters_.sealed;
    return n;
}

std::size_t SecureTransport::serverHandshake(std::span<const std::uint8_t> wire, RawAddress from) {
    Datagram reply;
    const ServerHandshakeResult r = server_->receive(wire, toPeer(from), desc_.unixClock(), now_, reply);
    if (reply.size) (void)inner_->sendRaw(from, reply.view());
    switch (r.event) {
    case ServerHandshakeEvent::Admitted: {
        // Displaced admissions: their peers are closed in poll(). A displaced
        // connection at another address keeps its keys until then, so its
        // DISCONNECT can still be sealed; the one at this address is
        // replaced now, so the new client's datagrams open at once.
        for (const Replaced& old : r.replaced) {
            if (!old.id) continue;
            pendingClose_.push_back({old.id, RawAddress{old.address.host, old.address.port}});
            ++counters_.replaced;
        }
        Connection& c = connections_[toPeer(from)];
        c.admission = r.admission->id;
        c.channel = std::make_unique<SecureChannel>(r.admission->keys);
        c.enetPeer = core::PeerId::invalid();
        break;
    }
    case ServerHandshakeEvent::Refused: {
        AccessEvent e;
        e.kind = AccessKind::Refused;
        e.address = from;
        e.tokenId = r.tokenId;
        e.userId = r.userId;
        e.refusal = r.refusal;
        pendingReports_.push_back(e);
        break;
    }
    default: break;
    }
    return 0;
}

// ---- [SECTION] client --------------------------------------------------------------

core::PeerId SecureTransport::connect(const Address& to) {
    if (!token_) return core::PeerId::invalid(); // servers do not dial out
    auto addr = inner_->resolve(to);
    if (!addr) return core::PeerId::invalid();
    serverAddress_ = *addr;
    // A reconnect abandons the old link at once: nothing more is sent on it
    // (its keys are gone), and the server learns of it from the new proof.
    if (clientLink_.enetPeer.valid()) inner_->resetPeer(clientLink_.enetPeer);
    client_.reset(); // the handshake starts at the next poll, on the caller's clock
    handshaking_ = true;
    clientPeer_ = core::PeerId{1};
    clientLink_ = Connection{};
    clientOpen_ = false;
    return clientPeer_;
}

bool SecureTransport::pollClientHandshake(double now, TransportEvent& event) {
    if (!client_) client_ = std::make_unique<ClientHandshake>(*token_, random_, now);
    Datagram out;
    if (client_->poll(now, out)) (void)inner_->sendRaw(serverAddress_, out.view());
    switch (client_->state()) {
    case ClientHandshakeState::Admitted: {
        handshaking_ = false;
        clientLink_.channel = std::make_unique<SecureChannel>(client_->keys());
        clientLink_.enetPeer = inner_->connect(serverAddress_);
        client_.reset(); // wipes the handshake's copies of the keys
        return false;
    }
    case ClientHandshakeState::Refused:
    case ClientHandshakeState::TimedOut:
        handshaking_ = false;
        event = TransportEvent{};
        event.type = TransportEventType::Disconnected;
        event.peer = clientPeer_;
        event.detail = client_->state() == ClientHandshakeState::Refused ? describe(client_->refusal())
                                                                        : "no answer from the server to the join handshake";
        // A timeout is worth another try (a reconnect); a refusal is not.
        if (client_->state() == ClientHandshakeState::TimedOut) event.disconnectReason = static_cast<std::uint32_t>(LeaveReason::TimedOut);
        return true;
    default: return false;
    }
}

// ---- [SECTION] server housekeeping ---------------------------------------------------

AccessEvent SecureTransport::accessAbout(AccessKind kind, const Peer& p) {
    AccessEvent e;
    e.kind = kind;
    e.address = p.address;
    e.identity = &p.identity;
    e.tokenId = p.identity.tokenId;
    e.userId = p.identity.userId;
    return e;
}

void SecureTransport::report(const AccessEvent& e, double now) {
    if (!desc_.onAccess) return;
    if (e.kind != AccessKind::Refused) {
        desc_.onAccess(e);
        return;
    }
    std::uint64_t suppressed = 0;
    if (!refusalReports_.allow(now, suppressed)) return;
    AccessEvent copy = e;
    copy.suppressed = suppressed;
    desc_.onAccess(copy);
}

void SecureTransport::closePeer(std::uint32_t peerId, LeaveReason reason, const char* detail) {
    const auto it = peers_.find(peerId);
    if (it == peers_.end()) return;
    Peer& p = it->second;
    inner_->disconnectNow(p.inner, static_cast<std::uint32_t>(reason));
    inner_->flush(); // the DISCONNECT leaves under the connection's keys before they go
    if (const auto c = connections_.find(toPeer(p.address)); c != connections_.end() && c->second.admission == p.admission)
        connections_.erase(c);
    server_->release(p.admission);
    cap_->remove(p.address.host);
    TransportEvent ev;
    ev.type = TransportEventType::Disconnected;
    ev.peer = p.inner;
    ev.disconnectReason = static_cast<std::uint32_t>(reason);
    ev.detail = detail;
    events_.push_back(std::move(ev));
    peers_.erase(it);
}

void SecureTransport::serverHousekeeping(double now) {
    // Connections displaced by a newer proof of the same token or address.
    for (const PendingClose& pc : pendingClose_) {
        std::uint32_t peerId = 0;
        for (const auto& [id, p] : peers_)
            if (p.admission == pc.admission) peerId = id;
        if (peerId) {
            report(accessAbout(AccessKind::Replaced, peers_.at(peerId)), now);
            const auto c = connections_.find(toPeer(pc.address));
            if (c != connections_.end() && c->second.admission == pc.admission) {
                closePeer(peerId, LeaveReason::Replaced, "joined again from another computer");
            } else {
                // Same address, new keys: nothing can be sealed for the old
                // peer any more, so it is forgotten without a word.
                Peer& p = peers_.at(peerId);
                inner_->resetPeer(p.inner);
                cap_->remove(p.address.host);
                TransportEvent ev;
                ev.type = TransportEventType::Disconnected;
                ev.peer = p.inner;
                ev.disconnectReason = static_cast<std::uint32_t>(LeaveReason::Replaced);
                ev.detail = "joined again";
                events_.push_back(std::move(ev));
                peers_.erase(peerId);
            }
        } else if (const auto c = connections_.find(toPeer(pc.address)); c != connections_.end() && c->second.admission == pc.admission) {
            connections_.erase(c); // never connected: nothing to tell
        }
    }
    pendingClose_.clear();
    for (const AccessEvent& e : pendingReports_) report(e, now);
    pendingReports_.clear();

    if (now < nextHousekeeping_) return;
    nextHousekeeping_ = now + 0.25;
    expiredAdmissions_.clear();
    server_->update(now, &expiredAdmissions_);
    for (const std::uint64_t id : expiredAdmissions_)
        for (auto it = connections_.begin(); it != connections_.end(); ++it)
            if (it->second.admission == id) {
                connections_.erase(it);
                break;
            }
    // A session ends when its token does, unless its room is still open
    // (a facilitator extended the session past the invitations' end).
    const std::uint64_t unixNow = desc_.unixClock();
    std::vector<std::uint32_t> expired;
    for (const auto& [id, p] : peers_)
        if (p.tokenExpiresUnix && unixNow >= p.tokenExpiresUnix &&
            !(desc_.roomOpenUntil && unixNow < desc_.roomOpenUntil(p.identity.roomCode)))
            expired.push_back(id);
    for (const std::uint32_t id : expired) {
        report(accessAbout(AccessKind::Expired, peers_.at(id)), now);
        ++counters_.expired;
        closePeer(id, LeaveReason::Expired, "the invitation expired");
    }
}

std::size_t SecureTransport::disconnectRevoked(const std::function<bool(std::uint64_t, std::uint64_t)>& revoked) {
    if (!server_) return 0;
    std::vector<std::uint32_t> hit;
    for (const auto& [id, p] : peers_)
        if (revoked(p.identity.tokenId, p.identity.userId)) hit.push_back(id);
    for (const std::uint32_t id : hit) {
        report(accessAbout(AccessKind::Revoked, peers_.at(id)), now_);
        ++counters_.revoked;
        closePeer(id, LeaveReason::Revoked, "the invitation was withdrawn");
    }
    // Admitted but not yet connected: forget them too.
    std::vector<std::uint64_t> pending;
    server_->forEachAdmission([&](const Admission& a) {
        if (!a.connected && revoked(a.tokenId, a.userId)) pending.push_back(a.id);
    });
    for (const std::uint64_t id : pending) {
        if (const Admission* a = server_->findId(id)) connections_.erase(a->address);
        server_->release(id);
    }
    return hit.size() + pending.size();
}

core::PeerId SecureTransport::peerAt(RawAddress address) const {
    const auto it = connections_.find(toPeer(address));
    return it == connections_.end() ? core::PeerId::invalid() : it->second.enetPeer;
}

// ---- [SECTION] poll --------------------------------------------------------------------

void SecureTransport::drop(Peer& p, double now, bool strike) {
    ++counters_.dropped;
    if (!strike || !server_) return;
    if (p.strikes.strike(now) == StrikeVerdict::Disconnect) {
        ++counters_.strikeDisconnects;
        report(accessAbout(AccessKind::StrikeKick, p), now);
        inner_->disconnect(p.inner, static_cast<std::uint32_t>(LeaveReason::Kicked));
    }
}

bool SecureTransport::poll(double now, TransportEvent& event) {
    now_ = now;
    if (token_ && handshaking_ && pollClientHandshake(now, event)) return true;
    if (server_) serverHousekeeping(now);
    for (;;) {
        if (!events_.empty()) {
            event = std::move(events_.front());
            events_.erase(events_.begin());
            return true;
        }
        if (!inner_->poll(now, event)) return false;
        if (server_) serverHousekeeping(now); // the service call may have displaced connections
        switch (event.type) {
        case TransportEventType::Connected: {
            if (!server_) {
                if (event.peer != clientLink_.enetPeer) continue;
                clientOpen_ = true;
                event.peer = clientPeer_;
                return true;
            }
            const RawAddress addr = inner_->peerAddress(event.peer);
            const auto c = connections_.find(toPeer(addr));
            const Admission* a = c == connections_.end() ? nullptr : server_->findId(c->second.admission);
            if (!a) { // cannot happen through the codec; refuse all the same
                ++counters_.unadmitted;
                inner_->disconnectNow(event.peer, static_cast<std::uint32_t>(LeaveReason::Kicked));
                continue;
            }
            if (c->second.enetPeer.valid() && c->second.enetPeer != event.peer) {
                // One admission, one connection: a second ENet connect under it is refused.
                ++counters_.duplicateConnects;
                AccessEvent e;
                e.kind = AccessKind::DuplicateConnect;
                e.address = addr;
                e.tokenId = a->tokenId;
                e.userId = a->userId;
                report(e, now);
                inner_->disconnectNow(event.peer, static_cast<std::uint32_t>(LeaveReason::Kicked));
                continue;
            }
            if (!cap_->tryAdd(addr.host)) {
                inner_->disconnectNow(event.peer, static_cast<std::uint32_t>(LeaveReason::Kicked));
                continue;
            }
            c->second.enetPeer = event.peer;
            (void)server_->markConnected(a->id);
            Peer& p = peers_[event.peer.value];
            p = Peer{};
            p.inner = event.peer;
            p.address = addr;
            p.admission = a->id;
            p.tokenExpiresUnix = a->tokenExpiresUnix;
            p.limiter.emplace(desc_.limits, now);
            p.strikes = StrikeCounter(desc_.strikes);
            p.identity = PeerIdentity{a->userId, a->tokenId, a->displayName, a->roomCode, a->role, formatRawAddress(addr)};
            return true;
        }
        case TransportEventType::Disconnected: {
            if (server_) {
                const auto it = peers_.find(event.peer.value);
                if (it == peers_.end()) continue; // never reported: nothing to tell
                const Peer& p = it->second;
                if (const auto c = connections_.find(toPeer(p.address)); c != connections_.end() && c->second.admission == p.admission)
                    connections_.erase(c);
                server_->release(p.admission); // by admission id: a newer one at this address stays
                cap_->remove(p.address.host);
                peers_.erase(it);
                return true;
            }
            if (event.peer != clientLink_.enetPeer) continue;
            clientLink_ = Connection{};
            const bool wasOpen = clientOpen_;
            clientOpen_ = false;
            event.peer = clientPeer_;
            if (!wasOpen && event.detail.empty()) event.detail = "the server did not answer after admitting this computer";
            return true;
        }
        case TransportEventType::Received: {
            if (!server_) {
                if (event.peer != clientLink_.enetPeer) continue;
                event.peer = clientPeer_;
                return true;
            }
            const auto it = peers_.find(event.peer.value);
            if (it == peers_.end()) { ++counters_.dropped; continue; }
            Peer& p = it->second;
            // Everything here authenticated: a peer over its budget is the
            // peer itself, so it costs the message, and junk a strike.
            const RateVerdict v = p.limiter->admit(static_cast<std::uint8_t>(event.channel), event.data.size(), now);
            if (v != RateVerdict::Allow) {
                ++counters_.rateLimited;
                drop(p, now, v != RateVerdict::RateLimited);
                continue;
            }
            return true;
        }
        case TransportEventType::Count: break;
        }
    }
}

// ---- [SECTION] send and the rest ----------------------------------------------------------

bool SecureTransport::send(core::PeerId peer, Channel channel, std::span<const std::uint8_t> data, bool reliable) {
    if (server_) return peers_.contains(peer.value) && inner_->send(peer, channel, data, reliable);
    if (peer != clientPeer_ || !clientOpen_) return false;
    return inner_->send(clientLink_.enetPeer, channel, data, reliable);
}

void SecureTransport::disconnect(core::PeerId peer, std::uint32_t reason) {
    if (server_) { inner_->disconnect(peer, reason); return; }
    if (peer != clientPeer_) return;
    if (handshaking_) {
        handshaking_ = false;
        return;
    }
    if (clientLink_.enetPeer.valid()) inner_->disconnect(clientLink_.enetPeer, reason);
}

PeerStats SecureTransport::stats(core::PeerId peer) const {
    if (server_) return inner_->stats(peer);
    return clientLink_.enetPeer.valid() ? inner_->stats(clientLink_.enetPeer) : PeerStats{};
}

const PeerIdentity* SecureTransport::identity(core::PeerId peer) const {
    if (!server_) return nullptr;
    const auto it = peers_.find(peer.value);
    return it == peers_.end() ? nullptr : &it->second.identity;
}

} // namespace caseroom::net::secure
