// The teaching round's room objects (session/clinic_wire.h) as a client
// receives them: every decoder on any bytes, and a ClinicViewModel fed a
// sequence of object updates (sets and removals of any kind and id).
// Input: repeated
//   [u8 kind][u16 id][u8 flags][u16 length][length bytes]
// kind: net::ObjectKind (mod Count; non-clinic kinds go to the view too,
// which must refuse them); flags bit 0: a removal (no bytes follow);
// length is clipped to what is left and to kMaxObjectBytes.
// Properties: nothing crashes; a decoded object re-encodes (the encoder takes
// whatever a decoder accepts) and that encoding decodes to a value that
// encodes to the same bytes again (encode . decode is a fixed point after one
// round: the encoder normalises control characters and the mute list's form);
// the view model stays within its bounds (entries, chat ring, statements)
// and its convenience queries agree with its lists.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <span>

#include "fuzz_common.h"
#include "net/room_objects.h"
#include "session/clinic_view.h"
#include "session/clinic_wire.h"

using namespace caseroom;
using namespace caseroom::session;

namespace {
// decode -> encode -> decode -> encode: the two encodings must be equal.
template <typename T, typename Dec, typename Enc>
void roundTrip(std::span<const std::uint8_t> bytes, Dec decode, Enc encode) {
    const std::optional<T> v = decode(bytes);
    if (!v) return;
    net::ObjectBytes once, twice;
    if (!encode(*v, once)) std::abort(); // whatever decodes must encode
    const std::optional<T> again = decode(once.view());
    if (!again) std::abort();
    if (!encode(*again, twice) || !(once == twice)) std::abort();
    const std::optional<T> third = decode(twice.view());
    if (!third || !(*third == *again)) std::abort();
}

void decodeAll(net::ObjectKind kind, std::span<const std::uint8_t> bytes) {
    switch (kind) {
    case net::ObjectKind::Agenda: roundTrip<sim::AgendaState>(bytes, decodeAgenda, encodeAgenda); break;
    case net::ObjectKind::AgendaEntry: roundTrip<sim::AgendaEntry>(bytes, decodeAgendaEntry, encodeAgendaEntry); break;
    case net::ObjectKind::Queue: roundTrip<sim::QueueState>(bytes, decodeQueue, encodeQueue); break;
    case net::ObjectKind::Moderation: roundTrip<sim::ModerationState>(bytes, decodeModeration, encodeModeration); break;
    case net::ObjectKind::BoardEntry: roundTrip<sim::BoardEntry>(bytes, decodeBoardEntry, encodeBoardEntry); break;
    case net::ObjectKind::ChatLine: roundTrip<sim::ChatLine>(bytes, decodeChatLine, encodeChatLine); break;
    case net::ObjectKind::Statement: roundTrip<sim::Statement>(bytes, decodeStatement, encodeStatement); break;
    default: break;
    }
}

void checkView(const ClinicViewModel& v) {
    if (v.entries().size() > sim::kMaxPlanEntries) std::abort();
    if (v.chat().size() > sim::kMaxChatLines) std::abort();
    if (v.statements().size() > sim::kMaxStatements) std::abort();
    if (v.hands().entries.size() > sim::kMaxQueue || v.questions().entries.size() > sim::kMaxQueue) std::abort();
    for (std::size_t i = 1; i < v.chat().size(); ++i)
        if (v.chat()[i - 1].seq >= v.chat()[i].seq) std::abort(); // oldest first, one line per seq
    for (std::size_t i = 1; i < v.board().size(); ++i)
        if (v.board()[i - 1].id >= v.board()[i].id) std::abort(); // by id, one entry per id
    if (const sim::AgendaEntry* e = v.currentEntry(); e && (v.agenda().current >= v.entries().size())) std::abort();
    for (std::size_t i = 0; i < v.hands().entries.size(); ++i) {
        const std::size_t pos = v.handPosition(v.hands().entries[i].who);
        if (pos == 0 || pos > i + 1) std::abort(); // first occurrence at or before i
    }
    for (std::uint16_t slot : v.moderation().muted)
        if (!v.isMuted(core::EntityId{slot})) std::abort();
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::InputReader in{data, size};
    ClinicViewModel view;
    int updates = 0;
    while (updates++ < 256) {
        std::uint8_t kindByte = 0, flags = 0;
        std::uint16_t id = 0, length = 0;
        if (!in.u8(kindByte) || !in.u16(id) || !in.u8(flags)) break;
        net::ObjectUpdate u;
        u.key.kind = static_cast<net::ObjectKind>(kindByte % static_cast<std::uint8_t>(net::ObjectKind::Count));
        u.key.id = id;
        u.removed = (flags & 1) != 0;
        if (!u.removed) {
            if (!in.u16(length)) break;
            const auto bytes = in.take(std::min<std::size_t>(length, net::kMaxObjectBytes));
            if (!u.bytes.assign(bytes)) std::abort();
            decodeAll(u.key.kind, u.bytes.view());
        }
        const std::uint64_t before = view.changes();
        const bool handled = ClinicViewModel::handles(u.key.kind);
        const bool applied = view.apply(u);
        if (applied && !handled) std::abort(); // a panel's bytes are not the round's
        if (applied != (view.changes() == before + 1)) std::abort();
        checkView(view);
        if (flags & 0x80) {
            view.reset();
            if (view.changes() != 0 || !view.board().empty() || view.currentEntry()) std::abort();
        }
    }
    return 0;
}
