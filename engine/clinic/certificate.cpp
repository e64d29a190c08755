// Certificates of attendance (certificate.h).
#include "clinic/certificate.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "clinic/schedule.h"

namespace caseroom::clinic {
namespace {

std::string fixed(double v, int decimals) {
    char buf[64];
    if (!std::isfinite(v)) v = 0;
    const auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, decimals);
    return std::string(buf, r.ptr);
}

// "52" for whole minutes, "52.5" otherwise.
std::string minutesText(double m) {
    const double r = std::round(m * 10) / 10;
    return std::fabs(r - std::round(r)) < 1e-9 ? fixed(r, 0) : fixed(r, 1);
}

Certificate base(const store::Program& program, const store::Person& person, std::int64_t issuedAt) {
    Certificate c;
    c.programName = program.name;
    c.personName = person.name;
    c.credential = person.credential;
    c.profession = person.profession;
    c.creditType = program.creditType;
    c.rounding = program.creditRounding;
    c.accreditation = program.accreditation;
    c.issued = formatLocal(issuedAt, program.timeZone);
    return c;
}

CertificateItem itemOf(const store::Program& program, const store::Session& s, const AttendanceLine& l) {
    return CertificateItem{s.id, s.title, formatLocal(s.startUtc, program.timeZone), l.minutes, l.creditHours};
}

core::Status checkLine(const store::Person& person, const store::Session& session, const AttendanceLine& line) {
    const std::string what = "session " + std::to_string(session.id) + ", person " + std::to_string(person.id);
    if (line.personId != person.id) return core::Error{what + ": the attendance line is about person " + std::to_string(line.personId)};
    if (!line.eligible) return core::Error{what + ": attendance is not eligible for credit"};
    return {};
}

std::string nameLine(const Certificate& c) {
    return c.credential.empty() ? c.personName : c.personName + ", " + c.credential;
}

} // namespace

std::string htmlEscape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char ch : s) {
        switch (ch) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        default: out += ch;
        }
    }
    return out;
}

core::Result<Certificate> sessionCertificate(const store::Program& program, const store::Person& person,
                                             const store::Session& session, const AttendanceLine& line,
                                             std::int64_t issuedAt) {
    if (auto st = checkLine(person, session, line); !st) return st.error();
    Certificate c = base(program, person, issuedAt);
    c.title = session.title;
    c.items.push_back(itemOf(program, session, line));
    c.minutes = line.minutes;
    c.creditHours = line.creditHours;
    return c;
}

core::Result<Certificate> seriesCertificate(const store::Program& program, const store::Person& person,
                                            const store::Series& series, const std::vector<SessionAttendance>& attended,
                                            std::int64_t issuedAt) {
    Certificate c = base(program, person, issuedAt);
    c.title = series.title;
    c.series = true;
    std::vector<const SessionAttendance*> ok;
    for (const auto& a : attended) {
        if (a.session.seriesId != series.id || a.line.personId != person.id || !a.line.eligible) continue;
        const bool dup = std::any_of(ok.begin(), ok.end(), [&](const SessionAttendance* o) { return o->session.id == a.session.id; });
        if (!dup) ok.push_back(&a);
    }
    if (ok.empty())
        return core::Error{"series " + std::to_string(series.id) + ", person " + std::to_string(person.id) +
                           ": no eligible attendance in the series"};
    std::sort(ok.begin(), ok.end(), [](const SessionAttendance* a, const SessionAttendance* b) {
        return a->session.startUtc < b->session.startUtc;
    });
    for (const auto* a : ok) {
        c.items.push_back(itemOf(program, a->session, a->line));
        c.minutes += a->line.minutes;
        c.creditHours += a->line.creditHours;
    }
    return c;
}

std::string certificateText(const Certificate& c) {
    std::string t;
    t += "CERTIFICATE OF ATTENDANCE\n\n";
    t += c.programName + "\n\n";
    t += "This certifies that\n\n  " + nameLine(c) + "\n";
    if (!c.profession.empty()) t += "  " + c.profession + "\n";
    t += "\nattended " + std::string(c.series ? "the series" : "the session") + " \"" + c.title + "\"\n\n";
    for (const auto& i : c.items)
        t += "  " + i.when + "  " + i.title + "  " + minutesText(i.minutes) + " min  " + fixed(i.creditHours, 2) + " h\n";
    t += "\nMinutes attended: " + minutesText(c.minutes) + "\n";
    t += "Credit: " + fixed(c.creditHours, 2) + " " + c.creditType + " (rounded " + c.rounding + ")\n\n";
    if (!c.accreditation.empty()) t += c.accreditation + "\n\n";
    t += "Issued " + c.issued + "\n";
    return t;
}

std::string certificateHtml(const Certificate& c) {
    const auto e = [](std::string_view s) { return htmlEscape(s); };
    std::string h;
    h += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
    h += "<title>Certificate of attendance: " + e(c.personName) + "</title>\n";
    h += "<style>\n@page { size: A4 landscape; margin: 18mm; }\n"
         "body { font-family: serif; color: #000; background: #fff; max-width: 240mm; margin: auto; }\n"
         "h1 { text-align: center; letter-spacing: 0.1em; } .c { text-align: center; }\n"
         ".name { font-size: 1.6em; font-weight: bold; }\n"
         "table { border-collapse: collapse; margin: 1em auto; } td, th { border: 1px solid #444; padding: 0.3em 0.6em; }\n"
         ".acc { font-size: 0.9em; margin-top: 2em; }\n</style>\n</head>\n<body>\n";
    h += "<h1>Certificate of attendance</h1>\n";
    h += "<p class=\"c\">" + e(c.programName) + "</p>\n";
    h += "<p class=\"c\">This certifies that</p>\n";
    h += "<p class=\"c name\">" + e(nameLine(c)) + "</p>\n";
    if (!c.profession.empty()) h += "<p class=\"c\">" + e(c.profession) + "</p>\n";
    h += "<p class=\"c\">attended " + std::string(c.series ? "the series" : "the session") + " <strong>" + e(c.title) +
         "</strong></p>\n";
    h += "<table>\n<tr><th>Session</th><th>Date and time</th><th>Minutes</th><th>Credit hours</th></tr>\n";
    for (const auto& i : c.items)
        h += "<tr><td>" + e(i.title) + "</td><td>" + e(i.when) + "</td><td>" + minutesText(i.minutes) + "</td><td>" +
             fixed(i.creditHours, 2) + "</td></tr>\n";
    h += "<tr><th colspan=\"2\">Total</th><th>" + minutesText(c.minutes) + "</th><th>" + fixed(c.creditHours, 2) +
         "</th></tr>\n</table>\n";
    h += "<p class=\"c\">" + fixed(c.creditHours, 2) + " " + e(c.creditType) + " (rounded " + e(c.rounding) + ")</p>\n";
    if (!c.accreditation.empty()) h += "<p class=\"acc\">" + e(c.accreditation) + "</p>\n";
    h += "<p class=\"c\">Issued " + e(c.issued) + "</p>\n</body>\n</html>\n";
    return h;
}

} // namespace caseroom::clinic
