// ServerHost's teaching round: routes AgendaIntent, FloorIntent,
// ModerateRequest, BoardIntent and ChatIntent to the room's RoundHost and
// BoardHost (the rules are theirs and sim's), answers refusals, carries out
// what moderation asks of the host (removal, the presenter's chair), keeps
// the floor holder's voice room-wide and describes the round's events for
// the audit trail. server_host.cpp calls these in a few lines.
#include <algorithm>

#include "session/clinic_wire.h"
#include "session/server_host.h"
#include "sim/floor.h"

namespace caseroom::session {

const RoundHost* ServerHost::round(const std::string& code) const {
    for (const auto& r : rooms_)
        if (r->room.spec().code == code) return r->round.get();
    return nullptr;
}

const BoardHost* ServerHost::board(const std::string& code) const {
    for (const auto& r : rooms_)
        if (r->room.spec().code == code) return r->board.get();
    return nullptr;
}

sim::ClinicActor ServerHost::clinicActor(const Client& c) const {
    sim::ClinicActor a;
    a.id = c.entity;
    a.role = c.role;
    a.userId = c.userId;
    a.name = c.name;
    a.holding = c.room ? c.room->round->holding(c.entity) : sim::HoldingSet{};
    return a;
}

void ServerHost::refreshPlan(RoomInstance& r) {
    if (!config_.planFor) return;
    const auto plan = config_.planFor(r.room.spec().code);
    if (!plan) return;
    const sim::RoundView now = r.round->view();
    // The same session keeps its agenda where it stands; a new one starts in the lobby.
    if (now.hasPlan && plan->sessionId != 0 && plan->sessionId == r.planSession) return;
    r.round->setPlan(*plan, r.room.tick());
    r.board->setPlan(*plan);
    r.planSession = plan->sessionId;
    r.recording->setSession(plan->sessionId);
    r.recording->setPolicy(plan->recordingPolicy, r.round->phase(), r.room.tick());
    r.recording->setCameras(plan->recordCameras);
}

void ServerHost::refuseRound(Client& c, net::IntentKind kind, net::RefusalReason why, const std::string& what, double now) {
    ++counters_.roundRefused;
    if (why == net::RefusalReason::NotPermitted || why == net::RefusalReason::WrongPhase)
        audit(c, now, what, std::string("refused: ") + net::toString(why) + " (" + core::toString(c.role) + ", " +
                                sim::toString(c.room->round->phase()) + ")");
    send(c.peer, net::IntentRefused{kind, why});
}

void ServerHost::handle(Client& c, const net::AgendaIntent& m, std::span<const std::uint8_t>, double now) {
    RoomInstance& r = *c.room;
    if (const auto why = r.round->onIntent(clinicActor(c), m, r.room.tick())) {
        refuseRound(c, net::IntentKind::Agenda, *why, "agenda: " + std::string(m.op == net::AgendaIntent::Op::Next ? "next" : m.op == net::AgendaIntent::Op::Previous ? "previous" : "go to " + std::to_string(m.index)), now);
        return;
    }
    ++counters_.roundIntents;
}

void ServerHost::handle(Client& c, const net::FloorIntent& m, std::span<const std::uint8_t>, double now) {
    RoomInstance& r = *c.room;
    if (const auto why = r.round->onIntent(clinicActor(c), m, r.room.tick())) {
        refuseRound(c, net::IntentKind::Floor, *why, "floor: op " + std::to_string(static_cast<unsigned>(m.op)) + " on " + std::to_string(m.target), now);
        return;
    }
    ++counters_.roundIntents;
}

// Board and chat: the text intents. A held text goes back to its author
// (TextHeld) and is answered PhiHeld like any refusal.
void ServerHost::handle(Client& c, const net::BoardIntent& m, std::span<const std::uint8_t>, double now) {
    onText(c, c.room->board->onIntent(clinicActor(c), c.room->round->view(), m, c.room->room.tick()), net::IntentKind::Board,
           "board: op " + std::to_string(static_cast<unsigned>(m.op)), now);
}

void ServerHost::handle(Client& c, const net::ChatIntent& m, std::span<const std::uint8_t>, double now) {
    onText(c, c.room->board->onIntent(clinicActor(c), c.room->round->view(), m, c.room->room.tick()), net::IntentKind::Chat,
           "chat: op " + std::to_string(static_cast<unsigned>(m.op)), now);
}

void ServerHost::onText(Client& c, const BoardHost::Outcome& out, net::IntentKind kind, const std::string& what, double now) {
    if (out.held) {
        ++counters_.textsHeld;
        send(c.peer, *out.held);
    }
    if (out.refused) {
        refuseRound(c, kind, *out.refused, what, now);
        return;
    }
    ++counters_.roundIntents;
}

// Moderation (sim/moderation.h through RoundHost): the rules, the state and
// the audit rows (from the events) are the round's; the host disconnects a
// removed participant and seats the one brought to the presenter's chair.
void ServerHost::handle(Client& c, const net::ModerateRequest& req, std::span<const std::uint8_t>, double now) {
    RoomInstance& r = *c.room;
    const RoundHost::Moderated done = r.round->onModerate(clinicActor(c), req, r.room.tick());
    if (done.refused) {
        const sim::Participant* t = r.room.find(core::EntityId{req.target});
        refuseRound(c, net::IntentKind::Moderate, *done.refused,
                    std::string(net::toString(req.action)) + " participant " + std::to_string(req.target) +
                        (t ? " '" + t->name + "' (user " + std::to_string(t->userId) + ")" : std::string()),
                    now);
        return;
    }
    ++counters_.moderations;
    if (req.action == net::ModerateAction::Mute || req.action == net::ModerateAction::Unmute)
        broadcast(r, net::ParticipantMuted{req.target, req.action == net::ModerateAction::Mute});
    applyModeration(r, c, done.effect);
}

void ServerHost::applyModeration(RoomInstance& r, const Client& actor, const ModerationEffect& effect) {
    if (effect.toChair.valid() && !r.room.layout().seats.empty()) (void)r.room.seatAt(effect.toChair, 0);
    if (!effect.remove.valid() || effect.remove.value >= r.peerOfSlot.size()) return;
    const core::PeerId peer = r.peerOfSlot[effect.remove.value];
    if (!peer.valid()) { // held after a drop (server_host_reconnect.cpp): the hold ends as a removal
        if (auto h = holds_.takeEntity(r.room.spec().code, effect.remove)) {
            AuditRecord e = h->audit;
            if (config_.audit) {
                e.kind = AuditKind::Kicked;
                e.what = "removed by '" + actor.name + "' (user " + std::to_string(actor.userId) + ") while away: " + effect.reason;
                e.outcome = "done";
                config_.audit->record(e);
            }
            if (config_.onRemoved) config_.onRemoved(r.room.spec().code, h->actor, effect.reason);
            vacate(r, h->entity, net::LeaveReason::Removed, h->actor, std::move(h->audit), false);
        }
        return;
    }
    const auto it = clients_.find(peer.value);
    if (it != clients_.end()) {
        if (config_.audit) { // who was removed, fully identified, before they are gone
            AuditRecord e = auditAbout(it->second);
            e.kind = AuditKind::Kicked;
            e.what = "removed by '" + actor.name + "' (user " + std::to_string(actor.userId) + "): " + effect.reason;
            e.outcome = "done";
            config_.audit->record(e);
        }
        if (config_.onRemoved) config_.onRemoved(r.room.spec().code, actorOf(it->second), effect.reason);
    }
    transport_.disconnect(peer, static_cast<std::uint32_t>(net::LeaveReason::Removed));
    removeClient(peer, net::LeaveReason::Removed, tickNow_);
}

void ServerHost::tickRound(RoomInstance& r) {
    const std::uint32_t tick = r.room.tick();
    r.round->tick(tick, r.objects);
    r.board->tick(tick, r.objects);
    r.recording->onPhase(r.round->phase(), tick); // the policy pauses and resumes by phase
    r.recording->publish(r.objects);
    // The floor holder is heard room-wide (sim/floor.h), like the hub's roles.
    const core::EntityId floor = r.round->floor().holder(); // the floor system knows; no scan of the room per tick
    if (floor == r.floorVoice) return;
    auto reset = [&](core::EntityId who, bool holds) {
        const sim::Participant* p = r.room.find(who);
        if (!p) return;
        r.voice.upsert(who.value, p->pose.headPosition(), holds || sim::heardRoomWide(p->role));
    };
    reset(r.floorVoice, false);
    reset(floor, true);
    r.floorVoice = floor;
}

std::string ServerHost::describe(const RoomInstance& r, const sim::RoomEvent& e) const {
    auto person = [&](core::EntityId id) {
        const sim::Participant* p = r.room.find(id);
        return "participant " + std::to_string(id.value) + (p ? " '" + p->name + "' (user " + std::to_string(p->userId) + ")" : std::string());
    };
    std::string what = sim::toString(e.kind);
    switch (e.kind) {
    case sim::RoomEventKind::PhaseChanged:
        what += ": entry " + std::to_string(e.panel) + ", " + sim::toString(static_cast<sim::Phase>(e.value));
        break;
    case sim::RoomEventKind::MutedAll: what += e.value ? " (self-unmute allowed)" : " (no self-unmute)"; break;
    case sim::RoomEventKind::ParticipantRemoved: what += ", reason: " + e.text; break;
    case sim::RoomEventKind::FacilitationHanded: if (e.value) what += " (automatically: the facilitator did not return)"; break;
    case sim::RoomEventKind::RecommendationEdited:
    case sim::RoomEventKind::RecommendationWithdrawn:
    case sim::RoomEventKind::SummaryWritten:
        what += ": case " + std::to_string(e.panel + 1) + ", entry " + std::to_string(e.value);
        break;
    case sim::RoomEventKind::TextHeld: {
        what += ": kinds mask 0x";
        static constexpr char kHex[] = "0123456789abcdef";
        std::string hex;
        for (std::uint32_t v = e.value; v || hex.empty(); v >>= 4) hex.insert(hex.begin(), kHex[v & 15u]);
        what += hex;
        break;
    }
    case sim::RoomEventKind::VideoStarted:
    case sim::RoomEventKind::VideoStopped:
        what += e.value == static_cast<std::uint32_t>(net::VideoKind::Screen) ? ": screen share" : ": camera";
        break;
    default: break;
    }
    if (e.target.valid()) what += ", " + person(e.target);
    return what;
}

} // namespace caseroom::session
