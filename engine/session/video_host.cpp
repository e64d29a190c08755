#include "session/video_host.h"

#include <algorithm>
#include <cmath>

#include "sim/permissions.h"

namespace caseroom::session {

namespace {
// The Video object: width, height (16..1920, even), fps, layers. The key's
// id is the stream, so the publisher and kind are not repeated.
template <typename S>
bool serializeInfo(S& s, VideoStreamInfo& v) {
    return serializeUInt(s, v.width, net::kMinVideoSide, net::kMaxVideoSide) &&
           serializeUInt(s, v.height, net::kMinVideoSide, net::kMaxVideoSide) && serializeUInt(s, v.fps, 1, net::kMaxVideoFps) &&
           serializeUInt(s, v.layers, 1, net::kMaxVideoLayers);
}

net::ObjectKey keyOf(net::VideoStreamId id) { return {net::ObjectKind::Video, id.packed()}; }
} // namespace

bool encodeVideoObject(const VideoStreamInfo& info, net::ObjectBytes& out) {
    return net::encodeObjectWith(info, [](auto& s, VideoStreamInfo& v) { return serializeInfo(s, v); }, out);
}

std::optional<VideoStreamInfo> decodeVideoObject(net::ObjectKey key, std::span<const std::uint8_t> bytes) {
    if (key.kind != net::ObjectKind::Video) return std::nullopt;
    const auto id = net::VideoStreamId::unpack(key.id);
    if (!id) return std::nullopt;
    auto info = net::decodeObjectWith<VideoStreamInfo>(bytes, [](auto& s, VideoStreamInfo& v) { return serializeInfo(s, v); });
    if (!info) return std::nullopt;
    info->stream = *id;
    return info;
}

VideoHost::VideoHost(sim::EventStream* events, std::function<double(std::uint16_t)> allowance,
                     std::function<bool(std::uint16_t)> congested, VideoConfig config)
    : events_(events), allowance_(std::move(allowance)), congested_(std::move(congested)), config_(config) {}

std::optional<net::RefusalReason> VideoHost::onPublish(const sim::ClinicActor& actor, const net::VideoPublish& m,
                                                       sim::Phase phase, std::uint32_t tick) {
    const net::VideoStreamId id{actor.id.value, m.kind};
    const auto it = streams_.find(id.packed());
    if (!m.on) {
        if (it != streams_.end()) endStream(it, tick);
        return std::nullopt;   // stopping what is not on is not an error
    }
    const sim::Action action = m.kind == net::VideoKind::Screen ? sim::Action::ShareScreen : sim::Action::ShowCamera;
    if (const auto denial = sim::check(actor.role, actor.holding, action, phase))
        return *denial == sim::Denial::WrongPhase ? net::RefusalReason::WrongPhase : net::RefusalReason::NotPermitted;
    const VideoStreamInfo info{id, m.width, m.height, m.fps, m.layers};
    if (it != streams_.end()) {   // a new size or rate of a running stream
        if (!(it->second.info == info)) {
            it->second.info = info;
            for (View& v : it->second.views) {
                v.layers = std::min(v.layers, info.layers);
                v.needsKey = true;
            }
            dirty_ = true;
        }
        return std::nullopt;
    }
    if (streams_.size() >= net::kMaxVideoStreams) return net::RefusalReason::StreamsFull;
    Stream& s = streams_[id.packed()];
    s.info = info;
    // Viewers that already listed this stream (they saw it before a restart) get it at once.
    for (const auto& [viewer, list] : shown_)
        if (std::find(list.begin(), list.end(), id) != list.end()) addView(s, viewer);
    dirty_ = true;
    if (events_) {
        sim::RoomEvent e;
        e.tick = tick;
        e.actor = actor.id;
        e.kind = sim::RoomEventKind::VideoStarted;
        e.panel = id.packed();
        e.value = static_cast<std::uint32_t>(m.kind);
        events_->push(e);
    }
    return std::nullopt;
}

void VideoHost::addView(Stream& s, std::uint16_t viewer) {
    if (viewer == s.info.stream.publisher) return;   // one's own stream comes from one's own encoder
    for (const View& v : s.views)
        if (v.viewer == viewer) return;
    View v;
    v.viewer = viewer;
    v.tier = s.info.layers == 1 ? net::VideoTier::Full : net::VideoTier::Reduced;   // the base layer first; upper layers once they fit
    v.layers = 1;
    s.views.push_back(v);
}

void VideoHost::onShow(std::uint16_t viewer, const net::VideoShow& m) {
    std::vector<net::VideoStreamId> list;
    for (const auto& id : m.streams)
        if (std::find(list.begin(), list.end(), id) == list.end()) list.push_back(id);
    for (auto& [key, s] : streams_) {
        const bool wanted = std::find(list.begin(), list.end(), s.info.stream) != list.end();
        if (wanted) addView(s, viewer);
        else std::erase_if(s.views, [&](const View& v) { return v.viewer == viewer; });
    }
    if (list.empty()) shown_.erase(viewer);
    else shown_[viewer] = std::move(list);
}

VideoHost::Verdict VideoHost::onFragment(std::uint16_t sender, const net::VideoFragment& f, double now, std::vector<std::uint16_t>& to) {
    to.clear();
    if (f.stream.publisher != sender) {
        ++stats_.spoofed;
        return Verdict::Spoofed;
    }
    const auto it = streams_.find(f.stream.packed());
    if (it == streams_.end()) {
        ++stats_.notPublished;
        return Verdict::NotPublished;
    }
    Stream& s = it->second;
    ++stats_.fragmentsIn;
    const double wire = static_cast<double>(f.size) + 14.0 + config_.wireOverheadBytes;
    stats_.bytesIn += f.size;
    s.sinceTick[std::min<std::size_t>(f.layer, net::kMaxVideoLayers - 1)] += wire;
    if (f.keyframe) {
        if (s.keyframeFrame != f.frame || s.keyframeSum == 0) {
            s.keyframeFrame = f.frame;
            s.keyframeSum = 0;
        }
        s.keyframeSum += wire;
        s.keyframeBytes = std::max(s.keyframeBytes * 0.5, s.keyframeSum);   // the newest key frame, as its fragments arrive
    }
    (void)now;
    for (View& v : s.views) {
        if (!v.decided || v.frame != f.frame) {
            bool forward = false;
            switch (v.tier) {
            case net::VideoTier::Full:
            case net::VideoTier::Reduced: forward = f.keyframe || f.layer < v.layers; break;
            case net::VideoTier::Still: forward = f.keyframe; break;
            case net::VideoTier::Off:
            case net::VideoTier::Count: forward = false; break;
            }
            if (forward && !f.keyframe && v.needsKey) forward = false;            // it could not decode it
            if (forward && f.layer > 0 && congested_ && congested_(v.viewer)) forward = false;   // shed the top now, the tier follows
            if (forward && f.keyframe) v.needsKey = false;
            if (!forward) ++stats_.framesShed;
            v.decided = true;
            v.frame = f.frame;
            v.forward = forward;
        }
        if (v.forward) {
            to.push_back(v.viewer);
            ++stats_.fragmentsForwarded;
            stats_.bytesForwarded += f.size;
        }
    }
    return Verdict::Forward;
}

bool VideoHost::ask(Stream& s, double now, Tick* out) {
    if (now - s.lastAsk < config_.keyframeInterval) {
        ++stats_.keyframesLimited;
        return false;
    }
    s.lastAsk = now;
    ++stats_.keyframesRelayed;
    if (out) out->keyframes.emplace_back(s.info.stream.publisher, s.info.stream);
    return true;
}

std::optional<std::uint16_t> VideoHost::onKeyframeRequest(std::uint16_t viewer, net::VideoStreamId stream, double now) {
    const auto it = streams_.find(stream.packed());
    if (it == streams_.end()) return std::nullopt;
    Stream& s = it->second;
    const auto v = std::find_if(s.views.begin(), s.views.end(), [&](const View& x) { return x.viewer == viewer; });
    if (v == s.views.end()) return std::nullopt;
    if (v->tier == net::VideoTier::Still || v->tier == net::VideoTier::Off) return std::nullopt;   // the host paces those
    v->needsKey = true;   // what it has does not decode: hold its delta frames until the key frame
    if (!ask(s, now, nullptr)) return std::nullopt;
    return s.info.stream.publisher;
}

double VideoHost::costOf(const Stream& s, std::uint32_t layers) const {
    double c = 0;
    for (std::uint32_t l = 0; l < layers && l < net::kMaxVideoLayers; ++l) c += s.rate[l];
    return c;
}

double VideoHost::stillCost(const Stream& s) const { return s.keyframeBytes / config_.stillInterval; }

void VideoHost::tick(double now, std::uint32_t, Tick& out) {
    out.tiers.clear();
    out.keyframes.clear();
    // Rates: each layer's bytes per second over windows of rateSeconds
    // (base frames come in bursts a few ticks apart: a per-tick average
    // would swing by a quarter and flap the tiers), half the newest window.
    for (auto& [key, s] : streams_) {
        if (s.lastTick < 0) s.lastTick = now;   // the window's start
        const double span = now - s.lastTick;
        if (span < config_.rateSeconds) continue;
        for (std::size_t l = 0; l < net::kMaxVideoLayers; ++l) {
            const double sample = s.sinceTick[l] / span;
            s.rate[l] = s.rate[l] == 0 ? sample : 0.5 * (s.rate[l] + sample);
        }
        s.sinceTick.fill(0);
        s.lastTick = now;
    }
    // Each viewer's allowance, spent on its streams in its order.
    for (const auto& [slot, list] : shown_) {
        const std::uint16_t viewer = slot;   // a plain copy: lambdas may not capture a structured binding (clang 14)
        double left = allowance_ ? allowance_(viewer) : 0.0;
        for (const auto& id : list) {
            const auto it = streams_.find(id.packed());
            if (it == streams_.end()) continue;
            Stream& s = it->second;
            const auto vit = std::find_if(s.views.begin(), s.views.end(), [&](const View& x) { return x.viewer == viewer; });
            if (vit == s.views.end()) continue;
            View& v = *vit;
            const std::uint32_t have = (v.tier == net::VideoTier::Full || v.tier == net::VideoTier::Reduced) ? v.layers : 0;
            std::uint32_t fit = 0;
            while (fit < s.info.layers && costOf(s, fit + 1) <= left) ++fit;
            std::uint32_t next = have;
            if (fit < have) {
                next = fit;   // down at once
                v.fitsSince = -1;
            } else if (fit > have) {
                const bool roomy = costOf(s, have + 1) * config_.upgradeMargin <= left;
                if (!roomy) v.fitsSince = -1;
                else if (v.fitsSince < 0) v.fitsSince = now;
                else if (now - v.fitsSince >= config_.upgradeSeconds) {
                    next = have + 1;   // up one layer at a time
                    v.fitsSince = now;
                }
            } else {
                v.fitsSince = -1;
            }
            net::VideoTier tier;
            if (next > 0) tier = next == s.info.layers ? net::VideoTier::Full : net::VideoTier::Reduced;
            else tier = stillCost(s) <= left ? net::VideoTier::Still : net::VideoTier::Off;
            if (have == 0 && next > 0) v.needsKey = true;   // back from a still picture or off: start at a key frame
            if (tier != v.tier || (next > 0 && next != v.layers)) ++stats_.tierChanges;
            v.tier = tier;
            if (next > 0) v.layers = next;
            left -= next > 0 ? costOf(s, next) : (tier == net::VideoTier::Still ? stillCost(s) : 0.0);
            left = std::max(0.0, left);
            const net::VideoTierMsg msg{id, tier, next};
            if (!v.told || !(v.toldAs == msg)) {
                v.told = true;
                v.toldAs = msg;
                out.tiers.emplace_back(viewer, msg);
            }
        }
    }
    // Key frames the host wants: a receiver waiting for one, and still pictures.
    for (auto& [key, s] : streams_) {
        bool waiting = false, still = false;
        for (const View& v : s.views) {
            waiting = waiting || ((v.tier == net::VideoTier::Full || v.tier == net::VideoTier::Reduced) && v.needsKey);
            still = still || v.tier == net::VideoTier::Still;
        }
        if (still && now - s.lastStill >= config_.stillInterval) {
            if (ask(s, now, &out)) s.lastStill = now;
        } else if (waiting && now - s.lastAsk >= 1.0) {
            ask(s, now, &out);   // the receiver asks too; this covers a request lost with its link
        }
    }
}

void VideoHost::publish(net::ObjectTable& objects) {
    if (!dirty_) return;
    dirty_ = false;
    for (const net::ObjectKey& k : published_)
        if (!streams_.contains(k.id)) objects.remove(k);
    published_.clear();
    for (const auto& [key, s] : streams_) {
        net::ObjectBytes b;
        if (!encodeVideoObject(s.info, b)) continue;
        if (objects.set(keyOf(s.info.stream), b.view())) published_.push_back(keyOf(s.info.stream));
    }
}

void VideoHost::endStream(std::map<std::uint16_t, Stream>::iterator it, std::uint32_t tick) {
    const net::VideoStreamId id = it->second.info.stream;
    streams_.erase(it);
    // Nobody keeps a stale id: a later publisher in the slot must be asked for again.
    for (auto sit = shown_.begin(); sit != shown_.end();) {
        std::erase(sit->second, id);
        sit = sit->second.empty() ? shown_.erase(sit) : std::next(sit);
    }
    dirty_ = true;
    if (events_) {
        sim::RoomEvent e;
        e.tick = tick;
        e.actor = core::EntityId{id.publisher};
        e.kind = sim::RoomEventKind::VideoStopped;
        e.panel = id.packed();
        e.value = static_cast<std::uint32_t>(id.kind);
        events_->push(e);
    }
}

void VideoHost::leave(std::uint16_t slot, std::uint32_t tick) {
    for (auto it = streams_.begin(); it != streams_.end();) {
        if (it->second.info.stream.publisher == slot) {
            endStream(it, tick);
            it = streams_.lower_bound(0);   // endStream erased it: start over (a handful of streams)
            continue;
        }
        std::erase_if(it->second.views, [&](const View& v) { return v.viewer == slot; });
        ++it;
    }
    shown_.erase(slot);
}

std::vector<VideoStreamInfo> VideoHost::streams() const {
    std::vector<VideoStreamInfo> out;
    for (const auto& [key, s] : streams_) out.push_back(s.info);
    return out;
}

std::array<double, net::kMaxVideoLayers> VideoHost::layerRates(net::VideoStreamId stream) const {
    const auto it = streams_.find(stream.packed());
    return it == streams_.end() ? std::array<double, net::kMaxVideoLayers>{} : it->second.rate;
}

std::optional<net::VideoTierMsg> VideoHost::tierOf(std::uint16_t viewer, net::VideoStreamId stream) const {
    const auto it = streams_.find(stream.packed());
    if (it == streams_.end()) return std::nullopt;
    for (const View& v : it->second.views)
        if (v.viewer == viewer) {
            const bool layered = v.tier == net::VideoTier::Full || v.tier == net::VideoTier::Reduced;
            return net::VideoTierMsg{stream, v.tier, layered ? v.layers : 0};
        }
    return std::nullopt;
}

} // namespace caseroom::session
