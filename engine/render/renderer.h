// The case-room renderer: draws a read-only FrameView (room layout, avatars,
// camera) into a Target, with the room and avatars as three instanced draws
// (box, cylinder, sphere) plus one draw per wall panel. The UI (Dear ImGui)
// records into the same render pass between drawScene and endFrame.
//
// Frame protocol (render thread only):
//   if (beginFrame(r, drawable) == FrameResult::Ready) {
//       drawScene(r, view);            // optional
//       ... record UI into frameCommandBuffer(r) ...
//       endFrame(r);
//   }
// Ownership: Renderer owns its pipelines, buffers, panel images and frame
// ring; it borrows the Device and Target, which must outlive it.
// Allocation: no heap allocation per frame once instance lists and buffers
// have grown to the scene's size (they only grow, by doubling).
//
// Panels (slides): each panel shows a test card until given a slide, a grey
// (R8/R16 UNORM) or colour (RGBA8) texture with a mip chain. Grey slides keep
// their stored samples; the panel shader applies, per panel and in this
// order, the signed bias, the modality rescale, the linear VOI window
// (PS3.3 C.11.2.1.2.1, exactly media::applyWindow) and MONOCHROME1 inversion,
// so a window change is a few bytes of uniform data, never an upload. The
// image is letterboxed into the panel (black bars), seen through a view
// rectangle (zoom 1..16, pan), and laser dots are drawn on top.
// Colour space: targets are UNORM (offscreen RGBA8, swapchain B8G8R8A8 or
// R8G8B8A8 UNORM), so the windowed grey is written as is: display grey, the
// value a radiology viewer puts in the framebuffer. On an sRGB target the
// shader pre-decodes so the hardware encode gives back the same value.
// Uploads: through one staging ring (staging.h) recorded in the frame's own
// command buffer before the render pass, at most uploadBytesPerFrame a frame;
// a slide bigger than what is free goes in row bands over several frames,
// and the panel keeps its old picture until the new one is complete.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <glm/mat4x4.hpp>

#include "core/result.h"
#include "render/camera.h"
#include "render/device.h"
#include "render/frames.h"
#include "render/pipeline.h"
#include "render/resources.h"
#include "render/scene.h"
#include "render/staging.h"
#include "render/target.h"
#include "render/test_image.h"
#include "sim/layout.h"
#include "sim/panel_state.h"

namespace caseroom::render {

constexpr std::uint32_t kMaxPanels = 32;
// Thumbnails (the slide browser) are slide slots after the panels: set them
// with setPanelSlide(r, thumbnailSlot(i), ...) and draw them on screen with
// drawThumbnails. Everything else about them is as for panels.
constexpr std::uint32_t kMaxThumbnails = 64;
// Video tiles are slots after the thumbnails for live video that is not on a
// wall panel: drawn on screen by drawThumbnails (screen slot
// videoTileScreen(i)) and on avatars' faces (FrameView::faces).
constexpr std::uint32_t kMaxVideoTiles = 16;
constexpr std::uint32_t kScreenSlots = kMaxThumbnails + kMaxVideoTiles; // what drawThumbnails draws
constexpr std::uint32_t kSlideSlots = kMaxPanels + kScreenSlots;
constexpr std::uint32_t thumbnailSlot(std::uint32_t i) { return kMaxPanels + i; }
// Uniform entries per frame: one per slot drawn on the walls (its own
// index), one per screen draw (kFirstScreenEntry + draw index), one per face
// (kFirstFaceEntry + face index): one picture may be drawn in all three
// places in a frame, each with its own aspect.
constexpr std::uint32_t kFirstScreenEntry = kSlideSlots;
constexpr std::uint32_t kFirstFaceEntry = kFirstScreenEntry + kScreenSlots;
constexpr std::uint32_t kParamEntries = kFirstFaceEntry + kMaxVideoTiles;
constexpr std::uint32_t videoTileScreen(std::uint32_t i) { return kMaxThumbnails + i; }
constexpr std::uint32_t videoTileSlot(std::uint32_t i) { return thumbnailSlot(videoTileScreen(i)); }
constexpr std::uint32_t kMaxPanelSize = 4096;   // texels per side, slides and cards
constexpr std::uint32_t kMaxLaserDots = 8;      // per panel

enum class SlideFormat : std::uint8_t {
    R8,     // grey, 8-bit samples
    R16,    // grey, 16-bit samples in host byte order (signed data biased by +32768, see deck.h)
    Rgba8,  // colour, 4 bytes per pixel (alpha ignored)
    I420,   // live video: packI420's layout in one R8 texture of width x height * 3 / 2, never mipmapped
    Count
};
const char* toString(SlideFormat f);
// Bytes per texel (I420: 1, a texel of the packed planes).
std::uint32_t bytesPerPixel(SlideFormat f);
// Rows of the texture that holds a picture `height` rows high.
std::uint32_t textureRows(SlideFormat f, std::uint32_t height);

// Pure: I420 planes (even width and height; Cb and Cr (width/2) x (height/2))
// packed as the panel shader reads them: `height` rows of Y, then height/2
// rows each holding a Cb row followed by a Cr row. `out` is resized to
// width * height * 3 / 2.
void packI420(std::uint32_t width, std::uint32_t height, std::span<const std::uint8_t> y,
              std::span<const std::uint8_t> cb, std::span<const std::uint8_t> cr, std::vector<std::uint8_t>& out);
// Pure: the shader's conversion of one sample, BT.601 limited range to display RGB (0..1).
glm::vec3 bt601ToRgb(std::uint8_t y, std::uint8_t cb, std::uint8_t cr);

// One frame of a slide, tightly packed rows, top row first.
struct SlidePixels {
    std::uint32_t width = 0, height = 0;
    SlideFormat format = SlideFormat::Rgba8;
    std::vector<std::uint8_t> bytes; // width * height * bytesPerPixel(format)
    bool mipmaps = true;             // false for video-like content that changes every frame
};

struct LaserDot {
    float u = 0.5f, v = 0.5f;        // panel coordinates (0..1 across the panel face, v down), where the ray hits
};

// How a panel shows its slide. Values in modality units (after rescale).
struct PanelDisplay {
    double rescaleSlope = 1.0, rescaleIntercept = 0.0;
    double signedBias = 0.0;         // subtracted from the stored sample first: 32768 for signed 16-bit
    double windowCentre = 127.5, windowWidth = 256.0; // grey slides; the default passes 8-bit values through
    bool invert = false;             // MONOCHROME1
    sim::PanelView view;             // zoom clamped to 1..sim::kMaxZoom
    std::array<LaserDot, kMaxLaserDots> dots{};
    std::uint32_t dotCount = 0;      // <= kMaxLaserDots
    float dotRadius = 0.015f;        // in panel heights
};

// The uniform data of one panel draw (std140; panel.frag declares the same).
struct PanelParams {
    glm::vec4 view{0.5f, 0.5f, 1.0f, 1.0f};   // xy: image uv at the panel centre; zw: image uv per panel uv
    glm::vec4 value{1.0f, 0.0f, 1.0f, 0.0f};  // x: unorm -> stored sample scale, y: bias, z: slope, w: intercept
    glm::vec4 window{0.0f, 0.0f, 1.0f, 0.0f}; // x: centre - 0.5, y: (width - 1) / 2, z: width - 1, w: 1 grey / 0 colour / 2 video
    glm::vec4 misc{0.0f};                     // x: invert, y: dot count, z: dot radius, w: panel aspect (w/h)
    glm::vec4 target{0.0f};                   // x: 1 when the target encodes sRGB
    std::array<glm::vec4, kMaxLaserDots / 2> dots{}; // two dots (u, v) per vec4
};
static_assert(sizeof(PanelParams) == 144);

// Pure: the uniform data for a panel of aspect `panelAspect` (width/height)
// showing an image of `imageWidth` x `imageHeight` in `format` with `display`.
// `fill`: stretch to the panel (test cards) instead of letterboxing.
PanelParams panelParams(const PanelDisplay& display, SlideFormat format, std::uint32_t imageWidth,
                        std::uint32_t imageHeight, float panelAspect, bool fill, bool srgbTarget);
// Pure: the image uv (0..1 inside the image, outside: a letterbox bar) seen
// at panel uv `panelUv`, as the shader computes it.
glm::vec2 imageUvAt(const PanelParams& p, glm::vec2 panelUv);

struct RendererDesc {
    std::string shaderDir;                  // directory with scene.vert.spv etc.
    std::uint32_t panelWidth = 512;         // default test-card size
    std::uint32_t panelHeight = 288;
    glm::vec3 clearColor{0.16f, 0.17f, 0.19f};
    VkDeviceSize stagingBytes = 64ull << 20;      // the staging ring, allocated once
    VkDeviceSize uploadBytesPerFrame = 16ull << 20; // upload budget per frame (bounds the frame's copy time)
    bool cpuMipmaps = false;                      // build mips on the CPU even where linear blits work (tests)
};

struct FrameView {
    const sim::RoomLayout* layout = nullptr; // null: only the clear colour (and the UI)
    std::span<const AvatarDraw> avatars;
    std::span<const FaceDraw> faces;         // live pictures on avatars' faces (at most kMaxVideoTiles drawn)
    Camera camera;
};

enum class FrameResult : std::uint8_t {
    Ready,      // recording; call endFrame
    Skipped,    // minimised or the swapchain was just rebuilt: draw nothing this time
    DeviceLost, // stop; show deviceLostMessage()
    Count
};
const char* toString(FrameResult r);

struct RenderStats {
    std::uint32_t drawCalls = 0;      // scene draws last frame (UI not counted)
    std::uint32_t instances = 0;
    std::uint32_t avatars = 0;
    std::uint64_t swapchainRebuilds = 0;
    std::uint64_t bufferGrowths = 0;   // instance buffer reallocations so far
    std::uint64_t uploadsQueued = 0;   // slides and cards handed to the renderer
    std::uint64_t uploadsDone = 0;     // ... and now shown
    std::uint64_t uploadsDropped = 0;  // replaced by a newer one for the same panel before done
    std::uint64_t uploadBytes = 0;     // bytes copied through the staging ring so far
    std::uint64_t uploadWaits = 0;     // frames in which an upload waited for ring space or budget
    std::uint32_t uploadBytesLastFrame = 0;
    std::uint64_t slideImagesCreated = 0; // VkImages made for slides (a replaced image of the same shape is reused)
};

// One upload in progress (renderer internal, render thread).
struct PanelUpload {
    std::uint32_t panel = 0;
    SlidePixels pixels;
    std::vector<std::vector<std::uint8_t>> cpuMips; // levels 1.. when mips cannot be blitted
    PanelDisplay display;
    bool card = false;                 // a test card: stretched, colour
    Image image;
    std::uint32_t levels = 1;
    bool blit = false;                 // mips by vkCmdBlitImage after level 0
    bool started = false;
    bool cancelled = false;            // replaced by a newer slide; freed at the next frame
    std::uint32_t level = 0, row = 0;  // next rows to copy
};

// What one panel shows (renderer internal).
struct PanelContent {
    Image image;                       // null: the blank image
    VkDescriptorSet set = VK_NULL_HANDLE;
    SlideFormat format = SlideFormat::Rgba8;
    bool card = true;
    bool blit = false;                 // its mips were blitted (usage includes TRANSFER_SRC)
    PanelDisplay display;
};

struct Renderer {
    Device* dev = nullptr;
    Target* target = nullptr;
    RendererDesc desc;
    FrameRing frames;
    Pipeline lit;
    Pipeline panel;
    VkDescriptorSetLayout panelSetLayout = VK_NULL_HANDLE;
    VkDescriptorPool descriptorPool = VK_NULL_HANDLE;
    VkSampler sampler = VK_NULL_HANDLE;
    MeshSet meshes;                              // CPU copy: ranges used when drawing
    Buffer meshVertices, meshIndices;
    std::array<Buffer, kFramesInFlight> instanceBuffers;
    InstanceLists roomInstances;                 // rebuilt when the layout changes
    InstanceLists avatarInstances;               // rebuilt every frame
    Buffer panelVertices;
    std::vector<Vertex> panelScratch;
    std::array<PanelContent, kSlideSlots> panels; // wall panels, then thumbnail slots
    std::vector<PanelUpload> uploads;             // in order; at most one per panel
    struct SpareImage {
        Image image;
        std::uint64_t retiredAt = 0;              // frameNumber when it stopped being drawn
    };
    std::vector<SpareImage> spareImages;          // replaced slides, reused by the next of the same shape (cine)
    StagingRing staging;
    Buffer panelUniforms;                         // kFramesInFlight * kParamEntries * panelParamStride
    std::array<Buffer, kFramesInFlight> thumbVertices; // screen-space quads, kScreenSlots * 6 vertices
    std::array<Buffer, kFramesInFlight> faceVertices;  // world-space face quads, kMaxVideoTiles * 6 vertices
    VkDeviceSize panelParamStride = 256;
    Image blank;                                  // 1x1 black, for panels with nothing yet
    std::array<bool, static_cast<std::size_t>(SlideFormat::Count)> blitMips{}; // linear blit supported
    std::array<bool, static_cast<std::size_t>(SlideFormat::Count)> formatOk{}; // sampled + transfer dst
    std::optional<sim::RoomLayout> currentLayout; // what roomInstances and panels show
    std::optional<sim::RoomLayout> pendingLayout; // applied at the next beginFrame
    std::uint32_t panelCount = 0;
    std::uint32_t imageIndex = 0;
    bool recording = false;
    bool rebuildAfterPresent = false;
    VkExtent2D drawable{0, 0};
    VkExtent2D builtFor{0, 0};                   // drawable size the swapchain was last built for
    RenderStats stats;
};

[[nodiscard]] core::Status createRenderer(Renderer& r, Device& dev, Target& target, const RendererDesc& desc);
void destroyRenderer(Renderer& r);

// The room to draw. Cheap to call every frame with the same layout: it only
// rebuilds when the layout differs from the last one (by content).
void setRoom(Renderer& r, const sim::RoomLayout& layout);
// Replaces one panel's image with colour pixels (no mipmaps; video later).
// RGBA8, up to 4096x4096; shown once uploaded, the old image destroyed once
// no frame in flight uses it. Out-of-range indices are ignored.
void setPanelImage(Renderer& r, std::uint32_t panel, RgbaImage image);
// Puts a slide on a panel: uploaded through the staging ring over the next
// frame(s), then shown with `display`. A newer slide for the same panel
// replaces one still uploading. False (and logged) for a bad size, format
// or byte count, or a format the device cannot sample.
bool setPanelSlide(Renderer& r, std::uint32_t panel, SlidePixels pixels, const PanelDisplay& display);
// Changes how a panel shows its slide: takes effect at the next frame, no
// upload. While a slide is still uploading it applies to that slide.
void setPanelDisplay(Renderer& r, std::uint32_t panel, const PanelDisplay& display);
// Only the laser dots of a panel (the rest of its display unchanged).
void setPanelLaser(Renderer& r, std::uint32_t panel, std::span<const LaserDot> dots);
// Back to the panel's test card; a thumbnail or video tile slot goes blank
// (not drawn) instead.
void clearPanelSlide(Renderer& r, std::uint32_t panel);
// A live video picture on a slot (a wall panel or videoTileSlot(i)): packed
// (packI420) into the slot's next upload, which goes through the staging
// ring like a slide, without mipmaps, and is converted to RGB in the shader.
// A newer picture replaces one not yet uploaded (latest wins). `display`:
// the view and laser as for slides (the window is ignored). False (and
// logged) for odd or out-of-range sizes or planes of the wrong length.
bool setPanelVideo(Renderer& r, std::uint32_t slot, std::uint32_t width, std::uint32_t height,
                   std::span<const std::uint8_t> y, std::span<const std::uint8_t> cb, std::span<const std::uint8_t> cr,
                   const PanelDisplay& display = {});
// True when the slot shows an uploaded picture (not the blank image, not a test card).
bool slotHasPicture(const Renderer& r, std::uint32_t slot);
// True when the panel shows its latest slide (nothing for it is uploading).
bool panelSlideReady(const Renderer& r, std::uint32_t panel);

// `drawable` is the window's size in pixels (ignored for offscreen targets).
[[nodiscard]] FrameResult beginFrame(Renderer& r, VkExtent2D drawable);
void drawScene(Renderer& r, const FrameView& view);
[[nodiscard]] FrameResult endFrame(Renderer& r);
VkCommandBuffer frameCommandBuffer(const Renderer& r);

// A screen slot on screen: slot i (thumbnailSlot(i)'s picture: a thumbnail,
// or a video tile when i >= kMaxThumbnails) letterboxed into
// the pixel rectangle (x, y, w, h; origin top-left), clipped to `clip`
// (min x, min y, max x, max y). Drawn only once its slide is uploaded.
struct ThumbnailDraw {
    std::uint32_t thumbnail = 0;
    float x = 0, y = 0, w = 0, h = 0;
    glm::vec4 clip{0.0f, 0.0f, 1e9f, 1e9f};
};
// Inside the frame's render pass, after the UI: thumbnails above everything.
void drawThumbnails(Renderer& r, std::span<const ThumbnailDraw> thumbnails);

// Waits until every submitted frame is done (before screenshots and teardown).
[[nodiscard]] bool waitIdle(Renderer& r);
// Offscreen targets: the last finished frame as RGBA8.
[[nodiscard]] core::Result<RgbaImage> captureFrame(Renderer& r);

float aspectRatio(const Target& t);

} // namespace caseroom::render
