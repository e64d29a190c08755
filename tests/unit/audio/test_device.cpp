// Headless voice: a WAV file speaks through the whole client chain (capture
// ring -> clean-up -> Opus -> packets -> jitter buffer -> spatializer ->
// mixer -> playback), and what is heard is written to a WAV file. The output,
// aligned by cross-correlation, must match the input.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include <unistd.h>

#include "audio/audio_bridge.h"
#include "audio/audio_device.h"
#include "audio/capture.h"
#include "audio/voice_receiver.h"
#include "audio/wav.h"
#include "speech.h"

using namespace caseroom;
using namespace caseroom::audio;

TEST_CASE("wav writer and reader round-trip", "[audio][device]") {
    const std::string path = "/tmp/caseroom-test-rt-" + std::to_string(::getpid()) + ".wav";
    std::vector<float> stereo{0.0f, 0.5f, -0.5f, 0.25f, 1.0f, -1.0f};
    REQUIRE(writeWav(path, 48000, 2, stereo).ok());
    auto r = readWav(path);
    REQUIRE(r.ok());
    CHECK(r->sampleRate == 48000);
    CHECK(r->channels == 2);
    CHECK(r->samples == stereo);
    std::remove(path.c_str());
    auto missing = readWav(path);
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().message.find(path) != std::string::npos);
}

TEST_CASE("a bot speaks from a WAV file and a listener hears it in a WAV file", "[audio][device]") {
    const std::string in = "/tmp/caseroom-test-in-" + std::to_string(::getpid()) + ".wav";
    const std::string out = "/tmp/caseroom-test-out-" + std::to_string(::getpid()) + ".wav";
    const auto voice = test::speech("Our recommendation is to start treatment and check the labs at week four.", "en-us");
    REQUIRE(writeWav(in, kSampleRate, 1, voice).ok());

    // One process plays both roles: its own microphone feeds its own speaker
    // slot, positioned straight ahead, so output ~= input delayed.
    MixerConfig mc;
    mc.maxVoices = 4;
    Mixer mixer(mc, [] { return std::move(*createOpusDecoder()); });
    mixer.setAmbience(false);
    AudioBridge bridge(mixer);
    VoiceReceiver receiver(mixer);
    receiver.setSpeakerPosition(1, {0.0f, 0.0f, -1.0f});
    auto enc = createOpusEncoder({});
    REQUIRE(enc.ok());
    CaptureConfig cc;
    cc.mode = MicMode::PushToTalk;
    cc.speaker = 1;
    VoiceCapture capture(cc, createPassThroughProcessor(), std::move(*enc));
    capture.setPushToTalk(true);
    WavDeviceDesc wd;
    wd.inputWav = in;
    wd.outputWav = out;
    wd.inputDelaySec = 0.2;
    WavFileAudioDevice device(wd);
    REQUIRE(device.start(bridge).ok());

    std::vector<float> mic(kBlockSamples), far(kBlockSamples);
    VoicePacket pkt;
    double now = 0.0;
    while (!device.inputFinished() || now < 1.0 + static_cast<double>(voice.size()) / kSampleRate) {
        REQUIRE(device.pump(kBlockSamples).ok());
        now += 0.01;
        while (bridge.readCaptureBlock(mic, far)) {
            if (capture.processBlock(mic, far, pkt)) {
                receiver.onPacket(pkt, now);
                receiver.setSpeakerPosition(1, {0.0f, 0.0f, -1.0f});
            }
        }
        receiver.update(now);
    }
    REQUIRE(device.finish().ok());

    auto heard = readWav(out);
    REQUIRE(heard.ok());
    REQUIRE(heard->channels == 2);
    std::vector<float> mono(heard->samples.size() / 2);
    for (std::size_t i = 0; i < mono.size(); ++i) mono[i] = heard->samples[2 * i] + heard->samples[2 * i + 1];
    // Input as the device saw it: 200 ms of silence first.
    std::vector<float> ref(static_cast<std::size_t>(0.2 * kSampleRate), 0.0f);
    ref.insert(ref.end(), voice.begin(), voice.end());
    const std::size_t win = std::min<std::size_t>(ref.size(), 2 * kSampleRate);
    const int lag = test::bestLag(std::span<const float>(ref.data(), win), mono, 4800);
    const double corr = test::correlationAt(ref, mono, lag);
    INFO("delay " << lag * 1000.0 / kSampleRate << " ms, correlation " << corr);
    // Mouth-to-ear inside one client: framing 20 ms + Opus look-ahead 6.5 ms +
    // jitter target 20 ms + block granularity.
    CHECK(lag > 0);
    CHECK(lag * 1000.0 / kSampleRate < 100.0);
    CHECK(corr > 0.8);
    std::remove(in.c_str());
    std::remove(out.c_str());
}

TEST_CASE("null device pumps silence through the callbacks", "[audio][device]") {
    struct Counter final : AudioCallback {
        std::size_t played = 0, captured = 0;
        void onPlayback(std::span<float> s) noexcept override { played += s.size() / 2; }
        void onCapture(std::span<const float> m) noexcept override { captured += m.size(); }
    } cb;
    NullAudioDevice dev;
    REQUIRE(dev.start(cb).ok());
    dev.pump(4800);
    CHECK(cb.played == 4800);
    CHECK(cb.captured == 4800);
    dev.stop();
    dev.pump(480);
    CHECK(cb.played == 4800);
}
