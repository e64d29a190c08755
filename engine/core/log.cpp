#include "core/log.h"

#include <cstdarg>
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
        std::fprintf(stderr, "[%s] %.*s\n", toString(level), static_cast<int>(text.size()), text.data());
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
