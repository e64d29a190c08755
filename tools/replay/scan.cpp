// The pass over a recording (scan.h).
#include "scan.h"

#include <algorithm>
#include <ctime>
#include <map>
#include <optional>
#include <set>

#include "net/video_wire.h"

namespace caseroom::replay {

double Scan::tickMs(std::uint32_t tick) const {
    const double rate = info.tickRate ? info.tickRate : 30;
    return (static_cast<double>(tick) - static_cast<double>(info.firstTick)) * 1000.0 / rate;
}

double Scan::durationMs() const {
    if (lastTick < info.firstTick) return 0;
    return tickMs(lastTick + 1);
}

std::int64_t Scan::durationSamples() const {
    const double rate = info.tickRate ? info.tickRate : 30;
    if (lastTick < info.firstTick) return 0;
    // Exact in samples: 48000 x ticks / rate, rounded.
    const auto count = static_cast<std::int64_t>(lastTick) - info.firstTick + 1;
    return static_cast<std::int64_t>(static_cast<double>(count) * 48000.0 / rate + 0.5);
}

namespace {

// Presence and voice attribution as the blocks go by.
class Tracker {
public:
    Tracker(Scan& scan, bool keepVoice) : scan_(scan), keepVoice_(keepVoice) {}

    void tickRecord(const record::TickRecord& t) {
        advance(t.tick);
        for (const auto& p : t.joined) join(p, t.tick);
        for (const auto& v : t.voice) voice(v, t.tick);
        for (const auto& v : t.video) video(v);
        for (auto slot : t.left) leave(slot);
        for (const auto& a : t.avatars) scan_.stateBytes += a.state.size();
        for (const auto& o : t.objects) scan_.stateBytes += o.bytes.size();
        ++scan_.ticks;
        seen(t.tick);
    }

    void keyframe(const record::Keyframe& k) {
        if (paused_ || gap_) {
            cursor_ = k.tick;
            paused_ = gap_ = false;
            if (!scan_.pauses.empty() && scan_.pauses.back().toTick == kOpen) scan_.pauses.back().toTick = k.tick;
        } else {
            advance(k.tick);
        }
        // The keyframe is the whole room: whoever is not in it has gone.
        std::vector<std::uint16_t> gone;
        for (const auto& entry : slots_) {
            // Named, not bound: clang 14 refuses lambdas capturing structured bindings.
            const std::uint16_t slot = entry.first;
            const Occupant& occ = entry.second;
            const bool stays = std::any_of(k.present.begin(), k.present.end(), [&](const record::Present& p) {
                return p.slot == slot && p.instance == occ.present.instance && p.name == occ.present.name && p.role == occ.present.role;
            });
            if (!stays) gone.push_back(slot);
        }
        for (auto slot : gone) leave(slot);
        for (const auto& p : k.present) {
            const auto it = slots_.find(p.slot);
            if (it == slots_.end()) join(p, k.tick);
        }
        for (const auto& a : k.avatars) scan_.stateBytes += a.state.size();
        for (const auto& o : k.objects) scan_.stateBytes += o.bytes.size();
        ++scan_.keyframes;
        seen(k.tick);
    }

    // A mark or pause is on the timeline too: a recording paused to its stop
    // (the default policy after the didactic) lasts until its last mark, as
    // the replay room's timeline does (the reader's summary lastTick).
    void timeline(std::uint32_t tick) { seen(tick); }

    void pause(const record::Pause& p) {
        seen(p.tick);
        advance(p.tick);
        paused_ = true;
        scan_.pauses.push_back({p.tick, kOpen, p.phase, p.why});
    }

    // A block that did not decode: its ticks are a gap in the timeline.
    void lost() { gap_ = true; }

    void end() {
        if (haveTick_) advance(scan_.lastTick + 1);
        for (auto& p : scan_.pauses)
            if (p.toTick == kOpen) p.toTick = scan_.lastTick + 1;
    }

private:
    static constexpr std::uint32_t kOpen = 0xFFFFFFFFu;
    struct Occupant {
        record::Present present;
        std::size_t participant = 0;
        std::optional<std::size_t> stream;   // the current voice stream from this slot
    };

    void seen(std::uint32_t tick) {
        if (!haveTick_ || tick > scan_.lastTick) scan_.lastTick = tick;
        haveTick_ = true;
    }

    void advance(std::uint32_t tick) {
        if (paused_) return;
        if (gap_) {  // after a lost block: count from here
            gap_ = false;
            cursor_ = tick;
        }
        if (!haveCursor_) {
            cursor_ = tick;
            haveCursor_ = true;
        }
        if (tick > cursor_) {
            for (auto& [slot, occ] : slots_) {
                auto& part = scan_.participants[occ.participant];
                part.presentTicks += tick - cursor_;
                part.lastTick = std::max(part.lastTick, tick - 1);
            }
            cursor_ = tick;
        }
    }

    std::size_t participantFor(const record::Present& p, bool known, std::uint32_t tick) {
        for (std::size_t i = 0; i < scan_.participants.size(); ++i) {
            const auto& q = scan_.participants[i];
            if (q.known == known && q.who.name == p.name && q.who.role == p.role) return i;
        }
        Participant n;
        n.who = p;
        n.known = known;
        n.firstTick = n.lastTick = tick;
        scan_.participants.push_back(n);
        return scan_.participants.size() - 1;
    }

    void join(const record::Present& p, std::uint32_t tick) {
        if (slots_.count(p.slot)) leave(p.slot);
        Occupant occ;
        occ.present = p;
        occ.participant = participantFor(p, true, tick);
        auto& part = scan_.participants[occ.participant];
        part.lastTick = std::max(part.lastTick, tick);
        slots_[p.slot] = occ;
    }

    void leave(std::uint16_t slot) { slots_.erase(slot); }

    void video(const record::VideoSample& v) {
        const auto id = net::VideoStreamId::unpack(v.stream);
        const auto kind = id ? static_cast<std::size_t>(id->kind) : kVideoKinds;
        if (kind >= kVideoKinds) { ++scan_.videoUnknown; return; }
        VideoCount& c = scan_.video[kind];
        if (videoStreams_.insert(v.stream).second) ++c.streams;
        ++c.fragments;
        c.bytes += v.wire.size();
    }

    void voice(const record::VoiceSample& v, std::uint32_t tick) {
        ++scan_.voiceFrames;
        scan_.voiceBytes += v.opus.size();
        auto it = slots_.find(v.slot);
        if (it == slots_.end()) {
            // Voice from a slot nobody is known to hold (its join was in a lost block).
            record::Present unknown;
            unknown.slot = v.slot;
            unknown.name = "slot " + std::to_string(v.slot);
            Occupant occ;
            occ.present = unknown;
            occ.participant = participantFor(unknown, false, tick);
            it = unknownSlots_.emplace(v.slot, occ).first;
        }
        auto& occ = it->second;
        ++scan_.participants[occ.participant].voiceFrames;
        if (!keepVoice_) return;
        if (!occ.stream) {
            VoiceStream s;
            s.speaker = static_cast<std::uint32_t>(occ.participant);
            scan_.streams.push_back(std::move(s));
            occ.stream = scan_.streams.size() - 1;
        }
        scan_.streams[*occ.stream].frames.push_back(v);
    }

    Scan& scan_;
    bool keepVoice_;
    std::map<std::uint16_t, Occupant> slots_;          // present now
    std::map<std::uint16_t, Occupant> unknownSlots_;   // voice without a known occupant
    std::set<std::uint16_t> videoStreams_;             // packed stream ids seen
    std::uint32_t cursor_ = 0;
    bool haveCursor_ = false, haveTick_ = false, paused_ = false, gap_ = false;
};

bool sameDamage(const record::Damage& a, const record::Damage& b) {
    return a.offset < b.offset + std::max<std::uint64_t>(b.bytes, 1) && b.offset < a.offset + std::max<std::uint64_t>(a.bytes, 1);
}

} // namespace

Scan scanRecording(record::RecordingReader& reader, const std::string& path, const ScanOptions& options) {
    Scan scan;
    scan.path = path;
    scan.info = reader.info();
    const auto& summary = reader.summary();
    // The info block lost (damage): time 0 is then the first tick read.
    if (scan.info == record::RecordingInfo{} && !reader.blocks().empty()) scan.info.firstTick = summary.firstTick;
    scan.fileBytes = summary.fileBytes;
    scan.closed = summary.closed;
    scan.damage = summary.damage;
    scan.lastTick = scan.info.firstTick;
    Tracker tracker(scan, options.keepVoice);
    const auto& blocks = reader.blocks();
    scan.blocks = blocks.size();
    for (std::size_t i = 0; i < blocks.size(); ++i) {
        if (options.progress) options.progress(i, blocks.size());
        auto block = reader.read(i);
        if (!block) {
            record::Damage d;
            d.offset = blocks[i].offset;
            d.bytes = (i + 1 < blocks.size() ? blocks[i + 1].offset : scan.fileBytes) - blocks[i].offset;
            d.fromTick = blocks[i].firstTick;
            d.toTick = blocks[i].lastTick;
            d.what = block.error().message;
            if (std::none_of(scan.damage.begin(), scan.damage.end(), [&](const record::Damage& x) { return sameDamage(x, d); }))
                scan.damage.push_back(d);
            tracker.lost();
            continue;
        }
        if (block->keyframe) tracker.keyframe(*block->keyframe);
        // Ticks and pauses in tick order (a pause at t comes before a record at t).
        std::size_t p = 0;
        for (const auto& t : block->ticks) {
            while (p < block->pauses.size() && block->pauses[p].tick <= t.tick) tracker.pause(block->pauses[p++]);
            tracker.tickRecord(t);
        }
        while (p < block->pauses.size()) tracker.pause(block->pauses[p++]);
        for (const auto& m : block->marks) scan.marks.push_back(m);
    }
    if (options.progress) options.progress(blocks.size(), blocks.size());
    // Marks the blocks lost but the index kept.
    for (const auto& m : summary.marks)
        if (std::none_of(scan.marks.begin(), scan.marks.end(), [&](const record::Mark& x) { return x.tick == m.tick && x.label == m.label; }))
            scan.marks.push_back(m);
    std::stable_sort(scan.marks.begin(), scan.marks.end(), [](const auto& a, const auto& b) { return a.tick < b.tick; });
    for (const auto& m : scan.marks) tracker.timeline(m.tick);
    tracker.end();
    std::sort(scan.damage.begin(), scan.damage.end(), [](const auto& a, const auto& b) { return a.offset < b.offset; });
    return scan;
}

std::vector<Chapter> chaptersIn(const Scan& scan, double fromMs, double toMs, std::size_t max) {
    std::vector<Chapter> out;
    const record::Mark* current = nullptr;
    for (const auto& m : scan.marks)
        if (scan.tickMs(m.tick) <= fromMs + 0.5) current = &m;
    if (current && max > 0) out.push_back({0, current->label});
    for (const auto& m : scan.marks) {
        const double at = scan.tickMs(m.tick);
        if (at > fromMs + 0.5 && at < toMs && out.size() < max) out.push_back({at - fromMs, m.label});
    }
    return out;
}

std::string isoDate(std::uint64_t unixSeconds) {
    const auto t = static_cast<std::time_t>(unixSeconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

} // namespace caseroom::replay
