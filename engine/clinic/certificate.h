// CME certificates of attendance, per session and per series, as plain text
// and as one self-contained printable HTML page (no scripts, no external
// resources; every value HTML-escaped). Built from computeAttendance's lines
// (attendance.h): only eligible attendance gets a certificate, and a series
// certificate sums its eligible sessions only (minutes and the per-session
// credit hours, each already rounded as the program says, so the series total
// equals the sum of the session certificates). Times are shown in the
// program's zone (schedule.h). Pure: the caller loads records and writes files.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "clinic/attendance.h"
#include "core/result.h"
#include "store/records.h"

namespace caseroom::clinic {

struct CertificateItem {
    std::int64_t sessionId = 0;
    std::string title;            // the session's title
    std::string when;             // start in the program's zone, "2027-03-04 12:00 MST"
    double minutes = 0;           // attended (adjusted if adjusted)
    double creditHours = 0;       // rounded as the program says
};

struct Certificate {
    std::string programName;
    std::string personName, credential, profession;
    std::string title;            // the session's title, or the series' for a series certificate
    bool series = false;
    std::vector<CertificateItem> items;   // one per eligible session, in start order
    double minutes = 0, creditHours = 0;  // sums over items
    std::string creditType;       // program.creditType
    std::string rounding;         // program.creditRounding, as stated on the certificate
    std::string accreditation;    // program.accreditation
    std::string issued;           // issue time in the program's zone
};

// One session's certificate; an error when the line is not eligible or is not
// about this person and session.
[[nodiscard]] core::Result<Certificate> sessionCertificate(const store::Program& program, const store::Person& person,
                                                           const store::Session& session, const AttendanceLine& line,
                                                           std::int64_t issuedAt);

struct SessionAttendance {
    store::Session session;
    AttendanceLine line;          // this person's line for the session (from computeAttendance)
};
// A series certificate over the person's lines for the series' sessions;
// ineligible sessions are left out; an error when none is eligible.
[[nodiscard]] core::Result<Certificate> seriesCertificate(const store::Program& program, const store::Person& person,
                                                          const store::Series& series,
                                                          const std::vector<SessionAttendance>& attended,
                                                          std::int64_t issuedAt);

[[nodiscard]] std::string certificateText(const Certificate& c);
[[nodiscard]] std::string certificateHtml(const Certificate& c);
// &, <, >, " and ' as entities; everything else (UTF-8) as is.
[[nodiscard]] std::string htmlEscape(std::string_view s);

} // namespace caseroom::clinic
