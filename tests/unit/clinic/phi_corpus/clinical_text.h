// Clean ECHO-style clinical sentences for the corpus generator: programme
// by programme, field by field, full of the numbers clinical text carries
// (ages up to 89, doses, lab panels, scores, "3/12", bare years, durations)
// and none of the Safe Harbor identifiers. Internal to phi_corpus.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "core/rng.h"

namespace caseroom::clinic::phi_corpus {

// Field names, in form order.
inline constexpr std::string_view kFieldChiefComplaint = "chief complaint";
inline constexpr std::string_view kFieldHistory = "history";
inline constexpr std::string_view kFieldMedications = "medications";
inline constexpr std::string_view kFieldLabs = "labs";
inline constexpr std::string_view kFieldSocial = "social history";
inline constexpr std::string_view kFieldQuestion = "question";

// The clean sentences of one case's fields, not yet joined.
struct CleanCase {
    std::string program;
    std::vector<std::vector<std::string>> fields;   // same order as fieldNames()
};

[[nodiscard]] const std::vector<std::string_view>& fieldNames();

// One clean case of a random programme.
[[nodiscard]] CleanCase cleanCase(core::Rng& rng);

// Expands a template: {i:A-B} an integer in [A, B]; {c:A-B} the same with
// thousands commas; {f:A-B:D} a decimal with D places; {p:x|y|z} one of the
// choices; {age} 18 to 89; {year} 1990 to 2025. Anything else is copied.
[[nodiscard]] std::string expand(core::Rng& rng, std::string_view tpl);

} // namespace caseroom::clinic::phi_corpus
