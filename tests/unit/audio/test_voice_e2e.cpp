// End to end on the loopback transport: bot A speaks a WAV file through its
// VoiceClient; a stand-in forwarder (VoiceRouter over a loopback server host:
// parse the header, route, forward at once, never decode) relays it; client B
// writes what it hears to a WAV file. B's output, aligned to A's input by
// cross-correlation, must match it (correlation > 0.8), and the delay is
// reported with its breakdown. This pins down the voice path's own behaviour
// and latency; tests/integration/test_voice.cpp runs the same through the
// real server (ServerHost over the secure transport).
#include <catch2/catch.hpp>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include <unistd.h>

#include "audio/audio_device.h"
#include "audio/voice_client.h"
#include "sim/voice_router.h"
#include "audio/wav.h"
#include "net/loopback_transport.h"
#include "net/stream.h"
#include "speech.h"

using namespace caseroom;
using namespace caseroom::audio;

TEST_CASE("bot A's speech reaches client B through a forwarder on loopback", "[audio][e2e]") {
    const FrameDuration frame = GENERATE(FrameDuration::Ms20, FrameDuration::Ms10);
    const std::string pid = std::to_string(::getpid());
    const std::string inA = "/tmp/caseroom-e2e-a-" + pid + ".wav", outB = "/tmp/caseroom-e2e-b-" + pid + ".wav";
    const auto voice = test::speech("Good morning. I am presenting a case of a forty year old woman with fatigue.", "en-us");
    REQUIRE(writeWav(inA, kSampleRate, 1, voice).ok());

    net::LoopbackNetwork network(77);
    net::LinkConditions cond;
    cond.delay = 0.0; // loopback: what the system adds, not the link
    network.setConditions(cond);
    auto server = network.createHost(7100);
    auto hostA = network.createHost(0), hostB = network.createHost(0);
    const core::PeerId aToServer = hostA->connect({"127.0.0.1", 7100});
    (void)hostB->connect({"127.0.0.1", 7100});
    std::map<std::uint32_t, std::uint16_t> peerToEntity; // server side
    std::map<std::uint16_t, core::PeerId> entityToPeer;
    net::TransportEvent ev;
    std::uint16_t nextEntity = 1;
    for (double t = 0; t < 0.05; t += 0.001) {
        network.advance(t);
        while (server->poll(t, ev))
            if (ev.type == net::TransportEventType::Connected) {
                peerToEntity[ev.peer.value] = nextEntity;
                entityToPeer[nextEntity++] = ev.peer;
            }
        while (hostA->poll(t, ev)) {}
        while (hostB->poll(t, ev)) {}
    }
    REQUIRE(entityToPeer.size() == 2);
    // Connection order decides ids: A connected first.
    const std::uint16_t idA = 1, idB = 2;
    sim::VoiceRouter router;
    router.upsert(idA, {0.0f, 1.2f, -1.5f}, true); // A presents: room-wide
    router.upsert(idB, {0.0f, 1.2f, 0.0f}, false);

    VoiceClientConfig cfg;
    cfg.useSpeex = false; // bots: no clean-up in the loop, so the comparison is exact
    cfg.capture.mode = MicMode::PushToTalk;
    cfg.mixer.maxVoices = 8;
    cfg.encoder.frame = frame;
    cfg.speaker = idA;
    auto a = VoiceClient::create(cfg);
    cfg.speaker = idB;
    auto b = VoiceClient::create(cfg);
    REQUIRE((a.ok() && b.ok()));
    (*a)->capture().setPushToTalk(true);
    (*b)->mixer().setAmbience(false);
    ListenerPose pose;
    pose.position = {0.0f, 1.2f, 0.0f};
    (*b)->setListener(pose);
    (*b)->setSpeakerPosition(idA, {0.0f, 1.2f, -1.5f});

    WavDeviceDesc da;
    da.inputWav = inA;
    da.inputDelaySec = 0.1;
    WavFileAudioDevice devA(da);
    WavDeviceDesc db;
    db.outputWav = outB;
    WavFileAudioDevice devB(db);
    REQUIRE(devA.start((*a)->callback()).ok());
    REQUIRE(devB.start((*b)->callback()).ok());

    net::WriteStream ws;
    std::vector<std::uint16_t> listeners(4);
    VoicePacket in;
    std::uint64_t forwarded = 0;
    const double end = 0.1 + static_cast<double>(voice.size()) / kSampleRate + 0.5;
    for (int step = 0; step * 0.001 < end; ++step) {
        const double now = 0.05 + step * 0.001;
        network.advance(now);
        if (step % 10 == 0) {
            REQUIRE(devA.pump(kBlockSamples).ok());
            REQUIRE(devB.pump(kBlockSamples).ok());
        }
        (*a)->pump(now, [&](const VoicePacket& p) {
            ws.reset(2048);
            VoicePacket copy = p;
            REQUIRE(copy.serialize(ws));
            REQUIRE(hostA->send(aToServer, net::Channel::Voice, ws.finish(), false));
        });
        (*b)->pump(now, [](const VoicePacket&) {});
        while (server->poll(now, ev)) { // the forwarder: parse, route, forward now
            if (ev.type != net::TransportEventType::Received) continue;
            net::ReadStream rs(ev.data);
            REQUIRE(in.serialize(rs));
            REQUIRE(in.speaker == peerToEntity[ev.peer.value]); // a server checks the claimed speaker
            const std::size_t n = router.route(in.speaker, in.level, now, listeners);
            for (std::size_t i = 0; i < n; ++i) {
                REQUIRE(server->send(entityToPeer[listeners[i]], net::Channel::Voice, ev.data, false));
                ++forwarded;
            }
        }
        while (hostB->poll(now, ev)) {
            if (ev.type != net::TransportEventType::Received) continue;
            net::ReadStream rs(ev.data);
            REQUIRE(in.serialize(rs));
            (*b)->onPacket(in, now);
        }
        while (hostA->poll(now, ev)) {}
    }
    REQUIRE(devB.finish().ok());
    CHECK(forwarded > 100);

    auto heard = readWav(outB);
    REQUIRE(heard.ok());
    std::vector<float> mono(heard->samples.size() / 2);
    for (std::size_t i = 0; i < mono.size(); ++i) mono[i] = heard->samples[2 * i] + heard->samples[2 * i + 1];
    std::vector<float> ref(static_cast<std::size_t>(0.1 * kSampleRate), 0.0f);
    ref.insert(ref.end(), voice.begin(), voice.end());
    const int lag = test::bestLag(std::span<const float>(ref.data(), std::min<std::size_t>(ref.size(), 2 * kSampleRate)), mono, 9600);
    const double corr = test::correlationAt(ref, mono, lag);
    const double delayMs = lag * 1000.0 / kSampleRate;
    const auto speakers = (*b)->receiver().speakers();
    REQUIRE(speakers.size() == 1);
    const auto& st = speakers[0].source.jitter;
    INFO("frame " << toString(frame) << "; mouth-to-ear on loopback (device blocks not included): " << delayMs << " ms; correlation " << corr
                                                                    << "; B played real " << st.real << " fec " << st.fec
                                                                    << " concealed " << st.concealed << " late " << st.late
                                                                    << "; jitter target " << speakers[0].source.targetMs << " ms");
    CHECK(corr > 0.8);
    // framing + Opus look-ahead (6.5 ms) + jitter-buffer target (20 ms), within a block.
    const double expected = 1000.0 * frameSeconds(frame) + 6.5 + 20.0;
    CHECK(delayMs > expected - 10.0);
    CHECK(delayMs < expected + 10.0);
    CHECK(st.late == 0);
    std::printf("e2e %s frames: delay %.1f ms, correlation %.3f, jitter target %.0f ms\n", toString(frame), delayMs, corr,
                speakers[0].source.targetMs);
    std::remove(inA.c_str());
    std::remove(outB.c_str());
}
