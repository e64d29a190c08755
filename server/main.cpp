// caseroom-server: hosts CaseRoom rooms over ENet. Thin wiring of
// session::ServerHost to a UDP socket, a wall clock and POSIX signals.
#include <sys/stat.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <span>
#include <string>
#include <thread>

#include "core/config_text.h"
#include "core/log.h"
#include "net/secure/key_file.h"
#include "net/secure/secure_transport.h"
#include "session/audit_log.h"
#include "session/server_host.h"
#include "sim/layout.h"

using namespace caseroom;

namespace {
volatile std::sig_atomic_t gStop = 0;
void onSignal(int) { gStop = 1; }

void usage() {
    std::puts(
        "usage: caseroom-server [options]\n"
        "\n"
        "Hosts CaseRoom case rooms over UDP (ENet). Clients join a room by its code.\n"
        "\n"
        "options:\n"
        "  --bind ADDRESS        address to listen on (default 0.0.0.0)\n"
        "  --port N              UDP port (default 7777; 0 picks a free one and prints it)\n"
        "  --config FILE         rooms file with [room CODE] sections (default: one built-in room 'demo')\n"
        "  --tick-rate HZ        simulation and snapshot rate per room (default 30)\n"
        "  --budget BYTES        snapshot payload budget per client per tick (default 120)\n"
        "  --max-peers N         most simultaneous connections (default: sum of room capacities + 16)\n"
        "  --max-per-address N   most connections from one IP address (default 32)\n"
        "  --port-file FILE      write the bound port to FILE once listening (for scripts)\n"
        "  --state-dir DIR       where the key and the audit log live (default ./caseroom-state)\n"
        "  --key FILE            deployment secret key; created (mode 0600) if missing\n"
        "                        (default STATE_DIR/caseroom.key); mint tokens with caseroom-token\n"
        "  --audit FILE          hash-chained audit log (default STATE_DIR/audit.log; its key is\n"
        "                        audit.key beside it); check it with caseroom-audit verify FILE\n"
        "  --log-level LEVEL     debug, info, warn or error (default info)\n"
        "  --help                this text\n"
        "\n"
        "Rooms file keys per [room CODE]: name, width, depth, height, table_radius, table_seats,\n"
        "audience_rows, audience_per_row, max_participants. See assets/rooms/clinic.rooms.\n"
        "Only invited people get in: clients present a connect token minted with the key,\n"
        "and all traffic after the handshake is encrypted (docs/SECURITY.md).\n"
        "SIGINT or SIGTERM shuts down cleanly: participants are told and disconnected.");
}

bool parseUint(const char* s, long lo, long hi, long& out) {
    char* end = nullptr;
    const long v = std::strtol(s, &end, 10);
    if (!*s || *end || v < lo || v > hi) return false;
    out = v;
    return true;
}
} // namespace

int main(int argc, char** argv) {
    net::EnetDesc desc;
    desc.bind = {"0.0.0.0", 7777};
    desc.listen = true;
    session::ServerConfig config;
    std::string configPath, portFile, stateDir = "caseroom-state", keyPath, auditPath;
    long maxPeers = 0, maxPerAddress = 32;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&]() -> const char* {
            if (i + 1 >= argc) { std::fprintf(stderr, "caseroom-server: %s needs a value\n", a.c_str()); std::exit(2); }
            return argv[++i];
        };
        long n = 0;
        if (a == "--help" || a == "-h") { usage(); return 0; }
        else if (a == "--bind") desc.bind.host = value();
        else if (a == "--port") { if (!parseUint(value(), 0, 65535, n)) { std::fprintf(stderr, "caseroom-server: --port must be 0..65535\n"); return 2; } desc.bind.port = static_cast<std::uint16_t>(n); }
        else if (a == "--config") configPath = value();
        else if (a == "--tick-rate") { if (!parseUint(value(), 1, 120, n)) { std::fprintf(stderr, "caseroom-server: --tick-rate must be 1..120\n"); return 2; } config.tickRate = static_cast<double>(n); }
        else if (a == "--budget") { if (!parseUint(value(), 32, 16000, n)) { std::fprintf(stderr, "caseroom-server: --budget must be 32..16000\n"); return 2; } config.replication.budgetBytes = static_cast<std::uint32_t>(n); }
        else if (a == "--max-peers") { if (!parseUint(value(), 1, 4095, n)) { std::fprintf(stderr, "caseroom-server: --max-peers must be 1..4095\n"); return 2; } maxPeers = n; }
        else if (a == "--port-file") portFile = value();
        else if (a == "--max-per-address") { if (!parseUint(value(), 1, 4095, n)) { std::fprintf(stderr, "caseroom-server: --max-per-address must be 1..4095\n"); return 2; } maxPerAddress = n; }
        else if (a == "--state-dir") stateDir = value();
        else if (a == "--key") keyPath = value();
        else if (a == "--audit") auditPath = value();
        else if (a == "--log-level") {
            const std::string l = value();
            if (l == "debug") core::setLogLevel(core::LogLevel::Debug);
            else if (l == "info") core::setLogLevel(core::LogLevel::Info);
            else if (l == "warn") core::setLogLevel(core::LogLevel::Warn);
            else if (l == "error") core::setLogLevel(core::LogLevel::Error);
            else { std::fprintf(stderr, "caseroom-server: unknown log level '%s'\n", l.c_str()); return 2; }
        } else { std::fprintf(stderr, "caseroom-server: unknown option '%s' (see --help)\n", a.c_str()); return 2; }
    }
    if (!configPath.empty()) {
        auto doc = core::loadConfigFile(configPath);
        if (!doc) { std::fprintf(stderr, "caseroom-server: %s\n", doc.error().message.c_str()); return 1; }
        auto specs = sim::roomSpecsFromConfig(*doc);
        if (!specs) { std::fprintf(stderr, "caseroom-server: %s\n", specs.error().message.c_str()); return 1; }
        config.rooms = std::move(*specs);
    }
    std::uint32_t capacity = 0;
    for (const auto& r : config.rooms) capacity += r.maxParticipants;
    if (config.rooms.empty()) capacity = sim::RoomSpec{}.maxParticipants;
    desc.maxPeers = maxPeers > 0 ? static_cast<std::uint32_t>(maxPeers) : capacity + 16;

    if (keyPath.empty() || auditPath.empty()) {
        if (::mkdir(stateDir.c_str(), 0700) != 0 && errno != EEXIST) {
            std::fprintf(stderr, "caseroom-server: cannot create state directory %s: %s\n", stateDir.c_str(), std::strerror(errno));
            return 1;
        }
        if (keyPath.empty()) keyPath = stateDir + "/caseroom.key";
        if (auditPath.empty()) auditPath = stateDir + "/audit.log";
    }
    if (!net::secure::initCrypto()) { std::fprintf(stderr, "caseroom-server: libsodium failed to initialise\n"); return 1; }
    net::secure::SystemRandom random;
    auto key = net::secure::loadOrCreateKeyFile(keyPath, random);
    if (!key) { std::fprintf(stderr, "caseroom-server: %s\n", key.error().message.c_str()); return 1; }
    if (key->created) CR_LOG_INFO("created deployment key %s (mode 0600); mint tokens with caseroom-token --key %s", keyPath.c_str(), keyPath.c_str());
    auto unixClock = [] { return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count()); };
    session::FileAuditDesc adesc;
    adesc.path = auditPath;
    adesc.unixClock = unixClock;
    adesc.random = [&random](std::span<std::uint8_t> out) { random.fill(out); };
    auto auditLog = session::FileAudit::open(std::move(adesc));
    if (!auditLog) { std::fprintf(stderr, "caseroom-server: %s\n", auditLog.error().message.c_str()); return 1; }
    if ((*auditLog)->keyCreated()) CR_LOG_INFO("created audit key %s (mode 0600); check the log with caseroom-audit verify %s", session::defaultAuditKeyPath(auditPath).c_str(), auditPath.c_str());
    config.audit = auditLog->get();

    net::secure::SecureServerDesc sdesc;
    sdesc.enet = desc;
    sdesc.keys = net::secure::Keyring(key->bytes);
    sdesc.unixClock = unixClock;
    sdesc.handshake.maxAdmissions = desc.maxPeers;
    sdesc.maxPeersPerAddress = static_cast<std::uint32_t>(maxPerAddress);
    std::vector<std::string> codes;
    for (const auto& r : config.rooms) codes.push_back(r.code);
    if (codes.empty()) codes.push_back(sim::RoomSpec{}.code);
    sdesc.handshake.roomHosted = [codes](std::string_view room) {
        for (const auto& c : codes)
            if (c == room) return true;
        return false;
    };
    auto transport = net::secure::SecureTransport::createServer(std::move(sdesc), random);
    if (!transport) { std::fprintf(stderr, "caseroom-server: %s\n", transport.error().message.c_str()); return 1; }
    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);

    const auto start = std::chrono::steady_clock::now();
    auto seconds = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
    session::ServerHost host(**transport, config);
    const std::uint16_t port = (*transport)->boundPort();
    CR_LOG_INFO("caseroom-server listening on %s:%u, %zu room(s), %.0f Hz", desc.bind.host.c_str(), port, host.roomCount(), config.tickRate);
    for (const auto& r : config.rooms.empty() ? std::vector<sim::RoomSpec>{sim::RoomSpec{}} : config.rooms)
        CR_LOG_INFO("  room '%s': %s, up to %u participants", r.code.c_str(), r.name.c_str(), r.maxParticipants);
    {
        session::AuditRecord started;
        started.kind = session::AuditKind::ServerStarted;
        started.address = session::formatAddress({desc.bind.host, port});
        started.what = "caseroom-server started, " + std::to_string(host.roomCount()) + " room(s)";
        (*auditLog)->record(started); // synced at once
    }
    if (!portFile.empty()) {
        if (FILE* f = std::fopen(portFile.c_str(), "w")) { std::fprintf(f, "%u\n", port); std::fclose(f); }
        else { std::fprintf(stderr, "caseroom-server: cannot write %s: %s\n", portFile.c_str(), std::strerror(errno)); return 1; }
    }
    double nextReport = 10.0, nextAuditSync = 1.0;
    while (!gStop) {
        const double now = seconds();
        host.update(now);
        if (now >= nextAuditSync) { (*auditLog)->sync(); nextAuditSync = now + 1.0; } // a crash loses at most a second of entries
        if (now >= nextReport) {
            const auto& c = host.counters();
            CR_LOG_DEBUG("clients %zu, joins %llu, malformed %llu, snapshot bytes %llu", host.clientCount(),
                         static_cast<unsigned long long>(c.joins), static_cast<unsigned long long>(c.malformed),
                         static_cast<unsigned long long>(c.snapshotBytes));
            nextReport = now + 10.0;
        }
        (*transport)->wait(std::min(host.untilNextTick(seconds()), 0.010));
    }
    CR_LOG_INFO("caseroom-server: shutting down");
    host.shutdown();
    // Give the disconnects a moment to leave the socket.
    const double until = seconds() + 0.2;
    while (seconds() < until) { host.update(seconds()); std::this_thread::sleep_for(std::chrono::milliseconds(10)); }
    session::AuditRecord stopped;
    stopped.kind = session::AuditKind::ServerStopped;
    stopped.what = "caseroom-server stopped";
    (*auditLog)->record(stopped); // synced at once
    return 0;
}
