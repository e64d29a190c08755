// Offscreen rendering on the device Vulkan offers (lavapipe in CI), with the
// Khronos validation layer required: every case fails on any validation
// message. Reference images live in tests/render/reference/; regenerate them
// with CASEROOM_UPDATE_REFERENCES=1 after an intended visual change, and
// look at them before committing.
//
// Reference tolerance: a pixel differs when any channel differs by more than
// kChannelTolerance (of 255); an image matches when at most kMaxDiffering
// of its pixels differ and the mean channel difference is under kMaxMean.
// This absorbs rasteriser and MSAA edge differences between Mesa versions
// while catching any moved, missing or recoloured object.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>

#include <imgui.h>

#include "render/camera.h"
#include "render/image_io.h"
#include "render/imgui_layer.h"
#include "render/scene.h"
#include "render_fixture.h"
#include "sim/layout.h"
#include "sim/movement.h"

using namespace caseroom;
using namespace caseroom::render;
using namespace caseroom::render::test;

namespace {

constexpr std::uint32_t kChannelTolerance = 24;
constexpr double kMaxDifferingFraction = 0.005; // 0.5 % of pixels
constexpr double kMaxMean = 1.5;

void checkReference(const RgbaImage& img, const std::string& name) {
    REQUIRE(img.width == kWidth);
    const std::string ref = std::string(CASEROOM_RENDER_REFERENCE_DIR) + "/" + name + ".png";
    std::filesystem::create_directories(CASEROOM_RENDER_OUT_DIR);
    const std::string out = std::string(CASEROOM_RENDER_OUT_DIR) + "/" + name + ".png";
    REQUIRE(writePng(out, img).ok());
    if (const char* u = std::getenv("CASEROOM_UPDATE_REFERENCES"); u && std::string(u) == "1") {
        REQUIRE(writePng(ref, img).ok());
        WARN("updated reference " << ref);
        return;
    }
    auto expected = readPng(ref);
    INFO("reference " << ref << " (actual image written to " << out << ")");
    REQUIRE(expected.ok());
    const Diff d = compare(img, *expected, kChannelTolerance);
    INFO("differing pixels " << d.over << ", mean difference " << d.mean << ", largest " << d.maxDelta);
    CHECK(d.over <= static_cast<std::uint32_t>(kMaxDifferingFraction * kWidth * kHeight));
    CHECK(d.mean < kMaxMean);
}

sim::RoomLayout demoLayout() { return sim::makeLayout(sim::RoomSpec{}); }

std::vector<AvatarDraw> seatedAvatars(const sim::RoomLayout& l, std::uint32_t n, std::uint16_t viewerSeat) {
    auto avatars = syntheticAvatars(l, n);
    for (auto& a : avatars)
        if (a.pose.seat == viewerSeat) a.hideHead = true;
    return avatars;
}

// One avatar standing at `at` facing `yaw`, looked at from 2.2 m in front of its torso.
struct Single {
    sim::RoomLayout layout = demoLayout();
    std::vector<AvatarDraw> avatars;
    FrameView view;
    glm::mat4 viewProj{1.0f};
};

Single single(core::Role role, float facingYaw, bool seated = false) {
    Single s;
    AvatarDraw a;
    a.role = role;
    a.name = "Test Person";
    const glm::vec3 at{-5.0f, 0.0f, 2.5f}; // open floor: no table, chairs or panels behind it
    a.pose.body = at;
    a.pose.bodyYaw = facingYaw;
    if (seated) a.pose.seat = 0; // posture only: the pose says seated
    sim::poseHead(a.pose, 0.0f, 0.0f);
    s.avatars.push_back(a);
    const glm::vec3 torso = torsoCenter(a.pose);
    s.view.layout = &s.layout;
    s.view.avatars = s.avatars;
    s.view.camera = lookAt(torso + glm::vec3(0.0f, 0.3f, 2.2f), torso, 1.0f);
    s.viewProj = viewProjection(s.view.camera, static_cast<float>(kWidth) / static_cast<float>(kHeight));
    return s;
}

glm::vec2 project(const Single& s, glm::vec3 p) {
    auto px = projectToPixel(s.viewProj, p, {static_cast<float>(kWidth), static_cast<float>(kHeight)});
    REQUIRE(px.has_value());
    return *px;
}

} // namespace

TEST_CASE("offscreen: empty room matches the reference", "[render][gpu]") {
    auto rig = makeRig();
    REQUIRE(rig->ok);
    const auto layout = demoLayout();
    FrameView view;
    view.layout = &layout;
    view.camera = overviewCamera(layout);
    checkReference(renderImage(*rig, view), "empty_room_overview");
    CHECK(finish(rig) == 0);
}

TEST_CASE("offscreen: seated avatars from a seat match the reference", "[render][gpu]") {
    auto rig = makeRig();
    REQUIRE(rig->ok);
    const auto layout = demoLayout();
    const auto avatars = seatedAvatars(layout, 12, 0);
    FrameView view;
    view.layout = &layout;
    view.avatars = avatars;
    view.camera = seatCamera(layout, 0);
    checkReference(renderImage(*rig, view), "seated12_seat0");
    CHECK(finish(rig) == 0);
}

TEST_CASE("offscreen: seated avatars from above match the reference", "[render][gpu]") {
    auto rig = makeRig();
    REQUIRE(rig->ok);
    const auto layout = demoLayout();
    const auto avatars = seatedAvatars(layout, 12, sim::kNoSeat);
    FrameView view;
    view.layout = &layout;
    view.avatars = avatars;
    view.camera = overviewCamera(layout);
    checkReference(renderImage(*rig, view), "seated12_overview");
    CHECK(finish(rig) == 0);
}

TEST_CASE("offscreen: an avatar covers its torso region in its role colour", "[render][gpu]") {
    auto rig = makeRig();
    REQUIRE(rig->ok);
    for (int r = 0; r < static_cast<int>(core::Role::Count); ++r) {
        const auto role = static_cast<core::Role>(r);
        Single s = single(role, 0.0f);
        s.view.camera = lookAt(torsoCenter(s.avatars[0].pose) + glm::vec3(0.0f, 0.3f, -2.2f),
                               torsoCenter(s.avatars[0].pose), 1.0f); // in front: it faces -z
        s.viewProj = viewProjection(s.view.camera, static_cast<float>(kWidth) / static_cast<float>(kHeight));
        const RgbaImage img = renderImage(*rig, s.view);
        REQUIRE(img.width == kWidth);
        // The torso box is 0.42 m wide and ~0.6 m tall: sample a grid inside its middle.
        const glm::vec3 c = torsoCenter(s.avatars[0].pose);
        int inside = 0, total = 0;
        for (float dx : {-0.12f, -0.06f, 0.0f, 0.06f, 0.12f})
            for (float dy : {-0.18f, -0.09f, 0.0f, 0.09f}) {
                const glm::vec2 p = project(s, c + glm::vec3(dx, dy, -0.13f));
                ++total;
                if (sameChroma(pixel(img, int(p.x), int(p.y)), roleColor(role), 0.04f)) ++inside;
            }
        INFO("role " << core::toString(role) << ": " << inside << "/" << total << " samples in the role colour");
        CHECK(inside >= total - 2); // hands may cross the torso
        // And nowhere near the role colour on the floor beside it.
        const glm::vec2 side = project(s, c + glm::vec3(1.2f, -0.9f, 0.0f));
        CHECK_FALSE(sameChroma(meanBlock(img, int(side.x), int(side.y), 2), roleColor(role), 0.04f));
    }
    CHECK(finish(rig) == 0);
}

TEST_CASE("offscreen: the visor shows which way the head faces", "[render][gpu]") {
    auto rig = makeRig();
    REQUIRE(rig->ok);
    // Facing the camera (camera sits at +z of it): the dark visor is visible at eye height.
    Single toward = single(core::Role::Spoke, sim::kPi);
    const RgbaImage a = renderImage(*rig, toward.view);
    const glm::vec3 head = toward.avatars[0].pose.headPosition();
    const glm::vec2 eye = project(toward, head + glm::vec3(0, 0, 0.12f));
    const glm::vec3 visor = meanBlock(a, int(eye.x), int(eye.y), 1);
    CHECK(visor.r + visor.g + visor.b < 0.45f);
    // Facing away: the same spot shows the back of the (skin-coloured) head.
    Single away = single(core::Role::Spoke, 0.0f);
    const RgbaImage b = renderImage(*rig, away.view);
    const glm::vec3 back = meanBlock(b, int(eye.x), int(eye.y), 1);
    CHECK(back.r > 0.5f);
    CHECK(back.r > back.b + 0.1f);
    CHECK(finish(rig) == 0);
}

TEST_CASE("offscreen: seated heads are lower than standing heads", "[render][gpu]") {
    auto rig = makeRig();
    REQUIRE(rig->ok);
    Single standing = single(core::Role::Spoke, sim::kPi);
    Single seated = single(core::Role::Spoke, sim::kPi, true);
    seated.view.camera = standing.view.camera; // same viewpoint for both
    seated.viewProj = standing.viewProj;
    CHECK(seated.avatars[0].pose.headPosition().y < standing.avatars[0].pose.headPosition().y - 0.3f);
    const RgbaImage img = renderImage(*rig, seated.view);
    const glm::vec2 seatedEye = project(seated, seated.avatars[0].pose.headPosition() + glm::vec3(0, 0, 0.12f));
    const glm::vec2 standingEye = project(standing, standing.avatars[0].pose.headPosition() + glm::vec3(0, 0, 0.12f));
    const glm::vec3 atSeated = meanBlock(img, int(seatedEye.x), int(seatedEye.y), 1);
    const glm::vec3 atStanding = meanBlock(img, int(standingEye.x), int(standingEye.y), 1);
    CHECK(atSeated.r + atSeated.g + atSeated.b < 0.45f);    // the visor, low
    CHECK(atStanding.r + atStanding.g + atStanding.b > 0.9f); // the wall behind, where a standing head would be
    CHECK(finish(rig) == 0);
}

TEST_CASE("offscreen: a replaced panel image shows on its panel", "[render][gpu]") {
    auto rig = makeRig();
    REQUIRE(rig->ok);
    const auto layout = demoLayout();
    FrameView view;
    view.layout = &layout;
    view.camera = lookAt({0.0f, 1.6f, 0.0f}, layout.panels[0].center, 1.0f);
    const RgbaImage before = renderImage(*rig, view);
    RgbaImage magenta;
    magenta.width = 64;
    magenta.height = 36;
    magenta.pixels.assign(64 * 36 * 4, 255);
    for (std::size_t i = 0; i < magenta.pixels.size(); i += 4) magenta.pixels[i + 1] = 0;
    setPanelImage(rig->rig.renderer, 0, magenta);
    const RgbaImage after = renderImage(*rig, view);
    const glm::mat4 vp = viewProjection(view.camera, float(kWidth) / float(kHeight));
    const auto c = projectToPixel(vp, layout.panels[0].center, {float(kWidth), float(kHeight)});
    REQUIRE(c.has_value());
    const glm::vec3 p0 = meanBlock(before, int(c->x), int(c->y), 2);
    const glm::vec3 p1 = meanBlock(after, int(c->x), int(c->y), 2);
    CHECK_FALSE((p0.r > 0.9f && p0.g < 0.1f && p0.b > 0.9f));
    CHECK(p1.r > 0.95f);
    CHECK(p1.g < 0.05f);
    CHECK(p1.b > 0.95f);
    CHECK(finish(rig) == 0);
}

TEST_CASE("offscreen: hundreds of avatars cost a handful of draw calls", "[render][gpu]") {
    auto rig = makeRig();
    REQUIRE(rig->ok);
    const auto layout = demoLayout();
    const auto avatars = syntheticAvatars(layout, 200);
    FrameView view;
    view.layout = &layout;
    view.avatars = avatars;
    view.camera = overviewCamera(layout);
    const RgbaImage img = renderImage(*rig, view);
    REQUIRE(img.width == kWidth);
    const RenderStats& st = rig->rig.renderer.stats;
    CHECK(st.avatars == 200);
    CHECK(st.drawCalls <= kMeshKinds + layout.panels.size());
    CHECK(st.instances > 200 * 6);
    // Steady state: the instance buffers stop growing once sized.
    const auto growths = st.bufferGrowths;
    REQUIRE(renderFrames(rig->rig, view, 4).ok());
    CHECK(rig->rig.renderer.stats.bufferGrowths == growths);
    CHECK(finish(rig) == 0);
}

TEST_CASE("offscreen: name tags through the Dear ImGui backend are drawn above heads", "[render][gpu]") {
    auto rig = makeRig();
    REQUIRE(rig->ok);
    ImGui::CreateContext();
    ImGui::GetIO().IniFilename = nullptr;
    ImGui::GetIO().DisplaySize = ImVec2(float(kWidth), float(kHeight));
    ImGuiLayer ui;
    REQUIRE(createImGuiLayer(ui, rig->rig.dev, rig->rig.target).ok());
    Single s = single(core::Role::Specialist, sim::kPi);
    const glm::vec2 tag = project(s, nameTagAnchor(s.avatars[0].pose));
    for (int frame = 0; frame < 3; ++frame) {
        REQUIRE(beginFrame(rig->rig.renderer, rig->rig.target.extent) == FrameResult::Ready);
        drawScene(rig->rig.renderer, s.view);
        imguiNewFrame(ui);
        ImGui::NewFrame();
        drawNameTags(ui, ImGui::GetBackgroundDrawList(), s.viewProj, s.view.camera.eye,
                     {float(kWidth), float(kHeight)}, s.avatars);
        ImGui::Render();
        recordImGui(ui, frameCommandBuffer(rig->rig.renderer));
        REQUIRE(endFrame(rig->rig.renderer) == FrameResult::Ready);
    }
    REQUIRE(waitIdle(rig->rig.renderer));
    auto img = captureFrame(rig->rig.renderer);
    REQUIRE(img.ok());
    // The label's role bar sits just above the anchor, in the role colour.
    CHECK(sameChroma(meanBlock(*img, int(tag.x), int(tag.y) - 2, 1), roleColor(core::Role::Specialist), 0.06f));
    // Text: some bright pixels inside the label.
    int bright = 0;
    for (int y = int(tag.y) - 18; y < int(tag.y) - 4; ++y)
        for (int x = int(tag.x) - 30; x < int(tag.x) + 30; ++x) {
            const glm::vec3 p = pixel(*img, x, y);
            if (p.r > 0.8f && p.g > 0.8f && p.b > 0.8f) ++bright;
        }
    CHECK(bright > 20);
    destroyImGuiLayer(ui);
    ImGui::DestroyContext();
    CHECK(finish(rig) == 0);
}

TEST_CASE("offscreen: a lost device stops rendering with a clear error, not a crash", "[render][gpu]") {
    auto rig = makeRig();
    REQUIRE(rig->ok);
    const auto layout = demoLayout();
    FrameView view;
    view.layout = &layout;
    view.camera = overviewCamera(layout);
    REQUIRE(renderFrames(rig->rig, view, 2).ok());
    // What noteDeviceLost records when a submit or wait returns VK_ERROR_DEVICE_LOST.
    CHECK(noteDeviceLost(rig->rig.dev, VK_ERROR_DEVICE_LOST));
    CHECK(beginFrame(rig->rig.renderer, rig->rig.target.extent) == FrameResult::DeviceLost);
    const auto status = renderFrames(rig->rig, view, 1);
    REQUIRE_FALSE(status.ok());
    CHECK(status.error().message.find("lost") != std::string::npos);
    CHECK_FALSE(captureFrame(rig->rig.renderer).ok());
    rig->rig.dev.lost = false; // the real device is fine: tear down normally
    CHECK(finish(rig) == 0);
}
