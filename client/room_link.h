// The client's connection to a room: a real ENet transport and the headless
// ClientSession over it, plus the per-frame translation of the session's
// avatars into what the renderer draws. No protocol or room rules here.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "net/enet_transport.h"
#include "render/scene.h"
#include "session/client_session.h"

namespace caseroom::client {

struct RoomLink {
    std::unique_ptr<net::EnetTransport> transport;
    std::unique_ptr<session::ClientSession> session;
};

struct JoinRequest {
    std::string server;     // HOST:PORT
    std::string room;
    std::string name;
    core::Role role = core::Role::Spoke;
    std::string token;      // contents of the token file or the pasted token; passed on once ClientDesc takes it
};

// Starts connecting (non-blocking). Errors: bad address, no socket.
[[nodiscard]] core::Result<RoomLink> startJoin(const JoinRequest& req, double now);
// Says goodbye (if in a room) and flushes, then drops the session.
void closeLink(RoomLink& link, double now);

// Fills `out` (capacity kept) from the session's avatars. The viewer's own
// head is hidden when `firstPerson`; avatars without a pose yet are skipped.
void collectAvatars(const session::ClientSession& s, bool firstPerson, std::vector<render::AvatarDraw>& out);

} // namespace caseroom::client
