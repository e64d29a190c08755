// Codec adapters (Opus and the PCM twin), FEC recovery and the voice packet's
// wire form.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "audio/codec.h"
#include "audio/voice_packet.h"
#include "net/stream.h"
#include "speech.h"

using namespace caseroom;
using namespace caseroom::audio;

namespace {

std::vector<std::vector<std::uint8_t>> encodeAll(VoiceEncoder& enc, const std::vector<float>& pcm) {
    const std::uint32_t n = frameSamples(enc.config().frame);
    std::vector<std::vector<std::uint8_t>> packets;
    std::vector<std::uint8_t> buf(kMaxCodecBytes);
    for (std::size_t at = 0; at + n <= pcm.size(); at += n) {
        auto r = enc.encode(std::span<const float>(pcm.data() + at, n), buf);
        REQUIRE(r.ok());
        packets.emplace_back(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(*r));
    }
    return packets;
}

} // namespace

TEST_CASE("opus round trip keeps speech (20 ms and 10 ms frames)", "[audio][codec]") {
    const auto pcm = test::speech("The patient is a fifty two year old man with hepatitis C.", "en-us", 3.0);
    for (FrameDuration fd : {FrameDuration::Ms20, FrameDuration::Ms10}) {
        EncoderConfig cfg;
        cfg.frame = fd;
        cfg.dtx = false;
        cfg.constantSize = false; // VBR here; CBR (the default, F-09) in test_voice_size.cpp
        auto enc = createOpusEncoder(cfg);
        auto dec = createOpusDecoder();
        REQUIRE(enc.ok());
        REQUIRE(dec.ok());
        const auto packets = encodeAll(**enc, pcm);
        std::vector<float> out;
        std::vector<float> frame(frameSamples(fd));
        std::size_t bytes = 0;
        for (const auto& p : packets) {
            auto r = (*dec)->decode(p, frame);
            REQUIRE(r.ok());
            CHECK(*r == frame.size());
            out.insert(out.end(), frame.begin(), frame.end());
            bytes += p.size();
        }
        // Bitrate near the 24 kbit/s default.
        const double kbps = static_cast<double>(bytes) * 8 / (static_cast<double>(out.size()) / kSampleRate) / 1000;
        INFO("frame " << toString(fd) << " bitrate " << kbps << " kbit/s, espeak " << test::speechIsEspeak());
        CHECK(kbps > 16.0);
        CHECK(kbps < 30.0);
        // Aligned by cross-correlation (Opus delays by its look-ahead, 6.5 ms).
        const std::span<const float> a(pcm.data() + kSampleRate / 2, kSampleRate / 2);
        const int lag = test::bestLag(a, std::span<const float>(out.data() + kSampleRate / 2, out.size() - kSampleRate / 2), 800);
        INFO("lag " << lag);
        CHECK(lag >= 0);
        CHECK(lag < 600);
        const double corr = test::correlationAt(std::span<const float>(pcm.data(), out.size()), out, lag);
        INFO("correlation " << corr);
        CHECK(corr > 0.85);
    }
}

TEST_CASE("opus FEC rebuilds a single lost frame better than concealment", "[audio][codec]") {
    const auto pcm = test::speech("Recommend an ultrasound and repeat the liver panel in six weeks.", "en-us", 4.0);
    auto enc = createOpusEncoder({});
    REQUIRE(enc.ok());
    const auto packets = encodeAll(**enc, pcm);
    auto ref = createOpusDecoder(), withFec = createOpusDecoder(), withPlc = createOpusDecoder();
    REQUIRE((ref.ok() && withFec.ok() && withPlc.ok()));
    std::vector<float> r(kMaxFrameSamples), f(kMaxFrameSamples), c(kMaxFrameSamples);
    double fecErr = 0, plcErr = 0, refEnergy = 0;
    int lost = 0;
    for (std::size_t i = 0; i + 1 < packets.size(); ++i) {
        REQUIRE((*ref)->decode(packets[i], r).ok());
        const bool drop = i % 10 == 5 && packets[i].size() > 2 && packets[i + 1].size() > 2;
        if (drop) {
            REQUIRE((*withFec)->decodeFec(packets[i + 1], f).ok());
            REQUIRE((*withPlc)->conceal(c).ok());
            for (std::size_t k = 0; k < r.size(); ++k) {
                fecErr += (r[k] - f[k]) * static_cast<double>(r[k] - f[k]);
                plcErr += (r[k] - c[k]) * static_cast<double>(r[k] - c[k]);
                refEnergy += static_cast<double>(r[k]) * r[k];
            }
            ++lost;
        } else {
            REQUIRE((*withFec)->decode(packets[i], f).ok());
            REQUIRE((*withPlc)->decode(packets[i], c).ok());
        }
    }
    const double fecDb = 10 * std::log10(fecErr / refEnergy), plcDb = 10 * std::log10(plcErr / refEnergy);
    INFO("lost " << lost << " frames; error vs. lossless decode: FEC " << fecDb << " dB, PLC " << plcDb << " dB");
    REQUIRE(lost >= 10);
    CHECK(fecDb < plcDb - 3.0);
}

TEST_CASE("opus decoder refuses garbage without crashing", "[audio][codec]") {
    auto dec = createOpusDecoder();
    REQUIRE(dec.ok());
    std::vector<float> out(kMaxFrameSamples);
    // TOC code 3 with a frame count of zero is invalid.
    const std::vector<std::uint8_t> bad{0xFB, 0x00};
    CHECK_FALSE((*dec)->decode(bad, out).ok());
    // Asking for less room than the packet's frame is an error too.
    auto enc = createOpusEncoder({});
    REQUIRE(enc.ok());
    std::vector<float> tone(kMaxFrameSamples);
    for (std::size_t i = 0; i < tone.size(); ++i) tone[i] = 0.3f * std::sin(static_cast<float>(i) * 0.05f);
    std::vector<std::uint8_t> pkt(kMaxCodecBytes);
    auto n = (*enc)->encode(tone, pkt);
    REQUIRE(n.ok());
    std::vector<float> small(kBlockSamples);
    CHECK_FALSE((*dec)->decode(std::span<const std::uint8_t>(pkt.data(), *n), small).ok());
}

TEST_CASE("pcm twin is lossless to 16 bits and conceals by fading", "[audio][codec]") {
    auto enc = createPcmEncoder({});
    auto dec = createPcmDecoder();
    std::vector<float> in(kMaxFrameSamples), out(kMaxFrameSamples);
    for (std::size_t i = 0; i < in.size(); ++i) in[i] = 0.5f * std::sin(static_cast<float>(i) * 0.01f);
    std::vector<std::uint8_t> pkt(kMaxFrameSamples * 2);
    auto n = enc->encode(in, pkt);
    REQUIRE(n.ok());
    REQUIRE(dec->decode(std::span<const std::uint8_t>(pkt.data(), *n), out).ok());
    for (std::size_t i = 0; i < in.size(); ++i) REQUIRE(std::abs(in[i] - out[i]) < 1.0f / 32000.0f);
    std::vector<float> c(kMaxFrameSamples);
    for (int k = 0; k < 4; ++k) REQUIRE(dec->conceal(c).ok());
    CHECK(test::energy(c) == Approx(0.0).margin(1e-9)); // silent after 80 ms
}

TEST_CASE("voice packet round-trips through the net streams", "[audio][packet]") {
    VoicePacket p;
    p.speaker = 517;
    p.sequence = 65535;
    p.level = 200;
    p.frame = FrameDuration::Ms10;
    p.talkStart = true;
    p.size = 61;
    for (std::uint16_t i = 0; i < p.size; ++i) p.bytes[i] = static_cast<std::uint8_t>(i * 7);

    net::MeasureStream m;
    REQUIRE(p.serialize(m));
    CHECK(m.bytesWritten() == 7 + 61);
    net::WriteStream w;
    REQUIRE(p.serialize(w));
    const auto bytes = w.finish();
    CHECK(bytes.size() == 7 + 61);

    VoicePacket q;
    net::ReadStream r(bytes);
    REQUIRE(q.serialize(r));
    CHECK(q.speaker == p.speaker);
    CHECK(q.sequence == p.sequence);
    CHECK(q.level == p.level);
    CHECK(q.frame == p.frame);
    CHECK(q.talkStart == p.talkStart);
    REQUIRE(q.size == p.size);
    CHECK(std::equal(q.payload().begin(), q.payload().end(), p.payload().begin()));
}

TEST_CASE("voice packet refuses corrupt input", "[audio][packet]") {
    VoicePacket p;
    p.size = 10;
    net::WriteStream w;
    REQUIRE(p.serialize(w));
    std::vector<std::uint8_t> good(w.finish().begin(), w.finish().end());

    SECTION("truncated payload") {
        std::vector<std::uint8_t> cut(good.begin(), good.end() - 1);
        VoicePacket q;
        net::ReadStream r(cut);
        CHECK_FALSE(q.serialize(r));
    }
    SECTION("size zero") {
        auto bad = good;
        bad[5] &= 0x03; // keep frame and talkStart, clear the size bits
        bad[6] &= 0xF0;
        VoicePacket q;
        net::ReadStream r(bad);
        CHECK_FALSE(q.serialize(r));
    }
    SECTION("size over the maximum") {
        auto bad = good;
        bad[5] |= 0xFC;
        bad[6] |= 0x0F; // size bits all ones = 1023
        VoicePacket q;
        net::ReadStream r(bad);
        CHECK_FALSE(q.serialize(r));
    }
    SECTION("empty") {
        VoicePacket q;
        net::ReadStream r(std::span<const std::uint8_t>{});
        CHECK_FALSE(q.serialize(r));
    }
    SECTION("writing an empty packet fails") {
        VoicePacket e;
        net::WriteStream w2;
        CHECK_FALSE(e.serialize(w2));
    }
}

TEST_CASE("level byte maps dBFS in half-dB steps and feeds the avatar meter", "[audio][packet]") {
    CHECK(levelByteFromDb(0.0f) == 255);
    CHECK(levelByteFromDb(-6.0f) == 243);
    CHECK(levelByteFromDb(-200.0f) == 0);
    CHECK(levelByteToDb(243) == Approx(-6.0f));
    CHECK(levelByteFromRms(0.5f) == levelByteFromDb(-6.0206f));
    CHECK(avatarLevelFromByte(levelByteFromDb(-70.0f)) == 0);
    CHECK(avatarLevelFromByte(levelByteFromDb(-6.0f)) == 15);
    const auto mid = avatarLevelFromByte(levelByteFromDb(-36.0f));
    CHECK(mid > 3);
    CHECK(mid < 12);
}
