#include "join_settings.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/config_text.h"
#include "options.h"

namespace caseroom::client {

std::string settingsDir(const std::string& override) {
    if (!override.empty()) return override;
    if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg) return std::string(xdg) + "/caseroom";
    if (const char* home = std::getenv("HOME"); home && *home) return std::string(home) + "/.config/caseroom";
    return ".caseroom";
}

namespace {

// One line per value: newlines would break the format, so they are dropped.
std::string clean(const std::string& v) {
    std::string out;
    for (char c : v)
        if (c != '\n' && c != '\r') out += c;
    return out;
}

} // namespace

core::Status loadJoinSettings(const std::string& dir, JoinSettings& out) {
    const std::string path = dir + "/client.conf";
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return {};
    auto doc = core::loadConfigFile(path);
    if (!doc) return doc.error();
    for (const auto& sec : doc->sections) {
        if (sec.type != "join") continue;
        for (const auto& e : sec.entries) {
            if (e.key == "server") out.server = e.value;
            else if (e.key == "room") out.room = e.value;
            else if (e.key == "name") out.name = e.value;
            else if (e.key == "token_file") out.tokenFile = e.value;
            else if (e.key == "slow_link") out.slowLink = e.value == "yes";
            else if (e.key == "role") {
                if (auto r = roleFromString(e.value)) out.role = *r;
            }
        }
    }
    return {};
}

core::Status saveJoinSettings(const std::string& dir, const JoinSettings& s) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return core::Error{dir + ": cannot create settings directory: " + ec.message()};
    const std::string path = dir + "/client.conf";
    const std::string tmp = path + ".tmp";
    {
        std::ofstream f(tmp, std::ios::trunc);
        if (!f) return core::Error{tmp + ": cannot write settings"};
        f << "# CaseRoom client settings, written by the join screen.\n"
          << "[join]\n"
          << "server = " << clean(s.server) << "\n"
          << "room = " << clean(s.room) << "\n"
          << "name = " << clean(s.name) << "\n"
          << "role = " << core::toString(s.role) << "\n"
          << "token_file = " << clean(s.tokenFile) << "\n"
          << "slow_link = " << (s.slowLink ? "yes" : "no") << "\n";
        if (!f) return core::Error{tmp + ": write failed"};
    }
    std::filesystem::rename(tmp, path, ec); // atomic: a crash never leaves half a file
    if (ec) return core::Error{path + ": cannot save settings: " + ec.message()};
    return {};
}

} // namespace caseroom::client
