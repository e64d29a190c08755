// Voice benchmarks through the real server code (not a test; numbers go to
// BENCHMARKS.md "## Voice").
//  1. Forwarding throughput: ServerHost::update over an in-process transport
//     that hands it voice frames from T talkers in a room of P and takes its
//     sends. Per frame: decode, speaker and permission checks, VoiceRouter,
//     one send per chosen listener. "sealed": the transport also opens every
//     incoming frame and seals every copy with SecureChannel
//     (ChaCha20-Poly1305), as SecureTransport does. ENet and the socket
//     syscalls are not included. Thread CPU time, one core.
//  2. Mouth-to-ear latency by stage over the real secure server on 127.0.0.1
//     (ENet, sealed): bot A speaks a WAV (Opus 20 ms, or 10 ms with "10"),
//     client B plays through its jitter buffer into a WAV; every stage is
//     timestamped (wall clock), the total is also measured by
//     cross-correlation of B's output against A's input.
// Latency runs: 20 ms frames with 10 ms and 5 ms device blocks, 10 ms frames
// with 10 ms blocks ("10" as the second argument: only the last).
// Usage: caseroom_bench_voice_server [rounds, default 2000] [10]
#include <algorithm>
#include <string>

#include "core/cli.h"
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <deque>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "audio/audio_device.h"
#include "audio/voice_client.h"
#include "audio/wav.h"
#include "integration/secure_fixture.h"
#include "net/secure/channel.h"
#include "unit/audio/speech.h"

using namespace caseroom;

namespace {

double cpuSeconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// ---- 1. forwarding throughput ------------------------------------------------

// Feeds ServerHost prepared events; sends are counted (and sealed if asked).
class FeedTransport final : public net::Transport {
public:
    explicit FeedTransport(bool sealed) : sealed_(sealed) {}
    std::deque<net::TransportEvent> queue;
    std::map<std::uint32_t, std::uint16_t> entityOf;   // peer -> entity, from JoinAccepted
    std::map<std::uint32_t, std::unique_ptr<net::secure::SecureChannel>> serverSide, clientSide;
    std::uint64_t sends = 0, voiceSends = 0, bytesOut = 0;
    bool watchJoins = true;

    void addPeer(std::uint32_t peer) {
        net::secure::SessionKeys s, c;
        for (std::size_t i = 0; i < s.send.size(); ++i) {
            s.send[i] = static_cast<std::uint8_t>(i + peer);
            s.receive[i] = static_cast<std::uint8_t>(3 * i + peer);
        }
        c.send = s.receive;
        c.receive = s.send;
        serverSide[peer] = std::make_unique<net::secure::SecureChannel>(s);
        clientSide[peer] = std::make_unique<net::secure::SecureChannel>(c);
    }
    // What a client would put on the wire (sealed when benchmarking sealing).
    std::vector<std::uint8_t> fromClient(std::uint32_t peer, net::Channel, std::span<const std::uint8_t> plain) {
        if (!sealed_) return {plain.begin(), plain.end()};
        std::vector<std::uint8_t> out;
        (void)clientSide[peer]->seal(plain, out);
        return out;
    }

    core::PeerId connect(const net::Address&) override { return core::PeerId::invalid(); }
    bool send(core::PeerId peer, net::Channel channel, std::span<const std::uint8_t> data, bool) override {
        ++sends;
        if (channel == net::Channel::Voice) ++voiceSends;
        if (watchJoins && channel == net::Channel::Control) {
            const auto r = net::decodeMessage(data, channel);
            if (const auto* a = r.ok ? std::get_if<net::JoinAccepted>(&r.message) : nullptr) entityOf[peer.value] = a->entity;
        }
        if (sealed_) {
            if (!serverSide[peer.value]->seal(data, scratch_)) return false;
            bytesOut += scratch_.size();
        } else {
            bytesOut += data.size();
        }
        return true;
    }
    bool poll(double, net::TransportEvent& event) override {
        if (queue.empty()) return false;
        event = std::move(queue.front());
        queue.pop_front();
        if (sealed_ && event.type == net::TransportEventType::Received) {
            if (serverSide[event.peer.value]->open(event.data, scratch_) !=
                net::secure::OpenResult::Ok)
                std::abort();
            event.data.swap(scratch_);
        }
        return true;
    }
    void flush() override {}
    void disconnect(core::PeerId, std::uint32_t) override {}
    net::PeerStats stats(core::PeerId) const override { return {}; }
    void wait(double) override {}

private:
    bool sealed_;
    std::vector<std::uint8_t> scratch_;
};

void forwarding(std::uint32_t people, std::uint32_t talkers, bool sealed, int rounds) {
    FeedTransport t(sealed);
    session::ServerConfig cfg;
    sim::RoomSpec spec;
    spec.maxParticipants = std::max<std::uint32_t>(spec.maxParticipants, people);
    cfg.rooms = {spec};
    cfg.tickRate = 1.0; // snapshots (the state path) out of the way: this measures voice
    session::ServerHost server(t, cfg);
    for (std::uint32_t p = 1; p <= people; ++p) {
        t.addPeer(p);
        net::TransportEvent c;
        c.type = net::TransportEventType::Connected;
        c.peer = core::PeerId{p};
        t.queue.push_back(c);
        net::JoinRequest req;
        req.roomCode = "demo";
        req.displayName = "P" + std::to_string(p);
        req.role = p == 1 ? core::Role::Facilitator : p <= 3 ? core::Role::Specialist : core::Role::Spoke;
        net::TransportEvent r;
        r.type = net::TransportEventType::Received;
        r.peer = core::PeerId{p};
        r.channel = net::Channel::Control;
        r.data = t.fromClient(p, net::Channel::Control, net::encodeMessage(req));
        t.queue.push_back(std::move(r));
    }
    server.update(0.0);
    t.watchJoins = false;
    if (t.entityOf.size() != people) { std::fprintf(stderr, "only %zu joined\n", t.entityOf.size()); std::exit(1); }

    // Prepared frames: every talker once per 20 ms round, Opus-sized (60 bytes).
    std::vector<std::vector<net::TransportEvent>> roundsOf(static_cast<std::size_t>(rounds));
    net::VoiceFrame f;
    f.size = 60;
    f.bytes[0] = 0x08; // Opus TOC: SILK 20 ms, one frame (the server checks the framing)
    for (int r = 0; r < rounds; ++r)
        for (std::uint32_t k = 0; k < talkers; ++k) {
            const std::uint32_t peer = 1 + (k * 7) % people; // talkers spread over the room, the hub among them
            f.speaker = t.entityOf[peer];
            f.sequence = static_cast<std::uint16_t>(r);
            f.level = audio::levelByteFromDb(-20.0f - static_cast<float>(k % 7));
            net::TransportEvent e;
            e.type = net::TransportEventType::Received;
            e.peer = core::PeerId{peer};
            e.channel = net::Channel::Voice;
            e.data = t.fromClient(peer, net::Channel::Voice, net::encodeMessage(net::Message{f}));
            roundsOf[static_cast<std::size_t>(r)].push_back(std::move(e));
        }
    const std::uint64_t sendsBefore = t.voiceSends;
    double cpu = 0;
    for (int r = 0; r < rounds; ++r) {
        for (auto& e : roundsOf[static_cast<std::size_t>(r)]) t.queue.push_back(std::move(e));
        const double c0 = cpuSeconds();
        server.update(0.1 + 0.02 * r);
        cpu += cpuSeconds() - c0;
    }
    const double frames = static_cast<double>(rounds) * talkers;
    const double copies = static_cast<double>(t.voiceSends - sendsBefore);
    std::printf("forwarding | %u people, %u talking | %s | %.0f frames/s in | %.0f copies/s out | %.2f us per frame (%.1f copies) | "
                "%.2f us per copy\n",
                people, talkers, sealed ? "sealed" : "plain", frames / cpu, copies / cpu, cpu * 1e6 / frames, copies / frames,
                cpu * 1e6 / copies);
}

// ---- 2. mouth-to-ear latency by stage ------------------------------------------

struct Tap final : net::Transport {
    net::Transport& inner;
    std::map<std::uint16_t, double> in, out; // sequence -> first seen (wall seconds)
    std::function<double()> clock;
    explicit Tap(net::Transport& t) : inner(t) {}
    static std::uint16_t seqOf(std::span<const std::uint8_t> d) { return static_cast<std::uint16_t>(d[3] | (d[4] << 8)); }
    core::PeerId connect(const net::Address& to) override { return inner.connect(to); }
    bool send(core::PeerId peer, net::Channel channel, std::span<const std::uint8_t> data, bool reliable) override {
        if (channel == net::Channel::Voice && data.size() > 5) out.emplace(seqOf(data), clock());
        return inner.send(peer, channel, data, reliable);
    }
    bool poll(double now, net::TransportEvent& e) override {
        if (!inner.poll(now, e)) return false;
        if (e.type == net::TransportEventType::Received && e.channel == net::Channel::Voice && e.data.size() > 5) in.emplace(seqOf(e.data), clock());
        return true;
    }
    void flush() override { inner.flush(); }
    void disconnect(core::PeerId peer, std::uint32_t reason) override { inner.disconnect(peer, reason); }
    net::PeerStats stats(core::PeerId peer) const override { return inner.stats(peer); }
    void wait(double seconds) override { inner.wait(seconds); }
    bool authenticates() const override { return inner.authenticates(); }
    const net::PeerIdentity* identity(core::PeerId peer) const override { return inner.identity(peer); }
};

double median(std::vector<double> v) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}
double pct(std::vector<double> v, double q) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[static_cast<std::size_t>(q * static_cast<double>(v.size() - 1))];
}

void latency(audio::FrameDuration frame, std::uint32_t deviceBlock, double pumpSeconds = 0.0002) {
    const std::string pid = std::to_string(::getpid());
    const std::string inA = "/tmp/caseroom-bench-a-" + pid + ".wav", outB = "/tmp/caseroom-bench-b-" + pid + ".wav";
    const auto speech = audio::test::speech("Good morning. The patient is a forty year old woman with fatigue and itching.", "en-us");
    if (!audio::writeWav(inA, audio::kSampleRate, 1, speech).ok()) std::exit(1);

    test::SecureWorld w;
    Tap tap(*w.serverT);
    tap.clock = [&] { return w.now(); };
    session::ServerConfig cfg;
    cfg.rooms = {sim::RoomSpec{}};
    w.server = std::make_unique<session::ServerHost>(tap, cfg);
    session::ClientSession& a = w.join(w.mint("Dr Hub", core::Role::Facilitator));
    session::ClientSession& b = w.join(w.mint("Dr Spoke", core::Role::Spoke));
    if (!w.until(5.0, [&] { return a.state() == session::ClientState::InRoom && b.state() == session::ClientState::InRoom; })) std::exit(1);
    w.until(0.3, [] { return false; });

    audio::VoiceClientConfig vc;
    vc.useSpeex = false;
    vc.encoder.frame = frame;
    vc.capture.frame = frame;
    vc.capture.mode = audio::MicMode::PushToTalk;
    auto va = std::move(*audio::VoiceClient::create(vc));
    auto vb = std::move(*audio::VoiceClient::create(vc));
    va->capture().setPushToTalk(true);
    vb->mixer().setAmbience(false);
    b.attachVoice(vb.get());
    std::map<std::uint16_t, double> produced, arrived;
    std::vector<double> encodeMs, jitterMs;
    b.setVoiceSink([&](const net::VoiceFrame& f, double) { arrived.emplace(f.sequence, w.now()); });
    audio::WavDeviceDesc da;
    da.inputWav = inA;
    da.inputDelaySec = 0.1;
    da.blockFrames = deviceBlock;
    audio::WavFileAudioDevice devA(da);
    audio::WavDeviceDesc db;
    db.outputWav = outB;
    db.blockFrames = deviceBlock;
    audio::WavFileAudioDevice devB(db);
    if (!devA.start(va->callback()).ok() || !devB.start(vb->callback()).ok()) std::exit(1);

    const double start = w.now();
    const double seconds = 0.1 + static_cast<double>(speech.size()) / audio::kSampleRate + 0.4;
    std::uint64_t blocks = 0;
    while (w.now() - start < seconds) {
        const double blockSec = static_cast<double>(deviceBlock) / audio::kSampleRate;
        while (static_cast<double>(blocks) * blockSec < w.now() - start) {
            (void)devA.pump(deviceBlock);
            (void)devB.pump(deviceBlock);
            ++blocks;
        }
        const double t0 = w.now();
        va->pump(t0, [&](const audio::VoicePacket& p) {
            const double t1 = w.now();
            encodeMs.push_back((t1 - t0) * 1000.0);
            produced.emplace(p.sequence, t1);
            (void)a.sendVoice(p);
            w.clientT[0]->flush();
        });
        const double now = w.now();
        a.update(now);
        w.server->update(now);
        b.update(now);
        for (const auto& s : vb->receiver().speakers())
            if (s.source.playing) jitterMs.push_back(s.source.delayMs);
        // 200 us: as fast as the loop goes; 5 ms: the desktop client's session
        // pump (client/session_pump.h), which services voice on that period.
        std::this_thread::sleep_for(std::chrono::duration<double>(pumpSeconds));
    }
    (void)devB.finish();
    std::vector<double> send, forward, deliver;
    for (const auto& [seq, t] : produced) {
        if (!tap.in.count(seq) || !tap.out.count(seq) || !arrived.count(seq)) continue;
        send.push_back((tap.in[seq] - t) * 1000.0);
        forward.push_back((tap.out[seq] - tap.in[seq]) * 1000.0);
        deliver.push_back((arrived[seq] - tap.out[seq]) * 1000.0);
    }
    auto heard = audio::readWav(outB);
    const auto left = audio::test::channel(heard->samples, 0), right = audio::test::channel(heard->samples, 1);
    const auto& ear = audio::test::energy(left) >= audio::test::energy(right) ? left : right;
    std::vector<float> ref(static_cast<std::size_t>(0.1 * audio::kSampleRate), 0.0f);
    ref.insert(ref.end(), speech.begin(), speech.end());
    const int lag = audio::test::bestLag(std::span<const float>(ref.data(), std::min<std::size_t>(ref.size(), 2 * audio::kSampleRate)), ear, 9600);
    const double corr = audio::test::correlationAt(ref, ear, lag);
    const auto st = vb->receiver().speakers();
    std::printf("latency | %s frames | device blocks %.1f ms | loop period %.1f ms | %zu frames timed | espeak %d\n", audio::toString(frame),
                1000.0 * deviceBlock / audio::kSampleRate, pumpSeconds * 1000.0, send.size(), audio::test::speechIsEspeak() ? 1 : 0);
    std::printf("  framing                 %.1f ms (frame length)\n", 1000.0 * audio::frameSeconds(frame));
    std::printf("  encode (capture->packet) median %.2f ms p90 %.2f ms CPU; Opus look-ahead 6.5 ms\n", median(encodeMs), pct(encodeMs, 0.9));
    std::printf("  send (A seal, ENet, UDP, server ENet, open)  median %.3f ms p90 %.3f ms\n", median(send), pct(send, 0.9));
    std::printf("  forward (ServerHost decode, route, send)     median %.3f ms p90 %.3f ms\n", median(forward), pct(forward, 0.9));
    std::printf("  deliver (flush, UDP, B open, decode message) median %.3f ms p90 %.3f ms\n", median(deliver), pct(deliver, 0.9));
    std::printf("  jitter buffer delay (B's reported)           median %.1f ms p90 %.1f ms; target %.0f ms; late %llu\n", median(jitterMs),
                pct(jitterMs, 0.9), st.empty() ? 0.0 : st[0].source.targetMs,
                st.empty() ? 0ull : static_cast<unsigned long long>(st[0].source.jitter.late));
    std::printf("  measured A input -> B output (cross-correlation, device buffers excluded): %.1f ms, correlation %.3f\n",
                lag * 1000.0 / audio::kSampleRate, corr);
    b.attachVoice(nullptr);
    std::remove(inA.c_str());
    std::remove(outB.c_str());
}

} // namespace

int main(int argc, char** argv) {
    const std::string first = argc > 1 ? argv[1] : "";
    if (first == "--help" || first == "-h") {
        std::puts("usage: caseroom_bench_voice_server [ROUNDS] [10]\n"
                  "       caseroom_bench_voice_server --pump-ms MS\n"
                  "\n"
                  "Voice through the real server code (a benchmark, not a test; numbers go to\n"
                  "BENCHMARKS.md \"## Voice\"): forwarding throughput with and without sealing, then\n"
                  "mouth-to-ear latency by stage over the secure server on 127.0.0.1.\n"
                  "\n"
                  "  ROUNDS   forwarding rounds, 100..10000000 (default 2000)\n"
                  "  10       only the 10 ms-frame latency run\n"
                  "  --pump-ms MS  only the latency run (20 ms frames, 5 ms device blocks) with the\n"
                  "           clients serviced every MS ms, 1..50 (5: the desktop client's pump)\n"
                  "  --help   this text");
        return 0;
    }
    if (first == "--pump-ms") {
        auto ms = core::cli::parseInt("--pump-ms", argc > 2 ? argv[2] : "", 1, 50);
        if (!ms || argc > 3) {
            std::fprintf(stderr, "caseroom_bench_voice_server: --pump-ms needs one whole number of milliseconds, 1..50 (see --help)\n");
            return 2;
        }
        for (int run = 0; run < 3; ++run) latency(audio::FrameDuration::Ms20, audio::kBlockSamples / 2, static_cast<double>(*ms) / 1000.0);
        return 0;
    }
    if (argc > 3) { std::fprintf(stderr, "caseroom_bench_voice_server: two arguments at most (see --help)\n"); return 2; }
    int rounds = 2000;
    if (argc > 1) {
        auto n = core::cli::parseInt("ROUNDS", first, 100, 10000000);
        if (!n) { std::fprintf(stderr, "caseroom_bench_voice_server: %s (see --help)\n", n.error().message.c_str()); return 2; }
        rounds = static_cast<int>(*n);
    }
    if (argc > 2 && std::string(argv[2]) != "10") {
        std::fprintf(stderr, "caseroom_bench_voice_server: the second argument can only be 10 (got '%s'; see --help)\n", argv[2]);
        return 2;
    }
    const bool only10 = argc > 2;
    for (bool sealed : {false, true}) {
        forwarding(30, 20, sealed, rounds);
        forwarding(200, 20, sealed, rounds / 4);
    }
    if (!only10) {
        latency(audio::FrameDuration::Ms20, audio::kBlockSamples);
        latency(audio::FrameDuration::Ms20, audio::kBlockSamples / 2);
    }
    latency(audio::FrameDuration::Ms10, audio::kBlockSamples);
    return 0;
}
