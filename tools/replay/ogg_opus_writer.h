// An Ogg Opus file written through libopusenc (the only file that includes
// <opusenc.h>): 48 kHz float input, 1 or 2 channels, Vorbis comments.
//
// Contract: the file is written as PATH.part (mode 0644, an existing .part
// replaced); finish() closes it and commit() renames it onto PATH, so the
// caller decides when the output appears (with its audit row). A writer
// destroyed before commit() removes its .part file. Errors name the file and the fault
// (errno text for I/O). The decoded length equals the frames written
// (libopusenc writes the pre-skip and the end trim).
// Thread rule: one thread.
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "loudness.h"

namespace caseroom::replay {

struct OggOpusDesc {
    std::string path;                     // the final name
    std::uint32_t channels = 2;           // 1 or 2
    std::int32_t bitrate = 64000;         // bits per second (all channels)
    std::int32_t complexity = 10;         // Opus encoder complexity 0..10 (speed against quality)
    std::vector<std::pair<std::string, std::string>> tags;  // Vorbis comments in order (TITLE, DATE, CHAPTER001, ...)
};

class OggOpusWriter {
public:
    [[nodiscard]] static core::Result<std::unique_ptr<OggOpusWriter>> create(const OggOpusDesc& desc);
    ~OggOpusWriter();
    OggOpusWriter(const OggOpusWriter&) = delete;
    OggOpusWriter& operator=(const OggOpusWriter&) = delete;

    // Interleaved frames.
    [[nodiscard]] core::Status write(std::span<const float> interleaved);
    // Drains the encoder and closes the .part file (synced).
    [[nodiscard]] core::Status finish();
    // Renames the finished .part onto the final path.
    [[nodiscard]] core::Status commit();
    [[nodiscard]] const std::string& path() const { return desc_.path; }
    [[nodiscard]] std::string partPath() const { return desc_.path + ".part"; }
    [[nodiscard]] std::uint64_t framesWritten() const { return frames_; }
    struct Sink;                          // the file libopusenc writes through (ogg_opus_writer.cpp)

private:
    explicit OggOpusWriter(OggOpusDesc desc);
    OggOpusDesc desc_;
    std::unique_ptr<Sink> sink_;
    void* enc_ = nullptr;                 // OggOpusEnc*
    std::uint64_t frames_ = 0;
    bool finished_ = false, committed_ = false;
};

} // namespace caseroom::replay
