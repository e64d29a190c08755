#include "recording_setup.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <memory>

#include "core/cli.h"
#include "core/log.h"

namespace caseroom::server {

std::string recordingFileName(const std::string& room, std::uint64_t unixTime) {
    const std::time_t t = static_cast<std::time_t>(unixTime);
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    return room + "-" + stamp + ".crrec";
}

core::Result<session::RecordingConfig> makeRecordingConfig(const RecordingSetup& setup) {
    if (auto st = core::cli::makeStateDir(setup.folder); !st) return core::Error{"recordings folder: " + st.error().message};
    auto key = record::loadRecordingKey(setup.keyPath, setup.createKey);
    if (!key) return key.error();
    session::RecordingConfig config;
    config.open = [folder = setup.folder, key = std::make_shared<record::Key>(*key)](
                      const record::RecordingInfo& info) -> core::Result<std::unique_ptr<record::RecordingWriter>> {
        record::WriterConfig wc;
        wc.key = *key;
        wc.info = info;
        const std::string base = recordingFileName(info.room, info.startedUnix);
        // A second recording in the same second gets a suffix: never an existing file.
        for (int n = 1; n <= 99; ++n) {
            wc.path = folder + "/" + (n == 1 ? base : base.substr(0, base.size() - 6) + "-" + std::to_string(n) + ".crrec");
            if (::access(wc.path.c_str(), F_OK) == 0) continue;
            auto w = record::RecordingWriter::create(wc);
            if (w) CR_LOG_INFO("room %s: recording to %s", info.room.c_str(), wc.path.c_str());
            return w;
        }
        return core::Error{folder + ": too many recordings named " + base};
    };
    return config;
}

} // namespace caseroom::server
