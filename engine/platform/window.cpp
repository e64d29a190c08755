#include "platform/window.h"

#include <SDL.h>
#include <SDL_vulkan.h>

namespace caseroom::platform {

const char* toString(Key k) {
    switch (k) {
    case Key::Forward: return "forward";
    case Key::Back: return "back";
    case Key::Left: return "left";
    case Key::Right: return "right";
    case Key::Stand: return "stand";
    case Key::Overview: return "overview";
    case Key::Help: return "help";
    case Key::Escape: return "escape";
    case Key::PushToTalk: return "push-to-talk";
    case Key::Count: break;
    }
    return "?";
}

namespace {

int keyIndex(SDL_Keycode code) {
    switch (code) {
    case SDLK_w: case SDLK_UP: return static_cast<int>(Key::Forward);
    case SDLK_s: case SDLK_DOWN: return static_cast<int>(Key::Back);
    case SDLK_a: case SDLK_LEFT: return static_cast<int>(Key::Left);
    case SDLK_d: case SDLK_RIGHT: return static_cast<int>(Key::Right);
    case SDLK_e: return static_cast<int>(Key::Stand);
    case SDLK_TAB: return static_cast<int>(Key::Overview);
    case SDLK_F1: case SDLK_h: return static_cast<int>(Key::Help);
    case SDLK_ESCAPE: return static_cast<int>(Key::Escape);
    case SDLK_v: return static_cast<int>(Key::PushToTalk);
    default: return -1;
    }
}

} // namespace

core::Status createWindow(Window& w, const WindowDesc& desc) {
    if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_EVENTS) != 0)
        return core::Error{std::string("cannot open a window: ") + SDL_GetError() +
                           " (no display? use --headless)"};
    w.sdlStarted = true;
    Uint32 flags = SDL_WINDOW_VULKAN | SDL_WINDOW_ALLOW_HIGHDPI;
    if (desc.resizable) flags |= SDL_WINDOW_RESIZABLE;
    w.window = SDL_CreateWindow(desc.title.c_str(), SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, desc.width,
                                desc.height, flags);
    if (w.window == nullptr) {
        const std::string err = SDL_GetError();
        destroyWindow(w);
        return core::Error{"cannot create a Vulkan window: " + err};
    }
    return {};
}

void destroyWindow(Window& w) {
    if (w.window != nullptr) SDL_DestroyWindow(w.window);
    if (w.sdlStarted) SDL_Quit();
    w = Window{};
}

core::Result<std::vector<const char*>> vulkanInstanceExtensions(const Window& w) {
    unsigned int count = 0;
    if (!SDL_Vulkan_GetInstanceExtensions(w.window, &count, nullptr))
        return core::Error{std::string("SDL cannot list Vulkan extensions: ") + SDL_GetError()};
    std::vector<const char*> names(count);
    if (!SDL_Vulkan_GetInstanceExtensions(w.window, &count, names.data()))
        return core::Error{std::string("SDL cannot list Vulkan extensions: ") + SDL_GetError()};
    return names;
}

core::Result<VkSurfaceKHR> createSurface(const Window& w, VkInstance instance) {
    VkSurfaceKHR surface = VK_NULL_HANDLE;
    if (!SDL_Vulkan_CreateSurface(w.window, instance, &surface))
        return core::Error{std::string("cannot create a Vulkan surface for the window: ") + SDL_GetError()};
    return surface;
}

VkExtent2D drawableSize(const Window& w) {
    if (w.minimised) return {0, 0};
    int width = 0, height = 0;
    SDL_Vulkan_GetDrawableSize(w.window, &width, &height);
    if (width <= 0 || height <= 0) return {0, 0};
    return {static_cast<std::uint32_t>(width), static_cast<std::uint32_t>(height)};
}

void setWindowSize(Window& w, int width, int height) { SDL_SetWindowSize(w.window, width, height); }
void minimiseWindow(Window& w) { SDL_MinimizeWindow(w.window); }
void restoreWindow(Window& w) { SDL_RestoreWindow(w.window); }

void pollEvents(Window& w, InputFrame& f, EventHook hook, bool uiWantsMouse, bool uiWantsKeyboard) {
    f.resized = false;
    f.leftClicked = false;
    f.mouseDx = f.mouseDy = 0;
    f.droppedFile.clear();
    f.droppedText.clear();
    for (bool& p : f.keyPressed) p = false;
    SDL_Event ev;
    while (SDL_PollEvent(&ev)) {
        if (hook) hook(&ev);
        switch (ev.type) {
        case SDL_QUIT: f.quit = true; break;
        case SDL_WINDOWEVENT:
            switch (ev.window.event) {
            case SDL_WINDOWEVENT_CLOSE: f.quit = true; break;
            case SDL_WINDOWEVENT_MINIMIZED: w.minimised = true; f.resized = true; break;
            case SDL_WINDOWEVENT_RESTORED:
            case SDL_WINDOWEVENT_MAXIMIZED:
            case SDL_WINDOWEVENT_SHOWN: w.minimised = false; f.resized = true; break;
            case SDL_WINDOWEVENT_SIZE_CHANGED:
            case SDL_WINDOWEVENT_RESIZED:
            case SDL_WINDOWEVENT_DISPLAY_CHANGED: f.resized = true; break; // moving between monitors too
            default: break;
            }
            break;
        case SDL_KEYDOWN:
        case SDL_KEYUP: {
            const int k = keyIndex(ev.key.keysym.sym);
            if (k < 0) break;
            const bool down = ev.type == SDL_KEYDOWN;
            if (down && uiWantsKeyboard) break; // typing in a text field
            if (down && !ev.key.repeat) f.keyPressed[k] = true;
            w.held[k] = down;
            break;
        }
        case SDL_MOUSEMOTION:
            f.mouseDx += static_cast<float>(ev.motion.xrel);
            f.mouseDy += static_cast<float>(ev.motion.yrel);
            f.mouseX = static_cast<float>(ev.motion.x);
            f.mouseY = static_cast<float>(ev.motion.y);
            break;
        case SDL_MOUSEBUTTONDOWN:
            if (uiWantsMouse) break;
            if (ev.button.button == SDL_BUTTON_LEFT) f.leftClicked = true;
            if (ev.button.button == SDL_BUTTON_RIGHT) f.rightHeld = true;
            f.mouseX = static_cast<float>(ev.button.x);
            f.mouseY = static_cast<float>(ev.button.y);
            break;
        case SDL_MOUSEBUTTONUP:
            if (ev.button.button == SDL_BUTTON_RIGHT) f.rightHeld = false;
            break;
        case SDL_DROPFILE:
        case SDL_DROPTEXT:
            if (ev.drop.file != nullptr) { // SDL hands over the string: ours to free
                (ev.type == SDL_DROPFILE ? f.droppedFile : f.droppedText) = ev.drop.file;
                SDL_free(ev.drop.file);
            }
            break;
        default: break;
        }
    }
    for (int k = 0; k < static_cast<int>(Key::Count); ++k) f.keyDown[k] = w.held[k];
    f.minimised = w.minimised || (SDL_GetWindowFlags(w.window) & SDL_WINDOW_MINIMIZED) != 0;
}

double nowSeconds() {
    return static_cast<double>(SDL_GetPerformanceCounter()) / static_cast<double>(SDL_GetPerformanceFrequency());
}

} // namespace caseroom::platform
