#include "video_wall.h"

#include <algorithm>
#include <cmath>

#include "net/messages.h"
#include "session/video_client.h"

namespace caseroom::client {

const char* toString(VideoSpot s) {
    switch (s) {
    case VideoSpot::FrontPanel: return "front panel";
    case VideoSpot::SidePanel: return "side panel";
    case VideoSpot::Tile: return "tile";
    case VideoSpot::Count: break;
    }
    return "?";
}

const VideoPlacement* VideoWallPlan::find(net::VideoStreamId s) const {
    for (const VideoPlacement& p : placed)
        if (p.stream == s) return &p;
    return nullptr;
}

bool isFrontPanel(const sim::Panel& p) {
    // Panel::yaw turns the face about y: a front or back wall panel faces along z.
    return std::abs(std::cos(p.yaw)) >= std::abs(std::sin(p.yaw));
}

namespace {

// Hub faces go to the side panels in this order; spokes and observers are not hub.
int hubRank(core::Role r) {
    switch (r) {
    case core::Role::Facilitator: return 0;
    case core::Role::Specialist: return 1;
    case core::Role::Coordinator: return 2;
    default: return -1;
    }
}

} // namespace

VideoWallPlan planVideoWall(const VideoWallInput& in) {
    VideoWallPlan plan;
    if (in.layout == nullptr) return plan;
    auto roleOf = [&](std::uint16_t slot) {
        for (const VideoPublisher& p : in.publishers)
            if (p.slot == slot) return p.role;
        return core::Role::Spoke; // not present (yet): no hub place
    };
    std::vector<net::VideoStreamId> cand;
    for (const net::VideoStreamId& s : in.streams) {
        if (in.self && s.publisher == *in.self) continue;
        if (std::find(in.hidden.begin(), in.hidden.end(), s) != in.hidden.end()) continue;
        if (std::find(cand.begin(), cand.end(), s) != cand.end()) continue;
        cand.push_back(s);
    }
    std::sort(cand.begin(), cand.end());

    // Panels without a deck, by wall; the front ones from the right (panel 0,
    // on the left, is where a presenter's deck goes first).
    std::vector<std::uint32_t> freeFront, freeSide;
    std::optional<std::uint16_t> presenter;
    const auto panelCount = static_cast<std::uint32_t>(std::min<std::size_t>(in.layout->panels.size(), render::kMaxPanels));
    for (std::uint32_t p = 0; p < panelCount; ++p) {
        const bool front = isFrontPanel(in.layout->panels[p]);
        const sim::PanelState* st = p < in.panels.size() ? &in.panels[p] : nullptr;
        if (front && st && st->holder.valid() && !presenter) presenter = static_cast<std::uint16_t>(st->holder.value);
        if (st && !st->deck.empty()) continue;
        (front ? freeFront : freeSide).push_back(p);
    }
    std::reverse(freeFront.begin(), freeFront.end());
    if (!presenter)
        for (const net::VideoStreamId& s : cand)
            if (s.kind == net::VideoKind::Screen) { presenter = s.publisher; break; }

    std::uint32_t tiles = 0;
    auto place = [&](net::VideoStreamId s, std::vector<std::uint32_t>* first, std::vector<std::uint32_t>* second) {
        VideoPlacement p;
        p.stream = s;
        p.face = in.faces && s.kind == net::VideoKind::Camera;
        for (std::vector<std::uint32_t>* list : {first, second}) {
            if (list == nullptr || list->empty()) continue;
            p.spot = list == &freeFront ? VideoSpot::FrontPanel : VideoSpot::SidePanel;
            p.index = list->front();
            list->erase(list->begin());
            plan.placed.push_back(p);
            return;
        }
        if (tiles >= kPreviewTile) return;
        p.spot = VideoSpot::Tile;
        p.index = tiles++;
        plan.placed.push_back(p);
    };
    // 1. Shares, the presenter's first.
    std::stable_sort(cand.begin(), cand.end(), [&](const net::VideoStreamId& a, const net::VideoStreamId& b) {
        return (presenter && a.publisher == *presenter) > (presenter && b.publisher == *presenter);
    });
    for (const net::VideoStreamId& s : cand)
        if (s.kind == net::VideoKind::Screen) place(s, &freeFront, &freeSide);
    // 2. The presenter's camera on the front wall, else the first tile.
    for (const net::VideoStreamId& s : cand)
        if (s.kind == net::VideoKind::Camera && presenter && s.publisher == *presenter) place(s, &freeFront, nullptr);
    // 3. The hub's faces on the side panels, facilitator first.
    std::vector<net::VideoStreamId> hub, rest;
    for (const net::VideoStreamId& s : cand) {
        if (s.kind != net::VideoKind::Camera || (presenter && s.publisher == *presenter)) continue;
        (hubRank(roleOf(s.publisher)) >= 0 ? hub : rest).push_back(s);
    }
    std::stable_sort(hub.begin(), hub.end(), [&](const net::VideoStreamId& a, const net::VideoStreamId& b) {
        return hubRank(roleOf(a.publisher)) < hubRank(roleOf(b.publisher));
    });
    for (const net::VideoStreamId& s : hub) place(s, &freeSide, nullptr);
    // 4. Everyone else in the tiles.
    for (const net::VideoStreamId& s : rest) place(s, nullptr, nullptr);

    for (const VideoPlacement& p : plan.placed)
        if (plan.show.size() < net::kMaxShownStreams) plan.show.push_back(p.stream);
    return plan;
}

void VideoWall::release(const Fed& f, std::span<const sim::PanelState> panels, render::Renderer& renderer) {
    // A panel that got a deck belongs to the slides now: leave it to them.
    if (f.slot < render::kMaxPanels && f.slot < panels.size() && !panels[f.slot].deck.empty()) return;
    render::clearPanelSlide(renderer, f.slot);
}

void VideoWall::update(const VideoWallPlan& plan, const session::VideoClient& video,
                       std::span<const sim::PanelState> panels, std::span<const std::vector<render::LaserDot>> dots,
                       render::Renderer& renderer) {
    // Slots that video left, or that now carry another stream.
    for (std::size_t i = 0; i < fed_.size();) {
        const VideoPlacement* p = plan.find(fed_[i].stream);
        if (p && p->slot() == fed_[i].slot) { ++i; continue; }
        release(fed_[i], panels, renderer);
        fed_.erase(fed_.begin() + static_cast<std::ptrdiff_t>(i));
    }
    for (const VideoPlacement& p : plan.placed) {
        const std::uint32_t slot = p.slot();
        auto it = std::find_if(fed_.begin(), fed_.end(), [&](const Fed& f) { return f.slot == slot; });
        if (it == fed_.end()) {
            fed_.push_back(Fed{slot, p.stream, 0});
            it = fed_.end() - 1;
        }
        std::uint64_t serial = 0;
        const auto picture = video.latest(p.stream, &serial);
        if (picture && serial != it->serial) {
            render::PanelDisplay d;
            if (slot < dots.size()) {
                d.dotCount = static_cast<std::uint32_t>(std::min<std::size_t>(dots[slot].size(), render::kMaxLaserDots));
                for (std::uint32_t k = 0; k < d.dotCount; ++k) d.dots[k] = dots[slot][k];
            }
            if (render::setPanelVideo(renderer, slot, picture->width, picture->height, picture->y, picture->u, picture->v, d)) {
                it->serial = serial;
                ++uploads_;
            }
        } else if (slot < render::kMaxPanels && slot < dots.size()) {
            render::setPanelLaser(renderer, slot, dots[slot]); // pointing at a live picture, between pictures
        }
    }
}

void VideoWall::clear(std::span<const sim::PanelState> panels, render::Renderer& renderer) {
    for (const Fed& f : fed_) release(f, panels, renderer);
    fed_.clear();
}

} // namespace caseroom::client
