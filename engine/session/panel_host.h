// The panels system in the server: one per room. Routes the room's
// PanelIntent and LaserInput messages to sim::PanelSystem, runs it each tick,
// publishes its state as room objects (net::ObjectTable: a panel that shows
// anything as {Panel, index}, each laser that is on as {Laser, owner slot},
// each deck the room offers as {Deck, index})
// and pushes its events into the room's one stream (the host's). ServerHost calls it in a few
// lines; the rules are sim's (sim/panels.h), the codecs panel_wire.h's.
// Thread rule: the room's thread.
#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include "net/messages.h"
#include "net/room_objects.h"
#include "sim/events.h"
#include "sim/panels.h"

namespace caseroom::session {

class PanelHost {
public:
    // `catalog` (not owned, may be null: no deck is known) outlives this;
    // `events` (not owned, may be null) is the room's event stream.
    PanelHost(std::uint16_t panelCount, const sim::DeckCatalog* catalog, sim::EventStream* events);

    void join(core::EntityId who, core::Role role) { system_.join(who, role); }
    void leave(core::EntityId who, std::uint32_t tick) { system_.leave(who, tick); }

    // nullopt: carried out; else the refusal to send back (IntentRefused{Panel, reason}).
    [[nodiscard]] std::optional<net::RefusalReason> onIntent(const sim::PanelActor& actor, const net::PanelIntent& m, std::uint32_t tick);
    // Lasers are not answered (tick-rate, unreliable): the error is for counting and audit.
    [[nodiscard]] std::optional<sim::PanelError> onLaser(const sim::PanelActor& actor, const net::LaserInput& m, std::uint32_t tick);

    // Publishes the catalog's offered decks as {Deck, index} objects (the
    // first kMaxOfferedDecks; more are still showable, only not listed,
    // counted in publishFailures). Once, when the room is made: late joiners
    // get them in their first snapshot like every object.
    void publishDecks(net::ObjectTable& objects);

    // Steps the system and publishes what changed into `objects`.
    void tick(std::uint32_t tick, net::ObjectTable& objects);

    [[nodiscard]] const sim::PanelSystem& system() const { return system_; }
    [[nodiscard]] std::uint64_t publishFailures() const { return publishFailures_; }

private:
    const sim::DeckCatalog* catalog_;
    sim::PanelSystem system_;
    std::uint64_t published_ = ~0ull;        // system version last published
    std::vector<std::uint16_t> laserOwners_; // lasers published as on
    std::vector<std::uint16_t> scratch_;
    std::uint64_t publishFailures_ = 0;      // table full or an encoding out of bounds (never expected)
};

} // namespace caseroom::session
