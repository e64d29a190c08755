// media: where raw video comes from (issue 13). A VideoSource yields I420
// frames; a VideoCapture runs one on its own thread at the source's rate and
// hands the newest frame to whoever takes it (latest wins: a slow consumer
// skips frames, it never queues them). Sources here: the test pattern
// (bots, tests, demos) and Y4M files (YUV4MPEG2, 4:2:0 only). V4L2 webcams
// and X11 window share are later sources behind the same interface.
// Errors: a file that is not Y4M, an unsupported colour space, a truncated
// frame: a core::Error naming the file, the frame and the fault; nothing
// throws.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>

#include "core/result.h"
#include "media/video_frame.h"

namespace caseroom::media {

class VideoSource {
public:
    virtual ~VideoSource() = default;
    [[nodiscard]] virtual std::uint32_t width() const = 0;
    [[nodiscard]] virtual std::uint32_t height() const = 0;
    [[nodiscard]] virtual double frameRate() const = 0;       // frames per second the source runs at
    // The next frame; ptsUs = index * 1e6 / frameRate. nullopt at the end
    // (a file without loop); an Error for a fault (the source is then done).
    [[nodiscard]] virtual core::Result<std::optional<I420Frame>> next() = 0;
    [[nodiscard]] virtual std::string describe() const = 0;  // "test pattern 320x180 at 15 fps", "y4m FILE 640x360 at 25 fps"
};

// testPattern() frames 0, 1, 2, ... forever.
[[nodiscard]] std::unique_ptr<VideoSource> makeTestPatternSource(std::uint32_t width, std::uint32_t height, double fps);

// A YUV4MPEG2 file: header "YUV4MPEG2 W<w> H<h> F<n>:<d> [I..] [A..] [C420jpeg|C420paldv|C420mpeg2|C420]"
// (no C: 4:2:0), then "FRAME[ params]\n" and w*h*3/2 bytes per frame. Even
// sizes 16..4096 only; other colour spaces (C422, C444, Cmono, ...) are
// refused with the file and the C tag named. `loop`: start again at the end.
[[nodiscard]] core::Result<std::unique_ptr<VideoSource>> openY4m(const std::filesystem::path& file, bool loop = false);
// Writes frames as Y4M (C420jpeg, F<fps>:1), for tests and tools.
[[nodiscard]] core::Status writeY4m(const std::filesystem::path& file, std::span<const I420Frame> frames, std::uint32_t fps);

// Runs a source on its own thread, paced by its frame rate (a steady clock;
// `paced` false: as fast as the source gives frames, for tests). take()
// returns the newest frame not taken yet (the frames skipped are counted).
// Ownership: owns the source; the destructor stops and joins the thread.
// Thread rule: take()/stats() from any one consumer thread.
class VideoCapture {
public:
    explicit VideoCapture(std::unique_ptr<VideoSource> source, bool paced = true);
    ~VideoCapture();
    VideoCapture(const VideoCapture&) = delete;
    VideoCapture& operator=(const VideoCapture&) = delete;
    [[nodiscard]] std::optional<I420Frame> take();
    // Waits up to `timeoutMs` for a frame (tests); nullopt on timeout or when the source ended.
    [[nodiscard]] std::optional<I420Frame> waitTake(std::uint32_t timeoutMs);
    struct Stats {
        std::uint64_t produced = 0, taken = 0, skipped = 0;
        bool ended = false;
        std::optional<std::string> error;   // the source's fault, when it stopped on one
    };
    [[nodiscard]] Stats stats() const;

private:
    void run();
    std::unique_ptr<VideoSource> source_;
    bool paced_;
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    std::optional<I420Frame> newest_;
    Stats stats_;
    std::atomic<bool> stop_{false};
    std::thread thread_;   // last: starts after the rest exists
};

} // namespace caseroom::media
