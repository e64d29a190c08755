// [SECTION] context and gates  [SECTION] agenda board  [SECTION] queue
// [SECTION] recommendations board  [SECTION] chat and questions
// [SECTION] facilitator console  [SECTION] coordinator view  [SECTION] held text
// [SECTION] entry points
#include "clinic_ui.h"
#include "recording_ui.h"

#include <algorithm>
#include <cstdio>

#include <imgui.h>
#include <imgui_stdlib.h>

#include "clinic/phi_screen.h"
#include "render/scene.h"
#include "sim/permissions.h"

namespace caseroom::client {
namespace {

// [SECTION] context and gates
const ImVec4 kWarn{1.0f, 0.72f, 0.3f, 1.0f};
const ImVec4 kGood{0.45f, 0.9f, 0.5f, 1.0f};
const ImVec4 kFinding{1.0f, 0.45f, 0.4f, 1.0f};
const ImVec4 kConsensus{0.55f, 0.8f, 1.0f, 1.0f};

// What every window reads this frame.
struct Ctx {
    const session::ClientSession& s;
    const session::ClinicViewModel& v;
    core::EntityId self;
    core::Role role;
    sim::Phase phase;
    sim::HoldingSet held;
    std::uint32_t tick;
    double rate;
    bool readOnly;
    std::vector<ClinicIntent>& out;
};

// Whether an action is shown, and if shown whether it is usable now.
struct Gate {
    bool shown = false;
    bool usable = false;
    std::string why;   // the tooltip of a greyed control
};

Gate gate(const Ctx& c, sim::Action a) {
    Gate g;
    const auto d = sim::check(c.role, c.held, a, c.phase);
    if (!d) {
        g.shown = g.usable = true;
    } else if (*d == sim::Denial::WrongPhase) {
        g.shown = true;
        std::string phases;
        const sim::PhaseSet open = sim::openPhases(a);
        for (int p = 0; p < static_cast<int>(sim::Phase::Count); ++p)
            if (open.has(static_cast<sim::Phase>(p))) {
                if (!phases.empty()) phases += ", ";
                phases += phaseName(static_cast<sim::Phase>(p));
            }
        g.why = text(StringId::WhyWrongPhase, {phaseName(c.phase), phases});
    }
    if (g.usable && c.readOnly) {
        g.usable = false;
        g.why = tr(StringId::WhyReadOnly);
    }
    return g;
}

// A button that is greyed (with `g.why` on hover) when not usable; true when clicked and usable.
bool gatedButton(const char* label, const Gate& g) {
    if (!g.usable) ImGui::BeginDisabled();
    const bool clicked = ImGui::Button(label);
    if (!g.usable) {
        ImGui::EndDisabled();
        if (!g.why.empty() && ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) ImGui::SetTooltip("%s", g.why.c_str());
    }
    return clicked && g.usable;
}

// Unique labels for repeated buttons: "Give floor##12".
std::string idLabel(StringId id, std::uint32_t key) { return std::string(tr(id)) + "##" + std::to_string(key); }

std::uint16_t nextSeq(ClinicUi& ui, net::IntentKind kind, const std::string& textSent) {
    const std::uint16_t seq = ui.nextSeq++;
    if (ui.nextSeq == 0) ui.nextSeq = 1;
    ui.sent.push_back({kind, seq, textSent});
    while (ui.sent.size() > ClinicUi::kKeptTexts) ui.sent.pop_front();
    return seq;
}

void moderate(const Ctx& c, net::ModerateAction a, std::uint16_t target = 0, bool flag = false, std::string reason = {}) {
    net::ModerateRequest m;
    m.action = a;
    m.target = target;
    m.flag = flag;
    m.reason = std::move(reason);
    c.out.emplace_back(std::move(m));
}

void floorIntent(const Ctx& c, net::FloorIntent::Op op, std::uint16_t target = 0) {
    net::FloorIntent f;
    f.op = op;
    f.target = target;
    c.out.emplace_back(f);
}

// The chat line with `seq`, if the room still shows it.
const sim::ChatLine* lineOf(const Ctx& c, std::uint32_t seq) {
    for (const sim::ChatLine& l : c.v.chat())
        if (l.seq == seq) return &l;
    return nullptr;
}

// Places a window the first time it appears (people may move it after).
void placeFirst(float x, float y, float px, float py, float width) {
    ImGui::SetNextWindowPos(ImVec2(x, y), ImGuiCond_FirstUseEver, ImVec2(px, py));
    ImGui::SetNextWindowSize(ImVec2(width, 0), ImGuiCond_FirstUseEver);
    ImGui::SetNextWindowBgAlpha(0.82f);
}

// [SECTION] agenda board
void statusLine(ClinicUi& ui, const Ctx& c, bool toggleHand) {
    const sim::ModerationState& m = c.v.moderation();
    const bool floor = c.self.valid() && m.floor == c.self;
    const std::size_t pos = c.v.handPosition(c.self);
    const ClinicFacts f = factsOf(c.v, c.self, c.role);
    if (floor) ImGui::TextColored(kGood, "%s", tr(StringId::StatusFloor));
    else if (f.mutedByModeration) ImGui::TextColored(kWarn, "%s", tr(f.mayUnmuteSelf ? StringId::StatusMutedSelf : StringId::StatusMuted));
    else if (f.mutedByPhase) ImGui::TextColored(kWarn, "%s", tr(StringId::StatusMutedPhase));
    else if (sim::permitted(c.role, c.held, sim::Action::Speak, c.phase)) ImGui::TextDisabled("%s", tr(StringId::StatusMaySpeak));
    if (pos > 0) ImGui::TextColored(kWarn, "%s", text(StringId::StatusHand, {std::to_string(pos)}).c_str());

    const Gate hand = gate(c, sim::Action::RaiseHand);
    if (hand.shown) {
        const bool raise = pos == 0;
        if (gatedButton(tr(raise ? StringId::ButtonRaiseHand : StringId::ButtonLowerHand), hand) ||
            (toggleHand && hand.usable))
            floorIntent(c, raise ? net::FloorIntent::Op::Raise : net::FloorIntent::Op::Lower);
        ImGui::SameLine();
    }
    if (floor && !c.readOnly && ImGui::Button(tr(StringId::ButtonEndMyFloor))) floorIntent(c, net::FloorIntent::Op::Release);
    if (f.mayUnmuteSelf && !c.readOnly) {
        if (floor) ImGui::SameLine();
        if (ImGui::Button(tr(StringId::ButtonSelfUnmute))) moderate(c, net::ModerateAction::SelfUnmute, c.self.value);
    }
    ImGui::NewLine();
    (void)ui;
}

void queueSection(const Ctx& c, bool controls);

void agendaBoard(ClinicUi& ui, const Ctx& c, bool toggleHand) {
    const ImGuiIO& io = ImGui::GetIO();
    // Docked low in the middle: the front wall (its panels and the wall board) stays in view.
    ImGui::SetNextWindowPos(ImVec2(io.DisplaySize.x * 0.5f, io.DisplaySize.y - 78), ImGuiCond_Always, ImVec2(0.5f, 1));
    ImGui::SetNextWindowSizeConstraints(ImVec2(400, 0), ImVec2(400, io.DisplaySize.y * 0.6f));
    ImGui::SetNextWindowBgAlpha(0.82f);
    ImGui::Begin(text(StringId::WindowAgenda, {}).append("###clinic-agenda").c_str(), nullptr,
                 ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_AlwaysAutoResize);
    const sim::AgendaState& a = c.v.agenda();
    const sim::AgendaEntry* e = c.v.currentEntry();
    if (!a.hasPlan) {
        ImGui::TextDisabled("%s", tr(StringId::AgendaNoPlan));
    } else {
        ImGui::Text("%s", text(StringId::AgendaPhaseOf, {phaseName(a.phase), std::to_string(a.current + 1),
                                                          std::to_string(a.entryCount)}).c_str());
        if (e && !e->title.empty()) ImGui::TextWrapped("%s", e->title.c_str());
        const std::string elapsed = clockText(a.phaseStartTick, c.tick, c.rate);
        if (e && e->plannedSeconds > 0) {
            const double secs = c.tick > a.phaseStartTick ? (c.tick - a.phaseStartTick) / (c.rate > 0 ? c.rate : 30.0) : 0.0;
            const float frac = static_cast<float>(secs / e->plannedSeconds);
            const std::string label = text(StringId::AgendaElapsedOf, {elapsed, clockText(0, e->plannedSeconds, 1.0)});
            if (frac > 1.0f) ImGui::PushStyleColor(ImGuiCol_PlotHistogram, ImVec4(0.85f, 0.45f, 0.2f, 1));
            ImGui::ProgressBar(std::min(frac, 1.0f), ImVec2(-1, 0), label.c_str());
            if (frac > 1.0f) ImGui::PopStyleColor();
        } else {
            ImGui::TextDisabled("%s", text(StringId::AgendaElapsed, {elapsed}).c_str());
        }
        if (e && sim::isCasePhase(a.phase)) {
            if (!e->presenter.empty()) ImGui::Text("%s", text(StringId::AgendaPresenter, {e->presenter}).c_str());
            // The question is on the case's presentation entry; show it through the case.
            std::string question = e->question;
            for (const sim::AgendaEntry& x : c.v.entries())
                if (question.empty() && x.phase == sim::Phase::CasePresentation && x.caseIndex == a.caseIndex) question = x.question;
            if (!question.empty()) {
                ImGui::TextColored(kConsensus, "%s", tr(StringId::AgendaQuestion));
                ImGui::TextWrapped("%s", question.c_str());
            }
            if (a.phase == sim::Phase::CaseQuestions) ImGui::TextDisabled("%s", tr(StringId::AgendaClarifyingOnly));
        }
        if (a.phase == sim::Phase::Introductions) {
            for (const sim::Statement& st : c.v.statements()) {
                if (st.kind == sim::StatementKind::Liability || st.text.empty()) continue; // empty: removed
                ImGui::Separator();
                ImGui::TextColored(kConsensus, "%s", st.kind == sim::StatementKind::Confidentiality
                                                         ? tr(StringId::AgendaConfidentiality)
                                                         : text(StringId::AgendaDisclosure, {st.title}).c_str());
                ImGui::TextWrapped("%s", st.text.c_str());
            }
        }
        if (a.phase == sim::Phase::Didactic) ImGui::TextDisabled("%s", tr(StringId::AgendaDidacticHint));
    }
    const sim::ModerationState& m = c.v.moderation();
    if (m.locked) ImGui::TextColored(kWarn, "%s", tr(StringId::AgendaLocked));
    if (m.floor.valid()) ImGui::Text("%s", text(StringId::AgendaFloorHolder, {nameOf(c.s.avatars(), m.floor)}).c_str());
    ImGui::Separator();
    queueSection(c, false);
    ImGui::Separator();
    statusLine(ui, c, toggleHand);
    ImGui::End();
}

// [SECTION] queue
// The hands (and the questions for the hub) inside the current window; with
// `controls` (the console) each hand gets Give floor and Dismiss. Without,
// the first kShownHands only (the rest counted).
constexpr std::size_t kShownHands = 6;
void queueSection(const Ctx& c, bool controls) {
    const Gate run = gate(c, sim::Action::RunFloor);
    const auto& hands = c.v.hands().entries;
    ImGui::TextUnformatted(text(StringId::WindowQueue, {std::to_string(hands.size())}).c_str());
    if (hands.empty()) ImGui::TextDisabled("%s", tr(StringId::QueueEmpty));
    for (std::size_t i = 0; i < hands.size(); ++i) {
        if (!controls && i == kShownHands) {
            ImGui::TextDisabled("%s", text(StringId::WallMore, {std::to_string(hands.size() - i)}).c_str());
            break;
        }
        const sim::QueueEntry& q = hands[i];
        const bool mine = q.who == c.self;
        ImGui::Text("%zu.", i + 1);
        ImGui::SameLine();
        if (mine) ImGui::TextColored(kWarn, "%s", text(StringId::QueueYou, {nameOf(c.s.avatars(), q.who)}).c_str());
        else ImGui::TextUnformatted(nameOf(c.s.avatars(), q.who).c_str());
        ImGui::SameLine();
        ImGui::TextDisabled("%s", text(StringId::QueueWaiting, {clockText(q.sinceTick, c.tick, c.rate)}).c_str());
        if (controls && run.shown) {
            ImGui::SameLine();
            if (gatedButton(idLabel(StringId::ButtonGiveFloor, q.who.value).c_str(), run))
                floorIntent(c, net::FloorIntent::Op::Give, q.who.value);
            ImGui::SameLine();
            if (gatedButton(idLabel(StringId::ButtonDismiss, q.who.value).c_str(), run))
                floorIntent(c, net::FloorIntent::Op::Dismiss, q.who.value);
        }
    }
    const auto& questions = c.v.questions().entries;
    if (!questions.empty()) {
        ImGui::TextUnformatted(text(StringId::QueueQuestions, {std::to_string(questions.size())}).c_str());
        for (std::size_t i = 0; i < questions.size() && (controls || i < kShownHands); ++i) {
            const sim::QueueEntry& q = questions[i];
            const sim::ChatLine* l = lineOf(c, q.line);
            ImGui::TextWrapped("%zu. %s: %s", i + 1, nameOf(c.s.avatars(), q.who).c_str(), l ? l->text.c_str() : "...");
        }
        if (controls && run.shown && gatedButton(tr(StringId::ButtonTakeNextQuestion), run)) {
            net::ChatIntent ci;
            ci.op = net::ChatIntent::Op::TakeNext;
            c.out.emplace_back(ci);
        }
    }
}

// [SECTION] recommendations board
void boardWindow(ClinicUi& ui, const Ctx& c) {
    if (!ui.showBoard) return;
    const sim::AgendaState& a = c.v.agenda();
    if (!a.hasPlan || !sim::isCasePhase(a.phase)) return; // a case's board is on show only in its case
    const ImGuiIO& io = ImGui::GetIO();
    ImGui::SetNextWindowPos(ImVec2(io.DisplaySize.x - 10, io.DisplaySize.y - 10), ImGuiCond_Always, ImVec2(1, 1));
    ImGui::SetNextWindowSizeConstraints(ImVec2(420, 0), ImVec2(420, io.DisplaySize.y * 0.6f));
    ImGui::SetNextWindowBgAlpha(0.82f);
    const std::string caseTitle = text(StringId::WindowBoard, {std::to_string(a.caseIndex + 1)});
    if (!ImGui::Begin((caseTitle + "###clinic-board").c_str(), &ui.showBoard,
                      ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_AlwaysAutoResize)) {
        ImGui::End();
        return;
    }
    const std::vector<const sim::BoardEntry*> entries = currentBoard(c.v);
    if (entries.empty()) ImGui::TextDisabled("%s", tr(StringId::BoardEmpty));
    const Gate rec = gate(c, sim::Action::Recommend);
    const Gate sum = gate(c, sim::Action::WriteSummary);
    for (const sim::BoardEntry* b : entries) {
        ImGui::PushID(b->id);
        if (b->consensus) ImGui::TextColored(kConsensus, "%s", tr(StringId::BoardConsensus));
        ImGui::TextWrapped("%s", b->text.c_str());
        const std::string when = clockText(a.sessionStartTick, b->postedTick, c.rate);
        ImGui::TextDisabled("%s", text(b->editedTick ? StringId::BoardByline2 : StringId::BoardByline,
                                       {b->authorName, roleName(b->authorRole), when}).c_str());
        if (b->author == c.self && b->author.valid()) {
            const Gate& g = b->consensus ? sum : rec;
            if (g.shown) {
                ImGui::SameLine();
                if (gatedButton(tr(StringId::ButtonEdit), g)) {
                    if (b->consensus) ui.summary = b->text;
                    else { ui.recommendation = b->text; ui.editing = b->id; ui.editingEntry = true; }
                }
            }
            if (!b->consensus && rec.shown) {
                ImGui::SameLine();
                if (gatedButton(tr(StringId::ButtonWithdraw), rec)) {
                    net::BoardIntent bi;
                    bi.op = net::BoardIntent::Op::Withdraw;
                    bi.entry = b->id;
                    bi.clientSeq = nextSeq(ui, net::IntentKind::Board, {});
                    c.out.emplace_back(bi);
                }
            }
        }
        ImGui::Separator();
        ImGui::PopID();
    }
    if (rec.shown) {
        ImGui::TextUnformatted(tr(ui.editingEntry ? StringId::BoardEditYours : StringId::BoardWriteYours));
        if (!rec.usable) ImGui::BeginDisabled();
        ImGui::InputTextMultiline("##rec", &ui.recommendation, ImVec2(-1, 60));
        if (!rec.usable) ImGui::EndDisabled();
        const bool fits = !ui.recommendation.empty() && ui.recommendation.size() <= net::kMaxBoardText;
        Gate post = rec;
        if (post.usable && !fits) { post.usable = false; post.why = text(StringId::WhyTextBounds, {std::to_string(net::kMaxBoardText)}); }
        if (gatedButton(tr(ui.editingEntry ? StringId::ButtonSaveEdit : StringId::ButtonPost), post)) {
            net::BoardIntent bi;
            bi.op = ui.editingEntry ? net::BoardIntent::Op::Edit : net::BoardIntent::Op::Post;
            bi.entry = ui.editing;
            bi.text = ui.recommendation;
            bi.clientSeq = nextSeq(ui, net::IntentKind::Board, ui.recommendation);
            c.out.emplace_back(bi);
            ui.recommendation.clear();
            ui.editingEntry = false;
        }
        if (ui.editingEntry) {
            ImGui::SameLine();
            if (ImGui::Button(tr(StringId::ButtonCancel))) { ui.editingEntry = false; ui.recommendation.clear(); }
        }
        if (!rec.usable && !rec.why.empty()) ImGui::TextDisabled("%s", rec.why.c_str());
    }
    if (sum.shown) {
        ImGui::Separator();
        ImGui::TextUnformatted(tr(StringId::BoardSummary));
        if (!sum.usable) ImGui::BeginDisabled();
        ImGui::InputTextMultiline("##summary", &ui.summary, ImVec2(-1, 60));
        if (!sum.usable) ImGui::EndDisabled();
        Gate post = sum;
        if (post.usable && (ui.summary.empty() || ui.summary.size() > net::kMaxBoardText)) {
            post.usable = false;
            post.why = text(StringId::WhyTextBounds, {std::to_string(net::kMaxBoardText)});
        }
        if (gatedButton(tr(StringId::ButtonPostSummary), post)) {
            net::BoardIntent bi;
            bi.op = net::BoardIntent::Op::Summary;
            bi.text = ui.summary;
            bi.clientSeq = nextSeq(ui, net::IntentKind::Board, ui.summary);
            c.out.emplace_back(bi);
        }
    }
    ImGui::End();
}

// [SECTION] chat and questions
void chatWindow(ClinicUi& ui, const Ctx& c) {
    if (!ui.showChat) return;
    const ImGuiIO& io = ImGui::GetIO();
    placeFirst(10, io.DisplaySize.y - 130, 0, 1, 380);
    ImGui::SetNextWindowCollapsed(true, ImGuiCond_FirstUseEver);
    if (!ImGui::Begin(text(StringId::WindowChat, {}).append("###clinic-chat").c_str(), &ui.showChat,
                      ImGuiWindowFlags_NoSavedSettings)) {
        ImGui::End();
        return;
    }
    const Gate run = gate(c, sim::Action::RunFloor);
    const Gate ask = gate(c, sim::Action::AskQuestion);
    const Gate say = gate(c, sim::Action::Chat);
    ImGui::BeginChild("##lines", ImVec2(0, 150), true);
    for (const sim::ChatLine& l : c.v.chat()) {
        ImGui::PushID(static_cast<int>(l.seq));
        const bool question = l.kind == sim::ChatKind::Question;
        const std::string who = l.authorName + " (" + roleName(l.authorRole) + ")";
        if (question) ImGui::TextColored(l.answered ? ImVec4(0.6f, 0.6f, 0.6f, 1) : kWarn, "%s",
                                         text(l.answered ? StringId::ChatQuestionAnswered : StringId::ChatQuestion, {who}).c_str());
        else ImGui::TextColored(kConsensus, "%s", who.c_str());
        ImGui::TextWrapped("%s", l.text.c_str());
        if (question && !l.answered) {
            if (l.author == c.self && ask.shown && gatedButton(tr(StringId::ButtonWithdrawQuestion), ask)) {
                net::ChatIntent ci;
                ci.op = net::ChatIntent::Op::Withdraw;
                ci.seq = l.seq;
                c.out.emplace_back(ci);
            }
            if (run.shown) {
                if (l.author == c.self) ImGui::SameLine();
                if (gatedButton(tr(StringId::ButtonMarkAnswered), run)) {
                    net::ChatIntent ci;
                    ci.op = net::ChatIntent::Op::Answered;
                    ci.seq = l.seq;
                    c.out.emplace_back(ci);
                }
            }
        }
        ImGui::PopID();
    }
    if (ImGui::GetScrollY() >= ImGui::GetScrollMaxY()) ImGui::SetScrollHereY(1.0f); // follow the newest
    ImGui::EndChild();
    if (run.shown && !c.v.questions().entries.empty() && gatedButton(tr(StringId::ButtonTakeNextQuestion), run)) {
        net::ChatIntent ci;
        ci.op = net::ChatIntent::Op::TakeNext;
        c.out.emplace_back(ci);
    }
    if (say.shown || ask.shown) {
        ImGui::SetNextItemWidth(-1);
        const bool enter = ImGui::InputText("##chat", &ui.chat, ImGuiInputTextFlags_EnterReturnsTrue);
        const bool fits = !ui.chat.empty() && ui.chat.size() <= net::kMaxChatText;
        auto send = [&](net::ChatIntent::Op op) {
            net::ChatIntent ci;
            ci.op = op;
            ci.text = ui.chat;
            ci.clientSeq = nextSeq(ui, net::IntentKind::Chat, ui.chat);
            c.out.emplace_back(ci);
            ui.chat.clear();
        };
        Gate sayNow = say, askNow = ask;
        for (Gate* g : {&sayNow, &askNow})
            if (g->usable && !fits) { g->usable = false; g->why = text(StringId::WhyTextBounds, {std::to_string(net::kMaxChatText)}); }
        if (say.shown && (gatedButton(tr(StringId::ButtonSay), sayNow) || (enter && sayNow.usable))) send(net::ChatIntent::Op::Say);
        if (ask.shown) {
            if (say.shown) ImGui::SameLine();
            if (gatedButton(tr(StringId::ButtonAsk), askNow)) send(net::ChatIntent::Op::Ask);
        }
    }
    ImGui::End();
}

// [SECTION] facilitator console
void removePopup(ClinicUi& ui, const Ctx& c) {
    if (!ImGui::BeginPopupModal(text(StringId::RemoveTitle, {}).append("###clinic-remove").c_str(), nullptr,
                                ImGuiWindowFlags_AlwaysAutoResize))
        return;
    ImGui::TextUnformatted(text(StringId::RemoveWho, {nameOf(c.s.avatars(), core::EntityId{ui.removeTarget})}).c_str());
    ImGui::TextDisabled("%s", tr(StringId::RemoveExplain));
    ImGui::SetNextItemWidth(360);
    ImGui::InputText(tr(StringId::RemoveReason), &ui.removeReason);
    const bool ok = !ui.removeReason.empty() && ui.removeReason.size() <= net::kMaxReasonText;
    if (!ok) ImGui::BeginDisabled();
    if (ImGui::Button(tr(StringId::ButtonRemove))) {
        moderate(c, net::ModerateAction::Remove, ui.removeTarget, false, ui.removeReason);
        ui.removeReason.clear();
        ImGui::CloseCurrentPopup();
    }
    if (!ok) {
        ImGui::EndDisabled();
        if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) ImGui::SetTooltip("%s", tr(StringId::WhyReasonRequired));
    }
    ImGui::SameLine();
    if (ImGui::Button(tr(StringId::ButtonCancel))) ImGui::CloseCurrentPopup();
    ImGui::EndPopup();
}

void participantsTable(ClinicUi& ui, const Ctx& c) {
    const sim::ModerationState& m = c.v.moderation();
    const Gate mod = gate(c, sim::Action::Moderate), run = gate(c, sim::Action::RunFloor),
               chair = gate(c, sim::Action::BringToChair), hand = gate(c, sim::Action::HandFacilitation),
               remove = gate(c, sim::Action::RemoveParticipant);
    bool openRemove = false;
    if (ImGui::BeginTable("##people", 3, ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp)) {
        ImGui::TableSetupColumn(tr(StringId::ColumnName), ImGuiTableColumnFlags_WidthStretch, 1.2f);
        ImGui::TableSetupColumn(tr(StringId::ColumnState), ImGuiTableColumnFlags_WidthStretch, 1.0f);
        ImGui::TableSetupColumn(tr(StringId::ColumnActions), ImGuiTableColumnFlags_WidthFixed);
        ImGui::TableHeadersRow();
        for (const session::RemoteAvatar& p : c.s.avatars()) {
            const core::EntityId id{p.slot};
            ImGui::PushID(p.slot);
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            const glm::vec3 col = render::roleColor(p.role);
            ImGui::ColorButton("##role", ImVec4(col.r, col.g, col.b, 1), ImGuiColorEditFlags_NoTooltip, ImVec2(9, 9));
            ImGui::SameLine();
            ImGui::TextUnformatted(p.self ? text(StringId::QueueYou, {p.name}).c_str() : p.name.c_str());
            ImGui::TableNextColumn();
            std::string state = roleName(p.role);
            const bool muted = c.v.isMuted(id) || p.muted;
            if (muted) state += ", " + std::string(tr(StringId::StateMuted));
            if (const std::size_t pos = c.v.handPosition(id)) state += ", " + text(StringId::StateHand, {std::to_string(pos)});
            if (m.floor == id) state += ", " + std::string(tr(StringId::StateFloor));
            if (m.chair == id) state += ", " + std::string(tr(StringId::StateChair));
            if (m.facilitator == id) state += ", " + std::string(tr(StringId::StateFacilitates));
            if (m.coFacilitator == id) state += ", " + std::string(tr(StringId::StateCoFacilitator));
            ImGui::TextWrapped("%s", state.c_str());
            ImGui::TableNextColumn();
            if (!p.self) {
                // Mute inline (the most used), the rest in a small menu.
                if (mod.shown && gatedButton(tr(muted ? StringId::ButtonUnmute : StringId::ButtonMute), mod))
                    moderate(c, muted ? net::ModerateAction::Unmute : net::ModerateAction::Mute, p.slot);
                if (mod.shown) ImGui::SameLine();
                if (ImGui::Button(tr(StringId::ButtonMore))) ImGui::OpenPopup("##more");
                if (ImGui::BeginPopup("##more")) {
                    ImGui::TextDisabled("%s", p.name.c_str());
                    if (run.shown && m.floor != id && gatedButton(tr(StringId::ButtonGiveFloor), run))
                        floorIntent(c, net::FloorIntent::Op::Give, p.slot);
                    if (chair.shown && m.chair != id && gatedButton(tr(StringId::ButtonChair), chair))
                        moderate(c, net::ModerateAction::BringToChair, p.slot);
                    // Facilitation goes to hub members only; the co-facilitator is a specialist.
                    const bool hub = p.role == core::Role::Facilitator || p.role == core::Role::Specialist;
                    if (hand.shown && hub && m.facilitator != id && gatedButton(tr(StringId::ButtonHandFacilitation), hand))
                        moderate(c, net::ModerateAction::HandFacilitation, p.slot);
                    if (hand.shown && p.role == core::Role::Specialist && m.coFacilitator != id &&
                        gatedButton(tr(StringId::ButtonNameCoFacilitator), hand))
                        moderate(c, net::ModerateAction::NameCoFacilitator, p.slot);
                    if (remove.shown && gatedButton(tr(StringId::ButtonRemoveEllipsis), remove)) {
                        ui.removeTarget = p.slot;
                        ui.removeReason.clear();
                        openRemove = true;
                        ImGui::CloseCurrentPopup();
                    }
                    ImGui::EndPopup();
                }
            }
            ImGui::PopID();
        }
        ImGui::EndTable();
    }
    if (openRemove) ImGui::OpenPopup(text(StringId::RemoveTitle, {}).append("###clinic-remove").c_str());
    removePopup(ui, c);
}

void facilitatorConsole(ClinicUi& ui, const Ctx& c) {
    const Gate advance = gate(c, sim::Action::AdvanceAgenda);
    if (!advance.shown || !ui.showConsole) return;
    const ImGuiIO& io = ImGui::GetIO();
    ImGui::SetNextWindowPos(ImVec2(10, 10), ImGuiCond_FirstUseEver);
    ImGui::SetNextWindowSize(ImVec2(420, io.DisplaySize.y * 0.7f), ImGuiCond_FirstUseEver); // clear of the agenda window
    ImGui::SetNextWindowBgAlpha(0.88f);
    if (!ImGui::Begin(text(StringId::WindowConsole, {}).append("###clinic-console").c_str(), &ui.showConsole,
                      ImGuiWindowFlags_NoSavedSettings)) {
        ImGui::End();
        return;
    }
    const sim::AgendaState& a = c.v.agenda();
    const sim::ModerationState& m = c.v.moderation();
    // The agenda: every entry, the current one marked, with its timer.
    if (ImGui::CollapsingHeader(tr(StringId::ConsoleAgenda), ImGuiTreeNodeFlags_DefaultOpen)) {
        if (!a.hasPlan) ImGui::TextDisabled("%s", tr(StringId::AgendaNoPlan));
        if (gatedButton(tr(StringId::ButtonPrevious), advance) && a.hasPlan) {
            net::AgendaIntent ai;
            ai.op = net::AgendaIntent::Op::Previous;
            c.out.emplace_back(ai);
        }
        ImGui::SameLine();
        if (gatedButton(tr(a.hasPlan && a.phase == sim::Phase::Lobby ? StringId::ButtonStartSession : StringId::ButtonNext), advance)) {
            net::AgendaIntent ai;
            ai.op = net::AgendaIntent::Op::Next;
            c.out.emplace_back(ai);
        }
        const auto entries = c.v.entries();
        for (std::size_t i = 0; i < entries.size(); ++i) {
            const sim::AgendaEntry& e = entries[i];
            const bool now = a.hasPlan && i == a.current;
            const std::string planned = e.plannedSeconds ? clockText(0, e.plannedSeconds, 1.0) : std::string("-");
            std::string line = e.title.empty() ? std::string(phaseName(e.phase)) : e.title;
            if (now) {
                line = text(StringId::ConsoleNowLine, {line, clockText(a.phaseStartTick, c.tick, c.rate), planned});
                const bool over = e.plannedSeconds && c.tick > a.phaseStartTick &&
                                  (c.tick - a.phaseStartTick) / (c.rate > 0 ? c.rate : 30.0) > e.plannedSeconds;
                ImGui::TextColored(over ? kWarn : kGood, "> %s", line.c_str());
            } else if (i < a.current) {
                ImGui::TextDisabled("  %s", line.c_str());
            } else {
                ImGui::Text("  %s (%s)", line.c_str(), planned.c_str());
            }
            // Any step by a double click (Goto), for a plan that changes on the day.
            if (!now && advance.usable && ImGui::IsItemHovered()) {
                ImGui::SetTooltip("%s", tr(StringId::ConsoleGotoHint));
                if (ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left)) {
                    net::AgendaIntent ai;
                    ai.op = net::AgendaIntent::Op::Goto;
                    ai.index = static_cast<std::uint32_t>(i);
                    c.out.emplace_back(ai);
                }
            }
        }
    }
    if (ImGui::CollapsingHeader(tr(StringId::ConsoleFloor), ImGuiTreeNodeFlags_DefaultOpen)) {
        const Gate run = gate(c, sim::Action::RunFloor);
        if (m.floor.valid()) {
            ImGui::Text("%s", text(StringId::ConsoleFloorHeld, {nameOf(c.s.avatars(), m.floor),
                                                                  clockText(m.floorSinceTick, c.tick, c.rate)}).c_str());
            ImGui::SameLine();
            if (gatedButton(tr(StringId::ButtonRelease), run)) floorIntent(c, net::FloorIntent::Op::Release);
        } else {
            ImGui::TextDisabled("%s", tr(StringId::ConsoleNoFloor));
        }
        if (gatedButton(tr(StringId::ButtonCallNext), run)) floorIntent(c, net::FloorIntent::Op::CallNext);
        ImGui::SameLine();
        ImGui::TextDisabled("%s", text(StringId::ConsoleHandsWaiting, {std::to_string(c.v.hands().entries.size())}).c_str());
        queueSection(c, true);
    }
    if (ImGui::CollapsingHeader(tr(StringId::ConsoleRoom), ImGuiTreeNodeFlags_DefaultOpen)) {
        const Gate all = gate(c, sim::Action::MuteAll), lock = gate(c, sim::Action::LockRoom);
        if (all.shown) {
            ImGui::Checkbox(tr(StringId::ConsoleAllowSelfUnmute), &ui.muteAllSelfUnmute);
            if (gatedButton(tr(StringId::ButtonMuteAllButHub), all))
                moderate(c, net::ModerateAction::MuteAllButHub, 0, ui.muteAllSelfUnmute);
            ImGui::SameLine();
            if (gatedButton(tr(StringId::ButtonUnmuteAll), all)) moderate(c, net::ModerateAction::UnmuteAll);
            ImGui::SameLine();
            ImGui::TextDisabled("%s", m.muteAll == sim::MuteAll::Hard ? tr(StringId::ConsoleMuteAllHard)
                                      : m.muteAll == sim::MuteAll::SelfUnmute ? tr(StringId::ConsoleMuteAllSoft)
                                                                               : tr(StringId::ConsoleMuteAllOff));
        }
        if (lock.shown) {
            if (gatedButton(tr(m.locked ? StringId::ButtonUnlock : StringId::ButtonLock), lock))
                moderate(c, m.locked ? net::ModerateAction::Unlock : net::ModerateAction::Lock);
            ImGui::SameLine();
            ImGui::TextDisabled("%s", tr(m.locked ? StringId::ConsoleLocked : StringId::ConsoleOpen));
        }
        if (m.coFacilitator.valid())
            ImGui::TextDisabled("%s", text(StringId::ConsoleCoFacilitator, {nameOf(c.s.avatars(), m.coFacilitator)}).c_str());
    }
    if (ImGui::CollapsingHeader((text(StringId::ConsoleParticipants, {std::to_string(c.s.avatars().size())}) + "###people").c_str(),
                                ImGuiTreeNodeFlags_DefaultOpen))
        participantsTable(ui, c);
    ImGui::End();
}

// [SECTION] coordinator view
void coordinatorView(ClinicUi& ui, const Ctx& c) {
    if (c.role != core::Role::Coordinator || !ui.showCoordinator) return;
    const ImGuiIO& io = ImGui::GetIO();
    ImGui::SetNextWindowPos(ImVec2(10, io.DisplaySize.y * 0.3f), ImGuiCond_FirstUseEver);
    ImGui::SetNextWindowSize(ImVec2(400, 0), ImGuiCond_FirstUseEver);
    ImGui::SetNextWindowBgAlpha(0.85f);
    if (!ImGui::Begin(text(StringId::WindowCoordinator, {}).append("###clinic-coordinator").c_str(), &ui.showCoordinator,
                      ImGuiWindowFlags_NoSavedSettings)) {
        ImGui::End();
        return;
    }
    const sim::AgendaState& a = c.v.agenda();
    ImGui::TextUnformatted(tr(StringId::CoordinatorCases));
    bool any = false;
    for (const sim::AgendaEntry& e : c.v.entries()) {
        if (e.phase != sim::Phase::CasePresentation) continue;
        any = true;
        StringId status = StringId::CaseUpcoming;
        const bool inCase = a.hasPlan && sim::isCasePhase(a.phase);
        if (inCase && a.caseIndex == e.caseIndex) status = StringId::CaseNow;
        else if (a.hasPlan && ((inCase && e.caseIndex < a.caseIndex) || a.phase == sim::Phase::WrapUp || a.phase == sim::Phase::Ended))
            status = StringId::CaseDone;
        const std::string who = e.presenter.empty() ? std::string() : text(StringId::AgendaPresenter, {e.presenter});
        const std::string line = e.title + (who.empty() ? "" : ", " + who);
        const std::string where = status == StringId::CaseNow ? text(StringId::CaseNow, {phaseName(a.phase)}) : tr(status);
        ImGui::PushStyleColor(ImGuiCol_Text, status == StringId::CaseNow ? kGood : ImVec4(0.85f, 0.85f, 0.85f, 1));
        ImGui::TextWrapped("%s (%s)", line.c_str(), where.c_str());
        ImGui::PopStyleColor();
    }
    if (!any) ImGui::TextDisabled("%s", tr(StringId::CoordinatorNoCases));
    ImGui::Separator();
    ImGui::TextUnformatted(text(StringId::CoordinatorAttendance, {std::to_string(c.s.avatars().size())}).c_str());
    for (const session::RemoteAvatar& p : c.s.avatars()) {
        const auto it = ui.attendance.find(p.slot);
        const double since = it != ui.attendance.end() ? it->second.since : 0.0;
        ImGui::TextUnformatted(p.name.c_str());
        ImGui::SameLine(200);
        const bool early = it != ui.attendance.end() && it->second.atMyJoin;
        ImGui::TextDisabled("%s, %s", roleName(p.role),
                            early ? tr(StringId::AttendanceBeforeMe)
                                  : text(StringId::AttendanceJoined, {clockText(0, static_cast<std::uint32_t>(std::max(0.0, ui.attendanceNow - since)), 1.0)}).c_str());
    }
    // What a coordinator may do to the room (lock, mute, remove): the same controls as the console.
    const Gate lock = gate(c, sim::Action::LockRoom);
    const sim::ModerationState& m = c.v.moderation();
    if (lock.shown) {
        ImGui::Separator();
        if (gatedButton(tr(m.locked ? StringId::ButtonUnlock : StringId::ButtonLock), lock))
            moderate(c, m.locked ? net::ModerateAction::Unlock : net::ModerateAction::Lock);
        ImGui::SameLine();
        ImGui::TextDisabled("%s", tr(m.locked ? StringId::ConsoleLocked : StringId::ConsoleOpen));
    }
    if (gate(c, sim::Action::Moderate).shown || gate(c, sim::Action::RemoveParticipant).shown)
        if (ImGui::CollapsingHeader((text(StringId::ConsoleParticipants, {std::to_string(c.s.avatars().size())}) + "###people").c_str()))
            participantsTable(ui, c);
    ImGui::End();
}

// [SECTION] held text
void heldWindow(ClinicUi& ui, const Ctx& c) {
    const auto& held = c.s.heldTexts();
    if (!held.empty() && (held.size() != ui.lastHeldCount || held.back().clientSeq != ui.lastHeldSeq)) {
        ui.held = held.back();
        ui.heldOpen = true;
        ui.lastHeldCount = held.size();
        ui.lastHeldSeq = held.back().clientSeq;
    }
    if (!ui.heldOpen) return;
    const SentText* mine = nullptr;
    for (const SentText& t : ui.sent)
        if (t.clientSeq == ui.held.clientSeq && t.intent == ui.held.intent) mine = &t;
    const ImGuiIO& io = ImGui::GetIO();
    ImGui::SetNextWindowPos(ImVec2(io.DisplaySize.x * 0.5f, io.DisplaySize.y * 0.5f), ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
    ImGui::SetNextWindowSize(ImVec2(480, 0), ImGuiCond_Appearing);
    if (!ImGui::Begin(text(StringId::WindowHeld, {}).append("###clinic-held").c_str(), &ui.heldOpen,
                      ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoCollapse)) {
        ImGui::End();
        return;
    }
    ImGui::TextWrapped("%s", tr(ui.held.intent == net::IntentKind::Board ? StringId::HeldBoardExplain : StringId::HeldChatExplain));
    if (!mine) {
        ImGui::TextDisabled("%s", tr(StringId::HeldTextGone));
    } else {
        // The text with every finding's span in the finding colour (in
        // brackets), wrapped word by word; then the kinds.
        const float limit = ImGui::GetCursorPosX() + ImGui::GetContentRegionAvail().x;
        bool lineStart = true;
        for (const HeldSegment& seg : heldSegments(mine->text, ui.held.findings)) {
            std::string piece = mine->text.substr(seg.begin, seg.end - seg.begin);
            for (char& ch : piece)
                if (ch == '\n' || ch == '\t' || ch == '\r') ch = ' ';
            if (seg.held) piece = "[" + piece + "]";
            // Words with their trailing space, so that a span's words stay marked when wrapped.
            for (std::size_t i = 0; i < piece.size();) {
                std::size_t j = piece.find(' ', i);
                j = j == std::string::npos ? piece.size() : j + 1;
                const std::string word = piece.substr(i, j - i);
                i = j;
                const float w = ImGui::CalcTextSize(word.c_str()).x;
                if (!lineStart) {
                    ImGui::SameLine(0, 0);
                    if (ImGui::GetCursorPosX() + w > limit) ImGui::NewLine();
                }
                if (seg.held) ImGui::TextColored(kFinding, "%s", word.c_str());
                else ImGui::TextUnformatted(word.c_str());
                lineStart = false;
            }
        }
    }
    ImGui::Separator();
    for (const net::WireFinding& f : ui.held.findings) {
        const char* kind = f.kind < static_cast<std::uint32_t>(clinic::PhiKind::Count)
                               ? clinic::toString(static_cast<clinic::PhiKind>(f.kind)) : "?";
        ImGui::BulletText("%s", text(StringId::HeldFinding, {kind, std::to_string(f.begin), std::to_string(f.end)}).c_str());
    }
    if (mine && !c.readOnly && ImGui::Button(tr(StringId::ButtonEditAgain))) {
        if (ui.held.intent == net::IntentKind::Board) ui.recommendation = mine->text;
        else ui.chat = mine->text;
        ui.heldOpen = false;
    }
    if (mine && !c.readOnly) ImGui::SameLine();
    if (ImGui::Button(tr(StringId::ButtonClose))) ui.heldOpen = false;
    ImGui::End();
}

} // namespace

// [SECTION] entry points
void drawClinicUi(ClinicUi& ui, const ClinicUiView& view, std::vector<ClinicIntent>& out) {
    if (!view.session) return;
    const session::ClientSession& s = *view.session;
    const session::ClinicViewModel& v = s.clinic();
    ui.attendanceNow = view.now;
    Ctx c{s, v, s.self(), s.desc().role, v.agenda().hasPlan ? v.agenda().phase : sim::Phase::Lobby,
          clinicHoldings(v, s.self()), s.serverTick(), s.tickRate(), view.readOnly, out};
    agendaBoard(ui, c, view.toggleHand && !view.readOnly);
    boardWindow(ui, c);
    chatWindow(ui, c);
    facilitatorConsole(ui, c);
    coordinatorView(ui, c);
    heldWindow(ui, c);
    drawRecordingUi(s, view.readOnly, out); // the banner, the acknowledgement and the controls (recording_ui.h)
}

void sendClinicIntents(session::ClientSession& s, std::vector<ClinicIntent>& intents) {
    for (ClinicIntent& i : intents) std::visit([&](const auto& m) { s.sendClinic(m); }, i);
    intents.clear();
}

std::vector<std::string> takeClinicNotices(ClinicUi& ui, const session::ClientSession& s, double now) {
    // Attendance: who is here now, since when (as this client saw them arrive).
    // Linear per frame: a slot seen with another name is someone new there.
    const bool first = !ui.attendanceStarted;
    for (const session::RemoteAvatar& p : s.avatars()) {
        const auto it = ui.attendance.find(p.slot);
        if (it == ui.attendance.end() || it->second.name != p.name) ui.attendance[p.slot] = {p.name, now, first && !p.self};
    }
    if (ui.attendance.size() != s.avatars().size()) { // someone left: drop their slot
        std::unordered_map<std::uint16_t, ClinicUi::Seen> kept;
        for (const session::RemoteAvatar& p : s.avatars()) kept[p.slot] = ui.attendance[p.slot];
        ui.attendance = std::move(kept);
    }
    if (!s.avatars().empty()) ui.attendanceStarted = true;

    std::vector<std::string> out;
    const session::ClinicViewModel& v = s.clinic();
    if (v.changes() == ui.factsAt && s.self().value == ui.factsSelf) return out;
    const ClinicFacts current = factsOf(v, s.self(), s.desc().role);
    for (ClinicNotice& n : clinicNotices(ui.facts, current, s.self(), s.avatars())) out.push_back(std::move(n.text));
    ui.facts = current;
    ui.factsAt = v.changes();
    ui.factsSelf = s.self().value;
    return out;
}

} // namespace caseroom::client
