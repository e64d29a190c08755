// caseroom-replay info and verify (replay.h, docs/ADMIN.md).
#include <cstdio>
#include <string>

#include "audit.h"
#include "export_audio.h"
#include "progress.h"
#include "replay.h"
#include "scan.h"
#include "session/audit_log.h"

namespace caseroom::replay {
namespace {

constexpr const char* kInfoUsage =
    "usage: caseroom-replay info FILE [--json]\n"
    "\n"
    "What a recording holds: its room, title and session, when it began, how long it\n"
    "lasts, who was present (name, role, time present), the phases with their start\n"
    "times, the pauses, the voice, video (cameras and screens) and state bytes, and\n"
    "any damage found reading it.\n"
    "Times are from the recording's first tick; pauses are part of its length.\n"
    "The session is named from the clinic database when it has it (read only).\n"
    "  --json      one JSON object on stdout instead of text\n"
    "  --db FILE   the clinic database (default STATE_DIR/clinic.db)\n";

constexpr const char* kVerifyUsage =
    "usage: caseroom-replay verify FILE\n"
    "\n"
    "Reads and authenticates every block. Exit 0: intact; 1: damage found, each\n"
    "listed (byte range, ticks lost, what); 2: not usable (no such file, not a\n"
    "recording, wrong key).\n";

std::string kib(std::uint64_t bytes) {
    char buf[32];
    if (bytes >= 10 * 1024 * 1024) std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
    else if (bytes >= 10 * 1024) std::snprintf(buf, sizeof buf, "%.1f KiB", static_cast<double>(bytes) / 1024.0);
    else std::snprintf(buf, sizeof buf, "%llu bytes", static_cast<unsigned long long>(bytes));
    return buf;
}

std::string ticksText(const record::Damage& d) {
    if (d.fromTick == 0 && d.toTick == 0) return "ticks lost unknown";
    return "ticks " + std::to_string(d.fromTick) + "-" + std::to_string(d.toTick) + " lost";
}

void printDamage(std::FILE* to, const record::Damage& d) {
    std::fprintf(to, "  bytes %llu-%llu (%llu bytes), %s: %s\n", static_cast<unsigned long long>(d.offset),
                 static_cast<unsigned long long>(d.offset + d.bytes), static_cast<unsigned long long>(d.bytes), ticksText(d).c_str(),
                 d.what.c_str());
}

const char* pauseWhy(std::uint8_t why) { return why == 1 ? "paused by a person" : "paused by the policy"; }

double ticksMs(const Scan& s, std::uint64_t ticks) { return static_cast<double>(ticks) * 1000.0 / (s.info.tickRate ? s.info.tickRate : 30); }

void printText(const Scan& s, const std::optional<std::string>& sessionLine) {
    std::printf("recording     %s (%s%s)\n", s.path.c_str(), kib(s.fileBytes).c_str(),
                s.closed ? "" : ", not closed: the writer did not finish it");
    std::printf("room          %s\n", s.info.room.c_str());
    std::printf("title         %s\n", s.info.title.c_str());
    std::printf("session       %s\n", sessionLine      ? sessionLine->c_str()
                                      : s.info.session ? std::to_string(s.info.session).c_str()
                                                       : "none known");
    std::printf("began         %s\n", session::formatUtc(s.info.startedUnix).c_str());
    std::printf("policy        %s\n", record::toString(s.info.policy));
    std::printf("duration      %s (ticks %u-%u at %u Hz)\n", clockText(s.durationMs()).c_str(), s.info.firstTick, s.lastTick,
                s.info.tickRate);
    std::printf("participants  %zu\n", s.participants.size());
    for (const auto& p : s.participants)
        std::printf("  %-28s %-12s present %s  voice %llu frames\n", p.who.name.c_str(),
                    p.known ? core::toString(p.who.role) : "unknown", clockText(ticksMs(s, p.presentTicks)).c_str(),
                    static_cast<unsigned long long>(p.voiceFrames));
    std::printf("phases        %zu\n", s.marks.size());
    for (const auto& m : s.marks) std::printf("  %s  %s\n", clockText(s.tickMs(m.tick)).c_str(), m.label.c_str());
    std::printf("pauses        %zu\n", s.pauses.size());
    for (const auto& p : s.pauses)
        std::printf("  %s - %s (%s), %s\n", clockText(s.tickMs(p.fromTick)).c_str(), clockText(s.tickMs(p.toTick)).c_str(),
                    clockText(s.tickMs(p.toTick) - s.tickMs(p.fromTick)).c_str(), pauseWhy(p.why));
    std::printf("voice         %s in %llu frames\n", kib(s.voiceBytes).c_str(), static_cast<unsigned long long>(s.voiceFrames));
    static constexpr const char* kKinds[kVideoKinds] = {"cameras", "screens"};
    for (std::size_t k = 0; k < kVideoKinds; ++k)
        std::printf("%-13s %s %s in %llu fragments, %llu stream(s)\n", k == 0 ? "video" : "", kKinds[k], kib(s.video[k].bytes).c_str(),
                    static_cast<unsigned long long>(s.video[k].fragments), static_cast<unsigned long long>(s.video[k].streams));
    std::printf("state         %s (avatars and room objects)\n", kib(s.stateBytes).c_str());
    if (s.damage.empty()) {
        std::printf("damage        none\n");
    } else {
        std::printf("damage        %zu\n", s.damage.size());
        for (const auto& d : s.damage) printDamage(stdout, d);
    }
}

void printJson(const Scan& s, const std::optional<std::string>& sessionLine) {
    std::string j = "{";
    auto num = [](double v) {
        char buf[40];
        std::snprintf(buf, sizeof buf, "%.3f", v);
        return std::string(buf);
    };
    auto u = [](std::uint64_t v) { return std::to_string(v); };
    j += "\"file\":" + jsonString(s.path) + ",\"bytes\":" + u(s.fileBytes) + ",\"closed\":" + (s.closed ? "true" : "false");
    j += ",\"room\":" + jsonString(s.info.room) + ",\"title\":" + jsonString(s.info.title) + ",\"session\":" + u(s.info.session);
    if (sessionLine) j += ",\"sessionRecord\":" + jsonString(*sessionLine);
    j += ",\"startedUnix\":" + u(s.info.startedUnix) + ",\"started\":" + jsonString(session::formatUtc(s.info.startedUnix));
    j += ",\"policy\":" + jsonString(record::toString(s.info.policy));
    j += ",\"tickRate\":" + u(s.info.tickRate) + ",\"firstTick\":" + u(s.info.firstTick) + ",\"lastTick\":" + u(s.lastTick);
    j += ",\"durationMs\":" + num(s.durationMs()) + ",\"duration\":" + jsonString(clockText(s.durationMs()));
    j += ",\"participants\":[";
    for (std::size_t i = 0; i < s.participants.size(); ++i) {
        const auto& p = s.participants[i];
        j += std::string(i ? "," : "") + "{\"name\":" + jsonString(p.who.name) +
             ",\"role\":" + jsonString(p.known ? core::toString(p.who.role) : "unknown") + ",\"slot\":" + u(p.who.slot) +
             ",\"presentMs\":" + num(ticksMs(s, p.presentTicks)) + ",\"voiceFrames\":" + u(p.voiceFrames) + "}";
    }
    j += "],\"marks\":[";
    for (std::size_t i = 0; i < s.marks.size(); ++i) {
        const auto& m = s.marks[i];
        j += std::string(i ? "," : "") + "{\"atMs\":" + num(s.tickMs(m.tick)) + ",\"at\":" + jsonString(clockText(s.tickMs(m.tick))) +
             ",\"tick\":" + u(m.tick) + ",\"phase\":" + u(m.phase) + ",\"entry\":" + u(m.entry) + ",\"label\":" + jsonString(m.label) + "}";
    }
    j += "],\"pauses\":[";
    for (std::size_t i = 0; i < s.pauses.size(); ++i) {
        const auto& p = s.pauses[i];
        j += std::string(i ? "," : "") + "{\"fromMs\":" + num(s.tickMs(p.fromTick)) + ",\"toMs\":" + num(s.tickMs(p.toTick)) +
             ",\"phase\":" + u(p.phase) + ",\"why\":" + jsonString(p.why == 1 ? "person" : "policy") + "}";
    }
    j += "],\"voiceFrames\":" + u(s.voiceFrames) + ",\"voiceBytes\":" + u(s.voiceBytes) + ",\"stateBytes\":" + u(s.stateBytes);
    // Video by stream kind (the wire bytes of the fragments as recorded).
    j += ",\"video\":{";
    static constexpr const char* kKinds[kVideoKinds] = {"camera", "screen"};
    for (std::size_t k = 0; k < kVideoKinds; ++k)
        j += std::string(k ? "," : "") + "\"" + kKinds[k] + "\":{\"streams\":" + u(s.video[k].streams) +
             ",\"fragments\":" + u(s.video[k].fragments) + ",\"bytes\":" + u(s.video[k].bytes) + "}";
    j += "}";
    j += ",\"damage\":[";
    for (std::size_t i = 0; i < s.damage.size(); ++i) {
        const auto& d = s.damage[i];
        j += std::string(i ? "," : "") + "{\"offset\":" + u(d.offset) + ",\"bytes\":" + u(d.bytes) + ",\"fromTick\":" + u(d.fromTick) +
             ",\"toTick\":" + u(d.toTick) + ",\"what\":" + jsonString(d.what) + "}";
    }
    j += "]}\n";
    std::fputs(j.c_str(), stdout);
}

} // namespace

int runInfo(const Globals& g, std::span<const std::string> args) {
    std::string file, dbPath;
    bool json = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--help" || a == "-h") {
            std::fputs(kInfoUsage, stdout);
            return kExitOk;
        }
        if (a == "--json") json = true;
        else if (a == "--db") {
            if (i + 1 >= args.size()) return fail("info", "--db needs a value (see info --help)", kExitUsage);
            dbPath = args[++i];
        }
        else if (a.rfind("--", 0) == 0) return fail("info", "unknown option '" + a + "' (see info --help)", kExitUsage);
        else if (file.empty()) file = a;
        else return fail("info", "one FILE only (see info --help)", kExitUsage);
    }
    if (file.empty()) return fail("info", "which recording? (usage: caseroom-replay info FILE [--json])", kExitUsage);
    auto reader = openRecording(g, file);
    if (!reader) return fail("info", reader.error().message, kExitUnusable);
    Progress progress(Progress::modeFor(g.quiet), "caseroom-replay info");
    ScanOptions o;
    o.progress = [&](std::size_t done, std::size_t total) {
        progress.update(static_cast<double>(done), static_cast<double>(total), "blocks");
    };
    const Scan scan = scanRecording(**reader, file, o);
    progress.done();
    if (dbPath.empty() && !g.stateDir.empty()) dbPath = g.stateDir + "/clinic.db";
    const auto sessionLine = dbPath.empty() ? std::nullopt : sessionFromDatabase(dbPath, scan.info.session);
    if (json) printJson(scan, sessionLine);
    else printText(scan, sessionLine);
    return kExitOk;
}

int runVerify(const Globals& g, std::span<const std::string> args) {
    std::string file;
    for (const auto& a : args) {
        if (a == "--help" || a == "-h") {
            std::fputs(kVerifyUsage, stdout);
            return kExitOk;
        }
        if (a.rfind("--", 0) == 0) return fail("verify", "unknown option '" + a + "' (see verify --help)", kExitUsage);
        if (!file.empty()) return fail("verify", "one FILE only (see verify --help)", kExitUsage);
        file = a;
    }
    if (file.empty()) return fail("verify", "which recording? (usage: caseroom-replay verify FILE)", kExitUsage);
    auto reader = openRecording(g, file);
    if (!reader) return fail("verify", reader.error().message, kExitUnusable);
    // Every block read and authenticated once (as RecordingReader::verifyAll), with progress.
    Progress progress(Progress::modeFor(g.quiet), "caseroom-replay verify");
    ScanOptions o;
    o.progress = [&](std::size_t done, std::size_t total) {
        progress.update(static_cast<double>(done), static_cast<double>(total), "blocks");
    };
    const Scan scan = scanRecording(**reader, file, o);
    progress.done();
    if (scan.damage.empty() && scan.closed) {
        std::printf("%s: intact: %llu blocks, ticks %u-%u, %llu voice frames, %s\n", file.c_str(),
                    static_cast<unsigned long long>(scan.blocks), scan.info.firstTick, scan.lastTick,
                    static_cast<unsigned long long>(scan.voiceFrames), kib(scan.fileBytes).c_str());
        return kExitOk;
    }
    std::printf("%s: DAMAGED: %zu fault(s)\n", file.c_str(), scan.damage.size() + (scan.closed ? 0 : 1));
    for (const auto& d : scan.damage) printDamage(stdout, d);
    if (!scan.closed)
        std::printf("  not closed: no index or trailer (the writer stopped before closing); what was read ends at tick %u\n",
                    scan.lastTick);
    return kExitFailed;
}

} // namespace caseroom::replay
