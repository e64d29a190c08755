// The recommendations board: per case of the session, the recommendations
// written by hub and spokes in the case's recommendations phase and the
// facilitator's summary marked as the consensus. Pure room rules (no
// network, no clock: the tick comes in, and no PHI screen: the host screens
// every text before it reaches apply). The host replicates entries() as
// {BoardEntry, id} objects; the events (sim/events.h, panel = case index,
// value = entry id, text = the stored text) are what the journal persists.
//
// Rules (docs/PERMISSIONS.md "The agenda phase"):
// - Post goes on the current case (RoundView::caseIndex): Action::Recommend,
//   open only in the recommendations phase. At most kMaxCaseEntries
//   recommendations per case (BoardFull). Live entries across the session are
//   at most kMaxBoardEntries: past it, the oldest entries of other cases leave
//   entries() (they are not lost: the journal has them from the events).
// - Edit and Withdraw: the entry's author only (matched by user id when both
//   are known, else by entity), with the Recommend check, on the current
//   case's board. The consensus entry is edited or withdrawn by anyone with
//   WriteSummary instead (facilitation may have been handed on).
// - Summary: WriteSummary (recommendations and summary phases, the
//   facilitator or the acting facilitator); creates the case's one consensus
//   entry or replaces its text.
// - Texts: trimmed of surrounding white space, non-empty, at most
//   kMaxEntryTextBytes, valid UTF-8, no control characters but line feed and
//   tab (checkText). Entry ids are 1, 2, ... per session, never reused.
// Thread rule: the room's thread.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/ids.h"
#include "sim/clinic_state.h"
#include "sim/events.h"

namespace caseroom::sim {

constexpr std::size_t kMaxCaseEntries = 40;   // recommendations on one case's board (the consensus apart)

// Why a board or chat intent was refused (the host maps them to
// net::RefusalReason of the same name).
enum class RoundTextError : std::uint8_t {
    NotPermitted, WrongPhase, NoAgenda, NoSuchEntry, NotAuthor, BoardFull, BadText, QueueFull, NotInQueue, Count
};
const char* toString(RoundTextError e);

// The text rule of the board (lines = true: line feeds and tabs allowed) and
// chat (lines = false: no control character at all). Returns the trimmed
// text, or nullopt when it is empty after trimming, longer than maxBytes,
// not valid UTF-8, or holds a control character (C0, DEL or C1) or U+2028 /
// U+2029 (line breaks are '\n', on the board only).
[[nodiscard]] std::optional<std::string_view> checkText(std::string_view text, std::size_t maxBytes, bool lines);

class BoardSystem {
public:
    // `events` (not owned, may be null) is the room's stream.
    explicit BoardSystem(EventStream* events);

    // A new session: every board empty, ids from 1 again.
    void reset();
    // Entries keep their text and name; the author's entity is cleared
    // (the slot may be reused by someone else).
    void leave(core::EntityId who);

    // Checks without changing anything (the host asks before it spends a
    // PHI screen on the text); the apply calls below check again.
    [[nodiscard]] std::optional<RoundTextError> canPost(const ClinicActor& actor, const RoundView& round) const;
    [[nodiscard]] std::optional<RoundTextError> canEdit(const ClinicActor& actor, const RoundView& round, std::uint16_t id) const;
    [[nodiscard]] std::optional<RoundTextError> canWithdraw(const ClinicActor& actor, const RoundView& round, std::uint16_t id) const;
    [[nodiscard]] std::optional<RoundTextError> canSummary(const ClinicActor& actor, const RoundView& round) const;

    // Apply one intent; nullopt when carried out, else why not (nothing
    // changed). `text` is checked with checkText(kMaxEntryTextBytes, lines)
    // and stored trimmed. `id` (may be null) receives the entry's id.
    [[nodiscard]] std::optional<RoundTextError> post(const ClinicActor& actor, const RoundView& round, std::string_view text,
                                                     std::uint32_t tick, std::uint16_t* id = nullptr);
    [[nodiscard]] std::optional<RoundTextError> edit(const ClinicActor& actor, const RoundView& round, std::uint16_t id,
                                                     std::string_view text, std::uint32_t tick);
    [[nodiscard]] std::optional<RoundTextError> withdraw(const ClinicActor& actor, const RoundView& round, std::uint16_t id,
                                                         std::uint32_t tick);
    [[nodiscard]] std::optional<RoundTextError> summary(const ClinicActor& actor, const RoundView& round, std::string_view text,
                                                        std::uint32_t tick, std::uint16_t* id = nullptr);

    // Live entries, oldest (lowest id) first.
    [[nodiscard]] std::span<const BoardEntry> entries() const { return entries_; }
    [[nodiscard]] const BoardEntry* find(std::uint16_t id) const;
    // The case's consensus entry, or nullptr.
    [[nodiscard]] const BoardEntry* consensus(std::uint8_t caseIndex) const;
    // Recommendations (not the consensus) live on the case's board.
    [[nodiscard]] std::size_t countFor(std::uint8_t caseIndex) const;
    // Entries that left entries() to make room (still in the journal).
    [[nodiscard]] std::uint64_t retired() const { return retired_; }
    // Bumps on every change of entries().
    [[nodiscard]] std::uint64_t version() const { return version_; }
    // Ids whose entry changed, appeared or left since the last call (may
    // repeat; an id not in entries() left): what the host re-publishes.
    // `out` is cleared first.
    void takeDirty(std::vector<std::uint16_t>& out) {
        out.clear();
        out.swap(dirty_);
    }

private:
    [[nodiscard]] std::optional<RoundTextError> gate(const ClinicActor& actor, const RoundView& round, Action action) const;
    [[nodiscard]] std::optional<RoundTextError> canChange(const ClinicActor& actor, const RoundView& round, std::uint16_t id) const;
    [[nodiscard]] bool isAuthor(const ClinicActor& actor, std::size_t index) const;
    [[nodiscard]] int indexOf(std::uint16_t id) const;
    // Makes room for one more entry on `caseIndex`'s board (retires the oldest of other cases).
    void makeRoom(std::uint8_t caseIndex);
    void emit(std::uint32_t tick, core::EntityId actor, RoomEventKind kind, std::uint8_t caseIndex, std::uint16_t id,
              std::string_view text);

    std::vector<BoardEntry> entries_;
    std::vector<std::uint64_t> authorUser_;   // beside entries_: the author's user id (0: unknown)
    std::vector<std::uint16_t> dirty_;
    EventStream* events_;
    std::uint16_t nextId_ = 1;
    std::uint64_t retired_ = 0;
    std::uint64_t version_ = 0;
};

} // namespace caseroom::sim
