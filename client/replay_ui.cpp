#include "replay_ui.h"

#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "sim/permissions.h"

namespace caseroom::client {

namespace {
constexpr std::uint32_t kSpeeds[] = {50, 75, 100, 150, 200};
} // namespace

void drawReplayUi(ReplayUi& ui, const ReplayUiView& v, std::vector<net::ReplayIntent>& out) {
    if (!v.replay || !v.replay->isReplay() || !ui.show) return;
    const session::ReplayInfoObject& info = *v.replay->info();
    // The server checks again (phase included); this only greys the controls.
    const bool mayControl = sim::permitted(v.role, sim::HoldingSet{}, sim::Action::ControlReplay, sim::Phase::Lobby);
    // Bottom centre, like a player's controls, clear of the round's windows.
    const ImVec2 display = ImGui::GetIO().DisplaySize;
    ImGui::SetNextWindowPos(ImVec2(display.x * 0.5f, display.y - 8.0f), ImGuiCond_FirstUseEver, ImVec2(0.5f, 1.0f));
    ImGui::SetNextWindowSize(ImVec2(std::min(520.0f, display.x - 16.0f), 0), ImGuiCond_FirstUseEver);
    if (!ImGui::Begin((v.replay->header() + "###replay").c_str(), &ui.show)) {
        ImGui::End();
        return;
    }
    ImGui::TextUnformatted(v.replay->header().c_str());
    ImGui::BeginDisabled(!mayControl);
    if (ImGui::Button(info.paused ? "Play" : "Pause")) {
        net::ReplayIntent m;
        m.op = info.paused ? net::ReplayIntent::Op::Play : net::ReplayIntent::Op::Pause;
        out.push_back(m);
    }
    ImGui::SameLine();
    for (std::uint32_t speed : kSpeeds) {
        char label[16];
        std::snprintf(label, sizeof label, "%.2gx", speed / 100.0);
        const bool current = info.speedPercent == speed;
        if (current) ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyleColorVec4(ImGuiCol_ButtonActive));
        if (ImGui::SmallButton(label)) {
            net::ReplayIntent m;
            m.op = net::ReplayIntent::Op::Speed;
            m.speedPercent = speed;
            out.push_back(m);
        }
        if (current) ImGui::PopStyleColor();
        ImGui::SameLine();
    }
    ImGui::NewLine();
    // The timeline: position / length; dragging shows the target, releasing seeks.
    const int first = static_cast<int>(info.firstTick), last = static_cast<int>(std::max(info.lastTick, info.firstTick + 1));
    if (!ui.dragging) ui.dragTick = static_cast<int>(info.position);
    const std::string shown = session::formatReplayTime(v.replay->secondsAt(static_cast<std::uint32_t>(ui.dragTick))) + " / " +
                              session::formatReplayTime(v.replay->secondsAt(info.lastTick));
    ImGui::SetNextItemWidth(-1);
    ImGui::SliderInt("##timeline", &ui.dragTick, first, last, shown.c_str(), ImGuiSliderFlags_AlwaysClamp);
    ui.dragging = ImGui::IsItemActive();
    if (ImGui::IsItemDeactivatedAfterEdit()) {
        net::ReplayIntent m;
        m.op = net::ReplayIntent::Op::Seek;
        m.tick = static_cast<std::uint32_t>(ui.dragTick);
        out.push_back(m);
    }
    // The marks under the slider, as ticks on the track, and as a list to jump to.
    {
        const ImVec2 min = ImGui::GetItemRectMin(), max = ImGui::GetItemRectMax();
        ImDrawList* dl = ImGui::GetWindowDrawList();
        for (const session::ReplayMarkObject& mk : v.replay->marks()) {
            const float f = static_cast<float>(std::clamp<int>(static_cast<int>(mk.tick), first, last) - first) / static_cast<float>(last - first);
            const float x = min.x + f * (max.x - min.x);
            dl->AddLine(ImVec2(x, max.y - 5), ImVec2(x, max.y), IM_COL32(255, 200, 60, 255), 2.0f);
        }
    }
    for (const session::ReplayMarkObject& mk : v.replay->marks()) {
        const std::string label = session::formatReplayTime(v.replay->secondsAt(mk.tick)) + "  " + mk.label + "##mark" + std::to_string(mk.tick);
        if (ImGui::Selectable(label.c_str(), info.position >= mk.tick)) {
            net::ReplayIntent m;
            m.op = net::ReplayIntent::Op::Seek;
            m.tick = mk.tick;
            out.push_back(m);
        }
    }
    ImGui::EndDisabled();
    if (!mayControl) ImGui::TextDisabled("the facilitator controls the playback; walk and sit anywhere");
    ImGui::End();
}

} // namespace caseroom::client
