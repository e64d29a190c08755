// [SECTION] reason codes  [SECTION] keys  [SECTION] mint  [SECTION] wire part
// [SECTION] open  [SECTION] token files
#include "net/secure/token.h"

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <cstdio>
#include <cstring>

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
    case Refusal::UnknownKey: return "unknown-key";
    case Refusal::NotYetValid: return "not-yet-valid";
    case Refusal::BadLifetime: return "bad-lifetime";
    case Refusal::Revoked: return "revoked";
    case Refusal::Count: break;
    }
    return "?";
}

const char* describe(Refusal r) {
    switch (r) {
    case Refusal::Forged: return "the invitation was not issued by this server (forged or damaged)";
    case Refusal::Expired: return "the invitation has expired; ask the coordinator for a new one";
    case Refusal::WrongRoom: return "the invitation is for a different room";
    case Refusal::AlreadyUsed: return "the invitation is already in use from another computer";
    case Refusal::Malformed: return "the invitation is malformed";
    case Refusal::Version: return "the invitation or the program is from an incompatible version; update CaseRoom";
    case Refusal::ServerFull: return "the server is full; try again shortly";
    case Refusal::UnknownKey:
        return "this invitation was made for another server or an old key; ask the coordinator for a new one";
    case Refusal::NotYetValid:
        return "this invitation is not valid yet (it was made with a clock set in the future); check this computer's "
               "clock or ask the coordinator for a new one";
    case Refusal::BadLifetime:
        return "this invitation's lifetime is longer than this server allows; ask the coordinator for a new one";
    case Refusal::Revoked: return "this invitation was withdrawn by the coordinator";
    case Refusal::Count: break;
    }
    return "unknown reason";
}

// ---- [SECTION] keys ------------------------------------------------------------

std::uint32_t keyIdOf(const Key& deploymentKey) {
    static constexpr char kLabel[] = "caseroom token key id v1";
    const std::array<std::span<const std::uint8_t>, 1> parts{
        std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(kLabel), sizeof kLabel - 1)};
    Key h = deriveKey(deploymentKey, parts);
    std::uint32_t id = 0;
    for (int i = 0; i < 4; ++i) id |= static_cast<std::uint32_t>(h[static_cast<std::size_t>(i)]) << (8 * i);
    wipe(h);
    return id == 0 ? 1 : id; // 0 means "no key" everywhere
}

namespace {
void wipeKeys(std::vector<std::pair<std::uint32_t, Key>>& keys) {
    for (auto& k : keys) wipe(k.second);
}
} // namespace

Keyring& Keyring::operator=(const Keyring& other) {
    if (this == &other) return *this;
    clear();
    keys = other.keys;
    return *this;
}

Keyring& Keyring::operator=(Keyring&& other) noexcept {
    if (this == &other) return *this;
    clear();
    keys = std::move(other.keys);
    other.keys.clear();
    return *this;
}

Keyring::~Keyring() { wipeKeys(keys); }

void Keyring::clear() {
    wipeKeys(keys);
    keys.clear();
}

const Key* Keyring::find(std::uint32_t id) const {
    for (const auto& k : keys)
        if (k.first == id) return &k.second;
    return nullptr;
}

bool Keyring::add(const Key& key) {
    const std::uint32_t id = keyIdOf(key);
    if (find(id)) return false;
    if (keys.size() == keys.capacity()) {
        // Grow by hand so the old storage is wiped, not freed with keys in it.
        std::vector<std::pair<std::uint32_t, Key>> bigger;
        bigger.reserve(keys.empty() ? 2 : 2 * keys.size());
        bigger.insert(bigger.end(), keys.begin(), keys.end());
        wipeKeys(keys);
        keys.swap(bigger);
    }
    keys.emplace_back(id, key);
    return true;
}

bool Keyring::retire(std::uint32_t id) {
    for (std::size_t i = 0; i < keys.size(); ++i) {
        if (keys[i].first != id) continue;
        // Shift by assignment (no temporaries), then wipe the vacated last slot.
        for (std::size_t j = i; j + 1 < keys.size(); ++j) keys[j] = keys[j + 1];
        wipe(keys.back().second);
        keys.pop_back();
        return true;
    }
    return false;
}

// ---- [SECTION] mint ----------------------------------------------------------

bool validTokenText(std::string_view s, std::size_t maxBytes) {
    if (s.empty() || s.size() > maxBytes) return false;
    for (unsigned char c : s)
        if (c < 0x20 || c == 0x7F) return false;
    return true;
}

std::array<std::uint8_t, kTokenAdBytes> tokenAdditionalData(const TokenWire& t) {
    std::array<std::uint8_t, kTokenAdBytes> ad{};
    ByteWriter w(ad);
    const bool ok = w.u8(t.format) && w.u32(t.protocolVersion) && w.u32(t.keyId) && w.u64(t.expiresUnix);
    assert(ok && w.size() == kTokenAdBytes);
    (void)ok;
    return ad;
}

namespace {

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

core::Result<ConnectToken> mintToken(const MintDesc& desc, const Keyring& keys, RandomSource& random) {
    if (keys.empty()) return core::Error{"no deployment key to seal the token with"};
    if (!validTokenText(desc.roomCode, kTokenRoomMax))
        return core::Error{"room code must be 1 to 32 bytes without control characters"};
    if (!validTokenText(desc.displayName, kTokenNameMax))
        return core::Error{"display name must be 1 to 48 bytes without control characters"};
    if (desc.role >= core::Role::Count) return core::Error{"unknown role"};
    if (desc.lifetimeSeconds == 0 || desc.lifetimeSeconds > kMaxTokenLifetime)
        return core::Error{"lifetime must be 1 second to 366 days"};
    if (desc.nowUnix > UINT64_MAX - desc.lifetimeSeconds) return core::Error{"creation time out of range"};

    ConnectToken tok;
    TokenGrant& g = tok.grant;
    g.userId = desc.userId;
    g.createdUnix = desc.nowUnix;
    g.expiresUnix = desc.nowUnix + desc.lifetimeSeconds;
    g.keyId = keys.currentId();
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
    t.keyId = g.keyId;
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
    const auto ad = tokenAdditionalData(t);
    const bool sealed = xaeadSeal(t.sealed, plain, ad, t.nonce, *keys.current());
    wipe(plain);
    if (!sealed) return core::Error{"sealing the token failed"};
    return tok;
}

core::Result<ConnectToken> mintToken(const MintDesc& desc, const Key& secret, RandomSource& random) {
    const Keyring one(secret);
    return mintToken(desc, one, random);
}

// ---- [SECTION] wire part -----------------------------------------------------

bool writeTokenWire(const TokenWire& t, ByteWriter& w) {
    return w.u8(t.format) && w.u32(t.protocolVersion) && w.u32(t.keyId) && w.u64(t.expiresUnix) && w.bytes(t.nonce) &&
           w.bytes(t.sealed);
}

bool readTokenWire(ByteReader& r, TokenWire& t) {
    return r.u8(t.format) && r.u32(t.protocolVersion) && r.u32(t.keyId) && r.u64(t.expiresUnix) && r.bytes(t.nonce) &&
           r.bytes(t.sealed);
}

// ---- [SECTION] open ----------------------------------------------------------

namespace {

// `key` is the deployment key named by t.keyId, or nullptr when unknown.
TokenCheck openWith(const TokenWire& t, const Key* key, std::uint64_t nowUnix, const TokenPolicy& policy) {
    TokenCheck out;
    if (t.format != kTokenFormat || t.protocolVersion != net::kProtocolVersion) {
        out.refusal = Refusal::Version;
        return out;
    }
    if (!key) {
        out.refusal = Refusal::UnknownKey;
        return out;
    }
    // Expiry is checked before the (costlier) AEAD; a tampered expiry would
    // fail the AEAD anyway because it is additional data.
    if (nowUnix >= t.expiresUnix) {
        out.refusal = Refusal::Expired;
        return out;
    }
    std::array<std::uint8_t, kTokenPrivateBytes> plain{};
    const auto ad = tokenAdditionalData(t);
    if (!xaeadOpen(plain, t.sealed, ad, t.nonce, *key)) {
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
    Refusal why = Refusal::Malformed;
    if (ok && role >= static_cast<std::uint8_t>(core::Role::Count)) ok = false;
    // Time checks on the sealed creation time: the minting tool's clock (or
    // its --now) cannot stretch a token past the server's own maximum.
    if (ok && (g.createdUnix >= t.expiresUnix || t.expiresUnix - g.createdUnix > policy.maxLifetimeSeconds)) {
        ok = false;
        why = Refusal::BadLifetime;
    }
    if (ok && g.createdUnix > nowUnix && g.createdUnix - nowUnix > policy.clockSkewSeconds) {
        ok = false;
        why = Refusal::NotYetValid;
    }
    if (!ok) {
        wipe(g.clientToServer);
        wipe(g.serverToClient);
        out.grant = TokenGrant{};
        out.refusal = why;
        return out;
    }
    g.role = static_cast<core::Role>(role);
    g.expiresUnix = t.expiresUnix;
    g.keyId = t.keyId;
    out.ok = true;
    return out;
}

} // namespace

TokenCheck openToken(const TokenWire& t, const Keyring& keys, std::uint64_t nowUnix, const TokenPolicy& policy) {
    return openWith(t, keys.find(t.keyId), nowUnix, policy);
}

TokenCheck openToken(const TokenWire& t, const Key& secret, std::uint64_t nowUnix, const TokenPolicy& policy) {
    // keyIdOf is one BLAKE2b block: cheap next to the AEAD.
    return openWith(t, t.keyId == keyIdOf(secret) ? &secret : nullptr, nowUnix, policy);
}

// ---- [SECTION] token files ---------------------------------------------------

namespace {
constexpr std::array<std::uint8_t, 8> kFileMagic{'C', 'R', 'T', 'O', 'K', 'E', 'N', '2'};
constexpr std::array<std::uint8_t, 7> kMagicStem{'C', 'R', 'T', 'O', 'K', 'E', 'N'};
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

std::string modeText(mode_t m) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(m & 07777));
    return buf;
}

core::Error fileError(const std::string& path, const std::string& what) {
    return core::Error{"token file " + path + ": " + what};
}

bool writeAll(int fd, std::span<const std::uint8_t> bytes) {
    std::size_t put = 0;
    while (put < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + put, bytes.size() - put);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        put += static_cast<std::size_t>(n);
    }
    return true;
}

// fsync of the folder holding `path`, so a rename or a new name is durable.
bool syncParent(const std::string& path) {
    const auto slash = path.find_last_of('/');
    const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return false;
    const bool ok = ::fsync(fd) == 0;
    ::close(fd);
    return ok;
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
    ByteReader r(bytes);
    std::array<std::uint8_t, 8> magic{};
    if (!r.bytes(magic) || !std::equal(kMagicStem.begin(), kMagicStem.end(), magic.begin()))
        return bad("not a CaseRoom token (bad magic)");
    if (magic[7] == '1')
        return core::Error{"token file " + std::string(source) +
                           " is format 1; ask the coordinator for a new invitation"};
    if (magic != kFileMagic) return bad("unknown token file format (made by another CaseRoom version)");
    if (bytes.size() > kMaxTokenFileBytes) return bad("too large to be a CaseRoom token");
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
    if (tok.wire.keyId == 0) return bad("key id 0 (damaged)");
    g.expiresUnix = tok.wire.expiresUnix;
    g.keyId = tok.wire.keyId;
    return tok;
}

core::Status writePrivateFile(const std::string& path, std::span<const std::uint8_t> bytes, std::string_view label) {
    const auto fail = [&](const std::string& what) { return core::Error{std::string(label) + " " + path + ": " + what}; };
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0) {
        if (S_ISLNK(st.st_mode)) return fail("is a symbolic link; give the real path (nothing written)");
        if (!S_ISREG(st.st_mode)) return fail("exists and is not a regular file (nothing written)");
    } else if (errno != ENOENT) {
        return fail(std::string("cannot check it: ") + std::strerror(errno));
    }
    // A fresh temporary next to the target: O_EXCL never opens an existing
    // file or follows a planted link; rename() then replaces the target whole.
    const auto slash = path.find_last_of('/');
    const std::string dir = slash == std::string::npos ? "" : path.substr(0, slash + 1);
    const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
    std::string tmp;
    int fd = -1;
    for (int attempt = 0; attempt < 100 && fd < 0; ++attempt) {
        tmp = dir + "." + base + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(attempt);
        fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0 && errno != EEXIST) break;
    }
    if (fd < 0) return fail(std::string("cannot create a temporary file beside it: ") + std::strerror(errno));
    (void)::fchmod(fd, 0600); // the umask may only remove bits, but be explicit
    const bool written = writeAll(fd, bytes);
    const bool synced = written && ::fsync(fd) == 0;
    if (::close(fd) != 0 || !synced) {
        ::unlink(tmp.c_str());
        return fail("cannot write it (disk full?)");
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        const int e = errno;
        ::unlink(tmp.c_str());
        return fail(std::string("cannot replace it: ") + std::strerror(e));
    }
    if (!syncParent(path)) return fail("written, but its folder could not be synced to disk");
    return {};
}

core::Status writeTokenFile(const std::string& path, const ConnectToken& token) {
    auto bytes = encodeTokenFile(token);
    auto st = writePrivateFile(path, bytes, "token file");
    wipe(bytes);
    return st;
}

std::string tokenFileModeProblem(const std::string& path, unsigned mode) {
    if ((mode & 077) == 0) return {};
    return "token file " + path + " has mode " + modeText(mode) + ": group or others may read the invitation's keys; run: chmod 600 " + path;
}

core::Result<ConnectToken> readTokenFile(const std::string& path) {
    // O_NONBLOCK: a FIFO planted at the path must not hang the reader.
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return fileError(path, std::string("cannot open: ") + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        return fileError(path, "not a regular file");
    }
    if (const std::string problem = tokenFileModeProblem(path, st.st_mode); !problem.empty()) {
        ::close(fd);
        return core::Error{problem};
    }
    std::vector<std::uint8_t> bytes(kMaxTokenFileBytes + 1);
    std::size_t got = 0;
    while (got < bytes.size()) {
        const ssize_t n = ::read(fd, bytes.data() + got, bytes.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            const int e = errno;
            ::close(fd);
            wipe(bytes);
            return fileError(path, std::string("cannot read: ") + std::strerror(e));
        }
        if (n == 0) break;
        got += static_cast<std::size_t>(n);
    }
    ::close(fd);
    auto tok = decodeTokenFile(std::span(bytes).first(got), path);
    wipe(bytes);
    return tok;
}

} // namespace caseroom::net::secure
