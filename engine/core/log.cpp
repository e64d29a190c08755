#include "core/log.h"

#include <chrono>
#include <cstdarg>
#include <ctime>
#include <mutex>
#include <string>

namespace caseroom::core {
namespace {
struct LogState {
    std::mutex mutex;
    LogSink sink;
    LogLevel minimum = LogLevel::Info;
};
LogState& state() {
    static LogState s;
    return s;
}
} // namespace

const char* toString(LogLevel level) {
    switch (level) {
    case LogLevel::Debug: return "debug";
    case LogLevel::Info: return "info";
    case LogLevel::Warn: return "warn";
    case LogLevel::Error: return "error";
    case LogLevel::Count: break;
    }
    return "?";
}

void formatUtcTimestamp(std::int64_t unixMillis, char (&out)[kTimestampChars + 1]) {
    if (unixMillis < 0) unixMillis = 0;
    const std::time_t secs = static_cast<std::time_t>(unixMillis / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    // Written digit by digit: fixed width, no locale, no truncation warnings.
    auto put = [&out](std::size_t at, int value, int digits) {
        for (int d = digits - 1; d >= 0; --d) {
            out[at + static_cast<std::size_t>(d)] = static_cast<char>('0' + value % 10);
            value /= 10;
        }
    };
    put(0, (tm.tm_year + 1900) % 10000, 4);
    put(5, tm.tm_mon + 1, 2);
    put(8, tm.tm_mday, 2);
    put(11, tm.tm_hour, 2);
    put(14, tm.tm_min, 2);
    put(17, tm.tm_sec, 2);
    put(20, static_cast<int>(unixMillis % 1000), 3);
    out[4] = out[7] = '-';
    out[10] = 'T';
    out[13] = out[16] = ':';
    out[19] = '.';
    out[23] = 'Z';
    out[24] = '\0';
}

std::string formatLogLine(std::int64_t unixMillis, LogLevel level, std::string_view text) {
    char stamp[kTimestampChars + 1];
    formatUtcTimestamp(unixMillis, stamp);
    std::string line(stamp);
    line += " [";
    line += toString(level);
    line += "] ";
    line += text;
    return line;
}

void setLogSink(LogSink sink) {
    std::lock_guard lock(state().mutex);
    state().sink = std::move(sink);
}

void setLogLevel(LogLevel minimum) {
    std::lock_guard lock(state().mutex);
    state().minimum = minimum;
}

void logf(LogLevel level, const char* fmt, ...) {
    auto& s = state();
    {
        std::lock_guard lock(s.mutex);
        if (level < s.minimum) return;
    }
    char buffer[1024];
    va_list args;
    va_start(args, fmt);
    const int n = std::vsnprintf(buffer, sizeof buffer, fmt, args);
    va_end(args);
    const std::string_view text(buffer, n < 0 ? 0 : (static_cast<std::size_t>(n) < sizeof buffer ? static_cast<std::size_t>(n) : sizeof buffer - 1));
    std::lock_guard lock(s.mutex);
    if (s.sink) {
        s.sink(level, text);
    } else {
        // The clock is read here, in the sink (see log.h).
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
        char stamp[kTimestampChars + 1];
        formatUtcTimestamp(static_cast<std::int64_t>(ms), stamp);
        std::fprintf(stderr, "%s [%s] %.*s\n", stamp, toString(level), static_cast<int>(text.size()), text.data());
    }
}

bool LogLimiter::allow(double now, std::uint64_t& suppressed) {
    tokens_ += (now - last_) * rate_;
    if (tokens_ > burst_) tokens_ = burst_;
    last_ = now;
    if (tokens_ >= 1.0) {
        tokens_ -= 1.0;
        suppressed = dropped_;
        dropped_ = 0;
        return true;
    }
    ++dropped_;
    suppressed = 0;
    return false;
}

} // namespace caseroom::core
