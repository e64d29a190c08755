#include "session/panel_view.h"

#include <algorithm>

#include "session/panel_wire.h"

namespace caseroom::session {

void PanelViewModel::ensurePanels(std::size_t count) {
    count = std::min<std::size_t>(count, net::kMaxPanels);
    if (panels_.size() < count) panels_.resize(count);
}

void PanelViewModel::clear() {
    panels_.assign(panels_.size(), sim::PanelState{});
    lasers_.clear();
    decks_.clear();
    decksAt_.clear();
    ++changes_;
}

bool PanelViewModel::apply(const net::ObjectUpdate& u) {
    switch (u.key.kind) {
    case net::ObjectKind::Panel: {
        if (u.key.id >= net::kMaxPanels) return false;
        if (u.removed) { // an idle panel is no object
            if (u.key.id < panels_.size()) panels_[u.key.id] = sim::PanelState{};
            ++changes_;
            return true;
        }
        const auto p = decodePanel(u.bytes.view());
        if (!p) return false;
        if (u.key.id >= panels_.size()) panels_.resize(u.key.id + 1u);
        panels_[u.key.id] = *p;
        ++changes_;
        return true;
    }
    case net::ObjectKind::Laser: {
        auto it = std::find_if(lasers_.begin(), lasers_.end(), [&](const sim::LaserState& l) { return l.owner.value == u.key.id; });
        if (u.removed) {
            if (it != lasers_.end()) lasers_.erase(it);
            ++changes_;
            return true;
        }
        const auto l = decodeLaser(u.key.id, u.bytes.view());
        if (!l) return false;
        if (it != lasers_.end()) *it = *l;
        else lasers_.push_back(*l);
        ++changes_;
        return true;
    }
    case net::ObjectKind::Deck: {
        // The server's offered list, by index: kept in index order.
        auto it = std::find_if(decksAt_.begin(), decksAt_.end(), [&](std::uint16_t id) { return id == u.key.id; });
        const auto at = static_cast<std::size_t>(it - decksAt_.begin());
        if (u.removed) {
            if (it != decksAt_.end()) {
                decksAt_.erase(it);
                decks_.erase(decks_.begin() + static_cast<std::ptrdiff_t>(at));
            }
            ++changes_;
            return true;
        }
        const auto d = decodeDeck(u.bytes.view());
        if (!d) return false;
        if (it != decksAt_.end()) {
            decks_[at] = *d;
        } else {
            const auto pos = std::lower_bound(decksAt_.begin(), decksAt_.end(), u.key.id);
            const auto i = pos - decksAt_.begin();
            decksAt_.insert(pos, u.key.id);
            decks_.insert(decks_.begin() + i, *d);
        }
        ++changes_;
        return true;
    }
    default: break;   // other systems' kinds (the teaching round's: session/clinic_view.h)
    }
    return false;
}

} // namespace caseroom::session
