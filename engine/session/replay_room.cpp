// [SECTION] object codecs: Replay, ReplayMark
// [SECTION] the cursor: blocks, damage, items in file order
// [SECTION] state: keyframes and tick records
// [SECTION] playback: seek, play, advance
#include "session/replay_room.h"

#include <algorithm>
#include <limits>

#include "core/config_text.h"
#include "core/log.h"
#include "core/utf8.h"
#include "net/stream.h"
#include "session/panel_wire.h"
#include "session/recording_wire.h"
#include "sim/phase.h"

namespace caseroom::session {

// ---- [SECTION] object codecs: Replay, ReplayMark ------------------------------

namespace {
// Replay: position:32 first:32 last:32 speed:[50,200] paused:1 rate:[1,240] started:64 title:string(128)
template <typename S>
bool serializeInfo(S& s, ReplayInfoObject& v) {
    std::uint32_t speed = v.speedPercent, rate = v.tickRate;
    if (!serializeU32(s, v.position) || !serializeU32(s, v.firstTick) || !serializeU32(s, v.lastTick) ||
        !serializeUInt(s, speed, net::kMinReplaySpeedPercent, net::kMaxReplaySpeedPercent) || !serializeBool(s, v.paused) ||
        !serializeUInt(s, rate, 1, 240) || !serializeU64(s, v.startedUnix) ||
        !serializeString(s, v.title, kMaxReplayTitleBytes))
        return false;
    v.speedPercent = static_cast<std::uint16_t>(speed);
    v.tickRate = static_cast<std::uint16_t>(rate);
    return v.firstTick <= v.lastTick && v.position >= v.firstTick && v.position <= v.lastTick && core::validUtf8(v.title);
}
// ReplayMark: tick:32 phase:[0,Phase::Count) entry:16 label:string(96)
template <typename S>
bool serializeMark(S& s, ReplayMarkObject& v) {
    std::uint32_t phase = v.phase;
    if (!serializeU32(s, v.tick) || !serializeUInt(s, phase, 0, static_cast<std::uint32_t>(sim::Phase::Count) - 1) ||
        !serializeU16(s, v.entry) || !serializeString(s, v.label, kMaxReplayMarkLabelBytes))
        return false;
    v.phase = static_cast<std::uint8_t>(phase);
    return core::validUtf8(v.label);
}
} // namespace

bool encodeReplayInfo(const ReplayInfoObject& v, net::ObjectBytes& out) {
    ReplayInfoObject c = v;
    c.title = clipUtf8(v.title, kMaxReplayTitleBytes);
    return net::encodeObjectWith(c, [](auto& s, ReplayInfoObject& x) { return serializeInfo(s, x); }, out);
}
std::optional<ReplayInfoObject> decodeReplayInfo(std::span<const std::uint8_t> bytes) {
    return net::decodeObjectWith<ReplayInfoObject>(bytes, [](auto& s, ReplayInfoObject& x) { return serializeInfo(s, x); });
}
bool encodeReplayMark(const ReplayMarkObject& v, net::ObjectBytes& out) {
    ReplayMarkObject c = v;
    c.label = clipUtf8(v.label, kMaxReplayMarkLabelBytes);
    return net::encodeObjectWith(c, [](auto& s, ReplayMarkObject& x) { return serializeMark(s, x); }, out);
}
std::optional<ReplayMarkObject> decodeReplayMark(std::span<const std::uint8_t> bytes) {
    return net::decodeObjectWith<ReplayMarkObject>(bytes, [](auto& s, ReplayMarkObject& x) { return serializeMark(s, x); });
}

sim::RoomSpec replayRoomSpec(const record::RecordingInfo& info, const std::string& code) {
    sim::RoomSpec spec;
    auto doc = core::parseConfigText(info.roomSpec, "recording of room '" + info.room + "'");
    if (doc) {
        auto specs = sim::roomSpecsFromConfig(*doc);
        if (specs && !specs->empty()) spec = specs->front();
        else CR_LOG_WARN("replay: %s: the recorded room spec names no room: the default room is used", specs ? info.room.c_str() : specs.error().message.c_str());
    } else {
        CR_LOG_WARN("replay: %s: the default room is used", doc.error().message.c_str());
    }
    spec.code = code;
    return spec;
}

// ---- [SECTION] the cursor: blocks, damage, items in file order ---------------

ReplayRoom::ReplayRoom(record::RecordingReader& reader) : reader_(reader) {
    const record::ReaderSummary& sum = reader_.summary();
    const auto& refs = reader_.blocks();
    first_ = sum.firstTick;
    last_ = std::max(sum.lastTick, sum.firstTick);
    for (const record::Present& p : sum.everyone) recordedSlots_ = std::max<std::uint32_t>(recordedSlots_, p.slot + 1u);
    damagedBefore_.assign(refs.size(), false);
    bad_.assign(refs.size(), false);
    noted_.assign(refs.size(), false);
    // Damage between two good blocks: the block after it cannot trust its
    // deltas (their bases were in the lost bytes).
    for (const record::Damage& d : sum.damage)
        for (std::size_t i = 0; i < refs.size(); ++i)
            if (refs[i].offset > d.offset) { damagedBefore_[i] = true; break; }
    for (std::size_t i = 0; i < refs.size(); ++i)
        if (refs[i].kind == record::BlockKind::Keyframe) keyframeTicks_.push_back(refs[i].firstTick);
    for (const record::Mark& m : sum.marks) {
        if (marks_.size() < kMaxReplayMarks) marks_.push_back(m);
        else ++marksDropped_;
    }
    if (marksDropped_ > 0)
        note(std::to_string(marksDropped_) + " timeline marks past the first " + std::to_string(kMaxReplayMarks) + " are not shown");
    seek(first_);
}

void ReplayRoom::note(std::string what) {
    CR_LOG_WARN("replay of '%s': %s", reader_.info().room.c_str(), what.c_str());
    notes_.push_back(std::move(what));
}

double ReplayRoom::msOf(double tick) const {
    const double rate = reader_.info().tickRate > 0 ? reader_.info().tickRate : 30.0;
    return (tick - static_cast<double>(reader_.info().firstTick)) * 1000.0 / rate;
}

const record::Block* ReplayRoom::block(std::size_t i) {
    if (cachedIndex_ && *cachedIndex_ == i) return &cached_;
    if (i >= bad_.size() || bad_[i]) return nullptr;
    auto r = reader_.read(i);
    ++stats_.blocksRead;
    if (!r) {
        bad_[i] = true;
        note("block " + std::to_string(i) + " unreadable, skipped to the next keyframe: " + r.error().message);
        return nullptr;
    }
    cached_ = std::move(*r);
    cachedIndex_ = i;
    return &cached_;
}

void ReplayRoom::skipToNextKeyframe(std::size_t from, const char* why) {
    const auto& refs = reader_.blocks();
    if (from < noted_.size() && !noted_[from]) {
        noted_[from] = true;
        ++stats_.damageSkipped;
        if (why) note(std::string(why) + " before ticks from " + std::to_string(refs[from].firstTick) + ": skipped to the next keyframe");
    }
    std::size_t j = from + 1;
    while (j < refs.size() && refs[j].kind != record::BlockKind::Keyframe) ++j;
    cursor_ = Cursor{};
    cursor_.block = j;
}

const record::TickRecord* ReplayRoom::peek(const record::Keyframe** keyframe) {
    *keyframe = nullptr;
    const auto& refs = reader_.blocks();
    while (cursor_.block < refs.size()) {
        const std::size_t i = cursor_.block;
        if (refs[i].kind == record::BlockKind::Keyframe) {
            const record::Block* b = block(i);
            if (b && b->keyframe) { *keyframe = &*b->keyframe; return nullptr; }
            skipToNextKeyframe(i, b ? "a keyframe block without its keyframe" : nullptr);
            continue;
        }
        if (cursor_.item == 0 && damagedBefore_[i]) {
            skipToNextKeyframe(i, "damaged bytes");
            continue;
        }
        const record::Block* b = block(i);
        if (!b) { skipToNextKeyframe(i, nullptr); continue; }
        if (cursor_.item < b->ticks.size()) return &b->ticks[cursor_.item];
        cursor_ = Cursor{};
        cursor_.block = i + 1;
    }
    return nullptr;
}

void ReplayRoom::stepCursor() {
    const auto& refs = reader_.blocks();
    const std::size_t i = cursor_.block;
    if (i >= refs.size()) return;
    cursor_.voice = 0;
    cursor_.video = 0;
    if (refs[i].kind == record::BlockKind::Keyframe) {
        cursor_ = Cursor{};
        cursor_.block = i + 1;
        return;
    }
    ++cursor_.item;
    // Past the block's last record: onto the next block, unread (applyUpTo
    // stops on its firstTick without reading it).
    if (cachedIndex_ && *cachedIndex_ == i && cursor_.item >= cached_.ticks.size()) {
        cursor_ = Cursor{};
        cursor_.block = i + 1;
    }
}

std::optional<std::uint32_t> ReplayRoom::gapEnd(std::uint32_t tick) const {
    std::optional<std::uint32_t> end;
    for (const record::Pause& p : reader_.summary().pauses) {
        if (p.tick > tick) continue;
        const auto k = std::upper_bound(keyframeTicks_.begin(), keyframeTicks_.end(), p.tick);
        const std::uint32_t resume = k != keyframeTicks_.end() ? *k : last_;
        if (tick < resume) end = resume;
    }
    return end;
}

// ---- [SECTION] state: keyframes and tick records -----------------------------

void ReplayRoom::loadKeyframe(const record::Keyframe& k, ReplayDue* due) {
    state_.present.clear();
    state_.avatars.clear();
    state_.objects.clear();
    hasBase_.clear();
    for (const record::Present& p : k.present) state_.present[p.slot] = p;
    for (const record::AvatarSample& a : k.avatars) {
        const auto q = decodeRecordedAvatar(a.state, nullptr);
        if (!q || !state_.present.contains(a.slot)) { ++stats_.badSamples; continue; }
        state_.avatars[a.slot] = *q;
    }
    for (const record::ObjectSample& o : k.objects)
        if (!o.removed) state_.objects[net::ObjectKey{static_cast<net::ObjectKind>(o.kind), o.id}] = o.bytes;
    if (due) due->jumped = true;
}

void ReplayRoom::applyTick(const record::TickRecord& t, ReplayDue* due) {
    for (std::uint16_t slot : t.left) {
        state_.present.erase(slot);
        state_.avatars.erase(slot);
        hasBase_.erase(slot);
        if (due) due->left.push_back(slot);
    }
    for (const record::Present& p : t.joined) {
        state_.present[p.slot] = p;
        state_.avatars.erase(p.slot);
        hasBase_.erase(p.slot); // its first sample is absolute
        if (due) due->joined.push_back(p);
    }
    for (const record::AvatarSample& a : t.avatars) {
        const auto base = hasBase_.find(a.slot);
        const auto prev = state_.avatars.find(a.slot);
        const bool delta = base != hasBase_.end() && prev != state_.avatars.end();
        const auto q = decodeRecordedAvatar(a.state, delta ? &prev->second : nullptr);
        if (!q || !state_.present.contains(a.slot)) { ++stats_.badSamples; continue; }
        state_.avatars[a.slot] = *q;
        hasBase_[a.slot] = true;
        if (due) due->avatarsChanged.push_back(a.slot);
    }
    for (const record::ObjectSample& o : t.objects) {
        const net::ObjectKey key{static_cast<net::ObjectKind>(o.kind), o.id};
        if (o.removed) state_.objects.erase(key);
        else state_.objects[key] = o.bytes;
        if (due) due->objectsChanged.push_back(key);
    }
}

void ReplayRoom::applyUpTo(std::uint32_t tick, ReplayDue* due) {
    const auto& refs = reader_.blocks();
    for (;;) {
        if (cursor_.block < refs.size() && cursor_.item == 0 && refs[cursor_.block].firstTick > tick) break;
        const record::Keyframe* kf = nullptr;
        const record::TickRecord* t = peek(&kf);
        if (!t && !kf) break;
        if ((t ? t->tick : kf->tick) > tick) break;
        if (kf) {
            loadKeyframe(*kf, due);
        } else {
            if (due) {
                for (std::size_t v = cursor_.voice; v < t->voice.size(); ++v) {
                    due->voice.push_back(t->voice[v]);
                    ++stats_.voiceOut;
                }
                for (std::size_t v = cursor_.video; v < t->video.size(); ++v) {
                    due->video.push_back(t->video[v]);
                    ++stats_.videoOut;
                }
            }
            applyTick(*t, due);
        }
        stepCursor();
    }
    state_.tick = tick;
}

// ---- [SECTION] playback: seek, play, advance ---------------------------------

void ReplayRoom::seek(std::uint32_t tick, ReplayDue* due) {
    tick = std::clamp(tick, first_, last_);
    state_ = ReplayState{};
    hasBase_.clear();
    fraction_ = 0;
    cursor_ = Cursor{};
    if (const auto k = reader_.keyframeAtOrBefore(tick)) cursor_.block = *k;
    applyUpTo(tick, nullptr);
    if (due) due->jumped = true;
}

void ReplayRoom::stepTo(std::uint32_t tick, ReplayDue* due) {
    tick = std::clamp(tick, first_, last_);
    if (tick < state_.tick) {
        seek(tick, due);
        return;
    }
    fraction_ = 0;
    applyUpTo(tick, due);
}

void ReplayRoom::play() {
    if (state_.tick >= last_) seek(first_);
    paused_ = false;
}

void ReplayRoom::pause() { paused_ = true; }

void ReplayRoom::setSpeedPercent(std::uint32_t percent) {
    speed_ = static_cast<std::uint16_t>(std::clamp(percent, net::kMinReplaySpeedPercent, net::kMaxReplaySpeedPercent));
}

void ReplayRoom::advance(double dtSeconds, ReplayDue& due) {
    if (paused_ || dtSeconds <= 0) return;
    const double rate = reader_.info().tickRate > 0 ? reader_.info().tickRate : 30.0;
    fraction_ += dtSeconds * speed_ / 100.0 * rate;
    for (;;) {
        if (state_.tick >= last_) break;
        if (const auto end = gapEnd(state_.tick); end && *end > state_.tick) { // nothing was recorded: skip it
            applyUpTo(*end, &due);
            continue;
        }
        if (fraction_ < 1.0) break;
        fraction_ -= 1.0;
        applyUpTo(state_.tick + 1, &due);
    }
    if (state_.tick >= last_) {
        paused_ = true;
        fraction_ = 0;
        return;
    }
    // The next record's voice and video, as the clock passes each one's arrival.
    const double nowMs = msOf(state_.tick + fraction_);
    const record::Keyframe* kf = nullptr;
    if (const record::TickRecord* t = peek(&kf)) {
        for (; cursor_.voice < t->voice.size() && t->voice[cursor_.voice].atMs <= nowMs; ++cursor_.voice) {
            due.voice.push_back(t->voice[cursor_.voice]);
            ++stats_.voiceOut;
        }
        for (; cursor_.video < t->video.size() && t->video[cursor_.video].atMs <= nowMs; ++cursor_.video) {
            due.video.push_back(t->video[cursor_.video]);
            ++stats_.videoOut;
        }
    }
}

ReplayInfoObject ReplayRoom::infoObject() const {
    ReplayInfoObject o;
    o.position = state_.tick;
    o.firstTick = first_;
    o.lastTick = last_;
    o.speedPercent = speed_;
    o.paused = paused_;
    o.tickRate = static_cast<std::uint16_t>(std::clamp<std::uint32_t>(reader_.info().tickRate, 1, 240));
    o.startedUnix = reader_.info().startedUnix;
    o.title = reader_.info().title.empty() ? reader_.info().room : reader_.info().title;
    return o;
}

ReplayMarkObject ReplayRoom::markObject(std::size_t i) const {
    ReplayMarkObject o;
    if (i >= marks_.size()) return o;
    o.tick = marks_[i].tick;
    o.phase = marks_[i].phase < static_cast<std::uint8_t>(sim::Phase::Count) ? marks_[i].phase : 0;
    o.entry = marks_[i].entry;
    o.label = marks_[i].label;
    return o;
}

} // namespace caseroom::session
