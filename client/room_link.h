// The client's connection to a room: the secure transport (handshake with a
// connect token, then sealed ENet) and the headless ClientSession over it,
// plus the per-frame translation of the session's avatars into what the
// renderer draws. No protocol or room rules here.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "net/secure/crypto.h"
#include "net/secure/invitation.h"
#include "net/transport.h"
#include "render/scene.h"
#include "session/client_session.h"

namespace caseroom::client {

struct RoomLink {
    std::unique_ptr<net::secure::SystemRandom> random; // outlives the transport that uses it
    std::unique_ptr<net::Transport> transport;
    std::unique_ptr<session::ClientSession> session;
    std::string joinedAs;                               // "NAME (ROLE) in room CODE", from the token
    std::string server;                                 // HOST:PORT joined
};

struct JoinRequest {
    std::string server;               // HOST:PORT
    std::vector<std::uint8_t> token;  // token file bytes (from the file or the pasted text)
    std::string tokenSource;          // file name or "pasted token", for messages
    std::string room;                 // what the user typed; the token decides
    bool fromInvitation = false;      // server and token came from an invitation
    bool slowLink = false;            // "my connection is slow" (session::ClientDesc::slowConnection)
};

// Reads a token file, or decodes a pasted token (the file in base64, as
// `base64 -w0 FILE` prints it). Errors name the source and the problem.
[[nodiscard]] core::Result<std::vector<std::uint8_t>> readTokenBytes(const std::string& path);
[[nodiscard]] core::Result<std::vector<std::uint8_t>> decodePastedToken(const std::string& text);

// The join an invitation makes: its server (or `serverOverride`, as
// --connect, when not empty) and its token; `source` names it in messages.
// A program credential (kind=program) is refused: it is for the case desk.
[[nodiscard]] core::Result<JoinRequest> invitationJoin(const net::secure::Invitation& inv, const std::string& serverOverride,
                                         std::string source);
// The join screen's paste field: a caseroom:// link (its server replaces
// `server`) or a base64 token for `server`. Errors say "pasted link" or
// "pasted token" and never quote what was pasted.
[[nodiscard]] core::Result<JoinRequest> pastedJoin(const std::string& text, const std::string& server);
// The join screen's file field or a dropped file: a .caseroom invitation
// (its server replaces `server`), else a token file for `server`.
[[nodiscard]] core::Result<JoinRequest> fileJoin(const std::string& path, const std::string& server);

// Starts connecting (non-blocking). Errors: bad address, bad or missing
// token, no socket. The room, display name and role come from the token.
[[nodiscard]] core::Result<RoomLink> startJoin(const JoinRequest& req, double now);
// Says goodbye (if in a room) and flushes, then drops the session.
void closeLink(RoomLink& link, double now);

// Fills `out` (capacity kept) from the session's avatars. The viewer's own
// head is hidden when `firstPerson`; avatars without a pose yet are skipped.
void collectAvatars(const session::ClientSession& s, bool firstPerson, std::vector<render::AvatarDraw>& out);

} // namespace caseroom::client
