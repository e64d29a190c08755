// X11 share sources (media/x11_share.h).
// [SECTION] X error trap (Xlib's handlers exit the process by default)
// [SECTION] BGRX -> I420 with a box-filtered fit
// [SECTION] display helpers, window titles
// [SECTION] listX11Windows
// [SECTION] the share source
//
// Privacy note (Composite semantics): a window is read from its own pixmap,
// which the server keeps for it once redirected; siblings stacked above it
// draw into their own pixmaps, so they cannot appear in it. The desktop
// (root) image is what the screen shows, overlaps included.
#include "media/x11_share.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <string_view>

#include "core/utf8.h"

// Xlib last: its macros (Status, None, Bool, True) must not reach our headers.
#include <X11/Xatom.h>
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <X11/extensions/Xcomposite.h>

namespace caseroom::media {

const char* toString(ShareTarget::Kind k) {
    switch (k) {
    case ShareTarget::Kind::Window: return "window";
    case ShareTarget::Kind::Desktop: return "desktop";
    case ShareTarget::Kind::Count: break;
    }
    return "?";
}

namespace {

constexpr std::uint32_t kMinSide = 16, kMaxSide = 4096;
constexpr double kMinFps = 0.01, kMaxFps = 1000.0;
constexpr std::size_t kMaxTitle = 256;         // bytes; titles come from other clients
constexpr unsigned long kMaxClientList = 4096; // windows read from _NET_CLIENT_LIST

std::string hexId(unsigned long id) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "0x%lx", id);
    return buf;
}

std::string fpsText(double fps) {
    char buf[32];
    if (fps == std::floor(fps)) std::snprintf(buf, sizeof buf, "%.0f", fps);
    else std::snprintf(buf, sizeof buf, "%.3g", fps);
    return buf;
}

std::string displayName(const char* display) {
    if (display) return display;
    const char* env = std::getenv("DISPLAY");
    return env && *env ? std::string(env) : std::string("(DISPLAY unset)");
}

// [SECTION] X error trap
//
// Xlib reports protocol errors (BadWindow when a window vanished between two
// requests) to one process-wide handler whose default exits. A trap installs
// ours for a scope, syncs at the end so every error of the scope's requests
// has arrived, then restores the previous handler. The trap pointer is the
// one global here, forced by Xlib's API; the mutex keeps two sources (on two
// capture threads) from interleaving traps. Errors of other displays (a UI
// toolkit's) go on to the previous handler.
std::mutex gTrapMutex;
struct ErrorTrap;
ErrorTrap* gTrap = nullptr;
int trapHandler(Display* d, XErrorEvent* e);

struct ErrorTrap {
    explicit ErrorTrap(Display* d) : lock(gTrapMutex), dpy(d) {
        gTrap = this;
        previous = XSetErrorHandler(trapHandler);
    }
    ~ErrorTrap() {
        if (!dead()) XSync(dpy, False);
        XSetErrorHandler(previous);
        gTrap = nullptr;
    }
    ErrorTrap(const ErrorTrap&) = delete;
    ErrorTrap& operator=(const ErrorTrap&) = delete;
    // Syncs and tells whether any request of the scope failed so far.
    bool failed() {
        if (!dead()) XSync(dpy, False);
        return errorCode != 0;
    }
    bool dead() const { return ioDead != nullptr && *ioDead; }

    std::unique_lock<std::mutex> lock;
    Display* dpy;
    XErrorHandler previous = nullptr;
    int errorCode = 0;
    const bool* ioDead = nullptr;
};

int trapHandler(Display* d, XErrorEvent* e) {
    if (gTrap && gTrap->dpy == d) {
        if (gTrap->errorCode == 0) gTrap->errorCode = e->error_code;
        return 0;
    }
    if (gTrap && gTrap->previous) return gTrap->previous(d, e);
    return 0;
}

// A lost connection (the X server went away) calls this instead of exit():
// the owner's flag goes up and every later call on that display is skipped.
void ioExit(Display*, void* flag) { *static_cast<bool*>(flag) = true; }

// [SECTION] BGRX -> I420

struct PixelFormat {
    std::uint32_t rShift = 16, gShift = 8, bShift = 0;
    bool msbFirst = false;
};

// 32-bit pixels with 8-bit channels (depth 24 or 32, any channel order); else nullopt.
// An image of a pixmap carries no channel masks: the window's visual gives them.
std::optional<PixelFormat> pixelFormat(const XImage& img, const Visual* visual) {
    if (img.bits_per_pixel != 32 || img.format != ZPixmap) return std::nullopt;
    PixelFormat f;
    const bool fromVisual = img.red_mask == 0 && visual != nullptr;
    const unsigned long masks[3] = {fromVisual ? visual->red_mask : img.red_mask,
                                    fromVisual ? visual->green_mask : img.green_mask,
                                    fromVisual ? visual->blue_mask : img.blue_mask};
    std::uint32_t* shifts[3] = {&f.rShift, &f.gShift, &f.bShift};
    for (int i = 0; i < 3; ++i) {
        unsigned long m = masks[i];
        if (m == 0) return std::nullopt;
        std::uint32_t s = 0;
        while ((m & 1u) == 0) { m >>= 1; ++s; }
        if (m != 0xffu || s > 24) return std::nullopt;
        *shifts[i] = s;
    }
    f.msbFirst = img.byte_order == MSBFirst;
    return f;
}

struct Rgb {
    std::uint8_t r = 0, g = 0, b = 0;
};

inline Rgb readPixel(const std::uint8_t* p, const PixelFormat& f) {
    const std::uint32_t v = f.msbFirst ? (std::uint32_t(p[0]) << 24 | std::uint32_t(p[1]) << 16 | std::uint32_t(p[2]) << 8 | p[3])
                                       : (std::uint32_t(p[3]) << 24 | std::uint32_t(p[2]) << 16 | std::uint32_t(p[1]) << 8 | p[0]);
    return {std::uint8_t(v >> f.rShift), std::uint8_t(v >> f.gShift), std::uint8_t(v >> f.bShift)};
}

// BT.601 limited range, 8-bit fixed point.
inline std::uint8_t lumaOf(int r, int g, int b) { return std::uint8_t(((66 * r + 129 * g + 25 * b + 128) >> 8) + 16); }
inline std::uint8_t cbOf(int r, int g, int b) { return std::uint8_t(((-38 * r - 74 * g + 112 * b + 128) >> 8) + 128); }
inline std::uint8_t crOf(int r, int g, int b) { return std::uint8_t(((112 * r - 94 * g - 18 * b + 128) >> 8) + 128); }

// The size a sw x sh picture takes inside ow x oh keeping aspect (up or down).
void fitInside(std::uint32_t sw, std::uint32_t sh, std::uint32_t ow, std::uint32_t oh, std::uint32_t& w, std::uint32_t& h) {
    if (std::uint64_t(sw) * oh >= std::uint64_t(sh) * ow) {
        w = ow;
        h = std::uint32_t(std::max<std::uint64_t>(1, (std::uint64_t(sh) * ow + sw / 2) / sw));
    } else {
        h = oh;
        w = std::uint32_t(std::max<std::uint64_t>(1, (std::uint64_t(sw) * oh + sh / 2) / sh));
    }
    w = std::min(w, ow);
    h = std::min(h, oh);
}

// The fixed output size for a target of sw x sh: scaled down (never up) to
// fit maxW x maxH, even, at least 16 on each side.
void outputSize(std::uint32_t sw, std::uint32_t sh, std::uint32_t maxW, std::uint32_t maxH, std::uint32_t& w, std::uint32_t& h) {
    if (sw <= maxW && sh <= maxH) { w = sw; h = sh; }
    else fitInside(sw, sh, maxW, maxH, w, h);
    w = std::max(kMinSide, w / 2 * 2);
    h = std::max(kMinSide, h / 2 * 2);
}

// Scales the image's (x0, y0, sw, sh) region into `out` (its size fixed),
// centred, black bars around; each output pixel is the mean of the source
// pixels it covers (text stays legible when shrunk). `rgb`: scratch.
void convertInto(const XImage& img, const PixelFormat& f, std::uint32_t x0, std::uint32_t y0, std::uint32_t sw,
                 std::uint32_t sh, I420Frame& out, std::vector<Rgb>& rgb) {
    const std::uint32_t ow = out.width, oh = out.height;
    rgb.assign(std::size_t(ow) * oh, Rgb{});
    std::uint32_t dw = 0, dh = 0;
    fitInside(sw, sh, ow, oh, dw, dh);
    const std::uint32_t dx = (ow - dw) / 2, dy = (oh - dh) / 2;
    const auto* base = reinterpret_cast<const std::uint8_t*>(img.data);
    const std::size_t stride = std::size_t(img.bytes_per_line);
    for (std::uint32_t oy = 0; oy < dh; ++oy) {
        const std::uint32_t ya = std::uint32_t(std::uint64_t(oy) * sh / dh);
        const std::uint32_t yb = std::max(ya + 1, std::uint32_t(std::uint64_t(oy + 1) * sh / dh));
        for (std::uint32_t ox = 0; ox < dw; ++ox) {
            const std::uint32_t xa = std::uint32_t(std::uint64_t(ox) * sw / dw);
            const std::uint32_t xb = std::max(xa + 1, std::uint32_t(std::uint64_t(ox + 1) * sw / dw));
            std::uint32_t r = 0, g = 0, b = 0;
            for (std::uint32_t y = ya; y < yb; ++y) {
                const std::uint8_t* row = base + (y0 + y) * stride + std::size_t(x0) * 4;
                for (std::uint32_t x = xa; x < xb; ++x) {
                    const Rgb p = readPixel(row + std::size_t(x) * 4, f);
                    r += p.r; g += p.g; b += p.b;
                }
            }
            const std::uint32_t n = (yb - ya) * (xb - xa);
            rgb[std::size_t(dy + oy) * ow + dx + ox] = {std::uint8_t((r + n / 2) / n), std::uint8_t((g + n / 2) / n),
                                                        std::uint8_t((b + n / 2) / n)};
        }
    }
    for (std::size_t i = 0; i < rgb.size(); ++i) out.y[i] = lumaOf(rgb[i].r, rgb[i].g, rgb[i].b);
    const std::uint32_t cw = ow / 2;
    for (std::uint32_t cy = 0; cy < oh / 2; ++cy)
        for (std::uint32_t cx = 0; cx < cw; ++cx) {
            const std::size_t i = std::size_t(2 * cy) * ow + 2 * cx;
            const Rgb& a = rgb[i];
            const Rgb& b = rgb[i + 1];
            const Rgb& c = rgb[i + ow];
            const Rgb& d = rgb[i + ow + 1];
            const int r = (a.r + b.r + c.r + d.r + 2) / 4, g = (a.g + b.g + c.g + d.g + 2) / 4,
                      bl = (a.b + b.b + c.b + d.b + 2) / 4;
            out.u[std::size_t(cy) * cw + cx] = cbOf(r, g, bl);
            out.v[std::size_t(cy) * cw + cx] = crOf(r, g, bl);
        }
}

// [SECTION] display helpers

struct DisplayCloser {
    void operator()(Display* d) const { XCloseDisplay(d); }
};
using DisplayPtr = std::unique_ptr<Display, DisplayCloser>;

// Opens and checks Composite >= 0.2 (NameWindowPixmap).
core::Result<DisplayPtr> openDisplay(const char* display) {
    DisplayPtr d(XOpenDisplay(display));
    if (!d) return core::Error{"cannot open X display '" + displayName(display) + "'"};
    int event = 0, error = 0, major = 0, minor = 2;
    if (!XCompositeQueryExtension(d.get(), &event, &error) || !XCompositeQueryVersion(d.get(), &major, &minor) ||
        (major == 0 && minor < 2))
        return core::Error{"X display '" + displayName(display) + "' lacks the Composite extension (0.2 or later)"};
    return d;
}

// Bounded, valid UTF-8 (a cut sequence at the bound is dropped; invalid: "?").
std::string cleanTitle(std::string_view s) {
    std::string t(s.substr(0, kMaxTitle));
    while (!t.empty() && !core::validUtf8(t) && s.size() > kMaxTitle &&
           (static_cast<unsigned char>(t.back()) & 0x80u))
        t.pop_back();
    if (!core::validUtf8(t)) return "?";
    return t;
}

std::string latin1ToUtf8(std::string_view s) {
    std::string out;
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c < 0x80) out.push_back(ch);
        else { out.push_back(char(0xC0 | (c >> 6))); out.push_back(char(0x80 | (c & 0x3F))); }
    }
    return out;
}

// _NET_WM_NAME (UTF8_STRING), else WM_NAME (STRING is Latin-1); "" when none.
// Call inside a trap (the window may vanish).
std::string windowTitle(Display* d, Window w) {
    const Atom netName = XInternAtom(d, "_NET_WM_NAME", False), utf8 = XInternAtom(d, "UTF8_STRING", False);
    Atom type = 0;
    int format = 0;
    unsigned long items = 0, after = 0;
    unsigned char* data = nullptr;
    std::string title;
    if (XGetWindowProperty(d, w, netName, 0, long(kMaxTitle / 4 + 1), False, utf8, &type, &format, &items, &after, &data) ==
            Success && data) {
        if (type == utf8 && format == 8) title.assign(reinterpret_cast<const char*>(data), items);
        XFree(data);
        data = nullptr;
        if (!title.empty()) return cleanTitle(title);
    }
    if (XGetWindowProperty(d, w, XA_WM_NAME, 0, long(kMaxTitle / 4 + 1), False, AnyPropertyType, &type, &format, &items,
                           &after, &data) == Success && data) {
        if (format == 8) {
            const std::string_view raw(reinterpret_cast<const char*>(data), items);
            title = type == utf8 ? std::string(raw) : latin1ToUtf8(raw);   // STRING; COMPOUND_TEXT read as Latin-1
        }
        XFree(data);
    }
    return cleanTitle(title);
}

} // namespace

// [SECTION] listX11Windows

core::Result<std::vector<X11Window>> listX11Windows(const char* display) {
    auto opened = openDisplay(display);
    if (!opened) return opened.error();
    Display* d = opened->get();
    bool ioDead = false;
    XSetIOErrorExitHandler(d, ioExit, &ioDead);
    std::vector<X11Window> out;
    ErrorTrap trap(d);
    trap.ioDead = &ioDead;
    const Window root = XDefaultRootWindow(d);

    std::vector<Window> candidates;
    bool underWm = false;
    Atom type = 0;
    int format = 0;
    unsigned long items = 0, after = 0;
    unsigned char* data = nullptr;
    if (XGetWindowProperty(d, root, XInternAtom(d, "_NET_CLIENT_LIST", False), 0, long(kMaxClientList), False, XA_WINDOW,
                           &type, &format, &items, &after, &data) == Success && data) {
        if (type == XA_WINDOW && format == 32) {
            const auto* ids = reinterpret_cast<const unsigned long*>(data);   // format 32 arrives as longs
            candidates.assign(ids, ids + items);
            underWm = true;
        }
        XFree(data);
    }
    if (!underWm) {
        Window rootRet = 0, parent = 0;
        Window* children = nullptr;
        unsigned int n = 0;
        if (XQueryTree(d, root, &rootRet, &parent, &children, &n) && children) {
            candidates.assign(children, children + n);
            XFree(children);
        }
    }
    for (Window w : candidates) {
        XWindowAttributes a{};
        if (!XGetWindowAttributes(d, w, &a)) continue;   // vanished meanwhile
        if (!underWm && (a.map_state != IsViewable || a.override_redirect || a.c_class == InputOnly)) continue;
        X11Window item;
        item.id = w;
        item.title = windowTitle(d, w);
        item.width = std::uint32_t(a.width);
        item.height = std::uint32_t(a.height);
        if (!underWm && item.title.empty()) continue;
        out.push_back(std::move(item));
    }
    if (ioDead) return core::Error{"X display '" + displayName(display) + "': connection lost"};
    return out;
}

// [SECTION] the share source

namespace {

class X11ShareSource final : public VideoSource {
public:
    X11ShareSource(DisplayPtr d, std::string displayText, ShareTarget t, double fps)
        : dpy_(std::move(d)), displayText_(std::move(displayText)), target_(t), fps_(fps) {
        XSetIOErrorExitHandler(dpy_.get(), ioExit, &ioDead_);
    }
    ~X11ShareSource() override {
        if (ioDead_) return;   // the DisplayPtr still closes the socket
        ErrorTrap trap(dpy_.get());
        trap.ioDead = &ioDead_;
        if (pixmap_) XFreePixmap(dpy_.get(), pixmap_);
        if (redirected_ && !gone_) XCompositeUnredirectWindow(dpy_.get(), window(), CompositeRedirectAutomatic);
    }
    X11ShareSource(const X11ShareSource&) = delete;
    X11ShareSource& operator=(const X11ShareSource&) = delete;

    // Checks the target, redirects it and fixes the output size.
    core::Result<bool> start(std::uint32_t maxW, std::uint32_t maxH) {
        Display* d = dpy_.get();
        ErrorTrap trap(d);
        trap.ioDead = &ioDead_;
        XWindowAttributes a{};
        const Window w = window();
        if (!XGetWindowAttributes(d, w, &a) || trap.failed())
            return core::Error{"window " + hexId(target_.window) + " does not exist on X display '" + displayText_ + "'"};
        if (a.c_class == InputOnly)
            return core::Error{"window " + hexId(target_.window) + " is input-only: it has no pixels to share"};
        if (target_.kind == ShareTarget::Kind::Window) {
            XSelectInput(d, w, StructureNotifyMask);
            XGrabServer(d);
            XCompositeRedirectWindow(d, w, CompositeRedirectAutomatic);
            scrub(w, a);
            XUngrabServer(d);
            if (trap.failed())
                return core::Error{"window " + hexId(target_.window) + ": Composite redirect refused on X display '" +
                                   displayText_ + "'"};
            redirected_ = true;
            title_ = windowTitle(d, w);
        }
        outputSize(std::uint32_t(a.width), std::uint32_t(a.height), maxW, maxH, outW_, outH_);
        return true;
    }

    std::uint32_t width() const override { return outW_; }
    std::uint32_t height() const override { return outH_; }
    double frameRate() const override { return fps_; }
    std::string describe() const override {
        std::string what = target_.kind == ShareTarget::Kind::Desktop
                               ? std::string("x11 desktop")
                               : "x11 window " + hexId(target_.window) + (title_.empty() ? "" : " \"" + title_ + "\"");
        return what + " " + std::to_string(outW_) + "x" + std::to_string(outH_) + " at " + fpsText(fps_) + " fps on " +
               displayText_;
    }

    core::Result<std::optional<I420Frame>> next() override {
        if (gone_) return goneError();
        if (ioDead_) return core::Error{"X display '" + displayText_ + "': connection lost"};
        auto frame = grab();
        if (!frame) return frame.error();
        frame->ptsUs = std::uint64_t(std::llround(double(index_) * 1e6 / fps_));
        ++index_;
        return std::optional<I420Frame>(std::move(*frame));
    }

private:
    Window window() const {
        return target_.kind == ShareTarget::Kind::Desktop ? XDefaultRootWindow(dpy_.get()) : Window(target_.window);
    }
    // Privacy: when the server gives a redirected window its pixmap (at the
    // redirect, a map, a resize), it fills it with a copy of the screen
    // there, windows lying over it included, and sends Expose for what the
    // application must repaint. An application that paints no background and
    // is slow (or hung) would leave another window's pixels in the share. So,
    // with the server grabbed by the caller (no client can draw between the
    // redirect and this), the whole window tree is painted black and exposed
    // in full: the share shows black until the application repaints itself.
    void scrub(Window w, const XWindowAttributes& a) {
        Display* d = dpy_.get();
        XGCValues v{};
        v.foreground = 0;   // black in the TrueColor visuals share supports
        v.subwindow_mode = IncludeInferiors;
        GC gc = XCreateGC(d, w, GCForeground | GCSubwindowMode, &v);
        XFillRectangle(d, w, gc, 0, 0, unsigned(a.width), unsigned(a.height));
        XFreeGC(d, gc);
        exposed_ = 0;
        exposeTree(w, 0);
        scrubW_ = a.width;
        scrubH_ = a.height;
    }
    // XClearArea with exposures: the window and its subwindows (bounded).
    void exposeTree(Window w, int depth) {
        Display* d = dpy_.get();
        XClearArea(d, w, 0, 0, 0, 0, True);
        if (depth >= kMaxTreeDepth) return;
        Window root = 0, parent = 0;
        Window* children = nullptr;
        unsigned int n = 0;
        if (!XQueryTree(d, w, &root, &parent, &children, &n) || !children) return;
        for (unsigned int i = 0; i < n && exposed_ < kMaxExposed; ++i, ++exposed_) exposeTree(children[i], depth + 1);
        XFree(children);
    }

    core::Error goneError() const { return core::Error{"window " + hexId(target_.window) + " is gone"}; }

    // The last frame again (black before the first): a minimised window.
    I420Frame repeat() const { return last_ ? *last_ : I420Frame::black(outW_, outH_); }

    core::Result<I420Frame> grab() {
        Display* d = dpy_.get();
        ErrorTrap trap(d);
        trap.ioDead = &ioDead_;
        const Window w = window();
        // Events first: DestroyNotify settles it; a resize or remap means the
        // server made the window a new pixmap, so ours is stale.
        while (!ioDead_ && XPending(d) > 0) {
            XEvent e{};
            XNextEvent(d, &e);
            if (e.type == DestroyNotify && e.xdestroywindow.window == w) gone_ = true;
            else if (e.type == MapNotify) { stale_ = true; mapped_ = true; }
            else if (e.type == ConfigureNotify) stale_ = true;
        }
        XWindowAttributes a{};
        if (!gone_ && (!XGetWindowAttributes(d, w, &a) || trap.failed())) gone_ = true;
        if (ioDead_) return core::Error{"X display '" + displayText_ + "': connection lost"};
        if (gone_) {
            // The named pixmap outlives the window: drop it, never show it.
            if (pixmap_) { XFreePixmap(d, pixmap_); pixmap_ = 0; }
            return goneError();
        }
        if (a.map_state != IsViewable || a.width <= 0 || a.height <= 0) return repeat();

        Drawable src = w;
        int x0 = 0, y0 = 0;
        if (target_.kind == ShareTarget::Kind::Window) {
            if (pixmap_ && (stale_ || a.width != pixW_ || a.height != pixH_)) { XFreePixmap(d, pixmap_); pixmap_ = 0; }
            if (!pixmap_) {
                // A new pixmap (mapped again, grown) starts as a copy of the
                // screen there: scrub it before naming it.
                if (mapped_ || a.width != scrubW_ || a.height != scrubH_) {
                    XGrabServer(d);
                    scrub(w, a);
                    XUngrabServer(d);
                    mapped_ = false;
                }
                pixmap_ = XCompositeNameWindowPixmap(d, w);
                if (trap.failed()) { pixmap_ = 0; trap.errorCode = 0; return repeat(); }   // unmapped meanwhile
                pixW_ = a.width;
                pixH_ = a.height;
                stale_ = false;
            }
            src = pixmap_;
            x0 = y0 = a.border_width;   // the pixmap includes the border
        }
        XImage* img = XGetImage(d, src, x0, y0, unsigned(a.width), unsigned(a.height), AllPlanes, ZPixmap);
        if (!img || trap.failed()) {
            if (img) XDestroyImage(img);
            trap.errorCode = 0;
            // Destroyed or resized between the two requests: the next call sees which.
            stale_ = true;
            return repeat();
        }
        const auto fmt = pixelFormat(*img, a.visual);
        if (!fmt) {
            const int bpp = img->bits_per_pixel, depth = img->depth;
            XDestroyImage(img);
            return core::Error{"window " + hexId(target_.window) + ": pixel format " + std::to_string(depth) + "-bit depth, " +
                               std::to_string(bpp) + " bits per pixel not supported (32-bit pixels only)"};
        }
        I420Frame f = I420Frame::black(outW_, outH_);
        convertInto(*img, *fmt, 0, 0, std::uint32_t(a.width), std::uint32_t(a.height), f, rgb_);
        XDestroyImage(img);
        last_ = f;
        return f;
    }

    DisplayPtr dpy_;
    std::string displayText_;
    ShareTarget target_;
    double fps_;
    std::string title_;
    std::uint32_t outW_ = 0, outH_ = 0;
    bool ioDead_ = false, gone_ = false, stale_ = false, redirected_ = false;
    Pixmap pixmap_ = 0;
    int pixW_ = 0, pixH_ = 0;
    int scrubW_ = 0, scrubH_ = 0;    // the size at the last scrub
    bool mapped_ = false;            // mapped since the last scrub
    std::uint32_t exposed_ = 0;      // subwindows exposed by the current scrub
    static constexpr int kMaxTreeDepth = 16;
    static constexpr std::uint32_t kMaxExposed = 4096;
    std::uint64_t index_ = 0;
    std::optional<I420Frame> last_;
    std::vector<Rgb> rgb_;
};

} // namespace

core::Result<std::unique_ptr<VideoSource>> openX11Share(const ShareTarget& target, double fps, std::uint32_t maxW,
                                                        std::uint32_t maxH, const char* display) {
    if (target.kind != ShareTarget::Kind::Window && target.kind != ShareTarget::Kind::Desktop)
        return core::Error{"x11 share: unknown target kind " + std::to_string(int(target.kind))};
    if (!(fps >= kMinFps && fps <= kMaxFps))
        return core::Error{"x11 share: frame rate " + fpsText(fps) + " outside 0.01..1000 fps"};
    if (maxW < kMinSide || maxW > kMaxSide || maxH < kMinSide || maxH > kMaxSide)
        return core::Error{"x11 share: maximum size " + std::to_string(maxW) + "x" + std::to_string(maxH) +
                           " outside 16..4096"};
    if (target.kind == ShareTarget::Kind::Window && target.window == 0)
        return core::Error{"x11 share: window id 0 is not a window"};
    auto opened = openDisplay(display);
    if (!opened) return opened.error();
    auto src = std::make_unique<X11ShareSource>(std::move(*opened), displayName(display), target, fps);
    auto started = src->start(maxW, maxH);
    if (!started) return started.error();
    return std::unique_ptr<VideoSource>(std::move(src));
}

} // namespace caseroom::media
