// caseroom-server: hosts CaseRoom rooms over ENet. Thin wiring of
// session::ServerHost to a UDP socket, a wall clock and POSIX signals.
// [SECTION] options  [SECTION] measured stats and presence log  [SECTION] main
#include <sys/prctl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <memory>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <span>
#include <string>
#include <algorithm>
#include <thread>
#include <unordered_map>
#include <variant>
#include <vector>

#include "core/capacity.h"
#include "core/cli.h"
#include "core/config_text.h"
#include "core/log.h"
#include "core/percentile.h"
#include "net/secure/key_file.h"
#include "recording_setup.h"
#include "net/secure/revocation.h"
#include "net/secure/secure_transport.h"
#include "session/attendance_recorder.h"
#include "session/audit_log.h"
#include "session/case_desk.h"
#include "session/db_audit.h"
#include "session/room_sessions.h"
#include "session/content_store.h"
#include "session/deck_library.h"
#include "session/replay_room.h"
#include "session/server_host.h"
#include "sim/layout.h"
#include "store/database.h"
#include "store/records.h"
#include "clinic/session_plan.h"
#include "session/clinic_journal.h"
#include "store/writer.h"

using namespace caseroom;
namespace cli = caseroom::core::cli;

namespace {
// [SECTION] options
void usage() {
    std::printf(
        "usage: caseroom-server [options]\n"
        "\n"
        "Hosts CaseRoom case rooms over UDP (ENet). Clients join a room by its code.\n"
        "\n"
        "options:\n"
        "  --bind ADDRESS        address to listen on (default 0.0.0.0)\n"
        "  --port N              UDP port (default 7777; 0 picks a free one and prints it)\n"
        "  --config FILE         rooms file with [room CODE] sections (default: one built-in room 'demo')\n"
        "  --tick-rate HZ        simulation and snapshot rate per room, 1..120 (default 30)\n"
        "  --budget BYTES        snapshot payload budget per client per tick, 32..16000 (default 120)\n"
        "  --max-peers N         most simultaneous connections, 1..%u (default: sum of room capacities + %u)\n"
        "  --max-per-address N   most connections from one IP address, 1..%u (default 32)\n"
        "  --handshake-rate N    join handshakes per second from one /24 before they are dropped,\n"
        "                        1..10000 (default 20, bursts of twice that; a large site behind one\n"
        "                        NAT, or a load test from one machine, needs more)\n"
        "  --seat-hold SECONDS   keep a dropped participant's place (seat, hand, floor) this long for\n"
        "                        their reconnect, 0..600 (default 45; 0: a drop is a leave)\n"
        "  --threads N           threads that build the rooms' snapshots each tick, 1..64\n"
        "                        (default: the machine's cores)\n"
        "  --port-file FILE      write the bound port to FILE once listening (for scripts)\n"
        "  --state-dir DIR       where the key and the audit log live (created mode 0700). Default:\n"
        "                        $XDG_STATE_HOME/caseroom, else /var/lib/caseroom as root,\n"
        "                        else ~/.local/state/caseroom\n"
        "  --key FILE            deployment secret key (default STATE_DIR/caseroom.key, created\n"
        "                        mode 0600 on first start); mint tokens with caseroom-token\n"
        "  --create-key          create --key FILE if it is missing (otherwise a missing\n"
        "                        --key FILE is an error, so a typo never makes a new key)\n"
        "  --previous-key FILE   an older deployment key still accepted while tokens minted\n"
        "                        with it live out (key rotation); repeatable\n"
        "  --revocations FILE    revoked tokens and users, watched while running (default\n"
        "                        STATE_DIR/revocations); add with caseroom-token revoke\n"
        "  --db FILE             the clinic database (default STATE_DIR/clinic.db, created on first\n"
        "                        start): every program in it is a room (its code; the layout from\n"
        "                        --config when that names it), attendance is recorded from joins\n"
        "                        and leaves, and the audit trail goes into it (its key: audit.key\n"
        "                        beside it); check it with caseroom-audit verify --db FILE\n"
        "  --no-db               no database: rooms from --config only, the audit trail in a file\n"
        "  --recordings DIR      where recordings go (default STATE_DIR/recordings, created mode 0700);\n"
        "                        a facilitator or coordinator starts one from the room (docs/RECORDING.md)\n"
        "  --recording-key FILE  the key recordings are encrypted with (default STATE_DIR/recording.key,\n"
        "                        created mode 0600 on first start); caseroom-replay needs the same key\n"
        "  --record-policy P     never, didactic or whole: rooms whose program names no policy (default\n"
        "                        didactic: live only in the didactic phase, paused in every other)\n"
        "  --no-recording        this server records nothing (a start is refused)\n"
        "  --heartbeat SECONDS   how often open attendance intervals are marked alive, 1..3600\n"
        "                        (default 30): after a crash they close at the last one\n"
        "  --audit FILE          hash-chained audit log file (default with --no-db: STATE_DIR/audit.log;\n"
        "                        its key is audit.key beside it); check it with caseroom-audit verify FILE\n"
        "  --deck DIR            offer a deck in every room: DIR is what caseroom-deck build --out\n"
        "                        writes (DIR/blobs, DIR/deck = the manifest's hash); only its\n"
        "                        manifest and frames are served. Repeatable, at most %zu decks\n"
        "  --content DIR         serve every blob in the content store DIR (a blob directory that\n"
        "                        holds only deck content); blobs only: a deck in it is offered\n"
        "                        with --offer\n"
        "  --offer HASH          offer the deck whose manifest hash (64 hex digits) is in --content\n"
        "                        DIR; repeatable\n"
        "  --link-kbps N         downlink budget per client, 64..1000000 kbit/s (default 2000): voice,\n"
        "                        then state, then slides share it; a client may ask for less\n"
        "  --stats-every SECONDS log a measured stats line this often, 0.5..86400 (default 60):\n"
        "                        clients, tick time median/p99/max, bytes sent per client\n"
        "  --stats-file FILE     also append each stats line to FILE as key=value pairs\n"
        "  --log-level LEVEL     debug, info, warn or error (default info)\n"
        "  --replay FILE         serve the recording FILE as a replay room, and only that room:\n"
        "                        viewers join with a token for its code and walk the recorded\n"
        "                        room, seeing and hearing it as it was; facilitators, specialists\n"
        "                        and coordinators control the playback (play, pause, seek, speed).\n"
        "                        A damaged file is served up to its good blocks (the damage logged)\n"
        "  --room CODE           with --replay: the replay room's code (default: the recorded room's)\n"
        "  --help                this text\n"
        "\n"
        "Rooms file keys per [room CODE]: name, width, depth, height, table_radius, table_seats,\n"
        "audience_rows, audience_per_row, max_participants. See assets/rooms/clinic.rooms.\n"
        "Only invited people get in: clients present a connect token minted with the key,\n"
        "and all traffic after the handshake is encrypted (docs/SECURITY.md).\n"
        "SIGINT or SIGTERM shuts down cleanly: participants are told and disconnected.\n",
        core::kMaxServerPeers, core::kPeerSlack, core::kMaxServerPeers, session::kMaxOfferedDecks);
}

struct Options {
    net::EnetDesc enet;
    session::ServerConfig config;
    std::string configPath, portFile, stateDir, keyPath, auditPath, statsFile, revocationsPath, contentDir, dbPath;
    std::string recordingsDir, recordingKeyPath;  // recording (docs/RECORDING.md); defaults in the state directory
    std::string replayPath, replayRoom;           // --replay FILE [--room CODE]
    bool noRecording = false;
    bool noDb = false;
    double heartbeat = 30.0;
    std::vector<std::string> previousKeys, deckDirs, offers;
    bool createKey = false;
    long long maxPeers = 0, maxPerAddress = 32;
    double handshakeRate = 0;                    // 0: the handshake's default
    double statsEvery = 60.0;
    bool help = false;
};

// Parses argv; errors name the option and the value.
core::Result<Options> parseOptions(int argc, char** argv) {
    Options o;
    o.enet.bind = {"0.0.0.0", 7777};
    o.enet.listen = true;
    o.config.threads = std::clamp(std::thread::hardware_concurrency(), 1u, 64u);
    cli::Args args(argc, argv);
    while (args.next()) {
        const std::string a(args.flag());
        if (a == "--help" || a == "-h") { o.help = true; return o; }
        if (a == "--create-key") { o.createKey = true; continue; }
        if (a == "--no-db") { o.noDb = true; continue; }
        if (a == "--no-recording") { o.noRecording = true; continue; }
        auto v = args.value();
        if (!v) return v.error();
        if (a == "--bind") o.enet.bind.host = *v;
        else if (a == "--port") {
            auto n = cli::parseInt(a, *v, 0, 65535);
            if (!n) return n.error();
            o.enet.bind.port = static_cast<std::uint16_t>(*n);
        } else if (a == "--config") o.configPath = *v;
        else if (a == "--tick-rate") {
            auto n = cli::parseInt(a, *v, 1, 120);
            if (!n) return n.error();
            o.config.tickRate = static_cast<double>(*n);
        } else if (a == "--budget") {
            auto n = cli::parseInt(a, *v, 32, 16000);
            if (!n) return n.error();
            o.config.replication.budgetBytes = static_cast<std::uint32_t>(*n);
        } else if (a == "--max-peers") {
            auto n = cli::parseInt(a, *v, 1, core::kMaxServerPeers);
            if (!n) return core::Error{n.error().message + " (ENet numbers peers with 12 bits)"};
            o.maxPeers = *n;
        } else if (a == "--max-per-address") {
            auto n = cli::parseInt(a, *v, 1, core::kMaxServerPeers);
            if (!n) return n.error();
            o.maxPerAddress = *n;
        } else if (a == "--content") o.contentDir = *v;
        else if (a == "--deck") o.deckDirs.push_back(*v);
        else if (a == "--offer") {
            const auto h = core::ContentHash::fromHex(*v);
            if (!h || h->empty()) return core::Error{"--offer '" + std::string(*v) + "': wants a deck manifest's hash, 64 hex digits"};
            o.offers.push_back(*v);
        }
        else if (a == "--link-kbps") {
            auto n = cli::parseInt(a, *v, 64, 1'000'000);
            if (!n) return n.error();
            o.config.link.defaultBytesPerSecond = static_cast<double>(*n) * 1000.0 / 8.0;
        } else if (a == "--handshake-rate") {
            auto n = cli::parseInt(a, *v, 1, 10000);
            if (!n) return n.error();
            o.handshakeRate = static_cast<double>(*n);
        } else if (a == "--seat-hold") {
            auto n = cli::parseInt(a, *v, 0, 600);
            if (!n) return n.error();
            o.config.seatHoldSeconds = static_cast<double>(*n);
        } else if (a == "--threads") {
            auto n = cli::parseInt(a, *v, 1, 64);
            if (!n) return n.error();
            o.config.threads = static_cast<unsigned>(*n);
        } else if (a == "--port-file") o.portFile = *v;
        else if (a == "--state-dir") o.stateDir = *v;
        else if (a == "--key") o.keyPath = *v;
        else if (a == "--audit") o.auditPath = *v;
        else if (a == "--db") o.dbPath = *v;
        else if (a == "--recordings") o.recordingsDir = *v;
        else if (a == "--recording-key") o.recordingKeyPath = *v;
        else if (a == "--record-policy") {
            if (*v == "never") o.config.recording.defaultPolicy = sim::RecordingPolicy::Never;
            else if (*v == "didactic") o.config.recording.defaultPolicy = sim::RecordingPolicy::DidacticOnly;
            else if (*v == "whole") o.config.recording.defaultPolicy = sim::RecordingPolicy::WholeSession;
            else return core::Error{"--record-policy must be never, didactic or whole (got '" + std::string(*v) + "')"};
        }
        else if (a == "--heartbeat") {
            auto n = cli::parseNumber(a, *v, 1, 3600);
            if (!n) return n.error();
            o.heartbeat = *n;
        }
        else if (a == "--previous-key") o.previousKeys.push_back(*v);
        else if (a == "--revocations") o.revocationsPath = *v;
        else if (a == "--stats-every") {
            auto n = cli::parseNumber(a, *v, 0.5, 86400);
            if (!n) return n.error();
            o.statsEvery = *n;
        } else if (a == "--stats-file") o.statsFile = *v;
        else if (a == "--replay") { o.replayPath = *v; o.noRecording = true; } // a replay server records nothing
        else if (a == "--room") o.replayRoom = *v;
        else if (a == "--log-level") {
            auto l = cli::parseLogLevel(a, *v);
            if (!l) return l.error();
            core::setLogLevel(*l);
        } else return core::Error{"unknown option '" + a + "' (see --help)"};
    }
    if (!o.offers.empty() && o.contentDir.empty()) return core::Error{"--offer names a deck in --content DIR: give --content"};
    if (!o.replayRoom.empty() && o.replayPath.empty()) return core::Error{"--room names the replay room: give --replay FILE"};
    if (o.noDb && !o.dbPath.empty()) return core::Error{"--db and --no-db contradict each other: give one"};
    return o;
}

// The content the server serves and the decks it offers. --content DIR is
// served whole (blobs only); each --offer HASH is a deck in it; each --deck
// DIR is a built deck served from DIR/blobs. Errors name the directory, file
// or blob and the fault; nothing starts with a deck that is incomplete.
struct Content {
    std::unique_ptr<session::ContentStore> store;
    session::DeckLibrary decks;
};

core::Result<std::unique_ptr<Content>> openContent(const Options& o) {
    auto c = std::make_unique<Content>();
    if (!o.contentDir.empty()) {
        auto store = session::ContentStore::open(o.contentDir);
        if (!store) return store.error();
        c->store = std::make_unique<session::ContentStore>(std::move(*store));
        auto n = c->store->allowAll();
        if (!n) return n.error();
        CR_LOG_INFO("content store %s: serving all %zu blob(s)", o.contentDir.c_str(), *n);
        for (const auto& text : o.offers)
            if (auto s = c->decks.add(c->store->blobs(), *core::ContentHash::fromHex(text)); !s) return s.error();
    }
    for (const auto& dir : o.deckDirs) {
        auto hash = c->decks.addBuiltDeck(dir);
        if (!hash) return hash.error();
        if (!c->store) { // the first deck's blob directory is the store's own
            auto store = session::ContentStore::open(std::filesystem::path(dir) / "blobs");
            if (!store) return store.error();
            c->store = std::make_unique<session::ContentStore>(std::move(*store));
        }
    }
    if (auto s = c->decks.allowIn(*c->store); !s) return s.error();
    for (const auto& d : c->decks.offered())
        CR_LOG_INFO("deck %s '%s' %u slides", d.deck.shortHex().c_str(), d.title.c_str(), static_cast<unsigned>(d.slides));
    return c;
}

// [SECTION] measured stats and presence log
// Sits between ServerHost and the secure transport, and so sees what the
// server does without changing it:
//  - counts what the server hands the transport, per channel: payload bytes
//    before sealing and before ENet and UDP headers;
//  - logs at info who joined, left or was refused a room (from the
//    JoinAccepted / JoinRefused the server sends and the transport's
//    connection events; names, roles and rooms from the token identity),
//    rate-limited so that a flood of joins cannot flood the log.
// Refusals inside the handshake (bad or expired token, wrong room, server
// full) never reach ServerHost; the secure transport counts those itself.
class ObservedTransport final : public net::Transport {
public:
    explicit ObservedTransport(net::Transport& inner) : inner_(inner) {}
    core::PeerId connect(const net::Address& to) override { return inner_.connect(to); }
    bool send(core::PeerId peer, net::Channel ch, std::span<const std::uint8_t> data, bool reliable) override {
        if (ch == net::Channel::Control) observeSent(peer, data);
        const bool ok = inner_.send(peer, ch, data, reliable);
        if (ok) {
            bytes[static_cast<std::size_t>(ch)] += data.size();
            ++messages;
        }
        return ok;
    }
    bool poll(double now, net::TransportEvent& ev) override {
        now_ = now;
        if (!inner_.poll(now, ev)) return false;
        if (ev.type == net::TransportEventType::Connected) {
            Who& w = who_[ev.peer.value];
            w = Who{};
            if (const net::PeerIdentity* id = inner_.identity(ev.peer)) w.identity = *id;
        } else if (ev.type == net::TransportEventType::Disconnected) {
            const auto reason = ev.disconnectReason < static_cast<std::uint32_t>(net::LeaveReason::Count)
                                    ? net::toString(static_cast<net::LeaveReason>(ev.disconnectReason))
                                    : "connection lost";
            forget(ev.peer, reason);
        }
        return true;
    }
    void flush() override { inner_.flush(); }
    void disconnect(core::PeerId p, std::uint32_t r) override {
        forget(p, r < static_cast<std::uint32_t>(net::LeaveReason::Count) ? net::toString(static_cast<net::LeaveReason>(r)) : "removed");
        inner_.disconnect(p, r);
    }
    [[nodiscard]] net::PeerStats stats(core::PeerId p) const override { return inner_.stats(p); }
    void wait(double s) override { inner_.wait(s); }
    [[nodiscard]] std::uint64_t serviceErrors() const override { return inner_.serviceErrors(); }
    [[nodiscard]] bool authenticates() const override { return inner_.authenticates(); }
    [[nodiscard]] const net::PeerIdentity* identity(core::PeerId p) const override { return inner_.identity(p); }
    [[nodiscard]] std::uint64_t droppedPackets() const override { return inner_.droppedPackets(); }

    std::array<std::uint64_t, static_cast<std::size_t>(net::Channel::Count)> bytes{};
    std::uint64_t messages = 0;

private:
    struct Who {
        net::PeerIdentity identity;
        bool joined = false;
    };

    // At most 5 lines a second after a burst of 50; the next allowed line is
    // preceded by how many were skipped.
    bool presenceAllowed() {
        std::uint64_t skipped = 0;
        if (!limit_.allow(now_, skipped)) return false;
        if (skipped) CR_LOG_INFO("(%llu join/leave lines skipped)", static_cast<unsigned long long>(skipped));
        return true;
    }

    void observeSent(core::PeerId peer, std::span<const std::uint8_t> data) {
        const auto it = who_.find(peer.value);
        if (it == who_.end()) return;
        Who& w = it->second;
        const net::PeerIdentity& id = w.identity;
        const net::DecodeResult r = net::decodeMessage(data, net::Channel::Control);
        if (!r.ok) return;
        if (const auto* acc = std::get_if<net::JoinAccepted>(&r.message)) {
            w.joined = true;
            if (presenceAllowed())
                CR_LOG_INFO("joined room '%s': %s (%s, user %llu), slot %u", id.roomCode.c_str(), id.displayName.c_str(), core::toString(acc->role),
                     static_cast<unsigned long long>(id.userId), static_cast<unsigned>(acc->entity));
        } else if (const auto* ref = std::get_if<net::JoinRefused>(&r.message)) {
            if (presenceAllowed())
                CR_LOG_INFO("refused room '%s': %s (user %llu): %s%s%s", id.roomCode.c_str(), id.displayName.c_str(),
                     static_cast<unsigned long long>(id.userId), net::toString(ref->reason), ref->detail.empty() ? "" : " ",
                     ref->detail.c_str());
        }
    }

    void forget(core::PeerId peer, const char* reason) {
        const auto it = who_.find(peer.value);
        if (it == who_.end()) return;
        if (it->second.joined)
            if (presenceAllowed())
                CR_LOG_INFO("left room '%s': %s (user %llu): %s", it->second.identity.roomCode.c_str(), it->second.identity.displayName.c_str(),
                     static_cast<unsigned long long>(it->second.identity.userId), reason);
        who_.erase(it);
    }

    net::Transport& inner_;
    std::unordered_map<std::uint32_t, Who> who_;
    core::LogLimiter limit_{5.0, 50.0};
    double now_ = 0;
};

// One stats window: tick times (host.update() calls that ran a due tick,
// network drain included) and client-seconds, for per-client rates.
struct StatsWindow {
    double start = 0;
    std::vector<double> tickMs;
    double clientSeconds = 0;
    std::array<std::uint64_t, static_cast<std::size_t>(net::Channel::Count)> bytesAtStart{};
    std::uint64_t messagesAtStart = 0;
};

void reportStats(StatsWindow& w, const ObservedTransport& counted, const session::ServerHost& host, double now, const std::string& file) {
    const double span = now - w.start;
    const double median = core::percentileInPlace(w.tickMs, 0.5), p99 = core::percentileInPlace(w.tickMs, 0.99),
                 max = core::percentileInPlace(w.tickMs, 1.0);
    const double perClient = w.clientSeconds > 0 ? 8.0 / 1000.0 / w.clientSeconds : 0.0; // bytes -> kbit/s per client
    double total = 0;
    std::array<double, static_cast<std::size_t>(net::Channel::Count)> kbps{};
    for (std::size_t c = 0; c < kbps.size(); ++c) {
        kbps[c] = static_cast<double>(counted.bytes[c] - w.bytesAtStart[c]) * perClient;
        total += kbps[c];
    }
    const double msgs = w.clientSeconds > 0 ? static_cast<double>(counted.messages - w.messagesAtStart) / w.clientSeconds : 0.0;
    const double avgClients = span > 0 ? w.clientSeconds / span : 0.0;
    const auto ch = [&](net::Channel c) { return kbps[static_cast<std::size_t>(c)]; };
    CR_LOG_INFO("stats over %.1f s: %zu client(s) now, %.1f on average; %zu ticks, tick median %.3f ms, p99 %.3f ms, max %.3f ms; "
                "sent per client %.1f kbit/s (state %.1f, voice %.1f, control %.1f, media %.1f), %.1f messages/s; payload before sealing and headers",
                span, host.clientCount(), avgClients, w.tickMs.size(), median, p99, max, total, ch(net::Channel::State),
                ch(net::Channel::Voice), ch(net::Channel::Control), ch(net::Channel::Media), msgs);
    if (!file.empty()) {
        if (FILE* f = std::fopen(file.c_str(), "a")) {
            std::fprintf(f,
                         "unix_ms=%llu window_s=%.3f clients=%zu avg_clients=%.2f ticks=%zu tick_median_ms=%.4f tick_p99_ms=%.4f tick_max_ms=%.4f "
                         "sent_kbps_per_client=%.3f state_kbps_per_client=%.3f voice_kbps_per_client=%.3f control_kbps_per_client=%.3f "
                         "messages_per_s_per_client=%.3f media_kbps_per_client=%.3f joins=%llu leaves=%llu\n",
                         static_cast<unsigned long long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                             std::chrono::system_clock::now().time_since_epoch())
                                                             .count()),
                         span, host.clientCount(), avgClients, w.tickMs.size(), median,
                         p99, max, total, ch(net::Channel::State), ch(net::Channel::Voice), ch(net::Channel::Control), msgs,
                         ch(net::Channel::Media), static_cast<unsigned long long>(host.counters().joins),
                         static_cast<unsigned long long>(host.counters().leaves));
            std::fclose(f);
        } else {
            CR_LOG_WARN("cannot append stats to %s: %s", file.c_str(), std::strerror(errno));
        }
    }
    w.start = now;
    w.tickMs.clear();
    w.clientSeconds = 0;
    w.bytesAtStart = counted.bytes;
    w.messagesAtStart = counted.messages;
}
// The clinic database's programs as rooms: each program's code is the room
// code of its sessions. A room the rooms file names keeps that layout; the
// others get the default one with the program's name. Read once at start.
core::Status addProgramRooms(const std::string& dbPath, std::vector<sim::RoomSpec>& rooms, std::vector<std::string>& programs) {
    store::OpenDesc od;
    od.path = dbPath;
    auto db = store::Database::open(od);
    if (!db) return db.error();
    store::Records records(**db);
    auto list = records.programs();
    if (!list) return core::Error{dbPath + ": " + list.error().message};
    const std::size_t fromConfig = rooms.size();
    for (const store::Program& p : *list) {
        programs.push_back(p.code);
        bool named = false;
        for (std::size_t i = 0; i < fromConfig; ++i) named = named || rooms[i].code == p.code;
        if (named) continue;
        sim::RoomSpec spec;
        spec.code = p.code;
        spec.name = p.name;
        rooms.push_back(spec);
    }
    return {};
}

// The parts the clinic database adds: the writer thread, the trail in the
// database, attendance and the session clock. Destroyed writer first (its
// replies name the others).
struct Clinic {
    std::unique_ptr<session::DbAudit> audit;
    std::unique_ptr<session::AttendanceRecorder> attendance;
    std::unique_ptr<session::RoomSessions> sessions;
    std::unique_ptr<session::ClinicJournal> journal;   // the round's board, chat and questions kept with the session
    std::unique_ptr<store::Database> reads;            // the server thread's read connection: session plans
    std::unique_ptr<session::CaseDesk> desk;
    std::unique_ptr<store::Writer> writer;
    ~Clinic() { writer.reset(); }
};
} // namespace

// [SECTION] main
int main(int argc, char** argv) {
    auto parsed = parseOptions(argc, argv);
    if (!parsed) { std::fprintf(stderr, "caseroom-server: %s\n", parsed.error().message.c_str()); return 2; }
    Options& o = *parsed;
    if (o.help) { usage(); return 0; }
    net::EnetDesc& desc = o.enet;
    session::ServerConfig& config = o.config;
    if (!o.configPath.empty()) {
        auto doc = core::loadConfigFile(o.configPath);
        if (!doc) { std::fprintf(stderr, "caseroom-server: %s\n", doc.error().message.c_str()); return 1; }
        auto specs = sim::roomSpecsFromConfig(*doc);
        if (!specs) { std::fprintf(stderr, "caseroom-server: %s\n", specs.error().message.c_str()); return 1; }
        config.rooms = std::move(*specs);
    }
    if (!o.noDb && o.dbPath.empty()) {
        if (o.stateDir.empty()) o.stateDir = cli::defaultStateDir(std::getenv("XDG_STATE_HOME"), std::getenv("HOME"), ::geteuid() == 0);
        if (auto st = cli::makeStateDir(o.stateDir); !st) { std::fprintf(stderr, "caseroom-server: %s\n", st.error().message.c_str()); return 1; }
        o.dbPath = o.stateDir + "/clinic.db";
    }
    std::vector<std::string> programs;
    if (!o.noDb) {
        if (auto st = addProgramRooms(o.dbPath, config.rooms, programs); !st) {
            std::fprintf(stderr, "caseroom-server: %s\n", st.error().message.c_str());
            return 1;
        }
        CR_LOG_INFO("clinic database %s: %zu program(s)", o.dbPath.c_str(), programs.size());
    }
    // [replay] --replay FILE: the recording's room is the only one hosted.
    std::unique_ptr<record::RecordingReader> replayReader;
    std::unique_ptr<session::ReplayRoom> replay;
    std::uint32_t replayViewers = 0;
    if (!o.replayPath.empty()) {
        if (o.recordingKeyPath.empty()) {
            if (o.stateDir.empty()) o.stateDir = cli::defaultStateDir(std::getenv("XDG_STATE_HOME"), std::getenv("HOME"), ::geteuid() == 0);
            o.recordingKeyPath = o.stateDir + "/recording.key";
        }
        auto key = record::loadRecordingKey(o.recordingKeyPath, false);
        if (!key) { std::fprintf(stderr, "caseroom-server: --recording-key %s: %s\n", o.recordingKeyPath.c_str(), key.error().message.c_str()); return 1; }
        auto reader = record::RecordingReader::open(o.replayPath, *key);
        if (!reader) { std::fprintf(stderr, "caseroom-server: --replay %s: %s\n", o.replayPath.c_str(), reader.error().message.c_str()); return 1; }
        replayReader = std::move(*reader);
        for (const record::Damage& d : replayReader->summary().damage)
            CR_LOG_WARN("replay %s: damage at byte %llu (%llu bytes, ticks %u..%u): %s; served up to the good blocks", o.replayPath.c_str(),
                        static_cast<unsigned long long>(d.offset), static_cast<unsigned long long>(d.bytes), d.fromTick, d.toTick, d.what.c_str());
        replay = std::make_unique<session::ReplayRoom>(*replayReader);
        // Viewers arrive at the first recorded moment (a recording that began
        // paused, in the introductions, holds nothing before its first keyframe).
        for (const record::BlockRef& b : replayReader->blocks())
            if (b.kind == record::BlockKind::Keyframe) { replay->seek(b.firstTick); break; }
        const std::string code = o.replayRoom.empty() ? replayReader->info().room : o.replayRoom;
        replayViewers = session::replayRoomSpec(replayReader->info(), code).maxParticipants;
        config.rooms.clear(); // programs' rooms and --config's: not served by a replay server
        config.replays[code] = replay.get();
        CR_LOG_INFO("replay %s: room '%s', '%s', %u ticks at %u Hz, %zu marks%s", o.replayPath.c_str(), code.c_str(),
                    replayReader->info().title.c_str(), replay->lastTick() - replay->firstTick(), replayReader->info().tickRate,
                    replay->marks().size(), replayReader->summary().closed ? "" : " (not closed by its writer)");
    }
    std::uint32_t capacity = replayViewers;
    for (const auto& r : config.rooms) capacity += r.maxParticipants;
    if (config.rooms.empty() && !replay) capacity = sim::RoomSpec{}.maxParticipants;
    if (o.maxPeers == 0 && capacity + core::kPeerSlack > core::kMaxServerPeers) {
        // roomSpecsFromConfig refuses such files already; this guards built-in changes.
        std::fprintf(stderr, "caseroom-server: the rooms hold %u participants in all; one server takes at most %u (%u connections "
                             "less %u spare): split the rooms over more servers\n",
                     capacity, core::kMaxServerPeers - core::kPeerSlack, core::kMaxServerPeers, core::kPeerSlack);
        return 1;
    }
    desc.maxPeers = o.maxPeers > 0 ? static_cast<std::uint32_t>(o.maxPeers) : capacity + core::kPeerSlack;
    if (desc.maxPeers < capacity)
        CR_LOG_WARN("--max-peers %u is below the rooms' total capacity (%u): the server is full before the rooms are", desc.maxPeers, capacity);

    // The server's memory holds the deployment keys: keep it out of core dumps.
    (void)::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    const bool explicitKey = !o.keyPath.empty();
    // With a database the trail goes into it, unless --audit names a file.
    const bool fileTrail = o.noDb || !o.auditPath.empty();
    const bool recordingDefaults = !o.noRecording && (o.recordingsDir.empty() || o.recordingKeyPath.empty());
    if (o.keyPath.empty() || (fileTrail && o.auditPath.empty()) || o.revocationsPath.empty() || recordingDefaults) {
        if (o.stateDir.empty()) o.stateDir = cli::defaultStateDir(std::getenv("XDG_STATE_HOME"), std::getenv("HOME"), ::geteuid() == 0);
        if (auto st = cli::makeStateDir(o.stateDir); !st) { std::fprintf(stderr, "caseroom-server: %s\n", st.error().message.c_str()); return 1; }
        if (o.keyPath.empty()) o.keyPath = o.stateDir + "/caseroom.key";
        if (fileTrail && o.auditPath.empty()) o.auditPath = o.stateDir + "/audit.log";
        if (o.revocationsPath.empty()) o.revocationsPath = o.stateDir + "/revocations";
        if (o.recordingsDir.empty()) o.recordingsDir = o.stateDir + "/recordings";
        if (o.recordingKeyPath.empty()) o.recordingKeyPath = o.stateDir + "/recording.key";
        CR_LOG_INFO("state directory %s", o.stateDir.c_str());
    }
    if (!net::secure::initCrypto()) { std::fprintf(stderr, "caseroom-server: libsodium failed to initialise\n"); return 1; }
    net::secure::SystemRandom random;
    // The state directory's key is made on first start; a key named on the
    // command line must exist unless --create-key says to make it (F-15).
    if (!explicitKey || o.createKey) {
        auto made = net::secure::loadOrCreateKeyFile(o.keyPath, random);
        if (!made) { std::fprintf(stderr, "caseroom-server: %s\n", made.error().message.c_str()); return 1; }
        if (made->created) CR_LOG_INFO("created deployment key %s (mode 0600); mint tokens with caseroom-token --key %s", o.keyPath.c_str(), o.keyPath.c_str());
    }
    std::vector<std::string> keyPaths{o.keyPath};
    keyPaths.insert(keyPaths.end(), o.previousKeys.begin(), o.previousKeys.end());
    auto keys = net::secure::loadKeyring(keyPaths);
    if (!keys) {
        std::fprintf(stderr, "caseroom-server: %s%s\n", keys.error().message.c_str(),
                     explicitKey && !o.createKey ? " (to start with a new deployment key, add --create-key)" : "");
        return 1;
    }
    CR_LOG_INFO("deployment key %s (id %08x; mint tokens with caseroom-token --key %s)%s", o.keyPath.c_str(), keys->currentId(),
                o.keyPath.c_str(), o.previousKeys.empty() ? "" : ", previous keys still accepted:");
    for (std::size_t i = 1; i < keys->keys.size(); ++i)
        CR_LOG_INFO("  previous key %s (id %08x)", o.previousKeys[i - 1].c_str(), keys->keys[i].first);
    std::unique_ptr<session::FileAudit> auditFile;
    Clinic clinic;
    if (fileTrail) {
        CR_LOG_INFO("audit log %s", o.auditPath.c_str());
        session::FileAuditDesc adesc;
        adesc.path = o.auditPath;
        adesc.unixClock = cli::unixSecondsNow;
        adesc.random = [&random](std::span<std::uint8_t> out) { random.fill(out); };
        auto opened = session::FileAudit::open(std::move(adesc));
        if (!opened) { std::fprintf(stderr, "caseroom-server: %s\n", opened.error().message.c_str()); return 1; }
        auditFile = std::move(*opened);
        if (auditFile->keyCreated()) CR_LOG_INFO("created audit key %s (mode 0600); check the log with caseroom-audit verify %s", session::defaultAuditKeyPath(o.auditPath).c_str(), o.auditPath.c_str());
    }
    if (!o.noDb) {
        store::OpenDesc od;
        od.path = o.dbPath;
        auto w = store::Writer::start(od);
        if (!w) { std::fprintf(stderr, "caseroom-server: %s\n", w.error().message.c_str()); return 1; }
        clinic.writer = std::move(*w);
        bool created = false;
        const std::string keyPath = session::defaultAuditKeyPath(o.dbPath);
        auto key = session::loadOrCreateAuditKey(keyPath, [&random](std::span<std::uint8_t> out) { random.fill(out); }, created);
        if (!key) { std::fprintf(stderr, "caseroom-server: %s\n", key.error().message.c_str()); return 1; }
        if (created) CR_LOG_INFO("created audit key %s (mode 0600)", keyPath.c_str());
        clinic.audit = std::make_unique<session::DbAudit>(*clinic.writer, *key, cli::unixSecondsNow);
        session::AttendanceConfig ac;
        ac.heartbeatSeconds = o.heartbeat;
        clinic.attendance = std::make_unique<session::AttendanceRecorder>(*clinic.writer, ac);
        clinic.attendance->recoverInterrupted(); // first: before any new join is written
        clinic.sessions = std::make_unique<session::RoomSessions>(*clinic.writer, *key, programs);
        clinic.sessions->refresh(cli::unixSecondsNow());
        session::CaseDeskConfig dc; // the case desk: program credentials submit and read cases (session/case_desk.h)
        dc.audit = auditFile ? static_cast<session::AuditSink*>(auditFile.get()) : clinic.audit.get();
        dc.unixClock = [] { return static_cast<std::int64_t>(cli::unixSecondsNow()); };
        dc.prepare = [k = *key](store::Records& r) { session::installEditAudit(r, k); };
        clinic.desk = std::make_unique<session::CaseDesk>(*clinic.writer, dc);
        config.desk = clinic.desk.get();
        clinic.writer->flush(); // at start only: the rooms' open-until values are known before anyone joins
        clinic.writer->drainReplies();
        clinic.journal = std::make_unique<session::ClinicJournal>(*clinic.writer);
        auto reads = store::Database::open(od);
        if (!reads) { std::fprintf(stderr, "caseroom-server: %s\n", reads.error().message.c_str()); return 1; }
        clinic.reads = std::move(*reads);
        // A room's session plan, read when the room is made and each time it
        // fills from empty (a few rows, never per tick; WAL readers do not
        // wait for the writer): the agenda, the cases, the statements.
        config.planFor = [&clinic](std::string_view room) -> std::optional<sim::SessionPlan> {
            store::Records records(*clinic.reads);
            auto plan = clinic::planForRoom(records, room, static_cast<std::int64_t>(cli::unixSecondsNow()));
            if (!plan) {
                CR_LOG_WARN("room %.*s: no session plan: %s", static_cast<int>(room.size()), room.data(), plan.error().message.c_str());
                return std::nullopt;
            }
            if (!*plan) {
                clinic.journal->clearPlan(room);
                return std::nullopt;
            }
            clinic.journal->setPlan(std::string(room), **plan);
            CR_LOG_INFO("room %.*s: session %llu, %zu agenda entries", static_cast<int>(room.size()), room.data(),
                        static_cast<unsigned long long>((*plan)->sessionId), (*plan)->entries.size());
            return *plan;
        };
        config.readers = {clinic.attendance.get(), clinic.sessions.get(), clinic.journal.get()};
        config.unixClock = cli::unixSecondsNow;
        config.sessionOpen = [sessions = clinic.sessions.get()](std::string_view room) { return sessions->open(room, cli::unixSecondsNow()); };
        CR_LOG_INFO("audit trail in the clinic database %s; check it with caseroom-audit verify --db %s", o.dbPath.c_str(), o.dbPath.c_str());
    }
    session::AuditSink* auditSink = auditFile ? static_cast<session::AuditSink*>(auditFile.get()) : clinic.audit.get();
    config.audit = auditSink;
    // Recording: a file per recording in the recordings folder, under the recording key.
    if (!o.noRecording) {
        server::RecordingSetup rs;
        rs.folder = o.recordingsDir;
        rs.keyPath = o.recordingKeyPath;
        auto made = server::makeRecordingConfig(rs);
        if (!made) { std::fprintf(stderr, "caseroom-server: %s\n", made.error().message.c_str()); return 1; }
        made->defaultPolicy = config.recording.defaultPolicy;
        made->keyframeTicks = static_cast<std::uint32_t>(config.tickRate * 10.0); // a keyframe every 10 s
        config.recording = std::move(*made);
        CR_LOG_INFO("recordings go to %s (key %s)", o.recordingsDir.c_str(), o.recordingKeyPath.c_str());
    }
    if (!config.unixClock) config.unixClock = cli::unixSecondsNow; // recordings are named by their start
    net::secure::RevocationWatcher revocations(o.revocationsPath);
    (void)revocations.poll(0.0);
    // A moderator removed someone: their invitation is revoked for good, in
    // the revocation file (this process and the next refuse the token) and
    // in the clinic database (the invitation, with the reason).
    config.onRemoved = [&o, writer = clinic.writer.get()](std::string_view room, const session::RoomActor& who, const std::string& reason) {
        const std::string why = "removed from room " + std::string(room) + " by a moderator: " + reason;
        if (who.tokenId != 0)
            if (auto st = net::secure::appendRevocation(o.revocationsPath, net::secure::tokenRevocationLine(who.tokenId, why)); !st)
                CR_LOG_ERROR("revoking the removed participant's token: %s", st.error().message.c_str());
        if (!writer || who.tokenId == 0) return;
        writer->post([tokenId = who.tokenId, why](store::Database& db) -> core::Status {
            store::Records records(db);
            auto inv = records.invitationByToken(tokenId);
            if (!inv) return inv.error();
            if (!*inv || (*inv)->revokedAt != 0) return {};
            store::Actor by;
            by.via = "server";
            return records.revokeInvitation((*inv)->id, why, by, static_cast<std::int64_t>(cli::unixSecondsNow()));
        });
    };
    CR_LOG_INFO("revocations %s (%zu entries; watched while running)", o.revocationsPath.c_str(), revocations.list().size());

    net::secure::SecureServerDesc sdesc;
    sdesc.enet = desc;
    sdesc.keys = std::move(*keys);
    sdesc.unixClock = cli::unixSecondsNow;
    sdesc.handshake.revoked = [&revocations](std::uint64_t tokenId, std::uint64_t userId) {
        return revocations.list().revoked(tokenId, userId);
    };
    // Access events from the transport: the audit trail and the log.
    session::AuditSink& audit = *auditSink;
    sdesc.onAccess = [&audit](const net::secure::AccessEvent& e) {
        session::AuditRecord r;
        if (e.identity) session::fillIdentity(r, *e.identity);
        r.tokenId = e.tokenId;
        r.userId = e.userId;
        r.address = net::secure::formatRawAddress(e.address);
        // What each access event is on the audit trail.
        struct Entry {
            session::AuditKind kind;
            const char* what;
            const char* outcome;
        };
        static constexpr Entry kEntries[] = {
            {session::AuditKind::HandshakeRefused, "join handshake", "refused: "},
            {session::AuditKind::Replaced, "invitation proven again from another address", "earlier connection closed"},
            {session::AuditKind::Kicked, "second connection under one admission", "refused"},
            {session::AuditKind::Revoked, "connection", "closed: invitation revoked"},
            {session::AuditKind::TokenExpired, "connection", "closed: invitation expired"},
            {session::AuditKind::Kicked, "repeated bad traffic", "disconnected"},
        };
        static_assert(std::size(kEntries) == static_cast<std::size_t>(net::secure::AccessKind::Count));
        const Entry& entry = kEntries[static_cast<std::size_t>(e.kind)];
        r.kind = entry.kind;
        r.what = entry.what;
        r.outcome = entry.outcome;
        if (e.kind == net::secure::AccessKind::Refused) {
            r.outcome += net::secure::toString(e.refusal);
            if (e.suppressed) r.outcome += " (" + std::to_string(e.suppressed) + " similar not recorded)";
        }
        CR_LOG_INFO("access: %s from %s (token %016llx, user %llu): %s%s%s", net::secure::toString(e.kind), r.address.c_str(),
                    static_cast<unsigned long long>(e.tokenId), static_cast<unsigned long long>(e.userId), r.what.c_str(),
                    r.outcome.empty() ? "" : ", ", r.outcome.c_str());
        audit.record(r);
    };
    sdesc.handshake.maxAdmissions = desc.maxPeers;
    if (o.handshakeRate > 0) {
        sdesc.handshake.requestsPerSourcePerSecond = o.handshakeRate;
        sdesc.handshake.requestSourceBurst = 2 * o.handshakeRate;
    }
    sdesc.maxPeersPerAddress = static_cast<std::uint32_t>(o.maxPerAddress);
    std::vector<std::string> codes;
    for (const auto& r : config.rooms) codes.push_back(r.code);
    for (const auto& [code, pb] : config.replays) codes.push_back(code); // [replay]
    if (codes.empty()) codes.push_back(sim::RoomSpec{}.code);
    // A program credential names "@" + the program's code (the case desk's, not a room's).
    for (const auto& p : programs) codes.push_back("@" + p);
    sdesc.handshake.roomHosted = [codes, desk = clinic.desk.get()](std::string_view room) {
        for (const auto& c : codes)
            if (c == room) return true;
        return desk && desk->hostsDeskRoom(room); // programs added since the start
    };
    // Expiry never cuts an open room: a facilitator's extension keeps everyone in.
    if (clinic.sessions)
        sdesc.roomOpenUntil = [sessions = clinic.sessions.get()](std::string_view room) { return sessions->openUntil(room); };
    auto transport = net::secure::SecureTransport::createServer(std::move(sdesc), random);
    if (!transport) { std::fprintf(stderr, "caseroom-server: %s\n", transport.error().message.c_str()); return 1; }
    std::unique_ptr<Content> content;
    if (!o.contentDir.empty() || !o.deckDirs.empty()) {
        auto c = openContent(o);
        if (!c) { std::fprintf(stderr, "caseroom-server: %s\n", c.error().message.c_str()); return 1; }
        content = std::move(*c);
        config.content = content->store.get();
        config.decks = &content->decks;
    }
    // Presenters' uploads into the content store (session/deck_upload.h); checked on its own thread.
    std::unique_ptr<session::DeckUploads> uploads;
    session::ServerHost* hostPtr = nullptr; // set once the host exists (before any upload can finish)
    if (content) {
        auto u = session::DeckUploads::create(*content->store, auditSink);
        if (!u) { std::fprintf(stderr, "caseroom-server: %s\n", u.error().message.c_str()); return 1; }
        uploads = std::move(*u);
        // Fires on the host's thread, inside host.update(): the deck joins
        // the library and every room's offered decks at once.
        uploads->onDeckAccepted = [&content, &hostPtr](const core::ContentHash& h, const media::DeckManifest& m) {
            if (auto st = content->decks.add(content->store->blobs(), h); !st) {
                CR_LOG_WARN("uploaded deck: %s", st.error().message.c_str());
                return;
            }
            if (hostPtr) hostPtr->republishDecks();
            CR_LOG_INFO("deck %s '%s' uploaded: %zu slide(s), now offered", h.shortHex().c_str(), m.title.c_str(), m.slides.size());
        };
        config.uploads = uploads.get();
    }
    cli::installStopSignals();

    const auto start = std::chrono::steady_clock::now();
    auto seconds = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
    ObservedTransport counted(**transport);
    session::ServerHost host(counted, config);
    if (clinic.sessions) clinic.sessions->onRefused([&host](const session::RoomActor& who) { host.refuseExtend(who); });
    hostPtr = &host;
    const std::uint16_t port = (*transport)->boundPort();
    CR_LOG_INFO("caseroom-server listening on %s:%u, %zu room(s), %.0f Hz, up to %u connections, %u snapshot thread(s)",
                desc.bind.host.c_str(), port, host.roomCount(), config.tickRate, desc.maxPeers, config.threads);
    for (const auto& r : config.rooms.empty() && config.replays.empty() ? std::vector<sim::RoomSpec>{sim::RoomSpec{}} : config.rooms)
        CR_LOG_INFO("  room '%s': %s, up to %u participants", r.code.c_str(), r.name.c_str(), r.maxParticipants);
    {
        session::AuditRecord started;
        started.kind = session::AuditKind::ServerStarted;
        started.address = session::formatAddress({desc.bind.host, port});
        started.what = "caseroom-server started, " + std::to_string(host.roomCount()) + " room(s)";
        auditSink->record(started); // synced at once
    }
    if (!o.portFile.empty()) {
        if (FILE* f = std::fopen(o.portFile.c_str(), "w")) { std::fprintf(f, "%u\n", port); std::fclose(f); }
        else { std::fprintf(stderr, "caseroom-server: cannot write %s: %s\n", o.portFile.c_str(), std::strerror(errno)); return 1; }
    }
    StatsWindow window;
    window.tickMs.reserve(static_cast<std::size_t>(o.statsEvery * config.tickRate * 1.5) + 16);
    double nextReport = o.statsEvery, last = 0.0, nextAuditSync = 1.0;
    while (!cli::stopRequested()) {
        const double now = seconds();
        // A coordinator's revocation takes effect within a second: new
        // attempts are refused by the handshake, live holders are cut off here.
        if (revocations.poll(now)) {
            const std::size_t cut = (*transport)->disconnectRevoked(
                [&](std::uint64_t tokenId, std::uint64_t userId) { return revocations.list().revoked(tokenId, userId); });
            CR_LOG_INFO("revocations reloaded: %zu entries, %zu connection(s) closed", revocations.list().size(), cut);
        }
        if (now >= nextAuditSync) { auditSink->sync(); nextAuditSync = now + 1.0; } // a crash loses at most a second of entries
        if (clinic.writer) clinic.writer->drainReplies(); // answers of committed writes (session clock, failures)
        window.clientSeconds += static_cast<double>(host.clientCount()) * (now - last);
        last = now;
        const bool tickDue = host.untilNextTick(now) <= 0.0;
        const auto t0 = std::chrono::steady_clock::now();
        host.update(now);
        if (tickDue) window.tickMs.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
        if (now >= nextReport) {
            const auto& c = host.counters();
            CR_LOG_DEBUG("clients %zu, joins %llu, malformed %llu, snapshot bytes %llu", host.clientCount(),
                         static_cast<unsigned long long>(c.joins), static_cast<unsigned long long>(c.malformed),
                         static_cast<unsigned long long>(c.snapshotBytes));
            reportStats(window, counted, host, now, o.statsFile);
            nextReport = now + o.statsEvery;
        }
        (*transport)->wait(std::min(host.untilNextTick(seconds()), 0.010));
    }
    CR_LOG_INFO("caseroom-server: shutting down");
    host.shutdown();
    // Give the disconnects a moment to leave the socket.
    const double until = seconds() + 0.2;
    while (seconds() < until) { host.update(seconds()); std::this_thread::sleep_for(std::chrono::milliseconds(10)); }
    if (clinic.attendance) clinic.attendance->closeAll(cli::unixSecondsNow()); // anyone still in leaves now, not interrupted
    session::AuditRecord stopped;
    stopped.kind = session::AuditKind::ServerStopped;
    stopped.what = "caseroom-server stopped";
    auditSink->record(stopped); // synced at once
    if (clinic.writer) {
        clinic.writer->flush();
        clinic.writer->drainReplies();
        const store::WriterStats ws = clinic.writer->stats();
        const session::AttendanceCounters ac = clinic.attendance->counters();
        CR_LOG_INFO("clinic database: %llu write(s) in %llu commit(s), %llu failed; attendance %llu opened, %llu closed, %llu join(s) outside any session",
                    static_cast<unsigned long long>(ws.jobs), static_cast<unsigned long long>(ws.batches), static_cast<unsigned long long>(ws.failed),
                    static_cast<unsigned long long>(ac.opened), static_cast<unsigned long long>(ac.closed),
                    static_cast<unsigned long long>(ac.outsideSession));
    }
    return 0;
}
