// The in-room panels: participants with roles, the connection panel, the
// help overlay, notices and name tags. Reads a view of the session and the
// renderer's stats; emits nothing (room actions come from room input).
// Shared by the window and `--headless --ui` (screenshots of the UI).
#pragma once
#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "render/camera.h"
#include "render/imgui_layer.h"
#include "render/renderer.h"
#include "render/scene.h"
#include "session/client_session.h"

namespace caseroom::client {

struct RoomUi {
    bool showHelp = true;
    std::deque<std::pair<double, std::string>> notices; // (time, text), newest last, at most 6
    double rateAt = 0;                                  // connection panel rates
    std::uint64_t lastIn = 0, lastOut = 0;
    double kbpsIn = 0, kbpsOut = 0;
};

struct RoomUiView {
    const session::ClientSession* session = nullptr; // in a room
    std::string_view server;                          // HOST:PORT as typed; must outlive the call
    render::Camera camera;
    std::span<const render::AvatarDraw> avatars;
    render::RenderStats stats;
    bool overview = false;
    double now = 0;                                   // seconds, for rates and notice expiry
};

void addNotice(RoomUi& ui, double now, std::string text);
// Between ImGui::NewFrame and ImGui::Render.
void drawRoomUi(RoomUi& ui, render::ImGuiLayer& layer, const RoomUiView& view);

} // namespace caseroom::client
