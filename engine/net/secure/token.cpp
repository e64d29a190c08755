// [SECTION] reason codes  [SECTION] mint  [SECTION] wire part  [SECTION] open
// [SECTION] token files
#include "net/secure/token.h"

#include <cassert>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net/messages.h"

namespace caseroom::net::secure {

static_assert(kTokenRoomMax == net::kMaxRoomCode && kTokenNameMax == net::kMaxDisplayName);
static_assert(8 + 8 + 8 + 1 + 1 + kTokenRoomMax + 1 + kTokenNameMax + 2 * kKeyBytes <= kTokenPrivateBytes);

// ---- [SECTION] reason codes ------------------------------------------------

const char* toString(Refusal r) {
    switch (r) {
    case Refusal::Forged: return "forged";
    case Refusal::Expired: return "expired";
    case Refusal::WrongRoom: return "wrong-room";
    case Refusal::AlreadyUsed: return "already-used";
    case Refusal::Malformed: return "malformed";
    case Refusal::Version: return "version";
    case Refusal::ServerFull: return "server-full";
    case Refusal::Revoked: return "revoked";
    case Refusal::Count: break;
    }
    return "?";
}

const char* describe(Refusal r) {
    switch (r) {
    case Refusal::Forged: return "the invitation was not issued by this server (forged, damaged, or made with another key)";
    case Refusal::Expired: return "the invitation has expired; ask the coordinator for a new one";
    case Refusal::WrongRoom: return "the invitation is for a different room";
    case Refusal::AlreadyUsed: return "the invitation is already in use from another computer";
    case Refusal::Malformed: return "the invitation is malformed";
    case Refusal::Version: return "the invitation or the program is from an incompatible version; update CaseRoom";
    case Refusal::ServerFull: return "the server is full; try again shortly";
    case Refusal::Revoked: return "this invitation was withdrawn by the coordinator";
    case Refusal::Count: break;
    }
    return "unknown reason";
}

// ---- [SECTION] mint ----------------------------------------------------------

bool validTokenText(std::string_view s, std::size_t maxBytes) {
    if (s.empty() || s.size() > maxBytes) return false;
    for (unsigned char c : s)
        if (c < 0x20 || c == 0x7F) return false;
    return true;
}

namespace {

std::array<std::uint8_t, 1 + 4 + 8> additionalData(const TokenWire& t) {
    std::array<std::uint8_t, 13> ad{};
    ByteWriter w(ad);
    (void)(w.u8(t.format) && w.u32(t.protocolVersion) && w.u64(t.expiresUnix));
    return ad;
}

bool writeText(ByteWriter& w, std::string_view s, std::size_t field) {
    return w.u8(static_cast<std::uint8_t>(s.size())) &&
           w.bytes({reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}) && w.zeros(field - s.size());
}

bool readText(ByteReader& r, std::string& s, std::size_t field) {
    std::uint8_t len = 0;
    std::span<const std::uint8_t> bytes;
    if (!r.u8(len) || !r.view(field, bytes) || len > field) return false;
    s.assign(reinterpret_cast<const char*>(bytes.data()), len);
    for (std::size_t i = len; i < field; ++i)
        if (bytes[i] != 0) return false;
    return validTokenText(s, field);
}

} // namespace

core::Result<ConnectToken> mintToken(const MintDesc& desc, const Key& secret, RandomSource& random) {
    if (!validTokenText(desc.roomCode, kTokenRoomMax))
        return core::Error{"room code must be 1 to 32 bytes without control characters"};
    if (!validTokenText(desc.displayName, kTokenNameMax))
        return core::Error{"display name must be 1 to 48 bytes without control characters"};
    if (desc.role >= core::Role::Count) return core::Error{"unknown role"};
    if (desc.lifetimeSeconds == 0 || desc.lifetimeSeconds > kMaxTokenLifetime)
        return core::Error{"lifetime must be 1 second to 366 days"};

    ConnectToken tok;
    TokenGrant& g = tok.grant;
    g.userId = desc.userId;
    g.createdUnix = desc.nowUnix;
    g.expiresUnix = desc.nowUnix + desc.lifetimeSeconds;
    g.roomCode = desc.roomCode;
    g.displayName = desc.displayName;
    g.role = desc.role;
    std::array<std::uint8_t, 8> id{};
    random.fill(id);
    for (int i = 0; i < 8; ++i) g.tokenId |= static_cast<std::uint64_t>(id[static_cast<std::size_t>(i)]) << (8 * i);
    random.fill(g.clientToServer);
    random.fill(g.serverToClient);

    TokenWire& t = tok.wire;
    t.format = kTokenFormat;
    t.protocolVersion = desc.protocolVersion ? desc.protocolVersion : net::kProtocolVersion;
    t.expiresUnix = g.expiresUnix;
    random.fill(t.nonce);

    std::array<std::uint8_t, kTokenPrivateBytes> plain{};
    ByteWriter w(plain);
    const bool written = w.u64(g.tokenId) && w.u64(g.userId) && w.u64(g.createdUnix) &&
                         w.u8(static_cast<std::uint8_t>(g.role)) && writeText(w, g.roomCode, kTokenRoomMax) &&
                         writeText(w, g.displayName, kTokenNameMax) && w.bytes(g.clientToServer) &&
                         w.bytes(g.serverToClient) && w.zeros(kTokenPrivateBytes - w.size());
    assert(written);
    (void)written;
    const auto ad = additionalData(t);
    const bool sealed = xaeadSeal(t.sealed, plain, ad, t.nonce, secret);
    wipe(plain);
    if (!sealed) return core::Error{"sealing the token failed"};
    return tok;
}

// ---- [SECTION] wire part -----------------------------------------------------

bool writeTokenWire(const TokenWire& t, ByteWriter& w) {
    return w.u8(t.format) && w.u32(t.protocolVersion) && w.u64(t.expiresUnix) && w.bytes(t.nonce) && w.bytes(t.sealed);
}

bool readTokenWire(ByteReader& r, TokenWire& t) {
    return r.u8(t.format) && r.u32(t.protocolVersion) && r.u64(t.expiresUnix) && r.bytes(t.nonce) && r.bytes(t.sealed);
}

// ---- [SECTION] open ----------------------------------------------------------

TokenCheck openToken(const TokenWire& t, const Key& secret, std::uint64_t nowUnix) {
    TokenCheck out;
    if (t.format != kTokenFormat || t.protocolVersion != net::kProtocolVersion) {
        out.refusal = Refusal::Version;
        return out;
    }
    // Expiry is checked before the (costlier) AEAD; a tampered expiry would
    // fail the AEAD anyway because it is additional data.
    if (nowUnix >= t.expiresUnix) {
        out.refusal = Refusal::Expired;
        return out;
    }
    std::array<std::uint8_t, kTokenPrivateBytes> plain{};
    const auto ad = additionalData(t);
    if (!xaeadOpen(plain, t.sealed, ad, t.nonce, secret)) {
        out.refusal = Refusal::Forged;
        return out;
    }
    // Authentic from here on: a parse failure means a minting bug or a key
    // shared with something else, still reported as malformed, never trusted.
    ByteReader r(plain);
    TokenGrant& g = out.grant;
    std::uint8_t role = 0;
    bool ok = r.u64(g.tokenId) && r.u64(g.userId) && r.u64(g.createdUnix) && r.u8(role) &&
              readText(r, g.roomCode, kTokenRoomMax) && readText(r, g.displayName, kTokenNameMax) &&
              r.bytes(g.clientToServer) && r.bytes(g.serverToClient);
    while (ok && r.left() > 0) {
        std::uint8_t z = 0;
        ok = r.u8(z) && z == 0;
    }
    wipe(plain);
    if (!ok || role >= static_cast<std::uint8_t>(core::Role::Count) || g.createdUnix >= t.expiresUnix) {
        out.grant = TokenGrant{};
        out.refusal = Refusal::Malformed;
        return out;
    }
    g.role = static_cast<core::Role>(role);
    g.expiresUnix = t.expiresUnix;
    out.ok = true;
    return out;
}

// ---- [SECTION] token files ---------------------------------------------------

namespace {
constexpr std::array<std::uint8_t, 8> kFileMagic{'C', 'R', 'T', 'O', 'K', 'E', 'N', '1'};
constexpr std::size_t kMaxTokenFileBytes = 8 + kTokenWireBytes + 2 * kKeyBytes + 8 + 8 + 8 + 1 + 1 + kTokenRoomMax + 1 + kTokenNameMax;

bool writeShort(ByteWriter& w, std::string_view s) {
    return w.u8(static_cast<std::uint8_t>(s.size())) && w.bytes({reinterpret_cast<const std::uint8_t*>(s.data()), s.size()});
}
bool readShort(ByteReader& r, std::string& s, std::size_t maxBytes) {
    std::uint8_t len = 0;
    std::span<const std::uint8_t> bytes;
    if (!r.u8(len) || len > maxBytes || !r.view(len, bytes)) return false;
    s.assign(reinterpret_cast<const char*>(bytes.data()), len);
    return validTokenText(s, maxBytes);
}
} // namespace

std::vector<std::uint8_t> encodeTokenFile(const ConnectToken& token) {
    std::vector<std::uint8_t> out(kMaxTokenFileBytes);
    ByteWriter w(out);
    const TokenGrant& g = token.grant;
    const bool ok = w.bytes(kFileMagic) && writeTokenWire(token.wire, w) && w.bytes(g.clientToServer) &&
                    w.bytes(g.serverToClient) && w.u64(g.tokenId) && w.u64(g.userId) && w.u64(g.createdUnix) &&
                    w.u8(static_cast<std::uint8_t>(g.role)) && writeShort(w, g.roomCode) && writeShort(w, g.displayName);
    assert(ok);
    (void)ok;
    out.resize(w.size());
    return out;
}

core::Result<ConnectToken> decodeTokenFile(std::span<const std::uint8_t> bytes, std::string_view source) {
    const auto bad = [&](const char* what) { return core::Error{"token file " + std::string(source) + ": " + what}; };
    if (bytes.size() > kMaxTokenFileBytes) return bad("too large to be a CaseRoom token");
    ByteReader r(bytes);
    std::array<std::uint8_t, 8> magic{};
    if (!r.bytes(magic) || magic != kFileMagic) return bad("not a CaseRoom token (bad magic)");
    ConnectToken tok;
    TokenGrant& g = tok.grant;
    std::uint8_t role = 0;
    if (!readTokenWire(r, tok.wire) || !r.bytes(g.clientToServer) || !r.bytes(g.serverToClient) || !r.u64(g.tokenId) || !r.u64(g.userId) ||
        !r.u64(g.createdUnix) || !r.u8(role))
        return bad("truncated");
    if (role >= static_cast<std::uint8_t>(core::Role::Count)) return bad("unknown role");
    g.role = static_cast<core::Role>(role);
    if (!readShort(r, g.roomCode, kTokenRoomMax)) return bad("bad room code");
    if (!readShort(r, g.displayName, kTokenNameMax)) return bad("bad display name");
    if (!r.atEnd()) return bad("trailing bytes");
    if (tok.wire.format != kTokenFormat) return bad("unknown token format (made by another CaseRoom version)");
    g.expiresUnix = tok.wire.expiresUnix;
    return tok;
}

core::Status writeTokenFile(const std::string& path, const ConnectToken& token) {
    const auto bytes = encodeTokenFile(token);
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return core::Error{"token file " + path + ": cannot create: " + std::strerror(errno)};
    (void)::fchmod(fd, 0600);
    std::size_t put = 0;
    while (put < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + put, bytes.size() - put);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            ::close(fd);
            return core::Error{"token file " + path + ": cannot write"};
        }
        put += static_cast<std::size_t>(n);
    }
    if (::close(fd) != 0) return core::Error{"token file " + path + ": cannot write"};
    return {};
}

core::Result<ConnectToken> readTokenFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return core::Error{"token file " + path + ": cannot open: " + std::strerror(errno)};
    std::vector<std::uint8_t> bytes;
    char c = 0;
    while (bytes.size() <= kMaxTokenFileBytes && in.get(c)) bytes.push_back(static_cast<std::uint8_t>(c));
    return decodeTokenFile(bytes, path);
}

TokenCheck openToken(const TokenWire& t, const Keyring& keys, std::uint64_t nowUnix, const TokenPolicy&) {
    TokenCheck last;
    for (const Key& k : keys.keys) {
        last = openToken(t, k, nowUnix);
        if (last.ok || last.refusal != Refusal::Forged) return last;
    }
    return last;
}

} // namespace caseroom::net::secure
