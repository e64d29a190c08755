// Programme loudness (ITU-R BS.1770-4) and a look-ahead sample-peak limiter,
// both pure and streaming over float samples at 48 kHz.
//
// LoudnessMeter: K-weighting (the standard's pre-filter shelf and RLB
// high-pass, its stated coefficients for 48 kHz), mean square per channel in
// 400 ms blocks stepped by 100 ms (75 % overlap), every channel weighted 1.0
// (left, right, centre, mono: no surround channels here), absolute gate
// -70 LUFS, relative gate -10 LU below the absolutely gated loudness.
// Reference (BS.1770-4, Annex 1): a 0 dBFS 997 Hz sine in one channel reads
// -3.01 LUFS. Samples after the last whole 400 ms block are not measured (as
// the standard). A mono programme is measured as its one channel.
//
// PeakLimiter: keeps |sample| <= ceiling on every channel with a short
// look-ahead (the gain ramps down over the look-ahead before a peak, so no
// step in gain) and a smooth release. The output is delayed by
// latency() samples; flush() feeds silence to get the tail out.
// Thread rule: one thread per object.
#pragma once
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <vector>

namespace caseroom::replay {

constexpr std::uint32_t kRate = 48000;  // the only rate here (Opus's)

class LoudnessMeter {
public:
    explicit LoudnessMeter(std::uint32_t channels);
    // Interleaved frames (samples.size() a multiple of channels()).
    void add(std::span<const float> interleaved);
    [[nodiscard]] std::uint32_t channels() const { return channels_; }
    // Integrated (gated) loudness in LUFS; nullopt when no block passes the
    // absolute gate (silence, or shorter than 400 ms).
    [[nodiscard]] std::optional<double> integrated() const;
    // Whole 400 ms blocks measured so far.
    [[nodiscard]] std::size_t blocks() const { return blockPower_.size(); }

private:
    struct Biquad {
        double b0, b1, b2, a1, a2;
        double z1 = 0, z2 = 0;
        double run(double x) {
            const double y = b0 * x + z1;
            z1 = b1 * x - a1 * y + z2;
            z2 = b2 * x - a2 * y;
            return y;
        }
    };
    std::uint32_t channels_;
    std::vector<Biquad> shelf_, highPass_;   // one per channel
    double subPower_ = 0;                     // sum over channels of squares in the current 100 ms step
    std::uint32_t subFill_ = 0;               // samples per channel in it
    std::deque<double> lastSubs_;             // the last 3 whole steps (a block is 4)
    std::vector<double> blockPower_;          // mean square (summed over channels) of each 400 ms block
};

// -0.691 + 10 log10(power): the standard's loudness of a weighted mean square.
[[nodiscard]] double loudnessOfPower(double power);

class PeakLimiter {
public:
    // ceiling: linear (e.g. 10^(-1/20) for -1 dBFS); lookahead and release in samples.
    PeakLimiter(std::uint32_t channels, float ceiling, std::uint32_t lookahead = 72, std::uint32_t release = 2400);
    // Processes interleaved frames; writes as many frames as were given to
    // `out` (delayed by latency(); the first latency() frames are silence).
    void process(std::span<const float> in, std::vector<float>& out);
    [[nodiscard]] std::uint32_t latency() const { return lookahead_ - 1; }
    // The lowest gain applied so far (1: never limited).
    [[nodiscard]] float minGain() const { return minGain_; }

private:
    std::uint32_t channels_;
    float ceiling_;
    std::uint32_t lookahead_;
    double releaseCoef_;
    std::uint64_t n_ = 0;                                 // frames seen
    std::deque<std::pair<std::uint64_t, float>> minQ_;    // sliding minimum of the wanted gain over lookahead frames
    std::vector<float> mRing_;                            // the last lookahead minima (for the moving average)
    double mSum_ = 0;
    std::vector<float> delay_;                            // lookahead-1 frames of input, interleaved (ring)
    double env_ = 1.0;
    float minGain_ = 1.0f;
};

} // namespace caseroom::replay
