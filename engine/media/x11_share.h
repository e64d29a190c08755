// media: X11 screen share sources (issue 13). The default share is ONE
// window, captured from its own off-screen pixels through XComposite, so a
// window lying over it (an EMR screen with patient data, a chat) never leaks
// into the share; the whole desktop is a deliberate choice (Kind::Desktop).
// Frames are BGRX -> I420 (BT.601 limited range, fixed point), scaled into a
// fixed output size with black bars (a VP8 stream keeps one size).
// Only x11_share.cpp includes Xlib: this header uses plain integer types.
// Errors: no display, no Composite, a bad or vanished window: a core::Error
// naming the display or the window; X errors are trapped, never fatal.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "media/video_source.h"

namespace caseroom::media {

struct X11Window {
    unsigned long id = 0;        // the X window id (XID)
    std::string title;           // _NET_WM_NAME, else WM_NAME; valid UTF-8, at most 256 bytes
    std::uint32_t width = 0, height = 0;
};

// Top-level application windows on `display` (nullptr: $DISPLAY): the WM's
// _NET_CLIENT_LIST when a window manager runs, else the root's viewable,
// non-override-redirect children that have a title. Untitled windows are
// listed with an empty title only under a WM. Error naming the display when
// it cannot be opened or lacks Composite 0.2.
[[nodiscard]] core::Result<std::vector<X11Window>> listX11Windows(const char* display = nullptr);

struct ShareTarget {
    enum class Kind : std::uint8_t { Window, Desktop, Count };
    Kind kind = Kind::Window;
    unsigned long window = 0;    // Kind::Window: the X window id
};
[[nodiscard]] const char* toString(ShareTarget::Kind k);

// A share source. Output size: the target's size at open, scaled down (never
// up) to fit maxW x maxH keeping aspect, even, at least 16x16; it stays fixed
// and later content (a resized window) is scaled into it with black bars.
// Window: redirected with CompositeRedirectAutomatic and read from its named
// pixmap (re-named on resize or remap); an unmapped (minimised) window
// repeats the last frame (black before the first). Desktop: the root window,
// everything on screen. fps 0.01..1000, maxW/maxH 16..4096.
// next(): never nullopt (a live share ends when closed); Error "window 0x..
// is gone" once the window was destroyed, or an Error when the display
// connection is lost; the source is then done.
// Thread rule: one thread at a time (VideoCapture's); its own X connection.
[[nodiscard]] core::Result<std::unique_ptr<VideoSource>> openX11Share(const ShareTarget& target, double fps,
                                                                      std::uint32_t maxW, std::uint32_t maxH,
                                                                      const char* display = nullptr);

} // namespace caseroom::media
