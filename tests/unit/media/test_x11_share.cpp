// X11 share (media/x11_share.h), on a real X server: run under
//   xvfb-run -a -s "-screen 0 1280x800x24" ./test_x11_share
// The test opens its own windows: A with a known pattern, B (magenta) mapped
// over part of A. A window share of A matches A's pattern and holds no
// magenta; a desktop share of the same place shows B (so the check can
// fail); a resized A keeps the output size; a destroyed A gives "gone"; a
// window that paints no background and never repaints shows black, not B
// (the server seeds a redirected window's pixmap from the screen).
// Expected frames use the float BT.601 formula, independent of the code's
// fixed point: luma PSNR floor 40 dB (rounding differs by at most 1 level).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "media/video_frame.h"
#include "media/x11_share.h"

#include <X11/Xlib.h>
#include <X11/Xutil.h>

using namespace caseroom;
using media::I420Frame;

namespace {

constexpr double kLumaFloorDb = 40.0;

struct Rgb {
    int r, g, b;
};
constexpr Rgb kBars[7] = {{255, 255, 255}, {255, 255, 0}, {0, 255, 255}, {0, 255, 0}, {255, 0, 0}, {0, 0, 255}, {0, 0, 0}};
constexpr Rgb kMagenta{255, 0, 255};

// A's picture: seven bars on the top half, a grey ramp below (no magenta).
Rgb patternA(int x, int y, int w, int h) {
    if (y < h / 2) return kBars[x * 7 / w];
    const int v = w > 1 ? x * 255 / (w - 1) : 0;
    return {v, v, v};
}

int yOf(double r, double g, double b) { return int(std::lround(16.0 + (65.481 * r + 128.553 * g + 24.966 * b) / 255.0)); }
int cbOf(double r, double g, double b) { return int(std::lround(128.0 + (-37.797 * r - 74.203 * g + 112.0 * b) / 255.0)); }
int crOf(double r, double g, double b) { return int(std::lround(128.0 + (112.0 * r - 93.786 * g - 18.214 * b) / 255.0)); }

I420Frame expectedA(int w, int h) {
    I420Frame f = I420Frame::black(std::uint32_t(w), std::uint32_t(h));
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            const Rgb p = patternA(x, y, w, h);
            f.y[std::size_t(y * w + x)] = std::uint8_t(yOf(p.r, p.g, p.b));
        }
    for (int y = 0; y < h / 2; ++y)
        for (int x = 0; x < w / 2; ++x) {
            double r = 0, g = 0, b = 0;
            for (int k = 0; k < 4; ++k) {
                const Rgb p = patternA(2 * x + k % 2, 2 * y + k / 2, w, h);
                r += p.r / 4.0; g += p.g / 4.0; b += p.b / 4.0;
            }
            f.u[std::size_t(y * (w / 2) + x)] = std::uint8_t(cbOf(r, g, b));
            f.v[std::size_t(y * (w / 2) + x)] = std::uint8_t(crOf(r, g, b));
        }
    return f;
}

// Pixels whose Y, Cb, Cr all lie within 8 of magenta's.
std::size_t magentaPixels(const I420Frame& f, std::uint32_t x0 = 0, std::uint32_t y0 = 0, std::uint32_t x1 = 0, std::uint32_t y1 = 0) {
    if (x1 == 0) { x1 = f.width; y1 = f.height; }
    const int my = yOf(255, 0, 255), mu = cbOf(255, 0, 255), mv = crOf(255, 0, 255);
    std::size_t n = 0;
    for (std::uint32_t y = y0; y < y1; ++y)
        for (std::uint32_t x = x0; x < x1; ++x) {
            const std::size_t c = (y / 2) * (f.width / 2) + x / 2;
            if (std::abs(f.y[y * f.width + x] - my) <= 8 && std::abs(f.u[c] - mu) <= 8 && std::abs(f.v[c] - mv) <= 8) ++n;
        }
    return n;
}

// The test's own X client: windows it paints itself (and repaints on Expose,
// as a real application does).
struct Painter {
    Display* d = XOpenDisplay(nullptr);
    ~Painter() { if (d) XCloseDisplay(d); }

    Window make(int x, int y, int w, int h, const char* title) {
        const int s = XDefaultScreen(d);
        const Window win = XCreateSimpleWindow(d, XRootWindow(d, s), x, y, unsigned(w), unsigned(h), 0,
                                               XBlackPixel(d, s), XBlackPixel(d, s));
        XStoreName(d, win, title);
        XSelectInput(d, win, ExposureMask | StructureNotifyMask);
        XMapWindow(d, win);
        for (;;) {   // mapped (no WM on Xvfb: at once)
            XEvent e{};
            XWindowEvent(d, win, StructureNotifyMask, &e);
            if (e.type == MapNotify) break;
        }
        return win;
    }
    void paint(Window win, int w, int h, bool magenta) {
        std::vector<char> px(std::size_t(w) * std::size_t(h) * 4);
        for (int y = 0; y < h; ++y)
            for (int x = 0; x < w; ++x) {
                const Rgb p = magenta ? kMagenta : patternA(x, y, w, h);
                char* q = &px[(std::size_t(y) * std::size_t(w) + std::size_t(x)) * 4];
                q[0] = char(p.b); q[1] = char(p.g); q[2] = char(p.r); q[3] = 0;   // BGRX, LSBFirst
            }
        const int s = XDefaultScreen(d);
        XImage* img = XCreateImage(d, XDefaultVisual(d, s), 24, ZPixmap, 0, px.data(), unsigned(w), unsigned(h), 32, 0);
        REQUIRE(img);
        img->byte_order = LSBFirst;
        XPutImage(d, win, XDefaultGC(d, s), img, 0, 0, 0, 0, unsigned(w), unsigned(h));
        img->data = nullptr;   // ours, not Xlib's
        XDestroyImage(img);
        XSync(d, False);
    }
    // Handles pending Expose events by repainting, then syncs.
    void pump(Window a, int aw, int ah, Window b) {
        XSync(d, False);
        while (XPending(d) > 0) {
            XEvent e{};
            XNextEvent(d, &e);
            if (e.type == Expose && e.xexpose.window == a) paint(a, aw, ah, false);
            if (e.type == Expose && e.xexpose.window == b) paint(b, 160, 120, true);
            if (e.type == ConfigureNotify && e.xconfigure.window == a) { aw = e.xconfigure.width; ah = e.xconfigure.height; }
        }
        XSync(d, False);
    }
};

Painter& requireDisplay(Painter& p) {
    if (!p.d)
        FAIL("no X display (DISPLAY='" << (std::getenv("DISPLAY") ? std::getenv("DISPLAY") : "") <<
             "'): run under xvfb-run -a -s \"-screen 0 1280x800x24\"");
    return p;
}

I420Frame grab(media::VideoSource& s) {
    auto r = s.next();
    if (!r) FAIL("next(): " << r.error().message);
    REQUIRE(r->has_value());
    return std::move(**r);
}

} // namespace

TEST_CASE("x11 share refuses bad arguments before touching the display") {
    media::ShareTarget t;
    t.window = 1;
    CHECK_FALSE(media::openX11Share(t, 0.0, 640, 480).ok());
    CHECK_FALSE(media::openX11Share(t, 15, 8, 480).ok());
    CHECK_FALSE(media::openX11Share(t, 15, 640, 5000).ok());
    t.window = 0;
    auto r = media::openX11Share(t, 15, 640, 480);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("window id 0") != std::string::npos);
    CHECK_FALSE(media::openX11Share(t, 15, 640, 480, ":987").ok());
    auto noDisplay = media::listX11Windows(":987");
    REQUIRE_FALSE(noDisplay.ok());
    CHECK(noDisplay.error().message.find(":987") != std::string::npos);
}

TEST_CASE("x11 window share shows the window's own pixels, never one lying over it") {
    Painter p;
    requireDisplay(p);
    constexpr int aw = 320, ah = 240;
    const Window a = p.make(100, 100, aw, ah, "caseroom test A");
    p.paint(a, aw, ah, false);
    const Window b = p.make(200, 150, 160, 120, "caseroom test B");   // over A's middle
    p.paint(b, 160, 120, true);

    SECTION("listX11Windows lists A by title") {
        auto list = media::listX11Windows();
        REQUIRE(list.ok());
        bool found = false;
        for (const auto& w : *list)
            if (w.id == a) {
                found = true;
                CHECK(w.title == "caseroom test A");
                CHECK(w.width == std::uint32_t(aw));
                CHECK(w.height == std::uint32_t(ah));
            }
        CHECK(found);
    }

    SECTION("window capture, desktop capture, resize, destroy") {
        media::ShareTarget t;
        t.window = a;
        auto opened = media::openX11Share(t, 15, 640, 480);
        if (!opened) FAIL(opened.error().message);
        auto& share = **opened;
        CHECK(share.width() == std::uint32_t(aw));   // fits: not scaled
        CHECK(share.height() == std::uint32_t(ah));
        INFO(share.describe());
        p.pump(a, aw, ah, b);   // A repaints what the redirect exposed

        const I420Frame f = grab(share);
        REQUIRE(f.valid());
        const I420Frame want = expectedA(aw, ah);
        const double luma = media::psnrLuma(f, want);
        INFO("luma PSNR " << luma << " dB, all " << media::psnrAll(f, want));
        CHECK(luma >= kLumaFloorDb);
        CHECK(media::psnrAll(f, want) >= kLumaFloorDb - 5);
        CHECK(magentaPixels(f) == 0);

        // The desktop at the same place does show B: the check above can fail.
        media::ShareTarget desk;
        desk.kind = media::ShareTarget::Kind::Desktop;
        auto d = media::openX11Share(desk, 5, 1280, 800);
        if (!d) FAIL(d.error().message);
        const I420Frame df = grab(**d);
        CHECK(df.width == 1280u);
        CHECK(magentaPixels(df, 200, 150, 360, 270) >= 150u * 110u);
        CHECK(magentaPixels(df, 100, 100, 420, 340) < 320u * 240u / 2);   // A's uncovered part too

        // Resize: the output keeps its size, A's content scaled into it.
        // The share scrubs the grown pixmap (black, full Expose): the frame
        // right after is black where A has not repainted, never B.
        XResizeWindow(p.d, a, 480, 240);
        p.pump(a, 480, 240, b);
        const I420Frame scrubbed = grab(share);
        CHECK(scrubbed.width == std::uint32_t(aw));
        CHECK(magentaPixels(scrubbed) == 0);
        p.pump(a, 480, 240, b);   // A repaints on the share's Expose
        const I420Frame r = grab(share);
        CHECK(r.width == std::uint32_t(aw));
        CHECK(r.height == std::uint32_t(ah));
        CHECK(magentaPixels(r) == 0);
        // 480x240 into 320x240: 320x160 with 40-row bars above and below.
        CHECK(r.y[10 * aw + 160] == 16);
        CHECK(r.y[230 * aw + 160] == 16);
        for (int bar = 0; bar < 7; ++bar) {
            const int x = (2 * bar + 1) * aw / 14, y = 40 + 40;   // the middle of each bar
            const Rgb c = kBars[bar];
            INFO("bar " << bar);
            CHECK(std::abs(int(r.y[std::size_t(y * aw + x)]) - yOf(c.r, c.g, c.b)) <= 2);
            CHECK(std::abs(int(r.u[std::size_t((y / 2) * (aw / 2) + x / 2)]) - cbOf(c.r, c.g, c.b)) <= 2);
        }

        // Destroy: an error naming the window, again on the next call, no crash.
        XDestroyWindow(p.d, a);
        XSync(p.d, False);
        for (int i = 0; i < 2; ++i) {
            auto gone = share.next();
            REQUIRE_FALSE(gone.ok());
            CHECK(gone.error().message.find("is gone") != std::string::npos);
            char id[32];
            std::snprintf(id, sizeof id, "0x%lx", a);
            CHECK(gone.error().message.find(id) != std::string::npos);
        }
    }
}

TEST_CASE("x11 share of a window id that does not exist is an error") {
    Painter p;
    requireDisplay(p);
    media::ShareTarget t;
    t.window = 0x7ffffff0ul;
    auto r = media::openX11Share(t, 15, 640, 480);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("0x7ffffff0") != std::string::npos);
    CHECK(r.error().message.find("does not exist") != std::string::npos);
}

TEST_CASE("x11 window share of a window that never repaints shows black, not the window over it") {
    Painter p;
    requireDisplay(p);
    // Background None and no Expose handling: what the screen held stays in
    // the server's copy, so without the share's scrub B's pixels would show.
    XSetWindowAttributes wa{};
    wa.background_pixmap = None;
    const Window a = XCreateWindow(p.d, XDefaultRootWindow(p.d), 100, 100, 320, 240, 0, CopyFromParent, InputOutput,
                                   CopyFromParent, CWBackPixmap, &wa);
    XSelectInput(p.d, a, StructureNotifyMask);
    XMapWindow(p.d, a);
    for (;;) {
        XEvent e{};
        XWindowEvent(p.d, a, StructureNotifyMask, &e);
        if (e.type == MapNotify) break;
    }
    p.paint(a, 320, 240, false);
    const Window b = p.make(200, 150, 160, 120, "caseroom test B");
    p.paint(b, 160, 120, true);
    media::ShareTarget t;
    t.window = a;
    auto opened = media::openX11Share(t, 15, 640, 480);
    if (!opened) FAIL(opened.error().message);
    const I420Frame f = grab(**opened);
    CHECK(magentaPixels(f) == 0);
    XUnmapWindow(p.d, a);   // minimised and restored: a new pixmap, seeded again
    XMapWindow(p.d, a);
    XSync(p.d, False);
    CHECK(magentaPixels(grab(**opened)) == 0);
    CHECK(magentaPixels(grab(**opened)) == 0);
    XDestroyWindow(p.d, b);
    XDestroyWindow(p.d, a);
    XSync(p.d, False);
}
