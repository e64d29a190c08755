// media: raw video frames (I420: 8-bit Y plane and 2x2-subsampled Cb, Cr
// planes, BT.601 limited range as VP8 carries it) and what every video part
// shares: the frame type, PSNR, and the deterministic test pattern that bots,
// tests and demos send when there is no camera (issue 13).
// Pure header over video_frame.cpp (caseroom_video): no library types.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

namespace caseroom::media {

struct I420Frame {
    std::uint32_t width = 0, height = 0;   // even, 16..4096
    std::vector<std::uint8_t> y;           // width * height, rows top first, tightly packed
    std::vector<std::uint8_t> u, v;        // (width / 2) * (height / 2) each
    std::uint64_t ptsUs = 0;               // capture time, microseconds on the source's clock
    // A black frame (Y 16, Cb = Cr = 128) of that size.
    static I420Frame black(std::uint32_t width, std::uint32_t height);
    [[nodiscard]] bool valid() const;      // sizes even and in range, planes of the right lengths
};

// PSNR in dB of the luma (the quality figure video tests state) and of all
// three planes weighted by size; identical frames give +infinity. Frames must
// have the same size (else 0).
[[nodiscard]] double psnrLuma(const I420Frame& a, const I420Frame& b);
[[nodiscard]] double psnrAll(const I420Frame& a, const I420Frame& b);

// The test pattern, frame `index` at `width` x `height`: colour bars on the
// top third, a smooth diagonal gradient in the middle, a bright 1/8-width
// square moving one step per frame along the bottom third and a 16-bit frame
// counter in black and white blocks at the bottom left (testPatternIndex reads
// it back after a lossy codec). Deterministic: the same index gives the same
// bytes on every machine.
[[nodiscard]] I420Frame testPattern(std::uint32_t width, std::uint32_t height, std::uint32_t index);
// Deterministic noise on the luma (+-amplitude, uniform, clamped to 16..235)
// from `seed`: content as hard to compress as a dim, grainy webcam, for tests
// and benchmarks that need the encoder to work for its bits.
void addLumaNoise(I420Frame& f, std::uint32_t seed, std::uint32_t amplitude = 20);
// The frame counter of a (decoded) test pattern frame: each block read by
// its mean luma against mid-grey; nullopt-like -1 when the blocks do not read.
[[nodiscard]] std::int32_t testPatternIndex(const I420Frame& f);

} // namespace caseroom::media
