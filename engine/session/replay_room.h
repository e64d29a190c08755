// A replay room's playback: a recording (record/recording.h) read back as
// the room it was, tick by tick, on a clock the viewers control (play,
// pause, seek, speed 0.5x..2x). Pure: time comes in as advance(dt); the only
// I/O is the RecordingReader's block reads, one decoded block cached.
//
// The state at the playback position is exactly what the recorded room
// showed at that tick: who was present (recorded slots and instances), each
// present avatar's QuantizedAvatar, the room objects (ObjectKey -> the bytes
// the live ObjectTable held). seek(t) and playing up to t give the same
// state (ReplayState ==): a seek loads the last keyframe at or before t and
// applies the tick records after it, reading one keyframe block plus the
// blocks up to t.
//
// Pauses in the recording (nothing written until the next keyframe) are
// skipped by playback: the position jumps from the pause to the keyframe
// that resumes it. A seek into such a gap shows the room as it was paused.
// Damage (what the reader reported, or a block that fails to decode late) is
// skipped with a logged note: the state holds until the next keyframe.
//
// The playback's own objects, ServerHost writes into the room's ObjectTable:
// Replay (id 0: position, length, speed, title) and ReplayMark (id = index,
// one per timeline mark, at most kMaxReplayMarks). Codecs below.
// Thread rule: one thread (the server's).
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "net/avatar_codec.h"
#include "net/room_objects.h"
#include "record/recording.h"
#include "sim/layout.h"

namespace caseroom::session {

// The room's own objects use up to 169 of net::kMaxRoomObjects (192); the
// playback object takes one, the marks the remaining 22. A recording with
// more marks shows its first 22 (ReplayRoom::marksDropped says how many not).
constexpr std::size_t kMaxReplayMarks = 22;
constexpr std::size_t kMaxReplayTitleBytes = 128;
constexpr std::size_t kMaxReplayMarkLabelBytes = 96;   // = record::Mark::label's bound

// What the room shows at one tick of the recording.
struct ReplayState {
    std::uint32_t tick = 0;                                    // the playback position (recording ticks)
    std::map<std::uint16_t, record::Present> present;          // by slot
    std::map<std::uint16_t, net::QuantizedAvatar> avatars;     // by slot; present slots with a sample
    std::map<net::ObjectKey, std::vector<std::uint8_t>> objects;
    friend bool operator==(const ReplayState&, const ReplayState&) = default;
};

// What came due in one advance() (or seek(): `jumped`), in order.
struct ReplayDue {
    bool jumped = false;                        // a seek or a resync at a keyframe: diff the whole state
    std::vector<record::Present> joined;
    std::vector<std::uint16_t> left;
    std::vector<std::uint16_t> avatarsChanged;  // slots (may repeat)
    std::vector<net::ObjectKey> objectsChanged; // set or removed (may repeat)
    std::vector<record::VoiceSample> voice;     // frames whose atMs the clock passed, in file order
    std::vector<record::VideoSample> video;     // video fragments likewise (the messages as forwarded live)
    void clear() { *this = ReplayDue{}; }
};

// The Replay object (ObjectKind::Replay, id 0).
struct ReplayInfoObject {
    std::uint32_t position = 0, firstTick = 0, lastTick = 0; // recording ticks
    std::uint16_t speedPercent = 100;           // 50..200
    bool paused = true;
    std::uint16_t tickRate = 30;                // 1..240
    std::uint64_t startedUnix = 0;              // wall clock at the recording's first tick
    std::string title;                          // at most kMaxReplayTitleBytes (clipped)
    friend bool operator==(const ReplayInfoObject&, const ReplayInfoObject&) = default;
};
// One timeline mark (ObjectKind::ReplayMark, id = index).
struct ReplayMarkObject {
    std::uint32_t tick = 0;
    std::uint8_t phase = 0;                     // sim::Phase, < Phase::Count
    std::uint16_t entry = 0;
    std::string label;                          // at most kMaxReplayMarkLabelBytes (clipped)
    friend bool operator==(const ReplayMarkObject&, const ReplayMarkObject&) = default;
};
[[nodiscard]] bool encodeReplayInfo(const ReplayInfoObject& v, net::ObjectBytes& out);
[[nodiscard]] std::optional<ReplayInfoObject> decodeReplayInfo(std::span<const std::uint8_t> bytes);
[[nodiscard]] bool encodeReplayMark(const ReplayMarkObject& v, net::ObjectBytes& out);
[[nodiscard]] std::optional<ReplayMarkObject> decodeReplayMark(std::span<const std::uint8_t> bytes);

// The recorded room's layout, from its `[room CODE]` section (RecordingInfo::
// roomSpec), named `code`; the default room when it does not read (logged).
// Its maxParticipants is the room's own capacity: the viewers'.
[[nodiscard]] sim::RoomSpec replayRoomSpec(const record::RecordingInfo& info, const std::string& code);

struct ReplayStats {
    std::uint64_t blocksRead = 0;       // reader.read() calls (the cache's misses)
    std::uint64_t damageSkipped = 0;    // damaged stretches skipped (reported or found late)
    std::uint64_t badSamples = 0;       // avatar samples that did not decode (dropped)
    std::uint64_t voiceOut = 0;         // voice frames handed out
    std::uint64_t videoOut = 0;         // video fragments handed out
};

class ReplayRoom {
public:
    // Over an open reader (not owned; outlives this). Starts paused at the
    // recording's first tick.
    explicit ReplayRoom(record::RecordingReader& reader);

    [[nodiscard]] const record::RecordingInfo& info() const { return reader_.info(); }
    [[nodiscard]] std::uint32_t firstTick() const { return first_; }
    [[nodiscard]] std::uint32_t lastTick() const { return last_; }
    // 1 + the highest slot ever recorded (0: none): the slots a replay room keeps for its ghosts.
    [[nodiscard]] std::uint32_t recordedSlots() const { return recordedSlots_; }
    [[nodiscard]] const ReplayState& state() const { return state_; }
    [[nodiscard]] std::uint32_t position() const { return state_.tick; }
    [[nodiscard]] bool paused() const { return paused_; }
    [[nodiscard]] std::uint16_t speedPercent() const { return speed_; }
    // The timeline: the recording's marks, at most kMaxReplayMarks.
    [[nodiscard]] const std::vector<record::Mark>& marks() const { return marks_; }
    [[nodiscard]] std::size_t marksDropped() const { return marksDropped_; }
    [[nodiscard]] const ReplayStats& stats() const { return stats_; }
    // Notes on damage met so far (also logged).
    [[nodiscard]] const std::vector<std::string>& notes() const { return notes_; }

    // Goes to `tick` (clamped to [firstTick, lastTick]); the fraction of a
    // tick and the voice not yet due are dropped. `due.jumped` is set.
    void seek(std::uint32_t tick, ReplayDue* due = nullptr);
    void play();   // at the end: restarts from the first tick
    void pause();
    void setSpeedPercent(std::uint32_t percent); // clamped to 50..200
    // Exports: moves to `tick` on the recorded timeline (clamped to
    // [firstTick, lastTick]) whatever the play state, applying everything up
    // to it; a recorded pause is not skipped but shown as the room was
    // paused. An earlier tick seeks. Walking forward tick by tick reads each
    // block once.
    void stepTo(std::uint32_t tick, ReplayDue* due = nullptr);
    // Whether the position lies in a recorded pause (nothing was recorded there).
    [[nodiscard]] bool inRecordedPause() const { return gapEnd(state_.tick).has_value(); }
    // Moves the recorded clock by dtSeconds * speed (paused: nothing).
    // Appends what came due to `due` (not cleared here). At the last tick it
    // pauses there.
    void advance(double dtSeconds, ReplayDue& due);

    // The playback object and the marks' objects as the host publishes them.
    [[nodiscard]] ReplayInfoObject infoObject() const;
    [[nodiscard]] ReplayMarkObject markObject(std::size_t i) const;

private:
    // A tick record or keyframe in file order, as the cursor walks them.
    struct Cursor {
        std::size_t block = 0;     // index into reader.blocks()
        std::size_t item = 0;      // next tick record within a Ticks block
        std::size_t voice = 0;     // voice frames of that record already handed out
        std::size_t video = 0;     // video fragments of that record already handed out
    };
    const record::Block* block(std::size_t i);   // cached; nullptr: damaged (noted, marked)
    // Resets the state to the keyframe of block `i` (a Keyframe block).
    void loadKeyframe(const record::Keyframe& k, ReplayDue* due);
    void applyTick(const record::TickRecord& t, ReplayDue* due);
    // The next item the cursor points at: a tick record (returns it, with
    // the block), a keyframe (returns nullptr, sets *keyframe), or the end.
    const record::TickRecord* peek(const record::Keyframe** keyframe);
    void stepCursor();
    // Damage at block `from`: noted once (why null: already noted), the cursor to the next keyframe block.
    void skipToNextKeyframe(std::size_t from, const char* why);
    // Applies every item with tick <= `tick`; the cursor stops at the first later one.
    void applyUpTo(std::uint32_t tick, ReplayDue* due);
    // Whether `tick` lies in a recorded pause: [pause.tick, next keyframe).
    [[nodiscard]] std::optional<std::uint32_t> gapEnd(std::uint32_t tick) const;
    void note(std::string what);
    [[nodiscard]] double msOf(double tick) const;

    record::RecordingReader& reader_;
    std::uint32_t first_ = 0, last_ = 0;
    std::uint32_t recordedSlots_ = 0;
    ReplayState state_;
    std::map<std::uint16_t, bool> hasBase_;      // slot -> a tick-record sample since its join or the last keyframe
    std::vector<bool> damagedBefore_;            // per block: damage lies between it and the block before
    std::vector<bool> bad_;                      // per block: failed to read
    std::vector<bool> noted_;                    // per block: its damage was noted
    std::vector<record::Mark> marks_;
    std::size_t marksDropped_ = 0;
    std::vector<std::uint32_t> keyframeTicks_;   // ascending
    std::optional<std::size_t> cachedIndex_;
    record::Block cached_;
    Cursor cursor_;
    bool paused_ = true;
    std::uint16_t speed_ = 100;
    double fraction_ = 0;                        // of a tick, past state_.tick
    ReplayStats stats_;
    std::vector<std::string> notes_;
};

} // namespace caseroom::session
