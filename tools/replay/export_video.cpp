// caseroom-replay export --video (export_video.h).
// [SECTION] camera  [SECTION] the room at a tick  [SECTION] overlay  [SECTION] export
#include "export_video.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <set>
#include <thread>

#include <imgui.h>

#include "core/cli.h"
#include "export_audio.h"
#include "media/deck.h"
#include "render/camera.h"
#include "render/headless.h"
#include "render/imgui_layer.h"
#include "render/scene.h"
#include "session/panel_wire.h"
#include "session/replay_room.h"
#include "session/wire_avatar.h"
#include "sim/layout.h"
#include "clinic_wall.h"
#include "session/clinic_view.h"
#include "slides.h"

namespace caseroom::replay {

// [SECTION] camera ---------------------------------------------------------------------

core::Result<CameraChoice> parseCamera(std::string_view text) {
    const auto bad = [&] {
        return core::Error{"--camera '" + std::string(text) + "': wants overview, seat:N, panel:N or follow:NAME"};
    };
    CameraChoice c;
    if (text == "overview") return c;
    const auto colon = text.find(':');
    if (colon == std::string_view::npos) return bad();
    const std::string_view kind = text.substr(0, colon), value = text.substr(colon + 1);
    if (kind == "follow") {
        if (value.empty()) return bad();
        c.kind = CameraChoice::Kind::Follow;
        c.name = std::string(value);
        return c;
    }
    if (kind != "seat" && kind != "panel") return bad();
    const auto index = core::cli::parseInt("--camera " + std::string(kind), value, 0, 9999);
    if (!index) return index.error();
    c.kind = kind == "seat" ? CameraChoice::Kind::Seat : CameraChoice::Kind::Panel;
    c.index = static_cast<std::uint16_t>(*index);
    return c;
}

std::string describe(const CameraChoice& c) {
    switch (c.kind) {
    case CameraChoice::Kind::Overview: return "overview";
    case CameraChoice::Kind::Seat: return "seat " + std::to_string(c.index);
    case CameraChoice::Kind::Panel: return "panel " + std::to_string(c.index);
    case CameraChoice::Kind::Follow: return "through the eyes of " + c.name;
    }
    return "overview";
}

namespace {

using Clock = std::chrono::steady_clock;

// [SECTION] the room at a tick ----------------------------------------------------------

// What one frame draws, rebuilt from the replay state (capacity kept).
struct RoomFrame {
    std::vector<sim::PanelState> panels;
    std::vector<sim::LaserState> lasers;
    std::vector<std::vector<render::LaserDot>> dots;
    std::vector<render::AvatarDraw> avatars;
    std::vector<client::WallSource::Who> people;   // for the hand markers
};

// The round's view model follows the replay: what changed, or everything after a jump.
void follow(session::ClinicViewModel& clinic, const session::ReplayState& st, const session::ReplayDue& due) {
    const auto put = [&](const net::ObjectKey& key) {
        if (!session::ClinicViewModel::handles(key.kind)) return;
        net::ObjectUpdate u;
        u.key = key;
        const auto it = st.objects.find(key);
        u.removed = it == st.objects.end();
        if (!u.removed && !u.bytes.assign(it->second)) return;
        (void)clinic.apply(u);   // an object that does not decode keeps the view as it was (as a live client does)
    };
    if (due.jumped) {
        clinic.reset();
        for (const auto& [key, bytes] : st.objects) put(key);
        return;
    }
    for (const auto& key : due.objectsChanged) put(key);
}

void collect(const session::ReplayState& st, const sim::RoomLayout& layout, RoomFrame& f) {
    f.panels.assign(layout.panels.size(), sim::PanelState{});
    f.lasers.clear();
    for (const auto& [key, bytes] : st.objects) {
        if (key.kind == net::ObjectKind::Panel && key.id < f.panels.size()) {
            if (auto p = session::decodePanel(bytes)) f.panels[key.id] = *p;
        } else if (key.kind == net::ObjectKind::Laser) {
            if (auto l = session::decodeLaser(key.id, bytes)) f.lasers.push_back(*l);
        }
    }
    client::laserDots(layout, f.lasers, f.dots);
    f.avatars.clear();
    f.people.clear();
    for (const auto& [slot, q] : st.avatars) {
        const auto who = st.present.find(slot);
        if (who == st.present.end()) continue;
        render::AvatarDraw d;
        d.pose = session::fromWire(q);
        d.role = who->second.role;
        d.name = who->second.name;   // the state outlives the frame
        f.avatars.push_back(d);
        f.people.push_back({slot, d.pose, false});
    }
}

// The camera for this frame; `followed` is set while the followed participant is present.
render::Camera cameraFor(const CameraChoice& c, const sim::RoomLayout& layout, RoomFrame& f, float aspect, bool& followed) {
    followed = false;
    switch (c.kind) {
    case CameraChoice::Kind::Overview: break;
    case CameraChoice::Kind::Seat: return render::seatCamera(layout, c.index);
    case CameraChoice::Kind::Panel:
        if (c.index < layout.panels.size()) return render::panelCamera(layout.panels[c.index], aspect);
        break;
    case CameraChoice::Kind::Follow:
        for (auto& a : f.avatars)
            if (a.name == c.name) {
                a.hideHead = true;   // their own head would fill the view
                followed = true;
                return render::headCamera(a.pose);
            }
        break;
    }
    return render::overviewCamera(layout);
}

// [SECTION] overlay ---------------------------------------------------------------------

// The caption strip along the bottom: title, phase, time; and the recorded
// pause said across the middle.
void drawCaption(ImDrawList* d, glm::vec2 viewport, const std::string& title, const std::string& phase, double atMs, bool paused) {
    const float h = std::max(22.0f, viewport.y * 0.05f);
    const float size = h * 0.62f;
    ImFont* font = ImGui::GetFont();
    d->AddRectFilled({0, viewport.y - h}, {viewport.x, viewport.y}, IM_COL32(12, 14, 18, 200));
    const std::string left = phase.empty() ? title : title + "  \xc2\xb7  " + phase;
    d->AddText(font, size, {h * 0.4f, viewport.y - h + (h - size) / 2}, IM_COL32(235, 238, 242, 255), left.c_str());
    const std::string clock = clockText(atMs).substr(0, 8);
    const ImVec2 cs = font->CalcTextSizeA(size, 1e9f, 0, clock.c_str());
    d->AddText(font, size, {viewport.x - cs.x - h * 0.4f, viewport.y - h + (h - size) / 2}, IM_COL32(235, 238, 242, 255), clock.c_str());
    if (paused) {
        const char* msg = "recording paused: nothing of this time was recorded";
        const float ms = size * 1.1f;
        const ImVec2 s = font->CalcTextSizeA(ms, 1e9f, 0, msg);
        const ImVec2 at{(viewport.x - s.x) / 2, (viewport.y - s.y) / 2};
        d->AddRectFilled({at.x - ms, at.y - ms * 0.5f}, {at.x + s.x + ms, at.y + s.y + ms * 0.5f}, IM_COL32(120, 80, 10, 225), ms * 0.3f);
        d->AddText(font, ms, at, IM_COL32(255, 244, 220, 255), msg);
    }
}

// The headless rig with its UI layer, destroyed on every way out.
struct Rig : render::HeadlessUiRig {
    Rig() = default;
    Rig(const Rig&) = delete;
    Rig& operator=(const Rig&) = delete;
    ~Rig() { render::destroyHeadlessUiRig(*this); }
};

} // namespace

// [SECTION] export ----------------------------------------------------------------------

core::Result<VideoExport> exportVideo(record::RecordingReader& reader, const Scan& scan, const VideoExportOptions& o) {
    const record::RecordingInfo& info = reader.info();
    const double rate = info.tickRate > 0 ? info.tickRate : 30.0;
    const double endMs = scan.durationMs();
    const double fromMs = std::clamp(o.fromMs, 0.0, endMs);
    const double toMs = o.toMs < 0 ? endMs : std::min(o.toMs, endMs);
    if (toMs <= fromMs) return core::Error{"nothing to export: the range is empty"};
    const std::uint32_t fps = o.video.fps;
    const auto frames = static_cast<std::uint64_t>(std::ceil((toMs - fromMs) * fps / 1000.0 - 1e-9));

    const sim::RoomLayout layout = sim::makeLayout(session::replayRoomSpec(info, info.room));
    if (o.camera.kind == CameraChoice::Kind::Panel && o.camera.index >= layout.panels.size())
        return core::Error{"--camera panel:" + std::to_string(o.camera.index) + ": the recorded room has " +
                           std::to_string(layout.panels.size()) + " panels (0.." + std::to_string(layout.panels.size() - 1) + ")"};
    if (o.camera.kind == CameraChoice::Kind::Seat && o.camera.index >= layout.seats.size())
        return core::Error{"--camera seat:" + std::to_string(o.camera.index) + ": the recorded room has " + std::to_string(layout.seats.size()) +
                           " seats"};

    std::unique_ptr<client::LocalBlobSource> source;
    if (!o.blobDirs.empty()) {
        for (const auto& dir : o.blobDirs) {
            std::error_code ec;
            if (!std::filesystem::is_directory(dir, ec)) return core::Error{dir.string() + ": no such folder of deck blobs"};
        }
        auto s = client::LocalBlobSource::open(o.blobDirs);
        if (!s) return s.error();
        source = std::move(*s);
    }

    VideoDesc vd = o.video;
    vd.title = info.title.empty() ? "CaseRoom " + info.room : info.title;
    vd.date = isoDate(info.startedUnix + static_cast<std::uint64_t>(fromMs / 1000));
    const std::vector<Chapter> chapters = chaptersIn(scan, fromMs, toMs);
    const double lengthMs = static_cast<double>(frames) * 1000.0 / fps;
    for (std::size_t i = 0; i < chapters.size(); ++i)
        vd.chapters.push_back({chapters[i].atMs, i + 1 < chapters.size() ? chapters[i + 1].atMs : lengthMs, chapters[i].label});

    Rig rig;
    render::HeadlessDesc hd;
    hd.extent = {o.video.width, o.video.height};
    hd.shaderDir = o.shaderDir;
    if (auto s = render::createHeadlessUiRig(rig, hd); !s) return core::Error{"the renderer: " + s.error().message};
    auto writer = VideoWriter::create(vd);
    if (!writer) return writer.error();

    // No deck folders: every deck shown is missing (the panels show their cards).
    client::SlideControllerDesc sd;
    sd.parseManifest = &media::parseManifest;
    std::optional<client::SlideController> slides;
    if (source) slides.emplace(*source, sd);

    session::ReplayRoom room(reader);
    const auto tickAt = [&](double ms) {
        return info.firstTick + static_cast<std::uint32_t>(std::floor(ms * rate / 1000.0 + 1e-6));
    };
    session::ReplayDue due;
    session::ClinicViewModel clinic;
    room.seek(tickAt(fromMs), &due);
    follow(clinic, room.state(), due);

    VideoExport out;
    out.camera = describe(o.camera);
    std::set<core::ContentHash> missing, seen;
    bool followedOnce = false, absentNoted = false;
    RoomFrame f;
    std::vector<std::uint8_t> pixels(static_cast<std::size_t>(o.video.width) * o.video.height * 4);
    const float aspect = render::aspectRatio(rig.rig.target);

    const auto lap = [](Clock::time_point& t0, double& into) {
        const auto t1 = Clock::now();
        into += std::chrono::duration<double>(t1 - t0).count();
        t0 = t1;
    };
    for (std::uint64_t i = 0; i < frames; ++i) {
        auto t0 = Clock::now();
        const double atMs = fromMs + static_cast<double>(i) * 1000.0 / fps;
        const std::uint32_t tick = tickAt(atMs);
        due.clear();
        room.stepTo(tick, &due);
        follow(clinic, room.state(), due);
        collect(room.state(), layout, f);
        bool followed = false;
        render::FrameView view;
        view.layout = &layout;
        view.camera = cameraFor(o.camera, layout, f, aspect, followed);
        view.avatars = f.avatars;
        for (std::size_t k = 0; k < f.avatars.size(); ++k) f.people[k].hidden = f.avatars[k].hideHead;
        if (o.camera.kind == CameraChoice::Kind::Follow) {
            if (followed) followedOnce = true;
            else if (!absentNoted) {
                absentNoted = true;
                out.notes.push_back(o.camera.name + " is not in the room at " + clockText(atMs) + ": the overview until they are");
            }
        }
        std::string phase;
        for (const auto& m : scan.marks)
            if (m.tick <= tick) phase = m.label;
        const bool paused = room.inRecordedPause();
        client::WallSource wall;
        wall.clinic = &clinic;
        wall.layout = &layout;
        wall.tick = tick;
        wall.tickRate = rate;
        wall.people = f.people;
        // As a viewer's window draws the room: the board, the name tags, the markers; then the caption.
        const auto overlay = [&] {
            ImDrawList* d = ImGui::GetBackgroundDrawList();
            const glm::vec2 viewport{ImGui::GetIO().DisplaySize.x, ImGui::GetIO().DisplaySize.y};
            const glm::mat4 vp = render::viewProjection(view.camera, aspect);
            client::drawWallBoard(d, wall, vp, view.camera.eye, viewport);
            render::drawNameTags(rig.ui, d, vp, view.camera.eye, viewport, view.avatars);
            client::drawHandMarkers(d, wall, vp, viewport);
            drawCaption(d, viewport, vd.title, phase, atMs, paused);
        };

        // Decks: those not in the blob folders are counted and not waited for.
        for (const auto& p : f.panels) {
            if (p.deck.empty() || !seen.insert(p.deck).second) continue;
            if (!source || !source->progress(p.deck).done()) missing.insert(p.deck);
        }
        const auto slidesUp = [&] {
            if (!slides) return true;
            for (std::uint32_t p = 0; p < f.panels.size(); ++p) {
                if (f.panels[p].deck.empty() || missing.count(f.panels[p].deck)) continue;
                const client::PanelInfo& pi = slides->info(p);
                if (pi.error) continue;
                if (!(pi.current && render::panelSlideReady(rig.rig.renderer, p))) return false;
            }
            return true;
        };
        const double now = atMs / 1000.0;
        lap(t0, out.stepSeconds);
        const auto waitStart = Clock::now();
        for (;;) {
            if (slides) {
                slides->setServerClock(tick, rate, now);
                slides->update(now, f.panels, {}, f.dots, rig.rig.renderer);
            }
            if (render::renderUiFrame(rig, view, overlay) == render::FrameResult::DeviceLost)
                return core::Error{"the renderer: the device was lost"};
            if (slidesUp()) break;
            ++out.slideWaits;
            if (Clock::now() - waitStart > std::chrono::seconds(20)) {
                out.notes.push_back("a slide at " + clockText(atMs) + " did not come up in 20 s: shown without it");
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
        lap(t0, out.renderSeconds);
        if (!render::readTarget(rig.rig.dev, rig.rig.target, pixels.data())) return core::Error{"the renderer: reading the frame back failed"};
        lap(t0, out.readbackSeconds);
        if (auto s = (*writer)->addFrame(pixels); !s) return s.error();
        lap(t0, out.encodeSeconds);
        if (o.progress) o.progress(static_cast<double>(i + 1) / fps, static_cast<double>(frames) / fps);
    }
    auto t0 = Clock::now();
    if (auto s = (*writer)->finish(); !s) return s.error();
    lap(t0, out.encodeSeconds);
    if (o.camera.kind == CameraChoice::Kind::Follow && !followedOnce)
        out.notes.push_back(o.camera.name + " is never in the exported range: the whole video is the overview");
    for (const auto& n : room.notes()) out.notes.push_back(n);
    out.decksMissing = static_cast<std::uint32_t>(missing.size());
    out.frames = (*writer)->framesWritten();
    out.seconds = static_cast<double>(out.frames) / fps;
    out.bytes = (*writer)->bytesWritten();
    out.writer = std::move(*writer);
    return out;
}

} // namespace caseroom::replay
