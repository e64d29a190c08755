// Invitations (net/secure/invitation.h): a caseroom:// link or a .caseroom
// file's text from an e-mail, a chat or a drop on the window, untrusted.
// Input: [mode byte][rest].
//   bit 0 clear: `rest` is the text: parseInvitation.
//   bit 0 set:   `rest` is [port u16][host length u8][host][room]: an
//                invitation with the fixed token (its room replaced by the
//                room when bit 1 is set), encoded and parsed back.
// Properties: nothing crashes; an error names the source (or, for the token
// part, "token file <source>") and never quotes the token (checked where
// the token is known: the encode mode); a parsed
// invitation encodes to a link that parses to the same invitation; an
// encoded invitation either parses back to itself or is refused.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "fuzz_common.h"
#include "net/secure/invitation.h"

using namespace caseroom::net::secure;

namespace {

bool same(const Invitation& a, const Invitation& b) {
    return a.host == b.host && a.port == b.port && a.room == b.room && a.sessionId == b.sessionId && a.kind == b.kind &&
           encodeTokenFile(a.token) == encodeTokenFile(b.token);
}

// `secret`: the token's base64url text when known (encode mode), else empty.
void checkError(const caseroom::core::Error& e, const std::string& secret, const Invitation* inv) {
    const std::string& m = e.message;
    if (m.rfind("fuzz: ", 0) != 0 && m.rfind("token file fuzz", 0) != 0) std::abort();
    if (secret.size() < 24) return;
    const std::string probe = secret.substr(0, 24);
    // Host and room are quoted in errors: only a token echoed from elsewhere counts.
    if (inv && (inv->host.find(probe) != std::string::npos || inv->room.find(probe) != std::string::npos)) return;
    if (m.find(probe) != std::string::npos) std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const bool ready = initCrypto();
    if (!ready || size < 1) return 0;
    const std::uint8_t mode = data[0];
    caseroom::fuzz::InputReader in{data + 1, size - 1};
    if ((mode & 1) == 0) {
        const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
        auto r = parseInvitation(text, "fuzz");
        if (!r) {
            checkError(r.error(), {}, nullptr);
            return 0;
        }
        const std::string again = encodeInvitationLink(*r);
        auto back = parseInvitation(again, "fuzz");
        if (!back || !same(*r, *back)) std::abort();
        return 0;
    }
    Invitation inv;
    std::uint16_t port = 0;
    std::uint8_t hostLen = 0;
    if (!in.u16(port) || !in.u8(hostLen)) return 0;
    const auto host = in.take(hostLen);
    const auto room = in.take(64);
    inv.host.assign(host.begin(), host.end());
    inv.port = port;
    inv.token = caseroom::fuzz::token();
    inv.room = inv.token.grant.roomCode;
    if (mode & 2) {
        inv.room.assign(room.begin(), room.end());
        inv.token.grant.roomCode = inv.room.size() <= kTokenRoomMax && validTokenText(inv.room, kTokenRoomMax) ? inv.room : "demo";
    }
    inv.sessionId = (mode & 4) ? 0 : 1 + (mode >> 4);
    inv.kind = (mode & 4) ? "program" : "session";
    const std::string link = encodeInvitationLink(inv);
    auto back = parseInvitation(link, "fuzz");
    if (!back) {
        checkError(back.error(), link.substr(link.rfind("&token=") + 7), &inv);
        return 0;
    }
    if (!same(inv, *back)) std::abort();
    return 0;
}
