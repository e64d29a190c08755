// Voice through the real server: a secure ServerHost on 127.0.0.1 over real
// ENet with sealed channels, clients joined with minted tokens.
//  - speech: bot A (facilitator) speaks a WAV through its VoiceClient (Opus
//    20 ms, FEC, DTX); client B writes what it hears to a WAV. B's output,
//    aligned to A's input by cross-correlation, must correlate > 0.8 with it
//    (normalised cross-correlation at the best lag of each 0.5 s of speech,
//    median over the segments, on B's louder ear; the stand-in forwarder
//    measures 0.95), and B hears it after A said it. The
//    delay is printed, not judged: over real sockets on a shared machine it
//    is a measurement (BENCHMARKS.md "Voice"), not a test.
//  - forwarding: 20 people talk at once; no listener gets more than 6
//    streams and the room-wide voices (facilitator, specialists) always reach
//    everyone.
//  - refusals: an observer's frames are dropped and audited; a frame that
//    names another speaker is dropped, audited and counted as malformed
//    (over the loopback twin, whose raw client can write any message).
// Real time (real sockets), so each case runs a few seconds; waits for joins
// are generous bounds on an eventual state, not timing assertions.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <unistd.h>

#include "audio/audio_device.h"
#include "audio/voice_client.h"
#include "audio/wav.h"
#include "integration/secure_fixture.h"
#include "net/loopback_transport.h"
#include "net/messages.h"
#include "net/stream.h"
#include "session/voice_wire.h"
#include "unit/audio/speech.h"

using namespace caseroom;
using namespace caseroom::session;

namespace {
bool inRoom(const ClientSession& c) { return c.state() == ClientState::InRoom; }

std::unique_ptr<audio::VoiceClient> makeVoice(bool talk) {
    auto v = audio::test::plainVoice(talk);
    REQUIRE(v);
    return v;
}
} // namespace

TEST_CASE("speech from bot A reaches client B through the real server", "[integration][voice]") {
    const std::string pid = std::to_string(::getpid());
    const std::string inA = "/tmp/caseroom-voice-a-" + pid + ".wav", outB = "/tmp/caseroom-voice-b-" + pid + ".wav";
    const auto speech = audio::test::speech("Good morning. The patient is a forty year old woman.", "en-us");
    REQUIRE(audio::writeWav(inA, audio::kSampleRate, 1, speech).ok());

    test::SecureWorld w;
    ClientSession& a = w.join(w.mint("Dr Hub", core::Role::Facilitator));
    ClientSession& b = w.join(w.mint("Dr Spoke", core::Role::Spoke));
    REQUIRE(w.until(30.0, [&] {
        return inRoom(a) && inRoom(b) && b.avatars().size() == 2 &&
               std::all_of(b.avatars().begin(), b.avatars().end(), [](const RemoteAvatar& x) { return x.hasPose; });
    }));

    auto voiceA = makeVoice(true), voiceB = makeVoice(false);
    a.attachVoice(voiceA.get());
    b.attachVoice(voiceB.get());
    audio::WavDeviceDesc da;
    da.inputWav = inA;
    da.inputDelaySec = 0.1;
    audio::WavFileAudioDevice devA(da);
    audio::WavDeviceDesc db;
    db.outputWav = outB;
    audio::WavFileAudioDevice devB(db);
    REQUIRE(devA.start(voiceA->callback()).ok());
    REQUIRE(devB.start(voiceB->callback()).ok());

    // Both devices run on one clock: block k of A's capture and of B's playback
    // happen at the same device time, so the lag between them is what the
    // system adds between the two devices (device buffers excluded).
    const double devStart = w.now();
    std::uint64_t blocks = 0;
    std::uint8_t levelSeen = 0;
    const double seconds = 0.1 + static_cast<double>(speech.size()) / audio::kSampleRate + 0.4;
    w.until(seconds + 0.05, [] { return false; }, [&] {
        while (static_cast<double>(blocks) * 0.01 < w.now() - devStart) {
            REQUIRE(devA.pump(audio::kBlockSamples).ok());
            REQUIRE(devB.pump(audio::kBlockSamples).ok());
            ++blocks;
        }
        for (const RemoteAvatar& x : b.avatars())
            if (x.slot == a.self().value) levelSeen = std::max(levelSeen, x.pose.voiceLevel);
    });
    REQUIRE(devB.finish().ok());

    const ServerCounters& sc = w.server->counters();
    CHECK(a.stats().voiceSent > 50);
    CHECK(sc.voiceIn == a.stats().voiceSent); // B's push-to-talk is up: it sends nothing
    CHECK(b.stats().voiceSent == 0);
    CHECK(b.stats().voiceReceived > 50);
    CHECK(levelSeen > 0);            // B's view of A's avatar showed A speaking

    auto heard = audio::readWav(outB);
    REQUIRE(heard.ok());
    const auto left = audio::test::channel(heard->samples, 0), right = audio::test::channel(heard->samples, 1);
    const auto& ear = audio::test::energy(left) >= audio::test::energy(right) ? left : right;
    std::vector<float> ref(static_cast<std::size_t>(0.1 * audio::kSampleRate), 0.0f);
    ref.insert(ref.end(), speech.begin(), speech.end());
    const int lag = audio::test::bestLag(std::span<const float>(ref.data(), std::min<std::size_t>(ref.size(), 2 * audio::kSampleRate)), ear, 9600);
    const double corr = audio::test::correlationAt(ref, ear, lag);
    const double delayMs = lag * 1000.0 / audio::kSampleRate;
    // On a loaded machine the wall-clock device pumps run in bursts and the
    // jitter buffer moves its delay (inserts and drops frames), so one lag
    // for the whole utterance can miss while every part of it was heard.
    // Judge the speech in 0.5 s segments, each at its own best lag.
    const audio::test::SegmentScore seg = audio::test::segmentCorrelation(ref, ear, audio::kSampleRate / 2, 9600);
    const double medianSeg = seg.median;
    const bool causal = seg.causal;
    const auto speakers = voiceB->receiver().speakers();
    REQUIRE(speakers.size() == 1);
    const auto& st = speakers[0].source.jitter;
    INFO("mouth-to-ear through the real server (device buffers excluded): " << delayMs << " ms; correlation " << corr << " (segments: median "
                                                                            << medianSeg << " of " << seg.segments << "); real " << st.real
                                                                            << " fec " << st.fec << " concealed " << st.concealed << " late "
                                                                            << st.late << " inserted " << st.inserted << " dropped " << st.dropped
                                                                            << "; espeak " << audio::test::speechIsEspeak());
    REQUIRE(seg.segments >= 2);
    CHECK(medianSeg > 0.8);
    CHECK(causal); // B hears A's speech after A said it
    std::printf("voice through the real server: delay %.1f ms, correlation %.3f (0.5 s segments: median %.3f), jitter target %.0f ms, frames real %llu fec %llu "
                "concealed %llu late %llu, avatar level seen %u\n",
                delayMs, corr, medianSeg, speakers[0].source.targetMs, static_cast<unsigned long long>(st.real),
                static_cast<unsigned long long>(st.fec), static_cast<unsigned long long>(st.concealed),
                static_cast<unsigned long long>(st.late), levelSeen);
    a.attachVoice(nullptr);
    b.attachVoice(nullptr);
    std::remove(inA.c_str());
    std::remove(outB.c_str());
}

// Records what the server sends on the voice channel, then passes it on: the
// server's forwarding decisions, before the network (ENet's throttle may drop
// unreliable packets on a busy machine, which this test does not judge).
struct VoiceTap final : net::Transport {
    net::Transport& inner;
    std::map<std::uint32_t, std::vector<std::pair<std::uint16_t, std::uint16_t>>> sent; // peer -> (speaker, sequence)
    std::map<std::uint16_t, std::uint32_t> peerOfEntity;                                // from JoinAccepted
    explicit VoiceTap(net::Transport& t) : inner(t) {}
    core::PeerId connect(const net::Address& to) override { return inner.connect(to); }
    bool send(core::PeerId peer, net::Channel channel, std::span<const std::uint8_t> data, bool reliable) override {
        const net::DecodeResult r = net::decodeMessage(data, channel);
        if (const auto* f = r.ok ? std::get_if<net::VoiceFrame>(&r.message) : nullptr) sent[peer.value].push_back({f->speaker, f->sequence});
        if (const auto* a = r.ok ? std::get_if<net::JoinAccepted>(&r.message) : nullptr) peerOfEntity[a->entity] = peer.value;
        return inner.send(peer, channel, data, reliable);
    }
    bool poll(double now, net::TransportEvent& e) override { return inner.poll(now, e); }
    void flush() override { inner.flush(); }
    void disconnect(core::PeerId peer, std::uint32_t reason) override { inner.disconnect(peer, reason); }
    net::PeerStats stats(core::PeerId peer) const override { return inner.stats(peer); }
    void wait(double seconds) override { inner.wait(seconds); }
    bool authenticates() const override { return inner.authenticates(); }
    const net::PeerIdentity* identity(core::PeerId peer) const override { return inner.identity(peer); }
};

TEST_CASE("20 people talking at once: at most 6 streams per listener, room-wide voices always among them", "[integration][voice]") {
    test::SecureWorld w;
    // The same server, behind a tap that sees what it forwards to whom.
    VoiceTap tap(*w.serverT);
    session::ServerConfig cfg;
    cfg.rooms = {sim::RoomSpec{}};
    cfg.rooms[0].name = "Demo teleECHO clinic";
    cfg.audit = &w.audit;
    w.server = std::make_unique<session::ServerHost>(tap, cfg);

    constexpr int kPeople = 20;
    std::vector<ClientSession*> people;
    for (int i = 0; i < kPeople; ++i) {
        const core::Role role = i == 0 ? core::Role::Facilitator : i < 3 ? core::Role::Specialist : core::Role::Spoke;
        people.push_back(&w.join(w.mint("P" + std::to_string(i), role)));
    }
    REQUIRE(w.until(30.0, [&] { return std::all_of(people.begin(), people.end(), [](ClientSession* c) { return inRoom(*c); }); }));
    std::set<std::uint16_t> roomWide;
    for (int i = 0; i < 3; ++i) roomWide.insert(people[static_cast<std::size_t>(i)]->self().value);

    // What each listener received: (speaker, sequence).
    std::vector<std::vector<std::pair<std::uint16_t, std::uint16_t>>> heard(kPeople);
    for (int i = 0; i < kPeople; ++i)
        people[static_cast<std::size_t>(i)]->setVoiceSink(
            [&heard, i](const net::VoiceFrame& f, double) { heard[static_cast<std::size_t>(i)].push_back({f.speaker, f.sequence}); });

    // Every 20 ms everyone sends a frame with the same sequence number (one
    // round; the server never decodes, so any bytes after a valid TOC do). Spokes are louder
    // than the hub, so only the policy keeps the hub in.
    audio::VoicePacket p;
    p.size = 40;
    for (std::uint16_t i = 0; i < p.size; ++i) p.bytes[i] = static_cast<std::uint8_t>(i * 7);
    p.bytes[0] = 0x08; // Opus TOC: SILK 20 ms, one frame (the server checks the framing, not the rest)
    double nextFrame = w.now();
    std::uint16_t rounds = 0;
    w.until(1.2, [] { return false; }, [&] {
        if (w.now() < nextFrame) return;
        nextFrame += 0.02;
        ++rounds;
        for (int i = 0; i < kPeople; ++i) {
            p.sequence = rounds;
            p.level = audio::levelByteFromDb(i < 3 ? -30.0f : -20.0f + static_cast<float>(i % 5));
            CHECK(people[static_cast<std::size_t>(i)]->sendVoice(p));
        }
    });
    const ServerCounters& sc = w.server->counters();
    // Let the last rounds land (loopback UDP: unreliable in principle, lossless in practice).
    w.until(30.0, [&] { return sc.voiceIn >= static_cast<std::uint64_t>(kPeople) * rounds; });
    INFO("server: in " << sc.voiceIn << ", forwarded " << sc.voiceForwarded << " in " << rounds << " rounds");
    CHECK(sc.voiceIn == static_cast<std::uint64_t>(kPeople) * rounds);

    // Per listener and round: at most 6 frames, every room-wide speaker's
    // among them (the first rounds included: room-wide needs no warm-up).
    std::size_t received = 0, forwarded = 0, maxPerRound = 0, displacementRounds = 0;
    for (int i = 0; i < kPeople; ++i) {
        const ClientSession& me = *people[static_cast<std::size_t>(i)];
        const auto& out = tap.sent[tap.peerOfEntity.at(me.self().value)];
        std::map<std::uint16_t, std::set<std::uint16_t>> perRound, perRoundHeard;
        for (const auto& [speaker, seq] : out) perRound[seq].insert(speaker);
        for (const auto& [speaker, seq] : heard[static_cast<std::size_t>(i)]) perRoundHeard[seq].insert(speaker);
        forwarded += out.size();
        received += heard[static_cast<std::size_t>(i)].size();
        CHECK(perRound.size() == rounds);
        std::uint16_t prevSeq = 0;
        const std::set<std::uint16_t>* prev = nullptr;
        for (const auto& [seq, streams] : perRound) {
            std::string names;
            for (std::uint16_t x : streams) names += " " + std::to_string(x);
            INFO("listener " << i << " (slot " << me.self().value << ") round " << seq << ": " << streams.size() << " streams:" << names);
            maxPerRound = std::max(maxPerRound, streams.size());
            if (streams.size() > 6) ++displacementRounds;
            CHECK(streams.count(me.self().value) == 0);
            for (std::uint16_t rw : roomWide)
                if (rw != me.self().value) CHECK(streams.count(rw) == 1);
            // Streams that go on from one round to the next: never more than 6.
            // (A round may show up to 6 + k speakers when k newcomers displace
            // k streams: the old ones' last frames and the new ones' first.)
            if (prev && seq == prevSeq + 1) {
                std::size_t both = 0;
                for (std::uint16_t x : streams) both += prev->count(x);
                CHECK(both <= 6);
            }
            prev = &streams;
            prevSeq = seq;
        }
        for (const auto& [seq, streams] : perRoundHeard) CHECK(streams.size() <= perRound[seq].size()); // arrivals are a subset
    }
    CHECK(displacementRounds * 20 <= static_cast<std::size_t>(kPeople) * rounds); // displacements are rare (tenure, hysteresis)
    CHECK(forwarded == sc.voiceForwarded);
    CHECK(received <= forwarded);
    std::printf("forwarding, %d talking at once for %u rounds: %llu frames in, %llu copies out (%.2f per frame), %zu arrived (%.1f %%); "
                "rounds with a displacement %zu of %zu (at most %zu speakers in such a round)\n",
                kPeople, rounds, static_cast<unsigned long long>(sc.voiceIn), static_cast<unsigned long long>(sc.voiceForwarded),
                static_cast<double>(sc.voiceForwarded) / static_cast<double>(std::max<std::uint64_t>(sc.voiceIn, 1)), received,
                100.0 * static_cast<double>(received) / static_cast<double>(std::max<std::size_t>(forwarded, 1)), displacementRounds,
                static_cast<std::size_t>(kPeople) * rounds, maxPerRound);
}

TEST_CASE("an observer's voice is refused and audited, and nobody hears it", "[integration][voice]") {
    test::SecureWorld w;
    ClientSession& obs = w.join(w.mint("Watcher", core::Role::Observer));
    ClientSession& spoke = w.join(w.mint("Dr Spoke", core::Role::Spoke));
    REQUIRE(w.until(30.0, [&] { return inRoom(obs) && inRoom(spoke); }));
    std::size_t heard = 0;
    spoke.setVoiceSink([&](const net::VoiceFrame&, double) { ++heard; });
    audio::VoicePacket p;
    p.size = 20;
    p.level = 220;
    for (int i = 0; i < 20; ++i) {
        p.sequence = static_cast<std::uint16_t>(i);
        CHECK(obs.sendVoice(p));
        w.step();
    }
    w.until(30.0, [&] { return w.server->counters().voiceRefused >= 20; });
    w.until(0.3, [] { return false; }); // anything wrongly forwarded would arrive by now
    CHECK(heard == 0);
    CHECK(w.server->counters().voiceRefused == 20);
    CHECK(w.server->counters().voiceIn == 0);
    const auto& entries = w.audit.entries;
    CHECK(std::any_of(entries.begin(), entries.end(), [](const AuditEntry& e) {
        return e.who == "Watcher" && e.what == "speak" && e.outcome.find("not permitted for observer") != std::string::npos;
    }));
    CHECK(inRoom(obs)); // refused, not disconnected: an observer's client may simply have its microphone on
}

TEST_CASE("a voice frame naming another speaker is dropped, audited and counted as malformed", "[integration][voice]") {
    // The loopback twin: the rogue client below writes raw messages.
    net::LoopbackNetwork network(5);
    auto serverT = network.createHost(7777);
    MemoryAudit audit;
    ServerConfig cfg;
    cfg.audit = &audit;
    ServerHost server(*serverT, cfg);
    auto victimT = network.createHost();
    ClientSession victim(*victimT, ClientDesc{"demo", "Dr Victim", core::Role::Facilitator});
    std::size_t victimHeard = 0;
    victim.setVoiceSink([&](const net::VoiceFrame&, double) { ++victimHeard; });
    victim.connect({"127.0.0.1", 7777}, 0.0);
    auto rogueT = network.createHost();
    const core::PeerId toServer = rogueT->connect({"127.0.0.1", 7777});
    double t = 0;
    bool rogueJoined = false;
    net::TransportEvent ev;
    auto step = [&] {
        t += 0.005;
        network.advance(t);
        victim.update(t);
        server.update(t);
        while (rogueT->poll(t, ev)) {
            if (ev.type == net::TransportEventType::Connected) {
                net::JoinRequest req;
                req.roomCode = "demo";
                req.displayName = "Rogue";
                REQUIRE(rogueT->send(toServer, net::Channel::Control, net::encodeMessage(req), true));
            } else if (ev.type == net::TransportEventType::Received) {
                const auto r = net::decodeMessage(ev.data, ev.channel);
                if (r.ok && std::holds_alternative<net::JoinAccepted>(r.message)) rogueJoined = true;
            }
        }
        rogueT->flush();
    };
    while (t < 2.0 && !(rogueJoined && inRoom(victim))) step();
    REQUIRE(rogueJoined);
    REQUIRE(inRoom(victim));
    net::VoiceFrame f;
    f.speaker = victim.self().value; // speaking as someone else
    f.level = 240;
    f.size = 10;
    for (std::uint16_t i = 0; i < 5; ++i) {
        f.sequence = i;
        REQUIRE(rogueT->send(toServer, net::Channel::Voice, net::encodeMessage(f), false));
        step();
    }
    for (int i = 0; i < 20; ++i) step();
    CHECK(server.counters().voiceSpoofed == 5);
    CHECK(server.counters().malformed >= 5);
    CHECK(server.counters().voiceIn == 0);
    CHECK(victimHeard == 0);
    CHECK(std::any_of(audit.entries.begin(), audit.entries.end(), [&](const AuditEntry& e) {
        return e.who == "Rogue" && e.what == "voice as entity " + std::to_string(victim.self().value) &&
               e.outcome.find("not the sender's avatar") != std::string::npos;
    }));
}
