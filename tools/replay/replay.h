// caseroom-replay's shared parts: exit codes, the global options, opening a
// recording with its key, time parsing and formatting, JSON text.
//
// Exit status (also in --help and docs/ADMIN.md):
//   0  done (verify: every block read)
//   1  verify: damage found (each listed); other commands: the work failed
//      (an output that cannot be written, the clinic database refused)
//   2  the recording is unusable: no such file, not a recording, wrong key
//   64 bad usage (unknown option, missing or malformed value)
// Thread rule: single-threaded tool.
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "core/result.h"
#include "record/recording.h"

namespace caseroom::replay {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;     // verify: damaged
inline constexpr int kExitUnusable = 2;
inline constexpr int kExitUsage = 64;

struct Globals {
    std::string stateDir;   // --state-dir (default core/cli.h defaultStateDir)
    std::string keyPath;    // --key (default STATE_DIR/recording.key)
    bool quiet = false;     // --quiet: no progress
};

// The state directory and key path with their defaults filled in; an error
// when no state directory can be found.
[[nodiscard]] core::Status resolveGlobals(Globals& g);
// Opens FILE with the recording key; errors name the file (or the key file) and the fault.
[[nodiscard]] core::Result<std::unique_ptr<record::RecordingReader>> openRecording(const Globals& g, const std::string& file);

// "90", "90.5", "1:30", "01:02:03.250" -> seconds; errors name the option.
[[nodiscard]] core::Result<double> parseTime(std::string_view option, std::string_view text);
// A JSON string literal (quotes included), control bytes escaped.
[[nodiscard]] std::string jsonString(std::string_view s);

int runInfo(const Globals& g, std::span<const std::string> args);
int runVerify(const Globals& g, std::span<const std::string> args);
int runExport(const Globals& g, std::span<const std::string> args);

// "caseroom-replay CMD: message" on stderr; returns `code`.
int fail(const char* command, std::string_view message, int code);

} // namespace caseroom::replay
