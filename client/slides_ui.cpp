// [SECTION] actions  [SECTION] input  [SECTION] windows
#include "slides_ui.h"

#include <algorithm>
#include <cstdio>

#include <imgui.h>

namespace caseroom::client {
namespace {

// [SECTION] actions
const char* kindName(media::SlideKind k) {
    switch (k) {
    case media::SlideKind::Photo: return "photo";
    case media::SlideKind::Dicom: return "dicom";
    case media::SlideKind::PdfPage: return "page";
    case media::SlideKind::Count: break;
    }
    return "?";
}

// One place decides where an action goes: the room (presenter) or my screen.
struct Act {
    SlidesUi& ui;
    const SlidesUiView& v;
    std::uint32_t p;
    const sim::PanelState& st;
    const PanelInfo& info;

    void slide(int delta) const {
        if (!v.presenter || !v.intents || info.slides == 0) return;
        const int next = std::clamp(int(st.slide) + delta, 0, int(info.slides) - 1);
        if (next != int(st.slide)) v.intents->setSlide(p, static_cast<std::uint16_t>(next));
    }
    void window(const sim::PanelWindow& w) const {
        if (v.presenter && v.intents) {
            v.intents->setWindow(p, w);
        } else {
            lookCloser(ui.local[p], st);
            ui.local[p].window = w;
        }
    }
    void view(const sim::PanelView& pv) const {
        if (v.presenter && v.intents) {
            v.intents->setView(p, pv);
        } else {
            lookCloser(ui.local[p], st);
            ui.local[p].view = pv;
        }
    }
    void reset() const {
        if (v.presenter && v.intents) {
            v.intents->setView(p, sim::PanelView{});
            v.intents->setWindow(p, sim::PanelWindow{});
        }
        snapBack(ui.local[p]);
    }
    void playPause() const {
        if (!v.presenter || !v.intents || info.frames < 2) return;
        if (st.playing) v.intents->setFrame(p, static_cast<std::uint16_t>(info.frameShown)); // pause where it is
        v.intents->setPlaying(p, !st.playing);
    }
};

// [SECTION] input
void handleInput(SlidesUi& ui, const SlidesUiView& v, const Act& act) {
    ImGuiIO& io = ImGui::GetIO();
    if (!io.WantTextInput) {
        const SlideKeys& k = v.keys;
        if (k.fullScreen) ui.fullScreen = !ui.fullScreen;
        if (k.laser && (v.mayPoint || v.presenter)) ui.laserOn = !ui.laserOn;
        if (k.next) act.slide(+1);
        if (k.previous) act.slide(-1);
        if (k.playPause) act.playPause();
        if (k.escape && ui.fullScreen) ui.fullScreen = false;
    }
    if (!io.WantCaptureMouse && ownsRightDrag(ui, v) && act.info.grey) {
        if (ImGui::IsMouseClicked(ImGuiMouseButton_Right)) {
            ui.dragging = true;
            ui.dragFrom = {io.MousePos.x, io.MousePos.y};
            ui.dragStart = act.info.shown.window;
            if (ui.dragStart.useDefault) {
                // Start from the window on screen, not from the flag.
                const media::DeckManifest* m = v.slides ? v.slides->manifest(act.st.deck) : nullptr;
                if (m && act.st.slide < m->slides.size() && m->slides[act.st.slide].window) {
                    ui.dragStart.centre = static_cast<float>(m->slides[act.st.slide].window->centre);
                    ui.dragStart.width = static_cast<float>(m->slides[act.st.slide].window->width);
                }
            }
        }
    }
    if (ui.dragging) {
        if (!ImGui::IsMouseDown(ImGuiMouseButton_Right)) {
            ui.dragging = false;
        } else {
            const glm::vec2 d = glm::vec2(io.MousePos.x, io.MousePos.y) - ui.dragFrom;
            act.window(dragWindow(ui.dragStart, d.x, d.y, act.info.unitsPerPixel));
        }
    }
    if (!io.WantCaptureMouse && ui.fullScreen && v.pointerUv && io.MouseWheel != 0.0f) {
        sim::PanelView pv = act.info.shown.view;
        zoomAbout(pv, io.MouseWheel > 0 ? 1.25f : 0.8f, v.pointerUv->x, v.pointerUv->y);
        act.view(pv);
    }
    if ((v.presenter || v.mayPoint) && v.intents && ui.laserOn) {
        sim::LaserState l;
        l.on = v.laserAims;
        l.origin = v.laserOrigin;
        l.direction = v.laserDirection;
        v.intents->laser(l);
    }
}

// [SECTION] windows
void progressBar(const PanelInfo& info) {
    if (!info.hasDeck || (info.manifestReady && info.deckTotal > 0 && info.deckBytes >= info.deckTotal)) return;
    char text[96];
    if (info.deckTotal > 0) {
        std::snprintf(text, sizeof text, "deck arriving: %.1f of %.1f MB", double(info.deckBytes) / 1e6,
                      double(info.deckTotal) / 1e6);
        ImGui::ProgressBar(float(double(info.deckBytes) / double(info.deckTotal)), ImVec2(-1, 0), text);
    } else {
        ImGui::ProgressBar(0.0f, ImVec2(-1, 0), "deck requested...");
    }
}

void browser(SlidesUi& ui, const SlidesUiView& v, const Act& act) {
    const media::DeckManifest* m = v.slides ? v.slides->manifest(act.st.deck) : nullptr;
    if (!m) return;
    // One row per slide: its thumbnail (drawn by the renderer after the UI:
    // Debian's Dear ImGui 1.86 Vulkan backend cannot show user textures),
    // kind, size, frames and caption.
    ImGui::BeginChild("slides", ImVec2(0, 200), true);
    const ImGuiIO& io = ImGui::GetIO();
    const ImVec2 scale = io.DisplayFramebufferScale;
    for (std::size_t i = 0; i < m->slides.size(); ++i) {
        const media::DeckSlide& s = m->slides[i];
        ImGui::Dummy(ImVec2(48, 27));
        if (i < render::kMaxThumbnails && ImGui::IsItemVisible() && v.slides->thumbnailReady(static_cast<std::uint32_t>(i))) {
            const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
            const ImVec2 c0 = ImGui::GetWindowDrawList()->GetClipRectMin(), c1 = ImGui::GetWindowDrawList()->GetClipRectMax();
            ui.thumbnails.push_back({static_cast<std::uint32_t>(i), a.x * scale.x, a.y * scale.y, (b.x - a.x) * scale.x,
                                     (b.y - a.y) * scale.y, {c0.x * scale.x, c0.y * scale.y, c1.x * scale.x, c1.y * scale.y}});
        }
        ImGui::SameLine();
        char label[160];
        std::snprintf(label, sizeof label, "%2zu  %-6s %ux%u%s  %.60s", i + 1, kindName(s.kind), s.width,
                      s.height, s.frames.size() > 1 ? " cine" : "", s.caption.c_str());
        if (ImGui::Selectable(label, i == act.st.slide) && v.presenter && v.intents && i != act.st.slide)
            v.intents->setSlide(act.p, static_cast<std::uint16_t>(i));
    }
    ImGui::EndChild();
}

// The presenter's deck picker: the decks the server offers in this room.
void deckPicker(const SlidesUiView& v, const Act& act) {
    if (v.decks.empty()) {
        ImGui::TextDisabled("no decks offered");
        return;
    }
    ImGui::BeginChild("decks", ImVec2(0, std::min(120.0f, 8.0f + 20.0f * float(v.decks.size()))), true);
    for (const sim::OfferedDeck& d : v.decks) {
        char label[200];
        std::snprintf(label, sizeof label, "%.120s  (%u slides)##%s", d.title.empty() ? "(untitled)" : d.title.c_str(),
                      unsigned{d.slides}, d.deck.shortHex().c_str());
        if (ImGui::Selectable(label, d.deck == act.st.deck) && v.intents && d.deck != act.st.deck)
            v.intents->showDeck(act.p, d.deck);
    }
    ImGui::EndChild();
    if (!act.st.deck.empty() && v.intents && ImGui::SmallButton("take the deck down"))
        v.intents->showDeck(act.p, core::ContentHash{});
}

void tools(SlidesUi& ui, const SlidesUiView& v, const Act& act) {
    const PanelInfo& info = act.info;
    if (info.grey) {
        if (!ui.presetsError.empty()) ImGui::TextWrapped("window presets: %s", ui.presetsError.c_str());
        for (std::size_t i = 0; i < ui.presets.size(); ++i) {
            const WindowPreset& p = ui.presets[i];
            if (i % 4 != 0) ImGui::SameLine();
            if (ImGui::SmallButton(p.label.c_str()))
                act.window(sim::PanelWindow{false, static_cast<float>(p.centre), static_cast<float>(p.width)});
        }
        ImGui::Text("window C %.0f  W %.0f%s", info.shown.window.centre, info.shown.window.width,
                    info.shown.window.useDefault ? " (slide default)" : "");
    }
    if (info.frames > 1) {
        if (ImGui::SmallButton(act.st.playing ? "pause" : "play")) act.playPause();
        ImGui::SameLine();
        int f = static_cast<int>(info.frameShown);
        if (ImGui::SliderInt("frame", &f, 0, int(info.frames) - 1) && v.presenter && v.intents) {
            v.intents->setPlaying(act.p, false);
            v.intents->setFrame(act.p, static_cast<std::uint16_t>(f));
        }
    }
    if (ImGui::SmallButton("reset")) act.reset();
    if (!ui.local[act.p].following) {
        ImGui::SameLine();
        if (ImGui::SmallButton("follow the presenter")) snapBack(ui.local[act.p]);
    }
    if (!v.presenter && v.intents) {
        ImGui::SameLine();
        if (ImGui::SmallButton("ask for control")) v.intents->requestControl(act.p);
    }
}

} // namespace

void drawSlidesUi(SlidesUi& ui, const SlidesUiView& v) {
    ui.thumbnails.clear();
    if (v.slides == nullptr || v.panels.empty()) return;
    v.slides->setThumbnailPanel(std::min<std::uint32_t>(ui.focused, static_cast<std::uint32_t>(v.panels.size() - 1)));
    ui.focused = std::min<std::uint32_t>(ui.focused, static_cast<std::uint32_t>(v.panels.size() - 1));
    const std::uint32_t p = ui.focused;
    const sim::PanelState& st = v.panels[p];
    const PanelInfo& info = v.slides->info(p);
    const Act act{ui, v, p, st, info};
    handleInput(ui, v, act);

    const ImGuiViewport* vp = ImGui::GetMainViewport();
    if (info.hasDeck) {
        // Caption (and errors) along the bottom edge, for everyone.
        ImGui::SetNextWindowPos(ImVec2(vp->WorkPos.x + vp->WorkSize.x * 0.5f, vp->WorkPos.y + vp->WorkSize.y - 8),
                                ImGuiCond_Always, ImVec2(0.5f, 1.0f));
        ImGui::SetNextWindowBgAlpha(0.6f);
        ImGui::Begin("##caption", nullptr,
                     ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoInputs |
                         ImGuiWindowFlags_NoFocusOnAppearing | ImGuiWindowFlags_NoNav);
        if (info.slides > 0)
            ImGui::Text("%s  -  slide %u of %u%s%s", info.title.c_str(), st.slide + 1u, info.slides,
                        info.caption.empty() ? "" : ":  ", info.caption.c_str());
        if (info.error) ImGui::TextColored(ImVec4(1, 0.5f, 0.4f, 1), "%s", info.error->c_str());
        progressBar(info);
        if (ui.laserOn) ImGui::TextUnformatted("laser on (L)");
        ImGui::End();
    }
    // The browser window: for everyone while a deck is up; for the presenter
    // (the deck picker) and, in a room, for a viewer (ask for control) always.
    if (!ui.showBrowser || (!info.hasDeck && !v.presenter && !v.intents)) return;
    ImGui::SetNextWindowPos(ImVec2(vp->WorkPos.x + vp->WorkSize.x - 12, vp->WorkPos.y + 12), ImGuiCond_FirstUseEver,
                            ImVec2(1.0f, 0.0f));
    ImGui::SetNextWindowSize(ImVec2(380, 0), ImGuiCond_FirstUseEver);
    if (ImGui::Begin("Slides", &ui.showBrowser)) {
        int focused = static_cast<int>(p);
        if (ImGui::SliderInt("panel", &focused, 0, int(v.panels.size()) - 1)) ui.focused = static_cast<std::uint32_t>(focused);
        ImGui::Text("%s%s", v.presenter ? "you present this panel" : "following the presenter",
                    ui.local[p].following ? "" : " (looking closer)");
        if (v.presenter) deckPicker(v, act);
        if (v.presenter) browser(ui, v, act);
        if (info.hasDeck) tools(ui, v, act);
        else if (!v.presenter && v.intents && ImGui::SmallButton("ask for control"))
            v.intents->requestControl(act.p);
        ImGui::TextDisabled("F full screen, L laser, PgUp/PgDn slides, wheel zoom, right-drag window");
    }
    ImGui::End();
}

} // namespace caseroom::client
