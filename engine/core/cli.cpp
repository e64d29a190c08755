#include "core/cli.h"

#include <sys/stat.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <charconv>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace caseroom::core::cli {
namespace {
volatile std::sig_atomic_t gStop = 0; // see the header: a signal handler reaches only globals
void onStopSignal(int) { gStop = 1; }

std::string quoted(std::string_view option, std::string_view text) {
    return std::string(option) + ": '" + std::string(text) + "'";
}
} // namespace

Result<long long> parseInt(std::string_view option, std::string_view text, long long lo, long long hi) {
    long long v = 0;
    const char* first = text.data();
    const char* last = text.data() + text.size();
    if (!text.empty() && *first == '+') ++first; // from_chars takes no '+'
    const auto r = std::from_chars(first, last, v);
    if (text.empty() || r.ec != std::errc{} || r.ptr != last || v < lo || v > hi)
        return Error{quoted(option, text) + " is not a whole number from " + std::to_string(lo) + " to " + std::to_string(hi)};
    return v;
}

Result<std::uint64_t> parseU64(std::string_view option, std::string_view text) {
    std::uint64_t v = 0;
    const char* last = text.data() + text.size();
    const auto r = std::from_chars(text.data(), last, v);
    if (text.empty() || r.ec != std::errc{} || r.ptr != last) return Error{quoted(option, text) + " is not a whole number from 0 to 18446744073709551615"};
    return v;
}

Result<double> parseNumber(std::string_view option, std::string_view text, double lo, double hi) {
    // strtod needs a terminated string; options are short.
    const std::string s(text);
    char* end = nullptr;
    errno = 0;
    const double v = s.empty() || std::isspace(static_cast<unsigned char>(s[0])) ? NAN : std::strtod(s.c_str(), &end);
    char range[96];
    std::snprintf(range, sizeof range, " is not a number from %.15g to %.15g", lo, hi);
    if (s.empty() || !end || *end || errno == ERANGE || !std::isfinite(v) || v < lo || v > hi) return Error{quoted(option, text) + range};
    return v;
}

Result<std::pair<std::string, std::uint16_t>> parseHostPort(std::string_view text) {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size())
        return Error{"'" + std::string(text) + "' is not HOST:PORT (for example 127.0.0.1:7777)"};
    const std::string_view port = text.substr(colon + 1);
    std::uint32_t p = 0;
    const auto r = std::from_chars(port.data(), port.data() + port.size(), p);
    if (r.ec != std::errc{} || r.ptr != port.data() + port.size() || p < 1 || p > 65535)
        return Error{"port '" + std::string(port) + "' must be a number from 1 to 65535"};
    return std::pair<std::string, std::uint16_t>{std::string(text.substr(0, colon)), static_cast<std::uint16_t>(p)};
}

Result<LogLevel> parseLogLevel(std::string_view option, std::string_view text) {
    for (int i = 0; i < static_cast<int>(LogLevel::Count); ++i)
        if (text == toString(static_cast<LogLevel>(i))) return static_cast<LogLevel>(i);
    return Error{quoted(option, text) + " is not a log level (debug, info, warn or error)"};
}

Result<std::string> Args::value() {
    if (i_ + 1 >= argc_) return Error{std::string(flag()) + " needs a value"};
    return std::string(argv_[++i_]);
}

void installStopSignals() {
    std::signal(SIGINT, onStopSignal);
    std::signal(SIGTERM, onStopSignal);
}

bool stopRequested() { return gStop != 0; }

std::uint64_t unixSecondsNow() {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

std::string defaultStateDir(const char* xdgStateHome, const char* home, bool isRoot) {
    // XDG Base Directory: a relative XDG_STATE_HOME is invalid and ignored.
    if (xdgStateHome && xdgStateHome[0] == '/') return std::string(xdgStateHome) + "/caseroom";
    if (isRoot) return "/var/lib/caseroom";
    if (home && home[0] == '/') return std::string(home) + "/.local/state/caseroom";
    return {};
}

Status makeStateDir(const std::string& dir) {
    if (dir.empty()) return Error{"no state directory: give --state-dir DIR (HOME and XDG_STATE_HOME are unset)"};
    for (std::size_t pos = dir.find('/', 1); pos != std::string::npos; pos = dir.find('/', pos + 1)) {
        const std::string parent = dir.substr(0, pos);
        if (::mkdir(parent.c_str(), 0755) != 0 && errno != EEXIST)
            return Error{"cannot create " + parent + " (for state directory " + dir + "): " + std::strerror(errno)};
    }
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
        return Error{"cannot create state directory " + dir + ": " + std::strerror(errno)};
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return Error{"state directory " + dir + " is not a directory"};
    return {};
}

} // namespace caseroom::core::cli
