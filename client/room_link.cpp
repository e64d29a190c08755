#include "room_link.h"

#include <sys/stat.h>

#include <fstream>
#include <iterator>
#include <string_view>

#include "net/secure/secure_transport.h"
#include "net/secure/token.h"
#include "options.h"

namespace caseroom::client {

core::Result<std::vector<std::uint8_t>> readTokenBytes(const std::string& path) {
    // The file holds the invitation's keys: refuse one that others may read (F-15).
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0)
        if (const std::string problem = net::secure::tokenFileModeProblem(path, st.st_mode); !problem.empty()) return core::Error{problem};
    std::ifstream f(path, std::ios::binary);
    if (!f) return core::Error{"token file " + path + ": cannot open it (check the path)"};
    std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    if (bytes.size() > 4096) return core::Error{"token file " + path + ": too large to be a token"};
    return bytes;
}

core::Result<std::vector<std::uint8_t>> decodePastedToken(const std::string& text) {
    std::vector<std::uint8_t> out;
    std::uint32_t acc = 0;
    int bits = 0;
    for (char ch : text) {
        int v = -1;
        if (ch >= 'A' && ch <= 'Z') v = ch - 'A';
        else if (ch >= 'a' && ch <= 'z') v = ch - 'a' + 26;
        else if (ch >= '0' && ch <= '9') v = ch - '0' + 52;
        else if (ch == '+') v = 62;
        else if (ch == '/') v = 63;
        else if (ch == '=' || ch == ' ' || ch == '\n' || ch == '\r' || ch == '\t') continue;
        else return core::Error{"pasted token: not base64 (paste what `base64 -w0 TOKENFILE` prints)"};
        acc = (acc << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<std::uint8_t>((acc >> bits) & 0xFF));
        }
        if (out.size() > 4096) return core::Error{"pasted token: too long to be a token"};
    }
    if (out.empty()) return core::Error{"pasted token: empty"};
    return out;
}

core::Result<JoinRequest> invitationJoin(const net::secure::Invitation& inv, const std::string& serverOverride,
                                         std::string source) {
    if (inv.kind != "session")
        return core::Error{source + ": a program credential (kind=program) is for the case desk; it cannot join a room"};
    JoinRequest req;
    req.server = serverOverride.empty() ? net::secure::invitationServer(inv) : serverOverride;
    req.token = net::secure::encodeTokenFile(inv.token);
    req.tokenSource = std::move(source);
    req.room = inv.room;
    req.fromInvitation = true;
    return req;
}

core::Result<JoinRequest> pastedJoin(const std::string& text, const std::string& server) {
    if (net::secure::looksLikeInvitationLink(text)) {
        auto inv = net::secure::parseInvitation(text, "pasted link");
        if (!inv) return inv.error();
        return invitationJoin(*inv, {}, "pasted link");
    }
    auto bytes = decodePastedToken(text);
    if (!bytes) return bytes.error();
    JoinRequest req;
    req.server = server;
    req.token = std::move(*bytes);
    req.tokenSource = "pasted token";
    return req;
}

core::Result<JoinRequest> fileJoin(const std::string& path, const std::string& server) {
    // By name (.caseroom, file://), else by content: token files start "CRTOKEN".
    bool invitation = net::secure::looksLikeInvitation(path) || path.rfind("file://", 0) == 0;
    if (!invitation) {
        std::ifstream f(path, std::ios::binary);
        char magic[7] = {};
        invitation = f && f.read(magic, sizeof magic) && std::string_view(magic, sizeof magic) != "CRTOKEN";
    }
    if (invitation) {
        auto inv = net::secure::loadInvitation(path);
        if (!inv) return inv.error();
        return invitationJoin(*inv, {}, path);
    }
    auto bytes = readTokenBytes(path);
    if (!bytes) return bytes.error();
    JoinRequest req;
    req.server = server;
    req.token = std::move(*bytes);
    req.tokenSource = path;
    return req;
}

core::Result<RoomLink> startJoin(const JoinRequest& req, double now) {
    auto hp = parseHostPort(req.server);
    if (!hp) return core::Error{"server address: " + hp.error().message};
    if (req.token.empty())
        return core::Error{"a connect token is needed to join: choose the token file you were sent, or paste it "
                           "(the facilitator mints one with caseroom-token)"};
    auto token = net::secure::decodeTokenFile(req.token, req.tokenSource);
    if (!token) return token.error();
    if (!net::secure::initCrypto()) return core::Error{"libsodium failed to initialise"};
    RoomLink link;
    link.random = std::make_unique<net::secure::SystemRandom>();
    auto transport = net::secure::SecureTransport::createClient(*token, *link.random);
    if (!transport) return core::Error{"cannot open a UDP socket: " + transport.error().message};
    link.transport = std::move(*transport);
    const net::secure::TokenGrant& g = token->grant;
    session::ClientDesc cd;
    cd.roomCode = g.roomCode;
    cd.displayName = g.displayName;
    cd.role = g.role;
    cd.reconnect.enabled = true; // a dropped link comes back by itself, to the place the server holds
    cd.slowConnection = req.slowLink;
    link.joinedAs = g.displayName + " (" + core::toString(g.role) + ") in room " + g.roomCode;
    link.server = req.server;
    if (!req.room.empty() && req.room != g.roomCode)
        link.joinedAs += " (the token is for room " + g.roomCode + ", not " + req.room + ")";
    link.session = std::make_unique<session::ClientSession>(*link.transport, cd);
    link.session->connect(net::Address{hp->first, hp->second}, now);
    return link;
}

void closeLink(RoomLink& link, double now) {
    if (link.session) {
        link.session->leave();
        link.session->update(now);
    }
    if (link.transport) link.transport->flush();
    link.session.reset();
    link.transport.reset();
    link.random.reset();
}

void collectAvatars(const session::ClientSession& s, bool firstPerson, std::vector<render::AvatarDraw>& out) {
    out.clear();
    for (const session::RemoteAvatar& a : s.avatars()) {
        if (!a.hasPose) continue;
        render::AvatarDraw d;
        d.pose = a.pose;
        d.role = a.role;
        d.name = a.name;
        d.hideHead = a.self && firstPerson;
        d.away = a.away;
        out.push_back(d);
    }
}

} // namespace caseroom::client
