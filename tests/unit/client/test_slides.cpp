// Slides glue without a GPU: the pure parts (window presets, right-drag
// window/level, cine frame, local view and snap-back, display mapping) and
// the decode worker over a real BlobStore directory with real PNG blobs.
#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <cstring>
#include <thread>

#include "fixtures.h"
#include "render/scene.h"
#include "sim/layout.h"
#include "media/window.h"
#include "slides.h"
#include "temp_dir.h"
#include "window_presets.h"

using namespace caseroom;
using namespace caseroom::client;

namespace {

media::DeckSlide ctSlide(std::uint32_t w, std::uint32_t h) {
    media::DeckSlide s;
    s.kind = media::SlideKind::Dicom;
    s.width = w;
    s.height = h;
    s.bits = 16;
    s.samplesPerPixel = 1;
    s.isSigned = true;
    s.rescaleSlope = 1.0;
    s.rescaleIntercept = -1024.0;
    return s;
}

// Waits for the worker (a deadline against hanging, not a speed bound).
template <typename F>
bool eventually(F&& f) {
    for (int i = 0; i < 3000; ++i) {
        if (f()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
}

} // namespace

TEST_CASE("window presets: the shipped file has the eight CT presets with sourced numbers", "[client][slides]") {
    const std::string path = std::string(CASEROOM_SOURCE_ASSETS) + "/config/window_presets.ini";
    auto presets = loadWindowPresets(path);
    INFO((presets ? "" : presets.error().message));
    REQUIRE(presets.ok());
    std::vector<std::string> names;
    for (const auto& p : *presets) names.push_back(p.name);
    CHECK(names == std::vector<std::string>{"brain", "subdural", "stroke", "lung", "mediastinum", "abdomen", "liver", "bone"});
    CHECK((*presets)[0].centre == 40);
    CHECK((*presets)[0].width == 80);
    CHECK((*presets)[3].centre == -600);
    CHECK((*presets)[7].width == 1800);
    CHECK((*presets)[7].label == "Bone");
}

TEST_CASE("window presets: bad files are refused with file, line and field", "[client][slides]") {
    auto bad = [](const char* text) {
        auto r = parseWindowPresets(text, "presets.ini");
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().message.find("presets.ini") != std::string::npos);
        return r.error().message;
    };
    CHECK(bad("[preset brain]\ncentre = 40\n").find("width") != std::string::npos);
    CHECK(bad("[preset brain]\ncentre = 40\nwidth = 0\n").find(":3") != std::string::npos);
    CHECK(bad("[preset brain]\ncentre = forty\nwidth = 80\n").find("centre") != std::string::npos);
    CHECK(bad("[preset brain]\ncentre = 40\nwidth = 80\ngamma = 2\n").find("gamma") != std::string::npos);
    CHECK(bad("[preset a]\ncentre = 1\nwidth = 2\n[preset a]\ncentre = 1\nwidth = 2\n").find("twice") != std::string::npos);
    CHECK(bad("[window brain]\ncentre = 1\nwidth = 2\n").find("[window]") != std::string::npos);
    CHECK(bad("[preset]\ncentre = 1\nwidth = 2\n").find("name") != std::string::npos);
    CHECK_FALSE(loadWindowPresets("/nonexistent/presets.ini").ok());
    auto ok = parseWindowPresets("# a comment\n[preset x]\ncenter = -5.5\nwidth = 1\n", "p.ini");
    REQUIRE(ok.ok());
    CHECK((*ok)[0].centre == -5.5);
    CHECK((*ok)[0].label == "x");
}

TEST_CASE("right-drag: horizontal is width, vertical is centre, from where the drag began", "[client][slides]") {
    const sim::PanelWindow start{true, 40.0f, 80.0f};
    sim::PanelWindow w = dragWindow(start, 100.0f, 0.0f, 2.0f);
    CHECK_FALSE(w.useDefault);
    CHECK(w.width == 280.0f);
    CHECK(w.centre == 40.0f);
    w = dragWindow(start, 0.0f, 50.0f, 2.0f);
    CHECK(w.width == 80.0f);
    CHECK(w.centre == 140.0f); // down raises the centre: darker
    w = dragWindow(start, 0.0f, -50.0f, 2.0f);
    CHECK(w.centre == -60.0f);
    CHECK(dragWindow(start, -1000.0f, 0.0f, 2.0f).width == 1.0f); // never below 1
    w = dragWindow(start, std::nanf(""), INFINITY, -3.0f);       // junk input changes nothing
    CHECK(w.width == 80.0f);
    CHECK(w.centre == 40.0f);
    // Sensitivity scales with the stored range: 16-bit CT moves faster than 8-bit.
    media::DeckSlide s8 = ctSlide(4, 4);
    s8.bits = 8;
    CHECK(dragUnitsPerPixel(ctSlide(4, 4)) > dragUnitsPerPixel(s8));
}

TEST_CASE("cine: the frame follows time at the slide's rate and loops", "[client][slides]") {
    CHECK(cineFrame(3, 10, 10.0, false, 5.0) == 3);  // paused: the chosen frame
    CHECK(cineFrame(3, 10, 10.0, true, 0.0) == 3);
    CHECK(cineFrame(3, 10, 10.0, true, 0.35) == 6);  // 3.5 frames in: frame 3 + 3
    CHECK(cineFrame(3, 10, 10.0, true, 0.75) == 0);  // 3 + 7 = 10: wrapped
    CHECK(cineFrame(0, 10, 30.0, true, 100.0) == 0); // 3000 frames: whole loops
    CHECK(cineFrame(0, 10, 30.0, true, 100.05) == 1);
    CHECK(cineFrame(25, 10, 10.0, false, 0.0) == 9); // clamped into the loop
    CHECK(cineFrame(2, 10, 0.0, true, 4.0) == 2);    // no rate: a still
    CHECK(cineFrame(0, 0, 10.0, true, 4.0) == 0);
    CHECK(cineFrame(1, 10, 10.0, true, std::nan("")) == 1);
    CHECK(cineFrame(0, 1000, 60.0, true, 1e12) < 1000);
}

TEST_CASE("local view: look closer on my screen, then snap back to the presenter", "[client][slides]") {
    sim::PanelState shared;
    shared.view = {0.4f, 0.6f, 2.0f};
    shared.window = {false, 40.0f, 80.0f};
    LocalView local;
    CHECK(effectiveView(local, shared).view == shared.view); // following
    lookCloser(local, shared);
    CHECK_FALSE(local.following);
    CHECK(effectiveView(local, shared).view == shared.view); // no jump when starting
    zoomAbout(local.view, 2.0f, 0.5f, 0.5f);
    CHECK(local.view.zoom == 4.0f);
    local.window = sim::PanelWindow{false, 400.0f, 1800.0f};
    // The presenter moves on; I keep my view and window...
    shared.view = {0.5f, 0.5f, 1.0f};
    shared.window = {false, -600.0f, 1500.0f};
    CHECK(effectiveView(local, shared).view.zoom == 4.0f);
    CHECK(effectiveView(local, shared).window.centre == 400.0f);
    // ...until I snap back: then what the presenter shows now.
    snapBack(local);
    CHECK(effectiveView(local, shared).view == shared.view);
    CHECK(effectiveView(local, shared).window == shared.window);
    // Looking closer without a local window keeps the shared window live.
    lookCloser(local, shared);
    shared.window.centre = 50.0f;
    CHECK(effectiveView(local, shared).window.centre == 50.0f);
}

TEST_CASE("zoom and pan: the point under the pointer stays, the view stays inside the image", "[client][slides]") {
    sim::PanelView v;
    zoomAbout(v, 4.0f, 0.75f, 0.25f);
    CHECK(v.zoom == 4.0f);
    // Image point under panel point (0.75, 0.25) before: (0.75, 0.25); after, the same.
    CHECK(v.centerX + (0.75f - 0.5f) / v.zoom == Approx(0.75f));
    CHECK(v.centerY + (0.25f - 0.5f) / v.zoom == Approx(0.25f));
    zoomAbout(v, 100.0f, 0.5f, 0.5f);
    CHECK(v.zoom == sim::kMaxZoom);
    zoomAbout(v, 0.0001f, 0.5f, 0.5f);
    CHECK(v.zoom == 1.0f);
    CHECK(v.centerX == 0.5f); // at zoom 1 the whole image: centred
    zoomAbout(v, 2.0f, 0.5f, 0.5f);
    panBy(v, 10.0f, -10.0f);
    CHECK(v.centerX == 0.75f); // half of 1/2 visible on each side
    CHECK(v.centerY == 0.25f);
}

TEST_CASE("display: rescale, bias, default window and MONOCHROME1 as window.h computes them", "[client][slides]") {
    media::DeckSlide s = ctSlide(4, 1);
    EffectiveView shown;
    render::PanelDisplay d = displayFor(s, shown, -2000, 2000);
    CHECK(d.signedBias == 32768.0);
    CHECK(d.rescaleIntercept == -1024.0);
    CHECK_FALSE(d.invert);
    // No window anywhere: the frame's range, exactly as media::renderGrey8 picks it.
    media::Image img;
    img.width = 4;
    img.height = 1;
    img.bits = 16;
    img.bitsStored = 16;
    img.isSigned = true;
    img.rescaleIntercept = -1024.0;
    const std::int16_t raw[4] = {-2000, 0, 1000, 2000};
    img.pixels.resize(8);
    std::memcpy(img.pixels.data(), raw, 8);
    const media::Window w = defaultWindow(s, -2000, 2000);
    auto implicitWindow = media::renderGrey8(img, 0);
    auto explicitWindow = media::renderGrey8(img, 0, w);
    REQUIRE(implicitWindow.ok());
    REQUIRE(explicitWindow.ok());
    CHECK(*implicitWindow == *explicitWindow);
    CHECK(d.windowCentre == w.centre);
    // The slide's own window wins over the range; the panel's over both.
    s.window = media::Window{40, 80};
    CHECK(displayFor(s, shown, -2000, 2000).windowCentre == 40.0);
    shown.window = {false, 400.0f, 1800.0f};
    CHECK(displayFor(s, shown, -2000, 2000).windowWidth == 1800.0);
    s.photometric = media::Photometric::Monochrome1;
    CHECK(displayFor(s, shown, 0, 1).invert);
    // Colour: no window, no inversion.
    s.samplesPerPixel = 3;
    s.bits = 8;
    CHECK_FALSE(displayFor(s, shown, 0, 1).invert);
    CHECK(displayFor(s, shown, 0, 1).signedBias == 0.0);
}

TEST_CASE("frames: a decoded PNG becomes renderer pixels, a mismatch names the blob", "[client][slides]") {
    using media::testkit::Bytes;
    // 16-bit grey as a deck stores signed CT: raw + 32768.
    Bytes px(3 * 2 * 2);
    const std::uint16_t stored[6] = {32768 - 2000, 32768, 32768 + 5, 32768 + 10, 32768 + 20, 32768 + 3000};
    std::memcpy(px.data(), stored, sizeof stored);
    auto img = media::decodeImage(media::testkit::makePng(3, 2, 1, 16, px), "test.png");
    REQUIRE(img.ok());
    auto f = toSlidePixels(*img, ctSlide(3, 2), "blob ab12");
    REQUIRE(f.ok());
    CHECK(f->pixels.format == render::SlideFormat::R16);
    CHECK(f->pixels.bytes == px);
    CHECK(f->storedMin == -2000);
    CHECK(f->storedMax == 3000);
    auto wrong = toSlidePixels(*img, ctSlide(4, 2), "blob ab12");
    REQUIRE_FALSE(wrong.ok());
    CHECK(wrong.error().message.find("blob ab12") != std::string::npos);
    CHECK(wrong.error().message.find("3x2") != std::string::npos);
    // RGB becomes RGBA.
    const Bytes rgb{10, 20, 30, 40, 50, 60};
    auto cimg = media::decodeImage(media::testkit::makePng(2, 1, 3, 8, rgb), "c.png");
    REQUIRE(cimg.ok());
    media::DeckSlide cs;
    cs.width = 2;
    cs.height = 1;
    cs.samplesPerPixel = 3;
    auto c = toSlidePixels(*cimg, cs, "blob cd");
    REQUIRE(c.ok());
    CHECK(c->pixels.format == render::SlideFormat::Rgba8);
    CHECK(c->pixels.bytes == std::vector<std::uint8_t>{10, 20, 30, 255, 40, 50, 60, 255});
}

TEST_CASE("decode worker: frames from a blob directory, cached under a byte cap, bad blobs named", "[client][slides]") {
    testing::TempDir dir;
    REQUIRE(dir.ok());
    auto source = LocalBlobSource::open(dir.path / "blobs");
    REQUIRE(source.ok());
    media::BlobStore& store = (*source)->store();
    std::vector<media::BlobHash> frames;
    for (std::uint16_t k = 0; k < 3; ++k) {
        media::testkit::Bytes px(64 * 64 * 2);
        for (std::size_t i = 0; i < 64 * 64; ++i) {
            const std::uint16_t v = static_cast<std::uint16_t>(32768 + k * 100);
            std::memcpy(&px[i * 2], &v, 2);
        }
        auto h = store.put(media::testkit::makePng(64, 64, 1, 16, px));
        REQUIRE(h.ok());
        frames.push_back(*h);
    }
    const media::DeckSlide slide = ctSlide(64, 64);
    // Cap: two frames (8 KiB each) fit, a third evicts the least recently used.
    FrameDecoder dec(**source, 2 * 64 * 64 * 2);
    dec.request(frames[0], slide);
    REQUIRE(eventually([&] { return dec.find(frames[0]) != nullptr; }));
    CHECK(dec.find(frames[0])->storedMin == 0);
    dec.request(frames[1], slide);
    REQUIRE(eventually([&] { return dec.find(frames[1]) != nullptr; }));
    (void)dec.find(frames[0]); // frame 0 is now the most recent
    dec.request(frames[2], slide);
    REQUIRE(eventually([&] { return dec.queued() == 0 && dec.cachedBytes() <= 2u * 64 * 64 * 2; }));
    CHECK(dec.find(frames[2]) != nullptr);
    CHECK(dec.find(frames[0]) != nullptr);
    CHECK(dec.find(frames[1]) == nullptr); // evicted
    CHECK(dec.find(frames[2])->storedMin == 200);

    // A blob that is not PNG/JPEG (here: a PDF) is refused, naming the blob.
    auto pdf = store.put(media::testkit::makePdf({media::testkit::PdfPage{}}));
    REQUIRE(pdf.ok());
    dec.request(*pdf, slide);
    REQUIRE(eventually([&] { return dec.error(*pdf).has_value(); }));
    CHECK(dec.error(*pdf)->find(pdf->shortHex()) != std::string::npos);
    // A blob not there yet is simply not decoded (asked again when it arrives).
    media::BlobHash missing;
    missing.bytes[0] = 1;
    dec.request(missing, slide);
    REQUIRE(eventually([&] { return dec.queued() == 0; }));
    CHECK(dec.find(missing) == nullptr);
    CHECK_FALSE(dec.error(missing).has_value());
    CHECK((*source)->progress(frames[0]).done());
    CHECK_FALSE((*source)->progress(missing).done());
}

TEST_CASE("laser: a ray from the head lands on the panel it points at, in panel coordinates", "[client][slides]") {
    const sim::RoomLayout layout = sim::makeLayout(sim::RoomSpec{});
    const sim::Panel& p0 = layout.panels[0];
    const glm::vec3 n = render::panelNormal(p0);
    sim::LaserState l;
    l.on = true;
    l.origin = p0.center + n * 4.0f;
    l.direction = -n;
    std::vector<std::vector<render::LaserDot>> dots;
    laserDots(layout, std::span<const sim::LaserState>(&l, 1), dots);
    REQUIRE(dots.size() == layout.panels.size());
    REQUIRE(dots[0].size() == 1);
    CHECK(dots[0][0].u == Approx(0.5f));
    CHECK(dots[0][0].v == Approx(0.5f));
    // Aim up and to the viewer's right: u grows, v shrinks.
    const glm::vec3 right = glm::cross(-n, glm::vec3(0, 1, 0));
    l.direction = glm::normalize(p0.center + right * 0.8f + glm::vec3(0, 0.45f, 0) - l.origin);
    laserDots(layout, std::span<const sim::LaserState>(&l, 1), dots);
    REQUIRE(dots[0].size() == 1);
    CHECK(dots[0][0].u == Approx(0.5f + 0.8f / p0.width).margin(0.01));
    CHECK(dots[0][0].v == Approx(0.5f - 0.45f / p0.height).margin(0.01));
    // Pointing away, or off: no dot anywhere.
    l.direction = n;
    laserDots(layout, std::span<const sim::LaserState>(&l, 1), dots);
    for (const auto& d : dots) CHECK(d.empty());
    l.direction = -n;
    l.on = false;
    laserDots(layout, std::span<const sim::LaserState>(&l, 1), dots);
    CHECK(dots[0].empty());
}

TEST_CASE("thumbnails: box-filtered to fit 128 pixels, same format, averages kept", "[client][slides]") {
    render::SlidePixels full;
    full.width = 512;
    full.height = 256;
    full.format = render::SlideFormat::R16;
    full.bytes.resize(512 * 256 * 2);
    for (std::uint32_t y = 0; y < 256; ++y)
        for (std::uint32_t x = 0; x < 512; ++x) {
            const std::uint16_t v = (x % 2 == 0) ? 1000 : 3000; // a fine pattern averages to 2000
            std::memcpy(&full.bytes[(std::size_t{y} * 512 + x) * 2], &v, 2);
        }
    const render::SlidePixels t = makeThumbnail(full);
    CHECK(t.width == 128);
    CHECK(t.height == 64);
    CHECK(t.format == render::SlideFormat::R16);
    REQUIRE(t.bytes.size() == 128u * 64u * 2u);
    std::uint16_t v;
    std::memcpy(&v, &t.bytes[(std::size_t{10} * 128 + 10) * 2], 2);
    CHECK(v == 2000);
    render::SlidePixels small;
    small.width = 100;
    small.height = 20;
    small.format = render::SlideFormat::R8;
    small.bytes.assign(2000, 7);
    CHECK(makeThumbnail(small).bytes == small.bytes);
}
