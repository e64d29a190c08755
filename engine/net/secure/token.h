// Connect tokens, after netcode.io. A deployment secret key seals a private
// part that only servers can open; the client holds the whole token (a file)
// and presents its wire part in the handshake.
//
// Wire part (what travels in the connection request), little-endian, 229 bytes:
//   u8  format (kTokenFormat)      u32 protocol version     u64 expires (unix s)
//   24  XChaCha20 nonce (random)   192 sealed private part (176 + 16-byte tag)
// The AEAD additional data is [format][protocol][expires], so a changed public
// field makes the token forged.
// Private part (plaintext, 176 bytes, trailing bytes zero):
//   u64 token id (random)  u64 user id  u64 created (unix s)  u8 role
//   u8 room length, 32 room bytes   u8 name length, 48 name bytes
//   32 client-to-server key   32 server-to-client key
// Token file (client's copy): "CRTOKEN1", the wire part, both keys, then the
// token id, user id, created, role, room and name in the clear for the client's use.
// The file holds the session keys: it is a credential, written mode 0600.
// Layout and reason codes are documented in docs/SECURITY.md.
#pragma once
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/role.h"
#include "net/secure/bytes.h"
#include "net/secure/crypto.h"

namespace caseroom::net::secure {

constexpr std::uint8_t kTokenFormat = 1;
constexpr std::size_t kTokenPrivateBytes = 176;
constexpr std::size_t kTokenSealedBytes = kTokenPrivateBytes + kMacBytes;
constexpr std::size_t kTokenWireBytes = 1 + 4 + 8 + kXNonceBytes + kTokenSealedBytes;
constexpr std::size_t kTokenNonceOffset = 1 + 4 + 8; // where the random nonce starts in the wire part
constexpr std::size_t kTokenRoomMax = 32;  // = net::kMaxRoomCode
constexpr std::size_t kTokenNameMax = 48;  // = net::kMaxDisplayName
constexpr std::uint64_t kMaxTokenLifetime = 60ull * 60 * 24 * 366; // seconds

// Why a join was refused before any room slot was given. Stable codes: they
// travel in the Denied datagram and clients print describe() to the user.
enum class Refusal : std::uint8_t { Forged, Expired, WrongRoom, AlreadyUsed, Malformed, Version, ServerFull, Revoked, Count };
const char* toString(Refusal r);  // short code, e.g. "expired"
const char* describe(Refusal r);  // plain words for the person joining

// The token as the server sees it after opening the private part.
struct TokenGrant {
    std::uint64_t tokenId = 0;
    std::uint64_t userId = 0;
    std::uint64_t createdUnix = 0;
    std::uint64_t expiresUnix = 0;
    std::string roomCode;
    std::string displayName;
    core::Role role = core::Role::Spoke;
    Key clientToServer{};
    Key serverToClient{};
};

// The part of the token that travels in the connection request.
struct TokenWire {
    std::uint8_t format = kTokenFormat;
    std::uint32_t protocolVersion = 0;
    std::uint64_t expiresUnix = 0;
    XNonce nonce{};
    std::array<std::uint8_t, kTokenSealedBytes> sealed{};
};

// The client's whole token (the token file).
struct ConnectToken {
    TokenWire wire;
    TokenGrant grant; // the client's clear copy; the server trusts only the sealed one
};

struct MintDesc {
    std::uint64_t userId = 0;
    std::string displayName;
    std::string roomCode;
    core::Role role = core::Role::Spoke;
    std::uint64_t nowUnix = 0;          // creation time, passed in
    std::uint64_t lifetimeSeconds = 3600;
    std::uint32_t protocolVersion = 0;  // 0: net::kProtocolVersion
};

// Names and room codes: 1..max bytes, no control characters.
[[nodiscard]] bool validTokenText(std::string_view s, std::size_t maxBytes);

// Mints a token with fresh random keys, token id and nonce. Errors name the bad field.
[[nodiscard]] core::Result<ConnectToken> mintToken(const MintDesc& desc, const Key& secret, RandomSource& random);

// Encodes / decodes the wire part. Reading is bounds-checked and consumes exactly kTokenWireBytes.
[[nodiscard]] bool writeTokenWire(const TokenWire& t, ByteWriter& w);
[[nodiscard]] bool readTokenWire(ByteReader& r, TokenWire& t);

// Deployment keys a server accepts: the first one mints, the rest are still
// accepted (rotation overlap). Placeholder until key ids land in the token.
struct Keyring {
    std::vector<Key> keys;
    Keyring() = default;
    explicit Keyring(const Key& k) : keys{k} {}
    ~Keyring() { for (auto& k : keys) wipe(k); }
    Keyring(const Keyring&) = default;
    Keyring& operator=(const Keyring&) = default;
};

struct TokenPolicy {
    std::uint64_t maxLifetimeSeconds = kMaxTokenLifetime;
    std::uint64_t clockSkewSeconds = 300;
};

struct TokenCheck {
    bool ok = false;
    Refusal refusal = Refusal::Malformed;
    TokenGrant grant; // valid when ok
};
// Checks version and expiry, opens the sealed part with `secret` and parses it.
// Room and reuse checks belong to the caller (ServerHandshake), which knows
// the rooms and the admitted tokens. Allocates nothing on the failure paths
// before the AEAD succeeds.
[[nodiscard]] TokenCheck openToken(const TokenWire& t, const Key& secret, std::uint64_t nowUnix);
[[nodiscard]] TokenCheck openToken(const TokenWire& t, const Keyring& keys, std::uint64_t nowUnix, const TokenPolicy& policy = {});

// Token files. Errors name the file and the problem.
[[nodiscard]] std::vector<std::uint8_t> encodeTokenFile(const ConnectToken& token);
[[nodiscard]] core::Result<ConnectToken> decodeTokenFile(std::span<const std::uint8_t> bytes, std::string_view source);
[[nodiscard]] core::Status writeTokenFile(const std::string& path, const ConnectToken& token);
[[nodiscard]] core::Result<ConnectToken> readTokenFile(const std::string& path);

} // namespace caseroom::net::secure
