// Planted identifiers for the corpus generator: for each Safe Harbor kind,
// a value in one of the formats people write it in, inside a sentence that
// gives it a realistic context and field. Internal to phi_corpus.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "clinic/phi_screen.h"
#include "core/rng.h"

namespace caseroom::clinic::phi_corpus {

// One piece of a planted sentence: plain text, or a labelled identifier.
struct Part {
    std::string text;
    std::optional<PhiKind> kind;          // set: this part is an identifier of this kind
    std::string shape;                    // its pattern shape ("phone (ddd) ddd-dddd")
};

struct PlantSentence {
    std::string_view field;               // one of clinical_text.h's field names
    bool lead = false;                    // belongs at the start of its field (headers, "Pt: ...")
    bool replaces = false;                // stands for the field's clean text ("93-year-old woman with ..." as the chief complaint)
    std::vector<Part> parts;
};

// A sentence carrying one identifier of `kind` (a few kinds come with a
// second one, as they do in life: a street address line ends in its ZIP).
[[nodiscard]] PlantSentence plantSentence(core::Rng& rng, PhiKind kind);

[[nodiscard]] const std::vector<std::string>& rosterClinicians();

} // namespace caseroom::clinic::phi_corpus
