// Attendance for CME, computed from the server's own join and leave
// intervals (store::AttendanceInterval): per person, reconnects merged,
// minutes and share of the session, eligibility against the program's
// threshold, coordinator adjustments applied, and credit hours rounded as the
// program says. Pure: the caller loads the rows and writes the results.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "store/records.h"

namespace caseroom::clinic {

// Rounding names (store::Program::creditRounding): "quarter-down",
// "quarter-nearest", "half-down", "half-nearest", "none".
enum class CreditRounding : std::uint8_t { QuarterDown, QuarterNearest, HalfDown, HalfNearest, None, Count };
const char* toString(CreditRounding r);
[[nodiscard]] std::optional<CreditRounding> creditRoundingFromString(std::string_view s);
[[nodiscard]] double roundCredit(double hours, CreditRounding r);

struct AttendanceLine {
    std::int64_t personId = 0;          // 0: a guest (keyed by user id, then name)
    std::uint64_t userId = 0;
    std::string displayName;
    core::Role role = core::Role::Spoke;
    store::AttendanceKind kind = store::AttendanceKind::Live;
    std::int64_t firstJoin = 0, lastLeave = 0;  // unclipped; lastLeave of an open interval is `now`
    bool open = false;                  // (CLINIC, added) some interval is still open at `now`
    std::int64_t seconds = 0;           // inside the session window, overlaps counted once
    std::uint32_t intervals = 0;        // after merging reconnects
    bool interrupted = false;           // some interval closed at a heartbeat
    std::int64_t adjustedMinutes = -1;  // the latest adjustment's minutesNew, -1: none
    double minutes = 0;                 // adjusted if adjusted, else seconds / 60
    double share = 0;                   // minutes / session minutes, 0..1
    bool eligible = false;              // share >= program threshold
    double creditHours = 0;             // eligible ? roundCredit(minutes/60 * creditPerHour) : 0
};

// The session window is [start, max(end, extendedUntil)]. Intervals of one
// person whose gap is <= reconnectGraceSeconds merge into one (the gap is not
// counted). Open intervals count up to `now`.
// (CLINIC, detail) One line per person (personId; a guest by userId, then
// displayName) for the live room, Live and Site intervals together (kind Live
// if any is live, else Site); Recording intervals (watched afterwards) make
// their own line, not clipped to the window. Minutes for credit are capped at
// the session's length. An adjustment for a person without intervals makes a
// Site line (e.g. a clinician counted at a site's shared screen). Lines come
// in order of first join; adjustment-only lines last, by person id. An
// unknown program.creditRounding rounds quarter-down (the conservative one).
[[nodiscard]] std::vector<AttendanceLine> computeAttendance(const store::Program& program, const store::Session& session,
                                                            const std::vector<store::AttendanceInterval>& intervals,
                                                            const std::vector<store::AttendanceAdjustment>& adjustments,
                                                            std::int64_t now);

// CSV export (docs/CASES.md lists the columns):
// session_id,session_title,session_start_utc,person_stable_id,name,role,profession,credential,site,kind,
// first_join_utc,last_leave_utc,intervals,minutes,share,interrupted,adjusted,eligible,credit_hours
// RFC 4180 quoting; UTF-8; times as 2026-12-03T19:00:00Z.
struct CsvPersonInfo { std::string stableId, profession, credential, site; };
[[nodiscard]] std::string attendanceCsvHeader();
[[nodiscard]] std::string attendanceCsvRow(const store::Session& s, const AttendanceLine& l, const CsvPersonInfo& info);
// Splits CSV text into records of fields (RFC 4180, quoted fields may hold
// commas, quotes and line breaks; CRLF or LF; a leading UTF-8 BOM and empty
// lines are skipped). Errors name source and line.
[[nodiscard]] core::Result<std::vector<std::vector<std::string>>> parseCsv(std::string_view text, std::string_view source);

} // namespace caseroom::clinic
