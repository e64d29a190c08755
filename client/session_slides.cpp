#include "session_slides.h"

#include <limits>

#include <glm/geometric.hpp>

#include "core/log.h"
#include "render/scene.h"
#include "sim/permissions.h"

namespace caseroom::client {

core::Result<std::unique_ptr<SessionSlideSource>> SessionSlideSource::open(const std::filesystem::path& cacheDir) {
    auto store = media::BlobStore::open(cacheDir);
    if (!store) return store.error();
    return std::unique_ptr<SessionSlideSource>(new SessionSlideSource(std::move(*store)));
}

std::optional<std::vector<std::uint8_t>> SessionSlideSource::bytes(const media::BlobHash& hash) {
    std::lock_guard lock(storeMutex_);
    if (!store_.has(hash)) return std::nullopt;
    auto b = store_.read(hash); // verified against its name
    if (!b) {
        CR_LOG_WARN("%s", b.error().message.c_str());
        return std::nullopt;
    }
    return std::move(*b);
}

SlideSource::Progress SessionSlideSource::progress(const media::BlobHash& hash) {
    const auto it = progress_.find(hash);
    return it == progress_.end() ? Progress{} : it->second;
}

void SessionSlideSource::want(const media::BlobHash& hash) {
    if (progress_.try_emplace(hash).second) newWants_.push_back(hash);
}

void SessionSlideSource::sync(session::ClientSession& s) {
    session::BlobFetcher& f = s.fetcher();
    for (const core::ContentHash& h : newWants_) f.want(h);
    newWants_.clear();
    for (auto& [hash, p] : progress_) {
        const session::BlobProgress* fp = f.progress(hash);
        if (!fp) continue;
        // Done means verified and in the cache: report it whole, so that
        // Progress::done() holds exactly then.
        if (fp->state == session::FetchState::Done) p = {fp->total, fp->total};
        else p = {std::min(fp->bytes, fp->total > 0 ? fp->total - 1 : 0), fp->total};
    }
}

void SessionPanelIntents::send(sim::PanelOp op, std::uint32_t panel, std::uint16_t index) {
    sim::PanelCommand c;
    c.op = op;
    c.panel = static_cast<std::uint16_t>(panel);
    c.index = index;
    s_.sendPanelIntent(c);
}

void SessionPanelIntents::showDeck(std::uint32_t panel, const core::ContentHash& deck) {
    sim::PanelCommand c;
    c.op = sim::PanelOp::ShowDeck;
    c.panel = static_cast<std::uint16_t>(panel);
    c.deck = deck;
    s_.sendPanelIntent(c);
}

void SessionPanelIntents::setSlide(std::uint32_t panel, std::uint16_t slide) { send(sim::PanelOp::SetSlide, panel, slide); }

void SessionPanelIntents::setFrame(std::uint32_t panel, std::uint16_t frame) { send(sim::PanelOp::SetFrame, panel, frame); }

void SessionPanelIntents::setPlaying(std::uint32_t panel, bool playing) {
    // Play runs from, and Pause stops on, the frame the room shows now.
    const auto panels = s_.panels();
    const std::uint16_t frame = panel < panels.size() ? panels[panel].frame : 0;
    send(playing ? sim::PanelOp::Play : sim::PanelOp::Pause, panel, frame);
}

void SessionPanelIntents::setView(std::uint32_t panel, const sim::PanelView& view) {
    sim::PanelCommand c;
    c.op = sim::PanelOp::SetView;
    c.panel = static_cast<std::uint16_t>(panel);
    c.view = view;
    s_.sendPanelIntent(c);
}

void SessionPanelIntents::setWindow(std::uint32_t panel, const sim::PanelWindow& window) {
    sim::PanelCommand c;
    c.op = window.useDefault ? sim::PanelOp::DefaultWindow : sim::PanelOp::SetWindow;
    c.panel = static_cast<std::uint16_t>(panel);
    c.window = window;
    s_.sendPanelIntent(c);
}

void SessionPanelIntents::laser(const sim::LaserState& l) {
    s_.setLaser(sim::LaserCommand{l.on, l.origin, l.direction});
    laserOn_ = l.on;
    laserRenewed_ = true;
}

void SessionPanelIntents::requestControl(std::uint32_t panel) { send(sim::PanelOp::RequestControl, panel); }

void SessionPanelIntents::endFrame() {
    if (laserOn_ && !laserRenewed_) {
        s_.setLaser(sim::LaserCommand{});
        laserOn_ = false;
    }
    laserRenewed_ = false;
}

bool mayDrive(core::Role role, core::EntityId self, const sim::PanelState& panel) {
    sim::HoldingSet h;
    if (self.valid() && panel.holder == self) h = h.with(sim::Holding::PanelHolder);
    return sim::permitted(role, h, sim::Action::DrivePanel);
}

bool mayPoint(core::Role role, core::EntityId self, std::span<const sim::PanelState> panels) {
    sim::HoldingSet h;
    for (const sim::PanelState& p : panels)
        if (self.valid() && p.holder == self) h = h.with(sim::Holding::PanelHolder);
    return sim::permitted(role, h, sim::Action::PointLaser);
}

std::optional<sim::LaserState> laserFromHead(const sim::RoomLayout& layout, glm::vec3 head, const render::Ray& mouse) {
    float best = std::numeric_limits<float>::max();
    std::optional<glm::vec3> target;
    for (const sim::Panel& p : layout.panels) {
        const auto uv = render::panelHit(p, mouse.origin, mouse.direction);
        if (!uv) continue;
        const glm::vec3 n = render::panelNormal(p), up{0, 1, 0}, right = glm::cross(-n, up);
        const glm::vec3 at = p.center + right * ((uv->x - 0.5f) * p.width) + up * ((0.5f - uv->y) * p.height);
        const float d = glm::dot(at - mouse.origin, mouse.direction);
        if (d < best) {
            best = d;
            target = at;
        }
    }
    if (!target) return std::nullopt;
    const glm::vec3 dir = *target - head;
    const float len = glm::length(dir);
    if (!(len > 1e-4f)) return std::nullopt;
    sim::LaserState l;
    l.on = true;
    l.origin = head;
    l.direction = dir / len;
    return l;
}

void othersLasers(std::span<const sim::LaserState> all, core::EntityId self, std::vector<sim::LaserState>& out) {
    out.clear();
    for (const sim::LaserState& l : all)
        if (l.owner != self) out.push_back(l);
}

} // namespace caseroom::client
