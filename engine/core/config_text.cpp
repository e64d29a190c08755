#include "core/config_text.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace caseroom::core {
namespace {
std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}
Error fail(std::string_view source, std::uint32_t line, const std::string& what) {
    return Error{std::string(source) + ":" + std::to_string(line) + ": " + what};
}
bool printable(std::string_view s) {
    for (unsigned char c : s)
        if (c < 0x20 && c != '\t') return false;
    return true;
}
} // namespace

const ConfigEntry* ConfigSection::find(std::string_view key) const {
    for (const auto& e : entries)
        if (e.key == key) return &e;
    return nullptr;
}

Result<ConfigDocument> parseConfigText(std::string_view text, std::string_view source) {
    ConfigDocument doc;
    doc.source = std::string(source);
    if (text.size() > kMaxConfigBytes) return fail(source, 0, "file larger than 1 MiB");
    std::uint32_t lineNo = 0;
    while (!text.empty()) {
        ++lineNo;
        const auto nl = text.find('\n');
        std::string_view raw = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        if (raw.size() > kMaxConfigLine) return fail(source, lineNo, "line longer than 1024 characters");
        if (!printable(raw)) return fail(source, lineNo, "control character in line");
        std::string_view line = trim(raw);
        if (line.empty() || line.front() == '#' || line.front() == ';') continue;
        if (line.front() == '[') {
            if (line.back() != ']') return fail(source, lineNo, "section header without closing ']'");
            std::string_view inner = trim(line.substr(1, line.size() - 2));
            if (inner.empty()) return fail(source, lineNo, "empty section header");
            if (doc.sections.size() >= kMaxConfigSections) return fail(source, lineNo, "too many sections");
            ConfigSection sec;
            sec.line = lineNo;
            const auto sp = inner.find_first_of(" \t");
            sec.type = std::string(inner.substr(0, sp));
            if (sp != std::string_view::npos) sec.name = std::string(trim(inner.substr(sp)));
            doc.sections.push_back(std::move(sec));
            continue;
        }
        const auto eq = line.find('=');
        if (eq == std::string_view::npos) return fail(source, lineNo, "expected 'key = value' or '[section]'");
        if (doc.sections.empty()) return fail(source, lineNo, "key before any [section]");
        std::string_view key = trim(line.substr(0, eq));
        if (key.empty()) return fail(source, lineNo, "empty key");
        auto& sec = doc.sections.back();
        if (sec.find(key)) return fail(source, lineNo, "duplicate key '" + std::string(key) + "'");
        if (sec.entries.size() >= 256) return fail(source, lineNo, "too many keys in section");
        sec.entries.push_back(ConfigEntry{std::string(key), std::string(trim(line.substr(eq + 1))), lineNo});
    }
    return doc;
}

Result<ConfigDocument> loadConfigFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Error{path + ": cannot open file"};
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) return Error{path + ": read error"};
    return parseConfigText(ss.str(), path);
}

Result<long long> configInt(const ConfigDocument& doc, const ConfigEntry& e, long long lo, long long hi) {
    errno = 0;
    char* end = nullptr;
    const long long v = std::strtoll(e.value.c_str(), &end, 10);
    if (e.value.empty() || *end != '\0' || errno == ERANGE)
        return fail(doc.source, e.line, "'" + e.key + "' must be an integer, got '" + e.value + "'");
    if (v < lo || v > hi)
        return fail(doc.source, e.line, "'" + e.key + "' must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    return v;
}

Result<double> configDouble(const ConfigDocument& doc, const ConfigEntry& e, double lo, double hi) {
    char* end = nullptr;
    const double v = std::strtod(e.value.c_str(), &end);
    if (e.value.empty() || *end != '\0' || !std::isfinite(v))
        return fail(doc.source, e.line, "'" + e.key + "' must be a number, got '" + e.value + "'");
    if (v < lo || v > hi)
        return fail(doc.source, e.line, "'" + e.key + "' out of range");
    return v;
}

} // namespace caseroom::core
