// Live video in the renderer, offscreen on lavapipe with the validation layer
// required (any message fails): I420 pictures packed into one R8 texture and
// converted to RGB in the panel shader, on a wall panel, on an on-screen
// tile and on an avatar's face. The colours read back must be what the CPU
// reference of the same conversion (render::bt601ToRgb) gives for the
// source's samples, within a few levels (filtering, MSAA resolve, float).
#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>

#include <imgui.h>

#include "core/percentile.h"
#include "media/video_frame.h"
#include "render/camera.h"
#include "render/headless.h"
#include "render/scene.h"
#include "render_fixture.h"
#include "sim/avatar.h"
#include "sim/layout.h"

using namespace caseroom;
using namespace caseroom::render;
using namespace caseroom::render::test;

namespace {

// A flat picture of one colour.
media::I420Frame flat(std::uint32_t w, std::uint32_t h, std::uint8_t y, std::uint8_t cb, std::uint8_t cr) {
    media::I420Frame f = media::I420Frame::black(w, h);
    std::fill(f.y.begin(), f.y.end(), y);
    std::fill(f.u.begin(), f.u.end(), cb);
    std::fill(f.v.begin(), f.v.end(), cr);
    return f;
}

bool show(Renderer& r, std::uint32_t slot, const media::I420Frame& f) {
    return setPanelVideo(r, slot, f.width, f.height, f.y, f.u, f.v);
}

void frames(Rig& rig, const FrameView& view, std::span<const ThumbnailDraw> tiles = {}, int n = 3) {
    Renderer& r = rig.rig.renderer;
    for (int i = 0; i < n; ++i) {
        REQUIRE(beginFrame(r, rig.rig.target.extent) == FrameResult::Ready);
        drawScene(r, view);
        drawThumbnails(r, tiles);
        REQUIRE(endFrame(r) == FrameResult::Ready);
    }
    REQUIRE(waitIdle(r));
}

glm::vec3 expected(const media::I420Frame& f, std::uint32_t x, std::uint32_t y) {
    const std::size_t c = std::size_t{y / 2} * (f.width / 2) + x / 2;
    return bt601ToRgb(f.y[std::size_t{y} * f.width + x], f.u[c], f.v[c]);
}

float maxDiff(glm::vec3 a, glm::vec3 b) {
    const glm::vec3 d = glm::abs(a - b);
    return std::max({d.x, d.y, d.z});
}

} // namespace

TEST_CASE("video: I420 packing and the BT.601 conversion (pure)", "[render][video]") {
    const media::I420Frame f = media::testPattern(64, 32, 3);
    std::vector<std::uint8_t> packed;
    packI420(64, 32, f.y, f.u, f.v, packed);
    REQUIRE(packed.size() == 64u * 32 * 3 / 2);
    CHECK(std::equal(f.y.begin(), f.y.end(), packed.begin()));
    // Chroma row 5: Cb then Cr, each 32 samples, in texture row 32 + 5.
    const std::size_t row = (32 + 5) * 64;
    CHECK(std::equal(f.u.begin() + 5 * 32, f.u.begin() + 6 * 32, packed.begin() + static_cast<std::ptrdiff_t>(row)));
    CHECK(std::equal(f.v.begin() + 5 * 32, f.v.begin() + 6 * 32, packed.begin() + static_cast<std::ptrdiff_t>(row + 32)));
    CHECK(textureRows(SlideFormat::I420, 180) == 270);
    CHECK(textureRows(SlideFormat::Rgba8, 180) == 180);

    CHECK(maxDiff(bt601ToRgb(16, 128, 128), glm::vec3(0.0f)) < 1e-5f);   // limited-range black
    CHECK(maxDiff(bt601ToRgb(235, 128, 128), glm::vec3(1.0f)) < 0.003f); // and white
    CHECK(maxDiff(bt601ToRgb(81, 90, 240), glm::vec3(1, 0, 0)) < 0.01f); // BT.601 red
    CHECK(maxDiff(bt601ToRgb(145, 54, 34), glm::vec3(0, 1, 0)) < 0.01f); // green
    CHECK(maxDiff(bt601ToRgb(41, 240, 110), glm::vec3(0, 0, 1)) < 0.01f); // blue

    const PanelParams p = panelParams(PanelDisplay{}, SlideFormat::I420, 320, 180, 16.0f / 9.0f, false, false);
    CHECK(p.window.w == 2.0f); // the shader's video path
    CHECK(p.view.z == Approx(1.0f)); // 16:9 in 16:9: no bars
}

TEST_CASE("video: a test pattern on a wall panel shows the source's colours; the latest picture wins",
          "[render][gpu][video]") {
    auto rig = makeRig();
    REQUIRE(rig->ok);
    Renderer& r = rig->rig.renderer;
    sim::RoomLayout layout = sim::makeLayout(sim::RoomSpec{});
    const sim::Panel& panel = layout.panels[0];
    const glm::vec3 n = panelNormal(panel);
    FrameView view;
    view.layout = &layout;
    view.camera = lookAt(panel.center + n * 2.4f, panel.center, 1.0f);
    const glm::mat4 vp = viewProjection(view.camera, float(kWidth) / float(kHeight));
    auto pixelAt = [&](glm::vec2 uv) {
        const glm::vec3 up{0, 1, 0}, right = glm::cross(-n, up);
        const glm::vec3 w = panel.center + n * 0.035f + right * ((uv.x - 0.5f) * panel.width) +
                            up * ((0.5f - uv.y) * panel.height);
        auto px = projectToPixel(vp, w, {float(kWidth), float(kHeight)});
        REQUIRE(px.has_value());
        return glm::ivec2(int(px->x), int(px->y));
    };

    // An older picture, then the one that must show: queued before the frame, the first never uploads.
    const std::uint64_t dropped = r.stats.uploadsDropped;
    REQUIRE(show(r, 0, flat(320, 180, 41, 240, 110)));
    const media::I420Frame f = media::testPattern(320, 180, 7);
    REQUIRE(show(r, 0, f));
    CHECK(r.stats.uploadsDropped == dropped + 1);
    frames(*rig, view);
    CHECK(slotHasPicture(r, 0));
    auto img = captureFrame(r);
    REQUIRE(img.ok());
    // The colour bars across the top third: each bar's centre against the reference.
    int checked = 0;
    for (std::uint32_t bar = 0; bar < 8; ++bar) {
        const std::uint32_t x = (2 * bar + 1) * 320 / 16, y = 30;
        const glm::ivec2 at = pixelAt({(float(x) + 0.5f) / 320.0f, (float(y) + 0.5f) / 180.0f});
        const glm::vec3 got = meanBlock(*img, at.x, at.y, 1), want = expected(f, x, y);
        INFO("bar " << bar << " got " << got.x << "," << got.y << "," << got.z << " want " << want.x << ","
                    << want.y << "," << want.z);
        CHECK(maxDiff(got, want) < 5.0f / 255.0f);
        ++checked;
    }
    CHECK(checked == 8);
    CHECK(finish(rig) == 0);
}

TEST_CASE("video: a tile on screen and on an avatar's face; a cleared tile is not drawn", "[render][gpu][video]") {
    auto rig = makeRig();
    REQUIRE(rig->ok);
    Renderer& r = rig->rig.renderer;
    sim::RoomLayout layout = sim::makeLayout(sim::RoomSpec{});
    const media::I420Frame red = flat(320, 180, 81, 90, 240);
    REQUIRE(show(r, videoTileSlot(0), red));
    REQUIRE(show(r, videoTileSlot(1), red));
    CHECK_FALSE(setPanelVideo(r, videoTileSlot(2), 321, 180, red.y, red.u, red.v)); // odd width: refused
    CHECK_FALSE(setPanelVideo(r, kSlideSlots, 320, 180, red.y, red.u, red.v));     // no such slot

    // A standing avatar 1.6 m in front of the camera, facing it.
    sim::AvatarPose pose;
    pose.body = {0.0f, 0.0f, 1.0f};
    pose.head = sim::headRotation(0.0f, 0.0f); // faces -z
    const glm::vec3 headAt = pose.headPosition();
    FrameView view;
    view.layout = &layout;
    view.camera = lookAt(headAt + glm::vec3(0, 0, -1.6f), headAt, 1.0f);
    std::vector<AvatarDraw> avatars{AvatarDraw{pose, core::Role::Specialist, "Dr. Face"}};
    view.avatars = avatars;
    const std::vector<FaceDraw> faces{FaceDraw{videoTileSlot(1), headAt, pose.head, 16.0f / 9.0f}};
    view.faces = faces;
    const std::vector<ThumbnailDraw> tiles{{videoTileScreen(0), 10, 10, 96, 54, {0, 0, 1e9f, 1e9f}}};
    frames(*rig, view, tiles);
    auto img = captureFrame(r);
    REQUIRE(img.ok());
    const glm::vec3 want = bt601ToRgb(81, 90, 240);
    CHECK(maxDiff(meanBlock(*img, 58, 37, 2), want) < 5.0f / 255.0f); // the tile
    const glm::mat4 vp = viewProjection(view.camera, float(kWidth) / float(kHeight));
    // The quad's centre: between its corners, in front of the head.
    const std::array<Vertex, 6> quad = faceQuad(faces[0]);
    const glm::vec3 centre = (quad[0].position + quad[2].position) * 0.5f;
    CHECK(glm::dot(centre - headAt, pose.head * glm::vec3(0, 0, -1)) == Approx(kFaceForward).margin(1e-4));
    const auto face = projectToPixel(vp, centre, {float(kWidth), float(kHeight)});
    REQUIRE(face.has_value());
    CHECK(maxDiff(meanBlock(*img, int(face->x), int(face->y), 2), want) < 8.0f / 255.0f); // the face

    // Without the face and with tile 0 cleared: skin and the room, no red.
    clearPanelSlide(r, videoTileSlot(0));
    CHECK_FALSE(slotHasPicture(r, videoTileSlot(0)));
    view.faces = {};
    frames(*rig, view, tiles);
    auto after = captureFrame(r);
    REQUIRE(after.ok());
    CHECK(maxDiff(meanBlock(*after, 58, 37, 2), want) > 0.2f);
    CHECK(maxDiff(meanBlock(*after, int(face->x), int(face->y), 2), want) > 0.2f);
    CHECK(finish(rig) == 0);
}

TEST_CASE("video: tiles drawn after the UI land where the UI placed them", "[render][gpu][video]") {
    // The headless client's path: scene, Dear ImGui, then the screen slots above it.
    HeadlessUiRig rig;
    HeadlessDesc d;
    d.extent = {kWidth, kHeight};
    d.validation = Validation::Required;
    REQUIRE(createHeadlessUiRig(rig, d).ok());
    Renderer& r = rig.rig.renderer;
    sim::RoomLayout layout = sim::makeLayout(sim::RoomSpec{});
    FrameView view;
    view.layout = &layout;
    view.camera = overviewCamera(layout);
    const media::I420Frame blue = flat(320, 180, 41, 240, 110);
    REQUIRE(show(r, videoTileSlot(3), blue));
    std::vector<ThumbnailDraw> tiles;
    const auto ui = [&] {
        tiles.clear();
        ImGui::SetNextWindowPos(ImVec2(10, 150));
        ImGui::Begin("a window", nullptr, ImGuiWindowFlags_AlwaysAutoResize);
        ImGui::TextUnformatted("under nothing");
        ImGui::End();
        tiles.push_back({videoTileScreen(3), 300, 20, 160, 90, {0, 0, 1e9f, 1e9f}});
    };
    for (int i = 0; i < 3; ++i) REQUIRE(renderUiFrame(rig, view, ui, nullptr, &tiles) == FrameResult::Ready);
    REQUIRE(waitIdle(r));
    auto img = captureFrame(r);
    REQUIRE(img.ok());
    const glm::vec3 want = bt601ToRgb(41, 240, 110);
    CHECK(maxDiff(meanBlock(*img, 380, 65, 2), want) < 5.0f / 255.0f);             // where it was placed
    CHECK(maxDiff(meanBlock(*img, 380, kHeight - 65, 2), want) > 0.2f);            // not mirrored
    CHECK(validationMessageCount(rig.rig.dev) == 0);
    destroyHeadlessUiRig(rig);
}

// Hidden benchmark (BENCHMARKS.md "Video", the upload and display stages of
// glass to glass): per picture size, frames with a new picture on a wall
// panel against frames without one, interleaved (so a busy machine weighs
// on both alike) on a small target (so the frame's own cost stays small).
// setPanelVideo's own time (packing the planes) is measured apart; a frame
// is begin, scene, end and wait: on lavapipe the GPU's work (the copy, the
// YUV sampling) is CPU time too, so the frame is displayed when it returns.
TEST_CASE("video: upload and display cost per picture", "[.bench][render][video]") {
    auto rig = makeRig(320, 180);
    REQUIRE(rig->ok);
    Renderer& r = rig->rig.renderer;
    sim::RoomLayout layout = sim::makeLayout(sim::RoomSpec{});
    FrameView view;
    view.layout = &layout;
    view.camera = panelCamera(layout.panels[3], 16.0f / 9.0f);
    std::printf("| picture | setPanelVideo (ms) | frame without (ms) | frame with a new picture (ms) | difference (ms) |\n"
                "|---|---:|---:|---:|---:|\n");
    for (const auto& [w, h] : {std::pair{320u, 180u}, std::pair{640u, 360u}, std::pair{1280u, 720u}}) {
        std::vector<media::I420Frame> pictures;
        for (std::uint32_t i = 0; i < 8; ++i) pictures.push_back(media::testPattern(w, h, i));
        std::vector<double> pack, without, with;
        for (int i = 0; i < 220; ++i) {
            const bool withPicture = i % 2 == 1;
            const auto t0 = std::chrono::steady_clock::now();
            if (withPicture) {
                REQUIRE(show(r, 3, pictures[static_cast<std::size_t>(i) % pictures.size()]));
                if (i >= 20) pack.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
            }
            REQUIRE(beginFrame(r, rig->rig.target.extent) == FrameResult::Ready);
            drawScene(r, view);
            REQUIRE(endFrame(r) == FrameResult::Ready);
            REQUIRE(waitIdle(r));
            const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
            if (i >= 20) (withPicture ? with : without).push_back(ms);
        }
        CHECK(slotHasPicture(r, 3));
        const double a = core::percentile(without, 0.5), b = core::percentile(with, 0.5);
        std::printf("| %ux%u | %.2f | %.2f (%.2f..%.2f) | %.2f (%.2f..%.2f) | %.2f |\n", w, h, core::percentile(pack, 0.5), a,
                    core::percentile(without, 0.1), core::percentile(without, 0.9), b, core::percentile(with, 0.1),
                    core::percentile(with, 0.9), b - a);
    }
    CHECK(finish(rig) == 0);
}
