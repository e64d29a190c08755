// Sessions in IANA zones across daylight-saving changes (clinic/schedule.h),
// over the system tzdata through libhowardhinnant-date.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "clinic/schedule.h"

using namespace caseroom::clinic;

namespace {
std::vector<std::string> isoStarts(const std::vector<Occurrence>& occ) {
    std::vector<std::string> out;
    for (const auto& o : occ) out.push_back(formatUtcIso(o.startUtc));
    return out;
}
} // namespace

TEST_CASE("a weekly Denver series keeps 12:00 local across the March change", "[clinic][schedule]") {
    auto occ = expandWeekly("2027-03-04", "12:00", 90, 3, "America/Denver");
    REQUIRE(occ.ok());
    REQUIRE(occ->size() == 3);
    // DST starts 2027-03-14: 19:00Z (MST, -7) before, 18:00Z (MDT, -6) after.
    CHECK(isoStarts(*occ) == std::vector<std::string>{"2027-03-04T19:00:00Z", "2027-03-11T19:00:00Z", "2027-03-18T18:00:00Z"});
    CHECK((*occ)[0].localDate == "2027-03-04");
    CHECK((*occ)[2].localDate == "2027-03-18");
    for (const auto& o : *occ) CHECK(o.endUtc - o.startUtc == 90 * 60);
    CHECK(formatLocal((*occ)[0].startUtc, "America/Denver") == "2027-03-04 12:00 MST");
    CHECK(formatLocal((*occ)[2].startUtc, "America/Denver") == "2027-03-18 12:00 MDT");
    // A local week across the change is one hour short in UTC.
    CHECK((*occ)[2].startUtc - (*occ)[1].startUtc == 7 * 86400 - 3600);
    CHECK((*occ)[1].startUtc - (*occ)[0].startUtc == 7 * 86400);
}

TEST_CASE("Europe/Berlin in October: 18:00 local is 16:00Z, then 17:00Z after the change", "[clinic][schedule]") {
    auto occ = expandWeekly("2027-10-21", "18:00", 60, 3, "Europe/Berlin");
    REQUIRE(occ.ok());
    // Summer time ends on the last Sunday of October, 2027-10-31.
    CHECK(isoStarts(*occ) == std::vector<std::string>{"2027-10-21T16:00:00Z", "2027-10-28T16:00:00Z", "2027-11-04T17:00:00Z"});
    CHECK(formatLocal((*occ)[0].startUtc, "Europe/Berlin") == "2027-10-21 18:00 CEST");
    CHECK(formatLocal((*occ)[2].startUtc, "Europe/Berlin") == "2027-11-04 18:00 CET");
}

TEST_CASE("Australia/Sydney: the southern hemisphere's changes run the other way", "[clinic][schedule]") {
    // Daylight time starts on the first Sunday of October (2027-10-03): +10 -> +11.
    auto spring = expandWeekly("2027-09-23", "09:00", 60, 3, "Australia/Sydney");
    REQUIRE(spring.ok());
    CHECK(isoStarts(*spring) == std::vector<std::string>{"2027-09-22T23:00:00Z", "2027-09-29T23:00:00Z", "2027-10-06T22:00:00Z"});
    CHECK((*spring)[0].localDate == "2027-09-23");  // the local date, not the UTC one
    CHECK(formatLocal((*spring)[2].startUtc, "Australia/Sydney") == "2027-10-07 09:00 AEDT");
    // ... and ends on the first Sunday of April (2027-04-04): +11 -> +10.
    auto autumn = expandWeekly("2027-03-30", "09:00", 60, 2, "Australia/Sydney");
    REQUIRE(autumn.ok());
    CHECK(isoStarts(*autumn) == std::vector<std::string>{"2027-03-29T22:00:00Z", "2027-04-05T23:00:00Z"});
}

TEST_CASE("a wall time in a gap moves forward by the gap; in an overlap the earlier instant wins", "[clinic][schedule]") {
    // 2027-03-14 02:00 MST jumps to 03:00 MDT: 02:30 does not exist and is read as 03:30 MDT.
    auto gap = localToUtc("2027-03-14", "02:30", "America/Denver");
    REQUIRE(gap.ok());
    CHECK(formatUtcIso(*gap) == "2027-03-14T09:30:00Z");
    CHECK(formatLocal(*gap, "America/Denver") == "2027-03-14 03:30 MDT");
    // 2027-11-07 01:30 happens twice (MDT, then MST): the MDT one, 07:30Z.
    auto overlap = localToUtc("2027-11-07", "01:30", "America/Denver");
    REQUIRE(overlap.ok());
    CHECK(formatUtcIso(*overlap) == "2027-11-07T07:30:00Z");
    CHECK(formatLocal(*overlap, "America/Denver") == "2027-11-07 01:30 MDT");
    // An ordinary time is unique.
    auto plain = localToUtc("2027-07-01", "12:00", "America/Denver");
    REQUIRE(plain.ok());
    CHECK(formatUtcIso(*plain) == "2027-07-01T18:00:00Z");
}

TEST_CASE("unknown zones and malformed dates and times are errors naming the bad part", "[clinic][schedule]") {
    CHECK(validTimeZone("America/Denver"));
    CHECK(validTimeZone("UTC"));
    CHECK(validTimeZone("Australia/Sydney"));
    CHECK_FALSE(validTimeZone("Mars/Olympus_Mons"));
    CHECK_FALSE(validTimeZone(""));
    CHECK_FALSE(validTimeZone("../../etc/passwd"));
    CHECK_FALSE(validTimeZone("America/Denver\n"));
    CHECK_FALSE(validTimeZone(std::string(200, 'A')));

    auto z = localToUtc("2027-03-04", "12:00", "Mars/Olympus_Mons");
    REQUIRE_FALSE(z.ok());
    CHECK(z.error().message.find("Mars/Olympus_Mons") != std::string::npos);
    auto series = expandWeekly("2027-03-04", "12:00", 60, 3, "Nowhere/Atlantis");
    REQUIRE_FALSE(series.ok());
    CHECK(series.error().message.find("unknown time zone") != std::string::npos);

    for (const char* bad : {"2027-02-29", "2027-13-01", "2027-3-4", "27-03-04", "2027/03/04", "", "0000-01-01"}) {
        INFO(bad);
        auto r = localToUtc(bad, "12:00", "UTC");
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().message.find("date") != std::string::npos);
    }
    CHECK(localToUtc("2028-02-29", "12:00", "UTC").ok());  // a leap day
    for (const char* bad : {"24:00", "12:60", "1200", "12:0", "", "ab:cd"}) {
        INFO(bad);
        auto r = localToUtc("2027-03-04", bad, "UTC");
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().message.find("time") != std::string::npos);
    }
    CHECK_FALSE(expandWeekly("2027-03-04", "12:00", 0, 3, "UTC").ok());
    CHECK_FALSE(expandWeekly("2027-03-04", "12:00", 60, 0, "UTC").ok());
    CHECK_FALSE(expandWeekly("2027-03-04", "12:00", 60, 100000, "UTC").ok());
}

TEST_CASE("UTC formatting is ISO 8601 and total over hostile values", "[clinic][schedule]") {
    CHECK(formatUtcIso(0) == "1970-01-01T00:00:00Z");
    CHECK(formatUtcIso(1796324400) == "2026-12-03T19:00:00Z");
    CHECK(formatLocal(1796324400, "America/Denver") == "2026-12-03 12:00 MST");
    CHECK(formatLocal(1796324400, "No/Such_Zone") == "2026-12-03 19:00 UTC");
    // Extreme instants clamp to the years 1..9999 rather than overflow.
    CHECK(formatUtcIso(INT64_MAX) == "9999-12-31T23:59:59Z");
    CHECK(formatUtcIso(INT64_MIN) == "0001-01-01T00:00:00Z");
    CHECK_FALSE(formatLocal(INT64_MAX, "America/Denver").empty());
}
