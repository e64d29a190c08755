// Shared parts of caseroom-replay (replay.h).
#include "replay.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "core/cli.h"
#include "core/utf8.h"

namespace caseroom::replay {

core::Status resolveGlobals(Globals& g) {
    if (g.stateDir.empty())
        g.stateDir = core::cli::defaultStateDir(std::getenv("XDG_STATE_HOME"), std::getenv("HOME"), ::geteuid() == 0);
    if (g.keyPath.empty()) {
        if (g.stateDir.empty()) return core::Error{"no state directory: give --state-dir DIR or --key FILE"};
        g.keyPath = g.stateDir + "/recording.key";
    }
    return {};
}

core::Result<std::unique_ptr<record::RecordingReader>> openRecording(const Globals& g, const std::string& file) {
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) return core::Error{file + ": no such file"};
    if (std::filesystem::is_directory(file, ec)) return core::Error{file + ": a directory, not a recording"};
    if (::access(file.c_str(), R_OK) != 0) return core::Error{file + ": cannot read it (permission denied)"};
    auto key = record::loadRecordingKey(g.keyPath, false);
    if (!key) return core::Error{"recording key " + g.keyPath + ": " + key.error().message};
    auto reader = record::RecordingReader::open(file, *key);
    if (!reader) {
        // The reader's errors name the file already; make sure.
        const std::string& m = reader.error().message;
        return core::Error{m.find(file) == std::string::npos ? file + ": " + m : m};
    }
    return std::move(*reader);
}

core::Result<double> parseTime(std::string_view option, std::string_view text) {
    const std::string t(text);
    auto bad = [&] {
        return core::Error{std::string(option) + ": '" + t + "' is not a time (seconds, MM:SS or HH:MM:SS, e.g. 90, 1:30, 01:02:03.5)"};
    };
    if (t.empty()) return bad();
    double total = 0;
    std::size_t start = 0;
    int parts = 0;
    while (true) {
        const std::size_t colon = t.find(':', start);
        const std::string part = t.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
        if (part.empty() || ++parts > 3) return bad();
        const bool last = colon == std::string::npos;
        for (char c : part)
            if (!(c >= '0' && c <= '9') && !(last && c == '.')) return bad();
        char* end = nullptr;
        const double v = std::strtod(part.c_str(), &end);
        if (!end || *end || !std::isfinite(v)) return bad();
        if (parts > 1 && v >= 60) return bad();  // minutes and seconds after a colon
        total = total * 60 + v;
        if (last) break;
        start = colon + 1;
    }
    return total;
}

std::string jsonString(std::string_view s) {
    // JSON text is UTF-8: a name that is not (a damaged or hostile file) keeps its ASCII.
    const bool utf8 = core::validUtf8(s);
    std::string out = "\"";
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (c < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                out += buf;
            } else {
                out += c < 0x80 || utf8 ? ch : '?';
            }
        }
    }
    return out + "\"";
}

int fail(const char* command, std::string_view message, int code) {
    std::fprintf(stderr, "caseroom-replay %s: %.*s\n", command, static_cast<int>(message.size()), message.data());
    return code;
}

} // namespace caseroom::replay
