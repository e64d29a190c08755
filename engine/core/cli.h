// Command-line helpers shared by the executables (caseroom-server,
// caseroom-bots, the benchmarks): whole-string, range-checked number parsing
// whose errors name the option and the value, an argument cursor, the stop
// signals, the wall clock in unix seconds, and the server's default state
// directory as a pure function.
// Engine code never calls the clock or signal parts: main() reads the clock
// and passes it in. The stop flag is process-wide because a POSIX signal
// handler can reach nothing else; only executables install it.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/log.h"
#include "core/result.h"

namespace caseroom::core::cli {

// The whole of `text` must be a decimal integer in [lo, hi]. Error:
// "--count: '0' is not a whole number from 1 to 1000".
[[nodiscard]] Result<long long> parseInt(std::string_view option, std::string_view text, long long lo, long long hi);
// The whole of `text` must be an unsigned decimal integer (up to 2^64 - 1).
[[nodiscard]] Result<std::uint64_t> parseU64(std::string_view option, std::string_view text);
// The whole of `text` must be a finite decimal number in [lo, hi] ("5s" and
// "abc" are errors, not 5 and 0).
[[nodiscard]] Result<double> parseNumber(std::string_view option, std::string_view text, double lo, double hi);
// "HOST:PORT" with a non-empty host and a port from 1 to 65535 (the last ':'
// splits, so an IPv6 literal's colons stay in the host).
[[nodiscard]] Result<std::pair<std::string, std::uint16_t>> parseHostPort(std::string_view text);
// debug, info, warn or error.
[[nodiscard]] Result<LogLevel> parseLogLevel(std::string_view option, std::string_view text);

// Walks argv: `next()` moves to the next argument, `value()` takes the one
// after it as this option's value (error when there is none).
class Args {
public:
    Args(int argc, char** argv) : argc_(argc), argv_(argv) {}
    [[nodiscard]] bool next() { return ++i_ < argc_; }
    [[nodiscard]] std::string_view flag() const { return argv_[i_]; }
    [[nodiscard]] Result<std::string> value();

private:
    int argc_;
    char** argv_;
    int i_ = 0;
};

// SIGINT and SIGTERM set the stop flag (they do not kill the process).
void installStopSignals();
[[nodiscard]] bool stopRequested();

// Seconds since 1970-01-01 UTC on the system clock (token lifetimes, audit).
[[nodiscard]] std::uint64_t unixSecondsNow();

// Where the server keeps its key and audit log when --state-dir is not
// given: $XDG_STATE_HOME/caseroom when XDG_STATE_HOME is set (non-empty),
// else /var/lib/caseroom when running as root, else $HOME/.local/state/caseroom.
// Empty when none applies (not root, no HOME, no XDG_STATE_HOME). Pure: the
// caller reads the environment and the user id.
[[nodiscard]] std::string defaultStateDir(const char* xdgStateHome, const char* home, bool isRoot);
// Creates `dir` and any missing parents; the last one mode 0700 (parents
// 0755, as ~/.local/state is). Existing directories are left as they are.
[[nodiscard]] Status makeStateDir(const std::string& dir);

} // namespace caseroom::core::cli
