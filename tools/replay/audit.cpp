// The export's audit row (audit.h).
#include "audit.h"

#include <filesystem>

#include "net/secure/crypto.h"
#include "session/audit_log.h"
#include "session/db_audit.h"

namespace caseroom::replay {

core::Result<std::unique_ptr<ExportAudit>> ExportAudit::open(const std::string& dbPath) {
    if (!std::filesystem::exists(dbPath))
        return core::Error{dbPath + ": no clinic database here (give --db FILE, or --no-db to export unaudited)"};
    std::unique_ptr<ExportAudit> a(new ExportAudit());
    a->path_ = dbPath;
    store::OpenDesc d;
    d.path = dbPath;
    d.create = false;
    auto db = store::Database::open(d);
    if (!db) return core::Error{dbPath + ": " + db.error().message};
    a->db_ = std::move(*db);
    a->records_ = std::make_unique<store::Records>(*a->db_);
    if (!net::secure::initCrypto()) return core::Error{"libsodium failed to start"};
    // The chain key beside the database, as the server and caseroom-admin use it.
    bool created = false;
    net::secure::SystemRandom random;
    auto key = session::loadOrCreateAuditKey(
        session::defaultAuditKeyPath(dbPath), [&random](std::span<std::uint8_t> out) { random.fill(out); }, created);
    if (!key) return core::Error{dbPath + ": audit key: " + key.error().message};
    session::installEditAudit(*a->records_, *key);
    return a;
}

namespace {

std::optional<std::string> describeSession(store::Records& records, std::uint64_t session) {
    auto s = records.session(static_cast<std::int64_t>(session));
    if (!s) return std::nullopt;
    std::string text = "session " + std::to_string(session) + " \"" + s->title + "\" (" +
                       session::formatUtc(static_cast<std::uint64_t>(std::max<std::int64_t>(0, s->startUtc))) + ")";
    if (auto p = records.program(s->programId)) text += " of program " + p->code;
    return text;
}

} // namespace

std::string ExportAudit::sessionText(std::uint64_t session) {
    if (session == 0) return "no session";
    auto text = describeSession(*records_, session);
    return text ? *text : "session " + std::to_string(session) + " (not in the clinic database)";
}

std::optional<std::string> sessionFromDatabase(const std::string& dbPath, std::uint64_t session) {
    std::error_code ec;
    if (session == 0 || !std::filesystem::exists(dbPath, ec)) return std::nullopt;
    store::OpenDesc d;
    d.path = dbPath;
    d.create = false;
    d.readOnly = true;
    auto db = store::Database::open(d);
    if (!db) return std::nullopt;
    store::Records records(**db);
    return describeSession(records, session);
}

core::Status ExportAudit::recordExport(const ExportWho& who, const std::string& recordingFile, const record::RecordingInfo& info,
                                       const std::string& what, std::uint64_t now, const std::function<core::Status()>& place,
                                       const std::function<void()>& undo) {
    store::Transaction tx(*db_);
    if (!tx.begun()) return core::Error{path_ + ": " + tx.begun().error().message};
    store::Actor actor;
    actor.osUser = who.osUser;
    actor.via = "caseroom-replay";
    if (!who.by.empty()) {
        actor.via += " by " + who.by;
        if (auto p = records_->personByStableId(who.by); p && *p) actor.personId = (*p)->id;
    }
    store::Records::Edit e;
    e.record = "recording " + std::filesystem::path(recordingFile).filename().string();
    e.field = "export";
    e.newValue = what + "; room " + info.room + ", " + sessionText(info.session);
    e.what = "ExportRecording";
    if (auto st = records_->recordAction(e, actor, static_cast<std::int64_t>(now)); !st)
        return core::Error{path_ + ": audit row: " + st.error().message};
    if (auto st = place(); !st) return st;  // rolled back with the transaction
    if (auto st = tx.commit(); !st) {
        undo();
        return core::Error{path_ + ": " + st.error().message};
    }
    return {};
}

} // namespace caseroom::replay
