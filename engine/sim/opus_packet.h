// Cheap validation of an Opus packet's framing, without libopus: the server
// checks every voice frame with this before forwarding it, so bytes that no
// Opus decoder would accept never reach listeners' decoders (audit F-14).
// Written from the facts of RFC 6716 section 3: the TOC byte (config 5 bits,
// stereo 1 bit, frame-count code 2 bits), codes 0-3 and their frame lengths,
// and the rules R1-R7 of section 3.4. The codec payload itself is not parsed.
// Pure function over bytes; untrusted input gets an error, never UB.
#pragma once
#include <cstdint>
#include <optional>
#include <span>

namespace caseroom::sim {

enum class OpusMode : std::uint8_t { Silk, Hybrid, Celt, Count };
const char* toString(OpusMode m);

enum class OpusPacketError : std::uint8_t {
    Empty,           // R1: no TOC byte
    FrameTooLong,    // R2: a frame over 1275 bytes
    OddCbrPair,      // R3: code 1 with an odd number of bytes after the TOC
    Truncated,       // R4/R6/R7: a length or count byte missing, or lengths beyond the packet
    NoFrames,        // R5: code 3 with a frame count of 0
    TooLong,         // R5: code 3 with more than 120 ms of audio
    CbrRemainder,    // R6: code 3 CBR whose frame bytes do not divide by the count
    Count
};
const char* toString(OpusPacketError e);

constexpr std::uint32_t kOpusMaxFrameBytes = 1275;
constexpr std::uint32_t kOpusMaxPacketUs = 120000;

struct OpusPacketInfo {
    OpusMode mode = OpusMode::Silk;
    std::uint8_t config = 0;          // 0..31, RFC 6716 table 2
    bool stereo = false;
    std::uint32_t frames = 0;         // frames in the packet, 1..48
    std::uint32_t frameUs = 0;        // duration of each frame, microseconds (2500..60000)
    std::uint32_t durationUs = 0;     // frames * frameUs
    std::uint32_t codedBytes = 0;     // bytes in all frames together (0: only empty frames, DTX)
};

struct OpusParse {
    std::optional<OpusPacketError> error;
    OpusPacketInfo info;
};

[[nodiscard]] OpusParse parseOpusPacket(std::span<const std::uint8_t> packet);

} // namespace caseroom::sim
