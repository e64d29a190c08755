// The audit trail in the clinic database (store/records.h, table `audit`):
// the same records and the same keyed BLAKE2b chain as the file trail
// (audit_log.h), one row per entry, so the trail and the records it speaks
// of commit together and survive together. Row text = auditLineText(record,
// seq) followed, when present, by "\tactor=..\tos_user=..\told=..\tnew=.."
// (escaped like every field); mac = auditChain(key, previous row's mac, text),
// the first row chaining from auditGenesis(key).
//
// Concurrency: the server and caseroom-admin append to one table; a row is
// always appended inside a write transaction (BEGIN IMMEDIATE) that first
// reads the last row, so two writers never chain from the same row.
// Thread rule: DbAudit posts to a store::Writer and is used from the server
// thread; the free functions run on whichever thread owns the Database.
#pragma once
#include <functional>
#include <memory>

#include "core/result.h"
#include "session/audit_log.h"
#include "store/database.h"
#include "store/records.h"
#include "store/writer.h"

namespace caseroom::session {

// Appends one chained row inside the caller's open transaction.
[[nodiscard]] core::Status appendChainedAudit(store::Database& db, const AuditKey& key, const AuditRecord& r);
// Installs the hook through which every record edit (old and new value)
// becomes a chained audit row in the edit's own transaction. A sensitive
// edit (case text, contacts) keeps only auditValueDigest of each value.
void installEditAudit(store::Records& records, const AuditKey& key);
// "412 bytes, blake2b <32 hex>": the value's length and its BLAKE2b-128
// keyed with the audit key; "" for an empty value. Never the text.
[[nodiscard]] std::string auditValueDigest(const AuditKey& key, std::string_view value);
// Checks every row: sequence, mac chain, append-only (same report as files).
[[nodiscard]] core::Result<AuditVerifyReport> verifyAuditDb(store::Database& db, const AuditKey& key);

// The server's sink: record() posts the row to the writer (never blocks the
// tick); sync() is a no-op (the writer commits continuously, at most a few
// milliseconds behind). Records without a time are stamped with `unixClock`
// when one is given. The writer's replies name this sink: it must outlive
// the last drainReplies() of the writer (destroy the writer first).
class DbAudit final : public AuditSink {
public:
    DbAudit(store::Writer& writer, AuditKey key, std::function<std::uint64_t()> unixClock = {})
        : writer_(writer), key_(std::move(key)), unixClock_(std::move(unixClock)) {}
    void record(const AuditRecord& r) override;
    // Rows whose write failed (each logged, the first few and then every 100th).
    [[nodiscard]] std::uint64_t failures() const { return failures_; }

private:
    store::Writer& writer_;
    AuditKey key_;
    std::function<std::uint64_t()> unixClock_;
    std::uint64_t failures_ = 0;
};

} // namespace caseroom::session
