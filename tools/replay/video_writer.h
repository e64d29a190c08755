// A WebM video file: RGBA frames encoded with libvpx (VP8 or VP9) and
// muxed by libavformat (Debian 12's libwebm-dev has no muxer headers). The
// only file that includes <vpx/...> or <libavformat/...> for writing.
//
// Contract:
// - frames arrive at a constant rate: frame i is shown at i / fps seconds;
//   the file's duration is frames / fps;
// - each frame is width x height RGBA8, rows top first, tightly packed
//   (alpha ignored); converted to I420 (BT.601, limited range, the colour
//   space WebM players assume when none is signalled; the stream says so);
// - the file is written as PATH.part (mode 0644 less the umask, an existing .part
//   replaced); finish() drains the encoder, writes the cues and chapters and
//   closes it (synced); commit() renames it onto PATH, so the caller decides
//   when the output appears (with its audit row). A writer destroyed before
//   commit() removes its .part file;
// - chapters (Matroska Chapters: start, end, title) and the TITLE and
//   DATE_RECORDED tags are written with the header;
// - errors name the file and the fault (libvpx's or libavformat's text,
//   errno text for I/O).
// Thread rule: one thread.
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"

namespace caseroom::replay {

enum class VideoCodec : std::uint8_t { Vp8, Vp9 };
const char* toString(VideoCodec c);   // "VP8", "VP9"

struct VideoChapter {
    double startMs = 0, endMs = 0;       // in the file's time (0 = first frame)
    std::string title;
};

struct VideoDesc {
    std::string path;                    // the final name
    std::uint32_t width = 1280, height = 720;   // even, 16..4096
    std::uint32_t fps = 30;              // 1..60
    VideoCodec codec = VideoCodec::Vp8;
    std::uint32_t bitrateKbps = 2000;    // target (VBR)
    // libvpx's speed against quality: VP8 -16..16 and VP9 -8..8 (higher is
    // faster); the default suits a room that moves little.
    std::int32_t cpuUsed = 6;
    std::uint32_t keyframeSeconds = 5;   // at most this far between keyframes (seeking)
    std::string title;                   // TITLE tag (empty: none)
    std::string date;                    // DATE_RECORDED tag, ISO 8601 (empty: none)
    std::vector<VideoChapter> chapters;  // in order; the caller keeps them within the file's duration
};

class VideoWriter {
public:
    [[nodiscard]] static core::Result<std::unique_ptr<VideoWriter>> create(const VideoDesc& desc);
    ~VideoWriter();
    VideoWriter(const VideoWriter&) = delete;
    VideoWriter& operator=(const VideoWriter&) = delete;

    // One frame: width * height * 4 bytes.
    [[nodiscard]] core::Status addFrame(std::span<const std::uint8_t> rgba);
    // Drains the encoder, writes the trailer and closes the .part file (synced).
    [[nodiscard]] core::Status finish();
    // Renames the finished .part onto the final path.
    [[nodiscard]] core::Status commit();
    [[nodiscard]] const std::string& path() const;
    [[nodiscard]] std::string partPath() const;
    [[nodiscard]] std::uint64_t framesWritten() const;
    [[nodiscard]] std::uint64_t bytesWritten() const;   // compressed frame bytes so far
    struct Impl;

private:
    explicit VideoWriter(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// Pure: RGBA8 (rows top first, tightly packed) to I420 planes, BT.601
// limited range (Y 16..235, Cb/Cr 16..240), chroma the mean of each 2x2
// block. `y` holds width*height bytes, `u` and `v` (width/2)*(height/2);
// width and height even.
void rgbaToI420(std::span<const std::uint8_t> rgba, std::uint32_t width, std::uint32_t height, std::uint8_t* y,
                std::uint8_t* u, std::uint8_t* v);

} // namespace caseroom::replay
