// The audit trail: every refused attempt (a join that does not match its
// invitation, an intent the role does not allow, a second join) is recorded
// with who, what and when. The server host writes entries; sinks decide where
// they go: a file for the server, memory for tests.
#pragma once
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/result.h"

namespace caseroom::session {

struct AuditEntry {
    double serverTime = 0;       // server seconds (monotonic)
    std::uint64_t userId = 0;    // from the connect token (0 on unauthenticated transports)
    std::uint32_t peer = 0;
    std::string who;             // display name as invited
    std::string room;
    std::string what;            // the attempt, e.g. "join as facilitator"
    std::string outcome;         // e.g. "refused: invited as spoke"
};

class AuditSink {
public:
    virtual ~AuditSink() = default;
    virtual void record(const AuditEntry& e) = 0;
};

class MemoryAudit final : public AuditSink {
public:
    void record(const AuditEntry& e) override { entries.push_back(e); }
    std::vector<AuditEntry> entries;
};

// Appends one line per entry, flushed at once, so a crash loses nothing:
//   <unix seconds>\tuser=<id>\tpeer=<n>\twho=<name>\troom=<code>\twhat=<..>\toutcome=<..>
class FileAudit final : public AuditSink {
public:
    static core::Result<std::unique_ptr<FileAudit>> open(const std::string& path, std::function<std::uint64_t()> unixClock);
    ~FileAudit() override;
    void record(const AuditEntry& e) override;

private:
    FileAudit(std::FILE* f, std::function<std::uint64_t()> clock) : file_(f), clock_(std::move(clock)) {}
    std::FILE* file_;
    std::function<std::uint64_t()> clock_;
};

} // namespace caseroom::session
