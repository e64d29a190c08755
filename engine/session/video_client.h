// The client's live video (the view model of the video system, and its
// two pipelines), beside ClientSession as VoiceClient is:
//  - publishing: per kind (camera, screen) a source on its own thread
//    (media::VideoCapture, latest wins) and an encoder thread (VP8 at the
//    use's profile, media/vp8.h): each encoded frame is cut into fragments
//    (net/video_wire.h) that the session thread sends; a key frame request
//    from the server reaches the encoder through a flag;
//  - receiving: per shown stream a reassembler on the session thread, then
//    one decode thread for all streams (bounded queue: a stream whose
//    frames pile up loses its oldest, and asks for a key frame), and the
//    newest decoded picture per stream for the renderer;
//  - what is shown: show() sets the wanted streams in order; the server
//    is told (VideoShow) the wanted streams that are published now, again
//    whenever that changes;
//  - each stream's state for the UI: its tier from the server (a notice
//    below Full), frozen when no picture decoded for kFrozenSeconds.
// A receiver makes a new reassembler whenever a stream (re)appears: a
// publisher that joins again restarts its frame numbers.
// Per-frame timestamps (the glass-to-glass benchmark): sendTimings() and
// receiveTimings() keep the newest kTimingFrames frames on the steady clock;
// a few stores per frame, copied out only when read.
// Thread rule: everything but latest(), receiveTimings() and the threads'
// own work is the session's thread; those two may be called from any thread.
#pragma once
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "core/result.h"
#include "media/video_frame.h"
#include "media/video_source.h"
#include "media/vp8.h"
#include "net/messages.h"
#include "session/video_host.h"

namespace caseroom::session {

// What the video system needs of the session: send a message (false when
// not in a room or the transport refused it).
using VideoSend = std::function<bool(const net::Message&)>;

struct VideoReceiveStats {
    std::uint64_t fragments = 0, frames = 0, decoded = 0, decodeErrors = 0, keyframeRequests = 0, queueDropped = 0;
    std::uint64_t bytes = 0;
};

// One published frame's way out, on the steady clock.
struct VideoSendTiming {
    std::uint16_t frame = 0;           // the stream's frame number, as on the wire
    std::uint8_t fragments = 0;
    std::uint8_t layer = 0;
    bool keyframe = false;
    std::chrono::steady_clock::time_point capturedAt;   // the encoder thread took it from the source (which it waits on)
    std::chrono::steady_clock::time_point encodedAt;    // out of the encoder
    std::chrono::steady_clock::time_point sentAt;       // its last fragment handed to the session's send (pump)
};
// One received frame's way in, on the steady clock.
struct VideoReceiveTiming {
    net::VideoStreamId stream;
    std::uint16_t frame = 0;
    bool decoded = false;              // an intact picture came out (else a decode error or artefacts)
    std::chrono::steady_clock::time_point completeAt;   // the reassembler gave it out (its last fragment arrived)
    std::chrono::steady_clock::time_point decodedAt;    // the decode thread finished it
};

// One stream as the UI and the renderer see it.
struct VideoStreamView {
    VideoStreamInfo info;
    bool shown = false;                       // in the wanted list
    net::VideoTier tier = net::VideoTier::Full;
    std::uint32_t layers = 0;                 // as the server last said (0: not told yet)
    bool frozen = false;                      // shown, but no new picture for kFrozenSeconds
    std::uint64_t pictures = 0;               // pictures decoded
    double lastPictureAt = -1.0;              // session time of the newest one
    net::VideoReassembler::Stats reassembly;
};

class VideoClient {
public:
    static constexpr double kFrozenSeconds = 1.5;
    static constexpr double kKeyframeRetrySeconds = 0.3;   // a receiver repeats an unanswered key frame request this often
    static constexpr std::size_t kDecodeQueue = 8;        // frames waiting for the decode thread, all streams
    static constexpr std::size_t kTimingFrames = 512;     // frames kept per timing ring

    VideoClient();
    ~VideoClient();
    VideoClient(const VideoClient&) = delete;
    VideoClient& operator=(const VideoClient&) = delete;

    // Starts publishing `kind` from `source`, which must give frames of
    // profile.width x profile.height (`paced` false: as fast as the source
    // gives them, for tests). The server is asked
    // (VideoPublish) at the next pump; a refusal comes back as
    // IntentRefused{Video}. Errors: the encoder could not be made, or the
    // source's size is not the profile's.
    [[nodiscard]] core::Status publish(net::VideoKind kind, std::unique_ptr<media::VideoSource> source, const media::VideoProfile& profile,
                                       bool paced = true);
    void unpublish(net::VideoKind kind);
    [[nodiscard]] bool publishing(net::VideoKind kind) const;

    // The streams wanted, most important first (at most net::kMaxShownStreams).
    void show(std::vector<net::VideoStreamId> streams);

    // From ClientSession: the room's Video objects changed (all of them, now).
    void onStreams(std::span<const VideoStreamInfo> streams, double now);
    void onFragment(const net::VideoFragment& f, double now);
    void onKeyframeRequest(net::VideoStreamId stream);
    void onTier(const net::VideoTierMsg& m);
    // Our entity slot changed (joined): the stream ids of what we publish.
    void setSelf(std::uint16_t slot);
    // Per session update: sends publish/unpublish, VideoShow, fragments and
    // key frame requests; collects decoded pictures.
    void pump(const VideoSend& send, double now);
    // The session left the room: streams, reassemblers and pictures go;
    // publishing stays (it is asked again after the next join).
    void reset();

    // The newest decoded picture of a stream and its serial (bumped per
    // picture); null when none. Any thread.
    [[nodiscard]] std::shared_ptr<const media::I420Frame> latest(net::VideoStreamId stream, std::uint64_t* serial = nullptr) const;
    [[nodiscard]] std::vector<VideoStreamView> streams() const;
    [[nodiscard]] std::optional<VideoStreamView> stream(net::VideoStreamId id) const;
    [[nodiscard]] VideoReceiveStats receiveStats() const;
    struct PublishStats {
        std::uint64_t frames = 0, keyframes = 0, fragments = 0, bytes = 0, tooBig = 0, keyframeRequests = 0;
        std::string error;   // the source's or encoder's fault, when it stopped
    };
    [[nodiscard]] PublishStats publishStats(net::VideoKind kind) const;
    // The newest frame `kind` encoded, as sent (the sender's own preview), and
    // its serial (bumped per frame; 0 when none). Null when not publishing.
    [[nodiscard]] std::shared_ptr<const media::I420Frame> captured(net::VideoKind kind, std::uint64_t* serial = nullptr) const;
    // The newest frames sent of `kind` (at most kTimingFrames, oldest first;
    // empty when not publishing), and the newest frames received of all
    // streams (those the decode thread took; a frame dropped from its queue
    // is not there). receiveTimings: any thread.
    [[nodiscard]] std::vector<VideoSendTiming> sendTimings(net::VideoKind kind) const;
    [[nodiscard]] std::vector<VideoReceiveTiming> receiveTimings() const;

private:
    // A bounded ring of the newest kTimingFrames records (no allocation when pushed).
    template <typename T>
    struct TimingRing {
        std::array<T, kTimingFrames> items{};
        std::size_t next = 0, count = 0;
        void push(const T& t) {
            items[next] = t;
            next = (next + 1) % kTimingFrames;
            if (count < kTimingFrames) ++count;
        }
        [[nodiscard]] std::vector<T> ordered() const {
            std::vector<T> out;
            out.reserve(count);
            for (std::size_t i = 0; i < count; ++i) out.push_back(items[(next + kTimingFrames - count + i) % kTimingFrames]);
            return out;
        }
    };
    struct Publisher;
    struct Receiver {
        VideoStreamView view;
        net::VideoReassembler reassembler;
        double lastAsk = -1e9;
        explicit Receiver(net::VideoStreamId id) : reassembler(id) {}
    };
    struct Job {
        net::VideoStreamId stream;
        std::uint32_t generation = 0;
        net::VideoFrameData frame;
        std::chrono::steady_clock::time_point completeAt;
    };
    struct Decoded {
        std::shared_ptr<const media::I420Frame> picture;
        std::uint64_t serial = 0;
        std::uint32_t generation = 0;
    };
    void decodeLoop();
    void sendShow(const VideoSend& send);

    std::array<std::unique_ptr<Publisher>, static_cast<std::size_t>(net::VideoKind::Count)> publishers_;
    std::optional<std::uint16_t> self_;
    std::vector<net::VideoStreamId> wanted_;
    std::vector<net::VideoStreamId> told_;   // the last VideoShow sent
    bool showDirty_ = true;
    bool showDirtyEver_ = false;            // a VideoShow went out in this room (an empty one must then be sent too)
    std::array<bool, static_cast<std::size_t>(net::VideoKind::Count)> unpublishPending_{};
    std::map<std::uint16_t, Receiver> receivers_;   // by packed id: the published streams
    std::uint32_t generation_ = 0;                   // bumped per stream (re)appearance
    std::map<std::uint16_t, std::uint32_t> generations_;
    std::vector<net::VideoFrameData> scratch_;
    VideoReceiveStats stats_;

    // The decode thread's side.
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<Job> jobs_;
    std::map<std::uint16_t, Decoded> decoded_;   // by packed id
    std::vector<std::uint16_t> corrupted_;        // streams whose decode failed: ask for a key frame
    std::uint64_t decodedCount_ = 0, decodeErrors_ = 0, queueDropped_ = 0;
    TimingRing<VideoReceiveTiming> received_;
    bool stop_ = false;
    std::thread decoder_;   // last
};

} // namespace caseroom::session
