// caseroom-admin: the coordinator's tool over the clinic database the server
// uses (docs/ADMIN.md). This file takes the global options and dispatches to
// the command groups (one file each); store/, clinic/ and net/secure/ do the work.
#include <pwd.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include "admin.h"
#include "core/cli.h"

#include "screen_command.h"

using namespace caseroom;
using namespace caseroom::admin;

namespace {

void usage(std::FILE* to) {
    std::fputs(
        "usage: caseroom-admin [--db FILE] [--state-dir DIR] [--as STABLE_ID] COMMAND ...\n"
        "\n"
        "The coordinator's tool over the clinic database (programs, roster, sessions,\n"
        "invitations, cases, attendance). Safe to use while caseroom-server runs on the\n"
        "same database: every command is one transaction. `COMMAND --help` says more.\n"
        "\n"
        "commands:\n"
        "  program create|list|show|statements\n"
        "                               programs, their case form, CME settings and statements\n"
        "  roster import|list           the roster of a program, from CSV\n"
        "  schedule                     a weekly series of sessions in the program's zone\n"
        "  sessions                     a program's sessions in local time and UTC\n"
        "  invite                       session invitations (.caseroom files) for the roster\n"
        "  credential                   a program-scoped credential (cases before the session)\n"
        "  revoke                       withdraw an invitation at once\n"
        "  invitations                  the invitations issued, live or revoked\n"
        "  case submit|edit|list|show|vet|override|schedule|move|represent\n"
        "                               case presentations and their workflow\n"
        "  attendance export|adjust     attendance for CME\n"
        "  certificates                 CME certificates for a session or a series\n"
        "  session facilitators         who runs a session (facilitator, co-facilitator, didactic)\n"
        "  disclosure add|list|remove   faculty financial disclosures (introductions)\n"
        "  recommendations list|document|export|send\n"
        "                               the recommendations board and the presenter's document\n"
        "  chat show                    the room's chat and questions kept with a session\n"
        "  screen                       PHI-screen a filled form (JSON lines)\n"
        "\n"
        "global options (anywhere on the line):\n"
        "  --state-dir DIR     the server's state directory (default: $XDG_STATE_HOME/caseroom,\n"
        "                      else /var/lib/caseroom as root, else ~/.local/state/caseroom)\n"
        "  --db FILE           the clinic database (default STATE_DIR/clinic.db)\n"
        "  --as STABLE_ID      the roster person acting; checked against the permissions\n"
        "                      table for their role in the program (docs/PERMISSIONS.md)\n"
        "  --revocations FILE  the revocation file the server watches (default STATE_DIR/revocations)\n"
        "  --now UNIX          act as if the clock read UNIX seconds (tests, demos)\n"
        "  --help              this text\n"
        "\n"
        "Without --as only bootstrapping is allowed: the owner of the state directory may\n"
        "create a program and import its first roster. Every change is audited with the\n"
        "acting person and the operating-system user.\n"
        "exit status: 0 done, 1 refused or bad data, 2 bad usage\n",
        to);
}

std::string osUserName() {
    const passwd* pw = ::getpwuid(::geteuid());
    return pw && pw->pw_name ? std::string(pw->pw_name) : "uid " + std::to_string(::geteuid());
}

} // namespace

int main(int argc, char** argv) {
    Context ctx;
    ctx.osUser = osUserName();
    ctx.globals.now = static_cast<std::int64_t>(std::time(nullptr));
    // Global options may sit anywhere; the rest goes to the command.
    std::vector<std::string> rest;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        std::string* target = nullptr;
        if (a == "--db") target = &ctx.globals.dbPath;
        else if (a == "--state-dir") target = &ctx.globals.stateDir;
        else if (a == "--as") target = &ctx.globals.asStableId;
        else if (a == "--revocations") target = &ctx.globals.revocationsPath;
        if (target || a == "--now") {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "caseroom-admin: %s needs a value (see --help)\n", argv[i]);
                return kExitUsage;
            }
            const std::string v = argv[++i];
            if (target) {
                *target = v;
                continue;
            }
            auto n = core::cli::parseInt("--now", v, 0, 1LL << 40);
            if (!n) {
                std::fprintf(stderr, "caseroom-admin: %s\n", n.error().message.c_str());
                return kExitUsage;
            }
            ctx.globals.now = *n;
            continue;
        }
        rest.emplace_back(a);
    }
    if (rest.empty() || rest[0] == "--help" || rest[0] == "-h" || rest[0] == "help") {
        usage(rest.empty() ? stderr : stdout);
        return rest.empty() ? kExitUsage : kExitOk;
    }
    const std::string cmd = rest[0];
    ctx.command = cmd;
    const std::span<const std::string> args(rest.data() + 1, rest.size() - 1);
    if (cmd == "program") return runProgram(ctx, args);
    if (cmd == "roster") return runRoster(ctx, args);
    if (cmd == "schedule") return runSchedule(ctx, args);
    if (cmd == "sessions") return runSessions(ctx, args);
    if (cmd == "invite") return runInvite(ctx, args);
    if (cmd == "credential") return runCredential(ctx, args);
    if (cmd == "revoke") return runRevoke(ctx, args);
    if (cmd == "invitations") return runInvitations(ctx, args);
    if (cmd == "case") return runCase(ctx, args);
    if (cmd == "attendance") return runAttendance(ctx, args);
    if (cmd == "certificates") return runCertificates(ctx, args);
    if (cmd == "recommendations") return runRecommendations(ctx, args);
    if (cmd == "disclosure") return runDisclosure(ctx, args);
    if (cmd == "session") return runSessionCommand(ctx, args);
    if (cmd == "chat") return runChat(ctx, args);
    if (cmd == "screen") {
        // tools/admin/screen_command.h (the PHI engineer's): argv[0] is "screen".
        std::vector<char*> screenArgv;
        for (auto& r : rest) screenArgv.push_back(r.data());
        screenArgv.push_back(nullptr);
        return tools::runScreenCommand(static_cast<int>(rest.size()), screenArgv.data());
    }
    std::fprintf(stderr, "caseroom-admin: unknown command '%s' (see caseroom-admin --help)\n", cmd.c_str());
    return kExitUsage;
}
