// Capture chain: echo cancellation on a simulated room echo path with
// near-end speech on top, the mic gate (mute / push-to-talk / open mic with
// VAD) and the input meter.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

#include "audio/capture.h"
#include "audio/voice_processor.h"
#include "core/rng.h"
#include "speech.h"

using namespace caseroom;
using namespace caseroom::audio;

namespace {

double db(double x) { return 10 * std::log10(x); }

double energyIn(const std::vector<float>& x, double from, double to) {
    const auto a = static_cast<std::size_t>(from * kSampleRate), b = static_cast<std::size_t>(to * kSampleRate);
    return test::energy(std::span<const float>(x.data() + a, b - a));
}

} // namespace

TEST_CASE("echo canceller removes far-end speech played back into the microphone", "[audio][capture][echo]") {
    // Far end talks for 14 s; the near end talks over it in [6, 8.5) and [11, 13.5).
    constexpr double kSeconds = 14.0;
    const auto n = static_cast<std::size_t>(kSeconds * kSampleRate);
    auto far = test::speech("Thank you for presenting. Could you tell us the latest viral load and the platelet count, "
                            "and whether the patient has any signs of ascites or encephalopathy?",
                            "en-us", kSeconds);
    auto nearVoice = test::speech("Yes, the viral load was high and platelets were low last month.", "en-us+f3", 3.0);
    far.resize(n);
    for (auto& s : far) s *= 0.5f;

    // Room echo path: direct speaker-to-mic coupling at 6 ms, then 40 sparse
    // reflections up to 150 ms, decaying; seeded.
    struct Tap { std::size_t delay; float gain; };
    std::vector<Tap> path{{static_cast<std::size_t>(0.006 * kSampleRate), 0.45f}};
    core::Rng rng(7);
    for (int i = 0; i < 40; ++i) {
        const double t = 0.008 + 0.142 * rng.uniform();
        path.push_back({static_cast<std::size_t>(t * kSampleRate),
                        static_cast<float>((rng.chance(0.5) ? 1 : -1) * 0.12 * std::exp(-t / 0.05))});
    }
    std::vector<float> echo(n, 0.0f), nearEnd(n, 0.0f), mic(n, 0.0f);
    for (std::size_t i = 0; i < n; ++i)
        for (const Tap& t : path)
            if (i >= t.delay) echo[i] += far[i - t.delay] * t.gain;
    for (double start : {6.0, 11.0}) {
        const auto s = static_cast<std::size_t>(start * kSampleRate);
        for (std::size_t i = 0; i < static_cast<std::size_t>(2.5 * kSampleRate) && i < nearVoice.size(); ++i)
            nearEnd[s + i] = 0.5f * nearVoice[i];
    }
    for (std::size_t i = 0; i < n; ++i) mic[i] = echo[i] + nearEnd[i] + 0.0005f * static_cast<float>(rng.uniform() - 0.5);

    VoiceProcessorConfig cfg;
    cfg.autoGain = false; // AGC would change levels and blur the measurement
    auto proc = createSpeexProcessor(cfg);
    REQUIRE(proc.ok());
    std::vector<float> out(n, 0.0f);
    for (std::size_t at = 0; at + kBlockSamples <= n; at += kBlockSamples)
        (*proc)->process(std::span<const float>(mic.data() + at, kBlockSamples),
                         std::span<const float>(far.data() + at, kBlockSamples),
                         std::span<float>(out.data() + at, kBlockSamples));

    // Echo-only stretches after a 3 s convergence: [3, 6) and [9, 11).
    const double echoIn = energyIn(mic, 3, 6) + energyIn(mic, 9, 11);
    const double echoOut = energyIn(out, 3, 6) + energyIn(out, 9, 11);
    const double erle = db(echoIn / echoOut);
    // Double talk: how much of the near end survives, and how much echo is left
    // on top of it ([6.5, 8.5) and [11.5, 13.5), after the canceller settled).
    const double nearIn = energyIn(nearEnd, 6.5, 8.5) + energyIn(nearEnd, 11.5, 13.5);
    const double micDt = energyIn(mic, 6.5, 8.5) + energyIn(mic, 11.5, 13.5);
    const double outDt = energyIn(out, 6.5, 8.5) + energyIn(out, 11.5, 13.5);
    INFO("echo return loss enhancement " << erle << " dB; double talk: mic/near " << db(micDt / nearIn)
                                         << " dB, out/near " << db(outDt / nearIn) << " dB; espeak "
                                         << test::speechIsEspeak());
    CHECK(erle >= 20.0);
    // Near-end speech gets through double talk (not gated to silence).
    CHECK(db(outDt / nearIn) > -10.0);
}

TEST_CASE("echo cancellation can be switched off", "[audio][capture][echo]") {
    VoiceProcessorConfig off;
    off.echoCancel = off.noiseSuppress = off.autoGain = false;
    auto proc = createSpeexProcessor(off);
    REQUIRE(proc.ok());
    std::vector<float> mic(kBlockSamples), far(kBlockSamples), out(kBlockSamples);
    for (std::size_t i = 0; i < mic.size(); ++i) mic[i] = far[i] = 0.3f * std::sin(static_cast<float>(i) * 0.07f);
    for (int k = 0; k < 50; ++k) (*proc)->process(mic, far, out);
    // Without the canceller (and without NS/AGC) the microphone passes unchanged.
    for (std::size_t i = 0; i < out.size(); ++i) REQUIRE(std::abs(out[i] - mic[i]) < 1e-3f);
    CHECK_FALSE((*proc)->config().echoCancel);
}

TEST_CASE("voice activity follows speech over a noise floor, with hangover", "[audio][capture]") {
    VadState st;
    const VadConfig cfg;
    for (int i = 0; i < 50; ++i) CHECK_FALSE(vadUpdate(st, cfg, -65.0f, 20.0f)); // background noise
    CHECK(vadUpdate(st, cfg, -25.0f, 20.0f));                                    // speech
    for (int i = 0; i < 14; ++i) CHECK(vadUpdate(st, cfg, -65.0f, 20.0f));       // within 300 ms hangover
    bool stillOn = true;
    for (int i = 0; i < 3; ++i) stillOn = vadUpdate(st, cfg, -65.0f, 20.0f);
    CHECK_FALSE(stillOn);
    // A loud steady hum raises the floor over time and stops counting as speech.
    for (int i = 0; i < 1000; ++i) vadUpdate(st, cfg, -30.0f, 20.0f);
    CHECK_FALSE(vadUpdate(st, cfg, -30.0f, 20.0f));
}

TEST_CASE("mute, push-to-talk and open mic gate what is sent, the meter always reads", "[audio][capture]") {
    const auto voice = test::speech("Can everyone hear me?", "en-us", 2.0);
    auto enc = createOpusEncoder({});
    REQUIRE(enc.ok());
    CaptureConfig cc;
    cc.mode = MicMode::Muted;
    cc.speaker = 9;
    VoiceCapture cap(cc, createPassThroughProcessor(), std::move(*enc));
    std::vector<float> silence(kBlockSamples, 0.0f);
    VoicePacket p;
    std::size_t at = 0;
    std::uint8_t maxLevel = 0;
    auto feed = [&](int blocks) {
        int sent = 0;
        bool firstTalkStart = false;
        for (int b = 0; b < blocks; ++b, at += kBlockSamples) {
            at %= voice.size() - kBlockSamples;
            if (cap.processBlock(std::span<const float>(voice.data() + at, kBlockSamples), silence, p)) {
                if (sent == 0) firstTalkStart = p.talkStart;
                ++sent;
                CHECK(p.speaker == 9);
                maxLevel = std::max(maxLevel, p.level);
            }
        }
        return std::pair{sent, firstTalkStart};
    };
    CHECK(feed(100).first == 0); // muted
    CHECK(cap.meter().inputDb > -140.0f);
    cap.setMode(MicMode::PushToTalk);
    CHECK(feed(100).first == 0); // key up
    cap.setPushToTalk(true);
    const auto [sentPtt, talkStart] = feed(100);
    CHECK(sentPtt > 20);
    CHECK(talkStart);
    CHECK(maxLevel > levelByteFromDb(-40.0f)); // speech, not silence
    cap.setMode(MicMode::OpenMic);
    CHECK(feed(100).first > 20); // speech opens the VAD gate
    // Silence closes it.
    int sent = 0;
    for (int b = 0; b < 100; ++b)
        if (cap.processBlock(silence, silence, p)) ++sent;
    CHECK(sent <= 15); // at most the hangover
    CHECK(cap.meter().inputDb == -140.0f);
    CHECK_FALSE(cap.meter().transmitting);
}
