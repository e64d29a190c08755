// The teaching round in the 3D room, drawn cheaply through a Dear ImGui draw
// list: the agenda board on the front wall (phase, title, timer; the case's
// question; in the recommendations and summary phases the board's entries),
// laid out on a flat canvas and projected vertex by vertex onto a quad of
// the wall, so it reads in perspective; and a raised-hand marker (with the
// place in the queue) or a floor marker above the name tags. Drawn over the
// scene (no depth test): the board hangs where nobody stands.
// Render thread, the session read under the caller's lock.
#pragma once
#include <glm/mat4x4.hpp>
#include <glm/vec2.hpp>

#include <cstdint>
#include <span>

#include "session/client_session.h"
#include "session/clinic_view.h"
#include "sim/avatar.h"
#include "sim/layout.h"

struct ImDrawList;

namespace caseroom::client {

// Where the board hangs: on the front wall beside the outermost front panel
// (the default room: left of the left panel), facing into the room; on the
// back wall when the front has no room for it. Deterministic per layout.
[[nodiscard]] sim::Panel wallBoardPlacement(const sim::RoomLayout& layout);

// What the board and the markers show: the round's view model, the room's
// clock and who is where. A live room's comes from its session (the
// overloads below); a replay's video export builds it from the recording.
struct WallSource {
    const session::ClinicViewModel* clinic = nullptr;
    const sim::RoomLayout* layout = nullptr;
    std::uint32_t tick = 0;          // the room's tick now
    double tickRate = 30.0;
    struct Who {
        std::uint16_t slot = 0;
        sim::AvatarPose pose;
        bool hidden = false;         // no marker (first person: it would sit above my eyes)
    };
    std::span<const Who> people;     // for the markers
};
[[nodiscard]] WallSource wallSource(const session::ClientSession& s);

// `viewProj` and `eye` of the camera drawn, `viewport` in pixels. Nothing
// when the room has no session plan.
void drawWallBoard(ImDrawList* draw, const WallSource& src, const glm::mat4& viewProj, glm::vec3 eye, glm::vec2 viewport);
void drawWallBoard(ImDrawList* draw, const session::ClientSession& s, const glm::mat4& viewProj, glm::vec3 eye,
                   glm::vec2 viewport);
// Above each person with a raised hand (and the place in the queue) or the floor.
void drawHandMarkers(ImDrawList* draw, const WallSource& src, const glm::mat4& viewProj, glm::vec2 viewport);
// Above each visible participant; `selfHidden`: first person (my own marker
// would sit above my eyes).
void drawHandMarkers(ImDrawList* draw, const session::ClientSession& s, const glm::mat4& viewProj, glm::vec2 viewport,
                     bool selfHidden);

} // namespace caseroom::client
