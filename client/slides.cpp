// [SECTION] pure parts  [SECTION] decode worker  [SECTION] controller
// [SECTION] local twins
#include "slides.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "core/log.h"
#include "render/scene.h"

namespace caseroom::client {

// [SECTION] pure parts
std::uint32_t cineFrame(std::uint32_t startFrame, std::uint32_t frames, double rateHz, bool playing, double elapsed) {
    if (frames == 0) return 0;
    const std::uint32_t start = std::min(startFrame, frames - 1);
    if (!playing || frames == 1 || !(rateHz > 0.0) || !(elapsed > 0.0) || !std::isfinite(elapsed)) return start;
    const double advanced = std::floor(elapsed * rateHz);
    const auto steps = static_cast<std::uint64_t>(std::fmod(advanced, static_cast<double>(frames)));
    return static_cast<std::uint32_t>((start + steps) % frames);
}

sim::PanelWindow dragWindow(const sim::PanelWindow& start, float dxPixels, float dyPixels, float unitsPerPixel) {
    sim::PanelWindow w = start;
    w.useDefault = false;
    const float k = std::isfinite(unitsPerPixel) && unitsPerPixel > 0.0f ? unitsPerPixel : 1.0f;
    const float dx = std::isfinite(dxPixels) ? dxPixels : 0.0f, dy = std::isfinite(dyPixels) ? dyPixels : 0.0f;
    w.width = std::max(1.0f, start.width + dx * k);
    w.centre = start.centre + dy * k;
    return w;
}

float dragUnitsPerPixel(const media::DeckSlide& slide) {
    const double range = (slide.bits == 16 ? 65535.0 : 255.0) * std::fabs(slide.rescaleSlope);
    // CT: 65536 HU of representable range is far more than any window; the
    // useful span is a few thousand HU, so cap the sensitivity.
    return static_cast<float>(std::clamp(range / 1000.0, 0.25, 4.0));
}

EffectiveView effectiveView(const LocalView& local, const sim::PanelState& shared) {
    if (local.following) return {shared.view, shared.window};
    return {local.view, local.window.value_or(shared.window)};
}

void lookCloser(LocalView& local, const sim::PanelState& shared) {
    if (!local.following) return;
    local.following = false;
    local.view = shared.view;
    local.window.reset();
}

namespace {
float clampCentre(float c, float zoom) {
    // Keep the view inside the image: at zoom z, half of 1/z is visible on each side.
    const float half = 0.5f / zoom;
    return std::clamp(c, half, 1.0f - half);
}
} // namespace

void zoomAbout(sim::PanelView& v, float factor, float atX, float atY) {
    if (!std::isfinite(factor) || factor <= 0.0f) return;
    const float z0 = v.zoom;
    const float z1 = std::clamp(z0 * factor, 1.0f, sim::kMaxZoom);
    // The image point under `at` stays put.
    const float px = v.centerX + (atX - 0.5f) / z0, py = v.centerY + (atY - 0.5f) / z0;
    v.zoom = z1;
    v.centerX = clampCentre(px - (atX - 0.5f) / z1, z1);
    v.centerY = clampCentre(py - (atY - 0.5f) / z1, z1);
}

void panBy(sim::PanelView& v, float dx, float dy) {
    if (!std::isfinite(dx) || !std::isfinite(dy)) return;
    v.centerX = clampCentre(v.centerX + dx / v.zoom, v.zoom);
    v.centerY = clampCentre(v.centerY + dy / v.zoom, v.zoom);
}

void snapBack(LocalView& local) {
    local.following = true;
    local.window.reset();
}

media::Window defaultWindow(const media::DeckSlide& slide, std::int32_t storedMin, std::int32_t storedMax) {
    if (slide.window) return *slide.window;
    const double a = storedMin * slide.rescaleSlope + slide.rescaleIntercept;
    const double b = storedMax * slide.rescaleSlope + slide.rescaleIntercept;
    const double lo = std::min(a, b), hi = std::max(a, b);
    return {(lo + hi + 1.0) / 2.0, hi - lo + 1.0}; // as media::renderGrey8 without a window
}

render::PanelDisplay displayFor(const media::DeckSlide& slide, const EffectiveView& shown, std::int32_t storedMin,
                                std::int32_t storedMax) {
    render::PanelDisplay d;
    d.view = shown.view;
    if (slide.samplesPerPixel != 1) return d; // colour: no window
    d.signedBias = slide.isSigned && slide.bits == 16 ? 32768.0 : 0.0;
    d.rescaleSlope = slide.rescaleSlope;
    d.rescaleIntercept = slide.rescaleIntercept;
    const media::Window w = shown.window.useDefault ? defaultWindow(slide, storedMin, storedMax)
                                                    : media::Window{shown.window.centre, shown.window.width};
    d.windowCentre = w.centre;
    d.windowWidth = w.width;
    d.invert = slide.photometric == media::Photometric::Monochrome1;
    return d;
}

void laserDots(const sim::RoomLayout& layout, std::span<const sim::LaserState> lasers,
               std::vector<std::vector<render::LaserDot>>& out) {
    out.resize(layout.panels.size());
    for (auto& d : out) d.clear();
    for (const sim::LaserState& l : lasers) {
        if (!l.on) continue;
        float best = std::numeric_limits<float>::max();
        std::size_t bestPanel = out.size();
        glm::vec2 bestUv{0.0f};
        for (std::size_t p = 0; p < layout.panels.size(); ++p) {
            const auto uv = render::panelHit(layout.panels[p], l.origin, l.direction);
            if (!uv) continue;
            const float dist = glm::dot(layout.panels[p].center - l.origin, l.direction);
            if (dist < best) {
                best = dist;
                bestPanel = p;
                bestUv = *uv;
            }
        }
        if (bestPanel < out.size() && out[bestPanel].size() < render::kMaxLaserDots)
            out[bestPanel].push_back({bestUv.x, bestUv.y});
    }
}

core::Result<DecodedFrame> toSlidePixels(const media::Image& img, const media::DeckSlide& slide, std::string_view source) {
    auto fault = [&](const std::string& what) { return core::Error{std::string(source) + ": " + what}; };
    if (img.width != slide.width || img.height != slide.height)
        return fault("frame is " + std::to_string(img.width) + "x" + std::to_string(img.height) + ", the manifest says " +
                     std::to_string(slide.width) + "x" + std::to_string(slide.height));
    if (img.samplesPerPixel != slide.samplesPerPixel || img.bits != slide.bits)
        return fault("frame has " + std::to_string(img.samplesPerPixel) + " samples of " + std::to_string(img.bits) +
                     " bits, the manifest says " + std::to_string(slide.samplesPerPixel) + " of " +
                     std::to_string(slide.bits));
    if (img.width == 0 || img.height == 0 || img.width > render::kMaxPanelSize || img.height > render::kMaxPanelSize)
        return fault("frame size out of range for a panel (1..4096)");
    if (img.pixels.size() < img.frameBytes()) return fault("pixel data shorter than its size");
    DecodedFrame out;
    render::SlidePixels& px = out.pixels;
    px.width = img.width;
    px.height = img.height;
    const std::size_t n = std::size_t{img.width} * img.height;
    if (img.samplesPerPixel == 1) {
        px.format = img.bits == 16 ? render::SlideFormat::R16 : render::SlideFormat::R8;
        px.bytes.assign(img.pixels.begin(), img.pixels.begin() + static_cast<std::ptrdiff_t>(img.frameBytes()));
        std::int32_t lo = std::numeric_limits<std::int32_t>::max(), hi = std::numeric_limits<std::int32_t>::min();
        const std::int32_t bias = slide.isSigned && img.bits == 16 ? 32768 : 0;
        for (std::size_t i = 0; i < n; ++i) {
            std::int32_t v = 0;
            if (img.bits == 16) {
                std::uint16_t u;
                std::memcpy(&u, &img.pixels[i * 2], 2);
                v = std::int32_t{u} - bias;
            } else {
                v = img.pixels[i];
            }
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
        out.storedMin = lo;
        out.storedMax = hi;
    } else if (img.samplesPerPixel == 3) {
        px.format = render::SlideFormat::Rgba8;
        px.bytes.resize(n * 4);
        const std::size_t step = img.bits / 8u;
        for (std::size_t i = 0; i < n; ++i) {
            for (std::size_t c = 0; c < 3; ++c) {
                const std::size_t at = (i * 3 + c) * step;
                // 16-bit colour keeps its high byte (display is 8-bit).
                px.bytes[i * 4 + c] = step == 2 ? static_cast<std::uint8_t>(
                                                      ((img.pixels[at] | (img.pixels[at + 1] << 8)) >> 8) & 0xff)
                                                : img.pixels[at];
            }
            px.bytes[i * 4 + 3] = 255;
        }
    } else {
        return fault("frame has " + std::to_string(img.samplesPerPixel) + " samples per pixel (1 or 3 expected)");
    }
    return out;
}

render::SlidePixels makeThumbnail(const render::SlidePixels& full) {
    const std::uint32_t side = std::max(full.width, full.height);
    if (side <= kThumbnailSide) return full;
    const std::uint32_t k = (side + kThumbnailSide - 1) / kThumbnailSide; // block size
    render::SlidePixels t;
    t.format = full.format;
    t.mipmaps = false;
    t.width = std::max(1u, full.width / k);
    t.height = std::max(1u, full.height / k);
    const std::uint32_t bpp = render::bytesPerPixel(full.format);
    const std::uint32_t channels = full.format == render::SlideFormat::R16 ? 1 : bpp;
    t.bytes.resize(std::size_t{t.width} * t.height * bpp);
    for (std::uint32_t y = 0; y < t.height; ++y)
        for (std::uint32_t x = 0; x < t.width; ++x)
            for (std::uint32_t c = 0; c < channels; ++c) {
                std::uint64_t sum = 0;
                for (std::uint32_t dy = 0; dy < k; ++dy)
                    for (std::uint32_t dx = 0; dx < k; ++dx) {
                        const std::size_t at = (std::size_t{y * k + dy} * full.width + x * k + dx) * bpp;
                        if (full.format == render::SlideFormat::R16) {
                            std::uint16_t v;
                            std::memcpy(&v, &full.bytes[at], 2);
                            sum += v;
                        } else {
                            sum += full.bytes[at + c];
                        }
                    }
                const std::uint64_t avg = (sum + std::uint64_t{k} * k / 2) / (std::uint64_t{k} * k);
                const std::size_t out = (std::size_t{y} * t.width + x) * bpp;
                if (full.format == render::SlideFormat::R16) {
                    const auto v = static_cast<std::uint16_t>(avg);
                    std::memcpy(&t.bytes[out], &v, 2);
                } else {
                    t.bytes[out + c] = static_cast<std::uint8_t>(avg);
                }
            }
    return t;
}

// [SECTION] decode worker
FrameDecoder::FrameDecoder(SlideSource& source, std::size_t cacheBytes)
    : source_(source), cap_(cacheBytes), worker_([this] { run(); }) {}

FrameDecoder::~FrameDecoder() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    wake_.notify_all();
    worker_.join();
}

void FrameDecoder::request(const media::BlobHash& hash, const media::DeckSlide& slide) {
    {
        std::lock_guard lock(mutex_);
        if (cache_.count(hash) || pending_.count(hash) || errors_.count(hash)) return;
        pending_[hash] = true;
        jobs_.push_back({hash, slide});
    }
    wake_.notify_one();
}

std::shared_ptr<const DecodedFrame> FrameDecoder::find(const media::BlobHash& hash) {
    std::lock_guard lock(mutex_);
    auto it = cache_.find(hash);
    if (it == cache_.end()) return nullptr;
    lru_.splice(lru_.begin(), lru_, it->second.at);
    return it->second.frame;
}

std::optional<std::string> FrameDecoder::error(const media::BlobHash& hash) {
    std::lock_guard lock(mutex_);
    auto it = errors_.find(hash);
    if (it == errors_.end()) return std::nullopt;
    return it->second;
}

std::size_t FrameDecoder::cachedBytes() {
    std::lock_guard lock(mutex_);
    return bytes_;
}

std::size_t FrameDecoder::queued() {
    std::lock_guard lock(mutex_);
    return pending_.size();
}

void FrameDecoder::insert(const media::BlobHash& hash, std::shared_ptr<const DecodedFrame> frame) {
    // Under the lock. The newest entry always stays, even alone over the cap.
    bytes_ += frame->bytes();
    lru_.push_front(hash);
    cache_[hash] = Entry{std::move(frame), lru_.begin()};
    while (bytes_ > cap_ && lru_.size() > 1) {
        const media::BlobHash victim = lru_.back();
        lru_.pop_back();
        auto it = cache_.find(victim);
        bytes_ -= it->second.frame->bytes();
        cache_.erase(it);
    }
}

void FrameDecoder::run() {
    for (;;) {
        Job job;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [&] { return stop_ || !jobs_.empty(); });
            if (stop_) return;
            job = std::move(jobs_.front());
            jobs_.pop_front();
        }
        const std::string name = "blob " + job.hash.shortHex();
        std::optional<std::string> err;
        std::shared_ptr<DecodedFrame> frame;
        auto bytes = source_.bytes(job.hash);
        if (bytes) {
            // PNG and JPEG only reach here from the network (deck.h); DICOM
            // and PDF are refused: the client never runs GDCM or poppler.
            const auto fmt = media::sniffFormat(*bytes);
            if (!fmt || (*fmt != media::Format::Png && *fmt != media::Format::Jpeg)) {
                err = name + ": a deck frame must be PNG or JPEG";
            } else if (auto img = media::decodeRaster(*bytes, name); !img) {
                err = img.error().message;
            } else if (auto px = toSlidePixels(*img, job.slide, name); !px) {
                err = px.error().message;
            } else {
                frame = std::make_shared<DecodedFrame>(std::move(*px));
                // Small frames are their own thumbnail (no second copy in the cache).
                if (std::max(frame->pixels.width, frame->pixels.height) > kThumbnailSide)
                    frame->thumb = makeThumbnail(frame->pixels);
            }
        }
        std::lock_guard lock(mutex_);
        pending_.erase(job.hash); // absent bytes: asked again once they arrive
        if (err) {
            CR_LOG_WARN("%s", err->c_str());
            errors_[job.hash] = *err;
        } else if (frame) {
            insert(job.hash, std::move(frame));
        }
    }
}

// [SECTION] controller
SlideController::SlideController(SlideSource& source, const SlideControllerDesc& desc)
    : source_(source), desc_(desc), decoder_(source, desc.cacheBytes), shown_(render::kMaxPanels) {}

void SlideController::provideManifest(const core::ContentHash& deck, media::DeckManifest manifest) {
    manifests_[deck] = std::move(manifest);
    manifestErrors_.erase(deck);
}

const media::DeckManifest* SlideController::manifest(const core::ContentHash& deck) const {
    auto it = manifests_.find(deck);
    return it == manifests_.end() ? nullptr : &it->second;
}

const PanelInfo& SlideController::info(std::uint32_t panel) const {
    static const PanelInfo kNone{};
    return panel < shown_.size() ? shown_[panel].info : kNone;
}

const media::DeckManifest* SlideController::ensureManifest(const core::ContentHash& deck,
                                                           std::optional<std::string>& error) {
    if (auto it = manifests_.find(deck); it != manifests_.end()) return &it->second;
    if (auto e = manifestErrors_.find(deck); e != manifestErrors_.end()) {
        error = e->second;
        return nullptr;
    }
    source_.want(deck);
    if (!source_.progress(deck).done()) return nullptr;
    if (desc_.parseManifest == nullptr) {
        error = "deck " + deck.shortHex() + ": this build cannot read deck manifests yet";
        return nullptr;
    }
    // Once per deck, at most kMaxManifestBytes: read here, not on the worker.
    auto bytes = source_.bytes(deck);
    if (!bytes) return nullptr;
    auto m = desc_.parseManifest(*bytes, "deck " + deck.shortHex());
    if (!m) {
        manifestErrors_[deck] = m.error().message;
        error = m.error().message;
        return nullptr;
    }
    return &(manifests_[deck] = std::move(*m));
}

void SlideController::setServerClock(std::uint32_t tick, double tickRate, double now) {
    if (!(tickRate > 0) || !std::isfinite(now)) return;
    clock_ = ServerClock{tick, tickRate, now};
}

void SlideController::update(double now, std::span<const sim::PanelState> panels, std::span<const LocalView> local,
                             std::span<const std::vector<render::LaserDot>> dots, render::Renderer& renderer) {
    const LocalView following;
    const auto count = static_cast<std::uint32_t>(std::min<std::size_t>(panels.size(), shown_.size()));
    for (std::uint32_t i = 0; i < count; ++i) {
        const sim::PanelState& st = panels[i];
        Shown& s = shown_[i];
        PanelInfo& info = s.info;
        info.error.reset();
        info.current = false;
        if (st.deck.empty()) {
            if (!s.deck.empty()) render::clearPanelSlide(renderer, i);
            s = Shown{};
            continue;
        }
        if (s.deck != st.deck) {
            s = Shown{};
            s.deck = st.deck;
        }
        info.hasDeck = true;
        const media::DeckManifest* m = ensureManifest(st.deck, info.error);
        info.manifestReady = m != nullptr;
        if (!m) {
            const SlideSource::Progress p = source_.progress(st.deck);
            info.deckBytes = p.bytes;
            info.deckTotal = p.total;
            continue;
        }
        if (m->slides.empty()) {
            info.error = "deck " + st.deck.shortHex() + " has no slides";
            continue;
        }
        // Progress of the whole deck (the fetch goes on ahead of what is shown).
        info.deckBytes = info.deckTotal = 0;
        bool totalKnown = true;
        for (const media::DeckSlide& sl : m->slides)
            for (const media::BlobHash& h : sl.frames) {
                source_.want(h);
                const SlideSource::Progress p = source_.progress(h);
                info.deckBytes += p.bytes;
                info.deckTotal += p.total;
                if (p.total == 0) totalKnown = false;
            }
        if (!totalKnown) info.deckTotal = 0;

        const std::uint32_t idx = std::min<std::uint32_t>(st.slide, static_cast<std::uint32_t>(m->slides.size() - 1));
        const media::DeckSlide& slide = m->slides[idx];
        const auto frames = static_cast<std::uint32_t>(slide.frames.size());
        // Playback runs from the server tick it started at (the same frame
        // for everyone); without the room's clock, from when this client saw
        // it start (or restart from another frame or slide).
        if (st.playing && (!s.wasPlaying || st.frame != s.playFrom || idx != s.playSlide)) {
            s.playStart = now;
            s.playFrom = st.frame;
            s.playSlide = idx;
        }
        if (st.playing && clock_.rate > 0 && st.playTick != 0)
            s.playStart = clock_.at - static_cast<double>(static_cast<std::int32_t>(clock_.tick - st.playTick)) / clock_.rate;
        s.wasPlaying = st.playing;
        const std::uint32_t f = cineFrame(st.frame, frames, slide.frameRateHz, st.playing, now - s.playStart);
        info.title = m->title;
        info.caption = slide.caption;
        info.slides = static_cast<std::uint32_t>(m->slides.size());
        info.frames = frames;
        info.frameRateHz = slide.frameRateHz;
        info.grey = slide.samplesPerPixel == 1;
        info.unitsPerPixel = dragUnitsPerPixel(slide);
        if (frames == 0) {
            info.error = "slide " + std::to_string(idx + 1) + " has no frames";
            continue;
        }
        // Decode what is shown, then what comes next (the loop, or the next slide).
        auto ask = [&](const media::DeckSlide& sl, std::uint32_t frame) {
            const media::BlobHash& h = sl.frames[frame];
            if (source_.progress(h).done()) decoder_.request(h, sl);
        };
        ask(slide, f);
        if (frames > 1)
            for (std::uint32_t k = 1; k <= std::min(desc_.prefetchFrames, frames - 1); ++k) ask(slide, (f + k) % frames);
        if (idx + 1 < m->slides.size() && !m->slides[idx + 1].frames.empty()) ask(m->slides[idx + 1], 0);

        const media::BlobHash& want = slide.frames[f];
        if (auto e = decoder_.error(want)) info.error = *e;
        if (auto data = decoder_.find(want); data && (s.slide != idx || s.frame != f || s.frameData != data)) {
            s.slide = idx;
            s.frame = f;
            s.frameData = data;
            info.frameShown = f;
            render::SlidePixels px = data->pixels; // the cache keeps its copy
            px.mipmaps = frames == 1;              // cine frames change too often for mips
            (void)render::setPanelSlide(renderer, i, std::move(px), {});
        }
        info.current = s.slide == idx && s.frame == f;
        if (s.slide == UINT32_MAX) continue;
        // Display: from the slide actually on the panel, every frame (no upload).
        const media::DeckSlide& onPanel = m->slides[s.slide];
        info.shown = effectiveView(i < local.size() ? local[i] : following, st);
        render::PanelDisplay d = displayFor(onPanel, info.shown, s.frameData->storedMin, s.frameData->storedMax);
        if (i < dots.size()) {
            d.dotCount = static_cast<std::uint32_t>(std::min<std::size_t>(dots[i].size(), render::kMaxLaserDots));
            for (std::uint32_t k = 0; k < d.dotCount; ++k) d.dots[k] = dots[i][k];
        }
        render::setPanelDisplay(renderer, i, d);
    }
    updateThumbnails(panels, renderer);
}

void SlideController::updateThumbnails(std::span<const sim::PanelState> panels, render::Renderer& renderer) {
    if (thumbPanel_ >= panels.size()) return;
    const core::ContentHash& deck = panels[thumbPanel_].deck;
    if (deck != thumbDeck_) {
        thumbDeck_ = deck;
        thumbSet_.fill(false);
    }
    const media::DeckManifest* m = manifest(deck);
    if (deck.empty() || m == nullptr) return;
    const std::size_t n = std::min<std::size_t>(m->slides.size(), render::kMaxThumbnails);
    for (std::uint32_t k = 0; k < n; ++k) {
        if (thumbSet_[k]) continue;
        const media::DeckSlide& s = m->slides[k];
        if (s.frames.empty()) continue;
        const media::BlobHash& h = s.frames[0];
        auto data = decoder_.find(h);
        if (!data) {
            if (source_.progress(h).done()) decoder_.request(h, s);
            continue;
        }
        render::SlidePixels px = data->thumb.bytes.empty() ? data->pixels : data->thumb;
        px.mipmaps = false;
        if (render::setPanelSlide(renderer, render::thumbnailSlot(k), std::move(px),
                                  displayFor(s, EffectiveView{}, data->storedMin, data->storedMax)))
            thumbSet_[k] = true;
    }
}

// [SECTION] local twins
core::Result<std::unique_ptr<LocalBlobSource>> LocalBlobSource::open(const std::filesystem::path& dir) {
    return open(std::span<const std::filesystem::path>(&dir, 1));
}

core::Result<std::unique_ptr<LocalBlobSource>> LocalBlobSource::open(std::span<const std::filesystem::path> dirs) {
    if (dirs.empty()) return core::Error{"no blob directory given"};
    std::vector<media::BlobStore> stores;
    for (const auto& dir : dirs) {
        auto store = media::BlobStore::open(dir);
        if (!store) return store.error();
        stores.push_back(std::move(*store));
    }
    return std::unique_ptr<LocalBlobSource>(new LocalBlobSource(std::move(stores)));
}

const media::BlobStore* LocalBlobSource::holder(const media::BlobHash& hash) const {
    for (const auto& s : stores_)
        if (s.has(hash)) return &s;
    return nullptr;
}

std::optional<std::vector<std::uint8_t>> LocalBlobSource::bytes(const media::BlobHash& hash) {
    std::lock_guard lock(mutex_);
    const media::BlobStore* store = holder(hash);
    if (!store) return std::nullopt;
    auto b = store->read(hash);
    if (!b) {
        CR_LOG_WARN("%s", b.error().message.c_str());
        return std::nullopt;
    }
    return std::move(*b);
}

SlideSource::Progress LocalBlobSource::progress(const media::BlobHash& hash) {
    std::lock_guard lock(mutex_);
    const media::BlobStore* store = holder(hash);
    const auto size = store ? store->size(hash) : std::nullopt;
    if (!size) return {};
    return {*size, *size};
}

void LocalBlobSource::want(const media::BlobHash& hash) {
    std::lock_guard lock(mutex_);
    wanted_[hash] = true;
}

std::size_t LocalBlobSource::wanted() {
    std::lock_guard lock(mutex_);
    return wanted_.size();
}

namespace {
sim::PanelState* at(std::vector<sim::PanelState>& v, std::uint32_t i) { return i < v.size() ? &v[i] : nullptr; }
} // namespace

void LocalPanels::showDeck(std::uint32_t panel, const core::ContentHash& deck) {
    if (auto* p = at(panels, panel)) {
        const core::EntityId holder = p->holder;
        *p = sim::PanelState{};
        p->deck = deck;
        p->holder = holder;
    }
}
void LocalPanels::setSlide(std::uint32_t panel, std::uint16_t slide) {
    if (auto* p = at(panels, panel)) {
        p->slide = slide;
        p->frame = 0;
        p->playing = false;
    }
}
void LocalPanels::setFrame(std::uint32_t panel, std::uint16_t frame) {
    if (auto* p = at(panels, panel)) p->frame = frame;
}
void LocalPanels::setPlaying(std::uint32_t panel, bool playing) {
    if (auto* p = at(panels, panel)) p->playing = playing;
}
void LocalPanels::setView(std::uint32_t panel, const sim::PanelView& view) {
    if (auto* p = at(panels, panel)) p->view = view;
}
void LocalPanels::setWindow(std::uint32_t panel, const sim::PanelWindow& window) {
    if (auto* p = at(panels, panel)) p->window = window;
}

} // namespace caseroom::client
