// Shared by the record tests: a fixed key, sample content and a writer/reader pair.
#pragma once
#include <sys/stat.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "record/recording.h"

namespace caseroom::record::testing {

inline Key testKey(std::uint8_t seed = 7) {
    Key k{};
    for (std::size_t i = 0; i < k.size(); ++i) k[i] = std::uint8_t(seed * 31 + i);
    return k;
}

inline RecordingInfo sampleInfo() {
    RecordingInfo i;
    i.room = "ECHO-7";
    i.title = "Hepatitis C clinic";
    i.session = 42;
    i.startedUnix = 1'790'000'000;
    i.tickRate = 30;
    i.firstTick = 100;
    i.policy = Policy::WholeSession;
    i.roomSpec = "[room ECHO-7]\nseats = 12\n";
    return i;
}

inline std::vector<std::uint8_t> bytesOf(std::size_t n, std::uint8_t seed) {
    std::vector<std::uint8_t> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = std::uint8_t(seed + i * 13);
    return v;
}

// A tick with every kind of content (some ticks lighter than others).
inline TickRecord sampleTick(std::uint32_t tick) {
    TickRecord t;
    t.tick = tick;
    if (tick % 50 == 0) t.joined.push_back({std::uint16_t(tick % 7), std::uint16_t(tick / 50), core::Role::Specialist, "Dr. Ayşe " + std::to_string(tick)});
    if (tick % 77 == 0) t.left.push_back(std::uint16_t(tick % 5));
    for (std::uint16_t s = 0; s < 3; ++s) t.avatars.push_back({s, bytesOf(10 + s, std::uint8_t(tick + s))});
    if (tick % 10 == 0) t.objects.push_back({3, std::uint16_t(tick % 9), false, bytesOf(40, std::uint8_t(tick))});
    if (tick % 33 == 0) t.objects.push_back({4, 2, true, {}});
    if (tick % 2 == 0) t.voice.push_back({tick * 33, 1, std::uint16_t(tick), 200, 20, tick % 6 == 0, bytesOf(70, std::uint8_t(tick))});
    if (tick % 25 == 0) t.events.push_back({5, 1, 0xFFFF, 2, tick, "case " + std::to_string(tick)});
    // Video: a screen of slot 1 (packed 1 << 2 | 1) every third tick, sizes 14..the limit; a camera of slot 0 now and then.
    if (tick % 3 == 0) t.video.push_back({tick * 33 + 1, 5, bytesOf(14 + (tick * 37) % (kMaxVideoWireBytes - 13), std::uint8_t(tick))});
    if (tick % 40 == 0) t.video.push_back({tick * 33 + 2, 0, bytesOf(kMaxVideoWireBytes, std::uint8_t(tick + 1))});
    return t;
}

inline Keyframe sampleKeyframe(std::uint32_t tick) {
    Keyframe k;
    k.tick = tick;
    k.present = {{0, 1, core::Role::Facilitator, "Fac"}, {1, 1, core::Role::Spoke, "Spoke one"}};
    k.avatars = {{0, bytesOf(30, 1)}, {1, bytesOf(30, 2)}};
    k.objects = {{3, 1, false, bytesOf(200, 3)}, {6, 9, false, bytesOf(12, 4)}};
    return k;
}

inline std::vector<std::uint8_t> slurpBytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}
inline void spitBytes(const std::string& path, const std::vector<std::uint8_t>& b) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
}

} // namespace caseroom::record::testing
