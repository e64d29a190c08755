#include "video_panel.h"

#include <imgui.h>

#include <algorithm>
#include <cstdio>

#include "media/v4l2_source.h"
#include "media/vp8.h"
#include "media/x11_share.h"
#include "render/camera.h"
#include "render/scene.h"
#include "sim/permissions.h"

namespace caseroom::client {
namespace {

constexpr float kTileW = 192.0f, kTileH = 108.0f, kTileLabel = 18.0f;
const ImU32 kShareRed = IM_COL32(230, 40, 40, 255);

const std::string* nameOf(const VideoPanel& p, std::uint16_t slot) {
    for (const auto& [s, n] : p.names)
        if (s == slot) return &n;
    return nullptr;
}

std::string who(const VideoPanel& p, net::VideoStreamId id) {
    const std::string* n = nameOf(p, id.publisher);
    return (n ? *n : "participant " + std::to_string(id.publisher)) + (id.kind == net::VideoKind::Screen ? " (screen)" : "");
}

// The stream's state in a few words; empty when it plays in full.
std::string stateText(const session::VideoStreamView& v) {
    if (v.frozen) return "frozen: no picture for a while";
    switch (v.tier) {
    case net::VideoTier::Full: return {};
    case net::VideoTier::Reduced: // also while the server's estimate of the link builds up after a join
        return std::to_string(v.layers) + " of " + std::to_string(v.info.layers) + " layers (what the link carries)";
    case net::VideoTier::Still: return "weak link: a still picture every few seconds";
    case net::VideoTier::Off: return "weak link: video off";
    case net::VideoTier::Count: break;
    }
    return {};
}

const session::VideoStreamView* viewOf(const VideoPanel& p, net::VideoStreamId id) {
    for (const auto& v : p.views)
        if (v.info.stream == id) return &v;
    return nullptr;
}

// The chosen camera (the test pattern, or a V4L2 device in the chosen or the
// best mode) at the role's profile size: for the preview and for sending.
core::Result<std::unique_ptr<media::VideoSource>> openCamera(const VideoPanel::Camera& c, const media::VideoProfile& prof) {
    if (c.device <= 0 || static_cast<std::size_t>(c.device) > c.devices.size())
        return media::makeTestPatternSource(prof.width, prof.height, prof.fps);
    const media::V4l2Device& d = c.devices[static_cast<std::size_t>(c.device - 1)];
    if (d.modes.empty()) return core::Error{d.path + " offers no YUYV or MJPEG mode"};
    const auto mode = c.mode > 0 && static_cast<std::size_t>(c.mode) <= d.modes.size()
                          ? std::optional(d.modes[static_cast<std::size_t>(c.mode - 1)])
                          : media::chooseV4l2Mode(d.modes, prof.width, prof.height, prof.fps);
    return media::openV4l2(d.path, *mode, prof.width, prof.height);
}

core::Status startCamera(VideoPanel& p, session::ClientSession& s) {
    const media::VideoProfile& prof = cameraProfile(s.desc().role);
    p.camera.preview.reset(); // the device is the encoder's now (a preview holding it would make it busy)
    auto src = openCamera(p.camera, prof);
    if (!src) return src.error();
    return p.client->publish(net::VideoKind::Camera, std::move(*src), prof);
}

core::Status startShare(VideoPanel& p) {
    const media::VideoProfile& prof = media::videoProfile(media::VideoUse::ScreenShare);
    media::ShareTarget t;
    if (p.share.desktop) {
        t.kind = media::ShareTarget::Kind::Desktop;
        p.share.title = "your whole desktop";
    } else {
        if (p.share.window < 0 || static_cast<std::size_t>(p.share.window) >= p.share.windows.size())
            return core::Error{"choose a window to share"};
        t.window = p.share.windows[static_cast<std::size_t>(p.share.window)].first;
        p.share.title = "the window \"" + p.share.windows[static_cast<std::size_t>(p.share.window)].second + "\"";
    }
    auto src = media::openX11Share(t, prof.fps, prof.width, prof.height);
    if (!src) return src.error();
    return p.client->publish(net::VideoKind::Screen, std::move(*src), prof);
}

void listWindows(VideoPanel& p) {
    p.share.listed = true;
    p.share.windows.clear();
    p.share.window = -1;
    auto w = media::listX11Windows();
    if (!w) { p.share.error = w.error().message; return; }
    p.share.error.clear();
    for (const auto& x : *w)
        if (!x.title.empty()) p.share.windows.emplace_back(x.id, x.title);
}

void cameraSection(VideoPanel& p, session::ClientSession& s) {
    if (!p.camera.listed) {
        p.camera.devices = media::listV4l2Devices();
        p.camera.listed = true;
    }
    const bool on = p.client->publishing(net::VideoKind::Camera);
    const bool may = sim::permitted(s.desc().role, sim::Action::ShowCamera);
    auto deviceLabel = [&](int i) {
        return i <= 0 ? std::string("test pattern (no camera)")
                      : p.camera.devices[static_cast<std::size_t>(i - 1)].card + " (" +
                            p.camera.devices[static_cast<std::size_t>(i - 1)].path + ")";
    };
    ImGui::BeginDisabled(on);
    if (ImGui::BeginCombo("camera", deviceLabel(p.camera.device).c_str())) {
        for (int i = 0; i <= static_cast<int>(p.camera.devices.size()); ++i)
            if (ImGui::Selectable(deviceLabel(i).c_str(), i == p.camera.device)) {
                p.camera.device = i;
                p.camera.mode = 0;
                p.camera.preview.reset();
            }
        ImGui::EndCombo();
    }
    if (p.camera.device > 0) {
        const auto& modes = p.camera.devices[static_cast<std::size_t>(p.camera.device - 1)].modes;
        auto modeLabel = [&](int i) {
            if (i <= 0) return std::string("best for this room");
            const media::V4l2Mode& m = modes[static_cast<std::size_t>(i - 1)];
            char b[64];
            std::snprintf(b, sizeof b, "%s %ux%u %.0f fps", media::toString(m.pixel), m.width, m.height, m.fps);
            return std::string(b);
        };
        if (ImGui::BeginCombo("format", modeLabel(p.camera.mode).c_str())) {
            for (int i = 0; i <= static_cast<int>(modes.size()); ++i)
                if (ImGui::Selectable(modeLabel(i).c_str(), i == p.camera.mode)) {
                    p.camera.mode = i;
                    p.camera.preview.reset();
                }
            ImGui::EndCombo();
        }
    }
    if (ImGui::Button(p.camera.preview ? "Stop preview" : "Preview")) {
        if (p.camera.preview) p.camera.preview.reset();
        else {
            if (auto src = openCamera(p.camera, cameraProfile(s.desc().role))) {
                p.camera.error.clear();
                p.camera.preview = std::make_unique<media::VideoCapture>(std::move(*src));
            } else {
                p.camera.error = src.error().message;
            }
        }
    }
    ImGui::EndDisabled();
    ImGui::SameLine();
    ImGui::BeginDisabled(!may && !on);
    if (ImGui::Button(on ? "Stop my camera" : "Show my camera")) {
        if (on) p.client->unpublish(net::VideoKind::Camera);
        else if (auto st = startCamera(p, s); !st) p.camera.error = st.error().message;
        else p.camera.error.clear();
    }
    ImGui::EndDisabled();
    if (!may) ImGui::TextDisabled("your role does not show a camera in this room");
    if (!p.camera.error.empty()) ImGui::TextColored(ImVec4(1, 0.45f, 0.4f, 1), "%s", p.camera.error.c_str());
    const auto st = p.client->publishStats(net::VideoKind::Camera);
    if (on) ImGui::TextDisabled("sending: %llu frames, %.0f kB", static_cast<unsigned long long>(st.frames), double(st.bytes) / 1000.0);
    if (!st.error.empty()) ImGui::TextColored(ImVec4(1, 0.45f, 0.4f, 1), "camera stopped: %s", st.error.c_str());
    // The preview (or, while sending, what was last captured): drawn after the UI over this rectangle.
    if (p.camera.previewPicture) {
        const ImVec2 at = ImGui::GetCursorScreenPos();
        ImGui::Dummy(ImVec2(kTileW, kTileH));
        p.tiles.push_back({render::videoTileScreen(kPreviewTile), at.x, at.y, kTileW, kTileH, {0, 0, 1e9f, 1e9f}});
    }
}

void shareSection(VideoPanel& p, session::ClientSession& s) {
    const bool on = p.client->publishing(net::VideoKind::Screen);
    const bool may = sim::permitted(s.desc().role, sim::Action::ShareScreen);
    if (!p.share.listed) listWindows(p);
    ImGui::BeginDisabled(on);
    const char* current = p.share.desktop ? "the whole desktop"
                          : p.share.window >= 0 ? p.share.windows[static_cast<std::size_t>(p.share.window)].second.c_str()
                                                : "choose a window";
    if (ImGui::BeginCombo("window", current)) {
        for (int i = 0; i < static_cast<int>(p.share.windows.size()); ++i)
            if (ImGui::Selectable(p.share.windows[static_cast<std::size_t>(i)].second.c_str(), i == p.share.window && !p.share.desktop)) {
                p.share.window = i;
                p.share.desktop = false;
            }
        ImGui::EndCombo();
    }
    ImGui::SameLine();
    if (ImGui::Button("Refresh")) listWindows(p);
    ImGui::Checkbox("share the whole desktop instead", &p.share.desktop);
    if (p.share.desktop)
        ImGui::Checkbox("I understand: everything on my screen, every window, is shown to the room", &p.share.desktopConfirmed);
    ImGui::EndDisabled();
    const bool ready = p.share.desktop ? p.share.desktopConfirmed : p.share.window >= 0;
    ImGui::BeginDisabled(!on && (!may || !ready));
    if (ImGui::Button(on ? "Stop sharing" : "Share")) {
        if (on) p.client->unpublish(net::VideoKind::Screen);
        else if (auto st = startShare(p); !st) p.share.error = st.error().message;
        else p.share.error.clear();
    }
    ImGui::EndDisabled();
    if (!may) ImGui::TextDisabled("your role does not share a screen now");
    if (!p.share.error.empty()) ImGui::TextColored(ImVec4(1, 0.45f, 0.4f, 1), "%s", p.share.error.c_str());
    const auto st = p.client->publishStats(net::VideoKind::Screen);
    if (!st.error.empty()) ImGui::TextColored(ImVec4(1, 0.45f, 0.4f, 1), "sharing stopped: %s", st.error.c_str());
}

// The red border and the banner while I share: never silent.
void sharingBanner(VideoPanel& p) {
    if (!p.client->publishing(net::VideoKind::Screen)) return;
    const ImGuiIO& io = ImGui::GetIO();
    ImDrawList* fg = ImGui::GetForegroundDrawList();
    fg->AddRect(ImVec2(2, 2), ImVec2(io.DisplaySize.x - 2, io.DisplaySize.y - 2), kShareRed, 0.0f, 0, 4.0f);
    ImGui::SetNextWindowPos(ImVec2(io.DisplaySize.x * 0.5f, 8), ImGuiCond_Always, ImVec2(0.5f, 0.0f));
    ImGui::PushStyleColor(ImGuiCol_WindowBg, IM_COL32(150, 20, 20, 235));
    ImGui::Begin("##sharing", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_AlwaysAutoResize |
                                           ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoFocusOnAppearing);
    ImGui::Text("You are sharing %s with everyone in the room.", p.share.title.c_str());
    ImGui::SameLine();
    if (ImGui::SmallButton("Stop sharing")) p.client->unpublish(net::VideoKind::Screen);
    ImGui::End();
    ImGui::PopStyleColor();
}

} // namespace

const media::VideoProfile& cameraProfile(core::Role role) { return media::videoProfile(media::cameraUse(role)); }

void startVideo(VideoPanel& p, session::ClientSession& s) {
    p.client = std::make_unique<session::VideoClient>();
    s.attachVideo(p.client.get());
    p.plan = {};
    p.views.clear();
    p.seen = 0;
}

void stopVideo(VideoPanel& p, session::ClientSession* s, std::span<const sim::PanelState> panels, render::Renderer& r) {
    if (s) s->attachVideo(nullptr);
    p.wall.clear(panels, r);
    render::clearPanelSlide(r, render::videoTileSlot(kPreviewTile));
    p.camera.preview.reset();
    p.camera.previewPicture.reset();
    p.client.reset();
    p.plan = {};
    p.views.clear();
    p.tiles.clear();
}

void videoFrame(VideoPanel& p, session::ClientSession& s) {
    if (!p.client) return;
    p.views = p.client->streams();
    p.names.clear();
    std::vector<VideoPublisher> publishers;
    for (const session::RemoteAvatar& a : s.avatars()) {
        p.names.emplace_back(a.slot, a.name);
        publishers.push_back({a.slot, a.role});
    }
    std::vector<net::VideoStreamId> ids;
    for (const auto& v : p.views) ids.push_back(v.info.stream);
    VideoWallInput in;
    in.layout = s.layout();
    in.streams = ids;
    in.panels = s.panels();
    in.publishers = publishers;
    in.hidden = p.hidden;
    if (s.self().valid()) in.self = static_cast<std::uint16_t>(s.self().value);
    in.faces = p.showFaces;
    VideoWallPlan plan = planVideoWall(in);
    if (plan.show != p.plan.show) p.client->show(plan.show);
    p.plan = std::move(plan);
    p.faces.clear();
    for (const VideoPlacement& pl : p.plan.placed) {
        if (!pl.face) continue;
        const session::VideoStreamView* v = viewOf(p, pl.stream);
        for (const session::RemoteAvatar& a : s.avatars()) {
            if (a.slot != pl.stream.publisher || !a.hasPose) continue;
            render::FaceDraw f;
            f.slot = pl.slot();
            f.head = a.pose.headPosition();
            f.orientation = a.pose.head;
            if (v && v->info.height > 0) f.aspect = float(v->info.width) / float(v->info.height);
            p.faces.push_back(f);
        }
    }
    ++p.seen;
}

void uploadVideo(VideoPanel& p, std::span<const sim::PanelState> panels, std::span<const std::vector<render::LaserDot>> dots,
                 render::Renderer& r) {
    if (!p.client) return;
    p.wall.update(p.plan, *p.client, panels, dots, r);
    // My camera as it is sent (or, before, the preview): only a picture newer than the last one uploads.
    std::shared_ptr<const media::I420Frame> mine;
    if (p.camera.preview) {
        if (auto f = p.camera.preview->take()) mine = std::make_shared<const media::I420Frame>(std::move(*f));
    } else {
        std::uint64_t serial = 0;
        mine = p.client->captured(net::VideoKind::Camera, &serial);
        if (serial == p.camera.previewSerial) mine.reset();
        else p.camera.previewSerial = serial;
    }
    if (mine) {
        p.camera.previewPicture = mine;
        (void)render::setPanelVideo(r, render::videoTileSlot(kPreviewTile), mine->width, mine->height, mine->y, mine->u, mine->v);
    } else if (!p.camera.preview && !p.client->publishing(net::VideoKind::Camera) && p.camera.previewPicture) {
        p.camera.previewPicture.reset();
        render::clearPanelSlide(r, render::videoTileSlot(kPreviewTile));
    }
}

void drawVideoUi(VideoPanel& p, session::ClientSession& s, const VideoUiView& uv) {
    const bool readOnly = uv.readOnly;
    if (uv.toggleWindow && !readOnly) p.showWindow = !p.showWindow;
    p.tiles.clear();
    if (!p.client) return;
    // The tile strip: a window of its own on the right, under the participants
    // (movable), each picture labelled under it; what does not fit is counted.
    const ImGuiIO& io = ImGui::GetIO();
    ImDrawList* bg = ImGui::GetBackgroundDrawList();
    std::size_t tileCount = 0;
    for (const VideoPlacement& pl : p.plan.placed) tileCount += pl.spot == VideoSpot::Tile ? 1 : 0;
    if (tileCount > 0) {
        ImGui::SetNextWindowPos(ImVec2(io.DisplaySize.x - 10.0f, io.DisplaySize.y * 0.3f), ImGuiCond_FirstUseEver, ImVec2(1, 0));
        ImGui::SetNextWindowBgAlpha(0.75f);
        ImGui::Begin("Video##tiles", nullptr, ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoSavedSettings |
                                                  ImGuiWindowFlags_NoFocusOnAppearing | ImGuiWindowFlags_NoTitleBar);
        std::size_t drawn = 0;
        for (const VideoPlacement& pl : p.plan.placed) {
            if (pl.spot != VideoSpot::Tile) continue;
            const ImVec2 at = ImGui::GetCursorScreenPos();
            if (drawn > 0 && at.y + kTileH + kTileLabel > io.DisplaySize.y - 70.0f) break;
            ImGui::Dummy(ImVec2(kTileW, kTileH));
            p.tiles.push_back({render::videoTileScreen(pl.index), at.x, at.y, kTileW, kTileH, {0, 0, 1e9f, 1e9f}});
            const session::VideoStreamView* v = viewOf(p, pl.stream);
            const std::string state = v ? stateText(*v) : std::string();
            ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + kTileW);
            if (state.empty()) ImGui::TextUnformatted(who(p, pl.stream).c_str());
            else ImGui::TextColored(ImVec4(0.94f, 0.75f, 0.31f, 1.0f), "%s: %s", who(p, pl.stream).c_str(), state.c_str());
            ImGui::PopTextWrapPos();
            ++drawn;
        }
        if (drawn < tileCount) ImGui::TextDisabled("%zu more (Video window, C)", tileCount - drawn);
        ImGui::End();
    }
    // On the walls: a frozen or thinned picture says so under its panel.
    const sim::RoomLayout* layout = s.layout();
    if (uv.camera && layout) {
        const glm::vec2 viewport{io.DisplaySize.x, io.DisplaySize.y};
        const glm::mat4 vp = render::viewProjection(*uv.camera, viewport.y > 0 ? viewport.x / viewport.y : 1.0f);
        for (const VideoPlacement& pl : p.plan.placed) {
            if (pl.spot == VideoSpot::Tile || pl.index >= layout->panels.size()) continue;
            // Fewer layers still moves: only a stopped picture (frozen, still, off) or none yet says so on the wall.
            const session::VideoStreamView* v = viewOf(p, pl.stream);
            const bool stopped = v && (v->frozen || v->tier == net::VideoTier::Still || v->tier == net::VideoTier::Off);
            if (v && v->pictures > 0 && !stopped) continue;
            const std::string state = v && stopped ? stateText(*v) : std::string();
            const sim::Panel& panel = layout->panels[pl.index];
            const glm::vec3 under = panel.center - glm::vec3(0, panel.height / 2 + 0.12f, 0) + render::panelNormal(panel) * 0.05f;
            const auto at = render::projectToPixel(vp, under, viewport);
            if (!at || glm::dot(render::panelNormal(panel), uv.camera->eye - panel.center) <= 0) continue; // behind it
            const std::string label = who(p, pl.stream) + ": " + (state.empty() ? "waiting for the first picture" : state);
            const ImVec2 size = ImGui::CalcTextSize(label.c_str());
            const ImVec2 tl(at->x - size.x / 2 - 4, at->y - 2);
            bg->AddRectFilled(tl, ImVec2(tl.x + size.x + 8, tl.y + size.y + 4), IM_COL32(20, 20, 24, 200), 3.0f);
            bg->AddText(ImVec2(tl.x + 4, tl.y + 2), IM_COL32(240, 190, 80, 255), label.c_str());
        }
    }
    if (!readOnly) sharingBanner(p);
    if (readOnly || !p.showWindow) return;
    ImGui::SetNextWindowSize(ImVec2(440, 0), ImGuiCond_FirstUseEver);
    if (ImGui::Begin("Video (C)", &p.showWindow)) {
        ImGui::Checkbox("faces on avatars", &p.showFaces);
        ImGui::Separator();
        ImGui::TextUnformatted("In the room");
        if (p.views.empty()) ImGui::TextDisabled("nobody shows video");
        for (const auto& v : p.views) {
            if (s.self().valid() && v.info.stream.publisher == s.self().value) continue;
            const auto it = std::find(p.hidden.begin(), p.hidden.end(), v.info.stream);
            bool shown = it == p.hidden.end();
            ImGui::PushID(v.info.stream.packed());
            if (ImGui::Checkbox("##show", &shown)) {
                if (shown) p.hidden.erase(it);
                else p.hidden.push_back(v.info.stream);
            }
            ImGui::SameLine();
            const VideoPlacement* pl = p.plan.find(v.info.stream);
            const std::string state = stateText(v);
            ImGui::Text("%s: %ux%u, %s%s%s", who(p, v.info.stream).c_str(), v.info.width, v.info.height,
                        pl ? toString(pl->spot) : shown ? "no room left" : "hidden", state.empty() ? "" : "; ", state.c_str());
            ImGui::PopID();
        }
        ImGui::Separator();
        ImGui::TextUnformatted("My camera");
        cameraSection(p, s);
        ImGui::Separator();
        ImGui::TextUnformatted("Share a window");
        shareSection(p, s);
    }
    ImGui::End();
}

} // namespace caseroom::client
