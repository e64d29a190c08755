// ServerHost's reconnect: a dropped participant's place is held
// (session/seat_holds.h) and taken back by the same invitation's user.
// While held the entity stays in the room and in every system (seat, hand,
// floor, board, recording acknowledgement); only what needs a live link
// goes: the peer, its voice level guard, its video streams. The room is told
// ParticipantAway, and ParticipantAway{away = false} when they are back.
#include "session/server_host.h"

#include <algorithm>
#include <cmath>

namespace caseroom::session {

bool ServerHost::holdSeat(Client& c, net::LeaveReason reason, double now) {
    if (config_.seatHoldSeconds <= 0 || c.userId == 0 || !c.room || c.room->replay) return false; // [replay] viewers are not held
    if (reason != net::LeaveReason::TimedOut && reason != net::LeaveReason::Replaced) return false;
    RoomInstance& r = *c.room;
    const std::uint16_t slot = c.entity.value;
    unlinkPeer(r, c);
    if (slot < r.levels.size()) r.levels[slot] = sim::VoiceLevelGuard{};
    if (r.video) r.video->leave(slot, r.room.tick()); // they publish again when back
    r.round->away(c.entity, r.room.tick());            // a facilitator's grace starts; hand and floor stay
    flushAudit(c);
    const long holdSeconds = std::clamp(std::lround(config_.seatHoldSeconds), 0l, 3600l);
    SeatHold h;
    h.room = r.room.spec().code;
    h.entity = c.entity;
    h.userId = c.userId;
    h.role = c.role;
    h.since = now;
    h.until = now + config_.seatHoldSeconds;
    h.actor = actorOf(c);
    h.audit = auditAbout(c);
    if (config_.audit) {
        AuditRecord e = h.audit;
        e.kind = AuditKind::Left;
        e.what = std::string("link lost (") + net::toString(reason) + ")";
        e.outcome = "place held " + std::to_string(holdSeconds) + " s";
        config_.audit->record(e);
    }
    holds_.hold(std::move(h));
    ++counters_.seatsHeld;
    broadcast(r, net::ParticipantAway{slot, true, static_cast<std::uint16_t>(holdSeconds)});
    return true;
}

bool ServerHost::returnToSeat(Client& c, RoomInstance& r, double now) {
    const auto h = holds_.take(r.room.spec().code, c.userId, c.role);
    if (!h) return false;
    c.room = &r;
    c.entity = h->entity;
    const std::uint16_t slot = c.entity.value;
    r.room.restartInput(c.entity); // the new connection numbers its steps afresh
    r.peerOfSlot[slot] = c.peer;   // sized when the entity first joined
    r.levels[slot] = sim::VoiceLevelGuard{};
    r.round->back(c.entity);
    ++counters_.seatsReturned;
    if (config_.audit) {
        AuditRecord e = auditAbout(c);
        e.kind = AuditKind::Joined;
        e.what = std::string("back as ") + core::toString(c.role) + " after " +
                 std::to_string(static_cast<int>(std::lround(now - h->since))) + " s away";
        e.outcome = "returned to the held place";
        config_.audit->record(e);
    }
    welcome(c, r, true);
    return true;
}

void ServerHost::expireHolds(double now) {
    if (holds_.size() == 0) return;
    for (SeatHold& h : holds_.takeExpired(now)) {
        for (auto& r : rooms_) {
            if (r->room.spec().code != h.room) continue;
            ++counters_.holdsExpired;
            vacate(*r, h.entity, net::LeaveReason::TimedOut, h.actor, std::move(h.audit), true);
            break;
        }
    }
}

} // namespace caseroom::session
