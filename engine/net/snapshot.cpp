#include "net/snapshot.h"

#include <algorithm>
#include <bit>
#include <functional>
#include <cassert>
#include <cstdint>

namespace caseroom::net {
namespace {
constexpr int kSlotBits = bitsRequired(kMaxEntities - 1);
enum class EntryKind : std::uint32_t { Delta = 0, Absolute = 1, Removed = 2 };
// The avatar entries (PROTOCOL.md "Snapshot payload"): their count and the
// slot gaps in Exp-Golomb codes of order k (one k per snapshot, the
// cheapest), in ascending slot order; each entry's kind in 1 or 2 bits.
constexpr std::uint32_t kMaxGapOrder = 9;   // order 9 codes every gap of a 1,024-slot room in <= 10 bits but one
constexpr int kGapOrderBits = 4;
constexpr std::uint32_t kMaxGolombZeros = 16;
// What the writer reserves for the count and the order before choosing k:
// the count's code (<= 21 bits for kMaxEntities), the order, and the 2 bits
// by which order 9 can exceed 10 bits per gap.
constexpr std::size_t kEntrySectionBits = 21 + kGapOrderBits + 2;
constexpr std::size_t kEntryHeaderBits = kSlotBits; // per entry, before its kind: what the budget assumes a gap costs

template <typename S>
bool serializeGolomb(S& s, std::uint32_t& v, std::uint32_t k) {
    // x = v + 2^k, n = floor(log2 x): (n - k) zeros, a one, then x's low n
    // bits as one field (the stream packs a field as a unit, so the leading
    // one goes on its own).
    if constexpr (S::kWriting) {
        const std::uint32_t x = v + (1u << k);
        const int n = bitsRequired(x) - 1;
        std::uint32_t zero = 0, one = 1;
        for (int i = 0; i < n - static_cast<int>(k); ++i)
            if (!s.serializeBits(zero, 1)) return false;
        if (!s.serializeBits(one, 1)) return false;
        std::uint32_t low = x - (1u << n);
        return n == 0 || s.serializeBits(low, n);
    } else {
        std::uint32_t zeros = 0, bit = 0;
        for (;;) {
            if (!s.serializeBits(bit, 1)) return false;
            if (bit) break;
            if (++zeros > kMaxGolombZeros) return false;
        }
        const int n = static_cast<int>(zeros + k); // x has n + 1 bits, the leading 1 read
        std::uint32_t rest = 0;
        if (n > 0 && !s.serializeBits(rest, n)) return false;
        const std::uint64_t x = (1ull << n) | rest;
        if (x < (1ull << k) || x - (1ull << k) > 0xFFFFFFFFull) return false;
        v = static_cast<std::uint32_t>(x - (1ull << k));
        return true;
    }
}
std::size_t golombBits(std::uint32_t v, std::uint32_t k) {
    const int n = bitsRequired(v + (1u << k)) - 1;
    return static_cast<std::size_t>(2 * n - static_cast<int>(k) + 1);
}
template <typename S>
bool serializeEntryKind(S& s, std::uint32_t& kind) {
    // Delta "1", absolute "01", removed "00".
    std::uint32_t delta = kind == static_cast<std::uint32_t>(EntryKind::Delta) ? 1u : 0u;
    if (!s.serializeBits(delta, 1)) return false;
    if (delta) { kind = static_cast<std::uint32_t>(EntryKind::Delta); return true; }
    std::uint32_t absolute = kind == static_cast<std::uint32_t>(EntryKind::Absolute) ? 1u : 0u;
    if (!s.serializeBits(absolute, 1)) return false;
    kind = static_cast<std::uint32_t>(absolute ? EntryKind::Absolute : EntryKind::Removed);
    return true;
}
// At most this many updates per snapshot (3,840 a second at 30 Hz: every
// avatar of a full grand round well within its staleness bound); only these
// are ranked.
constexpr std::uint32_t kMaxRanked = 128;
constexpr std::uint32_t kInFlightTicks = 6; // ~200 ms: a sent update is presumed on its way
const QuantizedAvatar kZeroAvatar{};

// A candidate's place in the queue, highest first: the client's own avatar,
// then the stale ones by age plus accumulated priority, then the rest by
// accumulated priority. The order sits in the high 32 bits (a positive
// float's bits order as the float does, and stay below 2^31), the slot in
// the low 16.
constexpr std::uint64_t kStaleRank = 0x80000000u;
constexpr std::uint64_t kSelfRank = 0xFFFFFFFFu;
std::uint64_t candidateKey(std::uint16_t slot, float accum, bool stale, std::uint32_t age, bool self) {
    std::uint64_t rank = 0;
    if (self) {
        rank = kSelfRank;
    } else if (stale) {
        const double v = std::min(static_cast<double>(age) + static_cast<double>(accum), static_cast<double>(0x7FFFFFFEu));
        rank = kStaleRank | static_cast<std::uint32_t>(v);
    } else {
        rank = std::bit_cast<std::uint32_t>(accum);
    }
    return rank << 32 | slot;
}
std::uint16_t candidateSlot(std::uint64_t key) { return static_cast<std::uint16_t>(key & 0xFFFFu); }
bool candidateStale(std::uint64_t key) { return (key >> 32) >= kStaleRank; } // the self too: it may go past the budget

// Objects section entry: more:1 | kind:4 | id:16 | removed:1 | [size:8 | bytes]
template <typename S>
bool serializeObjectHeader(S& s, ObjectKey& key, bool& removed) {
    std::uint32_t kind = static_cast<std::uint32_t>(key.kind);
    if (!s.serializeBits(kind, kObjectKindBits) || !serializeU16(s, key.id) || !serializeBool(s, removed)) return false;
    if (kind >= static_cast<std::uint32_t>(ObjectKind::Count)) return false;
    key.kind = static_cast<ObjectKind>(kind);
    return true;
}
template <typename S>
bool serializeObjectBytes(S& s, ObjectBytes& b) {
    std::uint32_t n = b.size;
    if (!serializeUInt(s, n, 0, kMaxObjectBytes)) return false;
    b.size = static_cast<std::uint16_t>(n);
    return s.serializeBytes(b.data.data(), n);
}
} // namespace

// ---- EntityHistory ------------------------------------------------------------

EntityHistory::EntityHistory(std::uint32_t maxSlots)
    : slots_(std::min(maxSlots, kMaxEntities)), ticks_(slots_.size()), current_(slots_.size()) {}

void EntityHistory::set(std::uint16_t slot, std::uint32_t instance, const QuantizedAvatar& state, std::uint32_t tick) {
    assert(slot < slots_.size() && instance != 0);
    Slot& s = slots_[slot];
    SlotTicks& t = ticks_[slot];
    if (s.instance != instance) {
        s.instance = instance;
        s.version = 1;
        t.spawnTick = tick;
        s.states[1 % kHistoryDepth] = state;
        t.since[1 % kHistoryDepth] = tick;
        current_[slot] = {s.instance, s.version};
        return;
    }
    if (s.states[s.version % kHistoryDepth] == state) return;
    ++s.version;
    s.states[s.version % kHistoryDepth] = state;
    t.since[s.version % kHistoryDepth] = tick;
    current_[slot] = {s.instance, s.version};
}

void EntityHistory::remove(std::uint16_t slot, std::uint32_t tick) {
    assert(slot < slots_.size());
    slots_[slot].instance = 0;
    slots_[slot].version = 0;
    ticks_[slot].removedTick = tick;
    current_[slot] = EntityRecord{};
}

const QuantizedAvatar& EntityHistory::currentState(std::uint16_t slot) const {
    const Slot& s = slots_[slot];
    return s.states[s.version % kHistoryDepth];
}

const QuantizedAvatar* EntityHistory::stateOf(std::uint16_t slot, EntityRecord rec) const {
    const Slot& s = slots_[slot];
    if (rec.instance == 0 || rec.instance != s.instance || rec.version > s.version || rec.version == 0) return nullptr;
    if (s.version - rec.version >= kHistoryDepth) return nullptr;
    return &s.states[rec.version % kHistoryDepth];
}

std::uint32_t EntityHistory::supersededTick(std::uint16_t slot, EntityRecord rec) const {
    const EntityRecord cur = current_[slot];
    const SlotTicks& t = ticks_[slot];
    if (cur.instance == 0) return t.removedTick;
    if (rec.instance != cur.instance) return t.spawnTick;
    if (rec.version >= cur.version) return t.since[cur.version % kHistoryDepth];
    if (cur.version - rec.version >= kHistoryDepth) return t.since[(cur.version + 1) % kHistoryDepth]; // oldest kept
    return t.since[(rec.version + 1) % kHistoryDepth];
}

std::uint32_t EntityHistory::changedTick(std::uint16_t slot) const {
    return ticks_[slot].since[current_[slot].version % kHistoryDepth];
}

// ---- ClientReplicator ---------------------------------------------------------

ClientReplicator::ClientReplicator(std::uint32_t maxSlots) {
    const auto n = std::min(maxSlots, kMaxEntities);
    slots_.assign(n, SlotState{});
    candidates_.reserve(n);
    pendingAcks_.reserve(kMaxPendingAcks);
    for (auto& v : ring_) v.records.reserve(n);
}

void ClientReplicator::onAck(std::uint16_t ackSeq, std::uint32_t ackBits) {
    if (pendingAcks_.size() == kMaxPendingAcks) pendingAcks_.erase(pendingAcks_.begin());
    pendingAcks_.emplace_back(ackSeq, ackBits);
}

void ClientReplicator::applyAck(std::uint16_t ackSeq, std::uint32_t ackBits) {
    const std::uint32_t newestSent = nextSeq_ - 1;
    const std::uint32_t seq = seqExpand(ackSeq, newestSent);
    if (seq > newestSent) return; // acks for snapshots never sent: ignore
    for (std::uint32_t i = 0; i <= 32; ++i) {
        if (i > 0 && !(ackBits & (1u << (i - 1)))) continue;
        if (seq < i) break;
        const std::uint32_t s = seq - i;
        View& v = ring_[s % kSnapshotRing];
        if (!v.valid || v.seq != s || v.acked) continue;
        v.acked = true;
        for (const auto& [slot, rec] : v.carried) {
            SlotState& ss = slots_[slot];
            if (s < ss.shownSeq) continue; // a newer acked snapshot carried it
            ss.shown = rec;
            ss.shownSeq = s;
        }
    }
}

const ClientReplicator::View* ClientReplicator::newestAcked() const {
    const View* best = nullptr;
    for (const View& v : ring_) {
        if (!v.valid || !v.acked) continue;
        // The baseline must stay in the ring while the new view is written
        // and fit the 6-bit offset.
        if (nextSeq_ - v.seq >= kSnapshotRing || nextSeq_ - v.seq > 63) continue;
        if (!best || v.seq > best->seq) best = &v;
    }
    return best;
}

bool ClientReplicator::droppedSince(std::uint16_t slot, std::uint32_t since, std::uint32_t seq) const {
    if (seq - since > kSnapshotRing) return true;
    const std::uint32_t between = seq - since - 1; // views built after `since` and before `seq`
    if (between == 0) return false;
    assert(seq == nextSeq_ - 1); // heldByAll_ was set for this build
    return !(heldByAll_[between - 1][slot / 64u] & (std::uint64_t{1} << (slot % 64u)));
}

void ClientReplicator::build(const EntityHistory& history, std::span<const float> priority, std::uint16_t self,
                             bool forceSelf, std::uint32_t tick, const ReplicationConfig& config, Snapshot& out, SnapshotStats* stats) {
    build(history, nullptr, priority, self, forceSelf, tick, config, out, stats);
}

void ClientReplicator::build(const EntityHistory& history, const ObjectTable* objects, std::span<const float> priority,
                             std::uint16_t self, bool forceSelf, std::uint32_t tick, const ReplicationConfig& config,
                             Snapshot& out, SnapshotStats* stats) {
    build(history, objects, priority, {}, self, forceSelf, tick, config, out, stats);
}

void ClientReplicator::build(const EntityHistory& history, const ObjectTable* objects, std::span<const float> priority,
                             std::span<const std::uint16_t> consider, std::uint16_t self, bool forceSelf, std::uint32_t tick,
                             const ReplicationConfig& config, Snapshot& out, SnapshotStats* stats) {
    const std::uint32_t slotCount = static_cast<std::uint32_t>(slots_.size());
    assert(history.slotCount() == slotCount && priority.size() >= slotCount);
    for (const auto& [ackSeq, ackBits] : pendingAcks_) applyAck(ackSeq, ackBits);
    pendingAcks_.clear();
    const View* base = newestAcked();
    const std::uint32_t seq = nextSeq_++;
    PresenceBits all;
    all.fill(~std::uint64_t{0});
    for (std::uint32_t n = 1; n < kSnapshotRing; ++n) {
        if (seq > n) {
            const PresenceBits& p = present_[(seq - n) % kSnapshotRing];
            for (std::size_t w = 0; w < all.size(); ++w) all[w] &= p[w];
        } else {
            all.fill(0);
        }
        heldByAll_[n - 1] = all;
    }
    View& view = ring_[seq % kSnapshotRing];
    assert(&view != base);
    PresenceBits& presence = present_[seq % kSnapshotRing];
    if (base) {
        view.records = base->records;
        presence = present_[base->seq % kSnapshotRing];
    } else {
        view.records.assign(slotCount, EntityRecord{});
        presence.fill(0);
    }
    const auto setPresent = [&presence](std::uint32_t slot, bool on) {
        const std::uint64_t bit = std::uint64_t{1} << (slot % 64u);
        presence[slot / 64u] = on ? presence[slot / 64u] | bit : presence[slot / 64u] & ~bit;
    };
    if (base && base->objectCount > 0) {
        view.objects = base->objects;
        view.objectKeys = base->objectKeys;
    } else if (view.objectCount > 0) {
        view.objects.fill(ObjectRecord{});
    }
    view.objectCount = base ? base->objectCount : 0;
    view.seq = seq;
    view.valid = true;
    view.acked = false;
    view.carried.clear();

    out.seq = static_cast<std::uint16_t>(seq);
    out.baselineOffset = base ? seq - base->seq : 0;
    out.serverTick = tick;

    SnapshotStats st;
    st.full = base == nullptr;
    WriteStream& w = writer_;
    w.reset(kMaxMessageBytes);
    if (!base) {
        std::uint32_t count = slotCount;
        w.serializeBits(count, bitsRequired(kMaxEntities));
        for (std::uint32_t slot = 0; slot < slotCount; ++slot) {
            const EntityRecord cur = history.current(static_cast<std::uint16_t>(slot));
            std::uint32_t present = cur.instance != 0 ? 1u : 0u;
            w.serializeBits(present, 1);
            // Present but maybe not described this time: the client holds a
            // placeholder. Version 0 is never a real version, so it is sent
            // absolute when described, and removed explicitly when it leaves.
            if (present) {
                view.records[slot] = EntityRecord{cur.instance, 0};
                setPresent(slot, true);
            } else if (slots_[slot].shown.instance != 0) view.carried.emplace_back(static_cast<std::uint16_t>(slot), EntityRecord{}); // reported removed
        }
    }
    // Objects, whole, before the avatars: removals first (skipping a key that
    // lives on in another slot: it is set below, and a key appears once),
    // then what differs from the baseline: objects the client may already
    // show (sent after the baseline, or a key that moved slot) whatever the
    // cap, so its view never steps back; then new ones while the section is
    // under the cap. The view keeps the baseline's record for the rest.
    if (view.objectCount > 0 || (objects && objects->slotCount() > 0)) {
        const auto mark = w.mark();
        const std::uint32_t used = objects ? objects->slotCount() : 0;
        const std::uint32_t baseSeq = base ? base->seq : 0;
        std::fill(mustSend_.begin(), mustSend_.begin() + used, false);
        auto liveSlot = [&](ObjectKey key) -> int {
            for (std::uint32_t t = 0; t < used; ++t)
                if (objects->current(t).instance != 0 && objects->key(t) == key) return static_cast<int>(t);
            return -1;
        };
        for (std::uint32_t s = 0; s < kMaxRoomObjects; ++s) {
            ObjectRecord& held = view.objects[s];
            if (held.instance == 0) continue;
            const ObjectRecord cur = s < used ? objects->current(s) : ObjectRecord{};
            if (cur.instance == held.instance) continue;
            const int movedTo = objects ? liveSlot(view.objectKeys[s]) : -1;
            if (movedTo < 0) {
                std::uint32_t more = 1;
                bool removed = true;
                ObjectKey key = view.objectKeys[s];
                w.serializeBits(more, 1);
                (void)serializeObjectHeader(w, key, removed);
                ++st.objects;
            } else {
                mustSend_[static_cast<std::uint32_t>(movedTo)] = true;
            }
            held = ObjectRecord{};
            --view.objectCount;
        }
        auto sectionBytes = [&] { return static_cast<std::uint32_t>((w.bitsWritten() - mark.bits + 7) / 8); };
        const std::uint32_t cap = std::min(config.objectBudgetBytes, kMaxObjectSectionBytes);
        bool anySet = false;
        // One pass for the objects the client may show, one for new ones.
        for (int pass = 0; pass < 2; ++pass) {
            for (std::uint32_t s = 0; s < used; ++s) {
                const ObjectRecord cur = objects->current(s);
                if (cur.instance == 0 || cur == view.objects[s]) continue;
                // The client may show a version newer than the baseline's: the
                // newest one sent went after the baseline and is not what it holds.
                const SentObject& sent = objectSent_[s];
                const bool shown = mustSend_[s] || (sent.seq > baseSeq && sent.record.instance == cur.instance &&
                                                    !(sent.record == view.objects[s]));
                if ((pass == 0) != shown) continue;
                const ObjectBytes& bytes = objects->bytes(s);
                const std::uint32_t need = 4 + bytes.size; // header, size and bytes, rounded up
                const bool fits = sectionBytes() + need <= kMaxObjectSectionBytes;
                if (!fits || (pass == 1 && anySet && sectionBytes() >= cap)) {
                    ++st.objectsDeferred;
                    continue;
                }
                std::uint32_t more = 1;
                bool removed = false;
                ObjectKey key = objects->key(s);
                ObjectBytes copy = bytes;
                w.serializeBits(more, 1);
                (void)serializeObjectHeader(w, key, removed);
                (void)serializeObjectBytes(w, copy);
                if (view.objects[s].instance == 0) ++view.objectCount;
                view.objects[s] = cur;
                view.objectKeys[s] = key;
                objectSent_[s] = SentObject{seq, cur};
                anySet = true;
                ++st.objects;
            }
        }
        std::uint32_t end = 0;
        w.serializeBits(end, 1);
        st.objectBytes = sectionBytes();
    } else {
        std::uint32_t end = 0; // no objects: the section is its end bit
        w.serializeBits(end, 1);
    }

    // Removals first in the queue: small, and a stale ghost is worse than a
    // stale pose. They and the chosen updates are written together below,
    // in slot order.
    entries_.clear();
    candidates_.clear();
    const std::uint32_t examined = consider.empty() ? slotCount : static_cast<std::uint32_t>(consider.size());
    constexpr std::uint32_t kAhead = 8; // slots ahead whose per-client state is fetched early (scattered reads)
    for (std::uint32_t i = 0; i < examined; ++i) {
        const std::uint32_t slot = consider.empty() ? i : consider[i];
        assert(slot < slotCount);
        if (i + kAhead < examined) {
            const std::uint32_t ahead = consider.empty() ? i + kAhead : consider[i + kAhead];
            __builtin_prefetch(&slots_[ahead]);
            __builtin_prefetch(&view.records[ahead]);
        }
        const auto s16 = static_cast<std::uint16_t>(slot);
        const EntityRecord cur = history.current(s16);
        EntityRecord& held = view.records[slot];
        SlotState& ss = slots_[slot];
        if (cur.instance == 0) {
            ss.accum = 0;
            if (held.instance != 0) {
                entries_.push_back(Entry{s16, static_cast<std::uint8_t>(EntryKind::Removed), nullptr});
                view.carried.emplace_back(s16, EntityRecord{});
                held = EntityRecord{};
                setPresent(slot, false);
                ++st.removals;
            }
            continue;
        }
        // What the client shows, where that is known, else the baseline's.
        // It shows an update another chain carried: nothing to send, if this
        // chain's baseline holds a state of the same entity (the receiver
        // keeps the newer one it shows; against a placeholder or nothing it
        // would not show it).
        const bool forced = forceSelf && slot == self;
        if (cur == held && !forced) { ss.accum = 0; continue; }
        EntityRecord known = held;
        if (ss.shownSeq > 0 && !(ss.shown == held) && !droppedSince(s16, ss.shownSeq, seq)) known = ss.shown;
        const bool shownElsewhere = cur == known && held.instance == cur.instance && held.version != 0;
        if (shownElsewhere && !forced) { ss.accum = 0; continue; }
        ss.accum += priority[slot] + 1.0f;
        const std::uint32_t age = tick - history.supersededTick(s16, known);
        // Stale and not already on its way: jump the queue. An update sent in
        // the last few ticks is presumed in flight, so the queue is not spent
        // resending it while others wait.
        const bool inFlight = ss.lastSent == cur && tick - ss.lastSentTick < kInFlightTicks;
        candidates_.push_back(candidateKey(s16, ss.accum, age >= config.maxStaleTicks && !inFlight, age, slot == self));
    }

    // Rank only the head of the queue: select the top kMaxRanked in linear
    // time, then order just those.
    const std::size_t sorted = std::min<std::size_t>(candidates_.size(), kMaxRanked);
    const auto byKey = std::greater<std::uint64_t>{};
    const auto head = candidates_.begin() + static_cast<std::ptrdiff_t>(sorted);
    if (sorted < candidates_.size()) std::nth_element(candidates_.begin(), head, candidates_.end(), byKey);
    std::sort(candidates_.begin(), head, byKey);
    // The budget is counted with every gap at kEntryHeaderBits (the order
    // chosen below never costs more in all) and the section's own bits.
    const std::size_t budgetBits = static_cast<std::size_t>(config.budgetBytes) * 8;
    const std::size_t hardBits = (kMaxMessageBytes - 1) * 8;
    const std::size_t staleBits = std::max<std::size_t>(budgetBits * kStaleBudgetFactor, static_cast<std::size_t>(config.staleBudgetBytes) * 8);
    std::size_t bits = w.bitsWritten() + kEntrySectionBits + st.removals * (kEntryHeaderBits + 2);
    std::size_t i = 0;
    for (; i < sorted; ++i) {
        const std::uint16_t slot = candidateSlot(candidates_[i]);
        const EntityRecord cur = history.current(slot);
        EntityRecord& held = view.records[slot];
        const QuantizedAvatar* baseState = history.stateOf(slot, held);
        QuantizedAvatar state = history.currentState(slot);
        MeasureStream m;
        (void)serializeAvatarDelta(m, state, baseState ? *baseState : kZeroAvatar);
        const std::size_t need = kEntryHeaderBits + (baseState ? 1 : 2) + m.bitsWritten();
        // The budget is a target; the freeze bound is a promise. Past the
        // budget only stale entities still go (they sort first), up to the
        // stale allowance (kStaleBudgetFactor budgets, or the link's where it
        // is more). The first entity always goes, so a tiny budget still
        // makes progress.
        const bool stale = candidateStale(candidates_[i]);
        const std::size_t limit = std::min(hardBits, stale ? staleBits : budgetBits);
        if (bits + need > limit && (st.updates > 0 || bits + need > hardBits)) break;
        bits += need;
        if (bits > budgetBits) ++st.overBudget;
        entries_.push_back(Entry{slot, static_cast<std::uint8_t>(baseState ? EntryKind::Delta : EntryKind::Absolute), baseState});
        view.carried.emplace_back(slot, cur);
        held = cur;
        setPresent(slot, true);
        SlotState& ss = slots_[slot];
        ss.accum = 0;
        ss.lastSent = cur;
        ss.lastSentTick = tick;
        ++st.updates;
        if (!baseState) ++st.absolutes;
    }
    st.deferred = static_cast<std::uint32_t>(candidates_.size() - i);

    // Written in slot order: the count, the cheapest gap order, then each
    // entry's gap, kind and avatar (against the state the client holds).
    std::sort(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) { return a.slot < b.slot; });
    std::uint32_t count = static_cast<std::uint32_t>(entries_.size());
    bool ok = serializeGolomb(w, count, 0);
    if (count > 0) {
        std::uint32_t order = 0;
        std::size_t best = SIZE_MAX;
        for (std::uint32_t k = 0; k <= kMaxGapOrder; ++k) {
            std::size_t total = 0;
            std::uint32_t next = 0;
            for (const Entry& e : entries_) { total += golombBits(e.slot - next, k); next = e.slot + 1u; }
            if (total < best) { best = total; order = k; }
        }
        ok = ok && w.serializeBits(order, kGapOrderBits);
        std::uint32_t next = 0;
        for (const Entry& e : entries_) {
            std::uint32_t gap = e.slot - next;
            std::uint32_t kind = e.kind;
            next = e.slot + 1u;
            ok = ok && serializeGolomb(w, gap, order) && serializeEntryKind(w, kind);
            if (e.kind == static_cast<std::uint8_t>(EntryKind::Removed)) continue;
            QuantizedAvatar state = history.currentState(e.slot);
            ok = ok && serializeAvatarDelta(w, state, e.base ? *e.base : kZeroAvatar);
        }
    }
    assert(ok); // the budget above is an upper bound of what was written
    (void)ok;
    w.align();
    const auto bytes = w.finish();
    out.payload.assign(bytes.begin(), bytes.end());
    st.payloadBytes = static_cast<std::uint32_t>(bytes.size());
    if (stats) *stats = st;
}

std::uint32_t ClientReplicator::worstStalenessTicks(const EntityHistory& history, std::uint32_t tick) const {
    // What the client shows is the newest update it received for each slot:
    // the newest sent one, on a lossless link.
    std::uint32_t worst = 0;
    for (std::uint32_t slot = 0; slot < slots_.size(); ++slot) {
        const auto s16 = static_cast<std::uint16_t>(slot);
        const EntityRecord cur = history.current(s16);
        const EntityRecord shown = slots_[slot].lastSent;
        if (cur.instance == 0 || cur == shown) continue;
        worst = std::max(worst, tick - history.supersededTick(s16, shown));
    }
    return worst;
}

// ---- SnapshotReceiver ---------------------------------------------------------

const char* toString(SnapshotOutcome o) {
    switch (o) {
    case SnapshotOutcome::Applied: return "applied";
    case SnapshotOutcome::Duplicate: return "duplicate";
    case SnapshotOutcome::Old: return "too old";
    case SnapshotOutcome::MissingBaseline: return "baseline not held";
    case SnapshotOutcome::Malformed: return "malformed";
    case SnapshotOutcome::Count: break;
    }
    return "?";
}

std::uint32_t SnapshotReceiver::ackBits() const {
    if (!newest_) return 0;
    std::uint32_t bits = 0;
    for (std::uint32_t i = 0; i < 32; ++i) {
        if (*newest_ < i + 1) break;
        const std::uint32_t s = *newest_ - 1 - i;
        const View& v = ring_[s % kSnapshotRing];
        if (v.valid && v.seq == s) bits |= 1u << i;
    }
    return bits;
}

SnapshotOutcome SnapshotReceiver::receive(const Snapshot& snap, std::vector<EntityUpdate>& updates) {
    return receive(snap, updates, ignoredObjects_);
}

namespace {
ObjectUpdate* findObject(std::vector<ObjectUpdate>& v, ObjectKey key) {
    for (ObjectUpdate& o : v)
        if (o.key == key) return &o;
    return nullptr;
}
} // namespace

SnapshotOutcome SnapshotReceiver::receive(const Snapshot& snap, std::vector<EntityUpdate>& updates,
                                          std::vector<ObjectUpdate>& objects) {
    updates.clear();
    objects.clear();
    const std::uint32_t seq = newest_ ? seqExpand(snap.seq, *newest_) : snap.seq;
    if (newest_ && seq + kSnapshotRing <= *newest_) return SnapshotOutcome::Old;
    {
        const View& existing = ring_[seq % kSnapshotRing];
        if (existing.valid && existing.seq == seq) return SnapshotOutcome::Duplicate;
    }
    if (snap.baselineOffset > seq) return SnapshotOutcome::Malformed;
    if (snap.baselineOffset > 0) {
        const std::uint32_t baseSeq = seq - snap.baselineOffset;
        const View& b = ring_[baseSeq % kSnapshotRing];
        if (!b.valid || b.seq != baseSeq) return SnapshotOutcome::MissingBaseline;
        scratch_ = b.slots;
        scratchUndescribed_ = b.undescribed;
        scratchObjects_ = b.objects;
    } else {
        scratch_.assign(0, std::nullopt);
        scratchUndescribed_.assign(0, false);
        scratchObjects_.clear();
    }

    ReadStream r(snap.payload);
    std::array<std::uint64_t, kMaxEntities / 64> seen{};
    std::uint32_t count = kMaxEntities;
    if (snap.baselineOffset == 0) {
        if (!serializeUInt(r, count, 0, kMaxEntities)) return SnapshotOutcome::Malformed;
        // Present slots without an entry are live but not yet described: the
        // view holds a placeholder (the server's view holds the instance with
        // version 0), so a later removal has something to remove and a later
        // description comes as an absolute entry; nothing is reported for them.
        scratch_.assign(count, std::nullopt);
        scratchUndescribed_.assign(count, false);
        for (std::uint32_t slot = 0; slot < count; ++slot) {
            std::uint32_t present = 0;
            if (!r.serializeBits(present, 1)) return updates.clear(), SnapshotOutcome::Malformed;
            if (!present) updates.push_back(EntityUpdate{static_cast<std::uint16_t>(slot), true, {}});
            else {
                scratch_[slot] = kZeroAvatar;
                scratchUndescribed_[slot] = true;
            }
        }
    }
    // Room objects: each key at most once; a removal must name a held object.
    {
        std::array<ObjectKey, kMaxRoomObjects * 2> seenKeys{};
        std::size_t seenCount = 0;
        for (;;) {
            std::uint32_t more = 0;
            if (!r.serializeBits(more, 1)) return updates.clear(), SnapshotOutcome::Malformed;
            if (!more) break;
            ObjectKey key;
            bool removed = false;
            if (!serializeObjectHeader(r, key, removed) || seenCount == seenKeys.size())
                return updates.clear(), SnapshotOutcome::Malformed;
            for (std::size_t k = 0; k < seenCount; ++k)
                if (seenKeys[k] == key) return updates.clear(), SnapshotOutcome::Malformed;
            seenKeys[seenCount++] = key;
            ObjectUpdate* held = findObject(scratchObjects_, key);
            if (removed) {
                if (!held) return updates.clear(), SnapshotOutcome::Malformed;
                *held = scratchObjects_.back();
                scratchObjects_.pop_back();
                continue;
            }
            ObjectBytes bytes;
            if (!serializeObjectBytes(r, bytes)) return updates.clear(), SnapshotOutcome::Malformed;
            if (held) held->bytes = bytes;
            else if (scratchObjects_.size() == kMaxRoomObjects) return updates.clear(), SnapshotOutcome::Malformed;
            else scratchObjects_.push_back(ObjectUpdate{key, false, bytes});
        }
    }
    const std::size_t presenceUpdates = updates.size();
    std::uint32_t entries = 0, order = 0, next = 0;
    if (!serializeGolomb(r, entries, 0) || entries > count) return updates.clear(), SnapshotOutcome::Malformed;
    if (entries > 0 && (!r.serializeBits(order, kGapOrderBits) || order > kMaxGapOrder)) return updates.clear(), SnapshotOutcome::Malformed;
    for (std::uint32_t e = 0; e < entries; ++e) {
        std::uint32_t gap = 0, kind = 0;
        if (!serializeGolomb(r, gap, order) || !serializeEntryKind(r, kind) || gap >= count - std::min(count, next))
            return updates.clear(), SnapshotOutcome::Malformed;
        const std::uint32_t slot = next + gap; // ascending: every slot at most once
        next = slot + 1;
        if (seen[slot / 64] & (1ull << (slot % 64))) return updates.clear(), SnapshotOutcome::Malformed;
        seen[slot / 64] |= 1ull << (slot % 64);
        if (slot >= scratch_.size()) scratch_.resize(slot + 1);
        if (slot >= scratchUndescribed_.size()) scratchUndescribed_.resize(slot + 1, false);
        scratchUndescribed_[slot] = false; // described (or removed) now
        auto& held = scratch_[slot];
        EntityUpdate u;
        u.slot = static_cast<std::uint16_t>(slot);
        if (kind == static_cast<std::uint32_t>(EntryKind::Removed)) {
            if (!held) return updates.clear(), SnapshotOutcome::Malformed;
            held.reset();
            u.removed = true;
        } else {
            if (kind == static_cast<std::uint32_t>(EntryKind::Delta) && !held) return updates.clear(), SnapshotOutcome::Malformed;
            const QuantizedAvatar& base = kind == static_cast<std::uint32_t>(EntryKind::Delta) ? *held : kZeroAvatar;
            if (!serializeAvatarDelta(r, u.state, base)) return updates.clear(), SnapshotOutcome::Malformed;
            held = u.state;
        }
        updates.push_back(u);
    }
    if (!r.align() || r.bitsLeft() != 0) return updates.clear(), SnapshotOutcome::Malformed;
    // A full snapshot's presence map must agree with its entries.
    if (snap.baselineOffset == 0) {
        for (std::size_t k = 0; k < presenceUpdates; ++k)
            if (seen[updates[k].slot / 64] & (1ull << (updates[k].slot % 64))) return updates.clear(), SnapshotOutcome::Malformed;
    }

    // The consumer shows what the updates reported so far built (shown_). A
    // snapshot newer than everything applied is decoded against an older
    // acknowledged baseline, so what it carries is relative to that baseline,
    // not to what the consumer shows: an entity that came and went since has
    // no removal, and one the consumer dropped may be back unchanged. Report
    // the difference between the new view and what is shown (placeholders of
    // present-but-undescribed entities neither add nor remove).
    if (newest_ && seq > *newest_) {
        std::array<std::uint64_t, kMaxEntities / 64> reported{};
        for (const EntityUpdate& u : updates) reported[u.slot / 64] |= 1ull << (u.slot % 64);
        const std::size_t n = std::min<std::size_t>(std::max(shown_.size(), scratch_.size()), kMaxEntities);
        for (std::size_t slot = 0; slot < n; ++slot) {
            if (reported[slot / 64] & (1ull << (slot % 64))) continue;
            const bool shown = slot < shown_.size() && shown_[slot];
            const bool held = slot < scratch_.size() && scratch_[slot].has_value();
            const bool placeholder = held && slot < scratchUndescribed_.size() && scratchUndescribed_[slot];
            if (shown && !held) updates.push_back(EntityUpdate{static_cast<std::uint16_t>(slot), true, {}});
            else if (!shown && held && !placeholder)
                updates.push_back(EntityUpdate{static_cast<std::uint16_t>(slot), false, *scratch_[slot]});
        }
    }
    for (const EntityUpdate& u : updates) {
        if (u.slot >= shown_.size()) shown_.resize(u.slot + 1u, false);
        shown_[u.slot] = !u.removed;
    }
    // Objects: what the newest view holds against what was reported before.
    if (!newest_ || seq > *newest_) {
        for (const ObjectUpdate& o : shownObjects_)
            if (!findObject(scratchObjects_, o.key)) objects.push_back(ObjectUpdate{o.key, true, {}});
        for (const ObjectUpdate& o : scratchObjects_) {
            const ObjectUpdate* was = findObject(shownObjects_, o.key);
            if (!was || !(was->bytes == o.bytes)) objects.push_back(o);
        }
        shownObjects_ = scratchObjects_;
    }
    View& v = ring_[seq % kSnapshotRing];
    v.seq = seq;
    v.valid = true;
    std::swap(v.slots, scratch_);
    std::swap(v.undescribed, scratchUndescribed_);
    std::swap(v.objects, scratchObjects_);
    if (!newest_ || seq > *newest_) newest_ = seq;
    return SnapshotOutcome::Applied;
}

} // namespace caseroom::net
