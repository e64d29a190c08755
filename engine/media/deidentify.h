// DICOM de-identification for decks (caseroom_media; docs/DECKS.md).
// screenDicom lists what in a file could identify its patient, per DICOM
// PS3.15 Annex E, Table E.1-1 (Basic Application Level Confidentiality
// Profile): every attribute whose action is not K (keep), every private
// (odd-group) element, and, beyond the table, any other element whose VR is
// PN (a person's name). Elements with a zero-length value carry nothing and
// are not listed. It also reads Burned In Annotation (0028,0301): YES, or
// absent on ultrasound, XA and secondary capture (which often burn in
// names), is reported separately because removing attributes cannot fix
// pixels.
// A finding never holds the value itself (it is PHI): only its tag, keyword,
// VR and length.
// scrubDicom writes a de-identified copy at the byte level: elements are
// removed, emptied or replaced per the table's action, and every other
// element, the Pixel Data included, is copied byte for byte.
#pragma once
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace caseroom::media {

// One row of Table E.1-1 (non-K rows only). actionCode as in the standard:
// "D", "Z", "X", "U", "C", or a choice such as "X/Z", "Z/D", "X/Z/U*".
struct ConfidentialityRule {
    std::uint32_t tag = 0;       // group << 16 | element
    const char* keyword = "";
    const char* vr = "";         // the dictionary VR (for implicit-VR files)
    const char* actionCode = "";
};
// Sorted by tag. Written from PS3.15 (2024, codes checked against 2026) Table E.1-1.
std::span<const ConfidentialityRule> basicProfileTable();
// The rule for a tag, including the repeating groups (curves 50xx,xxxx,
// overlay data and comments 60xx,3000 and 60xx,4000); nullptr when none.
const ConfidentialityRule* findBasicProfileRule(std::uint32_t tag);

struct DicomFinding {
    std::uint32_t tag = 0;
    std::string keyword;      // "PatientName", "private tag", ...
    std::string vr;           // the element's VR, or the dictionary's in implicit-VR files ("??" when unknown)
    std::uint32_t length = 0; // value bytes (0xffffffff: undefined-length sequence)
    std::uint8_t depth = 0;   // 0: top level; n: inside n sequences
    std::uint32_t topTag = 0; // the top-level element holding it (itself at depth 0)
    std::string reason;       // "Table E.1-1 action Z", "private tag", "person name (PN)"
    std::string actionCode;   // the table's, "X" for private tags, "Z" for other PN

    // "PN, 12 bytes" (never the value).
    [[nodiscard]] std::string kind() const;
    // "(0010,0010) PatientName: PN, 12 bytes (Table E.1-1 action Z)", with
    // " in (0040,0275)" for nested elements.
    [[nodiscard]] std::string describe() const;
};

std::string tagText(std::uint32_t tag); // "(0010,0010)"

struct DicomScreen {
    std::vector<DicomFinding> findings;
    std::string modality;            // (0008,0060), trimmed ("" when absent)
    std::string sopClassUid;         // (0008,0016)
    std::string burnedIn;            // (0028,0301) trimmed: "YES", "NO", other, or "" when absent
    // YES, or absent/unreadable on US, XA or secondary capture.
    [[nodiscard]] bool burnedInRefused() const;
    // "Burned In Annotation is YES" / "... absent on a US image (counts as unknown)".
    [[nodiscard]] std::string burnedInWhy() const;
};

// The file's framing is checked first (dicom_structure.h); errors name the source.
core::Result<DicomScreen> screenDicom(std::span<const std::uint8_t> bytes, std::string_view source);

struct ScrubOptions {
    // Key for the replacement UIDs (action U): new = "2.25." + 128 bits of a
    // keyed hash of the old UID, so one key maps a study's UIDs consistently
    // across its files and the old UIDs cannot be recomputed without it.
    // The caller draws it at random (an input, like every random value).
    std::array<std::uint8_t, 32> uidKey{};
};
struct ScrubbedDicom {
    std::vector<std::uint8_t> bytes;
    // What was done, one line per element: "(0010,0010) PatientName: emptied (Z)".
    std::vector<std::string> actions;
};
// A de-identified copy: each finding's action applied (a choice takes Z when
// offered, else X, else D; C is treated as X; U replaces UIDs; private
// elements and top-level sequences holding a finding that has no rule of its
// own are removed; group length elements are dropped and the file meta
// group's length recomputed), and Patient Identity Removed (0012,0062) = YES
// with De-identification Method (0012,0063) added. Pixel Data is copied byte
// for byte. Burned-in annotation is not touched: pixels are never edited.
core::Result<ScrubbedDicom> scrubDicom(std::span<const std::uint8_t> bytes, std::string_view source,
                                       const ScrubOptions& options);

} // namespace caseroom::media
