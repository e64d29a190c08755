// The join handshake: refusal codes end to end, reply sizes, stateless
// behaviour under a spoofed flood, cookies bound to addresses, per-start keys.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "net/secure/channel.h"
#include "net/secure/handshake.h"
#include "unit/secure/seeded_random.h"

using namespace caseroom;
using namespace caseroom::net::secure;

namespace {

constexpr std::uint64_t kNow = 1'800'000'000;

struct Fixture {
    test::SeededRandom rnd{11};
    Key secret{};
    ServerHandshakeConfig config;
    Fixture() {
        REQUIRE(initCrypto());
        rnd.fill(secret);
        config.roomHosted = [](std::string_view room) { return room == "hepc-0412" || room == "demo"; };
    }
    ConnectToken mint(std::string room = "hepc-0412", std::uint64_t now = kNow, std::uint64_t life = 3600,
                      const Key* key = nullptr) {
        MintDesc d;
        d.userId = 7;
        d.displayName = "Spoke Clinician";
        d.roomCode = std::move(room);
        d.role = core::Role::Spoke;
        d.nowUnix = now;
        d.lifetimeSeconds = life;
        auto t = mintToken(d, key ? *key : secret, rnd);
        REQUIRE(t.ok());
        return *t;
    }
};

const PeerAddress kAlice{0x0100007F, 40000};
const PeerAddress kMallory{0x0200007F, 40001};

// Runs client and server against each other until the client stops, checking
// that no reply is larger than the datagram that caused it.
ClientHandshakeState runHandshake(ClientHandshake& client, ServerHandshake& server, PeerAddress from,
                                  std::uint64_t nowUnix, int maxSteps = 20) {
    double t = 0;
    for (int i = 0; i < maxSteps; ++i, t += 0.2) {
        Datagram out, reply;
        if (client.poll(t, out)) {
            (void)server.receive(out.view(), from, nowUnix, reply);
            REQUIRE(reply.size <= out.size);
            if (reply.size) (void)client.receive(reply.view(), t);
        }
        const auto s = client.state();
        if (s == ClientHandshakeState::Admitted || s == ClientHandshakeState::Refused || s == ClientHandshakeState::TimedOut)
            return s;
    }
    return client.state();
}

} // namespace

TEST_CASE("handshake: a valid token completes and both sides hold matching keys", "[secure][handshake]") {
    Fixture f;
    ServerHandshake server(f.secret, f.rnd, f.config);
    const ConnectToken tok = f.mint();
    ClientHandshake client(tok, f.rnd, 0.0);
    REQUIRE(runHandshake(client, server, kAlice, kNow) == ClientHandshakeState::Admitted);
    const Admission* a = server.find(kAlice);
    REQUIRE(a != nullptr);
    CHECK(a->userId == 7);
    CHECK(a->displayName == "Spoke Clinician");
    CHECK(a->roomCode == "hepc-0412");
    CHECK(a->role == core::Role::Spoke);
    CHECK(a->keys.send == client.keys().receive);
    CHECK(a->keys.receive == client.keys().send);
    // Connection keys are not the token's keys.
    CHECK(client.keys().send != tok.grant.clientToServer);
    CHECK(server.admissionCount() == 1);
    CHECK(server.find(kMallory) == nullptr);
}

TEST_CASE("handshake: refused tokens reach the client with the right reason", "[secure][handshake]") {
    Fixture f;
    ServerHandshake server(f.secret, f.rnd, f.config);
    SECTION("wrong room") {
        ClientHandshake client(f.mint("cardio-0101"), f.rnd, 0.0);
        REQUIRE(runHandshake(client, server, kAlice, kNow) == ClientHandshakeState::Refused);
        CHECK(client.refusal() == Refusal::WrongRoom);
    }
    SECTION("unknown key (another deployment's key)") {
        Key other{};
        f.rnd.fill(other);
        ClientHandshake client(f.mint("hepc-0412", kNow, 3600, &other), f.rnd, 0.0);
        REQUIRE(runHandshake(client, server, kAlice, kNow) == ClientHandshakeState::Refused);
        CHECK(client.refusal() == Refusal::UnknownKey);
    }
    SECTION("expired") {
        ClientHandshake client(f.mint("hepc-0412", kNow - 7200, 3600), f.rnd, 0.0);
        REQUIRE(runHandshake(client, server, kAlice, kNow) == ClientHandshakeState::Refused);
        CHECK(client.refusal() == Refusal::Expired);
    }
    SECTION("already used from another address") {
        const ConnectToken tok = f.mint();
        ClientHandshake first(tok, f.rnd, 0.0);
        REQUIRE(runHandshake(first, server, kAlice, kNow) == ClientHandshakeState::Admitted);
        ClientHandshake second(tok, f.rnd, 0.0);
        REQUIRE(runHandshake(second, server, kMallory, kNow) == ClientHandshakeState::Refused);
        CHECK(second.refusal() == Refusal::AlreadyUsed);
        // Once the first connection ends, the invitation can be used again.
        server.release(kAlice);
        ClientHandshake third(tok, f.rnd, 0.0);
        CHECK(runHandshake(third, server, kMallory, kNow) == ClientHandshakeState::Admitted);
    }
    SECTION("server full") {
        f.config.maxAdmissions = 1;
        ServerHandshake small(f.secret, f.rnd, f.config);
        ClientHandshake a(f.mint(), f.rnd, 0.0);
        REQUIRE(runHandshake(a, small, kAlice, kNow) == ClientHandshakeState::Admitted);
        ClientHandshake b(f.mint(), f.rnd, 0.0);
        REQUIRE(runHandshake(b, small, kMallory, kNow) == ClientHandshakeState::Refused);
        CHECK(b.refusal() == Refusal::ServerFull);
    }
}

TEST_CASE("handshake: malformed and truncated datagrams are dropped without reply", "[secure][handshake]") {
    Fixture f;
    ServerHandshake server(f.secret, f.rnd, f.config);
    ClientHandshake client(f.mint(), f.rnd, 0.0);
    Datagram req;
    REQUIRE(client.poll(0, req));
    for (std::size_t n = 0; n < req.size; ++n) {
        Datagram reply;
        const auto r = server.receive(std::span(req.bytes).first(n), kAlice, kNow, reply);
        CHECK(r.event == ServerHandshakeEvent::Dropped);
        CHECK(reply.size == 0);
    }
    std::vector<std::uint8_t> longer(req.bytes.begin(), req.bytes.begin() + static_cast<long>(req.size));
    longer.push_back(0);
    Datagram reply;
    CHECK(server.receive(longer, kAlice, kNow, reply).event == ServerHandshakeEvent::Dropped);
    const std::uint8_t unknown[] = {kPacketPrefix, 9, 0, 0};
    CHECK(server.receive(unknown, kAlice, kNow, reply).event == ServerHandshakeEvent::Dropped);
    CHECK(server.stats().malformed >= req.size);
    CHECK(server.admissionCount() == 0);
}

TEST_CASE("handshake: a cookie only works from the address it was issued to, and only briefly", "[secure][handshake]") {
    Fixture f;
    ServerHandshake server(f.secret, f.rnd, f.config);
    ClientHandshake client(f.mint(), f.rnd, 0.0);
    Datagram req, challenge, resp, reply;
    REQUIRE(client.poll(0, req));
    REQUIRE(server.receive(req.view(), kAlice, kNow, challenge).event == ServerHandshakeEvent::Challenged);
    REQUIRE(challenge.size == kChallengeBytes);
    REQUIRE(challenge.size <= req.size);
    CHECK(server.admissionCount() == 0); // a challenge leaves no state behind
    REQUIRE(client.receive(challenge.view(), 0.01));
    REQUIRE(client.poll(0.01, resp));
    REQUIRE(resp.size == kResponseBytes);

    CHECK(server.receive(resp.view(), kMallory, kNow, reply).event == ServerHandshakeEvent::Dropped);
    CHECK(server.receive(resp.view(), kAlice, kNow + 60, reply).event == ServerHandshakeEvent::Dropped);
    CHECK(server.stats().badCookies == 2);
    CHECK(server.admissionCount() == 0);

    auto flipped = resp;
    flipped.bytes[kResponseBytes - 3] ^= 4;
    CHECK(server.receive(flipped.view(), kAlice, kNow, reply).event == ServerHandshakeEvent::Dropped);

    const auto ok = server.receive(resp.view(), kAlice, kNow + 1, reply);
    REQUIRE(ok.event == ServerHandshakeEvent::Admitted);
    CHECK(reply.size == kAcceptedBytes);
    // A resent response is answered again and admits nothing new.
    CHECK(server.receive(resp.view(), kAlice, kNow + 1, reply).event == ServerHandshakeEvent::Admitted);
    CHECK(server.admissionCount() == 1);
    REQUIRE(client.receive(reply.view(), 0.02));
    CHECK(client.state() == ClientHandshakeState::Admitted);
}

TEST_CASE("handshake: a spoofed-source flood leaves server state unchanged and a real client still joins",
          "[secure][handshake][flood]") {
    Fixture f;
    ServerHandshake server(f.secret, f.rnd, f.config);
    // The attacker replays a real client's captured request (valid token,
    // valid salt) and sprays garbage, from 5000 spoofed addresses each.
    const ConnectToken victimToken = f.mint();
    ClientHandshake victim(victimToken, f.rnd, 0.0);
    Datagram captured;
    REQUIRE(victim.poll(0, captured));

    const std::size_t footprintBefore = server.footprintBytes();
    const std::size_t admissionsBefore = server.admissionCount();
    core::Rng spoof(99);
    const ConnectToken realToken = f.mint("demo");
    ClientHandshake real(realToken, f.rnd, 0.0);
    double t = 0;
    std::uint64_t replyBytes = 0, floodBytes = 0;
    for (int i = 0; i < 5000; ++i) {
        const PeerAddress fake{static_cast<std::uint32_t>(spoof.next()), static_cast<std::uint16_t>(spoof.next())};
        Datagram reply;
        (void)server.receive(captured.view(), fake, kNow, reply);
        floodBytes += captured.size;
        replyBytes += reply.size;
        CHECK(reply.size <= captured.size);

        Datagram junk;
        junk.size = 2 + spoof.below(kMaxHandshakeBytes - 2);
        junk.bytes[0] = kPacketPrefix;
        junk.bytes[1] = static_cast<std::uint8_t>(1 + spoof.below(5));
        for (std::size_t k = 2; k < junk.size; ++k) junk.bytes[k] = static_cast<std::uint8_t>(spoof.next());
        (void)server.receive(junk.view(), fake, kNow, reply);
        floodBytes += junk.size;
        replyBytes += reply.size;

        // The real client's traffic is interleaved with the flood.
        if (i >= 1000 && i % 500 == 0 && real.state() != ClientHandshakeState::Admitted) {
            t += 0.2;
            Datagram out, r;
            if (real.poll(t, out)) {
                (void)server.receive(out.view(), kAlice, kNow, r);
                if (r.size) (void)real.receive(r.view(), t);
            }
        }
        if (i == 999) { // 2000 spoofed datagrams in: no per-sender state at all
            CHECK(server.footprintBytes() == footprintBefore);
            CHECK(server.admissionCount() == admissionsBefore);
            CHECK(server.stats().challenges == 1000);
        }
    }
    CHECK(real.state() == ClientHandshakeState::Admitted);
    CHECK(server.admissionCount() == 1);
    CHECK(server.find(kAlice) != nullptr);
    CHECK(replyBytes <= floodBytes);
    CHECK(server.stats().admitted == 1);
    server.release(kAlice);
    CHECK(server.admissionCount() == 0);
    CHECK(server.footprintBytes() == footprintBefore);
}

TEST_CASE("handshake: admissions that never connect time out", "[secure][handshake]") {
    Fixture f;
    ServerHandshake server(f.secret, f.rnd, f.config);
    ClientHandshake a(f.mint(), f.rnd, 0.0);
    ClientHandshake b(f.mint(), f.rnd, 0.0);
    REQUIRE(runHandshake(a, server, kAlice, kNow) == ClientHandshakeState::Admitted);
    REQUIRE(runHandshake(b, server, kMallory, kNow) == ClientHandshakeState::Admitted);
    CHECK(server.markConnected(kAlice));
    server.update(kNow + f.config.connectTimeoutSeconds - 1);
    CHECK(server.admissionCount() == 2);
    server.update(kNow + f.config.connectTimeoutSeconds);
    CHECK(server.admissionCount() == 1);
    CHECK(server.find(kAlice) != nullptr);
}

TEST_CASE("handshake: a client times out when nobody answers, and ignores foreign datagrams", "[secure][handshake]") {
    Fixture f;
    ClientHandshake client(f.mint(), f.rnd, 0.0, ClientHandshakeConfig{0.1, 1.0});
    Datagram out;
    int sent = 0;
    for (double t = 0; t < 2.0; t += 0.05)
        if (client.poll(t, out)) ++sent;
    CHECK(sent >= 9);
    CHECK(sent <= 11);
    CHECK(client.state() == ClientHandshakeState::TimedOut);

    ClientHandshake other(f.mint(), f.rnd, 0.0);
    // A denial that does not echo this client's token nonce is ignored.
    const std::uint8_t denial[kDeniedBytes] = {kPacketPrefix, 5, static_cast<std::uint8_t>(Refusal::Forged), 1, 2, 3, 4, 5, 6, 7, 8};
    CHECK(!other.receive(denial, 0.0));
    const std::uint8_t bogusChallenge[kChallengeBytes] = {kPacketPrefix, 2};
    CHECK(!other.receive(bogusChallenge, 0.0));
    CHECK(other.state() == ClientHandshakeState::SendingRequest);
}

TEST_CASE("handshake: a restarted server derives fresh keys, so no nonce is ever reused", "[secure][handshake][restart]") {
    Fixture f;
    const ConnectToken tok = f.mint();
    // Restart in the same process: same deployment key, same token, a fresh
    // ServerHandshake. The random source continues (as the system one would).
    std::vector<SessionKeys> keys;
    std::vector<std::vector<std::uint8_t>> firstPackets;
    for (int start = 0; start < 3; ++start) {
        ServerHandshake server(f.secret, f.rnd, f.config);
        ClientHandshake client(tok, f.rnd, 0.0);
        REQUIRE(runHandshake(client, server, kAlice, kNow) == ClientHandshakeState::Admitted);
        keys.push_back(server.find(kAlice)->keys);
        SecureChannel ch(server.find(kAlice)->keys);
        std::vector<std::uint8_t> pkt;
        const std::uint8_t msg[] = {'s', 'a', 'm', 'e'};
        REQUIRE(ch.seal(1, msg, pkt));
        firstPackets.push_back(pkt);
    }
    for (std::size_t i = 0; i < keys.size(); ++i)
        for (std::size_t j = i + 1; j < keys.size(); ++j) {
            CHECK(keys[i].send != keys[j].send);
            CHECK(keys[i].receive != keys[j].receive);
            // Same counter (0) and plaintext, different key: different bytes.
            CHECK(firstPackets[i] != firstPackets[j]);
        }
}

TEST_CASE("handshake: neither the display name nor a spoken sentence appears in any datagram on the wire",
          "[secure][handshake][capture]") {
    Fixture f;
    ServerHandshake server(f.secret, f.rnd, f.config);
    const ConnectToken tok = f.mint();
    ClientHandshake client(tok, f.rnd, 0.0);
    std::vector<std::vector<std::uint8_t>> wire; // every datagram, both directions
    double t = 0;
    for (int i = 0; i < 10 && client.state() != ClientHandshakeState::Admitted; ++i, t += 0.2) {
        Datagram out, reply;
        if (!client.poll(t, out)) continue;
        wire.emplace_back(out.bytes.begin(), out.bytes.begin() + static_cast<long>(out.size));
        (void)server.receive(out.view(), kAlice, kNow, reply);
        wire.emplace_back(reply.bytes.begin(), reply.bytes.begin() + static_cast<long>(reply.size));
        (void)client.receive(reply.view(), t);
    }
    REQUIRE(client.state() == ClientHandshakeState::Admitted);
    SecureChannel c(client.keys()), s(server.find(kAlice)->keys);
    const std::string sentence = "the biopsy showed stage two fibrosis";
    const std::string name = tok.grant.displayName;
    std::vector<std::uint8_t> pkt, out;
    for (std::uint8_t ch = 0; ch < 5; ++ch) {
        const std::string text = name + ": " + sentence;
        REQUIRE(c.seal(ch, std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()), pkt));
        wire.push_back(pkt);
        REQUIRE(s.open(ch, pkt, out) == OpenResult::Ok);
        REQUIRE(s.seal(ch, out, pkt));
        wire.push_back(pkt);
    }
    const auto contains = [](const std::vector<std::uint8_t>& d, const std::string& needle) {
        return std::search(d.begin(), d.end(), needle.begin(), needle.end()) != d.end();
    };
    for (const auto& d : wire) {
        CHECK(!contains(d, name));
        CHECK(!contains(d, sentence.substr(4, 12)));
        CHECK(!contains(d, tok.grant.roomCode));
    }
}

TEST_CASE("handshake: Denied replies are capped server-wide so a flood cannot use the server as a reflector",
          "[secure][handshake]") {
    Fixture f;
    f.config.deniedRepliesPerSecond = 5;
    ServerHandshake server(f.secret, f.rnd, f.config);
    ClientHandshake client(f.mint("hepc-0412", kNow - 7200, 3600), f.rnd, 0.0); // expired
    Datagram req;
    REQUIRE(client.poll(0, req));
    int replies = 0;
    for (int i = 0; i < 20; ++i) {
        Datagram reply;
        const auto r = server.receive(req.view(), PeerAddress{static_cast<std::uint32_t>(i), 1}, kNow, reply);
        CHECK(r.event == ServerHandshakeEvent::Refused);
        CHECK(r.refusal == Refusal::Expired);
        replies += reply.size ? 1 : 0;
    }
    CHECK(replies == 5);
    CHECK(server.stats().deniedSuppressed == 15);
    CHECK(server.stats().refused[static_cast<std::size_t>(Refusal::Expired)] == 20);
    Datagram later;
    (void)server.receive(req.view(), kAlice, kNow + 1, later);
    CHECK(later.size == kDeniedBytes);
}

TEST_CASE("handshake: a client that restarts its handshake from the same address gets fresh keys", "[secure][handshake]") {
    Fixture f;
    ServerHandshake server(f.secret, f.rnd, f.config);
    const ConnectToken tok = f.mint();
    ClientHandshake first(tok, f.rnd, 0.0);
    REQUIRE(runHandshake(first, server, kAlice, kNow) == ClientHandshakeState::Admitted);
    REQUIRE(server.markConnected(kAlice));
    ClientHandshake second(tok, f.rnd, 0.0);
    REQUIRE(runHandshake(second, server, kAlice, kNow + 2) == ClientHandshakeState::Admitted);
    const Admission* a = server.find(kAlice);
    REQUIRE(a != nullptr);
    CHECK(server.admissionCount() == 1);
    CHECK(!a->connected); // the caller drops the old peer and waits for the new connect
    CHECK(a->keys.receive == second.keys().send);
    CHECK(a->keys.receive != first.keys().send);
}

TEST_CASE("handshake: the ENet intercept decision lets only handshaken addresses reach ENet", "[secure][handshake]") {
    Fixture f;
    ServerHandshake server(f.secret, f.rnd, f.config);
    const std::uint8_t enetConnect[] = {0x8F, 0xFF, 0x00, 0x00, 0x82};
    const std::uint8_t handshake[] = {kPacketPrefix, 1};
    CHECK(interceptAction(handshake, kAlice, false, server) == InterceptAction::Handshake);
    CHECK(interceptAction(enetConnect, kAlice, false, server) == InterceptAction::Drop);
    CHECK(interceptAction(enetConnect, kAlice, true, server) == InterceptAction::PassToEnet);
    CHECK(interceptAction({}, kAlice, false, server) == InterceptAction::Drop);
    ClientHandshake client(f.mint(), f.rnd, 0.0);
    REQUIRE(runHandshake(client, server, kAlice, kNow) == ClientHandshakeState::Admitted);
    CHECK(interceptAction(enetConnect, kAlice, false, server) == InterceptAction::PassToEnet);
    CHECK(interceptAction(enetConnect, kMallory, false, server) == InterceptAction::Drop);
}
