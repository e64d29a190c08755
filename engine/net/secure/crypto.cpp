#include "net/secure/crypto.h"

#include <sodium.h>

namespace caseroom::net::secure {

bool initCrypto() { return sodium_init() >= 0; }

void SystemRandom::fill(std::span<std::uint8_t> out) {
    if (!out.empty()) randombytes_buf(out.data(), out.size());
}

bool aeadSeal(std::span<std::uint8_t> out, std::span<const std::uint8_t> plain, std::span<const std::uint8_t> ad,
              const Nonce& nonce, const Key& key) {
    if (out.size() != plain.size() + kMacBytes) return false;
    unsigned long long len = 0;
    return crypto_aead_chacha20poly1305_ietf_encrypt(out.data(), &len, plain.data(), plain.size(), ad.data(), ad.size(),
                                                     nullptr, nonce.data(), key.data()) == 0;
}

bool aeadOpen(std::span<std::uint8_t> out, std::span<const std::uint8_t> cipher, std::span<const std::uint8_t> ad,
              const Nonce& nonce, const Key& key) {
    if (cipher.size() < kMacBytes || out.size() != cipher.size() - kMacBytes) return false;
    unsigned long long len = 0;
    return crypto_aead_chacha20poly1305_ietf_decrypt(out.data(), &len, nullptr, cipher.data(), cipher.size(), ad.data(),
                                                     ad.size(), nonce.data(), key.data()) == 0;
}

bool xaeadSeal(std::span<std::uint8_t> out, std::span<const std::uint8_t> plain, std::span<const std::uint8_t> ad,
               const XNonce& nonce, const Key& key) {
    if (out.size() != plain.size() + kMacBytes) return false;
    unsigned long long len = 0;
    return crypto_aead_xchacha20poly1305_ietf_encrypt(out.data(), &len, plain.data(), plain.size(), ad.data(),
                                                      ad.size(), nullptr, nonce.data(), key.data()) == 0;
}

bool xaeadOpen(std::span<std::uint8_t> out, std::span<const std::uint8_t> cipher, std::span<const std::uint8_t> ad,
               const XNonce& nonce, const Key& key) {
    if (cipher.size() < kMacBytes || out.size() != cipher.size() - kMacBytes) return false;
    unsigned long long len = 0;
    return crypto_aead_xchacha20poly1305_ietf_decrypt(out.data(), &len, nullptr, cipher.data(), cipher.size(),
                                                      ad.data(), ad.size(), nonce.data(), key.data()) == 0;
}

Key deriveKey(const Key& key, std::span<const std::span<const std::uint8_t>> parts) {
    crypto_generichash_state st;
    crypto_generichash_init(&st, key.data(), key.size(), kKeyBytes);
    for (const auto& p : parts) crypto_generichash_update(&st, p.data(), p.size());
    Key out{};
    crypto_generichash_final(&st, out.data(), out.size());
    sodium_memzero(&st, sizeof st);
    return out;
}

KxKeyPair::~KxKeyPair() { wipe(secretKey); }
KxShared::~KxShared() {
    wipe(toServer);
    wipe(toClient);
}

void kxKeyPair(RandomSource& random, KxKeyPair& out) {
    static_assert(crypto_kx_PUBLICKEYBYTES == kKxPublicBytes && crypto_kx_SECRETKEYBYTES == kKxSecretBytes &&
                  crypto_kx_SEEDBYTES == kKeyBytes && crypto_kx_SESSIONKEYBYTES == kKeyBytes);
    Key seed{};
    random.fill(seed);
    crypto_kx_seed_keypair(out.publicKey.data(), out.secretKey.data(), seed.data());
    wipe(seed);
}

bool kxClientShared(const KxKeyPair& client, const KxPublic& server, KxShared& out) {
    // crypto_kx: rx = what the client receives (server-to-client), tx = what it sends.
    return crypto_kx_client_session_keys(out.toClient.data(), out.toServer.data(), client.publicKey.data(),
                                         client.secretKey.data(), server.data()) == 0;
}

bool kxServerShared(const KxKeyPair& server, const KxPublic& client, KxShared& out) {
    return crypto_kx_server_session_keys(out.toServer.data(), out.toClient.data(), server.publicKey.data(),
                                         server.secretKey.data(), client.data()) == 0;
}

bool equalConstantTime(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
    return a.size() == b.size() && (a.empty() || sodium_memcmp(a.data(), b.data(), a.size()) == 0);
}

void wipe(std::span<std::uint8_t> bytes) {
    if (!bytes.empty()) sodium_memzero(bytes.data(), bytes.size());
}

} // namespace caseroom::net::secure
