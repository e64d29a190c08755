// caseroom-bench-round: how long a facilitator's action takes to reach every
// participant's view of the teaching round. ServerHost and N ClientSessions
// over the loopback transport in simulated time, as caseroom-bench-state's
// twin (a 40 ms round trip, 30 Hz ticks, clients updating at 60 Hz; bots
// seated and looking about, so the snapshots carry their usual avatar
// traffic). The room holds a session plan of six cases (sim::defaultPlan);
// the facilitator (client 1) steps through it with AgendaIntent Next (and
// back with Previous), and in every phase where hands are up calls the next
// with FloorIntent CallNext. A sample is the simulated time from the send to
// the first client update after which EVERY client's ClinicViewModel shows
// the result (the agenda at the new entry; the floor held by the first
// hand). The wall-clock cost of the server's ticks is reported beside it.
// Results go to BENCHMARKS.md; this is a benchmark, not a test.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "core/cli.h"
#include "core/percentile.h"
#include "net/loopback_transport.h"
#include "session/bot_brain.h"
#include "session/client_session.h"
#include "session/server_host.h"
#include "sim/clinic_state.h"

using namespace caseroom;
namespace cli = caseroom::core::cli;
using core::percentile;

namespace {

sim::RoomSpec benchSpec(std::uint32_t n) {
    sim::RoomSpec spec;
    spec.code = "bench";
    spec.name = "bench";
    spec.maxParticipants = n;
    spec.width = n > 250 ? 40.0f : 24.0f;
    spec.depth = n > 250 ? 30.0f : 18.0f;
    spec.tableSeats = 16;
    spec.audiencePerRow = n > 250 ? 40 : 24;
    spec.audienceRows = 40;
    return spec;
}

sim::SessionPlan benchPlan() {
    std::vector<sim::AgendaEntry> cases(sim::kMaxPlanCases);
    for (std::size_t i = 0; i < cases.size(); ++i) {
        cases[i].title = "Case " + std::to_string(i + 1);
        cases[i].presenter = "Bot " + std::to_string(i + 3);
        cases[i].question = "Which regimen, and for how long?";
    }
    return sim::defaultPlan("Didactic: HCV treatment", cases);
}

struct Result {
    std::uint32_t participants = 0;
    std::vector<double> agendaMs, floorMs;    // to every view
    std::vector<double> firstMs;              // agenda: to the first two views (the facilitator's usually one)
    std::uint32_t timeouts = 0, refusals = 0;
    std::vector<double> tickMs;
};

struct Room {
    net::LoopbackNetwork network;
    std::unique_ptr<net::Transport> serverT;
    std::unique_ptr<session::ServerHost> server;
    std::vector<std::unique_ptr<net::Transport>> transports;
    std::vector<std::unique_ptr<session::ClientSession>> clients;
    std::vector<std::unique_ptr<session::BotBrain>> brains;
    double now = 0;
    std::vector<double>* tickMs = nullptr;
    explicit Room(std::uint64_t seed) : network(seed) {}

    // One simulated step (1/60 s): every client updates and thinks, the server runs.
    void step() {
        now += 1.0 / 60.0;
        for (std::size_t i = 0; i < clients.size(); ++i) {
            clients[i]->update(now);
            brains[i]->think(*clients[i], now);
        }
        const auto sentBefore = server->counters().snapshotsSent;
        const auto t0 = std::chrono::steady_clock::now();
        server->update(now);
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        if (tickMs && server->counters().snapshotsSent != sentBefore) tickMs->push_back(ms); // the updates that ran a tick
    }
    // Steps until `shown(client)` holds for every client; the simulated
    // seconds it took, or a negative number after `limit` seconds.
    double until(const std::function<bool(const session::ClientSession&)>& shown, double limit, double* first = nullptr) {
        const double start = now;
        bool any = false;
        while (now - start < limit) {
            step();
            std::size_t count = 0;
            for (const auto& c : clients) count += shown(*c);
            if (!any && first && count > 1) { *first = now - start; any = true; }
            if (count == clients.size()) return now - start;
        }
        return -1;
    }
};

Result runRound(std::uint32_t n, std::uint32_t cycles, std::uint64_t seed) {
    Room room(seed);
    room.network.setConditions({0.0, 0.02, 0.005, 0.0, 0.0}); // a 40 ms round trip, as caseroom-bench-state
    room.serverT = room.network.createHost(7777);
    session::ServerConfig cfg;
    cfg.rooms = {benchSpec(n)};
    const sim::SessionPlan plan = benchPlan();
    cfg.planFor = [plan](std::string_view) { return std::optional<sim::SessionPlan>(plan); };
    room.server = std::make_unique<session::ServerHost>(*room.serverT, cfg);
    for (std::uint32_t i = 0; i < n; ++i) {
        room.transports.push_back(room.network.createHost());
        session::ClientDesc d;
        d.roomCode = "bench";
        d.displayName = "Bot " + std::to_string(i + 1);
        d.role = i == 0 ? core::Role::Facilitator : i < 3 ? core::Role::Specialist : core::Role::Spoke;
        room.clients.push_back(std::make_unique<session::ClientSession>(*room.transports.back(), d));
        room.brains.push_back(std::make_unique<session::BotBrain>(seed * 7919 + i, i % 5 == 4));
    }
    Result r;
    r.participants = n;
    // Everyone joins (100 a second, as people arrive) and settles.
    for (std::uint32_t joined = 0; joined < n;) {
        room.step();
        while (joined < n && static_cast<double>(joined) < room.now * 100.0) room.clients[joined++]->connect({"loop", 7777}, room.now);
    }
    auto allInRoomWithPlan = [](const session::ClientSession& c) {
        return c.state() == session::ClientState::InRoom && c.clinic().agenda().hasPlan && c.clinic().entries().size() == c.clinic().agenda().entryCount;
    };
    if (room.until(allInRoomWithPlan, 30.0) < 0) {
        std::fprintf(stderr, "caseroom-bench-round: %u participants did not all join and see the plan\n", n);
        std::exit(1);
    }
    for (int i = 0; i < 120; ++i) room.step(); // two seconds to sit down
    room.tickMs = &r.tickMs;
    session::ClientSession& fac = *room.clients[0];
    const std::uint32_t entries = fac.clinic().agenda().entryCount;
    auto refusalsNow = [&] { return fac.stats().refusals; };
    const auto refusedBefore = refusalsNow();
    // One agenda step: send, then wait for every view to show the entry.
    auto agendaStep = [&](net::AgendaIntent::Op op) -> bool {
        const std::uint32_t from = fac.clinic().agenda().current;
        const std::uint32_t to = op == net::AgendaIntent::Op::Next ? from + 1 : from - 1;
        net::AgendaIntent m;
        m.op = op;
        fac.sendClinic(m);
        double first = -1;
        const double t = room.until([to](const session::ClientSession& c) { return c.clinic().agenda().current == to; }, 3.0, &first);
        if (t < 0) { ++r.timeouts; return false; }
        r.agendaMs.push_back(t * 1000.0);
        if (first >= 0) r.firstMs.push_back(first * 1000.0);
        return true;
    };
    // In a phase where hands go up: five spokes raise theirs, then the
    // facilitator calls the next, twice (the floor released in between).
    auto floorRound = [&] {
        const sim::Phase ph = fac.clinic().agenda().phase;
        if (ph != sim::Phase::Didactic && ph != sim::Phase::CaseQuestions) return;
        for (std::uint32_t k = 0; k < 5 && 3 + k * 7 < n; ++k) {
            net::FloorIntent raise;
            raise.op = net::FloorIntent::Op::Raise;
            room.clients[3 + k * 7]->sendClinic(raise);
        }
        for (int call = 0; call < 2; ++call) {
            if (room.until([](const session::ClientSession& c) { return !c.clinic().hands().entries.empty(); }, 3.0) < 0) {
                ++r.timeouts;
                return;
            }
            const core::EntityId next = fac.clinic().hands().entries.front().who;
            net::FloorIntent m;
            m.op = net::FloorIntent::Op::CallNext;
            fac.sendClinic(m);
            const double t = room.until([next](const session::ClientSession& c) { return c.clinic().moderation().floor == next; }, 3.0);
            if (t < 0) { ++r.timeouts; return; }
            r.floorMs.push_back(t * 1000.0);
            net::FloorIntent release;
            release.op = net::FloorIntent::Op::Release;
            fac.sendClinic(release);
            if (room.until([](const session::ClientSession& c) { return !c.clinic().moderation().floor.valid(); }, 3.0) < 0) ++r.timeouts;
        }
    };
    for (std::uint32_t cycle = 0; cycle < cycles; ++cycle) {
        // Forward to wrap-up (not Ended: the round would be over), then back to the introductions.
        while (fac.clinic().agenda().current + 2u < entries) {
            if (!agendaStep(net::AgendaIntent::Op::Next)) break;
            floorRound();
        }
        while (fac.clinic().agenda().current > 1) {
            if (!agendaStep(net::AgendaIntent::Op::Previous)) break;
            floorRound();
        }
    }
    r.refusals = static_cast<std::uint32_t>(refusalsNow() - refusedBefore);
    return r;
}

void usage() {
    std::puts("usage: caseroom-bench-round [options]\n"
              "\n"
              "Time from a facilitator's action (AgendaIntent Next/Previous, FloorIntent CallNext)\n"
              "to every participant's view of the teaching round showing it: ServerHost and N\n"
              "ClientSessions over the loopback transport (40 ms round trip), simulated time.\n"
              "A benchmark, not a test; results go to BENCHMARKS.md.\n"
              "\n"
              "  --sizes LIST    participants, comma-separated, 4..1000 each (default 30,200)\n"
              "  --cycles N      times through the plan and back, 1..100 (default 2)\n"
              "  --seed N        random seed (default 1)\n"
              "  --help          this text");
}

} // namespace

int main(int argc, char** argv) {
    std::vector<std::uint32_t> sizes{30, 200};
    std::uint32_t cycles = 2;
    std::uint64_t seed = 1;
    cli::Args args(argc, argv);
    auto fail = [](const core::Error& e) {
        std::fprintf(stderr, "caseroom-bench-round: %s\n", e.message.c_str());
        return 2;
    };
    while (args.next()) {
        const std::string a(args.flag());
        if (a == "--help" || a == "-h") { usage(); return 0; }
        auto v = args.value();
        if (!v) return fail(v.error());
        if (a == "--sizes") {
            sizes.clear();
            std::stringstream ss(*v);
            std::string item;
            while (std::getline(ss, item, ',')) {
                auto n = cli::parseInt(a, item, 4, 1000);
                if (!n) return fail(n.error());
                sizes.push_back(static_cast<std::uint32_t>(*n));
            }
            if (sizes.empty()) return fail(core::Error{"--sizes: give at least one size"});
        } else if (a == "--cycles") {
            auto n = cli::parseInt(a, *v, 1, 100);
            if (!n) return fail(n.error());
            cycles = static_cast<std::uint32_t>(*n);
        } else if (a == "--seed") {
            auto n = cli::parseU64(a, *v);
            if (!n) return fail(n.error());
            seed = *n;
        } else {
            return fail(core::Error{"unknown option '" + a + "' (see --help)"});
        }
    }
    std::printf("| participants | agenda samples | agenda to every view, median ms | p99 ms | to the first two views, median ms | "
                "floor samples | call-next to every view, median ms | p99 ms | timeouts | refusals | server tick median ms | p99 ms |\n");
    std::printf("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (std::uint32_t n : sizes) {
        const Result r = runRound(n, cycles, seed);
        std::printf("| %u | %zu | %.1f | %.1f | %.1f | %zu | %.1f | %.1f | %u | %u | %.3f | %.3f |\n", r.participants, r.agendaMs.size(),
                    percentile(r.agendaMs, 0.5), percentile(r.agendaMs, 0.99), percentile(r.firstMs, 0.5), r.floorMs.size(),
                    percentile(r.floorMs, 0.5), percentile(r.floorMs, 0.99), r.timeouts, r.refusals, percentile(r.tickMs, 0.5),
                    percentile(r.tickMs, 0.99));
        std::fflush(stdout);
    }
    return 0;
}
