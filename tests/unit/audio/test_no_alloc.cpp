// The device-side path never allocates: Mixer::render (32 voices, ambience,
// mode crossfades) and AudioBridge's callbacks run with a counting allocator
// armed. The receive path's steady state (jitter buffer push/pull with Opus
// decode) is checked the same way. Own executable: it replaces the global
// allocation functions.
//
// What is counted: the global operator new/delete, and, by symbol
// interposition in this executable, the C allocator (malloc, calloc, realloc,
// aligned_alloc, posix_memalign, memalign, free), so an allocation inside
// libopus, speexdsp or any C library on the path is seen too. The
// interposers forward to glibc's own entry points (__libc_malloc and
// friends). Under a sanitizer (ASan, TSan) the runtime owns malloc and an
// interposer would clash with its interceptors: there only operator new and
// delete are counted, and the C-allocator check is reported as skipped.
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <new>
#include <vector>

#include "audio/audio_bridge.h"
#include "audio/jitter_buffer.h"
#include "audio/mixer.h"
#include "audio/codec.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define CASEROOM_COUNT_MALLOC 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define CASEROOM_COUNT_MALLOC 0
#endif
#endif
#ifndef CASEROOM_COUNT_MALLOC
#if defined(__GLIBC__)
#define CASEROOM_COUNT_MALLOC 1
#else
#define CASEROOM_COUNT_MALLOC 0
#endif
#endif

namespace {
std::atomic<bool> gArmed{false};
std::atomic<std::uint64_t> gAllocs{0};
std::atomic<std::uint64_t> gFrees{0};
constexpr bool kCountsMalloc = CASEROOM_COUNT_MALLOC != 0;
void countAlloc() {
    if (gArmed.load(std::memory_order_relaxed)) gAllocs.fetch_add(1, std::memory_order_relaxed);
}
void countFree(const void* p) {
    if (p && gArmed.load(std::memory_order_relaxed)) gFrees.fetch_add(1, std::memory_order_relaxed);
}
void arm() {
    gAllocs = 0;
    gFrees = 0;
    gArmed = true;
}
} // namespace

#if CASEROOM_COUNT_MALLOC
extern "C" {
void* __libc_malloc(std::size_t);
void* __libc_calloc(std::size_t, std::size_t);
void* __libc_realloc(void*, std::size_t);
void* __libc_memalign(std::size_t, std::size_t);
void __libc_free(void*);

void* malloc(std::size_t n) noexcept {
    countAlloc();
    return __libc_malloc(n);
}
void* calloc(std::size_t n, std::size_t size) noexcept {
    countAlloc();
    return __libc_calloc(n, size);
}
void* realloc(void* p, std::size_t n) noexcept {
    countAlloc(); // a resize may move: the callback must not do either
    return __libc_realloc(p, n);
}
void* memalign(std::size_t align, std::size_t n) noexcept {
    countAlloc();
    return __libc_memalign(align, n);
}
void* aligned_alloc(std::size_t align, std::size_t n) noexcept {
    countAlloc();
    return __libc_memalign(align, n);
}
int posix_memalign(void** out, std::size_t align, std::size_t n) noexcept {
    countAlloc();
    if (align < sizeof(void*) || (align & (align - 1)) != 0) return 22; // EINVAL
    void* p = __libc_memalign(align, n);
    if (!p) return 12; // ENOMEM
    *out = p;
    return 0;
}
void free(void* p) noexcept {
    countFree(p);
    __libc_free(p);
}
} // extern "C"
#endif

// operator new and delete: counted here only when malloc is not (otherwise
// the malloc underneath counts them once).
void* operator new(std::size_t n) {
    if (!kCountsMalloc) countAlloc();
    if (void* p = std::malloc(n ? n : 1)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
    if (!kCountsMalloc) countAlloc();
    return std::malloc(n ? n : 1);
}
void* operator new[](std::size_t n, const std::nothrow_t& t) noexcept { return operator new(n, t); }
void operator delete(void* p) noexcept {
    if (!kCountsMalloc) countFree(p);
    std::free(p);
}
void operator delete[](void* p) noexcept { operator delete(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { operator delete(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { operator delete(p); }
void operator delete(void* p, std::size_t) noexcept { operator delete(p); }
void operator delete[](void* p, std::size_t) noexcept { operator delete(p); }

using namespace caseroom::audio;

TEST_CASE("the allocation counter sees allocations", "[audio][alloc]") {
    arm();
    auto* v = new std::vector<float>(100);
    gArmed = false;
    delete v;
    CHECK(gAllocs.load() == 2); // the vector object and its storage
    arm();
    delete new int(3);
    gArmed = false;
    CHECK(gFrees.load() == 1);
}

TEST_CASE("the allocation counter sees the C allocator", "[audio][alloc]") {
    if (!kCountsMalloc) {
        WARN("sanitizer build: malloc belongs to the sanitizer runtime, only operator new/delete are counted");
        return;
    }
    // Through volatile pointers, so the compiler cannot pair and remove them.
    void* (*volatile m)(std::size_t) = std::malloc;
    void* (*volatile c)(std::size_t, std::size_t) = std::calloc;
    void* (*volatile r)(void*, std::size_t) = std::realloc;
    void (*volatile f)(void*) = std::free;
    arm();
    void* p = m(16);
    p = r(p, 4096);
    void* q = c(8, 8);
    void* a = std::aligned_alloc(64, 128);
    void* pm = nullptr;
    const int pmr = posix_memalign(&pm, 64, 64);
    f(p);
    f(q);
    f(a);
    f(pm);
    gArmed = false;
    CHECK(pmr == 0);
    CHECK(gAllocs.load() == 5);
    CHECK(gFrees.load() == 4);
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
    arm();
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
    CHECK(gFrees.load() == 0);
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
        if (f == 20) arm();
        gArmed = f >= 20; // only the device side is counted
        bridge.onPlayback(stereo); // two 10 ms callbacks per 20 ms frame
        bridge.onPlayback(stereo);
        gArmed = false;
    }
    allocs = gAllocs.load();
    CHECK(allocs == 0);
    CHECK(gFrees.load() == 0);
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
        if (seq == 50) arm();
        if (seq % 17 != 3) jb.push(p, now); // some losses: FEC and PLC paths too
        jb.pull(now, block);
        jb.pull(now + 0.01, block);
    }
    gArmed = false;
    during = gAllocs.load();
    CHECK(during == 0);
    CHECK(gFrees.load() == 0);
    CHECK(jb.stats().fec > 0);
}
