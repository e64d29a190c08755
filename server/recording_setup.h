// How caseroom-server records (docs/RECORDING.md): each recording is a new
// file in the recordings folder (created mode 0700), named by room and UTC
// start time, encrypted under the recording key (kept like the deployment
// key: created 0600 on first start in the state directory).
#pragma once
#include <string>

#include "core/result.h"
#include "session/recording_host.h"

namespace caseroom::server {

struct RecordingSetup {
    std::string folder;      // where recordings go
    std::string keyPath;     // the recording key file
    bool createKey = true;   // make the key when missing (the state directory's default)
};

// The recorder's file factory; the key is read once, here. Errors name the folder or key file.
[[nodiscard]] core::Result<session::RecordingConfig> makeRecordingConfig(const RecordingSetup& setup);

// "ROOM-20261202T123456Z.crrec" (pure: the name of a recording).
[[nodiscard]] std::string recordingFileName(const std::string& room, std::uint64_t unixTime);

} // namespace caseroom::server
