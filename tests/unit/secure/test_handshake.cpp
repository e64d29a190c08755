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
            (void)server.receive(out.view(), from, nowUnix, t, reply);
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
    ServerHandshake server(Keyring(f.secret), f.rnd, f.config);
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
    ServerHandshake server(Keyring(f.secret), f.rnd, f.config);
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
    SECTION("revoked") {
        f.config.revoked = [](std::uint64_t, std::uint64_t user) { return user == 7; };
        ServerHandshake strict(Keyring(f.secret), f.rnd, f.config);
        ClientHandshake client(f.mint(), f.rnd, 0.0);
        REQUIRE(runHandshake(client, strict, kAlice, kNow) == ClientHandshakeState::Refused);
        CHECK(client.refusal() == Refusal::Revoked);
        CHECK(strict.admissionCount() == 0);
    }
    SECTION("server full") {
        f.config.maxAdmissions = 1;
        ServerHandshake small(Keyring(f.secret), f.rnd, f.config);
        ClientHandshake a(f.mint(), f.rnd, 0.0);
        REQUIRE(runHandshake(a, small, kAlice, kNow) == ClientHandshakeState::Admitted);
        ClientHandshake b(f.mint(), f.rnd, 0.0);
        REQUIRE(runHandshake(b, small, kMallory, kNow) == ClientHandshakeState::Refused);
        CHECK(b.refusal() == Refusal::ServerFull);
    }
}

TEST_CASE("handshake: malformed and truncated datagrams are dropped without reply", "[secure][handshake]") {
    Fixture f;
    ServerHandshake server(Keyring(f.secret), f.rnd, f.config);
    ClientHandshake client(f.mint(), f.rnd, 0.0);
    Datagram req;
    REQUIRE(client.poll(0, req));
    for (std::size_t n = 0; n < req.size; ++n) {
        Datagram reply;
        const auto r = server.receive(std::span(req.bytes).first(n), kAlice, kNow, 0.0, reply);
        CHECK(r.event == ServerHandshakeEvent::Dropped);
        CHECK(reply.size == 0);
    }
    std::vector<std::uint8_t> longer(req.bytes.begin(), req.bytes.begin() + static_cast<long>(req.size));
    longer.push_back(0);
    Datagram reply;
    CHECK(server.receive(longer, kAlice, kNow, 0.0, reply).event == ServerHandshakeEvent::Dropped);
    const std::uint8_t unknown[] = {kPacketPrefix, 9, 0, 0};
    CHECK(server.receive(unknown, kAlice, kNow, 0.0, reply).event == ServerHandshakeEvent::Dropped);
    CHECK(server.stats().malformed >= req.size);
    CHECK(server.admissionCount() == 0);
}

TEST_CASE("handshake: a cookie only works from the address it was issued to, and only briefly", "[secure][handshake]") {
    Fixture f;
    ServerHandshake server(Keyring(f.secret), f.rnd, f.config);
    ClientHandshake client(f.mint(), f.rnd, 0.0);
    Datagram req, challenge, resp, reply;
    REQUIRE(client.poll(0, req));
    REQUIRE(server.receive(req.view(), kAlice, kNow, 0.0, challenge).event == ServerHandshakeEvent::Challenged);
    REQUIRE(challenge.size == kChallengeBytes);
    REQUIRE(challenge.size <= req.size);
    CHECK(server.admissionCount() == 0); // a challenge leaves no state behind
    REQUIRE(client.receive(challenge.view(), 0.01));
    REQUIRE(client.poll(0.01, resp));
    REQUIRE(resp.size == kResponseBytes);

    CHECK(server.receive(resp.view(), kMallory, kNow, 0.0, reply).event == ServerHandshakeEvent::Dropped);
    CHECK(server.receive(resp.view(), kAlice, kNow, 60.0, reply).event == ServerHandshakeEvent::Dropped); // cookie too old
    CHECK(server.stats().badCookies == 2);
    CHECK(server.admissionCount() == 0);

    auto flipped = resp;
    flipped.bytes[kResponseBytes - 3] ^= 4;
    CHECK(server.receive(flipped.view(), kAlice, kNow, 0.0, reply).event == ServerHandshakeEvent::Dropped);

    const auto ok = server.receive(resp.view(), kAlice, kNow + 1, 1.0, reply);
    REQUIRE(ok.event == ServerHandshakeEvent::Admitted);
    CHECK(reply.size == kAcceptedBytes);
    // A resent response is answered again and admits nothing new. The wall
    // clock stepping a day does not matter to the cookie (monotonic time).
    CHECK(server.receive(resp.view(), kAlice, kNow + 86400 / 2, 1.5, reply).event == ServerHandshakeEvent::Resent);
    CHECK(reply.size == kAcceptedBytes);
    CHECK(server.admissionCount() == 1);
    REQUIRE(client.receive(reply.view(), 0.02));
    CHECK(client.state() == ClientHandshakeState::Admitted);
}

TEST_CASE("handshake: a spoofed-source flood leaves server state unchanged and a real client still joins",
          "[secure][handshake][flood]") {
    Fixture f;
    ServerHandshake server(Keyring(f.secret), f.rnd, f.config);
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
        (void)server.receive(captured.view(), fake, kNow, 0.0, reply);
        floodBytes += captured.size;
        replyBytes += reply.size;
        CHECK(reply.size <= captured.size);

        Datagram junk;
        junk.size = 2 + spoof.below(kMaxHandshakeBytes - 2);
        junk.bytes[0] = kPacketPrefix;
        junk.bytes[1] = static_cast<std::uint8_t>(1 + spoof.below(5));
        for (std::size_t k = 2; k < junk.size; ++k) junk.bytes[k] = static_cast<std::uint8_t>(spoof.next());
        (void)server.receive(junk.view(), fake, kNow, 0.0, reply);
        floodBytes += junk.size;
        replyBytes += reply.size;

        // The real client's traffic is interleaved with the flood.
        if (i >= 1000 && i % 500 == 0 && real.state() != ClientHandshakeState::Admitted) {
            t += 0.2;
            Datagram out, r;
            if (real.poll(t, out)) {
                (void)server.receive(out.view(), kAlice, kNow, 0.0, r);
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
    // Work before proof stays inside the budget: one token open per request at most.
    CHECK(server.stats().tokenOpens <= 5000 + 20);
    server.release(server.find(kAlice)->id);
    CHECK(server.admissionCount() == 0);
}

TEST_CASE("handshake: admissions that never connect time out", "[secure][handshake]") {
    Fixture f;
    ServerHandshake server(Keyring(f.secret), f.rnd, f.config);
    ClientHandshake a(f.mint(), f.rnd, 0.0);
    ClientHandshake b(f.mint(), f.rnd, 0.0);
    REQUIRE(runHandshake(a, server, kAlice, kNow) == ClientHandshakeState::Admitted);
    REQUIRE(runHandshake(b, server, kMallory, kNow) == ClientHandshakeState::Admitted);
    CHECK(server.markConnected(server.find(kAlice)->id));
    std::vector<std::uint64_t> dropped;
    server.update(0.2 * 20 + f.config.connectTimeoutSeconds - 6, &dropped);
    CHECK(server.admissionCount() == 2);
    const std::uint64_t bobId = server.find(kMallory)->id;
    server.update(1000, &dropped);
    CHECK(server.admissionCount() == 1);
    CHECK(dropped == std::vector<std::uint64_t>{bobId});
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
        ServerHandshake server(Keyring(f.secret), f.rnd, f.config);
        ClientHandshake client(tok, f.rnd, 0.0);
        REQUIRE(runHandshake(client, server, kAlice, kNow) == ClientHandshakeState::Admitted);
        keys.push_back(server.find(kAlice)->keys);
        SecureChannel ch(server.find(kAlice)->keys);
        std::vector<std::uint8_t> pkt;
        const std::uint8_t msg[] = {'s', 'a', 'm', 'e'};
        REQUIRE(ch.seal(msg, pkt));
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
    ServerHandshake server(Keyring(f.secret), f.rnd, f.config);
    const ConnectToken tok = f.mint();
    ClientHandshake client(tok, f.rnd, 0.0);
    std::vector<std::vector<std::uint8_t>> wire; // every datagram, both directions
    double t = 0;
    for (int i = 0; i < 10 && client.state() != ClientHandshakeState::Admitted; ++i, t += 0.2) {
        Datagram out, reply;
        if (!client.poll(t, out)) continue;
        wire.emplace_back(out.bytes.begin(), out.bytes.begin() + static_cast<long>(out.size));
        (void)server.receive(out.view(), kAlice, kNow, 0.0, reply);
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
        (void)ch;
        REQUIRE(c.seal(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()), pkt));
        wire.push_back(pkt);
        REQUIRE(s.open(pkt, out) == OpenResult::Ok);
        REQUIRE(s.seal(out, pkt));
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
    ServerHandshake server(Keyring(f.secret), f.rnd, f.config);
    ClientHandshake client(f.mint("hepc-0412", kNow - 7200, 3600), f.rnd, 0.0); // expired
    Datagram req;
    REQUIRE(client.poll(0, req));
    int replies = 0;
    for (int i = 0; i < 20; ++i) {
        Datagram reply;
        const auto r = server.receive(req.view(), PeerAddress{static_cast<std::uint32_t>(i), 1}, kNow, 0.0, reply);
        CHECK(r.event == ServerHandshakeEvent::Refused);
        CHECK(r.refusal == Refusal::Expired);
        replies += reply.size ? 1 : 0;
    }
    CHECK(replies == 5);
    CHECK(server.stats().deniedSuppressed == 15);
    CHECK(server.stats().refused[static_cast<std::size_t>(Refusal::Expired)] == 20);
    Datagram later;
    (void)server.receive(req.view(), kAlice, kNow, 1.0, later);
    CHECK(later.size == kDeniedBytes);
}

TEST_CASE("handshake: a client that restarts its handshake from the same address gets fresh keys", "[secure][handshake]") {
    Fixture f;
    ServerHandshake server(Keyring(f.secret), f.rnd, f.config);
    const ConnectToken tok = f.mint();
    ClientHandshake first(tok, f.rnd, 0.0);
    REQUIRE(runHandshake(first, server, kAlice, kNow) == ClientHandshakeState::Admitted);
    const std::uint64_t firstId = server.find(kAlice)->id;
    REQUIRE(server.markConnected(firstId));
    ClientHandshake second(tok, f.rnd, 0.0);
    REQUIRE(runHandshake(second, server, kAlice, kNow + 2) == ClientHandshakeState::Admitted);
    const Admission* a = server.find(kAlice);
    REQUIRE(a != nullptr);
    CHECK(a->id != firstId);
    CHECK(server.findId(firstId) == nullptr);
    CHECK(server.admissionCount() == 1);
    CHECK(!a->connected); // the caller drops the old peer and waits for the new connect
    CHECK(a->keys.receive == second.keys().send);
    CHECK(a->keys.receive != first.keys().send);
}

namespace {
// One full handshake by hand, keeping every datagram: request, challenge, response, accepted.
struct Transcript {
    Datagram request, challenge, response, accepted;
    ServerHandshakeResult admitted;
};
Transcript handshakeByHand(ClientHandshake& client, ServerHandshake& server, PeerAddress from, double t = 0) {
    Transcript x;
    REQUIRE(client.poll(t, x.request));
    REQUIRE(server.receive(x.request.view(), from, kNow, t, x.challenge).event == ServerHandshakeEvent::Challenged);
    REQUIRE(client.receive(x.challenge.view(), t));
    REQUIRE(client.poll(t, x.response));
    x.admitted = server.receive(x.response.view(), from, kNow, t, x.accepted);
    REQUIRE(x.admitted.event == ServerHandshakeEvent::Admitted);
    REQUIRE(client.receive(x.accepted.view(), t));
    REQUIRE(client.state() == ClientHandshakeState::Admitted);
    return x;
}
} // namespace

TEST_CASE("handshake: a replayed Response never re-admits after release and never disturbs a live admission",
          "[secure][handshake][replay]") {
    Fixture f;
    ServerHandshake server(Keyring(f.secret), f.rnd, f.config);
    ClientHandshake client(f.mint(), f.rnd, 0.0);
    const Transcript x = handshakeByHand(client, server, kAlice);
    const std::uint64_t id = x.admitted.admission->id;
    REQUIRE(server.markConnected(id));
    // While live: a copy is a resend; the admission and its keys stay.
    Datagram reply;
    const auto resent = server.receive(x.response.view(), kAlice, kNow, 0.5, reply);
    CHECK(resent.event == ServerHandshakeEvent::Resent);
    REQUIRE(server.find(kAlice) != nullptr);
    CHECK(server.find(kAlice)->id == id);
    CHECK(server.find(kAlice)->connected);
    // After the connection ended, the same cookie admits nothing.
    server.release(id);
    const auto replay = server.receive(x.response.view(), kAlice, kNow, 1.0, reply);
    CHECK(replay.event == ServerHandshakeEvent::Dropped);
    CHECK(reply.size == 0);
    CHECK(server.admissionCount() == 0);
    CHECK(server.stats().reusedCookies == 1);
}

TEST_CASE("handshake: the same token proven afresh from a new address replaces the old admission",
          "[secure][handshake][replace]") {
    Fixture f;
    ServerHandshake server(Keyring(f.secret), f.rnd, f.config);
    const ConnectToken tok = f.mint();
    ClientHandshake laptop(tok, f.rnd, 0.0);
    const Transcript first = handshakeByHand(laptop, server, kAlice);
    const std::uint64_t oldId = first.admitted.admission->id;
    REQUIRE(server.markConnected(oldId));
    ClientHandshake again(tok, f.rnd, 0.0);
    const Transcript second = handshakeByHand(again, server, kMallory, 1.0);
    CHECK(second.admitted.replaced[0].id == oldId);
    CHECK(second.admitted.replaced[0].address == kAlice);
    CHECK(second.admitted.replaced[1].id == 0);
    CHECK(server.admissionCount() == 1); // one admission per token, always
    CHECK(server.find(kAlice) == nullptr);
    REQUIRE(server.find(kMallory) != nullptr);
    CHECK(server.find(kMallory)->keys.receive == again.keys().send);
    // Releasing the displaced one (its ENet peer's late disconnect) frees nothing else.
    server.release(oldId);
    CHECK(server.find(kMallory) != nullptr);
    CHECK(server.stats().replaced == 1);
}

TEST_CASE("handshake: a token file plus the deployment key plus a capture do not give the session keys",
          "[secure][handshake][forward-secrecy]") {
    Fixture f;
    ServerHandshake server(Keyring(f.secret), f.rnd, f.config);
    const ConnectToken tok = f.mint();
    ClientHandshake client(tok, f.rnd, 0.0);
    const Transcript x = handshakeByHand(client, server, kAlice);
    const SessionKeys real = client.keys();

    // What the attacker has: the token's keys (token file, or the deployment
    // key opening the token in the captured Request) and every datagram.
    KxPublic clientPublic{}, serverPublic{};
    std::copy_n(x.request.bytes.begin() + 2 + kTokenWireBytes, kKxPublicBytes, clientPublic.begin());
    XNonce nonce{};
    std::copy_n(x.challenge.bytes.begin() + 2, kXNonceBytes, nonce.begin());
    std::array<std::uint8_t, kKxPublicBytes + kCookieBytes> plain{};
    const std::array<std::uint8_t, 2> h{kPacketPrefix, static_cast<std::uint8_t>(HandshakeType::Challenge)};
    REQUIRE(xaeadOpen(plain, std::span(x.challenge.bytes).subspan(2 + kXNonceBytes, x.challenge.size - 2 - kXNonceBytes), h,
                      nonce, tok.grant.serverToClient));
    std::copy_n(plain.begin(), kKxPublicBytes, serverPublic.begin());
    // Every derivation from public material and token keys alone misses.
    KxShared none;
    const ConnectionKeys guess = deriveConnectionKeys(tok.grant.clientToServer, tok.grant.serverToClient, none,
                                                      clientPublic, serverPublic);
    CHECK(guess.clientToServer != real.send);
    CHECK(guess.serverToClient != real.receive);
    const std::span<const std::uint8_t> oldParts[] = {clientPublic, serverPublic};
    CHECK(deriveKey(tok.grant.clientToServer, oldParts) != real.send);
    // With an ephemeral secret (which only lived during the handshake) the keys follow.
    test::SeededRandom replayRnd{11};
    (void)replayRnd; // the client's secret was wiped: nothing here can recompute it
    CHECK(real.send != tok.grant.clientToServer);
    CHECK(real.receive != tok.grant.serverToClient);
}

TEST_CASE("handshake: requests from one source /24 are budgeted before any token is opened", "[secure][handshake][budget]") {
    Fixture f;
    f.config.requestsPerSourcePerSecond = 10;
    f.config.requestSourceBurst = 20;
    ServerHandshake server(Keyring(f.secret), f.rnd, f.config);
    ClientHandshake client(f.mint(), f.rnd, 0.0);
    Datagram req;
    REQUIRE(client.poll(0, req));
    int challenged = 0;
    for (int i = 0; i < 200; ++i) {
        Datagram reply;
        const PeerAddress sameNet{0x0100007F | (static_cast<std::uint32_t>(i) << 24), static_cast<std::uint16_t>(1000 + i)};
        if (server.receive(req.view(), sameNet, kNow, 0.0, reply).event == ServerHandshakeEvent::Challenged) ++challenged;
    }
    CHECK(challenged == 20);
    CHECK(server.stats().tokenOpens == 20);
    CHECK(server.stats().budgetDropped == 180);
    // Another /24 is not affected, and the budget refills with time.
    Datagram reply;
    CHECK(server.receive(req.view(), PeerAddress{0x0100A8C0, 5}, kNow, 0.0, reply).event == ServerHandshakeEvent::Challenged);
    CHECK(server.receive(req.view(), kAlice, kNow, 1.0, reply).event == ServerHandshakeEvent::Challenged);
}
