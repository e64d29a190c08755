// ServerHost's replay rooms (session/replay_room.h): a recording served back
// as a room viewers enter in 3D.
//
// A replay room is an ordinary RoomInstance built from the recording's room
// spec whose sim::Room keeps the recorded slots [0, N) for the ghosts
// (N = 1 + the highest recorded slot), so viewers join above them with their
// token as anywhere else. Each tick the playback advances by the tick's
// duration; the ghosts' recorded QuantizedAvatars go into the room's
// EntityHistory at their recorded slots, ParticipantJoined / ParticipantLeft
// announce their comings and goings (a late viewer is told every ghost
// present), the recorded objects are mirrored into the room's ObjectTable
// (the recording's own Recording object left out: the replay is not being
// recorded) next to the playback's Replay and ReplayMark objects, and the
// voice frames that came due go to every viewer from the ghost's slot, the
// video fragments (the recorded streams' messages as forwarded live) to
// every viewer through the link scheduler's video pacing.
// Viewers walk and sit anywhere (ghosts hold no seats), are never
// replicated to one another (each has a view of its own: the ghosts and
// itself) and never speak. The room's systems (panels, round, board) do not
// tick: its objects are the recording's. ReplayIntent moves the one shared
// playback: Action::ControlReplay, refused NotPermitted (audited) otherwise,
// and NotReplay in a live room.
#include <algorithm>

#include "core/voice_frame.h"
#include "session/server_host.h"
#include "session/wire_avatar.h"

namespace caseroom::session {

namespace {
bool playbackKind(net::ObjectKind k) { return k == net::ObjectKind::Replay || k == net::ObjectKind::ReplayMark; }
// Objects of the recorded room a replay does not show.
bool mirrored(net::ObjectKind k) { return !playbackKind(k) && k != net::ObjectKind::Recording && k < net::ObjectKind::Count; }

sim::Phase phaseAt(const ReplayRoom& pb) {
    sim::Phase phase = sim::Phase::Lobby;
    for (const record::Mark& m : pb.marks())
        if (m.tick <= pb.position() && m.phase < static_cast<std::uint8_t>(sim::Phase::Count)) phase = static_cast<sim::Phase>(m.phase);
    return phase;
}

std::string describeReplay(const net::ReplayIntent& m) {
    switch (m.op) {
    case net::ReplayIntent::Op::Play: return "replay: play";
    case net::ReplayIntent::Op::Pause: return "replay: pause";
    case net::ReplayIntent::Op::Seek: return "replay: seek to tick " + std::to_string(m.tick);
    case net::ReplayIntent::Op::Speed: return "replay: speed " + std::to_string(m.speedPercent) + "%";
    case net::ReplayIntent::Op::Count: break;
    }
    return "replay";
}
} // namespace

void ServerHost::addReplayRooms() {
    for (const auto& [replayCode, playback] : config_.replays) {
        if (!playback) continue;
        const std::string code = replayCode; // a copy: clang 14 cannot capture a structured binding
        std::erase_if(rooms_, [&](const std::unique_ptr<RoomInstance>& r) { return r->room.spec().code == code; });
        sim::RoomSpec spec = replayRoomSpec(playback->info(), code);
        const std::uint32_t reserved = std::min(playback->recordedSlots(), net::kMaxEntities);
        // The ghosts' slots come on top of the room's own capacity for viewers.
        spec.maxParticipants = std::min(net::kMaxEntities, reserved + std::max<std::uint32_t>(spec.maxParticipants, 1));
        rooms_.push_back(std::make_unique<RoomInstance>(spec, config_.tickRate, 0.0, config_.voice));
        RoomInstance& r = *rooms_.back();
        r.room.reserveSlots(reserved);
        // The handlers expect the systems; they never tick here (no decks published, no plan).
        r.panels = std::make_unique<PanelHost>(static_cast<std::uint16_t>(r.room.layout().panels.size()), nullptr, &r.stream);
        r.round = std::make_unique<RoundHost>(&r.stream, config_.tickRate, config_.round);
        r.board = std::make_unique<BoardHost>(&r.stream, config_.board);
        r.recording = std::make_unique<RecordingHost>(&r.stream, RecordingConfig{}, record::RecordingInfo{}); // a replay is never recorded
        r.replay = std::make_unique<ReplayMirror>();
        r.replay->playback = playback;
        r.replay->reserved = reserved;
        net::ObjectBytes bytes;
        for (std::size_t i = 0; i < playback->marks().size(); ++i)
            if (encodeReplayMark(playback->markObject(i), bytes))
                (void)r.objects.set(net::ObjectKey{net::ObjectKind::ReplayMark, static_cast<std::uint16_t>(i)}, bytes.view());
        if (encodeReplayInfo(playback->infoObject(), bytes)) (void)r.objects.set(net::ObjectKey{net::ObjectKind::Replay, 0}, bytes.view());
        CR_LOG_INFO("replay: room '%s' serves the recording of '%s' (ticks %u..%u, %u recorded slots, %zu marks)", code.c_str(),
                    playback->info().room.c_str(), playback->firstTick(), playback->lastTick(), reserved, playback->marks().size());
    }
}

void ServerHost::joinReplay(Client& c, RoomInstance& r) {
    c.replayView = std::make_unique<net::EntityHistory>(r.room.capacity());
    for (const auto& [slot, p] : r.replay->announced)
        send(c.peer, net::ParticipantJoined{slot, p.name, p.role, 0, false});
    send(c.peer, net::ParticipantJoined{c.entity.value, c.name, c.role, c.userId, false}); // itself only (its name tag)
}

void ServerHost::handle(Client& c, const net::ReplayIntent& m, std::span<const std::uint8_t>, double now) {
    RoomInstance& r = *c.room;
    auto refuse = [&](net::RefusalReason why) {
        ++counters_.replayRefused;
        send(c.peer, net::IntentRefused{net::IntentKind::Replay, why});
    };
    if (!r.replay) { refuse(net::RefusalReason::NotReplay); return; }
    ReplayRoom& pb = *r.replay->playback;
    if (const auto denial = sim::check(c.role, {}, sim::Action::ControlReplay, phaseAt(pb))) {
        audit(c, now, describeReplay(m), std::string("refused: ") + sim::toString(*denial) + " for " + core::toString(c.role));
        refuse(*denial == sim::Denial::WrongPhase ? net::RefusalReason::WrongPhase : net::RefusalReason::NotPermitted);
        return;
    }
    switch (m.op) {
    case net::ReplayIntent::Op::Play: pb.play(); break;
    case net::ReplayIntent::Op::Pause: pb.pause(); break;
    case net::ReplayIntent::Op::Seek: pb.seek(m.tick); break;
    case net::ReplayIntent::Op::Speed: pb.setSpeedPercent(m.speedPercent); break;
    case net::ReplayIntent::Op::Count: break;
    }
    r.replay->resync = true; // play() at the end seeks too
    ++counters_.replayIntents;
}

void ServerHost::tickReplay(RoomInstance& r, double now) {
    ReplayMirror& mirror = *r.replay;
    ReplayRoom& pb = *mirror.playback;
    links_.beginTick(now);
    r.room.step(); // the viewers walk
    const std::uint32_t tick = r.room.tick();
    ReplayDue due;
    pb.advance(1.0 / config_.tickRate, due);
    if (due.jumped) mirror.resync = true;
    const bool controlled = mirror.resync; // an intent or a jump: the playback object goes out now
    const ReplayState& st = pb.state();

    // Ghosts: who left (or whose slot another took), then who came.
    for (auto it = mirror.announced.begin(); it != mirror.announced.end();) {
        const auto p = st.present.find(it->first);
        if (p != st.present.end() && p->second.instance == it->second.instance) { ++it; continue; }
        broadcast(r, net::ParticipantLeft{it->first, net::LeaveReason::Left});
        r.history.remove(it->first, tick);
        it = mirror.announced.erase(it);
    }
    for (const auto& [slot, p] : st.present) {
        if (slot >= mirror.reserved || mirror.announced.contains(slot) || p.role >= core::Role::Count) continue;
        record::Present shown = p;
        if (shown.name.empty() || shown.name.size() > net::kMaxDisplayName) shown.name = "participant " + std::to_string(slot);
        broadcast(r, net::ParticipantJoined{slot, shown.name, shown.role, 0, false});
        mirror.announced[slot] = shown;
    }
    // Their avatars, at their recorded slots; the viewers' spots stay inactive.
    for (std::uint16_t slot = 0; slot < r.spots.size(); ++slot) {
        sim::InterestSpot& spot = r.spots[slot];
        spot = sim::InterestSpot{};
        if (slot >= mirror.reserved) continue;
        const auto who = mirror.announced.find(slot);
        const auto a = st.avatars.find(slot);
        if (who == mirror.announced.end() || a == st.avatars.end()) {
            if (r.history.current(slot).instance != 0) r.history.remove(slot, tick);
            continue;
        }
        r.history.set(slot, std::max<std::uint32_t>(who->second.instance, 1u), a->second, tick);
        const sim::AvatarPose pose = fromWire(a->second);
        spot.active = true;
        spot.x = pose.body.x;
        spot.z = pose.body.z;
        spot.moving = tick - r.history.changedTick(slot) < sim::kMovingTicks;
        spot.speaking = a->second.voiceLevel > 0;
    }

    // The recorded objects; the playback's own.
    auto mirrorOne = [&](net::ObjectKey key) {
        if (!mirrored(key.kind)) return;
        const auto it = st.objects.find(key);
        if (it == st.objects.end()) { r.objects.remove(key); return; }
        net::ObjectError err{};
        if (!r.objects.set(key, it->second, &err) && !mirror.tableFullLogged) {
            mirror.tableFullLogged = true;
            CR_LOG_WARN("replay: room '%s': recorded %s %u not shown (%s)", r.room.spec().code.c_str(), net::toString(key.kind), key.id,
                        net::toString(err));
        }
    };
    if (mirror.resync) {
        std::vector<net::ObjectKey> gone;
        for (std::uint32_t s = 0; s < r.objects.slotCount(); ++s)
            if (r.objects.current(s).instance != 0 && mirrored(r.objects.key(s).kind) && !st.objects.contains(r.objects.key(s)))
                gone.push_back(r.objects.key(s));
        for (net::ObjectKey key : gone) r.objects.remove(key);
        for (const auto& [key, bytes] : st.objects) mirrorOne(key);
        mirror.resync = false;
    } else {
        for (net::ObjectKey key : due.objectsChanged) mirrorOne(key);
    }
    // The playback object: at once when anything but the position changed,
    // else once a recorded second while playing (viewers read MM:SS; a
    // per-tick position would cost every viewer ~30 bytes a tick).
    const ReplayInfoObject shown = pb.infoObject();
    ReplayInfoObject same = shown;
    same.position = mirror.published.position;
    const std::uint32_t second = std::max<std::uint32_t>(shown.tickRate, 1);
    if (!mirror.anyPublished || controlled || same != mirror.published || shown.position < mirror.published.position ||
        shown.position - mirror.published.position >= second) {
        net::ObjectBytes info;
        if (encodeReplayInfo(shown, info)) (void)r.objects.set(net::ObjectKey{net::ObjectKind::Replay, 0}, info.view());
        mirror.published = shown;
        mirror.anyPublished = true;
    }

    r.stream.drain(r.events); // the viewers' joins and leaves (RoomTick::replay)
    onRoomEvents(r);

    // The voice that came due, from the ghost's slot, to every viewer (each
    // client spatializes it from the ghost's head).
    for (const record::VoiceSample& v : due.voice) {
        if (!mirror.announced.contains(v.slot) || v.opus.empty() || v.opus.size() > net::kMaxVoiceBytes) continue;
        net::VoiceFrame f;
        f.speaker = v.slot;
        f.sequence = v.seq;
        f.level = v.level; // the level byte as the live server believed it
        f.frame20 = v.frameMs != 10;
        f.talkStart = v.talkStart;
        f.size = static_cast<std::uint16_t>(v.opus.size());
        std::copy(v.opus.begin(), v.opus.end(), f.bytes.begin());
        if (!net::encodeMessage(f, writer_)) continue;
        const auto bytes = writer_.finish();
        for (core::PeerId p : r.members)
            if (transport_.send(p, net::Channel::Voice, bytes, false)) {
                ++counters_.replayVoice;
                links_.charge(p, net::Channel::Voice, bytes.size());
            }
    }

    // The video that came due: each recorded fragment as the live server
    // forwarded it, to every viewer, paced per link as live video is (the
    // viewers' clients show every recorded stream; the file holds only what
    // the recording policy and the program allowed).
    for (const record::VideoSample& v : due.video) {
        const net::DecodeResult d = net::decodeMessage(v.wire, net::Channel::Video);
        const auto* m = d.ok ? std::get_if<net::VideoFragmentMsg>(&d.message) : nullptr;
        if (!m || m->fragment.stream.packed() != v.stream || !mirror.announced.contains(m->fragment.stream.publisher)) {
            ++counters_.replayVideoBad;
            continue;
        }
        for (core::PeerId p : r.members)
            if (links_.queueVideo(p, v.wire)) ++counters_.replayVideo;
    }
    for (core::PeerId p : r.members) serveVideo(p, now); // what the pacer held back goes as the budget allows

    // Each viewer's snapshot from its own view: the ghosts and itself.
    for (core::PeerId peer : r.members) {
        Client& c = clients_.at(peer.value);
        const sim::Participant* me = r.room.find(c.entity);
        if (!me || !c.replayView) continue;
        net::EntityHistory& view = *c.replayView;
        for (std::uint16_t slot = 0; slot < mirror.reserved; ++slot) {
            const net::EntityRecord cur = r.history.current(slot);
            if (cur.instance != 0) view.set(slot, cur.instance, r.history.currentState(slot), tick);
            else if (view.current(slot).instance != 0) view.remove(slot, tick);
        }
        view.set(c.entity.value, me->instance, toWire(me->pose), tick);
        const sim::InterestSpot mine{me->pose.body.x, me->pose.body.z, false, false, false, false};
        BuildScratch& s = scratch_[0];  // the host's thread
        if (s.priority.size() < r.spots.size()) s.priority.resize(r.spots.size(), 0.0f);
        sim::fillInterest(mine, r.spots, s.priority);
        buildFor(r, c, *me, view, s.priority, {}, tick, config_.replication, s.writer);
        deliverSnapshot(c);
    }
}

} // namespace caseroom::session
