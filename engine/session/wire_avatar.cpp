#include "session/wire_avatar.h"

#include <algorithm>
#include <cmath>

namespace caseroom::session {
namespace {
constexpr float kCentiDegree = sim::kPi / 18000.0f;
std::int32_t mm(float v) { return static_cast<std::int32_t>(std::lround(static_cast<double>(v) * 1000.0)); }
float metres(std::int32_t v) { return static_cast<float>(v) * 0.001f; }
} // namespace

net::QuantizedAvatar toWire(const sim::AvatarPose& pose) {
    net::QuantizedAvatar q;
    q.body = net::quantizePosition(pose.body);
    q.yaw = net::quantizeYaw(pose.bodyYaw);
    q.headOffset = net::quantizeOffset(pose.headOffset);
    q.head = net::quantizeQuat(pose.head);
    q.handsTracked = pose.handsTracked;
    if (pose.handsTracked) { // untracked hands travel as zeros (the codec's contract)
        for (int h = 0; h < 2; ++h) {
            q.handOffset[h] = net::quantizeOffset(pose.hands[h].offset);
            q.hand[h] = net::quantizeQuat(pose.hands[h].rotation);
        }
    }
    q.seat = pose.seated() && pose.seat < net::kMaxSeats ? pose.seat : net::kWireStanding;
    q.voiceLevel = std::min<std::uint32_t>(pose.voiceLevel, net::kVoiceLevelMax);
    return q;
}

sim::AvatarPose fromWire(const net::QuantizedAvatar& q) {
    sim::AvatarPose p;
    p.body = net::dequantizePosition(q.body);
    p.bodyYaw = sim::wrapAngle(net::dequantizeYaw(q.yaw));
    p.headOffset = net::dequantizeOffset(q.headOffset);
    p.head = net::dequantizeQuat(q.head);
    p.handsTracked = q.handsTracked;
    for (int h = 0; h < 2; ++h) {
        if (q.handsTracked) {
            p.hands[h].offset = net::dequantizeOffset(q.handOffset[h]);
            p.hands[h].rotation = net::dequantizeQuat(q.hand[h]);
        }
    }
    p.seat = q.seat == net::kWireStanding ? sim::kNoSeat : static_cast<std::uint16_t>(q.seat);
    p.voiceLevel = static_cast<std::uint8_t>(q.voiceLevel);
    if (!q.handsTracked) {
        p.hands[0] = sim::restingHand(p, 0);
        p.hands[1] = sim::restingHand(p, 1);
    }
    return p;
}

net::RoomLayoutMsg toWire(const sim::RoomLayout& l) {
    net::RoomLayoutMsg m;
    m.name = l.name.substr(0, 64);
    m.halfWidthMm = static_cast<std::uint32_t>(mm(l.halfExtents.x));
    m.halfDepthMm = static_cast<std::uint32_t>(mm(l.halfExtents.y));
    m.heightMm = static_cast<std::uint32_t>(mm(l.height));
    m.tableX = mm(l.tableCenter.x);
    m.tableZ = mm(l.tableCenter.y);
    m.tableRadiusMm = static_cast<std::uint32_t>(mm(l.tableRadius));
    m.frontX = mm(l.front.x);
    m.frontZ = mm(l.front.y);
    for (const auto& s : l.seats) m.seats.push_back({mm(s.position.x), mm(s.position.y), net::quantizeYaw(s.yaw), s.atTable});
    for (const auto& p : l.panels)
        m.panels.push_back({mm(p.center.x), mm(p.center.y), mm(p.center.z), net::quantizeYaw(p.yaw),
                            static_cast<std::uint32_t>(mm(p.width)), static_cast<std::uint32_t>(mm(p.height))});
    return m;
}

sim::RoomLayout fromWire(const net::RoomLayoutMsg& m) {
    sim::RoomLayout l;
    l.name = m.name;
    l.halfExtents = {metres(static_cast<std::int32_t>(m.halfWidthMm)), metres(static_cast<std::int32_t>(m.halfDepthMm))};
    l.height = metres(static_cast<std::int32_t>(m.heightMm));
    l.tableCenter = {metres(m.tableX), metres(m.tableZ)};
    l.tableRadius = metres(static_cast<std::int32_t>(m.tableRadiusMm));
    l.front = {metres(m.frontX), metres(m.frontZ)};
    for (const auto& s : m.seats) l.seats.push_back({{metres(s.x), metres(s.z)}, sim::wrapAngle(net::dequantizeYaw(s.yaw)), s.atTable});
    for (const auto& p : m.panels)
        l.panels.push_back({{metres(p.x), metres(p.y), metres(p.z)}, sim::wrapAngle(net::dequantizeYaw(p.yaw)),
                            metres(static_cast<std::int32_t>(p.widthMm)), metres(static_cast<std::int32_t>(p.heightMm))});
    return l;
}

net::InputFrame toWire(const sim::MoveInput& in, std::uint16_t seq) {
    net::InputFrame f;
    f.seq = seq;
    glm::vec2 m = in.move;
    if (!std::isfinite(m.x) || !std::isfinite(m.y)) m = glm::vec2(0.0f);
    const float len = std::sqrt(m.x * m.x + m.y * m.y);
    if (len > 1.0f) m /= len;
    f.moveX = std::clamp<std::int32_t>(static_cast<std::int32_t>(std::lround(m.x * 127.0f)), -127, 127);
    f.moveZ = std::clamp<std::int32_t>(static_cast<std::int32_t>(std::lround(m.y * 127.0f)), -127, 127);
    f.bodyYaw = net::quantizeYaw(in.bodyYaw);
    const float hy = std::isfinite(in.headYaw) ? in.headYaw : 0.0f;
    const float hp = std::isfinite(in.headPitch) ? in.headPitch : 0.0f;
    f.headYaw = std::clamp<std::int32_t>(static_cast<std::int32_t>(std::lround(hy / kCentiDegree)), -12000, 12000);
    f.headPitch = std::clamp<std::int32_t>(static_cast<std::int32_t>(std::lround(hp / kCentiDegree)), -8500, 8500);
    return f;
}

sim::MoveInput fromWire(const net::InputFrame& f) {
    sim::MoveInput in;
    in.move = {static_cast<float>(f.moveX) / 127.0f, static_cast<float>(f.moveZ) / 127.0f};
    in.bodyYaw = sim::wrapAngle(net::dequantizeYaw(f.bodyYaw));
    in.headYaw = static_cast<float>(f.headYaw) * kCentiDegree;
    in.headPitch = static_cast<float>(f.headPitch) * kCentiDegree;
    return in;
}

} // namespace caseroom::session
