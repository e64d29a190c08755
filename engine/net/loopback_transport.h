// In-memory twin of the ENet transport: hosts on one LoopbackNetwork exchange
// messages through the link model (net/link_model.h, the same one
// caseroom-netsim applies to real UDP): loss, burst loss, delay, jitter,
// reordering, duplication and a rate limit, one model per link and direction,
// driven by the caller's clock and a seeded Rng, so a test run is exactly
// repeatable. Reliable messages are never lost and stay in order per channel
// and direction (as ENet's are); loss, duplication, reordering and the queue
// limit apply to unreliable messages. Unauthenticated: tests and benchmarks only.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <queue>
#include <vector>

#include "core/rng.h"
#include "net/link_model.h"
#include "net/transport.h"

namespace caseroom::net {

// The short form most tests use: the same conditions both ways, no burst
// loss and no rate limit. linkParams() gives the full form.
struct LinkConditions {
    double loss = 0.0;        // probability an unreliable message is dropped
    double delay = 0.0;       // one-way base delay, seconds
    double jitter = 0.0;      // extra uniform delay in [0, jitter], seconds
    double reorder = 0.0;     // probability an unreliable message is held back by 2*jitter+10 ms
    double duplicate = 0.0;   // probability an unreliable message is delivered twice
};
[[nodiscard]] LinkParams linkParams(const LinkConditions& c);

class LoopbackHost;

// The network must outlive every host it created.
class LoopbackNetwork {
public:
    explicit LoopbackNetwork(std::uint64_t seed = 1) : rng_(seed) {}
    ~LoopbackNetwork();
    LoopbackNetwork(const LoopbackNetwork&) = delete;
    LoopbackNetwork& operator=(const LoopbackNetwork&) = delete;

    // A host listening on `port` (server) or, with port 0, a client host.
    std::unique_ptr<Transport> createHost(std::uint16_t port = 0);
    // Conditions for every link, existing and new; `up` is connecting side ->
    // listener, `down` the way back. Parameters must pass validate().
    void setConditions(const LinkConditions& c) { setLinks(linkParams(c), linkParams(c)); }
    void setLinks(const LinkParams& up, const LinkParams& down);
    [[nodiscard]] const LinkParams& up() const { return up_; }
    [[nodiscard]] const LinkParams& down() const { return down_; }
    // Moves simulated time forward; hosts also advance it from poll().
    void advance(double now) { if (now > now_) now_ = now; }
    [[nodiscard]] double now() const { return now_; }
    // Messages dropped on every link so far (loss, burst loss, full queue).
    [[nodiscard]] std::uint64_t dropped() const { return counters().dropped(); }
    // Sum over every link and both directions.
    [[nodiscard]] LinkCounters counters() const;

private:
    friend class LoopbackHost;
    struct Link {
        LoopbackHost* a = nullptr;  // connecting side
        LoopbackHost* b = nullptr;  // listening side
        core::PeerId peerOnA, peerOnB;
        LinkModel model[2];  // [0]: a -> b, [1]: b -> a
        double lastReliableAt[2][static_cast<int>(Channel::Count)] = {};
        bool open = true;
    };
    void deliver(Link& link, LoopbackHost* from, TransportEvent ev, bool reliable);
    void detach(LoopbackHost* host);

    core::Rng rng_;
    LinkParams up_, down_;
    double now_ = 0.0;
    std::uint32_t nextPeer_ = 1;
    std::map<std::uint16_t, LoopbackHost*> listeners_;
    std::vector<std::unique_ptr<Link>> links_;
};

class LoopbackHost final : public Transport {
public:
    LoopbackHost(LoopbackNetwork& net, std::uint16_t port) : net_(&net), port_(port) {}
    ~LoopbackHost() override;

    core::PeerId connect(const Address& to) override;
    bool send(core::PeerId peer, Channel channel, std::span<const std::uint8_t> data, bool reliable) override;
    bool poll(double now, TransportEvent& event) override;
    void flush() override {}
    void disconnect(core::PeerId peer, std::uint32_t reason) override;
    [[nodiscard]] PeerStats stats(core::PeerId peer) const override;
    void wait(double) override {}

private:
    friend class LoopbackNetwork;
    struct Pending {
        double at = 0;
        std::uint64_t order = 0;
        TransportEvent event;
        bool operator>(const Pending& o) const { return at != o.at ? at > o.at : order > o.order; }
    };
    LoopbackNetwork::Link* linkFor(core::PeerId peer) const;

    LoopbackNetwork* net_;
    std::uint16_t port_;
    std::uint64_t order_ = 0;
    std::priority_queue<Pending, std::vector<Pending>, std::greater<>> inbox_;
    std::map<std::uint32_t, LoopbackNetwork::Link*> peers_;
    std::map<std::uint32_t, PeerStats> stats_;
};

} // namespace caseroom::net
