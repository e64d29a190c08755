// The teaching round's journal (a RoomEventReader): the recommendations
// board and the room's chat and questions, from the room's one event
// stream, kept with the session in the clinic database (store/records.h,
// schema v3: recommendations, chat_lines).
//
//   RecommendationPosted   panel = case index, value = entry id, text -> a new row
//   RecommendationEdited   the newest row with that entry id gets the text (edits + 1)
//   RecommendationWithdrawn  ... is marked withdrawn (kept: the trail of what was said)
//   SummaryWritten         the consensus row (a new one, or an edit of that entry's)
//   ChatSaid / QuestionAsked  value = seq, text -> a chat line / a question
//   QuestionAnswered       the newest open question with that seq is answered
//   PhaseChanged to a case's presentation (panel = plan entry): with an
//                          audit key given, the case moves scheduled -> presented
//                          (a record edit, chained with the key; by the actor, or
//                          the server when the agenda moved by itself)
// TextHeld (the PHI screen held a text) is never stored: it carries no text
// and the held text must never reach the database. Other kinds are ignored.
//
// Which session and case: setPlan(room, plan) names the room's session
// (plan.sessionId) and maps each case index to its store case id (the plan
// entries' caseId). An event of a room with no plan (or a plan with
// sessionId 0), or a board event for a case index the plan has no case id
// for, is dropped and counted (counters().noPlan / noCase).
// Author: RoomTick.actors[i] (user id, display name, role; role Observer
// when unknown); the person is the user id when such a person exists (the
// identity convention), else a guest (person 0). Times: RoomTick.unixTime.
//
// Never blocks the tick: one job per event posted to store::Writer. Crash
// safety is the store's: a committed row survives kill -9; what was queued
// and not committed is lost (the room's board is the live copy). A failed
// job is logged and counted (counters().failed), never retried: a rerun by
// the writer (a failed batch) starts the job over, so a row is written once.
// Thread rule: setPlan, clearPlan, onTick and the replies (Writer::
// drainReplies) on the server thread; counters() from either.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "session/audit_log.h"
#include "session/room_events.h"
#include "sim/clinic_state.h"
#include "store/writer.h"

namespace caseroom::session {

struct ClinicJournalCounters {
    std::uint64_t posted = 0;         // jobs posted
    std::uint64_t written = 0;        // jobs committed
    std::uint64_t failed = 0;         // jobs whose write failed (logged)
    std::uint64_t noPlan = 0;         // events of a room without a plan (or without a session): not written
    std::uint64_t noCase = 0;         // board events for a case index without a store case: not written
    std::uint64_t planFailures = 0;   // requestPlan lookups that failed (logged)
    std::uint64_t presented = 0;      // cases moved scheduled -> presented
};

class ClinicJournal final : public RoomEventReader {
public:
    explicit ClinicJournal(store::Writer& writer);
    // With the audit chain's key: also marks each case presented when its
    // presentation begins (record edits must be chained, so without the key
    // the journal changes no case).
    ClinicJournal(store::Writer& writer, AuditKey editKey);
    ~ClinicJournal() override;
    ClinicJournal(const ClinicJournal&) = delete;
    ClinicJournal& operator=(const ClinicJournal&) = delete;

    // The room now runs `plan` (replaces an earlier one): its session id and
    // case ids are what the room's events are written against.
    void setPlan(std::string room, const sim::SessionPlan& plan);
    // The room runs no session now: its events are dropped (counted).
    void clearPlan(std::string_view room);
    [[nodiscard]] bool hasPlan(std::string_view room) const;
    // Looks the room's session and plan up off the tick: a writer job runs
    // clinic::planForRoom(records, room, unixNow) (the session holding the
    // room then: lobby opening to the extended end plus overrun). Its reply
    // (Writer::drainReplies, server thread) sets the plan (or clears it when
    // no session holds the room) and then calls `ready` with it, e.g. to hand
    // the plan to the agenda. A failed lookup is logged and counted
    // (planFailures), keeps the room's plan as it was and calls `ready` not.
    // The reply refers to this journal: destroy the writer (or drain it)
    // before the journal.
    using PlanReady = std::function<void(const std::string& room, const std::optional<sim::SessionPlan>& plan)>;
    void requestPlan(std::string room, std::uint64_t unixNow, PlanReady ready = {});

    void onTick(const RoomTick& t) override;
    [[nodiscard]] ClinicJournalCounters counters() const;

private:
    struct Counters;
    struct RoomPlan {
        std::int64_t sessionId = 0;
        std::vector<std::int64_t> caseIds;   // by case index; 0: no store case
        std::vector<std::int64_t> entryCase; // by plan entry: the presentation's store case, else 0
    };
    void postPresented(std::int64_t caseId, const RoomActor* who, std::int64_t now);
    store::Writer& writer_;
    std::optional<AuditKey> editKey_;
    std::shared_ptr<Counters> counters_;
    std::unordered_map<std::string, RoomPlan> plans_;
};

} // namespace caseroom::session
