// [SECTION] setup and teardown  [SECTION] join screen  [SECTION] room input
// [SECTION] main loop
#include "app.h"

#include <chrono>
#include <cstdio>
#include <deque>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <thread>
#include <vector>

#include <SDL.h>
#include <backends/imgui_impl_sdl.h>
#include <imgui.h>
#include <imgui_stdlib.h>

#include "cases_ui.h"
#include "clinic_ui.h"
#include "core/log.h"
#include "join_settings.h"
#include "look.h"
#include "platform/window.h"
#include "render/headless.h"
#include "render/imgui_layer.h"
#include "render/ui_font.h"
#include "render/renderer.h"
#include "room_link.h"
#include "replay_ui.h"
#include "room_ui.h"
#include "media/deck.h"
#include "session_pump.h"
#include "session_slides.h"
#include "sim/permissions.h"
#include "slides_ui.h"
#include "video_panel.h"
#include "voice_panel.h"
#include "window_presets.h"

namespace caseroom::client {
namespace {

// [SECTION] setup and teardown
// Threads: everything here runs on the main thread, except the session's
// update(), which `pump` runs every 5 ms while a link is open (see
// session_pump.h). The main thread touches the session and its voice only
// while holding pump.lock(); what the renderer draws (avatars, layout) is
// copied out under the lock.
struct App {
    Options opts;
    platform::Window window;
    render::Device dev;
    VkSurfaceKHR surface = VK_NULL_HANDLE;
    render::Target target;
    render::Renderer renderer;
    render::ImGuiLayer ui;
    bool imguiContext = false, imguiSdl = false;

    std::string settingsPath;
    JoinSettings join;
    std::string joinError;          // shown on the join screen
    RoomLink link;
    SessionPump pump;               // runs link.session->update() while the link is open
    double joinStarted = 0;
    bool cancelJoin = false;        // set by the join screen (under the lock), acted on after it

    Look look;
    bool lookInitialised = false;
    std::uint16_t lastSeat = sim::kNoSeat;
    bool overview = false;
    RoomUi roomUi;
    // Slides (session_slides.h): made when the room is joined, gone with the
    // link. The source is declared before the controller that borrows it.
    // Per frame, under the lock: the source syncs with the fetcher and the
    // panel states, offered decks and others' lasers are copied out, so the
    // controller runs outside the lock.
    SlidesUi slidesUi;
    std::vector<std::vector<render::LaserDot>> panelDots; // per panel: others' lasers, then mine
    std::unique_ptr<SessionSlideSource> slideSource;
    std::unique_ptr<SlideController> slides;
    std::unique_ptr<SessionPanelIntents> panelIntents;
    std::vector<sim::PanelState> panelStates;
    std::vector<sim::OfferedDeck> decks;
    std::vector<sim::LaserState> otherLasers;
    bool presenter = false;         // may drive the focused panel
    bool mayPoint = false;          // may show a laser
    glm::vec3 head{0.0f};           // my head, the laser's origin
    VoicePanel voice;
    VideoPanel video;               // live video (video_panel.h): made with the slides, gone with the link
    std::vector<render::ThumbnailDraw> screenDraws; // thumbnails and video tiles: one drawThumbnails a frame
    CasesUi cases;                  // the case desk window (program credentials)
    ClinicUi clinic;                // the teaching round's windows (clinic_ui.h)
    std::vector<ClinicIntent> clinicIntents; // emitted by the windows, sent under the lock
    ReplayUi replay;                         // [replay] the replay window (replay_ui.h): replay rooms only
    std::vector<net::ReplayIntent> replayIntents;
    std::vector<render::AvatarDraw> avatars;
    sim::RoomLayout layout;         // copy of the session's, for drawing outside the lock
    bool hasLayout = false;
    render::Camera camera;
};

// Seconds since the current join started: the session's clock.
double linkTime(const App& a) { return platform::nowSeconds() - a.joinStarted; }

core::Status setUp(App& a) {
    platform::WindowDesc wd;
    wd.width = static_cast<int>(a.opts.width);
    wd.height = static_cast<int>(a.opts.height);
    if (auto s = platform::createWindow(a.window, wd); !s) return s;
    auto exts = platform::vulkanInstanceExtensions(a.window);
    if (!exts) return exts.error();
    render::DeviceDesc dd;
    dd.instanceExtensions = *exts;
    dd.validation = a.opts.validation ? render::Validation::IfPresent : render::Validation::Off;
    if (auto s = render::createInstance(a.dev, dd); !s) return s;
    auto surface = platform::createSurface(a.window, a.dev.instance);
    if (!surface) return surface.error();
    a.surface = *surface;
    if (auto s = render::createDevice(a.dev, a.surface); !s) return s;
    render::TargetDesc td;
    td.extent = platform::drawableSize(a.window);
    td.samples = static_cast<VkSampleCountFlagBits>(a.opts.msaa);
    td.vsync = a.opts.vsync;
    if (auto s = render::createSwapchainTarget(a.dev, a.target, a.surface, td); !s) return s;
    render::RendererDesc rd;
    rd.shaderDir = a.opts.shaders.empty() ? render::defaultShaderDir() : a.opts.shaders;
    if (auto s = render::createRenderer(a.renderer, a.dev, a.target, rd); !s) return s;

    if (auto presets = loadWindowPresets(defaultWindowPresetsPath()); presets) a.slidesUi.presets = std::move(*presets);
    else a.slidesUi.presetsError = presets.error().message;

    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    a.imguiContext = true;
    ImGui::GetIO().IniFilename = nullptr; // panel positions are not worth a file
    ImGui::StyleColorsDark();
    ImGui::GetStyle().WindowRounding = 6.0f;
    (void)render::loadUiFont(*ImGui::GetIO().Fonts); // names as people write them; before the atlas upload
    if (!ImGui_ImplSDL2_InitForVulkan(a.window.window)) return core::Error{"Dear ImGui SDL2 backend failed to start"};
    a.imguiSdl = true;
    return render::createImGuiLayer(a.ui, a.dev, a.target);
}

void notice(App& a, std::string text) { addNotice(a.roomUi, platform::nowSeconds(), std::move(text)); }

// Stops the pump, then voice, then says goodbye. Never call holding pump.lock().
void endLink(App& a) {
    if (a.pump.running()) {
        a.pump.stop();
        const PumpTiming t = a.pump.timing();
        if (t.runs > 1)
            std::printf("caseroom: session pump: %llu updates, gap median %.2f ms, p99 %.2f ms, max %.2f ms\n",
                        static_cast<unsigned long long>(t.runs), t.medianGapMs, t.p99GapMs, t.maxGapMs);
    }
    stopVoice(a.voice, a.link.session.get());
    stopVideo(a.video, a.link.session.get(), a.panelStates, a.renderer);
    // The slides go before the session their intents reach into.
    if (a.slides)
        for (std::uint32_t p = 0; p < render::kMaxPanels; ++p) render::clearPanelSlide(a.renderer, p);
    a.panelIntents.reset();
    a.slides.reset();
    a.slideSource.reset();
    a.panelStates.clear();
    a.decks.clear();
    a.otherLasers.clear();
    a.slidesUi.laserOn = false;
    closeLink(a.link, linkTime(a));
    a.hasLayout = false;
    a.clinic = ClinicUi{};
    a.clinicIntents.clear();
}

// On joining (under the lock): the slides over this session.
void startSlides(App& a, session::ClientSession& s) {
    auto source = SessionSlideSource::open(s.fetcher().cacheDir());
    if (!source) {
        notice(a, "slides off: " + source.error().message);
        return;
    }
    a.slideSource = std::move(*source);
    SlideControllerDesc d;
    d.parseManifest = &media::parseManifest;
    a.slides = std::make_unique<SlideController>(*a.slideSource, d);
    a.panelIntents = std::make_unique<SessionPanelIntents>(s);
}

// On joining (under the lock): live video over this session.
void startRoomVideo(App& a, session::ClientSession& s) { startVideo(a.video, s); }

// Every frame in the room (under the lock): what the slides need from the session.
void syncSlides(App& a, session::ClientSession& s) {
    if (a.slideSource) a.slideSource->sync(s);
    if (a.slides) a.slides->setServerClock(s.serverTick(), s.tickRate(), platform::nowSeconds());
    a.panelStates.assign(s.panels().begin(), s.panels().end());
    a.decks.assign(s.decks().begin(), s.decks().end());
    othersLasers(s.lasers(), s.self(), a.otherLasers);
    const core::Role role = s.desc().role;
    a.presenter = a.slidesUi.focused < a.panelStates.size() &&
                  mayDrive(role, s.self(), a.panelStates[a.slidesUi.focused]);
    a.mayPoint = mayPoint(role, s.self(), a.panelStates);
    if (!a.mayPoint) a.slidesUi.laserOn = false; // lost the panel: the laser goes with it
    if (const sim::AvatarPose* self = s.selfPose()) a.head = self->headPosition();
    videoFrame(a.video, s);
}

void tearDown(App& a) {
    endLink(a);
    render::destroyImGuiLayer(a.ui);
    if (a.imguiSdl) ImGui_ImplSDL2_Shutdown();
    if (a.imguiContext) ImGui::DestroyContext();
    render::destroyRenderer(a.renderer);
    render::destroyTarget(a.dev, a.target);
    if (a.surface != VK_NULL_HANDLE) vkDestroySurfaceKHR(a.dev.instance, a.surface, nullptr);
    render::destroyDevice(a.dev);
    platform::destroyWindow(a.window);
}


// [SECTION] join screen
void beginJoin(App& a) {
    a.joinError.clear();
    // A pasted link or token first (memory only), then the file field (an
    // invitation or a token file). An invitation brings its own server.
    core::Result<JoinRequest> made = JoinRequest{a.join.server, {}, {}, a.join.room};
    if (!a.join.tokenPaste.empty()) made = pastedJoin(a.join.tokenPaste, a.join.server);
    else if (!a.join.tokenFile.empty()) made = fileJoin(a.join.tokenFile, a.join.server);
    if (!made) {
        a.joinError = made.error().message;
        return;
    }
    JoinRequest req = std::move(*made);
    if (req.fromInvitation && !a.opts.connect.empty()) req.server = a.opts.connect; // --connect wins, as headless
    if (req.room.empty()) req.room = a.join.room;
    req.slowLink = a.join.slowLink;
    a.join.server = req.server; // shown while connecting and remembered (an address, not a credential)
    // Session time starts at 0 for each join: the secure transport's handshake
    // clock starts at 0 before its first poll.
    auto link = startJoin(req, 0.0);
    if (!link) {
        a.joinError = link.error().message;
        return;
    }
    // The token decides room, name and role: the join screen shows (and remembers) what it holds.
    a.join.room = link->session->desc().roomCode;
    a.join.name = link->session->desc().displayName;
    a.join.role = link->session->desc().role;
    if (auto s = saveJoinSettings(a.settingsPath, a.join); !s) notice(a, "settings not saved: " + s.error().message);
    a.link = std::move(*link);
    notice(a, "joining as " + a.link.joinedAs);
    a.joinStarted = platform::nowSeconds();
    a.lookInitialised = false;
    a.overview = false;
    a.pump.start(*a.link.session, [&a] { return linkTime(a); });
}

// A file or a link dropped on the window: an invitation joins at once; a
// token file fills the field. Never call holding pump.lock().
void dropped(App& a, const platform::InputFrame& in) {
    if (a.link.session) {
        notice(a, "leave the room (Esc) before joining with another invitation");
        return;
    }
    if (!in.droppedText.empty()) {
        if (!net::secure::looksLikeInvitationLink(in.droppedText)) {
            a.joinError = "the dropped text is not a caseroom:// link";
            return;
        }
        a.join.tokenPaste = in.droppedText; // memory only, like a pasted link
        beginJoin(a);
        return;
    }
    a.join.tokenPaste.clear();
    a.join.tokenFile = in.droppedFile;
    if (net::secure::looksLikeInvitation(in.droppedFile)) beginJoin(a);
}

void joinScreen(App& a) {
    const ImGuiIO& io = ImGui::GetIO();
    ImGui::SetNextWindowPos(ImVec2(io.DisplaySize.x * 0.5f, io.DisplaySize.y * 0.5f), ImGuiCond_Always, ImVec2(0.5f, 0.5f));
    ImGui::SetNextWindowSize(ImVec2(520, 0), ImGuiCond_Always);
    ImGui::Begin("Join a CaseRoom clinic", nullptr,
                 ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize |
                     ImGuiWindowFlags_NoSavedSettings);
    const bool connecting = a.link.session != nullptr;
    if (connecting) {
        const auto& s = *a.link.session;
        ImGui::Text("Connecting to %s...", a.join.server.c_str());
        ImGui::TextWrapped("as %s", a.link.joinedAs.c_str());
        ImGui::TextDisabled("%s (%.0f s)", session::toString(s.state()), platform::nowSeconds() - a.joinStarted);
        if (ImGui::Button("Cancel")) a.cancelJoin = true; // acted on once the lock is released
    } else {
        ImGui::InputText("Server", &a.join.server);
        ImGui::InputText("Room code", &a.join.room);
        ImGui::InputText("Display name", &a.join.name);
        ImGui::InputText("Invitation file", &a.join.tokenFile);
        ImGui::InputTextMultiline("or paste link", &a.join.tokenPaste, ImVec2(0, 48));
        ImGui::Checkbox("My connection is slow", &a.join.slowLink);
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("Voice uses fewer bits, and the server keeps what it sends you within a rural link.");
        ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
        ImGui::TextWrapped("Drop your .caseroom invitation on this window, or paste its caseroom:// link (or a "
                           "token as base64 -w0 FILE prints it). The invitation sets the server, the room, your "
                           "name and your role. A pasted link is never saved.");
        ImGui::PopStyleColor();
        if (!a.joinError.empty()) {
            ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1.0f, 0.45f, 0.4f, 1.0f));
            ImGui::TextWrapped("%s", a.joinError.c_str());
            ImGui::PopStyleColor();
        }
        if (ImGui::Button("Join", ImVec2(120, 0)) || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Enter))) beginJoin(a);
    }
    ImGui::End();
}

// [SECTION] room input
bool seatFree(const session::ClientSession& s, std::uint16_t seat) {
    for (const auto& p : s.avatars())
        if (p.hasPose && p.pose.seat == seat) return false;
    return true;
}

void roomInput(App& a, const platform::InputFrame& in) {
    session::ClientSession& s = *a.link.session;
    const sim::AvatarPose* self = s.selfPose();
    const sim::RoomLayout* layout = s.layout();
    if (self && (!a.lookInitialised || self->seat != a.lastSeat)) {
        // Face the way the body faces on arrival and whenever we sit or stand.
        a.look.yaw = self->bodyYaw;
        a.look.pitch = self->seated() ? -0.12f : 0.0f;
        a.lookInitialised = true;
        a.lastSeat = self->seat;
    }
    if (in.pressed(platform::Key::Overview)) a.overview = !a.overview;
    // F1 is help; H (which the platform also maps to Help) raises the hand (buildUi).
    if (ImGui::IsKeyPressed(SDL_SCANCODE_F1, false)) a.roomUi.showHelp = !a.roomUi.showHelp;
    if (in.pressed(platform::Key::Stand) && self && self->seated()) s.requestStand();
    if (in.rightHeld) applyMouse(a.look, in.mouseDx, in.mouseDy);
    if (self && self->seated() && layout && self->seat < layout->seats.size())
        clampToSeat(a.look, layout->seats[self->seat].yaw);
    const float fwd = (in.down(platform::Key::Forward) ? 1.0f : 0.0f) - (in.down(platform::Key::Back) ? 1.0f : 0.0f);
    const float strafe = (in.down(platform::Key::Right) ? 1.0f : 0.0f) - (in.down(platform::Key::Left) ? 1.0f : 0.0f);
    s.setIntent(makeIntent(a.look, a.overview ? 0.0f : fwd, a.overview ? 0.0f : strafe));

    if (layout) {
        if (a.overview || !self) {
            a.camera = render::overviewCamera(*layout);
        } else {
            a.camera = render::Camera{};
            a.camera.eye = self->headPosition();
            a.camera.orientation = sim::headRotation(a.look.yaw, a.look.pitch);
        }
    }
    // Slide keys (Dear ImGui 1.86 keys are SDL scancodes with the SDL2 backend).
    if (!ImGui::GetIO().WantCaptureKeyboard) {
        if (ImGui::IsKeyPressed(SDL_SCANCODE_F, false)) a.slidesUi.fullScreen = !a.slidesUi.fullScreen;
        // The laser only for those who may point (never observers).
        if (ImGui::IsKeyPressed(SDL_SCANCODE_L, false) && a.mayPoint) a.slidesUi.laserOn = !a.slidesUi.laserOn;
    }
    if (layout && wantsFullScreen(a.slidesUi, layout->panels.size()))
        a.camera = render::panelCamera(layout->panels[a.slidesUi.focused], render::aspectRatio(a.target));
    if (layout) {
        // Others' lasers where their rays meet the panels, then mine, drawn
        // locally where the mouse ray meets a panel (no round trip).
        const ImGuiIO& io = ImGui::GetIO();
        const render::Ray ray = render::pixelRay(a.camera, {in.mouseX, in.mouseY}, {io.DisplaySize.x, io.DisplaySize.y});
        laserDots(*layout, a.otherLasers, a.panelDots); // keeps capacity: no allocation once sized
        a.panelDots.resize(std::min<std::size_t>(layout->panels.size(), render::kMaxPanels));
        for (std::uint32_t p = 0; p < a.panelDots.size(); ++p) {
            if (a.slidesUi.laserOn && a.panelDots[p].size() < render::kMaxLaserDots)
                if (auto uv = render::panelHit(layout->panels[p], ray.origin, ray.direction))
                    a.panelDots[p].push_back({uv->x, uv->y});
            if (!a.slides) render::setPanelLaser(a.renderer, p, a.panelDots[p]);
        }
    }
    if (in.leftClicked && layout) {
        // Mouse is in window points; the ray needs drawable pixels.
        const ImGuiIO& io = ImGui::GetIO();
        const glm::vec2 view{io.DisplaySize.x, io.DisplaySize.y};
        const render::Ray ray = render::pixelRay(a.camera, {in.mouseX, in.mouseY}, view);
        if (auto seat = render::pickSeat(*layout, ray)) {
            if (self && self->seat == *seat) notice(a, "you are already in that chair");
            else if (!seatFree(s, *seat)) notice(a, "that chair is taken");
            else s.requestSit(*seat);
        }
    }
}

// [SECTION] main loop
void buildUi(App& a, bool inRoom, const platform::InputFrame& in) {
    if (!inRoom) {
        // A program credential opens the case desk, not a room (cases_ui.h).
        if (a.link.session && a.link.session->state() == session::ClientState::AtDesk) drawCasesUi(a.cases, *a.link.session);
        else { a.cases = CasesUi{}; joinScreen(a); }
        return;
    }
    RoomUiView v;
    v.session = a.link.session.get();
    v.server = a.join.server;
    v.camera = a.camera;
    v.avatars = a.avatars;
    v.stats = a.renderer.stats;
    v.overview = a.overview;
    v.now = platform::nowSeconds();
    drawRoomUi(a.roomUi, a.ui, v);
    {
        ClinicUiView cv;
        cv.session = a.link.session.get();
        cv.now = v.now;
        cv.toggleHand = !ImGui::GetIO().WantCaptureKeyboard && ImGui::IsKeyPressed(SDL_SCANCODE_H, false);
        drawClinicUi(a.clinic, cv, a.clinicIntents);
        sendClinicIntents(*a.link.session, a.clinicIntents); // buildUi runs under the pump lock
    }
    { // [replay]
        drawReplayUi(a.replay, ReplayUiView{&a.link.session->replay(), a.link.session->desc().role}, a.replayIntents);
        for (const net::ReplayIntent& m : a.replayIntents) a.link.session->sendReplay(m);
        a.replayIntents.clear();
    }
    if (a.slides) {
        SlidesUiView sv;
        // Arrows walk; they page only in full screen, where nobody walks.
        const bool arrows = a.slidesUi.fullScreen;
        sv.keys.next = ImGui::IsKeyPressed(SDL_SCANCODE_PAGEDOWN) || (arrows && ImGui::IsKeyPressed(SDL_SCANCODE_RIGHT));
        sv.keys.previous = ImGui::IsKeyPressed(SDL_SCANCODE_PAGEUP) || (arrows && ImGui::IsKeyPressed(SDL_SCANCODE_LEFT));
        sv.keys.playPause = ImGui::IsKeyPressed(SDL_SCANCODE_SPACE, false);
        sv.slides = a.slides.get();
        sv.panels = a.panelStates;
        sv.intents = a.panelIntents.get();
        sv.presenter = a.presenter;
        sv.mayPoint = a.mayPoint;
        sv.decks = a.decks;
        const render::Ray ray = render::pixelRay(a.camera, {in.mouseX, in.mouseY}, {ImGui::GetIO().DisplaySize.x,
                                                                               ImGui::GetIO().DisplaySize.y});
        const auto laser = a.hasLayout ? laserFromHead(a.layout, a.head, ray) : std::nullopt;
        sv.laserAims = laser.has_value();
        if (laser) {
            sv.laserOrigin = laser->origin;
            sv.laserDirection = laser->direction;
        }
        sv.now = platform::nowSeconds();
        drawSlidesUi(a.slidesUi, sv); // F and L are handled in roomInput
        a.panelIntents->endFrame();   // a laser not renewed this frame goes off
    }
    const bool typing = ImGui::GetIO().WantCaptureKeyboard;
    drawVideoUi(a.video, *a.link.session, VideoUiView{false, !typing && ImGui::IsKeyPressed(SDL_SCANCODE_C, false), &a.camera});
    voiceFrame(a.voice, *a.link.session, in.down(platform::Key::PushToTalk) && !typing);
}

} // namespace

int runWindowed(const Options& o) {
    App a;
    a.opts = o;
    a.avatars.reserve(256);
    if (auto s = setUp(a); !s) {
        std::fprintf(stderr, "caseroom: %s\n", s.error().message.c_str());
        tearDown(a);
        return 3;
    }
    a.settingsPath = settingsDir(o.configDir);
    if (auto s = loadJoinSettings(a.settingsPath, a.join); !s) a.joinError = "settings ignored: " + s.error().message;
    if (!o.connect.empty()) a.join.server = o.connect;
    if (!o.room.empty()) a.join.room = o.room;
    if (!o.name.empty()) a.join.name = o.name;
    if (!o.tokenFile.empty()) a.join.tokenFile = o.tokenFile;
    if (o.slowLink) a.join.slowLink = true;
    bool join = o.join;
    if (!o.invitation.empty()) {
        // A link stays in memory (the paste field is never saved); a file's path is remembered.
        a.join.tokenPaste.clear();
        if (net::secure::looksLikeInvitationLink(o.invitation)) {
            a.join.tokenPaste = o.invitation;
        } else if (o.invitation.rfind("file://", 0) == 0) {
            auto path = net::secure::pathFromFileUrl(o.invitation);
            if (path) a.join.tokenFile = *path;
            else {
                a.joinError = path.error().message;
                join = false;
            }
        } else {
            a.join.tokenFile = o.invitation;
        }
    }
    if (join) beginJoin(a);

    platform::InputFrame in;
    int rc = 0;
    std::uint64_t loops = 0;
    bool wasInRoom = false;
    while (true) {
        const ImGuiIO& io = ImGui::GetIO();
        platform::pollEvents(a.window, in, [](const SDL_Event* e) { return ImGui_ImplSDL2_ProcessEvent(e); },
                             io.WantCaptureMouse, io.WantCaptureKeyboard);
        if (in.quit) break;
        if (o.frames > 0 && loops >= o.frames) break;
        if (!in.droppedFile.empty() || !in.droppedText.empty()) dropped(a, in);
        ++loops;
        if (o.resizeTest) {
            // Exercise recreation: shrink, minimise and restore, grow, then back to the start size.
            if (loops == o.frames / 4) platform::setWindowSize(a.window, 960, 540);
            if (loops == 3 * o.frames / 8) platform::minimiseWindow(a.window);
            if (loops == 7 * o.frames / 16) platform::restoreWindow(a.window);
            if (loops == o.frames / 2) platform::setWindowSize(a.window, 1024, 700);
            if (loops == 3 * o.frames / 4) platform::setWindowSize(a.window, static_cast<int>(o.width), static_cast<int>(o.height));
        }
        bool inRoom = false, endNow = false, openVoiceNow = false;
        std::uint16_t selfSlot = 0;
        if (a.link.session) {
            const auto guard = a.pump.lock();
            session::ClientSession& s = *a.link.session;
            for (auto& n : s.takeNotices()) notice(a, std::move(n));
            if (s.state() == session::ClientState::InRoom)
                for (auto& n : takeClinicNotices(a.clinic, s, platform::nowSeconds())) notice(a, std::move(n));
            if (s.state() == session::ClientState::Refused || s.state() == session::ClientState::Disconnected) {
                a.joinError = (wasInRoom ? "left the room: " : "could not join: ") + s.statusText();
                std::fprintf(stderr, "caseroom: %s\n", a.joinError.c_str());
                endNow = true;
            } else if (s.reconnecting() && wasInRoom) {
                inRoom = true; // the room as it was, frozen, under the reconnect banner (room_ui.cpp)
            } else if (s.state() == session::ClientState::InRoom) {
                inRoom = true;
                if (!wasInRoom) { // scripts (tests/render/windowed_test.sh) wait for this line
                    std::printf("caseroom: joined as %s\n", a.link.joinedAs.c_str());
                    std::fflush(stdout);
                    startSlides(a, s);
                    startRoomVideo(a, s);
                }
                syncSlides(a, s);
                if (!a.voice.started && s.self().valid()) {
                    openVoiceNow = true; // after the lock: opening audio devices can take a while
                    selfSlot = s.self().value;
                }
                if (in.pressed(platform::Key::Escape)) {
                    a.joinError = "you left the room";
                    inRoom = false;
                    endNow = true;
                } else {
                    roomInput(a, in);
                    collectAvatars(s, !a.overview, a.avatars);
                    a.hasLayout = s.layout() != nullptr;
                    if (a.hasLayout) a.layout = *s.layout(); // reuses capacity: no allocation once sized
                }
            }
        }
        if (endNow) endLink(a);
        if (openVoiceNow && !endNow) {
            openVoice(a.voice, selfSlot);
            const auto guard = a.pump.lock();
            if (a.voice.voice && a.link.session) a.link.session->attachVoice(a.voice.voice.get());
        }
        wasInRoom = inRoom;

        const render::FrameResult b = render::beginFrame(a.renderer, platform::drawableSize(a.window));
        if (b == render::FrameResult::DeviceLost) {
            std::fprintf(stderr, "caseroom: the graphics device was lost (driver reset or GPU removed); "
                                 "restart CaseRoom to continue\n");
            rc = 3;
            break;
        }
        if (b == render::FrameResult::Skipped) {
            std::this_thread::sleep_for(std::chrono::milliseconds(16)); // minimised: do not spin
            continue;
        }
        if (inRoom && a.slides)
            a.slides->update(platform::nowSeconds(), a.panelStates, a.slidesUi.local, a.panelDots, a.renderer);
        if (inRoom) uploadVideo(a.video, a.panelStates, a.panelDots, a.renderer); // after the slides: see video_wall.h
        if (inRoom) {
            render::FrameView view;
            view.layout = a.hasLayout ? &a.layout : nullptr;
            view.avatars = a.avatars;
            view.faces = a.video.faces;
            view.camera = a.camera;
            render::drawScene(a.renderer, view);
        }
        render::imguiNewFrame(a.ui);
        ImGui_ImplSDL2_NewFrame();
        ImGui::NewFrame();
        {
            std::unique_lock<std::mutex> guard;
            if (a.link.session) guard = a.pump.lock(); // a Join click inside starts a pump: no lock is held then
            buildUi(a, inRoom, in);
        }
        if (a.cancelJoin) {
            a.cancelJoin = false;
            endLink(a);
            a.joinError = "cancelled";
        }
        ImGui::Render();
        render::recordImGui(a.ui, render::frameCommandBuffer(a.renderer));
        a.screenDraws.assign(a.slidesUi.thumbnails.begin(), a.slidesUi.thumbnails.end());
        a.screenDraws.insert(a.screenDraws.end(), a.video.tiles.begin(), a.video.tiles.end());
        render::drawThumbnails(a.renderer, a.screenDraws); // above the UI (see slides_ui.h)
        if (render::endFrame(a.renderer) == render::FrameResult::DeviceLost) {
            std::fprintf(stderr, "caseroom: the graphics device was lost; restart CaseRoom to continue\n");
            rc = 3;
            break;
        }
    }
    if (o.validation && render::validationMessageCount(a.dev) > 0) {
        std::fprintf(stderr, "caseroom: %u Vulkan validation messages\n", render::validationMessageCount(a.dev));
        if (rc == 0) rc = 5;
    }
    std::printf("caseroom: %llu frames, %llu swapchain rebuilds\n", static_cast<unsigned long long>(loops),
                static_cast<unsigned long long>(a.renderer.stats.swapchainRebuilds));
    tearDown(a);
    return rc;
}

} // namespace caseroom::client
