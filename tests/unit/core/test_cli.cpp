// The executables' shared option parsing, the state-directory choice, the
// percentile definition, the log line format and the peer-limit mirror.
#include <catch2/catch.hpp>

#include <enet/protocol.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "core/capacity.h"
#include "core/cli.h"
#include "core/log.h"
#include "core/percentile.h"

using namespace caseroom::core;

TEST_CASE("cli integers: the whole string, in range, errors name option and value", "[core][cli]") {
    CHECK(*cli::parseInt("--count", "6", 1, 1000) == 6);
    CHECK(*cli::parseInt("--count", "1000", 1, 1000) == 1000);
    CHECK(*cli::parseInt("--port", "+80", 0, 65535) == 80);
    for (const char* bad : {"0", "1001", "", "5s", "abc", " 5", "5 ", "1e3", "-1", "99999999999999999999"}) {
        INFO(bad);
        const auto r = cli::parseInt("--count", bad, 1, 1000);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().message == std::string("--count: '") + bad + "' is not a whole number from 1 to 1000");
    }
}

TEST_CASE("cli unsigned 64-bit values take the full range and nothing else", "[core][cli]") {
    CHECK(*cli::parseU64("--seed", "18446744073709551615") == 18446744073709551615ull);
    CHECK(*cli::parseU64("--seed", "0") == 0);
    CHECK_FALSE(cli::parseU64("--seed", "-1").ok());
    CHECK_FALSE(cli::parseU64("--seed", "18446744073709551616").ok());
    CHECK_FALSE(cli::parseU64("--seed", "7x").ok());
}

TEST_CASE("cli numbers: '5s' and 'abc' are errors, not 5 and 0", "[core][cli]") {
    CHECK(*cli::parseNumber("--duration", "5", 0, 1e6) == Approx(5.0));
    CHECK(*cli::parseNumber("--duration", "0.25", 0, 1e6) == Approx(0.25));
    for (const char* bad : {"5s", "abc", "", "nan", "inf", "-1", " 5", "1e400"}) {
        INFO(bad);
        const auto r = cli::parseNumber("--duration", bad, 0, 1e6);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().message.rfind(std::string("--duration: '") + bad + "' is not a number from 0 to", 0) == 0);
    }
}

TEST_CASE("cli log levels and the argument cursor", "[core][cli]") {
    CHECK(*cli::parseLogLevel("--log-level", "warn") == LogLevel::Warn);
    CHECK(cli::parseLogLevel("--log-level", "loud").error().message.find("'loud' is not a log level") != std::string::npos);
    const char* argv[] = {"tool", "--count", "3", "--port"};
    cli::Args args(4, const_cast<char**>(argv));
    REQUIRE(args.next());
    CHECK(args.flag() == "--count");
    CHECK(*args.value() == "3");
    REQUIRE(args.next());
    CHECK(args.flag() == "--port");
    CHECK(args.value().error().message == "--port needs a value");
    CHECK_FALSE(args.next());
}

TEST_CASE("the server's default state directory follows XDG, then root, then HOME", "[core][cli]") {
    CHECK(cli::defaultStateDir("/x/state", "/home/ann", false) == "/x/state/caseroom");
    CHECK(cli::defaultStateDir("/x/state", "/home/ann", true) == "/x/state/caseroom");
    CHECK(cli::defaultStateDir(nullptr, "/home/ann", true) == "/var/lib/caseroom");
    CHECK(cli::defaultStateDir("", "/home/ann", false) == "/home/ann/.local/state/caseroom");
    CHECK(cli::defaultStateDir("relative", "/home/ann", false) == "/home/ann/.local/state/caseroom"); // XDG: relative is ignored
    CHECK(cli::defaultStateDir(nullptr, nullptr, false).empty());
    CHECK(cli::defaultStateDir(nullptr, "", false).empty());
}

TEST_CASE("the state directory is created with its parents, private", "[core][cli]") {
    char tmpl[] = "/tmp/caseroom-cli-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    const std::string base = tmpl;
    const std::string dir = base + "/a/b/caseroom";
    REQUIRE(cli::makeStateDir(dir).ok());
    struct stat st {};
    REQUIRE(::stat(dir.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0700);
    CHECK(cli::makeStateDir(dir).ok()); // already there
    CHECK_FALSE(cli::makeStateDir("").ok());
    const std::string file = base + "/file";
    REQUIRE(std::system(("touch " + file).c_str()) == 0);
    CHECK(cli::makeStateDir(file).error().message.find("not a directory") != std::string::npos);
    REQUIRE(std::system(("rm -rf " + base).c_str()) == 0);
}

TEST_CASE("percentile is nearest rank", "[core]") {
    CHECK(percentile({}, 0.5) == 0.0);
    CHECK(percentile({7}, 0.99) == 7.0);
    std::vector<double> v;
    for (int i = 100; i >= 1; --i) v.push_back(i); // 1..100, unsorted
    CHECK(percentile(v, 0.5) == 50.0);
    CHECK(percentile(v, 0.99) == 99.0);
    CHECK(percentile(v, 1.0) == 100.0);
    CHECK(percentile(v, 0.0) == 1.0);
    CHECK(percentile({1, 2, 3, 4}, 0.5) == 2.0);
}

TEST_CASE("log lines carry an ISO-8601 UTC timestamp with milliseconds", "[core]") {
    char out[kTimestampChars + 1];
    formatUtcTimestamp(0, out);
    CHECK(std::string(out) == "1970-01-01T00:00:00.000Z");
    formatUtcTimestamp(1700000000123, out);
    CHECK(std::string(out) == "2023-11-14T22:13:20.123Z");
    formatUtcTimestamp(1709251199999, out); // the last millisecond of 29 February 2024
    CHECK(std::string(out) == "2024-02-29T23:59:59.999Z");
    CHECK(formatLogLine(1700000000123, LogLevel::Warn, "disk full") == "2023-11-14T22:13:20.123Z [warn] disk full");
}

TEST_CASE("the server peer limits stay inside what ENet can address", "[core]") {
    STATIC_REQUIRE(kEnetMaxPeers == ENET_PROTOCOL_MAXIMUM_PEER_ID);
    STATIC_REQUIRE(kMaxServerPeers <= kEnetMaxPeers);
}

TEST_CASE("HOST:PORT needs both parts and a port from 1 to 65535", "[core][cli]") {
    auto ok = cli::parseHostPort("example.org:7777");
    REQUIRE(ok.ok());
    CHECK(ok->first == "example.org");
    CHECK(ok->second == 7777);
    CHECK(cli::parseHostPort("::1:9")->first == "::1");
    for (const char* bad : {":7777", "host", "host:", "host:0", "host:65536", "host:7x", "host:-1"}) {
        INFO(bad);
        CHECK_FALSE(cli::parseHostPort(bad).ok());
    }
}
