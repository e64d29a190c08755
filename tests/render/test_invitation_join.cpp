// An invitation joins the client straight into its room, through the shipped
// executables: a real caseroom-server on loopback, invitations written with
// its deployment key (net/secure/invitation.h), caseroom-bots joining with
// --invitations DIR, then `caseroom --headless ... invite.caseroom` (and the
// same as a caseroom:// link) rendering the room; under Xvfb the windowed
// client opened with the file joins too, remembering only the file's path.
// Names are the clinic's real kind: "Nguyễn Thị Lan" and "Nguyễn Ørsted",
// each drawn with its own glyphs (the client prints the count it could not).
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "core/cli.h"
#include "integration/process.h"
#include "net/secure/invitation.h"
#include "net/secure/key_file.h"
#include "temp_dir.h"

using namespace caseroom;
using namespace caseroom::testing;
using namespace caseroom::net::secure;

namespace {

Invitation invite(const Key& key, std::uint16_t port, const std::string& name, core::Role role, std::uint64_t user) {
    SystemRandom random;
    MintDesc d;
    d.userId = user;
    d.displayName = name;
    d.roomCode = "demo";
    d.role = role;
    d.nowUnix = core::cli::unixSecondsNow();
    d.lifetimeSeconds = 3600;
    auto tok = mintToken(d, key, random);
    REQUIRE(tok.ok());
    Invitation inv;
    inv.host = "127.0.0.1";
    inv.port = port;
    inv.room = "demo";
    inv.sessionId = 7;
    inv.token = *tok;
    return inv;
}

bool waitForText(const std::string& file, const std::string& text, double seconds) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < end) {
        if (slurp(file).find(text) != std::string::npos) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
}

} // namespace

TEST_CASE("an invitation file joins the headless client straight into its room", "[render][client][invitation]") {
    TempDir dir;
    REQUIRE(dir.ok());
    REQUIRE(initCrypto());
    Proc server(spawnLogged({CASEROOM_SERVER_EXE, "--port", "0", "--port-file", dir.file("port"), "--state-dir",
                             dir.file("state"), "--log-level", "info"},
                            dir.file("server.log")));
    REQUIRE(server.pid > 0);
    const std::string portText = waitForLine(dir.file("port"), 30);
    REQUIRE_FALSE(portText.empty());
    const auto port = static_cast<std::uint16_t>(std::stoul(portText));
    auto key = loadKeyFile(dir.file("state/caseroom.key"));
    REQUIRE(key.ok());

    // A bot joins with its invitation from a folder of them.
    std::filesystem::create_directories(dir.file("bots"));
    REQUIRE(writeInvitationFile(dir.file("bots/orsted.caseroom"),
                                invite(key->bytes, port, "Nguyễn Ørsted", core::Role::Specialist, 9201), "demo, bot").ok());
    Proc bots(spawnLogged({CASEROOM_BOTS_EXE, "--invitations", dir.file("bots"), "--duration", "120", "--quiet"},
                          dir.file("bots.log")));
    REQUIRE(bots.pid > 0);
    INFO(slurp(dir.file("server.log")));
    REQUIRE(waitForText(dir.file("server.log"), "Nguyễn Ørsted", 60)); // the server logged the bot's join

    const std::string lan = dir.file("lan.caseroom");
    const Invitation inv = invite(key->bytes, port, "Nguyễn Thị Lan", core::Role::Spoke, 9202);
    REQUIRE(writeInvitationFile(lan, inv, "Hepatitis C ECHO, session 7, for Nguyễn Thị Lan").ok());
    const std::string png = dir.file("joined.png");
    int rc = waitExit(spawnLogged({CASEROOM_EXE, "--headless", "--frames", "20", "--camera", "overview", "--size", "320x180",
                                   "--screenshot", png, lan},
                                  dir.file("client.log")),
                      120);
    std::string log = slurp(dir.file("client.log"));
    INFO(log);
    CHECK(rc == 0);
    CHECK(log.find("joined room 'demo' as Nguyễn Thị Lan (spoke) in room demo: 2 participants visible") != std::string::npos);
    CHECK(log.find("name tags: 2 names, 0 characters without a glyph in the UI font") != std::string::npos);
    CHECK(std::filesystem::file_size(png) > 100);
    CHECK(log.find("caseroom://") == std::string::npos); // the link (the credential) is never logged

    // The same invitation as a link (what a desktop passes for caseroom://...).
    rc = waitExit(spawnLogged({CASEROOM_EXE, "--headless", "--frames", "2", "--size", "160x90", encodeInvitationLink(inv)},
                              dir.file("link.log")),
                  120);
    log = slurp(dir.file("link.log"));
    CHECK(rc == 0);
    CHECK(log.find("joined room 'demo' as Nguyễn Thị Lan (spoke)") != std::string::npos);
    CHECK(log.find("caseroom://") == std::string::npos);

    // An invitation others may read is refused before any connection, naming the fix.
    REQUIRE(::chmod(lan.c_str(), 0644) == 0);
    rc = waitExit(spawnLogged({CASEROOM_EXE, "--headless", "--frames", "2", "--size", "160x90", lan}, dir.file("open.log")), 120);
    log = slurp(dir.file("open.log"));
    CHECK(rc == 4);
    CHECK(log.find("invitation " + lan + " has mode 0644") != std::string::npos);
    CHECK(log.find("run: chmod 600 " + lan) != std::string::npos);
    REQUIRE(::chmod(lan.c_str(), 0600) == 0);

    // The window, opened with the file as a desktop opens it (Exec=caseroom %u, a file:// URL).
    if (std::filesystem::exists("/usr/bin/xvfb-run")) {
        rc = waitExit(spawnLogged({"/usr/bin/xvfb-run", "-a", "-s", "-screen 0 1280x800x24", CASEROOM_EXE, "--frames", "200",
                                   "--config-dir", dir.file("cfg"), "file://" + lan},
                                  dir.file("window.log")),
                      170);
        log = slurp(dir.file("window.log"));
        INFO(log);
        CHECK(rc == 0);
        CHECK(log.find("caseroom: joined as Nguyễn Thị Lan (spoke) in room demo") != std::string::npos);
        const std::string conf = slurp(dir.file("cfg/client.conf"));
        CHECK(conf.find("token_file = " + lan + "\n") != std::string::npos);
        CHECK(conf.find("server = 127.0.0.1:" + portText + "\n") != std::string::npos);
        CHECK(conf.find("caseroom://") == std::string::npos);
        // Opened with the link: it joins, and the link is not remembered.
        rc = waitExit(spawnLogged({"/usr/bin/xvfb-run", "-a", "-s", "-screen 0 1280x800x24", CASEROOM_EXE, "--frames", "200",
                                   "--config-dir", dir.file("cfg2"), encodeInvitationLink(inv)},
                                  dir.file("window2.log")),
                      170);
        log = slurp(dir.file("window2.log"));
        CHECK(rc == 0);
        CHECK(log.find("caseroom: joined as Nguyễn Thị Lan (spoke) in room demo") != std::string::npos);
        const std::string conf2 = slurp(dir.file("cfg2/client.conf"));
        CHECK(conf2.find("token_file = \n") != std::string::npos);
        CHECK(conf2.find("caseroom://") == std::string::npos);
        CHECK(conf2.find(inv.token.grant.displayName) != std::string::npos); // the token decided the name shown
    }
    CHECK(bots.stop(10) == 0);
    CHECK(server.stop(10) == 0);
}
