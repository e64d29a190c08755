// One pass over a recording (record/recording.h): who was present and for
// how long, the phases (marks), the pauses, the byte counts (video by stream
// kind: cameras, screens), the damage met,
// and (when asked) every voice frame grouped by sender for the export.
//
// Timeline conventions (docs/ADMIN.md "caseroom-replay"):
// - time 0 is the recording's first tick (RecordingInfo::firstTick), the
//   origin of VoiceSample::atMs; tick t is at (t - firstTick) / tickRate s;
// - the recording lasts from its first tick to the end of its last one:
//   (lastTick - firstTick + 1) / tickRate s, pauses included (a pause is a
//   span of the timeline where nothing was recorded; exports keep it as
//   silence, so the marks' times hold in the export); the last tick is the
//   last of any tick record, keyframe, pause or mark, so a recording paused
//   until it stopped (the default policy after the didactic) lasts to the
//   phase marks written while paused, as the replay room's timeline does;
// - a participant is one (name, role): a person who leaves and comes back is
//   one participant; time present counts recorded time only (not pauses,
//   not damaged spans);
// - voice from a slot nobody is known to hold becomes a participant named
//   "slot N" (known = false).
// Thread rule: single-threaded.
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/result.h"
#include "record/recording.h"
#include "voice_schedule.h"

namespace caseroom::replay {

struct Participant {
    record::Present who;                 // as first seen (slot, instance of that first time)
    bool known = true;
    std::uint64_t presentTicks = 0;      // recorded ticks present
    std::uint32_t firstTick = 0, lastTick = 0;  // first and last tick seen present
    std::uint64_t voiceFrames = 0;
};

// The video of one stream kind (net::VideoKind: 0 cameras, 1 screens).
struct VideoCount {
    std::uint64_t streams = 0;           // distinct streams (publisher and kind) with a fragment
    std::uint64_t fragments = 0, bytes = 0;  // bytes: the fragments' wire bytes as recorded
};
constexpr std::size_t kVideoKinds = 2;

struct PauseSpan {
    std::uint32_t fromTick = 0, toTick = 0;  // toTick: the resuming keyframe's tick (the end when none)
    std::uint8_t phase = 0, why = 0;
};

struct Scan {
    std::string path;
    record::RecordingInfo info;
    std::uint64_t fileBytes = 0;
    bool closed = false;                       // the writer closed it (index and trailer found)
    std::uint32_t lastTick = 0;
    std::vector<record::Mark> marks;           // by tick
    std::vector<PauseSpan> pauses;             // by tick
    std::vector<Participant> participants;     // by first appearance
    std::vector<record::Damage> damage;
    std::uint64_t blocks = 0, ticks = 0, keyframes = 0;
    std::uint64_t voiceFrames = 0, voiceBytes = 0, stateBytes = 0;
    std::array<VideoCount, kVideoKinds> video{};  // by kind (a file of format 1 has none)
    std::uint64_t videoUnknown = 0;            // fragments naming no valid stream (counted nowhere else)
    std::vector<VoiceStream> streams;          // with keepVoice: one per sender (slot occupancy), speaker = participant index

    [[nodiscard]] double tickMs(std::uint32_t tick) const;      // ms since the first tick
    [[nodiscard]] double durationMs() const;
    [[nodiscard]] std::int64_t durationSamples() const;         // at 48 kHz
};

struct ScanOptions {
    bool keepVoice = false;
    std::function<void(std::size_t done, std::size_t total)> progress;  // blocks
};

// A chapter of an export: the phase in progress at `fromMs` (at 0), then
// every mark inside (fromMs, toMs), at most `max`; times from `fromMs`.
struct Chapter {
    double atMs = 0;
    std::string label;
};
[[nodiscard]] std::vector<Chapter> chaptersIn(const Scan& scan, double fromMs, double toMs, std::size_t max = 999);
// "2026-12-02T18:00:00Z"
[[nodiscard]] std::string isoDate(std::uint64_t unixSeconds);

// Reads every block of an open reader. Never fails past open: a block that
// does not decode is damage (byte range, ticks) and the scan goes on.
[[nodiscard]] Scan scanRecording(record::RecordingReader& reader, const std::string& path, const ScanOptions& options);

} // namespace caseroom::replay
