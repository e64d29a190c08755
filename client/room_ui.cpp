#include "room_ui.h"

#include <algorithm>
#include <cstdio>

#include <imgui.h>

#include "clinic_wall.h"
#include "ui_strings.h"

namespace caseroom::client {
namespace {
void participantsPanel(const session::ClientSession& s) {
    const ImGuiIO& io = ImGui::GetIO();
    ImGui::SetNextWindowPos(ImVec2(io.DisplaySize.x - 10, 10), ImGuiCond_Always, ImVec2(1, 0));
    ImGui::SetNextWindowBgAlpha(0.75f);
    char title[64];
    std::snprintf(title, sizeof title, "Participants (%zu)###participants", s.avatars().size());
    ImGui::Begin(title, nullptr, ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoSavedSettings);
    for (const session::RemoteAvatar& p : s.avatars()) {
        const glm::vec3 c = render::roleColor(p.role);
        ImGui::ColorButton("##role", ImVec4(c.r, c.g, c.b, 1), ImGuiColorEditFlags_NoTooltip, ImVec2(10, 10));
        ImGui::SameLine();
        ImGui::Text("%s%s", p.name.c_str(), p.self ? " (you)" : "");
        ImGui::SameLine(220);
        ImGui::TextDisabled("%s%s%s", core::toString(p.role), p.hasPose && p.pose.seated() ? ", seated" : "",
                            p.hasPose && p.pose.voiceLevel > 0 ? ", speaking" : "");
        // The round's state of the person (ui_strings.h).
        const core::EntityId id{p.slot};
        std::string round;
        if (const std::size_t pos = s.clinic().handPosition(id)) round += ", " + text(StringId::StateHand, {std::to_string(pos)});
        if (s.clinic().moderation().floor == id) round += std::string(", ") + tr(StringId::StateFloor);
        if (s.clinic().isMuted(id) || p.muted) round += std::string(", ") + tr(StringId::StateMuted);
        if (p.away) round += std::string(", ") + tr(StringId::StateAway);
        if (!round.empty()) {
            ImGui::SameLine(0, 0);
            ImGui::TextColored(ImVec4(1.0f, 0.78f, 0.3f, 1.0f), "%s", round.c_str());
        }
    }
    ImGui::End();
}

void connectionPanel(RoomUi& a, const RoomUiView& v) {
    const auto& s = *v.session;
    const session::ClientStats st = s.stats();
    const double now = v.now;
    if (now - a.rateAt >= 1.0) {
        const double dt = a.rateAt > 0 ? now - a.rateAt : 1.0;
        a.kbpsIn = static_cast<double>(st.bytesIn - std::min(st.bytesIn, a.lastIn)) * 8.0 / 1000.0 / dt;
        a.kbpsOut = static_cast<double>(st.bytesOut - std::min(st.bytesOut, a.lastOut)) * 8.0 / 1000.0 / dt;
        a.lastIn = st.bytesIn;
        a.lastOut = st.bytesOut;
        a.rateAt = now;
    }
    const ImGuiIO& io = ImGui::GetIO();
    ImGui::SetNextWindowPos(ImVec2(10, io.DisplaySize.y - 10), ImGuiCond_Always, ImVec2(0, 1));
    ImGui::SetNextWindowBgAlpha(0.75f);
    ImGui::Begin("Connection", nullptr, ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoSavedSettings);
    ImGui::Text("%.*s, room '%s'", static_cast<int>(v.server.size()), v.server.data(), s.desc().roomCode.c_str());
    ImGui::Text("round trip %.0f ms   loss %.1f %%", st.rttMs, st.loss * 100.0);
    ImGui::Text("in %.1f kbit/s (%.1f kB)   out %.1f kbit/s (%.1f kB)", a.kbpsIn,
                static_cast<double>(st.bytesIn) / 1000.0, a.kbpsOut, static_cast<double>(st.bytesOut) / 1000.0);
    ImGui::TextDisabled("tick %u   corrections %llu   dropped %llu", s.serverTick(),
                        static_cast<unsigned long long>(st.corrections), static_cast<unsigned long long>(st.malformed));
    ImGui::TextDisabled("%u draws, %u instances, %.0f fps", v.stats.drawCalls, v.stats.instances,
                        static_cast<double>(io.Framerate));
    ImGui::End();
}

void helpOverlay(RoomUi& a) {
    if (!a.showHelp) return;
    const ImGuiIO& io = ImGui::GetIO();
    ImGui::SetNextWindowPos(ImVec2(10, 10), ImGuiCond_Always);
    ImGui::SetNextWindowBgAlpha(0.8f);
    ImGui::Begin("Help (F1)", &a.showHelp, ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoSavedSettings);
    // Two columns measured in the UI font (proportional: spaces cannot align them).
    static constexpr std::pair<const char*, const char*> kKeys[] = {
        {"Right mouse drag", "look around"},
        {"W A S D / arrows", "walk (standing)"},
        {"Left click chair", "sit down (free chairs)"},
        {"E", "stand up"},
        {"V (hold)", "talk (push-to-talk; Voice window: open mic, mute)"},
        {"Tab", "overview camera on/off"},
        {"F", "focused wall panel full screen on/off"},
        {"L", "laser where the mouse points on/off (if your role may point)"},
        {"PgDn / PgUp", "next / previous slide (presenter; also Right / Left in full screen)"},
        {"Space", "cine play / pause (presenter)"},
        {"Right drag", "window/level on a grey slide in full screen"},
        {"Mouse wheel", "zoom in full screen (a viewer: look closer, then follow)"},
        {"Slides window", "deck picker, slides, CT window presets, reset, ask for control"},
        {"C", "Video window: show or hide each stream, faces, my camera, share a window"},
        {"Esc", "leave the room"},
    };
    // The teaching round's keys and windows (ui_strings.h).
    const std::pair<const char*, const char*> kRound[] = {
        {tr(StringId::HelpKeyHand), tr(StringId::HelpHand)},
        {tr(StringId::HelpPanelAgenda), tr(StringId::HelpAgenda)},
        {tr(StringId::HelpPanelBoard), tr(StringId::HelpBoard)},
        {tr(StringId::HelpPanelChat), tr(StringId::HelpChat)},
        {tr(StringId::HelpPanelConsole), tr(StringId::HelpConsole)},
        {tr(StringId::HelpKeyHelp), tr(StringId::HelpHelp)},
    };
    float keyWidth = 0;
    for (const auto& [key, what] : kKeys) keyWidth = std::max(keyWidth, ImGui::CalcTextSize(key).x);
    for (const auto& [key, what] : kRound) keyWidth = std::max(keyWidth, ImGui::CalcTextSize(key).x);
    const float column = ImGui::GetCursorPosX() + keyWidth + ImGui::GetFontSize();
    for (const auto& [key, what] : kKeys) {
        ImGui::TextUnformatted(key);
        ImGui::SameLine(column);
        ImGui::TextUnformatted(what);
    }
    for (const auto& [key, what] : kRound) {
        ImGui::TextUnformatted(key);
        ImGui::SameLine(column);
        ImGui::TextUnformatted(what);
    }
    ImGui::Separator();
    ImGui::TextUnformatted("Torso colours:");
    for (int i = 0; i < static_cast<int>(core::Role::Count); ++i) {
        const auto r = static_cast<core::Role>(i);
        const glm::vec3 c = render::roleColor(r);
        ImGui::ColorButton(core::toString(r), ImVec4(c.r, c.g, c.b, 1), ImGuiColorEditFlags_NoTooltip, ImVec2(10, 10));
        ImGui::SameLine();
        ImGui::TextUnformatted(core::toString(r));
    }
    (void)io;
    ImGui::End();
}

void noticesOverlay(RoomUi& a, double now) {
    while (!a.notices.empty() && now - a.notices.front().first > 6.0) a.notices.pop_front();
    if (a.notices.empty()) return;
    const ImGuiIO& io = ImGui::GetIO();
    ImGui::SetNextWindowPos(ImVec2(io.DisplaySize.x * 0.5f, io.DisplaySize.y - 10), ImGuiCond_Always, ImVec2(0.5f, 1));
    ImGui::SetNextWindowBgAlpha(0.6f);
    ImGui::Begin("##notices", nullptr,
                 ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoInputs |
                     ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoFocusOnAppearing);
    for (const auto& [t, text] : a.notices) ImGui::TextUnformatted(text.c_str());
    ImGui::End();
}

} // namespace

void addNotice(RoomUi& ui, double now, std::string text) {
    ui.notices.emplace_back(now, std::move(text));
    while (ui.notices.size() > 6) ui.notices.pop_front();
}

void drawRoomUi(RoomUi& ui, render::ImGuiLayer& layer, const RoomUiView& v) {
    const ImGuiIO& io = ImGui::GetIO();
    const glm::mat4 viewProj = render::viewProjection(v.camera, io.DisplaySize.x / std::max(1.0f, io.DisplaySize.y));
    const glm::vec2 viewport{io.DisplaySize.x, io.DisplaySize.y};
    // The agenda board on the wall first: the tags and hand markers go over it.
    drawWallBoard(ImGui::GetBackgroundDrawList(), *v.session, viewProj, v.camera.eye, viewport);
    render::drawNameTags(layer, ImGui::GetBackgroundDrawList(), viewProj, v.camera.eye, viewport, v.avatars);
    drawHandMarkers(ImGui::GetBackgroundDrawList(), *v.session, viewProj, viewport, !v.overview);
    participantsPanel(*v.session);
    connectionPanel(ui, v);
    if (v.session->reconnecting()) { // the room stays as it was, frozen, under a banner
        ImGui::SetNextWindowPos(ImVec2(io.DisplaySize.x * 0.5f, 48), ImGuiCond_Always, ImVec2(0.5f, 0));
        ImGui::SetNextWindowBgAlpha(0.85f);
        ImGui::Begin("##reconnecting", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_AlwaysAutoResize |
                                                    ImGuiWindowFlags_NoInputs | ImGuiWindowFlags_NoSavedSettings);
        ImGui::TextColored(ImVec4(1.0f, 0.78f, 0.3f, 1.0f), "%s",
                           text(StringId::BannerReconnecting, {std::to_string(v.session->reconnectAttempts()),
                                                               std::to_string(static_cast<int>(v.session->reconnectingFor(v.now)))})
                               .c_str());
        ImGui::End();
    }
    helpOverlay(ui);
    noticesOverlay(ui, v.now);
    if (v.overview) {
        ImGui::SetNextWindowPos(ImVec2(io.DisplaySize.x * 0.5f, 10), ImGuiCond_Always, ImVec2(0.5f, 0));
        ImGui::SetNextWindowBgAlpha(0.6f);
        ImGui::Begin("##overview", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_AlwaysAutoResize |
                                                ImGuiWindowFlags_NoInputs | ImGuiWindowFlags_NoSavedSettings);
        ImGui::TextUnformatted("Overview camera (Tab to return)");
        ImGui::End();
    }
}

} // namespace caseroom::client
