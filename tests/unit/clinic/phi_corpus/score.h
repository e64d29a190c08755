// Scoring the PHI screen against the labelled corpus. Definitions (the test
// and the benchmark both use these, and test_phi_corpus.cpp restates them):
//   overlap: a finding and a planted span overlap when they are in the same
//     field and share at least one byte.
//   a planted span of kind K is
//     found     when a finding of kind K overlaps it;
//     merged    otherwise, when a finding overlaps it and also overlaps an
//               earlier-starting planted span whose kind the finding has (the
//               contract merges overlapping findings into the earliest one's
//               kind: "1420 Cerrillos Rd, Santa Fe, NM 87505" may be one street
//               finding that covers the ZIP);
//     as other  otherwise, when a finding of another kind overlaps it;
//     missed    when no finding overlaps it.
//   recall(K) = (found + merged) / planted, over planted spans of kind K.
//   a finding is true when it overlaps any planted span; precision = true /
//     all findings (over every text scored into the tally). Per kind, a
//     finding of kind K is "right" when it overlaps a planted span of kind K
//     (or merged as above); precision(K) = right / findings of kind K.
//   a clean text (no planted span) is flagged when it has any finding.
#pragma once
#include <array>
#include <map>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "clinic/phi_screen.h"
#include "corpus.h"

namespace caseroom::clinic::phi_corpus {

inline constexpr std::size_t kKinds = static_cast<std::size_t>(PhiKind::Count);

struct KindTally {
    std::uint32_t planted = 0, found = 0, merged = 0, asOther = 0, missed = 0;
    std::uint32_t findings = 0, right = 0, wrongKind = 0, spurious = 0;   // findings of this kind
    [[nodiscard]] double recall() const { return planted ? static_cast<double>(found + merged) / planted : 1.0; }
    [[nodiscard]] double precision() const { return findings ? static_cast<double>(right) / findings : 1.0; }
};

// One missed planted span or one false finding, for people to read.
struct Example {
    PhiKind kind = PhiKind::Name;         // planted kind (miss) or finding kind (false finding)
    bool foundAsOther = false;            // a miss that a finding of `otherKind` overlapped
    PhiKind otherKind = PhiKind::Name;
    std::string shape, context, program, field, window;
};

struct Tally {
    std::array<KindTally, kKinds> kinds{};
    std::uint32_t findings = 0, trueFindings = 0;
    std::uint32_t cleanTexts = 0, cleanFlagged = 0;
    std::vector<Example> misses, falseFindings;
    std::map<std::string, std::array<std::uint32_t, 2>> shapes;     // shape -> {planted, found or merged}
    std::map<std::string, std::array<std::uint32_t, 2>> contexts;   // kind + context -> the same
    [[nodiscard]] double precision() const { return findings ? static_cast<double>(trueFindings) / findings : 1.0; }
    [[nodiscard]] double cleanPassRate() const { return cleanTexts ? 1.0 - static_cast<double>(cleanFlagged) / cleanTexts : 1.0; }
};

// Scores one generated case's findings (as screen() returned them).
void scoreCase(const CorpusCase& c, const std::vector<PhiFinding>& findings, Tally& t);
// Scores one clean text screened as a single field.
void scoreCleanText(std::string_view label, std::string_view field, std::string_view text,
                    const std::vector<PhiFinding>& findings, Tally& t);

// "...left [[span]] right..." with about `context` bytes either side, cut on
// UTF-8 boundaries, line breaks shown as " / ".
[[nodiscard]] std::string window(std::string_view text, std::uint32_t begin, std::uint32_t end, std::size_t context = 32);

// The per-kind table (markdown), and the commonest shapes among examples.
[[nodiscard]] std::string kindTable(const Tally& t);
// Shapes (or contexts) with recall below 1, worst first: "| shape | planted | found | recall |".
[[nodiscard]] std::string weakTable(const std::map<std::string, std::array<std::uint32_t, 2>>& counts, const char* what);
[[nodiscard]] std::vector<std::pair<std::string, std::uint32_t>> topShapes(const std::vector<Example>& examples, std::size_t n);

} // namespace caseroom::clinic::phi_corpus
