// Connect tokens, after netcode.io. A deployment secret key seals a private
// part that only servers can open; the client holds the whole token (a file)
// and presents its wire part in the handshake.
//
// Wire part (what travels in the connection request), little-endian, 233 bytes:
//   u8  format (kTokenFormat = 2)  u32 protocol version  u32 key id  u64 expires (unix s)
//   24  XChaCha20 nonce (random)   192 sealed private part (176 + 16-byte tag)
// The AEAD additional data is [format][protocol][key id][expires], so a changed
// public field makes the token forged. The key id (keyIdOf) names the
// deployment key that sealed the token, so servers can hold several keys while
// one rotates out, and a token under a key they lack is refused as UnknownKey.
// Private part (plaintext, 176 bytes, trailing bytes zero):
//   u64 token id (random)  u64 user id  u64 created (unix s)  u8 role
//   u8 room length, 32 room bytes   u8 name length, 48 name bytes
//   32 client-to-server key   32 server-to-client key
// Token file (client's copy): "CRTOKEN2", the wire part, both keys, then the
// token id, user id, created, role, room and name in the clear for the client's use.
// The file holds the session keys: it is a credential, written mode 0600 and
// refused on read when group or others may read it.
// Layout and reason codes are documented in docs/SECURITY.md.
#pragma once
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "core/role.h"
#include "net/secure/bytes.h"
#include "net/secure/crypto.h"

namespace caseroom::net::secure {

constexpr std::uint8_t kTokenFormat = 2;
constexpr std::size_t kTokenPrivateBytes = 176;
constexpr std::size_t kTokenSealedBytes = kTokenPrivateBytes + kMacBytes;
constexpr std::size_t kTokenAdBytes = 1 + 4 + 4 + 8;        // format, protocol, key id, expires
constexpr std::size_t kTokenWireNonceOffset = kTokenAdBytes; // the nonce follows the clear fields
constexpr std::size_t kTokenWireBytes = kTokenWireNonceOffset + kXNonceBytes + kTokenSealedBytes;
constexpr std::size_t kTokenRoomMax = 32;  // = net::kMaxRoomCode
constexpr std::size_t kTokenNameMax = 48;  // = net::kMaxDisplayName
constexpr std::uint64_t kMaxTokenLifetime = 60ull * 60 * 24 * 366; // seconds
constexpr std::uint64_t kDefaultClockSkew = 300;                     // seconds

// Why a join was refused before any room slot was given. Stable codes: they
// travel in the Denied datagram and clients print describe() to the user.
// New codes go before Count; existing values never change.
enum class Refusal : std::uint8_t {
    Forged, Expired, WrongRoom, AlreadyUsed, Malformed, Version, ServerFull, // 0..6 (format 1)
    UnknownKey,  // 7: key id not in the server's keyring
    NotYetValid, // 8: created later than now + clock skew
    BadLifetime, // 9: expires - created over the server's maximum, or not after created
    Revoked,     // 10: token id or user id on the revocation list
    Count
};
const char* toString(Refusal r);  // short code, e.g. "expired"
const char* describe(Refusal r);  // plain words for the person joining

// Key id of a deployment key: the first 4 bytes (little-endian) of keyed
// BLAKE2b over a fixed label. Public (it travels in clear); never 0.
[[nodiscard]] std::uint32_t keyIdOf(const Key& deploymentKey);

// The deployment keys a server accepts, with their ids. The first is the
// current key (it mints); the others are previous keys kept for a rotation
// overlap. Keys are wiped when the keyring is destroyed and when storage moves.
struct Keyring {
    std::vector<std::pair<std::uint32_t, Key>> keys;

    Keyring() = default;
    explicit Keyring(const Key& current) { (void)add(current); }
    Keyring(const Keyring&) = default;
    Keyring& operator=(const Keyring&);
    Keyring(Keyring&& other) noexcept = default; // leaves `other` empty
    Keyring& operator=(Keyring&& other) noexcept;
    ~Keyring();

    // The key with this id, or nullptr.
    [[nodiscard]] const Key* find(std::uint32_t id) const;
    // Appends `key` (the first added is the current one). False, and nothing
    // added, when a key with the same id is already present.
    bool add(const Key& key);
    // Removes the key with this id (retiring it); false if absent.
    bool retire(std::uint32_t id);
    [[nodiscard]] bool empty() const { return keys.empty(); }
    [[nodiscard]] std::size_t size() const { return keys.size(); }
    [[nodiscard]] const Key* current() const { return keys.empty() ? nullptr : &keys.front().second; }
    [[nodiscard]] std::uint32_t currentId() const { return keys.empty() ? 0 : keys.front().first; }
    void clear(); // wipes and empties
};

// The server's limits on a token's times.
struct TokenPolicy {
    std::uint64_t maxLifetimeSeconds = kMaxTokenLifetime; // expires - created may not exceed this
    std::uint64_t clockSkewSeconds = kDefaultClockSkew;   // a token created up to this far ahead of now is accepted
};

// The token as the server sees it after opening the private part.
struct TokenGrant {
    std::uint64_t tokenId = 0;
    std::uint64_t userId = 0;
    std::uint64_t createdUnix = 0;
    std::uint64_t expiresUnix = 0;
    std::uint32_t keyId = 0;
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
    std::uint32_t keyId = 0;
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

// Mints a token with fresh random keys, token id and nonce, sealed with the
// keyring's current key (whose id it carries). Errors name the bad field.
[[nodiscard]] core::Result<ConnectToken> mintToken(const MintDesc& desc, const Keyring& keys, RandomSource& random);
[[nodiscard]] core::Result<ConnectToken> mintToken(const MintDesc& desc, const Key& secret, RandomSource& random);

// The AEAD additional data of a wire part: [format][protocol][key id][expires].
[[nodiscard]] std::array<std::uint8_t, kTokenAdBytes> tokenAdditionalData(const TokenWire& t);

// Encodes / decodes the wire part. Reading is bounds-checked and consumes exactly kTokenWireBytes.
[[nodiscard]] bool writeTokenWire(const TokenWire& t, ByteWriter& w);
[[nodiscard]] bool readTokenWire(ByteReader& r, TokenWire& t);

struct TokenCheck {
    bool ok = false;
    Refusal refusal = Refusal::Malformed;
    TokenGrant grant; // valid when ok
};
// Checks, in order: format and protocol version (Version); the key id is in
// `keys` (UnknownKey); now < expires (Expired); the AEAD opens (Forged); the
// private part parses (Malformed); created < expires and expires - created <=
// policy.maxLifetimeSeconds (BadLifetime); created <= now + clockSkew
// (NotYetValid). Room, reuse and revocation checks belong to the caller
// (ServerHandshake), which knows the rooms, the admitted tokens and the
// revocation list. Allocates nothing on the failure paths before the AEAD succeeds.
[[nodiscard]] TokenCheck openToken(const TokenWire& t, const Keyring& keys, std::uint64_t nowUnix,
                                   const TokenPolicy& policy = {});
// The same with a single deployment key (a keyring of one).
[[nodiscard]] TokenCheck openToken(const TokenWire& t, const Key& secret, std::uint64_t nowUnix,
                                   const TokenPolicy& policy = {});

// Token files. Errors name the file and the problem.
[[nodiscard]] std::vector<std::uint8_t> encodeTokenFile(const ConnectToken& token);
[[nodiscard]] core::Result<ConnectToken> decodeTokenFile(std::span<const std::uint8_t> bytes, std::string_view source);
// Writes atomically: a new 0600 file in the same folder (O_EXCL, no links
// followed), fsync'd, renamed over `path`, then the folder fsync'd. Refuses a
// `path` that is a symbolic link or not a regular file.
[[nodiscard]] core::Status writeTokenFile(const std::string& path, const ConnectToken& token);
// The same atomic, 0600, no-links write for any credential file (invitations
// use it); errors start with `label` and the path ("token file PATH: ...").
[[nodiscard]] core::Status writePrivateFile(const std::string& path, std::span<const std::uint8_t> bytes,
                                            std::string_view label);
// Refuses a file that group or others may read or write (the message names the
// file, its mode and the fix) and a file that is not a regular file.
[[nodiscard]] core::Result<ConnectToken> readTokenFile(const std::string& path);
// The refusal for a token file whose mode lets group or others in (empty when
// the mode is private): every reader of token files says the same.
[[nodiscard]] std::string tokenFileModeProblem(const std::string& path, unsigned mode);

} // namespace caseroom::net::secure
