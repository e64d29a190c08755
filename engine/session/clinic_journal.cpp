#include "session/clinic_journal.h"

#include <algorithm>
#include <limits>

#include "clinic/session_plan.h"
#include "core/log.h"
#include "session/db_audit.h"
#include "store/records.h"

namespace caseroom::session {

// Added to only by the replies (server thread) and onTick; atomics so that
// counters() may be read from another thread.
struct ClinicJournal::Counters {
    std::atomic<std::uint64_t> posted{0}, written{0}, failed{0}, noPlan{0}, noCase{0}, planFailures{0}, presented{0};
};

namespace {

bool journaled(sim::RoomEventKind k) {
    using K = sim::RoomEventKind;
    switch (k) {
    case K::RecommendationPosted:
    case K::RecommendationEdited:
    case K::RecommendationWithdrawn:
    case K::SummaryWritten:
    case K::ChatSaid:
    case K::QuestionAsked:
    case K::QuestionAnswered: return true;
    default: return false;   // TextHeld above all: never stored
    }
}

bool boardKind(sim::RoomEventKind k) {
    using K = sim::RoomEventKind;
    return k == K::RecommendationPosted || k == K::RecommendationEdited || k == K::RecommendationWithdrawn ||
           k == K::SummaryWritten;
}

// The roster person behind a token's user id (the identity convention), 0: a guest.
std::int64_t personOf(store::Records& records, std::uint64_t userId) {
    if (userId == 0 || userId > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return 0;
    auto p = records.person(static_cast<std::int64_t>(userId));
    return p ? p->id : 0;
}

// What one job writes (a copy of the event: jobs never read the journal).
struct Item {
    sim::RoomEventKind kind = sim::RoomEventKind::ChatSaid;
    std::int64_t sessionId = 0;
    std::int64_t caseId = 0;
    std::uint32_t value = 0;          // entry id or line seq
    std::uint64_t userId = 0;
    std::string name;
    core::Role role = core::Role::Observer;
    std::string text;
    std::int64_t now = 0;
};

core::Status write(store::Records& records, const Item& it) {
    using K = sim::RoomEventKind;
    auto recommendation = [&] {
        store::Recommendation r;
        r.sessionId = it.sessionId;
        r.caseId = it.caseId;
        r.entryId = it.value;
        r.authorUserId = it.userId;
        r.authorPersonId = personOf(records, it.userId);
        r.authorName = it.name;
        r.authorRole = it.role;
        r.text = it.text;
        r.createdAt = it.now;
        return r;
    };
    auto line = [&](store::ChatLineKind kind) {
        store::ChatRecord c;
        c.sessionId = it.sessionId;
        c.seq = it.value;
        c.kind = kind;
        c.authorUserId = it.userId;
        c.authorPersonId = personOf(records, it.userId);
        c.authorName = it.name;
        c.authorRole = it.role;
        c.text = it.text;
        c.createdAt = it.now;
        return c;
    };
    switch (it.kind) {
    case K::RecommendationPosted: {
        auto id = records.addRecommendation(recommendation());
        if (!id) return id.error();
        return {};
    }
    case K::RecommendationEdited: return records.editRecommendation(it.sessionId, it.value, it.text, it.now);
    case K::RecommendationWithdrawn: return records.withdrawRecommendation(it.sessionId, it.value, it.now);
    case K::SummaryWritten: {
        auto id = records.writeSummary(recommendation());
        if (!id) return id.error();
        return {};
    }
    case K::ChatSaid:
    case K::QuestionAsked: {
        auto id = records.addChatLine(line(it.kind == K::ChatSaid ? store::ChatLineKind::Chat : store::ChatLineKind::Question));
        if (!id) return id.error();
        return {};
    }
    case K::QuestionAnswered: return records.answerQuestion(it.sessionId, it.value, it.now);
    default: return {};
    }
}

} // namespace

ClinicJournal::ClinicJournal(store::Writer& writer) : writer_(writer), counters_(std::make_shared<Counters>()) {}

ClinicJournal::ClinicJournal(store::Writer& writer, AuditKey editKey)
    : writer_(writer), editKey_(std::move(editKey)), counters_(std::make_shared<Counters>()) {}

ClinicJournal::~ClinicJournal() = default;

void ClinicJournal::setPlan(std::string room, const sim::SessionPlan& plan) {
    RoomPlan p;
    p.sessionId = plan.sessionId <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())
                      ? static_cast<std::int64_t>(plan.sessionId)
                      : 0;
    p.entryCase.assign(plan.entries.size(), 0);
    for (std::size_t k = 0; k < plan.entries.size(); ++k) {
        const auto& e = plan.entries[k];
        if (!sim::isCasePhase(e.phase)) continue;
        if (e.phase == sim::Phase::CasePresentation && e.caseId <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
            p.entryCase[k] = static_cast<std::int64_t>(e.caseId);
        if (p.caseIds.size() <= e.caseIndex) p.caseIds.resize(std::size_t{e.caseIndex} + 1, 0);
        if (e.caseId != 0 && e.caseId <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
            p.caseIds[e.caseIndex] = static_cast<std::int64_t>(e.caseId);
    }
    plans_[std::move(room)] = std::move(p);
}

void ClinicJournal::clearPlan(std::string_view room) {
    if (auto it = plans_.find(std::string(room)); it != plans_.end()) plans_.erase(it);
}

bool ClinicJournal::hasPlan(std::string_view room) const { return plans_.count(std::string(room)) != 0; }

void ClinicJournal::requestPlan(std::string room, std::uint64_t unixNow, PlanReady ready) {
    auto found = std::make_shared<std::optional<sim::SessionPlan>>();
    const auto now = static_cast<std::int64_t>(std::min<std::uint64_t>(unixNow, std::numeric_limits<std::int64_t>::max()));
    writer_.post(
        [room, now, found](store::Database& db) -> core::Status {
            found->reset();   // a rerun starts over
            store::Records records(db);
            auto plan = clinic::planForRoom(records, room, now);
            if (!plan) return plan.error();
            *found = std::move(*plan);
            return {};
        },
        [this, room, found, ready = std::move(ready)](const core::Status& st) {
            if (!st) {
                const std::uint64_t n = ++counters_->planFailures;
                if (n <= 5 || n % 100 == 0)
                    CR_LOG_ERROR("clinic journal: no plan for room %s (%llu failures): %s", room.c_str(),
                                 static_cast<unsigned long long>(n), st.error().message.c_str());
                return;
            }
            if (*found) setPlan(room, **found);
            else clearPlan(room);
            if (ready) ready(room, *found);
        });
}

void ClinicJournal::onTick(const RoomTick& t) {
    const RoomPlan* plan = nullptr;
    bool looked = false;
    for (std::size_t i = 0; i < t.events.size(); ++i) {
        const sim::RoomEvent& e = t.events[i];
        if (!looked && (journaled(e.kind) || e.kind == sim::RoomEventKind::PhaseChanged)) {
            looked = true;
            if (auto it = plans_.find(std::string(t.room)); it != plans_.end() && it->second.sessionId > 0) plan = &it->second;
        }
        if (e.kind == sim::RoomEventKind::PhaseChanged) {
            if (editKey_ && plan && e.value == static_cast<std::uint32_t>(sim::Phase::CasePresentation) &&
                e.panel < plan->entryCase.size() && plan->entryCase[e.panel] != 0)
                postPresented(plan->entryCase[e.panel], i < t.actors.size() ? &t.actors[i] : nullptr,
                              static_cast<std::int64_t>(std::min<std::uint64_t>(t.unixTime, std::numeric_limits<std::int64_t>::max())));
            continue;
        }
        if (!journaled(e.kind)) continue;
        if (!plan) {
            ++counters_->noPlan;
            continue;
        }
        Item it;
        it.kind = e.kind;
        it.sessionId = plan->sessionId;
        it.value = e.value;
        if (boardKind(e.kind)) {
            it.caseId = e.panel < plan->caseIds.size() ? plan->caseIds[e.panel] : 0;
            if (it.caseId == 0) {
                ++counters_->noCase;
                continue;
            }
        }
        if (i < t.actors.size()) {
            const RoomActor& who = t.actors[i];
            it.userId = who.userId;
            it.name = who.displayName;
            it.role = who.role.value_or(core::Role::Observer);
        }
        it.text = e.text;
        it.now = static_cast<std::int64_t>(std::min<std::uint64_t>(t.unixTime, std::numeric_limits<std::int64_t>::max()));
        ++counters_->posted;
        auto counters = counters_;
        const char* what = sim::toString(e.kind);
        writer_.post(
            [it = std::move(it)](store::Database& db) -> core::Status {
                store::Records records(db);
                return write(records, it);
            },
            [counters, what](const core::Status& st) {
                if (st) {
                    ++counters->written;
                    return;
                }
                const std::uint64_t n = ++counters->failed;
                if (n <= 5 || n % 100 == 0)
                    CR_LOG_ERROR("clinic journal: %s not written (%llu failures): %s", what, static_cast<unsigned long long>(n),
                                 st.error().message.c_str());
            });
    }
}

void ClinicJournal::postPresented(std::int64_t caseId, const RoomActor* who, std::int64_t now) {
    const std::uint64_t userId = who && who->role ? who->userId : 0;   // no role: the room itself moved on
    auto moved = std::make_shared<bool>(false);
    auto counters = counters_;
    writer_.post(
        [key = *editKey_, caseId, userId, now, moved](store::Database& db) -> core::Status {
            *moved = false;   // a rerun starts over
            store::Records records(db);
            installEditAudit(records, key);   // chained like every record edit
            auto c = records.caseRecord(caseId);
            if (!c) return c.error();
            if (c->status != store::CaseStatus::Scheduled) return {};   // presented already (a second pass), or moved on
            c->status = store::CaseStatus::Presented;
            store::Actor by;
            by.personId = personOf(records, userId);
            by.via = "server";
            if (auto st = records.saveCase(*c, by, now); !st) return st;
            *moved = true;
            return {};
        },
        [counters, moved](const core::Status& st) {
            if (st) {
                if (*moved) ++counters->presented;
                return;
            }
            const std::uint64_t n = ++counters->failed;
            if (n <= 5 || n % 100 == 0)
                CR_LOG_ERROR("clinic journal: case not marked presented (%llu failures): %s", static_cast<unsigned long long>(n),
                             st.error().message.c_str());
        });
}

ClinicJournalCounters ClinicJournal::counters() const {
    ClinicJournalCounters c;
    c.posted = counters_->posted;
    c.written = counters_->written;
    c.failed = counters_->failed;
    c.noPlan = counters_->noPlan;
    c.noCase = counters_->noCase;
    c.planFailures = counters_->planFailures;
    c.presented = counters_->presented;
    return c;
}

} // namespace caseroom::session
