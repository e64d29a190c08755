// Slides on a wall panel, offscreen on lavapipe with the validation layer
// required (any message fails). A synthetic signed 16-bit CT slice (stripes
// of known stored values, rescale slope 1, intercept -1024) is put on panel
// 0 and read back straight on: the grey at each stripe must equal what the
// CPU reference (media::renderGrey8 / media::applyWindow) gives, within 2
// levels (linear filtering, MSAA resolve, float arithmetic). The target is
// RGBA8 UNORM: the shader's output is the display grey itself (no sRGB
// encode), as a radiology viewer writes it.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>

#include "media/window.h"
#include "render/camera.h"
#include "render/scene.h"
#include "render_fixture.h"
#include "sim/layout.h"

using namespace caseroom;
using namespace caseroom::render;
using namespace caseroom::render::test;

namespace {

constexpr std::uint32_t kSliceW = 320, kSliceH = 160; // aspect 2 on a 16:9 panel: bars top and bottom
constexpr std::uint32_t kStripes = 8;
// Stored (raw, signed) values per vertical stripe; HU = raw - 1024: padding
// -3024, air -1000, then -20, 20, 40, 80 (brain range), bone 700 and 1500.
constexpr std::array<std::int16_t, kStripes> kRaw{-2000, 24, 1004, 1044, 1064, 1104, 1724, 2524};

media::Image ctSlice() {
    media::Image img;
    img.format = media::Format::Dicom;
    img.width = kSliceW;
    img.height = kSliceH;
    img.bits = 16;
    img.bitsStored = 16;
    img.isSigned = true;
    img.rescaleSlope = 1.0;
    img.rescaleIntercept = -1024.0;
    img.pixels.resize(img.frameBytes());
    for (std::uint32_t y = 0; y < kSliceH; ++y)
        for (std::uint32_t x = 0; x < kSliceW; ++x) {
            const std::int16_t v = kRaw[x * kStripes / kSliceW];
            std::memcpy(&img.pixels[(std::size_t{y} * kSliceW + x) * 2], &v, 2);
        }
    return img;
}

// As a deck carries it: unsigned 16-bit, raw + 32768.
SlidePixels biased(const media::Image& img) {
    SlidePixels px;
    px.width = img.width;
    px.height = img.height;
    px.format = SlideFormat::R16;
    px.bytes.resize(std::size_t{img.width} * img.height * 2);
    for (std::size_t i = 0; i < std::size_t{img.width} * img.height; ++i) {
        std::int16_t s;
        std::memcpy(&s, &img.pixels[i * 2], 2);
        const auto u = static_cast<std::uint16_t>(s + 32768);
        std::memcpy(&px.bytes[i * 2], &u, 2);
    }
    return px;
}

PanelDisplay ctDisplay(double centre, double width, bool invert = false) {
    PanelDisplay d;
    d.signedBias = 32768.0;
    d.rescaleSlope = 1.0;
    d.rescaleIntercept = -1024.0;
    d.windowCentre = centre;
    d.windowWidth = width;
    d.invert = invert;
    return d;
}

struct PanelShot {
    sim::RoomLayout layout = sim::makeLayout(sim::RoomSpec{});
    FrameView view;
    glm::mat4 viewProj{1.0f};
    std::uint32_t width = kWidth, height = kHeight;

    explicit PanelShot(float distance, std::uint32_t w = kWidth, std::uint32_t h = kHeight) : width(w), height(h) {
        const sim::Panel& p = layout.panels[0];
        const glm::vec3 n = panelNormal(p);
        view.layout = &layout;
        view.camera = lookAt(p.center + n * distance, p.center, 1.0f);
        viewProj = viewProjection(view.camera, float(width) / float(height));
    }
    // The pixel showing panel coordinates (u, v) (0..1, v down).
    glm::ivec2 at(glm::vec2 uv) const {
        const sim::Panel& p = layout.panels[0];
        const glm::vec3 n = panelNormal(p);
        const glm::vec3 up{0, 1, 0};
        const glm::vec3 right = glm::cross(-n, up);
        const glm::vec3 world = p.center + n * 0.035f + right * ((uv.x - 0.5f) * p.width) + up * ((0.5f - uv.y) * p.height);
        auto px = projectToPixel(viewProj, world, {float(width), float(height)});
        REQUIRE(px.has_value());
        return {int(std::floor(px->x)), int(std::floor(px->y))};
    }
    float panelAspect() const { return layout.panels[0].width / layout.panels[0].height; }
};

int grey(const RgbaImage& img, glm::ivec2 p) {
    REQUIRE(p.x >= 0);
    REQUIRE(p.y >= 0);
    REQUIRE(p.x < int(img.width));
    REQUIRE(p.y < int(img.height));
    const std::uint8_t* px = &img.pixels[(std::size_t(p.y) * img.width + std::size_t(p.x)) * 4];
    // A grey slide must come out grey.
    CHECK(std::abs(int(px[0]) - int(px[1])) <= 1);
    CHECK(std::abs(int(px[0]) - int(px[2])) <= 1);
    return px[0];
}

// Panel uv where the image shows image uv `iuv` (the inverse of imageUvAt).
glm::vec2 panelUvOf(const PanelParams& p, glm::vec2 iuv) {
    return glm::vec2(0.5f) + (iuv - glm::vec2(p.view.x, p.view.y)) / glm::vec2(p.view.z, p.view.w);
}

glm::vec2 stripeCentre(std::uint32_t s) { return {(float(s) + 0.5f) / float(kStripes), 0.5f}; }

std::unique_ptr<Rig> rigWith(HeadlessDesc d) {
    auto r = std::make_unique<Rig>();
    d.validation = Validation::Required;
    d.samples = VK_SAMPLE_COUNT_4_BIT;
    auto s = createHeadlessRig(r->rig, d);
    r->ok = s.ok();
    if (!s) r->error = s.error().message;
    return r;
}

} // namespace

TEST_CASE("slides: a signed 16-bit CT slice shows the reference grey for two windows, inverted for MONOCHROME1",
          "[render][gpu][slides]") {
    const bool cpuMips = GENERATE(false, true);
    INFO("mipmaps " << (cpuMips ? "built on the CPU" : "blitted"));
    HeadlessDesc hd;
    hd.extent = {kWidth, kHeight};
    hd.cpuMipmaps = cpuMips;
    auto rig = rigWith(hd);
    INFO(rig->error);
    REQUIRE(rig->ok);
    Renderer& r = rig->rig.renderer;
    const media::Image slice = ctSlice();
    const PanelShot shot(2.2f);
    REQUIRE(setPanelSlide(r, 0, biased(slice), ctDisplay(40, 80)));
    const RgbaImage brain = renderImage(*rig, shot.view);
    REQUIRE(panelSlideReady(r, 0));
    const auto uploaded = r.stats.uploadBytes;
    const auto queued = r.stats.uploadsQueued;

    const PanelParams params = panelParams(ctDisplay(40, 80), SlideFormat::R16, kSliceW, kSliceH, shot.panelAspect(),
                                           false, false);
    auto expected = [&](media::Window w, std::uint32_t stripe) {
        auto g = media::renderGrey8(slice, 0, w);
        REQUIRE(g.ok());
        const auto x = static_cast<std::uint32_t>(stripeCentre(stripe).x * kSliceW);
        return int((*g)[std::size_t{kSliceH / 2} * kSliceW + x]);
    };
    for (std::uint32_t s = 0; s < kStripes; ++s) {
        INFO("stripe " << s << " (HU " << kRaw[s] - 1024 << "), brain 40/80");
        CHECK(std::abs(grey(brain, shot.at(panelUvOf(params, stripeCentre(s)))) - expected({40, 80}, s)) <= 2);
    }
    // Same numbers as the DICOM linear function straight from window.h:
    CHECK(expected({40, 80}, 3) == std::lround(media::applyWindow(20.0, 40, 80)));

    // Letterbox: the image (aspect 2) spans the panel's width; above and below, black bars.
    CHECK(params.view.w > 1.01f);
    const float barV = 0.5f * (1.0f - 1.0f / params.view.w) * 0.5f; // halfway through the top bar
    CHECK(grey(brain, shot.at({stripeCentre(5).x, barV})) == 0);     // above the HU 80 stripe (white in the image)
    CHECK(grey(brain, shot.at({stripeCentre(5).x, 1.0f - barV})) == 0);
    CHECK(grey(brain, shot.at(panelUvOf(params, {stripeCentre(5).x, 0.03f}))) >= 253); // just inside the image

    // A window change is uniform data only: no upload.
    setPanelDisplay(r, 0, ctDisplay(400, 1800));
    const RgbaImage bone = renderImage(*rig, shot.view);
    CHECK(r.stats.uploadBytes == uploaded);
    CHECK(r.stats.uploadsQueued == queued);
    for (std::uint32_t s = 0; s < kStripes; ++s) {
        INFO("stripe " << s << " (HU " << kRaw[s] - 1024 << "), bone 400/1800");
        CHECK(std::abs(grey(bone, shot.at(panelUvOf(params, stripeCentre(s)))) - expected({400, 1800}, s)) <= 2);
    }
    // Brain and bone really differ (HU 80: white in brain, mid grey in bone).
    CHECK(std::abs(expected({40, 80}, 5) - expected({400, 1800}, 5)) > 100);

    // MONOCHROME1: inversion after the window.
    setPanelDisplay(r, 0, ctDisplay(400, 1800, true));
    const RgbaImage inverted = renderImage(*rig, shot.view);
    for (std::uint32_t s = 0; s < kStripes; ++s) {
        INFO("stripe " << s << ", bone inverted");
        CHECK(std::abs(grey(inverted, shot.at(panelUvOf(params, stripeCentre(s)))) - (255 - expected({400, 1800}, s))) <= 2);
    }
    CHECK(grey(inverted, shot.at({0.5f, barV})) == 0); // bars are not inverted

    // Seen from across the room the panel is minified (mip levels > 0): stripes keep their grey.
    setPanelDisplay(r, 0, ctDisplay(40, 80));
    const PanelShot far(9.0f);
    const RgbaImage small = renderImage(*rig, far.view);
    for (std::uint32_t s : {0u, 2u, 4u, 5u}) {
        INFO("stripe " << s << ", minified");
        CHECK(std::abs(grey(small, far.at(panelUvOf(params, stripeCentre(s)))) - expected({40, 80}, s)) <= 3);
    }
    CHECK(finish(rig) == 0);
}

TEST_CASE("slides: zoom and pan show the chosen region, and the laser is a red dot", "[render][gpu][slides]") {
    auto rig = makeRig();
    REQUIRE(rig->ok);
    Renderer& r = rig->rig.renderer;
    const media::Image slice = ctSlice();
    const PanelShot shot(2.2f);
    PanelDisplay d = ctDisplay(40, 80);
    d.view.zoom = 4.0f;                    // stripe 3 (HU 20) fills half the panel's width
    d.view.centerX = stripeCentre(3).x;
    d.view.centerY = 0.5f;
    d.dotCount = 1;
    d.dots[0] = {0.8f, 0.3f};
    REQUIRE(setPanelSlide(r, 0, biased(slice), d));
    const RgbaImage img = renderImage(*rig, shot.view);
    const int hu20 = int(std::lround(media::applyWindow(20.0, 40, 80)));
    for (float u : {0.4f, 0.5f, 0.6f}) {
        INFO("panel u " << u);
        CHECK(std::abs(grey(img, shot.at({u, 0.5f})) - hu20) <= 2);
    }
    // Zoomed in, no bars: the top of the panel shows the image.
    CHECK(std::abs(grey(img, shot.at({0.5f, 0.03f})) - hu20) <= 2);
    const glm::ivec2 dot = shot.at({0.8f, 0.3f});
    const std::uint8_t* px = &img.pixels[(std::size_t(dot.y) * img.width + std::size_t(dot.x)) * 4];
    CHECK(px[0] > 230);
    CHECK(px[1] < 40);
    CHECK(px[2] < 40);
    CHECK(finish(rig) == 0);
}

TEST_CASE("slides: a slide bigger than the staging ring arrives in parts over frames", "[render][gpu][slides]") {
    HeadlessDesc hd;
    hd.extent = {kWidth, kHeight};
    hd.stagingBytes = kMinStagingBytes;   // 1 MiB ring
    hd.uploadBytesPerFrame = 512u << 10;  // half of it per frame
    auto rig = rigWith(hd);
    REQUIRE(rig->ok);
    Renderer& r = rig->rig.renderer;
    const PanelShot shot(2.2f);
    // Test cards first (each bigger than one frame's budget, so this takes frames too).
    for (int i = 0; i < 40 && (r.panelCount == 0 || !r.uploads.empty()); ++i)
        REQUIRE(renderFrames(rig->rig, shot.view, 1).ok());
    REQUIRE(r.uploads.empty());
    // 1024 x 1024 x 16 bit = 2 MiB: twice the ring. Left half stored 1000, right half 3000.
    SlidePixels px;
    px.width = 1024;
    px.height = 1024;
    px.format = SlideFormat::R16;
    px.bytes.resize(1024 * 1024 * 2);
    for (std::uint32_t y = 0; y < 1024; ++y)
        for (std::uint32_t x = 0; x < 1024; ++x) {
            const std::uint16_t v = x < 512 ? 1000 : 3000;
            std::memcpy(&px.bytes[(std::size_t{y} * 1024 + x) * 2], &v, 2);
        }
    PanelDisplay d;
    d.windowCentre = 2000;
    d.windowWidth = 4000;
    const auto bytesBefore = r.stats.uploadBytes;
    REQUIRE(setPanelSlide(r, 0, std::move(px), d));
    REQUIRE(renderFrames(rig->rig, shot.view, 1).ok());
    CHECK_FALSE(panelSlideReady(r, 0));                         // one frame is not enough
    CHECK(r.stats.uploadBytesLastFrame <= hd.uploadBytesPerFrame);
    int frames = 1;
    while (!panelSlideReady(r, 0) && frames < 40) {
        REQUIRE(renderFrames(rig->rig, shot.view, 1).ok());
        CHECK(r.stats.uploadBytesLastFrame <= hd.uploadBytesPerFrame);
        ++frames;
    }
    CHECK(panelSlideReady(r, 0));
    CHECK(frames >= 4);
    CHECK(r.stats.uploadBytes - bytesBefore == 1024u * 1024u * 2u); // level 0 only: the rest are blits
    CHECK(r.stats.uploadWaits > 0);
    auto img = captureFrame(r);
    REQUIRE(img.ok());
    const int left = int(std::lround(media::applyWindow(1000, 2000, 4000)));
    const int right = int(std::lround(media::applyWindow(3000, 2000, 4000)));
    CHECK(std::abs(grey(*img, shot.at({0.3f, 0.5f})) - left) <= 2);
    CHECK(std::abs(grey(*img, shot.at({0.7f, 0.5f})) - right) <= 2);
    CHECK(finish(rig) == 0);
}

TEST_CASE("slides: bad slides are refused, a newer slide replaces one still uploading", "[render][gpu][slides]") {
    auto rig = makeRig();
    REQUIRE(rig->ok);
    Renderer& r = rig->rig.renderer;
    SlidePixels bad;
    bad.width = 4;
    bad.height = 4;
    bad.format = SlideFormat::R16;
    bad.bytes.resize(5); // not 4*4*2
    CHECK_FALSE(setPanelSlide(r, 0, bad, {}));
    bad.bytes.resize(32);
    CHECK_FALSE(setPanelSlide(r, kSlideSlots, bad, {}));
    bad.width = kMaxPanelSize + 1;
    CHECK_FALSE(setPanelSlide(r, 0, bad, {}));
    SlidePixels grey8;
    grey8.width = 2;
    grey8.height = 2;
    grey8.format = SlideFormat::R8;
    grey8.bytes = {10, 10, 10, 10};
    CHECK(setPanelSlide(r, 1, grey8, {}));
    grey8.bytes = {200, 200, 200, 200};
    CHECK(setPanelSlide(r, 1, grey8, {}));
    const PanelShot shot(2.2f);
    REQUIRE(renderFrames(rig->rig, shot.view, 3).ok());
    CHECK(panelSlideReady(r, 1));
    CHECK(r.stats.uploadsDropped >= 1);
    CHECK(finish(rig) == 0);
}

TEST_CASE("slides: panel params letterbox, zoom and pan (pure)", "[render][slides]") {
    PanelDisplay d;
    // A square image on a 2:1 panel: pillarboxed, half the width.
    PanelParams p = panelParams(d, SlideFormat::R8, 100, 100, 2.0f, false, false);
    CHECK(imageUvAt(p, {0.25f, 0.5f}).x == Approx(0.0f));
    CHECK(imageUvAt(p, {0.75f, 0.5f}).x == Approx(1.0f));
    CHECK(imageUvAt(p, {0.5f, 0.0f}).y == Approx(0.0f));
    // Zoom 2 on the image's top-left quarter's centre.
    d.view = {0.25f, 0.25f, 2.0f};
    p = panelParams(d, SlideFormat::R8, 100, 100, 2.0f, false, false);
    CHECK(imageUvAt(p, {0.5f, 0.5f}).x == Approx(0.25f));
    CHECK(imageUvAt(p, {0.5f, 1.0f}).y == Approx(0.5f));
    // Out-of-range zoom is clamped; NaNs fall back.
    d.view = {std::nanf(""), 2.0f, 100.0f};
    p = panelParams(d, SlideFormat::R8, 100, 100, 1.0f, false, false);
    CHECK(p.view.x == 0.5f);
    CHECK(p.view.y == 1.0f);
    CHECK(p.view.z == Approx(1.0f / sim::kMaxZoom));
    // Window arithmetic as media::applyWindow; colour slides bypass it.
    d.windowCentre = 40;
    d.windowWidth = 0.2; // < 1 is treated as 1
    p = panelParams(d, SlideFormat::R16, 10, 10, 1.0f, false, false);
    CHECK(p.window.x == Approx(39.5f));
    CHECK(p.window.y == 0.0f);
    CHECK(p.window.w == 1.0f);
    CHECK(panelParams(d, SlideFormat::Rgba8, 10, 10, 1.0f, false, false).window.w == 0.0f);
    // Cards fill the panel whatever its aspect.
    p = panelParams(d, SlideFormat::Rgba8, 512, 288, 1.0f, true, false);
    CHECK(p.view == glm::vec4(0.5f, 0.5f, 1.0f, 1.0f));
}

TEST_CASE("slides: thumbnails draw on screen in their rectangle, letterboxed and clipped", "[render][gpu][slides]") {
    auto rig = makeRig();
    REQUIRE(rig->ok);
    Renderer& r = rig->rig.renderer;
    SlidePixels px;
    px.width = 64;
    px.height = 32;
    px.format = SlideFormat::R8;
    px.bytes.assign(64 * 32, 200);
    REQUIRE(setPanelSlide(r, thumbnailSlot(0), px, PanelDisplay{}));
    const PanelShot shot(2.2f);
    std::vector<ThumbnailDraw> draws{{0, 100, 100, 80, 80, {0, 0, 1e9f, 1e9f}},   // square rect: bars above and below
                                     {0, 300, 100, 80, 40, {0, 0, 320, 1e9f}}};   // the same again, clipped at x = 320
    for (int f = 0; f < 3; ++f) {
        REQUIRE(beginFrame(r, rig->rig.target.extent) == FrameResult::Ready);
        drawScene(r, shot.view);
        drawThumbnails(r, draws);
        REQUIRE(endFrame(r) == FrameResult::Ready);
    }
    REQUIRE(waitIdle(r));
    auto img = captureFrame(r);
    REQUIRE(img.ok());
    const int expected = int(std::lround(media::applyWindow(200, 127.5, 256)));
    CHECK(std::abs(grey(*img, {140, 140}) - expected) <= 2); // inside
    CHECK(grey(*img, {140, 105}) == 0);                       // top bar (image aspect 2 in a square)
    CHECK(std::abs(grey(*img, {310, 120}) - expected) <= 2);  // inside, left of the clip
    const std::uint8_t* beyond = &img->pixels[(std::size_t(120) * img->width + 340) * 4];
    CHECK(std::abs(int(beyond[0]) - expected) + std::abs(int(beyond[2]) - expected) > 6); // clipped: the room shows
    CHECK(finish(rig) == 0);
}
