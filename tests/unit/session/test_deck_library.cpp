// The server's deck library: decks built in-test with media::buildDeck (the
// engine of `caseroom-deck build`) are loaded by manifest hash, answer the
// panels' catalog questions, are listed as offered decks and become servable
// in a content store; a deck with a frame blob missing, a damaged manifest or
// a hash the store lacks is refused with the blob and the fault named.
#include <catch2/catch.hpp>

#include "fixtures.h"
#include "media/blob.h"
#include "media/deck.h"
#include "media/deck_build.h"
#include "session/content_store.h"
#include "session/deck_library.h"
#include "temp_dir.h"

#include <filesystem>
#include <fstream>

using namespace caseroom;
using namespace caseroom::media::testkit;

namespace {

// A two-slide deck: a 3-frame signed CT cine loop and a PNG photo, written by
// buildDeck into DIR/blobs with DIR/deck as `caseroom-deck build --out` does.
core::ContentHash buildTestDeck(const std::filesystem::path& dir, const std::string& title) {
    const auto in = dir / "in";
    std::filesystem::create_directories(in);
    media::testkit::DicomSpec ct;
    ct.width = 8;
    ct.height = 6;
    ct.frames = 3;
    ct.window = media::Window{40, 400};
    for (std::uint32_t i = 0; i < ct.width * ct.height * ct.frames; ++i) ct.values.push_back(static_cast<std::int32_t>(i * 37 % 2000) - 1000);
    writeAll(in / "a.dcm", makeDicom(ct));
    Bytes grey(16 * 12);
    for (std::size_t i = 0; i < grey.size(); ++i) grey[i] = static_cast<std::uint8_t>(i * 5);
    writeAll(in / "b.png", makePng(16, 12, 1, 8, grey));
    auto store = media::BlobStore::open(dir / "blobs");
    REQUIRE(store.ok());
    media::BuildOptions options;
    options.title = title;
    options.scrub = true;
    auto built = media::buildDeck({in / "a.dcm", in / "b.png"}, options, *store);
    REQUIRE(built.ok());
    REQUIRE(built->ok());
    std::ofstream(dir / "deck") << built->manifestHash->hex() << "\n";
    return *built->manifestHash;
}

} // namespace

TEST_CASE("deck library: a built deck is loaded, answers the catalog and is offered", "[deck_library]") {
    const caseroom::testing::TempDir tmp;
    REQUIRE(tmp.ok());
    const auto dir = tmp.path;
    const auto hash = buildTestDeck(dir / "deck1", "Week 3: chest pain");
    session::DeckLibrary lib;
    auto added = lib.addBuiltDeck(dir / "deck1");
    REQUIRE(added.ok());
    CHECK(*added == hash);
    CHECK(lib.size() == 1);
    CHECK(lib.addBuiltDeck(dir / "deck1").ok()); // again: a no-op
    CHECK(lib.size() == 1);

    const sim::DeckCatalog& catalog = lib;
    CHECK(catalog.slideCount(hash) == std::optional<std::uint16_t>(2));
    CHECK(catalog.frameCount(hash, 0) == std::optional<std::uint16_t>(3));
    CHECK(catalog.frameCount(hash, 1) == std::optional<std::uint16_t>(1));
    CHECK_FALSE(catalog.frameCount(hash, 2).has_value());
    core::ContentHash other = hash;
    other.bytes[0] ^= 1;
    CHECK_FALSE(catalog.slideCount(other).has_value());
    CHECK_FALSE(catalog.frameCount(other, 0).has_value());

    const auto offered = catalog.offered();
    REQUIRE(offered.size() == 1);
    CHECK(offered[0].deck == hash);
    CHECK(offered[0].title == "Week 3: chest pain");
    CHECK(offered[0].slides == 2);

    // Servable: every blob of the deck, from the deck's own blob directory.
    auto content = session::ContentStore::open(dir / "server");
    REQUIRE(content.ok());
    CHECK_FALSE(content->servedSize(hash).has_value());
    REQUIRE(lib.allowIn(*content).ok());
    const media::DeckManifest* m = lib.find(hash);
    REQUIRE(m != nullptr);
    auto deckStore = media::BlobStore::open(dir / "deck1" / "blobs");
    REQUIRE(deckStore.ok());
    std::vector<core::ContentHash> all{hash};
    for (const auto& h : m->blobs()) all.push_back(h);
    CHECK(all.size() == 5);
    for (const auto& h : all) {
        REQUIRE(content->servedSize(h).has_value());
        CHECK(*content->servedSize(h) == *deckStore->size(h));
        bool read = true;
        auto bytes = content->load(h, read);
        REQUIRE(bytes != nullptr);
        CHECK(media::hashBlob(*bytes) == h);
    }
    CHECK(content->counters().allowed == 5);
}

TEST_CASE("deck library: two decks in two directories are offered in order", "[deck_library]") {
    const caseroom::testing::TempDir tmp;
    REQUIRE(tmp.ok());
    const auto dir = tmp.path;
    const auto a = buildTestDeck(dir / "a", "First deck");
    const auto b = buildTestDeck(dir / "b", "Second deck");
    REQUIRE(a != b); // titles differ, so manifests differ
    session::DeckLibrary lib;
    REQUIRE(lib.addBuiltDeck(dir / "a").ok());
    REQUIRE(lib.addBuiltDeck(dir / "b").ok());
    const auto offered = lib.offered();
    REQUIRE(offered.size() == 2);
    CHECK(offered[0].deck == a);
    CHECK(offered[1].deck == b);
    CHECK(offered[1].title == "Second deck");
    auto content = session::ContentStore::open(dir / "server");
    REQUIRE(content.ok());
    REQUIRE(lib.allowIn(*content).ok());
    bool read = true;
    CHECK(content->load(b, read) != nullptr);
}

TEST_CASE("deck library: a deck with a frame blob missing is refused, naming the blob", "[deck_library]") {
    const caseroom::testing::TempDir tmp;
    REQUIRE(tmp.ok());
    const auto dir = tmp.path;
    const auto hash = buildTestDeck(dir / "d", "Deck");
    auto store = media::BlobStore::open(dir / "d" / "blobs");
    REQUIRE(store.ok());
    auto bytes = store->read(hash);
    REQUIRE(bytes.ok());
    auto manifest = media::parseManifest(*bytes, "test");
    REQUIRE(manifest.ok());
    const core::ContentHash frame = manifest->slides[0].frames[1];
    std::filesystem::remove(store->pathOf(frame));

    session::DeckLibrary lib;
    auto r = lib.addBuiltDeck(dir / "d");
    REQUIRE_FALSE(r.ok());
    const std::string& msg = r.error().message;
    CHECK(msg.find(hash.hex()) != std::string::npos);
    CHECK(msg.find(store->pathOf(frame).string()) != std::string::npos);
    CHECK(msg.find("slide 1 frame 2") != std::string::npos);
    CHECK(msg.find("missing") != std::string::npos);
    CHECK(lib.size() == 0);
    CHECK_FALSE(lib.slideCount(hash).has_value());
}

TEST_CASE("deck library: a missing, damaged or unparsable manifest is refused", "[deck_library]") {
    const caseroom::testing::TempDir tmp;
    REQUIRE(tmp.ok());
    const auto dir = tmp.path;
    auto store = media::BlobStore::open(dir / "blobs");
    REQUIRE(store.ok());
    session::DeckLibrary lib;

    // Not in the store.
    const core::ContentHash absent = media::hashBlob(std::vector<std::uint8_t>{1, 2, 3});
    auto r1 = lib.add(*store, absent);
    REQUIRE_FALSE(r1.ok());
    CHECK(r1.error().message.find(absent.hex()) != std::string::npos);
    CHECK(r1.error().message.find("not in") != std::string::npos);

    // A blob that is no manifest.
    const std::string junk = "not a deck\n";
    auto junkHash = store->put(std::span(reinterpret_cast<const std::uint8_t*>(junk.data()), junk.size()));
    REQUIRE(junkHash.ok());
    auto r2 = lib.add(*store, *junkHash);
    REQUIRE_FALSE(r2.ok());
    CHECK(r2.error().message.find(store->pathOf(*junkHash).string()) != std::string::npos);

    // A manifest whose bytes on disk no longer match its name.
    const auto hash = buildTestDeck(dir / "d", "Deck");
    auto deckStore = media::BlobStore::open(dir / "d" / "blobs");
    REQUIRE(deckStore.ok());
    {
        std::fstream f(deckStore->pathOf(hash), std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(0);
        f.put('X');
    }
    auto r3 = lib.addBuiltDeck(dir / "d");
    REQUIRE_FALSE(r3.ok());
    CHECK(r3.error().message.find(hash.hex()) != std::string::npos);

    // DIR/deck that is not a hash; a directory without blobs.
    std::ofstream(dir / "d" / "deck") << "hello\n";
    auto r4 = lib.addBuiltDeck(dir / "d");
    REQUIRE_FALSE(r4.ok());
    CHECK(r4.error().message.find((dir / "d" / "deck").string()) != std::string::npos);
    auto r5 = lib.addBuiltDeck(dir / "nothing");
    REQUIRE_FALSE(r5.ok());
    CHECK(r5.error().message.find("blobs") != std::string::npos);
    CHECK(lib.size() == 0);
}
