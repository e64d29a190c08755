// caseroom-admin schedule|sessions: a weekly series expanded in the program's
// zone (clinic::expandWeekly keeps the wall-clock time across DST), and the
// program's sessions shown in local time and UTC.
#include <cstdio>
#include <string>

#include "admin.h"
#include "clinic/schedule.h"
#include "core/cli.h"

namespace caseroom::admin {
namespace {

constexpr const char* kScheduleUsage =
    "usage: caseroom-admin --as STABLE_ID schedule --program CODE --title TITLE\n"
    "           --first-date YYYY-MM-DD --time HH:MM --duration MINUTES --weeks N\n"
    "\n"
    "Creates a weekly series and its sessions: N sessions, one a week from the first\n"
    "date, each at the same wall-clock time in the program's time zone (so the UTC\n"
    "time moves with daylight saving). The room of each session is the program's\n"
    "code. Needs ManagePrograms.\n"
    "  --duration MINUTES   5..720\n"
    "  --weeks N            1..104\n";

constexpr const char* kSessionsUsage =
    "usage: caseroom-admin sessions --program CODE\n"
    "\n"
    "Lists the program's sessions: id, series, local start (program zone), UTC start\n"
    "and end, status and title. Any roster member (or the state directory's owner)\n"
    "may list them.\n";

} // namespace

int runSchedule(Context& ctx, std::span<const std::string> args) {
    static constexpr OptSpec kSpecs[] = {{"--program"}, {"--title"}, {"--first-date"}, {"--time"}, {"--duration"}, {"--weeks"}};
    int exitCode = kExitOk;
    auto a = beginCommand(ctx, args, kSpecs, kScheduleUsage, Sub::None, exitCode);
    if (!a) return exitCode;
    for (const char* req : {"--program", "--title", "--first-date", "--time", "--duration", "--weeks"})
        if (!a->has(req)) return usageError(ctx, std::string(req) + " is required (see --help)");
    auto duration = core::cli::parseInt("--duration", a->get("--duration"), 5, 720);
    if (!duration) return usageError(ctx, duration.error().message);
    auto weeks = core::cli::parseInt("--weeks", a->get("--weeks"), 1, 104);
    if (!weeks) return usageError(ctx, weeks.error().message);
    const std::string title = a->get("--title");
    if (title.empty() || !validUtf8(title)) return usageError(ctx, "--title: a non-empty UTF-8 title is required");

    if (auto st = ctx.open(false); !st) return fail(ctx, st.error());
    Tx tx(ctx.db());
    if (auto st = tx.begun(); !st) return fail(ctx, st.error());
    auto p = ctx.program(a->get("--program"));
    if (!p) return fail(ctx, p.error());
    if (auto st = ctx.require(p->id, sim::Action::ManagePrograms); !st) return fail(ctx, st.error());
    auto occ = clinic::expandWeekly(a->get("--first-date"), a->get("--time"), static_cast<std::int32_t>(*duration),
                                    static_cast<std::int32_t>(*weeks), p->timeZone);
    if (!occ) return fail(ctx, occ.error());
    store::Series s;
    s.programId = p->id;
    s.title = title;
    s.firstLocalDate = a->get("--first-date");
    s.localStart = a->get("--time");
    s.durationMinutes = static_cast<std::int32_t>(*duration);
    s.weeks = static_cast<std::int32_t>(*weeks);
    auto seriesId = ctx.records().createSeries(s, ctx.actor(), ctx.globals.now);
    if (!seriesId) return fail(ctx, seriesId.error());
    std::vector<std::pair<std::int64_t, clinic::Occurrence>> made;
    for (const auto& o : *occ) {
        store::Session sess;
        sess.programId = p->id;
        sess.seriesId = *seriesId;
        sess.title = title;
        sess.startUtc = o.startUtc;
        sess.endUtc = o.endUtc;
        sess.room = p->code;
        auto id = ctx.records().createSession(sess, ctx.actor(), ctx.globals.now);
        if (!id) return fail(ctx, id.error());
        made.emplace_back(*id, o);
    }
    if (auto st = tx.commit(); !st) return fail(ctx, st.error());
    std::printf("series %lld \"%s\" in %s: %zu session(s)\n", static_cast<long long>(*seriesId), title.c_str(), p->code.c_str(), made.size());
    for (const auto& [id, o] : made)
        std::printf("  session %-5lld %s  (%s)\n", static_cast<long long>(id), clinic::formatLocal(o.startUtc, p->timeZone).c_str(),
                    clinic::formatUtcIso(o.startUtc).c_str());
    return kExitOk;
}

int runSessions(Context& ctx, std::span<const std::string> args) {
    static constexpr OptSpec kSpecs[] = {{"--program"}};
    int exitCode = kExitOk;
    auto a = beginCommand(ctx, args, kSpecs, kSessionsUsage, Sub::None, exitCode);
    if (!a) return exitCode;
    if (auto st = ctx.open(false); !st) return fail(ctx, st.error());
    auto p = ctx.program(a->get("--program"));
    if (!p) return fail(ctx, p.error());
    if (ctx.asPerson()) {
        if (auto r = ctx.roleIn(p->id); !r) return fail(ctx, r.error());
    } else if (auto st = ctx.requireOrBootstrap(p->id, sim::Action::ManagePrograms); !st) {
        return fail(ctx, st.error());
    }
    auto all = ctx.records().sessions(p->id);
    if (!all) return fail(ctx, all.error());
    std::printf("%-6s %-6s %-26s %-21s %-21s %-9s %s\n", "id", "series", "local start", "start (UTC)", "end (UTC)", "status", "title");
    for (const auto& s : *all) {
        const std::int64_t end = s.extendedUntil > s.endUtc ? s.extendedUntil : s.endUtc;
        std::printf("%-6lld %-6lld %-26s %-21s %-21s %-9s %s\n", static_cast<long long>(s.id), static_cast<long long>(s.seriesId),
                    clinic::formatLocal(s.startUtc, p->timeZone).c_str(), clinic::formatUtcIso(s.startUtc).c_str(),
                    clinic::formatUtcIso(end).c_str(), store::toString(s.status), s.title.c_str());
    }
    return kExitOk;
}

} // namespace caseroom::admin
