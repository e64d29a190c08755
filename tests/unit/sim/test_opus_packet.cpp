// Opus framing check (RFC 6716 section 3) on hand-built packets: each code,
// each rule, and random bytes never read out of bounds.
#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "core/rng.h"
#include "sim/opus_packet.h"
#include "sim/voice_policy.h"

using namespace caseroom;
using namespace caseroom::sim;

namespace {
std::vector<std::uint8_t> packet(std::uint8_t toc, std::vector<std::uint8_t> rest) {
    rest.insert(rest.begin(), toc);
    return rest;
}
std::uint8_t toc(std::uint8_t config, std::uint8_t code, bool stereo = false) {
    return static_cast<std::uint8_t>(config << 3 | (stereo ? 4 : 0) | code);
}
} // namespace

TEST_CASE("the TOC byte names mode, frame length and channels (RFC 6716 table 2)", "[sim][opus]") {
    struct Case { std::uint8_t config; OpusMode mode; std::uint32_t us; };
    const Case cases[] = {{0, OpusMode::Silk, 10000},   {1, OpusMode::Silk, 20000},   {3, OpusMode::Silk, 60000},
                          {9, OpusMode::Silk, 20000},   {12, OpusMode::Hybrid, 10000}, {15, OpusMode::Hybrid, 20000},
                          {16, OpusMode::Celt, 2500},   {19, OpusMode::Celt, 20000},  {31, OpusMode::Celt, 20000}};
    for (const Case& c : cases) {
        const auto p = packet(toc(c.config, 0, c.config % 2 == 1), std::vector<std::uint8_t>(40, 0x55));
        const OpusParse r = parseOpusPacket(p);
        INFO("config " << int(c.config));
        REQUIRE_FALSE(r.error);
        CHECK(r.info.mode == c.mode);
        CHECK(r.info.frameUs == c.us);
        CHECK(r.info.frames == 1);
        CHECK(r.info.durationUs == c.us);
        CHECK(r.info.stereo == (c.config % 2 == 1));
        CHECK(r.info.codedBytes == 40);
    }
}

TEST_CASE("codes 0-2: frame counts and the rules on their sizes", "[sim][opus]") {
    CHECK(parseOpusPacket({}).error == OpusPacketError::Empty);                                      // R1
    CHECK(parseOpusPacket(packet(toc(1, 0), std::vector<std::uint8_t>(1276))).error == OpusPacketError::FrameTooLong); // R2
    CHECK_FALSE(parseOpusPacket(packet(toc(1, 0), std::vector<std::uint8_t>(1275))).error);
    CHECK_FALSE(parseOpusPacket(packet(toc(1, 0), {})).error);                                         // a 0-byte frame (DTX) is legal

    const auto two = parseOpusPacket(packet(toc(0, 1), std::vector<std::uint8_t>(20)));
    REQUIRE_FALSE(two.error);
    CHECK(two.info.frames == 2);
    CHECK(two.info.durationUs == 20000);
    CHECK(parseOpusPacket(packet(toc(0, 1), std::vector<std::uint8_t>(21))).error == OpusPacketError::OddCbrPair); // R3

    // Code 2: first frame 5 bytes, second the rest (7).
    std::vector<std::uint8_t> body{5};
    body.resize(1 + 12, 0xAA);
    const auto vbr = parseOpusPacket(packet(toc(0, 2), body));
    REQUIRE_FALSE(vbr.error);
    CHECK(vbr.info.frames == 2);
    CHECK(vbr.info.codedBytes == 12);
    CHECK(parseOpusPacket(packet(toc(0, 2), {})).error == OpusPacketError::Truncated);              // no length byte
    CHECK(parseOpusPacket(packet(toc(0, 2), {9, 1, 2})).error == OpusPacketError::Truncated);        // R4: 9 > 2 left
    CHECK(parseOpusPacket(packet(toc(0, 2), {252})).error == OpusPacketError::Truncated);            // two-byte length cut
    // Two-byte length: 252 + 4 * 1 = 256 bytes, then a second frame of 3.
    std::vector<std::uint8_t> longFirst{252, 1};
    longFirst.resize(2 + 256 + 3);
    const auto lf = parseOpusPacket(packet(toc(0, 2), longFirst));
    REQUIRE_FALSE(lf.error);
    CHECK(lf.info.codedBytes == 259);
}

TEST_CASE("code 3: count byte, padding, CBR and VBR lengths", "[sim][opus]") {
    // CBR, 3 frames of 10 ms (config 0), 3 x 4 bytes.
    const auto cbr = parseOpusPacket(packet(toc(0, 3), {3, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}));
    REQUIRE_FALSE(cbr.error);
    CHECK(cbr.info.frames == 3);
    CHECK(cbr.info.durationUs == 30000);
    CHECK(cbr.info.codedBytes == 12);
    CHECK(parseOpusPacket(packet(toc(0, 3), {3, 1, 2, 3, 4})).error == OpusPacketError::CbrRemainder); // R6
    CHECK(parseOpusPacket(packet(toc(0, 3), {0})).error == OpusPacketError::NoFrames);                 // R5
    CHECK(parseOpusPacket(packet(toc(3, 3), {3})).error == OpusPacketError::TooLong);                  // 3 x 60 ms > 120
    CHECK(parseOpusPacket(packet(toc(0, 3), {})).error == OpusPacketError::Truncated);
    // Padding: flag 0x40, length bytes 255 (254) + 2 = 256 bytes of padding.
    std::vector<std::uint8_t> padded{0x40 | 2, 255, 2, 9, 9};
    padded.resize(padded.size() + 256);
    const auto pd = parseOpusPacket(packet(toc(1, 3), padded));
    REQUIRE_FALSE(pd.error);
    CHECK(pd.info.codedBytes == 2);
    CHECK(pd.info.frames == 2);
    CHECK(parseOpusPacket(packet(toc(1, 3), {0x40 | 1, 200, 1, 2})).error == OpusPacketError::Truncated); // padding beyond the end
    CHECK(parseOpusPacket(packet(toc(1, 3), {0x40 | 1, 255})).error == OpusPacketError::Truncated);       // padding length cut
    // VBR: 3 frames, lengths 2 and 1 coded, the last the rest (3).
    const auto vbr = parseOpusPacket(packet(toc(0, 3), {0x80 | 3, 2, 1, 1, 1, 2, 3, 3, 3}));
    REQUIRE_FALSE(vbr.error);
    CHECK(vbr.info.codedBytes == 6);
    CHECK(parseOpusPacket(packet(toc(0, 3), {0x80 | 3, 2})).error == OpusPacketError::Truncated);       // R7: a length missing
    CHECK(parseOpusPacket(packet(toc(0, 3), {0x80 | 3, 9, 9, 1})).error == OpusPacketError::Truncated); // R7: lengths beyond the end
}

TEST_CASE("random bytes parse without reading past the packet (run under ASan)", "[sim][opus]") {
    core::Rng rng(7);
    std::size_t ok = 0;
    for (int i = 0; i < 20000; ++i) {
        std::vector<std::uint8_t> p(rng.below(40));
        for (auto& b : p) b = static_cast<std::uint8_t>(rng.below(256));
        const OpusParse r = parseOpusPacket(p);
        if (!r.error) {
            ++ok;
            CHECK(r.info.frames >= 1);
            CHECK(r.info.durationUs <= kOpusMaxPacketUs);
            CHECK(r.info.codedBytes < p.size());
        }
    }
    CHECK(ok > 0);
}

TEST_CASE("a voice frame must be well-framed Opus of its declared length", "[sim][opus][voice]") {
    const auto twenty = packet(toc(9, 0), std::vector<std::uint8_t>(59, 1));   // SILK WB 20 ms
    const auto ten = packet(toc(8, 0), std::vector<std::uint8_t>(29, 1));      // SILK WB 10 ms
    const auto twoTens = packet(toc(8, 1), std::vector<std::uint8_t>(40, 1));  // 2 x 10 ms = 20 ms
    CHECK_FALSE(checkVoiceFrame(twenty, true).error);
    CHECK_FALSE(checkVoiceFrame(twoTens, true).error);
    CHECK_FALSE(checkVoiceFrame(ten, false).error);
    CHECK(checkVoiceFrame(ten, true).error == VoiceFrameError::WrongDuration);
    CHECK(checkVoiceFrame(twenty, false).error == VoiceFrameError::WrongDuration);
    const auto bad = checkVoiceFrame(packet(toc(8, 1), std::vector<std::uint8_t>(41, 1)), true);
    CHECK(bad.error == VoiceFrameError::BadOpus);
    CHECK(bad.opus == OpusPacketError::OddCbrPair);
}
