// A labelled corpus for measuring the PHI screen (clinic/phi_screen.h) from
// outside. Independence is the point: this generator shares no code and no
// word lists with the screener; it uses only the contract's types (PhiKind,
// PhiFinding). Its names, streets, cities, cue words and formats are its own,
// written from how identifiers appear in clinical notes and referral letters.
//
// generateCorpus(rng, n): n ECHO-style cases, each a few fields (chief
// complaint, history, medications, labs, social history, question for the
// hub) of clinical text full of numbers that are NOT identifiers. Even-indexed
// cases (half) carry planted identifiers of every Safe Harbor kind the enum
// has, each labelled with its kind, field and exact byte span; odd-indexed
// cases are clean. Deterministic from the Rng's seed.
//
// loadCleanTexts(path): the hand-written clean texts (echo_clean.txt): blocks
// separated by blank lines; lines starting with '#' are comments.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "clinic/phi_screen.h"
#include "core/result.h"
#include "core/rng.h"

namespace caseroom::clinic::phi_corpus {

struct Planted {
    std::uint32_t field = 0;              // index into CorpusCase::fields
    std::uint32_t begin = 0, end = 0;     // byte span in that field's text, [begin, end)
    PhiKind kind = PhiKind::Name;
    std::string shape;                    // pattern shape, e.g. "date mm/dd/yyyy", "name title+family"
    std::string context;                  // the words around it in its sentence, value as '@' ("Tag @ noted")
};

struct CorpusField {
    std::string name;                     // "chief complaint", "history", ...; unique within a case
    std::string text;
};

struct CorpusCase {
    std::string program;                  // "hepatitis C", "opioid use disorder", ...
    std::vector<CorpusField> fields;
    std::vector<Planted> planted;         // empty for a clean case
    bool clean = true;
};

// Clinicians on the program's roster: the ScreenContext::knownNames the corpus
// is screened with. Some planted names are these (cued or not); the rest are
// patients and relatives the roster cannot know.
[[nodiscard]] const std::vector<std::string>& rosterNames();

[[nodiscard]] std::vector<CorpusCase> generateCorpus(core::Rng& rng, std::uint32_t count);

[[nodiscard]] core::Result<std::vector<std::string>> loadCleanTexts(const std::string& path);

} // namespace caseroom::clinic::phi_corpus
