// The slide tools (Dear ImGui): for the presenter a deck picker (the decks
// the room offers), a slide browser, next / previous keys (PageDown/PageUp;
// Right/Left in full screen), CT window presets, right-drag
// window/level (over the panel in full screen; elsewhere right-drag still
// looks around), cine play/pause and scrub, reset; for everyone full screen
// on the focused panel (F), the laser (L, for those who may point), the caption, a progress bar while
// a deck arrives, "look closer" (wheel zoom, drag, local window) and "follow
// the presenter". Reads views, emits intents: the presenter's actions go to
// PanelIntents, a viewer's only change their own LocalView.
// Render thread only; between ImGui::NewFrame and ImGui::Render.
#pragma once
#include <array>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <glm/vec2.hpp>
#include <glm/vec3.hpp>

#include "slides.h"
#include "window_presets.h"

namespace caseroom::client {

struct SlidesUi {
    std::vector<WindowPreset> presets;
    std::string presetsError;                  // shown instead of the presets
    std::uint32_t focused = 0;                 // the panel the tools act on
    bool fullScreen = false;                   // F
    bool laserOn = false;                      // L
    bool showBrowser = true;
    std::array<LocalView, render::kMaxPanels> local{};
    bool dragging = false;                     // right-drag window/level in progress
    glm::vec2 dragFrom{0.0f};
    sim::PanelWindow dragStart;
    std::vector<render::ThumbnailDraw> thumbnails; // this frame's: pass to render::drawThumbnails after the UI
};

// Keys that went down this frame (the app maps them from its window; Dear
// ImGui 1.86 in Debian 12 has no named letter keys).
struct SlideKeys {
    bool fullScreen = false;   // F
    bool laser = false;        // L
    bool next = false;         // PageDown (Right in full screen: arrows walk otherwise)
    bool previous = false;     // PageUp (Left in full screen)
    bool playPause = false;    // Space
    bool escape = false;
};

struct SlidesUiView {
    SlideKeys keys;
    SlideController* slides = nullptr;
    std::span<const sim::PanelState> panels;
    PanelIntents* intents = nullptr;           // null: no room (nothing sent)
    bool presenter = false;                    // I may drive the focused panel (hold it, or my role may)
    bool mayPoint = false;                     // I may show a laser (sim::Action::PointLaser)
    std::span<const sim::OfferedDeck> decks;   // what the room offers: the presenter's deck picker
    std::optional<glm::vec2> pointerUv;        // where the mouse points on the focused panel (full screen)
    glm::vec3 laserOrigin{0.0f}, laserDirection{0.0f, 0.0f, -1.0f}; // from the head or the mouse
    bool laserAims = true;                     // the laser meets a panel (false: it is sent as off)
    double now = 0;
};

// Keys and mouse (ImGui's io), then the windows. Call once per frame.
void drawSlidesUi(SlidesUi& ui, const SlidesUiView& view);

// What the app asks of the UI (pure).
[[nodiscard]] inline bool wantsFullScreen(const SlidesUi& ui, std::size_t panels) {
    return ui.fullScreen && ui.focused < panels;
}
// Right-drag belongs to window/level (not to looking) while this is true.
[[nodiscard]] inline bool ownsRightDrag(const SlidesUi& ui, const SlidesUiView& view) {
    return ui.fullScreen && view.pointerUv.has_value();
}

} // namespace caseroom::client
