// Raw video (media/video_frame.h, media/video_source.h): the test pattern is
// deterministic and its frame counter reads back (also through noise), PSNR
// against hand-worked values, Y4M written and read back and its refusals,
// and VideoCapture unpaced (order, end) and paced (rate, latest wins).
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "media/video_frame.h"
#include "media/video_source.h"
#include "temp_dir.h"

using namespace caseroom;
using media::I420Frame;

namespace {

void writeText(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary);
    out << bytes;
}

std::string y4mFrames(std::uint32_t w, std::uint32_t h, std::uint32_t frames, std::size_t lastShort = 0) {
    std::string s;
    for (std::uint32_t i = 0; i < frames; ++i) {
        s += "FRAME\n";
        std::size_t n = std::size_t(w) * h * 3 / 2;
        if (i + 1 == frames) n -= lastShort;
        s += std::string(n, char(16 + i));
    }
    return s;
}

bool sameFrame(const I420Frame& a, const I420Frame& b) {
    return a.width == b.width && a.height == b.height && a.y == b.y && a.u == b.u && a.v == b.v;
}

} // namespace

TEST_CASE("black and valid") {
    const I420Frame b = I420Frame::black(64, 48);
    REQUIRE(b.valid());
    CHECK(b.y.size() == 64u * 48u);
    CHECK(b.u.size() == 32u * 24u);
    CHECK(b.y[100] == 16);
    CHECK(b.v[7] == 128);
    CHECK_FALSE(I420Frame::black(63, 48).valid());   // odd
    CHECK_FALSE(I420Frame::black(14, 48).valid());   // too small
    CHECK_FALSE(I420Frame::black(64, 4098).valid()); // too large
    I420Frame shortPlane = b;
    shortPlane.u.pop_back();
    CHECK_FALSE(shortPlane.valid());
    CHECK_FALSE(I420Frame{}.valid());
}

TEST_CASE("testPattern is deterministic and moves") {
    const I420Frame a = media::testPattern(320, 180, 7);
    const I420Frame again = media::testPattern(320, 180, 7);
    const I420Frame other = media::testPattern(320, 180, 8);
    REQUIRE(a.valid());
    CHECK(sameFrame(a, again));
    CHECK_FALSE(sameFrame(a, other));
    // Same counter bits (index 7 vs 7 + 65536), still different pictures: the square moved.
    CHECK_FALSE(sameFrame(a, media::testPattern(320, 180, 7 + 65536)));
    CHECK(media::testPattern(640, 360, 3).valid());
    CHECK(media::testPattern(16, 16, 3).valid());
    CHECK_FALSE(media::testPattern(15, 16, 0).valid()); // bad size: an invalid frame, no crash
    // The top-left bar is 75 % white.
    CHECK(a.y[0] == 180);
}

TEST_CASE("testPatternIndex reads the counter back") {
    for (std::uint32_t idx : {0u, 1u, 255u, 65535u, 4660u}) {
        CAPTURE(idx);
        CHECK(media::testPatternIndex(media::testPattern(320, 180, idx)) == std::int32_t(idx));
        CHECK(media::testPatternIndex(media::testPattern(64, 48, idx)) == std::int32_t(idx));   // two rows of blocks
        CHECK(media::testPatternIndex(media::testPattern(1280, 720, idx)) == std::int32_t(idx)); // 32-pixel blocks
    }
    CHECK(media::testPatternIndex(media::testPattern(320, 180, 65536 + 9)) == 9); // 16 bits
    CHECK(media::testPatternIndex(media::testPattern(16, 16, 1)) == -1);         // too small to carry it
    CHECK(media::testPatternIndex(I420Frame{}) == -1);
    I420Frame grey = I420Frame::black(320, 180);
    std::fill(grey.y.begin(), grey.y.end(), std::uint8_t(125));
    CHECK(media::testPatternIndex(grey) == -1); // mid-grey reads as neither
}

TEST_CASE("testPatternIndex survives +-20 noise on luma") {
    std::uint32_t lcg = 12345;
    for (std::uint32_t idx : {0u, 1u, 255u, 65535u}) {
        CAPTURE(idx);
        I420Frame f = media::testPattern(320, 180, idx);
        for (auto& p : f.y) {
            lcg = lcg * 1664525u + 1013904223u;
            const int noise = int((lcg >> 16) % 41) - 20;
            p = std::uint8_t(std::clamp(int(p) + noise, 0, 255));
        }
        CHECK(media::testPatternIndex(f) == std::int32_t(idx));
        CHECK(media::psnrLuma(f, media::testPattern(320, 180, idx)) < 30.0); // the noise is really there
    }
}

TEST_CASE("PSNR") {
    const I420Frame a = media::testPattern(64, 48, 3);
    CHECK(std::isinf(media::psnrLuma(a, a)));
    CHECK(media::psnrLuma(a, a) > 0);
    CHECK(std::isinf(media::psnrAll(a, a)));
    I420Frame b = I420Frame::black(64, 48);
    I420Frame c = b;
    for (auto& p : c.y) p = std::uint8_t(p + 1); // MSE 1 on luma
    CHECK(media::psnrLuma(b, c) == Approx(20.0 * std::log10(255.0)));
    CHECK(media::psnrLuma(b, c) == Approx(48.1308).epsilon(1e-5));
    // All planes: luma is 2/3 of the samples: MSE 2/3.
    CHECK(media::psnrAll(b, c) == Approx(10.0 * std::log10(255.0 * 255.0 * 1.5)));
    for (auto& p : c.u) p = std::uint8_t(p + 2);
    for (auto& p : c.v) p = std::uint8_t(p + 2);
    // (4 * 1 + 1 * 4 + 1 * 4) / 6 = 2.
    CHECK(media::psnrAll(b, c) == Approx(10.0 * std::log10(255.0 * 255.0 / 2.0)));
    CHECK(media::psnrLuma(b, I420Frame::black(64, 50)) == 0.0);
    CHECK(media::psnrAll(b, I420Frame::black(66, 48)) == 0.0);
}

TEST_CASE("Y4M written and read back") {
    testing::TempDir dir;
    REQUIRE(dir.ok());
    const std::string path = dir.file("two.y4m");
    std::vector<I420Frame> frames{media::testPattern(64, 48, 0), media::testPattern(64, 48, 1)};
    REQUIRE(media::writeY4m(path, frames, 25).ok());

    auto src = media::openY4m(path);
    REQUIRE(src.ok());
    auto& s = *src.value();
    CHECK(s.width() == 64);
    CHECK(s.height() == 48);
    CHECK(s.frameRate() == 25.0);
    CHECK(s.describe() == "y4m " + path + " 64x48 at 25 fps");
    for (std::size_t i = 0; i < 2; ++i) {
        auto r = s.next();
        REQUIRE(r.ok());
        REQUIRE(r.value().has_value());
        CHECK(sameFrame(*r.value(), frames[i]));
        CHECK(r.value()->ptsUs == i * 40000);
    }
    auto end = s.next();
    REQUIRE(end.ok());
    CHECK_FALSE(end.value().has_value());
    auto stillEnd = s.next();
    REQUIRE(stillEnd.ok());
    CHECK_FALSE(stillEnd.value().has_value());
}

TEST_CASE("Y4M loop mode wraps and keeps timestamps rising") {
    testing::TempDir dir;
    REQUIRE(dir.ok());
    const std::string path = dir.file("loop.y4m");
    std::vector<I420Frame> frames{media::testPattern(64, 48, 10), media::testPattern(64, 48, 11)};
    REQUIRE(media::writeY4m(path, frames, 10).ok());
    auto src = media::openY4m(path, true);
    REQUIRE(src.ok());
    for (std::uint64_t i = 0; i < 5; ++i) {
        auto r = src.value()->next();
        REQUIRE(r.ok());
        REQUIRE(r.value().has_value());
        CHECK(media::testPatternIndex(*r.value()) == std::int32_t(10 + i % 2));
        CHECK(r.value()->ptsUs == i * 100000);
    }
}

TEST_CASE("Y4M parameters: frame params, other C 4:2:0 tags, X ignored") {
    testing::TempDir dir;
    REQUIRE(dir.ok());
    const std::string path = dir.file("p.y4m");
    std::string frames = y4mFrames(16, 16, 1);
    frames.replace(0, 6, "FRAME Ixyz\n");
    writeText(path, "YUV4MPEG2 W16 H16 F30000:1001 It A0:0 C420mpeg2 XYSCSS=420MPEG2\n" + frames);
    auto src = media::openY4m(path);
    REQUIRE(src.ok());
    CHECK(src.value()->frameRate() == Approx(29.97).epsilon(1e-4));
    CHECK(src.value()->describe() == "y4m " + path + " 16x16 at 30 fps");
    auto r = src.value()->next();
    REQUIRE(r.ok());
    REQUIRE(r.value().has_value());
    CHECK(r.value()->y[0] == 16);
}

TEST_CASE("Y4M refusals name the file and the fault") {
    testing::TempDir dir;
    REQUIRE(dir.ok());
    auto refused = [&](const std::string& name, const std::string& bytes) {
        const std::string path = dir.file(name.c_str());
        writeText(path, bytes);
        auto src = media::openY4m(path);
        REQUIRE_FALSE(src.ok());
        CHECK(src.error().message.find(path) != std::string::npos);
        return src.error().message;
    };
    CHECK(refused("png.y4m", "\x89PNG\r\n\x1a\n" + std::string(300, '\0')).find("not a YUV4MPEG2") != std::string::npos);
    CHECK(refused("binary.y4m", std::string(1000, 'x')).find("not a YUV4MPEG2") != std::string::npos);
    CHECK(refused("empty.y4m", "").find("empty") != std::string::npos);
    CHECK(refused("c444.y4m", "YUV4MPEG2 W16 H16 F25:1 C444\n" + y4mFrames(16, 16, 1)).find("C444") !=
          std::string::npos);
    CHECK(refused("mono.y4m", "YUV4MPEG2 W16 H16 F25:1 Cmono\n").find("Cmono") != std::string::npos);
    CHECK(refused("odd.y4m", "YUV4MPEG2 W17 H16 F25:1\n").find("17x16") != std::string::npos);
    CHECK(refused("big.y4m", "YUV4MPEG2 W8192 H16 F25:1\n").find("8192x16") != std::string::npos);
    CHECK(refused("nof.y4m", "YUV4MPEG2 W16 H16\n").find("header without F") != std::string::npos);
    CHECK(refused("f0.y4m", "YUV4MPEG2 W16 H16 F25:0\n").find("frame rate") != std::string::npos);
    CHECK(refused("fbad.y4m", "YUV4MPEG2 W16 H16 F25\n").find("frame rate") != std::string::npos);
    CHECK(refused("wbad.y4m", "YUV4MPEG2 W1x H16 F25:1\n").find("W1x") != std::string::npos);
    CHECK(refused("tag.y4m", "YUV4MPEG2 W16 H16 F25:1 Q9\n").find("Q9") != std::string::npos);
    CHECK(refused("twice.y4m", "YUV4MPEG2 W16 W32 H16 F25:1\n").find("twice") != std::string::npos);
    CHECK(refused("long.y4m", "YUV4MPEG2 W16 H16 F25:1 X" + std::string(400, 'a') + "\n").find("longer") !=
          std::string::npos);
    auto missing = media::openY4m(dir.path / "nothing.y4m");
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().message.find("nothing.y4m") != std::string::npos);
}

TEST_CASE("Y4M truncated last frame: the frame number and the byte counts") {
    testing::TempDir dir;
    REQUIRE(dir.ok());
    const std::string path = dir.file("cut.y4m");
    writeText(path, "YUV4MPEG2 W16 H16 F25:1\n" + y4mFrames(16, 16, 3, 100));
    auto src = media::openY4m(path);
    REQUIRE(src.ok());
    for (int i = 0; i < 2; ++i) {
        auto r = src.value()->next();
        REQUIRE(r.ok());
        REQUIRE(r.value().has_value());
    }
    auto bad = src.value()->next();
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().message.find(path) != std::string::npos);
    CHECK(bad.error().message.find("frame 2: truncated (got 284 of 384 bytes)") != std::string::npos);
    auto again = src.value()->next(); // the source is done
    CHECK_FALSE(again.ok());

    const std::string badHeader = dir.file("hdr.y4m");
    writeText(badHeader, "YUV4MPEG2 W16 H16 F25:1\n" + y4mFrames(16, 16, 1) + "FRAMX\n" + std::string(384, 'a'));
    auto src2 = media::openY4m(badHeader);
    REQUIRE(src2.ok());
    REQUIRE(src2.value()->next().ok());
    auto bad2 = src2.value()->next();
    REQUIRE_FALSE(bad2.ok());
    CHECK(bad2.error().message.find("frame 1: bad frame header") != std::string::npos);
}

TEST_CASE("writeY4m refuses what it cannot write") {
    testing::TempDir dir;
    REQUIRE(dir.ok());
    const std::vector<I420Frame> none;
    CHECK_FALSE(media::writeY4m(dir.file("a.y4m"), none, 25).ok());
    const std::vector<I420Frame> mixed{media::testPattern(64, 48, 0), media::testPattern(32, 48, 0)};
    auto st = media::writeY4m(dir.file("b.y4m"), mixed, 25);
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().message.find("frame 1") != std::string::npos);
    const std::vector<I420Frame> one{media::testPattern(64, 48, 0)};
    CHECK_FALSE(media::writeY4m(dir.file("c.y4m"), one, 0).ok());
    CHECK_FALSE(media::writeY4m(dir.path / "no" / "such" / "dir.y4m", one, 25).ok());
}

TEST_CASE("test pattern source") {
    auto src = media::makeTestPatternSource(320, 180, 15);
    CHECK(src->describe() == "test pattern 320x180 at 15 fps");
    for (std::uint32_t i = 0; i < 3; ++i) {
        auto r = src->next();
        REQUIRE(r.ok());
        REQUIRE(r.value().has_value());
        CHECK(media::testPatternIndex(*r.value()) == std::int32_t(i));
        CHECK(r.value()->ptsUs == std::uint64_t(std::llround(i * 1e6 / 15)));
    }
    CHECK_FALSE(media::makeTestPatternSource(321, 180, 15)->next().ok());
    CHECK_FALSE(media::makeTestPatternSource(320, 180, 0)->next().ok());
    CHECK_FALSE(media::makeTestPatternSource(320, 180, std::nan(""))->next().ok());
}

TEST_CASE("VideoCapture unpaced: frames in order, then ended") {
    testing::TempDir dir;
    REQUIRE(dir.ok());
    const std::string path = dir.file("five.y4m");
    std::vector<I420Frame> frames;
    for (std::uint32_t i = 0; i < 5; ++i) frames.push_back(media::testPattern(64, 48, i));
    REQUIRE(media::writeY4m(path, frames, 25).ok());
    auto src = media::openY4m(path);
    REQUIRE(src.ok());
    media::VideoCapture cap(std::move(src.value()), false);
    // Latest wins: a consumer slower than the thread may skip frames, but what
    // it gets is in order, ends with the last frame, and nothing is lost
    // uncounted.
    std::vector<std::int32_t> got;
    while (auto f = cap.waitTake(2000)) got.push_back(media::testPatternIndex(*f));
    REQUIRE_FALSE(got.empty());
    for (std::size_t i = 1; i < got.size(); ++i) CHECK(got[i] > got[i - 1]);
    CHECK(got.back() == 4);
    const auto st = cap.stats();
    CHECK(st.ended);
    CHECK_FALSE(st.error.has_value());
    CHECK(st.produced == 5);
    CHECK(st.taken == got.size());
    CHECK(st.taken + st.skipped == st.produced);
    CHECK_FALSE(cap.take().has_value());
}

TEST_CASE("VideoCapture reports the source's fault") {
    testing::TempDir dir;
    REQUIRE(dir.ok());
    const std::string path = dir.file("cut.y4m");
    writeText(path, "YUV4MPEG2 W16 H16 F25:1\n" + y4mFrames(16, 16, 2, 10));
    auto src = media::openY4m(path);
    REQUIRE(src.ok());
    media::VideoCapture cap(std::move(src.value()), false);
    while (cap.waitTake(2000)) {
    }
    const auto st = cap.stats();
    CHECK(st.ended);
    REQUIRE(st.error.has_value());
    CHECK(st.error->find("frame 1: truncated") != std::string::npos);
    CHECK(st.produced == 1);
}

TEST_CASE("VideoCapture paced: about the frame rate, latest wins") {
    using namespace std::chrono;
    SECTION("a consumer that takes every frame") {
        media::VideoCapture cap(media::makeTestPatternSource(64, 48, 50));
        const auto until = steady_clock::now() + milliseconds(300);
        std::uint64_t n = 0;
        std::int32_t last = -1;
        while (steady_clock::now() < until) {
            if (auto f = cap.waitTake(20)) {
                const std::int32_t idx = media::testPatternIndex(*f);
                CHECK(idx > last);
                last = idx;
                ++n;
            }
        }
        // 50 fps for 0.3 s is 15 frames; the range is wide for busy machines.
        CHECK(n >= 8);
        CHECK(n <= 25);
        CHECK_FALSE(cap.stats().ended);
    }
    SECTION("a consumer that takes nothing") {
        media::VideoCapture cap(media::makeTestPatternSource(64, 48, 50));
        std::this_thread::sleep_for(milliseconds(300));
        const auto st = cap.stats();
        CHECK(st.produced >= 8);
        CHECK(st.produced <= 25);
        CHECK(st.skipped + 1 == st.produced); // every frame but the newest replaced untaken
        CHECK(st.taken == 0);
        auto f = cap.take();
        REQUIRE(f.has_value());
        CHECK(media::testPatternIndex(*f) >= std::int32_t(st.produced) - 1);
    }
    SECTION("the destructor stops a slow source at once") {
        const auto t0 = steady_clock::now();
        {
            media::VideoCapture cap(media::makeTestPatternSource(64, 48, 0.1));
            CHECK(cap.waitTake(1000).has_value()); // the first frame comes at once
        }
        CHECK(steady_clock::now() - t0 < seconds(5)); // not the 10 s period
    }
}
