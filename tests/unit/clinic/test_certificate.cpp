// Certificates of attendance (clinic/certificate.h), from attendance lines
// computed by computeAttendance over a real weekly series (schedule.h).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "clinic/attendance.h"
#include "clinic/certificate.h"
#include "clinic/schedule.h"

using namespace caseroom;
using namespace caseroom::clinic;

namespace {

store::Program program() {
    store::Program p;
    p.id = 1;
    p.code = "hcv";
    p.name = "Hepatitis C ECHO";
    p.timeZone = "America/Denver";
    p.cmeThreshold = 0.75;
    p.creditType = "AMA PRA Category 1 Credit(TM)";
    p.creditPerHour = 1.0;
    p.creditRounding = "quarter-down";
    p.accreditation = "The University is accredited by the ACCME to provide continuing medical education for physicians.";
    return p;
}

store::Person person() {
    store::Person p;
    p.id = 7;
    p.stableId = "NPI-1";
    p.name = "Nguyễn Thị Lan";
    p.credential = "NP";
    p.profession = "Nurse practitioner";
    return p;
}

struct World {
    store::Series series;
    std::vector<store::Session> sessions;
};

// Three weekly 60-minute sessions at 12:00 Denver time.
World world() {
    World w;
    w.series.id = 4;
    w.series.programId = 1;
    w.series.title = "HCV spring series";
    auto occ = expandWeekly("2027-03-04", "12:00", 60, 3, "America/Denver");
    REQUIRE(occ.ok());
    for (std::size_t i = 0; i < occ->size(); ++i) {
        store::Session s;
        s.id = static_cast<std::int64_t>(100 + i);
        s.programId = 1;
        s.seriesId = 4;
        s.title = "Week " + std::to_string(i + 1);
        s.startUtc = (*occ)[i].startUtc;
        s.endUtc = (*occ)[i].endUtc;
        w.sessions.push_back(s);
    }
    return w;
}

AttendanceLine attend(const store::Session& s, std::int64_t minutes) {
    store::AttendanceInterval a;
    a.id = s.id;
    a.sessionId = s.id;
    a.personId = 7;
    a.userId = 7;
    a.displayName = "Nguyễn Thị Lan";
    a.joinedAt = s.startUtc;
    a.leftAt = s.startUtc + minutes * 60;
    auto lines = computeAttendance(program(), s, {a}, {}, s.endUtc + 3600);
    REQUIRE(lines.size() == 1);
    return lines[0];
}

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

} // namespace

TEST_CASE("a session certificate: name, credential, local time, minutes, credit, statement", "[clinic][certificate]") {
    const auto w = world();
    const auto line = attend(w.sessions[0], 55);
    auto c = sessionCertificate(program(), person(), w.sessions[0], line, w.sessions[0].endUtc);
    REQUIRE(c.ok());
    CHECK(c->title == "Week 1");
    CHECK_FALSE(c->series);
    REQUIRE(c->items.size() == 1);
    CHECK(c->items[0].when == "2027-03-04 12:00 MST");
    CHECK(c->minutes == 55.0);
    CHECK(c->creditHours == 0.75);
    const auto text = certificateText(*c);
    CHECK(has(text, "Hepatitis C ECHO"));
    CHECK(has(text, "Nguyễn Thị Lan, NP"));
    CHECK(has(text, "2027-03-04 12:00 MST"));
    CHECK(has(text, "Minutes attended: 55"));
    CHECK(has(text, "Credit: 0.75 AMA PRA Category 1 Credit(TM) (rounded quarter-down)"));
    CHECK(has(text, program().accreditation));
    const auto html = certificateHtml(*c);
    CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
    CHECK(has(html, "<meta charset=\"utf-8\">"));
    CHECK(has(html, "Nguyễn Thị Lan, NP"));
    CHECK(has(html, "0.75 AMA PRA Category 1 Credit(TM)"));

    // Ineligible attendance, or another person's line, gets no certificate.
    auto no = sessionCertificate(program(), person(), w.sessions[0], attend(w.sessions[0], 30), 0);
    REQUIRE_FALSE(no.ok());
    CHECK(has(no.error().message, "not eligible"));
    auto other = line;
    other.personId = 8;
    CHECK_FALSE(sessionCertificate(program(), person(), w.sessions[0], other, 0).ok());
}

TEST_CASE("a series certificate sums the eligible sessions only", "[clinic][certificate]") {
    const auto w = world();
    // Week 1: 55 min (0.75 h), week 2: 20 min (not eligible), week 3: 60 min (1.0 h, after DST).
    const std::vector<SessionAttendance> attended = {{w.sessions[2], attend(w.sessions[2], 60)},
                                                     {w.sessions[0], attend(w.sessions[0], 55)},
                                                     {w.sessions[1], attend(w.sessions[1], 20)}};
    auto c = seriesCertificate(program(), person(), w.series, attended, w.sessions[2].endUtc);
    REQUIRE(c.ok());
    CHECK(c->series);
    CHECK(c->title == "HCV spring series");
    REQUIRE(c->items.size() == 2);
    CHECK(c->items[0].title == "Week 1");  // in start order
    CHECK(c->items[1].title == "Week 3");
    CHECK(c->items[1].when == "2027-03-18 12:00 MDT");
    CHECK(c->minutes == 115.0);
    CHECK(c->creditHours == 1.75);  // the sum of the session certificates
    const auto text = certificateText(*c);
    CHECK(has(text, "the series \"HCV spring series\""));
    CHECK_FALSE(has(text, "Week 2"));
    CHECK(has(text, "Minutes attended: 115"));
    CHECK(has(text, "Credit: 1.75"));
    CHECK_FALSE(has(certificateHtml(*c), "Week 2"));

    // Nothing eligible: no certificate.
    auto none = seriesCertificate(program(), person(), w.series, {{w.sessions[1], attend(w.sessions[1], 20)}}, 0);
    REQUIRE_FALSE(none.ok());
    CHECK(has(none.error().message, "no eligible attendance"));
    // Sessions of another series do not count.
    auto stray = w.sessions[0];
    stray.seriesId = 99;
    CHECK_FALSE(seriesCertificate(program(), person(), w.series, {{stray, attend(w.sessions[0], 60)}}, 0).ok());
}

TEST_CASE("every value in the HTML certificate is escaped", "[clinic][certificate]") {
    CHECK(htmlEscape("a & b <c> \"d\" 'e' Ø") == "a &amp; b &lt;c&gt; &quot;d&quot; &#39;e&#39; Ø");
    auto p = program();
    p.name = "<script>alert(1)</script> ECHO";
    p.creditType = "Credit & <b>more</b>";
    p.accreditation = "Accredited \"so\" <img src=x onerror=alert(2)>";
    auto who = person();
    who.name = "O'Brien <i>Pat</i>";
    who.credential = "M&D";
    who.profession = "<p>";
    auto w = world();
    w.sessions[0].title = "Week </td><td>1";
    const auto line = attend(w.sessions[0], 60);
    auto c = sessionCertificate(p, who, w.sessions[0], line, 0);
    REQUIRE(c.ok());
    const auto html = certificateHtml(*c);
    for (const char* raw : {"<script>", "<b>", "<img", "<i>", "Week </td>", "O'Brien", "M&D", "\"so\"", "<p></p>"}) {
        INFO(raw);
        CHECK_FALSE(has(html, raw));
    }
    CHECK(has(html, "&lt;script&gt;alert(1)&lt;/script&gt; ECHO"));
    CHECK(has(html, "O&#39;Brien &lt;i&gt;Pat&lt;/i&gt;, M&amp;D"));
    CHECK(has(html, "Week &lt;/td&gt;&lt;td&gt;1"));
    CHECK(has(html, "&lt;p&gt;"));
    CHECK(has(html, "Accredited &quot;so&quot; &lt;img src=x onerror=alert(2)&gt;"));
    // The plain text keeps the values as written.
    CHECK(has(certificateText(*c), "O'Brien <i>Pat</i>, M&D"));
}
