// Writes the seed corpora for the fuzz harnesses into DIR/<harness>/:
//   caseroom_make_seeds tests/fuzz/corpus
// Seeds are small valid inputs (and a few near misses) for each decoder, made
// with the same fixed key and deterministic randomness as the harnesses.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "audio/codec.h"
#include "audio/wav.h"
#include "fixtures.h" // tests/unit/media: the media fixture makers
#include "fuzz_common.h"
#include "media/deck.h"
#include "net/messages.h"
#include "net/secure/handshake.h"
#include "net/secure/invitation.h"
#include "net/secure/revocation.h"
#include "net/snapshot.h"
#include "net/video_wire.h"
#include "session/clinic_wire.h"
#include "session/voice_wire.h"

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
    a.seat = i % 3 == 0 ? kWireStanding : static_cast<std::uint32_t>(i);
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
    PanelIntent slide;
    slide.op = PanelIntent::Op::SetSlide;
    slide.panel = 1;
    slide.index = 12;
    msgs.push_back(slide);
    LaserInput laser;
    laser.on = true;
    laser.x = 1200;
    laser.y = 1550;
    laser.z = -3000;
    laser.dx = 0;
    laser.dy = -3000;
    laser.dz = -32600;
    msgs.push_back(laser);
    core::ContentHash blob;
    for (std::size_t i = 0; i < blob.bytes.size(); ++i) blob.bytes[i] = static_cast<std::uint8_t>(0x40 + i);
    msgs.push_back(BlobRequest{blob, 4096, 32768});
    BlobChunk chunk;
    chunk.hash = blob;
    chunk.offset = 1024;
    chunk.total = 70000;
    chunk.size = 96;
    for (std::uint16_t i = 0; i < chunk.size; ++i) chunk.bytes[i] = static_cast<std::uint8_t>(i * 13 + 5);
    msgs.push_back(chunk);
    msgs.push_back(BlobUnavailable{blob});
    msgs.push_back(LinkHint{384});
    BlobPut upload;
    upload.hash = blob;
    upload.total = 70000;
    upload.size = 64;
    for (std::uint16_t i = 0; i < upload.size; ++i) upload.bytes[i] = static_cast<std::uint8_t>(i * 7 + 1);
    msgs.push_back(upload);
    msgs.push_back(DeckOffer{blob});
    msgs.push_back(UploadStatus{blob, UploadState::Refused, 65536, UploadRefusal::PngText});
    msgs.push_back(SessionExtend{30});
    // The case desk (synthetic case text only).
    CaseSubmit submit;
    submit.request = 3;
    submit.pieces = {{"age_band", false, "60-69"}, {"chief_complaint", false, "Fatigue, ALT 54"},
                     {"history", false, "67 yo M, HCV genotype 1a.\n\tTreated 2019."}};
    submit.attested = true;
    submit.decks = {blob};
    msgs.push_back(submit);
    msgs.push_back(CaseQuery{4, CaseQueryKind::Case, 12});
    CaseListing listing;
    listing.request = 4;
    listing.what = CaseQueryKind::Vetted;
    listing.cases = {{12, 3, "Nguy\xe1\xbb\x85n Th\xe1\xbb\x8b Lan", "Fatigue, ALT 54", 0}};
    msgs.push_back(listing);
    CaseReceipt receipt;
    receipt.request = 3;
    receipt.verdict = CaseVerdict::Held;
    receipt.caseId = 12;
    receipt.status = 2;
    receipt.findings = {{"history", 4, 14, 1}};
    receipt.totalFindings = 1;
    msgs.push_back(receipt);
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

// ---- seeds for the voice, WAV, client-session, replicator and pasted-token harnesses

void u16le(std::vector<std::uint8_t>& v, std::uint32_t x) {
    v.push_back(static_cast<std::uint8_t>(x));
    v.push_back(static_cast<std::uint8_t>(x >> 8));
}
void u32le(std::vector<std::uint8_t>& v, std::uint32_t x) {
    u16le(v, x & 0xFFFF);
    u16le(v, x >> 16);
}

// 20 ms Opus frames of a tone, as a speaker sends them.
std::vector<audio::VoicePacket> opusFrames(int count) {
    audio::EncoderConfig ec;
    ec.dtx = false;
    auto enc = audio::createOpusEncoder(ec);
    std::vector<audio::VoicePacket> out;
    if (!enc) return out;
    std::vector<float> pcm(audio::kMaxFrameSamples);
    for (int f = 0; f < count; ++f) {
        for (std::size_t i = 0; i < pcm.size(); ++i)
            pcm[i] = 0.3f * std::sin(static_cast<float>(static_cast<std::size_t>(f) * pcm.size() + i) * 0.04f);
        audio::VoicePacket p;
        auto n = (*enc)->encode(pcm, p.bytes);
        if (!n || *n == 0 || *n > 255) continue;
        p.size = static_cast<std::uint16_t>(*n);
        p.speaker = 2;
        p.sequence = static_cast<std::uint16_t>(65530 + f); // wraps
        p.level = 200;
        p.talkStart = f == 0;
        out.push_back(p);
    }
    return out;
}

void voiceSeeds() {
    const auto frames = opusFrames(30);
    std::vector<std::uint8_t> stream, messages, lossy;
    for (std::size_t i = 0; i < frames.size(); ++i) {
        const audio::VoicePacket& p = frames[i];
        std::vector<std::uint8_t> op{1};
        u16le(op, p.speaker);
        u16le(op, p.sequence);
        op.push_back(p.level);
        op.push_back(static_cast<std::uint8_t>(1 | (p.talkStart ? 2 : 0)));
        op.push_back(static_cast<std::uint8_t>(p.size));
        op.insert(op.end(), p.bytes.begin(), p.bytes.begin() + p.size);
        stream.insert(stream.end(), op.begin(), op.end());
        stream.insert(stream.end(), {2, 20});
        if (i % 4 != 2) lossy.insert(lossy.end(), op.begin(), op.end()); // losses: FEC and concealment
        lossy.insert(lossy.end(), {2, static_cast<std::uint8_t>(i % 3 == 0 ? 35 : 15)});
        net::VoiceFrame f;
        if (!session::toWire(p, static_cast<std::uint16_t>(i % 5), f)) continue;
        const auto bytes = encodeMessage(Message{f});
        std::vector<std::uint8_t> m{0};
        u16le(m, static_cast<std::uint32_t>(bytes.size() - 1));
        m.insert(m.end(), bytes.begin() + 1, bytes.end()); // the harness adds the type byte
        messages.insert(messages.end(), m.begin(), m.end());
        messages.insert(messages.end(), {2, 20});
    }
    put("fuzz_voice", "packets", stream);
    put("fuzz_voice", "packets-lossy", lossy);
    put("fuzz_voice", "messages", messages);
    if (!frames.empty()) {
        std::vector<std::uint8_t> raw{3, static_cast<std::uint8_t>(frames[0].size), 1};
        raw.insert(raw.end(), frames[0].bytes.begin(), frames[0].bytes.begin() + frames[0].size);
        raw.insert(raw.end(), {3, 0, 2});
        put("fuzz_voice", "decoder", raw);
    }
}

void wavSeeds(const fs::path& scratch) {
    const std::vector<float> tone{0.0f, 0.5f, -0.5f, 0.25f, 1.0f, -1.0f};
    const fs::path f = scratch / "seed.wav";
    if (audio::writeWav(f.string(), 16000, 2, tone)) {
        std::ifstream in(f, std::ios::binary);
        std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        put("fuzz_wav", "float32-stereo", bytes);
    }
    fs::remove(f);
    // 16-bit PCM, mono, 48 kHz, with a LIST chunk before the data and an odd-sized chunk.
    std::vector<std::uint8_t> w;
    auto tag = [&](const char* t) { w.insert(w.end(), t, t + 4); };
    tag("RIFF");
    u32le(w, 0);
    tag("WAVE");
    tag("fmt ");
    u32le(w, 16);
    u16le(w, 1);
    u16le(w, 1);
    u32le(w, 48000);
    u32le(w, 96000);
    u16le(w, 2);
    u16le(w, 16);
    tag("LIST");
    u32le(w, 3);
    w.insert(w.end(), {'a', 'b', 'c', 0});
    tag("data");
    u32le(w, 8);
    for (int v : {0, 16384, -16384, 32767}) u16le(w, static_cast<std::uint16_t>(static_cast<std::int16_t>(v)));
    put("fuzz_wav", "pcm16-mono-list", w);
    std::vector<std::uint8_t> streaming = w; // espeak-ng's 0x7FFFFFFF sizes when streaming
    for (int i = 0; i < 4; ++i) streaming[streaming.size() - 12 + static_cast<std::size_t>(i)] = i == 3 ? 0x7F : 0xFF;
    put("fuzz_wav", "pcm16-streaming-size", streaming);
    std::vector<std::uint8_t> ext; // WAVE_FORMAT_EXTENSIBLE carrying float
    ext.insert(ext.end(), w.begin(), w.begin() + 12);
    ext.insert(ext.end(), {'f', 'm', 't', ' '});
    u32le(ext, 40);
    u16le(ext, 0xFFFE);
    u16le(ext, 1);
    u32le(ext, 44100);
    u32le(ext, 176400);
    u16le(ext, 4);
    u16le(ext, 32);
    u16le(ext, 22);
    u16le(ext, 32);
    u32le(ext, 4);
    u16le(ext, 3);
    ext.insert(ext.end(), 14, 0);
    ext.insert(ext.end(), {'d', 'a', 't', 'a'});
    u32le(ext, 8);
    for (float v : {0.25f, -0.75f}) {
        std::uint32_t u = 0;
        std::memcpy(&u, &v, 4);
        u32le(ext, u);
    }
    put("fuzz_wav", "extensible-float", ext);
    put("fuzz_wav", "truncated", std::vector<std::uint8_t>(w.begin(), w.begin() + 30));
}

// The teaching round: a plausible round's objects (session/clinic_wire.h),
// encoded as the server publishes them. Keys as clinic_wire.h gives them.
struct ClinicObject {
    ObjectKey key;
    ObjectBytes bytes;
};
std::vector<ClinicObject> clinicObjects() {
    using namespace caseroom::session;
    std::vector<ClinicObject> out;
    auto add = [&](ObjectKind kind, std::uint16_t id, bool ok, const ObjectBytes& b) {
        if (!ok) { std::fprintf(stderr, "caseroom_make_seeds: a clinic object did not encode (%s %u)\n", toString(kind), id); std::exit(1); }
        out.push_back({{kind, id}, b});
    };
    ObjectBytes b;
    std::vector<sim::AgendaEntry> cases(2);
    cases[0].title = "Case 1: 54-year-old, genotype 3";
    cases[0].presenter = "Dr. Spoke One";
    cases[0].question = "Retreat after relapse?\nWhich regimen?";
    cases[1].title = "Case 2: pregnancy and HCV";
    cases[1].presenter = "Nurse Spoke Two";
    cases[1].question = "When to treat?";
    const sim::SessionPlan plan = sim::defaultPlan("Didactic: HCV in pregnancy", cases);
    sim::AgendaState a;
    a.hasPlan = true;
    a.entryCount = static_cast<std::uint8_t>(plan.entries.size());
    a.current = 4;
    a.phase = plan.entries[4].phase;
    a.caseIndex = plan.entries[4].caseIndex;
    a.phaseStartTick = 5400;
    a.sessionStartTick = 900;
    add(ObjectKind::Agenda, 0, encodeAgenda(a, b), b);
    for (std::size_t i = 0; i < plan.entries.size(); ++i)
        add(ObjectKind::AgendaEntry, static_cast<std::uint16_t>(i), encodeAgendaEntry(plan.entries[i], b), b);
    sim::QueueState hands;
    hands.entries = {{core::EntityId{5}, 5500, 0}, {core::EntityId{9}, 5530, 0}, {core::EntityId{2}, 5600, 0}};
    add(ObjectKind::Queue, sim::kHandsQueue, encodeQueue(hands, b), b);
    sim::QueueState questions;
    questions.entries = {{core::EntityId{7}, 5610, 3}};
    add(ObjectKind::Queue, sim::kQuestionsQueue, encodeQueue(questions, b), b);
    sim::ModerationState m;
    m.floor = core::EntityId{5};
    m.floorSinceTick = 5620;
    m.chair = core::EntityId{3};
    m.facilitator = core::EntityId{0};
    m.coFacilitator = core::EntityId{1};
    m.muteAll = sim::MuteAll::SelfUnmute;
    m.muted = {2, 4, 6, 7, 8, 9, 11};
    add(ObjectKind::Moderation, 0, encodeModeration(m, b), b);
    sim::BoardEntry e;
    e.id = 1;
    e.caseIndex = 0;
    e.author = core::EntityId{5};
    e.authorName = "Dr. Spoke Three";
    e.authorRole = core::Role::Spoke;
    e.postedTick = 5700;
    e.text = "Check the resistance profile (NS5A) before retreatment.\nConsider sofosbuvir/velpatasvir/voxilaprevir for 12 weeks.";
    add(ObjectKind::BoardEntry, e.id, encodeBoardEntry(e, b), b);
    e.id = 2;
    e.author = core::EntityId{1};
    e.authorName = "Dr. Specialist";
    e.authorRole = core::Role::Specialist;
    e.editedTick = 5800;
    e.text = "Agree; repeat the viral load at week 4.";
    add(ObjectKind::BoardEntry, e.id, encodeBoardEntry(e, b), b);
    e.id = 3;
    e.author = core::EntityId{0};
    e.authorName = "Dr. Facilitator";
    e.authorRole = core::Role::Facilitator;
    e.consensus = true;
    e.text = "Consensus: resistance testing, then SOF/VEL/VOX 12 weeks; follow up at SVR12.";
    add(ObjectKind::BoardEntry, e.id, encodeBoardEntry(e, b), b);
    sim::ChatLine l;
    l.seq = 3;
    l.kind = sim::ChatKind::Question;
    l.author = core::EntityId{7};
    l.authorName = "Spoke Four";
    l.tick = 5610;
    l.text = "Is the ALT trend relevant here?";
    add(ObjectKind::ChatLine, static_cast<std::uint16_t>(l.seq % sim::kMaxChatLines), encodeChatLine(l, b), b);
    l.seq = 27; // the ring wrapped: slot 3
    l.kind = sim::ChatKind::Chat;
    l.answered = false;
    l.text = "Thanks, very helpful.";
    add(ObjectKind::ChatLine, static_cast<std::uint16_t>(l.seq % sim::kMaxChatLines), encodeChatLine(l, b), b);
    sim::Statement st;
    st.kind = sim::StatementKind::Confidentiality;
    st.title = "Confidentiality";
    st.text = "Cases are de-identified. Do not share patient details outside this session.";
    add(ObjectKind::Statement, 0, encodeStatement(st, b), b);
    st.kind = sim::StatementKind::Disclosure;
    st.title = "Dr. Specialist";
    st.text = "No relevant financial relationships.";
    add(ObjectKind::Statement, 1, encodeStatement(st, b), b);
    return out;
}

void clinicObjectSeeds() {
    // fuzz_clinic_objects: [u8 kind][u16 id][u8 flags][u16 length][bytes] ...
    auto op = [](std::vector<std::uint8_t>& in, const ClinicObject& o, bool removed) {
        in.push_back(static_cast<std::uint8_t>(o.key.kind));
        u16le(in, o.key.id);
        in.push_back(removed ? 1 : 0);
        if (removed) return;
        u16le(in, o.bytes.size);
        in.insert(in.end(), o.bytes.data.begin(), o.bytes.data.begin() + o.bytes.size);
    };
    const auto objects = clinicObjects();
    std::vector<std::uint8_t> round;
    for (const auto& o : objects) {
        std::vector<std::uint8_t> one;
        op(one, o, false);
        put("fuzz_clinic_objects", std::string(toString(o.key.kind)) + "-" + std::to_string(o.key.id), one);
        op(round, o, false);
    }
    // Then the round moves on: a hand goes, a board entry is withdrawn, a panel's key is offered to the view.
    op(round, objects[objects.size() - 1], true);
    op(round, ClinicObject{{ObjectKind::BoardEntry, 2}, {}}, true);
    ClinicObject panel{{ObjectKind::Panel, 0}, {}};
    (void)panel.bytes.assign(std::vector<std::uint8_t>{1, 2, 3, 4});
    op(round, panel, false);
    put("fuzz_clinic_objects", "round", round);
    // A mute list long enough for the bitmap form.
    sim::ModerationState m;
    for (std::uint16_t s = 0; s < 300; s += 2) m.muted.push_back(s);
    m.muteAll = sim::MuteAll::Hard;
    ClinicObject big{{ObjectKind::Moderation, 0}, {}};
    if (!session::encodeModeration(m, big.bytes)) std::exit(1);
    std::vector<std::uint8_t> bitmap;
    op(bitmap, big, false);
    put("fuzz_clinic_objects", "moderation-bitmap", bitmap);
}

// The teaching round's messages for fuzz_message (one seed per form).
void clinicMessageSeeds() {
    std::vector<std::pair<std::string, Message>> msgs;
    ModerateRequest mute;
    mute.target = 5;
    mute.action = ModerateAction::Mute;
    msgs.emplace_back("ModerateRequest", mute);
    ModerateRequest remove;
    remove.target = 9;
    remove.action = ModerateAction::Remove;
    remove.reason = "disruptive; repeated off-topic remarks";
    msgs.emplace_back("ModerateRequest-remove", remove);
    ModerateRequest muteAll;
    muteAll.action = ModerateAction::MuteAllButHub;
    muteAll.flag = true;
    msgs.emplace_back("ModerateRequest-muteall", muteAll);
    ModerateRequest chair;
    chair.target = 3;
    chair.action = ModerateAction::BringToChair;
    msgs.emplace_back("ModerateRequest-chair", chair);
    msgs.emplace_back("ParticipantMuted", ParticipantMuted{5, true});
    msgs.emplace_back("AgendaIntent", AgendaIntent{AgendaIntent::Op::Next, 0});
    msgs.emplace_back("AgendaIntent-goto", AgendaIntent{AgendaIntent::Op::Goto, 7});
    msgs.emplace_back("FloorIntent", FloorIntent{FloorIntent::Op::Raise, 0});
    msgs.emplace_back("FloorIntent-callnext", FloorIntent{FloorIntent::Op::CallNext, 0});
    msgs.emplace_back("FloorIntent-give", FloorIntent{FloorIntent::Op::Give, 12});
    BoardIntent post;
    post.op = BoardIntent::Op::Post;
    post.clientSeq = 4;
    post.text = "Check NS5A resistance first.\nThen SOF/VEL/VOX 12 weeks.";
    msgs.emplace_back("BoardIntent", post);
    BoardIntent edit = post;
    edit.op = BoardIntent::Op::Edit;
    edit.entry = 2;
    msgs.emplace_back("BoardIntent-edit", edit);
    BoardIntent withdraw;
    withdraw.op = BoardIntent::Op::Withdraw;
    withdraw.entry = 2;
    withdraw.clientSeq = 5;
    msgs.emplace_back("BoardIntent-withdraw", withdraw);
    BoardIntent summary = post;
    summary.op = BoardIntent::Op::Summary;
    summary.text = "Consensus: resistance testing, then retreat.";
    msgs.emplace_back("BoardIntent-summary", summary);
    ChatIntent say;
    say.op = ChatIntent::Op::Say;
    say.clientSeq = 1;
    say.text = "Good morning from the north clinic.";
    msgs.emplace_back("ChatIntent", say);
    ChatIntent ask = say;
    ask.op = ChatIntent::Op::Ask;
    ask.text = "Is the ALT trend relevant?";
    msgs.emplace_back("ChatIntent-ask", ask);
    ChatIntent answered;
    answered.op = ChatIntent::Op::Answered;
    answered.seq = 3;
    msgs.emplace_back("ChatIntent-answered", answered);
    msgs.emplace_back("ChatIntent-takenext", ChatIntent{ChatIntent::Op::TakeNext, 0, 0, {}});
    TextHeld held;
    held.intent = IntentKind::Chat;
    held.clientSeq = 1;
    held.findings = {{"chat", 10, 21, 1}};
    msgs.emplace_back("TextHeld", held);
    msgs.emplace_back("IntentRefused-agenda", IntentRefused{IntentKind::Agenda, RefusalReason::WrongPhase});
    msgs.emplace_back("JoinRefused-locked", JoinRefused{JoinRefusal::RoomLocked, "the facilitator has locked the room"});
    for (const auto& [name, m] : msgs) {
        const auto bytes = encodeMessage(m);
        if (bytes.empty()) { std::fprintf(stderr, "caseroom_make_seeds: %s did not encode\n", name.c_str()); std::exit(1); }
        std::vector<std::uint8_t> seed;
        seed.push_back(static_cast<std::uint8_t>(messageInfo(typeOf(m)).channel));
        seed.insert(seed.end(), bytes.begin(), bytes.end());
        put("fuzz_message", name, seed);
    }
}

// What a real server sends a joining client, in order, as the harness's ops.
void clientSessionSeeds() {
    std::vector<std::uint8_t> join;
    auto send = [&](std::vector<std::uint8_t>& out, const Message& m) {
        const auto bytes = encodeMessage(m);
        const MessageInfo& info = messageInfo(typeOf(m));
        out.push_back(0);
        out.push_back(static_cast<std::uint8_t>(info.channel));
        out.push_back(info.reliable ? 1 : 0);
        u16le(out, static_cast<std::uint32_t>(bytes.size()));
        out.insert(out.end(), bytes.begin(), bytes.end());
    };
    auto wait = [](std::vector<std::uint8_t>& out, std::uint8_t ms) { out.insert(out.end(), {1, ms}); };
    send(join, JoinAccepted{3, 30, 1200, Role::Spoke});
    RoomLayoutMsg layout;
    layout.name = "Demo";
    layout.seats = {WireSeat{1000, 2000, 5, true}, WireSeat{-1000, 2000, 9, false}, WireSeat{0, -1500, 0, true}};
    layout.panels = {WirePanel{0, 1500, -5900, 0, 3000, 1800}};
    send(join, layout);
    send(join, ParticipantJoined{3, "Fuzz Spoke", Role::Spoke});
    send(join, ParticipantJoined{4, "Dr. Hub", Role::Facilitator});
    wait(join, 5);
    EntityHistory history(8);
    ClientReplicator rep(8);
    std::vector<float> prio(8, 1.0f);
    std::vector<std::uint8_t> walk = join;
    for (std::uint32_t tick = 1; tick <= 12; ++tick) {
        for (int i = 3; i <= 4; ++i) {
            QuantizedAvatar a = avatar(i);
            a.body.x += static_cast<std::int32_t>(tick * 20);
            history.set(static_cast<std::uint16_t>(i), static_cast<std::uint32_t>(i), a, tick);
        }
        Snapshot snap;
        rep.build(history, prio, 3, true, 1200 + tick, ReplicationConfig{}, snap);
        snap.hasInput = tick > 2;
        snap.lastInputSeq = static_cast<std::uint16_t>(tick);
        rep.onAck(snap.seq, 0xFFFFFFFFu);
        send(walk, snap);
        if (tick == 3) walk.insert(walk.end(), {2, 228, 128, 140}); // walk
        if (tick == 6) walk.insert(walk.end(), {3, 0, 0});          // ask to sit
        if (tick == 8) send(walk, IntentRefused{IntentKind::Sit, RefusalReason::SeatTooFar});
        if (tick == 9) walk.insert(walk.end(), {5, 40});            // speak
        wait(walk, 33);
    }
    net::VoiceFrame voice;
    voice.speaker = 4;
    voice.sequence = 9;
    voice.level = 180;
    voice.size = 12;
    send(walk, voice);
    send(walk, ParticipantLeft{4, LeaveReason::Left});
    wait(walk, 40);
    walk.insert(walk.end(), {6, 1});
    wait(walk, 40);
    put("fuzz_client_session", "join-walk-leave", walk);
    std::vector<std::uint8_t> refused;
    send(refused, JoinRefused{JoinRefusal::RoomFull, "room demo is full"});
    wait(refused, 10);
    put("fuzz_client_session", "refused", refused);
    put("fuzz_client_session", "join", join);

    // A late joiner in a teaching round: the round's objects over a few
    // snapshots (the objects cap), a refusal, a held chat line.
    std::vector<std::uint8_t> clinic = join;
    {
        EntityHistory h(8);
        ObjectTable table;
        for (const auto& o : clinicObjects()) (void)table.set(o.key, o.bytes.view());
        ClientReplicator r(8);
        ReplicationConfig cfg;
        cfg.objectBudgetBytes = 600; // small, so the seed spans several snapshots
        for (std::uint32_t tick = 1; tick <= 8; ++tick) {
            QuantizedAvatar a = avatar(3);
            h.set(3, 3, a, tick);
            Snapshot snap;
            r.build(h, &table, prio, 3, true, 1200 + tick, cfg, snap);
            r.onAck(snap.seq, 0xFFFFFFFFu);
            send(clinic, snap);
            wait(clinic, 33);
        }
    }
    send(clinic, IntentRefused{IntentKind::Floor, RefusalReason::WrongPhase});
    TextHeld held;
    held.intent = IntentKind::Board;
    held.clientSeq = 2;
    held.findings = {{"recommendation", 0, 9, 1}, {"recommendation", 20, 30, 3}};
    send(clinic, held);
    wait(clinic, 40);
    put("fuzz_client_session", "clinic-round", clinic);
}

void replicatorSeeds() {
    for (int variant = 0; variant < 3; ++variant) {
        std::vector<std::uint8_t> in{static_cast<std::uint8_t>(variant == 0 ? 1 : variant == 1 ? 0x40 : 0x21)};
        for (int tick = 0; tick < 40; ++tick) {
            const std::uint8_t changes = tick == 0 ? 7 : 3;
            in.push_back(changes);
            for (int c = 0; c < changes; ++c) {
                in.push_back(static_cast<std::uint8_t>((tick * 3 + c * 5) % 24));
                in.push_back(static_cast<std::uint8_t>(tick % 9 == 4 && c == 0 ? 10 : 64 + (tick * 7 + c) % 190));
            }
            const bool trueAck = variant == 0 || tick % 5 != 0;
            in.push_back(static_cast<std::uint8_t>(1 | (trueAck ? 2 : 0) | (tick % 3 == 0 ? 4 : 0)));
            u16le(in, static_cast<std::uint32_t>(tick * 97));
            u32le(in, variant == 2 ? 0xFFFFFFFFu : 0x0000FFFFu);
        }
        put("fuzz_replicator", "ticks-" + std::to_string(variant), in);
    }
}

void pastedTokenSeeds() {
    auto file = encodeTokenFile(fuzz::token());
    static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string b64;
    for (std::size_t i = 0; i < file.size(); i += 3) {
        const std::uint32_t b0 = file[i], b1 = i + 1 < file.size() ? file[i + 1] : 0, b2 = i + 2 < file.size() ? file[i + 2] : 0;
        const std::uint32_t v = (b0 << 16) | (b1 << 8) | b2;
        b64 += k[(v >> 18) & 63];
        b64 += k[(v >> 12) & 63];
        b64 += i + 1 < file.size() ? k[(v >> 6) & 63] : '=';
        b64 += i + 2 < file.size() ? k[v & 63] : '=';
    }
    putText("fuzz_paste_token", "pasted", std::string(1, '\0') + b64 + "\n");
    putText("fuzz_paste_token", "pasted-bad", std::string(1, '\0') + b64.substr(0, 20) + "!" + b64.substr(20));
    std::vector<std::uint8_t> raw{1};
    raw.insert(raw.end(), file.begin(), file.end());
    put("fuzz_paste_token", "token-bytes", raw);
    raw[0] = 3;
    put("fuzz_paste_token", "token-bytes-wrapped", raw);
}

// Invitations: a link, a file with comments, a program credential, near
// misses; and the encode-then-parse mode with a host name, IPv4 and IPv6.
void invitationSeeds() {
    Invitation inv;
    inv.host = "clinic.example.org";
    inv.port = 7777;
    inv.token = fuzz::token();
    inv.room = inv.token.grant.roomCode;
    inv.sessionId = 42;
    const std::string link = encodeInvitationLink(inv);
    putText("fuzz_invitation", "link", std::string(1, '\0') + link);
    putText("fuzz_invitation", "file", std::string(1, '\0') + "# CaseRoom invitation\r\n# Nguyễn Thị Lan\r\n" + link + "\r\n");
    putText("fuzz_invitation", "cut", std::string(1, '\0') + link.substr(0, link.size() / 2));
    putText("fuzz_invitation", "ipv6", std::string(1, '\0') + "caseroom://[2001:db8::1]:7777" + link.substr(link.find("/demo")));
    putText("fuzz_invitation", "two-links", std::string(1, '\0') + link + "\n" + link);
    const auto encoded = [](std::uint8_t mode, std::uint16_t port, const std::string& host, const std::string& room) {
        std::string s(1, static_cast<char>(mode));
        s += static_cast<char>(port & 0xFF);
        s += static_cast<char>(port >> 8);
        s += static_cast<char>(host.size());
        return s + host + room;
    };
    putText("fuzz_invitation", "encode-name", encoded(1, 7777, "echo-hub.example", ""));
    putText("fuzz_invitation", "encode-ipv4", encoded(3, 1, "10.0.0.1", "Hép C / 2027"));
    putText("fuzz_invitation", "encode-ipv6", encoded(1 | 4, 65535, "fe80::1", ""));
}

// Media decoders: small files from the unit tests' fixture makers (each
// under 8 KiB); other DICOM transfer syntaxes from GDCM's in-process encoders.
void mediaSeeds() {
    namespace mt = media::testkit;
    mt::Bytes grey(8 * 8), rgb(8 * 8 * 3), deep(4 * 4 * 2);
    for (std::size_t i = 0; i < grey.size(); ++i) grey[i] = static_cast<std::uint8_t>(i * 4);
    for (std::size_t i = 0; i < rgb.size(); ++i) rgb[i] = static_cast<std::uint8_t>(i * 5);
    for (std::size_t i = 0; i < deep.size(); ++i) deep[i] = static_cast<std::uint8_t>(i * 17);
    put("fuzz_media_png", "grey8", mt::makePng(8, 8, 1, 8, grey));
    put("fuzz_media_png", "rgb8", mt::makePng(8, 8, 3, 8, rgb));
    put("fuzz_media_png", "grey16", mt::makePng(4, 4, 1, 16, deep));
    put("fuzz_media_jpeg", "grey", mt::makeJpeg(8, 8, 1, grey, 90));
    put("fuzz_media_jpeg", "rgb", mt::makeJpeg(8, 8, 3, rgb, 90));
    put("fuzz_media_pdf", "one-page", mt::makePdf({mt::PdfPage{}}));
    put("fuzz_media_pdf", "two-pages", mt::makePdf({mt::PdfPage{}, mt::PdfPage{100, 100, 50, 0, 50, 50, 0, 0, 1}}));

    mt::DicomSpec ct;
    ct.width = 8;
    ct.height = 8;
    ct.slope = 2;
    ct.intercept = -1000;
    ct.window = media::Window{40, 400};
    ct.sopInstanceUid = "1.2.826.0.1.3680043.10.1.1";
    for (int i = 0; i < 64; ++i) ct.values.push_back(i * 37 - 900);
    const mt::Bytes ctBytes = mt::makeDicom(ct);
    put("fuzz_media_dicom", "ct16-signed", ctBytes);
    mt::DicomSpec mono1 = ct;
    mono1.photometric = media::Photometric::Monochrome1;
    put("fuzz_media_dicom", "mono1", mt::makeDicom(mono1));
    mt::DicomSpec cine;
    cine.width = 4;
    cine.height = 4;
    cine.frames = 3;
    cine.bits = 8;
    cine.isSigned = false;
    cine.sopClassUid = "1.2.840.10008.5.1.4.1.1.7.2";
    cine.sopInstanceUid = "1.2.826.0.1.3680043.10.1.2";
    for (int i = 0; i < 48; ++i) cine.values.push_back(i * 5);
    put("fuzz_media_dicom", "cine8", mt::makeDicom(cine));
    mt::DicomSpec colour = cine;
    colour.frames = 1;
    colour.samples = 3;
    colour.photometric = media::Photometric::Rgb;
    colour.sopClassUid = "1.2.840.10008.5.1.4.1.1.7";
    colour.sopInstanceUid = "1.2.826.0.1.3680043.10.1.3";
    put("fuzz_media_dicom", "rgb8", mt::makeDicom(colour));
    const std::pair<const char*, const char*> syntaxes[] = {{"jpeg", "1.2.840.10008.1.2.4.70"},
                                                            {"jpegls", "1.2.840.10008.1.2.4.80"},
                                                            {"j2k", "1.2.840.10008.1.2.4.90"},
                                                            {"rle", "1.2.840.10008.1.2.5"}};
    for (const auto& [name, uid] : syntaxes) put("fuzz_media_dicom", std::string("ct16-") + name, mt::convertDicom(ctBytes, uid));
}

// Deck manifests and the photo metadata strippers.
void deckSeeds() {
    namespace mt = media::testkit;
    media::DeckManifest m;
    m.title = "Seed deck";
    media::DeckSlide ct;
    ct.kind = media::SlideKind::Dicom;
    ct.width = 512;
    ct.height = 512;
    ct.bits = 16;
    ct.isSigned = true;
    ct.rescaleIntercept = -1024;
    ct.window = media::Window{40, 400};
    ct.frameRateHz = 10;
    ct.caption = "Slide 1";
    for (int i = 0; i < 10; ++i) {
        const std::string name = "frame" + std::to_string(i);
        ct.frames.push_back(media::hashBlob(std::span(reinterpret_cast<const std::uint8_t*>(name.data()), name.size())));
    }
    m.slides.push_back(ct);
    media::DeckSlide photo;
    photo.samplesPerPixel = 3;
    photo.photometric = media::Photometric::Rgb;
    photo.width = 640;
    photo.height = 480;
    photo.caption = "Slide 2";
    photo.frames.push_back(ct.frames[0]);
    m.slides.push_back(photo);
    put("fuzz_deck_manifest", "two-slides", media::writeManifest(m));
    m.slides.resize(1);
    m.slides[0].frames.resize(1);
    m.slides[0].frameRateHz = 0;
    m.slides[0].window.reset();
    put("fuzz_deck_manifest", "one-still", media::writeManifest(m));

    mt::Bytes rgb(8 * 8 * 3);
    for (std::size_t i = 0; i < rgb.size(); ++i) rgb[i] = static_cast<std::uint8_t>(i * 5);
    const mt::Bytes png = mt::makePng(8, 8, 3, 8, rgb);
    put("fuzz_media_strip", "png-plain", png);
    put("fuzz_media_strip", "png-text", mt::insertPngChunk(mt::insertPngChunk(png, "tEXt", std::string("Author\0Someone", 14)),
                                                           "gAMA", std::string("\0\0\xb1\x8f", 4)));
    const mt::Bytes jpeg = mt::makeJpeg(8, 8, 3, rgb, 90);
    put("fuzz_media_strip", "jpeg-plain", jpeg);
    put("fuzz_media_strip", "jpeg-exif-com",
        mt::insertJpegSegment(mt::insertJpegSegment(jpeg, 0xfe, "a comment"), 0xe1, std::string("Exif\0\0MM\0*", 10)));
}

// ---- seeds for fuzz_video_wire: chunks [u8 len | 255, u16 len][fragment]
void videoChunk(std::vector<std::uint8_t>& v, const std::vector<std::uint8_t>& fragment) {
    if (fragment.size() < 255) {
        v.push_back(static_cast<std::uint8_t>(fragment.size()));
    } else {
        v.push_back(255);
        u16le(v, static_cast<std::uint32_t>(fragment.size()));
    }
    v.insert(v.end(), fragment.begin(), fragment.end());
}
std::vector<VideoFragment> videoFrame(std::size_t bytes, std::uint16_t frame, std::uint8_t layer, bool key, std::uint8_t tl0) {
    VideoFrameData d;
    d.stream = VideoStreamId{5, VideoKind::Camera}; // the harness's stream
    d.frame = frame;
    d.layer = layer;
    d.keyframe = key;
    d.tl0 = tl0;
    d.ptsMs = 40'000u + frame * 33u;
    d.bytes.resize(bytes);
    for (std::size_t i = 0; i < bytes; ++i) d.bytes[i] = static_cast<std::uint8_t>(i * 13 + frame);
    return fragmentVideoFrame(d);
}
void videoWireSeeds() {
    const std::string h = "fuzz_video_wire";
    std::vector<std::uint8_t> key3, pair, dup, bad, chain;
    for (const auto& f : videoFrame(2500, 0, 0, true, 0)) videoChunk(key3, encodeVideoFragment(f)); // 3 fragments
    put(h, "keyframe-3-fragments", key3);

    // A keyframe and the next base frame, their fragments interleaved and out of order.
    const auto a = videoFrame(2000, 65535, 0, true, 9), b = videoFrame(1500, 0, 0, false, 10);
    for (const auto* f : {&b[1], &a[1], &a[0], &b[0]}) videoChunk(pair, encodeVideoFragment(*f));
    put(h, "shuffled-pair", pair);

    for (const auto& f : videoFrame(1200, 7, 0, true, 3)) {
        videoChunk(dup, encodeVideoFragment(f));
        videoChunk(dup, encodeVideoFragment(f));
    }
    put(h, "duplicate", dup);

    // A fragment whose count disagrees with its frame's first, a foreign
    // stream, a truncated fragment and one with a byte left over.
    const auto k = videoFrame(2300, 20, 0, true, 0);
    videoChunk(bad, encodeVideoFragment(k[0]));
    VideoFragment wrong = k[1];
    wrong.count = 2;
    wrong.index = 1;
    videoChunk(bad, encodeVideoFragment(wrong));
    VideoFragment foreign = k[2];
    foreign.stream = VideoStreamId{6, VideoKind::Screen};
    videoChunk(bad, encodeVideoFragment(foreign));
    auto cut = encodeVideoFragment(k[2]);
    cut.pop_back();
    videoChunk(bad, cut);
    auto extra = encodeVideoFragment(k[2]);
    extra.push_back(0);
    videoChunk(bad, extra);
    videoChunk(bad, encodeVideoFragment(k[2]));
    videoChunk(bad, encodeVideoFragment(k[1])); // completes the frame
    put(h, "malformed", bad);

    // Temporal layers on the tl0 chain, a lost base frame, then a new keyframe.
    struct F { std::uint16_t frame; std::uint8_t layer; bool key; std::uint8_t tl0; };
    for (const F f : {F{100, 0, true, 0}, F{101, 2, false, 0}, F{102, 1, false, 0}, F{104, 0, false, 1},
                      F{105, 2, false, 1}, F{112, 0, false, 3}, F{113, 1, false, 3}, F{116, 0, true, 4}})
        for (const auto& g : videoFrame(300, f.frame, f.layer, f.key, f.tl0)) videoChunk(chain, encodeVideoFragment(g));
    put(h, "tl0-chain", chain);
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
    voiceSeeds();
    wavSeeds(fs::temp_directory_path());
    clientSessionSeeds();
    replicatorSeeds();
    clinicObjectSeeds();
    clinicMessageSeeds();
    pastedTokenSeeds();
    invitationSeeds();
    mediaSeeds();
    deckSeeds();
    videoWireSeeds();
    std::printf("seeds written under %s\n", gRoot.c_str());
    return 0;
}
