// Starting and stopping the shipped executables from a test: spawn with
// stdout and stderr to a file, wait with a deadline (killed past it), read a
// file whole. POSIX only, like the rest of the integration tests.
#pragma once
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "temp_dir.h"

extern char** environ;

namespace caseroom::testing {

// Whether this build runs under AddressSanitizer (the asan preset): several
// times slower, so the real-time tests with hundreds of participants run a
// lighter load there (the dev preset runs the full one).
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kSanitized = true;
#else
inline constexpr bool kSanitized = false;
#endif
#else
inline constexpr bool kSanitized = false;
#endif


// Starts args[0] with args; -1 when it could not start.
inline pid_t spawnLogged(const std::vector<std::string>& args, const std::string& outFile) {
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

// Exit status (128 + signal when killed by one); -1 when it outlived `seconds`
// and was killed.
inline int waitExit(pid_t pid, double seconds) {
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

inline std::string slurp(const std::string& path) {
    std::ifstream in(path);
    return {std::istreambuf_iterator<char>(in), {}};
}

// A file that a process writes whole with a trailing newline (a port file):
// its content without the newline, or empty after `seconds`.
inline std::string waitForLine(const std::string& path, double seconds) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < end) {
        std::string s = slurp(path);
        if (!s.empty() && s.back() == '\n') {
            s.pop_back();
            return s;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return {};
}

// A started process that is killed (SIGKILL) when the test ends early, or
// stopped with SIGTERM and a deadline by stop(), which returns its exit code.
struct Proc {
    pid_t pid = -1;
    Proc() = default;
    explicit Proc(pid_t p) : pid(p) {}
    Proc(const Proc&) = delete;
    Proc& operator=(const Proc&) = delete;
    ~Proc() {
        if (pid > 0) {
            kill(pid, SIGKILL);
            waitpid(pid, nullptr, 0);
        }
    }
    int stop(double seconds) {
        kill(pid, SIGTERM);
        const int rc = waitExit(pid, seconds);
        pid = -1;
        return rc;
    }
};

} // namespace caseroom::testing
