// The desktop client's pasted-token decoder (client/room_link.cpp,
// decodePastedToken): base64 text from the clipboard, untrusted.
// Input: [mode byte][rest]. Mode bit 0 clear: `rest` is the pasted text.
// Mode bit 0 set: `rest` is token bytes, pasted as `base64 -w0` prints them
// (with line breaks and spaces when bit 1 is set).
// Properties: nothing crashes; a decode never yields more than the 4 KiB a
// token may take (plus the byte that trips the check) and never yields
// nothing without an error; text of valid base64 decodes to exactly the bytes
// it encodes; an error says "pasted token".
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "room_link.h"

namespace {
std::string base64(const std::uint8_t* p, std::size_t n, bool wrap) {
    static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    for (std::size_t i = 0; i < n; i += 3) {
        const std::uint32_t b0 = p[i], b1 = i + 1 < n ? p[i + 1] : 0, b2 = i + 2 < n ? p[i + 2] : 0;
        const std::uint32_t v = (b0 << 16) | (b1 << 8) | b2;
        out += k[(v >> 18) & 63];
        out += k[(v >> 12) & 63];
        out += i + 1 < n ? k[(v >> 6) & 63] : '=';
        out += i + 2 < n ? k[v & 63] : '=';
        if (wrap && out.size() % 77 == 76) out += (i / 3) % 2 ? "\r\n" : " \t";
    }
    return out;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::uint8_t mode = data[0];
    const std::uint8_t* rest = data + 1;
    const std::size_t n = size - 1;
    if (mode & 1) {
        const std::string text = base64(rest, n, (mode & 2) != 0);
        auto r = caseroom::client::decodePastedToken(text);
        if (n == 0 || n > 4096) {
            if (r) std::abort(); // empty or too long: refused
            return 0;
        }
        if (!r || r->size() != n || !std::equal(r->begin(), r->end(), rest)) std::abort();
        return 0;
    }
    const std::string text(reinterpret_cast<const char*>(rest), n);
    auto r = caseroom::client::decodePastedToken(text);
    if (r) {
        if (r->empty() || r->size() > 4096) std::abort();
    } else if (r.error().message.find("pasted token") == std::string::npos) {
        std::abort();
    }
    return 0;
}
