// Attendance for CME (clinic/attendance.h): intervals to minutes, share,
// eligibility and credit, and the CSV export read back by parseCsv.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "clinic/attendance.h"

using namespace caseroom;
using namespace caseroom::clinic;
using store::AttendanceInterval;
using store::AttendanceKind;

namespace {

constexpr std::int64_t S = 1'800'000'000;  // session start (unix s)

store::Program program() {
    store::Program p;
    p.id = 1;
    p.code = "hcv";
    p.name = "Hepatitis C ECHO";
    p.cmeThreshold = 0.75;
    p.creditPerHour = 1.0;
    p.creditRounding = "quarter-down";
    p.reconnectGraceSeconds = 120;
    return p;
}

store::Session session() {
    store::Session s;
    s.id = 9;
    s.programId = 1;
    s.title = "HCV clinic, week 1";
    s.startUtc = S;
    s.endUtc = S + 3600;
    return s;
}

std::int64_t nextId = 1;
AttendanceInterval iv(std::int64_t person, std::int64_t join, std::int64_t leave, AttendanceKind kind = AttendanceKind::Live) {
    AttendanceInterval a;
    a.id = nextId++;
    a.sessionId = 9;
    a.personId = person;
    a.userId = static_cast<std::uint64_t>(person);
    a.displayName = "Person " + std::to_string(person);
    a.kind = kind;
    a.joinedAt = join;
    a.leftAt = leave;
    a.lastSeen = leave;
    return a;
}

const AttendanceLine* lineOf(const std::vector<AttendanceLine>& lines, std::int64_t person,
                             AttendanceKind notKind = AttendanceKind::Count) {
    for (const auto& l : lines)
        if (l.personId == person && l.kind != notKind) return &l;
    return nullptr;
}

} // namespace

TEST_CASE("reconnects within the grace merge into one interval; the gap is not counted", "[clinic][attendance]") {
    const auto lines = computeAttendance(program(), session(),
                                         {iv(1, S - 300, S + 1200), iv(1, S + 1260, S + 3600),  // 60 s gap: a reconnect
                                          iv(2, S, S + 1200), iv(2, S + 1500, S + 3600)},        // 300 s gap: two
                                         {}, S + 7200);
    REQUIRE(lines.size() == 2);
    const auto* one = lineOf(lines, 1);
    REQUIRE(one);
    CHECK(one->intervals == 1);
    CHECK(one->seconds == 1200 + 2340);  // the lobby before the start and the gap are outside
    CHECK(one->minutes == Approx(59.0));
    CHECK(one->firstJoin == S - 300);
    CHECK(one->lastLeave == S + 3600);
    CHECK_FALSE(one->open);
    CHECK(one->eligible);
    CHECK(one->creditHours == 0.75);  // 59/60 h, quarter-down
    const auto* two = lineOf(lines, 2);
    REQUIRE(two);
    CHECK(two->intervals == 2);
    CHECK(two->seconds == 1200 + 2100);
    CHECK(two->share == Approx(3300.0 / 3600.0));
}

TEST_CASE("overlaps count once, the window clips, extensions widen it, open intervals run to now", "[clinic][attendance]") {
    auto s = session();
    s.extendedUntil = S + 4200;  // the facilitator extended by ten minutes
    const auto lines = computeAttendance(program(), s,
                                         {iv(1, S, S + 1800), iv(1, S + 900, S + 2700),  // two devices
                                          iv(2, S - 600, S + 9000),                       // the whole day
                                          iv(3, S + 600, 0)},                             // still in the room
                                         {}, S + 2400);
    REQUIRE(lines.size() == 3);
    CHECK(lineOf(lines, 1)->seconds == 2700);
    CHECK(lineOf(lines, 1)->intervals == 1);
    CHECK(lineOf(lines, 2)->seconds == 4200);
    CHECK(lineOf(lines, 2)->share == 1.0);
    CHECK(lineOf(lines, 2)->creditHours == 1.0);  // 70 min attended, credit 1.17 h quarter-down = 1.0
    const auto* open = lineOf(lines, 3);
    CHECK(open->seconds == 1800);
    CHECK(open->open);
    CHECK(open->lastLeave == S + 2400);
    // Lines come in order of first join.
    CHECK(lines[0].personId == 2);
    CHECK(lines[1].personId == 1);
    CHECK(lines[2].personId == 3);
}

TEST_CASE("crash-interrupted intervals count to their last heartbeat and are marked", "[clinic][attendance]") {
    auto crashed = iv(1, S, S + 2900);  // closeInterrupted set leftAt = lastSeen
    crashed.interrupted = true;
    const auto lines = computeAttendance(program(), session(), {crashed, iv(2, S, S + 3600)}, {}, S + 99999);
    CHECK(lineOf(lines, 1)->interrupted);
    CHECK(lineOf(lines, 1)->seconds == 2900);
    CHECK(lineOf(lines, 1)->eligible);  // 48.3 of 60 minutes
    CHECK_FALSE(lineOf(lines, 2)->interrupted);
}

TEST_CASE("site attendance: clinicians at one site's screen, and guests keyed by user id", "[clinic][attendance]") {
    std::vector<AttendanceInterval> rows = {iv(5, S, S + 3600, AttendanceKind::Site), iv(6, S, S + 3600, AttendanceKind::Site),
                                            iv(7, S + 60, S + 1000, AttendanceKind::Site), iv(8, S, S + 3600)};
    auto guest = iv(0, S, S + 3000);
    guest.userId = 4242;
    guest.displayName = "Guest Ørsted";
    rows.push_back(guest);
    auto guest2 = iv(0, S + 3100, S + 3500);  // the same guest reconnecting after 100 s
    guest2.userId = 4242;
    guest2.displayName = guest.displayName;
    rows.push_back(guest2);
    const auto lines = computeAttendance(program(), session(), rows, {}, S + 4000);
    REQUIRE(lines.size() == 5);
    CHECK(lineOf(lines, 5)->kind == AttendanceKind::Site);
    CHECK(lineOf(lines, 6)->kind == AttendanceKind::Site);
    CHECK(lineOf(lines, 6)->eligible);
    CHECK(lineOf(lines, 7)->kind == AttendanceKind::Site);
    CHECK_FALSE(lineOf(lines, 7)->eligible);
    CHECK(lineOf(lines, 7)->creditHours == 0.0);
    CHECK(lineOf(lines, 8)->kind == AttendanceKind::Live);
    const auto* g = lineOf(lines, 0);
    REQUIRE(g);
    CHECK(g->userId == 4242);
    CHECK(g->displayName == "Guest Ørsted");
    CHECK(g->intervals == 1);
    CHECK(g->seconds == 3400);
    // A live row and a site row of the same person are one line, overlaps once.
    const auto both = computeAttendance(program(), session(), {iv(5, S, S + 2000, AttendanceKind::Site), iv(5, S + 1000, S + 3000)}, {}, S + 4000);
    REQUIRE(both.size() == 1);
    CHECK(both[0].kind == AttendanceKind::Live);
    CHECK(both[0].seconds == 3000);
    // A recording watched afterwards is its own line, not clipped to the window.
    const auto rec = computeAttendance(program(), session(), {iv(5, S, S + 600), iv(5, S + 86400, S + 86400 + 3000, AttendanceKind::Recording)}, {}, S + 90000);
    REQUIRE(rec.size() == 2);
    const auto* r = lineOf(rec, 5, AttendanceKind::Live);
    REQUIRE(r);
    CHECK(r->kind == AttendanceKind::Recording);
    CHECK(r->seconds == 3000);
    CHECK(r->eligible);
    // Rows of other sessions are ignored.
    auto other = iv(5, S, S + 3600);
    other.sessionId = 10;
    CHECK(computeAttendance(program(), session(), {other}, {}, S).empty());
}

TEST_CASE("an adjustment replaces the minutes; the latest wins", "[clinic][attendance]") {
    std::vector<store::AttendanceAdjustment> adj(3);
    adj[0] = {1, 9, 1, 10, 50, "stayed on by phone after the drop", 2, "coord", S + 9000};  // latest, listed first
    adj[1] = {2, 9, 1, 10, 30, "first correction", 2, "coord", S + 8000};
    adj[2] = {3, 9, 20, 0, 55, "watched at the Elko clinic's screen", 2, "coord", S + 8500};
    const auto lines = computeAttendance(program(), session(), {iv(1, S, S + 600)}, adj, S + 10000);
    const auto* one = lineOf(lines, 1);
    REQUIRE(one);
    CHECK(one->seconds == 600);
    CHECK(one->adjustedMinutes == 50);
    CHECK(one->minutes == 50.0);
    CHECK(one->eligible);
    CHECK(one->creditHours == 0.75);
    // A person with no interval at all, counted by the coordinator at a site.
    const auto* site = lineOf(lines, 20);
    REQUIRE(site);
    CHECK(site->kind == AttendanceKind::Site);
    CHECK(site->intervals == 0);
    CHECK(site->minutes == 55.0);
    CHECK(site->eligible);
    // Adjusted above the session's length: share 1, credit for the session only.
    adj[0].minutesNew = 500;
    const auto capped = computeAttendance(program(), session(), {iv(1, S, S + 600)}, adj, S + 10000);
    CHECK(lineOf(capped, 1)->share == 1.0);
    CHECK(lineOf(capped, 1)->creditHours == 1.0);
    // Adjusted to zero: not eligible.
    adj[0].minutesNew = 0;
    CHECK_FALSE(lineOf(computeAttendance(program(), session(), {iv(1, S, S + 3600)}, adj, S + 10000), 1)->eligible);
}

TEST_CASE("eligibility at the threshold and credit per hour", "[clinic][attendance]") {
    auto p = program();
    auto at = [&](std::int64_t minutes) {
        return computeAttendance(p, session(), {iv(1, S, S + minutes * 60)}, {}, S + 99999).at(0);
    };
    CHECK(at(45).eligible);        // exactly 0.75 of 60
    CHECK(at(45).creditHours == 0.75);
    CHECK_FALSE(at(44).eligible);
    CHECK(at(44).creditHours == 0.0);
    p.cmeThreshold = 0.7;
    CHECK(at(42).eligible);        // 42/60 = 0.7 despite floating point
    p.creditPerHour = 1.5;
    p.creditRounding = "half-nearest";
    CHECK(at(60).creditHours == 1.5);
    CHECK(at(50).creditHours == 1.5);  // 1.25 h to the nearest half, halves up
}

TEST_CASE("credit rounding table", "[clinic][attendance]") {
    struct Row { double hours, qd, qn, hd, hn; };
    const Row rows[] = {
        {0.0, 0, 0, 0, 0},          {0.2, 0, 0.25, 0, 0},         {0.74, 0.5, 0.75, 0.5, 0.5},
        {0.75, 0.75, 0.75, 0.5, 1.0}, {1.0, 1, 1, 1, 1},           {1.13, 1.0, 1.25, 1.0, 1.0},
        {1.5, 1.5, 1.5, 1.5, 1.5},  {2.874, 2.75, 2.75, 2.5, 3.0}, {45.0 / 60.0, 0.75, 0.75, 0.5, 1.0},
        {-1.0, 0, 0, 0, 0},
    };
    for (const auto& r : rows) {
        INFO(r.hours);
        CHECK(roundCredit(r.hours, CreditRounding::QuarterDown) == r.qd);
        CHECK(roundCredit(r.hours, CreditRounding::QuarterNearest) == r.qn);
        CHECK(roundCredit(r.hours, CreditRounding::HalfDown) == r.hd);
        CHECK(roundCredit(r.hours, CreditRounding::HalfNearest) == r.hn);
        CHECK(roundCredit(r.hours, CreditRounding::None) == (r.hours > 0 ? r.hours : 0.0));
    }
    CHECK(roundCredit(std::numeric_limits<double>::quiet_NaN(), CreditRounding::None) == 0.0);
    CHECK(roundCredit(std::numeric_limits<double>::infinity(), CreditRounding::QuarterDown) == 0.0);
    for (int i = 0; i < static_cast<int>(CreditRounding::Count); ++i) {
        const auto r = static_cast<CreditRounding>(i);
        CHECK(creditRoundingFromString(toString(r)) == r);
    }
    CHECK_FALSE(creditRoundingFromString("quarter").has_value());
    // An unknown name in a program rounds quarter-down.
    auto p = program();
    p.creditRounding = "bogus";
    CHECK(computeAttendance(p, session(), {iv(1, S, S + 3540)}, {}, S).at(0).creditHours == 0.75);
}

TEST_CASE("CSV export round-trips through parseCsv, with quotes, commas and UTF-8", "[clinic][attendance]") {
    auto s = session();
    s.title = "HCV, week 1:\n\"cirrhosis\"";
    auto row = iv(1, S - 60, S + 3000);
    row.displayName = "Nguyễn, Thị \"Lan\"";
    const auto lines = computeAttendance(program(), s, {row}, {}, S + 4000);
    REQUIRE(lines.size() == 1);
    const CsvPersonInfo info{"NPI-1234567890", "Nurse practitioner", "NP", "Elko, NV clinic"};
    const std::string csv = attendanceCsvHeader() + attendanceCsvRow(s, lines[0], info);
    auto parsed = parseCsv(csv, "attendance.csv");
    REQUIRE(parsed.ok());
    REQUIRE(parsed->size() == 2);
    const auto& h = (*parsed)[0];
    const auto& r = (*parsed)[1];
    REQUIRE(h.size() == 19);
    REQUIRE(r.size() == 19);
    CHECK(h[0] == "session_id");
    CHECK(h[4] == "name");
    CHECK(h[18] == "credit_hours");
    CHECK(r[0] == "9");
    CHECK(r[1] == s.title);
    CHECK(r[2] == "2027-01-15T08:00:00Z");
    CHECK(r[3] == "NPI-1234567890");
    CHECK(r[4] == "Nguyễn, Thị \"Lan\"");
    CHECK(r[5] == "spoke");
    CHECK(r[6] == "Nurse practitioner");
    CHECK(r[7] == "NP");
    CHECK(r[8] == "Elko, NV clinic");
    CHECK(r[9] == "live");
    CHECK(r[10] == "2027-01-15T07:59:00Z");
    CHECK(r[11] == "2027-01-15T08:50:00Z");
    CHECK(r[12] == "1");
    CHECK(r[13] == "50.0");
    CHECK(r[14] == "0.833");
    CHECK(r[15] == "no");
    CHECK(r[16] == "no");
    CHECK(r[17] == "yes");
    CHECK(r[18] == "0.75");
    // RFC 4180: CRLF line ends, quotes doubled.
    CHECK(csv.find("\"Nguyễn, Thị \"\"Lan\"\"\"") != std::string::npos);
    CHECK(csv.substr(csv.size() - 2) == "\r\n");
    // An open interval leaves last_leave_utc empty.
    const auto open = computeAttendance(program(), s, {iv(2, S, 0)}, {}, S + 60);
    auto p2 = parseCsv(attendanceCsvRow(s, open.at(0), {}), "row");
    REQUIRE(p2.ok());
    CHECK(p2->at(0).at(11).empty());
}

TEST_CASE("parseCsv: LF or CRLF, empty lines, empty fields, and errors naming the line", "[clinic][attendance]") {
    auto r = parseCsv("\xEF\xBB\xBF" "a,b,c\n\n1,,\"x\ny\"\r\n\"\",2,3", "f.csv");
    REQUIRE(r.ok());
    REQUIRE(r->size() == 3);
    CHECK((*r)[0] == std::vector<std::string>{"a", "b", "c"});
    CHECK((*r)[1] == std::vector<std::string>{"1", "", "x\ny"});
    CHECK((*r)[2] == std::vector<std::string>{"", "2", "3"});
    CHECK(parseCsv("", "e")->empty());

    auto open = parseCsv("a,b\n1,\"never closed\n2,3\n", "f.csv");
    REQUIRE_FALSE(open.ok());
    CHECK(open.error().message == "f.csv:2: quoted field is not closed");
    auto stray = parseCsv("a,b\nx\"y,2\n", "f.csv");
    REQUIRE_FALSE(stray.ok());
    CHECK(stray.error().message.rfind("f.csv:2: quote inside an unquoted field", 0) == 0);
    auto after = parseCsv("a\n\"x\"y\n", "f.csv");
    REQUIRE_FALSE(after.ok());
    CHECK(after.error().message.rfind("f.csv:2: text after a closing quote", 0) == 0);
    // The line count follows line breaks inside quoted fields.
    auto later = parseCsv("\"a\nb\",1\nx\"\n", "f.csv");
    REQUIRE_FALSE(later.ok());
    CHECK(later.error().message.rfind("f.csv:3:", 0) == 0);
}
