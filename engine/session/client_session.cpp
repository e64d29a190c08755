#include "session/client_session.h"
#include "session/video_client.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <random>

#include "audio/voice_client.h"
#include "core/log.h"
#include "session/panel_wire.h"
#include "session/voice_wire.h"
#include "session/wire_avatar.h"
#include "sim/permissions.h"

namespace caseroom::session {

const char* toString(ClientState s) {
    switch (s) {
    case ClientState::Idle: return "idle";
    case ClientState::Connecting: return "connecting";
    case ClientState::Joining: return "joining";
    case ClientState::InRoom: return "in room";
    case ClientState::Refused: return "refused";
    case ClientState::Disconnected: return "disconnected";
    case ClientState::AtDesk: return "at the case desk";
    case ClientState::Reconnecting: return "reconnecting";
    case ClientState::Count: break;
    }
    return "?";
}

namespace {
constexpr std::size_t kMaxPendingInputs = 96; // ~3 s of unacknowledged steps
constexpr std::uint32_t kMaxCatchUpTicks = 5;
} // namespace

ClientSession::ClientSession(net::Transport& transport, ClientDesc desc)
    : transport_(transport), desc_(std::move(desc)), jitter_(std::random_device{}()),
      fetcher_(desc_.blobCacheDir.empty() ? defaultBlobCacheDir(std::getenv("XDG_CACHE_HOME"), std::getenv("HOME")) : desc_.blobCacheDir) {
    avatars_.reserve(64);
}

ClientSession::Known& ClientSession::known(std::uint16_t slot) {
    // Grows with the highest slot seen (slots are < kMaxEntities by decoding).
    if (slot >= known_.size()) known_.resize(slot + 1u);
    return known_[slot];
}

void ClientSession::connect(const net::Address& server, double now) {
    serverAddress_ = server;
    server_ = transport_.connect(server);
    connectStarted_ = now;
    lastHeard_ = now;
    if (!server_.valid()) { fail(ClientState::Disconnected, "cannot reach " + server.host + ":" + std::to_string(server.port)); return; }
    state_ = ClientState::Connecting;
    status_ = "connecting to " + server.host + ":" + std::to_string(server.port);
}

void ClientSession::fail(ClientState s, std::string why) {
    if (state_ == ClientState::Refused) return; // keep the refusal's words
    state_ = s;
    status_ = std::move(why);
    notices_.push_back(status_);
}

bool ClientSession::sendMessage(const net::Message& m) {
    const net::MessageInfo& info = net::messageInfo(net::typeOf(m));
    if (!net::encodeMessage(m, writer_)) {
        CR_LOG_ERROR("client: cannot encode %s", net::toString(info.type));
        return false;
    }
    const auto bytes = writer_.finish();
    return transport_.send(server_, info.channel, bytes, info.reliable);
}

void ClientSession::attachVideo(VideoClient* video) {
    video_ = video;
    if (!video_) return;
    if (state_ == ClientState::InRoom) video_->setSelf(self_.value);
    videoStreamsDirty_ = true;
}

std::vector<VideoStreamInfo> ClientSession::videoStreams() const {
    std::vector<VideoStreamInfo> out;
    for (const auto& [key, info] : videoStreams_) out.push_back(info);
    return out;
}

void ClientSession::applyVideoObject(const net::ObjectUpdate& u) {
    if (u.removed) {
        videoStreams_.erase(u.key.id);
    } else if (const auto info = decodeVideoObject(u.key, u.bytes.view())) {
        videoStreams_[u.key.id] = *info;
    } else {
        ++counters_.malformed;
        return;
    }
    ++counters_.objectUpdates;
    videoStreamsDirty_ = true;
}

namespace {
template <typename T>
bool sendOne(net::Transport& t, core::PeerId server, net::WriteStream& w, const T& m) {
    if (!net::encodeMessage(m, w)) return false;
    const net::MessageInfo& info = net::messageInfo(T::kType);
    return t.send(server, info.channel, w.finish(), info.reliable);
}
} // namespace

bool ClientSession::sendUpload(const net::BlobPut& put) {
    return state_ == ClientState::InRoom && sendOne(transport_, server_, writer_, put);
}

bool ClientSession::sendUpload(const net::DeckOffer& offer) {
    return state_ == ClientState::InRoom && sendOne(transport_, server_, writer_, offer);
}

void ClientSession::requestSit(std::uint16_t seat) {
    if (state_ == ClientState::InRoom) sendMessage(net::SitRequest{seat});
}

void ClientSession::requestStand() {
    if (state_ == ClientState::InRoom) sendMessage(net::StandRequest{});
}

void ClientSession::requestModerate(std::uint16_t target, net::ModerateAction action, std::string reason) {
    net::ModerateRequest m;
    m.target = target;
    m.action = action;
    m.reason = std::move(reason);
    if (state_ == ClientState::InRoom) sendMessage(m);
}

void ClientSession::requestExtendSession(std::uint16_t minutes) {
    if (state_ == ClientState::InRoom) sendMessage(net::SessionExtend{minutes});
}

void ClientSession::sendClinic(const net::AgendaIntent& m) { if (state_ == ClientState::InRoom) sendMessage(m); }
void ClientSession::sendClinic(const net::FloorIntent& m) { if (state_ == ClientState::InRoom) sendMessage(m); }
void ClientSession::sendClinic(const net::BoardIntent& m) { if (state_ == ClientState::InRoom) sendMessage(m); }
void ClientSession::sendClinic(const net::ChatIntent& m) { if (state_ == ClientState::InRoom) sendMessage(m); }
void ClientSession::sendClinic(const net::ModerateRequest& m) { if (state_ == ClientState::InRoom) sendMessage(m); }
void ClientSession::sendClinic(const net::RecordingIntent& m) {
    if (state_ != ClientState::InRoom) return;
    sendMessage(m);
    if (m.op == net::RecordingIntent::Op::Acknowledge) ackedEpoch_ = m.epoch;
}

void ClientSession::acknowledgeRecording() {
    const sim::RecordingState& rec = clinicView_.recording();
    if (state_ != ClientState::InRoom || rec.status == sim::RecordingStatus::Off || rec.epoch == ackedEpoch_) return;
    net::RecordingIntent m;
    m.op = net::RecordingIntent::Op::Acknowledge;
    m.epoch = rec.epoch;
    sendClinic(m);
}

std::optional<std::pair<std::uint32_t, sim::AvatarPose>> ClientSession::newestReceived(std::uint16_t slot) const {
    if (slot >= known_.size() || !known_[slot].present || known_[slot].buffer.size() == 0) return std::nullopt;
    const InterpolationBuffer& b = known_[slot].buffer;
    const auto pose = b.sample(static_cast<double>(b.newestTick()));
    if (!pose) return std::nullopt;
    return std::make_pair(b.newestTick(), *pose);
}

bool ClientSession::recordingAcknowledged() const {
    const sim::RecordingState& rec = clinicView_.recording();
    return rec.status != sim::RecordingStatus::Off && rec.epoch == ackedEpoch_;
}
void ClientSession::sendReplay(const net::ReplayIntent& m) { if (state_ == ClientState::InRoom) sendMessage(m); } // [replay]

void ClientSession::sendPanelIntent(const sim::PanelCommand& cmd) {
    if (state_ != ClientState::InRoom || cmd.panel >= net::kMaxPanels) return;
    if (cmd.op == sim::PanelOp::SetView || cmd.op == sim::PanelOp::SetWindow) {
        if (pendingPanels_.size() <= cmd.panel) pendingPanels_.resize(cmd.panel + 1u);
        PendingPanel& p = pendingPanels_[cmd.panel];
        if (cmd.op == sim::PanelOp::SetView) { p.view = true; p.viewCmd = cmd; }
        else { p.window = true; p.windowCmd = cmd; }
        anyPendingPanel_ = true;
        if (nextTick_ - lastContinuousTick_ >= kContinuousIntentTicks) flushPanelIntents(); // idle a while: at once
        return;
    }
    flushPanelIntents();
    sendMessage(toWire(cmd));
    ++counters_.panelIntentsSent;
}

void ClientSession::flushPanelIntents() {
    if (!anyPendingPanel_) return;
    for (PendingPanel& p : pendingPanels_) {
        if (p.view) { sendMessage(toWire(p.viewCmd)); ++counters_.panelIntentsSent; }
        if (p.window) { sendMessage(toWire(p.windowCmd)); ++counters_.panelIntentsSent; }
        p.view = p.window = false;
    }
    anyPendingPanel_ = false;
    lastContinuousTick_ = nextTick_;
}

void ClientSession::sendLaser(const sim::LaserCommand& cmd) {
    if (state_ != ClientState::InRoom || !net::encodeMessage(toWire(cmd), writer_)) return;
    if (transport_.send(server_, net::Channel::State, writer_.finish(), false)) ++counters_.lasersSent;
}

void ClientSession::setLaser(const sim::LaserCommand& cmd) {
    if (laser_.on && !cmd.on) laserOffTicks_ = 3; // unreliable: say it a few times
    laser_ = cmd;
}

void ClientSession::linkGone() {
    fetcher_.onDisconnected(); // requests in flight are lost with the connection; the parts stay
    if (video_) video_->reset();
    linkReportAt_ = -1;        // a new connection counts its bytes afresh
}

void ClientSession::dropLink() {
    if (server_.valid()) {
        transport_.disconnect(server_, static_cast<std::uint32_t>(net::LeaveReason::TimedOut));
        transport_.flush();
    }
    state_ = ClientState::Disconnected;
    status_ = "the link dropped";
    linkGone();
}

void ClientSession::leave() {
    if (server_.valid() && (state_ == ClientState::InRoom || state_ == ClientState::Joining || state_ == ClientState::Connecting ||
                            state_ == ClientState::AtDesk)) {
        transport_.disconnect(server_, static_cast<std::uint32_t>(net::LeaveReason::Left));
        transport_.flush();
    }
    state_ = ClientState::Disconnected;
    status_ = "left the room";
    reconnectStarted_ = -1;
    linkGone();
}

std::vector<std::string> ClientSession::takeNotices() {
    std::vector<std::string> out;
    out.swap(notices_);
    return out;
}

ClientStats ClientSession::stats() const {
    ClientStats s = counters_;
    if (server_.valid()) {
        const net::PeerStats p = transport_.stats(server_);
        s.rttMs = p.rttMs;
        s.loss = p.lossFraction;
        s.bytesIn = p.bytesReceived;
        s.bytesOut = p.bytesSent;
    }
    return s;
}

void ClientSession::linkLost(double now, const std::string& why) {
    if (server_.valid()) transport_.disconnect(server_, static_cast<std::uint32_t>(net::LeaveReason::TimedOut));
    server_ = core::PeerId::invalid();
    state_ = ClientState::Reconnecting;
    status_ = "reconnecting: " + why;
    notices_.push_back("the link to the room was lost (" + why + "); reconnecting");
    reconnectStarted_ = now;
    reconnectAttempts_ = 0;
    nextAttempt_ = now; // the first attempt at once
    linkGone();
}

void ClientSession::attemptReconnect(double now) {
    ++reconnectAttempts_;
    server_ = transport_.connect(serverAddress_); // the same invitation, proven again
    connectStarted_ = now;
    lastHeard_ = now;
    if (!server_.valid()) { attemptFailed(now, "cannot reach " + serverAddress_.host); return; }
    state_ = ClientState::Connecting;
    status_ = "reconnecting (attempt " + std::to_string(reconnectAttempts_) + ")";
}

void ClientSession::attemptFailed(double now, const std::string& why) {
    state_ = ClientState::Reconnecting;
    status_ = "reconnecting: " + why;
    const double base = std::min(5.0, 0.5 * std::pow(2.0, static_cast<double>(std::min(reconnectAttempts_, 8u)) - 1.0));
    nextAttempt_ = now + base * (0.75 + 0.5 * jitter_.uniform()); // +-25 %
}

void ClientSession::resetRoomView() {
    knownBefore_.clear(); // who we knew: their ParticipantJoined on our return is not news
    for (std::size_t slot = 0; slot < known_.size(); ++slot)
        if (known_[slot].named) knownBefore_.emplace_back(static_cast<std::uint16_t>(slot), known_[slot].userId);
    known_.clear();
    avatars_.clear();
    avatarsDirty_ = true;
    receiver_ = net::SnapshotReceiver{};
    panelView_ = PanelViewModel{};
    clinicView_ = ClinicViewModel{};
    replayView_ = ReplayViewModel{};
    videoStreams_.clear();
    pendingInputs_.clear();
    nextInputSeq_ = 1;          // the server restarts our steps' numbering with the new connection
    predictedValid_ = false;
    lastAuthorityTick_ = 0;
    latestServerTick_ = 0;
    panelsTick_ = 0;
    correction_ = glm::vec3(0.0f);
    pendingPanels_.clear();
    anyPendingPanel_ = false;
}

void ClientSession::update(double now) {
    net::TransportEvent ev;
    while (transport_.poll(now, ev)) handle(ev, now);
    if ((state_ == ClientState::Connecting || state_ == ClientState::Joining) && now - connectStarted_ > desc_.joinTimeout) {
        transport_.disconnect(server_, static_cast<std::uint32_t>(net::LeaveReason::TimedOut));
        if (reconnecting()) attemptFailed(now, "no answer from the server");
        else fail(ClientState::Disconnected, "no answer from the server (is it running, and is the address right?)");
    }
    if (state_ == ClientState::InRoom && desc_.reconnect.enabled && now - lastHeard_ > desc_.reconnect.silenceSeconds)
        linkLost(now, "nothing from the server for " + std::to_string(static_cast<int>(desc_.reconnect.silenceSeconds)) + " s");
    if (state_ == ClientState::Reconnecting) {
        if (now - reconnectStarted_ > desc_.reconnect.giveUpSeconds) {
            reconnectStarted_ = -1;
            fail(ClientState::Disconnected, "could not get back into room " + desc_.roomCode + " in " +
                                                std::to_string(static_cast<int>(desc_.reconnect.giveUpSeconds)) + " s");
        } else if (now >= nextAttempt_) {
            attemptReconnect(now);
        }
    }
    if (state_ == ClientState::InRoom) {
        std::uint32_t ran = 0;
        while (tickStart_ + static_cast<double>(nextTick_) / tickRate_ <= now && ran < kMaxCatchUpTicks) {
            clientTick();
            ++nextTick_;
            ++ran;
        }
        if (tickStart_ + static_cast<double>(nextTick_) / tickRate_ <= now) // fell far behind: rebase
            tickStart_ = now - static_cast<double>(nextTick_) / tickRate_;
        refreshAvatars(now);
        reportLink(now);
        if (voice_) pumpVoice(now);
        if (video_) {
            if (videoStreamsDirty_) {
                const auto list = videoStreams();
                video_->onStreams(list, now);
                videoStreamsDirty_ = false;
            }
            video_->pump([this](const net::Message& m) { return state_ == ClientState::InRoom && sendMessage(m); }, now);
        }
        fetcher_.pump([&](const net::BlobRequest& req) {
            return net::encodeMessage(req, writer_) && transport_.send(server_, net::Channel::Media, writer_.finish(), true);
        });
    }
    if (state_ == ClientState::AtDesk) pumpDesk(now);
    transport_.flush();
}

void ClientSession::handle(const net::TransportEvent& ev, double now) {
    if (ev.peer != server_) return;
    switch (ev.type) {
    case net::TransportEventType::Connected: {
        if (isDeskRoom(desc_.roomCode)) { // a program credential: the case desk, no room
            state_ = ClientState::AtDesk;
            status_ = "at the case desk of program " + desc_.roomCode.substr(1);
            notices_.push_back(status_);
            break;
        }
        state_ = ClientState::Joining;
        status_ = "joining room " + desc_.roomCode;
        net::JoinRequest req;
        req.roomCode = desc_.roomCode;
        req.displayName = desc_.displayName;
        req.role = desc_.role;
        sendMessage(req);
        break;
    }
    case net::TransportEventType::Disconnected: {
        const auto reason = ev.disconnectReason < static_cast<std::uint32_t>(net::LeaveReason::Count)
                                ? static_cast<net::LeaveReason>(ev.disconnectReason)
                                : net::LeaveReason::TimedOut;
        // Left (0) is what a link that timed out here reports: the server
        // never sends it. The server's own reasons (removed, replaced from
        // another computer, shut down, invitation ended) are final.
        // A refusal of the token (detail, not a timeout) is final too.
        const bool linkFailure = (reason == net::LeaveReason::TimedOut || reason == net::LeaveReason::Left) &&
                                 (ev.detail.empty() || reason == net::LeaveReason::TimedOut);
        if (reconnecting() && (state_ == ClientState::Connecting || state_ == ClientState::Joining) && linkFailure) {
            server_ = core::PeerId::invalid();
            attemptFailed(now, ev.detail.empty() ? std::string("the link failed") : ev.detail);
            break;
        }
        if (state_ == ClientState::InRoom && desc_.reconnect.enabled && linkFailure) {
            linkLost(now, "the link timed out");
            break;
        }
        if (reconnecting()) reconnectStarted_ = -1; // a refusal: no more attempts
        if (!ev.detail.empty() && state_ != ClientState::InRoom) {
            // The transport refused us before the room did (a bad or expired token).
            state_ = ClientState::Refused;
            status_ = "join refused: " + ev.detail;
            notices_.push_back(status_);
        } else if (state_ == ClientState::Connecting) fail(ClientState::Disconnected, "could not connect to the server");
        else if (state_ != ClientState::Disconnected) fail(ClientState::Disconnected, std::string("disconnected: ") + net::toString(reason));
        server_ = core::PeerId::invalid();
        linkGone();
        break;
    }
    case net::TransportEventType::Received: {
        lastHeard_ = now;
        net::DecodeResult r = net::decodeMessage(ev.data, ev.channel);
        if (!r.ok) {
            ++counters_.malformed;
            return;
        }
        handleMessage(r.message, now);
        break;
    }
    case net::TransportEventType::Count: break;
    }
}

void ClientSession::handleMessage(net::Message& m, double now) {
    if (auto* acc = std::get_if<net::JoinAccepted>(&m)) {
        const bool returning = reconnecting();
        if (returning) resetRoomView(); // a fresh connection: the server sends the whole room again
        self_ = core::EntityId{acc->entity};
        tickRate_ = acc->tickRateHz;
        tickStart_ = now;
        nextTick_ = 0;
        clock_.reset(tickRate_);
        clock_.observe(acc->serverTick, now);
        role_ = acc->role;
        state_ = ClientState::InRoom;
        status_ = "in room " + desc_.roomCode;
        if (returning) {
            lastReconnectSeconds_ = now - reconnectStarted_;
            ++reconnects_;
            reconnectStarted_ = -1;
            char secs[32];
            std::snprintf(secs, sizeof secs, "%.1f", lastReconnectSeconds_);
            notices_.push_back("back in room " + desc_.roomCode + " after " + secs + " s");
        } else {
            notices_.push_back("joined room " + desc_.roomCode + " as " + core::toString(acc->role));
        }
        if (desc_.downlinkKbps > 0) sendMessage(net::LinkHint{desc_.downlinkKbps});
        else if (desc_.slowConnection) sendMessage(net::LinkHint{ClientDesc::kSlowDownlinkKbps});
        fetcher_.onConnected();
        videoStreams_.clear();
        videoStreamsDirty_ = true;
        if (video_) {
            video_->reset();
            video_->setSelf(acc->entity);
        }
    } else if (auto* lay = std::get_if<net::RoomLayoutMsg>(&m)) {
        layout_ = fromWire(*lay);
        panelView_.ensurePanels(layout_->panels.size());
    } else if (auto* ref = std::get_if<net::JoinRefused>(&m)) {
        reconnectStarted_ = -1; // refused: no more attempts
        state_ = ClientState::Refused;
        status_ = std::string("join refused: ") + net::toString(ref->reason) + (ref->detail.empty() ? "" : " (" + ref->detail + ")");
        notices_.push_back(status_);
    } else if (auto* pj = std::get_if<net::ParticipantJoined>(&m)) {
        Known& k = known(pj->entity);
        k.named = true;
        k.name = pj->displayName;
        k.role = pj->role;
        k.userId = pj->userId;
        k.muted = pj->muted;
        k.away = pj->away;
        avatarsDirty_ = true;
        const bool known = std::find(knownBefore_.begin(), knownBefore_.end(), std::make_pair(pj->entity, pj->userId)) != knownBefore_.end();
        if (pj->entity != self_.value && !known) notices_.push_back(pj->displayName + " (" + core::toString(pj->role) + ") joined");
    } else if (auto* pl = std::get_if<net::ParticipantLeft>(&m)) {
        Known& k = known(pl->entity);
        if (k.named) notices_.push_back(k.name + " left (" + net::toString(pl->reason) + ")");
        k = Known{};
        avatarsDirty_ = true;
    } else if (auto* pa = std::get_if<net::ParticipantAway>(&m)) {
        Known& k = known(pa->entity);
        if (k.away != pa->away && pa->entity != self_.value) {
            const std::string who = k.named ? k.name : "participant " + std::to_string(pa->entity);
            notices_.push_back(pa->away ? who + "'s link dropped; their place is held " + std::to_string(pa->holdSeconds) + " s"
                                        : who + " is back");
        }
        k.away = pa->away;
        avatarsDirty_ = true;
    } else if (auto* pm = std::get_if<net::ParticipantMuted>(&m)) {
        Known& k = known(pm->entity);
        k.muted = pm->muted;
        avatarsDirty_ = true;
        const std::string who = pm->entity == self_.value ? std::string("you") : k.named ? k.name : "participant " + std::to_string(pm->entity);
        notices_.push_back(who + (pm->entity == self_.value ? " were" : " was") + (pm->muted ? " muted" : " unmuted") + " by a moderator");
    } else if (auto* ir = std::get_if<net::IntentRefused>(&m)) {
        ++counters_.refusals;
        lastRefusal_ = *ir;
        notices_.push_back(std::string(net::toString(ir->intent)) + " refused: " + net::toString(ir->reason));
    } else if (auto* th = std::get_if<net::TextHeld>(&m)) {
        notices_.push_back(std::string("your ") + (th->intent == net::IntentKind::Board ? "recommendation" : "message") +
                           " was held: it may identify a patient (" + std::to_string(th->findings.size()) + " finding" +
                           (th->findings.size() == 1 ? "" : "s") + "); nothing was shown or kept");
        if (heldTexts_.size() == 16) heldTexts_.erase(heldTexts_.begin());
        heldTexts_.push_back(std::move(*th));
    } else if (auto* snap = std::get_if<net::Snapshot>(&m)) {
        onSnapshot(*snap, now);
    } else if (auto* chunk = std::get_if<net::BlobChunk>(&m)) {
        if (state_ == ClientState::InRoom) fetcher_.onChunk(*chunk);
    } else if (auto* na = std::get_if<net::BlobUnavailable>(&m)) {
        if (state_ == ClientState::InRoom) fetcher_.onUnavailable(na->hash);
    } else if (auto* cl = std::get_if<net::CaseListing>(&m)) {
        if (state_ == ClientState::AtDesk) onDesk(*cl);
    } else if (auto* cr = std::get_if<net::CaseReceipt>(&m)) {
        if (state_ == ClientState::AtDesk) onDesk(*cr);
    } else if (auto* us = std::get_if<net::UploadStatus>(&m)) {
        if (uploadSink_) uploadSink_(*us);
    } else if (auto* vfr = std::get_if<net::VideoFragmentMsg>(&m)) {
        if (state_ != ClientState::InRoom) return;
        ++counters_.videoFragmentsIn;
        counters_.videoBytesIn += vfr->fragment.size;
        if (video_) video_->onFragment(vfr->fragment, now);
    } else if (auto* kr = std::get_if<net::KeyframeRequest>(&m)) {
        if (state_ == ClientState::InRoom && video_) video_->onKeyframeRequest(kr->stream);
    } else if (auto* vt = std::get_if<net::VideoTierMsg>(&m)) {
        if (state_ != ClientState::InRoom) return;
        const auto before = video_ ? video_->stream(vt->stream) : std::nullopt;
        if (video_) video_->onTier(*vt);
        const bool changed = !before || before->tier != vt->tier;
        if (changed && (vt->tier == net::VideoTier::Still || vt->tier == net::VideoTier::Off || (before && before->layers != 0))) {
            const Known& k = known(vt->stream.publisher);
            const std::string whose = (k.named ? k.name + "'s " : std::string("a ")) +
                                      (vt->stream.kind == net::VideoKind::Screen ? "shared screen" : "camera");
            if (vt->tier == net::VideoTier::Still) notices_.push_back(whose + ": your link carries a still picture only for now");
            else if (vt->tier == net::VideoTier::Off) notices_.push_back(whose + ": paused, your link has no room for video now");
            else if (before && (before->tier == net::VideoTier::Still || before->tier == net::VideoTier::Off))
                notices_.push_back(whose + ": moving again");
        }
    } else if (auto* vf = std::get_if<net::VoiceFrame>(&m)) {
        if (state_ != ClientState::InRoom) return;
        if (voiceSink_) voiceSink_(*vf, now);
        if (voice_ && vf->speaker != self_.value) {
            fromWire(*vf, voiceIn_);
            voice_->onPacket(voiceIn_, now);
            ++counters_.voiceReceived;
        }
    }
    // Client-to-server messages arriving here are ignored.
}

void ClientSession::onSnapshot(const net::Snapshot& snap, double now) {
    if (state_ != ClientState::InRoom) return;
    const net::SnapshotOutcome o = receiver_.receive(snap, updates_, objectUpdates_);
    if (o == net::SnapshotOutcome::Malformed) { ++counters_.malformed; return; }
    if (o != net::SnapshotOutcome::Applied) { ++counters_.snapshotsRejected; return; }
    ++counters_.snapshotsApplied;
    knownBefore_.clear(); // the room's roll call after a return is over
    clock_.observe(snap.serverTick, now);
    latestServerTick_ = std::max(latestServerTick_, snap.serverTick);
    for (const net::ObjectUpdate& u : objectUpdates_) {
        if (u.key.kind == net::ObjectKind::Video) {
            applyVideoObject(u);
            continue;
        }
        const bool ok = ReplayViewModel::handles(u.key.kind)   ? replayView_.apply(u) // [replay]
                        : ClinicViewModel::handles(u.key.kind) ? clinicView_.apply(u)
                                                               : panelView_.apply(u);
        if (ok) ++counters_.objectUpdates;
        else ++counters_.malformed;
    }
    if (!objectUpdates_.empty()) panelsTick_ = snap.serverTick;
    for (const net::EntityUpdate& u : updates_) {
        Known& k = known(u.slot);
        if (u.removed) {
            if (k.present) avatarsDirty_ = true;
            k.present = false;
            k.buffer.clear();
            continue;
        }
        if (!k.present) avatarsDirty_ = true;
        k.present = true;
        const sim::AvatarPose pose = fromWire(u.state);
        if (u.slot == self_.value) {
            if (snap.serverTick < lastAuthorityTick_ && predictedValid_) continue; // older than what we have
            lastAuthorityTick_ = snap.serverTick;
            reconcile(pose, snap);
        } else {
            k.buffer.push(snap.serverTick, pose);
        }
    }
}

void ClientSession::reconcile(const sim::AvatarPose& authority, const net::Snapshot& snap) {
    if (snap.hasInput) {
        const std::uint32_t acked = net::seqExpand(snap.lastInputSeq, nextInputSeq_ - 1);
        while (!pendingInputs_.empty() && pendingInputs_.front().seq <= acked) pendingInputs_.pop_front();
    }
    sim::AvatarPose replay = authority;
    const float dt = static_cast<float>(1.0 / tickRate_);
    if (layout_)
        for (const SentInput& in : pendingInputs_) sim::stepAvatar(*layout_, replay, fromWire(in.frame), dt);
    if (predictedValid_) {
        const glm::vec3 jump = predicted_.body - replay.body;
        const float len = std::sqrt(jump.x * jump.x + jump.y * jump.y + jump.z * jump.z);
        if (len > 0.002f) {
            ++counters_.corrections;
            counters_.lastCorrection = len;
            correction_ += jump; // shown as an offset that decays, not a pop
        }
    }
    predicted_ = replay;
    predictedValid_ = true;
}

void ClientSession::clientTick() {
    const std::uint32_t seq = nextInputSeq_++;
    const net::InputFrame frame = toWire(intent_, static_cast<std::uint16_t>(seq));
    if (predictedValid_ && layout_)
        sim::stepAvatar(*layout_, predicted_, fromWire(frame), static_cast<float>(1.0 / tickRate_));
    pendingInputs_.push_back({seq, frame});
    if (pendingInputs_.size() > kMaxPendingInputs) pendingInputs_.pop_front();

    inputMsg_.hasAck = receiver_.hasAck();
    inputMsg_.ackSeq = receiver_.ackSeq();
    inputMsg_.ackBits = receiver_.ackBits();
    inputMsg_.inputs.clear();
    const std::size_t n = std::min<std::size_t>(pendingInputs_.size(), net::kMaxInputsPerPacket);
    for (std::size_t i = pendingInputs_.size() - n; i < pendingInputs_.size(); ++i) inputMsg_.inputs.push_back(pendingInputs_[i].frame);
    if (net::encodeMessage(inputMsg_, writer_)) {
        const auto bytes = writer_.finish();
        if (transport_.send(server_, net::Channel::State, bytes, false)) ++counters_.inputsSent;
    }
    if (anyPendingPanel_ && nextTick_ - lastContinuousTick_ >= kContinuousIntentTicks) flushPanelIntents();
    if (laser_.on) sendLaser(laser_);
    else if (laserOffTicks_ > 0) {
        --laserOffTicks_;
        sendLaser(laser_);
    }
}

void ClientSession::refreshAvatars(double now) {
    if (avatarsDirty_) {
        avatars_.clear();
        for (std::uint16_t slot = 0; slot < known_.size(); ++slot) {
            const Known& k = known_[slot];
            if (!k.present) continue;
            RemoteAvatar a;
            a.slot = slot;
            a.name = k.named ? k.name : "participant " + std::to_string(slot);
            a.role = k.role;
            a.userId = k.userId;
            a.muted = k.muted;
            a.away = k.away;
            a.self = slot == self_.value;
            avatars_.push_back(std::move(a));
        }
        avatarsDirty_ = false;
    }
    const double renderTick = clock_.estimate(now) - desc_.interpolationDelay * tickRate_;
    const double dtFrame = lastRefresh_ > 0 ? now - lastRefresh_ : 0.0;
    lastRefresh_ = now;
    correction_ *= static_cast<float>(std::exp(-dtFrame * 12.0)); // ~80 ms to fade a correction
    for (RemoteAvatar& a : avatars_) {
        if (a.self) {
            if (!predictedValid_) continue;
            a.pose = predicted_;
            a.pose.body += correction_;
            a.hasPose = true;
            continue;
        }
        Known& k = known_[a.slot];
        if (const auto p = k.buffer.sample(renderTick)) {
            a.pose = *p;
            a.hasPose = true;
        }
        k.buffer.discardBefore(renderTick - 2.0);
    }
}

void ClientSession::pumpVoice(double now) {
    if (predictedValid_) {
        audio::ListenerPose listener;
        listener.position = predicted_.headPosition() + correction_;
        listener.orientation = predicted_.head;
        voice_->setListener(listener);
    }
    for (const RemoteAvatar& a : avatars_)
        if (!a.self && a.hasPose) voice_->setSpeakerPosition(a.slot, a.pose.headPosition());
    if (now >= nextRateCheck_) { // once a second: the link's loss and round trip into the encoder's rate
        nextRateCheck_ = now + 1.0;
        const ClientStats st = stats();
        const audio::VoiceLink link{st.loss, st.rttMs, desc_.uplinkKbps, desc_.slowConnection};
        if (const auto rate = voiceRate_.update(link, now)) voice_->capture().setRate(*rate);
    }
    const bool maySpeak = sim::permitted(role_, sim::Action::Speak);
    voice_->pump(now, [&](const audio::VoicePacket& p) {
        if (!maySpeak || !sendVoice(p)) ++counters_.voiceUnsent;
    });
}

void ClientSession::reportLink(double now) {
    if (linkReportAt_ >= 0 && now - linkReportAt_ < 1.0) return;
    const ClientStats st = stats();
    if (linkReportAt_ >= 0 && st.bytesIn >= linkReportBytes_) {
        const double window = now - linkReportAt_;
        net::LinkReport r;
        r.receivedBytesPerSecond = static_cast<std::uint32_t>(std::min(100e6, static_cast<double>(st.bytesIn - linkReportBytes_) / window));
        r.windowMs = static_cast<std::uint16_t>(std::clamp(window * 1000.0, 100.0, 10000.0));
        r.rttMs = static_cast<std::uint16_t>(std::clamp(st.rttMs, 0.0, 60000.0));
        r.lossPermille = static_cast<std::uint16_t>(std::clamp(st.loss * 1000.0, 0.0, 1000.0));
        sendMessage(r);
    }
    linkReportAt_ = now;
    linkReportBytes_ = st.bytesIn;
}

bool ClientSession::sendVoice(const audio::VoicePacket& packet) {
    if (state_ != ClientState::InRoom || !toWire(packet, self_.value, voiceOut_) || !net::encodeMessage(voiceOut_, writer_)) return false;
    if (!transport_.send(server_, net::Channel::Voice, writer_.finish(), false)) return false;
    ++counters_.voiceSent;
    return true;
}

// ---- The case desk ------------------------------------------------------------

namespace {
// Under the server's control-channel limit (net/secure/limits.cpp: 20/s,
// burst 40; 8 KiB/s, burst 16 KiB), with room to spare.
constexpr double kDeskMessagesPerSecond = 12, kDeskMessageBurst = 24;
constexpr double kDeskBytesPerSecond = 6 * 1024, kDeskByteBurst = 12 * 1024;
} // namespace

std::uint32_t ClientSession::submitCase(std::uint64_t caseId, const std::vector<DeskField>& fields, bool attested,
                                        const std::vector<core::ContentHash>& decks, std::string* why) {
    if (state_ != ClientState::AtDesk) {
        if (why) *why = "not at the case desk";
        return 0;
    }
    const std::uint32_t request = nextDeskRequest_;
    auto parts = splitSubmission(request, caseId, fields, attested, decks, why);
    if (!parts) return 0;
    for (const net::CaseSubmit& p : *parts) {
        if (!net::encodeMessage(p, writer_)) {
            if (why) *why = "the form does not encode (a field name or text out of range)";
            return 0;
        }
    }
    for (const net::CaseSubmit& p : *parts) {
        (void)net::encodeMessage(p, writer_);
        const auto bytes = writer_.finish();
        deskOut_.emplace_back(bytes.begin(), bytes.end());
    }
    nextDeskRequest_ = nextDeskRequest_ == 0xFFFFFFFFu ? 1 : nextDeskRequest_ + 1;
    return request;
}

std::uint32_t ClientSession::queryCases(net::CaseQueryKind what, std::uint64_t caseId) {
    if (state_ != ClientState::AtDesk) return 0;
    const std::uint32_t request = nextDeskRequest_;
    if (!net::encodeMessage(net::CaseQuery{request, what, caseId}, writer_)) return 0;
    const auto bytes = writer_.finish();
    deskOut_.emplace_back(bytes.begin(), bytes.end());
    nextDeskRequest_ = nextDeskRequest_ == 0xFFFFFFFFu ? 1 : nextDeskRequest_ + 1;
    return request;
}

void ClientSession::pumpDesk(double now) {
    if (deskLast_ < 0) {
        deskTokens_ = kDeskMessageBurst;
        deskByteTokens_ = kDeskByteBurst;
    } else if (now > deskLast_) {
        deskTokens_ = std::min(kDeskMessageBurst, deskTokens_ + (now - deskLast_) * kDeskMessagesPerSecond);
        deskByteTokens_ = std::min(kDeskByteBurst, deskByteTokens_ + (now - deskLast_) * kDeskBytesPerSecond);
    }
    deskLast_ = std::max(deskLast_, now);
    while (!deskOut_.empty() && deskTokens_ >= 1 && deskByteTokens_ >= static_cast<double>(deskOut_.front().size())) {
        if (!transport_.send(server_, net::Channel::Control, deskOut_.front(), true)) break;
        deskTokens_ -= 1;
        deskByteTokens_ -= static_cast<double>(deskOut_.front().size());
        deskOut_.pop_front();
    }
}

void ClientSession::onDesk(const net::CaseListing& l) {
    if (!incoming_.contains(l.request) && incoming_.size() >= 16) { ++counters_.malformed; return; } // answers to requests never made
    Incoming& in = incoming_[l.request];
    if (l.part != in.nextPart) in.broken = true; // control is ordered: only a broken server skips
    ++in.nextPart;
    in.cases.insert(in.cases.end(), l.cases.begin(), l.cases.end());
    in.findings.insert(in.findings.end(), l.findings.begin(), l.findings.end());
    if (!in.pieces.add(l.pieces)) in.broken = true;
    if (in.cases.size() > 100000 || in.findings.size() > 100000) in.broken = true;
    if (!l.last) return;
    Incoming done = std::move(in);
    incoming_.erase(l.request);
    if (done.broken) {
        ++counters_.malformed;
        notices_.push_back("the case desk sent a broken listing");
        return;
    }
    switch (l.what) {
    case net::CaseQueryKind::Mine: desk_.mine = std::move(done.cases); desk_.mineLoaded = true; break;
    case net::CaseQueryKind::Vetted: desk_.vetted = std::move(done.cases); desk_.vettedLoaded = true; break;
    case net::CaseQueryKind::Case: desk_.openCase = DeskCase{l.header, l.attested, done.pieces.take(), std::move(done.findings)}; break;
    case net::CaseQueryKind::Form: {
        DeskForm f;
        for (DeskField& field : done.pieces.take()) {
            if (field.name == "program") f.program = std::move(field.value);
            else if (field.name == "template") f.templateText = std::move(field.value);
            else if (field.name == "attestation") f.attestation = std::move(field.value);
        }
        desk_.form = std::move(f);
        break;
    }
    case net::CaseQueryKind::Count: return;
    }
    ++desk_.changes;
}

void ClientSession::onDesk(const net::CaseReceipt& r) {
    incoming_.erase(r.request); // a refused query ends its listing
    desk_.receipts.push_back(r);
    if (desk_.receipts.size() > CaseDeskView::kMaxReceipts) desk_.receipts.erase(desk_.receipts.begin());
    ++desk_.changes;
    if (r.verdict == net::CaseVerdict::Refused) notices_.push_back(std::string("case desk: refused: ") + net::toString(r.reason));
}

} // namespace caseroom::session
