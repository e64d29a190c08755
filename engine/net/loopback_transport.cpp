#include "net/loopback_transport.h"

#include <algorithm>

namespace caseroom::net {

LoopbackNetwork::~LoopbackNetwork() = default;

std::unique_ptr<Transport> LoopbackNetwork::createHost(std::uint16_t port) {
    auto host = std::make_unique<LoopbackHost>(*this, port);
    if (port != 0) listeners_[port] = host.get();
    return host;
}

void LoopbackNetwork::detach(LoopbackHost* host) {
    for (auto it = listeners_.begin(); it != listeners_.end();) {
        if (it->second == host) it = listeners_.erase(it);
        else ++it;
    }
    for (auto& link : links_) {
        if (!link->open || (link->a != host && link->b != host)) continue;
        link->open = false;
        LoopbackHost* other = link->a == host ? link->b : link->a;
        const core::PeerId otherPeer = link->a == host ? link->peerOnB : link->peerOnA;
        TransportEvent ev;
        ev.type = TransportEventType::Disconnected;
        ev.peer = otherPeer;
        ev.disconnectReason = static_cast<std::uint32_t>(LeaveReason::TimedOut);
        other->inbox_.push({now_ + conditions_.delay, other->order_++, std::move(ev)});
        other->peers_.erase(otherPeer.value);
        if (link->a == host) link->a = nullptr;
        else link->b = nullptr;
    }
}

void LoopbackNetwork::deliver(Link& link, LoopbackHost* from, TransportEvent ev, bool reliable) {
    LoopbackHost* to = link.a == from ? link.b : link.a;
    if (!to || !link.open) return;
    ev.peer = link.a == from ? link.peerOnB : link.peerOnA;
    const int dir = link.a == from ? 0 : 1;
    const auto ch = static_cast<int>(ev.channel);
    double at = now_ + conditions_.delay + conditions_.jitter * rng_.uniform();
    if (reliable) {
        // In order per channel and direction: never earlier than the previous one.
        at = std::max(at, link.lastReliableAt[dir][ch]);
        link.lastReliableAt[dir][ch] = at;
        to->inbox_.push({at, to->order_++, std::move(ev)});
        return;
    }
    if (rng_.chance(conditions_.loss)) { ++dropped_; return; }
    if (rng_.chance(conditions_.reorder)) at += 2 * conditions_.jitter + 0.010;
    if (rng_.chance(conditions_.duplicate)) {
        to->inbox_.push({at + conditions_.jitter * rng_.uniform(), to->order_++, ev});
    }
    to->inbox_.push({at, to->order_++, std::move(ev)});
}

LoopbackHost::~LoopbackHost() { net_->detach(this); }

LoopbackNetwork::Link* LoopbackHost::linkFor(core::PeerId peer) const {
    const auto it = peers_.find(peer.value);
    return it == peers_.end() ? nullptr : it->second;
}

core::PeerId LoopbackHost::connect(const Address& to) {
    const core::PeerId mine{net_->nextPeer_++};
    const auto it = net_->listeners_.find(to.port);
    if (it == net_->listeners_.end()) {
        TransportEvent ev;
        ev.type = TransportEventType::Disconnected;
        ev.peer = mine;
        inbox_.push({net_->now_ + 0.5, order_++, std::move(ev)}); // as a connect attempt that times out
        return mine;
    }
    auto link = std::make_unique<LoopbackNetwork::Link>();
    link->a = this;
    link->b = it->second;
    link->peerOnA = mine;
    link->peerOnB = core::PeerId{net_->nextPeer_++};
    peers_[mine.value] = link.get();
    link->b->peers_[link->peerOnB.value] = link.get();
    const double d = net_->conditions_.delay;
    TransportEvent evB;
    evB.type = TransportEventType::Connected;
    evB.peer = link->peerOnB;
    link->b->inbox_.push({net_->now_ + d, link->b->order_++, std::move(evB)});
    TransportEvent evA;
    evA.type = TransportEventType::Connected;
    evA.peer = mine;
    inbox_.push({net_->now_ + 2 * d, order_++, std::move(evA)});
    net_->links_.push_back(std::move(link));
    return mine;
}

bool LoopbackHost::send(core::PeerId peer, Channel channel, std::span<const std::uint8_t> data, bool reliable) {
    LoopbackNetwork::Link* link = linkFor(peer);
    if (!link || !link->open) return false;
    auto& s = stats_[peer.value];
    s.bytesSent += data.size();
    ++s.packetsSent;
    TransportEvent ev;
    ev.type = TransportEventType::Received;
    ev.channel = channel;
    ev.data.assign(data.begin(), data.end());
    net_->deliver(*link, this, std::move(ev), reliable);
    return true;
}

bool LoopbackHost::poll(double now, TransportEvent& event) {
    net_->advance(now);
    if (inbox_.empty() || inbox_.top().at > now) return false;
    // priority_queue::top is const; moving out is safe because we pop at once.
    event = std::move(const_cast<Pending&>(inbox_.top()).event);
    inbox_.pop();
    if (event.type == TransportEventType::Received) {
        auto& s = stats_[event.peer.value];
        s.bytesReceived += event.data.size();
        ++s.packetsReceived;
    }
    if (event.type == TransportEventType::Disconnected) peers_.erase(event.peer.value);
    return true;
}

void LoopbackHost::disconnect(core::PeerId peer, std::uint32_t reason) {
    LoopbackNetwork::Link* link = linkFor(peer);
    if (!link || !link->open) return;
    link->open = false;
    LoopbackHost* other = link->a == this ? link->b : link->a;
    if (other) {
        const core::PeerId otherPeer = link->a == this ? link->peerOnB : link->peerOnA;
        TransportEvent ev;
        ev.type = TransportEventType::Disconnected;
        ev.peer = otherPeer;
        ev.disconnectReason = reason;
        other->inbox_.push({net_->now_ + net_->conditions_.delay, other->order_++, std::move(ev)});
        other->peers_.erase(otherPeer.value);
    }
    peers_.erase(peer.value);
    TransportEvent mine;
    mine.type = TransportEventType::Disconnected;
    mine.peer = peer;
    mine.disconnectReason = reason;
    inbox_.push({net_->now_, order_++, std::move(mine)});
}

PeerStats LoopbackHost::stats(core::PeerId peer) const {
    PeerStats s;
    if (const auto it = stats_.find(peer.value); it != stats_.end()) s = it->second;
    s.rttMs = 2000.0 * (net_->conditions_.delay + net_->conditions_.jitter / 2);
    s.lossFraction = net_->conditions_.loss;
    return s;
}

} // namespace caseroom::net
