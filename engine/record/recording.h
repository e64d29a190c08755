// A recording of a room: what every participant could see and hear, tick by
// tick, kept crash-safe and encrypted at rest (docs/RECORDING.md has the
// file format byte by byte).
//
// The content model is the room's replicated state in its wire forms, so a
// replay room can serve it back through the same replication path:
// - who is present (slot, instance, role, display name),
// - each present avatar's quantized state (bytes of the session's avatar
//   codec, session/recording_wire.h: absolute in keyframes, a delta against
//   the slot's previous sample in tick records),
// - the room objects (kind, id, bytes of the owning system's codec),
// - voice frames as received (the Opus bytes, never re-encoded), timed in
//   milliseconds since the recording began,
// - video fragments as the server forwarded them (the VideoFragment
//   message's bytes, never re-encoded), timed the same way (format 2 on),
// - the room's events (sim/events.h kinds, with their text where the kind
//   has one), from which the timeline's marks (phases, cases) come.
// This module knows none of those codecs: it keeps bytes, ticks and times.
// core (and libsodium, and the key file of net/secure) only.
//
// Thread rule: a RecordingWriter is called from one thread (the room's);
// it seals, writes and syncs blocks on its own worker thread, so append()
// never does I/O. A RecordingReader is single-threaded.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/role.h"

namespace caseroom::record {

// The version this build writes, and the oldest it reads (docs/RECORDING.md
// "Versions"): 1 has no video; 2 adds each tick record's video list.
constexpr std::uint32_t kFormatVersion = 2;
constexpr std::uint32_t kOldestFormatVersion = 1;
// One video fragment's wire bytes: the VideoFragment message as the server
// forwards it (type byte, 13 header bytes, at most 1100 payload bytes: the
// net catalog's limit; session/recording_host.cpp checks the two agree).
constexpr std::size_t kMaxVideoWireBytes = 1 + 13 + 1100;
constexpr std::size_t kKeyBytes = 32;
using Key = std::array<std::uint8_t, kKeyBytes>;

// The program's recording policy (docs/RECORDING.md "Policy"). Values are in
// the clinic records and in recordings: append only.
enum class Policy : std::uint8_t {
    Never,        // the room may not be recorded
    DidacticOnly, // the default: live only in the didactic phase; paused by itself in every other phase
    WholeSession, // every phase, case phases included (the program allows it)
    Count
};
const char* toString(Policy p);
[[nodiscard]] std::optional<Policy> policyFromString(std::string_view s); // "never", "didactic", "whole"

// ---- Content ------------------------------------------------------------------

// Written once, first, in its own block.
struct RecordingInfo {
    std::string room;              // room code
    std::string title;             // the program's or room's name
    std::uint64_t session = 0;     // the clinic session recorded (0: none known)
    std::uint64_t startedUnix = 0; // wall clock at the first tick, seconds
    std::uint32_t tickRate = 30;   // ticks per second
    std::uint32_t firstTick = 0;   // the room tick the recording began at
    Policy policy = Policy::DidacticOnly;
    std::string roomSpec;          // the room's `[room CODE]` section as a rooms file holds it (sim::roomSpecsFromConfig reads it back), so a replay builds the same room
    friend bool operator==(const RecordingInfo&, const RecordingInfo&) = default;
};

struct Present {                   // a participant in the room
    std::uint16_t slot = 0;        // entity slot (the room's; voice and objects name it)
    std::uint16_t instance = 0;    // which occupant of the slot
    core::Role role = core::Role::Spoke;
    std::string name;              // display name, at most 48 bytes
    friend bool operator==(const Present&, const Present&) = default;
};

struct AvatarSample {
    std::uint16_t slot = 0;
    std::vector<std::uint8_t> state; // at most 64 bytes (session/recording_wire.h)
    friend bool operator==(const AvatarSample&, const AvatarSample&) = default;
};

struct ObjectSample {
    std::uint8_t kind = 0;          // net::ObjectKind
    std::uint16_t id = 0;
    bool removed = false;           // true: the object is gone (bytes empty)
    std::vector<std::uint8_t> bytes; // at most 512 bytes (net::kMaxObjectBytes)
    friend bool operator==(const ObjectSample&, const ObjectSample&) = default;
};

struct VoiceSample {
    std::uint32_t atMs = 0;         // arrival, ms since the recording's first tick (non-decreasing in a file)
    std::uint16_t slot = 0;         // the speaker
    std::uint16_t seq = 0;          // the speaker's frame sequence
    std::uint8_t level = 0;         // the speech level byte as the server believed it (255 = 0 dBFS, half-dB steps)
    std::uint8_t frameMs = 20;      // the frame's duration (20 or 10)
    bool talkStart = false;         // first frame after a send gap: silence before it, not loss
    std::vector<std::uint8_t> opus; // at most 400 bytes (net::kMaxVoiceBytes)
    friend bool operator==(const VoiceSample&, const VoiceSample&) = default;
};

// One fragment of a recorded stream. The bytes are the message the server
// forwarded (net::decodeMessage reads them; a replay server can send them
// on as they are); the record module reads none of it.
struct VideoSample {
    std::uint32_t atMs = 0;         // arrival, ms since the recording's first tick (non-decreasing in a file)
    std::uint16_t stream = 0;       // net::VideoStreamId::packed(): publisher slot << 2 | kind (0 camera, 1 screen)
    std::vector<std::uint8_t> wire; // at most kMaxVideoWireBytes
    friend bool operator==(const VideoSample&, const VideoSample&) = default;
};

struct EventSample {
    std::uint8_t kind = 0;          // sim::RoomEventKind
    std::uint16_t actor = 0xFFFF;   // entity slot; 0xFFFF: the room itself
    std::uint16_t target = 0xFFFF;
    std::uint16_t item = 0;         // RoomEvent::panel (panel, plan entry, case index)
    std::uint32_t value = 0;
    std::string text;               // at most 512 bytes
    friend bool operator==(const EventSample&, const EventSample&) = default;
};

// One room tick while recording is live. Only what changed is in it.
struct TickRecord {
    std::uint32_t tick = 0;
    std::vector<Present> joined;        // entered this tick
    std::vector<std::uint16_t> left;    // slots that emptied this tick
    std::vector<AvatarSample> avatars;  // changed avatars (delta against the slot's previous sample)
    std::vector<ObjectSample> objects;  // changed or removed objects
    std::vector<VoiceSample> voice;     // frames that arrived since the previous tick
    std::vector<EventSample> events;
    // Fragments that arrived since the previous tick (format 2 on; empty in
    // older files). Initialised, so brace lists that predate it stay complete.
    std::vector<VideoSample> video{};
    friend bool operator==(const TickRecord&, const TickRecord&) = default;
};

// The whole room at one tick: replaying from a keyframe needs nothing before it.
struct Keyframe {
    std::uint32_t tick = 0;
    std::vector<Present> present;
    std::vector<AvatarSample> avatars;  // absolute, one per present participant
    std::vector<ObjectSample> objects;  // every object (none removed)
    friend bool operator==(const Keyframe&, const Keyframe&) = default;
};

// Recording paused (the policy, a person) from `tick`; nothing is written
// until the next keyframe, which carries the room as it is on resuming.
struct Pause {
    std::uint32_t tick = 0;
    std::uint8_t phase = 0;          // sim::Phase at the pause
    std::uint8_t why = 0;            // 0: the policy paused it for the phase, 1: a person paused it
    friend bool operator==(const Pause&, const Pause&) = default;
};

// A point on the timeline: a phase began (phase, plan entry, case index).
struct Mark {
    std::uint32_t tick = 0;
    std::uint8_t phase = 0;          // sim::Phase
    std::uint16_t entry = 0;         // the plan entry
    std::string label;               // "didactic", "case 2: ..." (at most 96 bytes)
    friend bool operator==(const Mark&, const Mark&) = default;
};

// ---- Writing --------------------------------------------------------------------

struct WriterConfig {
    std::string path;                 // created (O_EXCL, mode 0600); an existing file is refused
    Key key{};                        // the recording key (loadRecordingKey)
    RecordingInfo info;
    // A block is sealed and handed to the worker at least this often. 15 (0.5 s
    // at 30 Hz) so that kill -9 loses at most one second: the open block (up to
    // 14 ticks) plus the block in flight (sealed, not yet written: 15 ticks).
    std::uint32_t flushTicks = 15;
    std::uint32_t maxBlockBytes = 256 * 1024; // ... or when its plaintext grows past this
    bool syncEachBlock = true;        // fdatasync after every block (kill -9 / power loss lose at most the open block)
};

struct WriterStats {
    std::uint64_t ticks = 0, keyframes = 0, pauses = 0, blocks = 0;
    std::uint64_t fileBytes = 0;          // written so far (worker side)
    std::uint64_t avatarBytes = 0, objectBytes = 0, voiceBytes = 0, eventBytes = 0; // plaintext by content
    std::uint64_t videoBytes = 0, videoFragments = 0; // video wire bytes kept (plaintext) and their fragments
    std::uint64_t queuedBlocks = 0;       // sealed, not yet written
    std::string error;                    // the worker's first I/O error (empty: none); appends continue to be accepted and dropped
};

class RecordingWriter {
public:
    // Creates the file and writes its header and the info block.
    [[nodiscard]] static core::Result<std::unique_ptr<RecordingWriter>> create(const WriterConfig& config);
    ~RecordingWriter(); // closes (as close()) when still open

    // Tick order is the caller's: ticks never decrease across append,
    // keyframe and pause. A keyframe at tick T is the room at the end of T;
    // the TickRecord of the same T may follow it, carrying only that tick's
    // events and voice (a replay applies records with tick >= the keyframe's,
    // and avatars or objects in it are already the keyframe's). A keyframe
    // starts a new block (seeking lands on it).
    void append(const TickRecord& t);
    void keyframe(const Keyframe& k);
    void pause(const Pause& p);
    void mark(const Mark& m);           // also kept for the index
    // Seals what is pending now (also done every flushTicks ticks).
    void flush();
    // Flushes, writes the index and the trailer, syncs and closes. Idempotent.
    [[nodiscard]] core::Status close();
    [[nodiscard]] WriterStats stats() const;

private:
    struct Impl;
    explicit RecordingWriter(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// ---- Reading --------------------------------------------------------------------

enum class BlockKind : std::uint8_t { Info, Ticks, Keyframe, Index, Count };

struct BlockRef {
    BlockKind kind = BlockKind::Ticks;
    std::uint64_t offset = 0;         // of the block's frame in the file
    std::uint32_t firstTick = 0, lastTick = 0;
    friend bool operator==(const BlockRef&, const BlockRef&) = default;
};

// What the reader could not read: a byte range of the file and, where it
// can tell, the ticks that were in it.
struct Damage {
    std::uint64_t offset = 0, bytes = 0;
    std::uint32_t fromTick = 0, toTick = 0;  // ticks lost (inclusive; 0, 0: unknown)
    std::string what;                       // "truncated block", "checksum mismatch", "authentication failed", ...
};

// A decoded Ticks or Keyframe block. Items are in the order written.
struct Block {
    BlockKind kind = BlockKind::Ticks;
    std::vector<TickRecord> ticks;          // Ticks
    std::vector<Pause> pauses;              // Ticks: pauses inside it
    std::vector<Mark> marks;                // Ticks: marks inside it
    std::optional<Keyframe> keyframe;       // Keyframe
};

struct ReaderSummary {
    std::uint32_t firstTick = 0, lastTick = 0;
    std::uint64_t fileBytes = 0;
    bool closed = false;                    // the trailer and index were found: the writer closed it
    std::vector<Damage> damage;             // empty: every byte read
    std::vector<Mark> marks;                // the timeline
    std::vector<Pause> pauses;
    std::vector<Present> everyone;          // everyone who was ever present (by first appearance)
    std::uint32_t version = kFormatVersion; // the file's format version (kOldestFormatVersion..kFormatVersion)
    std::uint64_t voiceFrames = 0, voiceBytes = 0, stateBytes = 0;
    std::uint64_t videoFragments = 0, videoBytes = 0; // verifyAll: video kept (wire bytes)
};

class RecordingReader {
public:
    // Opens and checks the header (wrong key, a version outside
    // kOldestFormatVersion..kFormatVersion: an error naming the file).
    // Uses the index when the file was closed, otherwise scans every block
    // (a crash or truncation): damage is reported, never fatal past the header.
    [[nodiscard]] static core::Result<std::unique_ptr<RecordingReader>> open(const std::string& path, const Key& key);
    ~RecordingReader();

    [[nodiscard]] const RecordingInfo& info() const;
    [[nodiscard]] const ReaderSummary& summary() const;
    // Ticks and keyframe blocks in file order (Info and Index left out).
    [[nodiscard]] const std::vector<BlockRef>& blocks() const;
    // Decodes blocks()[i]; an error (damage found late) names the file and offset.
    [[nodiscard]] core::Result<Block> read(std::size_t i);
    // The last keyframe block at or before `tick` (index into blocks()); none: before the first keyframe.
    [[nodiscard]] std::optional<std::size_t> keyframeAtOrBefore(std::uint32_t tick) const;
    // Reads every block once and fills the summary's counts (verify).
    [[nodiscard]] core::Status verifyAll();

private:
    struct Impl;
    explicit RecordingReader(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// The recording key: 32 bytes in a file only its owner may read, kept like
// the deployment key (net/secure/key_file.h; created 0600 when asked).
[[nodiscard]] core::Result<Key> loadRecordingKey(const std::string& path, bool create);

} // namespace caseroom::record
