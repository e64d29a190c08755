// The voice encoder following the link (audio/voice_rate.h): the rate a link
// calls for, the control's smoothing and hysteresis, and the capture
// applying a new bitrate only between talk spurts, with real Opus and
// speech, so one spurt keeps one packet size (F-09) and the thinner rate
// still decodes.
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <functional>
#include <set>
#include <vector>

#include "audio/capture.h"
#include "audio/codec.h"
#include "audio/voice_rate.h"
#include "speech.h"

using namespace caseroom;
using namespace caseroom::audio;

TEST_CASE("voice rate: a good link 24 kbit/s, thin or lossy links down to 12, FEC follows the loss", "[audio][voicerate]") {
    CHECK(voiceRateFor({}).bitrate == kVoiceBitrateGood);
    CHECK(voiceRateFor({0.01, 80, 0, false}).bitrate == kVoiceBitrateGood);
    CHECK(voiceRateFor({0.03, 300, 0, false}).bitrate == kVoiceBitrateGood);      // the rural round trip alone is no reason
    CHECK(voiceRateFor({0.00, 80, 0, true}).bitrate == kVoiceBitrateFair);        // "my connection is slow"
    CHECK(voiceRateFor({0.10, 80, 0, false}).bitrate == kVoiceBitrateFair);
    CHECK(voiceRateFor({0.00, 80, 80, false}).bitrate == kVoiceBitrateFair);      // under 96 kbit/s up
    CHECK(voiceRateFor({0.03, 300, 64, false}).bitrate == kVoiceBitrateFloor);    // the rural profile's 64 kbit/s up
    CHECK(voiceRateFor({0.20, 80, 0, false}).bitrate == kVoiceBitrateFloor);
    CHECK(voiceRateFor({0.06, 80, 0, true}).bitrate == kVoiceBitrateFloor);
    CHECK(voiceRateFor({0.00, 80, 0, false}).lossPercent == 2);
    CHECK(voiceRateFor({0.031, 80, 0, false}).lossPercent == 6);
    CHECK(voiceRateFor({0.9, 80, 0, false}).lossPercent == 30);
    CHECK(voiceRateFor({-1.0, 80, 0, false}).bitrate == kVoiceBitrateGood);       // nonsense in, sane out
}

TEST_CASE("voice rate control: down at once on smoothed loss, up only after the link held better", "[audio][voicerate]") {
    VoiceRateControl c;
    REQUIRE(c.update({0.0, 50, 0, false}, 0.0));
    CHECK(c.rate().bitrate == kVoiceBitrateGood);
    // One bad second does not swing the smoothed loss past 15 %: only to fair.
    double t = 1.0;
    auto r = c.update({0.40, 50, 0, false}, t);
    REQUIRE(r);
    CHECK(r->bitrate == kVoiceBitrateFair);   // 0.4 * 1/4 = 10 % smoothed
    // Sustained loss: the floor.
    for (int i = 0; i < 4; ++i) (void)c.update({0.40, 50, 0, false}, t += 1.0);
    CHECK(c.rate().bitrate == kVoiceBitrateFloor);
    // The link recovers: loss decays, the rate climbs back only after holding better for kUpAfterSeconds.
    std::vector<std::pair<double, std::int32_t>> changes;
    for (int i = 0; i < 30; ++i) {
        t += 1.0;
        if (auto up = c.update({0.0, 50, 0, false}, t)) changes.emplace_back(t, up->bitrate);
    }
    REQUIRE_FALSE(changes.empty());
    CHECK(c.rate().bitrate == kVoiceBitrateGood);
    std::int32_t last = kVoiceBitrateFloor;
    double lastAt = 5.0;
    for (const auto& [at, rate] : changes) {
        if (rate > last) {
            CHECK(at - lastAt >= VoiceRateControl::kUpAfterSeconds - 1.0); // no climb sooner than the hold
            lastAt = at;
        }
        last = rate;
    }
}

TEST_CASE("capture: a new bitrate starts with the next talk spurt; each spurt keeps one size; 12 kbit/s decodes", "[audio][voicerate][f09]") {
    const auto voice = test::speech("The patient lives two hours from the nearest clinic.", "en-us", 3.0);
    auto enc = createOpusEncoder({});
    auto dec = createOpusDecoder();
    REQUIRE(enc.ok());
    REQUIRE(dec.ok());
    CaptureConfig cc;
    cc.mode = MicMode::PushToTalk;
    VoiceCapture cap(cc, createPassThroughProcessor(), std::move(*enc));
    const std::vector<float> silence(kBlockSamples, 0.0f);
    VoicePacket p;
    std::size_t at = 0;
    std::vector<float> out(frameSamples(FrameDuration::Ms20));
    // One spurt of `blocks` blocks; the sizes of what was sent.
    auto spurt = [&](int blocks, const std::function<void(int)>& during = {}) {
        std::set<std::uint16_t> sizes;
        cap.setPushToTalk(true);
        for (int b = 0; b < blocks; ++b, at += kBlockSamples) {
            at %= voice.size() - kBlockSamples;
            if (during) during(b);
            if (cap.processBlock(std::span<const float>(voice.data() + at, kBlockSamples), silence, p)) {
                sizes.insert(p.size);
                REQUIRE((*dec)->decode(std::span<const std::uint8_t>(p.bytes.data(), p.size), out).ok());
            }
        }
        cap.setPushToTalk(false);
        for (int b = 0; b < 4; ++b) (void)cap.processBlock(silence, silence, p); // the spurt ends
        return sizes;
    };
    const auto first = spurt(100);
    CHECK(first == std::set<std::uint16_t>{60});    // 24 kbit/s, 20 ms
    // The link turns thin in the middle of a spurt: the spurt keeps its size.
    bool waited = true;
    const auto second = spurt(100, [&](int b) {
        if (b == 40) cap.setRate({kVoiceBitrateFloor, 8});
        if (b > 40) waited = waited && cap.bitrate() == kVoiceBitrateGood; // pending until the spurt ends
    });
    CHECK(second == std::set<std::uint16_t>{60});
    CHECK(waited);
    const auto third = spurt(100);
    CHECK(third == std::set<std::uint16_t>{30});     // 12 kbit/s from the next spurt
    CHECK(cap.bitrate() == kVoiceBitrateFloor);
    cap.setRate({kVoiceBitrateFloor, 20});           // only FEC changes: no size change pending
    CHECK(spurt(60) == std::set<std::uint16_t>{30});
}

TEST_CASE("the floor rate keeps speech: 12 kbit/s against 24 kbit/s, decoded and correlated with the input", "[audio][voicerate]") {
    const auto voice = test::speech("Her creatinine doubled over two weeks; should we stop the diuretic?", "en-us", 3.0);
    const std::size_t n = frameSamples(FrameDuration::Ms20);
    auto correlate = [&](std::int32_t bitrate) {
        EncoderConfig ec;
        ec.bitrate = bitrate;
        ec.dtx = false;
        auto enc = createOpusEncoder(ec);
        auto dec = createOpusDecoder();
        REQUIRE(enc.ok());
        REQUIRE(dec.ok());
        std::vector<float> out;
        std::array<std::uint8_t, 1500> pkt{};
        std::vector<float> frame(n);
        for (std::size_t at = 0; at + n <= voice.size(); at += n) {
            auto bytes = (*enc)->encode(std::span<const float>(voice.data() + at, n), pkt);
            REQUIRE(bytes.ok());
            REQUIRE((*dec)->decode(std::span<const std::uint8_t>(pkt.data(), *bytes), frame).ok());
            out.insert(out.end(), frame.begin(), frame.end());
        }
        double best = -1;
        const int lookahead = static_cast<int>((*enc)->lookaheadSamples());
        for (int lag = lookahead - 48; lag <= lookahead + 48; ++lag) best = std::max(best, test::correlationAt(voice, out, lag));
        return best;
    };
    const double good = correlate(kVoiceBitrateGood), floor = correlate(kVoiceBitrateFloor);
    WARN("speech correlation with the input: 24 kbit/s " << good << ", 12 kbit/s " << floor);
    CHECK(floor > 0.5);
    CHECK(good >= floor - 0.05); // more bits never hurt by much
}
