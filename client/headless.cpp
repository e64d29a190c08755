// [SECTION] setup  [SECTION] one frame  [SECTION] scene sources  [SECTION] bench
#include "headless.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <thread>
#include <vector>

#include <imgui.h>

#include "core/log.h"
#include "core/percentile.h"
#include "render/headless.h"
#include "render/image_io.h"
#include "render/imgui_layer.h"
#include "render/ui_font.h"
#include "clinic_notices.h"
#include "clinic_ui.h"
#include "desk_cli.h"
#include "room_link.h"
#include "media/deck.h"
#include "replay_ui.h"
#include "room_ui.h"
#include "session_slides.h"
#include "sim/layout.h"
#include "slides_ui.h"
#include "video_panel.h"

namespace caseroom::client {
namespace {

using Clock = std::chrono::steady_clock;
double secondsSince(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// [SECTION] setup
using Headless = render::HeadlessUiRig;

core::Status setUp(Headless& h, const Options& o) {
    render::HeadlessDesc d;
    d.extent = {o.width, o.height};
    d.samples = static_cast<VkSampleCountFlagBits>(o.msaa);
    d.validation = o.validation ? render::Validation::Required : render::Validation::Off;
    d.shaderDir = o.shaders;
    return render::createHeadlessUiRig(h, d);
}

void tearDown(Headless& h) { render::destroyHeadlessUiRig(h); }

// [SECTION] one frame
struct FrameTimes {
    double cpu = 0;   // seconds spent building and recording and submitting
};

// Scene + name tags (or, with `room`, the full in-room UI as the window
// shows it). Returns false on a lost device.
bool frame(Headless& h, const render::FrameView& view, FrameTimes* times, RoomUi* roomUi = nullptr,
           RoomUiView* room = nullptr, const std::function<void()>& moreUi = {},
           const std::vector<render::ThumbnailDraw>* screen = nullptr) {
    const auto ui = [&] {
        const ImGuiIO& io = ImGui::GetIO();
        const glm::vec2 viewport{io.DisplaySize.x, io.DisplaySize.y};
        if (roomUi && room) {
            room->stats = h.rig.renderer.stats;
            drawRoomUi(*roomUi, h.ui, *room);
            if (moreUi) moreUi();
        } else {
            render::drawNameTags(h.ui, ImGui::GetBackgroundDrawList(),
                                 render::viewProjection(view.camera, render::aspectRatio(h.rig.target)), view.camera.eye,
                                 viewport, view.avatars);
        }
    };
    return render::renderUiFrame(h, view, ui, times ? &times->cpu : nullptr, screen) != render::FrameResult::DeviceLost;
}

// [SECTION] scene sources
render::Camera cameraFor(const Options& o, const sim::RoomLayout& layout, const sim::AvatarPose* self, float aspect) {
    if (o.camera == render::CameraPreset::Overview) return render::overviewCamera(layout);
    if (o.camera == render::CameraPreset::Panel && !layout.panels.empty()) return render::panelCamera(layout.panels[0], aspect);
    if (self) return render::headCamera(*self);
    return render::seatCamera(layout, o.seat);
}

int builtInScene(Headless& h, const Options& o) {
    const sim::RoomLayout layout = sim::makeLayout(sim::RoomSpec{});
    std::vector<render::AvatarDraw> avatars = render::syntheticAvatars(layout, o.avatars);
    const bool firstPerson = o.camera == render::CameraPreset::Seat;
    // The viewer sits at --seat: its own head would fill the view.
    for (auto& a : avatars)
        if (firstPerson && a.pose.seat == o.seat) a.hideHead = true;
    render::FrameView view;
    view.layout = &layout;
    view.avatars = avatars;
    view.camera = cameraFor(o, layout, nullptr, render::aspectRatio(h.rig.target));
    for (std::uint32_t i = 0; i < o.frames; ++i)
        if (!frame(h, view, nullptr)) return 3;
    return 0;
}

// Joins the room of the invitation, or of --connect with --token-file
// (single thread: the caller updates the session). Prints why and returns
// nullopt when it cannot.
std::optional<RoomLink> joinRoom(const Options& o, Clock::time_point start) {
    JoinRequest req;
    req.server = o.connect;
    req.room = o.room;
    if (!o.invitation.empty()) {
        auto inv = net::secure::loadInvitation(o.invitation);
        if (!inv) {
            std::fprintf(stderr, "caseroom: %s\n", inv.error().message.c_str());
            return std::nullopt;
        }
        const bool link = net::secure::looksLikeInvitationLink(o.invitation);
        auto made = invitationJoin(*inv, o.connect, link ? "invitation link" : o.invitation);
        if (!made) {
            std::fprintf(stderr, "caseroom: %s\n", made.error().message.c_str());
            return std::nullopt;
        }
        req = std::move(*made);
    } else if (!o.tokenFile.empty()) {
        auto bytes = readTokenBytes(o.tokenFile);
        if (!bytes) {
            std::fprintf(stderr, "caseroom: %s\n", bytes.error().message.c_str());
            return std::nullopt;
        }
        req.token = std::move(*bytes);
        req.tokenSource = o.tokenFile;
    }
    req.slowLink = o.slowLink;
    auto link = startJoin(req, 0.0);
    if (!link) {
        std::fprintf(stderr, "caseroom: %s\n", link.error().message.c_str());
        return std::nullopt;
    }
    session::ClientSession& s = *link->session;
    while (s.state() != session::ClientState::InRoom) {
        s.update(secondsSince(start));
        if (s.state() == session::ClientState::Refused || s.state() == session::ClientState::Disconnected) {
            std::fprintf(stderr, "caseroom: could not join room '%s' at %s: %s\n", s.desc().roomCode.c_str(),
                         req.server.c_str(), s.statusText().c_str());
            return std::nullopt;
        }
        if (secondsSince(start) > o.timeout) {
            std::fprintf(stderr, "caseroom: no room after %.0f s (%s)\n", o.timeout, s.statusText().c_str());
            closeLink(*link, secondsSince(start));
            return std::nullopt;
        }
        link->transport->wait(0.005);
    }
    return std::move(*link);
}

// Every panel that shows a deck has the frame the room shows on screen.
bool slidesShown(const SlideController& slides, std::span<const sim::PanelState> panels, const render::Renderer& r) {
    for (std::uint32_t i = 0; i < panels.size() && i < render::kMaxPanels; ++i)
        if (!panels[i].deck.empty() && !(slides.info(i).current && render::panelSlideReady(r, i))) return false;
    return true;
}

int connectedScene(Headless& h, const Options& o) {
    const auto start = Clock::now();
    auto link = joinRoom(o, start);
    if (!link) return 4;
    session::ClientSession& s = *link->session;
    // The slides as the window runs them (session_slides.h): this client
    // follows the room; nothing here drives a panel or points.
    auto source = SessionSlideSource::open(s.fetcher().cacheDir());
    if (!source) {
        std::fprintf(stderr, "caseroom: blob cache: %s\n", source.error().message.c_str());
        closeLink(*link, secondsSince(start));
        return 4;
    }
    SlideControllerDesc sd;
    sd.parseManifest = &media::parseManifest;
    SlideController slides(**source, sd);
    SlidesUi slidesUi;
    slidesUi.showBrowser = false; // captions and progress only
    std::vector<sim::LaserState> lasers;
    std::vector<std::vector<render::LaserDot>> dots;

    std::vector<render::AvatarDraw> avatars;
    avatars.reserve(256);
    const bool firstPerson = o.camera == render::CameraPreset::Seat;
    // Live video as the window places it (video_panel.h); this client publishes nothing.
    VideoPanel video;
    video.showFaces = o.videoFaces;
    startVideo(video, s);
    RoomUi roomUi;
    roomUi.showHelp = false; // the screenshot shows the room and the round (the wall board sits where help would)
    ClinicUi clinicUi;
    std::vector<ClinicIntent> noIntents; // this client only shows the room
    ReplayUi replayUi;                                // [replay]
    std::vector<net::ReplayIntent> noReplayIntents;
    // The printout of the round: each line when it changes (the demo log shows the clinic).
    std::string lastPhase, lastQueue = "-"; // "-": the first queue line is printed, even "none"
    std::vector<std::string> lastBoard;
    sim::AgendaState lastAgenda;
    sim::RecordingState lastRecording;
    std::uint64_t clinicSeen = 0;
    auto printClinic = [&] {
        const session::ClinicViewModel& v = s.clinic();
        if (v.changes() == clinicSeen) return;
        clinicSeen = v.changes();
        if (v.recording() != lastRecording) {
            lastRecording = v.recording();
            std::printf("clinic: %s\n", text(StringId::PrintRecording, {sim::toString(lastRecording.status), sim::toString(lastRecording.policy),
                                                                      std::to_string(lastRecording.epoch)}).c_str());
            // A headless client stands for a person who chose to join this room: --ack-recording says they agree.
            if (o.ackRecording && lastRecording.status != sim::RecordingStatus::Off) s.acknowledgeRecording();
        }
        if (v.agenda() != lastAgenda || lastPhase.empty()) {
            lastAgenda = v.agenda();
            lastPhase = describePhase(v, s.serverTick(), s.tickRate());
            std::printf("clinic: %s\n", lastPhase.c_str());
        }
        // The queue by who is in it, in order (waiting times as of the change).
        std::string who;
        for (const sim::QueueEntry& q : v.hands().entries) who += std::to_string(q.who.value) + ",";
        if (who != lastQueue) {
            lastQueue = who;
            std::printf("clinic: %s\n", describeQueue(v.hands(), s.avatars(), s.serverTick(), s.tickRate()).c_str());
        }
        std::vector<std::string> board = describeBoard(v);
        if (board != lastBoard) {
            for (const std::string& line : board)
                if (std::find(lastBoard.begin(), lastBoard.end(), line) == lastBoard.end()) std::printf("clinic: %s\n", line.c_str());
            lastBoard = std::move(board);
        }
        std::fflush(stdout);
    };
    // [replay] The playback, each second of it and on play/pause (tests and bots read these lines).
    std::string lastReplay;
    std::uint32_t lastReplayTick = 0;
    auto printReplay = [&] {
        const session::ReplayViewModel& v = s.replay();
        if (!v.isReplay()) return;
        if (lastReplay.empty()) std::printf("replay: %s\n", v.header().c_str());
        const auto& info = *v.info();
        const std::string line = v.positionLine();
        const std::uint32_t perSecond = std::max<std::uint32_t>(info.tickRate, 1);
        const bool moved = info.position / perSecond != lastReplayTick / perSecond || lastReplay.find(info.paused ? "paused" : "playing") == std::string::npos;
        if (lastReplay.empty() || moved) {
            std::printf("%s\n", line.c_str());
            std::fflush(stdout);
            lastReplay = line;
            lastReplayTick = info.position;
        }
    };
    int rc = 0;
    auto step = [&]() -> bool {
        s.update(secondsSince(start));
        if (s.reconnecting()) { // the link dropped: the session gets back by itself (or gives up)
            std::this_thread::sleep_for(std::chrono::milliseconds(16));
            return true;
        }
        if (s.state() != session::ClientState::InRoom) {
            std::fprintf(stderr, "caseroom: %s\n", s.statusText().c_str());
            rc = 4;
            return false;
        }
        printClinic();
        printReplay(); // [replay]
        for (auto& n : takeClinicNotices(clinicUi, s, secondsSince(start))) addNotice(roomUi, secondsSince(start), std::move(n));
        const sim::RoomLayout* layout = s.layout();
        (*source)->sync(s);
        othersLasers(s.lasers(), s.self(), lasers);
        if (layout) laserDots(*layout, lasers, dots);
        slides.setServerClock(s.serverTick(), s.tickRate(), secondsSince(start));
        slides.update(secondsSince(start), s.panels(), slidesUi.local, dots, h.rig.renderer);
        videoFrame(video, s);
        uploadVideo(video, s.panels(), dots, h.rig.renderer); // after the slides: see video_wall.h
        collectAvatars(s, firstPerson, avatars);
        render::FrameView view;
        view.layout = layout;
        view.avatars = avatars;
        view.faces = video.faces;
        if (layout) view.camera = cameraFor(o, *layout, s.selfPose(), render::aspectRatio(h.rig.target));
        for (auto& n : s.takeNotices()) addNotice(roomUi, secondsSince(start), std::move(n));
        RoomUiView rv;
        rv.session = &s;
        rv.server = link->server;
        rv.camera = view.camera;
        rv.avatars = avatars;
        rv.overview = o.camera == render::CameraPreset::Overview;
        rv.now = secondsSince(start);
        const auto slidesPanel = [&] {
            SlidesUiView sv;
            sv.slides = &slides;
            sv.panels = s.panels();
            sv.now = secondsSince(start);
            drawSlidesUi(slidesUi, sv);
            ClinicUiView cv;
            cv.session = &s;
            cv.now = secondsSince(start);
            cv.readOnly = true;
            drawClinicUi(clinicUi, cv, noIntents);
            noIntents.clear();
            drawReplayUi(replayUi, ReplayUiView{&s.replay(), s.desc().role}, noReplayIntents); // [replay] shown, never sent
            noReplayIntents.clear();
            drawVideoUi(video, s, VideoUiView{true, false, &view.camera});
        };
        if (!frame(h, view, nullptr, o.ui ? &roomUi : nullptr, &rv, slidesPanel, o.ui ? &video.tiles : nullptr)) {
            rc = 3;
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(16)); // let snapshots arrive between frames
        return true;
    };
    bool ok = true;
    for (std::uint32_t i = 0; ok && i < o.frames; ++i) ok = step();
    if (ok && o.waitSlides > 0) {
        const auto waitStart = Clock::now();
        while (ok && !slidesShown(slides, s.panels(), h.rig.renderer) && secondsSince(waitStart) < o.waitSlides) ok = step();
        // Two more frames: the one captured has the finished upload on it.
        for (int i = 0; ok && i < 2; ++i) ok = step();
        if (ok) {
            std::uint32_t decks = 0;
            for (std::uint32_t i = 0; i < s.panels().size() && i < render::kMaxPanels; ++i) {
                if (s.panels()[i].deck.empty()) continue;
                ++decks;
                const PanelInfo& info = slides.info(i);
                if (info.current && render::panelSlideReady(h.rig.renderer, i)) continue;
                std::fprintf(stderr, "caseroom: panel %u: slide not on screen after %.0f s (%s%.1f of %.1f MB)\n", i,
                             o.waitSlides, info.error ? (*info.error + "; ").c_str() : "", double(info.deckBytes) / 1e6,
                             double(info.deckTotal) / 1e6);
            }
            std::printf("slides: %u panels show a deck%s\n", decks,
                        slidesShown(slides, s.panels(), h.rig.renderer) ? ", all on screen" : "");
        }
    }
    if (ok && o.waitVideo > 0) {
        const auto waitStart = Clock::now();
        auto allShown = [&] {
            if (video.plan.placed.empty()) return false;
            for (const VideoPlacement& pl : video.plan.placed)
                if (!render::slotHasPicture(h.rig.renderer, pl.slot())) return false;
            return true;
        };
        while (ok && !allShown() && secondsSince(waitStart) < o.waitVideo) ok = step();
        for (int i = 0; ok && i < 2; ++i) ok = step();
    }
    {
        // What live video this client saw (counts and places: no names in logs).
        std::uint32_t pictured = 0;
        std::string where;
        for (const VideoPlacement& pl : video.plan.placed) {
            if (render::slotHasPicture(h.rig.renderer, pl.slot())) ++pictured;
            where += std::string(where.empty() ? "" : ", ") + toString(pl.spot) + " " + std::to_string(pl.index) +
                     (pl.stream.kind == net::VideoKind::Screen ? " (screen)" : "");
        }
        const auto rs = video.client ? video.client->receiveStats() : session::VideoReceiveStats{};
        std::printf("video: %zu streams in the room, %zu placed, %u showing a picture; %llu pictures decoded, %llu uploaded%s%s\n",
                    video.views.size(), video.plan.placed.size(), pictured, static_cast<unsigned long long>(rs.decoded),
                    static_cast<unsigned long long>(video.wall.uploads()), where.empty() ? "" : "; ", where.c_str());
    }
    stopVideo(video, &s, s.panels(), h.rig.renderer);
    if (s.clinic().agenda().hasPlan)
        std::printf("clinic: at the end: %s\n", describePhase(s.clinic(), s.serverTick(), s.tickRate()).c_str());
    std::printf("joined room '%s' as %s: %zu participants visible\n", s.desc().roomCode.c_str(),
                link->joinedAs.c_str(), s.avatars().size());
    // Whether every name shown could be drawn with its own letters (counts only: names stay out of logs).
    std::size_t missing = 0;
    for (const session::RemoteAvatar& a : s.avatars()) missing += render::missingGlyphs(*ImGui::GetIO().Fonts->Fonts[0], a.name);
    std::printf("name tags: %zu names, %zu characters without a glyph in the UI font\n", s.avatars().size(), missing);
    closeLink(*link, secondsSince(start));
    return rc;
}

// --prefetch: every offered deck into the blob cache, one after the other
// (so the bytes received while one is fetched are that deck's).
int prefetch(const Options& o) {
    const auto start = Clock::now();
    auto link = joinRoom(o, start);
    if (!link) return 4;
    session::ClientSession& s = *link->session;
    auto pumpFor = [&](double seconds, const std::function<bool()>& done) {
        const auto t0 = Clock::now();
        while (!done() && secondsSince(t0) < seconds) {
            s.update(secondsSince(start));
            if (s.state() != session::ClientState::InRoom) return false;
            link->transport->wait(0.005);
        }
        return done();
    };
    // The offered decks come with the room's state: wait for the first
    // snapshot, then a moment for the objects the budget deferred.
    pumpFor(o.timeout, [&] { return s.stats().snapshotsApplied > 0; });
    pumpFor(1.0, [&] { return !s.decks().empty(); });
    const std::vector<sim::OfferedDeck> decks(s.decks().begin(), s.decks().end());
    if (decks.empty()) std::printf("prefetch: room '%s' offers no decks\n", s.desc().roomCode.c_str());
    session::BlobFetcher& f = s.fetcher();
    int rc = 0;
    // Waits until every blob is Done; a blob in error, or no progress for
    // --timeout seconds, fails the deck.
    auto fetchAll = [&](std::span<const core::ContentHash> blobs, std::string& why) {
        for (const auto& h : blobs) f.want(h);
        std::uint64_t lastBytes = f.counters().bytesReceived;
        auto lastMove = Clock::now();
        for (;;) {
            bool all = true;
            for (const auto& h : blobs) {
                const session::BlobProgress* p = f.progress(h);
                if (p->state == session::FetchState::Done) continue;
                if (p->state == session::FetchState::Unavailable || p->state == session::FetchState::Mismatch ||
                    p->state == session::FetchState::Failed) {
                    why = "blob " + h.shortHex() + ": " + session::toString(p->state) + (p->error.empty() ? "" : ": ") + p->error;
                    return false;
                }
                all = false;
            }
            if (all) return true;
            if (f.counters().bytesReceived != lastBytes) {
                lastBytes = f.counters().bytesReceived;
                lastMove = Clock::now();
            } else if (secondsSince(lastMove) > o.timeout) {
                why = "no bytes for " + std::to_string(int(o.timeout)) + " s";
                return false;
            }
            s.update(secondsSince(start));
            if (s.state() != session::ClientState::InRoom && !s.reconnecting()) {
                why = "left the room: " + s.statusText();
                return false;
            }
            link->transport->wait(0.005);
        }
    };
    for (const sim::OfferedDeck& d : decks) {
        const std::uint64_t before = f.counters().bytesReceived;
        std::string why;
        std::size_t blobs = 1;
        if (fetchAll(std::span<const core::ContentHash>(&d.deck, 1), why)) {
            auto bytes = f.read(d.deck);
            auto m = bytes ? media::parseManifest(*bytes, "deck " + d.deck.shortHex())
                           : core::Result<media::DeckManifest>(bytes.error());
            if (!m) {
                why = m.error().message;
            } else {
                const std::vector<core::ContentHash> frames = m->blobs();
                blobs += frames.size();
                (void)fetchAll(frames, why);
            }
        }
        const std::uint64_t fetched = f.counters().bytesReceived - before;
        if (!why.empty()) {
            std::fprintf(stderr, "caseroom: prefetch deck %s '%s': %s\n", d.deck.shortHex().c_str(), d.title.c_str(), why.c_str());
            rc = 6;
            continue;
        }
        std::printf("prefetch: deck %s '%s': %zu blobs, %llu bytes fetched\n", d.deck.shortHex().c_str(), d.title.c_str(),
                    blobs, static_cast<unsigned long long>(fetched));
    }
    std::fflush(stdout);
    closeLink(*link, secondsSince(start));
    return rc;
}

// [SECTION] bench
using core::percentile; // nearest rank, as every CaseRoom benchmark

int bench(Headless& h, const Options& o) {
    const sim::RoomLayout layout = sim::makeLayout(sim::RoomSpec{});
    std::printf("# caseroom --headless --bench: %ux%u, MSAA %ux, %u frames per row, device: %s\n", o.width, o.height,
                static_cast<unsigned>(h.rig.target.samples), o.benchFrames, h.rig.dev.properties.deviceName);
    std::printf("| avatars | camera | draws | instances | CPU median ms | CPU p99 ms | frame median ms | frame p99 ms | fps (median) |\n");
    std::printf("|---:|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (std::uint32_t count : {20u, 100u, 200u}) {
        for (render::CameraPreset preset : {render::CameraPreset::Seat, render::CameraPreset::Overview}) {
            std::vector<render::AvatarDraw> avatars = render::syntheticAvatars(layout, count);
            for (auto& a : avatars)
                if (preset == render::CameraPreset::Seat && a.pose.seat == 0) a.hideHead = true;
            render::FrameView view;
            view.layout = &layout;
            view.avatars = avatars;
            view.camera = preset == render::CameraPreset::Seat ? render::seatCamera(layout, 0) : render::overviewCamera(layout);
            std::vector<double> cpu, full;
            cpu.reserve(o.benchFrames);
            full.reserve(o.benchFrames);
            for (int i = 0; i < 20; ++i) // warm-up: buffers grow, caches fill
                if (!frame(h, view, nullptr)) return 3;
            auto last = Clock::now();
            for (std::uint32_t i = 0; i < o.benchFrames; ++i) {
                // Heads sway so per-frame instance data really changes.
                for (std::size_t k = 0; k < avatars.size(); ++k)
                    sim::poseHead(avatars[k].pose, 0.4f * std::sin(0.05f * static_cast<float>(i + k)), -0.1f);
                FrameTimes t;
                if (!frame(h, view, &t)) return 3;
                const auto now = Clock::now();
                cpu.push_back(t.cpu * 1000.0);
                full.push_back(std::chrono::duration<double, std::milli>(now - last).count());
                last = now;
            }
            const double fm = percentile(full, 0.5);
            std::printf("| %u | %s | %u | %u | %.2f | %.2f | %.2f | %.2f | %.0f |\n", count, render::toString(preset),
                        h.rig.renderer.stats.drawCalls, h.rig.renderer.stats.instances, percentile(cpu, 0.5),
                        percentile(cpu, 0.99), fm, percentile(full, 0.99), fm > 0 ? 1000.0 / fm : 0.0);
            std::fflush(stdout);
        }
    }
    std::printf("(bench) instance-buffer growths: %llu, validation messages: %u\n",
                static_cast<unsigned long long>(h.rig.renderer.stats.bufferGrowths),
                render::validationMessageCount(h.rig.dev));
    return 0;
}

// Four 2048x2048 signed 16-bit CT-like slides (a body disc with a bone ring
// in air, stored raw + 32768 as a deck carries them), one per panel.
render::SlidePixels benchSlide(std::uint32_t size, std::uint32_t variant) {
    render::SlidePixels px;
    px.width = px.height = size;
    px.format = render::SlideFormat::R16;
    px.bytes.resize(std::size_t{size} * size * 2);
    const float c = static_cast<float>(size) / 2.0f;
    for (std::uint32_t y = 0; y < size; ++y)
        for (std::uint32_t x = 0; x < size; ++x) {
            const float dx = static_cast<float>(x) - c, dy = static_cast<float>(y) - c * (1.0f + 0.05f * float(variant));
            const float r = std::sqrt(dx * dx + dy * dy) / c;
            const int hu = r > 0.9f ? -1000 : r > 0.8f ? 700 : 40 + static_cast<int>((x ^ y) % 17);
            const auto stored = static_cast<std::uint16_t>(hu + 1024 + 32768); // raw = HU + 1024, then the deck bias
            std::memcpy(&px.bytes[(std::size_t{y} * size + x) * 2], &stored, 2);
        }
    return px;
}

render::PanelDisplay benchDisplay(double centre, double width) {
    render::PanelDisplay d;
    d.signedBias = 32768;
    d.rescaleIntercept = -1024;
    d.windowCentre = centre;
    d.windowWidth = width;
    return d;
}

struct Sampled {
    std::vector<double> cpu, full;
    std::uint64_t uploadBytes = 0;
};

// `perFrame(i)` runs before each measured frame (outside the CPU timing).
template <typename F>
bool measure(Headless& h, const render::FrameView& view, std::uint32_t frames, Sampled& out, F&& perFrame) {
    out.cpu.clear();
    out.full.clear();
    const std::uint64_t bytes0 = h.rig.renderer.stats.uploadBytes;
    auto last = Clock::now();
    for (std::uint32_t i = 0; i < frames; ++i) {
        perFrame(i);
        FrameTimes t;
        if (!frame(h, view, &t)) return false;
        const auto now = Clock::now();
        out.cpu.push_back(t.cpu * 1000.0);
        out.full.push_back(std::chrono::duration<double, std::milli>(now - last).count());
        last = now;
    }
    out.uploadBytes = h.rig.renderer.stats.uploadBytes - bytes0;
    return true;
}

int benchSlides(Headless& h, const Options& o) {
    const sim::RoomLayout layout = sim::makeLayout(sim::RoomSpec{});
    render::Renderer& r = h.rig.renderer;
    constexpr std::uint32_t kSize = 2048;
    std::printf("# caseroom --headless --bench-slides: %ux%u, MSAA %ux, %u frames per row, device: %s\n", o.width,
                o.height, static_cast<unsigned>(h.rig.target.samples), o.benchFrames, h.rig.dev.properties.deviceName);
    std::printf("# staging ring %llu MiB, upload budget %llu MiB/frame, mipmaps by %s\n",
                static_cast<unsigned long long>(r.staging.size >> 20),
                static_cast<unsigned long long>(r.desc.uploadBytesPerFrame >> 20),
                r.blitMips[static_cast<std::size_t>(render::SlideFormat::R16)] ? "blit" : "cpu");
    std::vector<render::SlidePixels> slides;
    for (std::uint32_t k = 0; k < 5; ++k) slides.push_back(benchSlide(kSize, k));
    std::vector<render::AvatarDraw> avatars = render::syntheticAvatars(layout, 20);
    for (auto& a : avatars)
        if (a.pose.seat == 0) a.hideHead = true;
    render::FrameView view;
    view.layout = &layout;
    view.avatars = avatars;
    view.camera = render::seatCamera(layout, 0);
    for (int i = 0; i < 20; ++i)
        if (!frame(h, view, nullptr)) return 3;

    // 1. The first upload: four slides at once (32 MiB through the ring).
    {
        const auto t0 = Clock::now();
        for (std::uint32_t p = 0; p < 4; ++p) (void)render::setPanelSlide(r, p, slides[p], benchDisplay(40, 400));
        std::vector<double> full;
        auto last = Clock::now();
        std::uint32_t frames = 0;
        while (!r.uploads.empty() && frames < 1000) {
            if (!frame(h, view, nullptr)) return 3;
            const auto now = Clock::now();
            full.push_back(std::chrono::duration<double, std::milli>(now - last).count());
            last = now;
            ++frames;
        }
        if (!render::waitIdle(r)) return 3;
        std::printf("| upload | frames until shown | ms until shown | frame median ms | frame max ms |\n|---|---:|---:|---:|---:|\n");
        std::printf("| four 2048x2048 16-bit slides (32 MiB + mips) | %u | %.1f | %.2f | %.2f |\n", frames,
                    secondsSince(t0) * 1000.0, full.empty() ? 0.0 : percentile(full, 0.5),
                    full.empty() ? 0.0 : *std::max_element(full.begin(), full.end()));
        // One slide change on one panel (8 MiB), as when the presenter pages.
        const auto t1 = Clock::now();
        (void)render::setPanelSlide(r, 0, slides[4], benchDisplay(40, 400));
        full.clear();
        last = Clock::now();
        frames = 0;
        while (!r.uploads.empty() && frames < 1000) {
            if (!frame(h, view, nullptr)) return 3;
            const auto now = Clock::now();
            full.push_back(std::chrono::duration<double, std::milli>(now - last).count());
            last = now;
            ++frames;
        }
        if (!render::waitIdle(r)) return 3;
        std::printf("| one 2048x2048 16-bit slide (8 MiB + mips) | %u | %.1f | %.2f | %.2f |\n\n", frames,
                    secondsSince(t1) * 1000.0, full.empty() ? 0.0 : percentile(full, 0.5),
                    full.empty() ? 0.0 : *std::max_element(full.begin(), full.end()));
    }

    // 2. Steady frames with the slides up, as the avatar table; then a window
    //    drag (a new window every frame) and paging (a new slide every 30 frames).
    std::printf("| avatars | camera | panels | CPU median ms | CPU p99 ms | frame median ms | frame p99 ms | fps (median) | bytes uploaded |\n");
    std::printf("|---:|---|---|---:|---:|---:|---:|---:|---:|\n");
    Sampled s;
    for (std::uint32_t count : {20u, 100u, 200u}) {
        for (render::CameraPreset preset : {render::CameraPreset::Seat, render::CameraPreset::Overview}) {
            avatars = render::syntheticAvatars(layout, count);
            for (auto& a : avatars)
                if (preset == render::CameraPreset::Seat && a.pose.seat == 0) a.hideHead = true;
            view.avatars = avatars;
            view.camera = preset == render::CameraPreset::Seat ? render::seatCamera(layout, 0) : render::overviewCamera(layout);
            for (int i = 0; i < 20; ++i)
                if (!frame(h, view, nullptr)) return 3;
            auto sway = [&](std::uint32_t i) {
                for (std::size_t k = 0; k < avatars.size(); ++k)
                    sim::poseHead(avatars[k].pose, 0.4f * std::sin(0.05f * static_cast<float>(i + k)), -0.1f);
            };
            auto row = [&](const char* what) {
                const double fm = percentile(s.full, 0.5);
                std::printf("| %u | %s | %s | %.2f | %.2f | %.2f | %.2f | %.0f | %llu |\n", count, render::toString(preset),
                            what, percentile(s.cpu, 0.5), percentile(s.cpu, 0.99), fm, percentile(s.full, 0.99),
                            fm > 0 ? 1000.0 / fm : 0.0, static_cast<unsigned long long>(s.uploadBytes));
                std::fflush(stdout);
            };
            // Paired with the same scene on test cards, right before: on a
            // shared machine the load moves between rows, less within a pair.
            auto settle = [&]() {
                for (int i = 0; i < 1000 && !r.uploads.empty(); ++i)
                    if (!frame(h, view, nullptr)) return false;
                for (int i = 0; i < 10; ++i)
                    if (!frame(h, view, nullptr)) return false;
                return true;
            };
            for (std::uint32_t p = 0; p < 4; ++p) render::clearPanelSlide(r, p);
            if (!settle() || !measure(h, view, o.benchFrames, s, sway)) return 3;
            row("test cards");
            for (std::uint32_t p = 0; p < 4; ++p) (void)render::setPanelSlide(r, p, slides[p], benchDisplay(40, 400));
            if (!settle() || !measure(h, view, o.benchFrames, s, sway)) return 3;
            row("4 slides");
            if (count != 100) continue;
            if (!measure(h, view, o.benchFrames, s, [&](std::uint32_t i) {
                    sway(i);
                    for (std::uint32_t p = 0; p < 4; ++p)
                        render::setPanelDisplay(r, p, benchDisplay(40.0 + double(i % 200), 400.0 + double(i % 97)));
                }))
                return 3;
            row("4 slides, window drag");
            std::vector<render::SlidePixels> next;
            if (!measure(h, view, o.benchFrames, s, [&](std::uint32_t i) {
                    sway(i);
                    if (i % 30 == 0) (void)render::setPanelSlide(r, 0, slides[i / 30 % 5], benchDisplay(40, 400));
                }))
                return 3;
            row("4 slides, paging every 30 frames");
        }
    }
    std::printf("(bench-slides) uploads done %llu, waits %llu, validation messages: %u\n",
                static_cast<unsigned long long>(r.stats.uploadsDone), static_cast<unsigned long long>(r.stats.uploadWaits),
                render::validationMessageCount(h.rig.dev));
    return 0;
}

} // namespace

int runHeadless(const Options& o) {
    if (o.prefetch) return prefetch(o); // no rendering: no device needed
    if (!o.submitCase.empty()) return submitCaseHeadless(o); // the case desk (desk_cli.h): no rendering either
    Headless h;
    if (auto s = setUp(h, o); !s) {
        std::fprintf(stderr, "caseroom: cannot start headless rendering: %s\n", s.error().message.c_str());
        tearDown(h);
        return 3;
    }
    int rc = 0;
    if (o.bench) rc = bench(h, o);
    else if (o.benchSlides) rc = benchSlides(h, o);
    else if (!o.connect.empty() || !o.invitation.empty()) rc = connectedScene(h, o);
    else rc = builtInScene(h, o);

    if (rc == 0 && !o.screenshot.empty() && !o.bench && !o.benchSlides) {
        auto img = render::captureFrame(h.rig.renderer);
        if (!img) {
            std::fprintf(stderr, "caseroom: screenshot failed: %s\n", img.error().message.c_str());
            rc = 3;
        } else if (auto s = render::writePng(o.screenshot, *img); !s) {
            std::fprintf(stderr, "caseroom: %s\n", s.error().message.c_str());
            rc = 3;
        } else {
            std::printf("wrote %s (%ux%u)\n", o.screenshot.c_str(), img->width, img->height);
        }
    }
    if (h.rig.dev.lost) std::fprintf(stderr, "caseroom: the Vulkan device was lost; rendering stopped\n");
    if (o.validation && render::validationMessageCount(h.rig.dev) > 0) {
        std::fprintf(stderr, "caseroom: %u Vulkan validation messages\n", render::validationMessageCount(h.rig.dev));
        if (rc == 0) rc = 5;
    }
    tearDown(h);
    return rc;
}

} // namespace caseroom::client
