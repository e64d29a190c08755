// The crypto adapter: the only header-level view of libsodium the engine has.
// Keys are fixed-size byte arrays; AEAD is ChaCha20-Poly1305 (IETF, 12-byte
// nonce) for counter-nonce traffic and XChaCha20-Poly1305 (24-byte nonce) for
// random-nonce packets sealed under long-lived keys. Randomness is an input
// (RandomSource): SystemRandom is the real one; tests may pass a seeded one.
// Thread rule: the free functions are thread-safe once initCrypto() returned true.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace caseroom::net::secure {

constexpr std::size_t kKeyBytes = 32;
constexpr std::size_t kMacBytes = 16;       // Poly1305 tag appended to every ciphertext
constexpr std::size_t kNonceBytes = 12;     // ChaCha20-Poly1305 IETF
constexpr std::size_t kXNonceBytes = 24;    // XChaCha20-Poly1305 IETF

using Key = std::array<std::uint8_t, kKeyBytes>;
using Nonce = std::array<std::uint8_t, kNonceBytes>;
using XNonce = std::array<std::uint8_t, kXNonceBytes>;

// Initialises libsodium. Idempotent; false only if the library cannot start.
[[nodiscard]] bool initCrypto();

// Source of key material and nonces. Implementations must be unpredictable in
// production; a deterministic one is for tests only.
class RandomSource {
public:
    virtual ~RandomSource() = default;
    virtual void fill(std::span<std::uint8_t> out) = 0;
};

// libsodium's CSPRNG (getrandom on Linux).
class SystemRandom final : public RandomSource {
public:
    void fill(std::span<std::uint8_t> out) override;
};

// Seals `plain` into `out` (size plain.size() + kMacBytes). `out` may not
// overlap `plain`. Returns false only when sizes do not match.
[[nodiscard]] bool aeadSeal(std::span<std::uint8_t> out, std::span<const std::uint8_t> plain,
                            std::span<const std::uint8_t> ad, const Nonce& nonce, const Key& key);
// Opens `cipher` (tag included) into `out` (size cipher.size() - kMacBytes).
// False on a wrong size or a failed tag: the caller treats both as forged.
[[nodiscard]] bool aeadOpen(std::span<std::uint8_t> out, std::span<const std::uint8_t> cipher,
                            std::span<const std::uint8_t> ad, const Nonce& nonce, const Key& key);
[[nodiscard]] bool xaeadSeal(std::span<std::uint8_t> out, std::span<const std::uint8_t> plain,
                             std::span<const std::uint8_t> ad, const XNonce& nonce, const Key& key);
[[nodiscard]] bool xaeadOpen(std::span<std::uint8_t> out, std::span<const std::uint8_t> cipher,
                             std::span<const std::uint8_t> ad, const XNonce& nonce, const Key& key);

// Keyed BLAKE2b-256 of the concatenation of `parts`: derives per-connection
// keys from token keys and both sides' salts.
[[nodiscard]] Key deriveKey(const Key& key, std::span<const std::span<const std::uint8_t>> parts);

// X25519 key exchange (libsodium crypto_kx): each handshake makes one
// ephemeral key pair per side, so a session's keys depend on secrets that are
// wiped once the handshake ends (forward secrecy, docs/SECURITY.md).
constexpr std::size_t kKxPublicBytes = 32;
constexpr std::size_t kKxSecretBytes = 32;
using KxPublic = std::array<std::uint8_t, kKxPublicBytes>;
struct KxKeyPair {
    KxPublic publicKey{};
    std::array<std::uint8_t, kKxSecretBytes> secretKey{};
    ~KxKeyPair();
};
// A fresh key pair from `random`'s bytes (a seeded source gives a repeatable pair in tests).
void kxKeyPair(RandomSource& random, KxKeyPair& out);
// Shared keys seen from each side: `toServer` is what the client sends with,
// `toClient` what the server sends with. False when the peer's public key is
// unusable (a low-order point): the handshake treats that as forged.
struct KxShared {
    Key toServer{};
    Key toClient{};
    ~KxShared();
};
[[nodiscard]] bool kxClientShared(const KxKeyPair& client, const KxPublic& server, KxShared& out);
[[nodiscard]] bool kxServerShared(const KxKeyPair& server, const KxPublic& client, KxShared& out);

// Constant-time equality.
[[nodiscard]] bool equalConstantTime(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b);
// Zeroes memory in a way the optimiser keeps.
void wipe(std::span<std::uint8_t> bytes);

} // namespace caseroom::net::secure
