#include "session/video_client.h"

#include <algorithm>

#include "net/video_numbering.h"

namespace caseroom::session {

// ---- publishing -------------------------------------------------------------
// The capture thread (VideoCapture) makes frames; this encoder thread takes
// the newest, encodes it and leaves its fragments in `out` for the session
// thread. Frame numbers and tl0 are net::VideoFrameNumbering's.
struct VideoClient::Publisher {
    net::VideoKind kind = net::VideoKind::Camera;
    media::VideoProfile profile;
    std::unique_ptr<media::VideoCapture> capture;
    std::unique_ptr<media::Vp8Encoder> encoder;
    std::atomic<bool> keyframe{false};
    std::atomic<int> slot{-1};          // our entity slot (-1: not in a room: frames are encoded and dropped)
    bool asked = false;                 // VideoPublish{on} sent for this room
    mutable std::mutex mutex;
    std::vector<net::VideoFragment> out;  // fragments waiting for the session thread
    std::vector<VideoSendTiming> timing;  // one per frame in `out`, in order (sentAt set by the session thread)
    PublishStats stats;
    std::shared_ptr<const media::I420Frame> captured;   // the newest frame encoded (under mutex)
    std::uint64_t capturedSerial = 0;
    TimingRing<VideoSendTiming> sent;     // the session thread's
    std::atomic<bool> stop{false};
    std::thread thread;

    void run() {
        net::VideoFrameNumbering numbering;
        std::vector<media::EncodedFrame> packets;
        while (!stop.load()) {
            auto f = capture->waitTake(100);
            if (!f) {
                const auto st = capture->stats();
                if (st.ended) {
                    std::lock_guard lock(mutex);
                    stats.error = st.error.value_or("the source ended");
                    return;
                }
                continue;
            }
            const auto takenAt = std::chrono::steady_clock::now();
            if (keyframe.exchange(false)) encoder->forceKeyframe();
            packets.clear();
            if (const auto s = encoder->encode(*f, packets); !s.ok()) {
                std::lock_guard lock(mutex);
                stats.error = s.error().message;
                return;
            }
            const auto encodedAt = std::chrono::steady_clock::now();
            const int me = slot.load();
            for (auto& p : packets) {
                const net::VideoFrameData d =
                    numbering.next({static_cast<std::uint16_t>(me < 0 ? 0 : me), kind}, p.layer, p.keyframe, p.ptsUs, std::move(p.bytes));
                auto frags = net::fragmentVideoFrame(d);
                std::lock_guard lock(mutex);
                ++stats.frames;
                if (p.keyframe) ++stats.keyframes;
                if (frags.empty()) {   // over kMaxVideoFrameBytes: never sent; the next key frame is asked for
                    ++stats.tooBig;
                    keyframe = true;
                    continue;
                }
                if (me < 0) continue;
                // The session thread is behind (a stall): keep the newest frame's fragments only, and restart at a key frame.
                if (out.size() > 4 * net::kMaxVideoFragments) {
                    out.clear();
                    timing.clear();
                    keyframe = true;
                    continue;
                }
                out.insert(out.end(), frags.begin(), frags.end());
                timing.push_back(VideoSendTiming{d.frame, static_cast<std::uint8_t>(frags.size()), d.layer, d.keyframe, takenAt, encodedAt, {}});
            }
            // What was sent, for the sender's own preview.
            auto picture = std::make_shared<const media::I420Frame>(std::move(*f));
            std::lock_guard lock(mutex);
            captured = std::move(picture);
            ++capturedSerial;
        }
    }
};

VideoClient::VideoClient() : decoder_([this] { decodeLoop(); }) {}

VideoClient::~VideoClient() {
    for (auto& p : publishers_)
        if (p) {
            p->stop = true;
            if (p->thread.joinable()) p->thread.join();
        }
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    cv_.notify_all();
    decoder_.join();
}

core::Status VideoClient::publish(net::VideoKind kind, std::unique_ptr<media::VideoSource> source, const media::VideoProfile& profile,
                                  bool paced) {
    if (!source) return core::Error{"video: no source"};
    if (source->width() != profile.width || source->height() != profile.height)
        return core::Error{"video: " + source->describe() + " is not the " + media::toString(profile.use) + " size " +
                           std::to_string(profile.width) + "x" + std::to_string(profile.height)};
    auto enc = media::Vp8Encoder::create(profile);
    if (!enc) return enc.error();
    unpublish(kind);
    auto p = std::make_unique<Publisher>();
    p->kind = kind;
    p->profile = profile;
    p->encoder = std::move(*enc);
    p->slot = self_ ? *self_ : -1;
    p->capture = std::make_unique<media::VideoCapture>(std::move(source), paced);
    Publisher* raw = p.get();
    p->thread = std::thread([raw] { raw->run(); });
    publishers_[static_cast<std::size_t>(kind)] = std::move(p);
    return {};
}

void VideoClient::unpublish(net::VideoKind kind) {
    auto& p = publishers_[static_cast<std::size_t>(kind)];
    if (!p) return;
    p->stop = true;
    if (p->thread.joinable()) p->thread.join();
    p.reset();
    unpublishPending_[static_cast<std::size_t>(kind)] = true;
}

bool VideoClient::publishing(net::VideoKind kind) const { return publishers_[static_cast<std::size_t>(kind)] != nullptr; }

std::shared_ptr<const media::I420Frame> VideoClient::captured(net::VideoKind kind, std::uint64_t* serial) const {
    const auto& p = publishers_[static_cast<std::size_t>(kind)];
    if (serial) *serial = 0;
    if (!p) return nullptr;
    std::lock_guard lock(p->mutex);
    if (serial) *serial = p->capturedSerial;
    return p->captured;
}

VideoClient::PublishStats VideoClient::publishStats(net::VideoKind kind) const {
    const auto& p = publishers_[static_cast<std::size_t>(kind)];
    if (!p) return {};
    std::lock_guard lock(p->mutex);
    return p->stats;
}

void VideoClient::setSelf(std::uint16_t slot) {
    self_ = slot;
    for (auto& p : publishers_)
        if (p) {
            p->slot = slot;
            p->asked = false;
        }
}

void VideoClient::reset() {
    self_.reset();
    for (auto& p : publishers_)
        if (p) {
            p->slot = -1;
            p->asked = false;
            std::lock_guard lock(p->mutex);
            p->out.clear();
            p->timing.clear();
        }
    receivers_.clear();
    told_.clear();
    showDirty_ = true;
    unpublishPending_.fill(false);
    std::lock_guard lock(mutex_);
    jobs_.clear();
    decoded_.clear();
}

// ---- showing ----------------------------------------------------------------

void VideoClient::show(std::vector<net::VideoStreamId> streams) {
    if (streams.size() > net::kMaxShownStreams) streams.resize(net::kMaxShownStreams);
    if (streams == wanted_) return;
    wanted_ = std::move(streams);
    for (auto& [key, r] : receivers_)
        r.view.shown = std::find(wanted_.begin(), wanted_.end(), r.view.info.stream) != wanted_.end();
    showDirty_ = true;
}

void VideoClient::onStreams(std::span<const VideoStreamInfo> streams, double now) {
    std::map<std::uint16_t, Receiver> next;
    for (const auto& info : streams) {
        const std::uint16_t key = info.stream.packed();
        auto it = receivers_.find(key);
        if (it != receivers_.end() && it->second.view.info == info) {
            next.emplace(key, std::move(it->second));
            continue;
        }
        // New, or restarted with other settings: a fresh reassembler and decoder.
        Receiver r(info.stream);
        r.view.info = info;
        r.view.shown = std::find(wanted_.begin(), wanted_.end(), info.stream) != wanted_.end();
        r.view.lastPictureAt = now;
        generations_[key] = ++generation_;
        next.emplace(key, std::move(r));
    }
    receivers_ = std::move(next);
    showDirty_ = true;
    std::lock_guard lock(mutex_);
    std::erase_if(decoded_, [&](const auto& kv) { return !receivers_.contains(kv.first); });
}

void VideoClient::sendShow(const VideoSend& send) {
    std::vector<net::VideoStreamId> list;
    for (const auto& id : wanted_)
        if (receivers_.contains(id.packed()) && (!self_ || id.publisher != *self_)) list.push_back(id);
    if (list == told_ && !told_.empty()) return;
    if (list.empty() && told_.empty() && !showDirtyEver_) return;
    net::VideoShow m;
    m.streams = list;
    if (send(m)) {
        told_ = std::move(list);
        showDirtyEver_ = true;
    }
}

// ---- receiving --------------------------------------------------------------

void VideoClient::onFragment(const net::VideoFragment& f, double now) {
    ++stats_.fragments;
    stats_.bytes += f.size;
    const auto it = receivers_.find(f.stream.packed());
    if (it == receivers_.end()) return;   // not published (any more): the server's last fragments of it
    Receiver& r = it->second;
    scratch_.clear();
    r.reassembler.push(f, scratch_);
    r.view.reassembly = r.reassembler.stats();
    if (scratch_.empty()) return;
    const std::uint32_t gen = generations_[f.stream.packed()];
    const auto completeAt = std::chrono::steady_clock::now();
    std::lock_guard lock(mutex_);
    for (auto& d : scratch_) {
        ++stats_.frames;
        if (jobs_.size() >= kDecodeQueue) {   // the decoder is behind: drop the oldest; its stream must restart at a key frame
            corrupted_.push_back(jobs_.front().stream.packed());
            jobs_.pop_front();
            ++queueDropped_;
        }
        jobs_.push_back(Job{f.stream, gen, std::move(d), completeAt});
    }
    (void)now;
    cv_.notify_one();
}

void VideoClient::onKeyframeRequest(net::VideoStreamId stream) {
    auto& p = publishers_[static_cast<std::size_t>(stream.kind)];
    if (!p || !self_ || stream.publisher != *self_) return;
    p->keyframe = true;
    std::lock_guard lock(p->mutex);
    ++p->stats.keyframeRequests;
}

void VideoClient::onTier(const net::VideoTierMsg& m) {
    const auto it = receivers_.find(m.stream.packed());
    if (it == receivers_.end()) return;
    it->second.view.tier = m.tier;
    it->second.view.layers = m.layers;
}

void VideoClient::decodeLoop() {
    struct Dec {
        std::uint32_t generation = 0;
        std::unique_ptr<media::Vp8Decoder> decoder;
        bool broken = false;
    };
    std::map<std::uint16_t, Dec> decoders;   // this thread's own
    std::unique_lock lock(mutex_);
    for (;;) {
        cv_.wait(lock, [&] { return stop_ || !jobs_.empty(); });
        if (stop_) return;
        Job job = std::move(jobs_.front());
        jobs_.pop_front();
        lock.unlock();
        const std::uint16_t key = job.stream.packed();
        Dec& d = decoders[key];
        if (!d.decoder || d.generation != job.generation) {
            auto made = media::Vp8Decoder::create();
            d = Dec{job.generation, made ? std::move(*made) : nullptr, false};
        }
        std::optional<media::I420Frame> picture;
        bool failed = !d.decoder;
        if (d.decoder) {
            // Bounded by the stream's announced size would be tighter; the wire bounds a frame to 69 KB anyway.
            auto r = d.decoder->decode(job.frame.bytes, std::uint64_t{net::kMaxVideoSide} * net::kMaxVideoSide);
            if (!r) failed = true;
            else if (*r && d.decoder->lastFrameIntact()) picture = std::move(**r);
            else if (*r) failed = true;   // decoded over a lost reference: artefacts; wait for the key frame
        }
        const auto decodedAt = std::chrono::steady_clock::now();
        lock.lock();
        received_.push(VideoReceiveTiming{job.stream, job.frame.frame, picture.has_value(), job.completeAt, decodedAt});
        if (failed) {
            ++decodeErrors_;
            corrupted_.push_back(key);
        } else if (picture) {
            Decoded& out = decoded_[key];
            if (out.generation != job.generation) out = Decoded{nullptr, 0, job.generation};
            out.picture = std::make_shared<const media::I420Frame>(std::move(*picture));
            ++out.serial;
            ++decodedCount_;
        }
    }
}

void VideoClient::pump(const VideoSend& send, double now) {
    // Publishing: ask for each stream once per room; stop what stopped.
    for (std::size_t k = 0; k < publishers_.size(); ++k) {
        if (unpublishPending_[k] && self_) {
            net::VideoPublish m;
            m.kind = static_cast<net::VideoKind>(k);
            m.on = false;
            if (send(m)) unpublishPending_[k] = false;
        }
        auto& p = publishers_[k];
        if (!p || !self_) continue;
        if (!p->asked) {
            net::VideoPublish m;
            m.kind = p->kind;
            m.on = true;
            m.width = p->profile.width;
            m.height = p->profile.height;
            m.fps = p->profile.fps;
            m.layers = p->profile.temporalLayers;
            p->asked = send(m);
        }
        std::vector<net::VideoFragment> out;
        std::vector<VideoSendTiming> timing;
        {
            std::lock_guard lock(p->mutex);
            out.swap(p->out);
            timing.swap(p->timing);
        }
        net::VideoFragmentMsg msg;
        std::size_t frameAt = 0;
        for (const auto& f : out) {
            msg.fragment = f;
            if (send(msg)) {
                std::lock_guard lock(p->mutex);
                ++p->stats.fragments;
                p->stats.bytes += f.size;
            }
            // A frame's fragments go in index order: its last one ends it.
            if (f.index + 1u == f.count && frameAt < timing.size()) {
                timing[frameAt].sentAt = std::chrono::steady_clock::now();
                p->sent.push(timing[frameAt++]);
            }
        }
    }
    if (showDirty_) {
        sendShow(send);
        showDirty_ = false;
    }
    // Pictures the decoder made, and streams that need a key frame.
    std::vector<std::uint16_t> corrupted;
    {
        std::lock_guard lock(mutex_);
        corrupted.swap(corrupted_);
        for (const auto& [key, d] : decoded_) {
            const auto it = receivers_.find(key);
            if (it == receivers_.end() || d.generation != generations_[key]) continue;
            if (d.serial != it->second.view.pictures) {
                it->second.view.pictures = d.serial;
                it->second.view.lastPictureAt = now;
            }
        }
        stats_.decoded = decodedCount_;
        stats_.decodeErrors = decodeErrors_;
        stats_.queueDropped = queueDropped_;
    }
    for (auto& [key, r] : receivers_) {
        const bool broken = std::find(corrupted.begin(), corrupted.end(), key) != corrupted.end();
        if (broken) r.lastAsk = -1e9;   // ask now
        const bool layered = r.view.tier == net::VideoTier::Full || r.view.tier == net::VideoTier::Reduced;
        r.view.frozen = r.view.shown && layered && now - r.view.lastPictureAt > kFrozenSeconds;
        const bool mine = self_ && r.view.info.stream.publisher == *self_;
        if (mine || !r.view.shown || !layered) continue;   // still pictures and off: the server paces key frames
        if ((r.reassembler.needKeyframe() || broken) && now - r.lastAsk >= kKeyframeRetrySeconds) {
            if (send(net::KeyframeRequest{r.view.info.stream})) {
                r.lastAsk = now;
                ++stats_.keyframeRequests;
            }
        }
    }
}

std::shared_ptr<const media::I420Frame> VideoClient::latest(net::VideoStreamId stream, std::uint64_t* serial) const {
    std::lock_guard lock(mutex_);
    const auto it = decoded_.find(stream.packed());
    if (it == decoded_.end()) return nullptr;
    if (serial) *serial = it->second.serial;
    return it->second.picture;
}

std::vector<VideoStreamView> VideoClient::streams() const {
    std::vector<VideoStreamView> out;
    for (const auto& [key, r] : receivers_) out.push_back(r.view);
    return out;
}

std::optional<VideoStreamView> VideoClient::stream(net::VideoStreamId id) const {
    const auto it = receivers_.find(id.packed());
    if (it == receivers_.end()) return std::nullopt;
    return it->second.view;
}

VideoReceiveStats VideoClient::receiveStats() const { return stats_; }

std::vector<VideoSendTiming> VideoClient::sendTimings(net::VideoKind kind) const {
    const auto& p = publishers_[static_cast<std::size_t>(kind)];
    return p ? p->sent.ordered() : std::vector<VideoSendTiming>{};
}

std::vector<VideoReceiveTiming> VideoClient::receiveTimings() const {
    std::lock_guard lock(mutex_);
    return received_.ordered();
}

} // namespace caseroom::session
