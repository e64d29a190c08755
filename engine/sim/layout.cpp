#include "sim/layout.h"

#include <cstdio>

#include <algorithm>
#include <cmath>
#include <cctype>
#include <set>

#include "core/capacity.h"
#include "sim/avatar.h"

namespace caseroom::sim {

HandPose restingHand(const AvatarPose& pose, int side) {
    const float s = side == 0 ? -1.0f : 1.0f;
    const glm::vec3 fwd = forwardOf(pose.bodyYaw);
    const glm::vec3 right{-fwd.z, 0.0f, fwd.x};
    HandPose h;
    const float y = pose.seated() ? 0.75f : 0.95f;
    const float ahead = pose.seated() ? 0.35f : 0.1f;
    h.offset = right * (0.22f * s) + fwd * ahead + glm::vec3(0, y, 0);
    h.rotation = glm::angleAxis(pose.bodyYaw, glm::vec3(0, 1, 0));
    return h;
}

bool RoomLayout::atHub(glm::vec2 p) const {
    const glm::vec2 t = p - tableCenter, f = p - front;
    const float ring = tableRadius + kHubMetres;
    return t.x * t.x + t.y * t.y <= ring * ring || f.x * f.x + f.y * f.y <= kHubMetres * kHubMetres;
}

bool RoomLayout::insideWalls(glm::vec2 p, float margin) const {
    return std::fabs(p.x) <= halfExtents.x - margin && std::fabs(p.y) <= halfExtents.y - margin;
}

glm::vec2 RoomLayout::resolveCollision(glm::vec2 p) const {
    if (!std::isfinite(p.x) || !std::isfinite(p.y)) p = {0.0f, halfExtents.y - 1.0f};
    const glm::vec2 lim = halfExtents - glm::vec2(kAvatarRadius);
    p = glm::clamp(p, -lim, lim);
    const glm::vec2 d = p - tableCenter;
    const float minDist = tableRadius + kAvatarRadius;
    const float dist = std::sqrt(d.x * d.x + d.y * d.y);
    if (dist < minDist) {
        const glm::vec2 dir = dist > 1e-4f ? d / dist : glm::vec2(0.0f, 1.0f);
        p = tableCenter + dir * minDist;
        p = glm::clamp(p, -lim, lim);
    }
    return p;
}

RoomLayout makeLayout(const RoomSpec& spec) {
    RoomLayout l;
    l.name = spec.name;
    l.halfExtents = {spec.width / 2, spec.depth / 2};
    l.height = spec.height;
    l.tableRadius = spec.tableRadius;
    l.tableCenter = {0.0f, -l.halfExtents.y * 0.2f};
    l.front = {0.0f, -l.halfExtents.y + 1.0f};

    const float ring = spec.tableRadius + 0.65f;
    for (std::uint32_t i = 0; i < spec.tableSeats; ++i) {
        const float a = 2 * kPi * (static_cast<float>(i) + 0.5f) / static_cast<float>(spec.tableSeats);
        Seat s;
        s.position = l.tableCenter + glm::vec2(std::sin(a), std::cos(a)) * ring;
        s.yaw = yawToward(s.position, l.tableCenter);
        s.atTable = true;
        l.seats.push_back(s);
    }
    // Audience rows behind the table ring, facing the front wall.
    const float rowStart = l.tableCenter.y + ring + 1.4f;
    for (std::uint32_t r = 0; r < spec.audienceRows; ++r) {
        const float z = rowStart + static_cast<float>(r) * 1.0f;
        if (z > l.halfExtents.y - 0.6f) break;
        const float spacing = 0.8f;
        const float span = static_cast<float>(spec.audiencePerRow - 1) * spacing;
        for (std::uint32_t c = 0; c < spec.audiencePerRow; ++c) {
            const float x = -span / 2 + static_cast<float>(c) * spacing;
            if (std::fabs(x) > l.halfExtents.x - 0.6f) continue;
            l.seats.push_back(Seat{{x, z}, 0.0f, false});
        }
    }
    // Two slide panels on the front wall, one video panel on each side wall.
    const float y = std::min(1.8f, spec.height - 0.8f);
    // A panel faces along forwardOf(yaw): the front ones face back into the room (+z).
    l.panels.push_back(Panel{{-2.2f, y, -l.halfExtents.y + 0.05f}, kPi, 3.2f, 1.8f});
    l.panels.push_back(Panel{{2.2f, y, -l.halfExtents.y + 0.05f}, kPi, 3.2f, 1.8f});
    l.panels.push_back(Panel{{-l.halfExtents.x + 0.05f, y, -1.0f}, -kPi / 2, 2.4f, 1.4f});
    l.panels.push_back(Panel{{l.halfExtents.x - 0.05f, y, -1.0f}, kPi / 2, 2.4f, 1.4f});
    return l;
}

core::Result<std::vector<RoomSpec>> roomSpecsFromConfig(const core::ConfigDocument& doc) {
    std::vector<RoomSpec> out;
    std::set<std::string> codes;
    for (const auto& sec : doc.sections) {
        const std::string where = doc.source + ":" + std::to_string(sec.line) + ": ";
        if (sec.type != "room") return core::Error{where + "unknown section [" + sec.type + "]; expected [room CODE]"};
        if (sec.name.empty() || sec.name.size() > 32) return core::Error{where + "room code must be 1 to 32 characters"};
        for (char c : sec.name)
            if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'))
                return core::Error{where + "room code may use letters, digits, '-' and '_' only"};
        if (!codes.insert(sec.name).second) return core::Error{where + "duplicate room code '" + sec.name + "'"};
        RoomSpec spec;
        spec.code = sec.name;
        spec.name = sec.name;
        for (const auto& e : sec.entries) {
            auto num = [&](double lo, double hi, float& dst) -> core::Status {
                auto v = core::configDouble(doc, e, lo, hi);
                if (!v) return v.error();
                dst = static_cast<float>(*v);
                return {};
            };
            auto integer = [&](long long lo, long long hi, std::uint32_t& dst) -> core::Status {
                auto v = core::configInt(doc, e, lo, hi);
                if (!v) return v.error();
                dst = static_cast<std::uint32_t>(*v);
                return {};
            };
            core::Status st;
            if (e.key == "name") {
                if (e.value.empty() || e.value.size() > 64) return core::Error{doc.source + ":" + std::to_string(e.line) + ": 'name' must be 1 to 64 characters"};
                spec.name = e.value;
            } else if (e.key == "width") st = num(4, 60, spec.width);
            else if (e.key == "depth") st = num(4, 60, spec.depth);
            else if (e.key == "height") st = num(2.4, 8, spec.height);
            else if (e.key == "table_radius") st = num(0.5, 4, spec.tableRadius);
            else if (e.key == "table_seats") st = integer(0, 40, spec.tableSeats);
            else if (e.key == "audience_rows") st = integer(0, 40, spec.audienceRows);
            else if (e.key == "audience_per_row") st = integer(1, 60, spec.audiencePerRow);
            else if (e.key == "max_participants") st = integer(1, 1000, spec.maxParticipants);
            else return core::Error{doc.source + ":" + std::to_string(e.line) + ": unknown key '" + e.key + "'"};
            if (!st) return st.error();
        }
        if (spec.tableRadius * 2 + 3.0f > std::min(spec.width, spec.depth))
            return core::Error{where + "table does not fit in the room"};
        const std::size_t seats = makeLayout(spec).seats.size();
        if (seats > kMaxRoomSeats)
            return core::Error{where + "room '" + spec.code + "' lays out " + std::to_string(seats) + " seats; a room holds at most " +
                               std::to_string(kMaxRoomSeats) + " (the room layout message's limit): use fewer table_seats, " +
                               "audience_rows or audience_per_row"};
        out.push_back(spec);
    }
    if (out.empty()) return core::Error{doc.source + ": no [room CODE] sections"};
    std::uint64_t capacity = 0;
    for (const RoomSpec& r : out) capacity += r.maxParticipants;
    if (capacity + core::kPeerSlack > core::kMaxServerPeers)
        return core::Error{doc.source + ": the rooms hold " + std::to_string(capacity) + " participants in all (sum of max_participants); " +
                           "one server opens at most " + std::to_string(core::kMaxServerPeers) + " connections, " +
                           std::to_string(core::kPeerSlack) + " of them spare, so at most " +
                           std::to_string(core::kMaxServerPeers - core::kPeerSlack) +
                           " participants (ENet's peer limit): split the rooms over more servers"};
    return out;
}

std::string roomSpecSection(const RoomSpec& spec) {
    char buf[512];
    std::snprintf(buf, sizeof buf,
                  "[room %s]\nname = %s\nwidth = %.3f\ndepth = %.3f\nheight = %.3f\ntable_radius = %.3f\n"
                  "table_seats = %u\naudience_rows = %u\naudience_per_row = %u\nmax_participants = %u\n",
                  spec.code.c_str(), spec.name.c_str(), static_cast<double>(spec.width), static_cast<double>(spec.depth),
                  static_cast<double>(spec.height), static_cast<double>(spec.tableRadius), spec.tableSeats,
                  spec.audienceRows, spec.audiencePerRow, spec.maxParticipants);
    return buf;
}

} // namespace caseroom::sim
