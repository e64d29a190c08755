// Peer-count limits the server must respect, kept in core so that sim (room
// files) and server/ can check them without including ENet.
#pragma once
#include <cstdint>

namespace caseroom::core {

// ENet 1.3 numbers peers with 12 bits (ENET_PROTOCOL_MAXIMUM_PEER_ID =
// 0xFFF): enet_host_create fails above this many. Pinned by a test that
// includes <enet/protocol.h>.
constexpr std::uint32_t kEnetMaxPeers = 0xFFF;
// A server opens at most this many peers. (The secure layer frames every
// datagram itself since protocol 2, so ENet's peer ids no longer collide with
// the handshake's prefix: ENet's own limit is the only one.)
constexpr std::uint32_t kMaxServerPeers = kEnetMaxPeers;
// Peers the server opens beyond the rooms' total capacity: people being
// refused (full room, wrong room) still need a connection to be told why.
constexpr std::uint32_t kPeerSlack = 16;

} // namespace caseroom::core
