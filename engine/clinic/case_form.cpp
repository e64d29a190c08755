// Case form templates (core/config_text INI) and filled forms (their own small
// line format: `name = value`, continuation lines indented by two spaces).
// Every parse is total: hostile text yields an error naming source and line.
#include "clinic/case_form.h"

#include <algorithm>
#include <optional>

#include "core/config_text.h"
#include "core/utf8.h"

namespace caseroom::clinic {
namespace {
using core::validUtf8;

constexpr std::size_t kMaxFields = 64;
constexpr std::size_t kMaxChoices = 64;
constexpr std::size_t kMaxFilledBytes = 1 << 20;
constexpr std::uint32_t kMaxFieldBytes = 65536;

core::Error fail(std::string_view source, std::size_t line, const std::string& what) {
    return core::Error{std::string(source) + ":" + std::to_string(line) + ": " + what};
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

bool validName(std::string_view n) {
    return !n.empty() && n.size() <= 64 &&
           std::all_of(n.begin(), n.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}


bool hasControl(std::string_view s) {
    return std::any_of(s.begin(), s.end(), [](char ch) {
        const auto c = static_cast<unsigned char>(ch);
        return (c < 0x20 && c != '\t') || c == 0x7F;
    });
}

// Keyword values may carry a trailing comment as the template header shows
// ("kind = choice   ; text | longtext ..."). Labels and choices keep ';'.
std::string_view keyword(std::string_view v) {
    for (std::size_t i = 1; i < v.size(); ++i)
        if ((v[i] == ';' || v[i] == '#') && (v[i - 1] == ' ' || v[i - 1] == '\t')) return trim(v.substr(0, i));
    return v;
}

std::optional<bool> yesNo(std::string_view v) {
    if (v == "yes" || v == "true" || v == "on" || v == "1") return true;
    if (v == "no" || v == "false" || v == "off" || v == "0") return false;
    return std::nullopt;
}

std::optional<FieldKind> kindFromString(std::string_view v) {
    for (std::uint8_t k = 0; k < static_cast<std::uint8_t>(FieldKind::Count); ++k)
        if (v == toString(static_cast<FieldKind>(k))) return static_cast<FieldKind>(k);
    return std::nullopt;
}

std::vector<std::string> splitChoices(std::string_view v) {
    std::vector<std::string> out;
    while (true) {
        const auto c = v.find(',');
        const auto part = trim(v.substr(0, c));
        if (!part.empty()) out.emplace_back(part);
        if (c == std::string_view::npos) break;
        v.remove_prefix(c + 1);
    }
    return out;
}

bool isHex64(std::string_view s) {
    return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

} // namespace

const char* toString(FieldKind k) {
    switch (k) {
    case FieldKind::Text: return "text";
    case FieldKind::LongText: return "longtext";
    case FieldKind::Choice: return "choice";
    case FieldKind::Deck: return "deck";
    case FieldKind::Count: break;
    }
    return "?";
}

const FormField* FormTemplate::find(std::string_view name) const {
    for (const auto& f : fields)
        if (f.name == name) return &f;
    return nullptr;
}

std::string defaultFormTemplateText() {
    return R"(# ECHO case presentation form. One [field NAME] section per field, in display order.
# kind: text (one line) | longtext | choice | deck (attached case decks, by manifest hash)
# room = yes: shown in the room during the case's turn. screen = yes: PHI-screened.
# Everything on this form must be de-identified: no names, no dates more precise
# than the year, no ages over 89 (use 90+), no contact or record numbers.

[field age_band]
label = Age band
kind = choice
choices = 0-17, 18-29, 30-39, 40-49, 50-59, 60-69, 70-79, 80-89, 90+
required = yes

[field sex]
label = Sex
kind = choice
choices = female, male, intersex, not stated
required = yes

[field setting]
label = Care setting
kind = choice
choices = rural, urban, tribal, correctional
required = yes

[field chief_complaint]
label = Chief complaint or reason for presenting
kind = text
required = yes
max = 300

[field history]
label = History (present illness, past medical and social history)
kind = longtext
required = yes
max = 6000

[field medications]
label = Current medications and doses
kind = longtext
max = 3000

[field labs]
label = Laboratory results (values with units; years, not dates)
kind = longtext
max = 4000

[field imaging]
label = Imaging and other images (attach a case deck)
kind = deck

[field question]
label = Your specific question for the hub
kind = longtext
required = yes
max = 1000

[field coordinator_note]
label = Note for the coordinator (not shown in the room)
kind = longtext
room = no
max = 1000
)";
}

core::Result<FormTemplate> parseFormTemplate(std::string_view text, std::string_view source) {
    auto doc = core::parseConfigText(text, source);
    if (!doc) return doc.error();
    FormTemplate t;
    for (const auto& sec : doc->sections) {
        if (sec.type != "field")
            return fail(source, sec.line, "unknown section [" + sec.type + "] (expected [field NAME])");
        if (!validName(sec.name))
            return fail(source, sec.line, "field name '" + sec.name + "' must be 1..64 of a-z, 0-9, _");
        if (t.find(sec.name)) return fail(source, sec.line, "field '" + sec.name + "' defined twice");
        if (t.fields.size() >= kMaxFields) return fail(source, sec.line, "more than 64 fields");
        FormField f;
        f.name = sec.name;
        f.label = sec.name;
        std::optional<bool> screened;
        for (const auto& e : sec.entries) {
            const std::string where = "field '" + f.name + "': ";
            if (e.key == "label") {
                if (e.value.empty() || e.value.size() > 200 || !validUtf8(e.value))
                    return fail(source, e.line, where + "label must be 1..200 bytes of UTF-8");
                f.label = e.value;
            } else if (e.key == "kind") {
                const auto k = kindFromString(keyword(e.value));
                if (!k) return fail(source, e.line, where + "kind '" + e.value + "' is not text, longtext, choice or deck");
                f.kind = *k;
            } else if (e.key == "choices") {
                f.choices = splitChoices(e.value);
                if (f.choices.empty() || f.choices.size() > kMaxChoices)
                    return fail(source, e.line, where + "choices must list 1..64 values separated by commas");
                for (std::size_t i = 0; i < f.choices.size(); ++i) {
                    if (!validUtf8(f.choices[i])) return fail(source, e.line, where + "a choice is not UTF-8");
                    if (std::find(f.choices.begin(), f.choices.begin() + static_cast<std::ptrdiff_t>(i), f.choices[i]) !=
                        f.choices.begin() + static_cast<std::ptrdiff_t>(i))
                        return fail(source, e.line, where + "choice '" + f.choices[i] + "' listed twice");
                }
            } else if (e.key == "required" || e.key == "room" || e.key == "screen") {
                const auto b = yesNo(keyword(e.value));
                if (!b) return fail(source, e.line, where + "'" + e.key + "' must be yes or no, got '" + e.value + "'");
                if (e.key == "required") f.required = *b;
                else if (e.key == "room") f.shownInRoom = *b;
                else screened = *b;
            } else if (e.key == "max") {
                core::ConfigEntry kw = e;
                kw.value = std::string(keyword(e.value));
                auto v = core::configInt(*doc, kw, 1, kMaxFieldBytes);
                if (!v) return fail(source, e.line, where + "'max' must be a byte count in 1..65536, got '" + e.value + "'");
                f.maxBytes = static_cast<std::uint32_t>(*v);
            } else {
                return fail(source, e.line,
                            where + "unknown key '" + e.key + "' (label, kind, choices, required, room, screen, max)");
            }
        }
        if (f.kind == FieldKind::Choice && f.choices.empty())
            return fail(source, sec.line, "field '" + f.name + "': a choice field needs 'choices'");
        if (f.kind != FieldKind::Choice && !f.choices.empty())
            return fail(source, sec.line, "field '" + f.name + "': 'choices' is only for kind = choice");
        // Free text is screened unless the template says otherwise; a choice
        // offers fixed values and a deck is screened when it is built.
        f.screened = screened.value_or(f.kind == FieldKind::Text || f.kind == FieldKind::LongText);
        t.fields.push_back(std::move(f));
    }
    if (t.fields.empty()) return fail(source, 0, "the template defines no [field NAME] sections");
    return t;
}

core::Result<std::vector<FilledField>> parseFilledForm(std::string_view text, std::string_view source) {
    if (text.size() > kMaxFilledBytes) return fail(source, 0, "form larger than 1 MiB");
    if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // a BOM some editors write
    std::vector<FilledField> out;
    bool inCase = false;
    std::size_t pendingBlank = 0;  // blank lines inside a value count only if a continuation follows
    std::size_t lineNo = 0;
    while (!text.empty()) {
        ++lineNo;
        const auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (hasControl(line)) return fail(source, lineNo, "control character in line");
        if (!validUtf8(line)) return fail(source, lineNo, "not valid UTF-8");
        if (trim(line).empty()) {
            if (!out.empty()) ++pendingBlank;
            continue;
        }
        if (line.substr(0, 2) == "  ") {
            if (out.empty()) return fail(source, lineNo, "continuation line (indented) before any 'name = value'");
            auto& v = out.back().value;
            std::string_view content = line.substr(2);
            while (!content.empty() && (content.back() == ' ' || content.back() == '\t')) content.remove_suffix(1);
            if (v.empty()) {
                v = std::string(content);  // "name =" then the text on the next lines
            } else {
                v.append(pendingBlank + 1, '\n');
                v += content;
            }
            pendingBlank = 0;
            continue;
        }
        pendingBlank = 0;
        if (line.front() == ' ' || line.front() == '\t')
            return fail(source, lineNo, "continuation lines are indented by exactly two spaces");
        if (line.front() == '#' || line.front() == ';') continue;
        const std::string_view t = trim(line);
        if (t.front() == '[') {
            if (t != "[case]") return fail(source, lineNo, "unknown section " + std::string(t) + " (a filled form has one [case])");
            if (inCase) return fail(source, lineNo, "second [case] section");
            inCase = true;
            continue;
        }
        const auto eq = t.find('=');
        if (eq == std::string_view::npos) return fail(source, lineNo, "expected 'name = value'");
        if (!inCase) return fail(source, lineNo, "'name = value' before the [case] line");
        const std::string_view name = trim(t.substr(0, eq));
        if (!validName(name)) return fail(source, lineNo, "field name '" + std::string(name) + "' must be 1..64 of a-z, 0-9, _");
        for (const auto& f : out)
            if (f.name == name) return fail(source, lineNo, "field '" + std::string(name) + "' given twice");
        if (out.size() >= 256) return fail(source, lineNo, "more than 256 fields");
        out.push_back(FilledField{std::string(name), std::string(trim(t.substr(eq + 1)))});
    }
    if (!inCase) return fail(source, lineNo, "no [case] section");
    return out;
}

std::string formatFilledForm(const std::vector<FilledField>& fields) {
    std::string out = "[case]\n";
    for (const auto& f : fields) {
        out += f.name;
        out += " =";
        std::string_view v = f.value;
        bool first = true;
        while (true) {
            const auto nl = v.find('\n');
            std::string_view part = v.substr(0, nl);
            if (!part.empty() && part.back() == '\r') part.remove_suffix(1);
            if (first) {
                if (!part.empty()) { out += ' '; out += part; }
            } else if (!part.empty()) {
                out += "  ";
                out += part;
            }
            out += '\n';
            first = false;
            if (nl == std::string_view::npos) break;
            v.remove_prefix(nl + 1);
        }
    }
    return out;
}

std::vector<std::string> validateForm(const FormTemplate& t, const std::vector<FilledField>& fields) {
    std::vector<std::string> problems;
    for (std::size_t i = 0; i < fields.size(); ++i) {
        const auto& ff = fields[i];
        for (std::size_t j = 0; j < i; ++j)
            if (fields[j].name == ff.name) problems.push_back("field '" + ff.name + "' given twice");
        const FormField* f = t.find(ff.name);
        if (!f) {
            problems.push_back("unknown field '" + ff.name + "' (not in the program's form)");
            continue;
        }
        const std::string who = "'" + f->label + "' (" + f->name + ")";
        const std::string_view v = trim(ff.value);
        if (v.empty()) continue;  // required is checked below
        if (!validUtf8(ff.value)) problems.push_back(who + " is not valid UTF-8");
        if (std::any_of(ff.value.begin(), ff.value.end(), [](char ch) {
                const auto c = static_cast<unsigned char>(ch);
                return (c < 0x20 && c != '\t' && c != '\n') || c == 0x7F;
            }))
            problems.push_back(who + " holds a control character");
        if (ff.value.size() > f->maxBytes)
            problems.push_back(who + " is " + std::to_string(ff.value.size()) + " bytes, at most " +
                               std::to_string(f->maxBytes));
        switch (f->kind) {
        case FieldKind::Text:
            if (ff.value.find('\n') != std::string::npos) problems.push_back(who + " takes one line");
            break;
        case FieldKind::LongText: break;
        case FieldKind::Choice:
            if (std::find(f->choices.begin(), f->choices.end(), v) == f->choices.end()) {
                std::string offered;
                for (const auto& c : f->choices) offered += (offered.empty() ? "" : ", ") + c;
                problems.push_back(who + ": '" + std::string(v) + "' is not one of: " + offered);
            }
            break;
        case FieldKind::Deck: {
            std::string_view rest = v;
            while (!rest.empty()) {
                const auto sep = rest.find_first_of(",\n");
                const auto h = trim(rest.substr(0, sep));
                if (!h.empty() && !isHex64(h))
                    problems.push_back(who + ": '" + std::string(h.substr(0, 80)) + "' is not a deck's manifest hash (64 hex)");
                if (sep == std::string_view::npos) break;
                rest.remove_prefix(sep + 1);
            }
            break;
        }
        case FieldKind::Count: break;
        }
    }
    for (const auto& f : t.fields) {
        if (!f.required) continue;
        const auto it = std::find_if(fields.begin(), fields.end(), [&](const FilledField& ff) { return ff.name == f.name; });
        if (it == fields.end() || trim(it->value).empty()) problems.push_back("'" + f.label + "' (" + f.name + ") is required");
    }
    return problems;
}

std::vector<FilledField> roomFields(const FormTemplate& t, const std::vector<FilledField>& fields) {
    std::vector<FilledField> out;
    for (const auto& f : t.fields) {
        if (!f.shownInRoom) continue;
        const auto it = std::find_if(fields.begin(), fields.end(), [&](const FilledField& ff) { return ff.name == f.name; });
        if (it != fields.end() && !trim(it->value).empty()) out.push_back(*it);
    }
    return out;
}

std::vector<std::string> screenedFieldNames(const FormTemplate& t, const std::vector<FilledField>& fields) {
    std::vector<std::string> out;
    for (const auto& ff : fields) {
        const FormField* f = t.find(ff.name);
        if ((!f || f->screened) && std::find(out.begin(), out.end(), ff.name) == out.end()) out.push_back(ff.name);
    }
    return out;
}

} // namespace caseroom::clinic
