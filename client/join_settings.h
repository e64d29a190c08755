// The join screen's fields, remembered between runs in
// $XDG_CONFIG_HOME/caseroom/client.conf (or ~/.config/caseroom/client.conf)
// in core/config_text format. A pasted token is never written to disk; only
// the path of a token file is.
#pragma once
#include <string>

#include "core/result.h"
#include "core/role.h"

namespace caseroom::client {

struct JoinSettings {
    std::string server = "127.0.0.1:7777";
    std::string room = "demo";
    std::string name = "Guest";
    core::Role role = core::Role::Spoke;
    std::string tokenFile;
    std::string tokenPaste;   // memory only
    bool slowLink = false;    // "my connection is slow" (session::ClientDesc::slowConnection)
};

// Directory for settings: `override` when not empty, else the XDG rule above.
std::string settingsDir(const std::string& override);
// Missing file: defaults and ok. Unreadable or malformed: defaults and an
// Error naming the file and line, which the join screen shows.
[[nodiscard]] core::Status loadJoinSettings(const std::string& dir, JoinSettings& out);
[[nodiscard]] core::Status saveJoinSettings(const std::string& dir, const JoinSettings& s);

} // namespace caseroom::client
