#include "session/clinic_wire.h"

#include <algorithm>
#include <array>

#include "core/utf8.h"
#include "net/messages.h"
#include "net/stream.h"
#include "session/panel_wire.h"

namespace caseroom::session {
namespace {

// An entity slot or none: valid:1 [slot [0,1023]].
template <typename S>
bool serializeEntity(S& s, core::EntityId& id) {
    bool valid = id.valid();
    if (!serializeBool(s, valid)) return false;
    if (!valid) {
        if constexpr (S::kReading) id = core::EntityId::invalid();
        return true;
    }
    std::uint32_t v = id.value;
    if (!serializeUInt(s, v, 0, net::kMaxEntities - 1)) return false;
    if constexpr (S::kReading) id = core::EntityId{static_cast<std::uint16_t>(v)};
    return true;
}

// UTF-8 text of at most maxBytes; `lines`: line breaks and tabs allowed.
// Writers pass text already clipped (clipUtf8); readers check the encoding.
template <typename S>
bool serializeText(S& s, std::string& text, std::uint32_t maxBytes, bool lines = false) {
    const bool ok = lines ? net::serializeCaseText(s, text, maxBytes) : net::serializeString(s, text, maxBytes);
    if (!ok) return false;
    if constexpr (S::kReading) return core::validUtf8(text);
    return true;
}

template <typename S>
bool serializeTick(S& s, std::uint32_t& t) { return serializeU32(s, t); }

// Agenda: hasPlan:1 | current [0,31] | phase | case [0,5] | entries [0,32] | phaseStart:32 | sessionStart:32
template <typename S>
bool serializeAgenda(S& s, sim::AgendaState& a) {
    std::uint32_t current = a.current, kase = a.caseIndex, count = a.entryCount;
    if (!serializeBool(s, a.hasPlan) || !serializeUInt(s, current, 0, sim::kMaxPlanEntries - 1) || !serializeEnum(s, a.phase) ||
        !serializeUInt(s, kase, 0, sim::kMaxPlanCases - 1) || !serializeUInt(s, count, 0, sim::kMaxPlanEntries) ||
        !serializeTick(s, a.phaseStartTick) || !serializeTick(s, a.sessionStartTick))
        return false;
    if constexpr (S::kReading) {
        a.current = static_cast<std::uint8_t>(current);
        a.caseIndex = static_cast<std::uint8_t>(kase);
        a.entryCount = static_cast<std::uint8_t>(count);
        if (a.hasPlan && a.current >= a.entryCount) return false;
    }
    return true;
}

// Entry: phase | case [0,5] | planned seconds [0,65535] | title [0,96] | presenter [0,48] | question [0,200]
template <typename S>
bool serializeEntry(S& s, sim::AgendaEntry& e) {
    std::uint32_t kase = e.caseIndex;
    if (!serializeEnum(s, e.phase) || !serializeUInt(s, kase, 0, sim::kMaxPlanCases - 1) || !serializeU16(s, e.plannedSeconds) ||
        !serializeText(s, e.title, sim::kMaxTitleBytes) || !serializeText(s, e.presenter, net::kMaxDisplayName) ||
        !serializeText(s, e.question, sim::kMaxQuestionBytes, true))
        return false;
    if constexpr (S::kReading) e.caseIndex = static_cast<std::uint8_t>(kase);
    return true;
}

// Queue: count [0,48] | base:32 | count x (slot [0,1023] | since - base [0, 2^20) | hasLine:1 [line:32])
// The hands queue changes most (every raise, every call), so it is sent to
// every client often: an entry is ~4 bytes, not 10 (base = the oldest since;
// 2^20 ticks is 9.7 hours at 30 Hz, past any session).
constexpr std::uint32_t kSinceBits = 20;
template <typename S>
bool serializeQueue(S& s, sim::QueueState& q) {
    std::uint32_t n = static_cast<std::uint32_t>(q.entries.size());
    if (!serializeUInt(s, n, 0, sim::kMaxQueue)) return false;
    if constexpr (S::kReading) q.entries.resize(n);
    std::uint32_t base = 0;
    if constexpr (S::kWriting) {
        base = 0xFFFFFFFFu;
        for (const auto& e : q.entries) base = std::min(base, e.sinceTick);
        if (q.entries.empty()) base = 0;
    }
    if (!serializeU32(s, base)) return false;
    for (auto& e : q.entries) {
        std::uint32_t slot = e.who.value, offset = e.sinceTick - base;
        bool hasLine = e.line != 0;
        if (!serializeUInt(s, slot, 0, net::kMaxEntities - 1) || !s.serializeBits(offset, kSinceBits) || !serializeBool(s, hasLine))
            return false;
        if (hasLine && !serializeU32(s, e.line)) return false;
        if constexpr (S::kReading) {
            if (offset > 0xFFFFFFFFu - base) return false;   // past the tick counter: nothing real
            e.who = core::EntityId{static_cast<std::uint16_t>(slot)};
            e.sinceTick = base + offset;
            if (!hasLine) e.line = 0;
        }
    }
    return true;
}

// Moderation: floor entity | floorSince:32 | chair | facilitator | coFacilitator | locked:1 | muteAll |
// muted: bitmap:1 (1: 1024-bit map; 0: count [0,128] x slot [0,1023]), the shorter one written.
template <typename S>
bool serializeModeration(S& s, sim::ModerationState& m) {
    if (!serializeEntity(s, m.floor) || !serializeTick(s, m.floorSinceTick) || !serializeEntity(s, m.chair) ||
        !serializeEntity(s, m.facilitator) || !serializeEntity(s, m.coFacilitator) || !serializeBool(s, m.locked) ||
        !serializeEnum(s, m.muteAll))
        return false;
    constexpr std::uint32_t kListMax = 128;
    bool bitmap = m.muted.size() > 100; // past ~100 slots of 10 bits the 128-byte map is shorter
    if (!serializeBool(s, bitmap)) return false;
    if (bitmap) {
        std::array<std::uint8_t, net::kMaxEntities / 8> map{};
        if constexpr (S::kWriting)
            for (std::uint16_t slot : m.muted)
                if (slot < net::kMaxEntities) map[slot / 8] = static_cast<std::uint8_t>(map[slot / 8] | (1u << (slot % 8)));
        if (!s.serializeBytes(map.data(), map.size())) return false;
        if constexpr (S::kReading) {
            m.muted.clear();
            for (std::uint32_t slot = 0; slot < net::kMaxEntities; ++slot)
                if ((map[slot / 8] >> (slot % 8)) & 1u) m.muted.push_back(static_cast<std::uint16_t>(slot));
        }
        return true;
    }
    std::uint32_t n = static_cast<std::uint32_t>(m.muted.size());
    if (!serializeUInt(s, n, 0, kListMax)) return false;
    if constexpr (S::kReading) m.muted.resize(n);
    for (std::size_t i = 0; i < m.muted.size(); ++i) {
        std::uint32_t v = m.muted[i];
        if (!serializeUInt(s, v, 0, net::kMaxEntities - 1)) return false;
        if constexpr (S::kReading) {
            if (i > 0 && v <= m.muted[i - 1]) return false;   // sorted, no repeats
            m.muted[i] = static_cast<std::uint16_t>(v);
        }
    }
    return true;
}

// Board entry: id:16 | case [0,5] | author entity | name [0,48] | role | posted:32 | edited:32 | consensus:1 | text [0,400] (lines)
template <typename S>
bool serializeBoard(S& s, sim::BoardEntry& e) {
    std::uint32_t kase = e.caseIndex;
    if (!serializeU16(s, e.id) || !serializeUInt(s, kase, 0, sim::kMaxPlanCases - 1) || !serializeEntity(s, e.author) ||
        !serializeText(s, e.authorName, net::kMaxDisplayName) || !serializeEnum(s, e.authorRole) || !serializeTick(s, e.postedTick) ||
        !serializeTick(s, e.editedTick) || !serializeBool(s, e.consensus) || !serializeText(s, e.text, sim::kMaxEntryTextBytes, true))
        return false;
    if constexpr (S::kReading) e.caseIndex = static_cast<std::uint8_t>(kase);
    return true;
}

// Chat line: seq:32 | kind | author entity | name [0,48] | role | tick:32 | answered:1 | text [0,400]
template <typename S>
bool serializeChat(S& s, sim::ChatLine& l) {
    return serializeU32(s, l.seq) && serializeEnum(s, l.kind) && serializeEntity(s, l.author) &&
           serializeText(s, l.authorName, net::kMaxDisplayName) && serializeEnum(s, l.authorRole) && serializeTick(s, l.tick) &&
           serializeBool(s, l.answered) && serializeText(s, l.text, sim::kMaxEntryTextBytes);
}

// Statement: kind | title [0,96] | text [0,360] (lines)
template <typename S>
bool serializeStatement(S& s, sim::Statement& st) {
    return serializeEnum(s, st.kind) && serializeText(s, st.title, sim::kMaxTitleBytes) &&
           serializeText(s, st.text, sim::kMaxStatementBytes, true);
}



// Texts as their codec carries them: clipped to the bound on a code point
// boundary, control characters (but line breaks where allowed) replaced.
std::string carried(std::string_view text, std::size_t maxBytes, bool lines = false) {
    std::string out = clipUtf8(text, maxBytes);
    for (char& ch : out) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c < 0x20 && !(lines && (c == '\n' || c == '\t'))) || c == 0x7F) ch = ' ';
    }
    return out;
}
} // namespace

// Recording: status | policy | epoch:16 | sinceTick:32 | startedBy entity.
template <typename S>
bool serializeRecording(S& s, sim::RecordingState& r) {
    return serializeEnum(s, r.status) && serializeEnum(s, r.policy) && serializeU16(s, r.epoch) &&
           serializeTick(s, r.sinceTick) && serializeEntity(s, r.startedBy);
}

bool encodeRecording(const sim::RecordingState& r, net::ObjectBytes& out) {
    return net::encodeObjectWith(r, [](auto& s, sim::RecordingState& v) { return serializeRecording(s, v); }, out);
}
std::optional<sim::RecordingState> decodeRecording(std::span<const std::uint8_t> bytes) {
    return net::decodeObjectWith<sim::RecordingState>(bytes, [](auto& s, sim::RecordingState& v) { return serializeRecording(s, v); });
}

bool encodeAgenda(const sim::AgendaState& a, net::ObjectBytes& out) {
    return net::encodeObjectWith(a, [](auto& s, sim::AgendaState& v) { return serializeAgenda(s, v); }, out);
}
std::optional<sim::AgendaState> decodeAgenda(std::span<const std::uint8_t> bytes) {
    return net::decodeObjectWith<sim::AgendaState>(bytes, [](auto& s, sim::AgendaState& v) { return serializeAgenda(s, v); });
}

bool encodeAgendaEntry(const sim::AgendaEntry& e, net::ObjectBytes& out) {
    sim::AgendaEntry c = e;
    c.caseId = 0;
    c.title = carried(e.title, sim::kMaxTitleBytes);
    c.presenter = carried(e.presenter, net::kMaxDisplayName);
    c.question = carried(e.question, sim::kMaxQuestionBytes, true);
    return net::encodeObjectWith(c, [](auto& s, sim::AgendaEntry& v) { return serializeEntry(s, v); }, out);
}
std::optional<sim::AgendaEntry> decodeAgendaEntry(std::span<const std::uint8_t> bytes) {
    return net::decodeObjectWith<sim::AgendaEntry>(bytes, [](auto& s, sim::AgendaEntry& v) { return serializeEntry(s, v); });
}

bool encodeQueue(const sim::QueueState& q, net::ObjectBytes& out) {
    if (q.entries.size() > sim::kMaxQueue) return false;
    std::uint32_t oldest = 0xFFFFFFFFu, newest = 0;
    for (const auto& e : q.entries) {
        if (!e.who.valid() || e.who.value >= net::kMaxEntities) return false;
        oldest = std::min(oldest, e.sinceTick);
        newest = std::max(newest, e.sinceTick);
    }
    if (!q.entries.empty() && newest - oldest >= (1u << kSinceBits)) return false;
    return net::encodeObjectWith(q, [](auto& s, sim::QueueState& v) { return serializeQueue(s, v); }, out);
}
std::optional<sim::QueueState> decodeQueue(std::span<const std::uint8_t> bytes) {
    return net::decodeObjectWith<sim::QueueState>(bytes, [](auto& s, sim::QueueState& v) { return serializeQueue(s, v); });
}

bool encodeModeration(const sim::ModerationState& m, net::ObjectBytes& out) {
    sim::ModerationState c = m;
    std::sort(c.muted.begin(), c.muted.end());
    c.muted.erase(std::unique(c.muted.begin(), c.muted.end()), c.muted.end());
    if (!c.muted.empty() && c.muted.back() >= net::kMaxEntities) return false;
    return net::encodeObjectWith(c, [](auto& s, sim::ModerationState& v) { return serializeModeration(s, v); }, out);
}
std::optional<sim::ModerationState> decodeModeration(std::span<const std::uint8_t> bytes) {
    return net::decodeObjectWith<sim::ModerationState>(bytes, [](auto& s, sim::ModerationState& v) { return serializeModeration(s, v); });
}

bool encodeBoardEntry(const sim::BoardEntry& e, net::ObjectBytes& out) {
    sim::BoardEntry c = e;
    c.authorName = carried(e.authorName, net::kMaxDisplayName);
    c.text = carried(e.text, sim::kMaxEntryTextBytes, true);
    return net::encodeObjectWith(c, [](auto& s, sim::BoardEntry& v) { return serializeBoard(s, v); }, out);
}
std::optional<sim::BoardEntry> decodeBoardEntry(std::span<const std::uint8_t> bytes) {
    return net::decodeObjectWith<sim::BoardEntry>(bytes, [](auto& s, sim::BoardEntry& v) { return serializeBoard(s, v); });
}

bool encodeChatLine(const sim::ChatLine& l, net::ObjectBytes& out) {
    sim::ChatLine c = l;
    c.authorName = carried(l.authorName, net::kMaxDisplayName);
    c.text = carried(l.text, sim::kMaxEntryTextBytes);
    return net::encodeObjectWith(c, [](auto& s, sim::ChatLine& v) { return serializeChat(s, v); }, out);
}
std::optional<sim::ChatLine> decodeChatLine(std::span<const std::uint8_t> bytes) {
    return net::decodeObjectWith<sim::ChatLine>(bytes, [](auto& s, sim::ChatLine& v) { return serializeChat(s, v); });
}

bool encodeStatement(const sim::Statement& st, net::ObjectBytes& out) {
    sim::Statement c = st;
    c.title = carried(st.title, sim::kMaxTitleBytes);
    c.text = carried(st.text, sim::kMaxStatementBytes, true);
    return net::encodeObjectWith(c, [](auto& s, sim::Statement& v) { return serializeStatement(s, v); }, out);
}
std::optional<sim::Statement> decodeStatement(std::span<const std::uint8_t> bytes) {
    return net::decodeObjectWith<sim::Statement>(bytes, [](auto& s, sim::Statement& v) { return serializeStatement(s, v); });
}

net::RefusalReason toWire(sim::Denial d) {
    return d == sim::Denial::WrongPhase ? net::RefusalReason::WrongPhase : net::RefusalReason::NotPermitted;
}

} // namespace caseroom::session
