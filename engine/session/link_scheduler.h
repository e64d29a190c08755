// The one per-client downlink scheduler. Every byte the server sends a
// client is charged here, by class, against one budget per client (bytes
// per second: the server's default, or lower when the client sent a
// LinkHint, and lower still while the client's LinkReports show the link
// cannot carry it: see "Following the link" below). The budget is spent in
// a fixed order:
//   1. voice: forwarded the moment it arrives, never delayed; its bytes are
//      charged when sent;
//   2. state: the tick's snapshot (and control messages); the replication
//      budget stays the snapshot's own size limit, but its bytes are charged;
//   3. slides and media: blob chunks fill what is left of the budget after
//      1 and 2, with a small burst, served before video each tick;
//   4. video: only what the receiver's tier allows (session/video_host.h),
//      chosen each tick from videoAllowance(): the link's rate less what
//      voice and state have been using (a moving average) and, while media
//      has work, what media takes, with headroom. So video degrades first.
//      Fragments are paced: queued per client and sent while the budget is
//      positive (on arrival and each tick), so that a key frame never
//      stands in a thin link's bottleneck in front of voice; upper layers
//      are shed while the queue is long (videoCongested), and a full
//      queue drops the fragment (the receiver asks for a key frame).
// The state budget and the voice streams follow the rate as well:
// stateBudget() is the snapshot's size target on this link (the avatars
// the budget leaves out wait by priority, so far and still ones update less
// often), staleBudget() how far past it avatars at their staleness bound may
// take a snapshot, voiceStreams() how many talkers it can carry at once.
//
// Following the link: each LinkReport (about one a second) says what the
// client received and its round trip. Delivered well under what was sent
// (both averaged over a few reports) sets the estimate just under the
// delivered rate; a round trip grown by more than rttGrowthMs over the
// lowest seen (a queue standing at the bottleneck) cuts it to queueBackoff
// of that, each report, until the queue drains; a clean report lets it grow
// (by estimateGrowth or estimateStep) until it reaches the cap (default or
// hint) and stops limiting. A new link starts at startBytesPerSecond and
// grows by startGrowth until its first backoff (a slow start).
// No channel keeps a budget of its own. The budget is a token bucket that
// voice and state may drive into debt (bounded), so media pays back what
// they took. Bytes are counted as on the wire: payload plus a fixed
// per-message overhead (sealing, ENet, UDP/IPv4).
//
// Media work is a queue of BlobRequests per client, bounded (a hostile
// client cannot make the server hold unbounded work: past the bound a
// request is refused and the host counts it as malformed input). Chunks are
// cut from blobs held in memory by the ContentStore; at most one disk read
// per tick for all clients together (ContentStore::load).
// Thread rule: one thread (the server's); time comes in as `now` (seconds).
#pragma once
#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <span>
#include <vector>
#include <unordered_map>

#include "core/ids.h"
#include "net/messages.h"
#include "session/content_store.h"

namespace caseroom::session {

// In order of precedence. Control messages count as State.
enum class TrafficClass : std::uint8_t { Voice, State, Video, Media, Count };
const char* toString(TrafficClass c);
TrafficClass trafficClassOf(net::Channel channel);

struct LinkConfig {
    double defaultBytesPerSecond = 2'000'000.0 / 8.0; // 2 Mbit/s per client unless the client hints lower
    double minBytesPerSecond = 32'000.0 / 8.0;        // a LinkHint cannot go below this (media would never move)
    double burstSeconds = 0.05;                       // budget saved while idle (the "small burst"): 1.5 ticks at 30 Hz,
                                                      // at least one chunk; it scales with the rate so a thin link's queue stays short
    double maxDebtSeconds = 0.5;                      // voice + state may overdraw the budget by this much
    std::uint32_t wireOverheadBytes = 70;             // per message: 25 sealing, ~17 ENet, 28 UDP/IPv4
    std::uint32_t maxPendingRequests = 16;            // BlobRequests held per client
    double videoShare = 0.92;                         // of the rate, what voice, state and video may plan to use together (the rest: ENet's acks, resends, jitter)
    double voiceStateSeconds = 0.5;                   // time constant of the voice + state rate average
    double videoCongestedSeconds = 0.25;              // queued video past this much of the rate: upper layers are shed
    double videoQueueSeconds = 0.6;                   // the queue holds at most this much of the rate (at least videoQueueMinBytes)
    std::size_t videoQueueMinBytes = 16 * 1024;
    double mediaReserve = 0.35;                       // of the rate, kept from video while media has work
    double stateShare = 0.35;                         // of the rate, the snapshot budget's target (stateBudget)
    std::uint32_t minStateBudgetBytes = 48;           // a snapshot is never budgeted below this
    std::uint32_t maxStaleBudgetBytes = 1100;         // stale avatars take a snapshot at most this far (staleBudget): one datagram sealed
    double voiceShare = 0.6;                          // of the rate, what forwarded voice may use (voiceStreams)
    double voiceStreamBytesPerSecond = 6900.0;        // one talker at 24 kbit/s, 50 frames/s with headers
    double deliveredFloor = 0.8;                      // delivered / sent under this: the link is full
    double rttGrowthMs = 200.0;                       // round trip over the lowest seen by this: a queue is building
    double estimateBackoff = 0.9;                     // a full link's estimate: this much of what it delivered
    double queueBackoff = 0.7;                        // a queue standing at the bottleneck: this much, each report, until it drains
    double reportSmoothing = 0.5;                     // weight of the newest report in the sent and received averages
    double estimateGrowth = 1.08;                     // a clean report grows the estimate by this factor ...
    double estimateStep = 1500.0;                     // ... or by this many bytes per second, whichever is more
    // A new link starts here (a rural link until it proves otherwise) and,
    // until its first backoff, grows by startGrowth per clean report: so a
    // deck fetched on joining never fills a thin link's buffer first.
    double startBytesPerSecond = 128'000.0 / 8.0;      // 0: no slow start (the cap from the first byte)
    double startGrowth = 1.5;
};

struct LinkCounters {
    std::array<std::uint64_t, static_cast<std::size_t>(TrafficClass::Count)> bytes{};    // on the wire (estimated)
    std::array<std::uint64_t, static_cast<std::size_t>(TrafficClass::Count)> messages{};
    std::uint64_t mediaDeferred = 0;     // client-ticks on which media had work but no budget left
    std::uint64_t mediaWaitingDisk = 0;  // client-ticks on which media waited for the tick's one disk read
    std::uint64_t requestsQueued = 0;
    std::uint64_t requestsRefused = 0;   // over the per-client bound: bad input
    std::uint64_t requestsUnavailable = 0; // not served or past the blob's end: answered BlobUnavailable
    std::uint64_t videoQueueDropped = 0;   // video fragments dropped: the client's queue was full
    std::uint64_t reports = 0;             // LinkReports taken
    std::uint64_t backoffs = 0;            // ... that lowered the estimate (delivered too little, or the round trip grew)
    [[nodiscard]] std::uint64_t of(TrafficClass c) const { return bytes[static_cast<std::size_t>(c)]; }
};

enum class RequestVerdict : std::uint8_t {
    Queued,       // will be served in budget
    Unavailable,  // not served (absent or not allowed; indistinguishable), or offset past its end: answer BlobUnavailable
    Refused,      // over the client's bound of pending requests: bad input
    Count
};
const char* toString(RequestVerdict v);

class LinkScheduler {
public:
    explicit LinkScheduler(LinkConfig config = {}) : config_(config) {}

    void addClient(core::PeerId peer, double now);
    void removeClient(core::PeerId peer);
    // A client's own cap (LinkHint); 0 clears it. Only lowers the budget.
    void setHint(core::PeerId peer, std::uint32_t downlinkKbps);
    [[nodiscard]] double bytesPerSecond(core::PeerId peer) const;
    // The client's LinkReport (net/messages.h): the estimate follows it.
    void report(core::PeerId peer, const net::LinkReport& report, double now);
    // The link's estimate from the reports, bytes per second; 0: not limiting.
    [[nodiscard]] double estimate(core::PeerId peer) const;
    // The snapshot payload budget for this link: its rate's stateShare per
    // tick less the per-message overhead, within [minStateBudgetBytes, configured].
    [[nodiscard]] std::uint32_t stateBudget(core::PeerId peer, std::uint32_t configured, double tickRate) const;
    // How far avatars out of date past the staleness bound may take a
    // snapshot (net::ReplicationConfig::staleBudgetBytes): the same share of
    // the rate per tick, not capped by the configured budget but by
    // maxStaleBudgetBytes; 0 for an unknown peer. The replicator allows at
    // least three budgets whatever this says.
    [[nodiscard]] std::uint32_t staleBudget(core::PeerId peer, double tickRate) const;
    // Talkers this link carries at once: its rate's voiceShare in streams,
    // within [1, cap] (during the slow start, the cap's: see below).
    [[nodiscard]] std::uint32_t voiceStreams(core::PeerId peer, std::uint32_t cap) const;
    // Bytes per second the link has for video now: rate * videoShare less
    // the recent voice + state rate and, while media has work, the larger
    // of its recent rate and rate * mediaReserve (never below 0).
    [[nodiscard]] double videoAllowance(core::PeerId peer) const;
    // The video queue holds more than videoCongestedSeconds: upper layers are shed.
    [[nodiscard]] bool videoCongested(core::PeerId peer) const;
    // One fragment for `peer` (its wire bytes, copied): false when the
    // queue is full (dropped, counted).
    bool queueVideo(core::PeerId peer, std::span<const std::uint8_t> bytes);
    // Sends queued fragments through `send` (which must charge them) while
    // the budget, refilled to `now`, is positive.
    void serveVideo(core::PeerId peer, double now, const std::function<void(std::span<const std::uint8_t>)>& send);
    [[nodiscard]] std::size_t videoQueued(core::PeerId peer) const;

    // `bytes` of payload left for `peer` on `channel`: charged to its link.
    void charge(core::PeerId peer, net::Channel channel, std::size_t bytes);

    // A client's request for blob bytes, checked against what `content` serves.
    RequestVerdict request(core::PeerId peer, const net::BlobRequest& req, const ContentStore* content);

    // Starts a tick: refills every budget to `now` and grants the tick's one disk read.
    void beginTick(double now);
    // After the client's state went out this tick: sends chunks (through
    // `send`, which must charge them via charge()) while budget is left. A
    // queued blob that can no longer be read is answered through `unavailable`.
    void serveMedia(core::PeerId peer, ContentStore* content, const std::function<void(const net::BlobChunk&)>& send,
                    const std::function<void(const core::ContentHash&)>& unavailable);

    [[nodiscard]] const LinkCounters& counters() const { return totals_; }
    [[nodiscard]] const LinkCounters* counters(core::PeerId peer) const;
    [[nodiscard]] std::size_t pendingRequests(core::PeerId peer) const;
    [[nodiscard]] double balance(core::PeerId peer) const;
    [[nodiscard]] const LinkConfig& config() const { return config_; }

private:
    struct Pending {
        core::ContentHash hash;
        std::uint32_t next = 0, end = 0, total = 0;
        BlobBytes bytes; // pinned once loaded
    };
    struct Link {
        double rate = 0;        // bytes per second: min(cap, estimate)
        double cap = 0;         // the default, or the client's hint
        double estimate = 0;    // from the reports; 0: not limiting
        double balance = 0;     // bytes; may be negative (debt)
        double last = 0;
        std::uint32_t hintKbps = 0;
        bool starting = true;             // no backoff yet: the estimate grows by startGrowth
        double lowestRttMs = 0;           // the link's own round trip (the lowest reported)
        std::uint64_t sentMark = 0, sentMessagesMark = 0; // bytes and messages charged at the previous report
        double sentAt = -1;
        double sentWire = 0, sentPayload = 0, received = 0; // per second, averaged over the reports
        bool smoothed = false;
        double mediaRate = 0;             // bytes per second, moving average (media's share against video)
        std::uint64_t mediaMark = 0;
        double voiceState = 0;            // bytes per second, moving average
        std::uint64_t voiceStateMark = 0; // voice + state bytes at the last tick
        double lastTick = -1;
        std::deque<std::vector<std::uint8_t>> video;   // paced fragments, oldest first
        std::size_t videoBytes = 0;
        std::deque<Pending> pending;
        LinkCounters counters;
    };
    void refill(Link& l, double now) const;
    static void updateRate(Link& l, double floor);
    // The rate's stateShare per tick less the per-message overhead.
    [[nodiscard]] double stateBytesPerTick(const Link& l, double tickRate) const;

    LinkConfig config_;
    std::unordered_map<std::uint32_t, Link> links_;
    LinkCounters totals_;
    bool diskRead_ = true;
    net::BlobChunk chunk_; // reused
};

} // namespace caseroom::session
