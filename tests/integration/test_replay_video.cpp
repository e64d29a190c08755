// caseroom-replay export --video as a process (issue 12): a synthetic
// recording of the default room (a seated facilitator, a specialist walking
// along the table, a real deck's slide on panel 0, a pause, two phases)
// exported headless on lavapipe and decoded back with libavformat and
// libavcodec: codec, size, frames, duration, chapters and tags; the slide's
// colour where panel 0 is on screen (and the card when the deck is not
// given); the walk visible between frames; the recorded pause frozen and
// said; a followed participant's eyes; refusals; the audit row.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <glm/geometric.hpp>

#include "fixtures.h"
#include "integration/replay_tool.h"
#include "media/blob.h"
#include "media/deck_build.h"
#include "net/room_objects.h"
#include "render/camera.h"
#include "session/panel_wire.h"
#include "session/recording_wire.h"
#include "session/wire_avatar.h"
#include "sim/layout.h"
#include "webm_decode.h"

using namespace caseroom;
using namespace caseroom::testing::replay_tool;
using caseroom::testing::webm::Picture;
using caseroom::testing::webm::decodeWebm;

namespace {

constexpr std::uint32_t kRate = 30, kFirst = 1000;
constexpr double kSeconds = 6.0;
constexpr double kPauseFrom = 4.0, kPauseTo = 5.0;   // nothing recorded between
constexpr std::uint32_t kW = 320, kH = 180;   // the first export's size (10 fps)
constexpr std::uint8_t kSlideR = 200, kSlideG = 40, kSlideB = 40;

std::uint32_t tickOf(double s) { return kFirst + static_cast<std::uint32_t>(std::lround(s * kRate)); }

// The walking specialist: from x = -3 to x = +3 on z = 2.5 over 4 s, and back.
sim::AvatarPose walker(double s) {
    sim::AvatarPose p;
    const double phase = std::fmod(s, 8.0) / 4.0;
    const double t = phase <= 1.0 ? phase : 2.0 - phase;
    p.body = {static_cast<float>(-3.0 + 6.0 * t), 0.0f, 2.5f};
    p.bodyYaw = 0.0f;
    return p;
}

sim::AvatarPose seated(const sim::RoomLayout& layout, std::uint16_t seat) {
    sim::AvatarPose p;
    p.body = {layout.seats[seat].position.x, 0.0f, layout.seats[seat].position.y};
    p.bodyYaw = layout.seats[seat].yaw;
    p.headOffset = {0.0f, sim::kSeatedEyeHeight, 0.0f};
    p.seat = seat;
    return p;
}

record::Present who(std::uint16_t slot, core::Role role, const char* name) {
    record::Present p;
    p.slot = slot;
    p.instance = 1;
    p.role = role;
    p.name = name;
    return p;
}

// A one-slide deck of a solid colour, built as caseroom-deck builds it, in `blobs`.
core::ContentHash makeDeck(const std::string& dir, const std::string& blobs) {
    media::testkit::Bytes rgb(64u * 36u * 3u);
    for (std::size_t i = 0; i < rgb.size(); i += 3) {
        rgb[i] = kSlideR;
        rgb[i + 1] = kSlideG;
        rgb[i + 2] = kSlideB;
    }
    const std::string png = dir + "/slide.png";
    media::testkit::writeAll(png, media::testkit::makePng(64, 36, 3, 8, rgb));
    auto store = media::BlobStore::open(blobs);
    REQUIRE(store.ok());
    media::BuildOptions o;
    o.title = "Red slide";
    auto built = media::buildDeck({png}, o, *store);
    REQUIRE(built.ok());
    REQUIRE(built->ok());
    std::filesystem::remove(png);
    return *built->manifestHash;
}

record::ObjectSample panelObject(const core::ContentHash& deck) {
    sim::PanelState p;
    p.deck = deck;
    net::ObjectBytes b;
    REQUIRE(session::encodePanel(p, b));
    record::ObjectSample o;
    o.kind = static_cast<std::uint8_t>(net::ObjectKind::Panel);
    o.id = 0;
    o.bytes.assign(b.view().begin(), b.view().end());
    return o;
}

// Ticks at kRate for `seconds`: keyframes at the start, every 10 s and on
// resuming, the walker's pose every tick (absolute after a keyframe, then
// deltas), the pause (when `pause`), the second phase at 3 s.
void writeRecording(const Fixture& fx, const core::ContentHash& deck, double seconds = kSeconds, bool pause = true) {
    record::WriterConfig c;
    c.path = fx.rec;
    c.key = fx.key;
    c.info.room = "hcv";
    c.info.title = "HCV ECHO";
    c.info.startedUnix = 1764676800;
    c.info.tickRate = kRate;
    c.info.firstTick = kFirst;
    c.info.policy = record::Policy::WholeSession;
    c.syncEachBlock = false;
    auto w = record::RecordingWriter::create(c);
    REQUIRE(w.ok());
    auto& writer = **w;
    const sim::RoomLayout layout = sim::makeLayout(sim::RoomSpec{});
    const record::Present ana = who(1, core::Role::Facilitator, "Ana Lima"), ben = who(2, core::Role::Specialist, "Ben Okafor");
    const net::QuantizedAvatar anaQ = session::toWire(seated(layout, 0));
    net::QuantizedAvatar benPrev{};
    bool benAbsolute = true;
    const std::uint32_t last = tickOf(seconds) - 1;
    writer.mark({tickOf(0), 1, 0, "didactic"});
    for (std::uint32_t tick = kFirst; tick <= last; ++tick) {
        const double s = static_cast<double>(tick - kFirst) / kRate;
        if (tick == tickOf(3.0)) writer.mark({tick, 2, 1, "case 1: hepatitis C"});
        if (pause && tick == tickOf(kPauseFrom)) {
            writer.pause({tick, 2, 0});
            continue;
        }
        if (pause && tick > tickOf(kPauseFrom) && tick < tickOf(kPauseTo)) continue;
        const net::QuantizedAvatar benQ = session::toWire(walker(s));
        if (tick == kFirst || (pause && tick == tickOf(kPauseTo)) || (tick - kFirst) % (10 * kRate) == 0) {
            record::Keyframe k;
            k.tick = tick;
            k.present = {ana, ben};
            k.avatars = {{1, session::encodeRecordedAvatar(anaQ, nullptr)}, {2, session::encodeRecordedAvatar(benQ, nullptr)}};
            k.objects = {panelObject(deck)};
            writer.keyframe(k);
            benPrev = benQ;
            benAbsolute = true;   // the first sample after a keyframe is absolute
            continue;
        }
        record::TickRecord t;
        t.tick = tick;
        if (!(benQ == benPrev) || benAbsolute) {
            t.avatars.push_back({2, session::encodeRecordedAvatar(benQ, benAbsolute ? nullptr : &benPrev)});
            benPrev = benQ;
            benAbsolute = false;
        }
        writer.append(t);
    }
    REQUIRE(writer.close().ok());
}

// BT.601 limited range, as the writer converts.
double lumaOf(double r, double g, double b) { return 16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255; }
double crOf(double r, double g, double b) { return 128 + (112.0 * r - 93.786 * g - 18.214 * b) / 255; }

glm::vec2 onScreen(const render::Camera& cam, glm::vec3 world) {
    const auto px = render::projectToPixel(render::viewProjection(cam, static_cast<float>(kW) / kH), world, {kW, kH});
    REQUIRE(px.has_value());
    return *px;
}

// Mean absolute luma difference of two frames.
double lumaDiff(const std::vector<std::uint8_t>& a, const std::vector<std::uint8_t>& b) {
    REQUIRE(a.size() == b.size());
    double sum = 0;
    for (std::size_t i = 0; i < a.size(); ++i) sum += std::abs(static_cast<int>(a[i]) - static_cast<int>(b[i]));
    return sum / static_cast<double>(a.size());
}

struct Film {
    caseroom::testing::webm::Info info;
    std::vector<std::vector<std::uint8_t>> luma;    // per frame, kW * kH
    std::vector<Picture::Sample> slide, middle;     // per frame: at panel 0's centre, at the picture's centre
};

Film decodeFilm(const std::string& path, glm::vec2 slideAt) {
    Film f;
    f.info = decodeWebm(path, [&](int, const Picture& p) {
        f.luma.emplace_back(static_cast<std::size_t>(p.width) * static_cast<std::size_t>(p.height));
        for (int y = 0; y < p.height; ++y)
            std::copy_n(p.y + static_cast<std::ptrdiff_t>(y) * p.yStride, p.width, f.luma.back().begin() + static_cast<std::ptrdiff_t>(y) * p.width);
        f.slide.push_back(p.mean(static_cast<int>(slideAt.x), static_cast<int>(slideAt.y), 6));
        f.middle.push_back(p.mean(p.width / 2, p.height / 2, 6));
    });
    return f;
}

} // namespace

TEST_CASE("caseroom-replay export --video renders the recorded room headless as WebM") {
    Fixture fx;
    const std::string blobs = fx.dir + "/deck/blobs";
    const core::ContentHash deck = makeDeck(fx.dir, blobs);
    writeRecording(fx, deck);
    const sim::RoomLayout layout = sim::makeLayout(sim::RoomSpec{});
    const glm::vec2 slideAt = onScreen(render::overviewCamera(layout), layout.panels[0].center);

    SECTION("the overview with the deck: size, frames, chapters, the slide on its panel, the walk, the pause") {
        const std::string dbPath = fx.dir + "/clinic.db";
        (void)makeClinic(dbPath);
        const std::size_t rowsBefore = auditRows(dbPath).size();
        const std::string out = fx.dir + "/room.webm";
        auto r = runReplay(fx.dir, {"export", fx.rec, "--video", out, "--size", "320x180", "--fps", "10", "--deck", fx.dir + "/deck",
                                    "--by", "Dr. Mara Voss"});
        INFO(r.out);
        REQUIRE(r.rc == 0);
        CHECK(r.out.find("video VP8, 320x180, 10 fps, overview, 60 frames") != std::string::npos);
        CHECK(r.out.find("not in the --deck") == std::string::npos);
        CHECK_FALSE(std::filesystem::exists(out + ".part"));
        const Film f = decodeFilm(out, slideAt);
        REQUIRE(f.info.error.empty());
        CHECK(f.info.codec == "vp8");
        CHECK(f.info.width == static_cast<int>(kW));
        CHECK(f.info.height == static_cast<int>(kH));
        CHECK(f.info.frames == 60);
        CHECK(f.info.durationS == Approx(kSeconds).margin(0.11));
        CHECK(f.info.title == "HCV ECHO");
        REQUIRE(f.info.chapters.size() == 2);
        CHECK(f.info.chapters[0].title == "didactic");
        CHECK(f.info.chapters[0].startMs == Approx(0).margin(1));
        CHECK(f.info.chapters[1].title == "case 1: hepatitis C");
        CHECK(f.info.chapters[1].startMs == Approx(3000).margin(1));
        CHECK(f.info.chapters[1].endMs == Approx(6000).margin(1));
        REQUIRE(f.luma.size() == 60);
        // The slide's red where panel 0 is, from the first frame on (a frame waits for its slide).
        for (std::size_t k : {std::size_t{0}, std::size_t{20}, std::size_t{55}}) {
            INFO("frame " << k);
            CHECK(f.slide[k].y == Approx(lumaOf(kSlideR, kSlideG, kSlideB)).margin(14));
            CHECK(f.slide[k].v == Approx(crOf(kSlideR, kSlideG, kSlideB)).margin(14));
        }
        // The specialist walks (0.5 s against 3.5 s); the paused room stands still (4.2 s against 4.8 s).
        const double walked = lumaDiff(f.luma[5], f.luma[35]);
        const double paused = lumaDiff(f.luma[42], f.luma[48]);
        CHECK(walked > 4 * std::max(paused, 0.1));
        // The pause is said across the middle (amber: low blue-difference), and not before it.
        CHECK(f.middle[45].u < 112);
        CHECK(f.middle[20].u > f.middle[45].u + 10);
        // One audit row naming the video.
        const auto rows = auditRows(dbPath);
        REQUIRE(rows.size() == rowsBefore + 1);
        CHECK(rows.back().text.find("video (overview) to " + out) != std::string::npos);
        CHECK(rows.back().text.find("Dr. Mara Voss") != std::string::npos);
    }

    SECTION("without the deck the panel shows its card, and the output says the deck is missing") {
        const std::string out = fx.dir + "/nodeck.webm";
        auto r = runReplay(fx.dir, {"export", fx.rec, "--video", out, "--size", "320x180", "--fps", "5", "--to", "2", "--no-db"});
        INFO(r.out);
        REQUIRE(r.rc == 0);
        CHECK(r.out.find("1 deck(s) shown in the room were not in the --deck/--content folders") != std::string::npos);
        const Film f = decodeFilm(out, slideAt);
        CHECK(f.info.frames == 10);
        CHECK(f.info.durationS == Approx(2.0).margin(0.21));
        REQUIRE(!f.slide.empty());
        CHECK(std::abs(f.slide[5].v - crOf(kSlideR, kSlideG, kSlideB)) > 20);
    }

    SECTION("follow:NAME looks through that participant's eyes; a name never present is the overview, said") {
        const std::string a = fx.dir + "/ana.webm", o = fx.dir + "/overview.webm", n = fx.dir + "/nobody.webm";
        auto ra = runReplay(fx.dir, {"export", fx.rec, "--video", a, "--size", "160x90", "--fps", "2", "--to", "2", "--no-db",
                                     "--camera", "follow:Ana Lima", "--codec", "vp9"});
        INFO(ra.out);
        REQUIRE(ra.rc == 0);
        CHECK(ra.out.find("through the eyes of Ana Lima") != std::string::npos);
        CHECK(ra.out.find("video VP9") != std::string::npos);
        auto ro = runReplay(fx.dir, {"export", fx.rec, "--video", o, "--size", "160x90", "--fps", "2", "--to", "2", "--no-db", "--codec", "vp9"});
        REQUIRE(ro.rc == 0);
        auto rn = runReplay(fx.dir, {"export", fx.rec, "--video", n, "--size", "160x90", "--fps", "2", "--to", "2", "--no-db",
                                     "--camera", "follow:Nobody", "--codec", "vp9"});
        INFO(rn.out);
        REQUIRE(rn.rc == 0);
        CHECK(rn.out.find("Nobody is never in the exported range") != std::string::npos);
        const auto fa = decodeFilm(a, {80, 45}), fo = decodeFilm(o, {80, 45}), fn = decodeFilm(n, {80, 45});
        CHECK(fa.info.codec == "vp9");
        REQUIRE(fa.luma.size() == 4);
        REQUIRE(fo.luma.size() == 4);
        REQUIRE(fn.luma.size() == 4);
        CHECK(lumaDiff(fa.luma[1], fo.luma[1]) > 5);    // another view than the overview
        CHECK(lumaDiff(fn.luma[1], fo.luma[1]) < 2);    // the overview
    }

    SECTION("refusals: bad camera, size, codec; video options without --video; a seat the room lacks") {
        const std::string out = fx.dir + "/bad.webm";
        for (const auto& args : std::vector<std::vector<std::string>>{
                 {"--video", out, "--camera", "ceiling"},
                 {"--video", out, "--size", "321x180"},
                 {"--video", out, "--size", "1280"},
                 {"--video", out, "--codec", "h264"},
                 {"--video", out, "--fps", "0"},
                 {"--camera", "overview", "--size", "320x180", "--audio", fx.dir + "/a.opus"}}) {
            std::vector<std::string> full = {"export", fx.rec, "--no-db"};
            full.insert(full.end(), args.begin(), args.end());
            auto r = runReplay(fx.dir, full);
            INFO(r.out);
            CHECK(r.rc == 64);
        }
        auto r = runReplay(fx.dir, {"export", fx.rec, "--no-db", "--video", out, "--camera", "seat:999"});
        INFO(r.out);
        CHECK(r.rc == 1);
        CHECK(r.out.find("seats") != std::string::npos);
        CHECK_FALSE(std::filesystem::exists(out));
        CHECK_FALSE(std::filesystem::exists(out + ".part"));
    }
}

// Export speed against real time (BENCHMARKS.md): a minute of the room,
// 1280x720 and 640x360 at 30 fps, VP8 and VP9, median of 3.
TEST_CASE("video export speed", "[.bench]") {
    Fixture fx;
    const core::ContentHash deck = makeDeck(fx.dir, fx.dir + "/deck/blobs");
    writeRecording(fx, deck, 60.0, false);
    for (const char* size : {"1280x720", "640x360"})
        for (const char* codec : {"vp8", "vp9"}) {
            std::vector<double> rates;
            for (int i = 0; i < 3; ++i) {
                const std::string out = fx.dir + "/bench" + std::to_string(i) + ".webm";
                const auto t0 = std::chrono::steady_clock::now();
                auto r = runReplay(fx.dir, {"export", fx.rec, "--video", out, "--size", size, "--codec", codec, "--deck", fx.dir + "/deck",
                                            "--no-db", "--quiet"});
                const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
                INFO(r.out);
                REQUIRE(r.rc == 0);
                rates.push_back(60.0 / wall);
                std::filesystem::remove(out);
            }
            std::sort(rates.begin(), rates.end());
            std::printf("caseroom-replay export --video, 60 s, %s %s 30 fps: %.2f x real time (median of 3: %.2f %.2f %.2f)\n", size, codec,
                        rates[1], rates[0], rates[1], rates[2]);
        }
}
