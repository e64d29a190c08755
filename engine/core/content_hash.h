// The name of a piece of content: the 32-byte BLAKE2b-256 hash of its bytes
// (computed in media/blob.h). Pure data, so that sim (a panel shows deck X)
// and net (fetch blob X) can name content without linking a hash library.
#pragma once
#include <array>
#include <compare>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace caseroom::core {

struct ContentHash {
    std::array<std::uint8_t, 32> bytes{};
    friend auto operator<=>(const ContentHash&, const ContentHash&) = default;

    // All zero: "no content".
    [[nodiscard]] bool empty() const {
        for (auto b : bytes)
            if (b != 0) return false;
        return true;
    }
    // 64 lowercase hex digits.
    [[nodiscard]] std::string hex() const {
        static constexpr char kDigits[] = "0123456789abcdef";
        std::string out(64, '0');
        for (std::size_t i = 0; i < bytes.size(); ++i) {
            out[2 * i] = kDigits[bytes[i] >> 4];
            out[2 * i + 1] = kDigits[bytes[i] & 15];
        }
        return out;
    }
    [[nodiscard]] std::string shortHex() const { return hex().substr(0, 12); }
    // nullopt unless exactly 64 hex digits (either case).
    static std::optional<ContentHash> fromHex(std::string_view text) {
        if (text.size() != 64) return std::nullopt;
        ContentHash h;
        for (std::size_t i = 0; i < 32; ++i) {
            const int hi = digit(text[2 * i]), lo = digit(text[2 * i + 1]);
            if (hi < 0 || lo < 0) return std::nullopt;
            h.bytes[i] = static_cast<std::uint8_t>(hi * 16 + lo);
        }
        return h;
    }

private:
    static int digit(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }
};

struct ContentHashHasher {
    std::size_t operator()(const ContentHash& h) const noexcept {
        std::size_t v = 0;
        std::memcpy(&v, h.bytes.data(), sizeof v); // a hash already: its bytes are uniform
        return v;
    }
};

} // namespace caseroom::core
