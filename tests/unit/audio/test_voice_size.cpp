// Audit F-09: voice packets of constant size while talking. A speech WAV
// (espeak-ng at test time) goes through the production capture path
// (VoiceClientConfig's defaults: Opus 20 ms, 24 kbit/s, FEC, DTX, open mic
// with VAD) into the catalog's VoiceFrame: every frame sent has one payload
// size, is well-framed Opus of 20 ms (the server's check), and decodes.
#include <catch2/catch.hpp>

#include <cstdio>
#include <map>
#include <vector>

#include "audio/capture.h"
#include "audio/codec.h"
#include "audio/voice_client.h"
#include "net/messages.h"
#include "sim/voice_policy.h"
#include "speech.h"

using namespace caseroom;
using namespace caseroom::audio;

TEST_CASE("every voice frame sent while talking has the same size, and is valid Opus", "[audio][codec][f09]") {
    const VoiceClientConfig production;
    auto enc = createOpusEncoder(production.encoder);
    auto dec = createOpusDecoder();
    REQUIRE(enc.ok());
    REQUIRE(dec.ok());
    CaptureConfig cc = production.capture;
    auto clean = createSpeexProcessor(production.processor);
    REQUIRE(clean.ok());
    VoiceCapture capture(cc, std::move(*clean), std::move(*enc));

    // Speech with pauses between sentences, so DTX and the VAD both act.
    std::vector<float> pcm = test::speech("The patient is a fifty two year old man with hepatitis C.", "en-us", 2.0);
    pcm.resize(pcm.size() + kSampleRate, 0.0f);
    const auto more = test::speech("Liver enzymes were three times the upper limit. What would you do next?", "en-us", 2.0);
    pcm.insert(pcm.end(), more.begin(), more.end());

    std::map<std::size_t, std::size_t> sizes;     // codec bytes -> frames
    std::map<std::size_t, std::size_t> wireSizes; // encoded VoiceFrame message bytes -> frames
    const std::vector<float> farEnd(kBlockSamples, 0.0f);
    std::vector<float> out(frameSamples(production.encoder.frame));
    VoicePacket p;
    std::size_t sent = 0;
    for (std::size_t at = 0; at + kBlockSamples <= pcm.size(); at += kBlockSamples) {
        if (!capture.processBlock(std::span<const float>(pcm.data() + at, kBlockSamples), farEnd, p)) continue;
        ++sent;
        ++sizes[p.size];
        net::VoiceFrame f;
        f.size = p.size;
        std::copy_n(p.bytes.begin(), p.size, f.bytes.begin());
        ++wireSizes[net::encodeMessage(net::Message{f}).size()];
        const sim::VoiceFrameCheck check = sim::checkVoiceFrame(p.payload(), p.frame == FrameDuration::Ms20);
        CHECK_FALSE(check.error);
        auto r = (*dec)->decode(p.payload(), out);
        REQUIRE(r.ok());
        CHECK(*r == out.size());
    }
    INFO("espeak " << test::speechIsEspeak() << ", frames sent " << sent << ", sizes " << sizes.size());
    REQUIRE(sent > 100);
    CHECK(capture.meter().framesGated + capture.meter().framesDtx > 0); // the pauses were not sent
    REQUIRE(sizes.size() == 1);
    CHECK(sizes.begin()->first == constantPacketBytes(production.encoder));
    CHECK(wireSizes.size() == 1);
}

TEST_CASE("constant size: a quieter or changed bitrate keeps one size per bitrate; VBR varies", "[audio][codec][f09]") {
    const auto pcm = test::speech("Good morning. Any questions about the case?", "en-us", 2.0);
    auto sizesFor = [&](EncoderConfig cfg) {
        cfg.dtx = false;
        auto enc = createOpusEncoder(cfg);
        REQUIRE(enc.ok());
        std::map<std::size_t, std::size_t> sizes;
        std::vector<std::uint8_t> buf(kMaxCodecBytes);
        const std::uint32_t n = frameSamples(cfg.frame);
        for (std::size_t at = 0; at + n <= pcm.size(); at += n) {
            auto r = (*enc)->encode(std::span<const float>(pcm.data() + at, n), buf);
            REQUIRE(r.ok());
            ++sizes[*r];
        }
        return sizes;
    };
    EncoderConfig fixed;
    const auto a = sizesFor(fixed);
    CHECK(a.size() == 1);
    fixed.bitrate = 16000;
    fixed.frame = FrameDuration::Ms10;
    const auto b = sizesFor(fixed);
    REQUIRE(b.size() == 1);
    CHECK(b.begin()->first == constantPacketBytes(fixed));
    EncoderConfig vbr;
    vbr.constantSize = false;
    CHECK(sizesFor(vbr).size() > 3); // what F-09 was about
}

TEST_CASE("constant size keeps speech: CBR round trip at the production frame", "[audio][codec][f09]") {
    const auto pcm = test::speech("The patient is a fifty two year old man with hepatitis C.", "en-us", 3.0);
    const VoiceClientConfig production;
    for (FrameDuration fd : {FrameDuration::Ms20, FrameDuration::Ms10}) {
        EncoderConfig cfg = production.encoder;
        cfg.frame = fd;
        cfg.dtx = false;
        auto enc = createOpusEncoder(cfg);
        auto dec = createOpusDecoder();
        REQUIRE((enc.ok() && dec.ok()));
        const std::uint32_t n = frameSamples(fd);
        std::vector<std::uint8_t> buf(kMaxCodecBytes);
        std::vector<float> frame(n), out;
        for (std::size_t at = 0; at + n <= pcm.size(); at += n) {
            auto r = (*enc)->encode(std::span<const float>(pcm.data() + at, n), buf);
            REQUIRE(r.ok());
            CHECK(*r == constantPacketBytes(cfg));
            REQUIRE((*dec)->decode(std::span<const std::uint8_t>(buf.data(), *r), frame).ok());
            out.insert(out.end(), frame.begin(), frame.end());
        }
        const std::span<const float> a(pcm.data() + kSampleRate / 2, kSampleRate / 2);
        const int lag = test::bestLag(a, std::span<const float>(out.data() + kSampleRate / 2, out.size() - kSampleRate / 2), 800);
        const double corr = test::correlationAt(std::span<const float>(pcm.data(), out.size()), out, lag);
        INFO("frame " << toString(fd) << " CBR correlation " << corr);
        std::printf("CBR %s: waveform correlation %.3f\n", toString(fd), corr);
        // The production frame (20 ms) keeps the VBR test's bound; 10 ms CBR
        // measures about 0.75 (VBR 0.9): waveform fidelity, reported.
        if (fd == FrameDuration::Ms20) CHECK(corr > 0.85);
        else CHECK(corr > 0.6);
    }
}
