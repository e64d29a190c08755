// I420 frames, PSNR and the test pattern (media/video_frame.h).
//
// Test pattern layout, rows split at even lines t1 = h/3, t2 = 2h/3:
//   [0, t1)   eight 75 % colour bars (BT.601 limited range, EBU order);
//   [t1, t2)  a diagonal luma gradient 16..235 with gentle chroma ramps;
//   [t2, h)   a dark band with a yellow square, 1/8 of the width, moving one
//             step (an even number of pixels) per frame, and on top of it,
//             at the bottom left, the frame counter.
// The counter: 16 blocks, LSB first, white (Y 235) for 1 and black (Y 16)
// for 0, neutral chroma. A block is max(8, w/40) pixels rounded up to a
// multiple of 8 and every block starts on an 8-pixel line, so no codec block
// straddles two counter blocks and a lossy encode at a low bitrate still
// leaves each block's inner part close to 16 or 235. Blocks run left to
// right and, on a frame too narrow for 16 in a row, wrap onto more rows
// (frames too small for them carry no counter; testPatternIndex says -1).
// Integer arithmetic only, so every machine gives the same bytes.
#include "media/video_frame.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace caseroom::media {

namespace {

constexpr std::uint32_t kMinSide = 16, kMaxSide = 4096;
constexpr std::uint32_t kCounterBits = 16;
constexpr std::uint8_t kWhite = 235, kBlack = 16, kNeutral = 128;
// Reading a block: its inner mean against mid-grey; a mean within this of
// 125 is neither (the frame is not a test pattern, or too damaged to read).
constexpr std::uint32_t kMidGrey = 125, kAmbiguous = 12;

bool sizeOk(std::uint32_t w, std::uint32_t h) {
    return w >= kMinSide && w <= kMaxSide && h >= kMinSide && h <= kMaxSide && w % 2 == 0 && h % 2 == 0;
}

struct Yuv {
    std::uint8_t y, u, v;
};
// 75 % bars (R, G, B each 0 or 0.75), Y' = 16 + 219 E'y, Cb = 128 + 224 (E'b - E'y) / 1.772,
// Cr = 128 + 224 (E'r - E'y) / 1.402 with BT.601 weights, rounded: white, yellow,
// cyan, green, magenta, red, blue, black.
constexpr Yuv kBars[8] = {{180, 128, 128}, {162, 44, 142}, {131, 156, 44}, {112, 72, 58},
                          {84, 184, 198},  {65, 100, 212}, {35, 212, 114}, {16, 128, 128}};
constexpr Yuv kBackground{48, 128, 128};
constexpr Yuv kSquare{210, 16, 146}; // 100 % yellow

struct CounterLayout {
    std::uint32_t block = 0, cols = 0, rows = 0, y0 = 0;
    bool fits = false;
};

CounterLayout counterLayout(std::uint32_t w, std::uint32_t h) {
    CounterLayout c;
    c.block = (std::max<std::uint32_t>(8, w / 40) + 7) / 8 * 8;
    c.cols = std::min(kCounterBits, w / c.block);
    if (c.cols == 0) return c;
    c.rows = (kCounterBits + c.cols - 1) / c.cols;
    if (c.rows * c.block > h) return c;
    c.y0 = (h - c.rows * c.block) / 8 * 8;
    c.fits = true;
    return c;
}

// Top-left corner of counter block `bit`.
void blockOrigin(const CounterLayout& c, std::uint32_t bit, std::uint32_t& x, std::uint32_t& y) {
    x = (bit % c.cols) * c.block;
    y = c.y0 + (bit / c.cols) * c.block;
}

void fillRect(I420Frame& f, std::uint32_t x0, std::uint32_t y0, std::uint32_t x1, std::uint32_t y1, Yuv c) {
    // Even corners (callers keep them so): the chroma covers exactly the luma.
    const std::uint32_t cw = f.width / 2;
    for (std::uint32_t y = y0; y < y1; ++y)
        std::fill(f.y.begin() + y * f.width + x0, f.y.begin() + y * f.width + x1, c.y);
    for (std::uint32_t y = y0 / 2; y < y1 / 2; ++y) {
        std::fill(f.u.begin() + y * cw + x0 / 2, f.u.begin() + y * cw + x1 / 2, c.u);
        std::fill(f.v.begin() + y * cw + x0 / 2, f.v.begin() + y * cw + x1 / 2, c.v);
    }
}

// Mean squared difference over planes, as sum and count.
void addSquares(const std::vector<std::uint8_t>& a, const std::vector<std::uint8_t>& b, std::uint64_t& sum,
                std::uint64_t& count) {
    for (std::size_t i = 0; i < a.size(); ++i) {
        const int d = int(a[i]) - int(b[i]);
        sum += std::uint64_t(d * d);
    }
    count += a.size();
}

double psnrOf(std::uint64_t sum, std::uint64_t count) {
    if (count == 0) return 0.0;
    if (sum == 0) return std::numeric_limits<double>::infinity();
    const double mse = double(sum) / double(count);
    return 10.0 * std::log10(255.0 * 255.0 / mse);
}

bool sameShape(const I420Frame& a, const I420Frame& b) {
    return a.valid() && b.valid() && a.width == b.width && a.height == b.height;
}

} // namespace

I420Frame I420Frame::black(std::uint32_t width, std::uint32_t height) {
    I420Frame f;
    f.width = width;
    f.height = height;
    if (!sizeOk(width, height)) return f; // empty planes: valid() says no
    f.y.assign(std::size_t(width) * height, kBlack);
    f.u.assign(std::size_t(width / 2) * (height / 2), kNeutral);
    f.v.assign(std::size_t(width / 2) * (height / 2), kNeutral);
    return f;
}

bool I420Frame::valid() const {
    if (!sizeOk(width, height)) return false;
    const std::size_t chroma = std::size_t(width / 2) * (height / 2);
    return y.size() == std::size_t(width) * height && u.size() == chroma && v.size() == chroma;
}

double psnrLuma(const I420Frame& a, const I420Frame& b) {
    if (!sameShape(a, b)) return 0.0;
    std::uint64_t sum = 0, count = 0;
    addSquares(a.y, b.y, sum, count);
    return psnrOf(sum, count);
}

double psnrAll(const I420Frame& a, const I420Frame& b) {
    if (!sameShape(a, b)) return 0.0;
    std::uint64_t sum = 0, count = 0;
    addSquares(a.y, b.y, sum, count);
    addSquares(a.u, b.u, sum, count);
    addSquares(a.v, b.v, sum, count);
    return psnrOf(sum, count);
}

I420Frame testPattern(std::uint32_t width, std::uint32_t height, std::uint32_t index) {
    I420Frame f = I420Frame::black(width, height);
    if (!f.valid()) return f;
    const std::uint32_t w = width, h = height, cw = w / 2;
    const std::uint32_t t1 = h / 3 / 2 * 2, t2 = 2 * h / 3 / 2 * 2;

    // Colour bars: bar i covers luma columns [i w / 8, (i + 1) w / 8); a chroma
    // sample takes the bar of its left luma column.
    for (std::uint32_t y = 0; y < t1; ++y)
        for (std::uint32_t x = 0; x < w; ++x) f.y[y * w + x] = kBars[x * 8 / w].y;
    for (std::uint32_t y = 0; y < t1 / 2; ++y)
        for (std::uint32_t x = 0; x < cw; ++x) {
            f.u[y * cw + x] = kBars[2 * x * 8 / w].u;
            f.v[y * cw + x] = kBars[2 * x * 8 / w].v;
        }

    // Gradient: luma along the diagonal, Cb along x, Cr down the band (80..176).
    const std::uint32_t band = t2 - t1;
    const std::uint32_t dmax = std::max<std::uint32_t>(1, (w - 1) + (band > 0 ? band - 1 : 0));
    for (std::uint32_t y = t1; y < t2; ++y)
        for (std::uint32_t x = 0; x < w; ++x)
            f.y[y * w + x] = std::uint8_t(16 + 219 * (x + (y - t1)) / dmax);
    for (std::uint32_t y = t1 / 2; y < t2 / 2; ++y)
        for (std::uint32_t x = 0; x < cw; ++x) {
            f.u[y * cw + x] = std::uint8_t(80 + 96 * x / cw);
            f.v[y * cw + x] = std::uint8_t(80 + 96 * (y - t1 / 2) / std::max<std::uint32_t>(1, band / 2));
        }

    // Bottom band and the moving square (even position, even side).
    fillRect(f, 0, t2, w, h, kBackground);
    const std::uint32_t side = std::max<std::uint32_t>(2, w / 8 / 2 * 2);
    const std::uint32_t step = std::max<std::uint32_t>(2, w / 64 / 2 * 2);
    const std::uint64_t positions = (w - side) / 2 + 1; // even x in [0, w - side]
    const auto sx = std::uint32_t(2 * ((std::uint64_t(index) * (step / 2)) % positions));
    fillRect(f, sx, t2, sx + side, std::min(h, t2 + side), kSquare);

    // The counter, last, over whatever lies there.
    const CounterLayout c = counterLayout(w, h);
    if (c.fits)
        for (std::uint32_t bit = 0; bit < kCounterBits; ++bit) {
            std::uint32_t bx = 0, by = 0;
            blockOrigin(c, bit, bx, by);
            const std::uint8_t lum = (index >> bit) & 1u ? kWhite : kBlack;
            fillRect(f, bx, by, bx + c.block, by + c.block, Yuv{lum, kNeutral, kNeutral});
        }
    f.ptsUs = 0;
    return f;
}

std::int32_t testPatternIndex(const I420Frame& f) {
    if (!f.valid()) return -1;
    const CounterLayout c = counterLayout(f.width, f.height);
    if (!c.fits) return -1;
    // The inner part: a quarter of the block in from each side, away from the
    // edges a codec smears.
    const std::uint32_t margin = c.block / 4;
    std::int32_t value = 0;
    for (std::uint32_t bit = 0; bit < kCounterBits; ++bit) {
        std::uint32_t bx = 0, by = 0;
        blockOrigin(c, bit, bx, by);
        std::uint64_t sum = 0, count = 0;
        for (std::uint32_t y = by + margin; y < by + c.block - margin; ++y)
            for (std::uint32_t x = bx + margin; x < bx + c.block - margin; ++x) {
                sum += f.y[std::size_t(y) * f.width + x];
                ++count;
            }
        // mean > 125 + 12 reads 1, mean < 125 - 12 reads 0, else unreadable.
        if (sum > (kMidGrey + kAmbiguous) * count) value |= std::int32_t(1) << bit;
        else if (sum >= (kMidGrey - kAmbiguous) * count) return -1;
    }
    return value;
}

void addLumaNoise(I420Frame& f, std::uint32_t seed, std::uint32_t amplitude) {
    std::uint32_t x = seed * 2654435761u + 1;
    const auto span = static_cast<int>(2 * amplitude + 1);
    for (auto& y : f.y) {
        x = x * 1664525u + 1013904223u;
        const int noise = static_cast<int>((x >> 8) % static_cast<std::uint32_t>(span)) - static_cast<int>(amplitude);
        y = static_cast<std::uint8_t>(std::clamp(static_cast<int>(y) + noise, 16, 235));
    }
}

} // namespace caseroom::media
