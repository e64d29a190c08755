// The audit row of an export, in the clinic database the server uses, by the
// mechanism caseroom-admin uses (store::Records::recordAction through
// session::installEditAudit: a chained row, the same key file audit.key
// beside the database).
//
// Contract: open() before the work (a database that is missing or refuses
// is an error naming the file, so nothing is exported unaudited); then
// recordExport() appends one row (who: the OS user, the --by name, the
// roster person when --by is a stable id; which recording: its file name,
// room and session, named from the database when it has the session; what:
// the kind of export, the range, the files), runs `place` (which puts the
// files under their names) inside the same write transaction and commits:
// the files and their row appear together, or neither (`undo` removes
// the placed files when the commit fails).
// Thread rule: single-threaded.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/result.h"
#include "record/recording.h"
#include "store/database.h"
#include "store/records.h"

namespace caseroom::replay {

struct ExportWho {
    std::string osUser;
    std::string by;          // --by NAME (empty: none)
};

class ExportAudit {
public:
    [[nodiscard]] static core::Result<std::unique_ptr<ExportAudit>> open(const std::string& dbPath);
    // "session 12 \"HCV ECHO\" (2026-12-02T18:00:00Z)", "session 12 (not in the clinic database)", "no session".
    [[nodiscard]] std::string sessionText(std::uint64_t session);
    [[nodiscard]] core::Status recordExport(const ExportWho& who, const std::string& recordingFile, const record::RecordingInfo& info,
                                            const std::string& what, std::uint64_t now, const std::function<core::Status()>& place,
                                            const std::function<void()>& undo);
    [[nodiscard]] const std::string& path() const { return path_; }

private:
    ExportAudit() = default;
    std::string path_;
    std::unique_ptr<store::Database> db_;
    std::unique_ptr<store::Records> records_;
};

// The session's line as sessionText() writes it, read from the database at
// `dbPath` opened read-only; nullopt when there is no database or no such
// session (info uses it; nothing is written).
[[nodiscard]] std::optional<std::string> sessionFromDatabase(const std::string& dbPath, std::uint64_t session);

} // namespace caseroom::replay
