// CME certificates as files: one plain-text and one HTML certificate per
// eligible person, for a session or a whole series. Credit hours are the sum
// of each session's credit (clinic::computeAttendance rounds per session as
// the program says). No patient data is ever on a certificate.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/result.h"
#include "store/records.h"

namespace caseroom::admin {

struct PersonCredit {
    store::Person person;
    double minutes = 0;
    double creditHours = 0;
    int eligibleSessions = 0;
};

struct CertificateSet {
    store::Program program;
    std::vector<store::Session> sessions;          // in order
    std::map<std::int64_t, PersonCredit> people;   // by person id
};

[[nodiscard]] std::string certificateText(const CertificateSet& set, const PersonCredit& c);
[[nodiscard]] std::string certificateHtml(const CertificateSet& set, const PersonCredit& c);
// Writes DIR/STABLE<suffix>.txt and .html for every person with credit; returns how many people.
[[nodiscard]] core::Result<std::size_t> writeCertificates(const CertificateSet& set, const std::string& dir, const std::string& suffix);

} // namespace caseroom::admin
