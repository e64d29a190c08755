#include "session/room_sessions.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include "core/log.h"
#include "session/db_audit.h"
#include "sim/permissions.h"
#include "store/records.h"

namespace caseroom::session {

namespace {

// Until when `s` keeps its room open: its (extended) end plus the overrun.
core::Result<std::uint64_t> openUntilOf(store::Records& records, const store::Session& s) {
    auto program = records.program(s.programId);
    if (!program) return program.error();
    const std::int64_t end = std::max(s.endUtc, s.extendedUntil) + std::int64_t{program->overrunMinutes} * 60;
    return static_cast<std::uint64_t>(std::max<std::int64_t>(end, 0));
}

core::Result<std::uint64_t> readOpenUntil(store::Records& records, const std::string& room, std::int64_t now) {
    auto s = records.sessionAt(room, now);
    if (!s) return s.error();
    if (!*s) return std::uint64_t{0};
    return openUntilOf(records, **s);
}

} // namespace

RoomSessions::RoomSessions(store::Writer& writer, AuditKey key, std::vector<std::string> rooms, RoomSessionsConfig config)
    : writer_(writer), key_(std::move(key)), rooms_(std::move(rooms)), config_(config) {}

std::uint64_t RoomSessions::openUntil(std::string_view room) const {
    for (const auto& [code, until] : until_)
        if (code == room) return until;
    return 0;
}

void RoomSessions::post(std::vector<std::string> rooms, std::uint64_t unixNow) {
    auto result = std::make_shared<std::vector<std::pair<std::string, std::uint64_t>>>();
    const auto now = static_cast<std::int64_t>(unixNow);
    writer_.post(
        [rooms = std::move(rooms), result, now](store::Database& db) -> core::Status {
            store::Records records(db);
            result->clear();
            for (const auto& room : rooms) {
                auto until = readOpenUntil(records, room, now);
                if (!until) return until.error();
                result->emplace_back(room, *until);
            }
            return {};
        },
        [this, result](const core::Status& st) {
            if (!st) {
                if (++failures_ <= 5 || failures_ % 100 == 0) CR_LOG_WARN("session clock: %s", st.error().message.c_str());
                return;
            }
            for (auto& [room, until] : *result) until_[room] = until;
        });
}

void RoomSessions::refresh(std::uint64_t unixNow) {
    post(rooms_, unixNow);
    nextRefresh_ = unixNow + static_cast<std::uint64_t>(std::max(1.0, std::ceil(config_.refreshSeconds)));
}

void RoomSessions::onTick(const RoomTick& t) {
    if (t.unixTime == 0) return;
    for (std::size_t i = 0; i < t.events.size(); ++i) {
        const sim::RoomEvent& e = t.events[i];
        if (e.kind != sim::RoomEventKind::SessionExtended) continue;
        const RoomActor& who = t.actors[i];
        AuditRecord a;
        a.kind = AuditKind::SessionExtended;
        a.unixTime = t.unixTime;
        a.room = std::string(t.room);
        a.userId = who.userId;
        a.tokenId = who.tokenId;
        a.role = who.role;
        a.who = who.displayName;
        a.address = who.address;
        a.peer = who.peer;
        a.what = "extend the session by " + std::to_string(e.value) + " min";
        const std::uint32_t minutes = std::min<std::uint32_t>(e.value, 24 * 60);
        auto until = std::make_shared<std::uint64_t>(0);
        auto refused = std::make_shared<bool>(false);
        writer_.post(
            [key = key_, a, minutes, until, refused](store::Database& db) mutable -> core::Status {
                *refused = false; // a rerun starts over
                store::Records records(db);
                installEditAudit(records, key); // the session's edit is chained like every record edit
                const auto now = static_cast<std::int64_t>(a.unixTime);
                auto s = records.sessionAt(a.room, now);
                if (!s) return s.error();
                if (!*s) {
                    a.outcome = "refused: no open session in the room";
                    return appendChainedAudit(db, key, a);
                }
                const std::int64_t oldEnd = std::max((*s)->endUtc, (*s)->extendedUntil);
                const std::int64_t newEnd = oldEnd + std::int64_t{minutes} * 60;
                store::Actor by;
                by.via = "server";
                if (a.userId > 0 && a.userId <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
                    if (auto p = records.person(static_cast<std::int64_t>(a.userId))) by.personId = p->id;
                // The roster decides, not the token's role (it may predate a demotion).
                std::optional<store::RosterEntry> entry;
                if (by.personId) {
                    auto onRoster = records.rosterEntry((*s)->programId, by.personId);
                    if (!onRoster) return onRoster.error();
                    entry = *onRoster;
                }
                if (!entry || !entry->active || !sim::permitted(entry->role, sim::Action::ExtendSession)) {
                    a.what += " (session " + std::to_string((*s)->id) + ")";
                    a.outcome = !entry ? "refused: not on the program's roster"
                                       : !entry->active ? "refused: inactive on the program's roster"
                                                        : std::string("refused: not permitted for ") + core::toString(entry->role) + " on the program's roster";
                    a.actor = by.personId ? "person " + std::to_string(by.personId) + " via server" : "server";
                    *refused = true;
                    return appendChainedAudit(db, key, a);
                }
                if (auto st = records.extendSession((*s)->id, newEnd, by, now); !st) return st;
                a.what += " (session " + std::to_string((*s)->id) + ")";
                a.outcome = "done";
                a.actor = by.personId ? "person " + std::to_string(by.personId) + " via server" : "server";
                a.oldValue = formatUtc(static_cast<std::uint64_t>(std::max<std::int64_t>(oldEnd, 0)));
                a.newValue = formatUtc(static_cast<std::uint64_t>(std::max<std::int64_t>(newEnd, 0)));
                if (auto st = appendChainedAudit(db, key, a); !st) return st;
                (*s)->extendedUntil = newEnd;
                auto open = openUntilOf(records, **s);
                if (!open) return open.error();
                *until = *open;
                return {};
            },
            [this, room = a.room, until, refused, who](const core::Status& st) {
                if (!st) {
                    CR_LOG_WARN("session extension in room '%s' not written: %s", room.c_str(), st.error().message.c_str());
                    return;
                }
                if (*refused) {
                    CR_LOG_INFO("room '%s': session extension refused by the program's roster", room.c_str());
                    if (refused_) refused_(who);
                    return;
                }
                if (*until == 0) return; // refused (audited): no session held the room any more
                ++extensions_;
                until_[room] = *until;
                CR_LOG_INFO("room '%s': session extended, open until %s", room.c_str(), formatUtc(*until).c_str());
            });
    }
    if (t.unixTime >= nextRefresh_) refresh(t.unixTime);
}

} // namespace caseroom::session
