// The video export of a recording (docs/ADMIN.md "caseroom-replay export"):
// one camera's view of the recorded room, rendered headless with the
// client's renderer (Vulkan, no window) and written as WebM (video_writer.h).
//
// What a frame shows is the replay state at that time (session/replay_room.h)
// drawn as a viewer of the replay room sees it: the room, every present
// avatar at its recorded pose (name tags, a speaker's tag outlined), the
// panels with the slides the room showed (from the decks' blob folders; a
// deck not found there shows the panel's card and is counted) and the laser
// dots, and a caption strip: the title, the phase in progress and the
// recording's clock (time since its start, whatever --from was).
// Frame i is the room at from + i / fps on the recording's timeline; a
// recorded pause keeps its length and shows the room as it was paused with
// "recording paused" (nothing of that time is in the file), so the video,
// the audio export and the marks share one timeline. Chapters at the phases
// (scan.h chaptersIn).
// Slides are decoded on the slides worker (client/slides.h); a frame is
// encoded only once every panel's slide of that moment is on the panel, so
// the video never shows a slide late.
// Thread rule: single-threaded (the slides decoder runs its own worker).
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "record/recording.h"
#include "scan.h"
#include "video_writer.h"

namespace caseroom::replay {

// Which camera: the overview, a seat's eye (seat:N), straight at a panel
// (panel:N), or through a participant's eyes (follow:NAME, by display name
// as recorded; the overview while they are not present).
struct CameraChoice {
    enum class Kind : std::uint8_t { Overview, Seat, Panel, Follow };
    Kind kind = Kind::Overview;
    std::uint16_t index = 0;     // seat or panel
    std::string name;            // follow
};
// "overview", "seat:3", "panel:0", "follow:Dr. Amara Osei"; the error says what is accepted.
[[nodiscard]] core::Result<CameraChoice> parseCamera(std::string_view text);
[[nodiscard]] std::string describe(const CameraChoice& c);

struct VideoExportOptions {
    VideoDesc video;                            // path, size, fps, codec, bitrate (title, date, chapters filled here)
    CameraChoice camera;
    std::vector<std::filesystem::path> blobDirs;   // where the decks' blobs are (a deck folder's blobs/, a content store)
    double fromMs = 0, toMs = -1;               // on the recording's timeline; -1: the end
    std::string shaderDir;                      // empty: render::defaultShaderDir()
    std::function<void(double done, double total)> progress;  // seconds of video
};

struct VideoExport {
    std::unique_ptr<VideoWriter> writer;        // finished, not committed
    std::uint64_t frames = 0;
    double seconds = 0;                         // frames / fps
    std::uint64_t bytes = 0;
    std::uint32_t decksMissing = 0;             // decks shown in the room but not in blobDirs (their panels show a card)
    std::uint64_t slideWaits = 0;               // frames rendered, not encoded, while a slide came up
    std::vector<std::string> notes;             // damage skipped, a followed participant absent, ...
    // Where the time went (wall seconds): stepping the replay and building
    // the frame, rendering (slides' waits included), reading the frame back,
    // encoding and muxing (I420 conversion, libvpx, libavformat).
    double stepSeconds = 0, renderSeconds = 0, readbackSeconds = 0, encodeSeconds = 0;
    std::string camera;                         // describe() of the camera
    [[nodiscard]] core::Status commit() { return writer->commit(); }
};

[[nodiscard]] core::Result<VideoExport> exportVideo(record::RecordingReader& reader, const Scan& scan, const VideoExportOptions& options);

} // namespace caseroom::replay
