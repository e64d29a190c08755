// Limits on hostile or broken peers: pure logic, time passed in as seconds.
//  - TokenBucket: `rate` per second, up to `burst` saved.
//  - PeerRateLimiter: per message class (the ENet channel), a message-count
//    bucket, a byte bucket and a maximum message size.
//  - AddressPeerCap: at most N live peers per source IPv4 address.
//  - StrikeCounter: bad packets add strikes that decay over time; past the
//    threshold the verdict is Disconnect.
// Thread rule: one thread per object. Nothing here allocates after construction,
// except AddressPeerCap, which holds one entry per distinct live address.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <unordered_map>

namespace caseroom::net::secure {

class TokenBucket {
public:
    TokenBucket() = default;
    TokenBucket(double ratePerSecond, double burst, double now) : rate_(ratePerSecond), burst_(burst), tokens_(burst), last_(now) {}
    // Takes `cost` tokens at `now` if available. Time going backwards refills nothing.
    [[nodiscard]] bool take(double now, double cost = 1.0);
    [[nodiscard]] double available(double now) const;

private:
    double rate_ = 0, burst_ = 0, tokens_ = 0, last_ = 0;
};

constexpr std::size_t kRateClasses = 8; // indexed by ENet channel id (net::Channel)

struct ClassLimit {
    double messagesPerSecond = 60;
    double messageBurst = 120;
    double bytesPerSecond = 64 * 1024;
    double byteBurst = 128 * 1024;
    std::uint32_t maxMessageBytes = 16 * 1024;
};

struct RateLimitConfig {
    std::array<ClassLimit, kRateClasses> classes{};
    // Defaults sized to what a participant sends (see docs/SECURITY.md "Limits"):
    // control is rare, state is 30 Hz input, voice 50 Hz frames, media and
    // video are bulk.
    static RateLimitConfig defaults();
};

enum class RateVerdict : std::uint8_t { Allow, TooLarge, RateLimited, BadClass, Count };
const char* toString(RateVerdict v);

class PeerRateLimiter {
public:
    PeerRateLimiter(const RateLimitConfig& config, double now);
    // Whether a message of `bytes` on class `cls` at `now` may be processed.
    [[nodiscard]] RateVerdict admit(std::uint8_t cls, std::size_t bytes, double now);

private:
    std::array<ClassLimit, kRateClasses> limits_{};
    std::array<TokenBucket, kRateClasses> messages_{};
    std::array<TokenBucket, kRateClasses> bytes_{};
};

class AddressPeerCap {
public:
    explicit AddressPeerCap(std::uint32_t maxPerAddress) : max_(maxPerAddress) {}
    // Counts one more peer from `host`; false (and nothing counted) at the cap.
    [[nodiscard]] bool tryAdd(std::uint32_t host);
    void remove(std::uint32_t host);
    [[nodiscard]] std::uint32_t count(std::uint32_t host) const;

private:
    std::uint32_t max_;
    std::unordered_map<std::uint32_t, std::uint32_t> counts_;
};

struct StrikeConfig {
    double threshold = 20;      // strikes at which the peer is disconnected
    double decayPerSecond = 1;  // strikes forgiven per second
};

enum class StrikeVerdict : std::uint8_t { Keep, Disconnect, Count };

class StrikeCounter {
public:
    explicit StrikeCounter(StrikeConfig config = {}) : config_(config) {}
    // Records a bad packet (weight strikes) at `now`.
    [[nodiscard]] StrikeVerdict strike(double now, double weight = 1.0);
    [[nodiscard]] double score(double now) const;

private:
    StrikeConfig config_;
    double score_ = 0;
    double last_ = 0;
};

} // namespace caseroom::net::secure
