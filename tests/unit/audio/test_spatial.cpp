// Spatializer: direction (ILD at >= 2 kHz and ITD), distance, cheap mode and
// the ambience switch. Speech is rendered through the Mixer, as the client
// does.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "audio/mixer.h"
#include "audio/spatializer.h"
#include "speech.h"

using namespace caseroom::audio;

namespace {

// Renders `mono` from a speaker at `source` to a listener at the origin
// facing -z (or `listener`), ambience off unless asked.
std::vector<float> render(const std::vector<float>& mono, const glm::vec3& source, bool ambience = false,
                          ListenerPose listener = {}) {
    MixerConfig mc;
    mc.maxVoices = 2;
    Mixer mixer(mc);
    mixer.setAmbience(ambience);
    const SpatialConfig cfg;
    mixer.attach(0, computeSpatialParams(listener, source, cfg));
    std::vector<float> out, block(2 * kBlockSamples);
    for (std::size_t at = 0; at + kBlockSamples <= mono.size(); at += kBlockSamples) {
        REQUIRE(mixer.pushSamples(0, std::span<const float>(mono.data() + at, kBlockSamples)) == kBlockSamples);
        mixer.render(block);
        out.insert(out.end(), block.begin(), block.end());
    }
    return out;
}

double db(double x) { return 10 * std::log10(x); }

} // namespace

TEST_CASE("a speaker on the left is louder and earlier in the left ear", "[audio][spatial]") {
    const auto voice = test::speech("The pharmacist suggests lowering the dose of metformin.", "en-us", 2.0);
    // Listener at the origin facing -z; speaker 2 m to the left (-x), at ear height.
    const auto out = render(voice, {-2.0f, 0.0f, 0.0f});
    const auto l = test::channel(out, 0), r = test::channel(out, 1);
    const double hiL = test::highPassEnergy(l, 2000), hiR = test::highPassEnergy(r, 2000);
    INFO("energy >= 2 kHz: left/right " << db(hiL / hiR) << " dB; broadband " << db(test::energy(l) / test::energy(r))
                                       << " dB; espeak " << test::speechIsEspeak());
    CHECK(db(hiL / hiR) >= 6.0);
    CHECK(test::energy(l) > test::energy(r));
    // Right lags left by the ITD: ~0.66 ms = ~31 samples at 90 degrees.
    const int lag = test::bestLag(std::span<const float>(l.data(), kSampleRate), std::span<const float>(r.data(), kSampleRate), 60);
    INFO("right lags left by " << lag << " samples");
    CHECK(lag >= 20);
    CHECK(lag <= 40);
}

TEST_CASE("turning the head swaps the ears", "[audio][spatial]") {
    const auto voice = test::speech("The pharmacist suggests lowering the dose of metformin.", "en-us", 1.0);
    // Speaker straight ahead in room space (-z), listener turned 90 degrees to the
    // left (yaw +pi/2): the speaker is now on the listener's right.
    ListenerPose turned;
    turned.orientation = glm::angleAxis(1.5707963f, glm::vec3(0, 1, 0));
    const auto out = render(voice, {0.0f, 0.0f, -2.0f}, false, turned);
    const auto l = test::channel(out, 0), r = test::channel(out, 1);
    CHECK(db(test::highPassEnergy(r, 2000) / test::highPassEnergy(l, 2000)) >= 6.0);
    CHECK(test::bestLag(std::span<const float>(r.data(), kSampleRate), std::span<const float>(l.data(), kSampleRate), 60) >= 20);
}

TEST_CASE("a speaker in front is centred", "[audio][spatial]") {
    const auto p = computeSpatialParams({}, {0.0f, 0.0f, -3.0f}, {});
    CHECK(p.delayL == Approx(0.0f).margin(0.01f));
    CHECK(p.delayR == Approx(0.0f).margin(0.01f));
    CHECK(p.shadowL == Approx(p.shadowR));
    CHECK(p.panL == Approx(p.panR));
}

TEST_CASE("distance attenuates from the minimum distance on and fades out at the maximum", "[audio][spatial]") {
    const SpatialConfig cfg; // min 1 m, max 30 m
    CHECK(computeSpatialParams({}, {0, 0, -0.3f}, cfg).gain == Approx(1.0f));
    CHECK(computeSpatialParams({}, {0, 0, -1.0f}, cfg).gain == Approx(1.0f));
    CHECK(computeSpatialParams({}, {0, 0, -2.0f}, cfg).gain == Approx(0.5f));
    CHECK(computeSpatialParams({}, {0, 0, -4.0f}, cfg).gain == Approx(0.25f));
    CHECK(computeSpatialParams({}, {0, 0, -27.0f}, cfg).gain < 1.0f / 27.0f);
    CHECK(computeSpatialParams({}, {0, 0, -31.0f}, cfg).gain == 0.0f);
}

TEST_CASE("far voices use cheap panning with hysteresis, and still sound from their side", "[audio][spatial]") {
    const SpatialConfig cfg; // cheap beyond 8 m (entering at 8.8 m)
    CHECK_FALSE(computeSpatialParams({}, {-8.5f, 0, 0}, cfg, false).cheap);
    CHECK(computeSpatialParams({}, {-9.0f, 0, 0}, cfg, false).cheap);
    CHECK(computeSpatialParams({}, {-8.5f, 0, 0}, cfg, true).cheap);
    CHECK_FALSE(computeSpatialParams({}, {-7.9f, 0, 0}, cfg, true).cheap);

    const auto voice = test::speech("The pharmacist suggests lowering the dose of metformin.", "en-us", 1.0);
    const auto out = render(voice, {-12.0f, 0.0f, 0.0f});
    const auto l = test::channel(out, 0), r = test::channel(out, 1);
    CHECK(test::energy(l) > 100 * test::energy(r));
}

TEST_CASE("switching between full and cheap rendering does not click", "[audio][spatial]") {
    // A steady 300 Hz tone while the speaker walks from 7 m to 10 m and back.
    SpatialVoiceState st;
    std::vector<float> tone(kBlockSamples), stereo(2 * kBlockSamples), send(kBlockSamples);
    SpatialParams p;
    float prevL = 0.0f, maxJump = 0.0f;
    std::uint32_t n = 0;
    for (int b = 0; b < 200; ++b) {
        const float dist = 7.0f + 3.0f * std::sin(static_cast<float>(b) * 0.05f) * std::sin(static_cast<float>(b) * 0.05f);
        p = computeSpatialParams({}, {-dist * 0.7f, 0, -dist * 0.7f}, {}, p.cheap);
        for (auto& s : tone) s = 0.5f * std::sin(2.0f * 3.14159265f * 300.0f * static_cast<float>(n++) / kSampleRate);
        std::fill(stereo.begin(), stereo.end(), 0.0f);
        std::fill(send.begin(), send.end(), 0.0f);
        spatializeBlock(st, p, tone, stereo, send);
        for (std::size_t i = 0; i < kBlockSamples; ++i) {
            if (b > 0 || i > 0) maxJump = std::max(maxJump, std::abs(stereo[2 * i] - prevL));
            prevL = stereo[2 * i];
        }
    }
    // A 300 Hz sine of amplitude A changes by at most A * 2*pi*300/48000 = 0.02 A per sample.
    CHECK(maxJump < 0.01f);
}

TEST_CASE("room ambience adds a tail that can be switched off", "[audio][spatial]") {
    std::vector<float> click(kSampleRate / 2, 0.0f);
    click[100] = 1.0f;
    const auto dry = render(click, {0, 0, -2.0f}, false);
    const auto wet = render(click, {0, 0, -2.0f}, true);
    // Energy after 50 ms: none when dry, some when wet.
    const std::span<const float> dryTail(dry.data() + 2 * kSampleRate / 20, dry.size() - 2 * kSampleRate / 20);
    const std::span<const float> wetTail(wet.data() + 2 * kSampleRate / 20, wet.size() - 2 * kSampleRate / 20);
    CHECK(test::energy(dryTail) < 1e-12);
    CHECK(test::energy(wetTail) > 1e-4);
    // And it decays: the last 100 ms is much quieter than 50-150 ms.
    const std::span<const float> early(wet.data() + 2 * kSampleRate / 20, 2 * kSampleRate / 10);
    const std::span<const float> late(wet.data() + wet.size() - 2 * kSampleRate / 10, 2 * kSampleRate / 10);
    CHECK(test::energy(late) < 0.05 * test::energy(early));
}
