#include "session/link_scheduler.h"

#include "core/log.h"

#include <algorithm>
#include <cstring>

namespace caseroom::session {

const char* toString(TrafficClass c) {
    switch (c) {
    case TrafficClass::Voice: return "voice";
    case TrafficClass::State: return "state";
    case TrafficClass::Video: return "video";
    case TrafficClass::Media: return "media";
    case TrafficClass::Count: break;
    }
    return "?";
}

TrafficClass trafficClassOf(net::Channel channel) {
    switch (channel) {
    case net::Channel::Voice: return TrafficClass::Voice;
    case net::Channel::Media: return TrafficClass::Media;
    case net::Channel::Video: return TrafficClass::Video;
    default: return TrafficClass::State; // control and state
    }
}

const char* toString(RequestVerdict v) {
    switch (v) {
    case RequestVerdict::Queued: return "queued";
    case RequestVerdict::Unavailable: return "unavailable";
    case RequestVerdict::Refused: return "refused";
    case RequestVerdict::Count: break;
    }
    return "?";
}

void LinkScheduler::addClient(core::PeerId peer, double now) {
    Link& l = links_[peer.value];
    l = Link{};
    l.cap = config_.defaultBytesPerSecond;
    l.estimate = config_.startBytesPerSecond > 0 && config_.startBytesPerSecond < l.cap ? config_.startBytesPerSecond : 0.0;
    updateRate(l, config_.minBytesPerSecond);
    l.last = now;
}

void LinkScheduler::updateRate(Link& l, double floor) {
    l.rate = std::max(floor, l.estimate > 0 ? std::min(l.cap, l.estimate) : l.cap);
}

void LinkScheduler::removeClient(core::PeerId peer) { links_.erase(peer.value); }

void LinkScheduler::setHint(core::PeerId peer, std::uint32_t downlinkKbps) {
    const auto it = links_.find(peer.value);
    if (it == links_.end()) return;
    Link& l = it->second;
    l.hintKbps = downlinkKbps;
    l.cap = config_.defaultBytesPerSecond;
    if (downlinkKbps > 0) l.cap = std::clamp(downlinkKbps * 1000.0 / 8.0, config_.minBytesPerSecond, config_.defaultBytesPerSecond);
    if (l.estimate >= l.cap) l.estimate = 0; // the hint is lower than the estimate: the hint rules
    updateRate(l, config_.minBytesPerSecond);
}

void LinkScheduler::report(core::PeerId peer, const net::LinkReport& r, double now) {
    const auto it = links_.find(peer.value);
    if (it == links_.end()) return;
    Link& l = it->second;
    ++l.counters.reports;
    ++totals_.reports;
    std::uint64_t sent = 0, messages = 0;
    for (std::size_t c = 0; c < l.counters.bytes.size(); ++c) {
        sent += l.counters.bytes[c];
        messages += l.counters.messages[c];
    }
    const double rtt = r.rttMs;
    if (rtt > 0) l.lowestRttMs = l.lowestRttMs > 0 ? std::min(l.lowestRttMs, rtt) : rtt;
    const double dt = now - l.sentAt;
    if (l.sentAt >= 0 && dt > 0.05) {
        // What we sent over the last window: wire bytes, and the payload the
        // client counts (the wire estimate less the per-message overhead).
        // Smoothed over a few reports, with the client's count, so that a
        // burst still in flight at a window's end is not taken for loss.
        const double wire = static_cast<double>(sent - l.sentMark) / dt;
        const double payload = std::max(0.0, wire - static_cast<double>(messages - l.sentMessagesMark) * config_.wireOverheadBytes / dt);
        const double a = l.smoothed ? config_.reportSmoothing : 1.0;
        l.sentWire += a * (wire - l.sentWire);
        l.sentPayload += a * (payload - l.sentPayload);
        l.received += a * (r.receivedBytesPerSecond - l.received);
        l.smoothed = true;
        const double delivered = l.sentPayload > 0 ? std::min(1.0, l.received / l.sentPayload) : 1.0;
        const bool full = l.sentPayload > config_.minBytesPerSecond * 0.5 && delivered < config_.deliveredFloor;
        const bool queueing = l.lowestRttMs > 0 && rtt > l.lowestRttMs + config_.rttGrowthMs;
        if (queueing) {
            // A standing queue at the bottleneck: well under what we sent,
            // so that it drains (again each report while it stands).
            l.estimate = std::max(config_.minBytesPerSecond, std::min(l.rate, l.sentWire * delivered) * config_.queueBackoff);
            l.starting = false;
            ++l.counters.backoffs;
            ++totals_.backoffs;
        } else if (full) {
            l.estimate = std::max(config_.minBytesPerSecond, l.sentWire * delivered * config_.estimateBackoff); // just under what got through
            l.starting = false;
            ++l.counters.backoffs;
            ++totals_.backoffs;
        } else if (l.estimate > 0) {
            l.estimate = l.starting ? l.estimate * config_.startGrowth
                                    : std::max(l.estimate * config_.estimateGrowth, l.estimate + config_.estimateStep);
            if (l.estimate >= l.cap) l.estimate = 0; // back at the cap: no longer limiting
        }
        updateRate(l, config_.minBytesPerSecond);
        CR_LOG_DEBUG("link: peer %u sent %.0f B/s (payload %.0f), received %.0f, rtt %.0f ms (lowest %.0f)%s%s: budget %.0f B/s",
                     peer.value, l.sentWire, l.sentPayload, l.received, rtt, l.lowestRttMs, full ? ", full" : "",
                     queueing ? ", queueing" : "", l.rate);
    }
    l.sentMark = sent;
    l.sentMessagesMark = messages;
    l.sentAt = now;
}

double LinkScheduler::estimate(core::PeerId peer) const {
    const auto it = links_.find(peer.value);
    return it == links_.end() ? 0.0 : it->second.estimate;
}

double LinkScheduler::stateBytesPerTick(const Link& l, double tickRate) const {
    return l.rate * config_.stateShare / tickRate - static_cast<double>(config_.wireOverheadBytes);
}

std::uint32_t LinkScheduler::stateBudget(core::PeerId peer, std::uint32_t configured, double tickRate) const {
    const auto it = links_.find(peer.value);
    if (it == links_.end() || tickRate <= 0) return configured;
    const double perTick = stateBytesPerTick(it->second, tickRate);
    const double lo = std::min<double>(config_.minStateBudgetBytes, configured);
    return static_cast<std::uint32_t>(std::clamp(perTick, lo, static_cast<double>(configured)));
}

std::uint32_t LinkScheduler::staleBudget(core::PeerId peer, double tickRate) const {
    const auto it = links_.find(peer.value);
    if (it == links_.end() || tickRate <= 0) return 0;
    const double perTick = stateBytesPerTick(it->second, tickRate);
    return static_cast<std::uint32_t>(std::clamp(perTick, 0.0, static_cast<double>(config_.maxStaleBudgetBytes)));
}

std::uint32_t LinkScheduler::voiceStreams(core::PeerId peer, std::uint32_t cap) const {
    const auto it = links_.find(peer.value);
    if (it == links_.end()) return cap;
    // During the slow start the link has not shown its limit: talkers are not
    // held back for it (voice is small; the first backoff brings this down).
    const Link& l = it->second;
    const double streams = (l.starting ? l.cap : l.rate) * config_.voiceShare / config_.voiceStreamBytesPerSecond;
    return static_cast<std::uint32_t>(std::clamp(streams, 1.0, static_cast<double>(std::max(1u, cap))));
}

double LinkScheduler::bytesPerSecond(core::PeerId peer) const {
    const auto it = links_.find(peer.value);
    return it == links_.end() ? 0.0 : it->second.rate;
}

void LinkScheduler::charge(core::PeerId peer, net::Channel channel, std::size_t bytes) {
    const auto cls = static_cast<std::size_t>(trafficClassOf(channel));
    const double wire = static_cast<double>(bytes + config_.wireOverheadBytes);
    totals_.bytes[cls] += bytes + config_.wireOverheadBytes;
    ++totals_.messages[cls];
    const auto it = links_.find(peer.value);
    if (it == links_.end()) return;
    Link& l = it->second;
    l.counters.bytes[cls] += bytes + config_.wireOverheadBytes;
    ++l.counters.messages[cls];
    // Voice, state and video (already thinned to its tier) are never
    // refused; they may overdraw, within a bound, so that media (which only
    // spends a positive balance) pays it back.
    l.balance = std::max(l.balance - wire, -l.rate * config_.maxDebtSeconds);
}

RequestVerdict LinkScheduler::request(core::PeerId peer, const net::BlobRequest& req, const ContentStore* content) {
    const auto it = links_.find(peer.value);
    if (it == links_.end()) return RequestVerdict::Refused;
    Link& l = it->second;
    const auto size = content ? content->servedSize(req.hash) : std::nullopt;
    if (!size) {
        ++l.counters.requestsUnavailable;
        ++totals_.requestsUnavailable;
        return RequestVerdict::Unavailable;
    }
    if (req.offset >= *size) { // e.g. a stale resume: the client starts over
        ++l.counters.requestsUnavailable;
        ++totals_.requestsUnavailable;
        return RequestVerdict::Unavailable;
    }
    if (l.pending.size() >= config_.maxPendingRequests) {
        ++l.counters.requestsRefused;
        ++totals_.requestsRefused;
        return RequestVerdict::Refused;
    }
    Pending p;
    p.hash = req.hash;
    p.next = req.offset;
    p.end = static_cast<std::uint32_t>(std::min<std::uint64_t>(*size, static_cast<std::uint64_t>(req.offset) + req.length));
    p.total = *size;
    l.pending.push_back(std::move(p));
    ++l.counters.requestsQueued;
    ++totals_.requestsQueued;
    return RequestVerdict::Queued;
}

void LinkScheduler::refill(Link& l, double now) const {
    if (now > l.last) {
        const double cap = std::max(l.rate * config_.burstSeconds, static_cast<double>(net::kBlobChunkBytes + 64 + config_.wireOverheadBytes));
        l.balance = std::min(cap, l.balance + (now - l.last) * l.rate);
        l.last = now;
    }
}

void LinkScheduler::beginTick(double now) {
    diskRead_ = true;
    for (auto& [id, l] : links_) {
        refill(l, now);
        const std::uint64_t vs = l.counters.of(TrafficClass::Voice) + l.counters.of(TrafficClass::State);
        const std::uint64_t media = l.counters.of(TrafficClass::Media);
        if (l.lastTick >= 0 && now > l.lastTick) {
            const double dt = now - l.lastTick;
            const double a = std::min(1.0, dt / config_.voiceStateSeconds);
            l.voiceState += a * (static_cast<double>(vs - l.voiceStateMark) / dt - l.voiceState);
            l.mediaRate += a * (static_cast<double>(media - l.mediaMark) / dt - l.mediaRate);
        }
        if (l.lastTick < 0 || now > l.lastTick) {
            l.voiceStateMark = vs;
            l.mediaMark = media;
            l.lastTick = now;
        }
    }
}

double LinkScheduler::videoAllowance(core::PeerId peer) const {
    const auto it = links_.find(peer.value);
    if (it == links_.end()) return 0.0;
    const Link& l = it->second;
    const double media = l.pending.empty() ? 0.0 : std::max(l.mediaRate, l.rate * config_.mediaReserve);
    return std::max(0.0, l.rate * config_.videoShare - l.voiceState - media);
}

bool LinkScheduler::videoCongested(core::PeerId peer) const {
    const auto it = links_.find(peer.value);
    return it != links_.end() && static_cast<double>(it->second.videoBytes) > it->second.rate * config_.videoCongestedSeconds;
}

bool LinkScheduler::queueVideo(core::PeerId peer, std::span<const std::uint8_t> bytes) {
    const auto it = links_.find(peer.value);
    if (it == links_.end()) return false;
    Link& l = it->second;
    const double bound = std::max(static_cast<double>(config_.videoQueueMinBytes), l.rate * config_.videoQueueSeconds);
    if (static_cast<double>(l.videoBytes + bytes.size()) > bound) {
        ++l.counters.videoQueueDropped;
        ++totals_.videoQueueDropped;
        return false;
    }
    l.video.emplace_back(bytes.begin(), bytes.end());
    l.videoBytes += bytes.size();
    return true;
}

void LinkScheduler::serveVideo(core::PeerId peer, double now, const std::function<void(std::span<const std::uint8_t>)>& send) {
    const auto it = links_.find(peer.value);
    if (it == links_.end()) return;
    Link& l = it->second;
    refill(l, now);
    while (!l.video.empty() && l.balance > 0) {
        std::vector<std::uint8_t> bytes = std::move(l.video.front());
        l.video.pop_front();
        l.videoBytes -= bytes.size();
        send(bytes);   // charges the link
    }
}

std::size_t LinkScheduler::videoQueued(core::PeerId peer) const {
    const auto it = links_.find(peer.value);
    return it == links_.end() ? 0 : it->second.video.size();
}

void LinkScheduler::serveMedia(core::PeerId peer, ContentStore* content, const std::function<void(const net::BlobChunk&)>& send,
                               const std::function<void(const core::ContentHash&)>& unavailable) {
    const auto it = links_.find(peer.value);
    if (it == links_.end()) return;
    Link& l = it->second;
    while (!l.pending.empty()) {
        if (l.balance <= 0) {
            ++l.counters.mediaDeferred;
            ++totals_.mediaDeferred;
            return;
        }
        Pending& p = l.pending.front();
        if (!p.bytes) {
            p.bytes = content ? content->load(p.hash, diskRead_) : nullptr;
            if (!p.bytes) {
                if (content && content->servedSize(p.hash)) { // not cached and the tick's disk read is taken
                    ++l.counters.mediaWaitingDisk;
                    ++totals_.mediaWaitingDisk;
                    return;
                }
                const core::ContentHash gone = p.hash; // the read failed: the blob is no longer served
                l.pending.pop_front();
                unavailable(gone);
                continue;
            }
            if (p.bytes->size() != p.total) { // cannot happen for a hash-named blob; never mix versions
                const core::ContentHash gone = p.hash;
                l.pending.pop_front();
                unavailable(gone);
                continue;
            }
        }
        const std::uint32_t n = std::min<std::uint32_t>(net::kBlobChunkBytes, p.end - p.next);
        chunk_.hash = p.hash;
        chunk_.offset = p.next;
        chunk_.total = p.total;
        chunk_.size = static_cast<std::uint16_t>(n);
        std::memcpy(chunk_.bytes.data(), p.bytes->data() + p.next, n);
        send(chunk_); // charges the link
        p.next += n;
        if (p.next >= p.end) l.pending.pop_front();
    }
}

const LinkCounters* LinkScheduler::counters(core::PeerId peer) const {
    const auto it = links_.find(peer.value);
    return it == links_.end() ? nullptr : &it->second.counters;
}

std::size_t LinkScheduler::pendingRequests(core::PeerId peer) const {
    const auto it = links_.find(peer.value);
    return it == links_.end() ? 0 : it->second.pending.size();
}

double LinkScheduler::balance(core::PeerId peer) const {
    const auto it = links_.find(peer.value);
    return it == links_.end() ? 0.0 : it->second.balance;
}

} // namespace caseroom::session
