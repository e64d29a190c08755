// WAV files (RIFF, PCM 16-bit or IEEE float 32-bit, any rate and channel
// count on read; float 32-bit on write) and a resampler to 48 kHz.
// Files are untrusted input: a bad file gets an error naming the file and the
// problem. Not for the audio callback (I/O).
#pragma once
#include <cstdint>
#include <cstdio>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"

namespace caseroom::audio {

struct WavData {
    std::uint32_t sampleRate = 0;
    std::uint16_t channels = 0;
    std::vector<float> samples; // interleaved, [-1, 1]
};

core::Result<WavData> readWav(const std::string& path);
// Reads a WAV and returns 48 kHz mono (channels averaged, resampled).
core::Result<std::vector<float>> readWavMono48k(const std::string& path);
[[nodiscard]] core::Status writeWav(const std::string& path, std::uint32_t sampleRate, std::uint16_t channels,
                                    std::span<const float> interleaved);

// Streams float samples to a WAV file; close() patches the header sizes.
class WavWriter {
public:
    WavWriter() = default;
    ~WavWriter();
    WavWriter(const WavWriter&) = delete;
    WavWriter& operator=(const WavWriter&) = delete;

    [[nodiscard]] core::Status open(const std::string& path, std::uint32_t sampleRate, std::uint16_t channels);
    [[nodiscard]] core::Status write(std::span<const float> interleaved);
    [[nodiscard]] core::Status close();
    [[nodiscard]] bool isOpen() const { return file_ != nullptr; }

private:
    std::FILE* file_ = nullptr;
    std::string path_;
    std::uint64_t dataBytes_ = 0;
    std::uint32_t rate_ = 0;
    std::uint16_t channels_ = 0;
};

// Mono resampling with speexdsp's resampler (quality 8). Returns a new buffer.
std::vector<float> resampleMono(std::span<const float> in, std::uint32_t fromRate, std::uint32_t toRate);

} // namespace caseroom::audio
