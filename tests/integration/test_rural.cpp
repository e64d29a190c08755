// The rural profile with a full room: a secure ServerHost on real ENet, 30
// participants on good links (bots in the clinic motion pattern, the
// facilitator speaking real speech through Opus), and one spoke behind
// caseroom-netsim on the rural profile (128 kbit/s down, 64 up, 150 ms each
// way, 3 % loss each way) that listens and fetches a 10-slide deck
// (random blobs of 6 to 12 KB: slide-like in count, their size stated).
// The spoke says "my connection is slow" (a LinkHint of 128 kbit/s, as a
// rural clinician would); the budget follows its LinkReports under that.
// Asserted, on the spoke:
//  - the speech it hears correlates with what was said above 0.6 (0.5 s
//    segments at their own lags, median; Opus at the speaker's rate, the
//    spoke's lost frames concealed);
//  - no avatar is frozen longer than a second: the server's record of what
//    it sent the spoke shows no avatar out of date for more than 30 ticks,
//    and the spoke's snapshots never stop for more than half a second;
//  - the whole deck arrives and verifies;
//  - the server's budget for the link stays under the link: what it sends
//    the spoke averages under 128 kbit/s, voice and state first.
// Join to first state (what the first frame draws: the layout and the own
// avatar), deck arrival, each class's share of the link and the speech
// score are printed (WARN) and go to BENCHMARKS.md by hand. With
// CASEROOM_TEST_DEBUG set, the log shows each LinkReport's verdict.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include "core/log.h"
#include <cstdio>
#include <memory>
#include <string>
#include <unistd.h>
#include <vector>

#include "audio/audio_device.h"
#include "audio/voice_client.h"
#include "audio/wav.h"
#include "core/rng.h"
#include "integration/process.h"
#include "integration/secure_fixture.h"
#include "session/bot_brain.h"
#include "session/content_store.h"
#include "temp_dir.h"
#include "unit/audio/speech.h"

using namespace caseroom;
using namespace caseroom::session;
using namespace caseroom::testing;

namespace {
std::unique_ptr<audio::VoiceClient> makeVoice(bool talk) {
    auto v = audio::test::plainVoice(talk);
    REQUIRE(v);
    return v;
}
} // namespace

static const bool kDebugLog = [] { if (std::getenv("CASEROOM_TEST_DEBUG")) caseroom::core::setLogLevel(caseroom::core::LogLevel::Debug); return true; }();
TEST_CASE("a spoke on the rural profile in a room of 31: speech intelligible, no avatar frozen, the deck arrives",
          "[integration][rural]") {
    const TempDir tmp;
    REQUIRE(tmp.ok());
    const auto dir = tmp.path;
    // The deck, in the server's content store.
    auto opened = ContentStore::open(dir / "content");
    REQUIRE(opened);
    ContentStore store = std::move(*opened);
    core::Rng rng(20261204);
    std::vector<core::ContentHash> deck;
    std::uint64_t deckBytes = 0;
    for (int i = 0; i < 10; ++i) {
        std::vector<std::uint8_t> b(6'000 + rng.below(6'001));
        for (auto& x : b) x = static_cast<std::uint8_t>(rng.below(256));
        auto h = store.blobs().put(b);
        REQUIRE(h);
        REQUIRE(store.allow(*h));
        deck.push_back(*h);
        deckBytes += b.size();
    }
    test::SecureWorld w("Rural teleECHO", [&](ServerConfig& cfg) {
        cfg.content = &store;
        cfg.rooms[0].maxParticipants = 40;
    }, [](net::secure::SecureServerDesc& d) { d.maxPeersPerAddress = 64; });

    Proc netsim;
    netsim.pid = spawnLogged({CASEROOM_NETSIM_EXE, "--server", "127.0.0.1:" + std::to_string(w.address.port), "--port-file",
                              (dir / "netsim.port").string(), "--stats-file", (dir / "netsim.stats").string(), "--seed", "41",
                              "--delay", "150", "--loss", "3", "--up-rate", "64", "--down-rate", "128", "--duration", "240"},
                             (dir / "netsim.log").string());
    REQUIRE(netsim.pid > 0);
    const std::string relayPort = waitForLine((dir / "netsim.port").string(), 10);
    REQUIRE_FALSE(relayPort.empty());
    const net::Address relay{"127.0.0.1", static_cast<std::uint16_t>(std::stoi(relayPort))};

    // The 30 on good links: the facilitator (who speaks), two specialists,
    // spokes; two in ten wander. (10 under AddressSanitizer: one loop runs
    // every client in real time, several times slower there.)
    const int kOthers = kSanitized ? 10 : 30;
    std::vector<ClientSession*> others;
    std::vector<std::unique_ptr<BotBrain>> brains;
    for (int i = 0; i < kOthers; ++i) {
        const core::Role role = i == 0 ? core::Role::Facilitator : i < 3 ? core::Role::Specialist : core::Role::Spoke;
        others.push_back(&w.join(w.mint("Hub " + std::to_string(i), role)));
        brains.push_back(std::make_unique<BotBrain>(500 + static_cast<std::uint64_t>(i), i % 10 >= 8));
    }
    const auto think = [&] {
        for (std::size_t i = 0; i < others.size(); ++i) brains[i]->think(*others[i], w.now());
    };
    REQUIRE(w.until(30.0, [&] {
        return std::all_of(others.begin(), others.end(), [](const ClientSession* c) { return c->state() == ClientState::InRoom; });
    }, think));

    // The rural spoke joins; join to first state is what its first frame can draw.
    const double joinAt = w.now();
    ClientSession& rural = w.join(w.mint("Spoke Rural"), &relay, [&](ClientDesc& d) {
        d.reconnect.enabled = true;
        d.slowConnection = true; // "my connection is slow": the budget's cap is 128 kbit/s from the join
        d.blobCacheDir = dir / "rural-cache";
    });
    double firstState = -1;
    REQUIRE(w.until(30.0, [&] {
        if (firstState < 0 && rural.layout() && rural.selfPose()) firstState = w.now() - joinAt;
        return rural.state() == ClientState::InRoom && rural.avatars().size() == static_cast<std::size_t>(kOthers) + 1 &&
               std::all_of(rural.avatars().begin(), rural.avatars().end(), [](const RemoteAvatar& a) { return a.hasPose; });
    }, think));
    const double allSeen = w.now() - joinAt;

    // Speech from the facilitator; the spoke listens and wants the deck.
    const std::string said = (dir / "said.wav").string(), heard = (dir / "heard.wav").string();
    const auto speech = audio::test::speech("Our next case is a man in his fifties with chronic hepatitis C, referred from a rural clinic. "
                                            "He has no cirrhosis on the scan, and his viral load is high.",
                                            "en-us", 8.0);
    REQUIRE(audio::writeWav(said, audio::kSampleRate, 1, speech).ok());
    auto talker = makeVoice(true), listener = makeVoice(false);
    others[0]->attachVoice(talker.get());
    rural.attachVoice(listener.get());
    audio::WavDeviceDesc dt;
    dt.inputWav = said;
    dt.inputDelaySec = 0.2;
    audio::WavFileAudioDevice devT(dt);
    audio::WavDeviceDesc dl;
    dl.outputWav = heard;
    audio::WavFileAudioDevice devL(dl);
    REQUIRE(devT.start(talker->callback()).ok());
    REQUIRE(devL.start(listener->callback()).ok());
    for (const auto& h : deck) rural.fetcher().want(h);

    const double start = w.now();
    const ServerCounters before = w.server->counters();
    std::uint64_t blocks = 0;
    double deckAt = -1, lastApplied = w.now(), worstGap = 0;
    std::uint64_t applied = rural.stats().snapshotsApplied;
    std::uint32_t worstStale = 0;
    const double seconds = 0.2 + static_cast<double>(speech.size()) / audio::kSampleRate + 0.6;
    w.until(std::max(seconds, 60.0), [&] { return w.now() - start >= seconds && deckAt >= 0; }, [&] {
        think();
        while (static_cast<double>(blocks) * 0.01 < w.now() - start) {
            REQUIRE(devT.pump(audio::kBlockSamples).ok());
            if (static_cast<double>(blocks) * 0.01 < seconds) REQUIRE(devL.pump(audio::kBlockSamples).ok());
            ++blocks;
        }
        if (deckAt < 0 && rural.fetcher().complete()) deckAt = w.now() - start;
        const std::uint64_t a = rural.stats().snapshotsApplied;
        if (a != applied) {
            worstGap = std::max(worstGap, w.now() - lastApplied);
            lastApplied = w.now();
            applied = a;
        }
        worstStale = std::max(worstStale, w.server->worstStalenessTicks());
    });
    const double measured = w.now() - start;
    REQUIRE(devL.finish().ok());
    others[0]->attachVoice(nullptr);
    rural.attachVoice(nullptr);

    // Speech.
    auto got = audio::readWav(heard);
    REQUIRE(got.ok());
    const auto left = audio::test::channel(got->samples, 0), right = audio::test::channel(got->samples, 1);
    const auto& ear = audio::test::energy(left) >= audio::test::energy(right) ? left : right;
    std::vector<float> ref(static_cast<std::size_t>(0.2 * audio::kSampleRate), 0.0f);
    ref.insert(ref.end(), speech.begin(), speech.end());
    const audio::test::SegmentScore score = audio::test::segmentCorrelation(ref, ear, audio::kSampleRate / 2, 24000);

    // The link: what the server sent the spoke, by class.
    const core::PeerId ruralPeer = w.server->peerOf("demo", rural.self());
    const LinkCounters* lc = ruralPeer.valid() ? w.server->links().counters(ruralPeer) : nullptr;
    const auto kbps = [&](TrafficClass c) { return lc ? static_cast<double>(lc->of(c)) * 8.0 / 1000.0 / (w.now() - joinAt) : 0.0; };
    const double total = kbps(TrafficClass::Voice) + kbps(TrafficClass::State) + kbps(TrafficClass::Media) + kbps(TrafficClass::Video);
    WARN("rural profile, " << kOthers << " others: join to first state " << firstState << " s, all avatars posed after " << allSeen
                                                          << " s; deck (" << static_cast<double>(deckBytes) / 1000.0 << " KB) in " << deckAt << " s; speech "
                                                          << score.median << " over " << score.segments << " segments; worst staleness "
                                                          << worstStale << " ticks; longest snapshot gap " << worstGap << " s; sent to the spoke "
                                                          << total << " kbit/s (voice " << kbps(TrafficClass::Voice) << ", state "
                                                          << kbps(TrafficClass::State) << ", media " << kbps(TrafficClass::Media) << ", video "
                                                          << kbps(TrafficClass::Video) << "), estimate "
                                                          << (ruralPeer.valid() ? w.server->links().estimate(ruralPeer) * 8 / 1000 : 0.0)
                                                          << " kbit/s, " << (lc ? lc->backoffs : 0) << " backoffs of " << (lc ? lc->reports : 0)
                                                          << " reports; over " << measured << " s");
    CHECK(firstState > 0);
    CHECK(score.segments >= 4);
    CHECK(score.median > 0.6);
    CHECK(score.causal);
    CHECK(worstStale <= 30);
    CHECK(worstGap < 0.5);
    REQUIRE(deckAt >= 0);
    for (const auto& h : deck) CHECK(rural.fetcher().read(h).ok());
    REQUIRE(lc != nullptr);
    CHECK(total < 128.0);
    CHECK(w.server->counters().voiceForwarded > before.voiceForwarded);
}
