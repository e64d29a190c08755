// The client's view model of the teaching round: the agenda and its entries,
// the hand and question queues, moderation (floor, chair, facilitator, mutes,
// lock), the recommendations board, the newest chat lines, the program's
// statements and the recording state, decoded from room objects (session/clinic_wire.h). One per
// ClientSession; read by the UI, the renderer's wall board, bots and tests.
// Thread rule: the session's thread.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "net/room_objects.h"
#include "sim/clinic_state.h"
#include "sim/recording.h"

namespace caseroom::session {

class ClinicViewModel {
public:
    // Whether `kind` is one of the teaching round's object kinds.
    [[nodiscard]] static bool handles(net::ObjectKind kind);
    // Applies one object update of a kind handles() accepts; false when it
    // does not decode (the caller counts it as malformed; the view keeps
    // what it had).
    bool apply(const net::ObjectUpdate& u);
    void reset();

    [[nodiscard]] const sim::AgendaState& agenda() const { return agenda_; }
    // The plan's entries by index (missing ones default-constructed until they arrive).
    [[nodiscard]] std::span<const sim::AgendaEntry> entries() const { return entries_; }
    // The current entry, or nullptr without a plan.
    [[nodiscard]] const sim::AgendaEntry* currentEntry() const;
    [[nodiscard]] const sim::QueueState& hands() const { return hands_; }
    [[nodiscard]] const sim::QueueState& questions() const { return questions_; }
    [[nodiscard]] const sim::ModerationState& moderation() const { return moderation_; }
    // Board entries by id (every case's that the room still shows).
    [[nodiscard]] std::span<const sim::BoardEntry> board() const { return board_; }
    // Chat lines by seq, oldest first (at most sim::kMaxChatLines).
    [[nodiscard]] std::span<const sim::ChatLine> chat() const { return chat_; }
    [[nodiscard]] std::span<const sim::Statement> statements() const { return statements_; }
    // Whether the room is recorded now (sim/recording.h; status Off: not, or no Recording object yet).
    [[nodiscard]] const sim::RecordingState& recording() const { return recording_; }
    // Bumps on every applied update.
    [[nodiscard]] std::uint64_t changes() const { return changes_; }

    // Convenience for the UI: is `who` in the hands queue (position 1-based, 0: no).
    [[nodiscard]] std::size_t handPosition(core::EntityId who) const;
    [[nodiscard]] bool isMuted(core::EntityId who) const;

private:
    sim::AgendaState agenda_;
    std::vector<sim::AgendaEntry> entries_;
    sim::QueueState hands_, questions_;
    sim::ModerationState moderation_;
    std::vector<sim::BoardEntry> board_;
    std::vector<sim::ChatLine> chat_;
    std::vector<sim::Statement> statements_;
    sim::RecordingState recording_;
    std::uint64_t changes_ = 0;
};

} // namespace caseroom::session
