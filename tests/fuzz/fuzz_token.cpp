// Token files and token private parts. Input modes by the first byte:
//   bit 0 clear: the rest is a token file: decodeTokenFile, then openToken
//                with a keyring holding the fixed key (and, with bit 1, a
//                second key first, so the fixed key is a previous one)
//   bit 0 set:   the next 8 bytes are `created` and the next 176 (zero-filled)
//                are a private part, sealed with the fixed key and opened,
//                reaching the post-AEAD parser and the time checks. Bits 1-3
//                pick the policy (lifetime cap, skew) and `now`.
#include <algorithm>
#include <cstdint>
#include <span>

#include "net/messages.h"
#include "net/secure/token.h"

using namespace caseroom::net::secure;

namespace {
Key fixedKey() {
    Key k{};
    for (std::size_t i = 0; i < k.size(); ++i) k[i] = static_cast<std::uint8_t>(0xA5 ^ (i * 13)); // = fuzz::secretKey()
    return k;
}
Key otherKey() {
    Key k{};
    for (std::size_t i = 0; i < k.size(); ++i) k[i] = static_cast<std::uint8_t>(i * 7 + 1);
    return k;
}
constexpr std::uint64_t kNow = 1'800'000'000; // = fuzz::kNow
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const bool ready = initCrypto();
    if (!ready || size < 1) return 0;
    const std::uint8_t mode = data[0];
    const std::span<const std::uint8_t> rest(data + 1, size - 1);
    Keyring ring;
    if (mode & 2) (void)ring.add(otherKey());
    (void)ring.add(fixedKey());
    if ((mode & 1) == 0) {
        auto tok = decodeTokenFile(rest, "fuzz");
        if (!tok.ok()) return 0;
        const TokenCheck c = openToken(tok->wire, ring, kNow);
        if (c.ok && (c.grant.keyId != tok->wire.keyId || ring.find(c.grant.keyId) == nullptr)) __builtin_trap();
        // Round trip: what decodes re-encodes to the same bytes.
        const auto again = encodeTokenFile(*tok);
        if (!std::equal(again.begin(), again.end(), rest.begin(), rest.end())) __builtin_trap();
        return 0;
    }
    std::uint64_t created = 0;
    for (std::size_t i = 0; i < 8 && i < rest.size(); ++i) created |= static_cast<std::uint64_t>(rest[i]) << (8 * i);
    const auto priv = rest.size() > 8 ? rest.subspan(8) : std::span<const std::uint8_t>{};
    const Key key = fixedKey();
    TokenWire w;
    w.protocolVersion = caseroom::net::kProtocolVersion;
    w.keyId = keyIdOf(key);
    w.expiresUnix = kNow + 3600;
    std::array<std::uint8_t, kTokenPrivateBytes> plain{};
    std::copy_n(priv.begin(), std::min(priv.size(), plain.size()), plain.begin());
    // The private part's created field comes from the input header unless the
    // input is long enough to carry its own.
    if (priv.size() < 24)
        for (std::size_t i = 0; i < 8; ++i) plain[16 + i] = static_cast<std::uint8_t>(created >> (8 * i));
    if (!xaeadSeal(w.sealed, plain, tokenAdditionalData(w), w.nonce, key)) return 0;
    TokenPolicy policy;
    if (mode & 4) policy.maxLifetimeSeconds = 600;
    if (mode & 8) policy.clockSkewSeconds = 0;
    const std::uint64_t now = (mode & 16) ? created : kNow;
    const TokenCheck c = openToken(w, ring, now, policy);
    if (c.ok) {
        if (c.grant.roomCode.empty() || c.grant.displayName.empty()) __builtin_trap();
        if (c.grant.createdUnix >= c.grant.expiresUnix) __builtin_trap();
        if (c.grant.expiresUnix - c.grant.createdUnix > policy.maxLifetimeSeconds) __builtin_trap();
        if (c.grant.createdUnix > now && c.grant.createdUnix - now > policy.clockSkewSeconds) __builtin_trap();
    }
    return 0;
}
