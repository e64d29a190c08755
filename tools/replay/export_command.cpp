// caseroom-replay export (replay.h, export_audio.h, audit.h).
#include <pwd.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>

#include "audit.h"
#include "core/cli.h"
#include "export_audio.h"
#include "progress.h"
#include "replay.h"
#include "scan.h"

namespace caseroom::replay {
namespace {

constexpr const char* kExportUsage =
    "usage: caseroom-replay export FILE [--audio OUT.opus] [--tracks DIR] [--from T] [--to T]\n"
    "                               [--db FILE | --no-db] [--by NAME]\n"
    "\n"
    "The recording's voice as Ogg Opus, 48 kHz:\n"
    "  --audio OUT.opus  a stereo mix of every speaker (each at a mild, constant place\n"
    "                    by seat), normalised to -16 LUFS integrated (ITU-R BS.1770-4)\n"
    "                    and limited to -1 dBFS sample peak, with the title, date and a\n"
    "                    chapter per phase (CHAPTERnnn tags)\n"
    "  --tracks DIR      one mono file per speaker, DIR/NAME-ROLE.opus, each normalised\n"
    "                    to -16 LUFS on its own (and limited to -1 dBFS)\n"
    "  --from T, --to T  only this part (T: seconds, MM:SS or HH:MM:SS[.mmm] from the\n"
    "                    recording's start; default the whole of it)\n"
    "Every file spans the range exactly: pauses in the recording and time nobody spoke\n"
    "are silence, so times in the export are the recording's times.\n"
    "\n"
    "Every export is audited in the clinic database: who (the operating-system user and\n"
    "--by NAME; a roster stable id as NAME names that person), which recording (file,\n"
    "room, session) and what was exported. The files appear only with their audit row.\n"
    "  --db FILE         the clinic database (default STATE_DIR/clinic.db)\n"
    "  --no-db           export without an audit row (a warning says so)\n"
    "  --by NAME         who asked for the export, when not the OS user alone\n"
    "exit status: 0 done, 1 failed (an output not writable, the database), 2 the\n"
    "recording is unusable (no such file, not a recording, wrong key), 64 bad usage\n";

std::string osUserName() {
    const passwd* pw = ::getpwuid(::geteuid());
    return pw && pw->pw_name ? std::string(pw->pw_name) : "uid " + std::to_string(::geteuid());
}

} // namespace

int runExport(const Globals& g, std::span<const std::string> args) {
    std::string file, audio, tracks, dbPath, by;
    std::optional<double> from, to;
    bool noDb = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--help" || a == "-h") {
            std::fputs(kExportUsage, stdout);
            return kExitOk;
        }
        if (a == "--no-db") {
            noDb = true;
            continue;
        }
        if (a == "--video") return fail("export", "--video: not an option (audio exports only; see export --help)", kExitUsage);
        const bool valued = a == "--audio" || a == "--tracks" || a == "--from" || a == "--to" || a == "--db" || a == "--by";
        if (valued) {
            if (i + 1 >= args.size()) return fail("export", a + " needs a value (see export --help)", kExitUsage);
            const std::string& v = args[++i];
            if (a == "--audio") audio = v;
            else if (a == "--tracks") tracks = v;
            else if (a == "--db") dbPath = v;
            else if (a == "--by") by = v;
            else {
                auto t = parseTime(a, v);
                if (!t) return fail("export", t.error().message, kExitUsage);
                (a == "--from" ? from : to) = *t;
            }
            continue;
        }
        if (a.rfind("--", 0) == 0) return fail("export", "unknown option '" + a + "' (see export --help)", kExitUsage);
        if (!file.empty()) return fail("export", "one FILE only (see export --help)", kExitUsage);
        file = a;
    }
    if (file.empty()) return fail("export", "which recording? (see export --help)", kExitUsage);
    if (audio.empty() && tracks.empty()) return fail("export", "say what to export: --audio OUT.opus and/or --tracks DIR", kExitUsage);
    if (noDb && !dbPath.empty()) return fail("export", "--db and --no-db together", kExitUsage);
    if (from && to && *to <= *from) return fail("export", "--to must be after --from", kExitUsage);
    if (!noDb && dbPath.empty()) {
        if (g.stateDir.empty()) return fail("export", "no state directory: give --db FILE (or --state-dir DIR)", kExitUsage);
        dbPath = g.stateDir + "/clinic.db";
    }

    auto reader = openRecording(g, file);
    if (!reader) return fail("export", reader.error().message, kExitUnusable);
    // Outputs and the database before the work, so a fault costs nothing.
    if (!audio.empty()) {
        if (std::filesystem::is_directory(audio)) return fail("export", audio + ": a directory (--audio names a file)", kExitFailed);
        if (auto st = probeWritable(audio); !st) return fail("export", st.error().message, kExitFailed);
    }
    if (!tracks.empty()) {
        std::error_code ec;
        std::filesystem::create_directories(tracks, ec);
        if (ec) return fail("export", tracks + ": cannot create the tracks folder: " + ec.message(), kExitFailed);
        if (auto st = probeWritable((std::filesystem::path(tracks) / ".caseroom-probe").string()); !st)
            return fail("export", st.error().message, kExitFailed);
    }
    std::unique_ptr<ExportAudit> audit;
    if (noDb) {
        std::fprintf(stderr, "caseroom-replay export: warning: --no-db: this export is not audited in the clinic database\n");
    } else {
        auto a = ExportAudit::open(dbPath);
        if (!a) return fail("export", a.error().message, kExitFailed);
        audit = std::move(*a);
    }

    const ProgressMode mode = Progress::modeFor(g.quiet);
    Scan scan;
    {
        Progress progress(mode, "caseroom-replay export: reading");
        ScanOptions o;
        o.keepVoice = true;
        o.progress = [&](std::size_t done, std::size_t total) {
            progress.update(static_cast<double>(done), static_cast<double>(total), "blocks");
        };
        scan = scanRecording(**reader, file, o);
    }
    for (const auto& d : scan.damage)
        std::fprintf(stderr, "caseroom-replay export: warning: %s: damaged at bytes %llu-%llu (%s); exported without it\n", file.c_str(),
                     static_cast<unsigned long long>(d.offset), static_cast<unsigned long long>(d.offset + d.bytes), d.what.c_str());
    const double durationS = scan.durationMs() / 1000.0;
    if (from && *from >= durationS)
        return fail("export", "--from " + clockText(*from * 1000) + " is past the end of " + file + " (" + clockText(scan.durationMs()) + ")",
                    kExitUsage);

    AudioExportOptions opt;
    opt.mixPath = audio;
    opt.tracksDir = tracks;
    opt.from = from ? static_cast<std::int64_t>(std::llround(*from * 48000)) : 0;
    opt.to = to ? static_cast<std::int64_t>(std::llround(*to * 48000)) : -1;
    Progress progress(mode, "caseroom-replay export: audio");
    opt.progress = [&](double done, double total) { progress.update(done, total, nullptr); };
    auto result = exportAudio(scan, opt);
    progress.done();
    if (!result) return fail("export", result.error().message, kExitFailed);

    const double fromMs = static_cast<double>(opt.from) / 48.0;
    const double toMs = to ? std::min(*to * 1000, scan.durationMs()) : scan.durationMs();
    std::string what;
    std::string trackNames;
    for (const auto& f : result->files) {
        if (f.channels == 2) what += "audio mix to " + f.path;
        else trackNames += (trackNames.empty() ? "" : ", ") + std::filesystem::path(f.path).filename().string();
    }
    if (!tracks.empty()) what += std::string(what.empty() ? "" : "; ") + "tracks to " + tracks + " (" + trackNames + ")";
    what = "exported " + clockText(fromMs) + "-" + clockText(toMs) + ": " + what;
    auto undo = [&] {
        for (const auto& f : result->files) std::remove(f.path.c_str());
    };
    if (audit) {
        ExportWho who;
        who.osUser = osUserName();
        who.by = by;
        if (auto st = audit->recordExport(who, file, scan.info, what, core::cli::unixSecondsNow(), [&] { return result->commitAll(); }, undo);
            !st)
            return fail("export", st.error().message, kExitFailed);
    } else if (auto st = result->commitAll(); !st) {
        return fail("export", st.error().message, kExitFailed);
    }
    for (const auto& f : result->files) {
        std::string level = f.measuredLufs ? [&] {
            char buf[96];
            std::snprintf(buf, sizeof buf, "measured %.1f LUFS, gain %+.1f dB", *f.measuredLufs, f.gainDb);
            return std::string(buf);
        }()
                                           : std::string("silent");
        if (f.limiterMinGainDb < -0.05) {
            char buf[64];
            std::snprintf(buf, sizeof buf, ", limited by up to %.1f dB", -f.limiterMinGainDb);
            level += buf;
        }
        std::printf("wrote %s: %s, %s, %s (%s)\n", f.path.c_str(), f.what.c_str(), f.channels == 2 ? "stereo" : "mono",
                    clockText(static_cast<double>(f.frames) / 48.0).c_str(), level.c_str());
    }
    if (result->placement.concealed || result->decodeErrors)
        std::printf("voice: %llu frames, %llu concealed, %llu undecodable\n", static_cast<unsigned long long>(result->placement.placed),
                    static_cast<unsigned long long>(result->placement.concealed), static_cast<unsigned long long>(result->decodeErrors));
    if (audit) std::printf("audited in %s\n", audit->path().c_str());
    return kExitOk;
}

} // namespace caseroom::replay
