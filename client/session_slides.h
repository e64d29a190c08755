// The slides glue over a live room: SlideSource over the session's blob
// fetcher and its cache, PanelIntents over ClientSession::sendPanelIntent and
// setLaser, and who may drive or point (sim/permissions.h).
//
// Threads (client/session_pump.h): the fetcher lives on the session's thread,
// so want() and progress() never touch it. want() records the hash (main
// thread) and progress() answers from a copy; sync(), called once per frame
// by whoever holds the session (the app under pump.lock(); headless between
// its own updates), hands the new wants to the fetcher and refreshes the copy.
// bytes() (the decode worker) reads verified blobs straight from the cache
// directory through its own media::BlobStore: the fetcher writes a blob by an
// atomic rename once verified, so a reader sees all of it or nothing.
#pragma once
#include <filesystem>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "render/camera.h"
#include "session/client_session.h"
#include "slides.h"

namespace caseroom::client {

class SessionSlideSource final : public SlideSource {
public:
    // Opens the fetcher's cache directory (session.fetcher().cacheDir()) for reading.
    static core::Result<std::unique_ptr<SessionSlideSource>> open(const std::filesystem::path& cacheDir);
    std::optional<std::vector<std::uint8_t>> bytes(const media::BlobHash& hash) override;
    Progress progress(const media::BlobHash& hash) override;
    void want(const media::BlobHash& hash) override;
    // With the session held: new wants go to its fetcher (each once: a blob the
    // server refused is not asked again every frame), progress is copied.
    void sync(session::ClientSession& s);

private:
    explicit SessionSlideSource(media::BlobStore store) : store_(std::move(store)) {}
    std::mutex storeMutex_;                 // BlobStore: one thread at a time
    media::BlobStore store_;
    // Main thread only.
    std::unordered_map<core::ContentHash, Progress, core::ContentHashHasher> progress_;
    std::vector<core::ContentHash> newWants_;
};

// Call with the session held (the app's buildUi runs under pump.lock()).
class SessionPanelIntents final : public PanelIntents {
public:
    explicit SessionPanelIntents(session::ClientSession& s) : s_(s) {}
    void showDeck(std::uint32_t panel, const core::ContentHash& deck) override;
    void setSlide(std::uint32_t panel, std::uint16_t slide) override;
    void setFrame(std::uint32_t panel, std::uint16_t frame) override;
    void setPlaying(std::uint32_t panel, bool playing) override;
    void setView(std::uint32_t panel, const sim::PanelView& view) override;
    void setWindow(std::uint32_t panel, const sim::PanelWindow& window) override;
    // Renewed every frame while pointing; endFrame() switches it off once not.
    void laser(const sim::LaserState& laser) override;
    void requestControl(std::uint32_t panel) override;
    // Once per frame after the UI: a laser not renewed this frame goes off.
    void endFrame();

private:
    void send(sim::PanelOp op, std::uint32_t panel, std::uint16_t index = 0);
    session::ClientSession& s_;
    bool laserOn_ = false, laserRenewed_ = false;
};

// Whether this participant may drive `panel`: holds it, or its role may.
[[nodiscard]] bool mayDrive(core::Role role, core::EntityId self, const sim::PanelState& panel);
// Whether it may show a laser: its role may, or it holds some panel. Never observers.
[[nodiscard]] bool mayPoint(core::Role role, core::EntityId self, std::span<const sim::PanelState> panels);
// My laser as the server accepts it: from my head (the server checks the
// origin is within reach of it) towards where the mouse ray meets the
// nearest panel, whatever camera the ray came from; nullopt when it meets none.
[[nodiscard]] std::optional<sim::LaserState> laserFromHead(const sim::RoomLayout& layout, glm::vec3 head,
                                                           const render::Ray& mouse);
// Everyone's lasers but `self`'s (mine is drawn locally, without the round trip).
void othersLasers(std::span<const sim::LaserState> all, core::EntityId self, std::vector<sim::LaserState>& out);

} // namespace caseroom::client
