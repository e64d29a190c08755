#include "net/loopback_transport.h"

#include <algorithm>
#include <cassert>

namespace caseroom::net {

LinkParams linkParams(const LinkConditions& c) {
    LinkParams p;
    p.loss = c.loss;
    p.delay = c.delay;
    p.jitter = c.jitter;
    p.reorder = c.reorder;
    p.duplicate = c.duplicate;
    return p;
}

void LoopbackNetwork::setLinks(const LinkParams& up, const LinkParams& down) {
    assert(validate(up).empty() && validate(down).empty());
    up_ = up;
    down_ = down;
    for (auto& link : links_) {
        link->model[0].setParams(up_);
        link->model[1].setParams(down_);
    }
}

LinkCounters LoopbackNetwork::counters() const {
    LinkCounters sum;
    for (const auto& link : links_) {
        sum += link->model[0].counters();
        sum += link->model[1].counters();
    }
    return sum;
}

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
        other->inbox_.push({now_ + (link->a == host ? up_ : down_).delay, other->order_++, std::move(ev)});
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
    LinkModel& model = link.model[dir];
    if (reliable) {
        double at = model.sendReliable(now_, ev.data.size(), rng_).arriveAt[0];
        // In order per channel and direction: never earlier than the previous one.
        at = std::max(at, link.lastReliableAt[dir][ch]);
        link.lastReliableAt[dir][ch] = at;
        to->inbox_.push({at, to->order_++, std::move(ev)});
        return;
    }
    const LinkDecision d = model.send(now_, ev.data.size(), rng_);
    for (int i = 0; i < d.copies; ++i) {
        if (i + 1 < d.copies) to->inbox_.push({d.arriveAt[i], to->order_++, ev});
        else to->inbox_.push({d.arriveAt[i], to->order_++, std::move(ev)});
    }
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
    link->model[0].setParams(net_->up_);
    link->model[1].setParams(net_->down_);
    const double upDelay = net_->up_.delay;
    TransportEvent evB;
    evB.type = TransportEventType::Connected;
    evB.peer = link->peerOnB;
    link->b->inbox_.push({net_->now_ + upDelay, link->b->order_++, std::move(evB)});
    TransportEvent evA;
    evA.type = TransportEventType::Connected;
    evA.peer = mine;
    inbox_.push({net_->now_ + upDelay + net_->down_.delay, order_++, std::move(evA)});
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
        other->inbox_.push({net_->now_ + (link->a == this ? net_->up_ : net_->down_).delay, other->order_++, std::move(ev)});
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
    // The configured path, not a measurement: base delays plus mean jitter both ways.
    const LinkParams& up = net_->up_;
    const LinkParams& down = net_->down_;
    s.rttMs = 1000.0 * (up.delay + down.delay + (up.jitter + down.jitter) / 2);
    const LoopbackNetwork::Link* link = linkFor(peer);
    const LinkParams& out = link && link->b == this ? down : up; // this host's sending direction
    s.lossFraction = out.loss + (1.0 - out.loss) * (out.burst.enterBad > 0.0 ? out.burst.enterBad / (out.burst.enterBad + out.burst.exitBad) * out.burst.lossBad : 0.0);
    return s;
}

} // namespace caseroom::net
