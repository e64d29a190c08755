#include "voice_panel.h"

#include <imgui.h>

#include <algorithm>
#include <cstdio>

namespace caseroom::client {
namespace {
const char* deviceName(const std::vector<std::string>& names, int i) {
    return i <= 0 || static_cast<std::size_t>(i) > names.size() ? "system default" : names[static_cast<std::size_t>(i - 1)].c_str();
}

bool deviceCombo(const char* label, const std::vector<std::string>& names, int& choice) {
    bool changed = false;
    if (ImGui::BeginCombo(label, deviceName(names, choice))) {
        for (int i = 0; i <= static_cast<int>(names.size()); ++i) {
            if (ImGui::Selectable(deviceName(names, i), i == choice)) {
                changed = i != choice;
                choice = i;
            }
        }
        ImGui::EndCombo();
    }
    return changed;
}

void applySwitches(VoicePanel& p) {
    if (!p.voice) return;
    audio::VoiceCapture& c = p.voice->capture();
    c.setMode(p.mode);
    c.processor().setEchoCancel(p.echoCancel);
    c.processor().setNoiseSuppress(p.noiseSuppress);
    c.processor().setAutoGain(p.autoGain);
}
} // namespace

void startVoice(VoicePanel& p, session::ClientSession& s) {
    openVoice(p, s.self().value);
    if (p.voice) s.attachVoice(p.voice.get());
}

void openVoice(VoicePanel& p, std::uint16_t self) {
    p.started = true;
    p.error.clear();
    if (p.devices.driver.empty()) {
        if (auto list = platform::listAudioDevices()) p.devices = std::move(*list);
        else { p.error = "no audio: " + list.error().message; return; }
    }
    audio::VoiceClientConfig cfg;
    cfg.speaker = self;
    cfg.capture.mode = p.mode;
    auto vc = audio::VoiceClient::create(cfg);
    if (!vc) { p.error = "voice engine: " + vc.error().message; return; }
    audio::AudioDeviceDesc desc;
    desc.captureDevice = p.capture > 0 ? p.devices.capture[static_cast<std::size_t>(p.capture - 1)] : std::string();
    desc.playbackDevice = p.playback > 0 ? p.devices.playback[static_cast<std::size_t>(p.playback - 1)] : std::string();
    auto dev = std::make_unique<platform::SdlAudioDevice>(desc);
    if (auto st = dev->start((*vc)->callback()); !st) { p.error = "audio device: " + st.error().message; return; }
    p.voice = std::move(*vc);
    p.device = std::move(dev);
    applySwitches(p);
}

void stopVoice(VoicePanel& p, session::ClientSession* s) {
    if (s) s->attachVoice(nullptr);
    if (p.device) p.device->stop();
    p.device.reset();
    p.voice.reset();
    p.started = false;
}

void voiceFrame(VoicePanel& p, session::ClientSession& s, bool pushToTalkDown) {
    if (p.voice) p.voice->capture().setPushToTalk(pushToTalkDown);
    ImGui::SetNextWindowPos(ImVec2(10, 330), ImGuiCond_FirstUseEver);
    ImGui::SetNextWindowSize(ImVec2(300, 0), ImGuiCond_FirstUseEver);
    if (!ImGui::Begin("Voice")) { ImGui::End(); return; }
    if (!p.error.empty()) ImGui::TextWrapped("%s", p.error.c_str());
    bool restart = deviceCombo("microphone", p.devices.capture, p.capture);
    restart |= deviceCombo("speakers", p.devices.playback, p.playback);
    if (restart || (!p.voice && ImGui::Button("retry audio"))) {
        stopVoice(p, &s);
        startVoice(p, s);
    }
    int mode = static_cast<int>(p.mode);
    bool changed = ImGui::RadioButton("muted", &mode, static_cast<int>(audio::MicMode::Muted));
    ImGui::SameLine();
    changed |= ImGui::RadioButton("push to talk (V)", &mode, static_cast<int>(audio::MicMode::PushToTalk));
    ImGui::SameLine();
    changed |= ImGui::RadioButton("open mic", &mode, static_cast<int>(audio::MicMode::OpenMic));
    changed |= ImGui::Checkbox("echo cancel", &p.echoCancel);
    ImGui::SameLine();
    changed |= ImGui::Checkbox("noise", &p.noiseSuppress);
    ImGui::SameLine();
    changed |= ImGui::Checkbox("gain", &p.autoGain);
    if (changed) {
        p.mode = static_cast<audio::MicMode>(mode);
        applySwitches(p);
    }
    if (p.voice) {
        const audio::CaptureMeter& m = p.voice->capture().meter();
        // -60 dBFS .. 0 dBFS as a bar; the label says whether we are on air.
        const float level = std::clamp((m.inputDb + 60.0f) / 60.0f, 0.0f, 1.0f);
        char label[48];
        std::snprintf(label, sizeof label, "%.0f dBFS%s", static_cast<double>(m.inputDb), m.transmitting ? "  on air" : "");
        ImGui::ProgressBar(level, ImVec2(-1, 0), label);
        ImGui::TextDisabled("sent %llu frames, heard %llu", static_cast<unsigned long long>(m.framesSent),
                            static_cast<unsigned long long>(s.stats().voiceReceived));
    }
    ImGui::End();
}

} // namespace caseroom::client
