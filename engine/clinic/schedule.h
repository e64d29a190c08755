// Sessions in a program's IANA time zone. Storage is UTC; a weekly series
// keeps its local wall-clock time across daylight-saving changes (12:00 in
// Denver is 19:00Z in winter and 18:00Z in summer). Uses Debian's
// libhowardhinnant-date (date/tz.h) over the system tzdata, since GCC 12 has
// no C++20 zone database.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace caseroom::clinic {

[[nodiscard]] bool validTimeZone(std::string_view zone);
// Local "YYYY-MM-DD" + "HH:MM" in `zone` to unix seconds UTC. A wall time in
// a spring-forward gap moves forward by the gap; in a fall-back overlap the
// earlier instant is taken. Errors name the bad part.
[[nodiscard]] core::Result<std::int64_t> localToUtc(std::string_view date, std::string_view time, std::string_view zone);
// "2026-12-03 12:00 MST" for showing.
[[nodiscard]] std::string formatLocal(std::int64_t unixUtc, std::string_view zone);
// "2026-12-03T19:00:00Z"
[[nodiscard]] std::string formatUtcIso(std::int64_t unixUtc);

struct Occurrence { std::int64_t startUtc = 0, endUtc = 0; std::string localDate; };
// `weeks` occurrences, one a week from firstDate, each at localStart in zone.
[[nodiscard]] core::Result<std::vector<Occurrence>> expandWeekly(std::string_view firstDate, std::string_view localStart,
                                                                 std::int32_t durationMinutes, std::int32_t weeks,
                                                                 std::string_view zone);

} // namespace caseroom::clinic
