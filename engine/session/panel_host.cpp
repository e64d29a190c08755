#include "session/panel_host.h"

#include <algorithm>

#include "session/panel_wire.h"

namespace caseroom::session {

PanelHost::PanelHost(std::uint16_t panelCount, const sim::DeckCatalog* catalog, sim::EventStream* events)
    : catalog_(catalog), system_(panelCount, catalog, events) {}

void PanelHost::publishDecks(net::ObjectTable& objects) {
    if (!catalog_) return;
    const auto decks = catalog_->offered();
    net::ObjectBytes bytes;
    for (std::size_t i = 0; i < decks.size(); ++i) {
        if (i >= kMaxOfferedDecks || !encodeDeck(decks[i], bytes) ||
            !objects.set(net::ObjectKey{net::ObjectKind::Deck, static_cast<std::uint16_t>(i)}, bytes.view()))
            ++publishFailures_;
    }
}

std::optional<net::RefusalReason> PanelHost::onIntent(const sim::PanelActor& actor, const net::PanelIntent& m, std::uint32_t tick) {
    const auto cmd = fromWire(m);
    if (!cmd) return net::RefusalReason::BadValue;
    if (const auto err = system_.apply(actor, *cmd, tick)) return toWire(*err);
    return std::nullopt;
}

std::optional<sim::PanelError> PanelHost::onLaser(const sim::PanelActor& actor, const net::LaserInput& m, std::uint32_t tick) {
    return system_.laser(actor, fromWire(m), tick);
}

void PanelHost::tick(std::uint32_t tick, net::ObjectTable& objects) {
    system_.step(tick);
    if (system_.version() == published_) return;
    published_ = system_.version();
    net::ObjectBytes bytes;
    const auto panels = system_.panels();
    for (std::uint16_t i = 0; i < panels.size(); ++i) {
        const net::ObjectKey key{net::ObjectKind::Panel, i};
        // An idle panel is no object: rooms without slides replicate nothing.
        if (panels[i] == sim::PanelState{}) {
            objects.remove(key);
            continue;
        }
        if (!encodePanel(panels[i], bytes) || !objects.set(key, bytes.view())) ++publishFailures_;
    }
    scratch_.clear();
    for (const sim::LaserState& l : system_.lasers()) {
        scratch_.push_back(l.owner.value);
        if (!encodeLaser(l, bytes) || !objects.set(net::ObjectKey{net::ObjectKind::Laser, l.owner.value}, bytes.view()))
            ++publishFailures_;
    }
    for (std::uint16_t owner : laserOwners_)
        if (std::find(scratch_.begin(), scratch_.end(), owner) == scratch_.end())
            objects.remove(net::ObjectKey{net::ObjectKind::Laser, owner});
    laserOwners_.swap(scratch_);
}

} // namespace caseroom::session
