// Sessions in IANA zones over Debian's libhowardhinnant-date. The library is
// built with USE_OS_TZDB=1 (the imported target date::date-tz defines it for
// this file too): zones come from the system's compiled tzdata under
// /usr/share/zoneinfo, and nothing is ever downloaded. The library throws on
// an unknown zone or a missing database; every call here catches, so callers
// get an error value.
#include "clinic/schedule.h"

#include <date/date.h>
#include <date/tz.h>

#include <algorithm>
#include <chrono>
#include <exception>

namespace caseroom::clinic {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

// Instants we show: 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59Z, so the
// calendar arithmetic (32-bit days) cannot overflow on hostile values.
constexpr std::int64_t kMinUnix = -62135596800LL;
constexpr std::int64_t kMaxUnix = 253402300799LL;

bool zoneNameShape(std::string_view z) {
    if (z.empty() || z.size() > 64 || z.front() == '/' || z.back() == '/') return false;
    for (char c : z) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
                        c == '-' || c == '+' || c == '/';
        if (!ok) return false;
    }
    return z.find("..") == std::string_view::npos && z.find("//") == std::string_view::npos;
}

const date::time_zone* findZone(std::string_view zone) {
    if (!zoneNameShape(zone)) return nullptr;
    try {
        return date::locate_zone(zone);
    } catch (const std::exception&) {
        return nullptr;
    }
}

bool digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}
int num(std::string_view s) {
    int v = 0;
    for (char c : s) v = v * 10 + (c - '0');
    return v;
}

core::Result<date::year_month_day> parseDate(std::string_view d) {
    if (d.size() != 10 || d[4] != '-' || d[7] != '-' || !digits(d.substr(0, 4)) || !digits(d.substr(5, 2)) ||
        !digits(d.substr(8, 2)))
        return core::Error{"date '" + std::string(d) + "' is not YYYY-MM-DD"};
    const date::year_month_day ymd{date::year{num(d.substr(0, 4))}, date::month{static_cast<unsigned>(num(d.substr(5, 2)))},
                                   date::day{static_cast<unsigned>(num(d.substr(8, 2)))}};
    if (!ymd.ok() || num(d.substr(0, 4)) < 1) return core::Error{"date '" + std::string(d) + "' is not a calendar date"};
    return ymd;
}

core::Result<minutes> parseTime(std::string_view t) {
    if (t.size() != 5 || t[2] != ':' || !digits(t.substr(0, 2)) || !digits(t.substr(3, 2)))
        return core::Error{"time '" + std::string(t) + "' is not HH:MM"};
    const int h = num(t.substr(0, 2)), m = num(t.substr(3, 2));
    if (h > 23 || m > 59) return core::Error{"time '" + std::string(t) + "' is not a time of day (00:00..23:59)"};
    return minutes{h * 60 + m};
}

std::string dateText(date::year_month_day ymd) { return date::format("%Y-%m-%d", ymd); }

// Local wall time to UTC: in a gap the wall time is read with the offset in
// force before the gap (so it lands the gap's length later on the new clock);
// in an overlap the first (earlier) reading wins. Both are info.first.
std::int64_t toUtc(const date::time_zone& z, date::local_seconds lt) {
    const date::local_info info = z.get_info(lt);
    return (lt.time_since_epoch() - info.first.offset).count();
}

} // namespace

bool validTimeZone(std::string_view zone) { return findZone(zone) != nullptr; }

core::Result<std::int64_t> localToUtc(std::string_view dateStr, std::string_view timeStr, std::string_view zone) {
    const auto* z = findZone(zone);
    if (!z) return core::Error{"unknown time zone '" + std::string(zone) + "' (an IANA name such as America/Denver)"};
    auto d = parseDate(dateStr);
    if (!d) return d.error();
    auto t = parseTime(timeStr);
    if (!t) return t.error();
    const date::local_seconds lt{date::local_days{*d}.time_since_epoch() + *t};
    try {
        return toUtc(*z, lt);
    } catch (const std::exception& e) {
        return core::Error{"time zone '" + std::string(zone) + "': " + e.what()};
    }
}

std::string formatLocal(std::int64_t unixUtc, std::string_view zone) {
    const std::int64_t t = std::clamp(unixUtc, kMinUnix, kMaxUnix);
    const date::sys_seconds sys{seconds{t}};
    if (const auto* z = findZone(zone)) {
        try {
            return date::format("%Y-%m-%d %H:%M %Z", date::zoned_seconds{z, sys});
        } catch (const std::exception&) {
            // fall through: shown in UTC, named as such
        }
    }
    return date::format("%Y-%m-%d %H:%M UTC", sys);
}

std::string formatUtcIso(std::int64_t unixUtc) {
    const std::int64_t t = std::clamp(unixUtc, kMinUnix, kMaxUnix);
    return date::format("%Y-%m-%dT%H:%M:%SZ", date::sys_seconds{seconds{t}});
}

core::Result<std::vector<Occurrence>> expandWeekly(std::string_view firstDate, std::string_view localStart,
                                                   std::int32_t durationMinutes, std::int32_t weeks,
                                                   std::string_view zone) {
    const auto* z = findZone(zone);
    if (!z) return core::Error{"unknown time zone '" + std::string(zone) + "' (an IANA name such as America/Denver)"};
    auto d = parseDate(firstDate);
    if (!d) return d.error();
    auto t = parseTime(localStart);
    if (!t) return t.error();
    if (durationMinutes < 1 || durationMinutes > 24 * 60)
        return core::Error{"duration " + std::to_string(durationMinutes) + " minutes is not in 1..1440"};
    if (weeks < 1 || weeks > 520) return core::Error{"weeks " + std::to_string(weeks) + " is not in 1..520"};
    if (static_cast<int>(d->year()) > 9989) return core::Error{"date '" + std::string(firstDate) + "' is too far ahead"};
    std::vector<Occurrence> out;
    out.reserve(static_cast<std::size_t>(weeks));
    try {
        for (std::int32_t w = 0; w < weeks; ++w) {
            const date::local_days day = date::local_days{*d} + date::days{7 * w};
            Occurrence o;
            o.startUtc = toUtc(*z, date::local_seconds{day.time_since_epoch() + *t});
            o.endUtc = o.startUtc + std::int64_t{durationMinutes} * 60;
            o.localDate = dateText(date::year_month_day{day});
            out.push_back(std::move(o));
        }
    } catch (const std::exception& e) {
        return core::Error{"time zone '" + std::string(zone) + "': " + e.what()};
    }
    return out;
}

} // namespace caseroom::clinic
