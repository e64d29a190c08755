// [SECTION] rooms and lifetime
// [SECTION] receiving: dispatch, join, input, intents
// (the teaching round: agenda, floor, moderation, board, chat: server_host_round.cpp)
// [SECTION] voice: check, route and forward on arrival
// [SECTION] panels: intents, lasers, the room's events
// [SECTION] content: blob requests and link hints
// [SECTION] ticking: simulation, history, per-client snapshots
#include "session/server_host.h"

#include <algorithm>
#include <cmath>

#include "session/clinic_wire.h"
#include "session/wire_avatar.h"

static_assert(caseroom::sim::kMaxNameBytes == caseroom::net::kMaxDisplayName, "the room and the wire agree on name length");

namespace caseroom::session {

// ---- [SECTION] rooms and lifetime ------------------------------------------

ServerHost::RoomInstance::RoomInstance(const sim::RoomSpec& spec, double rate, double now, const sim::RouterConfig& voiceConfig)
    : room(spec, rate), history(spec.maxParticipants), spots(spec.maxParticipants),
      voice(voiceConfig), levels(spec.maxParticipants), peerOfSlot(spec.maxParticipants), listeners(spec.maxParticipants) {
    clock.rateHz = rate;
    clock.start = now;
    layoutMsg = toWire(room.layout());
}

ServerHost::ServerHost(net::Transport& transport, ServerConfig config)
    : transport_(transport), config_(std::move(config)), links_(config_.link), pool_(std::max(1u, config_.threads)),
      scratch_(pool_.threads()) {
    if (config_.rooms.empty() && config_.replays.empty()) config_.rooms.push_back(sim::RoomSpec{}); // [replay] a replay server hosts its replay only
    for (const auto& spec : config_.rooms) {
        rooms_.push_back(std::make_unique<RoomInstance>(spec, config_.tickRate, 0.0, config_.voice));
        RoomInstance& r = *rooms_.back();
        r.panels = std::make_unique<PanelHost>(static_cast<std::uint16_t>(r.room.layout().panels.size()), config_.decks, &r.stream);
        r.panels->publishDecks(r.objects);
        r.round = std::make_unique<RoundHost>(&r.stream, config_.tickRate, config_.round);
        r.board = std::make_unique<BoardHost>(&r.stream, config_.board);
        record::RecordingInfo info;
        info.room = spec.code;
        info.title = spec.name;
        info.tickRate = static_cast<std::uint32_t>(config_.tickRate);
        info.roomSpec = sim::roomSpecSection(spec);
        r.recording = std::make_unique<RecordingHost>(&r.stream, config_.recording, std::move(info));
        makeVideo(r);
        refreshPlan(r);
    }
    addReplayRooms(); // [replay]
}

ServerHost::~ServerHost() = default;

const sim::Room* ServerHost::room(const std::string& code) const {
    for (const auto& r : rooms_)
        if (r->room.spec().code == code) return &r->room;
    return nullptr;
}

core::PeerId ServerHost::peerOf(const std::string& code, core::EntityId entity) const {
    for (const auto& r : rooms_)
        if (r->room.spec().code == code && entity.valid() && entity.value < r->peerOfSlot.size()) return r->peerOfSlot[entity.value];
    return core::PeerId::invalid();
}

const sim::PanelSystem* ServerHost::panels(const std::string& code) const {
    for (const auto& r : rooms_)
        if (r->room.spec().code == code) return &r->panels->system();
    return nullptr;
}

double ServerHost::untilNextTick(double now) const {
    double best = 1.0;
    for (const auto& r : rooms_) best = std::min(best, r->clock.untilNext(now));
    return best;
}

void ServerHost::republishDecks() {
    for (auto& r : rooms_)
        if (!r->replay) r->panels->publishDecks(r->objects); // [replay] its objects are the recording's
}

void ServerHost::shutdown() {
    for (auto& r : rooms_) r->recording->stop(r->room.tick()); // every file closed with its index
    for (auto& [id, c] : clients_) flushAudit(c);
    for (auto& [id, c] : clients_) transport_.disconnect(c.peer, static_cast<std::uint32_t>(net::LeaveReason::ServerShutdown));
    transport_.flush();
}

void ServerHost::removeClient(core::PeerId peer, net::LeaveReason reason, double now) {
    auto it = clients_.find(peer.value);
    if (it == clients_.end()) return;
    Client& c = it->second;
    if (c.room && !holdSeat(c, reason, now)) {
        RoomInstance& r = *c.room;
        unlinkPeer(r, c);
        flushAudit(c);
        vacate(r, c.entity, reason, actorOf(c), auditAbout(c), reason == net::LeaveReason::TimedOut);
    }
    flushAudit(c);
    if (c.desk && config_.desk) config_.desk->onLeave(peer);
    if (config_.uploads) config_.uploads->onLeave(peer);
    links_.removeClient(peer);
    clients_.erase(it);
}

void ServerHost::unlinkPeer(RoomInstance& r, const Client& c) {
    if (c.entity.value < r.peerOfSlot.size()) r.peerOfSlot[c.entity.value] = core::PeerId::invalid();
    std::erase(r.members, c.peer);
}

void ServerHost::vacate(RoomInstance& r, core::EntityId entity, net::LeaveReason reason, const RoomActor& who, AuditRecord audit, bool dropped) {
    r.room.leave(entity);
    r.panels->leave(entity, r.room.tick());
    r.round->leave(entity, r.room.tick(), dropped);
    r.board->leave(entity, r.room.tick());
    r.recording->leave(entity);
    if (r.video) r.video->leave(entity.value, r.room.tick());
    r.history.remove(entity.value, r.room.tick());
    r.voice.remove(entity.value);
    if (entity.value < r.levels.size()) r.levels[entity.value] = sim::VoiceLevelGuard{};
    pushEvent(r, sim::RoomEvent{r.room.tick(), entity, sim::RoomEventKind::Left, 0, {}, static_cast<std::uint32_t>(reason), {}, {}}, who);
    if (r.members.empty() && r.recording) r.recording->stop(r.room.tick()); // nobody left to see it: the file is closed
    if (!r.replay) broadcast(r, net::ParticipantLeft{entity.value, reason}); // [replay] viewers are not announced
    ++counters_.leaves;
    if (config_.audit) { // access events: who was in which room, from where, until when
        audit.kind = AuditKind::Left;
        audit.what = "left";
        audit.outcome = net::toString(reason);
        config_.audit->record(audit);
    }
}

void ServerHost::update(double now) {
    net::TransportEvent ev;
    while (transport_.poll(now, ev)) {
        switch (ev.type) {
        case net::TransportEventType::Connected: {
            Client& c = clients_[ev.peer.value];
            c = Client{};
            c.peer = ev.peer;
            c.connectedAt = now;
            if (const net::PeerIdentity* id = transport_.identity(ev.peer); id && isDeskRoom(id->roomCode)) {
                c.desk = true; // who it is, for the audit trail (a room client learns it at its join)
                c.userId = id->userId;
                c.name = id->displayName;
                c.role = id->role;
            }
            links_.addClient(ev.peer, now);
            break;
        }
        case net::TransportEventType::Disconnected: {
            // The far end's reason is only believed for "left"; reasons the
            // transport itself decided (it says why in `detail`) pass through.
            auto reason = ev.disconnectReason == static_cast<std::uint32_t>(net::LeaveReason::Left) ? net::LeaveReason::Left
                                                                                                  : net::LeaveReason::TimedOut;
            if (!ev.detail.empty() && (ev.disconnectReason == static_cast<std::uint32_t>(net::LeaveReason::Replaced) ||
                                       ev.disconnectReason == static_cast<std::uint32_t>(net::LeaveReason::Expired) ||
                                       ev.disconnectReason == static_cast<std::uint32_t>(net::LeaveReason::Revoked)))
                reason = static_cast<net::LeaveReason>(ev.disconnectReason);
            removeClient(ev.peer, reason, now);
            break;
        }
        case net::TransportEventType::Received: {
            auto it = clients_.find(ev.peer.value);
            if (it != clients_.end()) onReceive(it->second, ev, now);
            break;
        }
        case net::TransportEventType::Count: break;
        }
    }
    // Links that went quiet (ServerConfig::silenceSeconds), looked for at the tick rate, not every update.
    if (config_.silenceSeconds > 0 && transport_.authenticates() && now >= nextSilenceCheck_) {
        nextSilenceCheck_ = now + 1.0 / config_.tickRate;
        silent_.clear();
        for (const auto& [id, c] : clients_)
            if (c.room && now - std::max(c.lastHeard, c.connectedAt) > config_.silenceSeconds) silent_.push_back(c.peer);
        for (const core::PeerId peer : silent_) {
            transport_.disconnect(peer, static_cast<std::uint32_t>(net::LeaveReason::TimedOut));
            ++counters_.peersSilent;
            removeClient(peer, net::LeaveReason::TimedOut, now);
        }
    }
    expireHolds(now);
    // Peers that connected but never joined hold a slot for nothing.
    for (auto it = clients_.begin(); it != clients_.end();) {
        Client& c = it->second;
        if (!c.room && now - c.connectedAt > (c.desk && config_.desk ? config_.desk->idleSeconds() : config_.joinTimeout)) {
            transport_.disconnect(c.peer, static_cast<std::uint32_t>(net::LeaveReason::TimedOut));
            ++counters_.peersDropped;
            flushAudit(c);
            if (c.desk && config_.desk) config_.desk->onLeave(c.peer);
            links_.removeClient(c.peer);
            it = clients_.erase(it);
        } else {
            ++it;
        }
    }
    if (config_.desk) // the case desk's answers, as its store jobs finish (never waited for)
        config_.desk->poll(now, [&](core::PeerId p, const net::Message& m) { std::visit([&](const auto& x) { send(p, x); }, m); });
    if (config_.uploads) // verdicts from the upload checker's thread (never waited for)
        config_.uploads->poll(now, [&](core::PeerId p, const net::UploadStatus& st) { send(p, st); });
    // The due ticks, in rounds (a room behind by two ticks runs one per
    // round): each due room's own part on this thread, then every member's
    // snapshot built on the pool (a job reads its room and writes its own
    // Client only), then sent from here in room and member order.
    tickNow_ = now;
    for (auto& r : rooms_) r->due = r->clock.advance(now);
    for (;;) {
        jobs_.clear();
        bool any = false;
        for (auto& r : rooms_) {
            if (r->due == 0) continue;
            if (!any) links_.beginTick(now);
            any = true;
            --r->due;
            tickRoom(*r, now);
        }
        if (!any) break;
        pool_.run(jobs_.size(), [this](std::size_t i) { buildSnapshot(jobs_[i], scratch_[core::WorkerPool::threadIndex()]); });
        for (const BuildJob& j : jobs_) deliverSnapshot(*j.client);
    }
    transport_.flush();
}

// ---- [SECTION] receiving: dispatch, join, input, intents ---------------------

void ServerHost::badInput(Client& c, const char* what, double now) {
    ++counters_.malformed;
    ++c.malformed;
    std::uint64_t suppressed = 0;
    if (badLog_.allow(now, suppressed))
        CR_LOG_WARN("server: dropped %s from peer %u (%llu similar suppressed)", what, c.peer.value,
                    static_cast<unsigned long long>(suppressed));
    if (c.malformed == config_.maxMalformed) {
        ++counters_.peersDropped;
        transport_.disconnect(c.peer, static_cast<std::uint32_t>(net::LeaveReason::Kicked));
    }
}

template <typename T>
void ServerHost::handle(Client& c, const T&, std::span<const std::uint8_t>, double now) {
    badInput(c, "server-to-client message", now); // unreachable: onReceive checks the direction
}

void ServerHost::onReceive(Client& c, const net::TransportEvent& ev, double now) {
    c.lastHeard = now;
    net::DecodeResult r = net::decodeMessage(ev.data, ev.channel);
    if (!r.ok) { badInput(c, net::toString(r.error), now); return; }
    const net::MessageType type = net::typeOf(r.message);
    if (net::messageInfo(type).direction != net::Direction::ToServer) { badInput(c, "server-to-client message", now); return; }
    // Desk clients (program credentials) speak only to the case desk; room clients never do.
    const bool deskMessage = type == net::MessageType::CaseSubmit || type == net::MessageType::CaseQuery;
    if (c.desk && type == net::MessageType::JoinRequest) {
        const auto& join = std::get<net::JoinRequest>(r.message);
        const net::PeerIdentity* id = transport_.identity(c.peer);
        audit(c, now, "join room '" + join.roomCode + "' with a program credential", "refused: it opens the case desk, not a room",
              id ? id->roomCode : std::string());
        send(c.peer, net::JoinRefused{net::JoinRefusal::NotInvited, "a program credential opens the case desk, not a room"});
        return;
    }
    if (c.desk != deskMessage) { badInput(c, c.desk ? "room message from a desk client" : "desk message from a room client", now); return; }
    if (!c.room && !c.desk && type != net::MessageType::JoinRequest) { badInput(c, "message before joining", now); return; }
    std::visit([&](const auto& m) { handle(c, m, ev.data, now); }, r.message);
}

void ServerHost::handle(Client& c, const net::JoinRequest& join, std::span<const std::uint8_t>, double now) {
    if (c.room) {
        audit(c, now, "second join as '" + join.displayName + "' (" + core::toString(join.role) + ")", "refused: already joined");
        badInput(c, "second JoinRequest", now);
        return;
    }
    onJoin(c, join, now);
}

void ServerHost::handle(Client& c, const net::SitRequest& sit, std::span<const std::uint8_t>, double now) {
    if (!allowed(c, sim::Action::Sit, now)) {
        send(c.peer, net::IntentRefused{net::IntentKind::Sit, net::RefusalReason::NotPermitted});
        return;
    }
    if (const auto err = c.room->room.sit(c.entity, sit.seat)) { // the room checks the seat's range
        net::RefusalReason why = net::RefusalReason::SeatInvalid;
        switch (*err) {
        case sim::IntentError::SeatTaken: why = net::RefusalReason::SeatTaken; break;
        case sim::IntentError::SeatTooFar: why = net::RefusalReason::SeatTooFar; break;
        case sim::IntentError::AlreadySeated: why = net::RefusalReason::AlreadySeated; break;
        default: break;
        }
        send(c.peer, net::IntentRefused{net::IntentKind::Sit, why});
    }
}

void ServerHost::handle(Client& c, const net::StandRequest&, std::span<const std::uint8_t>, double now) {
    if (!allowed(c, sim::Action::Stand, now)) {
        send(c.peer, net::IntentRefused{net::IntentKind::Stand, net::RefusalReason::NotPermitted});
        return;
    }
    if (c.room->room.stand(c.entity)) send(c.peer, net::IntentRefused{net::IntentKind::Stand, net::RefusalReason::NotSeated});
}

void ServerHost::audit(Client& c, double now, std::string what, std::string outcome, const std::string& room) {
    ++counters_.audited;
    std::uint64_t suppressed = 0;
    if (!config_.audit || !c.auditLimit.allow(now, suppressed)) return;
    AuditRecord e = auditAbout(c, room);
    config_.audit->recordSuppressed(e, suppressed);
    e.kind = AuditKind::IntentRefused;
    e.what = std::move(what);
    e.outcome = std::move(outcome);
    config_.audit->record(e);
}

AuditRecord ServerHost::auditAbout(const Client& c, const std::string& room) const {
    AuditRecord e;
    e.userId = c.userId;
    e.peer = c.peer.value;
    e.who = c.name;
    e.role = c.role;
    e.room = room.empty() && c.room ? c.room->room.spec().code : room;
    if (const net::PeerIdentity* id = transport_.identity(c.peer)) {
        e.tokenId = id->tokenId;
        e.address = id->address;
    }
    return e;
}

void ServerHost::flushAudit(Client& c) {
    if (config_.audit) config_.audit->recordSuppressed(auditAbout(c), c.auditLimit.takePending());
}

bool ServerHost::allowed(Client& c, sim::Action action, double now) {
    if (sim::permitted(c.role, action)) return true;
    audit(c, now, sim::toString(action), std::string("refused: not permitted for ") + core::toString(c.role));
    return false;
}

void ServerHost::auditDone(Client& c, AuditKind kind, std::string what) {
    if (!config_.audit) return;
    AuditRecord e = auditAbout(c);
    e.kind = kind;
    e.what = std::move(what);
    e.outcome = "done";
    config_.audit->record(e);
}

void ServerHost::onJoin(Client& c, const net::JoinRequest& req, double now) {
    auto refuse = [&](net::JoinRefusal why, std::string detail) {
        ++counters_.refusedJoins;
        send(c.peer, net::JoinRefused{why, std::move(detail)});
        for (auto& r : rooms_) // a refusal at a room this server holds is that room's event
            if (r->room.spec().code == req.roomCode)
                pushEvent(*r, sim::RoomEvent{r->room.tick(), {}, sim::RoomEventKind::JoinRefused, 0, {}, static_cast<std::uint32_t>(why), {}, {}}, &c);
    };
    // On an authenticating transport the invitation (token) is the truth:
    // the request must match it; nobody picks their own room, name or role.
    c.name = req.displayName;
    c.role = req.role;
    if (transport_.authenticates()) {
        const net::PeerIdentity* id = transport_.identity(c.peer);
        if (!id) { refuse(net::JoinRefusal::NotInvited, ""); return; }
        c.userId = id->userId;
        c.name = id->displayName;
        c.role = id->role;
        if (req.roomCode != id->roomCode || req.displayName != id->displayName || req.role != id->role) {
            std::string claim = "join room '" + req.roomCode + "' as '" + req.displayName + "' (" + core::toString(req.role) + ")";
            audit(c, now, std::move(claim),
                  "refused: invited to '" + id->roomCode + "' as '" + id->displayName + "' (" + core::toString(id->role) + ")",
                  id->roomCode);
            refuse(net::JoinRefusal::NotInvited, "");
            return;
        }
    }
    if (req.protocolVersion != net::kProtocolVersion) {
        refuse(net::JoinRefusal::VersionMismatch, "server speaks version " + std::to_string(net::kProtocolVersion));
        return;
    }
    RoomInstance* room = nullptr;
    for (auto& r : rooms_)
        if (r->room.spec().code == req.roomCode) room = r.get();
    if (!room) { refuse(net::JoinRefusal::UnknownRoom, req.roomCode); return; }
    if (room->room.population() == 0) refreshPlan(*room); // the first one in: the session the room holds now
    if (const auto why = room->round->admits(c.role, c.userId)) { // locked, or removed by a moderator
        audit(c, now, "join room '" + req.roomCode + "'", std::string("refused: ") + net::toString(*why), req.roomCode);
        refuse(*why, "");
        return;
    }
    if (returnToSeat(c, *room, now)) return; // back from a dropped link: the held place
    const sim::JoinResult jr = room->room.join(c.name, c.role, c.userId);
    if (jr.error) {
        switch (*jr.error) {
        case sim::JoinError::RoomFull: refuse(net::JoinRefusal::RoomFull, ""); break;
        case sim::JoinError::BadName: refuse(net::JoinRefusal::BadName, ""); break;
        case sim::JoinError::BadRole: refuse(net::JoinRefusal::BadRole, ""); break;
        case sim::JoinError::Count: break;
        }
        return;
    }
    c.room = room;
    c.entity = jr.entity;
    const sim::Participant* p = room->room.find(jr.entity);
    if (!room->replay) room->history.set(jr.entity.value, p->instance, toWire(p->pose), room->room.tick()); // [replay] a viewer: its own view only
    room->voice.upsert(jr.entity.value, p->pose.headPosition(), sim::heardRoomWide(c.role));
    if (jr.entity.value >= room->peerOfSlot.size()) {
        room->peerOfSlot.resize(jr.entity.value + 1u);
        room->listeners.resize(jr.entity.value + 1u);
        room->levels.resize(jr.entity.value + 1u);
    }
    room->levels[jr.entity.value] = sim::VoiceLevelGuard{};
    room->peerOfSlot[jr.entity.value] = c.peer;
    room->panels->join(jr.entity, c.role);
    room->round->join(clinicActor(c), room->room.tick());
    room->board->join(clinicActor(c));
    ++counters_.joins;
    pushEvent(*room, sim::RoomEvent{room->room.tick(), jr.entity, sim::RoomEventKind::Joined, 0, {}, 0, {}, {}}, &c);
    if (config_.audit) {
        AuditRecord e = auditAbout(c);
        e.kind = AuditKind::Joined;
        e.what = std::string("joined as ") + core::toString(c.role);
        e.outcome = "admitted";
        config_.audit->record(e);
    }
    welcome(c, *room, false);
}

void ServerHost::welcome(Client& c, RoomInstance& r, bool returning) {
    const std::uint16_t self = c.entity.value;
    c.replicator = std::make_unique<net::ClientReplicator>(r.room.capacity()); // a fresh view: everything is sent again
    send(c.peer, net::JoinAccepted{self, static_cast<std::uint32_t>(config_.tickRate), r.room.tick(), c.role});
    send(c.peer, r.layoutMsg);
    // `muted`: by a moderator, as the round's moderation object says (mute-all included).
    std::optional<sim::ModerationState> mod;
    if (const net::ObjectBytes* b = r.objects.find(net::ObjectKey{net::ObjectKind::Moderation, 0})) mod = decodeModeration(b->view());
    auto muted = [&](std::uint16_t slot) { return mod && std::binary_search(mod->muted.begin(), mod->muted.end(), slot); };
    if (r.replay) { // [replay] the viewer learns the ghosts present; nobody learns of the viewer
        joinReplay(c, r);
        r.members.push_back(c.peer);
        return;
    }
    const auto& all = r.room.participants();
    const std::string& code = r.room.spec().code;
    for (std::uint16_t slot = 0; slot < all.size(); ++slot)
        if (all[slot].active() && slot != self)
            send(c.peer, net::ParticipantJoined{slot, all[slot].name, all[slot].role, all[slot].userId, muted(slot),
                                                holds_.held(code, core::EntityId{slot})});
    r.members.push_back(c.peer);
    if (returning) broadcast(r, net::ParticipantAway{self, false, 0});
    else broadcast(r, net::ParticipantJoined{self, c.name, c.role, c.userId, muted(self), false});
}

void ServerHost::handle(Client& c, const net::ClientInput& in, std::span<const std::uint8_t>, double now) {
    if (in.hasAck) c.replicator->onAck(in.ackSeq, in.ackBits);
    for (const net::InputFrame& f : in.inputs) {
        const std::uint32_t seq = c.anyInput ? net::seqExpand(f.seq, c.newestInputSeq) : f.seq;
        if (c.anyInput && seq <= c.newestInputSeq) continue; // a redundant copy: already checked
        c.newestInputSeq = seq;
        c.anyInput = true;
        sim::MoveInput step = fromWire(f);
        if (step.move != glm::vec2(0.0f) && !allowed(c, sim::Action::Walk, now)) step.move = glm::vec2(0.0f);
        if ((step.headYaw != 0.0f || step.headPitch != 0.0f) && !allowed(c, sim::Action::Look, now)) step.headYaw = step.headPitch = 0.0f;
        c.room->room.submitInput(c.entity, seq, step);
    }
}

// The case desk (session/case_desk.h): onReceive lets only desk clients here.
namespace {
DeskIdentity deskIdentity(const net::Transport& t, core::PeerId peer) {
    DeskIdentity d;
    d.peer = peer;
    if (const net::PeerIdentity* id = t.identity(peer)) {
        d.userId = id->userId;
        d.tokenId = id->tokenId;
        d.room = id->roomCode;
        d.name = id->displayName;
        d.role = id->role;
        d.address = id->address;
    }
    return d;
}
} // namespace

void ServerHost::handle(Client& c, const net::CaseSubmit& m, std::span<const std::uint8_t>, double now) {
    // Desk clients: the idle clock restarts on a completed request only, so
    // parts streamed forever without a last one do not keep the slot.
    if (m.last) c.connectedAt = now;
    if (config_.desk) config_.desk->onSubmit(deskIdentity(transport_, c.peer), m, now);
    else send(c.peer, net::CaseReceipt{m.request, net::CaseVerdict::Refused, 0, 0, net::CaseRefusal::StoreFailed, "this server has no case desk", {}, 0});
}

void ServerHost::handle(Client& c, const net::CaseQuery& m, std::span<const std::uint8_t>, double now) {
    c.connectedAt = now;
    if (config_.desk) config_.desk->onQuery(deskIdentity(transport_, c.peer), m, now);
    else send(c.peer, net::CaseReceipt{m.request, net::CaseVerdict::Refused, 0, 0, net::CaseRefusal::StoreFailed, "this server has no case desk", {}, 0});
}

// ---- [SECTION] voice: check, route and forward on arrival ---------------------

// A voice frame is checked (the sender's own avatar, a role that may speak,
// not muted by a moderator, well-framed Opus of the declared length: sim's
// voice policy), its level bounded (sim::acceptVoiceLevel), routed
// (VoiceRouter: room-wide talkers capped, cap per listener, room-wide first,
// then proximity and loudness) and its bytes queued to each chosen listener
// at once; update() flushes them at the end of the same drain, not at the
// next tick. The bytes are forwarded as received unless the level was
// lowered, then re-encoded once with the believed level. The codec payload
// is never decoded.
void ServerHost::handle(Client& c, const net::VoiceFrame& frame, std::span<const std::uint8_t> bytes, double now) {
    RoomInstance& r = *c.room;
    if (r.replay) { ++counters_.voiceRefused; return; } // [replay] viewers do not speak
    if (frame.speaker != c.entity.value) {
        ++counters_.voiceSpoofed;
        audit(c, now, "voice as entity " + std::to_string(frame.speaker), "refused: not the sender's avatar (" + std::to_string(c.entity.value) + ")");
        badInput(c, "voice frame naming another speaker", now);
        return;
    }
    if (!allowed(c, sim::Action::Speak, now)) { // audited (rate-limited per client)
        ++counters_.voiceRefused;
        return;
    }
    // The phase (a spoke's voice waits in the didactic), the floor and
    // moderation's mutes: the round decides (session/round_host.h).
    if (!r.round->maySpeak(c.entity, c.role)) { ++counters_.voiceMuted; return; }
    const sim::VoiceFrameCheck check = sim::checkVoiceFrame(frame.payload(), frame.frame20);
    if (check.error) {
        ++counters_.voiceBadCodec;
        badInput(c, check.opus ? sim::toString(*check.opus) : sim::toString(*check.error), now);
        return;
    }
    ++counters_.voiceIn;
    const std::uint8_t level = sim::acceptVoiceLevel(r.levels[frame.speaker], frame.level, check.info, now);
    // The recorder keeps the frame as received (its consent and pause rules are its own).
    r.recording->voice(frame.speaker, frame.sequence, level, frame.frame20 ? 20 : 10, frame.talkStart, frame.payload(), now);
    const std::uint64_t cappedBefore = r.voice.stats().roomWideCapped;
    const std::size_t n = r.voice.route(frame.speaker, level, now, r.listeners);
    counters_.voiceRoomWideCapped += r.voice.stats().roomWideCapped - cappedBefore;
    if (n == 0) return;
    std::span<const std::uint8_t> out = bytes;
    if (level != frame.level) {
        ++counters_.voiceLevelClamped;
        net::VoiceFrame believed = frame;
        believed.level = level;
        if (!net::encodeMessage(believed, writer_)) return;
        out = writer_.finish();
    }
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint16_t slot = r.listeners[i];
        if (slot >= r.peerOfSlot.size() || !r.peerOfSlot[slot].valid()) continue;
        if (transport_.send(r.peerOfSlot[slot], net::Channel::Voice, out, false)) {
            ++counters_.voiceForwarded;
            links_.charge(r.peerOfSlot[slot], net::Channel::Voice, out.size()); // never delayed, but it uses the link
        }
    }
}

// ---- [SECTION] panels: intents, lasers, the room's events --------------------

namespace {
sim::PanelActor panelActor(const sim::Room& room, core::EntityId who, core::Role role) {
    const sim::Participant* p = room.find(who);
    return sim::PanelActor{who, role, p ? p->pose.headPosition() : glm::vec3(0.0f)};
}
} // namespace

// The rules are sim::PanelSystem's (through PanelHost); a refusal is answered
// with IntentRefused{Panel, reason} and, when the role or holding does not
// allow it, audited like any refused intent.
void ServerHost::handle(Client& c, const net::PanelIntent& m, std::span<const std::uint8_t>, double now) {
    RoomInstance& r = *c.room;
    const auto refused = r.panels->onIntent(panelActor(r.room, c.entity, c.role), m, r.room.tick());
    if (!refused) { ++counters_.panelIntents; return; }
    ++counters_.panelRefused;
    if (*refused == net::RefusalReason::NotPermitted)
        audit(c, now, std::string("panel ") + std::to_string(m.panel) + ": " + sim::toString(static_cast<sim::PanelOp>(m.op)),
              std::string("refused: not permitted for ") + core::toString(c.role));
    send(c.peer, net::IntentRefused{net::IntentKind::Panel, *refused});
}

void ServerHost::handle(Client& c, const net::LaserInput& m, std::span<const std::uint8_t>, double now) {
    RoomInstance& r = *c.room;
    const auto err = r.panels->onLaser(panelActor(r.room, c.entity, c.role), m, r.room.tick());
    if (!err) return;
    ++counters_.laserRefused;
    if (*err == sim::PanelError::NotPermitted) audit(c, now, "laser", std::string("refused: not permitted for ") + core::toString(c.role));
}

// The room's one event stream, drained each tick: the auditable kinds go to
// the audit trail (the recorder and attendance will read the same list).
void ServerHost::onRoomEvents(RoomInstance& r) {
    if (!config_.readers.empty()) {
        r.actors.resize(r.events.size());
        for (std::size_t i = 0; i < r.events.size(); ++i) {
            const core::EntityId who = r.events[i].actor;
            const core::PeerId peer = who.valid() && who.value < r.peerOfSlot.size() ? r.peerOfSlot[who.value] : core::PeerId::invalid();
            const auto it = peer.valid() ? clients_.find(peer.value) : clients_.end();
            r.actors[i] = it != clients_.end() ? actorOf(it->second) : RoomActor{};
        }
        for (auto& [index, who] : r.pinned)
            if (index < r.actors.size()) r.actors[index] = std::move(who);
        RoomTick t;
        t.room = r.room.spec().code;
        t.tick = r.room.tick();
        t.unixTime = config_.unixClock ? config_.unixClock() : 0;
        t.events = r.events;
        t.actors = r.actors;
        t.replay = r.replay != nullptr; // [replay]
        for (RoomEventReader* reader : config_.readers) reader->onTick(t);
    }
    r.pinned.clear();
    if (!config_.audit) return;
    for (const sim::RoomEvent& e : r.events) {
        if (!sim::audited(e.kind)) continue;
        AuditRecord rec;
        const sim::Participant* actor = r.room.find(e.actor);
        if (actor) {
            rec.userId = actor->userId;
            rec.who = actor->name;
            rec.role = actor->role;
        }
        rec.room = r.room.spec().code;
        rec.outcome = "done";
        if (e.kind >= sim::RoomEventKind::PhaseChanged) { // the teaching round's
            rec.kind = e.kind == sim::RoomEventKind::PhaseChanged ? AuditKind::Agenda
                       : e.kind == sim::RoomEventKind::TextHeld   ? AuditKind::TextHeld
                       : e.kind >= sim::RoomEventKind::RecommendationPosted ? AuditKind::BoardEdit
                                                                            : AuditKind::Moderation;
            rec.what = describe(r, e);
            config_.audit->record(rec);
            continue;
        }
        rec.kind = AuditKind::PanelControl;
        rec.what = std::string(sim::toString(e.kind)) + " on panel " + std::to_string(e.panel);
        if (e.kind == sim::RoomEventKind::DeckShown) rec.what += e.deck.empty() ? ": idle card" : ": deck " + e.deck.hex();
        if (e.target.valid()) {
            const sim::Participant* t = r.room.find(e.target);
            rec.what += ", participant " + std::to_string(e.target.value) +
                        (t ? " '" + t->name + "' (user " + std::to_string(t->userId) + ")" : std::string());
        }
        rec.outcome = "done";
        config_.audit->record(rec);
    }
}

void ServerHost::pushEvent(RoomInstance& r, const sim::RoomEvent& e, const Client* who) {
    if (who && !config_.readers.empty() && r.stream.accepts(e))
        r.pinned.emplace_back(r.stream.pending().size(), actorOf(*who));
    r.stream.push(e);
}

void ServerHost::pushEvent(RoomInstance& r, const sim::RoomEvent& e, const RoomActor& who) {
    if (!config_.readers.empty() && r.stream.accepts(e)) r.pinned.emplace_back(r.stream.pending().size(), who);
    r.stream.push(e);
}

RoomActor ServerHost::actorOf(const Client& c) const {
    RoomActor a;
    a.userId = c.userId;
    a.displayName = c.name;
    a.role = c.role;
    a.peer = c.peer.value;
    if (const net::PeerIdentity* id = transport_.identity(c.peer)) {
        a.tokenId = id->tokenId;
        a.address = id->address;
    }
    return a;
}

// A facilitator moves the live session's end: the permission and an open
// session are checked here; the readers (session/room_sessions.h) write it.
void ServerHost::handle(Client& c, const net::SessionExtend& m, std::span<const std::uint8_t>, double now) {
    RoomInstance& r = *c.room;
    if (!allowed(c, sim::Action::ExtendSession, now)) { // audited (rate-limited)
        ++counters_.extendsRefused;
        send(c.peer, net::IntentRefused{net::IntentKind::ExtendSession, net::RefusalReason::NotPermitted});
        return;
    }
    if (!config_.sessionOpen || !config_.sessionOpen(r.room.spec().code)) {
        ++counters_.extendsRefused;
        audit(c, now, "extend the session by " + std::to_string(m.minutes) + " min", "refused: no open session in the room");
        send(c.peer, net::IntentRefused{net::IntentKind::ExtendSession, net::RefusalReason::NoSession});
        return;
    }
    ++counters_.extendsAsked;
    pushEvent(r, sim::RoomEvent{r.room.tick(), c.entity, sim::RoomEventKind::SessionExtended, 0, {}, m.minutes, {}, {}}, &c);
}

void ServerHost::refuseExtend(const RoomActor& who) {
    ++counters_.extendsRefused;
    const auto it = clients_.find(who.peer);
    if (it == clients_.end() || it->second.userId != who.userId) return; // gone (the slot may be another's now)
    const net::PeerIdentity* id = transport_.identity(it->second.peer);
    if ((id ? id->tokenId : 0) != who.tokenId) return;
    send(it->second.peer, net::IntentRefused{net::IntentKind::ExtendSession, net::RefusalReason::NotPermitted});
}

// ---- [SECTION] content: blob requests and link hints --------------------------

// Requests are checked and queued by the link scheduler, which serves them
// from the content store after each tick's state (tickRoom). Not served
// (absent or not allowed, one answer) or past the blob's end:
// BlobUnavailable. Past the per-client bound of pending requests: bad input.
void ServerHost::handle(Client& c, const net::BlobRequest& req, std::span<const std::uint8_t>, double now) {
    switch (links_.request(c.peer, req, config_.content)) {
    case RequestVerdict::Queued: break;
    case RequestVerdict::Unavailable: send(c.peer, net::BlobUnavailable{req.hash}); break;
    case RequestVerdict::Refused:
    case RequestVerdict::Count: badInput(c, "blob request over the pending bound", now); break;
    }
}

void ServerHost::handle(Client& c, const net::LinkHint& hint, std::span<const std::uint8_t>, double) {
    links_.setHint(c.peer, hint.downlinkKbps);
}

void ServerHost::handle(Client& c, const net::LinkReport& report, std::span<const std::uint8_t>, double now) {
    links_.report(c.peer, report, now); // the budget, the state budget and the voice streams follow it
}

// Deck uploads (session/deck_upload.h): permission here, the rest there.
// Replies are control messages, charged to the client's link like any other.
void ServerHost::handle(Client& c, const net::BlobPut& put, std::span<const std::uint8_t>, double now) {
    auto reply = [&](core::PeerId p, const net::UploadStatus& st) { send(p, st); };
    if (!config_.uploads) {
        if (put.offset == 0) send(c.peer, net::UploadStatus{put.hash, net::UploadState::Refused, 0, net::UploadRefusal::StoreFailed});
        return;
    }
    if (!sim::permitted(c.role, sim::Action::UploadDeck)) {
        if (put.offset == 0) { // once per blob; the blob's other chunks are dropped unanswered
            (void)allowed(c, sim::Action::UploadDeck, now); // audits the refusal (rate-limited)
            config_.uploads->refuseNotPermitted(c.peer, put.hash, reply);
        }
        return;
    }
    config_.uploads->onPut(Uploader{c.peer, auditAbout(c)}, put, now, reply);
}

void ServerHost::handle(Client& c, const net::DeckOffer& offer, std::span<const std::uint8_t>, double now) {
    auto reply = [&](core::PeerId p, const net::UploadStatus& st) { send(p, st); };
    if (!config_.uploads) {
        send(c.peer, net::UploadStatus{offer.manifest, net::UploadState::Refused, 0, net::UploadRefusal::StoreFailed});
        return;
    }
    if (!allowed(c, sim::Action::UploadDeck, now)) { config_.uploads->refuseNotPermitted(c.peer, offer.manifest, reply); return; }
    config_.uploads->onOffer(Uploader{c.peer, auditAbout(c)}, offer, now, reply);
}

// ---- [SECTION] ticking: simulation, history, per-client snapshots ------------

void ServerHost::tickRoom(RoomInstance& r, double now) {
    if (r.replay) { tickReplay(r, now); return; } // [replay] server_host_replay.cpp
    r.room.step();
    const std::uint32_t tick = r.room.tick();
    r.panels->tick(tick, r.objects);
    tickRound(r);
    tickVideo(r, now);
    r.stream.drain(r.events);
    onRoomEvents(r);
    const auto& all = r.room.participants();
    for (std::uint16_t slot = 0; slot < all.size(); ++slot) {
        const sim::Participant& p = all[slot];
        sim::InterestSpot& spot = r.spots[slot];
        spot.active = p.active();
        if (!spot.active) continue;
        net::QuantizedAvatar state = toWire(p.pose);
        state.voiceLevel = r.voice.avatarLevel(slot, now); // who is speaking, 0..15, from the forwarded frames
        r.history.set(slot, p.instance, state, tick);
        r.voice.move(slot, p.pose.headPosition());
        spot.x = p.pose.body.x;
        spot.z = p.pose.body.z;
        spot.moving = tick - p.changedTick < sim::kMovingTicks;
        spot.speaking = state.voiceLevel > 0; // "speaking first": the indicator should not lag the voice
        spot.hub = r.room.layout().atHub({p.pose.body.x, p.pose.body.z});
    }
    captureRecording(r, now);
    r.grid.build(r.spots, tick); // sim/interest.h: who each member examines this tick

    for (core::PeerId peer : r.members) {
        Client& c = clients_.at(peer.value);
        const sim::Participant* me = r.room.find(c.entity);
        if (!me) continue;
        // The link decides how many talkers reach this member and how large its snapshot may be.
        r.voice.setCap(c.entity.value, links_.voiceStreams(peer, config_.voice.cap));
        BuildJob job{&r, &c, me, tick, config_.replication};
        job.replication.budgetBytes = links_.stateBudget(peer, config_.replication.budgetBytes, config_.tickRate);
        job.replication.staleBudgetBytes = links_.staleBudget(peer, config_.tickRate);
        jobs_.push_back(job);
    }
}

void ServerHost::buildSnapshot(const BuildJob& j, BuildScratch& s) {
    RoomInstance& r = *j.room;
    if (s.priority.size() < r.spots.size()) s.priority.resize(r.spots.size(), 0.0f);
    r.grid.gather(j.client->entity.value, r.spots, s.consider, s.priority); // near, moving, speaking first
    buildFor(r, *j.client, *j.me, r.history, s.priority, s.consider, j.tick, j.replication, s.writer);
}

void ServerHost::buildFor(RoomInstance& r, Client& c, const sim::Participant& me, const net::EntityHistory& view,
                          std::span<const float> priority, std::span<const std::uint16_t> consider, std::uint32_t tick,
                          const net::ReplicationConfig& replication, net::WriteStream& writer) {
    const bool forceSelf = me.anyInput && me.lastInputSeq != c.reportedInputSeq;
    Client::Outgoing& out = c.out;
    c.replicator->build(view, &r.objects, priority, consider, c.entity.value, forceSelf, tick, replication, out.snapshot, &out.stats);
    out.snapshot.hasInput = me.anyInput;
    out.snapshot.lastInputSeq = static_cast<std::uint16_t>(me.lastInputSeq);
    c.reportedInputSeq = me.lastInputSeq;
    out.ready = net::encodeMessage(out.snapshot, writer);
    const auto bytes = writer.finish();
    if (out.ready) out.bytes.assign(bytes.begin(), bytes.end());
}

void ServerHost::deliverSnapshot(Client& c) {
    Client::Outgoing& out = c.out;
    if (!out.ready) {
        CR_LOG_ERROR("server: cannot encode a snapshot for peer %u", c.peer.value);
        return;
    }
    out.ready = false;
    const net::MessageInfo& info = net::messageInfo(net::MessageType::Snapshot);
    if (transport_.send(c.peer, info.channel, out.bytes, info.reliable)) links_.charge(c.peer, info.channel, out.bytes.size());
    // What the link has left after voice and state goes to slides and media, then to video (paced).
    links_.serveMedia(c.peer, config_.content, [&](const net::BlobChunk& chunk) { send(c.peer, chunk); },
                      [&](const core::ContentHash& gone) { send(c.peer, net::BlobUnavailable{gone}); });
    serveVideo(c.peer, tickNow_);
    ++counters_.snapshotsSent;
    counters_.snapshotBytes += out.stats.payloadBytes;
    counters_.objectBytes += out.stats.objectBytes;
    counters_.entityUpdates += out.stats.updates;
    counters_.deferredUpdates += out.stats.deferred;
}

std::uint32_t ServerHost::worstStalenessTicks() const {
    std::uint32_t worst = 0;
    for (const auto& [id, c] : clients_)
        if (c.room && c.replicator) // [replay] a viewer's snapshots come from its own view
            worst = std::max(worst, c.replicator->worstStalenessTicks(c.replayView ? *c.replayView : c.room->history, c.room->room.tick()));
    return worst;
}

} // namespace caseroom::session
