// The recommendations document: what goes back to the presenter in writing
// after the session (docs/CASES.md, "Recommendations document"): the
// program and session, the de-identified case (the form's room fields), the
// presenter's question, every standing recommendation (author, role, time,
// text), the consensus, the hub's names, and the program's liability
// statement. Built from the records, rendered as a printable standalone HTML
// page (everything escaped) and as a structured JSON export that parses
// back (fromJson(toJson(d)) == d).
// Pure apart from loadRecommendationsDoc (reads through store::Records).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "store/records.h"

namespace caseroom::clinic {

// The JSON export's format name; fromJson refuses any other.
inline constexpr std::string_view kRecommendationsFormat = "caseroom-recommendations/1";

struct DocField {
    std::string name;                 // the form's field name ("chief_complaint")
    std::string label;                // the form's label ("Chief complaint")
    std::string value;
    friend bool operator==(const DocField&, const DocField&) = default;
};

struct DocEntry {
    std::string author;               // display name as it was in the room
    std::string role;                 // core::toString(Role): "specialist", "spoke", ...
    std::int64_t postedUtc = 0;       // unix seconds
    std::int64_t editedUtc = 0;       // 0: never edited
    std::string text;
    friend bool operator==(const DocEntry&, const DocEntry&) = default;
};

struct RecommendationsDoc {
    std::string programCode, programName;
    std::int64_t sessionId = 0;
    std::string sessionTitle;
    std::int64_t sessionStartUtc = 0, sessionEndUtc = 0;
    std::string timeZone;             // the program's, for the local time shown
    std::string sessionLocal;         // "2027-03-04 12:00 MST" (clinic/schedule.h formatLocal)
    std::int64_t caseId = 0;
    std::string presenter;            // the presenter's roster name
    std::vector<DocField> caseFields; // the room fields but the question, in the form's order
    std::string question;             // the presenter's specific question
    std::vector<DocEntry> recommendations;   // standing (not withdrawn), in posting order
    std::optional<DocEntry> consensus;       // the facilitator's summary (the newest standing one)
    std::string facilitator;          // the session's named facilitator (else who wrote the summary)
    std::string coFacilitator;
    std::vector<std::string> specialists;    // hub members present (attendance: facilitator/specialist roles), by name
    std::string liability;            // the program's statement, or kDefaultLiability
    friend bool operator==(const RecommendationsDoc&, const RecommendationsDoc&) = default;
};

// The document for one case of a session. Errors: no such session or case,
// the case not on that session.
[[nodiscard]] core::Result<RecommendationsDoc> loadRecommendationsDoc(store::Records& records, std::int64_t sessionId,
                                                                      std::int64_t caseId);

// A standalone printable HTML page (UTF-8, inline CSS, no scripts, nothing
// fetched); every text from the records is escaped.
[[nodiscard]] std::string renderHtml(const RecommendationsDoc& doc);

// The structured export: one JSON object (UTF-8, keys in a fixed order,
// times as unix seconds and as ISO 8601 UTC).
[[nodiscard]] std::string toJson(const RecommendationsDoc& doc);
// Parses an export back. Strict JSON (RFC 8259: no comments, no trailing
// commas, valid UTF-8 and escapes, nesting at most 16, 16 MiB at most);
// the format must be kRecommendationsFormat and every field present with
// its type; unknown keys are ignored. nullopt on anything else; `error`
// (when given) says what and where.
[[nodiscard]] std::optional<RecommendationsDoc> fromJson(std::string_view text, std::string* error = nullptr);

// Text escaped for HTML element content and attribute values.
[[nodiscard]] std::string escapeHtml(std::string_view s);

} // namespace caseroom::clinic
