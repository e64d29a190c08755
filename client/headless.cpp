// [SECTION] setup  [SECTION] one frame  [SECTION] scene sources  [SECTION] bench
#include "headless.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#include <imgui.h>

#include "core/log.h"
#include "core/percentile.h"
#include "render/headless.h"
#include "render/image_io.h"
#include "render/imgui_layer.h"
#include "room_link.h"
#include "room_ui.h"
#include "sim/layout.h"

namespace caseroom::client {
namespace {

using Clock = std::chrono::steady_clock;
double secondsSince(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// [SECTION] setup
struct Headless {
    render::HeadlessRig rig;
    render::ImGuiLayer ui;
    bool uiReady = false;
};

core::Status setUp(Headless& h, const Options& o) {
    render::HeadlessDesc d;
    d.extent = {o.width, o.height};
    d.samples = static_cast<VkSampleCountFlagBits>(o.msaa);
    d.validation = o.validation ? render::Validation::Required : render::Validation::Off;
    d.shaderDir = o.shaders;
    if (auto s = render::createHeadlessRig(h.rig, d); !s) return s;
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    io.DisplaySize = ImVec2(static_cast<float>(o.width), static_cast<float>(o.height));
    if (auto s = render::createImGuiLayer(h.ui, h.rig.dev, h.rig.target); !s) return s;
    h.uiReady = true;
    return {};
}

void tearDown(Headless& h) {
    if (h.uiReady) render::destroyImGuiLayer(h.ui);
    if (ImGui::GetCurrentContext()) ImGui::DestroyContext();
    render::destroyHeadlessRig(h.rig);
}

// [SECTION] one frame
struct FrameTimes {
    double cpu = 0;   // seconds spent building and recording and submitting
};

// Scene + name tags (or, with `room`, the full in-room UI as the window
// shows it). Returns false on a lost device.
bool frame(Headless& h, const render::FrameView& view, FrameTimes* times, RoomUi* roomUi = nullptr,
           RoomUiView* room = nullptr) {
    const render::FrameResult b = render::beginFrame(h.rig.renderer, h.rig.target.extent);
    if (b == render::FrameResult::DeviceLost) return false;
    if (b != render::FrameResult::Ready) return true;
    const auto t0 = Clock::now();
    render::drawScene(h.rig.renderer, view);
    ImGuiIO& io = ImGui::GetIO();
    io.DeltaTime = 1.0f / 60.0f;
    render::imguiNewFrame(h.ui);
    ImGui::NewFrame();
    const glm::vec2 viewport{io.DisplaySize.x, io.DisplaySize.y};
    if (roomUi && room) {
        room->stats = h.rig.renderer.stats;
        drawRoomUi(*roomUi, h.ui, *room);
    } else {
        render::drawNameTags(h.ui, ImGui::GetBackgroundDrawList(),
                             render::viewProjection(view.camera, render::aspectRatio(h.rig.target)), view.camera.eye,
                             viewport, view.avatars);
    }
    ImGui::Render();
    render::recordImGui(h.ui, render::frameCommandBuffer(h.rig.renderer));
    const render::FrameResult e = render::endFrame(h.rig.renderer);
    if (times) times->cpu = secondsSince(t0);
    return e != render::FrameResult::DeviceLost;
}

// [SECTION] scene sources
render::Camera cameraFor(const Options& o, const sim::RoomLayout& layout, const sim::AvatarPose* self) {
    if (o.camera == render::CameraPreset::Overview) return render::overviewCamera(layout);
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
    view.camera = cameraFor(o, layout, nullptr);
    for (std::uint32_t i = 0; i < o.frames; ++i)
        if (!frame(h, view, nullptr)) return 3;
    return 0;
}

int connectedScene(Headless& h, const Options& o) {
    JoinRequest req;
    req.server = o.connect;
    req.room = o.room;
    if (!o.tokenFile.empty()) {
        auto bytes = readTokenBytes(o.tokenFile);
        if (!bytes) {
            std::fprintf(stderr, "caseroom: %s\n", bytes.error().message.c_str());
            return 4;
        }
        req.token = std::move(*bytes);
        req.tokenSource = o.tokenFile;
    }
    const auto start = Clock::now();
    auto link = startJoin(req, 0.0);
    if (!link) {
        std::fprintf(stderr, "caseroom: %s\n", link.error().message.c_str());
        return 4;
    }
    session::ClientSession& s = *link->session;
    while (s.state() != session::ClientState::InRoom) {
        s.update(secondsSince(start));
        if (s.state() == session::ClientState::Refused || s.state() == session::ClientState::Disconnected) {
            std::fprintf(stderr, "caseroom: could not join room '%s' at %s: %s\n", s.desc().roomCode.c_str(),
                         req.server.c_str(), s.statusText().c_str());
            return 4;
        }
        if (secondsSince(start) > o.timeout) {
            std::fprintf(stderr, "caseroom: no room after %.0f s (%s)\n", o.timeout, s.statusText().c_str());
            closeLink(*link, secondsSince(start));
            return 4;
        }
        link->transport->wait(0.005);
    }
    std::vector<render::AvatarDraw> avatars;
    avatars.reserve(256);
    const bool firstPerson = o.camera == render::CameraPreset::Seat;
    RoomUi roomUi;
    int rc = 0;
    for (std::uint32_t i = 0; i < o.frames; ++i) {
        s.update(secondsSince(start));
        if (s.state() != session::ClientState::InRoom) {
            std::fprintf(stderr, "caseroom: %s\n", s.statusText().c_str());
            rc = 4;
            break;
        }
        const sim::RoomLayout* layout = s.layout();
        collectAvatars(s, firstPerson, avatars);
        render::FrameView view;
        view.layout = layout;
        view.avatars = avatars;
        if (layout) view.camera = cameraFor(o, *layout, s.selfPose());
        for (auto& n : s.takeNotices()) addNotice(roomUi, secondsSince(start), std::move(n));
        RoomUiView rv;
        rv.session = &s;
        rv.server = req.server;
        rv.camera = view.camera;
        rv.avatars = avatars;
        rv.overview = o.camera == render::CameraPreset::Overview;
        rv.now = secondsSince(start);
        if (!frame(h, view, nullptr, o.ui ? &roomUi : nullptr, &rv)) { rc = 3; break; }
        std::this_thread::sleep_for(std::chrono::milliseconds(16)); // let snapshots arrive between frames
    }
    std::printf("joined room '%s' as %s: %zu participants visible\n", s.desc().roomCode.c_str(),
                link->joinedAs.c_str(), s.avatars().size());
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

} // namespace

int runHeadless(const Options& o) {
    Headless h;
    if (auto s = setUp(h, o); !s) {
        std::fprintf(stderr, "caseroom: cannot start headless rendering: %s\n", s.error().message.c_str());
        tearDown(h);
        return 3;
    }
    int rc = 0;
    if (o.bench) rc = bench(h, o);
    else if (!o.connect.empty()) rc = connectedScene(h, o);
    else rc = builtInScene(h, o);

    if (rc == 0 && !o.screenshot.empty() && !o.bench) {
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
