// BS.1770-4 meter and the peak limiter (loudness.h).
#include "loudness.h"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace caseroom::replay {
namespace {

constexpr std::uint32_t kStep = kRate / 10;   // 100 ms: the block hop (75 % overlap of 400 ms)
constexpr std::uint32_t kBlockSteps = 4;      // 400 ms
constexpr double kAbsoluteGate = -70.0;       // LUFS
constexpr double kRelativeGate = -10.0;       // LU below the absolutely gated loudness

} // namespace

double loudnessOfPower(double power) { return power > 0 ? -0.691 + 10.0 * std::log10(power) : -HUGE_VAL; }

LoudnessMeter::LoudnessMeter(std::uint32_t channels) : channels_(channels) {
    assert(channels >= 1);
    // BS.1770-4 Table 1 (stage 1, the head's acoustic effect: a high shelf)
    // and Table 2 (stage 2, the RLB weighting: a high-pass), for 48 kHz.
    for (std::uint32_t c = 0; c < channels; ++c) {
        shelf_.push_back({1.53512485958697, -2.69169618940638, 1.19839281085285, -1.69065929318241, 0.73248077421585});
        highPass_.push_back({1.0, -2.0, 1.0, -1.99004745483398, 0.99007225036621});
    }
}

void LoudnessMeter::add(std::span<const float> interleaved) {
    assert(interleaved.size() % channels_ == 0);
    const std::size_t frames = interleaved.size() / channels_;
    for (std::size_t f = 0; f < frames; ++f) {
        for (std::uint32_t c = 0; c < channels_; ++c) {
            const double y = highPass_[c].run(shelf_[c].run(interleaved[f * channels_ + c]));
            subPower_ += y * y;
        }
        if (++subFill_ < kStep) continue;
        // A whole 100 ms step: with the three before it, one 400 ms block.
        if (lastSubs_.size() == kBlockSteps - 1) {
            double sum = subPower_;
            for (double s : lastSubs_) sum += s;
            blockPower_.push_back(sum / (kStep * kBlockSteps));
            lastSubs_.pop_front();
        }
        lastSubs_.push_back(subPower_);
        subPower_ = 0;
        subFill_ = 0;
    }
}

std::optional<double> LoudnessMeter::integrated() const {
    // Absolute gate, then the relative gate against the mean of what passed it.
    double sum = 0;
    std::size_t n = 0;
    for (double p : blockPower_)
        if (loudnessOfPower(p) > kAbsoluteGate) {
            sum += p;
            ++n;
        }
    if (n == 0) return std::nullopt;
    const double relative = loudnessOfPower(sum / static_cast<double>(n)) + kRelativeGate;
    double gatedSum = 0;
    std::size_t gated = 0;
    for (double p : blockPower_) {
        const double l = loudnessOfPower(p);
        if (l > kAbsoluteGate && l > relative) {
            gatedSum += p;
            ++gated;
        }
    }
    if (gated == 0) return std::nullopt;
    return loudnessOfPower(gatedSum / static_cast<double>(gated));
}

// ---- limiter ---------------------------------------------------------------------

PeakLimiter::PeakLimiter(std::uint32_t channels, float ceiling, std::uint32_t lookahead, std::uint32_t release)
    : channels_(channels), ceiling_(ceiling), lookahead_(std::max<std::uint32_t>(lookahead, 2)),
      releaseCoef_(1.0 - std::exp(-1.0 / std::max<std::uint32_t>(release, 1))),
      mRing_(lookahead_, 1.0f), mSum_(static_cast<double>(lookahead_)),
      delay_(static_cast<std::size_t>(lookahead_ - 1) * channels, 0.0f) {}

void PeakLimiter::process(std::span<const float> in, std::vector<float>& out) {
    assert(in.size() % channels_ == 0);
    const std::size_t frames = in.size() / channels_;
    out.resize(in.size());
    const std::size_t delayFrames = lookahead_ - 1;
    for (std::size_t f = 0; f < frames; ++f, ++n_) {
        float peak = 0;
        for (std::uint32_t c = 0; c < channels_; ++c) peak = std::max(peak, std::fabs(in[f * channels_ + c]));
        const float wanted = peak > ceiling_ ? ceiling_ / peak : 1.0f;
        // m[n]: the minimum wanted gain over the last `lookahead` frames.
        while (!minQ_.empty() && minQ_.back().second >= wanted) minQ_.pop_back();
        minQ_.emplace_back(n_, wanted);
        while (minQ_.front().first + lookahead_ <= n_) minQ_.pop_front();
        const float m = minQ_.front().second;
        // s[n]: the mean of the last `lookahead` minima. Every one of them
        // covers frame n - lookahead + 1, so s[n] never exceeds its wanted
        // gain: applied to that (delayed) frame, it cannot pass the ceiling.
        const std::size_t slot = n_ % lookahead_;
        mSum_ += m - mRing_[slot];
        mRing_[slot] = m;
        const double s = mSum_ / lookahead_;
        env_ = std::min(s, env_ + (1.0 - env_) * releaseCoef_);
        const float g = static_cast<float>(std::min(env_, 1.0));
        minGain_ = std::min(minGain_, g);
        // Delay line: out = in[n - lookahead + 1] * g.
        const std::size_t d = (n_ % delayFrames) * channels_;
        for (std::uint32_t c = 0; c < channels_; ++c) {
            const float delayed = delay_[d + c];
            delay_[d + c] = in[f * channels_ + c];
            float y = delayed * g;
            // Rounding in the running mean may leave a hair above; never pass it.
            y = std::clamp(y, -ceiling_, ceiling_);
            out[f * channels_ + c] = y;
        }
    }
}

} // namespace caseroom::replay
