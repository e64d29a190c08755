// The desktop window and input (SDL2). Turns SDL events into one InputFrame
// per frame; the client decides what keys mean. A hook sees every raw event
// first (the client feeds Dear ImGui's SDL2 backend with it).
// Ownership: Window owns the SDL window; the Vulkan surface it creates is
// owned by the caller (destroyed with vkDestroySurfaceKHR before the
// instance). Thread rule: the main thread only (SDL's rule).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <vulkan/vulkan.h>

#include "core/result.h"

struct SDL_Window;
union SDL_Event;

namespace caseroom::platform {

enum class Key : std::uint8_t {
    Forward, Back, Left, Right,   // W S A D (and arrows)
    Stand,                        // E
    Overview,                     // Tab
    Help,                         // F1 or H
    Escape,
    PushToTalk,                   // V, held: the microphone is on air
    Count
};
const char* toString(Key k);

struct InputFrame {
    bool quit = false;
    bool resized = false;               // the drawable size changed
    bool minimised = false;             // currently minimised (or zero-sized)
    bool keyDown[static_cast<int>(Key::Count)]{};     // held now
    bool keyPressed[static_cast<int>(Key::Count)]{};  // went down this frame
    float mouseDx = 0, mouseDy = 0;     // pixels moved this frame
    float mouseX = 0, mouseY = 0;       // window pixels, top-left origin
    bool leftClicked = false;           // pressed this frame
    bool rightHeld = false;             // mouse-look button
    bool wantsText = false;             // set by the caller when UI owns the keyboard
    std::string droppedFile;            // a file dropped on the window this frame (the last one), else empty
    std::string droppedText;            // text (a link) dropped on the window this frame, else empty

    [[nodiscard]] bool down(Key k) const { return keyDown[static_cast<int>(k)]; }
    [[nodiscard]] bool pressed(Key k) const { return keyPressed[static_cast<int>(k)]; }
};

struct WindowDesc {
    std::string title = "CaseRoom";
    int width = 1280, height = 720;   // logical size
    bool resizable = true;
};

struct Window {
    SDL_Window* window = nullptr;
    bool minimised = false;
    bool sdlStarted = false;
    bool held[static_cast<int>(Key::Count)]{};
};

[[nodiscard]] core::Status createWindow(Window& w, const WindowDesc& desc);
void destroyWindow(Window& w);

// Instance extensions SDL needs for a surface on this window.
[[nodiscard]] core::Result<std::vector<const char*>> vulkanInstanceExtensions(const Window& w);
[[nodiscard]] core::Result<VkSurfaceKHR> createSurface(const Window& w, VkInstance instance);
// Drawable size in pixels (HiDPI aware); 0x0 while minimised.
VkExtent2D drawableSize(const Window& w);
void setWindowSize(Window& w, int width, int height);
// Asks the window manager to minimise / restore (no-op without one, e.g. bare Xvfb).
void minimiseWindow(Window& w);
void restoreWindow(Window& w);

using EventHook = bool (*)(const SDL_Event* event);
// Drains SDL's queue into `frame` (edge flags cleared first). `hook` sees
// each event; `uiWantsMouse`/`uiWantsKeyboard` stop clicks and keys from
// reaching the room while the UI is using them.
void pollEvents(Window& w, InputFrame& frame, EventHook hook, bool uiWantsMouse, bool uiWantsKeyboard);
// Seconds since SDL started, monotonic.
double nowSeconds();

} // namespace caseroom::platform
