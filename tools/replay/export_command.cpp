// caseroom-replay export (replay.h, export_audio.h, audit.h).
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "audit.h"
#include "core/cli.h"
#include "export_audio.h"
#if CASEROOM_REPLAY_VIDEO
#include "export_video.h"
#endif
#include "progress.h"
#include "replay.h"
#include "scan.h"

namespace caseroom::replay {
namespace {

constexpr const char* kExportUsage =
    "usage: caseroom-replay export FILE [--audio OUT.opus] [--tracks DIR] [--video OUT.webm [video options]]\n"
    "                               [--from T] [--to T] [--db FILE | --no-db] [--by NAME]\n"
    "\n"
    "The recording's voice as Ogg Opus, 48 kHz:\n"
    "  --audio OUT.opus  a stereo mix of every speaker (each at a mild, constant place\n"
    "                    by seat), normalised to -16 LUFS integrated (ITU-R BS.1770-4)\n"
    "                    and limited to -1 dBFS sample peak, with the title, date and a\n"
    "                    chapter per phase (CHAPTERnnn tags)\n"
    "  --tracks DIR      one mono file per speaker, DIR/NAME-ROLE.opus, each normalised\n"
    "                    to -16 LUFS on its own (and limited to -1 dBFS)\n"
    "The room as one camera saw it, rendered headless (Vulkan) as WebM with a chapter per\n"
    "phase and a caption strip (title, phase, time); no sound (put the --audio mix beside it):\n"
    "  --video OUT.webm  the video\n"
    "  --camera C        overview (default), seat:N, panel:N or follow:NAME (through a\n"
    "                    participant's eyes, by display name as recorded)\n"
    "  --size WxH        frame size, even, 16..4096 (default 1280x720)\n"
    "  --fps N           frames per second, 1..60 (default 30)\n"
    "  --codec C         vp8 (default) or vp9\n"
    "  --bitrate KBPS    target bitrate, 50..50000 kbit/s (default 2000)\n"
    "  --deck DIR        the slides: a deck folder as caseroom-deck build wrote it (DIR/blobs);\n"
    "                    repeatable. --content DIR: a blob folder (the server's content store).\n"
    "                    A deck shown in the room but found in none shows the panel's card\n"
    "  --from T, --to T  only this part (T: seconds, MM:SS or HH:MM:SS[.mmm] from the\n"
    "                    recording's start; default the whole of it)\n"
    "Every file spans the range exactly: pauses in the recording and time nobody spoke\n"
    "are silence (in the video: the room as it was paused, said so), so times in the\n"
    "export are the recording's times.\n"
    "\n"
    "Every export is audited in the clinic database: who (the operating-system user and\n"
    "--by NAME; a roster stable id as NAME names that person), which recording (file,\n"
    "room, session) and what was exported. The files appear only with their audit row.\n"
    "  --db FILE         the clinic database (default STATE_DIR/clinic.db)\n"
    "  --no-db           export without an audit row (a warning says so)\n"
    "  --by NAME         who asked for the export, when not the OS user alone\n"
    "exit status: 0 done, 1 failed (an output not writable, the database, the renderer), 2 the\n"
    "recording is unusable (no such file, not a recording, wrong key), 64 bad usage\n";

std::string osUserName() {
    const passwd* pw = ::getpwuid(::geteuid());
    return pw && pw->pw_name ? std::string(pw->pw_name) : "uid " + std::to_string(::geteuid());
}

#if CASEROOM_REPLAY_VIDEO
using VideoOptions = VideoExportOptions;
#else
struct VideoOptions {};
#endif

// The video options checked before anything is read (bad usage exits 64).
core::Result<VideoOptions> videoOptions(const std::string& path, const std::string& camera, const std::string& size, const std::string& fps,
                                        const std::string& codec, const std::string& bitrate, std::vector<std::filesystem::path> blobDirs) {
    VideoOptions o;
    if (path.empty()) {
        const bool any = camera != "overview" || !size.empty() || !fps.empty() || !codec.empty() || !bitrate.empty() || !blobDirs.empty();
        if (any) return core::Error{"--camera, --size, --fps, --codec, --bitrate, --deck and --content go with --video OUT.webm"};
        return o;
    }
#if CASEROOM_REPLAY_VIDEO
    o.video.path = path;
    auto cam = parseCamera(camera);
    if (!cam) return cam.error();
    o.camera = *cam;
    if (!size.empty()) {
        const auto x = size.find('x');
        if (x == std::string::npos) return core::Error{"--size '" + size + "': wants WIDTHxHEIGHT, e.g. 1280x720"};
        auto w = core::cli::parseInt("--size width", std::string_view(size).substr(0, x), 16, 4096);
        if (!w) return w.error();
        auto h = core::cli::parseInt("--size height", std::string_view(size).substr(x + 1), 16, 4096);
        if (!h) return h.error();
        if (*w % 2 || *h % 2) return core::Error{"--size '" + size + "': width and height must be even (4:2:0 video)"};
        o.video.width = static_cast<std::uint32_t>(*w);
        o.video.height = static_cast<std::uint32_t>(*h);
    }
    if (!fps.empty()) {
        auto f = core::cli::parseInt("--fps", fps, 1, 60);
        if (!f) return f.error();
        o.video.fps = static_cast<std::uint32_t>(*f);
    }
    if (!codec.empty()) {
        if (codec == "vp8") o.video.codec = VideoCodec::Vp8;
        else if (codec == "vp9") o.video.codec = VideoCodec::Vp9;
        else return core::Error{"--codec '" + codec + "': wants vp8 or vp9"};
    }
    if (!bitrate.empty()) {
        auto b = core::cli::parseInt("--bitrate", bitrate, 50, 50000);
        if (!b) return b.error();
        o.video.bitrateKbps = static_cast<std::uint32_t>(*b);
    }
    o.blobDirs = std::move(blobDirs);
#else
    (void)camera, (void)size, (void)fps, (void)codec, (void)bitrate, (void)blobDirs;
#endif
    return o;
}

} // namespace

int runExport(const Globals& g, std::span<const std::string> args) {
    std::string file, audio, tracks, video, dbPath, by;
    std::vector<std::filesystem::path> blobDirs;
    std::string cameraText = "overview", sizeText, fpsText, codecText, bitrateText;
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
        const bool valued = a == "--audio" || a == "--tracks" || a == "--from" || a == "--to" || a == "--db" || a == "--by" ||
                            a == "--video" || a == "--camera" || a == "--size" || a == "--fps" || a == "--codec" || a == "--bitrate" ||
                            a == "--deck" || a == "--content";
        if (valued) {
            if (i + 1 >= args.size()) return fail("export", a + " needs a value (see export --help)", kExitUsage);
            const std::string& v = args[++i];
            if (a == "--audio") audio = v;
            else if (a == "--tracks") tracks = v;
            else if (a == "--db") dbPath = v;
            else if (a == "--by") by = v;
            else if (a == "--video") video = v;
            else if (a == "--camera") cameraText = v;
            else if (a == "--size") sizeText = v;
            else if (a == "--fps") fpsText = v;
            else if (a == "--codec") codecText = v;
            else if (a == "--bitrate") bitrateText = v;
            else if (a == "--deck") blobDirs.push_back(std::filesystem::path(v) / "blobs");
            else if (a == "--content") blobDirs.emplace_back(v);
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
    if (audio.empty() && tracks.empty() && video.empty())
        return fail("export", "say what to export: --audio OUT.opus, --tracks DIR and/or --video OUT.webm", kExitUsage);
    auto videoOpt = videoOptions(video, cameraText, sizeText, fpsText, codecText, bitrateText, blobDirs);
    if (!videoOpt) return fail("export", videoOpt.error().message, kExitUsage);
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
    if (!video.empty()) {
        if (std::filesystem::is_directory(video)) return fail("export", video + ": a directory (--video names a file)", kExitFailed);
        if (auto st = probeWritable(video); !st) return fail("export", st.error().message, kExitFailed);
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
        o.keepVoice = !audio.empty() || !tracks.empty();
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

    const double fromMs = from ? *from * 1000 : 0.0;
    const double toMs = to ? std::min(*to * 1000, scan.durationMs()) : scan.durationMs();
    std::optional<AudioExport> result;
    if (!audio.empty() || !tracks.empty()) {
        AudioExportOptions opt;
        opt.mixPath = audio;
        opt.tracksDir = tracks;
        opt.from = from ? static_cast<std::int64_t>(std::llround(*from * 48000)) : 0;
        opt.to = to ? static_cast<std::int64_t>(std::llround(*to * 48000)) : -1;
        Progress progress(mode, "caseroom-replay export: audio");
        opt.progress = [&](double done, double total) { progress.update(done, total, nullptr); };
        auto r = exportAudio(scan, opt);
        progress.done();
        if (!r) return fail("export", r.error().message, kExitFailed);
        result = std::move(*r);
    }
#if CASEROOM_REPLAY_VIDEO
    std::optional<VideoExport> film;
#endif
    if (!video.empty()) {
#if CASEROOM_REPLAY_VIDEO
        VideoExportOptions vo = *videoOpt;
        vo.fromMs = fromMs;
        vo.toMs = toMs;
        Progress progress(mode, "caseroom-replay export: video");
        vo.progress = [&](double done, double total) { progress.update(done, total, "s of video"); };
        auto r = exportVideo(**reader, scan, vo);
        progress.done();
        if (!r) return fail("export", video + ": " + r.error().message, kExitFailed);
        film = std::move(*r);
#else
        return fail("export", "--video: this build of caseroom-replay has no renderer (built without the client)", kExitFailed);
#endif
    }

    std::string what;
    std::string trackNames;
    if (result)
        for (const auto& f : result->files) {
            if (f.channels == 2) what += "audio mix to " + f.path;
            else trackNames += (trackNames.empty() ? "" : ", ") + std::filesystem::path(f.path).filename().string();
        }
    if (!tracks.empty()) what += std::string(what.empty() ? "" : "; ") + "tracks to " + tracks + " (" + trackNames + ")";
#if CASEROOM_REPLAY_VIDEO
    if (film) what += std::string(what.empty() ? "" : "; ") + "video (" + film->camera + ") to " + video;
#endif
    what = "exported " + clockText(fromMs) + "-" + clockText(toMs) + ": " + what;
    auto commit = [&]() -> core::Status {
        if (result)
            if (auto st = result->commitAll(); !st) return st;
#if CASEROOM_REPLAY_VIDEO
        if (film) return film->commit();
#endif
        return {};
    };
    auto undo = [&] {
        if (result)
            for (const auto& f : result->files) std::remove(f.path.c_str());
        if (!video.empty()) std::remove(video.c_str());
    };
    if (audit) {
        ExportWho who;
        who.osUser = osUserName();
        who.by = by;
        if (auto st = audit->recordExport(who, file, scan.info, what, core::cli::unixSecondsNow(), commit, undo); !st)
            return fail("export", st.error().message, kExitFailed);
    } else if (auto st = commit(); !st) {
        undo();
        return fail("export", st.error().message, kExitFailed);
    }
#if CASEROOM_REPLAY_VIDEO
    if (film) {
        std::printf("wrote %s: video %s, %ux%u, %u fps, %s, %llu frames, %s (%.1f MB)\n", video.c_str(), toString(videoOpt->video.codec),
                    videoOpt->video.width, videoOpt->video.height, videoOpt->video.fps, film->camera.c_str(),
                    static_cast<unsigned long long>(film->frames), clockText(film->seconds * 1000).c_str(),
                    static_cast<double>(film->bytes) / 1e6);
        if (film->decksMissing)
            std::printf("video: %u deck(s) shown in the room were not in the --deck/--content folders: their panels show a card\n",
                        film->decksMissing);
        for (const auto& n : film->notes) std::printf("video: %s\n", n.c_str());
        const double total = film->stepSeconds + film->renderSeconds + film->readbackSeconds + film->encodeSeconds;
        std::printf("video: %.1f s of work, %.2f x real time: replay and scene %.1f s, render %.1f s, read back %.1f s, encode %.1f s\n", total,
                    total > 0 ? film->seconds / total : 0.0, film->stepSeconds, film->renderSeconds, film->readbackSeconds, film->encodeSeconds);
    }
#endif
    if (!result) {
        if (audit) std::printf("audited in %s\n", audit->path().c_str());
        return kExitOk;
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
