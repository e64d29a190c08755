#include "net/secure/channel.h"

#include <algorithm>

#include "net/secure/bytes.h"

namespace caseroom::net::secure {
namespace {
Nonce datagramNonce(std::uint64_t counter) {
    Nonce n{};
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
    case OpenResult::BadPrefix: return "bad-prefix";
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

std::size_t SecureChannel::seal(std::span<const std::uint8_t> plain, std::span<std::uint8_t> out) {
    // Check before taking a counter: an exhausted channel stays exhausted
    // instead of wrapping to 0 and reusing a nonce.
    if (sendCounter_ == UINT64_MAX || out.size() < plain.size() + kSealedOverhead) {
        ++stats_.sealRefused;
        return 0;
    }
    const std::uint64_t counter = sendCounter_++;
    ByteWriter w(out.first(kSealedHeaderBytes));
    (void)(w.u8(kSealedPrefix) && w.u64(counter));
    const std::size_t size = plain.size() + kSealedOverhead;
    if (!aeadSeal(out.subspan(kSealedHeaderBytes, plain.size() + kMacBytes), plain, out.first(kSealedHeaderBytes),
                  datagramNonce(counter), keys_.send)) {
        ++stats_.sealRefused;
        return 0;
    }
    ++stats_.sealed;
    return size;
}

OpenResult SecureChannel::open(std::span<const std::uint8_t> wire, std::span<std::uint8_t> out, std::size_t& size) {
    size = 0;
    const auto drop = [&](OpenResult r) {
        ++stats_.dropped[static_cast<std::size_t>(r)];
        return r;
    };
    if (wire.size() < kSealedOverhead) return drop(OpenResult::Short);
    if (wire[0] != kSealedPrefix) return drop(OpenResult::BadPrefix);
    if (out.size() < wire.size() - kSealedOverhead) return drop(OpenResult::Short);
    ByteReader r(wire.subspan(1, 8));
    std::uint64_t counter = 0;
    (void)r.u64(counter);
    switch (window_.check(counter)) {
    case ReplayWindow::Check::Replayed: return drop(OpenResult::Replayed);
    case ReplayWindow::Check::TooOld: return drop(OpenResult::TooOld);
    default: break;
    }
    const std::size_t n = wire.size() - kSealedOverhead;
    if (!aeadOpen(out.first(n), wire.subspan(kSealedHeaderBytes), wire.first(kSealedHeaderBytes), datagramNonce(counter),
                  keys_.receive))
        return drop(OpenResult::Forged);
    window_.accept(counter);
    ++stats_.opened;
    size = n;
    return OpenResult::Ok;
}

bool SecureChannel::seal(std::span<const std::uint8_t> plain, std::vector<std::uint8_t>& out) {
    out.resize(plain.size() + kSealedOverhead);
    const std::size_t n = seal(plain, std::span(out));
    out.resize(n);
    return n != 0;
}

OpenResult SecureChannel::open(std::span<const std::uint8_t> wire, std::vector<std::uint8_t>& out) {
    out.resize(wire.size() >= kSealedOverhead ? wire.size() - kSealedOverhead : 0);
    std::size_t n = 0;
    const OpenResult r = open(wire, std::span(out), n);
    out.resize(n);
    return r;
}

} // namespace caseroom::net::secure
