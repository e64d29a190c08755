// Well-formed UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing
// past U+10FFFF, no sequence cut short. The one check for names, case text
// and records that must be UTF-8 (store, clinic, caseroom-admin).
#pragma once
#include <cstdint>
#include <string_view>

namespace caseroom::core {

[[nodiscard]] inline bool validUtf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) { ++i; continue; }
        std::size_t n = 0;
        std::uint32_t cp = 0;
        if ((c & 0xE0u) == 0xC0u) { n = 1; cp = c & 0x1Fu; }
        else if ((c & 0xF0u) == 0xE0u) { n = 2; cp = c & 0x0Fu; }
        else if ((c & 0xF8u) == 0xF0u) { n = 3; cp = c & 0x07u; }
        else return false;
        if (i + n >= s.size()) return false;   // the sequence runs past the end
        for (std::size_t k = 1; k <= n; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0u) != 0x80u) return false;
            cp = (cp << 6) | (cc & 0x3Fu);
        }
        if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += n + 1;
    }
    return true;
}

} // namespace caseroom::core
