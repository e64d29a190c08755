// CME certificate files (certificate_output.h).
#include "certificate_output.h"

#include <cstdio>
#include <filesystem>

#include "admin.h"
#include "clinic/schedule.h"

namespace caseroom::admin {
namespace {

std::string number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", v);
    return buf;
}

std::string htmlEscape(std::string_view s) {
    std::string out;
    for (const char c : s) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        default: out.push_back(c);
        }
    }
    return out;
}

std::string sessionLine(const CertificateSet& set, const store::Session& s) {
    return s.title + ", " + clinic::formatLocal(s.startUtc, set.program.timeZone);
}

} // namespace

std::string certificateText(const CertificateSet& set, const PersonCredit& c) {
    std::string t;
    t += "CERTIFICATE OF ATTENDANCE\n\n";
    t += set.program.name + "\n\n";
    t += "This certifies that\n\n  " + c.person.name + (c.person.credential.empty() ? "" : ", " + c.person.credential) + "\n";
    if (!c.person.site.empty()) t += "  " + c.person.site + "\n";
    t += "\nattended the following session" + std::string(set.sessions.size() > 1 ? "s" : "") + ":\n";
    for (const auto& s : set.sessions) t += "  " + sessionLine(set, s) + "\n";
    t += "\nMinutes attended: " + number(c.minutes) + "\n";
    t += "Credit: " + number(c.creditHours) + " " + set.program.creditType + "\n";
    if (!set.program.accreditation.empty()) t += "\n" + set.program.accreditation + "\n";
    return t;
}

std::string certificateHtml(const CertificateSet& set, const PersonCredit& c) {
    std::string h = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Certificate: " + htmlEscape(c.person.name) +
                    "</title></head>\n<body style=\"font-family:serif;text-align:center\">\n";
    h += "<h1>Certificate of Attendance</h1>\n<h2>" + htmlEscape(set.program.name) + "</h2>\n";
    h += "<p>This certifies that</p>\n<p style=\"font-size:1.6em\">" + htmlEscape(c.person.name) +
         (c.person.credential.empty() ? "" : ", " + htmlEscape(c.person.credential)) + "</p>\n";
    h += "<p>attended</p>\n<ul style=\"list-style:none\">\n";
    for (const auto& s : set.sessions) h += "<li>" + htmlEscape(sessionLine(set, s)) + "</li>\n";
    h += "</ul>\n<p>Minutes attended: " + number(c.minutes) + "</p>\n";
    h += "<p><strong>" + number(c.creditHours) + " " + htmlEscape(set.program.creditType) + "</strong></p>\n";
    if (!set.program.accreditation.empty()) h += "<p><small>" + htmlEscape(set.program.accreditation) + "</small></p>\n";
    h += "</body></html>\n";
    return h;
}

core::Result<std::size_t> writeCertificates(const CertificateSet& set, const std::string& dir, const std::string& suffix) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return core::Error{dir + ": " + ec.message()};
    std::size_t n = 0;
    for (const auto& [id, c] : set.people) {
        if (c.eligibleSessions == 0 || c.creditHours <= 0) continue;
        const std::string base = dir + "/" + safeFileName(c.person.stableId) + suffix;
        if (auto st = writeWholeFile(base + ".txt", certificateText(set, c), 0644); !st) return st.error();
        if (auto st = writeWholeFile(base + ".html", certificateHtml(set, c), 0644); !st) return st.error();
        ++n;
    }
    return n;
}

} // namespace caseroom::admin
