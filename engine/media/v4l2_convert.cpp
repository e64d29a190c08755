// The pure half of the V4L2 source (media/v4l2_source.h): mode choice and
// buffer conversion. No V4L2 headers here; MJPEG goes through libturbojpeg.
// [SECTION] names and mode choice
// [SECTION] resampling (crop, scale)
// [SECTION] YUYV
// [SECTION] MJPEG
// [SECTION] convertV4l2Buffer
#include "media/v4l2_source.h"

#include <turbojpeg.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <tuple>

namespace caseroom::media {

// [SECTION] names and mode choice

const char* toString(V4l2Pixel p) {
    switch (p) {
    case V4l2Pixel::Yuyv: return "YUYV";
    case V4l2Pixel::Mjpeg: return "MJPEG";
    case V4l2Pixel::Count: break;
    }
    return "?";
}

std::optional<V4l2Mode> chooseV4l2Mode(std::span<const V4l2Mode> modes, std::uint32_t width, std::uint32_t height,
                                       double fps) {
    if (modes.empty()) return std::nullopt;
    const auto area = [](const V4l2Mode& m) { return std::uint64_t(m.width) * m.height; };
    const auto covers = [&](const V4l2Mode& m) { return m.width >= width && m.height >= height; };
    // The size: the smallest covering one, else the largest.
    const V4l2Mode* size = nullptr;
    for (const V4l2Mode& m : modes) {
        if (!size) { size = &m; continue; }
        const bool c = covers(m), sc = covers(*size);
        if (c != sc) { if (c) size = &m; continue; }
        if (c ? area(m) < area(*size) : area(m) > area(*size)) size = &m;
    }
    const std::uint32_t w = size->width, h = size->height;
    const V4l2Pixel preferred = std::uint64_t(w) * h > 640u * 480u ? V4l2Pixel::Mjpeg : V4l2Pixel::Yuyv;
    // At that size: rank (meets the rate, preferred pixel, rate closeness); smaller is better.
    const auto rank = [&](const V4l2Mode& m) {
        const bool meets = m.fps >= fps * 0.99;
        return std::tuple(meets ? 0 : 1, m.pixel == preferred ? 0 : 1, meets ? m.fps : -m.fps);
    };
    const V4l2Mode* best = nullptr;
    for (const V4l2Mode& m : modes)
        if (m.width == w && m.height == h && (!best || rank(m) < rank(*best))) best = &m;
    return *best;
}

// [SECTION] resampling

namespace {

constexpr std::uint32_t kMinOut = 16, kMaxOut = 4096, kMinIn = 16, kMaxIn = 8192;
constexpr int kWeightBits = 14;   // filter weights sum to 1 << 14
constexpr int kMidBits = 8;       // the horizontal pass keeps 8 fraction bits

std::string sizeText(std::uint32_t w, std::uint32_t h) { return std::to_string(w) + "x" + std::to_string(h); }

// One axis of a resampling: output sample i reads source samples
// first[i] .. first[i] + n - 1 with weights w[i * n + k], which sum to 1 << 14.
struct Axis {
    std::uint32_t n = 0;
    std::vector<std::uint32_t> first;
    std::vector<std::int32_t> w;
};

// Maps the source span [start, start + length) (in samples, fractional) of a
// plane srcSize samples long onto outSize samples: the area under each output
// sample when shrinking, bilinear between centres when growing.
Axis makeAxis(double start, double length, std::uint32_t srcSize, std::uint32_t outSize) {
    Axis a;
    const double scale = length / outSize;
    const bool shrink = scale >= 1.0;
    const double last = double(srcSize - 1);
    // The source span [lo, hi] each output sample reads, clamped to the plane; n the widest.
    std::vector<std::uint32_t> lo(outSize), hi(outSize);
    for (std::uint32_t i = 0; i < outSize; ++i) {
        double l = 0, h = 0;
        if (shrink) {
            const double a0 = start + i * scale, a1 = a0 + scale;
            l = std::floor(a0);
            h = std::ceil(a1) - 1;
            if (h < l) h = l;
        } else {
            l = std::floor(start + (i + 0.5) * scale - 0.5);
            h = l + 1;
        }
        lo[i] = std::uint32_t(std::clamp(l, 0.0, last));
        hi[i] = std::uint32_t(std::clamp(h, 0.0, last));
        a.n = std::max(a.n, hi[i] - lo[i] + 1);
    }
    a.first.resize(outSize);
    a.w.assign(std::size_t(outSize) * a.n, 0);
    std::vector<double> wd(a.n);
    for (std::uint32_t i = 0; i < outSize; ++i) {
        std::fill(wd.begin(), wd.end(), 0.0);
        const std::uint32_t first = std::min(lo[i], srcSize - a.n);
        a.first[i] = first;
        const auto add = [&](double j, double weight) {
            const auto idx = std::uint32_t(std::clamp(j, double(first), double(first + a.n - 1)));
            wd[idx - first] += weight;
        };
        if (shrink) {
            const double a0 = start + i * scale, a1 = a0 + scale;
            for (double j = std::floor(a0); j < a1; j += 1.0) {
                const double cover = std::min(a1, j + 1.0) - std::max(a0, j);
                if (cover > 0) add(j, cover / scale);
            }
        } else {
            const double c = start + (i + 0.5) * scale - 0.5, j0 = std::floor(c), f = c - j0;
            add(j0, 1.0 - f);
            add(j0 + 1.0, f);
        }
        // Quantise, then give the rounding remainder to the largest weight so the sum is exact.
        std::int32_t sum = 0;
        std::uint32_t largest = 0;
        for (std::uint32_t k = 0; k < a.n; ++k) {
            const auto q = std::int32_t(std::lround(wd[k] * (1 << kWeightBits)));
            a.w[std::size_t(i) * a.n + k] = q;
            sum += q;
            if (wd[k] > wd[largest]) largest = k;
        }
        a.w[std::size_t(i) * a.n + largest] += (1 << kWeightBits) - sum;
    }
    return a;
}

// A source plane: rows of `stride` bytes, width x height samples.
struct PlaneView {
    const std::uint8_t* data = nullptr;
    std::size_t stride = 0;
    std::uint32_t width = 0, height = 0;
};

// Resamples `src` into dst (outW x outH, tightly packed) through the two axes.
void resample(const PlaneView& src, const Axis& ax, const Axis& ay, std::uint32_t outW, std::uint32_t outH,
              std::uint8_t* dst) {
    // The horizontal pass over the source rows the vertical filter reads, Q8.
    const std::uint32_t row0 = ay.first.front(), row1 = ay.first.back() + ay.n; // [row0, row1)
    std::vector<std::int32_t> mid(std::size_t(row1 - row0) * outW);
    for (std::uint32_t r = row0; r < row1; ++r) {
        const std::uint8_t* s = src.data + std::size_t(r) * src.stride;
        std::int32_t* m = mid.data() + std::size_t(r - row0) * outW;
        constexpr std::int32_t kRound = 1 << (kWeightBits - kMidBits - 1);
        if (ax.n == 2) { // the common 2:1 shrink and every growth: two taps, unrolled
            for (std::uint32_t x = 0; x < outW; ++x) {
                const std::uint8_t* p = s + ax.first[x];
                const std::int32_t* w = ax.w.data() + std::size_t(x) * 2;
                m[x] = (w[0] * p[0] + w[1] * p[1] + kRound) >> (kWeightBits - kMidBits);
            }
            continue;
        }
        for (std::uint32_t x = 0; x < outW; ++x) {
            const std::uint8_t* p = s + ax.first[x];
            const std::int32_t* w = ax.w.data() + std::size_t(x) * ax.n;
            std::int32_t acc = kRound;
            for (std::uint32_t k = 0; k < ax.n; ++k) acc += w[k] * p[k];
            m[x] = acc >> (kWeightBits - kMidBits);
        }
    }
    // The vertical pass: Q8 * Q14 stays below 2^31 (255 * 2^8 * 2^14).
    constexpr int kShift = kWeightBits + kMidBits;
    std::vector<std::int32_t> acc(outW);
    for (std::uint32_t y = 0; y < outH; ++y) {
        const std::int32_t* w = ay.w.data() + std::size_t(y) * ay.n;
        const std::int32_t* m = mid.data() + std::size_t(ay.first[y] - row0) * outW;
        std::fill(acc.begin(), acc.end(), 1 << (kShift - 1));
        std::int32_t* a = acc.data();
        for (std::uint32_t k = 0; k < ay.n; ++k) {
            const std::int32_t wk = w[k];
            const std::int32_t* mk = m + std::size_t(k) * outW;
            for (std::uint32_t x = 0; x < outW; ++x) a[x] += wk * mk[x];
        }
        std::uint8_t* d = dst + std::size_t(y) * outW;
        for (std::uint32_t x = 0; x < outW; ++x) d[x] = std::uint8_t(std::clamp(acc[x] >> kShift, 0, 255));
    }
}

// A decoded picture: a luma plane and two chroma planes that cover it at
// (cx, cy) chroma samples per luma sample.
struct Planar {
    PlaneView y, u, v;
    double cx = 1, cy = 1;
};

// Centre-crops `in` to the aspect of outW x outH and scales it into an I420 frame.
I420Frame cropScale(const Planar& in, std::uint32_t outW, std::uint32_t outH) {
    const double w = in.y.width, h = in.y.height;
    double cropW = w, cropH = h;
    if (w * outH > h * outW) cropW = h * outW / outH;
    else cropH = w * outH / outW;
    const double x0 = (w - cropW) / 2, y0 = (h - cropH) / 2;
    I420Frame f;
    f.width = outW;
    f.height = outH;
    f.y.resize(std::size_t(outW) * outH);
    f.u.resize(std::size_t(outW / 2) * (outH / 2));
    f.v.resize(f.u.size());
    resample(in.y, makeAxis(x0, cropW, in.y.width, outW), makeAxis(y0, cropH, in.y.height, outH), outW, outH,
             f.y.data());
    const Axis cx = makeAxis(x0 * in.cx, cropW * in.cx, in.u.width, outW / 2);
    const Axis cy = makeAxis(y0 * in.cy, cropH * in.cy, in.u.height, outH / 2);
    resample(in.u, cx, cy, outW / 2, outH / 2, f.u.data());
    resample(in.v, cx, cy, outW / 2, outH / 2, f.v.data());
    return f;
}

// [SECTION] YUYV

core::Result<I420Frame> convertYuyv(std::span<const std::uint8_t> buf, std::uint32_t w, std::uint32_t h,
                                    std::uint32_t stride, std::uint32_t outW, std::uint32_t outH) {
    if (w % 2 != 0) return core::Error{"YUYV mode " + sizeText(w, h) + ": width not even"};
    if (stride < 2 * w)
        return core::Error{"YUYV stride " + std::to_string(stride) + " below 2 * width (" + std::to_string(2 * w) +
                           ") for " + sizeText(w, h)};
    const std::size_t need = std::size_t(stride) * (h - 1) + 2 * std::size_t(w);
    if (buf.size() < need)
        return core::Error{"YUYV buffer of " + std::to_string(buf.size()) + " bytes, expected " +
                           std::to_string(need) + " for " + sizeText(w, h) + " (stride " + std::to_string(stride) +
                           ")"};
    // Unpack Y0 U Y1 V into planes (4:2:2 chroma: half width, full height).
    const std::uint32_t cw = w / 2;
    std::vector<std::uint8_t> y(std::size_t(w) * h), u(std::size_t(cw) * h), v(u.size());
    for (std::uint32_t r = 0; r < h; ++r) {
        const std::uint8_t* s = buf.data() + std::size_t(r) * stride;
        std::uint8_t* yr = y.data() + std::size_t(r) * w;
        std::uint8_t* ur = u.data() + std::size_t(r) * cw;
        std::uint8_t* vr = v.data() + std::size_t(r) * cw;
        for (std::uint32_t x = 0; x < cw; ++x, s += 4) {
            yr[2 * x] = s[0];
            ur[x] = s[1];
            yr[2 * x + 1] = s[2];
            vr[x] = s[3];
        }
    }
    Planar p;
    p.y = {y.data(), w, w, h};
    p.u = {u.data(), cw, cw, h};
    p.v = {v.data(), cw, cw, h};
    p.cx = 0.5;
    p.cy = 1.0;
    return cropScale(p, outW, outH);
}

// [SECTION] MJPEG

struct TjDeleter {
    void operator()(void* t) const { tjDestroy(t); }
};

// JFIF's full-range levels to BT.601 limited range (Y 16..235, C 16..240).
void fullToLimited(I420Frame& f) {
    std::uint8_t ly[256], lc[256];
    for (int i = 0; i < 256; ++i) {
        ly[i] = std::uint8_t(16 + (i * 219 + 127) / 255);
        const int c = (i - 128) * 224;
        lc[i] = std::uint8_t(128 + (c >= 0 ? (c + 127) / 255 : -((-c + 127) / 255)));
    }
    for (auto& s : f.y) s = ly[s];
    for (auto& s : f.u) s = lc[s];
    for (auto& s : f.v) s = lc[s];
}

core::Result<I420Frame> convertMjpeg(std::span<const std::uint8_t> buf, std::uint32_t w, std::uint32_t h,
                                     std::uint32_t outW, std::uint32_t outH) {
    if (buf.empty()) return core::Error{"MJPEG frame: empty buffer"};
    std::unique_ptr<void, TjDeleter> tj(tjInitDecompress());
    if (!tj) return core::Error{"MJPEG frame: cannot initialise the JPEG decoder"};
    auto* data = const_cast<unsigned char*>(buf.data()); // TurboJPEG 2.1 takes non-const, reads only
    const auto size = static_cast<unsigned long>(buf.size());
    int jw = 0, jh = 0, subsamp = 0, colorspace = 0;
    if (tjDecompressHeader3(tj.get(), data, size, &jw, &jh, &subsamp, &colorspace) != 0)
        return core::Error{std::string("MJPEG frame: ") + tjGetErrorStr2(tj.get())};
    // TurboJPEG 2.1 may answer a header cut short with success and 0x0.
    if (jw <= 0 || jh <= 0) return core::Error{"MJPEG frame: no picture size in the header (truncated?)"};
    if (std::uint32_t(jw) != w || std::uint32_t(jh) != h)
        return core::Error{"MJPEG frame is " + std::to_string(jw) + "x" + std::to_string(jh) + ", the mode is " +
                           sizeText(w, h)};
    if (colorspace != TJCS_YCbCr && colorspace != TJCS_GRAY)
        return core::Error{"MJPEG frame: colour space " + std::to_string(colorspace) +
                           " not supported (YCbCr or grey only)"};
    if (subsamp < 0 || subsamp >= TJ_NUMSAMP) return core::Error{"MJPEG frame: unknown chroma subsampling"};
    const bool grey = subsamp == TJSAMP_GRAY;
    std::vector<std::uint8_t> planes[3];
    unsigned char* dst[3] = {};
    int strides[3] = {};
    PlaneView views[3];
    for (int c = 0; c < (grey ? 1 : 3); ++c) {
        const int pw = tjPlaneWidth(c, jw, subsamp), ph = tjPlaneHeight(c, jh, subsamp);
        if (pw <= 0 || ph <= 0) return core::Error{"MJPEG frame: bad plane size"};
        planes[c].resize(std::size_t(pw) * std::size_t(ph));
        dst[c] = planes[c].data();
        strides[c] = pw;
        views[c] = {planes[c].data(), std::size_t(pw), std::uint32_t(pw), std::uint32_t(ph)};
    }
    if (tjDecompressToYUVPlanes(tj.get(), data, size, dst, jw, strides, jh, TJFLAG_STOPONWARNING) != 0)
        return core::Error{std::string("MJPEG frame: ") + tjGetErrorStr2(tj.get())};
    // Grey: neutral chroma (full-range 128 stays 128 below).
    static constexpr std::uint8_t kNeutral[1] = {128};
    Planar p;
    p.y = views[0];
    if (grey) {
        p.u = p.v = {kNeutral, 0, 1, 1};
        p.cx = p.cy = 0; // every output chroma sample reads the one neutral sample
    } else {
        p.u = views[1];
        p.v = views[2];
        p.cx = 8.0 / tjMCUWidth[subsamp];
        p.cy = 8.0 / tjMCUHeight[subsamp];
    }
    I420Frame f = cropScale(p, outW, outH);
    fullToLimited(f);
    return f;
}

} // namespace

// [SECTION] convertV4l2Buffer

core::Result<I420Frame> convertV4l2Buffer(V4l2Pixel pixel, std::span<const std::uint8_t> buffer,
                                          std::uint32_t width, std::uint32_t height, std::uint32_t stride,
                                          std::uint32_t outW, std::uint32_t outH) {
    if (outW < kMinOut || outW > kMaxOut || outH < kMinOut || outH > kMaxOut || outW % 2 != 0 || outH % 2 != 0)
        return core::Error{"output size " + sizeText(outW, outH) + " not even and within 16..4096"};
    if (width < kMinIn || width > kMaxIn || height < kMinIn || height > kMaxIn)
        return core::Error{std::string(toString(pixel)) + " mode " + sizeText(width, height) +
                           " outside 16..8192"};
    switch (pixel) {
    case V4l2Pixel::Yuyv: return convertYuyv(buffer, width, height, stride, outW, outH);
    case V4l2Pixel::Mjpeg: return convertMjpeg(buffer, width, height, outW, outH);
    case V4l2Pixel::Count: break;
    }
    return core::Error{"V4L2 buffer: unknown pixel format"};
}

} // namespace caseroom::media
