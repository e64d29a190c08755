// Conversions between the room model's float pose (sim) and its wire form
// (net). The only place that knows both.
#pragma once
#include "net/avatar_codec.h"
#include "net/messages.h"
#include "sim/avatar.h"
#include "sim/layout.h"
#include "sim/movement.h"

namespace caseroom::session {

net::QuantizedAvatar toWire(const sim::AvatarPose& pose);
sim::AvatarPose fromWire(const net::QuantizedAvatar& q);

net::RoomLayoutMsg toWire(const sim::RoomLayout& layout);
sim::RoomLayout fromWire(const net::RoomLayoutMsg& msg);

// Input frames travel quantized; both ends apply the dequantized form so that
// prediction and authority compute the same step.
net::InputFrame toWire(const sim::MoveInput& in, std::uint16_t seq);
sim::MoveInput fromWire(const net::InputFrame& f);

} // namespace caseroom::session
