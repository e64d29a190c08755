// The teaching round's wire forms: the room-object codecs of the agenda,
// queues, moderation, board, chat and statements (net::ObjectKind Agenda ..
// Statement; the serialize() stream style, every field bounded, text UTF-8
// checked on decode). The only place that knows both sim/clinic_state.h and
// net's object encodings; server systems encode, the client's view models
// decode. Layouts are in engine/net/PROTOCOL.md ("Teaching round objects").
//
// Keys: {Agenda, 0}; {AgendaEntry, index}; {Queue, sim::kHandsQueue |
// kQuestionsQueue}; {Moderation, 0}; {BoardEntry, entry id};
// {ChatLine, seq % sim::kMaxChatLines}; {Statement, index}.
// Texts longer than their bound are clipped on a code point boundary by the
// encoder (clipUtf8), never refused; a decoder refuses what breaks a bound.
#pragma once
#include <optional>
#include <span>

#include "net/messages.h"
#include "net/room_objects.h"
#include "sim/clinic_state.h"
#include "sim/recording.h"

namespace caseroom::session {

[[nodiscard]] bool encodeAgenda(const sim::AgendaState& a, net::ObjectBytes& out);
[[nodiscard]] std::optional<sim::AgendaState> decodeAgenda(std::span<const std::uint8_t> bytes);
[[nodiscard]] bool encodeAgendaEntry(const sim::AgendaEntry& e, net::ObjectBytes& out);  // caseId not carried
[[nodiscard]] std::optional<sim::AgendaEntry> decodeAgendaEntry(std::span<const std::uint8_t> bytes);
[[nodiscard]] bool encodeQueue(const sim::QueueState& q, net::ObjectBytes& out);
[[nodiscard]] std::optional<sim::QueueState> decodeQueue(std::span<const std::uint8_t> bytes);
[[nodiscard]] bool encodeModeration(const sim::ModerationState& m, net::ObjectBytes& out);
[[nodiscard]] std::optional<sim::ModerationState> decodeModeration(std::span<const std::uint8_t> bytes);
[[nodiscard]] bool encodeBoardEntry(const sim::BoardEntry& e, net::ObjectBytes& out);
[[nodiscard]] std::optional<sim::BoardEntry> decodeBoardEntry(std::span<const std::uint8_t> bytes);
[[nodiscard]] bool encodeChatLine(const sim::ChatLine& l, net::ObjectBytes& out);
[[nodiscard]] std::optional<sim::ChatLine> decodeChatLine(std::span<const std::uint8_t> bytes);
// {Recording, 0}: sim/recording.h's state.
[[nodiscard]] bool encodeRecording(const sim::RecordingState& r, net::ObjectBytes& out);
[[nodiscard]] std::optional<sim::RecordingState> decodeRecording(std::span<const std::uint8_t> bytes);
[[nodiscard]] bool encodeStatement(const sim::Statement& s, net::ObjectBytes& out);
[[nodiscard]] std::optional<sim::Statement> decodeStatement(std::span<const std::uint8_t> bytes);

// sim's permission verdict as the refusal a client reads.
[[nodiscard]] net::RefusalReason toWire(sim::Denial d);

} // namespace caseroom::session
