// CT window presets (assets/config/window_presets.ini): named centre/width
// pairs in modality units, read from a config_text file. Parsing is total:
// a bad file is an error naming the file, line and field.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace caseroom::client {

struct WindowPreset {
    std::string name;   // [preset NAME]
    std::string label;  // shown in the UI; default: the name
    double centre = 0.0, width = 1.0;
};

constexpr std::size_t kMaxWindowPresets = 64;

core::Result<std::vector<WindowPreset>> parseWindowPresets(std::string_view text, std::string_view source);
core::Result<std::vector<WindowPreset>> loadWindowPresets(const std::string& path);
// Where the installed file is: $CASEROOM_ASSETS/config, the source tree's
// assets/config, or share/caseroom/config next to the executable.
std::string defaultWindowPresetsPath();

} // namespace caseroom::client
