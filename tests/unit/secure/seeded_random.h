// A deterministic RandomSource for tests only: reproducible, NOT secure.
#pragma once
#include "core/rng.h"
#include "net/secure/crypto.h"

namespace caseroom::test {

class SeededRandom final : public net::secure::RandomSource {
public:
    explicit SeededRandom(std::uint64_t seed) : rng_(seed) {}
    void fill(std::span<std::uint8_t> out) override {
        for (auto& b : out) b = static_cast<std::uint8_t>(rng_.next() >> 56);
    }

private:
    core::Rng rng_;
};

} // namespace caseroom::test
