// The slides glue end to end on lavapipe (validation layer required): a deck
// in a real BlobStore directory (PNG frames made with libspng), the local
// panels twin as the room, the controller decoding on its worker and driving
// the renderer. What the panel shows must be the reference grey
// (media::applyWindow) for the presenter's window, a viewer's local window,
// and after snapping back; a window change uploads nothing; cine frames
// advance with time.
#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <cstring>
#include <thread>

#include "fixtures.h"
#include "media/window.h"
#include "render/camera.h"
#include "render/scene.h"
#include "render_fixture.h"
#include "sim/layout.h"
#include <imgui.h>

#include "slides.h"
#include "slides_ui.h"
#include "temp_dir.h"

using namespace caseroom;
using namespace caseroom::client;
using namespace caseroom::render;
using namespace caseroom::render::test;

namespace {

// A 16:9 16-bit signed CT frame, uniform stored value `raw` (HU = raw - 1024).
media::testkit::Bytes ctFrame(std::int16_t raw) {
    media::testkit::Bytes px(160 * 90 * 2);
    const auto stored = static_cast<std::uint16_t>(raw + 32768);
    for (std::size_t i = 0; i < 160 * 90; ++i) std::memcpy(&px[i * 2], &stored, 2);
    return media::testkit::makePng(160, 90, 1, 16, px);
}

media::DeckSlide ctSlide() {
    media::DeckSlide s;
    s.kind = media::SlideKind::Dicom;
    s.width = 160;
    s.height = 90;
    s.bits = 16;
    s.isSigned = true;
    s.rescaleIntercept = -1024.0;
    s.window = media::Window{40, 80};
    return s;
}

struct Room {
    sim::RoomLayout layout = sim::makeLayout(sim::RoomSpec{});
    FrameView view;
    glm::ivec2 centre{0};
    Room() {
        const sim::Panel& p = layout.panels[0];
        view.layout = &layout;
        view.camera = panelCamera(p, float(kWidth) / float(kHeight));
        const auto px = projectToPixel(viewProjection(view.camera, float(kWidth) / float(kHeight)), p.center,
                                       {float(kWidth), float(kHeight)});
        REQUIRE(px.has_value());
        centre = {int(px->x), int(px->y)};
    }
};

int centreGrey(Rig& rig, const Room& room) {
    auto img = captureFrame(rig.rig.renderer);
    REQUIRE(img.ok());
    return img->pixels[(std::size_t(room.centre.y) * img->width + std::size_t(room.centre.x)) * 4];
}

int hu(double value, double c, double w) { return int(std::lround(media::applyWindow(value, c, w))); }

// Frames until the controller has put the wanted frame up (the worker decodes meanwhile).
void settle(Rig& rig, SlideController& c, LocalPanels& room, std::span<const LocalView> local, const Room& r,
            double now) {
    for (int i = 0; i < 400; ++i) {
        c.update(now, room.panels, local, {}, rig.rig.renderer);
        REQUIRE(renderFrames(rig.rig, r.view, 1).ok());
        // Everything uploaded (the other panels' test cards too): what follows counts upload bytes.
        if (c.decoder().queued() == 0 && panelSlideReady(rig.rig.renderer, 0) && c.info(0).manifestReady &&
            rig.rig.renderer.panels[0].image.extent.width == 160 && rig.rig.renderer.uploads.empty())
            return;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

} // namespace

TEST_CASE("slide controller: a deck from a blob directory shows the presenter's window, a viewer's own, and snaps back",
          "[render][gpu][slides]") {
    testing::TempDir dir;
    REQUIRE(dir.ok());
    auto source = LocalBlobSource::open(dir.path / "blobs");
    REQUIRE(source.ok());
    media::DeckManifest deck;
    deck.title = "Case 3";
    media::DeckSlide s0 = ctSlide();
    s0.caption = "Axial CT, HU 20";
    auto f0 = (*source)->store().put(ctFrame(1044)); // HU 20
    REQUIRE(f0.ok());
    s0.frames = {*f0};
    media::DeckSlide cine = ctSlide();
    cine.frameRateHz = 10.0;
    for (std::int16_t raw : {std::int16_t{1024}, std::int16_t{1064}, std::int16_t{1104}}) { // HU 0, 40, 80
        auto f = (*source)->store().put(ctFrame(raw));
        REQUIRE(f.ok());
        cine.frames.push_back(*f);
    }
    deck.slides = {s0, cine};
    core::ContentHash deckHash;
    deckHash.bytes[0] = 0xde;

    auto rig = makeRig();
    REQUIRE(rig->ok);
    SlideController controller(**source);
    controller.provideManifest(deckHash, deck);
    LocalPanels room(4);
    std::array<LocalView, 4> local{};
    const Room r;
    room.showDeck(0, deckHash);
    settle(*rig, controller, room, local, r, 0.0);
    CHECK(controller.info(0).caption == "Axial CT, HU 20");
    CHECK(controller.info(0).slides == 2);
    CHECK(centreGrey(*rig, r) == Approx(hu(20, 40, 80)).margin(2)); // the slide's default window

    // The presenter drags the window: uniform data only, no upload.
    const auto bytes = rig->rig.renderer.stats.uploadBytes;
    room.setWindow(0, {false, 400.0f, 1800.0f});
    settle(*rig, controller, room, local, r, 0.1);
    CHECK(centreGrey(*rig, r) == Approx(hu(20, 400, 1800)).margin(2));
    CHECK(rig->rig.renderer.stats.uploadBytes == bytes);

    // A viewer looks closer with a window of their own; the presenter's state is untouched.
    lookCloser(local[0], room.panels[0]);
    local[0].window = sim::PanelWindow{false, 20.0f, 10.0f};
    settle(*rig, controller, room, local, r, 0.2);
    CHECK(centreGrey(*rig, r) == Approx(hu(20, 20, 10)).margin(2));
    CHECK(room.panels[0].window.centre == 400.0f);
    snapBack(local[0]);
    settle(*rig, controller, room, local, r, 0.3);
    CHECK(centreGrey(*rig, r) == Approx(hu(20, 400, 1800)).margin(2));

    // Next slide, a cine loop: playing advances the frame with time (10 Hz).
    room.setSlide(0, 1);
    room.setWindow(0, {false, 40.0f, 80.0f});
    settle(*rig, controller, room, local, r, 1.0);
    CHECK(centreGrey(*rig, r) == Approx(hu(0, 40, 80)).margin(2));
    room.setPlaying(0, true);
    settle(*rig, controller, room, local, r, 2.0);   // playback starts now
    settle(*rig, controller, room, local, r, 2.15);  // 1.5 frames later: frame 1
    CHECK(controller.info(0).frameShown == 1);
    CHECK(centreGrey(*rig, r) == Approx(hu(40, 40, 80)).margin(2));
    settle(*rig, controller, room, local, r, 2.25);  // frame 2
    CHECK(centreGrey(*rig, r) == 255);
    settle(*rig, controller, room, local, r, 2.35);  // looped to frame 0
    CHECK(controller.info(0).frameShown == 0);
    // Steady playback reuses the replaced frame's image: no new VkImage per cine frame.
    const auto images = rig->rig.renderer.stats.slideImagesCreated;
    for (double t = 2.45; t < 3.0; t += 0.1) settle(*rig, controller, room, local, r, t);
    CHECK(rig->rig.renderer.stats.slideImagesCreated == images);
    CHECK(rig->rig.renderer.stats.uploadsDone > 8);
    // With the room's clock, playback runs from the server tick it began at,
    // so a viewer that saw it start late shows the same frame as everyone:
    // 11 ticks at 20 Hz after playTick is 0.55 s, 5.5 frames at 10 Hz: frame 2.
    room.panels[0].playTick = 100;
    controller.setServerClock(111, 20.0, 2.9);
    settle(*rig, controller, room, local, r, 2.9);
    CHECK(controller.info(0).frameShown == 2);
    controller.setServerClock(112, 20.0, 2.95);      // the clock moves on: 0.6 s, frame 6 % 3 = 0
    settle(*rig, controller, room, local, r, 2.95);
    CHECK(controller.info(0).frameShown == 0);

    // Off the deck: the test card again.
    room.showDeck(0, core::ContentHash{});
    settle(*rig, controller, room, local, r, 3.5);
    for (int i = 0; i < 3; ++i) REQUIRE(renderFrames(rig->rig, r.view, 1).ok());
    CHECK(rig->rig.renderer.panels[0].card);
    CHECK(finish(rig) == 0);
}

TEST_CASE("slide tools: keys page the presenter's deck, a viewer's drag and reset stay local", "[render][gpu][slides]") {
    testing::TempDir dir;
    REQUIRE(dir.ok());
    auto source = LocalBlobSource::open(dir.path / "blobs");
    REQUIRE(source.ok());
    media::DeckManifest deck;
    deck.title = "Didactic";
    for (std::int16_t raw : {std::int16_t{1044}, std::int16_t{1064}, std::int16_t{1104}}) {
        media::DeckSlide s = ctSlide();
        auto f = (*source)->store().put(ctFrame(raw));
        REQUIRE(f.ok());
        s.frames = {*f};
        deck.slides.push_back(s);
    }
    core::ContentHash deckHash;
    deckHash.bytes[0] = 0x5d;
    auto rig = makeRig();
    REQUIRE(rig->ok);
    SlideController controller(**source);
    controller.provideManifest(deckHash, deck);
    LocalPanels room(4);
    room.showDeck(0, deckHash);
    const Room r;
    SlidesUi ui;
    ImGui::CreateContext();
    ImGui::GetIO().IniFilename = nullptr;
    ImGui::GetIO().DisplaySize = ImVec2(float(kWidth), float(kHeight));
    unsigned char* fontPixels = nullptr;
    int fw = 0, fh = 0;
    ImGui::GetIO().Fonts->GetTexDataAsRGBA32(&fontPixels, &fw, &fh);
    auto uiFrame = [&](SlideKeys keys, bool presenter) {
        ImGui::GetIO().DeltaTime = 1.0f / 60.0f;
        ImGui::NewFrame();
        SlidesUiView v;
        v.keys = keys;
        v.slides = &controller;
        v.panels = room.panels;
        v.intents = &room;
        v.presenter = presenter;
        drawSlidesUi(ui, v);
        ImGui::EndFrame();
    };
    std::array<LocalView, 4> none{};
    settle(*rig, controller, room, none, r, 0.0);
    REQUIRE(controller.info(0).slides == 3);
    SlideKeys next;
    next.next = true;
    uiFrame(next, true);
    CHECK(room.panels[0].slide == 1);
    uiFrame(next, true);
    uiFrame(next, true); // past the end: stays on the last
    CHECK(room.panels[0].slide == 2);
    SlideKeys prev;
    prev.previous = true;
    uiFrame(prev, true);
    CHECK(room.panels[0].slide == 1);
    // A viewer's keys do not page the room.
    uiFrame(next, false);
    CHECK(room.panels[0].slide == 1);
    // F and L toggle for everyone; the presenter's laser goes to the room.
    SlideKeys fl;
    fl.fullScreen = true;
    fl.laser = true;
    uiFrame(fl, true);
    CHECK(ui.fullScreen);
    CHECK(ui.laserOn);
    CHECK(room.laserState.on);
    SlideKeys esc;
    esc.escape = true;
    uiFrame(esc, false);
    CHECK_FALSE(ui.fullScreen);
    // The panel shows what the room says after the keys.
    settle(*rig, controller, room, none, r, 0.5);
    CHECK(centreGrey(*rig, r) == Approx(hu(40, 40, 80)).margin(2));

    // The presenter's browser: a thumbnail per slide, drawn by the renderer where the UI put it.
    for (int i = 0; i < 200 && !(controller.thumbnailReady(0) && controller.thumbnailReady(2)); ++i) {
        uiFrame({}, true);
        settle(*rig, controller, room, none, r, 0.6);
    }
    REQUIRE(controller.thumbnailReady(2));
    for (int i = 0; i < 3; ++i) settle(*rig, controller, room, none, r, 0.7); // thumbnail uploads done
    uiFrame({}, true);
    REQUIRE(ui.thumbnails.size() == 3);
    for (int f = 0; f < 3; ++f) {
        REQUIRE(beginFrame(rig->rig.renderer, rig->rig.target.extent) == FrameResult::Ready);
        drawScene(rig->rig.renderer, r.view);
        drawThumbnails(rig->rig.renderer, ui.thumbnails);
        REQUIRE(endFrame(rig->rig.renderer) == FrameResult::Ready);
    }
    REQUIRE(waitIdle(rig->rig.renderer));
    auto shot = captureFrame(rig->rig.renderer);
    REQUIRE(shot.ok());
    const std::array<double, 3> huOf{20, 40, 80};
    for (std::size_t k = 0; k < 3; ++k) {
        const ThumbnailDraw& t = ui.thumbnails[k];
        const int x = int(t.x + t.w / 2), y = int(t.y + t.h / 2);
        INFO("thumbnail " << k << " at " << x << "," << y);
        REQUIRE(x < int(kWidth));
        REQUIRE(y < int(kHeight));
        CHECK(int(shot->pixels[(std::size_t(y) * kWidth + std::size_t(x)) * 4]) == Approx(hu(huOf[k], 40, 80)).margin(2));
    }
    ImGui::DestroyContext();
    CHECK(finish(rig) == 0);
}
