#include "net/secure/secure_transport.h"

namespace caseroom::net::secure {

SecureTransport::SecureTransport(std::unique_ptr<EnetTransport> inner, RandomSource& random)
    : inner_(std::move(inner)), random_(random) {
    inner_->setDatagramFilter(this);
}

SecureTransport::~SecureTransport() {
    if (inner_) inner_->setDatagramFilter(nullptr);
}

core::Result<std::unique_ptr<SecureTransport>> SecureTransport::createServer(SecureServerDesc desc, RandomSource& random) {
    if (!initCrypto()) return core::Error{"libsodium failed to initialise"};
    if (!desc.unixClock) return core::Error{"secure server needs a unix clock"};
    desc.enet.listen = true;
    desc.enet.maxPeersPerAddress = desc.maxPeersPerAddress;
    auto inner = EnetTransport::create(desc.enet);
    if (!inner) return inner.error();
    std::unique_ptr<SecureTransport> t(new SecureTransport(std::move(*inner), random));
    t->server_ = std::make_unique<ServerHandshake>(desc.secret, random, desc.handshake);
    t->cap_ = std::make_unique<AddressPeerCap>(desc.maxPeersPerAddress);
    t->desc_ = std::move(desc);
    return t;
}

core::Result<std::unique_ptr<SecureTransport>> SecureTransport::createClient(const ConnectToken& token, RandomSource& random) {
    if (!initCrypto()) return core::Error{"libsodium failed to initialise"};
    EnetDesc d;
    d.maxPeers = 1;
    auto inner = EnetTransport::create(d);
    if (!inner) return inner.error();
    std::unique_ptr<SecureTransport> t(new SecureTransport(std::move(*inner), random));
    t->token_ = token;
    return t;
}

// ---- datagram filter (runs inside the ENet service call) -----------------------

DatagramFilter::Verdict SecureTransport::onDatagram(std::span<const std::uint8_t> datagram, RawAddress from, bool knownPeer) {
    if (server_) {
        const PeerAddress addr{from.host, from.port};
        switch (interceptAction(datagram, addr, knownPeer, *server_)) {
        case InterceptAction::Handshake: {
            const bool wasConnected = [&] { const Admission* a = server_->find(addr); return a && a->connected; }();
            Datagram reply;
            const auto r = server_->receive(datagram, addr, desc_.unixClock(), reply);
            if (reply.size) (void)inner_->sendRaw(from, reply.view());
            // A connected client that handshakes again restarted: its old ENet
            // peer is stale. Disconnecting is not allowed inside the service
            // call, so it is queued for poll().
            if (r.event == ServerHandshakeEvent::Admitted && wasConnected) restarted_.push_back(from);
            return Verdict::Consume;
        }
        case InterceptAction::PassToEnet: return Verdict::Pass;
        case InterceptAction::Drop:
        case InterceptAction::Count: break;
        }
        ++counters_.unadmitted;
        ++counters_.dropped;
        return Verdict::Consume;
    }
    if (client_ && isHandshakeDatagram(datagram)) {
        if (from == serverAddress_) (void)client_->receive(datagram, now_);
        return Verdict::Consume;
    }
    return Verdict::Pass;
}

// ---- client --------------------------------------------------------------------

core::PeerId SecureTransport::connect(const Address& to) {
    if (!token_) return core::PeerId::invalid(); // servers do not dial out
    auto addr = inner_->resolve(to);
    if (!addr) return core::PeerId::invalid();
    serverAddress_ = *addr;
    client_.reset(); // the handshake starts at the next poll, on the caller's clock
    handshaking_ = true;
    clientPeer_ = core::PeerId{1};
    clientLink_ = Peer{};
    return clientPeer_;
}

bool SecureTransport::pollClientHandshake(double now, TransportEvent& event) {
    if (!client_) client_ = std::make_unique<ClientHandshake>(*token_, random_, now);
    Datagram out;
    if (client_->poll(now, out)) (void)inner_->sendRaw(serverAddress_, out.view());
    switch (client_->state()) {
    case ClientHandshakeState::Admitted: {
        handshaking_ = false;
        clientLink_.inner = inner_->connect(serverAddress_);
        clientLink_.channel = std::make_unique<SecureChannel>(client_->keys());
        clientLink_.address = serverAddress_;
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
        return true;
    default: return false;
    }
}

// ---- both ----------------------------------------------------------------------

SecureTransport::Peer* SecureTransport::byInner(core::PeerId inner) {
    if (server_) {
        const auto it = peers_.find(inner.value);
        return it == peers_.end() ? nullptr : &it->second;
    }
    return clientLink_.channel && clientLink_.inner == inner ? &clientLink_ : nullptr;
}

void SecureTransport::drop(Peer& p, double now, bool strike) {
    ++counters_.dropped;
    if (!strike || !server_) return;
    if (p.strikes.strike(now) == StrikeVerdict::Disconnect) {
        ++counters_.strikeDisconnects;
        inner_->disconnect(p.inner, static_cast<std::uint32_t>(LeaveReason::Kicked));
    }
}

bool SecureTransport::poll(double now, TransportEvent& event) {
    now_ = now;
    if (token_ && handshaking_ && pollClientHandshake(now, event)) return true;
    if (server_) {
        server_->update(desc_.unixClock());
        for (const RawAddress& a : restarted_)
            for (auto& [id, p] : peers_)
                if (p.address == a) inner_->disconnect(p.inner, static_cast<std::uint32_t>(LeaveReason::Left));
        restarted_.clear();
    }
    while (inner_->poll(now, event)) {
        switch (event.type) {
        case TransportEventType::Connected: {
            if (!server_) {
                if (event.peer != clientLink_.inner) continue;
                clientLink_.open = true;
                event.peer = clientPeer_;
                return true;
            }
            const RawAddress addr = inner_->peerAddress(event.peer);
            const PeerAddress pa{addr.host, addr.port};
            const Admission* a = server_->find(pa);
            if (!a || !cap_->tryAdd(addr.host)) { // cannot happen through the filter; refuse all the same
                ++counters_.unadmitted;
                inner_->disconnect(event.peer, static_cast<std::uint32_t>(LeaveReason::Kicked));
                continue;
            }
            (void)server_->markConnected(pa);
            Peer& p = peers_[event.peer.value];
            p = Peer{};
            p.inner = event.peer;
            p.address = addr;
            p.channel = std::make_unique<SecureChannel>(a->keys);
            p.limiter.emplace(desc_.limits, now);
            p.strikes = StrikeCounter(desc_.strikes);
            p.identity = PeerIdentity{a->userId, a->tokenId, a->displayName, a->roomCode, a->role};
            p.open = true;
            return true;
        }
        case TransportEventType::Disconnected: {
            if (server_) {
                const auto it = peers_.find(event.peer.value);
                if (it == peers_.end()) continue; // never admitted: nothing to report
                server_->release(PeerAddress{it->second.address.host, it->second.address.port});
                cap_->remove(it->second.address.host);
                peers_.erase(it);
                return true;
            }
            if (event.peer != clientLink_.inner) continue;
            clientLink_ = Peer{};
            event.peer = clientPeer_;
            return true;
        }
        case TransportEventType::Received: {
            Peer* p = byInner(event.peer);
            if (!p || !p->channel) { ++counters_.dropped; continue; }
            const auto ch = static_cast<std::uint8_t>(event.channel);
            if (p->limiter) {
                const RateVerdict v = p->limiter->admit(ch, event.data.size(), now);
                if (v != RateVerdict::Allow) {
                    ++counters_.rateLimited;
                    drop(*p, now, v != RateVerdict::RateLimited); // over-rate costs the message; junk costs a strike
                    continue;
                }
            }
            const OpenResult r = p->channel->open(ch, event.data, scratch_);
            if (r != OpenResult::Ok) {
                if (r == OpenResult::Replayed || r == OpenResult::TooOld) ++counters_.replayed;
                else ++counters_.forged;
                std::uint64_t suppressed = 0;
                if (log_.allow(now, suppressed))
                    CR_LOG_WARN("secure: dropped packet from peer %u: %s (%llu similar suppressed)", event.peer.value, toString(r),
                                static_cast<unsigned long long>(suppressed));
                drop(*p, now, true);
                continue;
            }
            ++counters_.opened;
            event.data.swap(scratch_);
            if (!server_) event.peer = clientPeer_;
            return true;
        }
        case TransportEventType::Count: break;
        }
    }
    return false;
}

bool SecureTransport::send(core::PeerId peer, Channel channel, std::span<const std::uint8_t> data, bool reliable) {
    Peer* p = server_ ? byInner(peer) : (peer == clientPeer_ && clientLink_.open ? &clientLink_ : nullptr);
    if (!p || !p->channel) return false;
    if (!p->channel->seal(static_cast<std::uint8_t>(channel), data, scratch_)) return false;
    ++counters_.sealed;
    return inner_->send(p->inner, channel, scratch_, reliable);
}

void SecureTransport::disconnect(core::PeerId peer, std::uint32_t reason) {
    if (server_) { inner_->disconnect(peer, reason); return; }
    if (peer != clientPeer_) return;
    if (handshaking_) {
        handshaking_ = false;
        return;
    }
    if (clientLink_.inner.valid()) inner_->disconnect(clientLink_.inner, reason);
}

PeerStats SecureTransport::stats(core::PeerId peer) const {
    if (server_) return inner_->stats(peer);
    return clientLink_.inner.valid() ? inner_->stats(clientLink_.inner) : PeerStats{};
}

const PeerIdentity* SecureTransport::identity(core::PeerId peer) const {
    if (!server_) return nullptr;
    const auto it = peers_.find(peer.value);
    return it == peers_.end() ? nullptr : &it->second.identity;
}

} // namespace caseroom::net::secure
