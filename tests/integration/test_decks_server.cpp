// Decks through the product: the real caseroom-server process offering a
// deck built at test time by media::buildDeck (the engine of `caseroom-deck
// build --out DIR`) with `--deck DIR`, and real secure clients (tokens minted
// with the server's own key) over loopback. A client sees the offered deck,
// a facilitator shows it, the other client sees the panel name it and
// fetches the manifest and every frame, each verified; a deck the server
// does not offer cannot be shown and none of its blobs is served.
#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>
#include <memory>
#include <thread>

#include "core/cli.h"
#include "fixtures.h"
#include "integration/cache_client.h"
#include "integration/process.h"
#include "media/blob.h"
#include "media/deck.h"
#include "media/deck_build.h"
#include "net/secure/key_file.h"
#include "net/secure/secure_transport.h"
#include "session/client_session.h"

using namespace caseroom;
using namespace caseroom::testing;

namespace {
using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// What `caseroom-deck build --out dir` writes: dir/blobs and dir/deck. Two
// slides: a 3-frame signed CT cine loop and a PNG photo.
core::ContentHash buildDeck(const std::filesystem::path& dir, const std::string& title, std::uint8_t seed) {
    const auto in = dir / "in";
    std::filesystem::create_directories(in);
    media::testkit::DicomSpec ct;
    ct.width = 32;
    ct.height = 24;
    ct.frames = 3;
    ct.window = media::Window{40, 400};
    for (std::uint32_t i = 0; i < ct.width * ct.height * ct.frames; ++i)
        ct.values.push_back(static_cast<std::int32_t>((i + seed) * 37 % 2000) - 1000);
    media::testkit::writeAll(in / "a.dcm", media::testkit::makeDicom(ct));
    media::testkit::Bytes rgb(40 * 30 * 3);
    for (std::size_t i = 0; i < rgb.size(); ++i) rgb[i] = static_cast<std::uint8_t>(i * 7 + seed);
    media::testkit::writeAll(in / "b.png", media::testkit::makePng(40, 30, 3, 8, rgb));
    auto store = media::BlobStore::open(dir / "blobs");
    REQUIRE(store);
    media::BuildOptions options;
    options.title = title;
    options.scrub = true;
    auto built = media::buildDeck({in / "a.dcm", in / "b.png"}, options, *store);
    REQUIRE(built);
    REQUIRE(built->ok());
    std::ofstream(dir / "deck") << built->manifestHash->hex() << "\n";
    return *built->manifestHash;
}



sim::PanelCommand showDeck(const core::ContentHash& deck) {
    sim::PanelCommand c;
    c.op = sim::PanelOp::ShowDeck;
    c.panel = 0;
    c.deck = deck;
    return c;
}
} // namespace

TEST_CASE("caseroom-server --deck: clients see the offered deck, one shows it, the other fetches and verifies all of it",
          "[integration][decks]") {
    REQUIRE(net::secure::initCrypto());
    const TempDir tmp;
    REQUIRE(tmp.ok());
    const auto dir = tmp.path;
    const core::ContentHash deck = buildDeck(dir / "deck1", "Week 3: chest pain", 1);
    const core::ContentHash other = buildDeck(dir / "other", "Not offered", 2); // built, never given to the server
    auto deckStore = media::BlobStore::open(dir / "deck1" / "blobs");
    REQUIRE(deckStore);
    auto manifestBytes = deckStore->read(deck);
    REQUIRE(manifestBytes);
    auto manifest = media::parseManifest(*manifestBytes, "test");
    REQUIRE(manifest);
    const auto frames = manifest->blobs();
    REQUIRE(frames.size() == 4);

    Proc server;
    server.pid = spawnLogged({CASEROOM_SERVER_EXE, "--port", "0", "--port-file", (dir / "port").string(), "--state-dir", (dir / "state").string(),
                              "--deck", (dir / "deck1").string()},
                             (dir / "server.log").string());
    REQUIRE(server.pid > 0);
    const std::string port = waitForLine((dir / "port").string(), 10);
    INFO(slurp((dir / "server.log").string()));
    REQUIRE_FALSE(port.empty());
    CHECK(slurp((dir / "server.log").string()).find("deck " + deck.shortHex() + " 'Week 3: chest pain' 2 slides") != std::string::npos);

    auto key = net::secure::loadKeyFile((dir / "state" / "caseroom.key").string());
    REQUIRE(key);
    net::secure::SystemRandom random;
    const net::Address to{"127.0.0.1", static_cast<std::uint16_t>(std::stoi(port))};
    const auto t0 = Clock::now();
    Client fac = makeClient(key->bytes, random, 1, "Dr. Fac", core::Role::Facilitator, dir / "cache-fac", to, since(t0));
    Client spoke = makeClient(key->bytes, random, 2, "Dr. Spoke", core::Role::Spoke, dir / "cache-spoke", to, since(t0));
    session::ClientSession& f = *fac.session;
    session::ClientSession& s = *spoke.session;
    auto until = [&](double seconds, auto pred) {
        const double end = since(t0) + seconds;
        while (since(t0) < end) {
            f.update(since(t0));
            s.update(since(t0));
            if (pred()) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        return false;
    };

    // Both see the offered deck (a room object in their first snapshots).
    REQUIRE(until(15, [&] {
        return f.state() == session::ClientState::InRoom && s.state() == session::ClientState::InRoom && !f.decks().empty() &&
               !s.decks().empty();
    }));
    REQUIRE(s.decks().size() == 1);
    CHECK(s.decks()[0] == sim::OfferedDeck{deck, "Week 3: chest pain", 2});
    CHECK(f.decks()[0] == s.decks()[0]);

    // The facilitator shows it on panel 0; the spoke's panel names it.
    f.sendPanelIntent(showDeck(f.decks()[0].deck));
    REQUIRE(until(10, [&] { return !s.panels().empty() && s.panels()[0].deck == deck; }));
    CHECK(f.stats().refusals == 0);

    // The spoke fetches the manifest, then every frame it names; each verifies.
    s.fetcher().want(s.panels()[0].deck);
    REQUIRE(until(20, [&] { return s.fetcher().complete(); }));
    auto gotManifest = s.fetcher().read(deck);
    REQUIRE(gotManifest);
    CHECK(media::hashBlob(*gotManifest) == deck);
    auto parsed = media::parseManifest(*gotManifest, "fetched");
    REQUIRE(parsed);
    CHECK(*parsed == *manifest);
    for (const auto& h : parsed->blobs()) s.fetcher().want(h);
    REQUIRE(until(30, [&] { return s.fetcher().complete(); }));
    for (const auto& h : frames) {
        auto got = s.fetcher().read(h);
        REQUIRE(got);
        CHECK(media::hashBlob(*got) == h);
        auto want = deckStore->read(h);
        REQUIRE(want);
        const bool same = *got == *want;
        CHECK(same);
    }
    CHECK(s.fetcher().counters().verified == 1 + frames.size());
    CHECK(s.fetcher().counters().mismatches == 0);

    // A deck the server does not offer: showing it is refused, nothing changes,
    // and neither its manifest nor a frame is served.
    (void)s.takeNotices();
    (void)f.takeNotices();
    f.sendPanelIntent(showDeck(other));
    REQUIRE(until(10, [&] { return f.stats().refusals == 1; }));
    bool noticed = false;
    for (const auto& n : f.takeNotices()) noticed = noticed || n.find("the server does not have that deck") != std::string::npos;
    CHECK(noticed);
    auto otherStore = media::BlobStore::open(dir / "other" / "blobs");
    REQUIRE(otherStore);
    auto otherManifest = media::parseManifest(*otherStore->read(other), "other");
    REQUIRE(otherManifest);
    const core::ContentHash otherFrame = otherManifest->blobs().front();
    s.fetcher().want(other);
    s.fetcher().want(otherFrame);
    auto stateOf = [&](const core::ContentHash& h) {
        const auto* p = s.fetcher().progress(h);
        return p ? p->state : session::FetchState::Queued;
    };
    REQUIRE(until(10, [&] {
        return stateOf(other) == session::FetchState::Unavailable && stateOf(otherFrame) == session::FetchState::Unavailable;
    }));
    CHECK(s.fetcher().counters().unavailable == 2);
    CHECK(s.panels()[0].deck == deck);
    CHECK(f.panels()[0].deck == deck);

    CHECK(server.stop(5) == 0);
}

TEST_CASE("caseroom-server refuses a deck with a frame blob missing, naming the blob", "[integration][decks]") {
    const TempDir tmp;
    REQUIRE(tmp.ok());
    const auto dir = tmp.path;
    const core::ContentHash deck = buildDeck(dir / "deck", "Deck", 3);
    auto store = media::BlobStore::open(dir / "deck" / "blobs");
    REQUIRE(store);
    auto manifest = media::parseManifest(*store->read(deck), "test");
    REQUIRE(manifest);
    const auto missing = manifest->slides[1].frames[0];
    std::filesystem::remove(store->pathOf(missing));
    const pid_t p = spawnLogged({CASEROOM_SERVER_EXE, "--port", "0", "--state-dir", (dir / "state").string(), "--deck", (dir / "deck").string()},
                                (dir / "out.log").string());
    REQUIRE(p > 0);
    const int rc = waitExit(p, 10);
    const std::string out = slurp((dir / "out.log").string());
    INFO(out);
    CHECK(rc == 1);
    CHECK(out.find("deck " + deck.hex()) != std::string::npos);
    CHECK(out.find(store->pathOf(missing).string() + " is missing") != std::string::npos);
}
