// Secure join end to end: tokens refused in plain words, nothing readable on
// the wire, tampered packets dropped, escalations refused and audited.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "core/rng.h"
#include "integration/secure_fixture.h"

using namespace caseroom;
using namespace caseroom::session;

namespace {
bool inRoom(const ClientSession& c) { return c.state() == ClientState::InRoom; }

bool contains(const std::vector<std::uint8_t>& hay, const std::string& needle) {
    return std::search(hay.begin(), hay.end(), needle.begin(), needle.end()) != hay.end();
}
} // namespace

TEST_CASE("forged, expired, wrong-room and malformed tokens are refused in plain words", "[integration][secure]") {
    test::SecureWorld w;
    net::secure::Key otherKey{};
    w.random.fill(otherKey);
    auto forged = w.mint("Mallory", core::Role::Spoke, "demo", &otherKey);
    auto expired = w.mint("Late", core::Role::Spoke, "demo", nullptr, test::unixNow() - 7200, 60);
    auto wrongRoom = w.mint("Lost", core::Role::Spoke, "cardiology");
    auto malformed = w.mint("Garbled");
    malformed.wire.sealed[5] ^= 0x40; // any change to the sealed part fails its tag
    ClientSession& a = w.join(forged);
    ClientSession& b = w.join(expired);
    ClientSession& c = w.join(wrongRoom);
    ClientSession& d = w.join(malformed);
    REQUIRE(w.until(5.0, [&] {
        return a.state() == ClientState::Refused && b.state() == ClientState::Refused && c.state() == ClientState::Refused &&
               d.state() == ClientState::Refused;
    }));
    CHECK(a.statusText().find(net::secure::describe(net::secure::Refusal::UnknownKey)) != std::string::npos);
    CHECK(b.statusText().find(net::secure::describe(net::secure::Refusal::Expired)) != std::string::npos);
    CHECK(c.statusText().find(net::secure::describe(net::secure::Refusal::WrongRoom)) != std::string::npos);
    CHECK(d.statusText().find(net::secure::describe(net::secure::Refusal::Forged)) != std::string::npos);
    CHECK(w.server->room("demo")->population() == 0);
    // And a good token still gets in.
    ClientSession& good = w.join(w.mint("Dr. Good"));
    REQUIRE(w.until(5.0, [&] { return inRoom(good); }));
}

TEST_CASE("no display name or sentence crosses the wire readable, tampered packets are dropped", "[integration][secure]") {
    const std::string sentence = "Recommend FibroScan before DAA treatment";
    const std::string name = "Dr. Sentinel Quokka";
    test::SecureWorld w(sentence); // the room's title travels to every client
    test::Relay relay(w.address.port);
    core::Rng rng(77);
    std::size_t flipped = 0, duplicated = 0;
    bool tampering = false;
    relay.tamper = [&](std::vector<std::uint8_t>& d, std::vector<std::vector<std::uint8_t>>& extra) {
        if (!tampering || d.size() < 30) return;
        if (rng.chance(0.1)) { extra.push_back(d); ++duplicated; }
        else if (rng.chance(0.25)) { // a bit flip anywhere after the prefix: ENet's header, payload or tag
            d[1 + rng.below(static_cast<std::uint32_t>(d.size() - 1))] ^= static_cast<std::uint8_t>(1u << rng.below(8));
            ++flipped;
        }
    };
    const net::Address via{"127.0.0.1", relay.port()};
    ClientSession& observed = w.join(w.mint(name), &via);
    ClientSession& peer = w.join(w.mint("Dr. Other"));
    auto pump = [&] { relay.pump(); };
    REQUIRE(w.until(5.0, [&] { return inRoom(observed) && inRoom(peer) && observed.avatars().size() == 2 && peer.avatars().size() == 2; }, pump));
    REQUIRE(observed.layout() != nullptr);
    CHECK(observed.layout()->name == sentence); // it did arrive, decrypted
    bool peerSeesName = false;
    for (const auto& a : peer.avatars()) peerSeesName |= a.name == name;
    CHECK(peerSeesName);

    tampering = true;
    sim::MoveInput walk;
    walk.move = {0.5f, -0.5f};
    observed.setIntent(walk);
    w.until(2.0, [] { return false; }, pump);
    CHECK(duplicated > 5);
    CHECK(flipped > 5);
    // Whole datagrams are sealed: every flip and every duplicate is caught
    // below ENet, and none of them costs the sender a strike.
    CHECK(w.serverT->counters().forged == flipped);
    CHECK(w.serverT->counters().replayed == duplicated);
    CHECK(w.serverT->counters().strikeDisconnects == 0);
    CHECK(inRoom(observed));
    CHECK(w.server->counters().malformed == 0); // nothing tampered reached the application

    REQUIRE(relay.captured.size() > 50);
    std::size_t withName = 0, withSentence = 0;
    for (const auto& d : relay.captured) {
        withName += contains(d, name) || contains(d, "Sentinel");
        withSentence += contains(d, sentence) || contains(d, "FibroScan");
    }
    CHECK(withName == 0);
    CHECK(withSentence == 0);
}

TEST_CASE("claiming a higher role or another name is refused and audited", "[integration][secure]") {
    test::SecureWorld w;
    ClientSession& climber = w.join(w.mint("Spoke Sam", core::Role::Spoke), nullptr,
                                    [](ClientDesc& d) { d.role = core::Role::Facilitator; });
    ClientSession& impostor = w.join(w.mint("Spoke Kim", core::Role::Spoke), nullptr,
                                     [](ClientDesc& d) { d.displayName = "Dr. Facilitator"; });
    REQUIRE(w.until(5.0, [&] { return climber.state() == ClientState::Refused && impostor.state() == ClientState::Refused; }));
    CHECK(climber.statusText().find("does not match your invitation") != std::string::npos);
    REQUIRE(w.audit.entries.size() == 2);
    bool sawRole = false, sawName = false;
    for (const auto& e : w.audit.entries) {
        sawRole |= e.who == "Spoke Sam" && e.what.find("facilitator") != std::string::npos && e.outcome.find("refused") == 0;
        sawName |= e.who == "Spoke Kim" && e.what.find("Dr. Facilitator") != std::string::npos && e.userId != 0;
    }
    CHECK(sawRole);
    CHECK(sawName);
    CHECK(w.server->room("demo")->population() == 0);
}

TEST_CASE("a joined participant cannot join again under another name", "[integration][secure]") {
    test::SecureWorld w;
    ClientSession& a = w.join(w.mint("Dr. A", core::Role::Specialist));
    ClientSession& b = w.join(w.mint("Dr. B"));
    REQUIRE(w.until(5.0, [&] { return inRoom(a) && inRoom(b) && a.avatars().size() == 2; }));
    // A speaks the protocol by hand: a second JoinRequest claiming B's name.
    net::JoinRequest again;
    again.roomCode = "demo";
    again.displayName = "Dr. B";
    again.role = core::Role::Facilitator;
    const auto bytes = net::encodeMessage(net::Message{again});
    REQUIRE(w.clientT[0]->send(core::PeerId{1}, net::Channel::Control, bytes, true));
    const auto refused = [&]() -> const AuditRecord* {
        for (const auto& e : w.audit.entries)
            if (e.kind == AuditKind::IntentRefused) return &e;
        return nullptr;
    };
    REQUIRE(w.until(3.0, [&] { return refused() != nullptr; }));
    w.until(0.5, [] { return false; });
    CHECK(refused()->what.find("second join") != std::string::npos);
    CHECK(refused()->who == "Dr. A");
    // Both joins are on the trail, each with the token id and source address.
    std::size_t joined = 0;
    for (const auto& e : w.audit.entries)
        if (e.kind == AuditKind::Joined) {
            ++joined;
            CHECK(e.tokenId != 0);
            CHECK(e.address.rfind("127.0.0.1:", 0) == 0);
        }
    CHECK(joined == 2);
    CHECK(w.server->room("demo")->population() == 2);
    CHECK(inRoom(a));
}

TEST_CASE("a flood of unauthenticated datagrams gets no peers and a real client still joins", "[integration][secure]") {
    test::SecureWorld w;
    const int sock = ::socket(AF_INET, SOCK_DGRAM, 0);
    REQUIRE(sock >= 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(w.address.port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    core::Rng rng(5);
    auto flood = [&] {
        std::uint8_t buf[400];
        for (int i = 0; i < 40; ++i) {
            const std::size_t n = 1 + rng.below(sizeof buf);
            for (std::size_t k = 0; k < n; ++k) buf[k] = static_cast<std::uint8_t>(rng.next());
            if (rng.chance(0.5)) buf[0] = net::secure::kPacketPrefix;        // handshake-looking junk
            else { buf[0] = 0x0F; buf[1] = 0xFF; }                             // ENet connect-looking junk
            ::sendto(sock, buf, n, 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
        }
    };
    const std::size_t footprint = w.serverT->handshake()->footprintBytes();
    ClientSession& real = w.join(w.mint("Dr. Real"));
    REQUIRE(w.until(5.0, [&] { return inRoom(real); }, flood));
    w.until(0.5, [] { return false; }, flood);
    ::close(sock);
    CHECK(w.serverT->handshake()->admissionCount() == 1);
    CHECK(w.serverT->handshake()->footprintBytes() <= footprint + 512); // one admission, its strings and its used cookie
    CHECK(w.server->clientCount() == 1);
    CHECK(w.serverT->counters().malformed + w.serverT->counters().unadmitted + w.serverT->handshake()->stats().malformed > 100);
}

TEST_CASE("a client whose clock reads days since boot still completes the handshake", "[integration][secure]") {
    test::SecureWorld w;
    w.clockOffset = 400000.0; // the handshake must time itself from its first poll, not from zero
    ClientSession& c = w.join(w.mint("Dr. Uptime"));
    REQUIRE(w.until(5.0, [&] { return inRoom(c); }));
}
