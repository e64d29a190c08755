// [SECTION] helpers  [SECTION] the form  [SECTION] lists  [SECTION] the window
#include "cases_ui.h"

#include <algorithm>

#include <imgui.h>
#include <imgui_stdlib.h>

#include "clinic/phi_screen.h"
#include "store/records.h"

namespace caseroom::client {
namespace {

// ---- [SECTION] helpers ---------------------------------------------------------

const ImVec4 kFindingColour{1.0f, 0.45f, 0.4f, 1.0f};

const char* statusName(std::uint32_t s) {
    return s < static_cast<std::uint32_t>(store::CaseStatus::Count) ? store::toString(static_cast<store::CaseStatus>(s)) : "?";
}

const char* kindName(std::uint32_t k) {
    return k < static_cast<std::uint32_t>(clinic::PhiKind::Count) ? clinic::toString(static_cast<clinic::PhiKind>(k)) : "?";
}

bool hubRole(core::Role r) { return r == core::Role::Facilitator || r == core::Role::Specialist || r == core::Role::Coordinator; }

// One line of context around the span, the span itself in the finding colour.
void showFinding(const net::WireFinding& f, const std::string& text) {
    ImGui::Bullet();
    ImGui::SameLine();
    ImGui::TextColored(kFindingColour, "%s", kindName(f.kind));
    ImGui::SameLine();
    if (f.begin > f.end || f.end > text.size()) {
        ImGui::TextDisabled("(bytes %u..%u: the text has changed since)", f.begin, f.end);
        return;
    }
    const std::size_t from = f.begin > 24 ? f.begin - 24 : 0;
    const std::size_t to = std::min<std::size_t>(text.size(), f.end + 24);
    auto flat = [](std::string s) {
        std::replace(s.begin(), s.end(), '\n', ' ');
        std::replace(s.begin(), s.end(), '\t', ' ');
        return s;
    };
    const std::string before = flat(text.substr(from, f.begin - from));
    const std::string span = flat(text.substr(f.begin, f.end - f.begin));
    const std::string after = flat(text.substr(f.end, to - f.end));
    ImGui::TextUnformatted(from > 0 ? ("..." + before).c_str() : before.c_str());
    ImGui::SameLine(0.0f, 0.0f);
    ImGui::PushStyleColor(ImGuiCol_Text, kFindingColour);
    ImGui::TextUnformatted(("[" + span + "]").c_str());
    ImGui::PopStyleColor();
    ImGui::SameLine(0.0f, 0.0f);
    ImGui::TextUnformatted(to < text.size() ? (after + "...").c_str() : after.c_str());
}

// ---- [SECTION] the form --------------------------------------------------------

void applyForm(CasesUi& ui, const session::DeskForm& f) {
    auto t = clinic::parseFormTemplate(f.templateText, "the program's form template");
    if (!t) {
        ui.formError = t.error().message;
        ui.form.reset();
        return;
    }
    ui.formError.clear();
    ui.form = std::move(*t);
    ui.values.assign(ui.form->fields.size(), {});
    ui.choice.assign(ui.form->fields.size(), -1);
}

// Loads my case into the form to fix it.
void loadIntoForm(CasesUi& ui, const session::DeskCase& c) {
    if (!ui.form) return;
    for (std::size_t i = 0; i < ui.form->fields.size(); ++i) {
        const clinic::FormField& f = ui.form->fields[i];
        ui.values[i].clear();
        ui.choice[i] = -1;
        for (const auto& v : c.fields)
            if (v.name == f.name) {
                ui.values[i] = v.value;
                const auto it = std::find(f.choices.begin(), f.choices.end(), v.value);
                if (it != f.choices.end()) ui.choice[i] = static_cast<int>(it - f.choices.begin());
            }
    }
    ui.editing = c.header.id;
    ui.findings = c.findings;
    ui.attested = false; // attested again for every submission
    ui.message = "editing case " + std::to_string(c.header.id) + " (" + statusName(c.header.status) + ")";
}

std::vector<session::DeskField> collect(const CasesUi& ui) {
    std::vector<session::DeskField> out;
    for (std::size_t i = 0; i < ui.form->fields.size(); ++i) {
        const clinic::FormField& f = ui.form->fields[i];
        std::string v = f.kind == clinic::FieldKind::Choice ? (ui.choice[i] >= 0 ? f.choices[static_cast<std::size_t>(ui.choice[i])] : "")
                                                            : ui.values[i];
        if (!v.empty()) out.push_back(session::DeskField{f.name, std::move(v)});
    }
    return out;
}

std::vector<core::ContentHash> parseDecks(const std::string& text, std::string& error) {
    std::vector<core::ContentHash> out;
    std::size_t at = 0;
    while (at < text.size()) {
        std::size_t end = text.find_first_of("\n ,", at);
        if (end == std::string::npos) end = text.size();
        const std::string word = text.substr(at, end - at);
        at = end + 1;
        if (word.empty()) continue;
        const auto h = core::ContentHash::fromHex(word);
        if (!h) { error = "deck '" + word.substr(0, 16) + "...' is not a 64-digit hash (caseroom-deck build prints it)"; return {}; }
        out.push_back(*h);
    }
    return out;
}

void drawForm(CasesUi& ui, session::ClientSession& s) {
    if (!ui.formError.empty()) { ImGui::TextColored(kFindingColour, "%s", ui.formError.c_str()); return; }
    if (!ui.form) { ImGui::TextDisabled("loading the program's form..."); return; }
    if (ui.editing) {
        ImGui::Text("Fixing case %llu", static_cast<unsigned long long>(ui.editing));
        ImGui::SameLine();
        if (ImGui::SmallButton("start a new case instead")) {
            ui.editing = 0;
            ui.findings.clear();
            std::fill(ui.values.begin(), ui.values.end(), std::string());
            std::fill(ui.choice.begin(), ui.choice.end(), -1);
        }
    }
    for (std::size_t i = 0; i < ui.form->fields.size(); ++i) {
        const clinic::FormField& f = ui.form->fields[i];
        ImGui::PushID(static_cast<int>(i));
        const std::string label = f.label.empty() ? f.name : f.label;
        ImGui::TextUnformatted((label + (f.required ? " *" : "")).c_str());
        ImGui::SetNextItemWidth(-1);
        switch (f.kind) {
        case clinic::FieldKind::Choice: {
            const char* shown = ui.choice[i] >= 0 ? f.choices[static_cast<std::size_t>(ui.choice[i])].c_str() : "(choose)";
            if (ImGui::BeginCombo("##v", shown)) {
                for (std::size_t c = 0; c < f.choices.size(); ++c)
                    if (ImGui::Selectable(f.choices[c].c_str(), ui.choice[i] == static_cast<int>(c))) ui.choice[i] = static_cast<int>(c);
                ImGui::EndCombo();
            }
            break;
        }
        case clinic::FieldKind::LongText: ImGui::InputTextMultiline("##v", &ui.values[i], ImVec2(-1, 72)); break;
        case clinic::FieldKind::Deck: ImGui::InputTextWithHint("##v", "deck hash from caseroom-deck build", &ui.values[i]); break;
        default: ImGui::InputText("##v", &ui.values[i]); break;
        }
        if (ui.values[i].size() > f.maxBytes) ImGui::TextColored(kFindingColour, "%zu bytes: at most %u", ui.values[i].size(), f.maxBytes);
        for (const net::WireFinding& w : ui.findings)
            if (w.field == f.name) showFinding(w, ui.values[i]);
        ImGui::PopID();
    }
    ImGui::TextUnformatted("Case decks (hashes, one per line)");
    ImGui::InputTextMultiline("##decks", &ui.decks, ImVec2(-1, 36));
    const std::string& attestation = s.desk().form ? s.desk().form->attestation : std::string();
    ImGui::Checkbox("##attest", &ui.attested);
    ImGui::SameLine();
    ImGui::TextWrapped("%s", attestation.empty() ? "I attest that this case is de-identified and shared with consent." : attestation.c_str());
    ImGui::BeginDisabled(!ui.attested);
    if (ImGui::Button(ui.editing ? "Submit the fixed case" : "Submit the case", ImVec2(200, 0))) {
        std::string why;
        const auto decks = parseDecks(ui.decks, why);
        if (why.empty()) ui.lastSubmit = s.submitCase(ui.editing, collect(ui), ui.attested, decks, &why);
        ui.message = why.empty() ? "submitting..." : "not sent: " + why;
    }
    ImGui::EndDisabled();
    if (!ui.message.empty()) ImGui::TextWrapped("%s", ui.message.c_str());
}

// ---- [SECTION] lists -----------------------------------------------------------

void drawMine(CasesUi& ui, session::ClientSession& s) {
    if (ImGui::SmallButton("refresh")) s.queryCases(net::CaseQueryKind::Mine);
    if (!s.desk().mineLoaded) { ImGui::TextDisabled("loading..."); return; }
    if (s.desk().mine.empty()) { ImGui::TextDisabled("no cases yet"); return; }
    if (ImGui::BeginTable("mine", 4, ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH)) {
        ImGui::TableSetupColumn("case", ImGuiTableColumnFlags_WidthFixed, 48);
        ImGui::TableSetupColumn("status", ImGuiTableColumnFlags_WidthFixed, 120);
        ImGui::TableSetupColumn("chief complaint");
        ImGui::TableSetupColumn("", ImGuiTableColumnFlags_WidthFixed, 60);
        ImGui::TableHeadersRow();
        for (const net::CaseSummary& c : s.desk().mine) {
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::Text("%llu", static_cast<unsigned long long>(c.id));
            ImGui::TableNextColumn();
            if (c.findings) ImGui::TextColored(kFindingColour, "%s (%u)", statusName(c.status), c.findings);
            else ImGui::TextUnformatted(statusName(c.status));
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(c.title.c_str());
            ImGui::TableNextColumn();
            const bool editable = c.status == static_cast<std::uint32_t>(store::CaseStatus::Held) ||
                                  c.status == static_cast<std::uint32_t>(store::CaseStatus::Submitted);
            ImGui::PushID(static_cast<int>(c.id));
            if (editable && ImGui::SmallButton("fix")) {
                ui.loadCase = c.id;
                s.queryCases(net::CaseQueryKind::Case, c.id);
            }
            ImGui::PopID();
        }
        ImGui::EndTable();
    }
}

void drawVetted(CasesUi& ui, session::ClientSession& s) {
    if (ImGui::SmallButton("refresh")) s.queryCases(net::CaseQueryKind::Vetted);
    if (!s.desk().vettedLoaded) { ImGui::TextDisabled("loading..."); return; }
    if (s.desk().vetted.empty()) ImGui::TextDisabled("no vetted cases yet");
    for (const net::CaseSummary& c : s.desk().vetted) {
        ImGui::PushID(static_cast<int>(c.id));
        if (ImGui::Selectable((std::to_string(c.id) + "  " + c.title + "  (" + c.presenter + ", " + statusName(c.status) + ")").c_str(),
                              ui.reading == c.id)) {
            ui.reading = c.id;
            ui.loadCase = 0;
            s.queryCases(net::CaseQueryKind::Case, c.id);
        }
        ImGui::PopID();
    }
    const auto& open = s.desk().openCase;
    if (ui.reading && open && open->header.id == ui.reading) {
        ImGui::Separator();
        ImGui::Text("Case %llu: %s", static_cast<unsigned long long>(open->header.id), open->header.title.c_str());
        for (const auto& f : open->fields) {
            const clinic::FormField* t = ui.form ? ui.form->find(f.name) : nullptr;
            ImGui::TextDisabled("%s", t && !t->label.empty() ? t->label.c_str() : f.name.c_str());
            ImGui::TextWrapped("%s", f.value.c_str());
        }
    }
}

} // namespace

// ---- [SECTION] the window ---------------------------------------------------------

void drawCasesUi(CasesUi& ui, session::ClientSession& s) {
    if (s.state() != session::ClientState::AtDesk) return;
    const bool hub = hubRole(s.desc().role);
    if (!ui.requested) {
        s.queryCases(net::CaseQueryKind::Form);
        s.queryCases(net::CaseQueryKind::Mine);
        if (hub) s.queryCases(net::CaseQueryKind::Vetted);
        ui.requested = true;
    }
    const session::CaseDeskView& d = s.desk();
    if (d.changes != ui.seenChanges) {
        ui.seenChanges = d.changes;
        if (d.form && !ui.form && ui.formError.empty()) applyForm(ui, *d.form);
        if (ui.loadCase && d.openCase && d.openCase->header.id == ui.loadCase) {
            loadIntoForm(ui, *d.openCase);
            ui.loadCase = 0;
        }
        for (const net::CaseReceipt& r : d.receipts)
            if (r.request == ui.lastSubmit && ui.lastSubmit != 0) {
                ui.lastSubmit = 0;
                ui.findings = r.findings;
                if (r.verdict == net::CaseVerdict::Refused) {
                    ui.message = std::string("refused: ") + net::toString(r.reason) + (r.detail.empty() ? "" : ": " + r.detail);
                } else {
                    ui.editing = r.caseId;
                    ui.message = r.verdict == net::CaseVerdict::Accepted
                                     ? "case " + std::to_string(r.caseId) + " submitted; the coordinator vets it next"
                                     : "case " + std::to_string(r.caseId) + " is held: " + std::to_string(r.totalFindings) +
                                           " possible identifier(s), marked under their fields. Fix them and submit again.";
                    ui.attested = false;
                }
                s.queryCases(net::CaseQueryKind::Mine);
            }
    }
    const ImGuiIO& io = ImGui::GetIO();
    ImGui::SetNextWindowPos(ImVec2(io.DisplaySize.x * 0.5f, io.DisplaySize.y * 0.5f), ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
    ImGui::SetNextWindowSize(ImVec2(640, io.DisplaySize.y * 0.9f), ImGuiCond_Appearing);
    const std::string title = "Cases: " + (d.form ? d.form->program : s.desc().roomCode.substr(1)) + "###cases";
    ImGui::Begin(title.c_str(), nullptr, ImGuiWindowFlags_NoCollapse);
    if (ImGui::BeginTabBar("desk")) {
        if (ImGui::BeginTabItem(ui.editing ? "Fix a case" : "Submit a case")) {
            drawForm(ui, s);
            ImGui::EndTabItem();
        }
        if (ImGui::BeginTabItem("My cases")) {
            drawMine(ui, s);
            ImGui::EndTabItem();
        }
        if (hub && ImGui::BeginTabItem("Vetted cases")) {
            drawVetted(ui, s);
            ImGui::EndTabItem();
        }
        ImGui::EndTabBar();
    }
    ImGui::End();
}

} // namespace caseroom::client
