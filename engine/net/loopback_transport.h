// In-memory twin of the ENet transport: hosts on one LoopbackNetwork exchange
// messages through a link simulator with loss, delay, jitter, reordering and
// duplication, driven by the caller's clock and a seeded Rng, so a test run is
// exactly repeatable. Reliable messages are never lost and stay in order per
// channel and direction (as ENet's are); the simulator's loss, jitter,
// reordering and duplication apply to unreliable messages.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <queue>
#include <vector>

#include "core/rng.h"
#include "net/transport.h"

namespace caseroom::net {

struct LinkConditions {
    double loss = 0.0;        // probability an unreliable message is dropped
    double delay = 0.0;       // one-way base delay, seconds
    double jitter = 0.0;      // extra uniform delay in [0, jitter], seconds
    double reorder = 0.0;     // probability an unreliable message is held back by 2*jitter+10 ms
    double duplicate = 0.0;   // probability an unreliable message is delivered twice
};

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
    void setConditions(const LinkConditions& c) { conditions_ = c; }
    [[nodiscard]] const LinkConditions& conditions() const { return conditions_; }
    // Moves simulated time forward; hosts also advance it from poll().
    void advance(double now) { if (now > now_) now_ = now; }
    [[nodiscard]] double now() const { return now_; }
    [[nodiscard]] std::uint64_t dropped() const { return dropped_; }

private:
    friend class LoopbackHost;
    struct Link {
        LoopbackHost* a = nullptr;  // connecting side
        LoopbackHost* b = nullptr;  // listening side
        core::PeerId peerOnA, peerOnB;
        double lastReliableAt[2][static_cast<int>(Channel::Count)] = {};
        bool open = true;
    };
    void deliver(Link& link, LoopbackHost* from, TransportEvent ev, bool reliable);
    void detach(LoopbackHost* host);

    core::Rng rng_;
    LinkConditions conditions_;
    double now_ = 0.0;
    std::uint64_t dropped_ = 0;
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
