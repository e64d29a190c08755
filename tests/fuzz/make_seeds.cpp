// Writes the seed corpora for the fuzz harnesses into DIR/<harness>/:
//   caseroom_make_seeds tests/fuzz/corpus
// Seeds are small valid inputs (and a few near misses) for each decoder, made
// with the same fixed key and deterministic randomness as the harnesses.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "fuzz_common.h"
#include "net/messages.h"
#include "net/secure/handshake.h"
#include "net/secure/revocation.h"
#include "net/snapshot.h"

using namespace caseroom;
using namespace caseroom::net;
using namespace caseroom::net::secure;
namespace fs = std::filesystem;

namespace {

fs::path gRoot;

void put(const std::string& harness, const std::string& name, const std::vector<std::uint8_t>& bytes) {
    const fs::path dir = gRoot / harness;
    fs::create_directories(dir);
    std::ofstream out(dir / name, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}
void put(const std::string& harness, const std::string& name, std::span<const std::uint8_t> bytes) {
    put(harness, name, std::vector<std::uint8_t>(bytes.begin(), bytes.end()));
}
void putText(const std::string& harness, const std::string& name, const std::string& text) {
    put(harness, name, std::vector<std::uint8_t>(text.begin(), text.end()));
}

QuantizedAvatar avatar(int i) {
    QuantizedAvatar a;
    a.body = {i * 300, 0, -i * 200};
    a.yaw = static_cast<std::uint32_t>(i * 97);
    a.headOffset = {0, 1600, 0};
    a.seat = i % 3 == 0 ? kNoSeat : static_cast<std::uint32_t>(i);
    return a;
}

void snapshotsAndMessages() {
    EntityHistory history(64);
    ClientReplicator rep(64);
    std::vector<float> prio(64, 1.0f);
    std::vector<std::uint8_t> stream; // harness format for fuzz_snapshot
    std::vector<Snapshot> snaps;
    for (std::uint32_t tick = 1; tick <= 6; ++tick) {
        for (int i = 0; i < 6; ++i) {
            QuantizedAvatar a = avatar(i);
            a.body.x += static_cast<std::int32_t>(tick * 10 * (i % 2));
            if (!(tick == 5 && i == 4)) history.set(static_cast<std::uint16_t>(i), static_cast<std::uint32_t>(i + 1), a, tick);
        }
        if (tick == 5) history.remove(4, tick);
        Snapshot snap;
        rep.build(history, prio, 0, false, tick, ReplicationConfig{}, snap);
        if (tick >= 2) rep.onAck(static_cast<std::uint16_t>(snap.seq - 1), 0);
        snaps.push_back(snap);
        std::vector<std::uint8_t> one;
        one.push_back(static_cast<std::uint8_t>(snap.seq));
        one.push_back(static_cast<std::uint8_t>(snap.seq >> 8));
        one.push_back(static_cast<std::uint8_t>(snap.baselineOffset));
        one.push_back(static_cast<std::uint8_t>(snap.hasInput ? 1 : 0));
        one.push_back(static_cast<std::uint8_t>(snap.payload.size()));
        one.push_back(static_cast<std::uint8_t>(snap.payload.size() >> 8));
        one.insert(one.end(), snap.payload.begin(), snap.payload.end());
        put("fuzz_snapshot", "single-" + std::to_string(tick), one);
        stream.insert(stream.end(), one.begin(), one.end());
    }
    put("fuzz_snapshot", "sequence", stream);

    std::vector<Message> msgs;
    msgs.push_back(JoinRequest{kProtocolVersion, "demo", "Dr. Ada", Role::Specialist});
    msgs.push_back(JoinAccepted{3, 30, 1200, Role::Spoke});
    msgs.push_back(JoinRefused{JoinRefusal::RoomFull, "room demo is full"});
    RoomLayoutMsg layout;
    layout.name = "Demo";
    layout.seats = {WireSeat{1000, 2000, 5, true}, WireSeat{-1000, 2000, 9, false}};
    layout.panels = {WirePanel{0, 1500, -5900, 0, 3000, 1800}};
    msgs.push_back(layout);
    msgs.push_back(ParticipantJoined{4, "Spoke Clinician", Role::Spoke});
    msgs.push_back(ParticipantLeft{4, LeaveReason::TimedOut});
    msgs.push_back(SitRequest{7});
    msgs.push_back(StandRequest{});
    msgs.push_back(IntentRefused{IntentKind::Sit, RefusalReason::SeatTaken});
    ClientInput input;
    input.hasAck = true;
    input.ackSeq = 17;
    input.ackBits = 0xFFFF0F0F;
    input.inputs = {InputFrame{100, 50, -20, 300, 1000, -500}, InputFrame{101, 0, 127, 301, 0, 0}};
    msgs.push_back(input);
    msgs.push_back(snaps.back());
    VoiceFrame voice; // a 20 ms Opus frame's worth (24 kbit/s: ~60 bytes)
    voice.speaker = 3;
    voice.sequence = 512;
    voice.level = 200;
    voice.talkStart = true;
    voice.size = 60;
    for (std::uint16_t i = 0; i < voice.size; ++i) voice.bytes[i] = static_cast<std::uint8_t>(i * 37 + 11);
    msgs.push_back(voice);
    for (const auto& m : msgs) {
        const auto bytes = encodeMessage(m);
        std::vector<std::uint8_t> seed;
        seed.push_back(static_cast<std::uint8_t>(messageInfo(typeOf(m)).channel));
        seed.insert(seed.end(), bytes.begin(), bytes.end());
        put("fuzz_message", toString(typeOf(m)), seed);
    }
    put("fuzz_message", "empty", std::vector<std::uint8_t>{0});
}

void tokensAndHandshake() {
    const ConnectToken& tok = fuzz::token();
    auto file = encodeTokenFile(tok);
    file.insert(file.begin(), 0);
    put("fuzz_token", "token-file", file);
    file[0] = 2; // the fixed key as a previous key in a keyring of two
    put("fuzz_token", "token-file-rotated", file);
    auto old = encodeTokenFile(tok);
    old[7] = '1';
    old.insert(old.begin(), 0);
    put("fuzz_token", "token-file-format1", old);
    std::vector<std::uint8_t> priv{1};
    for (int i = 0; i < 8; ++i) priv.push_back(static_cast<std::uint8_t>(fuzz::kNow >> (8 * i)));
    std::array<std::uint8_t, kTokenPrivateBytes> plain{};
    ByteWriter w(plain);
    (void)(w.u64(1) && w.u64(2) && w.u64(fuzz::kNow) && w.u8(3) && w.u8(4) &&
           w.bytes(std::array<std::uint8_t, 4>{'d', 'e', 'm', 'o'}) && w.zeros(28) && w.u8(3) &&
           w.bytes(std::array<std::uint8_t, 3>{'b', 'o', 'b'}));
    priv.insert(priv.end(), plain.begin(), plain.end());
    put("fuzz_token", "private-part", priv);
    // The same, created a day in the future (not yet valid), under a strict policy.
    std::vector<std::uint8_t> future = priv;
    future[0] = 1 | 4 | 8;
    for (int i = 0; i < 8; ++i) future[1 + 8 + 16 + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>((fuzz::kNow + 86400) >> (8 * i));
    put("fuzz_token", "private-part-future", future);

    fuzz::Deterministic rnd(3);
    ServerHandshake server(Keyring(fuzz::secretKey()), rnd);
    ClientHandshake client(tok, rnd, 0.0);
    Datagram req, challenge, resp, accepted;
    const PeerAddress from{0x0100007F, 40000};
    (void)client.poll(0.0, req);
    (void)server.receive(req.view(), from, fuzz::kNow, 0.0, challenge);
    (void)client.receive(challenge.view(), 0.0);
    (void)client.poll(0.0, resp);
    (void)server.receive(resp.view(), from, fuzz::kNow, 0.0, accepted);
    put("fuzz_handshake", "request", req.view());
    put("fuzz_handshake", "challenge", challenge.view());
    put("fuzz_handshake", "response", resp.view());
    put("fuzz_handshake", "accepted", accepted.view());
    std::vector<std::uint8_t> denied{kPacketPrefix, 5, 1};
    denied.insert(denied.end(), tok.wire.nonce.begin(), tok.wire.nonce.begin() + 8);
    put("fuzz_handshake", "denied", denied);
    std::vector<std::uint8_t> mutation(kResponseBytes + 1, 0);
    mutation[0] = 'M';
    put("fuzz_handshake", "mutate-none", mutation);
    mutation[40] = 1;
    put("fuzz_handshake", "mutate-token", mutation);

    // Stateful handshake: op scripts (see fuzz_handshake_state.cpp).
    put("fuzz_handshake_state", "join-and-release", std::vector<std::uint8_t>{0, 0, 1, 0, 2, 0, 3, 0, 4, 0});
    put("fuzz_handshake_state", "replay-and-move", std::vector<std::uint8_t>{0, 1, 1, 1, 5, 1, 3, 1, 6, 2, 0, 2, 1, 2, 7, 1});
    // Sealed datagrams: a counter script (see fuzz_channel.cpp).
    put("fuzz_channel", "in-order", std::vector<std::uint8_t>{0, 1, 0, 2, 0, 3, 0, 4});
    put("fuzz_channel", "reorder-replay", std::vector<std::uint8_t>{0, 9, 0, 3, 0, 9, 1, 3, 0, 200, 2, 0, 0, 3});
    // The secure transport's datagram path (see fuzz_secure_poll.cpp).
    std::vector<std::uint8_t> poll{0};
    poll.insert(poll.end(), req.bytes.begin(), req.bytes.begin() + static_cast<long>(req.size));
    put("fuzz_secure_poll", "request", poll);
    put("fuzz_secure_poll", "sealed-junk", std::vector<std::uint8_t>{1, 0xC5, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8,
                                                                       9, 10, 11, 12, 13, 14, 15, 16, 17});
}

void revocations() {
    putText("fuzz_revocation", "entries", "# revoked invitations\n\ntoken 00000000000000ff # lost laptop\n"
                                          "  token\tDEADBEEFdeadbeef\r\nuser 42\nuser 18446744073709551615 # max\n");
    putText("fuzz_revocation", "made", tokenRevocationLine(0x0123456789abcdefull, "left the clinic") + "\n" +
                                       userRevocationLine(7, "shared the token") + "\n");
    putText("fuzz_revocation", "bad-token", "token 123\n");
    putText("fuzz_revocation", "bad-user", "user 18446744073709551616\n");
    putText("fuzz_revocation", "unknown", "kick 5\nuser 5 lost laptop\n");
}

void configs() {
    putText("fuzz_config", "rooms", "# rooms\n[room demo]\nname = Demo teleECHO clinic\nwidth = 16\ndepth = 12\n"
                                    "table_seats = 12\naudience_rows = 2\naudience_per_row = 10\nmax_participants = 64\n\n"
                                    "[room hepc-0412]\nname = Hepatitis C clinic\ntable_radius = 2.0\nheight = 3.5\n");
    putText("fuzz_config", "bad-key", "[room a]\ncolour = blue\n");
    putText("fuzz_config", "empty-room", "[room]\n");
    putText("fuzz_config", "limits", "[room big]\nwidth = 60\ndepth = 60\ntable_seats = 40\naudience_rows = 40\n"
                                     "audience_per_row = 60\nmax_participants = 1000\n");
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: caseroom_make_seeds CORPUS_DIR\n");
        return 2;
    }
    if (!initCrypto()) return 1;
    gRoot = argv[1];
    snapshotsAndMessages();
    tokensAndHandshake();
    configs();
    revocations();
    std::printf("seeds written under %s\n", gRoot.c_str());
    return 0;
}
