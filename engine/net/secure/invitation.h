// An invitation: everything a person needs to join one session (or, kind
// "program", to submit and read cases before it): the server address, the
// room, the session and their connect token. One text file (".caseroom",
// MIME application/x-caseroom-invitation) whose whole content is also a
// caseroom:// link:
//   caseroom://HOST:PORT/ROOM?session=ID&kind=session&token=BASE64URL
// (token = the token file's bytes, base64url without padding; the link is
// one line; a file may end with a line break and may carry '#' comment lines
// before the link, which are ignored). Like the token file it holds the
// session keys: written 0600, refused when group or others may read it.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"
#include "net/secure/token.h"

namespace caseroom::net::secure {

struct Invitation {
    std::string host;                 // name or address (IPv6 in brackets in the link)
    std::uint16_t port = 0;
    std::string room;
    std::int64_t sessionId = 0;       // 0 for a program credential
    std::string kind = "session";     // "session" | "program"
    ConnectToken token;
};

[[nodiscard]] std::string encodeInvitationLink(const Invitation& inv);
// Parses a link or a file's text (comments and surrounding space allowed).
// Errors name `source` and the fault ("invite.caseroom: no token= part").
[[nodiscard]] core::Result<Invitation> parseInvitation(std::string_view text, std::string_view source);
// Written atomically, 0600, with a comment header naming the program,
// session and person (no patient data ever).
[[nodiscard]] core::Status writeInvitationFile(const std::string& path, const Invitation& inv, std::string_view comment);
[[nodiscard]] core::Result<Invitation> readInvitationFile(const std::string& path);
// Whether an argument looks like an invitation (a caseroom:// link or a
// path ending in .caseroom).
[[nodiscard]] bool looksLikeInvitation(std::string_view arg);

// Added by the INVITE engineer (helpers the client, bots and tools share):
constexpr std::size_t kMaxInvitationBytes = 16 * 1024; // a file (comments included) or a pasted text
constexpr std::size_t kMaxInvitationLink = 2048;       // one link, in characters
// Whether `text` (surrounding space allowed) starts with caseroom:// (any case).
[[nodiscard]] bool looksLikeInvitationLink(std::string_view text);
// "HOST:PORT", or "[ADDR]:PORT" for an IPv6 address: the form --connect takes.
[[nodiscard]] std::string invitationServer(const Invitation& inv);
// The refusal for an invitation file whose mode lets group or others in
// (empty when private); worded as tokenFileModeProblem.
[[nodiscard]] std::string invitationFileModeProblem(const std::string& path, unsigned mode);
// A desktop may pass a file as a file:// URL (Exec=caseroom %u): its local
// path (percent-decoded; host empty or localhost), or an error naming the URL.
[[nodiscard]] core::Result<std::string> pathFromFileUrl(std::string_view url);
// An invitation given as one argument: a caseroom:// link (errors say
// "caseroom:// link", never quoting the token), a file path, or a file:// URL.
[[nodiscard]] core::Result<Invitation> loadInvitation(std::string_view arg);

} // namespace caseroom::net::secure
