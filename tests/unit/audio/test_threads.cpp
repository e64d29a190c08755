// Device thread and voice thread at once: the callback renders (decoding in
// the jitter buffers) while the voice thread attaches and releases speakers,
// pushes packets and reads stats. It checks that audio flows and nothing
// breaks; `tools/dev test` also runs it under ThreadSanitizer (preset tsan,
// label "threads"), which checks the SPSC ring and LatestValue hand-offs and
// every other access the two threads share.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cmath>
#include <thread>
#include <vector>

#include "audio/audio_bridge.h"
#include "audio/codec.h"
#include "audio/voice_receiver.h"

using namespace caseroom::audio;

TEST_CASE("callback and voice thread run concurrently", "[audio][threads]") {
    MixerConfig mc;
    mc.maxVoices = 4;
    Mixer mixer(mc, [] { return std::move(*createOpusDecoder()); });
    AudioBridge bridge(mixer);
    VoiceReceiverConfig rc;
    rc.idleReleaseSec = 0.05; // churn slots
    VoiceReceiver receiver(mixer, rc);

    std::atomic<bool> stop{false};
    std::atomic<std::uint64_t> blocks{0};
    std::atomic<float> loudest{0.0f};
    std::thread device([&] {
        std::vector<float> stereo(2 * kBlockSamples), mic(kBlockSamples, 0.01f);
        while (!stop.load()) {
            bridge.onPlayback(stereo);
            bridge.onCapture(mic);
            float peak = 0.0f;
            for (float s : stereo) peak = std::max(peak, std::abs(s));
            if (peak > loudest.load()) loudest.store(peak);
            ++blocks;
            std::this_thread::sleep_for(std::chrono::microseconds(300));
        }
    });

    EncoderConfig ec;
    ec.dtx = false;
    auto enc = createOpusEncoder(ec);
    REQUIRE(enc.ok());
    std::vector<float> frame(kMaxFrameSamples), mic(kBlockSamples), far(kBlockSamples);
    VoicePacket p;
    std::uint32_t n = 0;
    std::uint16_t seq = 0;
    double now = 0.0;
    std::uint64_t lastBlocks = 0;
    for (int round = 0; round < 400; ++round) {
        // Each 20 ms of device time, every talking speaker sends a frame.
        while (blocks.load() < lastBlocks + 2) std::this_thread::yield();
        lastBlocks = blocks.load();
        now += 0.02;
        for (auto& s : frame) s = 0.3f * std::sin(2.0f * 3.14159265f * 330.0f * static_cast<float>(n++) / kSampleRate);
        auto bytes = (*enc)->encode(frame, p.bytes);
        REQUIRE(bytes.ok());
        p.size = static_cast<std::uint16_t>(*bytes);
        p.sequence = seq++;
        // Speakers 1 and 2 talk throughout; 3 and 4 talk in bursts, so their
        // slots are released and re-attached while the callback runs.
        for (std::uint16_t sp = 1; sp <= 4; ++sp) {
            if (sp >= 3 && (round / 25) % 2 == (sp == 3 ? 0 : 1)) continue;
            p.speaker = sp;
            receiver.onPacket(p, now);
        }
        receiver.update(now);
        while (bridge.readCaptureBlock(mic, far)) {}
        for (const auto& v : receiver.speakers()) REQUIRE(v.source.jitter.malformed == 0);
    }
    stop = true;
    device.join();
    CHECK(loudest.load() > 0.1f);
    CHECK(blocks.load() >= 800);
}
