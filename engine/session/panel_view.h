// The client's view model of the panels system: every panel's state (by
// panel index: deck, slide, frame, view, window, holder, pending requests)
// and the lasers that are on, as the room replicates them (room objects in
// snapshots, decoded with panel_wire.h). Read by the UI and the renderer.
// Thread rule: the session's thread.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "net/room_objects.h"
#include "sim/panel_state.h"

namespace caseroom::session {

class PanelViewModel {
public:
    // Makes room for the layout's panels (states already known are kept).
    void ensurePanels(std::size_t count);
    // One object update from a snapshot. False (and nothing changes) when it
    // is not a panels-system object this model can decode: counted as malformed.
    bool apply(const net::ObjectUpdate& u);
    void clear();

    [[nodiscard]] std::span<const sim::PanelState> panels() const { return panels_; }
    [[nodiscard]] std::span<const sim::LaserState> lasers() const { return lasers_; }
    // The decks the server offers in this room (ObjectKind::Deck objects).
    [[nodiscard]] std::span<const sim::OfferedDeck> decks() const { return decks_; }
    // Bumps on every change: a renderer re-reads the panels then.
    [[nodiscard]] std::uint64_t changes() const { return changes_; }

private:
    std::vector<sim::PanelState> panels_;
    std::vector<sim::LaserState> lasers_;
    std::vector<sim::OfferedDeck> decks_;   // in object id order
    std::vector<std::uint16_t> decksAt_;    // beside decks_: each one's object id
    std::uint64_t changes_ = 0;
};

} // namespace caseroom::session
