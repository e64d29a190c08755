#include "window_presets.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/config_text.h"

namespace caseroom::client {

core::Result<std::vector<WindowPreset>> parseWindowPresets(std::string_view text, std::string_view source) {
    auto doc = core::parseConfigText(text, source);
    if (!doc) return doc.error();
    std::vector<WindowPreset> out;
    const std::string src(source);
    for (const core::ConfigSection& s : doc->sections) {
        const std::string where = src + ":" + std::to_string(s.line);
        if (s.type != "preset") return core::Error{where + ": unknown section [" + s.type + "] (expected [preset NAME])"};
        if (s.name.empty()) return core::Error{where + ": [preset] needs a name, e.g. [preset brain]"};
        for (const WindowPreset& p : out)
            if (p.name == s.name) return core::Error{where + ": preset '" + s.name + "' is defined twice"};
        if (out.size() >= kMaxWindowPresets)
            return core::Error{where + ": more than " + std::to_string(kMaxWindowPresets) + " presets"};
        WindowPreset p;
        p.name = s.name;
        p.label = s.name;
        bool haveCentre = false, haveWidth = false;
        for (const core::ConfigEntry& e : s.entries) {
            if (e.key == "centre" || e.key == "center") {
                auto v = core::configDouble(*doc, e, -100000.0, 100000.0);
                if (!v) return v.error();
                p.centre = *v;
                haveCentre = true;
            } else if (e.key == "width") {
                auto v = core::configDouble(*doc, e, 1.0, 200000.0);
                if (!v) return v.error();
                p.width = *v;
                haveWidth = true;
            } else if (e.key == "label") {
                if (e.value.empty() || e.value.size() > 40)
                    return core::Error{src + ":" + std::to_string(e.line) + ": label must be 1 to 40 characters"};
                p.label = e.value;
            } else {
                return core::Error{src + ":" + std::to_string(e.line) + ": unknown key '" + e.key +
                                   "' (centre, width, label)"};
            }
        }
        if (!haveCentre || !haveWidth)
            return core::Error{where + ": preset '" + s.name + "' needs both centre and width"};
        out.push_back(std::move(p));
    }
    return out;
}

core::Result<std::vector<WindowPreset>> loadWindowPresets(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return core::Error{path + ": cannot open the window presets file"};
    std::string text(core::kMaxConfigBytes + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    if (in.bad()) return core::Error{path + ": read error"};
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (text.size() > core::kMaxConfigBytes) return core::Error{path + ": larger than 1 MiB"};
    return parseWindowPresets(text, path);
}

std::string defaultWindowPresetsPath() {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (const char* env = std::getenv("CASEROOM_ASSETS"); env && *env) return (fs::path(env) / "config/window_presets.ini").string();
#ifdef CASEROOM_SOURCE_ASSETS
    if (fs::exists(fs::path(CASEROOM_SOURCE_ASSETS) / "config/window_presets.ini", ec))
        return (fs::path(CASEROOM_SOURCE_ASSETS) / "config/window_presets.ini").string();
#endif
    const auto exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec)
        for (const auto& c : {exe.parent_path().parent_path() / "share/caseroom/config/window_presets.ini",
                              exe.parent_path() / "assets/config/window_presets.ini"})
            if (fs::exists(c, ec)) return c.string();
    return "assets/config/window_presets.ini";
}

} // namespace caseroom::client
