// Shared fixtures for the fuzz harnesses and the seed maker: a fixed
// deployment key, a deterministic random source and one token, so the seeds
// committed in corpus/ are valid for the harnesses. Not secure: fuzzing only.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>

#include "core/rng.h"
#include "net/secure/token.h"

namespace caseroom::fuzz {

// Reads a fuzz input as a script: little-endian integers and byte runs; a
// read past the end fails (and may have consumed what was left).
struct InputReader {
    const std::uint8_t* p;
    std::size_t left;
    bool u8(std::uint8_t& v) {
        if (left < 1) return false;
        v = *p++;
        --left;
        return true;
    }
    bool u16(std::uint16_t& v) {
        std::uint8_t a = 0, b = 0;
        if (!u8(a) || !u8(b)) return false;
        v = static_cast<std::uint16_t>(a | (b << 8));
        return true;
    }
    bool u32(std::uint32_t& v) {
        std::uint16_t a = 0, b = 0;
        if (!u16(a) || !u16(b)) return false;
        v = a | (static_cast<std::uint32_t>(b) << 16);
        return true;
    }
    // Up to n bytes (fewer at the end).
    std::span<const std::uint8_t> take(std::size_t n) {
        if (n > left) n = left;
        std::span<const std::uint8_t> out(p, n);
        p += n;
        left -= n;
        return out;
    }
};

constexpr std::uint64_t kNow = 1'800'000'000;

class Deterministic final : public net::secure::RandomSource {
public:
    explicit Deterministic(std::uint64_t seed) : rng_(seed) {}
    void fill(std::span<std::uint8_t> out) override {
        for (auto& b : out) b = static_cast<std::uint8_t>(rng_.next() >> 56);
    }

private:
    core::Rng rng_;
};

inline const net::secure::Key& secretKey() {
    static const net::secure::Key k = [] {
        net::secure::Key key{};
        for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::uint8_t>(0xA5 ^ (i * 13));
        return key;
    }();
    return k;
}

// A token for room "demo", valid around kNow, minted with secretKey().
inline const net::secure::ConnectToken& token() {
    static const net::secure::ConnectToken t = [] {
        Deterministic rnd(7);
        net::secure::MintDesc d;
        d.userId = 3;
        d.displayName = "Fuzz Spoke";
        d.roomCode = "demo";
        d.nowUnix = kNow - 10;
        d.lifetimeSeconds = 86400;
        auto r = net::secure::mintToken(d, secretKey(), rnd);
        return r.ok() ? *r : net::secure::ConnectToken{};
    }();
    return t;
}

} // namespace caseroom::fuzz
