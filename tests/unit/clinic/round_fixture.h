// A clinic as the records hold it on the day of a session, for the teaching
// round's record tests (session plan, journal, recommendations document):
// program "hcv" with its default form, a roster (facilitator, specialist,
// coordinator, two presenting spokes), one session of an hour at kStart and
// two cases scheduled on it, one withdrawn case and one on no session.
#pragma once
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>

#include "clinic/case_form.h"
#include "store/records.h"

namespace caseroom::testing {

struct RoundClinic {
    static constexpr std::int64_t kStart = 1'800'000'000;
    std::int64_t program = 0, session = 0;
    std::int64_t facilitator = 0, specialist = 0, coordinator = 0, lan = 0, ole = 0;
    std::int64_t case1 = 0, case2 = 0, withdrawn = 0, unscheduled = 0;
};

inline std::int64_t addPerson(store::Records& r, std::int64_t program, const char* stable, const char* name, core::Role role) {
    store::Actor a{.via = "test"};
    store::Person p;
    p.stableId = stable;
    p.name = name;
    auto id = r.upsertPerson(p, a, RoundClinic::kStart - 86400);
    REQUIRE(id.ok());
    store::RosterEntry e;
    e.programId = program;
    e.personId = *id;
    e.role = role;
    REQUIRE(r.setRoster(e, a, RoundClinic::kStart - 86400).ok());
    return *id;
}

inline std::int64_t addCase(store::Records& r, const RoundClinic& c, std::int64_t presenter, std::int64_t session,
                            store::CaseStatus status, const std::string& complaint, const std::string& question) {
    store::CaseRecord k;
    k.programId = c.program;
    k.presenterId = presenter;
    k.sessionId = session;
    k.status = status;
    k.fields = {{"age_band", "60-69"},  {"sex", "female"},       {"setting", "rural"}, {"chief_complaint", complaint},
                {"history", "HCV genotype 3, treatment-naive."}, {"question", question},
                {"coordinator_note", "call before noon"}};
    auto id = r.createCase(k, store::Actor{.via = "test"}, RoundClinic::kStart - 3600);
    REQUIRE(id.ok());
    return *id;
}

inline RoundClinic makeRoundClinic(store::Records& r) {
    RoundClinic c;
    const store::Actor a{.via = "test"};
    store::Program p;
    p.code = "hcv";
    p.name = "Hepatitis C ECHO";
    p.timeZone = "America/Denver";
    p.formTemplate = clinic::defaultFormTemplateText();
    auto pid = r.createProgram(p, a, RoundClinic::kStart - 86400 * 7);
    REQUIRE(pid.ok());
    c.program = *pid;
    c.facilitator = addPerson(r, c.program, "npi-f", "Dr. Ana Facilitadora", core::Role::Facilitator);
    c.specialist = addPerson(r, c.program, "npi-s", "Dr. Søren Ørsted", core::Role::Specialist);
    c.coordinator = addPerson(r, c.program, "maria", "Maria Alvarez", core::Role::Coordinator);
    c.lan = addPerson(r, c.program, "npi-1", "Nguyễn Thị Lan", core::Role::Spoke);
    c.ole = addPerson(r, c.program, "npi-2", "Ole <Bull> & Co", core::Role::Spoke);
    store::Session s;
    s.programId = c.program;
    s.title = "Week 1";
    s.startUtc = RoundClinic::kStart;
    s.endUtc = RoundClinic::kStart + 3600;
    s.room = "hcv";
    auto sid = r.createSession(s, a, RoundClinic::kStart - 86400 * 7);
    REQUIRE(sid.ok());
    c.session = *sid;
    c.case1 = addCase(r, c, c.lan, c.session, store::CaseStatus::Scheduled, "Fatigue, raised ALT", "Treat now, or stage fibrosis first?");
    c.withdrawn = addCase(r, c, c.ole, c.session, store::CaseStatus::Withdrawn, "withdrawn", "never asked");
    c.case2 = addCase(r, c, c.ole, c.session, store::CaseStatus::Scheduled, "Jaundice", "Which regimen with <eGFR 30>?");
    c.unscheduled = addCase(r, c, c.ole, 0, store::CaseStatus::Vetted, "not yet", "later");
    return c;
}

} // namespace caseroom::testing
