#include "sim/opus_packet.h"

namespace caseroom::sim {

const char* toString(OpusMode m) {
    switch (m) {
    case OpusMode::Silk: return "SILK";
    case OpusMode::Hybrid: return "hybrid";
    case OpusMode::Celt: return "CELT";
    case OpusMode::Count: break;
    }
    return "?";
}

const char* toString(OpusPacketError e) {
    switch (e) {
    case OpusPacketError::Empty: return "empty Opus packet";
    case OpusPacketError::FrameTooLong: return "Opus frame over 1275 bytes";
    case OpusPacketError::OddCbrPair: return "Opus code 1 packet with an odd payload";
    case OpusPacketError::Truncated: return "Opus packet truncated";
    case OpusPacketError::NoFrames: return "Opus code 3 packet with no frames";
    case OpusPacketError::TooLong: return "Opus packet over 120 ms";
    case OpusPacketError::CbrRemainder: return "Opus code 3 CBR payload not a multiple of the frame count";
    case OpusPacketError::Count: break;
    }
    return "?";
}

namespace {

// RFC 6716 3.1, table 2: configs 0-11 SILK (NB, MB, WB; 10/20/40/60 ms),
// 12-15 hybrid (SWB, FB; 10/20 ms), 16-31 CELT (NB, WB, SWB, FB; 2.5/5/10/20 ms).
void describe(std::uint8_t config, OpusPacketInfo& info) {
    static constexpr std::uint32_t kSilkUs[4] = {10000, 20000, 40000, 60000};
    static constexpr std::uint32_t kHybridUs[2] = {10000, 20000};
    static constexpr std::uint32_t kCeltUs[4] = {2500, 5000, 10000, 20000};
    info.config = config;
    if (config < 12) { info.mode = OpusMode::Silk; info.frameUs = kSilkUs[config % 4]; }
    else if (config < 16) { info.mode = OpusMode::Hybrid; info.frameUs = kHybridUs[config % 2]; }
    else { info.mode = OpusMode::Celt; info.frameUs = kCeltUs[config % 4]; }
}

// RFC 6716 3.2.1: one byte 0..251 is the length; 252..255 take a second
// byte, length = first + 4 * second. False when the bytes run out.
bool readLength(std::span<const std::uint8_t> p, std::size_t& at, std::uint32_t& len) {
    if (at >= p.size()) return false;
    const std::uint32_t first = p[at++];
    if (first < 252) { len = first; return true; }
    if (at >= p.size()) return false;
    len = first + 4u * p[at++];
    return true;
}

} // namespace

OpusParse parseOpusPacket(std::span<const std::uint8_t> p) {
    OpusParse r;
    if (p.empty()) { r.error = OpusPacketError::Empty; return r; }
    const std::uint8_t toc = p[0];
    describe(static_cast<std::uint8_t>(toc >> 3), r.info);
    r.info.stereo = (toc & 0x4) != 0;
    const std::size_t n = p.size();
    auto fail = [&](OpusPacketError e) { r.error = e; return r; };
    switch (toc & 0x3) {
    case 0: // one frame
        if (n - 1 > kOpusMaxFrameBytes) return fail(OpusPacketError::FrameTooLong);
        r.info.frames = 1;
        r.info.codedBytes = static_cast<std::uint32_t>(n - 1);
        break;
    case 1: // two frames of equal size
        if ((n - 1) % 2 != 0) return fail(OpusPacketError::OddCbrPair);
        if ((n - 1) / 2 > kOpusMaxFrameBytes) return fail(OpusPacketError::FrameTooLong);
        r.info.frames = 2;
        r.info.codedBytes = static_cast<std::uint32_t>(n - 1);
        break;
    case 2: { // two frames, the first's length coded
        std::size_t at = 1;
        std::uint32_t first = 0;
        if (!readLength(p, at, first)) return fail(OpusPacketError::Truncated);
        if (first > n - at) return fail(OpusPacketError::Truncated);
        const std::size_t second = n - at - first;
        if (first > kOpusMaxFrameBytes || second > kOpusMaxFrameBytes) return fail(OpusPacketError::FrameTooLong);
        r.info.frames = 2;
        r.info.codedBytes = static_cast<std::uint32_t>(first + second);
        break;
    }
    default: { // code 3: a frame-count byte, optional padding, CBR or VBR lengths
        if (n < 2) return fail(OpusPacketError::Truncated);
        const std::uint8_t countByte = p[1];
        const bool vbr = (countByte & 0x80) != 0;
        const bool padded = (countByte & 0x40) != 0;
        const std::uint32_t m = countByte & 0x3F;
        if (m == 0) return fail(OpusPacketError::NoFrames);
        if (m * r.info.frameUs > kOpusMaxPacketUs) return fail(OpusPacketError::TooLong);
        std::size_t at = 2;
        std::size_t padding = 0;
        if (padded) {
            // Each 255 adds 254 bytes and another length byte follows.
            for (;;) {
                if (at >= n) return fail(OpusPacketError::Truncated);
                const std::uint8_t b = p[at++];
                padding += b == 255 ? 254u : b;
                if (b != 255) break;
            }
        }
        if (at + padding > n) return fail(OpusPacketError::Truncated);
        const std::size_t left = n - at - padding; // length bytes and frames
        if (!vbr) {
            if (left % m != 0) return fail(OpusPacketError::CbrRemainder);
            if (left / m > kOpusMaxFrameBytes) return fail(OpusPacketError::FrameTooLong);
            r.info.codedBytes = static_cast<std::uint32_t>(left);
        } else {
            const std::size_t end = n - padding;
            std::size_t sum = 0;
            for (std::uint32_t i = 0; i + 1 < m; ++i) {
                std::uint32_t len = 0;
                if (!readLength(p.first(end), at, len)) return fail(OpusPacketError::Truncated);
                if (len > kOpusMaxFrameBytes) return fail(OpusPacketError::FrameTooLong);
                sum += len;
            }
            if (at + sum > end) return fail(OpusPacketError::Truncated);
            const std::size_t last = end - at - sum;
            if (last > kOpusMaxFrameBytes) return fail(OpusPacketError::FrameTooLong);
            r.info.codedBytes = static_cast<std::uint32_t>(sum + last);
        }
        r.info.frames = m;
        break;
    }
    }
    r.info.durationUs = r.info.frames * r.info.frameUs;
    return r;
}

} // namespace caseroom::sim
