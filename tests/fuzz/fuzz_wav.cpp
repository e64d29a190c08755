// audio::readWav and readWavMono48k (bots --speak, test speech) on any file
// contents. The reader takes a path, so each input is written to a private
// temporary file first.
// Properties: nothing crashes; a file that reads has 1..8 channels, a rate in
// 8..192 kHz, whole frames only and no more samples than its bytes can hold;
// an error names the file; a 48 kHz mono read of a readable file succeeds.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "audio/wav.h"

namespace {
const std::string& tempPath() {
    static const std::string p = "/tmp/caseroom-fuzz-wav-" + std::to_string(::getpid()) + ".wav";
    return p;
}
struct Cleanup {
    ~Cleanup() { std::remove(tempPath().c_str()); }
} gCleanup;
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string& path = tempPath();
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) std::abort();
    if (size && std::fwrite(data, 1, size, f) != size) std::abort();
    std::fclose(f);

    auto wav = caseroom::audio::readWav(path);
    if (!wav) {
        if (wav.error().message.rfind(path, 0) != 0) std::abort(); // the error names the file
        return 0;
    }
    if (wav->channels < 1 || wav->channels > 8) std::abort();
    if (wav->sampleRate < 8000 || wav->sampleRate > 192000) std::abort();
    if (wav->samples.size() % wav->channels != 0) std::abort();
    if (wav->samples.size() * 2 > size) std::abort(); // at least two bytes per sample
    // Resampling to 48 kHz mono: bounded by the input length (1 GiB cap on
    // files; inputs here are small).
    auto mono = caseroom::audio::readWavMono48k(path);
    if (!mono && !wav->samples.empty()) std::abort();
    return 0;
}
