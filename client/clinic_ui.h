// The teaching round's windows: the agenda board, the hand and question
// queue, the recommendations board, chat and questions, the facilitator's
// console (when sim::check allows AdvanceAgenda for me), the coordinator's
// view (the plan's cases, attendance live) and a text the PHI screen held,
// shown back to its author with the findings highlighted. Reads the session's
// clinic view (session/clinic_view.h); emits intents, never mutates the room.
// Controls follow the permissions table (sim::check): an action my role and
// holdings never allow is not shown; one allowed in another phase is greyed,
// with the reason as its tooltip. Every user-facing string is in ui_strings.h.
// Thread rule: the UI thread, with the session locked by the caller.
#pragma once
#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "clinic_notices.h"
#include "net/messages.h"
#include "session/client_session.h"

namespace caseroom::client {

// One intent the windows emit this frame; the caller sends it (sendClinicIntents).
using ClinicIntent = std::variant<net::AgendaIntent, net::FloorIntent, net::BoardIntent, net::ChatIntent, net::ModerateRequest,
                                  net::RecordingIntent>;

// A text I sent, kept so that a held one can be shown back with its spans
// (the server never echoes the text).
struct SentText {
    net::IntentKind intent = net::IntentKind::Chat;
    std::uint16_t clientSeq = 0;
    std::string text;
};

struct ClinicUi {
    bool showBoard = true, showChat = true, showConsole = true, showCoordinator = true;
    std::string recommendation;          // the compose box (a new entry, or the one being edited)
    std::uint16_t editing = 0;           // board entry being edited (0: posting a new one)
    bool editingEntry = false;
    std::string summary;                 // the facilitator's summary box
    std::string chat;                    // the chat / question box
    std::string removeReason;            // the removal popup's reason (required)
    std::uint16_t removeTarget = 0;
    bool muteAllSelfUnmute = true;       // the console's mute-all option
    std::uint16_t nextSeq = 1;           // clientSeq of the next text intent
    std::deque<SentText> sent;           // the last kKeptTexts texts sent, newest last
    static constexpr std::size_t kKeptTexts = 16;
    // The held text on show (index into the session's heldTexts(), by clientSeq).
    bool heldOpen = false;
    net::TextHeld held;
    std::uint16_t lastHeldSeq = 0;
    std::size_t lastHeldCount = 0;
    // Notices: the facts last seen (clinic_notices.h).
    ClinicFacts facts;
    std::uint64_t factsAt = ~std::uint64_t{0}; // the view's changes() when taken
    std::uint16_t factsSelf = 0;
    // Attendance as this client saw it: slot -> (name, local seconds first seen).
    struct Seen { std::string name; double since = 0; bool atMyJoin = false; };
    std::unordered_map<std::uint16_t, Seen> attendance;
    bool attendanceStarted = false;
    double attendanceNow = 0;          // the view's `now`, for the time in the room
};

struct ClinicUiView {
    const session::ClientSession* session = nullptr; // in a room
    double now = 0;                                   // local seconds (attendance)
    bool toggleHand = false;                          // the H key this frame (not while typing)
    bool readOnly = false;                            // headless: show, never emit
};

// Between ImGui::NewFrame and ImGui::Render: every window, appending the
// intents of this frame's clicks to `out`.
void drawClinicUi(ClinicUi& ui, const ClinicUiView& view, std::vector<ClinicIntent>& out);
// Sends and clears `intents`.
void sendClinicIntents(session::ClientSession& s, std::vector<ClinicIntent>& intents);
// The notices since the last call (clinic_notices.h), as text; also tracks attendance.
[[nodiscard]] std::vector<std::string> takeClinicNotices(ClinicUi& ui, const session::ClientSession& s, double now);

} // namespace caseroom::client
