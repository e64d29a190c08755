// caseroom-bench-record: a synthetic recording of a 30-person clinic through
// record::RecordingWriter, then seeks in the file it made.
//  - 30 avatars at 30 Hz: seated, heads turning (slow sweeps plus jitter),
//    5 in VR with tracked hands; each tick records the avatars whose
//    quantized state changed, as session/recording_wire.h encodes them
//    (a delta against the slot's previous sample; absolute in keyframes);
//  - voice: 1 to 3 talkers at a time (turns of 3-20 s), 20 ms frames of
//    60-80 bytes, stamped as they would arrive between ticks;
//  - a few object changes (100-400 bytes) and events per minute; a keyframe
//    every 300 ticks (10 s) with the whole room;
//  - the writer's defaults (15-tick blocks, fdatasync after each block).
// Reports: file MB per hour (state and voice plaintext apart), the writer's
// cost per tick on the caller's thread (steady_clock around the calls of one
// tick: median, p99, max), and seek time in the finished file (open +
// keyframeAtOrBefore + read the keyframe + read blocks up to the target) over
// 50 random targets. Lines starting "BENCH " are machine-readable:
//   BENCH record.<metric> <value> <unit>
// This is a benchmark, not a test. The page cache is warm for the seeks.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "core/percentile.h"
#include "net/avatar_codec.h"
#include "record/recording.h"
#include "session/recording_wire.h"

using namespace caseroom;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kPeople = 30, kVr = 5, kHz = 30;
constexpr std::uint32_t kKeyEvery = 300;

double us(Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); }
double ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

void bench(const char* metric, double value, const char* unit) { std::printf("BENCH record.%s %.3f %s\n", metric, value, unit); }

struct Person {
    glm::vec3 seat{};
    float facing = 0, phase = 0, speed = 0;   // head sweep
    net::QuantizedAvatar last{};
    bool recorded = false;
};

net::QuantizedAvatar pose(const Person& p, int i, double t, std::mt19937& rng) {
    std::normal_distribution<float> jitter(0.f, 0.004f);
    net::QuantizedAvatar a;
    a.body = net::quantizePosition(p.seat);
    a.yaw = net::quantizeYaw(p.facing);
    a.seat = std::uint32_t(i);
    // Heads turn: a slow sweep toward speakers and slides plus small tremor.
    const float yaw = 0.6f * std::sin(float(t) * p.speed + p.phase) + jitter(rng);
    const float pitch = 0.15f * std::sin(float(t) * p.speed * 0.7f + p.phase) + jitter(rng);
    a.headOffset = net::quantizeOffset({jitter(rng) * 2, 1.2f + jitter(rng), jitter(rng) * 2});
    a.head = net::quantizeQuat(glm::quat(glm::vec3(pitch, yaw, 0.f)));
    if (i < kVr) {
        a.handsTracked = true;
        for (int h = 0; h < 2; ++h) {
            const float s = float(h) * 2 - 1;
            a.handOffset[h] = net::quantizeOffset({0.25f * s + 0.05f * std::sin(float(t) * 2 + s), 0.9f + jitter(rng) * 3, 0.3f});
            a.hand[h] = net::quantizeQuat(glm::quat(glm::vec3(jitter(rng) * 5, s + jitter(rng) * 5, 0.f)));
        }
    }
    return a;
}

std::vector<std::uint8_t> randomBytes(std::size_t n, std::mt19937& rng) {
    std::vector<std::uint8_t> v(n);
    for (auto& b : v) b = std::uint8_t(rng());
    return v;
}

} // namespace

int main(int argc, char** argv) {
    int minutes = 120;
    std::string dir;
    unsigned seed = 1;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--minutes") && i + 1 < argc) minutes = std::atoi(argv[++i]);
        else if (!std::strcmp(argv[i], "--dir") && i + 1 < argc) dir = argv[++i];
        else if (!std::strcmp(argv[i], "--seed") && i + 1 < argc) seed = unsigned(std::atoi(argv[++i]));
        else {
            std::printf("usage: caseroom-bench-record [--minutes N (120)] [--dir DIR] [--seed N]\n");
            return 2;
        }
    }
    if (minutes < 1) minutes = 1;
    namespace fs = std::filesystem;
    if (dir.empty()) {
        char name[] = "/tmp/caseroom-bench-record-XXXXXX";
        if (!::mkdtemp(name)) return 1;
        dir = name;
    }
    const std::string path = (fs::path(dir) / "clinic.crrec").string();
    std::error_code ec;
    fs::remove(path, ec);

    std::mt19937 rng(seed);
    record::WriterConfig c;
    c.path = path;
    for (auto& b : c.key) b = std::uint8_t(rng());
    c.info.room = "BENCH";
    c.info.title = "30-person clinic";
    c.info.firstTick = 1;
    auto created = record::RecordingWriter::create(c);
    if (!created) {
        std::fprintf(stderr, "caseroom-bench-record: %s\n", created.error().message.c_str());
        return 1;
    }
    auto& w = **created;

    std::vector<Person> people(kPeople);
    std::uniform_real_distribution<float> u01(0.f, 1.f);
    for (int i = 0; i < kPeople; ++i) {
        const float a = float(i) / kPeople * 6.283f;
        people[std::size_t(i)].seat = {4.f * std::cos(a), 0.f, 4.f * std::sin(a)};
        people[std::size_t(i)].facing = a + 3.1416f;
        people[std::size_t(i)].phase = u01(rng) * 6.283f;
        people[std::size_t(i)].speed = 0.2f + u01(rng) * 0.6f;
    }
    std::vector<record::ObjectSample> objects;
    for (std::uint16_t id = 0; id < 12; ++id) objects.push_back({std::uint8_t(3 + id % 5), id, false, randomBytes(100 + 25 * id, rng)});

    struct Talker { std::uint16_t slot; double until; std::uint16_t seq; double nextFrameMs; };
    std::vector<Talker> talkers;
    const std::uint32_t ticks = std::uint32_t(minutes) * 60 * kHz;
    std::vector<double> cost;
    cost.reserve(ticks);
    std::uniform_int_distribution<int> opusLen(60, 80);

    const auto wall0 = Clock::now();
    for (std::uint32_t tick = 1; tick <= ticks; ++tick) {
        const double t = double(tick) / kHz, nowMs = t * 1000.0;
        // Who talks: 1..3 turns at a time.
        std::erase_if(talkers, [&](const Talker& k) { return k.until < t; });
        while (talkers.size() < 1 || (talkers.size() < 3 && u01(rng) < 0.002f)) {
            talkers.push_back({std::uint16_t(rng() % kPeople), t + 3 + u01(rng) * 17, 0, nowMs});
        }
        const bool isKey = (tick - 1) % kKeyEvery == 0;
        record::TickRecord rec;
        record::Keyframe key;
        rec.tick = key.tick = tick;
        for (int i = 0; i < kPeople; ++i) {
            auto& p = people[std::size_t(i)];
            const auto a = pose(p, i, t, rng);
            if (isKey) {
                key.present.push_back({std::uint16_t(i), 1, i == 0 ? core::Role::Facilitator : core::Role::Spoke, "Participant " + std::to_string(i)});
                key.avatars.push_back({std::uint16_t(i), session::encodeRecordedAvatar(a, nullptr)});
            } else if (!p.recorded || !(a == p.last)) {
                rec.avatars.push_back({std::uint16_t(i), session::encodeRecordedAvatar(a, p.recorded ? &p.last : nullptr)});
            }
            p.last = a;
            p.recorded = true;
        }
        for (auto& k : talkers) {
            while (k.nextFrameMs <= nowMs) {
                rec.voice.push_back({std::uint32_t(k.nextFrameMs), k.slot, k.seq++, 200, 20, false, randomBytes(std::size_t(opusLen(rng)), rng)});
                k.nextFrameMs += 20;
            }
        }
        if (u01(rng) < 4.f / (60 * kHz)) {   // ~4 object changes a minute
            auto& o = objects[rng() % objects.size()];
            o.bytes = randomBytes(100 + rng() % 300, rng);
            rec.objects.push_back(o);
        }
        if (u01(rng) < 3.f / (60 * kHz))     // ~3 events a minute
            rec.events.push_back({std::uint8_t(rng() % 20), std::uint16_t(rng() % kPeople), 0xFFFF, 0, tick, "raised a hand"});
        if (isKey) key.objects = objects;

        const auto t0 = Clock::now();
        if (isKey) w.keyframe(key);
        else w.append(rec);
        if (tick % (kHz * 60 * 15) == 0) w.mark({tick, 2, std::uint16_t(tick / (kHz * 900)), "case " + std::to_string(tick / (kHz * 900))});
        cost.push_back(us(Clock::now() - t0));
    }
    const auto recorded = Clock::now();
    const auto pre = w.stats();
    auto closed = w.close();
    const auto closeMs = ms(Clock::now() - recorded);
    if (!closed.ok()) {
        std::fprintf(stderr, "caseroom-bench-record: %s\n", closed.error().message.c_str());
        return 1;
    }
    const auto s = w.stats();
    const double hours = minutes / 60.0;
    const double mb = 1e6;
    std::printf("recorded %d min of a %d-person clinic in %.1f s (%s), %llu blocks, %llu keyframes; close %.1f ms (queue at close: %llu)\n",
                minutes, kPeople, ms(recorded - wall0) / 1000, path.c_str(), static_cast<unsigned long long>(s.blocks),
                static_cast<unsigned long long>(s.keyframes), closeMs, static_cast<unsigned long long>(pre.queuedBlocks));
    const double state = double(s.avatarBytes + s.objectBytes), voice = double(s.voiceBytes);
    const double file = double(s.fileBytes);
    std::printf("file %.1f MB: %.1f MB/h (state %.1f MB/h = avatars %.1f + objects %.2f; voice %.1f MB/h; events %.3f MB/h; framing, codec and AEAD overhead %.1f MB/h)\n",
                file / mb, file / mb / hours, state / mb / hours, double(s.avatarBytes) / mb / hours,
                double(s.objectBytes) / mb / hours, voice / mb / hours, double(s.eventBytes) / mb / hours,
                (file - state - voice - double(s.eventBytes)) / mb / hours);
    bench("file_mb_per_hour", file / mb / hours, "MB/h");
    bench("state_mb_per_hour", state / mb / hours, "MB/h");
    bench("voice_mb_per_hour", voice / mb / hours, "MB/h");
    const double p50 = core::percentile(cost, 0.5), p99 = core::percentile(cost, 0.99), pmax = core::percentile(cost, 1.0);
    std::printf("writer cost per tick on the caller's thread (%zu ticks): median %.1f us, p99 %.1f us, max %.1f us\n", cost.size(), p50, p99, pmax);
    bench("append_us_median", p50, "us");
    bench("append_us_p99", p99, "us");
    bench("append_us_max", pmax, "us");

    // Seeks: a fresh reader per target.
    std::vector<double> seek, openOnly;
    std::uniform_int_distribution<std::uint32_t> target(1, ticks);
    std::size_t blocksRead = 0;
    for (int i = 0; i < 50; ++i) {
        const std::uint32_t to = target(rng);
        const auto t0 = Clock::now();
        auto r = record::RecordingReader::open(path, c.key);
        if (!r) { std::fprintf(stderr, "caseroom-bench-record: %s\n", r.error().message.c_str()); return 1; }
        openOnly.push_back(ms(Clock::now() - t0));
        auto k = (*r)->keyframeAtOrBefore(to);
        if (!k) { std::fprintf(stderr, "caseroom-bench-record: no keyframe before %u\n", to); return 1; }
        for (std::size_t b = *k; b < (*r)->blocks().size(); ++b) {
            auto blk = (*r)->read(b);
            if (!blk) { std::fprintf(stderr, "caseroom-bench-record: %s\n", blk.error().message.c_str()); return 1; }
            ++blocksRead;
            if ((*r)->blocks()[b].lastTick >= to) break;
        }
        seek.push_back(ms(Clock::now() - t0));
    }
    std::printf("seek in the %d-min file (open + keyframeAtOrBefore + keyframe + blocks to the target, 50 targets, %.1f blocks each): "
                "median %.2f ms (min %.2f, p90 %.2f, max %.2f); of which open median %.2f ms\n",
                minutes, double(blocksRead) / 50, core::percentile(seek, 0.5), core::percentile(seek, 0.0),
                core::percentile(seek, 0.9), core::percentile(seek, 1.0), core::percentile(openOnly, 0.5));
    bench("seek_ms_median", core::percentile(seek, 0.5), "ms");
    bench("seek_ms_min", core::percentile(seek, 0.0), "ms");
    bench("seek_ms_p90", core::percentile(seek, 0.9), "ms");
    bench("seek_ms_max", core::percentile(seek, 1.0), "ms");
    bench("open_ms_median", core::percentile(openOnly, 0.5), "ms");
    fs::remove(path, ec);
    return 0;
}
