// caseroom-bench-state: server tick time and state traffic for rooms of N
// bot participants in the clinic motion pattern. Two setups:
//  - in-process twin (default): ServerHost and N ClientSessions over the
//    loopback transport in simulated time (so the numbers do not depend on
//    how fast the clients run); encryption priced with a benchmark-only
//    SealedTransport. No ENet, no syscalls, no per-peer handshake.
//  - real processes (--processes): the shipped caseroom-server and several
//    caseroom-bots processes over real UDP sockets on 127.0.0.1, through the
//    secure transport (handshake, per-connection keys, ENet); the numbers are
//    the server's own measured stats lines (--stats-file), per 1 s window.
// Results go to BENCHMARKS.md; this is a benchmark, not a test.
// [SECTION] in-process twin  [SECTION] real processes  [SECTION] main
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/cli.h"
#include "core/percentile.h"
#include "net/loopback_transport.h"
#include "net/secure/channel.h"
#include "record/recording.h"
#include "session/bot_brain.h"
#include "session/attendance_recorder.h"
#include "session/client_session.h"
#include "session/db_audit.h"
#include "session/room_sessions.h"
#include "session/server_host.h"
#include "store/records.h"
#include "store/writer.h"

using namespace caseroom;
namespace cli = caseroom::core::cli;
using core::percentile;

extern char** environ;

namespace {
// [SECTION] in-process twin
// Benchmark-only: seals and opens every message with the product's
// SecureChannel (one seal per message here, where the real transport seals
// each UDP datagram, often several messages) over the loopback twin, to price encryption at scale. Every
// connection shares one key pair, which is only acceptable because this class
// lives in a benchmark executable and never in the server or client; the real
// transport (SecureTransport) derives fresh keys per connection.
class SealedTransport final : public net::Transport {
public:
    SealedTransport(std::unique_ptr<net::Transport> inner, bool serverSide) : inner_(std::move(inner)), server_(serverSide) {
        for (std::size_t i = 0; i < kA.size(); ++i) { kA[i] = static_cast<std::uint8_t>(i); kB[i] = static_cast<std::uint8_t>(255 - i); }
    }
    core::PeerId connect(const net::Address& to) override { return inner_->connect(to); }
    bool send(core::PeerId peer, net::Channel ch, std::span<const std::uint8_t> data, bool reliable) override {
        if (!channel(peer).seal(data, scratch_)) return false;
        return inner_->send(peer, ch, scratch_, reliable);
    }
    bool poll(double now, net::TransportEvent& ev) override {
        while (inner_->poll(now, ev)) {
            if (ev.type != net::TransportEventType::Received) return true;
            if (channel(ev.peer).open(ev.data, scratch_) != net::secure::OpenResult::Ok) continue;
            ev.data.swap(scratch_);
            return true;
        }
        return false;
    }
    void flush() override { inner_->flush(); }
    void disconnect(core::PeerId p, std::uint32_t r) override { inner_->disconnect(p, r); }
    [[nodiscard]] net::PeerStats stats(core::PeerId p) const override { return inner_->stats(p); }
    void wait(double s) override { inner_->wait(s); }

private:
    net::secure::SecureChannel& channel(core::PeerId peer) {
        auto it = channels_.find(peer.value);
        if (it == channels_.end()) {
            net::secure::SessionKeys keys;
            keys.send = server_ ? kB : kA;
            keys.receive = server_ ? kA : kB;
            it = channels_.emplace(peer.value, std::make_unique<net::secure::SecureChannel>(keys)).first;
        }
        return *it->second;
    }
    std::unique_ptr<net::Transport> inner_;
    bool server_;
    net::secure::Key kA{}, kB{};
    std::unordered_map<std::uint32_t, std::unique_ptr<net::secure::SecureChannel>> channels_;
    std::vector<std::uint8_t> scratch_;
};

std::unique_ptr<net::Transport> maybeSealed(std::unique_ptr<net::Transport> t, bool sealed, bool serverSide) {
    if (!sealed) return t;
    return std::make_unique<SealedTransport>(std::move(t), serverSide);
}

struct Result {
    std::uint32_t participants = 0;   // per room
    std::uint32_t rooms = 1;
    unsigned threads = 1;
    double tickMedianMs = 0, tickP99Ms = 0, tickMaxMs = 0;
    double payloadKbps = 0;       // snapshot payload per client
    double wireKbps = 0;          // every state-channel message byte per client (sealed when encryption is on)
    double bytesPerUpdate = 0;    // avatar bytes (the payload less the room objects) per avatar update
    double objectKbps = 0;        // the room objects section per client (panels, the teaching round's state)
    double worstStaleMs = 0;
    std::uint32_t seated = 0;
    bool attendance = false;
    bool clinic = false;
    std::uint64_t roundIntents = 0; // teaching-round intents the server carried out (--clinic)
    std::uint64_t dbWrites = 0;   // jobs the writer ran (attendance, heartbeats, audit rows)
    bool record = false;
    double recordMBPerHour = 0;   // the recording file's growth (--record; policy whole session, everyone acknowledged)
};

// Attendance recording on (--attendance): what caseroom-server --db runs
// beside the host: a clinic database in a fresh folder with a program
// "bench" and a session holding the room for the whole run, the writer
// thread, the audit trail in the database, the attendance recorder and the
// session clock. Unix time follows the simulated clock.
struct BenchClinic {
    std::filesystem::path dir;
    std::unique_ptr<store::Writer> writer;
    std::unique_ptr<session::DbAudit> audit;
    std::unique_ptr<session::AttendanceRecorder> attendance;
    std::unique_ptr<session::RoomSessions> sessions;
    static constexpr std::int64_t kUnixAtZero = 1'800'000'000;
    ~BenchClinic() {
        writer.reset();
        std::error_code ec;
        if (!dir.empty()) std::filesystem::remove_all(dir, ec);
    }
    bool open(double seconds) {
        char name[] = "/tmp/caseroom-bench-XXXXXX";
        if (!::mkdtemp(name)) return false;
        dir = name;
        const std::string path = (dir / "clinic.db").string();
        session::AuditKey key;
        for (std::size_t i = 0; i < key.bytes.size(); ++i) key.bytes[i] = static_cast<std::uint8_t>(i * 7 + 3);
        {
            store::OpenDesc od;
            od.path = path;
            auto db = store::Database::open(od);
            if (!db) { std::fprintf(stderr, "caseroom-bench-state: %s\n", db.error().message.c_str()); return false; }
            store::Records records(**db);
            session::installEditAudit(records, key);
            store::Program p;
            p.code = "bench";
            p.name = "bench";
            auto pid = records.createProgram(p, store::Actor{}, kUnixAtZero);
            if (!pid) return false;
            store::Session s;
            s.programId = *pid;
            s.room = "bench";
            s.startUtc = kUnixAtZero;
            s.endUtc = kUnixAtZero + static_cast<std::int64_t>(seconds) + 3600;
            if (!records.createSession(s, store::Actor{}, kUnixAtZero)) return false;
        }
        store::OpenDesc od;
        od.path = path;
        auto w = store::Writer::start(od);
        if (!w) { std::fprintf(stderr, "caseroom-bench-state: %s\n", w.error().message.c_str()); return false; }
        writer = std::move(*w);
        audit = std::make_unique<session::DbAudit>(*writer, key);
        attendance = std::make_unique<session::AttendanceRecorder>(*writer);
        attendance->recoverInterrupted();
        sessions = std::make_unique<session::RoomSessions>(*writer, key, std::vector<std::string>{"bench"});
        sessions->refresh(static_cast<std::uint64_t>(kUnixAtZero));
        writer->flush();
        writer->drainReplies();
        return true;
    }
};

// The benchmark room for n participants (both setups use the same one);
// room k > 0 of several is "bench-K".
std::string benchRoom(std::uint32_t k) { return k == 0 ? "bench" : "bench-" + std::to_string(k); }
sim::RoomSpec benchSpec(std::uint32_t n, std::uint32_t k = 0) {
    sim::RoomSpec spec;
    spec.code = benchRoom(k);
    spec.name = "bench";
    spec.maxParticipants = n;
    spec.width = n > 500 ? 60.0f : n > 250 ? 40.0f : 24.0f;
    spec.depth = n > 500 ? 50.0f : n > 250 ? 30.0f : 18.0f;
    spec.tableSeats = 16;
    spec.audiencePerRow = n > 500 ? 50 : n > 250 ? 40 : 24;
    spec.audienceRows = n > 500 ? 20 : 40; // a grand round seats everyone: 16 + 1,000 seats
    return spec;
}

// --clinic: the teaching round's systems running. A two-case plan; client 1
// facilitates, 2-4 are specialists, the rest spokes. Before the measured
// window the facilitator walks the agenda to the first case's
// recommendations, 40 spokes post recommendations and 40 raise hands; while
// measuring, each second the facilitator calls the next hand and releases
// the floor half a second later, the released spoke raises its hand again
// (a queue of ~40 that keeps changing), a chat line goes every 2 s and a new
// recommendation every 3 s (until the board is full). Texts are screened by
// the PHI screen as in the product.
sim::SessionPlan clinicPlan() {
    std::vector<sim::AgendaEntry> cases(2);
    for (std::size_t i = 0; i < cases.size(); ++i) {
        cases[i].title = "Case " + std::to_string(i + 1);
        cases[i].presenter = "Bot " + std::to_string(i + 5);
        cases[i].question = "Which regimen, and for how long?";
    }
    return sim::defaultPlan("Didactic: HCV treatment", cases);
}

struct ClinicDriver {
    struct Step {
        double at = 0;
        std::function<void()> run;
    };
    std::vector<Step> steps; // sorted by time
    std::size_t next = 0;
    void due(double now) {
        while (next < steps.size() && steps[next].at <= now) steps[next++].run();
    }
};

ClinicDriver clinicScript(std::vector<std::unique_ptr<session::ClientSession>>& clients, double end) {
    ClinicDriver d;
    const std::size_t n = clients.size();
    auto at = [&d](double t, std::function<void()> f) { d.steps.push_back({t, std::move(f)}); };
    session::ClientSession* fac = clients[0].get();
    auto next = [fac] {
        net::AgendaIntent m;
        m.op = net::AgendaIntent::Op::Next;
        fac->sendClinic(m);
    };
    auto spoke = [&clients, n](std::size_t k) { return clients[std::min(n - 1, 4 + k % std::max<std::size_t>(1, n - 4))].get(); };
    static constexpr const char* kTexts[] = {"Check the resistance profile before retreatment.",
                                             "Repeat the viral load at week 4 and at the end of treatment.",
                                             "Screen for hepatitis B co-infection first.",
                                             "Review drug interactions with the current medications."};
    auto post = [spoke](std::size_t k) {
        net::BoardIntent b;
        b.op = net::BoardIntent::Op::Post;
        b.clientSeq = static_cast<std::uint16_t>(k + 1);
        b.text = kTexts[k % 4];
        spoke(k)->sendClinic(b);
    };
    auto raise = [spoke](std::size_t k) {
        net::FloorIntent f;
        f.op = net::FloorIntent::Op::Raise;
        spoke(k)->sendClinic(f);
    };
    for (int i = 0; i < 5; ++i) at(3.0 + 0.5 * i, next); // introductions .. the first case's recommendations
    const std::size_t people = std::min<std::size_t>(40, n > 4 ? n - 4 : 0);
    for (std::size_t k = 0; k < people; ++k) at(6.0 + 0.05 * static_cast<double>(k), [post, k] { post(k); });
    for (std::size_t k = 0; k < people; ++k) at(8.0 + 0.025 * static_cast<double>(k), [raise, k] { raise(k + 40); });
    std::size_t posted = people;
    int line = 0;
    for (double t = 10.0; t < end; t += 1.0) {
        at(t, [fac] {
            net::FloorIntent f;
            f.op = net::FloorIntent::Op::CallNext;
            fac->sendClinic(f);
        });
        at(t + 0.5, [fac] {
            net::FloorIntent f;
            f.op = net::FloorIntent::Op::Release;
            fac->sendClinic(f);
        });
        // A spoke whose hand is down (the one the floor just left, or another) raises it.
        at(t + 0.7, [fac, &clients] {
            for (auto& c : clients)
                if (c->self().valid() && c.get() != fac && c->clinic().handPosition(c->self()) == 0 && c->desc().role == core::Role::Spoke) {
                    // The first spoke without a raised hand: keeps the queue near 40.
                    net::FloorIntent f;
                    f.op = net::FloorIntent::Op::Raise;
                    c->sendClinic(f);
                    break;
                }
        });
        if (line % 2 == 0)
            at(t + 0.3, [spoke, line] {
                net::ChatIntent c;
                c.op = net::ChatIntent::Op::Say;
                c.clientSeq = static_cast<std::uint16_t>(line + 1);
                c.text = "Thanks, that answers it (" + std::to_string(line) + ").";
                spoke(static_cast<std::size_t>(line) * 3)->sendClinic(c);
            });
        if (line % 3 == 0 && posted < sim::kMaxBoardEntries - 2) {
            const std::size_t k = posted++;
            at(t + 0.6, [post, k] { post(k); });
        }
        ++line;
    }
    std::stable_sort(d.steps.begin(), d.steps.end(), [](const ClinicDriver::Step& a, const ClinicDriver::Step& b) { return a.at < b.at; });
    return d;
}

// `rooms` rooms of `n` (clients join them in turn); the server's snapshots
// built on `threads` threads. The clinic round and recording run in room 0.
Result runRoom(std::uint32_t n, std::uint32_t rooms, unsigned threads, double warmup, double seconds, std::uint32_t budget,
               std::uint64_t seed, std::uint32_t walkersPercent, bool sealed, bool attendance, bool clinicRound = false, bool record = false) {
    net::LoopbackNetwork network(seed);
    network.setConditions({0.0, 0.02, 0.005, 0.0, 0.0}); // a 40 ms round trip
    auto serverT = maybeSealed(network.createHost(7777), sealed, true);
    session::ServerConfig cfg;
    cfg.threads = threads;
    for (std::uint32_t k = 0; k < rooms; ++k) cfg.rooms.push_back(benchSpec(n, k));
    cfg.replication.budgetBytes = budget;
    double now = 0;
    BenchClinic clinic;
    if (attendance) {
        if (!clinic.open(warmup + seconds)) std::exit(1);
        cfg.audit = clinic.audit.get();
        cfg.readers = {clinic.attendance.get(), clinic.sessions.get()};
        cfg.unixClock = [&now] { return static_cast<std::uint64_t>(BenchClinic::kUnixAtZero + static_cast<std::int64_t>(now)); };
        cfg.sessionOpen = [&](std::string_view room) { return clinic.sessions->open(room, cfg.unixClock()); };
    }
    if (clinicRound) {
        const sim::SessionPlan plan = clinicPlan();
        cfg.planFor = [plan](std::string_view) { return std::optional<sim::SessionPlan>(plan); };
    }
    // --record: the room recorded from the middle of the warmup (the file in a temporary folder).
    std::filesystem::path recordDir;
    double recordFrom = -1;
    if (record) {
        char name[] = "/tmp/caseroom-bench-record-XXXXXX";
        if (!::mkdtemp(name)) std::exit(1);
        recordDir = name;
        cfg.recording.defaultPolicy = sim::RecordingPolicy::WholeSession;
        cfg.recording.open = [recordDir](const record::RecordingInfo& info) {
            record::WriterConfig wc;
            wc.path = (recordDir / "bench.crrec").string();
            for (std::size_t i = 0; i < wc.key.size(); ++i) wc.key[i] = static_cast<std::uint8_t>(i);
            wc.info = info;
            return record::RecordingWriter::create(wc);
        };
    }
    session::ServerHost server(*serverT, cfg);

    std::vector<std::unique_ptr<net::Transport>> transports;
    std::vector<std::unique_ptr<session::ClientSession>> clients;
    std::vector<std::unique_ptr<session::BotBrain>> brains;
    const std::uint32_t total = n * rooms;
    for (std::uint32_t i = 0; i < total; ++i) {
        transports.push_back(maybeSealed(network.createHost(), sealed, false));
        session::ClientDesc d;
        d.roomCode = benchRoom(i % rooms);
        d.displayName = "Bot " + std::to_string(i + 1);
        if (clinicRound) d.role = i == 0 ? core::Role::Facilitator : i < 4 ? core::Role::Specialist : core::Role::Spoke;
        else if (record && i == 0) d.role = core::Role::Facilitator; // who starts the recording
        clients.push_back(std::make_unique<session::ClientSession>(*transports.back(), d));
        // walkersPercent of the bots wander (spread over the join order); the rest take a seat.
        brains.push_back(std::make_unique<session::BotBrain>(seed * 7919 + i, (i * 37 + 17) % 100 < walkersPercent));
    }
    ClinicDriver driver;
    if (clinicRound) driver = clinicScript(clients, warmup + seconds);
    const double step = 1.0 / 60.0;
    std::vector<double> tickMs;
    std::uint64_t bytesStart = 0, payloadStart = 0, objectStart = 0, updatesStart = 0;
    std::uint32_t joined = 0;
    std::uint32_t worstStale = 0;
    const double end = warmup + seconds;
    bool measuring = false;
    auto stateBytes = [&] {
        std::uint64_t b = 0;
        for (auto& c : clients) b += c->stats().bytesIn;
        return b;
    };
    while (now < end) {
        now += step;
        // Stagger the joins over the first seconds, as people arrive.
        while (joined < total && static_cast<double>(joined) < now * 100.0) clients[joined++]->connect({"loop", 7777}, now);
        for (std::uint32_t i = 0; i < joined; ++i) {
            clients[i]->update(now);
            brains[i]->think(*clients[i], now);
        }
        driver.due(now);
        if (record) {
            if (recordFrom < 0 && now >= warmup * 0.5 && clients[0]->state() == session::ClientState::InRoom) {
                net::RecordingIntent start;
                start.op = net::RecordingIntent::Op::Start;
                clients[0]->sendClinic(start);
                recordFrom = now;
            }
            for (std::uint32_t i = 0; i < joined; ++i) clients[i]->acknowledgeRecording(); // a no-op once done
        }
        if (!measuring && now >= warmup) {
            measuring = true;
            bytesStart = stateBytes();
            payloadStart = server.counters().snapshotBytes;
            objectStart = server.counters().objectBytes;
            updatesStart = server.counters().entityUpdates;
        }
        const auto sentBefore = server.counters().snapshotsSent;
        const auto t0 = std::chrono::steady_clock::now();
        server.update(now);
        if (clinic.writer) clinic.writer->drainReplies(); // the server loop's part of the database work, timed with the tick
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        if (measuring && server.counters().snapshotsSent != sentBefore) {
            tickMs.push_back(ms);
            worstStale = std::max(worstStale, server.worstStalenessTicks()); // outside the timed call
        }
    }
    Result r;
    r.participants = n;
    r.rooms = rooms;
    r.threads = threads;
    r.tickMedianMs = percentile(tickMs, 0.5);
    r.tickP99Ms = percentile(tickMs, 0.99);
    r.tickMaxMs = percentile(tickMs, 1.0);
    const double perClient = 1.0 / (static_cast<double>(total) * seconds);
    r.payloadKbps = static_cast<double>(server.counters().snapshotBytes - payloadStart) * 8.0 / 1000.0 * perClient;
    r.wireKbps = static_cast<double>(stateBytes() - bytesStart) * 8.0 / 1000.0 * perClient;
    const auto updates = server.counters().entityUpdates - updatesStart;
    const auto objectBytes = server.counters().objectBytes - objectStart;
    r.objectKbps = static_cast<double>(objectBytes) * 8.0 / 1000.0 * perClient;
    r.bytesPerUpdate = updates ? static_cast<double>(server.counters().snapshotBytes - payloadStart - objectBytes) / static_cast<double>(updates) : 0;
    r.worstStaleMs = worstStale * 1000.0 / cfg.tickRate;
    for (auto& b : brains) r.seated += b->mode() == session::BotMode::Seated;
    r.attendance = attendance;
    r.clinic = clinicRound;
    r.roundIntents = server.counters().roundIntents;
    if (clinic.writer) {
        clinic.writer->flush();
        r.dbWrites = clinic.writer->stats().jobs;
    }
    r.record = record;
    if (record) {
        server.shutdown(); // closes the file with its index
        std::error_code ec;
        const auto bytes = std::filesystem::file_size(recordDir / "bench.crrec", ec);
        if (!ec && recordFrom >= 0) r.recordMBPerHour = static_cast<double>(bytes) / 1e6 * 3600.0 / (now - recordFrom);
        std::filesystem::remove_all(recordDir, ec);
    }
    return r;
}

// [SECTION] real processes
struct ProcessDesc {
    std::uint32_t participants = 200;
    std::uint32_t botProcesses = 4;
    double warmup = 8, seconds = 12;
    std::uint32_t budget = 0;
    std::string serverExe, botsExe;
};

pid_t spawnTo(const std::vector<std::string>& args, const std::string& outFile) {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, outFile.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    pid_t pid = -1;
    const int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    return rc == 0 ? pid : -1;
}

// SIGTERM, then SIGKILL after `grace` seconds; returns the exit code (128+signal when killed).
int stopProcess(pid_t pid, double grace) {
    if (pid <= 0) return -1;
    ::kill(pid, SIGTERM);
    const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(grace);
    int status = 0;
    while (std::chrono::steady_clock::now() < end) {
        if (::waitpid(pid, &status, WNOHANG) == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    return 128 + SIGKILL;
}

double unixSecondsPrecise() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string exeDir() {
    char buf[4096];
    const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0) return ".";
    std::string p(buf, static_cast<std::size_t>(n));
    return p.substr(0, p.rfind('/'));
}

// One stats line of caseroom-server --stats-file: key=value pairs.
std::map<std::string, double> parseStatsLine(const std::string& line) {
    std::map<std::string, double> kv;
    std::istringstream in(line);
    std::string item;
    while (in >> item) {
        const auto eq = item.find('=');
        if (eq == std::string::npos) continue;
        kv[item.substr(0, eq)] = std::strtod(item.c_str() + eq + 1, nullptr);
    }
    return kv;
}

int runProcesses(const ProcessDesc& d) {
    char tmpl[] = "/tmp/caseroom-bench-XXXXXX";
    if (!::mkdtemp(tmpl)) { std::perror("caseroom-bench-state: mkdtemp"); return 1; }
    const std::string dir = tmpl;
    const sim::RoomSpec spec = benchSpec(d.participants);
    {
        std::ofstream rooms(dir + "/bench.rooms");
        rooms << "[room bench]\nname = bench\nmax_participants = " << spec.maxParticipants << "\nwidth = " << spec.width
              << "\ndepth = " << spec.depth << "\ntable_seats = " << spec.tableSeats << "\naudience_rows = " << spec.audienceRows
              << "\naudience_per_row = " << spec.audiencePerRow << "\n";
    }
    std::vector<std::string> serverArgs{d.serverExe, "--port", "0", "--bind", "127.0.0.1", "--port-file", dir + "/port",
                                        "--state-dir", dir, "--config", dir + "/bench.rooms", "--stats-every", "1",
                                        "--stats-file", dir + "/stats", "--log-level", "warn",
                                        // every bot comes from 127.0.0.1: lift the per-address cap (default 32)
                                        "--max-per-address", std::to_string(d.participants + 16)};
    if (d.budget) { serverArgs.push_back("--budget"); serverArgs.push_back(std::to_string(d.budget)); }
    const pid_t server = spawnTo(serverArgs, dir + "/server.log");
    if (server <= 0) { std::fprintf(stderr, "caseroom-bench-state: cannot start %s\n", d.serverExe.c_str()); return 1; }
    std::string port;
    for (int i = 0; i < 200 && port.empty(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(25));
        std::ifstream in(dir + "/port");
        std::getline(in, port);
    }
    if (port.empty()) {
        std::fprintf(stderr, "caseroom-bench-state: the server did not start (see %s/server.log)\n", dir.c_str());
        stopProcess(server, 1.0);
        return 1;
    }
    const double t0Unix = unixSecondsPrecise();
    const double total = d.warmup + d.seconds;
    std::vector<pid_t> bots;
    const std::uint32_t per = (d.participants + d.botProcesses - 1) / d.botProcesses;
    for (std::uint32_t p = 0, left = d.participants; p < d.botProcesses && left > 0; ++p) {
        const std::uint32_t n = std::min(per, left);
        left -= n;
        char dur[32];
        std::snprintf(dur, sizeof dur, "%.1f", total + 5.0);
        bots.push_back(spawnTo({d.botsExe, "--server", "127.0.0.1:" + port, "--key", dir + "/caseroom.key", "--room", "bench", "--count",
                                std::to_string(n), "--seed", std::to_string(p + 1), "--name", "P" + std::to_string(p + 1) + " Bot",
                                "--duration", dur, "--quiet"},
                               dir + "/bots" + std::to_string(p + 1) + ".log"));
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(total + 0.5));
    int botErrors = 0;
    for (pid_t b : bots) botErrors += stopProcess(b, 3.0) != 0;
    const int serverRc = stopProcess(server, 3.0);
    // Windows that ended after the warm-up (the server's clock starts slightly before t0).
    std::ifstream in(dir + "/stats");
    std::vector<double> medians, p99s, maxes, sent, state, msgs, clients;
    std::string line;
    while (std::getline(in, line)) {
        auto kv = parseStatsLine(line);
        const double at = kv["unix_ms"] / 1000.0 - t0Unix; // when the window ended, seconds after the bots started
        if (at < d.warmup || at > total + 0.5) continue;
        medians.push_back(kv["tick_median_ms"]);
        p99s.push_back(kv["tick_p99_ms"]);
        maxes.push_back(kv["tick_max_ms"]);
        sent.push_back(kv["sent_kbps_per_client"]);
        state.push_back(kv["state_kbps_per_client"]);
        msgs.push_back(kv["messages_per_s_per_client"]);
        clients.push_back(kv["avg_clients"]);
    }
    if (medians.empty()) {
        std::fprintf(stderr, "caseroom-bench-state: no stats windows after the warm-up (logs kept in %s)\n", dir.c_str());
        return 1;
    }
    auto range = [](const std::vector<double>& v) {
        char b[64];
        std::snprintf(b, sizeof b, "%.3f (%.3f-%.3f)", percentile(v, 0.5), percentile(v, 0.0), percentile(v, 1.0));
        return std::string(b);
    };
    std::printf("| participants | bot processes | clients (min) | windows | tick median ms, median of 1 s windows (min-max) | "
                "tick p99 ms, median (min-max) | tick max ms | sent kbit/s/client (min-max) | state kbit/s/client | messages/s/client |\n");
    std::printf("|---:|---:|---:|---:|---|---|---:|---|---:|---:|\n");
    std::printf("| %u | %zu | %.0f | %zu | %s | %s | %.3f | %s | %.1f | %.1f |\n", d.participants, bots.size(), percentile(clients, 0.0),
                medians.size(), range(medians).c_str(), range(p99s).c_str(), percentile(maxes, 1.0), range(sent).c_str(),
                percentile(state, 0.5), percentile(msgs, 0.5));
    const bool ok = serverRc == 0 && botErrors == 0;
    std::printf("(server exit %d, bot processes with errors %d)\n", serverRc, botErrors);
    if (ok) std::filesystem::remove_all(dir); // it holds a deployment key: do not leave it behind
    else std::fprintf(stderr, "caseroom-bench-state: logs kept in %s (remove it: it holds a key)\n", dir.c_str());
    return ok ? 0 : 1;
}

// [SECTION] main
void usage() {
    std::puts("usage: caseroom-bench-state [options]\n"
              "\n"
              "Server tick time and state traffic for rooms of bot participants (a benchmark,\n"
              "not a test; results go to BENCHMARKS.md).\n"
              "\n"
              "in-process twin (default): ServerHost + ClientSessions over the loopback transport,\n"
              "simulated time:\n"
              "  --sizes LIST          participants per room, comma-separated, 1..1000 each (default 50,200,500)\n"
              "  --seconds S           measured simulated seconds, 1..3600 (default 20)\n"
              "  --warmup S            simulated seconds before measuring, 0..3600 (default 12)\n"
              "  --encryption on|off|both  seal every message (default on: as the product runs)\n"
              "  --seed N              random seed (default 1)\n"
              "  --rooms N             rooms of each size, 1..64 (default 1; clients join them in turn)\n"
              "  --threads LIST        server snapshot threads, comma-separated, each 1..64 (default 1)\n"
              "  --walkers PERCENT     bots that wander instead of taking a seat, 0..100 (default 20: a clinic;\n"
              "                        a grand round's audience sits, a few walk)\n"
              "  --attendance on|off|both  record attendance and the audit trail in a clinic database\n"
              "                        (SQLite in a temporary folder, the writer thread) as caseroom-server --db\n"
              "                        does (default off)\n"
              "  --clinic on|off|both  the teaching round's systems running: a plan, the agenda at a case's\n"
              "                        recommendations, a board of ~40 entries, a queue of ~40 hands, the floor\n"
              "                        called every second, chat (default off)\n"
              "  --record on|off|both  the room recorded (policy whole session, everyone acknowledging) to a\n"
              "                        file in a temporary folder: the tick's cost and the file's MB per hour\n"
              "                        (default off)\n"
              "real processes (--processes): caseroom-server + caseroom-bots over UDP, secure transport:\n"
              "  --processes           run the shipped executables instead of the twin\n"
              "  --participants N      bots in the room, 1..1000 (default 200)\n"
              "  --bot-processes N     caseroom-bots processes sharing them, 1..64 (default 4)\n"
              "  --seconds S / --warmup S  wall-clock seconds (defaults 12 and 8 in this mode)\n"
              "  --server-exe PATH     default: ../../server/caseroom-server from this executable\n"
              "  --bots-exe PATH       default: ../bots/caseroom-bots from this executable\n"
              "both:\n"
              "  --budget BYTES        snapshot payload budget per client per tick, 32..16000\n"
              "  --help                this text");
}
} // namespace

int main(int argc, char** argv) {
    std::vector<std::uint32_t> sizes{50, 200, 500};
    double seconds = -1, warmup = -1;
    std::uint32_t budget = 0;
    std::uint64_t seed = 1;
    std::uint32_t walkers = 20;
    std::vector<bool> modes{true};
    std::vector<bool> attendanceModes{false};
    std::vector<bool> clinicModes{false};
    std::vector<bool> recordModes{false};
    std::uint32_t rooms = 1;
    std::vector<unsigned> threadCounts{1};
    bool processes = false;
    ProcessDesc pd;
    const std::string dirOfExe = exeDir();
    pd.serverExe = dirOfExe + "/../../server/caseroom-server";
    pd.botsExe = dirOfExe + "/../bots/caseroom-bots";
    cli::Args args(argc, argv);
    auto fail = [](const core::Error& e) {
        std::fprintf(stderr, "caseroom-bench-state: %s\n", e.message.c_str());
        return 2;
    };
    while (args.next()) {
        const std::string a(args.flag());
        if (a == "--help" || a == "-h") { usage(); return 0; }
        if (a == "--processes") { processes = true; continue; }
        auto v = args.value();
        if (!v) return fail(v.error());
        if (a == "--sizes") {
            sizes.clear();
            std::stringstream ss(*v);
            std::string item;
            while (std::getline(ss, item, ',')) {
                auto n = cli::parseInt(a, item, 1, 1000);
                if (!n) return fail(n.error());
                sizes.push_back(static_cast<std::uint32_t>(*n));
            }
            if (sizes.empty()) return fail(core::Error{"--sizes: give at least one size"});
        } else if (a == "--rooms") {
            auto n = cli::parseInt(a, *v, 1, 64);
            if (!n) return fail(n.error());
            rooms = static_cast<std::uint32_t>(*n);
        } else if (a == "--threads") {
            threadCounts.clear();
            std::stringstream ss(*v);
            std::string item;
            while (std::getline(ss, item, ',')) {
                auto n = cli::parseInt(a, item, 1, 64);
                if (!n) return fail(n.error());
                threadCounts.push_back(static_cast<unsigned>(*n));
            }
            if (threadCounts.empty()) return fail(core::Error{"--threads: give at least one count"});
        } else if (a == "--seconds" || a == "--warmup") {
            auto n = cli::parseNumber(a, *v, a == "--seconds" ? 1 : 0, 3600);
            if (!n) return fail(n.error());
            (a == "--seconds" ? seconds : warmup) = *n;
        } else if (a == "--budget") {
            auto n = cli::parseInt(a, *v, 32, 16000);
            if (!n) return fail(n.error());
            budget = static_cast<std::uint32_t>(*n);
        } else if (a == "--walkers") {
            auto n = cli::parseNumber(a, *v, 0, 100);
            if (!n) return fail(n.error());
            walkers = static_cast<std::uint32_t>(*n);
        } else if (a == "--seed") {
            auto n = cli::parseU64(a, *v);
            if (!n) return fail(n.error());
            seed = *n;
        } else if (a == "--encryption") {
            if (*v == "both") modes = {false, true};
            else if (*v == "on" || *v == "off") modes = {*v == "on"};
            else return fail(core::Error{"--encryption: '" + *v + "' is not on, off or both"});
        } else if (a == "--attendance") {
            if (*v == "both") attendanceModes = {false, true};
            else if (*v == "on" || *v == "off") attendanceModes = {*v == "on"};
            else return fail(core::Error{"--attendance: '" + *v + "' is not on, off or both"});
        } else if (a == "--clinic") {
            if (*v == "both") clinicModes = {false, true};
            else if (*v == "on" || *v == "off") clinicModes = {*v == "on"};
            else return fail(core::Error{"--clinic: '" + *v + "' is not on, off or both"});
        } else if (a == "--record") {
            if (*v == "both") recordModes = {false, true};
            else if (*v == "on" || *v == "off") recordModes = {*v == "on"};
            else return fail(core::Error{"--record: '" + *v + "' is not on, off or both"});
        } else if (a == "--participants") {
            auto n = cli::parseInt(a, *v, 1, 1000);
            if (!n) return fail(n.error());
            pd.participants = static_cast<std::uint32_t>(*n);
        } else if (a == "--bot-processes") {
            auto n = cli::parseInt(a, *v, 1, 64);
            if (!n) return fail(n.error());
            pd.botProcesses = static_cast<std::uint32_t>(*n);
        } else if (a == "--server-exe") pd.serverExe = *v;
        else if (a == "--bots-exe") pd.botsExe = *v;
        else return fail(core::Error{"unknown option '" + a + "' (see --help)"});
    }
    if (processes) {
        if (seconds > 0) pd.seconds = seconds;
        if (warmup >= 0) pd.warmup = warmup;
        pd.budget = budget;
        return runProcesses(pd);
    }
    if (rooms > 1 && (clinicModes.back() || recordModes.back()))
        return fail(core::Error{"--clinic and --record run in one room: not with --rooms"});
    if (seconds < 0) seconds = 20;
    if (warmup < 0) warmup = 12;
    if (budget == 0) budget = session::ServerConfig{}.replication.budgetBytes;
    std::printf("| rooms | threads | participants | walkers %% | encryption | attendance | clinic | recording | tick median ms | tick p99 ms | tick max ms | state payload kbit/s/client | of it room objects | state messages kbit/s/client | bytes per avatar update | worst staleness ms | seated | database writes | round intents | recording MB/h |\n");
    std::printf("|---:|---:|---:|---:|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (std::uint32_t n : sizes)
     for (unsigned threads : threadCounts)
      for (bool sealed : modes)
        for (bool att : attendanceModes)
          for (bool round : clinicModes)
            for (bool rec : recordModes) {
            const Result r = runRoom(n, rooms, threads, warmup, seconds, budget, seed, walkers, sealed, att, round, rec);
            std::printf("| %u | %u | %u | %u | %s | %s | %s | %s | %.3f | %.3f | %.3f | %.1f | %.1f | %.1f | %.2f | %.0f | %u | %llu | %llu | %s |\n", r.rooms, r.threads, r.participants, walkers,
                        sealed ? "on" : "off", r.attendance ? "on" : "off", r.clinic ? "on" : "off", r.record ? "on" : "off", r.tickMedianMs,
                        r.tickP99Ms, r.tickMaxMs, r.payloadKbps, r.objectKbps, r.wireKbps, r.bytesPerUpdate, r.worstStaleMs, r.seated,
                        static_cast<unsigned long long>(r.dbWrites), static_cast<unsigned long long>(r.roundIntents),
                        r.record ? std::to_string(r.recordMBPerHour).substr(0, 6).c_str() : "-");
            std::fflush(stdout);
          }
    return 0;
}
