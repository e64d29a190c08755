#include "ui_strings.h"

#include <array>

namespace caseroom::client {
namespace {

using S = StringId;
constexpr std::array<StringEntry, static_cast<std::size_t>(StringId::Count)> kEnglish{{
    {S::UnknownParticipant, 1, "participant {0}"},
    {S::PhaseLobby, 0, "lobby"},
    {S::PhaseIntroductions, 0, "introductions"},
    {S::PhaseDidactic, 0, "didactic"},
    {S::PhaseCasePresentation, 0, "case presentation"},
    {S::PhaseCaseQuestions, 0, "clarifying questions"},
    {S::PhaseCaseRecommendations, 0, "recommendations"},
    {S::PhaseCaseSummary, 0, "summary"},
    {S::PhaseWrapUp, 0, "wrap-up"},
    {S::PhaseEnded, 0, "ended"},
    {S::RoleFacilitator, 0, "facilitator"},
    {S::RoleSpecialist, 0, "specialist"},
    {S::RoleCoordinator, 0, "coordinator"},
    {S::RoleSpoke, 0, "spoke"},
    {S::RoleObserver, 0, "observer"},
    {S::WhyWrongPhase, 2, "not in the {0}; open in: {1}"},
    {S::WhyReadOnly, 0, "this view only shows the room"},
    {S::WhyReasonRequired, 0, "a reason is required (it is kept in the audit trail)"},
    {S::WhyTextBounds, 1, "write 1 to {0} bytes"},
    {S::NoticePhase, 2, "now: {0}, {1}"},
    {S::NoticeRecommendOpen, 0, "recommendations are open: write yours in the Board window"},
    {S::NoticeFloorGiven, 0, "you have the floor: the whole room hears you (End my floor when done)"},
    {S::NoticeFloorEnded, 0, "your floor has ended"},
    {S::NoticeOtherFloor, 1, "{0} has the floor"},
    {S::NoticeMutedByModerator, 0, "you are muted by the facilitator (raise your hand with H to ask for the floor)"},
    {S::NoticeMutedSelfUnmute, 0, "you are muted: all but the hub were muted; you may unmute yourself (Agenda window)"},
    {S::NoticeMutedDidactic, 1, "you are muted ({0}: raise your hand with H)"},
    {S::NoticeUnmuted, 0, "you may speak again"},
    {S::NoticeHandPosition, 1, "your hand is #{0} in the queue"},
    {S::NoticeHandLowered, 0, "your hand is down"},
    {S::NoticeLocked, 0, "the room is locked: nobody new may join"},
    {S::NoticeUnlocked, 0, "the room is open again"},
    {S::NoticeMuteAllHard, 0, "all but the hub are muted"},
    {S::NoticeMuteAllSoft, 0, "all but the hub are muted (each may unmute themselves)"},
    {S::NoticeMuteAllOff, 0, "the mute of all but the hub is lifted"},
    {S::NoticeYouFacilitate, 0, "you run the session now (the Facilitator console is open)"},
    {S::NoticeFacilitationPassed, 1, "facilitation passed to {0}"},
    {S::NoticeYouCoFacilitate, 0, "you are the co-facilitator: you take over if the facilitator drops"},
    {S::NoticeCoFacilitatorNamed, 1, "{0} is the co-facilitator"},
    {S::NoticeYouInChair, 0, "you are in the presenter's chair"},
    {S::NoticeInChair, 1, "{0} is in the presenter's chair"},
    {S::PrintNoPlan, 0, "phase: no session plan"},
    {S::PrintPhase, 4, "phase: {0}, '{1}' {2} of {3}"},
    {S::PrintPhaseOpen, 3, "phase: {0}, '{1}' {2}"},
    {S::PrintHandsNone, 0, "hands: none"},
    {S::PrintHands, 1, "hands: {0}"},
    {S::PrintHandItem, 3, "{0}. {1} ({2})"},
    {S::PrintBoardEntry, 4, "board: #{0} {1} ({2}): {3}"},
    {S::PrintBoardConsensus, 4, "board: #{0} {1} ({2}) [consensus]: {3}"},
    {S::WindowAgenda, 0, "Agenda"},
    {S::WindowQueue, 1, "Hands ({0})"},
    {S::WindowBoard, 1, "Recommendations, case {0}"},
    {S::WindowChat, 0, "Chat and questions"},
    {S::WindowConsole, 0, "Facilitator console"},
    {S::WindowCoordinator, 0, "Coordinator"},
    {S::WindowHeld, 0, "Held by the PHI screen"},
    {S::AgendaNoPlan, 0, "No session plan in this room."},
    {S::AgendaPhaseOf, 3, "{0} (step {1} of {2})"},
    {S::AgendaElapsedOf, 2, "{0} of {1}"},
    {S::AgendaElapsed, 1, "{0} elapsed"},
    {S::AgendaPresenter, 1, "presented by {0}"},
    {S::AgendaQuestion, 0, "The presenter's question:"},
    {S::AgendaClarifyingOnly, 0, "Clarifying questions only; recommendations come next."},
    {S::AgendaConfidentiality, 0, "Confidentiality"},
    {S::AgendaDisclosure, 1, "Disclosure: {0}"},
    {S::AgendaDidacticHint, 0, "Spokes are muted in the didactic: raise your hand (H) to speak."},
    {S::AgendaLocked, 0, "The room is locked."},
    {S::AgendaFloorHolder, 1, "Floor: {0}"},
    {S::StatusFloor, 0, "You have the floor: the whole room hears you."},
    {S::StatusMuted, 0, "You are muted by the facilitator."},
    {S::StatusMutedSelf, 0, "You are muted; you may unmute yourself."},
    {S::StatusMutedPhase, 0, "You are muted in this phase: raise your hand (H)."},
    {S::StatusMaySpeak, 0, "You may speak (hold V)."},
    {S::StatusHand, 1, "Your hand is #{0} in the queue."},
    {S::ButtonRaiseHand, 0, "Raise hand (H)"},
    {S::ButtonLowerHand, 0, "Lower hand (H)"},
    {S::ButtonEndMyFloor, 0, "End my floor"},
    {S::ButtonSelfUnmute, 0, "Unmute myself"},
    {S::ButtonCallNext, 0, "Call next"},
    {S::ButtonGiveFloor, 0, "Give floor"},
    {S::ButtonDismiss, 0, "Dismiss"},
    {S::ButtonRelease, 0, "Release"},
    {S::ButtonEdit, 0, "Edit"},
    {S::ButtonWithdraw, 0, "Withdraw"},
    {S::ButtonPost, 0, "Post"},
    {S::ButtonSaveEdit, 0, "Save edit"},
    {S::ButtonCancel, 0, "Cancel"},
    {S::ButtonPostSummary, 0, "Post as the consensus"},
    {S::ButtonWithdrawQuestion, 0, "Withdraw my question"},
    {S::ButtonMarkAnswered, 0, "Mark answered"},
    {S::ButtonTakeNextQuestion, 0, "Take next question"},
    {S::ButtonSay, 0, "Send"},
    {S::ButtonAsk, 0, "Ask the hub"},
    {S::ButtonRemove, 0, "Remove"},
    {S::ButtonRemoveEllipsis, 0, "Remove..."},
    {S::ButtonMore, 0, "More..."},
    {S::ButtonMute, 0, "Mute"},
    {S::ButtonUnmute, 0, "Unmute"},
    {S::ButtonChair, 0, "To chair"},
    {S::ButtonHandFacilitation, 0, "Hand facilitation"},
    {S::ButtonNameCoFacilitator, 0, "Name co-facilitator"},
    {S::ButtonPrevious, 0, "< Previous"},
    {S::ButtonNext, 0, "Next >"},
    {S::ButtonStartSession, 0, "Start the session >"},
    {S::ButtonMuteAllButHub, 0, "Mute all but the hub"},
    {S::ButtonUnmuteAll, 0, "Unmute all"},
    {S::ButtonLock, 0, "Lock the room"},
    {S::ButtonUnlock, 0, "Unlock the room"},
    {S::ButtonEditAgain, 0, "Edit and send again"},
    {S::ButtonClose, 0, "Close"},
    {S::QueueEmpty, 0, "No hands raised."},
    {S::QueueYou, 1, "{0} (you)"},
    {S::QueueWaiting, 1, "waiting {0}"},
    {S::QueueQuestions, 1, "Questions for the hub ({0})"},
    {S::BoardEmpty, 0, "No recommendations yet."},
    {S::BoardConsensus, 0, "Consensus (the facilitator's summary)"},
    {S::BoardByline, 3, "{0}, {1}, at {2}"},
    {S::BoardByline2, 3, "{0}, {1}, at {2} (edited)"},
    {S::BoardWriteYours, 0, "Your recommendation:"},
    {S::BoardEditYours, 0, "Edit your recommendation:"},
    {S::BoardSummary, 0, "The summary (marked as the consensus):"},
    {S::ChatQuestion, 1, "Question from {0}"},
    {S::ChatQuestionAnswered, 1, "Question from {0} (answered)"},
    {S::RemoveTitle, 0, "Remove a participant"},
    {S::RemoveWho, 1, "Remove {0} from this session?"},
    {S::RemoveExplain, 0, "Their invitation for this session is revoked; the reason goes into the audit trail."},
    {S::RemoveReason, 0, "Reason"},
    {S::ColumnName, 0, "Name"},
    {S::ColumnState, 0, "State"},
    {S::ColumnActions, 0, "Actions"},
    {S::StateMuted, 0, "muted"},
    {S::StateHand, 1, "hand #{0}"},
    {S::StateFloor, 0, "has the floor"},
    {S::StateChair, 0, "in the chair"},
    {S::StateFacilitates, 0, "facilitates"},
    {S::StateCoFacilitator, 0, "co-facilitator"},
    {S::StateAway, 0, "reconnecting"},
    {S::BannerReconnecting, 2, "The link to the room dropped. Reconnecting (attempt {0}, {1} s); the room holds your place."},
    {S::ConsoleAgenda, 0, "Agenda"},
    {S::ConsoleNowLine, 3, "{0}: {1} of {2}"},
    {S::ConsoleGotoHint, 0, "double-click to go to this step"},
    {S::ConsoleFloor, 0, "Floor and hands"},
    {S::ConsoleFloorHeld, 2, "{0} has the floor ({1})"},
    {S::ConsoleNoFloor, 0, "Nobody has the floor."},
    {S::ConsoleHandsWaiting, 1, "{0} waiting"},
    {S::ConsoleRoom, 0, "Room"},
    {S::ConsoleAllowSelfUnmute, 0, "let them unmute themselves"},
    {S::ConsoleMuteAllHard, 0, "(all but the hub muted)"},
    {S::ConsoleMuteAllSoft, 0, "(all but the hub muted, self-unmute allowed)"},
    {S::ConsoleMuteAllOff, 0, "(nobody muted by a mute-all)"},
    {S::ConsoleLocked, 0, "locked: nobody new may join"},
    {S::ConsoleOpen, 0, "open"},
    {S::ConsoleCoFacilitator, 1, "co-facilitator: {0}"},
    {S::ConsoleParticipants, 1, "Participants ({0})"},
    {S::CoordinatorCases, 0, "Cases of this session:"},
    {S::CoordinatorNoCases, 0, "No cases on the plan."},
    {S::CoordinatorAttendance, 1, "In the room now ({0}):"},
    {S::CaseUpcoming, 0, "upcoming"},
    {S::CaseNow, 1, "now: {0}"},
    {S::CaseDone, 0, "done"},
    {S::AttendanceBeforeMe, 0, "here when you joined"},
    {S::AttendanceJoined, 1, "joined {0} ago"},
    {S::HeldChatExplain, 0, "Your message was not sent: it may identify a patient. Nothing was shown or kept. The parts found are marked:"},
    {S::HeldBoardExplain, 0, "Your recommendation was not posted: it may identify a patient. Nothing was shown or kept. The parts found are marked:"},
    {S::HeldTextGone, 0, "(the text is no longer kept by this client)"},
    {S::HeldFinding, 3, "{0} (bytes {1} to {2})"},
    {S::WallTimer, 2, "{0} / {1}"},
    {S::WallMore, 1, "+{0} more"},
    {S::WallConsensus, 0, "Consensus"},
    {S::WallQuestion, 0, "Question"},
    {S::MarkerHand, 1, "#{0}"},
    {S::MarkerFloor, 0, "floor"},
    {S::HelpKeyHand, 0, "H"},
    {S::HelpHand, 0, "raise / lower your hand (the queue; the facilitator gives the floor)"},
    {S::HelpKeyHelp, 0, "F1"},
    {S::HelpHelp, 0, "this help"},
    {S::HelpPanelAgenda, 0, "Agenda window"},
    {S::HelpAgenda, 0, "the phase and its timer, the hand queue with waiting times, your state (muted, floor, hand)"},
    {S::HelpPanelBoard, 0, "Recommendations"},
    {S::HelpBoard, 0, "the case's board: post and edit yours in the recommendations phase"},
    {S::HelpPanelChat, 0, "Chat and questions"},
    {S::HelpChat, 0, "room chat; ask the hub a question (queued like hands)"},
    {S::HelpPanelConsole, 0, "Facilitator console"},
    {S::HelpConsole, 0, "agenda, floor, mutes, lock, participants (facilitators)"},
    {S::NoticeRecordingStarted, 1, "this session is being recorded (policy: {0})"},
    {S::NoticeRecordingPaused, 1, "recording paused in the {0}: nothing of it is recorded"},
    {S::NoticeRecordingResumed, 1, "recording again in the {0}"},
    {S::NoticeRecordingStopped, 0, "recording stopped"},
    {S::RecordingBannerLive, 0, "REC  this session is being recorded: what you say and show is kept"},
    {S::RecordingBannerPaused, 1, "recording paused in the {0}: nothing of it is recorded"},
    {S::RecordingAckTitle, 0, "This session is recorded"},
    {S::RecordingAckText, 1, "The program records this session ({0}). The recording keeps what is said and shown "
                             "while it runs; case discussions are recorded only where the program allows it. Your "
                             "voice is recorded only after you acknowledge. If you do not agree, leave the room."},
    {S::RecordingAckButton, 0, "I understand"},
    {S::RecordingAcked, 0, "you acknowledged the recording"},
    {S::ButtonStartRecording, 0, "Start recording"},
    {S::ButtonStopRecording, 0, "Stop recording"},
    {S::PrintRecording, 3, "recording: {0} (policy {1}, epoch {2})"},
}};

} // namespace

std::span<const StringEntry> englishStrings() { return kEnglish; }

const char* tr(StringId id) {
    const auto i = static_cast<std::size_t>(id);
    return i < kEnglish.size() ? kEnglish[i].text : "?";
}

std::string substitute(std::string_view pattern, std::initializer_list<std::string_view> args) {
    std::string out;
    out.reserve(pattern.size() + 32);
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        // {n}: one digit, enough for every string in the table.
        if (pattern[i] == '{' && i + 2 < pattern.size() && pattern[i + 1] >= '0' && pattern[i + 1] <= '9' && pattern[i + 2] == '}') {
            const auto n = static_cast<std::size_t>(pattern[i + 1] - '0');
            if (n < args.size()) {
                out += *(args.begin() + n);
                i += 2;
                continue;
            }
        }
        out += pattern[i];
    }
    return out;
}

std::string text(StringId id, std::initializer_list<std::string_view> args) { return substitute(tr(id), args); }

const char* phaseName(sim::Phase p) {
    switch (p) {
    case sim::Phase::Lobby: return tr(S::PhaseLobby);
    case sim::Phase::Introductions: return tr(S::PhaseIntroductions);
    case sim::Phase::Didactic: return tr(S::PhaseDidactic);
    case sim::Phase::CasePresentation: return tr(S::PhaseCasePresentation);
    case sim::Phase::CaseQuestions: return tr(S::PhaseCaseQuestions);
    case sim::Phase::CaseRecommendations: return tr(S::PhaseCaseRecommendations);
    case sim::Phase::CaseSummary: return tr(S::PhaseCaseSummary);
    case sim::Phase::WrapUp: return tr(S::PhaseWrapUp);
    case sim::Phase::Ended: return tr(S::PhaseEnded);
    case sim::Phase::Count: break;
    }
    return "?";
}

const char* recordingPolicyName(sim::RecordingPolicy p) {
    switch (p) {
    case sim::RecordingPolicy::Never: return "never";
    case sim::RecordingPolicy::DidacticOnly: return "didactic only";
    case sim::RecordingPolicy::WholeSession: return "whole session";
    case sim::RecordingPolicy::Count: break;
    }
    return "?";
}

const char* roleName(core::Role r) {
    switch (r) {
    case core::Role::Facilitator: return tr(S::RoleFacilitator);
    case core::Role::Specialist: return tr(S::RoleSpecialist);
    case core::Role::Coordinator: return tr(S::RoleCoordinator);
    case core::Role::Spoke: return tr(S::RoleSpoke);
    case core::Role::Observer: return tr(S::RoleObserver);
    case core::Role::Count: break;
    }
    return "?";
}

} // namespace caseroom::client
