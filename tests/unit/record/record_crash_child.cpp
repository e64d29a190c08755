// The kill -9 test's child (test_record_crash.cpp): records a room in real
// time at 30 Hz (sleeping between ticks) with the default WriterConfig, and
// prints "tick N" after each append returned. The parent kills it with
// SIGKILL and checks how many of the printed ticks the file kept.
#include <chrono>
#include <cstdio>
#include <thread>

#include "record_fixture.h"

using namespace caseroom::record;
using namespace caseroom::record::testing;

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: record_crash_child FILE\n");
        return 2;
    }
    WriterConfig c;  // flushTicks, syncEachBlock: the defaults under test
    c.path = argv[1];
    c.key = testKey();
    c.info = sampleInfo();
    c.info.firstTick = 1;
    auto w = RecordingWriter::create(c);
    if (!w) {
        std::fprintf(stderr, "record_crash_child: %s\n", w.error().message.c_str());
        return 1;
    }
    const auto start = std::chrono::steady_clock::now();
    for (std::uint32_t t = 1; t < 30 * 120; ++t) {
        if (t % 300 == 1) (*w)->keyframe(sampleKeyframe(t));
        else (*w)->append(sampleTick(t));
        std::printf("tick %u\n", t);
        std::fflush(stdout);
        std::this_thread::sleep_until(start + std::chrono::microseconds(std::int64_t(t) * 1'000'000 / 30));
    }
    return 0;
}
