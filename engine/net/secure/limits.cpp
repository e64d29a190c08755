#include "net/secure/limits.h"

#include <algorithm>

namespace caseroom::net::secure {

bool TokenBucket::take(double now, double cost) {
    tokens_ = available(now);
    if (now > last_) last_ = now;
    if (tokens_ < cost) return false;
    tokens_ -= cost;
    return true;
}

double TokenBucket::available(double now) const {
    if (!(now > last_)) return tokens_;
    return std::min(burst_, tokens_ + (now - last_) * rate_);
}

RateLimitConfig RateLimitConfig::defaults() {
    RateLimitConfig c;
    // Channel order: Control, State, Voice, Media, Video (net::Channel).
    c.classes[0] = {20, 40, 8 * 1024, 16 * 1024, 2048};
    // State: 30 Hz input plus, while the laser is on, 30 Hz LaserInput.
    c.classes[1] = {100, 150, 16 * 1024, 24 * 1024, 1024};
    // Voice: 10 or 20 ms frames (100 or 50/s) of at most net::VoiceFrame's 408 bytes;
    // CBR speech at the default bitrate is 3.4-3.8 KB/s with headers (F-13).
    c.classes[2] = {110, 150, 8 * 1024, 16 * 1024, 512};
    // Media, client -> server: BlobRequests (41 bytes each, one per 32 KiB
    // fetched: ~8/s at 2 Mbit/s) and deck uploads' BlobPuts (1066 bytes
    // each). The uploader paces itself at session::kUploadBytesPerSecond
    // (192 KiB/s, ~190 puts/s) with a window of session::kUploadWindowBytes;
    // this leaves headroom for both at once and caps what one client can push
    // into the server at ~2.6 Mbit/s (docs/SECURITY.md "Limits").
    c.classes[3] = {320, 480, 320 * 1024, 512 * 1024, 1100};
    // Video, client -> server: one publisher's fragments (net::VideoFragmentMsg,
    // at most 1114 bytes). A camera and a screen share at once run at
    // 600 + 800 kbit/s (media/vp8.h videoProfile) with key frames of up to
    // 63 fragments; this allows 2.5 Mbit/s (~280 fragments/s) with a burst
    // of two key frames, and caps what one client can push into the server.
    c.classes[4] = {300, 160, 320 * 1024, 160 * 1024, 1 + 13 + 1100};
    for (std::size_t i = 5; i < kRateClasses; ++i) c.classes[i] = {0, 0, 0, 0, 0};
    return c;
}

const char* toString(RateVerdict v) {
    switch (v) {
    case RateVerdict::Allow: return "allow";
    case RateVerdict::TooLarge: return "too-large";
    case RateVerdict::RateLimited: return "rate-limited";
    case RateVerdict::BadClass: return "bad-class";
    case RateVerdict::Count: break;
    }
    return "?";
}

PeerRateLimiter::PeerRateLimiter(const RateLimitConfig& config, double now) : limits_(config.classes) {
    for (std::size_t i = 0; i < kRateClasses; ++i) {
        messages_[i] = TokenBucket(limits_[i].messagesPerSecond, limits_[i].messageBurst, now);
        bytes_[i] = TokenBucket(limits_[i].bytesPerSecond, limits_[i].byteBurst, now);
    }
}

RateVerdict PeerRateLimiter::admit(std::uint8_t cls, std::size_t bytes, double now) {
    if (cls >= kRateClasses || limits_[cls].maxMessageBytes == 0) return RateVerdict::BadClass;
    if (bytes > limits_[cls].maxMessageBytes) return RateVerdict::TooLarge;
    // Check both before taking either, so a refused message costs nothing.
    if (messages_[cls].available(now) < 1.0 || bytes_[cls].available(now) < static_cast<double>(bytes))
        return RateVerdict::RateLimited;
    (void)messages_[cls].take(now, 1.0);
    (void)bytes_[cls].take(now, static_cast<double>(bytes));
    return RateVerdict::Allow;
}

bool AddressPeerCap::tryAdd(std::uint32_t host) {
    auto& n = counts_[host];
    if (n >= max_) {
        if (n == 0) counts_.erase(host);
        return false;
    }
    ++n;
    return true;
}

void AddressPeerCap::remove(std::uint32_t host) {
    auto it = counts_.find(host);
    if (it == counts_.end()) return;
    if (--it->second == 0) counts_.erase(it);
}

std::uint32_t AddressPeerCap::count(std::uint32_t host) const {
    auto it = counts_.find(host);
    return it == counts_.end() ? 0 : it->second;
}

StrikeVerdict StrikeCounter::strike(double now, double weight) {
    score_ = score(now);
    if (now > last_) last_ = now;
    score_ += weight;
    return score_ >= config_.threshold ? StrikeVerdict::Disconnect : StrikeVerdict::Keep;
}

double StrikeCounter::score(double now) const {
    if (!(now > last_)) return score_;
    return std::max(0.0, score_ - (now - last_) * config_.decayPerSecond);
}

} // namespace caseroom::net::secure
