// The device-side path never allocates: Mixer::render (32 voices, ambience,
// mode crossfades) and AudioBridge's callbacks run with a counting global
// operator new armed. The receive path's steady state (jitter buffer push/pull
// with Opus decode) is checked the same way. Own executable: it replaces the
// global allocation functions.
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <new>
#include <vector>

#include "audio/audio_bridge.h"
#include "audio/jitter_buffer.h"
#include "audio/mixer.h"
#include "audio/codec.h"

namespace {
std::atomic<bool> gArmed{false};
std::atomic<std::uint64_t> gAllocs{0};
}

void* operator new(std::size_t n) {
    if (gArmed.load(std::memory_order_relaxed)) gAllocs.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(n ? n : 1)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
    if (gArmed.load(std::memory_order_relaxed)) gAllocs.fetch_add(1, std::memory_order_relaxed);
    return std::malloc(n ? n : 1);
}
void* operator new[](std::size_t n, const std::nothrow_t& t) noexcept { return operator new(n, t); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

using namespace caseroom::audio;

TEST_CASE("the allocation counter sees allocations", "[audio][alloc]") {
    gAllocs = 0;
    gArmed = true;
    auto* v = new std::vector<float>(100);
    gArmed = false;
    delete v;
    CHECK(gAllocs.load() == 2); // the vector object and its storage
}

TEST_CASE("mixing 32 voices through the device callback allocates nothing", "[audio][alloc]") {
    MixerConfig mc;
    mc.maxVoices = 32;
    Mixer mixer(mc);
    AudioBridge bridge(mixer);
    std::vector<float> noise(kBlockSamples), stereo(2 * kBlockSamples), mic(kBlockSamples);
    for (std::size_t i = 0; i < noise.size(); ++i) noise[i] = 0.1f * static_cast<float>((i * 7919) % 200) / 200.0f - 0.05f;
    for (std::uint32_t v = 0; v < 32; ++v) {
        const float angle = static_cast<float>(v) * 0.4f;
        const float dist = 1.0f + static_cast<float>(v) * 0.4f; // crosses into cheap mode
        mixer.attach(v, computeSpatialParams({}, {dist * std::sin(angle), 0.0f, -dist * std::cos(angle)}, {}));
    }
    std::vector<float> farEnd(kBlockSamples);
    gAllocs = 0;
    gArmed = true;
    for (int b = 0; b < 200; ++b) {
        for (std::uint32_t v = 0; v < 32; ++v) {
            mixer.pushSamples(v, noise);
            if (b % 20 == 0) { // walking listeners: parameter updates, cheap/full switches
                const float dist = 6.0f + static_cast<float>((b / 20 + v) % 6);
                mixer.setParams(v, computeSpatialParams({}, {dist, 0.0f, 0.0f}, {}, (b / 20) % 2 == 1));
            }
        }
        if (b == 100) mixer.setAmbience(false);
        if (b == 150) mixer.setAmbience(true);
        bridge.onPlayback(stereo); // device thread
        bridge.onCapture(noise);
        bridge.readCaptureBlock(mic, farEnd);
    }
    gArmed = false;
    CHECK(gAllocs.load() == 0);
}

TEST_CASE("packet-fed voices decode in the callback without allocating", "[audio][alloc]") {
    MixerConfig mc;
    mc.maxVoices = 8;
    Mixer mixer(mc, [] { return std::move(*createOpusDecoder()); });
    AudioBridge bridge(mixer);
    EncoderConfig noDtx;
    noDtx.dtx = false;
    std::vector<std::unique_ptr<VoiceEncoder>> enc;
    for (std::uint16_t v = 0; v < 8; ++v) {
        enc.push_back(std::move(*createOpusEncoder(noDtx)));
        mixer.attach(v, computeSpatialParams({}, {static_cast<float>(v) - 4.0f, 0.0f, -2.0f}, {}), v);
    }
    std::vector<float> frame(kMaxFrameSamples), stereo(2 * kBlockSamples);
    VoicePacket p;
    std::uint64_t allocs = 0;
    for (int f = 0; f < 150; ++f) {
        for (std::uint16_t v = 0; v < 8; ++v) {
            for (std::size_t i = 0; i < frame.size(); ++i)
                frame[i] = 0.2f * std::sin(static_cast<float>(f * 960 + static_cast<int>(i)) * 0.02f * (1.0f + v));
            auto bytes = enc[v]->encode(frame, p.bytes); // sender side: not counted
            REQUIRE(bytes.ok());
            p.size = static_cast<std::uint16_t>(*bytes);
            p.speaker = v;
            p.sequence = static_cast<std::uint16_t>(f);
            if (f % 13 != 7) mixer.pushPacket(v, p, mixer.deviceTime());
        }
        if (f == 20) gAllocs = 0;
        gArmed = f >= 20; // only the device side is counted
        bridge.onPlayback(stereo); // two 10 ms callbacks per 20 ms frame
        bridge.onPlayback(stereo);
        gArmed = false;
    }
    allocs = gAllocs.load();
    CHECK(allocs == 0);
    const auto st = mixer.sourceStats(3);
    CHECK(st.jitter.real > 100);
    CHECK(st.jitter.fec > 0);
}

TEST_CASE("jitter buffer push and pull allocate nothing in the steady state", "[audio][alloc]") {
    EncoderConfig noDtx;
    noDtx.dtx = false;
    auto enc = createOpusEncoder(noDtx);
    auto dec = createOpusDecoder();
    REQUIRE((enc.ok() && dec.ok()));
    JitterBuffer jb(std::move(*dec));
    std::vector<float> frame(kMaxFrameSamples), block(kBlockSamples);
    VoicePacket p;
    std::uint64_t during = 0;
    for (std::uint16_t seq = 0; seq < 200; ++seq) {
        for (std::size_t i = 0; i < frame.size(); ++i) frame[i] = 0.2f * std::sin(static_cast<float>(seq * 960u + i) * 0.03f);
        auto bytes = (*enc)->encode(frame, p.bytes);
        REQUIRE(bytes.ok());
        p.size = static_cast<std::uint16_t>(*bytes);
        p.sequence = seq;
        const double now = seq * 0.02;
        if (seq == 50) { gAllocs = 0; gArmed = true; }
        if (seq % 17 != 3) jb.push(p, now); // some losses: FEC and PLC paths too
        jb.pull(now, block);
        jb.pull(now + 0.01, block);
    }
    gArmed = false;
    during = gAllocs.load();
    CHECK(during == 0);
    CHECK(jb.stats().fec > 0);
}
