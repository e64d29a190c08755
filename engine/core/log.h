// Logging: one process-wide sink (the only global the engine has), printf
// style, with a rate limiter for messages driven by untrusted input.
// The default sink writes "2026-12-01T21:05:03.123Z [info] text" to stderr:
// it reads the wall clock itself, the one clock read allowed outside
// platform/ and main(), because a log line's time is when it was written.
// Thread-safe: the sink serialises writes. Never call from the audio callback.
#pragma once
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <string_view>

namespace caseroom::core {

enum class LogLevel : std::uint8_t { Debug, Info, Warn, Error, Count };
const char* toString(LogLevel level);

using LogSink = std::function<void(LogLevel, std::string_view)>;
void setLogSink(LogSink sink);      // default: stderr, UTC-stamped (empty sink: back to the default)
void setLogLevel(LogLevel minimum); // default: Info
void logf(LogLevel level, const char* fmt, ...) __attribute__((format(printf, 2, 3)));

// ISO-8601 UTC with milliseconds, "1970-01-01T00:00:00.000Z" (24 characters
// and a terminator), for `unixMillis` since the epoch (negative: clamped to 0).
constexpr std::size_t kTimestampChars = 24;
void formatUtcTimestamp(std::int64_t unixMillis, char (&out)[kTimestampChars + 1]);
// One default-sink line without the newline: timestamp, level, text.
std::string formatLogLine(std::int64_t unixMillis, LogLevel level, std::string_view text);

// Lets through at most `burst` messages, refilled at `perSecond`; counts the
// rest so the next allowed message can say how many were suppressed.
class LogLimiter {
public:
    LogLimiter(double perSecond = 1.0, double burst = 5.0) : rate_(perSecond), burst_(burst), tokens_(burst) {}
    // True if a message may be written at `now`; `suppressed` receives the
    // number dropped since the last allowed one.
    bool allow(double now, std::uint64_t& suppressed);

private:
    double rate_;
    double burst_;
    double tokens_;
    double last_ = 0.0;
    std::uint64_t dropped_ = 0;
};

} // namespace caseroom::core

#define CR_LOG_DEBUG(...) ::caseroom::core::logf(::caseroom::core::LogLevel::Debug, __VA_ARGS__)
#define CR_LOG_INFO(...) ::caseroom::core::logf(::caseroom::core::LogLevel::Info, __VA_ARGS__)
#define CR_LOG_WARN(...) ::caseroom::core::logf(::caseroom::core::LogLevel::Warn, __VA_ARGS__)
#define CR_LOG_ERROR(...) ::caseroom::core::logf(::caseroom::core::LogLevel::Error, __VA_ARGS__)
