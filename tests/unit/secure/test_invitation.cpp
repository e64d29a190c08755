// Invitations (net/secure/invitation.h): caseroom:// links and .caseroom
// files round trip; every malformed part of a link is refused with a message
// naming the source and the fault (never quoting the token); files are
// written 0600 and refused when others may read them; every truncation of a
// link is refused.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "net/secure/invitation.h"
#include "temp_dir.h"
#include "unit/secure/seeded_random.h"

using namespace caseroom;
using namespace caseroom::net::secure;

namespace {

constexpr std::uint64_t kNow = 1'800'000'000;

ConnectToken mint(const std::string& room, const std::string& name = "Nguyễn Thị Lan", std::uint64_t seed = 5) {
    REQUIRE(initCrypto());
    test::SeededRandom r(seed);
    Key k{};
    r.fill(k);
    MintDesc d;
    d.userId = 41;
    d.displayName = name;
    d.roomCode = room;
    d.role = core::Role::Spoke;
    d.nowUnix = kNow;
    d.lifetimeSeconds = 7200;
    auto t = mintToken(d, k, r);
    REQUIRE(t.ok());
    return *t;
}

Invitation invitation(const std::string& host = "clinic.example.org", const std::string& room = "hepc") {
    Invitation inv;
    inv.host = host;
    inv.port = 7777;
    inv.room = room;
    inv.sessionId = 42;
    inv.kind = "session";
    inv.token = mint(room);
    return inv;
}

void requireSame(const Invitation& a, const Invitation& b) {
    CHECK(a.host == b.host);
    CHECK(a.port == b.port);
    CHECK(a.room == b.room);
    CHECK(a.sessionId == b.sessionId);
    CHECK(a.kind == b.kind);
    CHECK(encodeTokenFile(a.token) == encodeTokenFile(b.token));
}

std::string tokenText(const std::string& link) { return link.substr(link.find("token=") + 6); }

// `link` with the first `from` replaced by `to`.
std::string edited(std::string link, const std::string& from, const std::string& to) {
    const auto at = link.find(from);
    REQUIRE(at != std::string::npos);
    return link.replace(at, from.size(), to);
}

mode_t modeOf(const std::string& path) {
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    return st.st_mode & 07777;
}

} // namespace

TEST_CASE("an invitation link round trips: host names, IPv4, IPv6, port range, room escapes") {
    const Invitation inv = invitation();
    const std::string link = encodeInvitationLink(inv);
    CHECK(link.rfind("caseroom://clinic.example.org:7777/hepc?session=42&kind=session&token=", 0) == 0);
    CHECK(tokenText(link).find_first_of("+/= \n") == std::string::npos); // base64url, no padding, one line
    auto back = parseInvitation(link, "test link");
    REQUIRE(back.ok());
    requireSame(inv, *back);
    CHECK(back->token.grant.displayName == "Nguyễn Thị Lan");

    for (const char* host : {"127.0.0.1", "10.0.0.255", "echo-hub", "a.b-c.d9", "2001:db8::1", "::1", "fe80::1:2:3:4"}) {
        INFO(host);
        Invitation i = invitation(host);
        for (std::uint16_t port : {std::uint16_t{1}, std::uint16_t{7777}, std::uint16_t{65535}}) {
            i.port = port;
            const std::string l = encodeInvitationLink(i);
            if (std::string(host).find(':') != std::string::npos) {
                CHECK(l.find("caseroom://[" + std::string(host) + "]:" + std::to_string(port) + "/") == 0);
                CHECK(invitationServer(i) == "[" + std::string(host) + "]:" + std::to_string(port));
            } else {
                CHECK(invitationServer(i) == std::string(host) + ":" + std::to_string(port));
            }
            auto b = parseInvitation(l, "test link");
            REQUIRE(b.ok());
            requireSame(i, *b);
        }
    }
    // A room with spaces, slashes and UTF-8 travels %-escaped.
    const Invitation odd = invitation("echo-hub", "Hép C / 2027 & co");
    const std::string oddLink = encodeInvitationLink(odd);
    CHECK(oddLink.find("/H%C3%A9p%20C%20%2F%202027%20%26%20co?") != std::string::npos);
    auto oddBack = parseInvitation(oddLink, "test link");
    REQUIRE(oddBack.ok());
    requireSame(odd, *oddBack);

    // A program credential: room "@" + program code, session 0.
    Invitation program = invitation("echo-hub", "@HCV");
    program.kind = "program";
    program.sessionId = 0;
    const std::string pl = encodeInvitationLink(program);
    CHECK(pl.find("/@HCV?session=0&kind=program&token=") != std::string::npos);
    auto pb = parseInvitation(pl, "test link");
    REQUIRE(pb.ok());
    requireSame(program, *pb);
    // ... and session= may be left out of one.
    auto noSession = parseInvitation(edited(pl, "session=0&", ""), "test link");
    REQUIRE(noSession.ok());
    CHECK(noSession->sessionId == 0);

    // Surrounding space, an upper-case scheme, comments, CRLF and a BOM are fine.
    const std::string text = "\xEF\xBB\xBF# CaseRoom invitation\r\n#  Nguyễn Thị Lan, Ørsted clinic\r\n\r\n  CASEROOM" +
                             link.substr(8) + "  \r\n\n";
    auto fromText = parseInvitation(text, "pasted");
    REQUIRE(fromText.ok());
    requireSame(inv, *fromText);
}

TEST_CASE("every malformed part of a link is refused, naming the source and the fault") {
    const Invitation inv = invitation();
    const std::string link = encodeInvitationLink(inv);
    const std::string token = tokenText(link);
    const std::string tail = "?session=42&kind=session&token=" + token;
    const std::string at = "caseroom://h.org:7777/hepc";
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"https://h.org:7777/hepc" + tail, "not a caseroom:// link"},
        {"caseroom:///hepc" + tail, "no server address after caseroom://"},
        {"caseroom://h.org/hepc" + tail, "no port after the address"},
        {"caseroom://:7777/hepc" + tail, "no server address before the port"},
        {"caseroom://h.org:0/hepc" + tail, "port '0' must be a number from 1 to 65535"},
        {"caseroom://h.org:65536/hepc" + tail, "port '65536' must be"},
        {"caseroom://h.org:77x7/hepc" + tail, "port '77x7' must be"},
        {"caseroom://h.org:/hepc" + tail, "port '' must be"},
        {"caseroom://999.1.1.1:7777/hepc" + tail, "host '999.1.1.1' is not an IPv4 address"},
        {"caseroom://1.2.3:7777/hepc" + tail, "host '1.2.3' is not an IPv4 address"},
        {"caseroom://-bad.org:7777/hepc" + tail, "host '-bad.org' is not a host name or address"},
        {"caseroom://a..b:7777/hepc" + tail, "host 'a..b' is not a host name"},
        {"caseroom://h_o.org:7777/hepc" + tail, "is not a host name"},
        {"caseroom://" + std::string(64, 'a') + ".org:7777/hepc" + tail, "is not a host name"},
        {"caseroom://2001:db8::1:7777/hepc" + tail, "an IPv6 address goes in brackets"},
        {"caseroom://[2001:db8::1:7777/hepc" + tail, "'[' without ']'"},
        {"caseroom://[zz::1]:7777/hepc" + tail, "[zz::1] is not an IPv6 address"},
        {"caseroom://[]:7777/hepc" + tail, "[] is not an IPv6 address"},
        {"caseroom://[::1]/hepc" + tail, "no port after the address"},
        {"caseroom://[::1]7777/hepc" + tail, "':' expected after ']'"},
        {"caseroom://me@h.org:7777/hepc" + tail, "may not carry a user name"},
        {"caseroom://h.org:7777" + tail, "no room code after the address"},
        {"caseroom://h.org:7777", "no room code after the address"},
        {"caseroom://h.org:7777/" + tail, "no room code after the address"},
        {"caseroom://h.org:7777/a/b" + tail, "may not contain '/'"},
        {"caseroom://h.org:7777/he%4" + tail, "broken %-escape"},
        {"caseroom://h.org:7777/he%zzpc" + tail, "broken %-escape"},
        {"caseroom://h.org:7777/he%0Apc" + tail, "1 to 32 bytes without control characters"},
        {"caseroom://h.org:7777/" + std::string(33, 'r') + tail, "1 to 32 bytes"},
        {at, "no ?session=...&kind=...&token=... after the room code"},
        {at + "?session=42&&kind=session&token=" + token, "an empty part in the query"},
        {at + tail + "&", "an empty part in the query"},
        {at + "?session=42&kind&token=" + token, "part 2 of the query has no '='"},
        // Token text cut loose (no "token=", or under another name) is never quoted back.
        {at + "?session=42&kind=session&" + token, "part 3 of the query has no '='"},
        {at + "?session=42&kind=" + token + "&token=" + token, "kind= must be session or program (got a value of "},
        {at + "?session=42&kind=session&token=x&" + token.substr(0, 30) + "=" + token.substr(30), "part 4 of the query is not"},
        {at + tail + "&colour=red", "part 4 of the query is not session=, kind= or token= (made by a newer CaseRoom?)"},
        {at + tail + "&session=43", "two session= parts"},
        {at + "?session=42&token=" + token, "no kind= part"},
        {at + "?session=42&kind=meeting&token=" + token, "kind= must be session or program (got 'meeting')"},
        {at + "?kind=session&token=" + token, "no session= part"},
        {at + "?session=-1&kind=session&token=" + token, "session= must be a whole number, 0 or more (got '-1')"},
        {at + "?session=4x2&kind=session&token=" + token, "session= must be a whole number"},
        {at + "?session=&kind=session&token=" + token, "session= must be a whole number"},
        {at + "?session=99999999999999999999&kind=session&token=" + token, "session= must be a whole number"},
        {at + "?session=0&kind=session&token=" + token, "a session invitation needs session= above 0"},
        {at + "?session=3&kind=program&token=" + token, "a program credential has session=0 (got '3')"},
        {at + "?session=0&kind=program&token=" + token, "a program credential's room starts with '@'"},
        {"caseroom://h.org:7777/@hepc" + tail, "a room starting with '@' is a program credential's"},
        {at + "?session=42&kind=session", "no token= part"},
        {at + "?session=42&kind=session&token=", "token= is empty"},
        {at + "?session=42&kind=session&token=" + token.substr(0, 40) + "+" + token.substr(41), "token= is not base64url"},
        {at + "?session=42&kind=session&token=" + token + "==", "token= is not base64url"},
        {at + "?session=42&kind=session&token=" + std::string(1100, 'A'), "token= is too long"},
        {at + "?session=42&kind=session&token=aGVsbG8gd29ybGQ", "(its token=): not a CaseRoom token (bad magic)"},
        {at + "?session=42&kind=session&token=" + token.substr(0, 400), "(its token=): truncated"},
        {"caseroom://h.org:7777/other" + tail, "the link's room 'other' is not its token's room 'hepc'"},
        {at + "?session=42&kind=session&token=" + token.substr(0, 30) + " " + token.substr(30),
         "cannot be in a link (a space or a line break"},
        {at + "?session=42\x01&kind=session&token=" + token, "cannot be in a link"},
        {at + tail + "#me", "a '#' in the link"},
        {at + "?session=42&kind=session&token=" + token + std::string(2000, 'A'), "too long to be an invitation link"},
        {"# only a comment\n\n", "no caseroom:// link in it"},
        {"", "no caseroom:// link in it"},
        {link + "\n" + link + "\n", "line 2: a second link"},
        {"# header\n" + at + "?session=42&kind=session", "line 2: no token= part"},
        {std::string(kMaxInvitationBytes + 1, '#'), "too large to be an invitation"},
    };
    for (const auto& [text, fault] : cases) {
        INFO(text.substr(0, 120));
        auto r = parseInvitation(text, "invite.caseroom");
        REQUIRE_FALSE(r.ok());
        const std::string& m = r.error().message;
        INFO(m);
        CHECK(m.find(fault) != std::string::npos);
        CHECK((m.rfind("invite.caseroom: ", 0) == 0 || m.rfind("token file invite.caseroom (its token=): ", 0) == 0));
        CHECK(m.find(token.substr(0, 24)) == std::string::npos); // the keys are never echoed
    }
}

TEST_CASE("every truncation of a link is refused, and damaged links never crash") {
    const std::string link = encodeInvitationLink(invitation("::1"));
    for (std::size_t n = 0; n < link.size(); ++n) {
        auto r = parseInvitation(std::string_view(link).substr(0, n), "cut");
        INFO(n << ": " << link.substr(0, n));
        REQUIRE_FALSE(r.ok());
        CHECK_FALSE(r.error().message.empty());
    }
    // One byte changed or dropped at every position: a clean result or a clear error.
    std::size_t refused = 0;
    for (std::size_t i = 0; i < link.size(); ++i) {
        for (const char c : {'\0', '%', '/', '?', '&', '=', 'Z', ':', ']'}) {
            std::string damaged = link;
            damaged[i] = c;
            auto r = parseInvitation(damaged, "damaged");
            if (!r.ok()) {
                ++refused;
                CHECK(r.error().message.find("damaged") != std::string::npos);
            }
        }
        std::string dropped = link;
        dropped.erase(i, 1);
        auto r = parseInvitation(dropped, "dropped");
        if (!r.ok()) CHECK(r.error().message.find("dropped") != std::string::npos);
    }
    CHECK(refused > link.size()); // most damage is caught before the token's seal
}

TEST_CASE("invitation files: atomic 0600 writes with a comment header, refused when others may read them") {
    testing::TempDir dir;
    REQUIRE(dir.ok());
    const Invitation inv = invitation("127.0.0.1");
    const std::string path = dir.file("lan.caseroom");
    REQUIRE(writeInvitationFile(path, inv, "Hepatitis C ECHO, session 42\nfor Nguyễn Thị Lan\x07 (spoke)").ok());
    CHECK(modeOf(path) == 0600);
    std::ifstream in(path);
    const std::string text{std::istreambuf_iterator<char>(in), {}};
    CHECK(text.rfind("# CaseRoom invitation.", 0) == 0);
    CHECK(text.find("\n# Hepatitis C ECHO, session 42\n# for Nguyễn Thị Lan (spoke)\ncaseroom://127.0.0.1:7777/hepc?") !=
          std::string::npos);
    CHECK(text.back() == '\n');
    auto back = readInvitationFile(path);
    REQUIRE(back.ok());
    requireSame(inv, *back);
    // The same through the argument forms a desktop or a shell gives.
    auto viaArg = loadInvitation(path);
    REQUIRE(viaArg.ok());
    requireSame(inv, *viaArg);
    auto viaUrl = loadInvitation("file://" + path);
    REQUIRE(viaUrl.ok());
    requireSame(inv, *viaUrl);
    auto viaLink = loadInvitation("  " + encodeInvitationLink(inv) + "\n");
    REQUIRE(viaLink.ok());
    requireSame(inv, *viaLink);

    // Overwriting keeps it private and whole.
    REQUIRE(writeInvitationFile(path, invitation("echo-hub"), "").ok());
    CHECK(modeOf(path) == 0600);
    REQUIRE(readInvitationFile(path).ok());
    CHECK(readInvitationFile(path)->host == "echo-hub");

    // Group or others may read it: refused, naming the file, its mode and the fix.
    REQUIRE(::chmod(path.c_str(), 0644) == 0);
    auto open = readInvitationFile(path);
    REQUIRE_FALSE(open.ok());
    CHECK(open.error().message == "invitation " + path + " has mode 0644: group or others may read the invitation's keys; "
                                  "run: chmod 600 " + path);
    REQUIRE(::chmod(path.c_str(), 0640) == 0);
    CHECK_FALSE(readInvitationFile(path).ok());
    CHECK(invitationFileModeProblem("x", 0100600).empty());
    REQUIRE(::chmod(path.c_str(), 0600) == 0);
    CHECK(readInvitationFile(path).ok());

    // A file that holds a bad link names the file and the line.
    const std::string bad = dir.file("bad.caseroom");
    {
        std::ofstream f(bad);
        f << "# header\ncaseroom://h.org:7777/hepc?session=1&kind=session\n";
    }
    REQUIRE(::chmod(bad.c_str(), 0600) == 0);
    auto badRead = readInvitationFile(bad);
    REQUIRE_FALSE(badRead.ok());
    CHECK(badRead.error().message == "invitation " + bad + ": line 2: no token= part");

    // Missing, a folder, a symbolic link to write through, an invitation that cannot be read back.
    auto missing = readInvitationFile(dir.file("none.caseroom"));
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().message.find("invitation " + dir.file("none.caseroom") + ": cannot open") == 0);
    auto folder = readInvitationFile(dir.path.string());
    REQUIRE_FALSE(folder.ok());
    CHECK(folder.error().message.find("not a regular file") != std::string::npos);
    const std::string link = dir.file("link.caseroom");
    REQUIRE(::symlink(path.c_str(), link.c_str()) == 0);
    auto through = writeInvitationFile(link, inv, "");
    REQUIRE_FALSE(through.ok());
    CHECK(through.error().message.find("invitation " + link + ": is a symbolic link") == 0);
    Invitation noHost = inv;
    noHost.host.clear();
    const std::string never = dir.file("never.caseroom");
    auto refused = writeInvitationFile(never, noHost, "");
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().message.find("no server address") != std::string::npos);
    CHECK(refused.error().message.find("(nothing written)") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(never));
    // Too large: a comment the size of a book.
    auto huge = writeInvitationFile(never, inv, std::string(kMaxInvitationBytes, 'x'));
    REQUIRE_FALSE(huge.ok());
    CHECK(huge.error().message.find("too long") != std::string::npos);
}

TEST_CASE("what looks like an invitation, and file:// URLs from a desktop") {
    for (const char* yes : {"caseroom://h:1/r", "  CASEROOM://h", "a/b.caseroom", "X.CASEROOM", "file:///tmp/a%20b.caseroom"})
        CHECK(looksLikeInvitation(yes));
    for (const char* no : {"demo.token", "caseroom", "https://caseroom.example.org", "--headless", "a.caseroom.bak", ""})
        CHECK_FALSE(looksLikeInvitation(no));
    CHECK(looksLikeInvitationLink(" caseroom://x"));
    CHECK_FALSE(looksLikeInvitationLink("x.caseroom"));

    CHECK(*pathFromFileUrl("file:///tmp/My%20Invite.caseroom") == "/tmp/My Invite.caseroom");
    CHECK(*pathFromFileUrl("file://localhost/tmp/a.caseroom") == "/tmp/a.caseroom");
    CHECK(*pathFromFileUrl("FILE:///home/l%C3%A2n/x.caseroom") == "/home/lân/x.caseroom");
    auto remote = pathFromFileUrl("file://server/tmp/a.caseroom");
    REQUIRE_FALSE(remote.ok());
    CHECK(remote.error().message.find("a file on another machine ('server')") != std::string::npos);
    CHECK(pathFromFileUrl("file:///a%2").error().message.find("broken %-escape") != std::string::npos);
    CHECK(pathFromFileUrl("file:///a%00b").error().message.find("NUL") != std::string::npos);
    CHECK(pathFromFileUrl("file://nopath").error().message.find("no path") != std::string::npos);
    CHECK(pathFromFileUrl("/tmp/a").error().message.find("not a file:// URL") != std::string::npos);
    auto badLink = loadInvitation("caseroom://h.org:7777/hepc");
    REQUIRE_FALSE(badLink.ok());
    CHECK(badLink.error().message.rfind("caseroom:// link: ", 0) == 0);
}
