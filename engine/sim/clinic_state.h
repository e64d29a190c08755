// The teaching round's replicated state, as pure data: what the agenda,
// floor, moderation, board and chat systems own on the server
// (sim/agenda.h, floor.h, moderation.h, board.h, chat.h), what their room
// objects carry (session/clinic_wire.h codecs, net::ObjectKind Agenda..
// Statement) and what the client's view models hold. No I/O, no clock.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/ids.h"
#include "core/role.h"
#include "sim/permissions.h"
#include "sim/phase.h"

namespace caseroom::sim {

constexpr std::size_t kMaxPlanEntries = 32;      // = net::kMaxAgendaEntries
constexpr std::size_t kMaxPlanCases = 6;         // 5 fixed entries + 4 per case <= 32
constexpr std::size_t kMaxQueue = 48;            // raised hands (or queued questions) at once
constexpr std::size_t kMaxBoardEntries = 48;     // live board entries in a room (the current case's and earlier ones kept)
constexpr std::size_t kMaxChatLines = 24;        // chat lines replicated (the newest; the database keeps all)
constexpr std::size_t kMaxStatements = 12;       // confidentiality, liability, disclosures
constexpr std::size_t kMaxTitleBytes = 96;       // an agenda entry's title, a statement's title
constexpr std::size_t kMaxQuestionBytes = 200;   // a case's specific question on the agenda entry
constexpr std::size_t kMaxStatementBytes = 360;  // a statement's text on its object
constexpr std::size_t kMaxEntryTextBytes = 400;  // = net::kMaxBoardText = net::kMaxChatText

// One step of the session plan. A case is four consecutive entries
// (presentation, questions, recommendations, summary) with the same caseIndex.
struct AgendaEntry {
    Phase phase = Phase::Lobby;
    std::uint8_t caseIndex = 0;        // case phases: 0-based index among the session's cases
    std::uint16_t plannedSeconds = 0;  // 0: open-ended (lobby, ended)
    std::string title;                 // "Didactic: HCV in pregnancy", "Case 1: 54-year-old, genotype 3"
    std::string presenter;             // case phases: the presenter's display name (may be empty)
    std::string question;              // CasePresentation: the presenter's specific question
    std::uint64_t caseId = 0;          // case phases: store case id (server side only; not replicated)
    friend bool operator==(const AgendaEntry&, const AgendaEntry&) = default;
};

enum class StatementKind : std::uint8_t { Confidentiality, Liability, Disclosure, Count };
const char* toString(StatementKind k);

// A program's statement shown in the room: the confidentiality statement in
// the introductions, the faculty's financial disclosures (title: whose), the
// liability statement (on the recommendations document and the board).
struct Statement {
    StatementKind kind = StatementKind::Confidentiality;
    std::string title;
    std::string text;
    friend bool operator==(const Statement&, const Statement&) = default;
};

// What a room's session is: built from the clinic records when the room
// opens for a session (store side), handed to the agenda system.
// The program's recording policy (sim/recording.h). Values mirror
// record::Policy; the clinic records store them by name ("never",
// "didactic", "whole").
enum class RecordingPolicy : std::uint8_t { Never, DidacticOnly, WholeSession, Count };
const char* toString(RecordingPolicy p);

struct SessionPlan {
    std::uint64_t sessionId = 0;            // store::Sessions id (0: none; a plan for tests)
    std::vector<AgendaEntry> entries;       // Lobby first, Ended last
    std::vector<Statement> statements;
    std::uint64_t facilitatorUser = 0;      // who runs it (0: whoever joins as facilitator)
    std::uint64_t coFacilitatorUser = 0;    // a specialist named ahead (0: none)
    RecordingPolicy recordingPolicy = RecordingPolicy::DidacticOnly; // the program's
    bool recordCameras = false;             // the program's: cameras (faces) in recordings; screens are recorded regardless
    friend bool operator==(const SessionPlan&, const SessionPlan&) = default;
};
// The default plan: lobby, introductions (5 min), didactic (20), per case
// presentation 5, questions 5, recommendations 8, summary 2; wrap-up 5;
// ended. `cases` gives each case's title, presenter and question (entries
// with phase CasePresentation); at most kMaxPlanCases are used.
[[nodiscard]] SessionPlan defaultPlan(const std::string& didacticTitle, const std::vector<AgendaEntry>& cases);

// The agenda object (one per room).
struct AgendaState {
    bool hasPlan = false;
    std::uint8_t current = 0;             // index into the plan's entries
    Phase phase = Phase::Lobby;           // = entries[current].phase
    std::uint8_t caseIndex = 0;           // = entries[current].caseIndex
    std::uint8_t entryCount = 0;
    std::uint32_t phaseStartTick = 0;     // room tick the current entry began (elapsed = now - this)
    std::uint32_t sessionStartTick = 0;   // room tick the session left the lobby (0: not yet)
    friend bool operator==(const AgendaState&, const AgendaState&) = default;
};

// One queue (Queue object id 0: raised hands, id 1: questions for the hub).
struct QueueEntry {
    core::EntityId who;
    std::uint32_t sinceTick = 0;          // when raised (waiting time = now - this)
    std::uint32_t line = 0;               // questions: the chat line's seq
    friend bool operator==(const QueueEntry&, const QueueEntry&) = default;
};
struct QueueState {
    std::vector<QueueEntry> entries;      // first in line first; at most kMaxQueue
    friend bool operator==(const QueueState&, const QueueState&) = default;
};
constexpr std::uint16_t kHandsQueue = 0, kQuestionsQueue = 1;

enum class MuteAll : std::uint8_t {
    Off,
    SelfUnmute,  // all but the hub muted; each may unmute themselves
    Hard,        // all but the hub muted; only a moderator or the floor unmutes
    Count
};

// The moderation object (one per room).
struct ModerationState {
    core::EntityId floor;                 // who has the floor (speaks room-wide); invalid: nobody
    std::uint32_t floorSinceTick = 0;
    core::EntityId chair;                 // who sits in the presenter's chair; invalid: nobody
    core::EntityId facilitator;           // who runs the session now (the facilitator or the one handed it)
    core::EntityId coFacilitator;         // who takes over if the facilitator drops
    bool locked = false;                  // no new joins (those already invited who drop may come back)
    MuteAll muteAll = MuteAll::Off;
    // Slots whose voice the server drops now by moderation (a moderator's
    // mute, or the mute-all not lifted by self-unmute or the floor), sorted.
    // The didactic's default mute of spokes is the phase's (permissions), not listed.
    std::vector<std::uint16_t> muted;
    friend bool operator==(const ModerationState&, const ModerationState&) = default;
};

// One entry of a case's recommendations board (BoardEntry object id = id).
struct BoardEntry {
    std::uint16_t id = 0;                 // unique in the room's session
    std::uint8_t caseIndex = 0;
    core::EntityId author;                // may have left since (invalid then)
    std::string authorName;
    core::Role authorRole = core::Role::Spoke;
    std::uint32_t postedTick = 0;
    std::uint32_t editedTick = 0;         // 0: never edited
    bool consensus = false;               // the facilitator's summary
    std::string text;                     // screened; at most kMaxEntryTextBytes
    friend bool operator==(const BoardEntry&, const BoardEntry&) = default;
};

enum class ChatKind : std::uint8_t { Chat, Question, Count };

// One chat line or question (ChatLine object id = seq % kMaxChatLines).
struct ChatLine {
    std::uint32_t seq = 0;                // 1, 2, ... per room session
    ChatKind kind = ChatKind::Chat;
    core::EntityId author;
    std::string authorName;
    core::Role authorRole = core::Role::Spoke;
    std::uint32_t tick = 0;
    bool answered = false;                // questions: taken by the hub (or withdrawn)
    std::string text;                     // screened; at most kMaxEntryTextBytes
    friend bool operator==(const ChatLine&, const ChatLine&) = default;
};

// The sender of a teaching-round intent, as the host knows it (role from
// the token, holdings from the round: the floor, acting facilitation).
struct ClinicActor {
    core::EntityId id;
    core::Role role = core::Role::Observer;
    std::uint64_t userId = 0;
    std::string name;
    HoldingSet holding;
};

// What the other systems read of the round (the board and chat: the phase
// gates them, the current case is where recommendations go).
struct RoundView {
    bool hasPlan = false;
    Phase phase = Phase::Lobby;
    std::uint8_t caseIndex = 0;
    std::uint64_t caseId = 0;             // the current entry's store case (0: none)
};

} // namespace caseroom::sim
