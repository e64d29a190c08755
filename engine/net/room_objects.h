// Replicated room objects: the state of room systems beyond avatars (a
// panel's deck and slide, a laser pointer; later the agenda, the hand-raise
// queue, the recommendations board), carried by the SAME snapshots as the
// avatars (snapshot.h): one seq/ack/baseline ring, so a late joiner gets every
// object in its first snapshot and a lost snapshot is repaired by the next.
//
// An object is a key (kind, id) and a small opaque encoding (at most
// kMaxObjectBytes) that its system writes with its own serialize() codec; the
// replication layer never looks inside. The server's ObjectTable holds the
// current encoding of each live object and a version that bumps only when the
// bytes change; the replicator carries, whole, every object whose (instance,
// version) differs from what the client's acknowledged baseline holds, before
// the avatars, charged to the snapshot budget but never deferred (objects are
// small and change rarely; the laser, the busiest, is ~11 bytes at tick rate).
// Thread rule: one thread (the room's).
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "net/stream.h"

namespace caseroom::net {

// Kinds of room object. Values are on the wire (4 bits): append only.
// The teaching round's kinds are net/clinic_objects.h's.
enum class ObjectKind : std::uint8_t {
    Panel, Laser, Deck,
    Agenda, AgendaEntry, Queue, Moderation, BoardEntry, ChatLine, Statement,
    Recording,   // id 0: sim/recording.h's state (docs/RECORDING.md)
    Replay,      // id 0: a replay room's playback (position, length, speed)
    ReplayMark,  // id = mark index: a replay's timeline marks (phases, cases)
    Video,       // id = the stream (net::VideoStreamId::packed): a published camera or screen (session/video_host.h)
    Count
};
const char* toString(ObjectKind k);
constexpr int kObjectKindBits = 4;
static_assert(static_cast<unsigned>(ObjectKind::Count) <= (1u << kObjectKindBits));

// Live objects per room: panels 16, lasers 16, decks 16, agenda 1 + 32
// entries, queues 2, moderation 1, board 48, chat 24, statements 12, recording 1 = 169;
// a replay room also holds its playback 1 and up to 22 timeline marks (kMaxReplayMarks) = 192;
// a live room's video streams (net::kMaxVideoStreams 48) = 240 at most.
constexpr std::uint32_t kMaxRoomObjects = 240;
constexpr std::uint32_t kMaxObjectBytes = 512;  // one object's encoding (a recommendation's 400 bytes of text and its header)

struct ObjectKey {
    ObjectKind kind = ObjectKind::Panel;
    std::uint16_t id = 0;   // meaning per kind: panel index, laser owner's entity slot, offered deck's index, ...
    friend bool operator==(const ObjectKey&, const ObjectKey&) = default;
    friend auto operator<=>(const ObjectKey&, const ObjectKey&) = default;
};

// One object's encoding, inline (no allocation when copied between views).
struct ObjectBytes {
    std::uint16_t size = 0;
    std::array<std::uint8_t, kMaxObjectBytes> data{};
    [[nodiscard]] std::span<const std::uint8_t> view() const { return {data.data(), size}; }
    // False when `bytes` is longer than kMaxObjectBytes.
    [[nodiscard]] bool assign(std::span<const std::uint8_t> bytes);
    friend bool operator==(const ObjectBytes& a, const ObjectBytes& b) {
        return a.size == b.size && std::equal(a.data.begin(), a.data.begin() + a.size, b.data.begin());
    }
};

struct ObjectRecord {
    std::uint32_t instance = 0; // 0: empty slot; a new object in a slot is a new instance
    std::uint32_t version = 0;
    friend bool operator==(const ObjectRecord&, const ObjectRecord&) = default;
};

enum class ObjectError : std::uint8_t { TableFull, TooLarge, Count };
const char* toString(ObjectError e);

// The server's current room objects, in at most kMaxRoomObjects slots.
class ObjectTable {
public:
    ObjectTable() = default;

    // Sets the object's current encoding. The version bumps only when the
    // bytes differ; a key not in the table takes a free slot (new instance).
    // Returns the error when the table is full or the bytes too long.
    [[nodiscard]] bool set(ObjectKey key, std::span<const std::uint8_t> bytes, ObjectError* error = nullptr);
    // Removes the object (no-op when absent).
    void remove(ObjectKey key);

    // Slots in use or once used (the replicator walks [0, slotCount())).
    [[nodiscard]] std::uint32_t slotCount() const { return used_; }
    [[nodiscard]] std::uint32_t liveCount() const { return live_; }
    [[nodiscard]] ObjectRecord current(std::uint32_t slot) const { return records_[slot]; }
    [[nodiscard]] ObjectKey key(std::uint32_t slot) const { return keys_[slot]; }
    [[nodiscard]] const ObjectBytes& bytes(std::uint32_t slot) const { return bytes_[slot]; }
    // The object's bytes, or nullptr when absent.
    [[nodiscard]] const ObjectBytes* find(ObjectKey key) const;

private:
    [[nodiscard]] int slotOf(ObjectKey key) const;
    std::array<ObjectRecord, kMaxRoomObjects> records_{};
    std::array<ObjectKey, kMaxRoomObjects> keys_{};
    std::array<ObjectBytes, kMaxRoomObjects> bytes_{};
    std::uint32_t used_ = 0;
    std::uint32_t live_ = 0;
    std::uint32_t nextInstance_ = 1;
};

// What a snapshot changed in the client's view of the objects: an object
// that appeared or changed (its whole encoding) or went away.
struct ObjectUpdate {
    ObjectKey key;
    bool removed = false;
    ObjectBytes bytes;
};

// A system's object codec over one serialize(stream, value): the encoding
// padded to a byte (false: a bound broken, or past kMaxObjectBytes), and the
// decoding, refused unless it uses every byte. Shared by every system's wire file.
template <typename T, typename F>
bool encodeObjectWith(T value, F&& serialize, ObjectBytes& out) {
    WriteStream w(kMaxObjectBytes);
    if (!serialize(w, value) || !w.align()) return false;
    return out.assign(w.finish());
}
template <typename T, typename F>
std::optional<T> decodeObjectWith(std::span<const std::uint8_t> bytes, F&& serialize) {
    ReadStream r(bytes);
    T value{};
    if (!serialize(r, value) || !r.align() || r.bitsLeft() != 0) return std::nullopt;
    return value;
}

} // namespace caseroom::net
