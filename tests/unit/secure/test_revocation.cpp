// Revocation: the text format and its errors, the watcher that reloads the
// file when another process appends to it, and the appender's file hygiene.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "temp_dir.h"
#include "net/secure/revocation.h"

using namespace caseroom;
using namespace caseroom::net::secure;
namespace fs = std::filesystem;

namespace {

using caseroom::testing::TempDir;

// Captures error logs for the life of the object.
struct LogCapture {
    std::vector<std::string> errors;
    LogCapture() {
        core::setLogSink([this](core::LogLevel level, std::string_view text) {
            if (level == core::LogLevel::Error) errors.emplace_back(text);
        });
    }
    ~LogCapture() { core::setLogSink(nullptr); }
};

void writeFile(const std::string& path, const std::string& text, mode_t mode = 0600) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    REQUIRE(fd >= 0);
    REQUIRE(::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
    REQUIRE(::fchmod(fd, mode) == 0);
    ::close(fd);
}

// Sets the file's mtime explicitly, so a same-size rewrite within one
// timestamp tick is still seen as a change.
void setMtime(const std::string& path, std::int64_t seconds) {
    const timespec times[2] = {{seconds, 0}, {seconds, 0}};
    REQUIRE(::utimensat(AT_FDCWD, path.c_str(), times, 0) == 0);
}

std::string errorOf(std::string_view text) {
    auto r = parseRevocations(text, "revoked.txt");
    REQUIRE(!r.ok());
    return r.error().message;
}

} // namespace

TEST_CASE("revocation: the text format", "[secure][revocation]") {
    const auto r = parseRevocations("# revoked invitations\n"
                                    "\n"
                                    "token 00000000000000ff # lost laptop\n"
                                    "  token\tDEADBEEFdeadbeef\r\n"
                                    "user 42\n"
                                    "user 18446744073709551615 # max\n"
                                    "user 42 # twice is fine\n"
                                    "   # indented comment\n"
                                    "token 0000000000000001",
                                    "revoked.txt");
    REQUIRE(r.ok());
    CHECK(r->size() == 5);
    CHECK(r->revokedToken(0xff));
    CHECK(r->revokedToken(0xdeadbeefdeadbeefull));
    CHECK(r->revokedToken(1));
    CHECK(!r->revokedToken(2));
    CHECK(r->revokedUser(42));
    CHECK(r->revokedUser(18446744073709551615ull));
    CHECK(!r->revokedUser(0xff));
    CHECK(r->revoked(5, 42));
    CHECK(r->revoked(0xff, 5));
    CHECK(!r->revoked(5, 5));
    const auto empty = parseRevocations("", "empty");
    REQUIRE(empty.ok());
    CHECK(empty->empty());
}

TEST_CASE("revocation: errors name the source and the line", "[secure][revocation]") {
    CHECK(errorOf("token 00000000000000ff\n\ntoken 123\n").find("revoked.txt:3: token id must be 16 hex digits") == 0);
    CHECK(errorOf("token 00000000000000fg").find("revoked.txt:1:") == 0);
    CHECK(errorOf("token 000000000000000ff").find("revoked.txt:1:") == 0); // 17 digits
    CHECK(errorOf("token +00000000000000f").find("revoked.txt:1:") == 0);
    CHECK(errorOf("user 1\nuser -4\n").find("revoked.txt:2: user id must be a decimal") == 0);
    CHECK(errorOf("user 18446744073709551616").find("revoked.txt:1:") == 0); // 2^64
    CHECK(errorOf("user").find("revoked.txt:1:") == 0);
    CHECK(errorOf("user 1\n# c\nuser 2\nkick 5\n").find("revoked.txt:4: unknown entry 'kick'") == 0);
    CHECK(errorOf("user 5 lost laptop\n").find("revoked.txt:1: unexpected text") == 0);
    CHECK(errorOf(std::string("user 1\nuser 2\0\n", 15)).find("revoked.txt:2: NUL") == 0);
}

TEST_CASE("revocation: lines made for appending parse back", "[secure][revocation]") {
    CHECK(tokenRevocationLine(0xab) == "token 00000000000000ab");
    CHECK(tokenRevocationLine(0xab, "lost\nlaptop") == "token 00000000000000ab # lost laptop");
    CHECK(userRevocationLine(9, "  ") == "user 9");
    const auto r = parseRevocations(tokenRevocationLine(~0ull, "x # y") + "\n" + userRevocationLine(0, "left"), "made");
    REQUIRE(r.ok());
    CHECK(r->revokedToken(~0ull));
    CHECK(r->revokedUser(0));
}

TEST_CASE("revocation: appendRevocation creates 0600, appends whole lines and refuses links and open files",
          "[secure][revocation]") {
    TempDir dir;
    const mode_t old = ::umask(022);
    const std::string path = dir.file("revoked");
    REQUIRE(appendRevocation(path, tokenRevocationLine(1, "first")).ok());
    REQUIRE(appendRevocation(path, userRevocationLine(2)).ok());
    ::umask(old);
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    std::ifstream in(path);
    std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(all == "token 0000000000000001 # first\nuser 2\n");

    SECTION("a missing final newline is supplied") {
        writeFile(path, "user 3");
        REQUIRE(appendRevocation(path, "user 4").ok());
        std::ifstream f(path);
        std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
        CHECK(text == "user 3\nuser 4\n");
    }
    SECTION("a symbolic link is refused and its target untouched") {
        const std::string link = dir.file("link");
        REQUIRE(::symlink(path.c_str(), link.c_str()) == 0);
        auto s = appendRevocation(link, "user 9");
        REQUIRE(!s.ok());
        CHECK(s.error().message.find(link) != std::string::npos);
        CHECK(s.error().message.find("symbolic link") != std::string::npos);
        REQUIRE(::stat(path.c_str(), &st) == 0);
        CHECK(st.st_size == static_cast<off_t>(all.size()));
    }
    SECTION("a file group or others can read is refused") {
        REQUIRE(::chmod(path.c_str(), 0640) == 0);
        auto s = appendRevocation(path, "user 9");
        REQUIRE(!s.ok());
        CHECK(s.error().message.find(path) != std::string::npos);
        CHECK(s.error().message.find("chmod 600") != std::string::npos);
    }
    SECTION("anything but one valid entry is refused") {
        CHECK(!appendRevocation(path, "user x").ok());
        CHECK(!appendRevocation(path, "user 1\nuser 2").ok());
        CHECK(!appendRevocation(path, "# only a comment").ok());
        CHECK(!appendRevocation(path, "").ok());
        REQUIRE(::stat(path.c_str(), &st) == 0);
        CHECK(st.st_size == static_cast<off_t>(all.size()));
    }
}

TEST_CASE("revocation: the watcher picks up appended lines, keeps the old list on a bad file", "[secure][revocation]") {
    TempDir dir;
    LogCapture logs;
    const std::string path = dir.file("revoked");
    RevocationWatcher w(path, 0.5);
    CHECK(!w.poll(0.0)); // missing file: empty list, no change
    CHECK(w.list().empty());
    CHECK(w.lastError().empty());

    REQUIRE(appendRevocation(path, tokenRevocationLine(0x1234, "lost")).ok());
    CHECK(!w.poll(0.2)); // not yet time to look
    CHECK(!w.list().revokedToken(0x1234));
    CHECK(w.poll(0.6));
    CHECK(w.list().revokedToken(0x1234));
    CHECK(w.loads() == 1);
    CHECK(!w.poll(1.2)); // unchanged: not re-read
    CHECK(w.loads() == 1);

    REQUIRE(appendRevocation(path, userRevocationLine(77)).ok());
    CHECK(w.poll(1.8));
    CHECK(w.list().revokedUser(77));
    CHECK(w.list().size() == 2);

    // A bad line (a hand edit): the previous list stays, one error names file and line.
    {
        std::ofstream f(path, std::ios::app);
        f << "user seventy\n";
    }
    CHECK(!w.poll(2.4));
    CHECK(w.list().revokedUser(77));
    CHECK(w.lastError().find(path + ":3:") != std::string::npos);
    REQUIRE(logs.errors.size() == 1);
    CHECK(logs.errors[0].find(path + ":3:") != std::string::npos);
    for (double t = 3.0; t < 10.0; t += 0.5) CHECK(!w.poll(t));
    CHECK(logs.errors.size() == 1); // not repeated while the file stays the same

    // Fixed in place with the same size: the explicit mtime makes it a change.
    writeFile(path, "token 0000000000001234\nuser 77\nuser 7000000\n");
    setMtime(path, 2'000'000'000);
    CHECK(w.poll(10.0));
    CHECK(w.lastError().empty());
    CHECK(w.list().revokedUser(7000000));
    writeFile(path, "token 0000000000001234\nuser 77\nuser 7000001\n");
    setMtime(path, 2'000'000'001);
    CHECK(w.poll(10.5));
    CHECK(w.list().revokedUser(7000001));
    CHECK(!w.list().revokedUser(7000000));

    // Others may write it: refused, previous list kept.
    REQUIRE(::chmod(path.c_str(), 0666) == 0);
    CHECK(!w.poll(11.0));
    CHECK(w.list().revokedUser(7000001));
    CHECK(w.lastError().find("chmod 600") != std::string::npos);
    REQUIRE(::chmod(path.c_str(), 0600) == 0);
    (void)w.poll(11.5);
    CHECK(w.lastError().empty());

    // Removed: an empty list.
    REQUIRE(::unlink(path.c_str()) == 0);
    CHECK(w.poll(12.0));
    CHECK(w.list().empty());
    // Replaced by a new file (new inode): read again.
    writeFile(path, "user 1\n");
    CHECK(w.poll(12.5));
    CHECK(w.list().revokedUser(1));
}
