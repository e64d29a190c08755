// Record, then replay, end to end over the loopback twin (simulated time, so
// exact): a scripted clinic of bots (session::BotBrain, --script clinic) in a
// real ServerHost that records under the default policy (didactic only),
// watched live by an observer; the recording is then served by a replay
// room (session/replay_room.h) to a viewer. Checked:
//  - every avatar the viewer sees, at many sampled recorded ticks, equals
//    the state the live observer was sent for that tick (the quantized
//    state: exact, the path is lossless);
//  - the facilitator's voice the viewer hears is what the live observer
//    heard, frame for frame (the Opus bytes as received);
//  - nothing of the case phases is in the file: no tick, voice, event or
//    recommendation between the case's marks;
//  - the bots acknowledged the recording (their names are in it).
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <thread>
#include <map>
#include <memory>
#include <set>

#include "audio/voice_packet.h"
#include "net/loopback_transport.h"
#include "record/recording.h"
#include "session/bot_brain.h"
#include "session/client_session.h"
#include "media/video_source.h"
#include "media/vp8.h"
#include "session/replay_room.h"
#include "session/video_client.h"
#include "session/server_host.h"
#include "session/wire_avatar.h"
#include "temp_dir.h"

using namespace caseroom;
using namespace caseroom::session;

namespace {
record::Key key() {
    record::Key k{};
    for (std::size_t i = 0; i < k.size(); ++i) k[i] = static_cast<std::uint8_t>(200 - i);
    return k;
}

sim::SessionPlan onePlan() {
    std::vector<sim::AgendaEntry> cases(1);
    cases[0].title = "54-year-old, HCV genotype 3";
    cases[0].presenter = "Bot 3";
    cases[0].question = "Treat now, or wait for the elastography?";
    sim::SessionPlan plan = sim::defaultPlan("HCV treatment update", cases);
    plan.sessionId = 9;
    return plan;
}

struct Net {
    net::LoopbackNetwork net{11};
    std::unique_ptr<net::Transport> serverT = net.createHost(7777);
    std::unique_ptr<ServerHost> server;
    std::vector<std::unique_ptr<net::Transport>> clientT;
    std::vector<std::unique_ptr<ClientSession>> clients;
    double now = 0;
    ClientSession& add(const std::string& name, core::Role role, const std::string& room) {
        clientT.push_back(net.createHost());
        ClientDesc d;
        d.displayName = name;
        d.roomCode = room;
        d.role = role;
        clients.push_back(std::make_unique<ClientSession>(*clientT.back(), d));
        clients.back()->connect(net::Address{"loop", 7777}, now);
        return *clients.back();
    }
};

audio::VoicePacket talk(std::uint16_t seq) {
    audio::VoicePacket p;
    p.size = 60;
    p.bytes[0] = 0x08; // Opus TOC: SILK 20 ms, one frame
    p.bytes[1] = static_cast<std::uint8_t>(seq);
    p.bytes[2] = static_cast<std::uint8_t>(seq >> 8);
    p.sequence = seq;
    p.level = audio::levelByteFromDb(-20.0f);
    return p;
}

using Frame = std::pair<std::uint16_t, std::vector<std::uint8_t>>; // sequence, Opus bytes
} // namespace

TEST_CASE("a recorded clinic replays as the live observer saw and heard it; its case is not in the file", "[integration][recording][replay]") {
    testing::TempDir tmp;
    const std::string file = tmp.file("clinic.crrec");

    // ---- live: bots play a one-case clinic, the facilitator records, an observer watches
    std::map<std::uint16_t, std::map<std::uint32_t, net::QuantizedAvatar>> seen; // slot -> tick -> state the observer was sent
    std::vector<Frame> heardLive;                                              // the facilitator's frames the observer heard in the didactic
    std::uint16_t facSlot = 0, obsSlot = 0;
    // Live video: the facilitator shares a (test pattern) screen, the
    // specialist shows a camera. The program does not allow cameras in
    // recordings (the plan's default): the file must hold the screen only.
    media::VideoProfile small = media::videoProfile(media::VideoUse::ScreenShare);
    small.width = 320;
    small.height = 180;
    small.fps = 10;
    const media::VideoProfile& tile = media::videoProfile(media::VideoUse::SpokeTile);
    VideoClient facVideo, specVideo;
    // Unpaced: the session runs on a simulated clock far faster than the wall's.
    REQUIRE(facVideo.publish(net::VideoKind::Screen, media::makeTestPatternSource(small.width, small.height, small.fps), small, false));
    REQUIRE(specVideo.publish(net::VideoKind::Camera, media::makeTestPatternSource(tile.width, tile.height, tile.fps), tile, false));
    {
        Net n;
        ServerConfig cfg;
        cfg.planFor = [](std::string_view) { return std::optional<sim::SessionPlan>(onePlan()); };
        cfg.recording.keyframeTicks = 90;
        cfg.recording.open = [&](const record::RecordingInfo& info) {
            record::WriterConfig wc;
            wc.path = file;
            wc.key = key();
            wc.info = info;
            return record::RecordingWriter::create(wc);
        };
        n.server = std::make_unique<ServerHost>(*n.serverT, cfg);
        const char* names[] = {"Bot 1", "Bot 2", "Bot 3", "Bot 4"};
        const core::Role roles[] = {core::Role::Facilitator, core::Role::Specialist, core::Role::Spoke, core::Role::Spoke};
        std::vector<BotBrain> brains;
        for (int i = 0; i < 4; ++i) {
            n.add(names[i], roles[i], "demo");
            brains.emplace_back(100 + i, i == 3); // the last one wanders: avatars that move
            ClinicScript cs;
            cs.part = i == 0 ? ClinicPart::Facilitator : i == 1 ? ClinicPart::Specialist : ClinicPart::Spoke;
            cs.phaseSeconds = 1.5;
            cs.startWith = 5;
            cs.record = true;
            brains.back().playClinic(cs);
        }
        ClientSession& obs = n.add("Observer", core::Role::Observer, "demo");
        ClientSession& fac = *n.clients[0];
        fac.attachVideo(&facVideo);
        n.clients[1]->attachVideo(&specVideo);
        obs.setVoiceSink([&](const net::VoiceFrame& f, double) {
            if (f.speaker != fac.self().value || !obs.clinic().agenda().hasPlan || obs.clinic().agenda().phase != sim::Phase::Didactic) return;
            heardLive.emplace_back(f.sequence, std::vector<std::uint8_t>(f.bytes.begin(), f.bytes.begin() + f.size));
        });
        std::uint16_t seq = 0;
        double nextTalk = 0;
        for (int step = 0; step < 120 * 60 && !brains[0].clinicProgress().finished; ++step) {
            n.now += 1.0 / 120;
            for (std::size_t i = 0; i < n.clients.size(); ++i) {
                n.clients[i]->update(n.now);
                if (i < brains.size() && n.clients[i]->state() == ClientState::InRoom) brains[i].think(*n.clients[i], n.now);
            }
            // The facilitator talks all along (the hub is heard in the didactic).
            if (fac.state() == ClientState::InRoom && n.now >= nextTalk) {
                (void)fac.sendVoice(talk(seq++));
                nextTalk = n.now + 0.02;
            }
            n.server->update(n.now);
            for (const RemoteAvatar& a : obs.avatars()) {
                if (a.self) continue;
                if (const auto got = obs.newestReceived(a.slot)) seen[a.slot][got->first] = toWire(got->second);
            }
        }
        REQUIRE(brains[0].clinicProgress().finished);
        CHECK(brains[0].clinicProgress().recordingsStarted == 1);
        for (const BotBrain& b : brains) CHECK(b.clinicProgress().recordingsAcknowledged == 1);
        facSlot = fac.self().value;
        obsSlot = obs.self().value;
        CHECK(facVideo.publishStats(net::VideoKind::Screen).frames > 0);
        CHECK(specVideo.publishStats(net::VideoKind::Camera).frames > 0);
        n.server->shutdown(); // closes the file with its index
        fac.attachVideo(nullptr);
        n.clients[1]->attachVideo(nullptr);
    }
    REQUIRE_FALSE(heardLive.empty());

    // ---- the file: the didactic only
    auto reader = record::RecordingReader::open(file, key());
    REQUIRE(reader);
    const record::ReaderSummary& sum = (*reader)->summary();
    CHECK(sum.closed);
    CHECK(sum.damage.empty());
    REQUIRE_FALSE(sum.marks.empty());
    std::uint32_t caseFrom = 0, caseTo = 0;
    for (std::size_t i = 0; i < sum.marks.size(); ++i) {
        const auto phase = static_cast<sim::Phase>(sum.marks[i].phase);
        if (phase == sim::Phase::CasePresentation && caseFrom == 0) caseFrom = sum.marks[i].tick;
        if (phase == sim::Phase::WrapUp) caseTo = sum.marks[i].tick;
    }
    REQUIRE(caseFrom > 0);
    REQUIRE(caseTo > caseFrom);
    std::vector<Frame> recordedVoice;
    std::size_t screenFragments = 0, cameraFragments = 0, screenKeyframes = 0;
    std::uint32_t firstLive = ~0u, lastLive = 0;
    for (std::size_t i = 0; i < (*reader)->blocks().size(); ++i) {
        auto b = (*reader)->read(i);
        REQUIRE(b);
        for (const record::TickRecord& t : b->ticks) {
            CHECK((t.tick < caseFrom || t.tick >= caseTo)); // nothing from the case's presentation to its summary
            for (const record::EventSample& e : t.events)
                CHECK(e.kind != static_cast<std::uint8_t>(sim::RoomEventKind::RecommendationPosted));
            for (const record::ObjectSample& o : t.objects) CHECK(o.kind != static_cast<std::uint8_t>(net::ObjectKind::BoardEntry));
            for (const record::VoiceSample& v : t.voice)
                if (v.slot == facSlot) recordedVoice.emplace_back(v.seq, v.opus);
            for (const record::VideoSample& v : t.video) {
                const auto id = net::VideoStreamId::unpack(v.stream);
                REQUIRE(id);
                (id->kind == net::VideoKind::Screen ? screenFragments : cameraFragments) += 1;
                const net::DecodeResult d = net::decodeMessage(v.wire, net::Channel::Video);
                REQUIRE(d.ok);
                if (std::get<net::VideoFragmentMsg>(d.message).fragment.keyframe) ++screenKeyframes;
                CHECK(id->publisher == facSlot);
            }
            firstLive = std::min(firstLive, t.tick);
            lastLive = std::max(lastLive, t.tick);
        }
        if (b->keyframe)
            for (const record::ObjectSample& o : b->keyframe->objects) CHECK(o.kind != static_cast<std::uint8_t>(net::ObjectKind::BoardEntry));
    }
    REQUIRE(lastLive > firstLive);
    CHECK(screenFragments > 0);   // the share, while live
    CHECK(cameraFragments == 0);  // faces only where the program allows them
    // Every recorded frame of the facilitator was heard live, and the live didactic is in the file (but its first and last tick).
    std::set<Frame> live(heardLive.begin(), heardLive.end());
    for (const Frame& f : recordedVoice) CHECK(live.count(f) == 1);
    CHECK(recordedVoice.size() + 6 >= heardLive.size());
    CHECK(std::all_of(sum.everyone.begin(), sum.everyone.end(), [](const record::Present& p) {
        return p.role == core::Role::Observer || !p.name.empty(); // the bots acknowledged; the observer did not
    }));

    // ---- replay: a viewer at many recorded ticks sees what the observer was sent
    ReplayRoom playback(**reader);
    Net n;
    ServerConfig cfg;
    cfg.replays["replay"] = &playback;
    n.server = std::make_unique<ServerHost>(*n.serverT, cfg);
    ClientSession& viewer = n.add("Trainer", core::Role::Facilitator, "replay");
    VideoClient viewerVideo;
    viewer.attachVideo(&viewerVideo);
    std::vector<Frame> heardReplay;
    viewer.setVoiceSink([&](const net::VoiceFrame& f, double) {
        if (f.speaker == facSlot) heardReplay.emplace_back(f.sequence, std::vector<std::uint8_t>(f.bytes.begin(), f.bytes.begin() + f.size));
    });
    // `wallMs`: real time per step, for the video's decode thread (wall time) to keep up with the simulated clock.
    auto run = [&](double seconds, int wallMs = 0) {
        for (double end = n.now + seconds; n.now < end;) {
            n.now += 1.0 / 120;
            viewer.update(n.now);
            n.server->update(n.now);
            if (wallMs > 0) std::this_thread::sleep_for(std::chrono::milliseconds(wallMs));
        }
    };
    run(1.0);
    REQUIRE(viewer.state() == ClientState::InRoom);
    std::size_t compared = 0;
    for (std::uint32_t t = firstLive + 5; t <= lastLive; t += std::max<std::uint32_t>(1, (lastLive - firstLive) / 25)) {
        net::ReplayIntent seek;
        seek.op = net::ReplayIntent::Op::Seek;
        seek.tick = t;
        viewer.sendReplay(seek);
        run(0.6);
        const std::uint32_t at = playback.position();
        if (at < caseTo && at >= caseFrom) continue; // a gap shows the room as it was paused
        for (const RemoteAvatar& a : viewer.avatars()) {
            if (a.self || a.slot == obsSlot) continue; // the observer itself: its own view has no state sent for it
            const auto& sent = seen[a.slot];
            auto it = sent.upper_bound(at); // the newest state sent at or before `at`
            REQUIRE(it != sent.begin());
            --it;
            const net::QuantizedAvatar got = toWire(a.pose);
            INFO("slot " << a.slot << " at recorded tick " << at << ", live state of tick " << it->first << ": body " << got.body.x << ","
                         << got.body.z << " vs " << it->second.body.x << "," << it->second.body.z << " seat " << got.seat << " vs "
                         << it->second.seat << " voice " << got.voiceLevel << " vs " << it->second.voiceLevel << " head " << got.head
                         << " vs " << it->second.head << " yaw " << got.yaw << " vs " << it->second.yaw);
            CHECK(toWire(a.pose) == it->second);
            ++compared;
        }
    }
    CHECK(compared >= 25 * 3);
    // Play the recording through at 2x: the facilitator's voice comes back as recorded.
    heardReplay.clear(); // paused until now: nothing was due
    net::ReplayIntent m;
    m.op = net::ReplayIntent::Op::Seek;
    m.tick = firstLive;
    viewer.sendReplay(m);
    m.op = net::ReplayIntent::Op::Speed;
    m.speedPercent = 200;
    viewer.sendReplay(m);
    m.op = net::ReplayIntent::Op::Play;
    viewer.sendReplay(m);
    run((lastLive - firstLive) / 30.0 / 2.0 + 1.0, 4);
    CHECK(heardReplay.size() + 2 >= recordedVoice.size());
    std::set<Frame> replayed(heardReplay.begin(), heardReplay.end());
    std::size_t matched = 0;
    for (const Frame& f : recordedVoice) matched += replayed.count(f);
    CHECK(matched + 2 >= recordedVoice.size());
    // The share comes back: the recorded fragments reach the viewer and decode into pictures.
    const net::VideoStreamId share{facSlot, net::VideoKind::Screen};
    const auto seenStream = viewerVideo.stream(share);
    REQUIRE(seenStream);
    CHECK(seenStream->info.width == small.width);
    CHECK_FALSE(viewerVideo.stream(net::VideoStreamId{facSlot, net::VideoKind::Camera})); // never recorded, never shown
    CHECK(viewer.stats().videoFragmentsIn >= screenFragments / 2);
    // Decoding runs on its own thread in wall time, this loop far faster: give it a moment (nothing more comes due).
    for (int i = 0; i < 200 && viewerVideo.stream(share)->pictures == 0; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        viewer.update(n.now);
    }
    const auto rs = viewerVideo.receiveStats();
    const auto ra = viewerVideo.stream(share)->reassembly;
    INFO("recorded screen fragments " << screenFragments << " (key frames " << screenKeyframes << "); viewer: fragments " << rs.fragments
         << ", frames " << rs.frames << ", decoded " << rs.decoded << ", errors " << rs.decodeErrors << "; reassembler: frames "
         << ra.frames << " lost " << ra.lost << " late " << ra.late << " undecodable " << ra.undecodable);
    CHECK(viewerVideo.stream(share)->pictures > 0);
    viewer.attachVideo(nullptr);
}
