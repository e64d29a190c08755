// V4L2 webcam source (media/v4l2_source.h) without a camera: buffers as a
// webcam gives them, made from test pattern frames (YUYV with padded rows,
// MJPEG from tjCompress2 at 4:2:2, MJPEG stripped of its Huffman tables),
// converted back and compared (exactly where the conversion is lossless,
// by luma PSNR through JPEG); bad buffers give errors; mode choice; opening
// paths that are not cameras.
#include <catch2/catch.hpp>

#include <turbojpeg.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "media/v4l2_source.h"
#include "media/video_frame.h"

using namespace caseroom;
using media::I420Frame;
using media::V4l2Mode;
using media::V4l2Pixel;

namespace {

// Luma PSNR floor for 4:2:2 MJPEG at quality 90 of the test pattern,
// through RGB and full-range JFIF levels and back (measured about 40 dB).
constexpr double kMjpegPsnrFloor = 35.0;

// Packs Y0 U Y1 V rows (4:2:0 chroma repeated on both rows), `stride` bytes a
// row, the padding filled with 0xAA so a reader that uses it shows.
std::vector<std::uint8_t> yuyvOf(const I420Frame& f, std::uint32_t stride) {
    std::vector<std::uint8_t> b(std::size_t(stride) * f.height, 0xAA);
    const std::uint32_t cw = f.width / 2;
    for (std::uint32_t y = 0; y < f.height; ++y)
        for (std::uint32_t x = 0; x < cw; ++x) {
            std::uint8_t* p = b.data() + std::size_t(y) * stride + 4 * x;
            p[0] = f.y[y * f.width + 2 * x];
            p[1] = f.u[(y / 2) * cw + x];
            p[2] = f.y[y * f.width + 2 * x + 1];
            p[3] = f.v[(y / 2) * cw + x];
        }
    return b;
}

// BT.601 limited-range I420 to 8-bit RGB, as a camera's pixels before its JPEG encoder.
std::vector<std::uint8_t> rgbOf(const I420Frame& f) {
    std::vector<std::uint8_t> rgb(std::size_t(f.width) * f.height * 3);
    const auto px = [](double v) { return std::uint8_t(std::clamp(std::lround(v), 0L, 255L)); };
    for (std::uint32_t y = 0; y < f.height; ++y)
        for (std::uint32_t x = 0; x < f.width; ++x) {
            const double yy = 1.164 * (f.y[y * f.width + x] - 16);
            const double u = f.u[(y / 2) * (f.width / 2) + x / 2] - 128.0;
            const double v = f.v[(y / 2) * (f.width / 2) + x / 2] - 128.0;
            std::uint8_t* p = rgb.data() + (std::size_t(y) * f.width + x) * 3;
            p[0] = px(yy + 1.596 * v);
            p[1] = px(yy - 0.392 * u - 0.813 * v);
            p[2] = px(yy + 2.017 * u);
        }
    return rgb;
}

std::vector<std::uint8_t> jpegOf(const I420Frame& f, int subsamp = TJSAMP_422, int quality = 90) {
    tjhandle tj = tjInitCompress();
    REQUIRE(tj != nullptr);
    std::vector<std::uint8_t> rgb = rgbOf(f);
    unsigned char* out = nullptr;
    unsigned long size = 0;
    const int r = tjCompress2(tj, rgb.data(), int(f.width), 0, int(f.height), TJPF_RGB, &out, &size, subsamp,
                              quality, 0);
    std::vector<std::uint8_t> jpeg;
    if (r == 0) jpeg.assign(out, out + size);
    tjFree(out);
    tjDestroy(tj);
    REQUIRE(r == 0);
    return jpeg;
}

// Marker segments before the scan, as (marker, offset, length including the marker).
struct Segment {
    std::uint8_t marker;
    std::size_t at, size;
};
std::vector<Segment> segmentsOf(const std::vector<std::uint8_t>& j) {
    std::vector<Segment> out;
    std::size_t p = 2; // after SOI
    while (p + 4 <= j.size() && j[p] == 0xFF) {
        const std::uint8_t m = j[p + 1];
        const std::size_t len = 2 + (std::size_t(j[p + 2]) << 8 | j[p + 3]);
        out.push_back({m, p, len});
        if (m == 0xDA) break; // SOS: the entropy-coded data follows
        p += len;
    }
    return out;
}

// The JPEG without its DHT (FFC4) segments, as many webcams send MJPEG.
std::vector<std::uint8_t> withoutDht(const std::vector<std::uint8_t>& j) {
    std::vector<std::uint8_t> out(j.begin(), j.begin() + 2);
    std::size_t p = 2;
    for (const Segment& s : segmentsOf(j)) {
        if (s.marker == 0xDA) break;
        if (s.marker != 0xC4) out.insert(out.end(), j.begin() + std::ptrdiff_t(s.at), j.begin() + std::ptrdiff_t(s.at + s.size));
        p = s.at + s.size;
    }
    out.insert(out.end(), j.begin() + std::ptrdiff_t(p), j.end());
    return out;
}

std::size_t dhtCount(const std::vector<std::uint8_t>& j) {
    const auto segs = segmentsOf(j);
    return std::size_t(std::count_if(segs.begin(), segs.end(), [](const Segment& s) { return s.marker == 0xC4; }));
}

bool sameFrame(const I420Frame& a, const I420Frame& b) {
    return a.width == b.width && a.height == b.height && a.y == b.y && a.u == b.u && a.v == b.v;
}

// The rounded 2x2 mean of a plane's window (x0, y0, w, h): a reference 2:1 shrink.
std::vector<std::uint8_t> halve(const std::vector<std::uint8_t>& p, std::uint32_t stride, std::uint32_t x0,
                                std::uint32_t y0, std::uint32_t w, std::uint32_t h) {
    std::vector<std::uint8_t> out;
    for (std::uint32_t y = 0; y < h / 2; ++y)
        for (std::uint32_t x = 0; x < w / 2; ++x) {
            const std::size_t i = std::size_t(y0 + 2 * y) * stride + x0 + 2 * x;
            out.push_back(std::uint8_t((p[i] + p[i + 1] + p[i + stride] + p[i + stride + 1] + 2) / 4));
        }
    return out;
}

std::span<const std::uint8_t> bytes(const std::vector<std::uint8_t>& v) { return {v.data(), v.size()}; }

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

} // namespace

TEST_CASE("v4l2 pixel names") {
    CHECK(std::string(media::toString(V4l2Pixel::Yuyv)) == "YUYV");
    CHECK(std::string(media::toString(V4l2Pixel::Mjpeg)) == "MJPEG");
}

TEST_CASE("YUYV at the same size converts exactly, padded rows ignored") {
    const I420Frame src = media::testPattern(320, 240, 1234);
    for (std::uint32_t stride : {640u, 704u}) {
        const auto buf = yuyvOf(src, stride);
        auto r = media::convertV4l2Buffer(V4l2Pixel::Yuyv, bytes(buf), 320, 240, stride, 320, 240);
        REQUIRE(r.ok());
        CHECK(r->valid());
        CHECK(sameFrame(*r, src));
        CHECK(std::isinf(media::psnrLuma(*r, src)));
        CHECK(media::testPatternIndex(*r) == 1234);
    }
    // The last row need not carry its padding.
    auto buf = yuyvOf(src, 704);
    buf.resize(buf.size() - 64);
    CHECK(media::convertV4l2Buffer(V4l2Pixel::Yuyv, bytes(buf), 320, 240, 704, 320, 240).ok());
}

TEST_CASE("YUYV centre crop to 16:9 and 2:1 shrink is the 2x2 mean of the centre") {
    const I420Frame src = media::testPattern(640, 480, 7);
    const auto buf = yuyvOf(src, 1280);
    auto r = media::convertV4l2Buffer(V4l2Pixel::Yuyv, bytes(buf), 640, 480, 1280, 320, 180);
    REQUIRE(r.ok());
    REQUIRE(r->valid());
    // 640x480 cropped to 640x360 from row 60, then halved.
    CHECK(r->y == halve(src.y, 640, 0, 60, 640, 360));
    CHECK(r->u == halve(src.u, 320, 0, 30, 320, 180));
    CHECK(r->v == halve(src.v, 320, 0, 30, 320, 180));
    // Crop from the sides: 4:3 out of 16:9.
    const I420Frame wide = media::testPattern(640, 360, 9);
    const auto wbuf = yuyvOf(wide, 1280);
    auto s = media::convertV4l2Buffer(V4l2Pixel::Yuyv, bytes(wbuf), 640, 360, 1280, 240, 180);
    REQUIRE(s.ok());
    CHECK(s->y == halve(wide.y, 640, 80, 0, 480, 360));
}

TEST_CASE("growing keeps flat areas flat and shrinking back stays close") {
    const I420Frame grey = [] {
        I420Frame f = I420Frame::black(64, 48);
        std::fill(f.y.begin(), f.y.end(), std::uint8_t(100));
        std::fill(f.u.begin(), f.u.end(), std::uint8_t(90));
        return f;
    }();
    auto up = media::convertV4l2Buffer(V4l2Pixel::Yuyv, bytes(yuyvOf(grey, 128)), 64, 48, 128, 176, 132);
    REQUIRE(up.ok());
    CHECK(std::all_of(up->y.begin(), up->y.end(), [](std::uint8_t v) { return v == 100; }));
    CHECK(std::all_of(up->u.begin(), up->u.end(), [](std::uint8_t v) { return v == 90; }));
    CHECK(std::all_of(up->v.begin(), up->v.end(), [](std::uint8_t v) { return v == 128; }));

    const I420Frame src = media::testPattern(320, 240, 3);
    auto big = media::convertV4l2Buffer(V4l2Pixel::Yuyv, bytes(yuyvOf(src, 640)), 320, 240, 640, 640, 480);
    REQUIRE(big.ok());
    auto back = media::convertV4l2Buffer(V4l2Pixel::Yuyv, bytes(yuyvOf(*big, 1280)), 640, 480, 1280, 320, 240);
    REQUIRE(back.ok());
    CAPTURE(media::psnrLuma(*back, src));
    CHECK(media::psnrLuma(*back, src) >= 30.0);
}

TEST_CASE("MJPEG 4:2:2 from the camera's RGB decodes to limited range above the PSNR floor") {
    const I420Frame src = media::testPattern(320, 240, 4321);
    const auto jpeg = jpegOf(src);
    auto r = media::convertV4l2Buffer(V4l2Pixel::Mjpeg, bytes(jpeg), 320, 240, 0, 320, 240);
    REQUIRE(r.ok());
    REQUIRE(r->valid());
    CAPTURE(media::psnrLuma(*r, src), media::psnrAll(*r, src));
    CHECK(media::psnrLuma(*r, src) >= kMjpegPsnrFloor);
    CHECK(media::testPatternIndex(*r) == 4321);
    // Levels: the counter's black (16) and white (235) blocks stay there, not
    // 0 and 255 (full range would be off by 16 and 20).
    std::uint32_t minY = 255, maxY = 0;
    for (std::uint8_t v : r->y) { minY = std::min<std::uint32_t>(minY, v); maxY = std::max<std::uint32_t>(maxY, v); }
    CHECK(minY >= 8);
    CHECK(minY <= 24);
    CHECK(maxY >= 225);
    CHECK(maxY <= 245);
    // Other subsamplings a camera may use, and a 2:1 shrink.
    for (int ss : {TJSAMP_420, TJSAMP_444, TJSAMP_GRAY}) {
        CAPTURE(ss);
        auto o = media::convertV4l2Buffer(V4l2Pixel::Mjpeg, bytes(jpegOf(src, ss)), 320, 240, 0, 320, 240);
        REQUIRE(o.ok());
        CHECK(media::psnrLuma(*o, src) >= kMjpegPsnrFloor);
        if (ss == TJSAMP_GRAY) CHECK(std::all_of(o->u.begin(), o->u.end(), [](std::uint8_t v) { return v == 128; }));
    }
    auto half = media::convertV4l2Buffer(V4l2Pixel::Mjpeg, bytes(jpeg), 320, 240, 0, 160, 120);
    REQUIRE(half.ok());
    auto ref = media::convertV4l2Buffer(V4l2Pixel::Yuyv, bytes(yuyvOf(src, 640)), 320, 240, 640, 160, 120);
    REQUIRE(ref.ok());
    CHECK(media::psnrLuma(*half, *ref) >= kMjpegPsnrFloor);
}

TEST_CASE("odd camera sizes, all subsamplings and extreme aspects convert to valid frames") {
    struct Case {
        std::uint32_t w, h, outW, outH;
    };
    for (const Case c : {Case{16, 16, 16, 16}, Case{176, 144, 4096, 16}, Case{176, 144, 16, 1024},
                         Case{322, 242, 320, 240}, Case{1920, 1080, 16, 16}, Case{100, 60, 1280, 720}}) {
        CAPTURE(c.w, c.h, c.outW, c.outH);
        const I420Frame src = media::testPattern(c.w, c.h, 11);
        auto y = media::convertV4l2Buffer(V4l2Pixel::Yuyv, bytes(yuyvOf(src, 2 * c.w)), c.w, c.h, 2 * c.w, c.outW, c.outH);
        REQUIRE(y.ok());
        CHECK(y->valid());
        CHECK((y->width == c.outW && y->height == c.outH));
        // JPEG one pixel smaller: odd sizes (a YUYV mode cannot be odd-width).
        const I420Frame odd = media::testPattern(c.w, c.h, 12);
        for (int ss : {TJSAMP_422, TJSAMP_420, TJSAMP_411, TJSAMP_440}) {
            CAPTURE(ss);
            const std::uint32_t jw = c.w - 1, jh = c.h - 1;
            auto jpeg = [&] {
                // Compress the top-left jw x jh window of the frame's RGB.
                tjhandle tj = tjInitCompress();
                std::vector<std::uint8_t> rgb = rgbOf(odd);
                unsigned char* out = nullptr;
                unsigned long size = 0;
                const int r = tjCompress2(tj, rgb.data(), int(jw), int(c.w * 3), int(jh), TJPF_RGB, &out, &size, ss, 85, 0);
                std::vector<std::uint8_t> j;
                if (r == 0) j.assign(out, out + size);
                tjFree(out);
                tjDestroy(tj);
                return j;
            }();
            REQUIRE_FALSE(jpeg.empty());
            auto m = media::convertV4l2Buffer(V4l2Pixel::Mjpeg, bytes(jpeg), jw, jh, 0, c.outW, c.outH);
            if (jw < 16 || jh < 16) {
                CHECK_FALSE(m.ok());
                continue;
            }
            REQUIRE(m.ok());
            CHECK(m->valid());
        }
    }
}

TEST_CASE("MJPEG without Huffman tables (webcam style) decodes as with them") {
    const I420Frame src = media::testPattern(320, 240, 77);
    const auto jpeg = jpegOf(src);
    REQUIRE(dhtCount(jpeg) > 0);
    const auto bare = withoutDht(jpeg);
    CHECK(dhtCount(bare) == 0);
    CHECK(bare.size() < jpeg.size());
    auto a = media::convertV4l2Buffer(V4l2Pixel::Mjpeg, bytes(jpeg), 320, 240, 0, 320, 240);
    auto b = media::convertV4l2Buffer(V4l2Pixel::Mjpeg, bytes(bare), 320, 240, 0, 320, 240);
    REQUIRE(a.ok());
    if (!b.ok()) FAIL(b.error().message);
    CHECK(sameFrame(*a, *b));
    CHECK(media::psnrLuma(*b, src) >= kMjpegPsnrFloor);
}

TEST_CASE("bad buffers give errors naming the fault") {
    const I420Frame src = media::testPattern(320, 240, 5);
    const auto yuyv = yuyvOf(src, 640);
    const auto jpeg = jpegOf(src);
    const auto err = [](const core::Result<I420Frame>& r) { return r.ok() ? std::string("(ok)") : r.error().message; };

    std::vector<std::uint8_t> shortBuf(yuyv.begin(), yuyv.end() - 1);
    auto r = media::convertV4l2Buffer(V4l2Pixel::Yuyv, bytes(shortBuf), 320, 240, 640, 320, 240);
    CHECK(contains(err(r), "YUYV buffer of 153599 bytes, expected 153600 for 320x240"));
    CHECK(contains(err(media::convertV4l2Buffer(V4l2Pixel::Yuyv, {}, 320, 240, 640, 320, 240)), "YUYV buffer of 0 bytes"));
    CHECK(contains(err(media::convertV4l2Buffer(V4l2Pixel::Yuyv, bytes(yuyv), 320, 240, 600, 320, 240)), "stride 600"));
    CHECK(contains(err(media::convertV4l2Buffer(V4l2Pixel::Yuyv, bytes(yuyv), 319, 240, 640, 320, 240)), "not even"));
    CHECK(contains(err(media::convertV4l2Buffer(V4l2Pixel::Yuyv, bytes(yuyv), 8, 8, 16, 320, 240)), "outside 16..8192"));
    CHECK(contains(err(media::convertV4l2Buffer(V4l2Pixel::Yuyv, bytes(yuyv), 320, 240, 640, 321, 240)), "output size 321x240"));
    CHECK(contains(err(media::convertV4l2Buffer(V4l2Pixel::Yuyv, bytes(yuyv), 320, 240, 640, 8192, 240)), "output size"));

    CHECK(contains(err(media::convertV4l2Buffer(V4l2Pixel::Mjpeg, {}, 320, 240, 0, 320, 240)), "MJPEG frame: empty"));
    std::vector<std::uint8_t> truncated(jpeg.begin(), jpeg.begin() + std::ptrdiff_t(jpeg.size() / 2));
    const std::string t = err(media::convertV4l2Buffer(V4l2Pixel::Mjpeg, bytes(truncated), 320, 240, 0, 320, 240));
    CAPTURE(t);
    CHECK(t.rfind("MJPEG frame: ", 0) == 0);
    std::vector<std::uint8_t> headerOnly(jpeg.begin(), jpeg.begin() + 40);
    const std::string h = err(media::convertV4l2Buffer(V4l2Pixel::Mjpeg, bytes(headerOnly), 320, 240, 0, 320, 240));
    CAPTURE(h);
    CHECK(h.rfind("MJPEG frame: ", 0) == 0);
    std::vector<std::uint8_t> garbage(5000);
    for (std::size_t i = 0; i < garbage.size(); ++i) garbage[i] = std::uint8_t(i * 131 + 7);
    CHECK(err(media::convertV4l2Buffer(V4l2Pixel::Mjpeg, bytes(garbage), 320, 240, 0, 320, 240)).rfind("MJPEG frame: ", 0) == 0);
    // A YUYV buffer handed over as MJPEG, and a JPEG of another size than the mode.
    CHECK(err(media::convertV4l2Buffer(V4l2Pixel::Mjpeg, bytes(yuyv), 320, 240, 0, 320, 240)).rfind("MJPEG frame: ", 0) == 0);
    CHECK(contains(err(media::convertV4l2Buffer(V4l2Pixel::Mjpeg, bytes(jpeg), 640, 480, 0, 320, 240)),
                   "MJPEG frame is 320x240, the mode is 640x480"));
    // Corrupt scan data: flipped bytes in the middle of the entropy-coded part.
    auto corrupt = jpeg;
    for (std::size_t i = corrupt.size() / 2; i < corrupt.size() / 2 + 64; ++i) corrupt[i] = std::uint8_t(corrupt[i] ^ 0x5A);
    auto c = media::convertV4l2Buffer(V4l2Pixel::Mjpeg, bytes(corrupt), 320, 240, 0, 320, 240);
    if (!c.ok()) CHECK(c.error().message.rfind("MJPEG frame: ", 0) == 0);
    else CHECK(c->valid()); // some damage decodes without a warning: then it is a whole frame
}

TEST_CASE("chooseV4l2Mode") {
    const std::vector<V4l2Mode> cam = {
        {V4l2Pixel::Yuyv, 640, 480, 30},   {V4l2Pixel::Yuyv, 640, 480, 15},   {V4l2Pixel::Mjpeg, 640, 480, 30},
        {V4l2Pixel::Yuyv, 1280, 720, 10},  {V4l2Pixel::Mjpeg, 1280, 720, 30}, {V4l2Pixel::Mjpeg, 1920, 1080, 30},
        {V4l2Pixel::Yuyv, 320, 240, 30},   {V4l2Pixel::Mjpeg, 320, 240, 30},
    };
    const auto pick = [&](std::uint32_t w, std::uint32_t h, double fps) {
        auto m = media::chooseV4l2Mode(cam, w, h, fps);
        REQUIRE(m.has_value());
        return *m;
    };
    const auto is = [](const V4l2Mode& m, V4l2Pixel p, std::uint32_t w, std::uint32_t h, double fps) {
        return m.pixel == p && m.width == w && m.height == h && m.fps == fps;
    };
    CHECK_FALSE(media::chooseV4l2Mode({}, 640, 480, 30).has_value());
    CHECK(is(pick(640, 360, 30), V4l2Pixel::Yuyv, 640, 480, 30));    // smallest covering size; YUYV at 640x480
    CHECK(is(pick(640, 480, 15), V4l2Pixel::Yuyv, 640, 480, 15));    // the lowest rate that meets 15
    CHECK(is(pick(640, 480, 20), V4l2Pixel::Yuyv, 640, 480, 30));
    CHECK(is(pick(1280, 720, 30), V4l2Pixel::Mjpeg, 1280, 720, 30)); // above 640x480: MJPEG
    CHECK(is(pick(1280, 720, 5), V4l2Pixel::Mjpeg, 1280, 720, 30));  // both meet 5: MJPEG still
    CHECK(is(pick(1280, 720, 60), V4l2Pixel::Mjpeg, 1280, 720, 30)); // none meets 60: the fastest
    CHECK(is(pick(1000, 600, 30), V4l2Pixel::Mjpeg, 1280, 720, 30));
    CHECK(is(pick(3840, 2160, 30), V4l2Pixel::Mjpeg, 1920, 1080, 30)); // nothing covers: the largest
    CHECK(is(pick(160, 120, 30), V4l2Pixel::Yuyv, 320, 240, 30));
    CHECK(is(pick(640, 480, 29.97), V4l2Pixel::Yuyv, 640, 480, 30));

    // A YUYV-only camera: YUYV at a large size, and the rate before the format.
    const std::vector<V4l2Mode> yuyvOnly = {{V4l2Pixel::Yuyv, 1280, 720, 10}, {V4l2Pixel::Yuyv, 640, 480, 30}};
    auto m = media::chooseV4l2Mode(yuyvOnly, 1280, 720, 30);
    REQUIRE(m);
    CHECK(is(*m, V4l2Pixel::Yuyv, 1280, 720, 10));
    const std::vector<V4l2Mode> mixed = {{V4l2Pixel::Mjpeg, 1280, 720, 15}, {V4l2Pixel::Yuyv, 1280, 720, 30}};
    m = media::chooseV4l2Mode(mixed, 1280, 720, 30);
    REQUIRE(m);
    CHECK(is(*m, V4l2Pixel::Yuyv, 1280, 720, 30));
}

TEST_CASE("openV4l2 on paths that are not cameras names the path") {
    const V4l2Mode mode{V4l2Pixel::Yuyv, 640, 480, 30};
    auto none = media::openV4l2("/dev/video-none", mode, 320, 240);
    REQUIRE_FALSE(none.ok());
    CAPTURE(none.error().message);
    CHECK(none.error().message.rfind("/dev/video-none: ", 0) == 0);
    CHECK(contains(none.error().message, "open"));

    auto null = media::openV4l2("/dev/null", mode, 320, 240);
    REQUIRE_FALSE(null.ok());
    CAPTURE(null.error().message);
    CHECK(null.error().message.rfind("/dev/null: ", 0) == 0);
    CHECK(contains(null.error().message, "VIDIOC_QUERYCAP"));

    auto badOut = media::openV4l2("/dev/video0", mode, 321, 240);
    REQUIRE_FALSE(badOut.ok());
    CHECK(contains(badOut.error().message, "/dev/video0: output size 321x240"));
    auto badMode = media::openV4l2("/dev/video0", {V4l2Pixel::Mjpeg, 0, 480, 30}, 320, 240);
    REQUIRE_FALSE(badMode.ok());
    CHECK(contains(badMode.error().message, "bad mode MJPEG 0x480"));
}

TEST_CASE("listV4l2Devices returns capture devices only") {
    const auto devices = media::listV4l2Devices();
    for (const auto& d : devices) {
        CHECK(d.path.rfind("/dev/video", 0) == 0);
        CHECK_FALSE(d.modes.empty());
        for (const auto& m : d.modes) CHECK(m.pixel < V4l2Pixel::Count);
    }
}
