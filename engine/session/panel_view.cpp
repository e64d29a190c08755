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
    case net::ObjectKind::Count: break;
    }
    return false;
}

} // namespace caseroom::session
