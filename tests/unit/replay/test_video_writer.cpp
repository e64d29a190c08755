// VideoWriter (tools/replay/video_writer.h): the BT.601 conversion, and WebM
// files decoded back with libavformat + libavcodec: codec, size, frame count,
// duration, chapters, tags and a picture that is really there.
#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "temp_dir.h"
#include "video_writer.h"
#include "webm_decode.h"

using namespace caseroom;
using replay::VideoCodec;
using replay::VideoDesc;
using replay::VideoWriter;

namespace {

struct I420 {
    std::vector<std::uint8_t> y, u, v;
};

I420 convert(const std::vector<std::uint8_t>& rgba, std::uint32_t w, std::uint32_t h) {
    I420 out{std::vector<std::uint8_t>(std::size_t{w} * h), std::vector<std::uint8_t>(std::size_t{w} * h / 4),
             std::vector<std::uint8_t>(std::size_t{w} * h / 4)};
    replay::rgbaToI420(rgba, w, h, out.y.data(), out.u.data(), out.v.data());
    return out;
}

std::vector<std::uint8_t> solid(std::uint32_t w, std::uint32_t h, std::uint8_t r, std::uint8_t g, std::uint8_t b) {
    std::vector<std::uint8_t> px(std::size_t{w} * h * 4);
    for (std::size_t i = 0; i < px.size(); i += 4) {
        px[i] = r;
        px[i + 1] = g;
        px[i + 2] = b;
        px[i + 3] = 255;
    }
    return px;
}

// The square of frame k: 16x16, moving 4 pixels right per frame, wrapping inside the picture.
constexpr std::uint32_t kSquare = 16;
std::uint32_t squareX(std::uint32_t k, std::uint32_t width) { return 4 + (4 * k) % (width - kSquare - 8); }
std::uint32_t squareY(std::uint32_t height) { return height / 2 - kSquare / 2; }

std::vector<std::uint8_t> squareFrame(std::uint32_t k, std::uint32_t w, std::uint32_t h) {
    auto px = solid(w, h, 20, 24, 28);
    const std::uint32_t x0 = squareX(k, w), y0 = squareY(h);
    for (std::uint32_t y = y0; y < y0 + kSquare; ++y)
        for (std::uint32_t x = x0; x < x0 + kSquare; ++x)
            for (int c = 0; c < 3; ++c) px[(std::size_t{y} * w + x) * 4 + static_cast<std::size_t>(c)] = 250;
    return px;
}

struct Decoded {
    testing::webm::Info info;
    int squaresBright = 0, backgroundsDark = 0;   // frames whose square (background) reads as such
};

// Decodes every frame; frame k is checked against squareFrame(k): the square's
// middle bright, a patch away from it dark.
Decoded decode(const std::string& path) {
    Decoded d;
    d.info = testing::webm::decodeWebm(path, [&](int k, const testing::webm::Picture& p) {
        const auto w = static_cast<std::uint32_t>(p.width), h = static_cast<std::uint32_t>(p.height);
        const auto x0 = static_cast<int>(squareX(static_cast<std::uint32_t>(k), w)), y0 = static_cast<int>(squareY(h));
        const int half = static_cast<int>(kSquare) / 2;
        if (p.mean(x0 + half, y0 + half, half - 4).y > 180) ++d.squaresBright;
        // A patch at the edge the square's middle is away from.
        const int bx = x0 + half > p.width / 2 ? 2 + half : p.width - half - 2;
        if (p.mean(bx, y0 + half, half).y < 60) ++d.backgroundsDark;
    });
    return d;
}

void writeSquares(VideoWriter& w, const VideoDesc& desc, std::uint32_t frames) {
    for (std::uint32_t k = 0; k < frames; ++k) {
        const auto px = squareFrame(k, desc.width, desc.height);
        const auto s = w.addFrame(px);
        INFO((s ? "" : s.error().message));
        REQUIRE(s);
    }
}

bool exists(const std::string& p) { return std::filesystem::exists(p); }

} // namespace

TEST_CASE("rgbaToI420: BT.601 limited range on known colours", "[video]") {
    struct Case {
        std::array<std::uint8_t, 3> rgb;
        int y, u, v;
    };
    const Case cases[] = {
        {{255, 255, 255}, 235, 128, 128}, {{0, 0, 0}, 16, 128, 128},     {{255, 0, 0}, 81, 90, 240},
        {{0, 255, 0}, 145, 54, 34},       {{0, 0, 255}, 41, 240, 110},   {{128, 128, 128}, 126, 128, 128},
    };
    for (const auto& c : cases) {
        const auto out = convert(solid(4, 2, c.rgb[0], c.rgb[1], c.rgb[2]), 4, 2);
        INFO("rgb " << int{c.rgb[0]} << "," << int{c.rgb[1]} << "," << int{c.rgb[2]});
        for (auto y : out.y) CHECK(std::abs(int{y} - c.y) <= 1);
        for (std::size_t i = 0; i < out.u.size(); ++i) {
            CHECK(std::abs(int{out.u[i]} - c.u) <= 1);
            CHECK(std::abs(int{out.v[i]} - c.v) <= 1);
        }
    }
    // Grey is exact: no tint.
    const auto grey = convert(solid(2, 2, 77, 77, 77), 2, 2);
    CHECK(grey.u[0] == 128);
    CHECK(grey.v[0] == 128);
}

TEST_CASE("rgbaToI420: chroma is the mean of each 2x2 block, luma per pixel", "[video]") {
    // 4x2: the left block half red, half black (columns); the right block all white.
    auto px = solid(4, 2, 255, 255, 255);
    for (std::size_t row = 0; row < 2; ++row) {
        px[(row * 4 + 0) * 4 + 0] = 255, px[(row * 4 + 0) * 4 + 1] = 0, px[(row * 4 + 0) * 4 + 2] = 0;
        px[(row * 4 + 1) * 4 + 0] = 0, px[(row * 4 + 1) * 4 + 1] = 0, px[(row * 4 + 1) * 4 + 2] = 0;
    }
    const auto out = convert(px, 4, 2);
    CHECK(std::abs(int{out.y[0]} - 81) <= 1);
    CHECK(int{out.y[1]} == 16);
    CHECK(int{out.y[2]} == 235);
    CHECK(std::abs(int{out.y[4]} - 81) <= 1);
    CHECK(int{out.y[5]} == 16);
    // Mean of red and black is (127.5, 0, 0): Cb 128 - 18.9, Cr 128 + 56.
    CHECK(std::abs(int{out.u[0]} - 109) <= 1);
    CHECK(std::abs(int{out.v[0]} - 184) <= 1);
    CHECK(int{out.u[1]} == 128);
    CHECK(int{out.v[1]} == 128);
}

TEST_CASE("VideoWriter: VP8 WebM with chapters and tags decodes back", "[video]") {
    testing::TempDir dir;
    REQUIRE(dir.ok());
    VideoDesc desc;
    desc.path = dir.file("room.webm");
    desc.width = 160;
    desc.height = 90;
    desc.fps = 10;
    desc.codec = VideoCodec::Vp8;
    desc.bitrateKbps = 400;
    desc.keyframeSeconds = 1;
    desc.title = "Case 12 - review";
    desc.date = "2024-05-01T10:00:00Z";
    desc.chapters = {{0, 1500, "Briefing"}, {1500, 3000, "Round 1"}};
    auto created = VideoWriter::create(desc);
    INFO((created ? "" : created.error().message));
    REQUIRE(created);
    VideoWriter& w = **created;
    CHECK(w.path() == desc.path);
    CHECK(w.partPath() == desc.path + ".part");
    writeSquares(w, desc, 30);
    CHECK(w.framesWritten() == 30);
    CHECK(w.bytesWritten() > 0);
    REQUIRE(w.finish());
    CHECK(exists(w.partPath()));
    CHECK_FALSE(exists(desc.path));
    REQUIRE(w.commit());
    CHECK(exists(desc.path));
    CHECK_FALSE(exists(desc.path + ".part"));
    CHECK_FALSE(w.addFrame(squareFrame(0, desc.width, desc.height)));

    const Decoded d = decode(desc.path);
    REQUIRE(d.info.error.empty());
    CHECK(d.info.codec == "vp8");
    CHECK(d.info.width == 160);
    CHECK(d.info.height == 90);
    CHECK(d.info.frames == 30);
    CHECK(std::abs(d.info.durationS - 3.0) <= 0.1);
    CHECK(d.info.limitedRange);
    CHECK(d.info.bt601);
    CHECK(d.info.title == desc.title);
    CHECK(d.info.date == desc.date);
    REQUIRE(d.info.chapters.size() == 2);
    CHECK(d.info.chapters[0].title == "Briefing");
    CHECK(d.info.chapters[1].title == "Round 1");
    CHECK(std::abs(d.info.chapters[0].startMs - 0) < 1);
    CHECK(std::abs(d.info.chapters[1].startMs - 1500) < 1);
    CHECK(std::abs(d.info.chapters[1].endMs - 3000) < 1);
    CHECK(d.squaresBright == 30);
    CHECK(d.backgroundsDark == 30);
}

TEST_CASE("VideoWriter: VP9 WebM decodes back (good and real-time speeds)", "[video]") {
    const std::int32_t speed = GENERATE(6, 8);
    testing::TempDir dir;
    REQUIRE(dir.ok());
    VideoDesc desc;
    desc.path = dir.file("room.webm");
    desc.width = 64;
    desc.height = 48;
    desc.fps = 10;
    desc.codec = VideoCodec::Vp9;
    desc.bitrateKbps = 300;
    desc.cpuUsed = speed;
    desc.chapters = {{0, 1000, "Only"}};
    {
        std::ofstream junk(desc.path + ".part");   // a stale .part is replaced
        junk << "not a video";
    }
    auto created = VideoWriter::create(desc);
    INFO((created ? "" : created.error().message));
    REQUIRE(created);
    writeSquares(**created, desc, 10);
    REQUIRE((*created)->finish());
    REQUIRE((*created)->commit());

    const Decoded d = decode(desc.path);
    INFO("cpu-used " << speed);
    REQUIRE(d.info.error.empty());
    CHECK(d.info.codec == "vp9");
    CHECK(d.info.width == 64);
    CHECK(d.info.height == 48);
    CHECK(d.info.frames == 10);
    CHECK(std::abs(d.info.durationS - 1.0) <= 0.1);
    CHECK(d.info.limitedRange);
    CHECK(d.info.title.empty());
    REQUIRE(d.info.chapters.size() == 1);
    CHECK(d.info.chapters[0].title == "Only");
    CHECK(d.squaresBright == 10);
    CHECK(d.backgroundsDark == 10);
}

TEST_CASE("VideoWriter: a writer destroyed before commit leaves nothing", "[video]") {
    testing::TempDir dir;
    REQUIRE(dir.ok());
    VideoDesc desc;
    desc.path = dir.file("gone.webm");
    desc.width = 64;
    desc.height = 48;
    desc.fps = 10;
    SECTION("mid-stream") {
        auto w = VideoWriter::create(desc);
        REQUIRE(w);
        writeSquares(**w, desc, 3);
        CHECK(exists(desc.path + ".part"));
    }
    SECTION("finished, not committed") {
        auto w = VideoWriter::create(desc);
        REQUIRE(w);
        writeSquares(**w, desc, 3);
        REQUIRE((*w)->finish());
        CHECK_FALSE((*w)->addFrame(squareFrame(0, desc.width, desc.height)));
    }
    CHECK_FALSE(exists(desc.path));
    CHECK_FALSE(exists(desc.path + ".part"));
    CHECK(std::filesystem::is_empty(dir.path));
}

TEST_CASE("VideoWriter: refusals name the file and the fault", "[video]") {
    testing::TempDir dir;
    REQUIRE(dir.ok());
    VideoDesc desc;
    desc.path = dir.file("no-such-folder/room.webm");
    desc.width = 64;
    desc.height = 48;
    {
        auto w = VideoWriter::create(desc);
        REQUIRE_FALSE(w);
        CHECK_THAT(w.error().message, Catch::Contains(desc.path) && Catch::Contains("No such file"));
    }
    desc.path = dir.file("room.webm");
    desc.width = 63;
    {
        auto w = VideoWriter::create(desc);
        REQUIRE_FALSE(w);
        CHECK_THAT(w.error().message, Catch::Contains(desc.path) && Catch::Contains("63x48"));
    }
    desc.width = 64;
    desc.fps = 0;
    CHECK_FALSE(VideoWriter::create(desc));
    desc.fps = 10;
    desc.codec = VideoCodec::Vp9;
    desc.cpuUsed = 12;   // VP8's range, not VP9's
    CHECK_FALSE(VideoWriter::create(desc));
    desc.cpuUsed = 6;
    desc.chapters = {{1000, 2000, "b"}, {0, 500, "a"}};
    CHECK_FALSE(VideoWriter::create(desc));
    desc.chapters.clear();
    CHECK(std::filesystem::is_empty(dir.path));   // no refusal left a file

    auto w = VideoWriter::create(desc);
    REQUIRE(w);
    const std::vector<std::uint8_t> small(16);
    const auto s = (*w)->addFrame(small);
    REQUIRE_FALSE(s);
    CHECK_THAT(s.error().message, Catch::Contains(desc.path) && Catch::Contains("expected 12288"));
    CHECK_FALSE((*w)->commit());   // before finish
}
