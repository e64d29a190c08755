// The secure channel: every message after the handshake, in both directions,
// is sealed with ChaCha20-Poly1305 under the connection's per-direction key.
//
// Packet: [u64 counter, little-endian][ciphertext][16-byte tag]  (24 bytes overhead)
// Nonce:  [ENet channel id][0][0][0][u64 counter]; AD: [ENet channel id].
// Each ENet channel has its own 64-bit send counter and its own replay window
// (kReplayWindow counters), because ENet reorders across channels (a reliable
// resend can trail hundreds of unreliable packets). A counter at or below the
// window, or one already seen, is dropped before decryption; the window moves
// only after the tag verifies, so forged packets cannot shift it.
// Keys are per connection (see handshake.h), so a counter restarting at 0 on a
// new connection or server start never repeats a (key, nonce) pair.
// Thread rule: one thread per object. seal/open do not allocate when `out`
// already has capacity.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "net/secure/crypto.h"
#include "net/secure/handshake.h"

namespace caseroom::net::secure {

constexpr std::size_t kChannelHeaderBytes = 8;
constexpr std::size_t kChannelOverhead = kChannelHeaderBytes + kMacBytes;
constexpr std::uint32_t kReplayWindow = 1024;   // counters remembered per channel (>= 256 required)
constexpr std::size_t kMaxSecureChannels = 8;   // ENet channel ids 0..7

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

enum class OpenResult : std::uint8_t { Ok, Short, BadChannel, Forged, Replayed, TooOld, Count };
const char* toString(OpenResult r);

struct ChannelStats {
    std::uint64_t sealed = 0;
    std::uint64_t opened = 0;
    std::array<std::uint64_t, static_cast<std::size_t>(OpenResult::Count)> dropped{}; // by reason (Ok unused)
};

class SecureChannel {
public:
    explicit SecureChannel(const SessionKeys& keys) : keys_(keys) {}
    ~SecureChannel();
    SecureChannel(const SecureChannel&) = delete;
    SecureChannel& operator=(const SecureChannel&) = delete;
    SecureChannel(SecureChannel&&) = default;
    SecureChannel& operator=(SecureChannel&&) = default;

    // Seals `plain` for ENet channel `channel` into `out` (resized to
    // plain.size() + kChannelOverhead). False for a channel id out of range.
    [[nodiscard]] bool seal(std::uint8_t channel, std::span<const std::uint8_t> plain, std::vector<std::uint8_t>& out);
    // Opens a packet that arrived on `channel` into `out`. Anything but Ok
    // means: drop the packet (counted in stats(); feed the strike counter).
    [[nodiscard]] OpenResult open(std::uint8_t channel, std::span<const std::uint8_t> packet, std::vector<std::uint8_t>& out);

    [[nodiscard]] const ChannelStats& stats() const { return stats_; }
    [[nodiscard]] std::uint64_t nextSendCounter(std::uint8_t channel) const { return sendCounter_[channel % kMaxSecureChannels]; }

private:
    SessionKeys keys_;
    std::array<std::uint64_t, kMaxSecureChannels> sendCounter_{};
    std::array<ReplayWindow, kMaxSecureChannels> windows_{};
    ChannelStats stats_;
};

} // namespace caseroom::net::secure
