// caseroom-replay: what a recording holds (info), whether it is intact
// (verify), and its voice as Ogg Opus (export). Global options and dispatch;
// one file per command (info_command.cpp, export_command.cpp).
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "replay.h"

using namespace caseroom::replay;

namespace {

void usage(std::FILE* to) {
    std::fputs(
        "usage: caseroom-replay [--state-dir DIR] [--key FILE] [--quiet] COMMAND FILE ...\n"
        "\n"
        "Recordings of CaseRoom rooms (docs/RECORDING.md), read with the recording key.\n"
        "`COMMAND --help` says more.\n"
        "\n"
        "commands:\n"
        "  info FILE [--json]        duration, participants, phases, pauses, bytes, damage\n"
        "  verify FILE               read every block; list any damage\n"
        "  export FILE --audio OUT.opus | --tracks DIR [--from T] [--to T] [--db FILE | --no-db] [--by NAME]\n"
        "                            the voice as a stereo mix or one track per speaker (audited)\n"
        "\n"
        "global options (anywhere on the line):\n"
        "  --state-dir DIR   the server's state directory (default: $XDG_STATE_HOME/caseroom,\n"
        "                    else /var/lib/caseroom as root, else ~/.local/state/caseroom)\n"
        "  --key FILE        the recording key (default STATE_DIR/recording.key)\n"
        "  --quiet           no progress on stderr (otherwise a bar on a terminal, else a\n"
        "                    line every few seconds)\n"
        "  --help            this text\n"
        "\n"
        "exit status: 0 done (verify: intact); 1 verify: damage found, other commands:\n"
        "failed (an output not writable, the clinic database); 2 the recording is unusable\n"
        "(no such file, not a recording, wrong key, no key); 64 bad usage\n",
        to);
}

} // namespace

int main(int argc, char** argv) {
    Globals g;
    std::vector<std::string> rest;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "--quiet") {
            g.quiet = true;
            continue;
        }
        if (a == "--state-dir" || a == "--key") {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "caseroom-replay: %s needs a value (see --help)\n", argv[i]);
                return kExitUsage;
            }
            (a == "--key" ? g.keyPath : g.stateDir) = argv[++i];
            continue;
        }
        rest.emplace_back(a);
    }
    if (rest.empty() || rest[0] == "--help" || rest[0] == "-h" || rest[0] == "help") {
        usage(rest.empty() ? stderr : stdout);
        return rest.empty() ? kExitUsage : kExitOk;
    }
    const std::string cmd = rest[0];
    const std::span<const std::string> args(rest.data() + 1, rest.size() - 1);
    const bool help = !args.empty() && (args[0] == "--help" || args[0] == "-h");
    if (!help) {
        if (auto st = resolveGlobals(g); !st) {
            std::fprintf(stderr, "caseroom-replay %s: %s\n", cmd.c_str(), st.error().message.c_str());
            return kExitUsage;
        }
    }
    if (cmd == "info") return runInfo(g, args);
    if (cmd == "verify") return runVerify(g, args);
    if (cmd == "export") return runExport(g, args);
    std::fprintf(stderr, "caseroom-replay: unknown command '%s' (see caseroom-replay --help)\n", cmd.c_str());
    return kExitUsage;
}
