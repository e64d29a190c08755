// The PHI screen: finds the HIPAA Safe Harbor identifiers (45 CFR
// 164.514(b)(2)) in free text before it reaches a room, a recording or a log.
// Run on every case submission and edit, on deck captions, file names and
// PDF page text. It flags; people decide: a case with findings is held until
// fixed, or a coordinator overrides with a reason (audited).
//
// What is flagged, by kind:
//   Name          roster names given in ScreenContext, and name-like patterns
//                 (titles "Mr./Mrs./Ms./Dr. X", "patient X Y", capitalised
//                 given+family pairs after cues such as "name:", "pt:")
//   Date          dates more precise than the year ("3/14/2025", "March 14",
//                 "14 Mar 2025", "2025-03-14"); a bare year, "3/12" meaning
//                 three months in clinical shorthand, and durations are not
//   Age           ages over 89 ("92 yo", "aged 95", "age: 101")
//   Phone, Fax, Email, Ssn, Mrn, HealthPlan, Account, Licence, Vehicle
//                 (plates, VINs), Device (serial numbers), Url, Ip, Street
//                 (street addresses), Zip (five-digit or ZIP+4 codes)
// Clinical text is full of numbers ("67 yo M", "ALT 54", "HbA1c 7.2%",
// "BP 142/88", "sofosbuvir 400 mg", "3/12", "2019"): the screen must leave
// those alone (precision floor 0.90 on clean text; recall floors 0.95 per
// pattern kind and 0.85 for names, measured in tests/unit/clinic).
// Pure: no I/O, no globals that change; thread-safe for concurrent screens.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace caseroom::clinic {

// Appended only (findings are stored by name: toString).
enum class PhiKind : std::uint8_t {
    Name, Date, Age, Phone, Fax, Email, Ssn, Mrn, HealthPlan, Account, Licence, Vehicle, Device, Url, Ip, Street, Zip,
    Count
};
const char* toString(PhiKind k);           // "name", "date", "age", "phone", ... "zip"
[[nodiscard]] std::optional<PhiKind> phiKindFromString(std::string_view s);

struct PhiFinding {
    std::string field;                     // which field of the case (or "caption", "file name", "pdf page 3")
    std::uint32_t begin = 0, end = 0;      // byte span in that field's text, [begin, end)
    PhiKind kind = PhiKind::Name;
    friend bool operator==(const PhiFinding&, const PhiFinding&) = default;
};

struct ScreenContext {
    // Names known to be people (the roster's, the presenter's): each is
    // matched whole and by its parts of three or more letters, case-folded
    // for ASCII, exact for other UTF-8.
    std::vector<std::string> knownNames;
};

struct ScreenField {
    std::string_view name;
    std::string_view text;                 // UTF-8; invalid bytes are skipped, never a crash
};

// Findings in field order, then by span; overlapping findings of one field
// are merged into the earliest-starting one's kind.
[[nodiscard]] std::vector<PhiFinding> screen(std::span<const ScreenField> fields, const ScreenContext& ctx = {});
[[nodiscard]] std::vector<PhiFinding> screenText(std::string_view field, std::string_view text, const ScreenContext& ctx = {});

// One JSON object per finding, no line break:
//   {"field":"history","begin":12,"end":24,"kind":"date","text":"03/14/2025"}
// (the text is included only when `withText`: a log must not carry it).
[[nodiscard]] std::string findingJson(const PhiFinding& f, std::string_view fieldText, bool withText);

} // namespace caseroom::clinic
