// Snapshots: per-client, delta-encoded, bandwidth-budgeted state replication.
//
// Server side: EntityHistory keeps each slot's current quantized state, a
// version that bumps whenever it changes, and the last kHistoryDepth states.
// One ClientReplicator per client keeps a ring of the views it sent (which
// (instance, version) the client holds per slot after each snapshot) and
// encodes snapshot N against the newest view the client acknowledged, B:
//   view(N)[e] = included(e) ? current(e) : view(B)[e]
// Every entity that differs from view(B), and that the client may not show
// from another chain's snapshot (ClientReplicator::SlotState::shown), is a candidate
// (so a change is repeated until acknowledged, which also rides out loss);
// candidates enter the snapshot by accumulated priority until the byte
// budget is spent (a stale one may go past it, up to the stale allowance:
// three budgets or the link's, so the freeze bound holds even in rooms too
// busy for the budget); an entity the client has seen out of date for
// maxStaleTicks jumps the queue, so nothing freezes. With no usable baseline the snapshot is a
// "full" one: a presence bitmap of all slots plus what fits of absolute states.
//
// Room objects (room_objects.h) ride in the same snapshots, in the same
// views: an object whose (instance, version) differs from view(B) is carried
// whole, before the avatars, outside the avatar budget, under its own cap
// (ReplicationConfig::objectBudgetBytes; 192 objects of up to 512 bytes would
// be ~60 KB for a late joiner). Removals always go. Objects already sent in
// a snapshot newer than B (the client may show them) always go again until
// acknowledged, so the client's view never steps back; new ones go while the
// section is under the cap (the first always); the rest wait, the view
// keeping the baseline's record for them, and go in the next snapshots.
//
// Client side: SnapshotReceiver keeps the matching ring of decoded views and
// reports only the entities a snapshot explicitly carries (updates and
// removals); carried-over baseline entries are bookkeeping, not news. For
// objects it reports the difference between the newest view and what it
// reported before (an older snapshot arriving late reports no objects).
// Payload layout is in PROTOCOL.md ("Snapshot payload").
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "net/avatar_codec.h"
#include "net/messages.h"
#include "net/room_objects.h"

namespace caseroom::net {

constexpr std::uint32_t kSnapshotRing = 32;    // views kept on both sides
constexpr std::uint32_t kHistoryDepth = 64;    // past states kept per entity

struct EntityRecord {
    std::uint32_t instance = 0; // 0: empty slot; unique per occupant within a room
    std::uint32_t version = 0;
    friend bool operator==(const EntityRecord&, const EntityRecord&) = default;
};

class EntityHistory {
public:
    explicit EntityHistory(std::uint32_t maxSlots);

    // Current state of `slot` at `tick`. A new instance starts a new history.
    void set(std::uint16_t slot, std::uint32_t instance, const QuantizedAvatar& state, std::uint32_t tick);
    void remove(std::uint16_t slot, std::uint32_t tick);

    [[nodiscard]] std::uint32_t slotCount() const { return static_cast<std::uint32_t>(slots_.size()); }
    [[nodiscard]] EntityRecord current(std::uint16_t slot) const { return current_[slot]; }
    [[nodiscard]] const QuantizedAvatar& currentState(std::uint16_t slot) const;
    // State of an older record, or nullptr when it fell out of the history.
    [[nodiscard]] const QuantizedAvatar* stateOf(std::uint16_t slot, EntityRecord rec) const;
    // Tick at which `rec` stopped being current (or the spawn tick of the
    // current instance when rec belongs to another instance). For staleness.
    [[nodiscard]] std::uint32_t supersededTick(std::uint16_t slot, EntityRecord rec) const;
    [[nodiscard]] std::uint32_t changedTick(std::uint16_t slot) const;

private:
    struct Slot {
        std::uint32_t instance = 0;
        std::uint32_t version = 0;
        std::array<QuantizedAvatar, kHistoryDepth> states{};
    };
    // When each version became current, apart from the states: every
    // candidate's staleness reads these (and current_), not the deep states.
    struct SlotTicks {
        std::uint32_t spawnTick = 0;
        std::uint32_t removedTick = 0;
        std::array<std::uint32_t, kHistoryDepth> since{}; // tick each version became current
    };
    std::vector<Slot> slots_;
    std::vector<SlotTicks> ticks_;
    // The (instance, version) of every slot, packed: every client's snapshot
    // walks this each tick, so it must not stride over the deep histories.
    std::vector<EntityRecord> current_;
};

inline constexpr std::uint32_t kStaleBudgetFactor = 3;

struct ReplicationConfig {
    std::uint32_t budgetBytes = 120;     // payload per client per tick: 28.8 kbit/s at 30 Hz, ~47 with sealing and headers
    std::uint32_t maxStaleTicks = 18;    // out of date this long (0.6 s): sent before anything else
    // How far stale avatars may take the payload past the budget: at least
    // kStaleBudgetFactor budgets, more where the link has room for it (the
    // server sets this from the link's state share, session/link_scheduler.h),
    // so that a room whose avatars all move keeps its staleness bound on a
    // link that can carry it.
    std::uint32_t staleBudgetBytes = 0;
    // Room objects per snapshot: new ones stop once the objects section holds
    // this many bytes (so a section is at most this plus one object, plus
    // objects already in flight; kMaxObjectSectionBytes bounds it hard).
    std::uint32_t objectBudgetBytes = 4096;
};
// Hard bound of a snapshot's objects section, so the whole snapshot fits
// kMaxMessageBytes beside the presence map and the avatars (the stale
// allowance, at most 1,100 bytes from the link or three budgets).
constexpr std::uint32_t kMaxObjectSectionBytes = 12 * 1024;

struct SnapshotStats {
    std::uint32_t payloadBytes = 0;
    std::uint32_t updates = 0;     // entities carried (delta or absolute)
    std::uint32_t absolutes = 0;
    std::uint32_t removals = 0;
    std::uint32_t deferred = 0;    // wanted but left for a later tick
    std::uint32_t overBudget = 0;  // stale entities sent past the budget (freeze bound)
    std::uint32_t objects = 0;     // room objects carried (set or removed)
    std::uint32_t objectBytes = 0; // their bytes, headers included (rounded up)
    std::uint32_t objectsDeferred = 0; // objects that differ but wait for a later snapshot (the cap)
    bool full = false;
};

class ClientReplicator {
public:
    explicit ClientReplicator(std::uint32_t maxSlots);

    // Records which snapshots the client holds: ackSeq and the 32 before it.
    // Taken in at the next build (so the server's receiving thread only
    // queues it, and the work runs with the build on a worker); acks beyond
    // kMaxPendingAcks before a build keep only the newest.
    void onAck(std::uint16_t ackSeq, std::uint32_t ackBits);
    static constexpr std::size_t kMaxPendingAcks = 16;

    // Builds the next snapshot header and payload for this client.
    // `priority[slot]` is the caller's per-tick interest in each slot (>= 0);
    // `self` is the client's own avatar slot (always first when it changed;
    // with `forceSelf` it is carried even unchanged, so that a client whose
    // inputs were applied learns the authoritative result and reconciles).
    void build(const EntityHistory& history, std::span<const float> priority, std::uint16_t self, bool forceSelf,
               std::uint32_t tick, const ReplicationConfig& config, Snapshot& out, SnapshotStats* stats = nullptr);
    // The same with the room's objects (nullptr: none): every object that
    // differs from the baseline is carried first, whatever the budget.
    void build(const EntityHistory& history, const ObjectTable* objects, std::span<const float> priority, std::uint16_t self,
               bool forceSelf, std::uint32_t tick, const ReplicationConfig& config, Snapshot& out, SnapshotStats* stats = nullptr);
    // The same, examining only the slots in `consider` this tick (each at
    // most once; the caller's interest scope, sim::InterestGrid): the others
    // keep what the client holds and their place in the queue, and are
    // neither updated nor removed until a later tick examines them.
    // `priority` need only be set for those slots. Empty: every slot.
    void build(const EntityHistory& history, const ObjectTable* objects, std::span<const float> priority,
               std::span<const std::uint16_t> consider, std::uint16_t self, bool forceSelf, std::uint32_t tick,
               const ReplicationConfig& config, Snapshot& out, SnapshotStats* stats = nullptr);

    // How long, in ticks, the client has shown each live entity out of date
    // (from the newest update sent for it); returns the worst. Assumes a
    // lossless link: a benchmark measure.
    [[nodiscard]] std::uint32_t worstStalenessTicks(const EntityHistory& history, std::uint32_t tick) const;

private:
    struct View {
        std::uint32_t seq = 0;
        bool valid = false;
        bool acked = false;
        std::vector<EntityRecord> records;
        // Per object-table slot: the (instance, version) and key the client holds.
        std::array<ObjectRecord, kMaxRoomObjects> objects{};
        std::array<ObjectKey, kMaxRoomObjects> objectKeys{};
        std::uint32_t objectCount = 0; // records in use: rooms without objects skip them entirely
        // The avatars this snapshot carried (a removal as an empty record):
        // once it is acked, the client shows them (SlotState::shown).
        std::vector<std::pair<std::uint16_t, EntityRecord>> carried;
    };
    void applyAck(std::uint16_t ackSeq, std::uint32_t ackBits);
    const View* newestAcked() const;
    // Whether a snapshot built after `since` and before `seq` has a view
    // without `slot` (the receiver, applying it as its newest, reports the
    // avatar removed), or may have: one no longer in the ring counts.
    [[nodiscard]] bool droppedSince(std::uint16_t slot, std::uint32_t since, std::uint32_t seq) const;

    std::array<View, kSnapshotRing> ring_{};
    std::uint32_t nextSeq_ = 1;
    // Per slot, everything a build reads of it in one place (one cache line
    // for two slots): a build examines hundreds of slots for each of a
    // thousand clients a tick, so a field per array was a miss per field.
    struct alignas(32) SlotState {
        EntityRecord lastSent;       // newest record sent (maybe still in flight)
        // What the client shows: the record of the newest acked snapshot
        // that carried it, and that snapshot. With a round trip of more than
        // a tick, each snapshot's baseline is one a few before it, so the
        // views form interleaved chains and a chain does not hold what
        // another carried; the client shows every update it applied all the
        // same. Which avatars to send, and how stale they are, follow this;
        // the delta's baseline stays the chain's (the state the client
        // decodes against). It counts only where no snapshot built since the
        // acked one that carried it may have dropped it (droppedSince).
        EntityRecord shown;
        std::uint32_t shownSeq = 0;
        std::uint32_t lastSentTick = 0;
        float accum = 0;             // priority accumulated while waiting
    };
    std::vector<SlotState> slots_;
    std::vector<std::pair<std::uint16_t, std::uint32_t>> pendingAcks_; // (ackSeq, ackBits) since the last build, oldest first
    // Per ring view, which slots it holds (records[slot].instance != 0), as
    // bits: droppedSince reads one word per view instead of a record in
    // each of up to 32 views' arrays.
    using PresenceBits = std::array<std::uint64_t, kMaxEntities / 64>;
    std::array<PresenceBits, kSnapshotRing> present_{};
    // Set at the start of each build: heldByAll_[n - 1] is the slots that
    // each of the n views before it holds (a view not built yet holds
    // none), so droppedSince is one bit test.
    std::array<PresenceBits, kSnapshotRing - 1> heldByAll_{};
    // Per object-table slot: the newest snapshot that carried it and what it
    // carried. Newer than the baseline, and not the baseline's record: the
    // client may show it, so it goes again whatever the cap.
    struct SentObject {
        std::uint32_t seq = 0;
        ObjectRecord record;
    };
    std::array<SentObject, kMaxRoomObjects> objectSent_{};
    std::array<bool, kMaxRoomObjects> mustSend_{};  // scratch: keys that moved slot (their removal was skipped)
    // A candidate as one integer, ranked by value (snapshot.cpp
    // candidateKey): its queue order in the high 32 bits, its slot in the
    // low 16, so the selection compares and moves 8 bytes.
    std::vector<std::uint64_t> candidates_;  // scratch, reused every tick
    struct Entry {
        std::uint16_t slot = 0;
        std::uint8_t kind = 0;                   // snapshot.cpp EntryKind
        const QuantizedAvatar* base = nullptr;   // the delta's baseline (the history's), null: absolute or removed
    };
    std::vector<Entry> entries_;             // scratch: the tick's removals and chosen updates
    WriteStream writer_{kMaxMessageBytes};
};

struct EntityUpdate {
    std::uint16_t slot = 0;
    bool removed = false;
    QuantizedAvatar state;
};

enum class SnapshotOutcome : std::uint8_t { Applied, Duplicate, Old, MissingBaseline, Malformed, Count };
const char* toString(SnapshotOutcome o);

class SnapshotReceiver {
public:
    SnapshotReceiver() = default;

    // Decodes `snap` against its baseline. On Applied, `updates` holds the
    // entities it carries (removals included; for a full snapshot, every
    // slot absent from its presence map is reported removed).
    SnapshotOutcome receive(const Snapshot& snap, std::vector<EntityUpdate>& updates);
    // The same, and `objects` gets the room objects that changed against what
    // this receiver reported before (set or removed), when `snap` is the newest
    // applied; an older one arriving late reports none.
    SnapshotOutcome receive(const Snapshot& snap, std::vector<EntityUpdate>& updates, std::vector<ObjectUpdate>& objects);

    [[nodiscard]] bool hasAck() const { return newest_.has_value(); }
    [[nodiscard]] std::uint16_t ackSeq() const { return static_cast<std::uint16_t>(newest_.value_or(0)); }
    [[nodiscard]] std::uint32_t ackBits() const;
    [[nodiscard]] std::uint32_t newestSeq() const { return newest_.value_or(0); }

private:
    struct View {
        std::uint32_t seq = 0;
        bool valid = false;
        std::vector<std::optional<QuantizedAvatar>> slots;
        std::vector<bool> undescribed; // placeholder slots: present (full snapshot), state not sent yet
        std::vector<ObjectUpdate> objects; // live objects (removed = false), in no particular order
    };
    std::array<View, kSnapshotRing> ring_{};
    std::optional<std::uint32_t> newest_;
    std::vector<std::optional<QuantizedAvatar>> scratch_;
    std::vector<bool> scratchUndescribed_;
    std::vector<bool> shown_; // slots the reported updates left showing
    std::vector<ObjectUpdate> scratchObjects_;
    std::vector<ObjectUpdate> shownObjects_;  // the objects as last reported
    std::vector<ObjectUpdate> ignoredObjects_; // for the entity-only receive()
};

} // namespace caseroom::net
