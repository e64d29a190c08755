// Live video in the server: one per room, beside the panels and the round.
// A selective forwarding unit: it never decodes. It owns
//  - the published streams (a camera and a screen per participant), each
//    a Video room object everyone sees; VideoPublish starts and stops one,
//    checked against Action::ShowCamera / ShareScreen and the phase; start
//    and end are events of the room's stream (audited);
//  - what each client shows (VideoShow, most important first): a fragment
//    goes only to clients that show its stream, from the next fragment on;
//  - per receiver and stream, a tier: how many temporal layers its link
//    carries (Full, Reduced), a still picture (a key frame every
//    stillInterval), or nothing (Off). Each tick it spends the receiver's
//    video allowance (what the link scheduler leaves after voice and state)
//    on its shown streams in order, from each stream's measured per-layer
//    rate: a layer goes at once when it no longer fits, and comes back
//    one at a time after it has fitted with a margin for upgradeSeconds;
//  - key frame requests: relayed to the publisher at most once per stream
//    per keyframeInterval, and made by the host itself for still pictures
//    and for a receiver coming back from a still picture or off.
// A frame is forwarded or dropped whole per receiver (the decision is made
// at its first fragment to arrive and kept for the rest); frames of upper
// layers are also shed while the receiver's link is in debt. Base-layer
// frames are never shed inside a tier (that would break the receiver's
// reference chain); the tier drops them instead.
// Thread rule: the room's thread; time comes in as `now` (seconds).
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <vector>

#include "core/ids.h"
#include "core/role.h"
#include "net/messages.h"
#include "net/room_objects.h"
#include "sim/clinic_state.h"
#include "sim/events.h"
#include "sim/phase.h"

namespace caseroom::session {

struct VideoConfig {
    double keyframeInterval = 0.25;  // at most one key frame asked of a stream's publisher in this many seconds
    double stillInterval = 3.0;      // a receiver on a still picture gets a fresh key frame this often
    double upgradeSeconds = 1.0;     // a layer must have fitted this long before it is added
    double upgradeMargin = 1.25;     // ... with room for its rate times this
    double rateSeconds = 1.0;        // window of the per-layer rate estimate
    std::uint32_t wireOverheadBytes = 70; // per fragment on the wire (as LinkConfig's)
};

// The published stream as the Video room object carries it.
struct VideoStreamInfo {
    net::VideoStreamId stream;
    std::uint32_t width = 0, height = 0, fps = 0, layers = 1;
    friend bool operator==(const VideoStreamInfo&, const VideoStreamInfo&) = default;
};
[[nodiscard]] bool encodeVideoObject(const VideoStreamInfo& info, net::ObjectBytes& out);
[[nodiscard]] std::optional<VideoStreamInfo> decodeVideoObject(net::ObjectKey key, std::span<const std::uint8_t> bytes);

struct VideoStats {
    std::uint64_t fragmentsIn = 0, bytesIn = 0;
    std::uint64_t fragmentsForwarded = 0, bytesForwarded = 0;   // copies sent to receivers
    std::uint64_t framesShed = 0;          // frames withheld from a receiver by its tier or a congested link
    std::uint64_t notPublished = 0;        // fragments of a stream not published (stopped, or never started): dropped
    std::uint64_t spoofed = 0;             // fragments naming another publisher: dropped, bad input
    std::uint64_t keyframesRelayed = 0;    // requests passed to publishers (receivers' and the host's own)
    std::uint64_t keyframesLimited = 0;    // requests dropped by the rate limit
    std::uint64_t tierChanges = 0;
};

class VideoHost {
public:
    // `events` (not owned, may be null): the room's stream. `allowance`:
    // bytes per second a receiver's link has for video now (after voice and
    // state); `congested`: whether it is in debt now (upper layers wait).
    VideoHost(sim::EventStream* events, std::function<double(std::uint16_t slot)> allowance,
              std::function<bool(std::uint16_t slot)> congested, VideoConfig config = {});

    // nullopt: carried out; else the refusal (IntentRefused{Video, reason}).
    [[nodiscard]] std::optional<net::RefusalReason> onPublish(const sim::ClinicActor& actor, const net::VideoPublish& m,
                                                              sim::Phase phase, std::uint32_t tick);
    // Replaces what `viewer` shows. Unknown streams in the list are ignored
    // (the client sends its list again when streams come and go); repeats count once.
    void onShow(std::uint16_t viewer, const net::VideoShow& m);

    enum class Verdict : std::uint8_t { Forward, NotPublished, Spoofed };
    // A fragment from `sender`'s slot. Forward: `to` holds the receivers'
    // slots (cleared first; possibly none).
    Verdict onFragment(std::uint16_t sender, const net::VideoFragment& f, double now, std::vector<std::uint16_t>& to);
    // A receiver's key frame request: the publisher's slot to pass it to,
    // or nullopt (not shown by the viewer, on a still picture or off, or rate-limited).
    [[nodiscard]] std::optional<std::uint16_t> onKeyframeRequest(std::uint16_t viewer, net::VideoStreamId stream, double now);

    struct Tick {
        std::vector<std::pair<std::uint16_t, net::VideoTierMsg>> tiers;        // viewer slot, its new tier
        std::vector<std::pair<std::uint16_t, net::VideoStreamId>> keyframes;   // ask this publisher for a key frame
    };
    // Per room tick: re-spends every receiver's allowance; `out` cleared first.
    void tick(double now, std::uint32_t roomTick, Tick& out);
    // The Video objects, when the streams changed.
    void publish(net::ObjectTable& objects);
    // The participant left: their streams end (VideoStopped) and they show nothing.
    void leave(std::uint16_t slot, std::uint32_t tick);

    [[nodiscard]] const VideoStats& stats() const { return stats_; }
    [[nodiscard]] std::vector<VideoStreamInfo> streams() const;
    // The measured wire rate of each layer of a stream, bytes per second (zeros: unknown stream).
    [[nodiscard]] std::array<double, net::kMaxVideoLayers> layerRates(net::VideoStreamId stream) const;
    // The tier `viewer` has of `stream` now (nullopt: not shown or not published).
    [[nodiscard]] std::optional<net::VideoTierMsg> tierOf(std::uint16_t viewer, net::VideoStreamId stream) const;

private:
    struct View {
        std::uint16_t viewer = 0;
        net::VideoTier tier = net::VideoTier::Reduced;
        std::uint32_t layers = 1;            // forwarded layers while Full or Reduced
        bool told = false;                   // the viewer has been sent its tier
        net::VideoTierMsg toldAs;
        double fitsSince = -1.0;             // the next layer has fitted since (-1: it does not)
        bool needsKey = true;                // nothing but a key frame decodes for it now
        bool decided = false;                // a decision is held for `frame`
        std::uint16_t frame = 0;
        bool forward = false;
    };
    struct Stream {
        VideoStreamInfo info;
        std::array<double, net::kMaxVideoLayers> rate{};        // bytes per second on the wire, per layer
        std::array<double, net::kMaxVideoLayers> sinceTick{};   // bytes in the current rate window, per layer
        double keyframeBytes = 0;          // the newest key frame's size on the wire
        double keyframeSum = 0;            // the key frame being received
        std::uint16_t keyframeFrame = 0;
        double lastAsk = -1e9;             // the last key frame asked of the publisher
        double lastStill = -1e9;           // the last key frame asked for still pictures
        double lastTick = -1.0;            // the current rate window's start (-1: none yet)
        std::vector<View> views;
    };
    [[nodiscard]] double costOf(const Stream& s, std::uint32_t layers) const;
    [[nodiscard]] double stillCost(const Stream& s) const;
    bool ask(Stream& s, double now, Tick* out);
    void endStream(std::map<std::uint16_t, Stream>::iterator it, std::uint32_t tick);
    void addView(Stream& s, std::uint16_t viewer);

    sim::EventStream* events_;
    std::function<double(std::uint16_t)> allowance_;
    std::function<bool(std::uint16_t)> congested_;
    VideoConfig config_;
    std::map<std::uint16_t, Stream> streams_;                  // by packed stream id
    std::map<std::uint16_t, std::vector<net::VideoStreamId>> shown_;   // viewer slot -> what it shows, in order
    std::vector<net::ObjectKey> published_;                    // the Video objects in the table
    bool dirty_ = false;
    std::vector<std::uint16_t> relayTo_;                       // scratch
    VideoStats stats_;
};

} // namespace caseroom::session
