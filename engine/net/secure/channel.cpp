#include "net/secure/channel.h"

#include "net/secure/bytes.h"

namespace caseroom::net::secure {
namespace {
Nonce channelNonce(std::uint8_t channel, std::uint64_t counter) {
    Nonce n{};
    n[0] = channel;
    for (std::size_t i = 0; i < 8; ++i) n[4 + i] = static_cast<std::uint8_t>(counter >> (8 * i));
    return n;
}
} // namespace

ReplayWindow::Check ReplayWindow::check(std::uint64_t counter) const {
    if (!any_ || counter > newest_) return Check::Fresh;
    if (newest_ - counter >= kReplayWindow) return Check::TooOld;
    return bit(counter) ? Check::Replayed : Check::Fresh;
}

void ReplayWindow::accept(std::uint64_t counter) {
    if (!any_) {
        any_ = true;
        newest_ = counter;
    } else if (counter > newest_) {
        const std::uint64_t gap = counter - newest_;
        if (gap >= kReplayWindow) {
            bits_.fill(0);
        } else {
            for (std::uint64_t c = newest_ + 1; c <= counter; ++c) bits_[(c % kReplayWindow) / 64] &= ~(1ull << (c % 64));
        }
        newest_ = counter;
    }
    bits_[(counter % kReplayWindow) / 64] |= 1ull << (counter % 64);
}

const char* toString(OpenResult r) {
    switch (r) {
    case OpenResult::Ok: return "ok";
    case OpenResult::Short: return "short";
    case OpenResult::BadChannel: return "bad-channel";
    case OpenResult::Forged: return "forged";
    case OpenResult::Replayed: return "replayed";
    case OpenResult::TooOld: return "too-old";
    case OpenResult::Count: break;
    }
    return "?";
}

SecureChannel::~SecureChannel() {
    wipe(keys_.send);
    wipe(keys_.receive);
}

bool SecureChannel::seal(std::uint8_t channel, std::span<const std::uint8_t> plain, std::vector<std::uint8_t>& out) {
    if (channel >= kMaxSecureChannels) return false;
    const std::uint64_t counter = sendCounter_[channel]++;
    // 2^64 messages never happen; wrapping would reuse a nonce, so refuse.
    if (counter == UINT64_MAX) return false;
    out.resize(plain.size() + kChannelOverhead);
    ByteWriter w(out);
    (void)w.u64(counter);
    const std::array<std::uint8_t, 1> ad{channel};
    const bool ok = aeadSeal(std::span(out).subspan(kChannelHeaderBytes), plain, ad, channelNonce(channel, counter), keys_.send);
    if (ok) ++stats_.sealed;
    return ok;
}

OpenResult SecureChannel::open(std::uint8_t channel, std::span<const std::uint8_t> packet, std::vector<std::uint8_t>& out) {
    const auto drop = [&](OpenResult r) {
        ++stats_.dropped[static_cast<std::size_t>(r)];
        out.clear();
        return r;
    };
    if (channel >= kMaxSecureChannels) return drop(OpenResult::BadChannel);
    if (packet.size() < kChannelOverhead) return drop(OpenResult::Short);
    ByteReader r(packet);
    std::uint64_t counter = 0;
    (void)r.u64(counter);
    ReplayWindow& win = windows_[channel];
    switch (win.check(counter)) {
    case ReplayWindow::Check::Replayed: return drop(OpenResult::Replayed);
    case ReplayWindow::Check::TooOld: return drop(OpenResult::TooOld);
    default: break;
    }
    out.resize(packet.size() - kChannelOverhead);
    const std::array<std::uint8_t, 1> ad{channel};
    if (!aeadOpen(out, packet.subspan(kChannelHeaderBytes), ad, channelNonce(channel, counter), keys_.receive))
        return drop(OpenResult::Forged);
    win.accept(counter);
    ++stats_.opened;
    return OpenResult::Ok;
}

} // namespace caseroom::net::secure
