// The shipped executables as a user runs them: caseroom-server in its own
// process, bots joining it, a clean exit on SIGTERM.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace {
pid_t spawn(const std::vector<std::string>& args, const std::string& outFile) {
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
int waitExit(pid_t pid, double seconds) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    int status = 0;
    while (std::chrono::steady_clock::now() < end) {
        if (waitpid(pid, &status, WNOHANG) == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return -1;
}
std::string slurp(const std::string& path) {
    std::ifstream in(path);
    return {std::istreambuf_iterator<char>(in), {}};
}
} // namespace

TEST_CASE("caseroom-server hosts bots and shuts down cleanly on SIGTERM", "[integration][process]") {
    char dir[] = "/tmp/caseroom-test-XXXXXX";
    REQUIRE(mkdtemp(dir));
    const std::string d = dir;
    const pid_t server = spawn({CASEROOM_SERVER_EXE, "--port", "0", "--port-file", d + "/port", "--state-dir", d}, d + "/server.log");
    REQUIRE(server > 0);
    std::string port;
    for (int i = 0; i < 250 && port.empty(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        port = slurp(d + "/port");
        if (!port.empty() && port.back() != '\n') port.clear();
    }
    REQUIRE_FALSE(port.empty());
    port.pop_back();
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
    char dir[] = "/tmp/caseroom-test-XXXXXX";
    REQUIRE(mkdtemp(dir));
    const std::string d = dir;
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
    char dir[] = "/tmp/caseroom-test-XXXXXX";
    REQUIRE(mkdtemp(dir));
    const std::string d = dir;
    const pid_t server = spawn({CASEROOM_SERVER_EXE, "--port", "0", "--port-file", d + "/port", "--state-dir", d}, d + "/server.log");
    REQUIRE(server > 0);
    std::string port;
    for (int i = 0; i < 250 && port.empty(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        port = slurp(d + "/port");
        if (!port.empty() && port.back() != '\n') port.clear();
    }
    REQUIRE_FALSE(port.empty());
    port.pop_back();
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
