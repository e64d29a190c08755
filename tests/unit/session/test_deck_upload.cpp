// Deck uploads through the real server core on the loopback twin: a built
// deck (manifest + PNG frames made here with media's writers) goes from a
// client's DeckUploader into the server's content store, with its checks
// run on the upload worker. Refusals leave nothing in the store or staging.
#include <catch2/catch.hpp>

#include <atomic>
#include <condition_variable>
#include <fstream>
#include <mutex>

#include "media/blob.h"
#include "media/deck.h"
#include "media/raster.h"
#include "net/loopback_transport.h"
#include "session/client_session.h"
#include "session/content_store.h"
#include "session/deck_upload.h"
#include "session/deck_uploader.h"
#include "session/server_host.h"
#include "temp_dir.h"

using namespace caseroom;
using namespace caseroom::session;
namespace fs = std::filesystem;

namespace {

std::vector<std::uint8_t> greyPng(std::uint32_t w, std::uint32_t h, unsigned bits, std::uint8_t seed) {
    std::vector<std::uint8_t> px(std::size_t{w} * h * (bits / 8));
    std::uint32_t x = 2463534242u + seed; // xorshift: pixels that do not compress away
    for (auto& v : px) {
        x ^= x << 13; x ^= x >> 17; x ^= x << 5;
        v = static_cast<std::uint8_t>(x >> 24);
    }
    auto png = media::encodePng(w, h, 1, bits, px);
    REQUIRE(png);
    return *png;
}

std::uint32_t crc32(std::span<const std::uint8_t> b) { // PNG chunk CRC (ISO 3309), bitwise
    std::uint32_t c = 0xffffffffu;
    for (std::uint8_t x : b) {
        c ^= x;
        for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
    }
    return c ^ 0xffffffffu;
}

// The PNG with a tEXt chunk (keyword "Author", a name) after IHDR, CRC correct.
std::vector<std::uint8_t> withText(const std::vector<std::uint8_t>& png) {
    const std::string body = std::string("tEXt") + "Author" + '\0' + "Dr. Jane Roe";
    std::vector<std::uint8_t> chunk;
    const auto n = static_cast<std::uint32_t>(body.size() - 4);
    for (int s = 24; s >= 0; s -= 8) chunk.push_back(static_cast<std::uint8_t>(n >> s));
    chunk.insert(chunk.end(), body.begin(), body.end());
    const std::uint32_t crc = crc32(std::span<const std::uint8_t>(chunk).subspan(4));
    for (int s = 24; s >= 0; s -= 8) chunk.push_back(static_cast<std::uint8_t>(crc >> s));
    std::vector<std::uint8_t> out(png.begin(), png.begin() + 8 + 25); // signature + IHDR
    out.insert(out.end(), chunk.begin(), chunk.end());
    out.insert(out.end(), png.begin() + 33, png.end());
    return out;
}

// A built deck on disk, as `caseroom-deck build --out DIR` leaves it.
struct BuiltDeck {
    fs::path dir;
    core::ContentHash manifest;
    media::DeckManifest deck;
};

BuiltDeck writeDeck(const fs::path& dir, media::DeckManifest deck, const std::vector<std::vector<std::uint8_t>>& blobs) {
    auto store = media::BlobStore::open(dir / "blobs");
    REQUIRE(store);
    for (const auto& b : blobs) REQUIRE(store->put(b));
    auto h = store->put(media::writeManifest(deck));
    REQUIRE(h);
    std::ofstream(dir / "deck") << h->hex() << "\n";
    return {dir, *h, std::move(deck)};
}

media::DeckSlide slide(media::SlideKind kind, std::uint32_t w, std::uint32_t h, std::uint8_t bits, std::vector<core::ContentHash> frames,
                       std::string caption) {
    media::DeckSlide s;
    s.kind = kind;
    s.width = w;
    s.height = h;
    s.bits = bits;
    s.samplesPerPixel = 1;
    s.frames = std::move(frames);
    if (s.frames.size() > 1) s.frameRateHz = 10.0;
    s.caption = std::move(caption);
    return s;
}

// A good two-slide deck: a 16-bit two-frame cine slide and an 8-bit photo.
BuiltDeck goodDeck(const fs::path& dir, std::uint32_t size = 64) {
    const auto f1 = greyPng(size, size, 16, 1), f2 = greyPng(size, size, 16, 2), photo = greyPng(48, 32, 8, 3);
    media::DeckManifest m;
    m.title = "Upload test";
    m.slides.push_back(slide(media::SlideKind::Dicom, size, size, 16, {media::hashBlob(f1), media::hashBlob(f2)}, "CT loop"));
    m.slides.push_back(slide(media::SlideKind::Photo, 48, 32, 8, {media::hashBlob(photo)}, "Lab table"));
    return writeDeck(dir, std::move(m), {f1, f2, photo});
}

struct World {
    testing::TempDir tmp;
    MemoryAudit audit;
    std::optional<ContentStore> content;
    std::unique_ptr<DeckUploads> uploads;
    net::LoopbackNetwork net{29};
    std::unique_ptr<net::Transport> serverT = net.createHost(7777);
    std::unique_ptr<ServerHost> server;
    std::vector<std::unique_ptr<net::Transport>> clientT;
    std::vector<std::unique_ptr<ClientSession>> clients;
    std::vector<std::pair<core::ContentHash, media::DeckManifest>> accepted;
    double now = 0;

    explicit World(DeckUploadConfig cfg = {}) {
        auto s = ContentStore::open(tmp.path / "content");
        REQUIRE(s);
        content.emplace(std::move(*s));
        auto u = DeckUploads::create(*content, &audit, std::move(cfg));
        REQUIRE(u);
        uploads = std::move(*u);
        uploads->onDeckAccepted = [this](const core::ContentHash& h, const media::DeckManifest& m) { accepted.emplace_back(h, m); };
        ServerConfig sc;
        sc.content = &*content;
        sc.uploads = uploads.get();
        sc.audit = &audit;
        server = std::make_unique<ServerHost>(*serverT, sc);
    }
    ClientSession& add(const std::string& name, core::Role role = core::Role::Spoke) {
        clientT.push_back(net.createHost());
        ClientDesc d;
        d.displayName = name;
        d.role = role;
        d.blobCacheDir = tmp.path / ("cache-" + name);
        clients.push_back(std::make_unique<ClientSession>(*clientT.back(), d));
        clients.back()->connect(net::Address{"loop", 7777}, now);
        return *clients.back();
    }
    void step(DeckUploader* up = nullptr) {
        now += 1.0 / 120.0;
        for (auto& c : clients) c->update(now);
        if (up) up->update(now);
        server->update(now);
    }
    // Steps until `done`; the worker runs in real time, so this also waits
    // (bounded by steps, not by the clock).
    bool runUntil(int steps, const std::function<bool()>& done, DeckUploader* up = nullptr) {
        for (int i = 0; i < steps; ++i) {
            step(up);
            if (done()) return true;
            if (uploads->counters().verifying > 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        return false;
    }
    ClientSession& joined(const std::string& name, core::Role role = core::Role::Spoke) {
        ClientSession& c = add(name, role);
        REQUIRE(runUntil(240, [&] { return c.state() == ClientState::InRoom; }));
        return c;
    }
    UploadProgress upload(ClientSession& c, const fs::path& dir) {
        DeckUploader up(c);
        REQUIRE(up.start(dir, now));
        REQUIRE(runUntil(20'000, [&] { return up.finished(); }, &up));
        return up.progress();
    }
    // Nothing of `deck` is in the store and staging is empty.
    void leftNothing(const BuiltDeck& d) {
        CHECK_FALSE(content->blobs().has(d.manifest));
        for (const auto& h : d.deck.blobs()) CHECK_FALSE(content->blobs().has(h));
        CHECK_FALSE(content->servedSize(d.manifest));
        CHECK(fs::is_empty(uploads->stagingRoot()));
        CHECK(accepted.empty());
    }
    bool audited(const std::string& needle) const {
        for (const auto& e : audit.entries)
            if ((e.kind == AuditKind::DeckUpload || e.kind == AuditKind::IntentRefused) && (e.what + " " + e.outcome).find(needle) != std::string::npos)
                return true;
        return false;
    }
};

} // namespace

TEST_CASE("a spoke uploads a built deck: it is checked, stored, served, and the callback fires with the manifest", "[session][upload]") {
    World w;
    ClientSession& spoke = w.joined("Dr. Spoke");
    const BuiltDeck d = goodDeck(w.tmp.path / "deck");
    const UploadProgress p = w.upload(spoke, d.dir);
    INFO(p.error);
    REQUIRE(p.phase == UploadPhase::Accepted);
    CHECK(p.ackedBytes == p.totalBytes);
    CHECK(p.blobsSent == 4); // manifest + three frames
    REQUIRE(w.accepted.size() == 1);
    CHECK(w.accepted[0].first == d.manifest);
    CHECK(w.accepted[0].second == d.deck);
    CHECK(w.content->servedSize(d.manifest));
    for (const auto& h : d.deck.blobs()) CHECK(w.content->servedSize(h));
    CHECK(fs::is_empty(w.uploads->stagingRoot()));
    CHECK(w.uploads->counters().accepted == 1);
    CHECK(w.audited("accepted: 2 slides"));
    // Uploads are charged to links only for the server's replies (control, in the state class): no media went out.
    CHECK(w.server->links().counters().of(TrafficClass::Media) == 0);
    CHECK(w.server->links().counters().of(TrafficClass::State) > 0);
    // Another participant fetches it from the store like any offered deck.
    ClientSession& viewer = w.joined("Dr. Viewer", core::Role::Specialist);
    viewer.fetcher().want(d.manifest);
    for (const auto& h : d.deck.blobs()) viewer.fetcher().want(h);
    CHECK(w.runUntil(2'000, [&] { return viewer.fetcher().complete(); }));
}

TEST_CASE("refused uploads say why and leave nothing in the store", "[session][upload]") {
    SECTION("a frame whose size differs from the manifest") {
        World w;
        ClientSession& spoke = w.joined("Dr. Spoke");
        const auto f = greyPng(64, 32, 8, 1);
        media::DeckManifest m;
        m.title = "Wrong size";
        m.slides.push_back(slide(media::SlideKind::Photo, 64, 64, 8, {media::hashBlob(f)}, "Slide 1"));
        const BuiltDeck d = writeDeck(w.tmp.path / "deck", m, {f});
        const UploadProgress p = w.upload(spoke, d.dir);
        CHECK(p.phase == UploadPhase::Refused);
        CHECK(p.reason == net::UploadRefusal::FrameMismatch);
        w.leftNothing(d);
        CHECK(w.audited("decodes to 64x32"));
    }
    SECTION("a PNG photo with a tEXt chunk") {
        World w;
        ClientSession& spoke = w.joined("Dr. Spoke");
        const auto f = withText(greyPng(32, 32, 8, 1));
        media::DeckManifest m;
        m.title = "Text chunk";
        m.slides.push_back(slide(media::SlideKind::Photo, 32, 32, 8, {media::hashBlob(f)}, "Slide 1"));
        const BuiltDeck d = writeDeck(w.tmp.path / "deck", m, {f});
        const UploadProgress p = w.upload(spoke, d.dir);
        CHECK(p.phase == UploadPhase::Refused);
        CHECK(p.reason == net::UploadRefusal::PngText);
        w.leftNothing(d);
        CHECK(w.audited("carries tEXt"));
        for (const auto& e : w.audit.entries) CHECK((e.what + e.outcome).find("Jane Roe") == std::string::npos); // never contents
    }
    SECTION("an upload over the quota") {
        DeckUploadConfig cfg;
        cfg.maxDeckBytes = 4'000;
        World w(cfg);
        ClientSession& spoke = w.joined("Dr. Spoke");
        const BuiltDeck d = goodDeck(w.tmp.path / "deck");
        const UploadProgress p = w.upload(spoke, d.dir);
        CHECK(p.phase == UploadPhase::Refused);
        CHECK(p.reason == net::UploadRefusal::OverQuota);
        // The rest of the refused upload's window arrives afterwards and is dropped.
        for (int i = 0; i < 120; ++i) w.step();
        w.leftNothing(d);
        CHECK(w.audited("quota 4000"));
    }
    SECTION("an observer may not upload") {
        World w;
        ClientSession& observer = w.joined("Observer", core::Role::Observer);
        const BuiltDeck d = goodDeck(w.tmp.path / "deck");
        const UploadProgress p = w.upload(observer, d.dir);
        CHECK(p.phase == UploadPhase::Refused);
        CHECK(p.reason == net::UploadRefusal::NotPermitted);
        for (int i = 0; i < 120; ++i) w.step();
        w.leftNothing(d);
        CHECK(w.audited("refused: not permitted for observer"));
    }
    SECTION("a blob whose bytes do not match its hash") {
        World w;
        ClientSession& spoke = w.joined("Dr. Spoke");
        std::vector<net::UploadStatus> got;
        spoke.setUploadSink([&](const net::UploadStatus& st) { got.push_back(st); });
        const auto f = greyPng(16, 16, 8, 1);
        net::BlobPut put;
        put.hash = media::hashBlob(f);
        put.offset = 0;
        put.total = static_cast<std::uint32_t>(f.size());
        put.size = static_cast<std::uint16_t>(f.size());
        std::copy(f.begin(), f.end(), put.bytes.begin());
        put.bytes[put.size - 20] ^= 0x01; // tampered in flight (or by the sender)
        REQUIRE(spoke.sendUpload(put));
        REQUIRE(w.runUntil(240, [&] { return !got.empty(); }));
        CHECK(got[0].state == net::UploadState::Refused);
        CHECK(got[0].reason == net::UploadRefusal::HashMismatch);
        CHECK(got[0].hash == put.hash);
        CHECK_FALSE(w.content->blobs().has(put.hash));
        CHECK(fs::is_empty(w.uploads->stagingRoot()));
        CHECK(w.audited("bytes do not match"));
    }
}

TEST_CASE("ticks keep running while a deck is checked on the worker", "[session][upload]") {
    std::mutex m;
    std::condition_variable cv;
    bool release = false;
    std::atomic<bool> holding{false};
    DeckUploadConfig cfg;
    cfg.beforeVerify = [&] { // holds the check until the test has seen ticks go by (bounded: never hangs)
        holding = true;
        std::unique_lock lock(m);
        cv.wait_for(lock, std::chrono::seconds(60), [&] { return release; });
    };
    World w(cfg);
    ClientSession& spoke = w.joined("Dr. Spoke");
    const BuiltDeck d = goodDeck(w.tmp.path / "deck", 512); // two 512x512 16-bit frames
    DeckUploader up(spoke);
    REQUIRE(up.start(d.dir, w.now));
    REQUIRE(w.runUntil(20'000, [&] { return holding.load(); }, &up));
    const std::uint32_t before = w.server->room("demo")->tick();
    for (int i = 0; i < 120; ++i) w.step(&up); // a second of ticks (30 Hz) while the check is held
    const std::uint32_t during = w.server->room("demo")->tick();
    CHECK(during >= before + 25);
    CHECK(up.progress().phase == UploadPhase::Offered);
    CHECK(w.uploads->counters().verifying == 1);
    CHECK(spoke.state() == ClientState::InRoom);
    {
        std::lock_guard lock(m);
        release = true;
    }
    cv.notify_all();
    REQUIRE(w.runUntil(20'000, [&] { return up.finished(); }, &up));
    CHECK(up.progress().phase == UploadPhase::Accepted);
    CHECK(w.accepted.size() == 1);
}

// ---- DeckUploads on its own: the protocol's edges, with no network -------------

namespace {
struct Direct {
    testing::TempDir tmp;
    std::optional<ContentStore> content;
    std::unique_ptr<DeckUploads> uploads;
    MemoryAudit audit;
    std::vector<std::pair<core::PeerId, net::UploadStatus>> replies;
    DeckUploads::Reply reply = [this](core::PeerId p, const net::UploadStatus& st) { replies.emplace_back(p, st); };
    explicit Direct(DeckUploadConfig cfg = {}) {
        auto s = ContentStore::open(tmp.path / "content");
        REQUIRE(s);
        content.emplace(std::move(*s));
        auto u = DeckUploads::create(*content, &audit, std::move(cfg));
        REQUIRE(u);
        uploads = std::move(*u);
    }
    static Uploader who(std::uint32_t peer) { return Uploader{core::PeerId{peer}, AuditRecord{}}; }
    // Puts `bytes` as blob `hash` in chunks, from chunk `from` to chunk `to` (exclusive; -1: all).
    void put(std::uint32_t peer, const core::ContentHash& hash, const std::vector<std::uint8_t>& bytes, double now, int from = 0, int to = -1) {
        int i = 0;
        for (std::size_t off = 0; off < bytes.size(); off += net::kBlobChunkBytes, ++i) {
            if (i < from || (to >= 0 && i >= to)) continue;
            net::BlobPut p;
            p.hash = hash;
            p.offset = static_cast<std::uint32_t>(off);
            p.total = static_cast<std::uint32_t>(bytes.size());
            p.size = static_cast<std::uint16_t>(std::min<std::size_t>(net::kBlobChunkBytes, bytes.size() - off));
            std::copy_n(bytes.begin() + static_cast<std::ptrdiff_t>(off), p.size, p.bytes.begin());
            uploads->onPut(who(peer), p, now, reply);
        }
    }
    [[nodiscard]] std::optional<net::UploadRefusal> lastRefusal(std::uint32_t peer) const {
        for (auto it = replies.rbegin(); it != replies.rend(); ++it)
            if (it->first.value == peer && it->second.state == net::UploadState::Refused) return it->second.reason;
        return std::nullopt;
    }
};
} // namespace

TEST_CASE("upload edges: out of order, offered while partial, stalled, busy, strays, leaving while checked", "[session][upload]") {
    const auto blob = greyPng(64, 64, 16, 9); // several chunks
    const core::ContentHash h = media::hashBlob(blob);
    REQUIRE(blob.size() > 3 * net::kBlobChunkBytes);

    SECTION("a chunk that skips ahead is refused out of order") {
        Direct d;
        d.put(1, h, blob, 0.0, 0, 1);
        d.put(1, h, blob, 0.0, 2, 3);
        CHECK(d.lastRefusal(1) == net::UploadRefusal::OutOfOrder);
        CHECK(d.uploads->active() == 0);
        CHECK(fs::is_empty(d.uploads->stagingRoot()));
        // The rest of that blob is a stray: dropped, nothing opened.
        d.put(1, h, blob, 0.0, 3);
        CHECK(d.uploads->active() == 0);
        CHECK(d.uploads->counters().stray > 0);
    }
    SECTION("an offer with a blob still partial is refused incomplete") {
        Direct d;
        d.put(1, h, blob, 0.0, 0, 2);
        d.uploads->onOffer(Direct::who(1), net::DeckOffer{h}, 0.0, d.reply);
        CHECK(d.lastRefusal(1) == net::UploadRefusal::Incomplete);
        CHECK(fs::is_empty(d.uploads->stagingRoot()));
    }
    SECTION("an offer with nothing uploaded, and a bad manifest") {
        Direct d;
        d.uploads->onOffer(Direct::who(1), net::DeckOffer{h}, 0.0, d.reply);
        CHECK(d.lastRefusal(1) == net::UploadRefusal::MissingBlob);
        d.put(2, h, blob, 0.0); // a PNG offered as the manifest
        d.uploads->onOffer(Direct::who(2), net::DeckOffer{h}, 0.0, d.reply);
        for (int i = 0; i < 5000 && !d.lastRefusal(2); ++i) {
            d.uploads->poll(0.0, d.reply);
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        CHECK(d.lastRefusal(2) == net::UploadRefusal::BadManifest);
        CHECK_FALSE(d.content->blobs().has(h));
        CHECK(fs::is_empty(d.uploads->stagingRoot()));
    }
    SECTION("an upload without puts for stallSeconds is dropped") {
        DeckUploadConfig cfg;
        cfg.stallSeconds = 5;
        Direct d(cfg);
        d.put(1, h, blob, 0.0, 0, 1);
        d.uploads->poll(4.0, d.reply);
        CHECK(d.uploads->active() == 1);
        d.uploads->poll(6.0, d.reply);
        CHECK(d.lastRefusal(1) == net::UploadRefusal::TimedOut);
        CHECK(d.uploads->active() == 0);
        CHECK(fs::is_empty(d.uploads->stagingRoot()));
    }
    SECTION("past the server's concurrent uploads, a new one is busy") {
        DeckUploadConfig cfg;
        cfg.maxConcurrent = 2;
        Direct d(cfg);
        d.put(1, h, blob, 0.0, 0, 1);
        d.put(2, h, blob, 0.0, 0, 1);
        d.put(3, h, blob, 0.0, 0, 1);
        CHECK(d.lastRefusal(3) == net::UploadRefusal::Busy);
        CHECK_FALSE(d.lastRefusal(1));
        CHECK(d.uploads->active() == 2);
        d.uploads->onLeave(core::PeerId{1});
        d.put(3, h, blob, 0.0, 0, 1);
        CHECK(d.uploads->active() == 2);
    }
    SECTION("a client that leaves while its deck is checked leaves nothing") {
        std::mutex m;
        std::condition_variable cv;
        bool release = false;
        std::atomic<bool> holding{false};
        DeckUploadConfig cfg;
        cfg.beforeVerify = [&] {
            holding = true;
            std::unique_lock lock(m);
            cv.wait_for(lock, std::chrono::seconds(60), [&] { return release; });
        };
        Direct d(cfg);
        const BuiltDeck deck = goodDeck(d.tmp.path / "deck");
        auto src = media::BlobStore::open(deck.dir / "blobs");
        REQUIRE(src);
        bool accepted = false;
        d.uploads->onDeckAccepted = [&](const core::ContentHash&, const media::DeckManifest&) { accepted = true; };
        d.put(1, deck.manifest, *src->read(deck.manifest), 0.0);
        for (const auto& b : deck.deck.blobs()) d.put(1, b, *src->read(b), 0.0);
        d.uploads->onOffer(Direct::who(1), net::DeckOffer{deck.manifest}, 0.0, d.reply);
        for (int i = 0; i < 5000 && !holding; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        REQUIRE(holding);
        d.uploads->onLeave(core::PeerId{1});
        {
            std::lock_guard lock(m);
            release = true;
        }
        cv.notify_all();
        for (int i = 0; i < 5000 && d.uploads->counters().verifying > 0; ++i) {
            d.uploads->poll(0.0, d.reply);
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        CHECK(d.uploads->counters().verifying == 0);
        CHECK_FALSE(accepted);
        CHECK_FALSE(d.content->servedSize(deck.manifest));
        CHECK_FALSE(d.content->blobs().has(deck.manifest)); // left before the move: not even on disk
        CHECK(fs::is_empty(d.uploads->stagingRoot()));
    }
}
