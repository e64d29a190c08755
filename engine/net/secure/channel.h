// The sealed datagram layer: after the handshake, every UDP datagram of a
// connection, in both directions, is one ChaCha20-Poly1305 ciphertext of the
// whole ENet datagram (ENet's own header and commands included), so nothing
// ENet parses is unauthenticated and nothing but the length is in the clear.
//
// Datagram: [kSealedPrefix][u64 counter, little-endian][ciphertext][16-byte tag]
//           (25 bytes overhead). AD: the first 9 bytes. Nonce: [0 0 0 0][u64 counter].
// One send counter and one replay window (kReplayWindow counters) per
// connection and direction. A counter at or below the window, or one already
// seen, is dropped before decryption; the window moves only after the tag
// verifies, so forged datagrams cannot shift it. The counter saturates: at
// 2^64-1 the channel refuses to seal rather than reuse a nonce.
// Keys are per connection (handshake.h: X25519 plus token keys), so a counter
// restarting at 0 on a new connection never repeats a (key, nonce) pair.
// Thread rule: one thread per object. seal/open never allocate (the vector
// overloads only when `out` lacks capacity).
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "net/secure/crypto.h"
#include "net/secure/handshake.h"

namespace caseroom::net::secure {

// First byte of every sealed datagram; handshake datagrams start with
// kPacketPrefix. Anything else is dropped unopened.
constexpr std::uint8_t kSealedPrefix = 0xC5;
constexpr std::size_t kSealedHeaderBytes = 1 + 8;
constexpr std::size_t kSealedOverhead = kSealedHeaderBytes + kMacBytes; // 25
constexpr std::uint32_t kReplayWindow = 1024;                          // counters remembered (>= 256 required)

[[nodiscard]] inline bool isSealedDatagram(std::span<const std::uint8_t> d) {
    return d.size() >= kSealedOverhead && d[0] == kSealedPrefix;
}

// Sliding window over 64-bit counters. Pure; no crypto.
class ReplayWindow {
public:
    enum class Check : std::uint8_t { Fresh, Replayed, TooOld, Count };
    [[nodiscard]] Check check(std::uint64_t counter) const;
    // Records `counter` as received. Call only after check() == Fresh and the tag verified.
    void accept(std::uint64_t counter);

private:
    bool bit(std::uint64_t c) const { return (bits_[(c % kReplayWindow) / 64] >> (c % 64)) & 1u; }
    std::array<std::uint64_t, kReplayWindow / 64> bits_{};
    std::uint64_t newest_ = 0;
    bool any_ = false;
};

enum class OpenResult : std::uint8_t { Ok, Short, BadPrefix, Forged, Replayed, TooOld, Count };
const char* toString(OpenResult r);

struct ChannelStats {
    std::uint64_t sealed = 0;
    std::uint64_t opened = 0;
    std::uint64_t sealRefused = 0; // counter exhausted or buffer too small
    std::array<std::uint64_t, static_cast<std::size_t>(OpenResult::Count)> dropped{}; // by reason (Ok unused)
};

class SecureChannel {
public:
    explicit SecureChannel(const SessionKeys& keys) : keys_(keys) {}
    ~SecureChannel();
    SecureChannel(const SecureChannel&) = delete;
    SecureChannel& operator=(const SecureChannel&) = delete;

    // Seals one datagram into `out`; returns the wire size, or 0 when `out` is
    // smaller than plain.size() + kSealedOverhead or the counter is exhausted.
    [[nodiscard]] std::size_t seal(std::span<const std::uint8_t> plain, std::span<std::uint8_t> out);
    // Opens one wire datagram into `out` (at least wire.size() - kSealedOverhead
    // bytes); `size` receives the plaintext size. Anything but Ok: drop it.
    [[nodiscard]] OpenResult open(std::span<const std::uint8_t> wire, std::span<std::uint8_t> out, std::size_t& size);
    // Vector conveniences (tests, benchmarks): `out` is resized to fit.
    [[nodiscard]] bool seal(std::span<const std::uint8_t> plain, std::vector<std::uint8_t>& out);
    [[nodiscard]] OpenResult open(std::span<const std::uint8_t> wire, std::vector<std::uint8_t>& out);

    [[nodiscard]] const ChannelStats& stats() const { return stats_; }
    [[nodiscard]] std::uint64_t nextSendCounter() const { return sendCounter_; }
    // Test hook: moves the send counter (exhaustion tests). Never lowers it.
    void advanceSendCounterForTest(std::uint64_t to) { if (to > sendCounter_) sendCounter_ = to; }

private:
    SessionKeys keys_;
    std::uint64_t sendCounter_ = 0;
    ReplayWindow window_;
    ChannelStats stats_;
};

} // namespace caseroom::net::secure
