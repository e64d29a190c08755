// Attendance for CME (attendance.h): interval arithmetic per person, credit
// rounding, and the CSV export and its parser.
#include "clinic/attendance.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <tuple>

#include "clinic/schedule.h"

namespace caseroom::clinic {
namespace {

using store::AttendanceInterval;
using store::AttendanceKind;

// Who a line is about, and whether it is the live room or the recording.
struct Key {
    std::int64_t personId = 0;
    std::uint64_t userId = 0;
    std::string name;   // only for guests without a user id
    bool recording = false;
    friend bool operator<(const Key& a, const Key& b) {
        return std::tie(a.personId, a.userId, a.name, a.recording) < std::tie(b.personId, b.userId, b.name, b.recording);
    }
};

Key keyOf(const AttendanceInterval& a) {
    Key k;
    k.recording = a.kind == AttendanceKind::Recording;
    if (a.personId > 0) k.personId = a.personId;
    else if (a.userId > 0) k.userId = a.userId;
    else k.name = a.displayName;
    return k;
}

struct Span { std::int64_t begin = 0, end = 0; };

// The attended span of one row: open rows run to `now`; a row that ends
// before it begins (bad data) counts nothing, never negative time.
Span spanOf(const AttendanceInterval& a, std::int64_t now) {
    const std::int64_t end = a.leftAt > 0 ? a.leftAt : std::max(now, a.joinedAt);
    return Span{a.joinedAt, std::max(a.joinedAt, end)};
}

std::string fixed(double v, int decimals) {
    char buf[64];
    if (!std::isfinite(v)) v = 0;
    const auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, decimals);
    return std::string(buf, r.ptr);
}

std::string quote(std::string_view s) {
    if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
    std::string out = "\"";
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
    return out;
}

const AttendanceInterval* latest(const std::vector<const AttendanceInterval*>& rows) {
    const AttendanceInterval* l = nullptr;
    for (const auto* r : rows)
        if (!l || std::tie(r->joinedAt, r->id) > std::tie(l->joinedAt, l->id)) l = r;
    return l;
}

} // namespace

const char* toString(CreditRounding r) {
    switch (r) {
    case CreditRounding::QuarterDown: return "quarter-down";
    case CreditRounding::QuarterNearest: return "quarter-nearest";
    case CreditRounding::HalfDown: return "half-down";
    case CreditRounding::HalfNearest: return "half-nearest";
    case CreditRounding::None: return "none";
    case CreditRounding::Count: break;
    }
    return "?";
}

std::optional<CreditRounding> creditRoundingFromString(std::string_view s) {
    for (std::uint8_t i = 0; i < static_cast<std::uint8_t>(CreditRounding::Count); ++i)
        if (s == toString(static_cast<CreditRounding>(i))) return static_cast<CreditRounding>(i);
    return std::nullopt;
}

double roundCredit(double hours, CreditRounding r) {
    if (!std::isfinite(hours) || hours <= 0) return 0;
    // The epsilon keeps 0.75 h computed as 0.7499999... from losing a quarter.
    constexpr double kEps = 1e-9;
    switch (r) {
    case CreditRounding::QuarterDown: return std::floor(hours * 4 + kEps) / 4;
    case CreditRounding::QuarterNearest: return std::floor(hours * 4 + 0.5 + kEps) / 4;
    case CreditRounding::HalfDown: return std::floor(hours * 2 + kEps) / 2;
    case CreditRounding::HalfNearest: return std::floor(hours * 2 + 0.5 + kEps) / 2;
    case CreditRounding::None: return hours;
    case CreditRounding::Count: break;
    }
    return std::floor(hours * 4 + kEps) / 4;
}

std::vector<AttendanceLine> computeAttendance(const store::Program& program, const store::Session& session,
                                              const std::vector<AttendanceInterval>& intervals,
                                              const std::vector<store::AttendanceAdjustment>& adjustments,
                                              std::int64_t now) {
    const std::int64_t winBegin = session.startUtc;
    const std::int64_t winEnd = std::max({session.endUtc, session.extendedUntil, winBegin});
    const double sessionMinutes = static_cast<double>(winEnd - winBegin) / 60.0;
    const std::int64_t grace = std::max<std::int64_t>(0, program.reconnectGraceSeconds);
    const CreditRounding rounding = creditRoundingFromString(program.creditRounding).value_or(CreditRounding::QuarterDown);

    // Rows of this session, grouped per person and live/recording.
    std::map<Key, std::vector<const AttendanceInterval*>> groups;
    for (const auto& a : intervals)
        if (a.sessionId == session.id) groups[keyOf(a)].push_back(&a);

    // The latest adjustment per person (by time, then id).
    std::map<std::int64_t, const store::AttendanceAdjustment*> adjusted;
    for (const auto& adj : adjustments) {
        if (adj.sessionId != session.id || adj.personId <= 0) continue;
        auto& cur = adjusted[adj.personId];
        if (!cur || std::tie(adj.at, adj.id) > std::tie(cur->at, cur->id)) cur = &adj;
    }

    std::vector<AttendanceLine> lines;
    for (auto& [key, rows] : groups) {
        std::sort(rows.begin(), rows.end(), [](const AttendanceInterval* a, const AttendanceInterval* b) {
            return std::tie(a->joinedAt, a->id) < std::tie(b->joinedAt, b->id);
        });
        AttendanceLine l;
        const AttendanceInterval* last = latest(rows);
        l.personId = key.personId;
        l.userId = last->userId;
        l.displayName = last->displayName;
        l.role = last->role;
        l.kind = key.recording ? AttendanceKind::Recording : AttendanceKind::Site;
        l.firstJoin = rows.front()->joinedAt;
        // Union of the spans (overlaps counted once), in order.
        std::vector<Span> pieces;
        for (const auto* r : rows) {
            if (!key.recording && r->kind == AttendanceKind::Live) l.kind = AttendanceKind::Live;
            l.interrupted = l.interrupted || r->interrupted;
            l.open = l.open || r->leftAt <= 0;
            const Span sp = spanOf(*r, now);
            l.lastLeave = std::max(l.lastLeave, sp.end);
            if (!pieces.empty() && sp.begin <= pieces.back().end) pieces.back().end = std::max(pieces.back().end, sp.end);
            else pieces.push_back(sp);
        }
        // Time inside the window (a recording is watched afterwards: unclipped);
        // pieces whose gap is within the grace are one interval (a reconnect).
        std::int64_t groupEnd = 0;
        bool groupCounted = false, inGroup = false;
        for (const auto& p : pieces) {
            const std::int64_t b = key.recording ? p.begin : std::max(p.begin, winBegin);
            const std::int64_t e = key.recording ? p.end : std::min(p.end, winEnd);
            const std::int64_t inside = std::max<std::int64_t>(0, e - b);
            l.seconds += inside;
            if (!inGroup || p.begin - groupEnd > grace) {
                inGroup = true;
                groupCounted = false;
            }
            groupEnd = p.end;
            if (inside > 0 && !groupCounted) {
                ++l.intervals;
                groupCounted = true;
            }
        }
        lines.push_back(std::move(l));
    }
    std::stable_sort(lines.begin(), lines.end(),
                     [](const AttendanceLine& a, const AttendanceLine& b) { return a.firstJoin < b.firstJoin; });
    // Adjusted people without intervals: counted by the coordinator (a site's screen).
    for (const auto& [personId, adj] : adjusted) {
        const bool has = std::any_of(lines.begin(), lines.end(), [&, pid = personId](const AttendanceLine& l) {
            return l.personId == pid && l.kind != AttendanceKind::Recording;
        });
        if (has) continue;
        AttendanceLine l;
        l.personId = personId;
        l.kind = AttendanceKind::Site;
        lines.push_back(std::move(l));
    }

    for (auto& l : lines) {
        l.minutes = static_cast<double>(l.seconds) / 60.0;
        if (l.kind != AttendanceKind::Recording && l.personId > 0) {
            if (const auto it = adjusted.find(l.personId); it != adjusted.end()) {
                l.adjustedMinutes = std::max<std::int64_t>(0, it->second->minutesNew);
                l.minutes = static_cast<double>(l.adjustedMinutes);
            }
        }
        const double credited = std::min(l.minutes, sessionMinutes);
        l.share = sessionMinutes > 0 ? std::clamp(l.minutes / sessionMinutes, 0.0, 1.0) : 0.0;
        const double threshold = std::clamp(program.cmeThreshold, 0.0, 1.0);
        // Compared in minutes with a small tolerance, so 45 of 60 meets 0.75.
        l.eligible = sessionMinutes > 0 && l.minutes > 0 && l.minutes + 1e-9 >= threshold * sessionMinutes;
        const double perHour = std::isfinite(program.creditPerHour) ? std::max(0.0, program.creditPerHour) : 0.0;
        l.creditHours = l.eligible ? roundCredit(credited / 60.0 * perHour, rounding) : 0.0;
    }
    return lines;
}

std::string attendanceCsvHeader() {
    return "session_id,session_title,session_start_utc,person_stable_id,name,role,profession,credential,site,kind,"
           "first_join_utc,last_leave_utc,intervals,minutes,share,interrupted,adjusted,eligible,credit_hours\r\n";
}

std::string attendanceCsvRow(const store::Session& s, const AttendanceLine& l, const CsvPersonInfo& info) {
    const auto yes = [](bool b) { return std::string(b ? "yes" : "no"); };
    const std::string fields[] = {
        std::to_string(s.id),
        quote(s.title),
        formatUtcIso(s.startUtc),
        quote(info.stableId),
        quote(l.displayName),
        core::toString(l.role),
        quote(info.profession),
        quote(info.credential),
        quote(info.site),
        store::toString(l.kind),
        l.firstJoin > 0 ? formatUtcIso(l.firstJoin) : std::string(),
        l.lastLeave > 0 && !l.open ? formatUtcIso(l.lastLeave) : std::string(),
        std::to_string(l.intervals),
        fixed(l.minutes, 1),
        fixed(l.share, 3),
        yes(l.interrupted),
        yes(l.adjustedMinutes >= 0),
        yes(l.eligible),
        fixed(l.creditHours, 2),
    };
    std::string out;
    for (const auto& f : fields) {
        if (!out.empty()) out += ',';
        out += f;
    }
    out += "\r\n";
    return out;
}

core::Result<std::vector<std::vector<std::string>>> parseCsv(std::string_view text, std::string_view source) {
    if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
    std::vector<std::vector<std::string>> records;
    std::vector<std::string> record;
    std::string field;
    std::size_t line = 1, i = 0;
    bool atFieldStart = true;   // at a record's start or just after a comma
    bool hasContent = false;    // the record read something (an empty line has nothing)
    const auto fail = [&](std::size_t at, const std::string& what) {
        return core::Error{std::string(source) + ":" + std::to_string(at) + ": " + what};
    };
    const auto endRecord = [&] {
        if (hasContent) {
            record.push_back(std::move(field));
            records.push_back(std::move(record));
        }
        record.clear();
        field.clear();
        atFieldStart = true;
        hasContent = false;
    };
    while (i < text.size()) {
        const char c = text[i];
        if (c == '"' && atFieldStart) {
            // A quoted field: up to the closing quote; "" is one quote.
            const std::size_t openedAt = line;
            ++i;
            atFieldStart = false;
            hasContent = true;
            bool closed = false;
            while (i < text.size()) {
                const char q = text[i];
                if (q == '"') {
                    if (i + 1 < text.size() && text[i + 1] == '"') {
                        field += '"';
                        i += 2;
                        continue;
                    }
                    ++i;
                    closed = true;
                    break;
                }
                if (q == '\n') ++line;
                field += q;
                ++i;
            }
            if (!closed) return fail(openedAt, "quoted field is not closed");
            if (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r')
                return fail(line, "text after a closing quote (a quote inside a field is written \"\")");
            continue;
        }
        if (c == ',') {
            record.push_back(std::move(field));
            field.clear();
            atFieldStart = true;
            hasContent = true;
            ++i;
            continue;
        }
        if (c == '\r' || c == '\n') {
            if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
            ++i;
            endRecord();
            ++line;
            continue;
        }
        if (c == '"') return fail(line, "quote inside an unquoted field (quote the whole field)");
        field += c;
        atFieldStart = false;
        hasContent = true;
        ++i;
    }
    endRecord();
    return records;
}

} // namespace caseroom::clinic
