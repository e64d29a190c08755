// Replay rooms end to end: a synthetic recording (unit/session/replay_fixture.h)
// served by the real ServerHost (session/server_host_replay.cpp) to real
// ClientSessions, over the loopback twin (simulated time: exact) and over
// real ENet with sealed channels and minted tokens.
//  - every viewer sees every ghost, named, at exactly the recorded
//    QuantizedAvatar once interpolation settles (paused, and after a seek);
//    a viewer joining late learns every ghost present;
//  - the recorded objects reach the viewers' view models; the Replay and
//    ReplayMark objects give the header, position and timeline;
//  - the ghosts' voice frames reach the viewers from their slots; a viewer
//    cannot speak and is never seen by another;
//  - ReplayIntent play / pause / seek / speed from a facilitator move the one
//    shared playback; from a spoke refused NotPermitted (audited); in a live
//    room refused NotReplay; the readers' RoomTick says replay.
#include <catch2/catch.hpp>

#include <signal.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include "audio/voice_packet.h"
#include "integration/process.h"
#include "integration/secure_fixture.h"
#include "net/loopback_transport.h"
#include "session/client_session.h"
#include "session/server_host.h"
#include "session/wire_avatar.h"
#include "temp_dir.h"
#include "unit/session/replay_fixture.h"

using namespace caseroom;
using namespace caseroom::session;

namespace {
struct TickProbe : RoomEventReader {
    std::uint64_t replayTicks = 0, liveTicks = 0, viewerJoins = 0;
    void onTick(const RoomTick& t) override {
        if (t.room == "R1") {
            replayTicks += t.replay;
            for (const auto& e : t.events) viewerJoins += e.kind == sim::RoomEventKind::Joined;
        } else {
            liveTicks += !t.replay;
        }
    }
};

struct World {
    testing::TempDir tmp;
    testing::SyntheticRecording rec = testing::writeSyntheticRecording(tmp.file("r.rec"));
    std::unique_ptr<record::RecordingReader> reader = open();
    ReplayRoom playback{*reader};
    MemoryAudit audit;
    TickProbe probe;
    net::LoopbackNetwork net{5};
    std::unique_ptr<net::Transport> serverT = net.createHost(7777);
    std::unique_ptr<ServerHost> server;
    std::vector<std::unique_ptr<net::Transport>> clientT;
    std::vector<std::unique_ptr<ClientSession>> clients;
    double now = 0;

    World() {
        ServerConfig cfg;
        cfg.rooms = {sim::RoomSpec{}}; // "demo": a live room beside the replay
        cfg.replays["R1"] = &playback;
        cfg.audit = &audit;
        cfg.readers = {&probe};
        server = std::make_unique<ServerHost>(*serverT, cfg);
    }
    std::unique_ptr<record::RecordingReader> open() {
        auto r = record::RecordingReader::open(rec.path, testing::testRecordingKey());
        REQUIRE(r.ok());
        return std::move(*r);
    }
    ClientSession& add(const std::string& name, core::Role role, const std::string& room = "R1") {
        clientT.push_back(net.createHost());
        ClientDesc d;
        d.displayName = name;
        d.roomCode = room;
        d.role = role;
        clients.push_back(std::make_unique<ClientSession>(*clientT.back(), d));
        clients.back()->connect(net::Address{"loop", 7777}, now);
        return *clients.back();
    }
    void run(double seconds, double step = 1.0 / 120.0) {
        const double end = now + seconds;
        while (now < end) {
            now += step;
            for (auto& c : clients) c->update(now);
            server->update(now);
        }
    }
};

const RemoteAvatar* avatarAt(const ClientSession& c, std::uint16_t slot) {
    for (const RemoteAvatar& a : c.avatars())
        if (a.slot == slot) return &a;
    return nullptr;
}

// Every ghost the playback shows, and no one else but the viewer itself, at
// exactly the recorded state.
void requireSeesPlayback(const ClientSession& c, const ReplayRoom& pb) {
    const ReplayState& st = pb.state();
    std::size_t ghosts = 0;
    for (const RemoteAvatar& a : c.avatars()) {
        if (a.self) continue;
        INFO("slot " << a.slot << " at tick " << st.tick);
        REQUIRE(st.present.contains(a.slot));
        ++ghosts;
        CHECK(a.name == st.present.at(a.slot).name);
        CHECK(a.role == st.present.at(a.slot).role);
        REQUIRE(a.hasPose);
        REQUIRE(st.avatars.contains(a.slot));
        CHECK(toWire(a.pose) == st.avatars.at(a.slot));
    }
    CHECK(ghosts == st.present.size());
}

bool refused(const ClientSession& c, std::uint64_t before, net::RefusalReason why) {
    return c.stats().refusals > before && c.lastRefusal().intent == net::IntentKind::Replay && c.lastRefusal().reason == why;
}

net::ReplayIntent intent(net::ReplayIntent::Op op, std::uint32_t tick = 0, std::uint32_t speed = 100) {
    net::ReplayIntent m;
    m.op = op;
    m.tick = tick;
    m.speedPercent = speed;
    return m;
}
} // namespace

TEST_CASE("replay room: viewers see the recorded room exactly, hear its voices, and share one playback", "[integration][replay]") {
    World w;
    ClientSession& fac = w.add("Dr. Viewer", core::Role::Facilitator);
    ClientSession& spoke = w.add("Spoke Viewer", core::Role::Spoke);
    w.run(1.0);
    REQUIRE(fac.state() == ClientState::InRoom);
    REQUIRE(spoke.state() == ClientState::InRoom);
    // Viewers take slots above the recorded ones and never see each other.
    CHECK(fac.self().value >= w.playback.recordedSlots());
    CHECK(spoke.self().value >= w.playback.recordedSlots());
    CHECK(avatarAt(fac, spoke.self().value) == nullptr);
    CHECK(avatarAt(spoke, fac.self().value) == nullptr);
    REQUIRE(fac.selfPose() != nullptr); // its own avatar, in its own view: it walks
    REQUIRE(avatarAt(fac, fac.self().value));
    CHECK(avatarAt(fac, fac.self().value)->name == "Dr. Viewer"); // its own name tag
    CHECK(w.probe.replayTicks > 0);
    CHECK(w.probe.viewerJoins == 2);

    // Paused at the first tick: exactly the recorded room.
    REQUIRE(fac.replay().isReplay());
    CHECK(fac.replay().header() == "replay of Hepatitis C clinic, 2025-12-02 12:00 UTC");
    CHECK(fac.replay().info()->paused);
    CHECK(fac.replay().marks().size() == w.rec.marks.size());
    CHECK(fac.replay().positionLine().find("paused") != std::string::npos);
    requireSeesPlayback(fac, w.playback);
    requireSeesPlayback(spoke, w.playback);

    // Play: the ghosts' voice reaches both viewers from the speaker's slot.
    int heardFac = 0, heardSpoke = 0, other = 0;
    fac.setVoiceSink([&](const net::VoiceFrame& f, double) { f.speaker == w.rec.speakerSlot ? ++heardFac : ++other; });
    spoke.setVoiceSink([&](const net::VoiceFrame& f, double) { f.speaker == w.rec.speakerSlot ? ++heardSpoke : ++other; });
    fac.sendReplay(intent(net::ReplayIntent::Op::Play));
    w.run(3.0);
    CHECK_FALSE(w.playback.paused());
    CHECK(w.playback.position() >= w.rec.firstTick + 80);
    CHECK(heardFac >= 100); // 50 frames a second
    CHECK(heardSpoke == heardFac);
    CHECK(other == 0);
    CHECK(w.server->counters().replayVoice >= 200);
    CHECK(fac.replay().info()->position > w.rec.firstTick);

    // A viewer's voice is dropped.
    const std::uint64_t refusedVoice = w.server->counters().voiceRefused;
    audio::VoicePacket p;
    p.size = 60;
    p.bytes[0] = 0x08;
    (void)spoke.sendVoice(p);
    w.run(0.2);
    CHECK(w.server->counters().voiceRefused > refusedVoice);
    CHECK(other == 0);

    // Pause: once interpolation settles, every ghost exactly as recorded.
    fac.sendReplay(intent(net::ReplayIntent::Op::Pause));
    w.run(1.0);
    CHECK(w.playback.paused());
    requireSeesPlayback(fac, w.playback);
    requireSeesPlayback(spoke, w.playback);
    CHECK(fac.replay().info()->position == w.playback.position());

    // A spoke may not control it: refused, audited, nothing moves.
    const std::uint32_t at = w.playback.position();
    const std::uint64_t before = spoke.stats().refusals;
    spoke.sendReplay(intent(net::ReplayIntent::Op::Seek, 1200));
    w.run(0.3);
    CHECK(refused(spoke, before, net::RefusalReason::NotPermitted));
    CHECK(w.playback.position() == at);
    CHECK(std::any_of(w.audit.entries.begin(), w.audit.entries.end(),
                      [](const AuditEntry& e) { return e.kind == AuditKind::IntentRefused && e.what.find("replay: seek") != std::string::npos; }));

    // The facilitator seeks past a leave and two joins (a slot reused).
    fac.sendReplay(intent(net::ReplayIntent::Op::Seek, 1100));
    w.run(1.0);
    CHECK(w.playback.position() == 1100);
    REQUIRE(w.playback.state().present.contains(4));
    CHECK_FALSE(w.playback.state().present.contains(1)); // left at 900
    requireSeesPlayback(fac, w.playback);
    requireSeesPlayback(spoke, w.playback);
    REQUIRE(avatarAt(fac, 2));
    CHECK(avatarAt(fac, 2)->name == "Coordinator C");
    // The recorded objects, as the room showed them at 1100.
    const auto& expect = w.rec.expected.at(1100);
    std::size_t chats = 0;
    for (const auto& [key, bytes] : expect.objects) chats += key.kind == net::ObjectKind::ChatLine;
    CHECK(fac.clinic().chat().size() == chats);
    REQUIRE_FALSE(fac.clinic().statements().empty());
    CHECK(fac.clinic().statements()[0].text == "version 1080");

    // A late viewer learns every ghost present.
    ClientSession& late = w.add("Late Viewer", core::Role::Observer);
    w.run(1.0);
    REQUIRE(late.state() == ClientState::InRoom);
    requireSeesPlayback(late, w.playback);
    CHECK(avatarAt(fac, late.self().value) == nullptr);

    // Speed 2x: the recorded clock runs twice as fast.
    fac.sendReplay(intent(net::ReplayIntent::Op::Speed, 0, 200));
    fac.sendReplay(intent(net::ReplayIntent::Op::Play));
    w.run(0.1);
    const std::uint32_t from = w.playback.position();
    w.run(1.0);
    CHECK(w.playback.position() - from >= 55);
    CHECK(w.playback.position() - from <= 65);
    CHECK(fac.replay().info()->speedPercent == 200);
    CHECK(w.server->counters().replayIntents >= 5);

    // Sit anywhere: a viewer walks to a seat and takes it (ghosts hold no seats on the server).
    {
        REQUIRE(spoke.layout());
        const glm::vec2 seat = spoke.layout()->seats[0].position;
        for (int i = 0; i < 600 && std::hypot(seat.x - spoke.selfPose()->body.x, seat.y - spoke.selfPose()->body.z) > 1.0f; ++i) {
            const glm::vec2 d = seat - glm::vec2(spoke.selfPose()->body.x, spoke.selfPose()->body.z);
            sim::MoveInput in;
            in.move = d / std::max(0.001f, std::hypot(d.x, d.y));
            spoke.setIntent(in);
            w.run(1.0 / 30.0);
        }
        spoke.setIntent(sim::MoveInput{});
        w.run(0.3);
        spoke.requestSit(0);
        w.run(0.5);
        REQUIRE(spoke.selfPose());
        CHECK(spoke.selfPose()->seat == 0);
        CHECK(avatarAt(fac, spoke.self().value) == nullptr);
    }

    // In a live room a replay control is refused NotReplay.
    ClientSession& live = w.add("Live Facilitator", core::Role::Facilitator, "demo");
    w.run(0.5);
    REQUIRE(live.state() == ClientState::InRoom);
    CHECK_FALSE(live.replay().isReplay());
    const std::uint64_t liveBefore = live.stats().refusals;
    live.sendReplay(intent(net::ReplayIntent::Op::Play));
    w.run(0.3);
    CHECK(refused(live, liveBefore, net::RefusalReason::NotReplay));
    CHECK(w.probe.liveTicks > 0);
    // To the end: it pauses on the last tick.
    w.run(5.0);
    CHECK(w.playback.paused());
    CHECK(w.playback.position() == w.rec.lastTick);
}

TEST_CASE("replay room over real ENet: tokens, sealed channels, ghosts exactly as recorded", "[integration][replay]") {
    testing::TempDir tmp;
    const auto rec = testing::writeSyntheticRecording(tmp.file("r.rec"), "demo");
    auto reader = record::RecordingReader::open(rec.path, testing::testRecordingKey());
    REQUIRE(reader.ok());
    ReplayRoom playback(**reader);
    playback.seek(1100);
    test::SecureWorld w("unused", [&](ServerConfig& cfg) { cfg.replays["demo"] = &playback; });
    ClientSession& fac = w.join(w.mint("Dr. Facil", core::Role::Facilitator));
    ClientSession& ana = w.join(w.mint("Spoke Ana"));
    REQUIRE(w.until(5.0, [&] { return fac.state() == ClientState::InRoom && ana.state() == ClientState::InRoom; }));
    REQUIRE(w.until(3.0, [&] { return fac.replay().isReplay() && avatarAt(fac, 4) && avatarAt(ana, 4); }));
    w.until(0.7, [] { return false; });
    requireSeesPlayback(fac, playback);
    requireSeesPlayback(ana, playback);
    CHECK(avatarAt(fac, ana.self().value) == nullptr);
    const std::uint64_t before = ana.stats().refusals;
    ana.sendReplay(intent(net::ReplayIntent::Op::Play));
    REQUIRE(w.until(2.0, [&] { return refused(ana, before, net::RefusalReason::NotPermitted); }));
    fac.sendReplay(intent(net::ReplayIntent::Op::Seek, 200));
    REQUIRE(w.until(2.0, [&] { return playback.position() == 200 && fac.replay().info()->position == 200; }));
    w.until(0.7, [] { return false; });
    requireSeesPlayback(fac, playback);
    CHECK(avatarAt(fac, 4) == nullptr); // not yet joined at 200
}

#ifdef CASEROOM_SERVER_EXE
TEST_CASE("caseroom-server --replay serves a recording; a wrong key is a clear error", "[integration][replay][process]") {
    const testing::TempDir tmp;
    REQUIRE(tmp.ok());
    const std::string d = tmp.path.string();
    // The recording's key as the server keeps it (created 0600), then a recording under it.
    auto key = record::loadRecordingKey(d + "/recording.key", true);
    REQUIRE(key.ok());
    auto rec = testing::writeSyntheticRecording(d + "/plain.rec", "demo");
    (void)rec; // written with the test key: the wrong key for the server
    {
        const pid_t server = testing::spawnLogged({CASEROOM_SERVER_EXE, "--port", "0", "--state-dir", d, "--no-db", "--replay", d + "/plain.rec"},
                                                  d + "/wrong.log");
        REQUIRE(server > 0);
        CHECK(testing::waitExit(server, 10) == 1);
        const std::string log = testing::slurp(d + "/wrong.log");
        INFO(log);
        CHECK(log.find("--replay " + d + "/plain.rec") != std::string::npos);
    }
    // The server's own key: served, the ghosts seen by a watching bot.
    {
        record::WriterConfig cfg;
        cfg.path = d + "/served.rec";
        cfg.key = *key;
        cfg.info.room = "demo";
        cfg.info.title = "Served clinic";
        cfg.info.tickRate = 30;
        cfg.info.firstTick = 10;
        cfg.info.roomSpec = testing::testRoomSpec("demo");
        auto w = record::RecordingWriter::create(cfg);
        REQUIRE(w.ok());
        record::Keyframe k;
        k.tick = 10;
        k.present.push_back(record::Present{0, 1, core::Role::Facilitator, "Ghost Facilitator"});
        sim::AvatarPose pose;
        pose.body = {1.0f, 0.0f, 1.0f};
        k.avatars.push_back(record::AvatarSample{0, encodeRecordedAvatar(toWire(pose), nullptr)});
        (*w)->keyframe(k);
        for (std::uint32_t t = 11; t < 200; ++t) (*w)->append(record::TickRecord{t, {}, {}, {}, {}, {}, {}});
        REQUIRE((*w)->close().ok());
    }
    const pid_t server = testing::spawnLogged({CASEROOM_SERVER_EXE, "--port", "0", "--port-file", d + "/port", "--state-dir", d, "--no-db",
                                               "--replay", d + "/served.rec"}, d + "/server.log");
    REQUIRE(server > 0);
    const std::string port = testing::waitForLine(d + "/port", 5.0);
    REQUIRE_FALSE(port.empty());
    const pid_t watch = testing::spawnLogged({CASEROOM_BOTS_EXE, "--server", "127.0.0.1:" + port, "--key", d + "/caseroom.key", "--watch",
                                              "--duration", "2", "--print-every", "0.5"}, d + "/watch.log");
    REQUIRE(watch > 0);
    CHECK(testing::waitExit(watch, 10) == 0);
    REQUIRE(kill(server, SIGTERM) == 0);
    CHECK(testing::waitExit(server, 5) == 0);
    const std::string seen = testing::slurp(d + "/watch.log");
    INFO(seen);
    INFO(testing::slurp(d + "/server.log"));
    CHECK(seen.find("Ghost Facilitator") != std::string::npos);
    CHECK(testing::slurp(d + "/server.log").find("replay") != std::string::npos);
}
#endif
