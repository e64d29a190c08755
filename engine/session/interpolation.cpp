#include "session/interpolation.h"

#include <algorithm>
#include <cmath>

namespace caseroom::session {

sim::AvatarPose lerpPose(const sim::AvatarPose& a, const sim::AvatarPose& b, float t) {
    // Sitting down or standing up is a posture change, not a walk: snap.
    if (a.seat != b.seat) return t < 0.5f ? a : b;
    sim::AvatarPose r = b;
    r.body = a.body + (b.body - a.body) * t;
    r.bodyYaw = sim::wrapAngle(a.bodyYaw + sim::wrapAngle(b.bodyYaw - a.bodyYaw) * t);
    r.headOffset = a.headOffset + (b.headOffset - a.headOffset) * t;
    r.head = glm::slerp(a.head, b.head, t);
    for (int h = 0; h < 2; ++h) {
        r.hands[h].offset = a.hands[h].offset + (b.hands[h].offset - a.hands[h].offset) * t;
        r.hands[h].rotation = glm::slerp(a.hands[h].rotation, b.hands[h].rotation, t);
    }
    r.voiceLevel = t < 0.5f ? a.voiceLevel : b.voiceLevel;
    return r;
}

void InterpolationBuffer::push(std::uint32_t tick, const sim::AvatarPose& pose) {
    std::uint32_t at = count_;
    while (at > 0 && ticks_[at - 1] > tick) --at;
    if (at > 0 && ticks_[at - 1] == tick) return; // duplicate
    if (count_ == kCapacity) {
        if (at == 0) return; // older than everything held: useless
        // Drop the oldest to make room.
        std::move(ticks_.begin() + 1, ticks_.begin() + count_, ticks_.begin());
        std::move(poses_.begin() + 1, poses_.begin() + count_, poses_.begin());
        --count_;
        --at;
    }
    std::move_backward(ticks_.begin() + at, ticks_.begin() + count_, ticks_.begin() + count_ + 1);
    std::move_backward(poses_.begin() + at, poses_.begin() + count_, poses_.begin() + count_ + 1);
    ticks_[at] = tick;
    poses_[at] = pose;
    ++count_;
}

std::optional<sim::AvatarPose> InterpolationBuffer::sample(double t) const {
    if (count_ == 0) return std::nullopt;
    if (t <= ticks_[0]) return poses_[0];
    if (t >= ticks_[count_ - 1]) return poses_[count_ - 1];
    std::uint32_t i = 1;
    while (ticks_[i] < t) ++i;
    const double t0 = ticks_[i - 1], t1 = ticks_[i];
    return lerpPose(poses_[i - 1], poses_[i], static_cast<float>((t - t0) / (t1 - t0)));
}

void InterpolationBuffer::discardBefore(double t) {
    // Keep the newest sample at or before t: it is the left end of the span.
    std::uint32_t keepFrom = 0;
    while (keepFrom + 1 < count_ && ticks_[keepFrom + 1] <= t) ++keepFrom;
    if (keepFrom == 0) return;
    std::move(ticks_.begin() + keepFrom, ticks_.begin() + count_, ticks_.begin());
    std::move(poses_.begin() + keepFrom, poses_.begin() + count_, poses_.begin());
    count_ -= keepFrom;
}

void ServerClock::observe(std::uint32_t serverTick, double now) {
    const double sample = static_cast<double>(serverTick) - now * rate_;
    if (!valid_) { offset_ = sample; valid_ = true; return; }
    if (sample > offset_) offset_ = sample;                 // we were behind: catch up
    else offset_ -= std::min(0.02, (offset_ - sample) * 0.01); // drift back slowly, never jump back
}

double ServerClock::estimate(double now) const { return now * rate_ + offset_; }

} // namespace caseroom::session
