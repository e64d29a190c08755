// A small INI-style text format for config files (rooms, client settings):
//   # comment
//   [section optional-name]
//   key = value
// Parsing is total: any input yields a document or an Error naming the source
// and the line. Limits keep hostile files from growing memory without bound.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace caseroom::core {

struct ConfigEntry {
    std::string key;
    std::string value;
    std::uint32_t line = 0;
};

struct ConfigSection {
    std::string type;  // word after '['
    std::string name;  // optional second word
    std::uint32_t line = 0;
    std::vector<ConfigEntry> entries;

    [[nodiscard]] const ConfigEntry* find(std::string_view key) const;
};

struct ConfigDocument {
    std::string source;               // file name, for messages
    std::vector<ConfigSection> sections;
};

constexpr std::size_t kMaxConfigBytes = 1 << 20;
constexpr std::size_t kMaxConfigLine = 1024;
constexpr std::size_t kMaxConfigSections = 4096;

Result<ConfigDocument> parseConfigText(std::string_view text, std::string_view source);
Result<ConfigDocument> loadConfigFile(const std::string& path);

// Typed accessors; errors name source, line and key.
Result<long long> configInt(const ConfigDocument& doc, const ConfigEntry& e, long long lo, long long hi);
Result<double> configDouble(const ConfigDocument& doc, const ConfigEntry& e, double lo, double hi);

} // namespace caseroom::core
