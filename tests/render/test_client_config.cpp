// The client's pure pieces: command-line parsing, remembered join settings,
// pasted tokens and the look/walk intent. Compiled from client/ sources
// (the client is an executable, not a library).
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <thread>
#include <filesystem>
#include <fstream>

#include "net/secure/handshake.h"
#include "net/secure/secure_transport.h"
#include "net/secure/token.h"

#include "join_settings.h"
#include "net/loopback_transport.h"
#include "session_pump.h"
#include "look.h"
#include "options.h"
#include "room_link.h"

using namespace caseroom;
using namespace caseroom::client;

namespace {
core::Result<Options> parse(std::vector<std::string> args) {
    args.insert(args.begin(), "caseroom");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    return parseOptions(static_cast<int>(argv.size()), argv.data());
}
} // namespace

TEST_CASE("client options: headless defaults and presets", "[render][client]") {
    auto o = parse({"--headless", "--camera", "overview", "--screenshot", "x.png", "--avatars", "100", "--size", "640x360"});
    REQUIRE(o.ok());
    CHECK(o->headless);
    CHECK(o->frames == 3);
    CHECK(o->camera == render::CameraPreset::Overview);
    CHECK(o->avatars == 100);
    CHECK(o->width == 640);
    CHECK(o->height == 360);
    CHECK(o->msaa == 0); // automatic
    CHECK(parse({"--bench"})->headless);
    auto w = parse({"--headless", "--connect", "h:7777", "--wait-slides", "30"});
    REQUIRE(w.ok());
    CHECK(w->waitSlides == 30.0);
    auto p = parse({"--prefetch", "--connect", "h:7777"});
    REQUIRE(p.ok());
    CHECK(p->prefetch);
    CHECK(p->headless);
}

TEST_CASE("client options: bad input names the option", "[render][client]") {
    auto bad = [](std::vector<std::string> a) {
        auto r = parse(std::move(a));
        REQUIRE_FALSE(r.ok());
        return r.error().message;
    };
    CHECK(bad({"--camera", "sideways"}).find("--camera") != std::string::npos);
    CHECK(bad({"--frames", "0"}).find("--frames") != std::string::npos);
    CHECK(bad({"--frames"}).find("needs a value") != std::string::npos);
    CHECK(bad({"--msaa", "3"}).find("--msaa") != std::string::npos);
    CHECK(bad({"--size", "big"}).find("--size") != std::string::npos);
    CHECK(bad({"--connect", "nohost"}).find("HOST:PORT") != std::string::npos);
    CHECK(bad({"--connect", "h:70000"}).find("65535") != std::string::npos);
    CHECK(bad({"--screenshot", "a.png"}).find("--headless") != std::string::npos);
    CHECK(bad({"--wat"}).find("unknown option") != std::string::npos);
    CHECK(bad({"--prefetch"}).find("--connect") != std::string::npos);
    CHECK(bad({"--headless", "--wait-slides", "5"}).find("--connect") != std::string::npos);
    CHECK(bad({"--headless", "--connect", "h:1", "--wait-slides", "0"}).find("--wait-slides") != std::string::npos);
    auto hp = parseHostPort("example.org:7777");
    REQUIRE(hp.ok());
    CHECK(hp->first == "example.org");
    CHECK(hp->second == 7777);
}

TEST_CASE("join settings: remembered between runs, pasted token never saved", "[render][client]") {
    const auto dir = std::filesystem::temp_directory_path() / ("caseroom-settings-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    JoinSettings s;
    s.server = "clinic.example:7000";
    s.room = "hepc";
    s.name = "Dr. Ada\nInjected = yes"; // a newline must not break the file
    s.tokenFile = "/home/ada/hepc.token";
    s.tokenPaste = "SECRET";
    s.slowLink = true;
    REQUIRE(saveJoinSettings(dir.string(), s).ok());
    JoinSettings back;
    REQUIRE(loadJoinSettings(dir.string(), back).ok());
    CHECK(back.slowLink);   // "my connection is slow" is remembered
    CHECK(back.server == s.server);
    CHECK(back.room == "hepc");
    CHECK(back.name == "Dr. AdaInjected = yes");
    CHECK(back.tokenFile == s.tokenFile);
    CHECK(back.tokenPaste.empty());
    std::ifstream f(dir / "client.conf");
    std::string all((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    CHECK(all.find("SECRET") == std::string::npos);
    // A missing directory is not an error: defaults.
    JoinSettings fresh;
    CHECK(loadJoinSettings((dir / "nope").string(), fresh).ok());
    CHECK(fresh.room == "demo");
    // A malformed file is an error naming the file, and defaults stay.
    { std::ofstream bad(dir / "client.conf"); bad << "[join\nserver\n"; }
    JoinSettings broken;
    auto st = loadJoinSettings(dir.string(), broken);
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().message.find("client.conf") != std::string::npos);
    std::filesystem::remove_all(dir);
    // XDG rule.
    ::setenv("XDG_CONFIG_HOME", "/tmp/xdg-test", 1);
    CHECK(settingsDir("") == "/tmp/xdg-test/caseroom");
    CHECK(settingsDir("/x") == "/x");
}

TEST_CASE("pasted tokens: base64 of the token file, with clear errors", "[render][client]") {
    auto ok = decodePastedToken("SGVs\nbG8=");
    REQUIRE(ok.ok());
    CHECK(std::string(ok->begin(), ok->end()) == "Hello");
    CHECK_FALSE(decodePastedToken("not base64!").ok());
    CHECK_FALSE(decodePastedToken("   ").ok());
    CHECK_FALSE(readTokenBytes("/nonexistent/token").ok());
    {
        // A token file others may read is refused with the fix (audit F-15).
        char path[] = "/tmp/caseroom-token-XXXXXX";
        const int fd = ::mkstemp(path);
        REQUIRE(fd >= 0);
        ::close(fd);
        REQUIRE(::chmod(path, 0644) == 0);
        const auto loose = readTokenBytes(path);
        REQUIRE_FALSE(loose.ok());
        CHECK(loose.error().message.find("chmod 600") != std::string::npos);
        REQUIRE(::chmod(path, 0600) == 0);
        CHECK(readTokenBytes(path).ok());
        ::unlink(path);
    }
    // A join without a token says what to do.
    JoinRequest req;
    req.server = "127.0.0.1:7777";
    auto link = startJoin(req, 0.0);
    REQUIRE_FALSE(link.ok());
    CHECK(link.error().message.find("connect token") != std::string::npos);
    // Garbage instead of a token is refused before any network traffic.
    req.token = {1, 2, 3};
    req.tokenSource = "junk.token";
    auto junk = startJoin(req, 0.0);
    REQUIRE_FALSE(junk.ok());
    CHECK(junk.error().message.find("junk.token") != std::string::npos);
}

TEST_CASE("invitations: the INVITE argument, a pasted link, a file or a token file", "[render][client]") {
    // The argument: one, joining at once in a window; not with --token-file.
    auto o = parse({"/home/lan/hepc.caseroom"});
    REQUIRE(o.ok());
    CHECK(o->invitation == "/home/lan/hepc.caseroom");
    CHECK(o->join);
    CHECK_FALSE(o->slowLink);
    CHECK(parse({"--slow-link", "/home/lan/hepc.caseroom"})->slowLink);
    auto h = parse({"--headless", "--frames", "5", "--screenshot", "x.png", "caseroom://h:1/r?session=1&kind=session&token=x"});
    REQUIRE(h.ok());
    CHECK(h->invitation.rfind("caseroom://", 0) == 0);
    CHECK_FALSE(h->join);
    CHECK(parse({"--prefetch", "a.caseroom"}).ok());
    CHECK(parse({"--headless", "--wait-slides", "5", "a.caseroom"}).ok());
    auto two = parse({"a.caseroom", "b.caseroom"});
    REQUIRE_FALSE(two.ok());
    CHECK(two.error().message.find("more than one invitation") != std::string::npos);
    auto both = parse({"--token-file", "t.token", "a.caseroom"});
    REQUIRE_FALSE(both.ok());
    CHECK(both.error().message.find("not both") != std::string::npos);

    // A real invitation, pasted as its link and opened as its file.
    REQUIRE(net::secure::initCrypto());
    net::secure::SystemRandom random;
    net::secure::Key key{};
    random.fill(key);
    net::secure::MintDesc m;
    m.userId = 5;
    m.displayName = "Ørsted";
    m.roomCode = "hepc";
    m.nowUnix = 1'800'000'000;
    auto tok = net::secure::mintToken(m, key, random);
    REQUIRE(tok.ok());
    net::secure::Invitation inv;
    inv.host = "clinic.example.org";
    inv.port = 7100;
    inv.room = "hepc";
    inv.sessionId = 3;
    inv.token = *tok;
    const std::string link = net::secure::encodeInvitationLink(inv);
    auto pasted = pastedJoin("\n  " + link + "  \n", "127.0.0.1:7777");
    REQUIRE(pasted.ok());
    CHECK(pasted->server == "clinic.example.org:7100"); // the invitation's, not the field's
    CHECK(pasted->fromInvitation);
    CHECK(pasted->token == net::secure::encodeTokenFile(inv.token));
    CHECK(pasted->tokenSource == "pasted link");
    auto cut = pastedJoin(link.substr(0, link.size() - 20), "127.0.0.1:7777");
    REQUIRE_FALSE(cut.ok());
    CHECK(cut.error().message.find("pasted link") != std::string::npos);
    CHECK(cut.error().message.find(link.substr(link.find("token=") + 6, 20)) == std::string::npos);
    auto b64 = pastedJoin("SGVsbG8=", "127.0.0.1:7777"); // a base64 token, as before
    REQUIRE(b64.ok());
    CHECK(b64->server == "127.0.0.1:7777");
    CHECK_FALSE(b64->fromInvitation);

    const auto dir = std::filesystem::temp_directory_path() / ("caseroom-invite-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const std::string file = (dir / "hepc.caseroom").string();
    REQUIRE(net::secure::writeInvitationFile(file, inv, "test").ok());
    auto opened = fileJoin(file, "127.0.0.1:7777");
    REQUIRE(opened.ok());
    CHECK(opened->server == "clinic.example.org:7100");
    CHECK(opened->tokenSource == file);
    // Named otherwise, an invitation is still told from a token file by its content.
    const std::string renamed = (dir / "hepc.txt").string();
    std::filesystem::copy_file(file, renamed);
    auto byContent = fileJoin(renamed, "127.0.0.1:7777");
    REQUIRE(byContent.ok());
    CHECK(byContent->fromInvitation);
    const std::string tokenFile = (dir / "t.token").string();
    REQUIRE(net::secure::writeTokenFile(tokenFile, inv.token).ok());
    auto asToken = fileJoin(tokenFile, "127.0.0.1:7777");
    REQUIRE(asToken.ok());
    CHECK_FALSE(asToken->fromInvitation);
    CHECK(asToken->server == "127.0.0.1:7777");
    auto url = fileJoin("file://" + file, "x:1");
    REQUIRE(url.ok());
    CHECK(url->fromInvitation);
    // A program credential cannot join a room.
    net::secure::Invitation program = inv;
    program.kind = "program";
    program.sessionId = 0;
    auto desk = invitationJoin(program, {}, "hcv.caseroom");
    REQUIRE_FALSE(desk.ok());
    CHECK(desk.error().message == "hcv.caseroom: a program credential (kind=program) is for the case desk; it cannot join a room");
    std::filesystem::remove_all(dir);
}

TEST_CASE("look: walking follows the view, seated heads stay in the neck's range", "[render][client]") {
    Look look;
    look.yaw = 0.0f;
    sim::MoveInput in = makeIntent(look, 1.0f, 0.0f);
    CHECK(in.move.x == Approx(0.0f).margin(1e-6));
    CHECK(in.move.y == Approx(-1.0f)); // yaw 0 walks toward -z
    in = makeIntent(look, 1.0f, 1.0f);
    CHECK(glm::length(in.move) == Approx(1.0f)); // diagonals are not faster
    applyMouse(look, 0.0f, -10000.0f);
    CHECK(look.pitch <= 1.3f);
    look.yaw = sim::kPi; // behind a seat facing yaw 0
    clampToSeat(look, 0.0f);
    CHECK(std::fabs(look.yaw) <= sim::kMaxHeadYaw + 1e-5f);
}

TEST_CASE("client timeouts nest: handshake, then join, then the headless wait", "[render][client]") {
    STATIC_REQUIRE(session::ClientTimeouts::kHandshake == net::secure::ClientHandshakeConfig{}.timeoutSeconds);
    CHECK(session::ClientDesc{}.joinTimeout == session::ClientTimeouts::kJoin);
    CHECK(Options{}.timeout == session::ClientTimeouts::kHeadlessWait);
    CHECK(parse({"--headless"})->timeout > session::ClientDesc{}.joinTimeout);
}

TEST_CASE("a server that never answers the handshake is reported as such, not as a join timeout", "[render][client]") {
    // A UDP socket that is bound and never read: datagrams vanish, nothing answers.
    const int sock = ::socket(AF_INET, SOCK_DGRAM, 0);
    REQUIRE(sock >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(sock, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(::getsockname(sock, reinterpret_cast<sockaddr*>(&addr), &len) == 0);

    REQUIRE(net::secure::initCrypto());
    net::secure::SystemRandom random;
    net::secure::Key secret{};
    random.fill(secret);
    net::secure::MintDesc m;
    m.userId = 7;
    m.displayName = "Dr Wait";
    m.roomCode = "demo";
    m.nowUnix = 1'700'000'000;
    auto token = net::secure::mintToken(m, secret, random);
    REQUIRE(token.ok());
    auto transport = net::secure::SecureTransport::createClient(*token, random);
    REQUIRE(transport.ok());
    session::ClientDesc d;
    d.roomCode = "demo";
    d.displayName = "Dr Wait";
    session::ClientSession s(**transport, d);
    s.connect({"127.0.0.1", ntohs(addr.sin_port)}, 0.0);
    // Session time is simulated: step past the handshake's timeout, not past the join's.
    double t = 0;
    while (t < session::ClientTimeouts::kJoin - 0.5 && s.state() == session::ClientState::Connecting) {
        t += 0.05;
        s.update(t);
    }
    ::close(sock);
    INFO(s.statusText());
    CHECK(t > session::ClientTimeouts::kHandshake - 0.1);
    CHECK(t < session::ClientTimeouts::kJoin);
    CHECK(s.state() != session::ClientState::Connecting);
    CHECK(s.statusText().find("join handshake") != std::string::npos);
}

TEST_CASE("the session pump drives the session on its own thread, others use it under the lock", "[render][client]") {
    net::LoopbackNetwork network(3);
    auto transport = network.createHost();
    session::ClientSession s(*transport, session::ClientDesc{});
    // Nobody listens on port 9: the loopback twin reports the connect as failed 0.5 s (simulated) later.
    s.connect({"loop", 9}, 0.0);
    std::atomic<int> calls{0};
    SessionPump pump;
    pump.start(s, [&calls] { return 0.01 * ++calls; }); // a simulated clock: 10 ms per update
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    session::ClientState state = session::ClientState::Connecting;
    while (state == session::ClientState::Connecting && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        const auto guard = pump.lock();
        state = s.state();
    }
    pump.stop();
    CHECK_FALSE(pump.running());
    CHECK(state == session::ClientState::Disconnected);
    CHECK(s.statusText().find("could not connect") != std::string::npos);
    CHECK(calls.load() >= 50);                          // it took 0.5 simulated seconds of updates
    CHECK(pump.timing().runs == static_cast<std::uint64_t>(calls.load()));
}
