// The shipped executables as a user runs them: caseroom-server in its own
// process, bots joining it, a clean exit on SIGTERM.
#include <catch2/catch.hpp>

#include <signal.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "integration/process.h"

using caseroom::testing::slurp;
using caseroom::testing::waitExit;

namespace {
pid_t spawn(const std::vector<std::string>& args, const std::string& outFile) { return caseroom::testing::spawnLogged(args, outFile); }

// Starts caseroom-server on a free port with its state in `dir`; `port` is
// empty when it did not come up.
pid_t startServer(const std::string& dir, std::string& port) {
    // --no-db: these tests read the file audit trail (the database's is test_clinic_server's).
    const pid_t server = spawn({CASEROOM_SERVER_EXE, "--port", "0", "--port-file", dir + "/port", "--state-dir", dir, "--no-db"}, dir + "/server.log");
    port = server > 0 ? caseroom::testing::waitForLine(dir + "/port", 5.0) : std::string{};
    return server;
}
} // namespace

TEST_CASE("caseroom-server hosts bots and shuts down cleanly on SIGTERM", "[integration][process]") {
    const caseroom::testing::TempDir tmp; // holds a deployment key: removed when the test ends
    REQUIRE(!tmp.path.empty());
    const std::string d = tmp.path;
    std::string port;
    const pid_t server = startServer(d, port);
    REQUIRE(server > 0);
    REQUIRE_FALSE(port.empty());
    const pid_t bots = spawn({CASEROOM_BOTS_EXE, "--server", "127.0.0.1:" + port, "--key", d + "/caseroom.key", "--count", "4", "--duration", "3", "--quiet"}, d + "/bots.log");
    const pid_t watch = spawn({CASEROOM_BOTS_EXE, "--server", "127.0.0.1:" + port, "--key", d + "/caseroom.key", "--watch", "--duration", "3", "--print-every", "1"}, d + "/watch.log");
    REQUIRE(bots > 0);
    REQUIRE(watch > 0);
    CHECK(waitExit(bots, 10) == 0);
    CHECK(waitExit(watch, 10) == 0);
    const std::string seen = slurp(d + "/watch.log");
    INFO(seen);
    CHECK(seen.find("Bot 4") != std::string::npos);
    CHECK(seen.find("participant(s)") != std::string::npos);
    REQUIRE(kill(server, SIGTERM) == 0);
    CHECK(waitExit(server, 5) == 0);
    CHECK(slurp(d + "/server.log").find("shutting down") != std::string::npos);
}

TEST_CASE("caseroom-server explains a bad rooms file and exits non-zero", "[integration][process]") {
    const caseroom::testing::TempDir tmp; // holds a deployment key: removed when the test ends
    REQUIRE(!tmp.path.empty());
    const std::string d = tmp.path;
    {
        std::ofstream f(d + "/bad.rooms");
        f << "[room a]\nmax_participants = lots\n";
    }
    const pid_t server = spawn({CASEROOM_SERVER_EXE, "--port", "0", "--config", d + "/bad.rooms", "--state-dir", d}, d + "/server.log");
    REQUIRE(server > 0);
    CHECK(waitExit(server, 5) == 1);
    const std::string log = slurp(d + "/server.log");
    INFO(log);
    CHECK(log.find(d + "/bad.rooms:2:") != std::string::npos);
}

TEST_CASE("a coordinator's caseroom-token revoke cuts a live participant off the running server",
          "[integration][process][revocation]") {
    const caseroom::testing::TempDir tmp; // holds a deployment key: removed when the test ends
    REQUIRE(!tmp.path.empty());
    const std::string d = tmp.path;
    std::string port;
    const pid_t server = startServer(d, port);
    REQUIRE(server > 0);
    REQUIRE_FALSE(port.empty());
    // Bots minted with seed 3 are users (3 << 20) + 1 and + 2.
    const pid_t bots = spawn({CASEROOM_BOTS_EXE, "--server", "127.0.0.1:" + port, "--key", d + "/caseroom.key", "--count", "2",
                              "--seed", "3", "--duration", "8"}, d + "/bots.log");
    REQUIRE(bots > 0);
    const auto joined = [&] { return slurp(d + "/server.log").find("joined room 'demo'") != std::string::npos; };
    for (int i = 0; i < 250 && !joined(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    REQUIRE(joined());
    const auto t0 = std::chrono::steady_clock::now();
    const pid_t revoke = spawn({CASEROOM_TOKEN_EXE, "revoke", "--revocations", d + "/revocations", "--user-id",
                                std::to_string((3ull << 20) + 1), "--reason", "test"}, d + "/revoke.log");
    REQUIRE(waitExit(revoke, 5) == 0);
    const auto cut = [&] { return slurp(d + "/server.log").find("1 connection(s) closed") != std::string::npos; };
    for (int i = 0; i < 500 && !cut(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    INFO(slurp(d + "/server.log"));
    REQUIRE(cut());
    std::printf("revocation took effect %.2f s after caseroom-token revoke started\n", seconds);
    CHECK(waitExit(bots, 12) == 0);
    REQUIRE(kill(server, SIGTERM) == 0);
    CHECK(waitExit(server, 5) == 0);
    // The audit trail names it, and its chain verifies.
    const std::string audit = slurp(d + "/audit.log");
    CHECK(audit.find("kind=Revoked") != std::string::npos);
    CHECK(audit.find("kind=Joined") != std::string::npos);
    const pid_t verify = spawn({CASEROOM_AUDIT_EXE, "verify", d + "/audit.log"}, d + "/verify.log");
    CHECK(waitExit(verify, 5) == 0);
}
