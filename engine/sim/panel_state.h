// What a wall panel shows, as the room replicates it (the panels system owns
// it on the server; clients read it from their view model). Pure data.
// A panel shows one slide of one deck (named by its manifest's content hash)
// through a view rectangle, with a window for grey images and a cine frame.
// A laser is a ray from a presenter's head or hand; viewers intersect it with
// the panels themselves.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <glm/vec3.hpp>

#include "core/content_hash.h"
#include "core/ids.h"

namespace caseroom::sim {

struct PanelView {
    float centerX = 0.5f, centerY = 0.5f; // image coordinates (0..1) at the panel's centre
    float zoom = 1.0f;                    // 1: the whole image letterboxed; up to kMaxZoom
    friend bool operator==(const PanelView&, const PanelView&) = default;
};
constexpr float kMaxZoom = 16.0f;
constexpr std::size_t kMaxControlRequests = 8;

struct PanelWindow {
    bool useDefault = true;               // the slide's default window (or full range)
    float centre = 0.0f, width = 1.0f;    // in modality units (after rescale)
    friend bool operator==(const PanelWindow&, const PanelWindow&) = default;
};

struct PanelState {
    core::ContentHash deck;               // empty: the panel shows its idle card
    std::uint16_t slide = 0;
    std::uint16_t frame = 0;              // cine frame shown (when not playing)
    bool playing = false;                 // cine runs at the slide's rate from `frame`
    std::uint32_t playTick = 0;           // playing: the server tick at which it ran from `frame`, so
                                          // every viewer (late joiners too) shows the same cine frame
    PanelView view;
    PanelWindow window;
    core::EntityId holder;                // who drives it (the presenter); invalid: nobody
    // Who asked for control, oldest first (at most kMaxControlRequests);
    // everyone sees them, the holder or a facilitator answers.
    std::vector<core::EntityId> requests;
    friend bool operator==(const PanelState&, const PanelState&) = default;
};

struct LaserState {
    core::EntityId owner;
    bool on = false;
    glm::vec3 origin{0.0f};               // metres, room space
    glm::vec3 direction{0.0f, 0.0f, -1.0f}; // unit
    friend bool operator==(const LaserState&, const LaserState&) = default;
};

// A deck the server offers in this room (its content store has all of it):
// what a presenter's deck picker lists.
struct OfferedDeck {
    core::ContentHash deck;               // the manifest's hash
    std::string title;                    // the manifest's title (bounded by media::kMaxDeckTitleBytes)
    std::uint16_t slides = 0;
    friend bool operator==(const OfferedDeck&, const OfferedDeck&) = default;
};

} // namespace caseroom::sim
