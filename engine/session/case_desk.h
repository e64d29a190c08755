// The case desk: cases before the session. A client that holds a program
// credential (a connect token whose room is "@" + the program's code, from
// `caseroom-admin credential`) is a desk client: it has no avatar and no room
// slot, joins no room, and may send only CaseSubmit and CaseQuery
// (net/messages.h "The case desk"; the server host routes them here).
//
//  - Submit: the presenter's form is checked against the program's template
//    (clinic::validateForm), needs the program's attestation, is PHI-screened
//    (clinic::screen, the roster's names as known names) and stored as
//    submitted, or held with its findings (clinic/case_workflow.h moves).
//    A held or submitted case of one's own may be sent again, fixed.
//  - Query: my cases (every state), the vetted list (ReadVettedCases: the
//    hub), one case (clinic::maySee), the program's form and attestation.
//  - Permission comes from the person's roster role in the program
//    (store::Records::rosterEntry by the token's user id = store::Person::id)
//    and the one permissions table (PresentCase, ReadVettedCases), never from
//    the token's role. Every refusal is audited (rate-limited per client);
//    case text and findings' text never reach the audit trail or the log.
//
// Every read and write runs as a store::Writer job on the writer's thread,
// never on the room tick; answers are sent when the job's reply runs
// (Writer::drainReplies, called from poll()) on the server thread.
// Thread rule: the server thread (one), except the jobs, which own copies.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "core/ids.h"
#include "core/role.h"
#include "net/messages.h"
#include "session/audit_log.h"
#include "session/case_desk_wire.h"

namespace caseroom::store {
class Writer;
class Records;
}

namespace caseroom::session {

// Who a desk client is: its token's identity, as the transport proved it.
struct DeskIdentity {
    core::PeerId peer;
    std::uint64_t userId = 0;      // = store::Person::id
    std::uint64_t tokenId = 0;
    std::string room;              // "@" + program code
    std::string name;              // display name as issued
    core::Role role = core::Role::Observer;  // the token's (not used for permission)
    std::string address;
};

// What the server host needs of a desk (ServerConfig::desk). The host checks
// that only desk clients send desk messages and that desk clients send
// nothing else.
class DeskPort {
public:
    virtual ~DeskPort() = default;
    virtual void onSubmit(const DeskIdentity& who, const net::CaseSubmit& m, double now) = 0;
    virtual void onQuery(const DeskIdentity& who, const net::CaseQuery& m, double now) = 0;
    virtual void onLeave(core::PeerId peer) = 0;
    using Send = std::function<void(core::PeerId, const net::Message&)>;
    // Runs due work and finished replies; hands every answer to `send`.
    virtual void poll(double now, const Send& send) = 0;
    // A desk client idle this long (seconds without a desk message) is dropped.
    [[nodiscard]] virtual double idleSeconds() const { return 300.0; }
};

struct CaseDeskConfig {
    AuditSink* audit = nullptr;                      // refusals (not owned; server thread)
    // Called on the writer thread for every job's Records, e.g. to install
    // session::installEditAudit (record edits become chained audit rows).
    std::function<void(store::Records&)> prepare;
    std::function<std::int64_t()> unixClock;         // record time stamps; empty: 0
    double programRefreshSeconds = 30.0;             // how often the known program codes are reloaded
    std::uint32_t maxInFlight = 4;                   // jobs per desk client; more: refused Busy
    double idleSeconds = 300.0;
};

struct CaseDeskStats {
    std::uint64_t submitted = 0, held = 0, refused = 0, queries = 0, jobsFailed = 0;
};

class CaseDesk final : public DeskPort {
public:
    // `writer` (not owned) outlives the desk. Posts a program-code refresh at once.
    CaseDesk(store::Writer& writer, CaseDeskConfig config);
    ~CaseDesk() override;
    CaseDesk(const CaseDesk&) = delete;
    CaseDesk& operator=(const CaseDesk&) = delete;

    void onSubmit(const DeskIdentity& who, const net::CaseSubmit& m, double now) override;
    void onQuery(const DeskIdentity& who, const net::CaseQuery& m, double now) override;
    void onLeave(core::PeerId peer) override;
    void poll(double now, const Send& send) override;
    [[nodiscard]] double idleSeconds() const override { return config_.idleSeconds; }

    // "@code" of a program the database held at the last refresh: for the
    // handshake's roomHosted (server thread).
    [[nodiscard]] bool hostsDeskRoom(std::string_view room) const;
    // Reloads the program codes now (the answer lands at a later poll()).
    void refreshPrograms();
    [[nodiscard]] const CaseDeskStats& stats() const { return stats_; }

    struct Outcome;   // what a job found, read by its reply (case_desk.cpp)

private:
    struct Draft {                                   // a submission whose parts are arriving
        std::uint32_t request = 0;
        std::uint64_t caseId = 0;
        std::uint32_t nextPart = 0;
        bool spoilt = false;                         // refused: its remaining parts are ignored
        PieceAssembler fields{net::kMaxCaseFields, net::kMaxCaseValue};
    };
    struct Peer {
        std::uint64_t generation = 0;
        std::uint32_t inFlight = 0;
        Draft draft;
        AuditLimiter auditLimit{1.0, 10.0};
    };
    Peer& peer(const DeskIdentity& who);
    bool admit(const DeskIdentity& who, Peer& p, std::uint32_t request, double now);
    void post(const DeskIdentity& who, std::function<void(store::Records&, Outcome&)> work, double now);
    void finish(const DeskIdentity& who, std::uint64_t generation, const Outcome& o, double now);
    void refuse(const DeskIdentity& who, std::uint32_t request, net::CaseRefusal why, std::string what, std::string outcome, double now);
    void auditRefusal(const DeskIdentity& who, const std::string& what, const std::string& outcome, double now);

    store::Writer& writer_;
    CaseDeskConfig config_;
    std::unordered_map<std::uint32_t, Peer> peers_;
    std::uint64_t nextGeneration_ = 1;
    std::unordered_set<std::string> programs_;       // codes, as of the last refresh
    double nextRefresh_ = 0;
    double lastNow_ = 0;
    std::vector<std::pair<core::PeerId, net::Message>> outbox_;
    CaseDeskStats stats_;
    std::shared_ptr<bool> alive_;                    // replies after the desk is gone do nothing
};

} // namespace caseroom::session
