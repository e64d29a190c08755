// One direction of an emulated network link, as pure decisions: for each
// packet that enters at `now` (seconds, caller's clock) the model says whether
// it is lost, how many copies leave and when each one arrives. It owns no
// packets and no sockets; the caller holds packets until their arrival time.
// Used by the in-memory loopback transport (tests) and by caseroom-netsim (a
// UDP relay in front of real processes), so both impair traffic the same way.
//
// Stages, in order:
//   1. loss: independent random loss, then a Gilbert-Elliott two-state burst
//      loss (a Good and a Bad state; each packet first may change state, then
//      is lost with the state's probability);
//   2. duplication: a second copy follows the first through the rest;
//   3. bottleneck: with a rate, copies leave one after another at `rate`
//      bytes per second from a drop-tail queue of `queueBytes` (a copy that
//      does not fit in the queue is dropped); without one they leave at once;
//   4. path: each copy arrives `delay` + uniform [0, jitter] after it left;
//      a reordered copy is held back a further 2 * jitter + 10 ms, so later
//      packets overtake it.
// The rate bounds what leaves the bottleneck: bytes leaving in any interval
// of length T never exceed rate * T plus one packet. Jitter after it may
// bunch arrivals (as later hops of a real path do).
// Decisions depend only on the parameters, the sequence of (now, bytes) and
// the Rng's draws: the same seed and inputs give the same decisions.
// Thread rule: one thread at a time; the Rng is the caller's.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/rng.h"

namespace caseroom::net {

// Gilbert-Elliott burst loss. Off while enterBad is 0. Mean loss is
// enterBad / (enterBad + exitBad) * lossBad; mean burst length 1 / exitBad.
struct BurstLoss {
    double enterBad = 0.0;   // per packet probability Good -> Bad, [0, 1]
    double exitBad = 1.0;    // per packet probability Bad -> Good, (0, 1]
    double lossBad = 1.0;    // loss probability while Bad, [0, 1]
};

struct LinkParams {
    double loss = 0.0;              // independent loss probability, [0, 1]
    BurstLoss burst;
    double duplicate = 0.0;         // probability a packet is sent twice, [0, 1]
    double rateBytesPerSecond = 0;  // bottleneck rate; 0 = unlimited
    std::size_t queueBytes = 65536; // drop-tail queue in front of the bottleneck (with a rate)
    double delay = 0.0;             // one-way base delay after the bottleneck, seconds
    double jitter = 0.0;            // extra uniform delay in [0, jitter], seconds
    double reorder = 0.0;           // probability a copy is held back 2 * jitter + 10 ms
};

// Extra hold of a reordered copy, seconds (see the header comment).
[[nodiscard]] inline double reorderHold(const LinkParams& p) { return 2.0 * p.jitter + 0.010; }

// Empty when the parameters are usable; otherwise names the field and fault.
[[nodiscard]] std::string validate(const LinkParams& p);

struct LinkCounters {
    std::uint64_t received = 0;      // packets that entered
    std::uint64_t forwarded = 0;     // copies that will arrive (duplicates included)
    std::uint64_t droppedLoss = 0;   // lost to independent random loss
    std::uint64_t droppedBurst = 0;  // lost in a Gilbert-Elliott Bad state
    std::uint64_t droppedQueue = 0;  // copies (duplicates too) that found the queue full
    std::uint64_t duplicated = 0;    // extra copies made (forwarded = received - dropped() + duplicated)
    std::uint64_t reordered = 0;     // copies held back
    std::uint64_t bytesIn = 0;       // bytes of packets that entered
    std::uint64_t bytesOut = 0;      // bytes of copies forwarded
    [[nodiscard]] std::uint64_t dropped() const { return droppedLoss + droppedBurst + droppedQueue; }
    LinkCounters& operator+=(const LinkCounters& o);
};

// The fate of one packet: `copies` of them (0, 1 or 2) arrive at arriveAt[i].
struct LinkDecision {
    int copies = 0;
    double leaveAt[2] = {0, 0};   // when each copy left the bottleneck
    double arriveAt[2] = {0, 0};  // when each copy arrives at the far end
    bool reordered[2] = {false, false};
};

class LinkModel {
public:
    explicit LinkModel(const LinkParams& params = {}) : params_(params) {}

    // New parameters apply to packets from now on; counters and the queue stay.
    void setParams(const LinkParams& params) { params_ = params; }
    [[nodiscard]] const LinkParams& params() const { return params_; }

    // One packet of `bytes` bytes enters at `now` (non-decreasing across calls).
    LinkDecision send(double now, std::size_t bytes, core::Rng& rng);
    // A packet that must not be lost (a reliable message, which a real sender
    // would retransmit): no loss, duplication or reordering, and the queue
    // limit does not apply, but it waits for the bottleneck and the path.
    LinkDecision sendReliable(double now, std::size_t bytes, core::Rng& rng);

    [[nodiscard]] const LinkCounters& counters() const { return counters_; }
    // Bytes waiting in the bottleneck queue at `now` (0 without a rate).
    [[nodiscard]] double queuedBytes(double now) const;
    [[nodiscard]] bool inBadState() const { return bad_; }

private:
    // Passes one copy through the bottleneck; false when the queue is full.
    bool leave(double now, std::size_t bytes, bool enforceQueue, double& leaveAt);

    LinkParams params_;
    LinkCounters counters_;
    bool bad_ = false;         // Gilbert-Elliott state
    double busyUntil_ = 0.0;   // when the bottleneck finishes what it holds
};

} // namespace caseroom::net
