// Interpolation of remote avatars. Samples arrive irregularly (the server
// sends far or still avatars less often), late, duplicated or out of order;
// the buffer keeps them sorted by server tick and answers "the pose at render
// time", holding the last pose rather than extrapolating past it.
#pragma once
#include <array>
#include <cstdint>
#include <optional>

#include "sim/avatar.h"

namespace caseroom::session {

sim::AvatarPose lerpPose(const sim::AvatarPose& a, const sim::AvatarPose& b, float t);

class InterpolationBuffer {
public:
    static constexpr std::uint32_t kCapacity = 32;

    // Adds the pose the server had at `tick`. Duplicates are ignored; a sample
    // older than everything held once the buffer is full is dropped.
    void push(std::uint32_t tick, const sim::AvatarPose& pose);
    // Pose at fractional server tick `t`. Before the first sample: the first;
    // after the last: the last. Empty: nullopt.
    [[nodiscard]] std::optional<sim::AvatarPose> sample(double t) const;
    void clear() { count_ = 0; }
    [[nodiscard]] std::uint32_t size() const { return count_; }
    [[nodiscard]] std::uint32_t newestTick() const { return count_ ? ticks_[count_ - 1] : 0; }
    // Forgets samples no longer needed to answer sample(t) for t >= `t`.
    void discardBefore(double t);

private:
    std::array<std::uint32_t, kCapacity> ticks_{};
    std::array<sim::AvatarPose, kCapacity> poses_{};
    std::uint32_t count_ = 0;
};

// Estimates the server's tick clock from snapshot arrivals: the newest tick
// seen, advanced at the tick rate, smoothed so render time never jumps back.
class ServerClock {
public:
    void reset(double tickRate) { rate_ = tickRate; valid_ = false; }
    void observe(std::uint32_t serverTick, double now);
    // Server tick (fractional) estimated for `now`.
    [[nodiscard]] double estimate(double now) const;
    [[nodiscard]] bool valid() const { return valid_; }

private:
    double rate_ = 30.0;
    double offset_ = 0.0; // serverTick - now * rate
    bool valid_ = false;
};

} // namespace caseroom::session
