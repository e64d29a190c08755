// The client's slides over a real room, in process: the real server core
// (ServerHost with a real on-disk ContentStore) and real ClientSessions over
// the loopback twin, the client's SessionSlideSource / SessionPanelIntents
// (client/session_slides.h) and the slide controller driving the real
// renderer on lavapipe (validation layer required). A presenter shows a deck
// built in the test (16-bit CT frames as PNG, as caseroom-deck writes them);
// a viewer that has never seen it fetches the manifest and frames over the
// media channel and its panel shows the slide's expected grey, then the next
// slide's after the presenter pages; the presenter's laser lands on the
// viewer's panel; the viewer may ask for control but not drive.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstring>
#include <thread>

#include "fixtures.h"
#include "media/deck.h"
#include "media/window.h"
#include "net/loopback_transport.h"
#include "render/camera.h"
#include "render/scene.h"
#include "render_fixture.h"
#include "session/client_session.h"
#include "session/content_store.h"
#include "session/server_host.h"
#include "session_slides.h"
#include "slides.h"
#include "temp_dir.h"

using namespace caseroom;
using namespace caseroom::client;
using namespace caseroom::render;
using namespace caseroom::render::test;

namespace {

// A 16:9 16-bit signed CT frame of uniform HU (stored raw = HU + 1024, plus the deck's +32768).
media::testkit::Bytes ctFrame(int hu) {
    media::testkit::Bytes px(160 * 90 * 2);
    const auto stored = static_cast<std::uint16_t>(hu + 1024 + 32768);
    for (std::size_t i = 0; i < 160 * 90; ++i) std::memcpy(&px[i * 2], &stored, 2);
    return media::testkit::makePng(160, 90, 1, 16, px);
}

media::DeckSlide ctSlide(const core::ContentHash& frame, std::string caption) {
    media::DeckSlide s;
    s.kind = media::SlideKind::Dicom;
    s.width = 160;
    s.height = 90;
    s.bits = 16;
    s.isSigned = true;
    s.rescaleIntercept = -1024.0;
    s.window = media::Window{40, 80};
    s.caption = std::move(caption);
    s.frames = {frame};
    return s;
}

// The server's deck catalog over the one deck of the test.
struct OneDeck final : sim::DeckCatalog {
    core::ContentHash hash;
    media::DeckManifest manifest;
    std::optional<std::uint16_t> slideCount(const core::ContentHash& d) const override {
        if (d != hash) return std::nullopt;
        return static_cast<std::uint16_t>(manifest.slides.size());
    }
    std::optional<std::uint16_t> frameCount(const core::ContentHash& d, std::uint16_t s) const override {
        if (d != hash || s >= manifest.slides.size()) return std::nullopt;
        return static_cast<std::uint16_t>(manifest.slides[s].frames.size());
    }
};

constexpr double kStep = 1.0 / 240.0;

int expectedGrey(int hu) { return int(std::lround(media::applyWindow(hu, 40, 80))); }

} // namespace

TEST_CASE("room slides: a presenter shows a deck, a viewer fetches it and its panel shows the slide's grey",
          "[render][gpu][slides][session]") {
    testing::TempDir dir;
    REQUIRE(dir.ok());
    auto store = session::ContentStore::open(dir.path / "server");
    REQUIRE(store.ok());
    OneDeck catalog;
    auto f0 = store->blobs().put(ctFrame(20));
    auto f1 = store->blobs().put(ctFrame(60));
    REQUIRE(f0.ok());
    REQUIRE(f1.ok());
    catalog.manifest.title = "Case 9";
    catalog.manifest.slides = {ctSlide(*f0, "Axial CT, HU 20"), ctSlide(*f1, "Axial CT, HU 60")};
    REQUIRE(media::checkManifest(catalog.manifest).ok());
    auto mh = store->blobs().put(media::writeManifest(catalog.manifest));
    REQUIRE(mh.ok());
    catalog.hash = *mh;
    const std::vector<core::ContentHash> frames = catalog.manifest.blobs();
    REQUIRE(store->allowDeck(catalog.hash, frames).ok());

    net::LoopbackNetwork net{9};
    auto serverT = net.createHost(7777);
    session::ServerConfig cfg;
    cfg.decks = &catalog;
    cfg.content = &*store;
    session::ServerHost server(*serverT, cfg);
    std::vector<std::unique_ptr<net::Transport>> transports;
    auto join = [&](const char* name, core::Role role, const char* cache) {
        transports.push_back(net.createHost());
        session::ClientDesc d;
        d.displayName = name;
        d.role = role;
        d.blobCacheDir = dir.path / cache;
        auto s = std::make_unique<session::ClientSession>(*transports.back(), d);
        s->connect(net::Address{"loop", 7777}, 0.0);
        return s;
    };
    auto presenter = join("Dr. Present", core::Role::Facilitator, "presenter-cache");
    auto viewer = join("Spoke", core::Role::Spoke, "viewer-cache");
    double now = 0;
    auto step = [&] {
        now += kStep;
        presenter->update(now);
        viewer->update(now);
        server.update(now);
    };
    auto until = [&](double seconds, auto pred) {
        const double end = now + seconds;
        while (now < end) {
            step();
            if (pred()) return true;
        }
        return false;
    };
    REQUIRE(until(3.0, [&] {
        return presenter->state() == session::ClientState::InRoom && viewer->state() == session::ClientState::InRoom &&
               viewer->stats().snapshotsApplied > 0 && !viewer->panels().empty() && !presenter->panels().empty() &&
               viewer->layout() != nullptr &&
               presenter->selfPose() != nullptr;
    }));

    // Who may do what, as the client computes it for its UI.
    CHECK(mayDrive(core::Role::Facilitator, presenter->self(), presenter->panels()[0]));
    CHECK_FALSE(mayDrive(core::Role::Spoke, viewer->self(), viewer->panels()[0]));
    CHECK_FALSE(mayPoint(core::Role::Spoke, viewer->self(), viewer->panels()));
    CHECK_FALSE(mayPoint(core::Role::Observer, viewer->self(), viewer->panels()));
    CHECK(mayPoint(core::Role::Facilitator, presenter->self(), presenter->panels()));

    SessionPanelIntents presenterIntents(*presenter);
    presenterIntents.showDeck(0, catalog.hash);
    REQUIRE(until(1.0, [&] { return viewer->panels()[0].deck == catalog.hash; }));

    // The viewer: its own cache is empty; everything comes over the media channel.
    auto source = SessionSlideSource::open(viewer->fetcher().cacheDir());
    REQUIRE(source.ok());
    SlideControllerDesc sd;
    sd.parseManifest = &media::parseManifest;
    auto rig = makeRig();
    REQUIRE(rig->ok);
    const sim::RoomLayout layout = *viewer->layout();
    FrameView view;
    view.layout = &layout;
    view.camera = panelCamera(layout.panels[0], float(kWidth) / float(kHeight));
    const auto px = projectToPixel(viewProjection(view.camera, float(kWidth) / float(kHeight)), layout.panels[0].center,
                                   {float(kWidth), float(kHeight)});
    REQUIRE(px.has_value());
    {
        SlideController controller(**source, sd);
        std::vector<sim::LaserState> lasers;
        std::vector<std::vector<LaserDot>> dots;
        auto frame = [&] {
            step();
            (*source)->sync(*viewer);
            othersLasers(viewer->lasers(), viewer->self(), lasers);
            laserDots(layout, lasers, dots);
            controller.update(now, viewer->panels(), {}, dots, rig->rig.renderer);
            REQUIRE(renderFrames(rig->rig, view, 1).ok());
        };
        auto shown = [&](std::uint16_t slide) {
            for (int i = 0; i < 3000; ++i) {
                frame();
                if (viewer->panels()[0].slide == slide && controller.info(0).current &&
                    panelSlideReady(rig->rig.renderer, 0))
                    return true;
                std::this_thread::sleep_for(std::chrono::milliseconds(1)); // the decode worker runs meanwhile
            }
            return false;
        };
        auto centreGrey = [&] {
            REQUIRE(renderFrames(rig->rig, view, 2).ok());
            auto img = captureFrame(rig->rig.renderer);
            REQUIRE(img.ok());
            return int(img->pixels[(std::size_t(px->y) * img->width + std::size_t(px->x)) * 4]);
        };

        REQUIRE(shown(0));
        CHECK(controller.info(0).caption == "Axial CT, HU 20");
        CHECK(centreGrey() == Approx(expectedGrey(20)).margin(2));

        // The presenter pages: the viewer's panel follows.
        presenterIntents.setSlide(0, 1);
        REQUIRE(shown(1));
        CHECK(centreGrey() == Approx(expectedGrey(60)).margin(2));
        CHECK(expectedGrey(60) != expectedGrey(20));
        // Every blob came over the network and verified into the viewer's cache.
        const auto& counters = viewer->fetcher().counters();
        CHECK(counters.verified == 1 + frames.size());
        CHECK(counters.cacheHits == 0);

        // The presenter's laser, from the head to the panel's centre, lands on the viewer's panel 0.
        const glm::vec3 head = presenter->selfPose()->headPosition();
        const Ray toCentre{head, glm::normalize(layout.panels[0].center - head)};
        const auto laser = laserFromHead(layout, head, toCentre);
        REQUIRE(laser.has_value());
        bool dotSeen = false;
        for (int i = 0; i < 240 && !dotSeen; ++i) {
            presenterIntents.laser(*laser);
            presenterIntents.endFrame();
            frame();
            dotSeen = !dots.empty() && dots[0].size() == 1;
        }
        REQUIRE(dotSeen);
        CHECK(dots[0][0].u == Approx(0.5f).margin(0.02f));
        CHECK(dots[0][0].v == Approx(0.5f).margin(0.02f));
        // Not renewed: it goes off for the viewer too.
        presenterIntents.endFrame();
        CHECK(until(1.0, [&] {
            othersLasers(viewer->lasers(), viewer->self(), lasers);
            return lasers.empty();
        }));

        // The viewer asks for control; its request is visible to the presenter.
        SessionPanelIntents viewerIntents(*viewer);
        viewerIntents.requestControl(0);
        CHECK(until(1.0, [&] {
            const auto& r = presenter->panels()[0].requests;
            return std::find(r.begin(), r.end(), viewer->self()) != r.end();
        }));
        // A viewer's slide change is refused by the server: the room stays on slide 2.
        viewerIntents.setSlide(0, 0);
        step();
        CHECK_FALSE(until(0.5, [&] { return presenter->panels()[0].slide == 0; }));
    }
    CHECK(finish(rig) == 0);
}
