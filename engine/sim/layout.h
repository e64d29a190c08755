// Room geometry: walls, the case table, seats and wall panels. A RoomSpec
// (from a config file or built in) expands deterministically into a layout.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <glm/vec2.hpp>
#include <glm/vec3.hpp>

#include "core/config_text.h"
#include "core/result.h"

namespace caseroom::sim {

struct Seat {
    glm::vec2 position{0.0f}; // x, z
    float yaw = 0.0f;         // facing
    bool atTable = true;      // table ring or audience rows
};

// A wall panel for slides or video. Faces along `yaw`.
struct Panel {
    glm::vec3 center{0.0f};
    float yaw = 0.0f;
    float width = 2.0f, height = 1.2f;
};

struct RoomLayout {
    std::string name;
    glm::vec2 halfExtents{8.0f, 6.0f}; // x, z
    float height = 3.2f;
    glm::vec2 tableCenter{0.0f, -0.5f};
    float tableRadius = 1.4f;
    glm::vec2 front{0.0f, -5.0f};      // where a presenter stands
    std::vector<Seat> seats;
    std::vector<Panel> panels;

    // Clamps a walking position into the room and out of the table.
    [[nodiscard]] glm::vec2 resolveCollision(glm::vec2 p) const;
    [[nodiscard]] bool insideWalls(glm::vec2 p, float margin) const;
    // The room's hub: the table's ring of seats or the presenter's spot
    // (within kHubMetres of the table's edge or of `front`). Interest never
    // treats someone there as far audience (sim/interest.h).
    [[nodiscard]] bool atHub(glm::vec2 p) const;
    static constexpr float kHubMetres = 2.0f;
};

struct RoomSpec {
    std::string code = "demo";
    std::string name = "Demo teleECHO clinic";
    float width = 16.0f, depth = 12.0f, height = 3.2f;
    float tableRadius = 1.4f;
    std::uint32_t tableSeats = 12;
    std::uint32_t audienceRows = 2;
    std::uint32_t audiencePerRow = 10;
    std::uint32_t maxParticipants = 64;
};

// Most seats a room may have: the room layout message carries up to 1023
// (net::kMaxSeats; seat 1023 is net::kWireStanding, "standing"). sim does not
// include net; a test pins the two together.
constexpr std::uint32_t kMaxRoomSeats = 1023;

RoomLayout makeLayout(const RoomSpec& spec);

// Reads every `[room CODE]` section. Errors name the file, line and key.
// Refused as well, at load time rather than at the first join: a room whose
// layout has more than kMaxRoomSeats seats, and rooms whose total capacity
// (plus core::kPeerSlack) needs more connections than one server opens
// (core::kMaxServerPeers, ENet's 12-bit peer ids).
core::Result<std::vector<RoomSpec>> roomSpecsFromConfig(const core::ConfigDocument& doc);

// The spec as one `[room CODE]` section that roomSpecsFromConfig reads back
// to the same spec (a recording keeps its room this way).
std::string roomSpecSection(const RoomSpec& spec);

} // namespace caseroom::sim
