// A program's case form template and a filled form. Template text format
// (core/config_text INI style, one section per field, in display order):
//   [field age_band]
//   label = Age band
//   kind = choice            ; text | longtext | choice | deck
//   choices = 18-29, 30-39, 40-49, 50-59, 60-69, 70-79, 80-89, 90+
//   required = yes
//   room = yes               ; shown in the room during the case's turn (the de-identified portion)
//   screen = yes             ; PHI-screened (default yes for text and longtext)
//   max = 4000               ; bytes
// A filled form (file given to `caseroom-admin case submit`, or the client's
// form) uses the same format with one [case] section of `name = value` lines;
// multi-line values continue on lines indented by two spaces.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace caseroom::clinic {

enum class FieldKind : std::uint8_t { Text, LongText, Choice, Deck, Count };
const char* toString(FieldKind k);

struct FormField {
    std::string name;                  // [a-z0-9_]+
    std::string label;
    FieldKind kind = FieldKind::Text;
    std::vector<std::string> choices;
    bool required = false;
    bool shownInRoom = true;
    bool screened = true;
    std::uint32_t maxBytes = 4000;
};

struct FormTemplate {
    std::vector<FormField> fields;
    [[nodiscard]] const FormField* find(std::string_view name) const;
};

// A built-in ECHO template (age band, sex, setting, chief complaint, history,
// medications, labs, imaging deck, the question for the hub).
[[nodiscard]] std::string defaultFormTemplateText();
// Errors name `source`, the line and the fault.
[[nodiscard]] core::Result<FormTemplate> parseFormTemplate(std::string_view text, std::string_view source);

struct FilledField { std::string name, value; };
[[nodiscard]] core::Result<std::vector<FilledField>> parseFilledForm(std::string_view text, std::string_view source);
[[nodiscard]] std::string formatFilledForm(const std::vector<FilledField>& fields);

// Problems of a filled form against its template: unknown field, missing
// required field, choice not offered, too long. Empty: valid.
[[nodiscard]] std::vector<std::string> validateForm(const FormTemplate& t, const std::vector<FilledField>& fields);

// (CLINIC, added) The portion shown in the room during the case's turn: the
// non-empty fields the template marks room = yes, in the template's order.
[[nodiscard]] std::vector<FilledField> roomFields(const FormTemplate& t, const std::vector<FilledField>& fields);
// (CLINIC, added) The names of the fields the PHI screen must read: those the
// template marks screen = yes, and any field the template does not know (the
// safe side for a form that failed validation).
[[nodiscard]] std::vector<std::string> screenedFieldNames(const FormTemplate& t, const std::vector<FilledField>& fields);

} // namespace caseroom::clinic
