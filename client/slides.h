// Slides glue: turns the replicated panel state (sim::PanelState) and a deck
// (manifest + frame blobs) into renderer calls. Blob bytes come from a
// SlideSource; presenter actions go to a PanelIntents sink. In a room they
// are SessionSlideSource and SessionPanelIntents (session_slides.h: the
// session's blob fetcher and panel intents); LocalBlobSource and LocalPanels
// are their local twins (a media::BlobStore directory; a PanelState vector
// applied in place) for tests.
//
// Threads: SlideController lives on the main (render) thread. Frames are
// decoded on its own worker thread (PNG/JPEG only, through media::decodeRaster:
// the client links caseroom_raster, never GDCM or poppler), cached per blob
// up to a byte cap, and handed back through a queue; the main thread never
// decodes or reads a blob. SlideSource::bytes() is called on the worker.
// Pure parts (cine frame, right-drag window, local view, display mapping)
// are free functions, unit-tested in tests/unit/client.
#pragma once
#include <array>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/content_hash.h"
#include "core/result.h"
#include "media/blob.h"
#include "media/deck.h"
#include "media/image.h"
#include "render/renderer.h"
#include "sim/panel_state.h"

namespace caseroom::client {

// [SECTION] interfaces
class SlideSource {
public:
    struct Progress {
        std::uint64_t bytes = 0, total = 0; // total 0: unknown (not asked for yet)
        [[nodiscard]] bool done() const { return total > 0 && bytes >= total; }
    };
    virtual ~SlideSource() = default;
    // The verified bytes of a blob when present here, else nullopt. Called
    // on the decode worker thread; must be safe against the other calls.
    virtual std::optional<std::vector<std::uint8_t>> bytes(const media::BlobHash& hash) = 0;
    // How far a fetch has come (main thread).
    virtual Progress progress(const media::BlobHash& hash) = 0;
    // Please fetch this blob (main thread); repeated calls are cheap.
    virtual void want(const media::BlobHash& hash) = 0;
};

// The presenter's actions on a panel; the server checks who may do what.
class PanelIntents {
public:
    virtual ~PanelIntents() = default;
    virtual void showDeck(std::uint32_t panel, const core::ContentHash& deck) = 0;
    virtual void setSlide(std::uint32_t panel, std::uint16_t slide) = 0;
    virtual void setFrame(std::uint32_t panel, std::uint16_t frame) = 0;
    virtual void setPlaying(std::uint32_t panel, bool playing) = 0;
    virtual void setView(std::uint32_t panel, const sim::PanelView& view) = 0;
    virtual void setWindow(std::uint32_t panel, const sim::PanelWindow& window) = 0;
    virtual void laser(const sim::LaserState& laser) = 0;
    virtual void requestControl(std::uint32_t panel) = 0;
};

// [SECTION] pure parts
// The cine frame shown `elapsed` seconds after playback started at
// `startFrame`, looping over `frames` at `rateHz`; stills and paused loops
// show startFrame (clamped).
std::uint32_t cineFrame(std::uint32_t startFrame, std::uint32_t frames, double rateHz, bool playing, double elapsed);

// Right-drag window/level as radiology viewers do: horizontal = width
// (right widens), vertical = centre (down raises the centre: darker), both
// `unitsPerPixel` modality units per pixel from where the drag began. Width
// stays >= 1.
sim::PanelWindow dragWindow(const sim::PanelWindow& start, float dxPixels, float dyPixels, float unitsPerPixel);
// A drag sensitivity from the slide: its full stored range over ~1000 pixels.
float dragUnitsPerPixel(const media::DeckSlide& slide);

// "Look closer" on my own screen: a local view and window over the shared
// one until I snap back to following the presenter.
struct LocalView {
    bool following = true;
    sim::PanelView view;
    std::optional<sim::PanelWindow> window; // unset: the shared window even while looking closer
};
struct EffectiveView {
    sim::PanelView view;
    sim::PanelWindow window;
};
EffectiveView effectiveView(const LocalView& local, const sim::PanelState& shared);
// Start looking closer from what is shown now (no jump); no-op if already.
void lookCloser(LocalView& local, const sim::PanelState& shared);
// Zoom by `factor` about panel point `at` (0..1 of the view), clamped 1..kMaxZoom.
void zoomAbout(sim::PanelView& view, float factor, float atX, float atY);
// Pan by a fraction of the visible image (positive x: the image moves left).
void panBy(sim::PanelView& view, float dx, float dy);
void snapBack(LocalView& local);

// The default window of a slide as window.h's renderGrey8 picks it: the
// slide's own, else the frame's stored min..max after rescale.
media::Window defaultWindow(const media::DeckSlide& slide, std::int32_t storedMin, std::int32_t storedMax);
// What the renderer needs for a slide shown with `view` and `window`.
render::PanelDisplay displayFor(const media::DeckSlide& slide, const EffectiveView& shown, std::int32_t storedMin,
                                std::int32_t storedMax);

// Where the lasers hit the panels: out[p] gets the dots on panel p (lasers
// that are on; each ray hits the nearest panel it meets). Keeps capacity.
void laserDots(const sim::RoomLayout& layout, std::span<const sim::LaserState> lasers,
               std::vector<std::vector<render::LaserDot>>& out);

// A decoded frame as the renderer takes it, with its stored range (signed
// values for signed slides: raw, before rescale).
struct DecodedFrame {
    render::SlidePixels pixels;
    render::SlidePixels thumb;           // for the browser, when pixels exceed kThumbnailSide (empty: use pixels)
    std::int32_t storedMin = 0, storedMax = 255;
    [[nodiscard]] std::size_t bytes() const { return pixels.bytes.size() + thumb.bytes.size(); }
};
constexpr std::uint32_t kThumbnailSide = 128;
// Box-filtered copy that fits kThumbnailSide (same format; unchanged when already small).
render::SlidePixels makeThumbnail(const render::SlidePixels& full);
// Checks a decoded image against its manifest entry and converts it: grey
// 8/16 stay grey (16-bit unsigned as stored: signed data keeps its +32768),
// RGB becomes RGBA8. The error names `source` and the mismatch.
core::Result<DecodedFrame> toSlidePixels(const media::Image& image, const media::DeckSlide& slide,
                                         std::string_view source);

// [SECTION] decode worker
// One thread decoding frame blobs; results are cached by blob hash (least
// recently used dropped past `cacheBytes`).
class FrameDecoder {
public:
    FrameDecoder(SlideSource& source, std::size_t cacheBytes);
    ~FrameDecoder();
    FrameDecoder(const FrameDecoder&) = delete;
    FrameDecoder& operator=(const FrameDecoder&) = delete;

    // Asks for a frame; no-op when cached or already queued. `slide` describes it.
    void request(const media::BlobHash& hash, const media::DeckSlide& slide);
    // The decoded frame if cached (main thread; shared: it outlives eviction while held).
    std::shared_ptr<const DecodedFrame> find(const media::BlobHash& hash);
    // The last decode error for `hash` (bad file, mismatch), if any.
    std::optional<std::string> error(const media::BlobHash& hash);
    // Requests whose bytes were not there yet are retried by calling request() again.
    [[nodiscard]] std::size_t cachedBytes();
    [[nodiscard]] std::size_t queued();

private:
    struct Job {
        media::BlobHash hash;
        media::DeckSlide slide;
    };
    void run();
    void insert(const media::BlobHash& hash, std::shared_ptr<const DecodedFrame> frame);

    SlideSource& source_;
    std::size_t cap_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<Job> jobs_;
    std::map<media::BlobHash, bool> pending_;                       // queued or decoding
    std::list<media::BlobHash> lru_;                                // front: most recent
    struct Entry {
        std::shared_ptr<const DecodedFrame> frame;
        std::list<media::BlobHash>::iterator at;
    };
    std::map<media::BlobHash, Entry> cache_;
    std::map<media::BlobHash, std::string> errors_;
    std::size_t bytes_ = 0;
    bool stop_ = false;
    std::thread worker_;                                             // last: starts after the rest exists
};

// [SECTION] controller
using ManifestParser = core::Result<media::DeckManifest> (*)(std::span<const std::uint8_t>, std::string_view);

struct SlideControllerDesc {
    std::size_t cacheBytes = 256u << 20;     // decoded frames kept
    // The client passes &media::parseManifest; null: decks only through provideManifest().
    ManifestParser parseManifest = nullptr;
    std::uint32_t prefetchFrames = 8;        // cine: decode this many frames ahead
};

// What the UI shows about one panel.
struct PanelInfo {
    bool hasDeck = false;
    bool manifestReady = false;
    std::string title, caption;
    std::uint32_t slides = 0, frames = 0;    // of the current slide
    std::uint32_t frameShown = 0;
    double frameRateHz = 0;
    bool grey = false;
    float unitsPerPixel = 1.0f;              // right-drag sensitivity
    std::uint64_t deckBytes = 0, deckTotal = 0; // arrival progress of the deck's blobs (total 0: unknown)
    std::optional<std::string> error;
    EffectiveView shown;
    // The frame the room shows now is the one handed to the renderer (its
    // upload may still be under way: render::panelSlideReady says when done).
    bool current = false;
};

// Ownership: borrows `source` (must outlive the controller; its worker
// thread reads through it until the controller is destroyed).
class SlideController {
public:
    SlideController(SlideSource& source, const SlideControllerDesc& desc = {});
    // A manifest known without fetching (built locally, or fetched ahead).
    void provideManifest(const core::ContentHash& deck, media::DeckManifest manifest);
    // Once per frame, before drawScene: `panels[i]` is panel i's shared state,
    // `local[i]` my view of it (may be shorter: following), `dots[i]` its
    // laser dots. `now` in seconds (any monotonic clock).
    void update(double now, std::span<const sim::PanelState> panels, std::span<const LocalView> local,
                std::span<const std::vector<render::LaserDot>> dots, render::Renderer& renderer);
    // The room's clock: server tick `tick` (of the newest snapshot) seen at
    // local time `now`, ticking at `tickRate`. With it a playing cine runs
    // from PanelState::playTick, so every viewer shows the same frame (late
    // joiners too); without it, from when this client saw playback start.
    void setServerClock(std::uint32_t tick, double tickRate, double now);
    [[nodiscard]] const PanelInfo& info(std::uint32_t panel) const;
    // Thumbnails (renderer thumbnail slots 0..kMaxThumbnails-1) follow the
    // deck of this panel: slide i's first frame in slot i.
    void setThumbnailPanel(std::uint32_t panel) { thumbPanel_ = panel; }
    [[nodiscard]] bool thumbnailReady(std::uint32_t slide) const {
        return slide < thumbSet_.size() && thumbSet_[slide];
    }
    [[nodiscard]] const media::DeckManifest* manifest(const core::ContentHash& deck) const;
    FrameDecoder& decoder() { return decoder_; }

private:
    struct Shown {
        core::ContentHash deck;
        std::uint32_t slide = UINT32_MAX, frame = UINT32_MAX;
        bool wasPlaying = false;
        double playStart = 0;                // local time playback (re)started from playFrom
        std::uint32_t playFrom = 0, playSlide = 0;
        std::shared_ptr<const DecodedFrame> frameData;
        PanelInfo info;
    };
    const media::DeckManifest* ensureManifest(const core::ContentHash& deck, std::optional<std::string>& error);

    SlideSource& source_;
    SlideControllerDesc desc_;
    struct ServerClock {
        std::uint32_t tick = 0;
        double rate = 0, at = 0; // rate 0: unknown
    } clock_;
    FrameDecoder decoder_;
    std::map<core::ContentHash, media::DeckManifest> manifests_;
    std::map<core::ContentHash, std::string> manifestErrors_;
    std::vector<Shown> shown_;
    std::uint32_t thumbPanel_ = 0;
    core::ContentHash thumbDeck_;
    std::array<bool, render::kMaxThumbnails> thumbSet_{};
    void updateThumbnails(std::span<const sim::PanelState> panels, render::Renderer& renderer);
};

// [SECTION] local twins
// Blobs from media::BlobStore directories (the first that has a blob
// serves it): everything present is "fetched". Also the recorded room's
// slides in a video export (tools/replay), from the decks' blob folders.
class LocalBlobSource final : public SlideSource {
public:
    static core::Result<std::unique_ptr<LocalBlobSource>> open(const std::filesystem::path& dir);
    static core::Result<std::unique_ptr<LocalBlobSource>> open(std::span<const std::filesystem::path> dirs);
    std::optional<std::vector<std::uint8_t>> bytes(const media::BlobHash& hash) override;
    Progress progress(const media::BlobHash& hash) override;
    void want(const media::BlobHash& hash) override;
    [[nodiscard]] std::size_t wanted();      // distinct blobs asked for
    media::BlobStore& store() { return stores_.front(); }   // the first directory

private:
    explicit LocalBlobSource(std::vector<media::BlobStore> stores) : stores_(std::move(stores)) {}
    const media::BlobStore* holder(const media::BlobHash& hash) const;
    std::mutex mutex_;                        // BlobStore: one thread at a time
    std::vector<media::BlobStore> stores_;    // at least one
    std::map<media::BlobHash, bool> wanted_;
};

// Intents applied straight to a PanelState vector (a room of one).
class LocalPanels final : public PanelIntents {
public:
    explicit LocalPanels(std::size_t count) : panels(count) {}
    void showDeck(std::uint32_t panel, const core::ContentHash& deck) override;
    void setSlide(std::uint32_t panel, std::uint16_t slide) override;
    void setFrame(std::uint32_t panel, std::uint16_t frame) override;
    void setPlaying(std::uint32_t panel, bool playing) override;
    void setView(std::uint32_t panel, const sim::PanelView& view) override;
    void setWindow(std::uint32_t panel, const sim::PanelWindow& window) override;
    void laser(const sim::LaserState& l) override { laserState = l; }
    void requestControl(std::uint32_t) override {}
    std::vector<sim::PanelState> panels;
    sim::LaserState laserState;
};

} // namespace caseroom::client
