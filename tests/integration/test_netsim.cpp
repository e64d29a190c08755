// The product over impaired links: the real caseroom-server (secure
// transport, keys minted in its --state-dir), caseroom-netsim in front of it,
// and real caseroom-bots processes joining through the relay. Everything on
// 127.0.0.1, every process bounded by --duration and killed past a deadline.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "integration/process.h"

using namespace caseroom::testing;

namespace {
// Processes a test started; whatever is still running at scope exit is killed.
class Processes {
public:
    ~Processes() {
        for (const pid_t p : live_) {
            kill(p, SIGKILL);
            waitpid(p, nullptr, 0);
        }
    }
    pid_t start(const std::vector<std::string>& args, const std::string& log) {
        const pid_t p = spawnLogged(args, log);
        if (p > 0) live_.push_back(p);
        return p;
    }
    int wait(pid_t p, double seconds) {
        std::erase(live_, p);
        return waitExit(p, seconds);
    }
    int stop(pid_t p, double seconds) {
        kill(p, SIGTERM);
        return wait(p, seconds);
    }

private:
    std::vector<pid_t> live_;
};


// netsim's --stats-file: one line of key=value.
std::map<std::string, double> readStats(const std::string& path) {
    std::map<std::string, double> out;
    std::istringstream in(slurp(path));
    std::string kv;
    while (in >> kv)
        if (const auto eq = kv.find('='); eq != std::string::npos) out[kv.substr(0, eq)] = std::strtod(kv.c_str() + eq + 1, nullptr);
    return out;
}

// The last "--- room as seen by ..." block that caseroom-bots --watch printed.
std::string lastRoomPrint(const std::string& watchLog) {
    const auto at = watchLog.rfind("--- room as seen by");
    return at == std::string::npos ? std::string{} : watchLog.substr(at);
}

struct Room {
    std::unique_ptr<TempDir> tmp = std::make_unique<TempDir>(); // the server's key lives here: removed at the end
    std::string dir;
    std::string serverPort;
    pid_t server = -1;
};
Room startServer(Processes& procs) {
    Room r;
    r.dir = r.tmp->path;
    REQUIRE_FALSE(r.dir.empty());
    r.server = procs.start({CASEROOM_SERVER_EXE, "--port", "0", "--port-file", r.dir + "/port", "--state-dir", r.dir + "/state"},
                           r.dir + "/server.log");
    REQUIRE(r.server > 0);
    r.serverPort = waitForLine(r.dir + "/port", 5);
    REQUIRE_FALSE(r.serverPort.empty());
    return r;
}
std::string startNetsim(Processes& procs, const Room& room, std::vector<std::string> impairments, pid_t& pid) {
    std::vector<std::string> args = {CASEROOM_NETSIM_EXE, "--server", "127.0.0.1:" + room.serverPort, "--port-file", room.dir + "/netsim.port",
                                     "--stats-file", room.dir + "/netsim.stats", "--seed", "8"};
    args.insert(args.end(), impairments.begin(), impairments.end());
    pid = procs.start(args, room.dir + "/netsim.log");
    REQUIRE(pid > 0);
    const std::string port = waitForLine(room.dir + "/netsim.port", 5);
    REQUIRE_FALSE(port.empty());
    return port;
}
} // namespace

TEST_CASE("bots join through a lossy, jittery, duplicating, reordering relay and see each other", "[integration][netsim]") {
    Processes procs;
    const Room room = startServer(procs);
    pid_t netsim = -1;
    const std::string relay = startNetsim(procs, room,
                                          {"--loss", "5", "--delay", "60", "--jitter", "20", "--duplicate", "1", "--reorder", "2",
                                           "--duration", "20"},
                                          netsim);
    const std::string key = room.dir + "/state/caseroom.key";
    const pid_t bots = procs.start({CASEROOM_BOTS_EXE, "--server", "127.0.0.1:" + relay, "--key", key, "--count", "3", "--duration", "7", "--quiet"},
                                   room.dir + "/bots.log");
    const pid_t watch = procs.start(
        {CASEROOM_BOTS_EXE, "--server", "127.0.0.1:" + relay, "--key", key, "--watch", "--duration", "7", "--print-every", "1"},
        room.dir + "/watch.log");
    REQUIRE(bots > 0);
    REQUIRE(watch > 0);
    CHECK(procs.wait(bots, 15) == 0);
    CHECK(procs.wait(watch, 15) == 0);
    CHECK(procs.stop(netsim, 5) == 0); // SIGTERM: counters on exit
    CHECK(procs.stop(room.server, 5) == 0);

    const std::string joined = slurp(room.dir + "/bots.log");
    INFO(joined);
    for (int i = 1; i <= 3; ++i) {
        CHECK(joined.find("[Bot " + std::to_string(i) + "] joined room demo") != std::string::npos);
        for (int j = 1; j <= 3; ++j)
            if (i != j) CHECK(joined.find("[Bot " + std::to_string(i) + "] Bot " + std::to_string(j) + " (") != std::string::npos);
    }
    const std::string seen = lastRoomPrint(slurp(room.dir + "/watch.log"));
    INFO(seen);
    CHECK(seen.find(": 4 participant(s)") != std::string::npos);
    for (int i = 1; i <= 3; ++i) CHECK(seen.find("Bot " + std::to_string(i)) != std::string::npos);
    CHECK(seen.find("(no state yet)") == std::string::npos);

    const auto s = readStats(room.dir + "/netsim.stats");
    INFO(slurp(room.dir + "/netsim.stats"));
    REQUIRE(s.count("up_received"));
    CHECK(s.at("clients_total") == 4);  // one upstream address per client: the server saw four
    CHECK(s.at("up_received") > 100);
    CHECK(s.at("down_received") > 100);
    CHECK(s.at("up_dropped_loss") > 0);
    CHECK(s.at("down_dropped_loss") > 0);
    CHECK(s.at("up_duplicated") + s.at("down_duplicated") > 0);
    CHECK(s.at("up_reordered") + s.at("down_reordered") > 0);
    CHECK(s.at("up_dropped_queue") == 0); // no rate limit was set
    CHECK(s.at("up_send_errors") + s.at("down_send_errors") == 0);
}

TEST_CASE("a bot on a thin rate-limited link still joins and receives the room's state", "[integration][netsim]") {
    Processes procs;
    const Room room = startServer(procs);
    pid_t netsim = -1;
    // 24 kbit/s with a 4000-byte queue: about half of what the server's
    // snapshot budget sends a watcher of a busy room (~47 kbit/s sealed, see
    // net/snapshot.h), so the queue overflows and the session must live with it.
    const double rateBytes = 24000.0 / 8.0;
    const std::string relay = startNetsim(procs, room, {"--rate", "24", "--queue", "4000", "--delay", "40", "--duration", "9"}, netsim);
    const std::string key = room.dir + "/state/caseroom.key";
    const pid_t bots = procs.start({CASEROOM_BOTS_EXE, "--server", "127.0.0.1:" + room.serverPort, "--key", key, "--count", "12", "--duration", "7",
                                    "--quiet"},
                                   room.dir + "/bots.log");
    const pid_t watch = procs.start(
        {CASEROOM_BOTS_EXE, "--server", "127.0.0.1:" + relay, "--key", key, "--watch", "--duration", "7", "--print-every", "1"},
        room.dir + "/watch.log");
    REQUIRE(bots > 0);
    REQUIRE(watch > 0);
    CHECK(procs.wait(bots, 15) == 0);
    CHECK(procs.wait(watch, 15) == 0);
    CHECK(procs.wait(netsim, 15) == 0); // stops by itself at --duration
    CHECK(procs.stop(room.server, 5) == 0);

    const std::string seen = lastRoomPrint(slurp(room.dir + "/watch.log"));
    INFO(seen);
    CHECK(seen.find(": 13 participant(s)") != std::string::npos);
    CHECK(seen.find("Bot 12") != std::string::npos);
    CHECK(seen.find("(no state yet)") == std::string::npos);

    const auto s = readStats(room.dir + "/netsim.stats");
    INFO(slurp(room.dir + "/netsim.stats"));
    REQUIRE(s.count("seconds"));
    CHECK(s.at("seconds") >= 9);
    CHECK(s.at("clients_total") == 1);
    CHECK(s.at("down_dropped_queue") > 0); // the limit bit
    CHECK(s.at("down_dropped_loss") == 0);
    // What left the relay towards the watcher never beat the rate: at most
    // rate * running time plus one datagram (ENet's are at most 4096 bytes).
    CHECK(s.at("down_bytes_sent") <= rateBytes * s.at("seconds") + 4096);
    CHECK(s.at("up_bytes_sent") <= rateBytes * s.at("seconds") + 4096);
}

TEST_CASE("caseroom-netsim refuses bad options and non-loopback servers, naming the option", "[integration][netsim]") {
    const TempDir tmp;
    const std::string d = tmp.path;
    struct Case {
        std::vector<std::string> args;
        std::string expect;
    };
    const std::vector<Case> cases = {
        {{"--server", "192.168.1.10:7777"}, "--server must be a loopback address"},
        {{"--server", "127.0.0.1:7777", "--listen", "0.0.0.0:0"}, "--listen must be a loopback address"},
        {{"--server", "127.0.0.1:0"}, "--server wants a port 1..65535"},
        {{"--server", "127.0.0.1:7777", "--up-loss", "101"}, "--up-loss"},
        {{"--server", "127.0.0.1:7777", "--down-jitter", "-3"}, "--down-jitter"},
        {{"--server", "127.0.0.1:7777", "--rate", "fast"}, "--rate"},
        {{"--server", "127.0.0.1:7777", "--queue", "0"}, "--queue"},
        {{"--server", "127.0.0.1:7777", "--burst-exit", "0"}, "--burst-exit"},
        {{"--server", "127.0.0.1:7777", "--duration", "0"}, "--duration"},
        {{"--server", "127.0.0.1:7777", "--seed", "-1"}, "--seed"},
        {{"--server", "127.0.0.1:7777", "--delay"}, "--delay needs a value"},
        {{"--server", "127.0.0.1:7777", "--lossy", "3"}, "unknown option '--lossy'"},
        {{"--loss", "3"}, "--server HOST:PORT is required"},
    };
    for (const Case& c : cases) {
        std::vector<std::string> args = {CASEROOM_NETSIM_EXE};
        args.insert(args.end(), c.args.begin(), c.args.end());
        const pid_t p = spawnLogged(args, d + "/out.log");
        REQUIRE(p > 0);
        const int rc = waitExit(p, 5);
        const std::string out = slurp(d + "/out.log");
        INFO(c.expect << " -> " << out);
        CHECK(rc == 2);
        CHECK(out.find(c.expect) != std::string::npos);
    }
    const pid_t help = spawnLogged({CASEROOM_NETSIM_EXE, "--help"}, d + "/help.log");
    CHECK(waitExit(help, 5) == 0);
    CHECK(slurp(d + "/help.log").find("burst-enter PERCENT") != std::string::npos);
}
