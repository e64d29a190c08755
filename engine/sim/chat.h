// Room chat and questions for the hub. Pure room rules (no network, no clock,
// no PHI screen: the host screens every text before it reaches say/ask).
// The host replicates lines() as {ChatLine, seq % kMaxChatLines} objects and
// questions() as {Queue, kQuestionsQueue}; the events (ChatSaid,
// QuestionAsked with the text, QuestionAnswered; value = the line's seq) are
// what the journal keeps (all of the session's chat, not only the newest).
//
// Rules (docs/PERMISSIONS.md "The agenda phase"):
// - Say: Action::Chat (every phase but ended). Lines are numbered 1, 2, ...
//   per session; the newest kMaxChatLines are kept.
// - Ask: Action::AskQuestion; a line of kind Question and an entry in the
//   questions queue (at most kMaxQueue: QueueFull), first asked first.
// - Withdraw: one's own queued question (NotInQueue otherwise), AskQuestion.
// - Answered(seq) and TakeNext: Action::RunFloor (the facilitator or the
//   acting facilitator); the question leaves the queue, its line is marked
//   answered. TakeNext on an empty queue: NotInQueue.
// - Texts: sim::checkText(kMaxEntryTextBytes, lines = false): trimmed,
//   non-empty, valid UTF-8, no control character (no line break, no tab).
// - leave(): the leaver's queued questions go (answered, as withdrawn).
// Thread rule: the room's thread.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/board.h"
#include "sim/clinic_state.h"
#include "sim/events.h"

namespace caseroom::sim {

class ChatSystem {
public:
    // `events` (not owned, may be null) is the room's stream.
    explicit ChatSystem(EventStream* events);

    // A new session: no lines, no questions, seq from 1 again.
    void reset();
    // Their queued questions go (QuestionAnswered, actor = the leaver); their
    // lines keep text and name but lose the entity (the slot may be reused).
    void leave(core::EntityId who, std::uint32_t tick);

    // Checks without changing anything (the host asks before it spends a PHI screen).
    [[nodiscard]] std::optional<RoundTextError> canSay(const ClinicActor& actor, const RoundView& round) const;
    [[nodiscard]] std::optional<RoundTextError> canAsk(const ClinicActor& actor, const RoundView& round) const;

    // Apply one intent; nullopt when carried out, else why not (nothing
    // changed). `seq` (may be null) receives the new line's seq.
    [[nodiscard]] std::optional<RoundTextError> say(const ClinicActor& actor, const RoundView& round, std::string_view text,
                                                    std::uint32_t tick, std::uint32_t* seq = nullptr);
    [[nodiscard]] std::optional<RoundTextError> ask(const ClinicActor& actor, const RoundView& round, std::string_view text,
                                                    std::uint32_t tick, std::uint32_t* seq = nullptr);
    [[nodiscard]] std::optional<RoundTextError> withdraw(const ClinicActor& actor, const RoundView& round, std::uint32_t seq,
                                                         std::uint32_t tick);
    [[nodiscard]] std::optional<RoundTextError> answered(const ClinicActor& actor, const RoundView& round, std::uint32_t seq,
                                                         std::uint32_t tick);
    // `seq` (may be null) receives the question taken.
    [[nodiscard]] std::optional<RoundTextError> takeNext(const ClinicActor& actor, const RoundView& round, std::uint32_t tick,
                                                         std::uint32_t* seq = nullptr);

    // The newest lines, oldest first (at most kMaxChatLines).
    [[nodiscard]] const std::vector<ChatLine>& lines() const { return lines_; }
    // The line with `seq` if it is still among the newest, else nullptr.
    [[nodiscard]] const ChatLine* find(std::uint32_t seq) const;
    [[nodiscard]] const QueueState& questions() const { return questions_; }
    // The seq the next line will get.
    [[nodiscard]] std::uint32_t nextSeq() const { return nextSeq_; }
    // Bump on every change of lines() / questions().
    [[nodiscard]] std::uint64_t linesVersion() const { return linesVersion_; }
    [[nodiscard]] std::uint64_t queueVersion() const { return queueVersion_; }
    // What the host re-publishes: seqs of lines that changed, appeared or
    // went since the last call (may repeat; `out` cleared first), and
    // whether the queue changed since the last call (true the first time).
    void takeDirtyLines(std::vector<std::uint32_t>& out) {
        out.clear();
        out.swap(dirtyLines_);
    }
    [[nodiscard]] bool takeQueueDirty() { return std::exchange(queueDirty_, false); }

private:
    [[nodiscard]] static std::optional<RoundTextError> gate(const ClinicActor& actor, const RoundView& round, Action action);
    std::uint32_t append(const ClinicActor& actor, ChatKind kind, std::string_view text, std::uint32_t tick);
    // Takes the queued question at `index`: out of the queue, its line answered.
    void take(std::size_t index, core::EntityId actor, std::uint32_t tick);
    void emit(std::uint32_t tick, core::EntityId actor, RoomEventKind kind, std::uint32_t seq, std::string_view text);

    std::vector<ChatLine> lines_;     // oldest first
    QueueState questions_;
    EventStream* events_;
    std::uint32_t nextSeq_ = 1;
    std::uint64_t linesVersion_ = 0;
    std::uint64_t queueVersion_ = 0;
    std::vector<std::uint32_t> dirtyLines_;
    bool queueDirty_ = true;
};

} // namespace caseroom::sim
