// Token files and token private parts. Input modes by the first byte:
//   even: the bytes are a token file: decodeTokenFile, then openToken with a fixed key
//   odd:  the rest (first 176 bytes, zero-filled) is sealed as a private part
//         with the fixed key and opened, reaching the post-AEAD parser
#include <algorithm>
#include <cstdint>
#include <span>

#include "net/secure/token.h"

using namespace caseroom::net::secure;

namespace {
Key fixedKey() {
    Key k{};
    for (std::size_t i = 0; i < k.size(); ++i) k[i] = static_cast<std::uint8_t>(i * 7 + 1);
    return k;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const bool ready = initCrypto();
    if (!ready || size < 1) return 0;
    const Key key = fixedKey();
    const std::span<const std::uint8_t> rest(data + 1, size - 1);
    if ((data[0] & 1) == 0) {
        auto tok = decodeTokenFile(rest, "fuzz");
        if (tok.ok()) (void)openToken(tok->wire, key, 1'800'000'000);
        return 0;
    }
    TokenWire w;
    w.protocolVersion = 1;
    w.expiresUnix = 1'900'000'000;
    std::array<std::uint8_t, kTokenPrivateBytes> plain{};
    std::copy_n(rest.begin(), std::min(rest.size(), plain.size()), plain.begin());
    std::array<std::uint8_t, 13> ad{};
    ByteWriter aw(ad);
    (void)(aw.u8(w.format) && aw.u32(w.protocolVersion) && aw.u64(w.expiresUnix));
    if (!xaeadSeal(w.sealed, plain, ad, w.nonce, key)) return 0;
    const TokenCheck c = openToken(w, key, 1'800'000'000);
    if (c.ok && (c.grant.roomCode.empty() || c.grant.displayName.empty())) __builtin_trap();
    return 0;
}
