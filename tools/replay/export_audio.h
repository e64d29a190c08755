// The audio exports of a recording (docs/ADMIN.md "caseroom-replay export"):
// - the mix: one stereo Ogg Opus programme of every speaker, each at a mild
//   constant place (seat order, i.e. by slot, spread over +-0.4 of the
//   stereo width with a constant-power pan; one speaker: centre);
// - the tracks: one mono Ogg Opus file per speaker (NAME-ROLE.opus).
// Every file covers the exported range [from, to) of the recording's
// timeline exactly (pauses and absences are silence), is normalised on its
// own to `targetLufs` integrated (BS.1770-4, loudness.h; the mix as one
// programme, each track as its own) and passes a look-ahead sample-peak
// limiter at `ceilingDb` (-1 dBFS leaves room for inter-sample and codec
// overshoot). The mix carries TITLE, DATE, a COMMENT saying what it is and a
// chapter per mark (CHAPTERnnn=HH:MM:SS.mmm, CHAPTERnnnNAME=label; the phase
// in progress at `from` is a chapter at 0).
// Two passes over the voice (measure, then write), so memory does not grow
// with the recording's length.
// Thread rule: single-threaded.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "ogg_opus_writer.h"
#include "scan.h"

namespace caseroom::replay {

struct AudioExportOptions {
    std::string mixPath;                 // empty: no mix
    std::string tracksDir;               // empty: no tracks (created when missing)
    std::int64_t from = 0;               // samples at 48 kHz on the recording's timeline
    std::int64_t to = -1;                // -1: the end
    double targetLufs = -16.0;
    double ceilingDb = -1.0;
    bool normaliseTracks = true;         // false: tracks at the level they were spoken (still limited)
    std::int32_t mixBitrate = 64000, trackBitrate = 32000;
    std::function<void(double done, double total)> progress;  // seconds of work, both passes (not of audio)
};

struct ExportedFile {
    std::string path;                    // the final name
    std::string what;                    // "audio mix", "track NAME (ROLE)"
    std::uint32_t channels = 0;
    std::uint64_t frames = 0;
    std::optional<double> measuredLufs;  // before gain; nullopt: silent
    double gainDb = 0;
    double limiterMinGainDb = 0;         // 0: the limiter never acted
};

struct AudioExport {
    std::vector<ExportedFile> files;
    std::vector<std::unique_ptr<OggOpusWriter>> writers;   // finished, not committed (see commitAll)
    PlacementStats placement;
    std::uint64_t decodeErrors = 0;
    // Renames every .part onto its name; on a failure the ones already renamed are removed.
    [[nodiscard]] core::Status commitAll();
};

// A file name part: letters, digits (UTF-8 kept), '.', '_' and '-' stay,
// everything else (spaces, '/', controls) becomes '_'; never empty or hidden.
[[nodiscard]] std::string safeFileName(std::string_view s);
// HH:MM:SS.mmm
[[nodiscard]] std::string clockText(double ms);
// Can a file be created at `path`? (creates and removes PATH.part). Error names the file and errno.
[[nodiscard]] core::Status probeWritable(const std::string& path);

// Renders and encodes; nothing appears under its final name until commitAll().
[[nodiscard]] core::Result<AudioExport> exportAudio(Scan& scan, const AudioExportOptions& options);

} // namespace caseroom::replay
