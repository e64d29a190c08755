#include "sim/panels.h"

#include <algorithm>
#include <cmath>

#include <glm/geometric.hpp>

namespace caseroom::sim {

const char* toString(PanelOp op) {
    switch (op) {
    case PanelOp::ShowDeck: return "show deck";
    case PanelOp::SetSlide: return "set slide";
    case PanelOp::SetFrame: return "set frame";
    case PanelOp::Play: return "play";
    case PanelOp::Pause: return "pause";
    case PanelOp::SetView: return "set view";
    case PanelOp::SetWindow: return "set window";
    case PanelOp::DefaultWindow: return "default window";
    case PanelOp::RequestControl: return "request control";
    case PanelOp::WithdrawRequest: return "withdraw request";
    case PanelOp::GrantControl: return "grant control";
    case PanelOp::DismissRequest: return "dismiss request";
    case PanelOp::ReleaseControl: return "release control";
    case PanelOp::TakeControl: return "take control";
    case PanelOp::Count: break;
    }
    return "?";
}

const char* toString(PanelError e) {
    switch (e) {
    case PanelError::NotPermitted: return "not permitted";
    case PanelError::NoSuchPanel: return "no such panel";
    case PanelError::UnknownDeck: return "unknown deck";
    case PanelError::NoDeck: return "the panel shows no deck";
    case PanelError::SlideOutOfRange: return "slide out of range";
    case PanelError::FrameOutOfRange: return "frame out of range";
    case PanelError::BadValue: return "bad value";
    case PanelError::RequestsFull: return "too many pending requests";
    case PanelError::NoSuchRequest: return "no such request";
    case PanelError::NoSuchParticipant: return "no such participant";
    case PanelError::TargetMayNotHold: return "the participant may not hold a panel";
    case PanelError::TooManyLasers: return "too many lasers";
    case PanelError::LaserTooFar: return "laser origin too far from the head";
    case PanelError::Count: break;
    }
    return "?";
}

PanelSystem::PanelSystem(std::uint16_t panelCount, const DeckCatalog* catalog, EventStream* events)
    : panels_(panelCount), catalog_(catalog), events_(events) {
    lasers_.reserve(kMaxLasers);
    laserTick_.reserve(kMaxLasers);
}

void PanelSystem::emit(std::uint32_t tick, core::EntityId actor, RoomEventKind kind, std::uint16_t panel, core::EntityId target,
                       std::uint32_t value, const core::ContentHash& deck) {
    if (events_) events_->push(RoomEvent{tick, actor, kind, panel, target, value, deck, {}});
}

std::optional<core::Role> PanelSystem::roleOf(core::EntityId who) const {
    if (!who.valid() || who.value >= roster_.size()) return std::nullopt;
    return roster_[who.value];
}

void PanelSystem::join(core::EntityId who, core::Role role) {
    if (!who.valid()) return;
    if (who.value >= roster_.size()) roster_.resize(who.value + 1u);
    roster_[who.value] = role;
}

void PanelSystem::leave(core::EntityId who, std::uint32_t tick) {
    if (who.valid() && who.value < roster_.size()) roster_[who.value].reset();
    for (std::uint16_t i = 0; i < panels_.size(); ++i) {
        PanelState& p = panels_[i];
        if (p.holder == who) {
            p.holder = core::EntityId::invalid();
            emit(tick, core::EntityId::invalid(), RoomEventKind::ControlReturned, i, who);
            ++version_;
        }
        if (std::erase(p.requests, who)) ++version_;
    }
    for (std::size_t k = 0; k < lasers_.size(); ++k) {
        if (lasers_[k].owner != who) continue;
        lasers_[k] = lasers_.back();
        laserTick_[k] = laserTick_.back();
        lasers_.pop_back();
        laserTick_.pop_back();
        ++version_;
        break;
    }
}

HoldingSet PanelSystem::holding(core::EntityId who, std::uint16_t panel) const {
    HoldingSet h;
    if (panel < panels_.size() && who.valid() && panels_[panel].holder == who) h = h.with(Holding::PanelHolder);
    return h;
}

std::optional<PanelError> PanelSystem::checkFrame(const PanelState& p, std::uint16_t frame) const {
    if (p.deck.empty()) return PanelError::NoDeck;
    const auto frames = catalog_ ? catalog_->frameCount(p.deck, p.slide) : std::nullopt;
    if (!frames) return PanelError::UnknownDeck;
    if (frame >= *frames) return PanelError::FrameOutOfRange;
    return std::nullopt;
}

namespace {
bool finite(float f) { return std::isfinite(f); }

// Zoom 1..kMaxZoom; the visible part (1/zoom of the image) stays inside it.
std::optional<PanelView> clampView(PanelView v) {
    if (!finite(v.centerX) || !finite(v.centerY) || !finite(v.zoom)) return std::nullopt;
    v.zoom = std::clamp(v.zoom, 1.0f, kMaxZoom);
    const float half = 0.5f / v.zoom;
    v.centerX = std::clamp(v.centerX, half, 1.0f - half);
    v.centerY = std::clamp(v.centerY, half, 1.0f - half);
    return v;
}

std::optional<PanelWindow> clampWindow(PanelWindow w) {
    if (!finite(w.centre) || !finite(w.width)) return std::nullopt;
    w.useDefault = false;
    w.centre = std::clamp(w.centre, -kMaxWindowValue, kMaxWindowValue);
    w.width = std::clamp(w.width, kMinWindowWidth, kMaxWindowValue);
    return w;
}
} // namespace

std::optional<PanelError> PanelSystem::apply(const PanelActor& actor, const PanelCommand& cmd, std::uint32_t tick) {
    if (cmd.panel >= panels_.size()) return PanelError::NoSuchPanel;
    if (cmd.op >= PanelOp::Count) return PanelError::BadValue;
    PanelState& p = panels_[cmd.panel];
    const HoldingSet held = holding(actor.id, cmd.panel);
    auto may = [&](Action a) { return permitted(actor.role, held, a); };
    const PanelState before = p;

    switch (cmd.op) {
    case PanelOp::ShowDeck: {
        if (!may(Action::DrivePanel)) return PanelError::NotPermitted;
        if (!cmd.deck.empty()) {
            const auto slides = catalog_ ? catalog_->slideCount(cmd.deck) : std::nullopt;
            if (!slides || *slides == 0) return PanelError::UnknownDeck;
        }
        p.deck = cmd.deck;
        p.slide = 0;
        p.frame = 0;
        p.playing = false;
        p.playTick = 0;
        p.view = PanelView{};
        p.window = PanelWindow{};
        if (p != before) emit(tick, actor.id, RoomEventKind::DeckShown, cmd.panel, {}, 0, cmd.deck);
        break;
    }
    case PanelOp::SetSlide: {
        if (!may(Action::DrivePanel)) return PanelError::NotPermitted;
        if (p.deck.empty()) return PanelError::NoDeck;
        const auto slides = catalog_ ? catalog_->slideCount(p.deck) : std::nullopt;
        if (!slides) return PanelError::UnknownDeck;
        if (cmd.index >= *slides) return PanelError::SlideOutOfRange;
        p.slide = cmd.index;
        p.frame = 0;
        p.playing = false;
        p.playTick = 0;
        if (p != before) emit(tick, actor.id, RoomEventKind::SlideChanged, cmd.panel, {}, cmd.index);
        break;
    }
    case PanelOp::SetFrame:
    case PanelOp::Play:
    case PanelOp::Pause: {
        if (!may(Action::DrivePanel)) return PanelError::NotPermitted;
        if (const auto err = checkFrame(p, cmd.index)) return err;
        p.frame = cmd.index;
        p.playing = cmd.op == PanelOp::Play;
        p.playTick = p.playing ? tick : 0;
        break;
    }
    case PanelOp::SetView: {
        if (!may(Action::DrivePanel)) return PanelError::NotPermitted;
        const auto v = clampView(cmd.view);
        if (!v) return PanelError::BadValue;
        p.view = *v;
        break;
    }
    case PanelOp::SetWindow: {
        if (!may(Action::DrivePanel)) return PanelError::NotPermitted;
        const auto w = clampWindow(cmd.window);
        if (!w) return PanelError::BadValue;
        p.window = *w;
        break;
    }
    case PanelOp::DefaultWindow:
        if (!may(Action::DrivePanel)) return PanelError::NotPermitted;
        p.window = PanelWindow{};
        break;
    case PanelOp::RequestControl: {
        if (!may(Action::RequestControl)) return PanelError::NotPermitted;
        if (p.holder == actor.id || std::find(p.requests.begin(), p.requests.end(), actor.id) != p.requests.end()) break;
        if (p.requests.size() >= kMaxControlRequests) return PanelError::RequestsFull;
        p.requests.push_back(actor.id);
        emit(tick, actor.id, RoomEventKind::ControlRequested, cmd.panel);
        break;
    }
    case PanelOp::WithdrawRequest:
        if (!std::erase(p.requests, actor.id)) return PanelError::NoSuchRequest;
        emit(tick, actor.id, RoomEventKind::RequestWithdrawn, cmd.panel, actor.id);
        break;
    case PanelOp::DismissRequest:
        if (!may(Action::GrantControl)) return PanelError::NotPermitted;
        if (!std::erase(p.requests, cmd.target)) return PanelError::NoSuchRequest;
        emit(tick, actor.id, RoomEventKind::RequestWithdrawn, cmd.panel, cmd.target);
        break;
    case PanelOp::GrantControl: {
        if (!may(Action::GrantControl)) return PanelError::NotPermitted;
        const auto role = roleOf(cmd.target);
        if (!role) return PanelError::NoSuchParticipant;
        if (!mayHold(*role)) return PanelError::TargetMayNotHold;
        std::erase(p.requests, cmd.target);
        if (p.holder != cmd.target) {
            p.holder = cmd.target;
            emit(tick, actor.id, RoomEventKind::ControlGranted, cmd.panel, cmd.target);
        }
        break;
    }
    case PanelOp::ReleaseControl: {
        if (!p.holder.valid()) break;
        if (p.holder != actor.id && !may(Action::TakeControl)) return PanelError::NotPermitted;
        const core::EntityId previous = p.holder;
        p.holder = core::EntityId::invalid();
        emit(tick, actor.id, RoomEventKind::ControlReleased, cmd.panel, previous);
        break;
    }
    case PanelOp::TakeControl: {
        if (!permitted(actor.role, Action::TakeControl)) return PanelError::NotPermitted; // by role only
        std::erase(p.requests, actor.id);
        if (p.holder != actor.id) {
            const core::EntityId previous = p.holder;
            p.holder = actor.id;
            emit(tick, actor.id, RoomEventKind::ControlTaken, cmd.panel, previous);
        }
        break;
    }
    case PanelOp::Count: return PanelError::BadValue;
    }
    if (p != before) ++version_;
    return std::nullopt;
}

std::optional<PanelError> PanelSystem::laser(const PanelActor& actor, const LaserCommand& cmd, std::uint32_t tick) {
    // The laser is the presenter's: a holder of any panel, or a role that points.
    bool holdsAny = false;
    for (std::uint16_t i = 0; i < panels_.size(); ++i) holdsAny = holdsAny || panels_[i].holder == actor.id;
    const HoldingSet held = holdsAny ? HoldingSet{}.with(Holding::PanelHolder) : HoldingSet{};
    auto it = std::find_if(lasers_.begin(), lasers_.end(), [&](const LaserState& l) { return l.owner == actor.id; });
    if (!cmd.on) {
        if (it != lasers_.end()) {
            const auto k = static_cast<std::size_t>(it - lasers_.begin());
            lasers_[k] = lasers_.back();
            laserTick_[k] = laserTick_.back();
            lasers_.pop_back();
            laserTick_.pop_back();
            ++version_;
        }
        return std::nullopt;
    }
    if (!permitted(actor.role, held, Action::PointLaser)) return PanelError::NotPermitted;
    const glm::vec3 o = cmd.origin, d = cmd.direction;
    if (!finite(o.x) || !finite(o.y) || !finite(o.z) || !finite(d.x) || !finite(d.y) || !finite(d.z)) return PanelError::BadValue;
    const float len = glm::length(d);
    if (std::fabs(len - 1.0f) > 0.02f) return PanelError::BadValue;
    if (glm::length(o - actor.head) > kLaserReach) return PanelError::LaserTooFar;
    LaserState next{actor.id, true, o, d / len};
    if (it == lasers_.end()) {
        if (lasers_.size() >= kMaxLasers) return PanelError::TooManyLasers;
        lasers_.push_back(next);
        laserTick_.push_back(tick);
        ++version_;
        return std::nullopt;
    }
    const auto k = static_cast<std::size_t>(it - lasers_.begin());
    laserTick_[k] = tick;
    if (lasers_[k] != next) {
        lasers_[k] = next;
        ++version_;
    }
    return std::nullopt;
}

void PanelSystem::step(std::uint32_t tick) {
    for (std::size_t k = 0; k < lasers_.size();) {
        if (tick - laserTick_[k] >= kLaserTimeoutTicks) {
            lasers_[k] = lasers_.back();
            laserTick_[k] = laserTick_.back();
            lasers_.pop_back();
            laserTick_.pop_back();
            ++version_;
        } else {
            ++k;
        }
    }
}

} // namespace caseroom::sim
