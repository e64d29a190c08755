// [SECTIONS] intents and policy | the tap: capture, keyframes, objects | voice | video | publishing
#include "session/recording_host.h"

#include <algorithm>
#include <cmath>

#include "core/log.h"
#include "session/clinic_wire.h"
#include "session/recording_wire.h"

namespace caseroom::session {

namespace {
// The record module's limit is the net catalog's VideoFragment message.
static_assert(record::kMaxVideoWireBytes == 1 + 13 + net::kVideoFragmentBytes,
              "a recorded fragment is one VideoFragment message (net/video_wire.h, messages.cpp's catalog)");

constexpr std::size_t kMaxVideoPerTick = 2048;   // fragments between two captures (a 1080p key frame is 63)
constexpr double kKeyframeAskSeconds = 1.0;      // at most one key frame asked per stream in this time
constexpr double kStreamIdleSeconds = 5.0;       // a stream without fragments this long is forgotten

// Kinds that carry no case content of their own (the agenda's entries are
// scrubbed separately): never withheld after a pause. A Video object is a
// stream's size and rate only; whether its stream is recorded at all is
// recordsObject's (the camera rule, acknowledgement).
bool structural(net::ObjectKind k) {
    switch (k) {
    case net::ObjectKind::Video:
    case net::ObjectKind::Agenda:
    case net::ObjectKind::AgendaEntry:
    case net::ObjectKind::Queue:
    case net::ObjectKind::Moderation:
    case net::ObjectKind::Statement:
    case net::ObjectKind::Recording: return true;
    default: return false;
    }
}

std::vector<std::uint8_t> copyOf(std::span<const std::uint8_t> b) { return {b.begin(), b.end()}; }

std::optional<net::RefusalReason> refusal(sim::RecordingError e) {
    switch (e) {
    case sim::RecordingError::NotPermitted: return net::RefusalReason::NotPermitted;
    case sim::RecordingError::PolicyForbids: return net::RefusalReason::PolicyForbids;
    case sim::RecordingError::AlreadyRecording: return net::RefusalReason::AlreadyRecording;
    case sim::RecordingError::NotRecording: return net::RefusalReason::NotRecording;
    case sim::RecordingError::Count: break;
    }
    return net::RefusalReason::NotPermitted;
}
} // namespace

RecordingHost::RecordingHost(sim::EventStream* events, RecordingConfig config, record::RecordingInfo room)
    : events_(events), config_(std::move(config)), room_(std::move(room)),
      system_(std::make_unique<sim::RecordingSystem>(events)) {
    system_->setPolicy(config_.defaultPolicy, sim::Phase::Lobby, 0);
    if (config_.keyframeTicks == 0) config_.keyframeTicks = 1;
}

RecordingHost::~RecordingHost() { closeFile(); }

// ---- intents and policy ---------------------------------------------------------

void RecordingHost::setPolicy(sim::RecordingPolicy policy, sim::Phase phase, std::uint32_t tick) {
    system_->setPolicy(policy, phase, tick);
}

std::optional<net::RefusalReason> RecordingHost::onIntent(const sim::ClinicActor& actor, const net::RecordingIntent& m,
                                                          sim::Phase phase, std::uint32_t tick, std::uint64_t unixTime) {
    const auto op = static_cast<sim::RecordingOp>(m.op);
    if (op == sim::RecordingOp::Start && !config_.open) {
        // Permission first: a spoke learns "not permitted", not how the server is set up.
        if (sim::check(actor.role, actor.holding, sim::Action::Record, phase)) return net::RefusalReason::NotPermitted;
        return net::RefusalReason::NoRecorder;
    }
    if (const auto e = system_->apply(actor, op, m.epoch, phase, tick)) return refusal(*e);
    if (op == sim::RecordingOp::Start) {
        openFile(tick, unixTime);
        if (!writer_) {
            (void)system_->apply(actor, sim::RecordingOp::Stop, 0, phase, tick);
            return net::RefusalReason::NoRecorder;
        }
    } else if (op == sim::RecordingOp::Stop) {
        closeFile();
    } else if (op == sim::RecordingOp::Acknowledge && writer_ && actor.id.valid() && actor.id.value < slots_.size()) {
        slots_[actor.id.value].named = false; // the next capture writes their name
    }
    return std::nullopt;
}

void RecordingHost::onPhase(sim::Phase phase, std::uint32_t tick) { system_->onPhase(phase, tick); }

void RecordingHost::leave(core::EntityId who) { system_->leave(who); }

bool RecordingHost::mayRecordVoice(core::EntityId who) const { return writer_ && system_->live() && system_->acknowledged(who); }

bool RecordingHost::mayRecordVideo(net::VideoStreamId stream) const {
    return writer_ && system_->live() && system_->acknowledged(core::EntityId{stream.publisher}) &&
           (stream.kind == net::VideoKind::Screen || cameras_);
}

void RecordingHost::stop(std::uint32_t tick) {
    if (system_->state().status == sim::RecordingStatus::Off) return;
    sim::ClinicActor room;
    room.role = core::Role::Facilitator; // the room itself ends it (the event's actor stays invalid)
    (void)system_->apply(room, sim::RecordingOp::Stop, 0, sim::Phase::Lobby, tick);
    closeFile();
}

void RecordingHost::openFile(std::uint32_t tick, std::uint64_t unixTime) {
    record::RecordingInfo info = room_;
    info.startedUnix = unixTime;
    info.firstTick = tick;
    info.policy = static_cast<record::Policy>(system_->state().policy);
    auto made = config_.open(info);
    if (!made) {
        stats_.error = made.error().message;
        CR_LOG_WARN("room %s: recording not started: %s", room_.room.c_str(), stats_.error.c_str());
        return;
    }
    writer_ = std::move(*made);
    firstTick_ = tick;
    startSeconds_ = -1.0;
    needKeyframe_ = true;
    lastStatus_ = sim::RecordingStatus::Off;
    slots_.clear();
    objects_.clear();
    voice_.clear();
    video_.clear();
    streams_.clear();
    stats_.file = room_.room;
}

void RecordingHost::closeFile() {
    if (!writer_) return;
    if (const core::Status st = writer_->close(); !st) {
        stats_.error = st.error().message;
        CR_LOG_WARN("room %s: recording closed with an error: %s", room_.room.c_str(), stats_.error.c_str());
    }
    writer_.reset();
    voice_.clear();
    video_.clear();
    streams_.clear();
}

// ---- the tap ----------------------------------------------------------------------

record::Present RecordingHost::presentOf(const RecordedSlot& s) const {
    record::Present p;
    p.slot = s.slot;
    p.instance = static_cast<std::uint16_t>(s.instance);
    p.role = s.role;
    // Unnamed until they acknowledged this recording (the replay shows the role).
    if (s.name && system_->acknowledged(core::EntityId{s.slot})) p.name = *s.name;
    return p;
}

// A Video object is in the file only while its stream may be recorded
// (mayRecordVideo less the live check: a pause keeps objects as they are).
bool RecordingHost::recordsObject(net::ObjectKey key) const {
    if (key.kind != net::ObjectKind::Video) return true;
    const auto stream = net::VideoStreamId::unpack(key.id);
    return stream && system_->acknowledged(core::EntityId{stream->publisher}) &&
           (stream->kind == net::VideoKind::Screen || cameras_);
}

std::vector<std::uint8_t> RecordingHost::recordedBytes(net::ObjectKey key, std::span<const std::uint8_t> bytes) const {
    if (key.kind != net::ObjectKind::AgendaEntry || sim::records(system_->state().policy, sim::Phase::CasePresentation))
        return copyOf(bytes);
    // Case phases are not recorded under this policy: neither is what the
    // agenda says of the case (its title, presenter and question).
    auto entry = decodeAgendaEntry(bytes);
    if (!entry) return {};
    if (!sim::isCasePhase(entry->phase)) return copyOf(bytes);
    entry->title = "Case " + std::to_string(entry->caseIndex + 1);
    entry->presenter.clear();
    entry->question.clear();
    net::ObjectBytes out;
    if (!encodeAgendaEntry(*entry, out)) return {};
    return copyOf(out.view());
}

void RecordingHost::writeKeyframe(std::uint32_t tick, std::span<const RecordedSlot> present, const net::ObjectTable& objects) {
    record::Keyframe k;
    k.tick = tick;
    slots_.assign(slots_.size(), SlotMemory{}); // the keyframe says who is present: nobody else
    for (const RecordedSlot& s : present) {
        k.present.push_back(presentOf(s));
        k.avatars.push_back({s.slot, encodeRecordedAvatar(s.state, nullptr)});
        if (slots_.size() <= s.slot) slots_.resize(s.slot + 1u);
        SlotMemory& m = slots_[s.slot];
        m.instance = s.instance;
        m.named = !k.present.back().name.empty();
        m.hasState = true;
        m.afterKeyframe = true;
        m.state = s.state;
    }
    for (std::uint32_t i = 0; i < objects.slotCount(); ++i) {
        if (objects.current(i).instance == 0) continue;
        const net::ObjectKey key = objects.key(i);
        ObjectMemory& om = objects_[key];
        om.seen = copyOf(objects.bytes(i).view());
        if (om.withheld) { om.inFile = false; continue; }
        if (!recordsObject(key)) {
            om.inFile = false;
            if (!om.gated) { om.gated = true; ++stats_.objectsWithheld; }
            continue;
        }
        om.gated = false;
        auto bytes = recordedBytes(key, om.seen);
        if (bytes.empty() && !om.seen.empty()) continue;
        k.objects.push_back({static_cast<std::uint8_t>(key.kind), key.id, false, bytes});
        om.written = std::move(bytes);
        om.inFile = true;
    }
    // Objects gone since are simply not in the keyframe: forget them.
    for (auto it = objects_.begin(); it != objects_.end();) {
        if (!objects.find(it->first)) it = objects_.erase(it);
        else ++it;
    }
    writer_->keyframe(k);
    // A replay that starts here wants a picture of every stream soon after.
    for (auto& [id, sm] : streams_)
        if (sm.keyed) sm.want = true;
    lastKeyframe_ = tick;
    needKeyframe_ = false;
    ++stats_.keyframes;
}

void RecordingHost::capture(std::uint32_t tick, double nowSeconds, std::span<const RecordedSlot> present,
                            const net::ObjectTable& objects, std::span<const sim::RoomEvent> events) {
    if (!writer_) return;
    if (startSeconds_ < 0) startSeconds_ = nowSeconds;
    const sim::RecordingState& st = system_->state();

    // The timeline: every phase start, paused or not (labels carry no case content).
    for (const sim::RoomEvent& e : events) {
        if (e.kind != sim::RoomEventKind::PhaseChanged) continue;
        record::Mark m;
        m.tick = tick;
        m.phase = static_cast<std::uint8_t>(e.value);
        m.entry = e.panel;
        m.label = sim::toString(static_cast<sim::Phase>(e.value));
        writer_->mark(m);
    }

    if (st.status != sim::RecordingStatus::Live) {
        if (lastStatus_ == sim::RecordingStatus::Live || lastStatus_ == sim::RecordingStatus::Off) {
            record::Pause p;
            p.tick = tick;
            p.phase = 0;
            for (const sim::RoomEvent& e : events)
                if (e.kind == sim::RoomEventKind::PhaseChanged) p.phase = static_cast<std::uint8_t>(e.value);
            p.why = 0;
            writer_->pause(p);
        }
        lastStatus_ = st.status;
        // Whatever changes now stays out of the file until it changes while live.
        for (std::uint32_t i = 0; i < objects.slotCount(); ++i) {
            if (objects.current(i).instance == 0) continue;
            const net::ObjectKey key = objects.key(i);
            ObjectMemory& om = objects_[key];
            const auto view = objects.bytes(i).view();
            if (om.seen.size() != view.size() || !std::equal(view.begin(), view.end(), om.seen.begin())) {
                if (!structural(key.kind) && !om.withheld) { om.withheld = true; ++stats_.objectsWithheld; }
                om.seen = copyOf(view);
            }
        }
        voice_.clear();
        video_.clear();
        for (auto& [id, sm] : streams_) sm.keyed = false; // resuming, each stream starts again at a key frame
        needKeyframe_ = true;
        return;
    }
    lastStatus_ = st.status;

    if (needKeyframe_ || tick - lastKeyframe_ >= config_.keyframeTicks) {
        writeKeyframe(tick, present, objects);
        // Events and voice of this tick still go into a tick record below.
    }

    record::TickRecord t;
    t.tick = tick;
    // Presence and avatars.
    std::vector<bool> here(slots_.size(), false);
    for (const RecordedSlot& s : present) {
        if (slots_.size() <= s.slot) { slots_.resize(s.slot + 1u); here.resize(s.slot + 1u, false); }
        here[s.slot] = true;
        SlotMemory& m = slots_[s.slot];
        const record::Present p = presentOf(s);
        if (m.instance != s.instance || m.named != !p.name.empty()) {
            if (m.instance != s.instance) m.hasState = false;
            m.instance = s.instance;
            m.named = !p.name.empty();
            t.joined.push_back(p);
        }
        if (!m.hasState || !(m.state == s.state)) {
            // Absolute for a slot's first sample after its join or a keyframe, else a delta.
            t.avatars.push_back({s.slot, encodeRecordedAvatar(s.state, m.hasState && !m.afterKeyframe ? &m.state : nullptr)});
            m.state = s.state;
            m.hasState = true;
            m.afterKeyframe = false;
        }
    }
    for (std::size_t slot = 0; slot < slots_.size(); ++slot) {
        if (slots_[slot].instance == 0 || (slot < here.size() && here[slot])) continue;
        t.left.push_back(static_cast<std::uint16_t>(slot));
        slots_[slot] = SlotMemory{};
    }
    // Objects.
    for (std::uint32_t i = 0; i < objects.slotCount(); ++i) {
        if (objects.current(i).instance == 0) continue;
        const net::ObjectKey key = objects.key(i);
        ObjectMemory& om = objects_[key];
        const auto view = objects.bytes(i).view();
        const bool changed = om.seen.size() != view.size() || !std::equal(view.begin(), view.end(), om.seen.begin());
        if (!recordsObject(key)) {
            // A stream no longer recorded (the program's camera rule changed) leaves the replay.
            if (om.inFile) t.objects.push_back({static_cast<std::uint8_t>(key.kind), key.id, true, {}});
            om.inFile = false;
            om.written.clear();
            if (changed) om.seen = copyOf(view);
            if (!om.gated) { om.gated = true; ++stats_.objectsWithheld; }
            continue;
        }
        om.gated = false;
        if (!changed && (om.inFile || om.withheld)) continue;
        om.seen = copyOf(view);
        if (changed) om.withheld = false;
        if (om.withheld) continue;
        auto bytes = recordedBytes(key, om.seen);
        if (om.inFile && bytes == om.written) continue;
        t.objects.push_back({static_cast<std::uint8_t>(key.kind), key.id, false, bytes});
        om.written = std::move(bytes);
        om.inFile = true;
    }
    for (auto it = objects_.begin(); it != objects_.end();) {
        if (objects.find(it->first)) { ++it; continue; }
        if (it->second.inFile) t.objects.push_back({static_cast<std::uint8_t>(it->first.kind), it->first.id, true, {}});
        it = objects_.erase(it);
    }
    // Events, as the room saw them.
    for (const sim::RoomEvent& e : events) {
        record::EventSample s;
        s.kind = static_cast<std::uint8_t>(e.kind);
        s.actor = e.actor.valid() ? e.actor.value : 0xFFFF;
        s.target = e.target.valid() ? e.target.value : 0xFFFF;
        s.item = e.panel;
        s.value = e.value;
        s.text = e.text.size() > 512 ? e.text.substr(0, 512) : e.text;
        t.events.push_back(std::move(s));
    }
    t.voice = std::move(voice_);
    voice_.clear();
    stats_.voiceFrames += t.voice.size();
    t.video = std::move(video_);
    video_.clear();
    stats_.videoFragments += t.video.size();
    for (auto it = streams_.begin(); it != streams_.end();) {
        if (nowSeconds - it->second.lastSeen > kStreamIdleSeconds) it = streams_.erase(it);
        else ++it;
    }
    writer_->append(t);
    ++stats_.ticksWritten;
}

// ---- voice -----------------------------------------------------------------------

void RecordingHost::voice(std::uint16_t slot, std::uint16_t seq, std::uint8_t level, std::uint8_t frameMs, bool talkStart,
                          std::span<const std::uint8_t> opus, double atSeconds) {
    if (!mayRecordVoice(core::EntityId{slot})) {
        if (writer_) ++stats_.voiceDropped;
        return;
    }
    if (opus.size() > 400 || voice_.size() >= 1024) { ++stats_.voiceDropped; return; }
    record::VoiceSample v;
    v.atMs = msSinceStart(atSeconds);
    if (!voice_.empty()) v.atMs = std::max(v.atMs, voice_.back().atMs);
    v.slot = slot;
    v.seq = seq;
    v.level = level;
    v.frameMs = frameMs;
    v.talkStart = talkStart;
    v.opus = copyOf(opus);
    voice_.push_back(std::move(v));
}

std::uint32_t RecordingHost::msSinceStart(double atSeconds) const {
    const double since = startSeconds_ < 0 ? 0.0 : atSeconds - startSeconds_;
    return static_cast<std::uint32_t>(std::max(0.0, std::floor(since * 1000.0)));
}

// ---- video -----------------------------------------------------------------------

void RecordingHost::video(const net::VideoFragment& f, std::span<const std::uint8_t> wire, double atSeconds) {
    if (!writer_) return;
    const std::uint16_t id = f.stream.packed();
    if (!mayRecordVideo(f.stream)) {
        ++stats_.videoWithheld;
        // When it is recorded again, it starts at a key frame.
        if (const auto it = streams_.find(id); it != streams_.end()) it->second.keyed = false;
        return;
    }
    StreamMemory& sm = streams_[id];
    sm.lastSeen = atSeconds;
    if (!sm.keyed) {
        // Nothing before a key frame decodes: wait for one (and ask for it).
        if (!f.keyframe) { sm.want = true; ++stats_.videoWithheld; return; }
        sm.keyed = true;
    }
    if (wire.empty() || wire.size() > record::kMaxVideoWireBytes || video_.size() >= kMaxVideoPerTick) {
        ++stats_.videoDropped;
        return;
    }
    record::VideoSample v;
    v.atMs = msSinceStart(atSeconds);
    if (!video_.empty()) v.atMs = std::max(v.atMs, video_.back().atMs);
    v.stream = id;
    v.wire = copyOf(wire);
    video_.push_back(std::move(v));
}

std::span<const net::VideoStreamId> RecordingHost::keyframesWanted(double nowSeconds) {
    asks_.clear();
    if (!writer_ || !system_->live()) return {};
    for (auto& [id, sm] : streams_) {
        if (!sm.want || nowSeconds - sm.lastAsk < kKeyframeAskSeconds) continue;
        const auto stream = net::VideoStreamId::unpack(id);
        sm.want = false;
        if (!stream) continue;
        sm.lastAsk = nowSeconds;
        asks_.push_back(*stream);
        ++stats_.videoKeyframesAsked;
    }
    return asks_;
}

// ---- publishing --------------------------------------------------------------------

void RecordingHost::publish(net::ObjectTable& objects) {
    if (system_->version() == published_) return;
    net::ObjectBytes out;
    if (encodeRecording(system_->state(), out)) (void)objects.set({net::ObjectKind::Recording, 0}, out.view());
    published_ = system_->version();
}

} // namespace caseroom::session
