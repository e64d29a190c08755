// caseroom-admin attendance export|adjust and certificates: attendance for CME
// from the server's own join and leave intervals (clinic::computeAttendance),
// coordinator adjustments with a required reason (audited), the CSV export
// (clinic::attendanceCsvHeader/Row) and certificates per session or series.
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>

#include "admin.h"
#include "clinic/attendance.h"
#include "clinic/certificate.h"
#include "clinic/schedule.h"
#include "core/cli.h"

namespace caseroom::admin {
namespace {

constexpr const char* kUsage =
    "usage: caseroom-admin --as STABLE_ID attendance export --session ID [--out FILE.csv]\n"
    "       caseroom-admin --as STABLE_ID attendance adjust --session ID --person STABLE\n"
    "           --minutes M --reason TEXT\n"
    "       caseroom-admin --as STABLE_ID attendance adjust --session ID --site --people S1,S2,...\n"
    "           --minutes M --reason TEXT\n"
    "\n"
    "export: one CSV line per attendee (columns in docs/RECORDS.md): intervals from the\n"
    "server's joins and leaves, reconnects merged, minutes and share of the session,\n"
    "eligibility against the program's CME threshold, adjustments applied, credit hours.\n"
    "Written to FILE (mode 0600) or standard output. Needs ExportRecords.\n"
    "adjust: sets a person's attended minutes (0..1440), with a required reason; the old\n"
    "and new minutes, who and when are kept and audited. --site --people records several\n"
    "clinicians who attended together from one site's screen. Needs AdjustAttendance.\n";

constexpr const char* kCertUsage =
    "usage: caseroom-admin --as STABLE_ID certificates (--session ID | --series ID) --out DIR\n"
    "\n"
    "Writes a CME certificate (STABLE_ID-session-ID.txt and .html, or -series-ID) for\n"
    "every roster person eligible for credit: the program, the person, the session(s),\n"
    "minutes attended, credit hours rounded as the program says with its credit type,\n"
    "and the accreditation statement. Needs ExportRecords.\n";

struct SessionAttendance {
    store::Program program;
    store::Session session;
    std::vector<clinic::AttendanceLine> lines;
};

core::Result<SessionAttendance> loadAttendance(Context& ctx, std::int64_t sessionId) {
    SessionAttendance out;
    auto s = ctx.records().session(sessionId);
    if (!s) return s.error();
    out.session = *s;
    auto p = ctx.records().program(s->programId);
    if (!p) return p.error();
    out.program = *p;
    auto intervals = ctx.records().attendance(sessionId);
    if (!intervals) return intervals.error();
    auto adjustments = ctx.records().adjustments(sessionId);
    if (!adjustments) return adjustments.error();
    out.lines = clinic::computeAttendance(out.program, out.session, *intervals, *adjustments, ctx.globals.now);
    return out;
}

int exportCsv(Context& ctx, const ParsedArgs& a) {
    auto sid = parseId("--session", a.get("--session"));
    if (!sid) return usageError(ctx, sid.error().message);
    if (auto st = ctx.open(false); !st) return fail(ctx, st.error());
    // One read snapshot: intervals and adjustments from the same moment.
    Tx tx(ctx.db());
    if (auto st = tx.begun(); !st) return fail(ctx, st.error());
    auto att = loadAttendance(ctx, *sid);
    if (!att) return fail(ctx, att.error());
    if (auto st = ctx.require(att->program.id, sim::Action::ExportRecords); !st) return fail(ctx, st.error());
    std::string csv = clinic::attendanceCsvHeader();
    for (const auto& l : att->lines) {
        clinic::CsvPersonInfo info;
        if (l.personId != 0) {
            auto person = ctx.records().person(l.personId);
            if (!person) return fail(ctx, person.error());
            info = {person->stableId, person->profession, person->credential, person->site};
        }
        csv += clinic::attendanceCsvRow(att->session, l, info);
    }
    if (auto st = tx.commit(); !st) return fail(ctx, st.error());
    const std::string out = a.get("--out");
    if (out.empty() || out == "-") {
        std::fwrite(csv.data(), 1, csv.size(), stdout);
        return kExitOk;
    }
    if (auto st = writeWholeFile(out, csv, 0600); !st) return fail(ctx, st.error());
    std::fprintf(stderr, "wrote %s: %zu attendee(s) of session %lld\n", out.c_str(), att->lines.size(), static_cast<long long>(*sid));
    return kExitOk;
}

int adjust(Context& ctx, const ParsedArgs& a) {
    auto sid = parseId("--session", a.get("--session"));
    if (!sid) return usageError(ctx, sid.error().message);
    auto minutes = core::cli::parseInt("--minutes", a.get("--minutes"), 0, 1440);
    if (!minutes) return usageError(ctx, minutes.error().message);
    const std::string reason = a.get("--reason");
    if (reason.empty()) return usageError(ctx, "--reason TEXT is required (who asked, what happened)");
    if (!validUtf8(reason)) return usageError(ctx, "--reason: not UTF-8 text");
    std::vector<std::string> people;
    if (a.has("--site")) {
        if (a.has("--person")) return usageError(ctx, "--site takes --people S1,S2,..., not --person");
        const std::string list = a.get("--people");
        std::size_t start = 0;
        while (start <= list.size()) {
            const std::size_t comma = list.find(',', start);
            std::string one = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
            if (!one.empty()) people.push_back(one);
            if (comma == std::string::npos) break;
            start = comma + 1;
        }
        if (people.empty()) return usageError(ctx, "--site needs --people S1,S2,... (the clinicians at that site's screen)");
    } else {
        if (!a.has("--person")) return usageError(ctx, "--person STABLE is required (or --site --people S1,S2,...)");
        people.push_back(a.get("--person"));
    }

    if (auto st = ctx.open(false); !st) return fail(ctx, st.error());
    Tx tx(ctx.db());
    if (auto st = tx.begun(); !st) return fail(ctx, st.error());
    auto att = loadAttendance(ctx, *sid);
    if (!att) return fail(ctx, att.error());
    if (auto st = ctx.require(att->program.id, sim::Action::AdjustAttendance); !st) return fail(ctx, st.error());
    const std::string why = a.has("--site") ? "site screen: " + reason : reason;
    std::vector<std::string> done;
    for (const auto& stable : people) {
        auto person = ctx.personByStable(stable);
        if (!person) return fail(ctx, person.error());
        auto e = ctx.records().rosterEntry(att->program.id, person->id);
        if (!e) return fail(ctx, e.error());
        if (!*e) return fail(ctx, stable + " is not on the roster of " + att->program.code);
        store::AttendanceAdjustment adj;
        adj.sessionId = *sid;
        adj.personId = person->id;
        for (const auto& l : att->lines)
            if (l.personId == person->id) adj.minutesOld = static_cast<std::int64_t>(l.minutes + 0.5);
        adj.minutesNew = *minutes;
        adj.reason = why;
        adj.byPersonId = ctx.actor().personId;
        adj.byOsUser = ctx.osUser;
        adj.at = ctx.globals.now;
        auto id = ctx.records().adjustAttendance(adj, ctx.actor(), ctx.globals.now);
        if (!id) return fail(ctx, id.error());
        done.push_back(person->name + " (" + stable + "): " + std::to_string(adj.minutesOld) + " -> " + std::to_string(adj.minutesNew) +
                       " minutes");
    }
    if (auto st = tx.commit(); !st) return fail(ctx, st.error());
    for (const auto& d : done) std::printf("session %lld: %s (%s)\n", static_cast<long long>(*sid), d.c_str(), why.c_str());
    return kExitOk;
}

} // namespace

int runAttendance(Context& ctx, std::span<const std::string> args) {
    static constexpr OptSpec kSpecs[] = {{"--session"}, {"--out"}, {"--person"}, {"--people"}, {"--site", false}, {"--minutes"}, {"--reason"}};
    auto a = parseArgs(args, kSpecs);
    if (!a) return usageError(ctx, a.error().message);
    if (a->help) {
        std::fputs(kUsage, stdout);
        return kExitOk;
    }
    if (a->positional.size() != 1) {
        std::fputs(kUsage, stderr);
        return kExitUsage;
    }
    const std::string sub = a->positional[0];
    ctx.command = "attendance " + sub;
    if (!a->has("--session")) return usageError(ctx, "--session ID is required");
    if (sub == "export") return exportCsv(ctx, *a);
    if (sub == "adjust") return adjust(ctx, *a);
    return usageError(ctx, "expected export or adjust (see --help)");
}

int runCertificates(Context& ctx, std::span<const std::string> args) {
    static constexpr OptSpec kSpecs[] = {{"--session"}, {"--series"}, {"--out"}};
    int exitCode = kExitOk;
    auto a = beginCommand(ctx, args, kSpecs, kCertUsage, Sub::None, exitCode);
    if (!a) return exitCode;
    if (a->has("--session") == a->has("--series")) return usageError(ctx, "give --session ID or --series ID");
    if (!a->has("--out")) return usageError(ctx, "--out DIR is required");
    const bool series = a->has("--series");
    auto id = parseId(series ? "--series" : "--session", a->get(series ? "--series" : "--session"));
    if (!id) return usageError(ctx, id.error().message);

    if (auto st = ctx.open(false); !st) return fail(ctx, st.error());
    Tx tx(ctx.db());
    if (auto st = tx.begun(); !st) return fail(ctx, st.error());
    std::vector<std::int64_t> sessionIds;
    std::int64_t programId = 0;
    if (series) {
        // A series is found through its sessions (records keep no lookup by series id).
        auto programs = ctx.records().programs();
        if (!programs) return fail(ctx, programs.error());
        for (const auto& p : *programs) {
            auto ss = ctx.records().sessions(p.id);
            if (!ss) return fail(ctx, ss.error());
            for (const auto& s : *ss)
                if (s.seriesId == *id) {
                    sessionIds.push_back(s.id);
                    programId = p.id;
                }
        }
        if (sessionIds.empty()) return fail(ctx, "no series " + std::to_string(*id));
    } else {
        auto s = ctx.records().session(*id);
        if (!s) return fail(ctx, s.error());
        sessionIds.push_back(s->id);
        programId = s->programId;
    }
    if (auto st = ctx.require(programId, sim::Action::ExportRecords); !st) return fail(ctx, st.error());
    // Per person: their line for each session (clinic/certificate.h decides eligibility).
    store::Program program;
    std::vector<store::Session> sessions;
    std::map<std::int64_t, std::vector<clinic::SessionAttendance>> byPerson;
    std::map<std::int64_t, store::Person> people;
    for (const auto sid : sessionIds) {
        auto att = loadAttendance(ctx, sid);
        if (!att) return fail(ctx, att.error());
        program = att->program;
        sessions.push_back(att->session);
        for (const auto& l : att->lines) {
            if (l.personId == 0) continue;  // guests get no certificate
            if (!people.count(l.personId)) {
                auto person = ctx.records().person(l.personId);
                if (!person) return fail(ctx, person.error());
                people[l.personId] = *person;
            }
            byPerson[l.personId].push_back({att->session, l});
        }
    }
    if (auto st = tx.commit(); !st) return fail(ctx, st.error());
    store::Series seriesRecord;
    if (series) {
        seriesRecord.id = *id;
        seriesRecord.programId = programId;
        seriesRecord.title = sessions.front().title;
        seriesRecord.weeks = static_cast<std::int32_t>(sessions.size());
    }
    const std::string dir = a->get("--out");
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return fail(ctx, dir + ": " + ec.message());
    const std::string suffix = (series ? "-series-" : "-session-") + std::to_string(*id);
    std::size_t written = 0;
    for (const auto& [personId, attended] : byPerson) {
        const store::Person& person = people[personId];
        auto cert = series ? clinic::seriesCertificate(program, person, seriesRecord, attended, ctx.globals.now)
                           : clinic::sessionCertificate(program, person, attended.front().session, attended.front().line, ctx.globals.now);
        if (!cert) continue;  // not eligible
        const std::string base = dir + "/" + safeFileName(person.stableId) + suffix;
        if (auto st = writeWholeFile(base + ".txt", clinic::certificateText(*cert), 0644); !st) return fail(ctx, st.error());
        if (auto st = writeWholeFile(base + ".html", clinic::certificateHtml(*cert), 0644); !st) return fail(ctx, st.error());
        std::printf("wrote %s.txt and .html: %s, %.2f %s\n", base.c_str(), person.name.c_str(), cert->creditHours, cert->creditType.c_str());
        ++written;
    }
    std::printf("%zu certificate(s) for %zu session(s) in %s\n", written, sessionIds.size(), dir.c_str());
    return kExitOk;
}

} // namespace caseroom::admin
