#include "recording_ui.h"

#include <imgui.h>

#include "sim/permissions.h"
#include "ui_strings.h"

namespace caseroom::client {

namespace {
const ImVec4 kRecRed{0.86f, 0.12f, 0.12f, 1.0f};
const ImVec4 kPausedAmber{0.95f, 0.70f, 0.15f, 1.0f};

void banner(const sim::RecordingState& rec, sim::Phase phase) {
    const ImGuiIO& io = ImGui::GetIO();
    ImGui::SetNextWindowPos(ImVec2(io.DisplaySize.x * 0.5f, 6.0f), ImGuiCond_Always, ImVec2(0.5f, 0.0f));
    ImGui::SetNextWindowBgAlpha(0.92f);
    const ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_AlwaysAutoResize |
                                   ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoFocusOnAppearing |
                                   ImGuiWindowFlags_NoNav | ImGuiWindowFlags_NoMove;
    if (ImGui::Begin("###recording-banner", nullptr, flags)) {
        if (rec.status == sim::RecordingStatus::Live) ImGui::TextColored(kRecRed, "%s", tr(StringId::RecordingBannerLive));
        else ImGui::TextColored(kPausedAmber, "%s", text(StringId::RecordingBannerPaused, {phaseName(phase)}).c_str());
    }
    ImGui::End();
}
} // namespace

void drawRecordingUi(const session::ClientSession& s, bool readOnly, std::vector<ClinicIntent>& out) {
    const session::ClinicViewModel& v = s.clinic();
    const sim::RecordingState& rec = v.recording();
    const sim::Phase phase = v.agenda().hasPlan ? v.agenda().phase : sim::Phase::Lobby;
    if (rec.status != sim::RecordingStatus::Off) banner(rec, phase);

    // The acknowledgement: modal until given (a read-only view only shows it).
    const bool ask = rec.status != sim::RecordingStatus::Off && !s.recordingAcknowledged();
    static constexpr const char* kPopup = "###recording-ack";
    if (ask && !ImGui::IsPopupOpen(kPopup)) ImGui::OpenPopup(kPopup);
    if (ImGui::BeginPopupModal((std::string(tr(StringId::RecordingAckTitle)) + kPopup).c_str(), nullptr,
                               ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoSavedSettings)) {
        ImGui::PushTextWrapPos(ImGui::GetFontSize() * 28.0f);
        ImGui::TextWrapped("%s", text(StringId::RecordingAckText, {recordingPolicyName(rec.policy)}).c_str());
        ImGui::PopTextWrapPos();
        if (readOnly) ImGui::BeginDisabled();
        if (ImGui::Button(tr(StringId::RecordingAckButton)) && !readOnly) {
            net::RecordingIntent m;
            m.op = net::RecordingIntent::Op::Acknowledge;
            m.epoch = rec.epoch;
            out.emplace_back(m);
            ImGui::CloseCurrentPopup();
        }
        if (readOnly) ImGui::EndDisabled();
        if (!ask) ImGui::CloseCurrentPopup();
        ImGui::EndPopup();
    }

    // Start / Stop for those who may record (shown only to them).
    if (!sim::permitted(s.desc().role, {}, sim::Action::Record, phase) || readOnly) return;
    const ImGuiIO& io = ImGui::GetIO();
    ImGui::SetNextWindowPos(ImVec2(io.DisplaySize.x - 10.0f, 10.0f), ImGuiCond_FirstUseEver, ImVec2(1.0f, 0.0f));
    ImGui::SetNextWindowBgAlpha(0.85f);
    if (ImGui::Begin("Recording###recording-controls", nullptr, ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoSavedSettings)) {
        const bool on = rec.status != sim::RecordingStatus::Off;
        if (ImGui::Button(tr(on ? StringId::ButtonStopRecording : StringId::ButtonStartRecording))) {
            net::RecordingIntent m;
            m.op = on ? net::RecordingIntent::Op::Stop : net::RecordingIntent::Op::Start;
            out.emplace_back(m);
        }
        ImGui::SameLine();
        ImGui::TextDisabled("%s", recordingPolicyName(rec.policy));
    }
    ImGui::End();
}

} // namespace caseroom::client
