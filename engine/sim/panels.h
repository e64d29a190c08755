// The panels system: what every wall panel shows and who drives it, and the
// presenters' laser pointers. Pure room rules (no network, no clock: the
// tick comes in): the host feeds it intents and reads back the panels'
// states (sim/panel_state.h), which it replicates as room objects, and the
// events it pushed into the room's event stream (sim/events.h).
//
// Rules (docs/PERMISSIONS.md "Panels"):
// - Driving a panel (deck, slide, cine frame, play/pause, zoom/pan, window)
//   takes Action::DrivePanel: holding that panel, or a role that may take
//   control (facilitator, coordinator).
// - Anyone who may hold things (everyone but observers) may ask for control;
//   the request is visible state of the panel. The holder or a role with
//   GrantControl hands control to a person (or dismisses a request); a role
//   with TakeControl takes it, or ends anyone's. The holder may release it.
// - When the holder leaves the room, control returns to nobody (a
//   facilitator takes it or hands it on); their requests and laser go too.
// - Slide and frame indices are checked against the deck (DeckCatalog); the
//   view is clamped (zoom 1..kMaxZoom, the view inside the image); window
//   values are clamped to a sane range; a non-finite number is refused.
// - A laser (Action::PointLaser) is a unit ray whose origin is within
//   kLaserReach of the sender's head; one silent for kLaserTimeoutTicks goes off.
// Thread rule: the room's thread.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include <glm/vec3.hpp>

#include "core/content_hash.h"
#include "core/ids.h"
#include "core/role.h"
#include "sim/events.h"
#include "sim/panel_state.h"
#include "sim/permissions.h"

namespace caseroom::sim {

constexpr float kLaserReach = 1.2f;              // metres from the head: the hand's reach, with margin
constexpr std::uint32_t kLaserTimeoutTicks = 15; // 0.5 s at 30 Hz without input: off
constexpr std::size_t kMaxLasers = 16;           // lasers on at once per room
constexpr float kMaxWindowValue = 1.0e6f;        // |centre| and width, modality units
constexpr float kMinWindowWidth = 1.0e-3f;

// What the host knows about decks (session::DeckLibrary backs it with the
// decks the server was given). A deck the catalog does not know cannot be shown.
class DeckCatalog {
public:
    virtual ~DeckCatalog() = default;
    // Slides in the deck (>= 1), or nullopt when the deck is unknown.
    [[nodiscard]] virtual std::optional<std::uint16_t> slideCount(const core::ContentHash& deck) const = 0;
    // Frames of one slide (>= 1), or nullopt when the deck or slide is unknown.
    [[nodiscard]] virtual std::optional<std::uint16_t> frameCount(const core::ContentHash& deck, std::uint16_t slide) const = 0;
    // The decks every room lists for its presenters (replicated as room
    // objects), in a stable order; a catalog may know decks it does not list.
    [[nodiscard]] virtual std::vector<OfferedDeck> offered() const { return {}; }
};

// Values are on the wire (net::PanelIntent): append only.
enum class PanelOp : std::uint8_t {
    ShowDeck,         // deck (empty: back to the idle card); slide 0, frame 0, default view and window
    SetSlide,         // index = slide; frame 0, paused; view and window kept
    SetFrame,         // index = cine frame; paused
    Play,             // index = the frame to run from
    Pause,            // index = the frame it stopped on
    SetView,          // view (clamped)
    SetWindow,        // window (clamped; useDefault false)
    DefaultWindow,    // back to the slide's default window
    RequestControl,
    WithdrawRequest,  // one's own request
    GrantControl,     // target becomes the holder
    DismissRequest,   // target's request is dropped
    ReleaseControl,   // nobody holds the panel (the holder's, or a TakeControl role's)
    TakeControl,      // the actor becomes the holder
    Count
};
const char* toString(PanelOp op);

struct PanelCommand {
    PanelOp op = PanelOp::SetSlide;
    std::uint16_t panel = 0;
    core::ContentHash deck;
    std::uint16_t index = 0;
    PanelView view;
    PanelWindow window;
    core::EntityId target;
};

enum class PanelError : std::uint8_t {
    NotPermitted, NoSuchPanel, UnknownDeck, NoDeck, SlideOutOfRange, FrameOutOfRange, BadValue,
    RequestsFull, NoSuchRequest, NoSuchParticipant, TargetMayNotHold, TooManyLasers, LaserTooFar, Count
};
const char* toString(PanelError e);

// The sender of an intent, as the host knows it.
struct PanelActor {
    core::EntityId id;
    core::Role role = core::Role::Observer;
    glm::vec3 head{0.0f};   // room space, metres (the laser's origin is checked against it)
};

struct LaserCommand {
    bool on = false;
    glm::vec3 origin{0.0f};
    glm::vec3 direction{0.0f, 0.0f, -1.0f};
};

class PanelSystem {
public:
    // `catalog` (not owned, may be null: no deck is known) must outlive the
    // system; `events` (not owned) is the room's stream.
    PanelSystem(std::uint16_t panelCount, const DeckCatalog* catalog, EventStream* events);

    // Roster: who may be named as a target, and with which role.
    void join(core::EntityId who, core::Role role);
    // Control returns to nobody; the leaver's requests and laser go.
    void leave(core::EntityId who, std::uint32_t tick);

    // Applies one intent; nullopt when carried out (or a no-op, e.g. asking
    // twice), else why it was refused (nothing changed).
    [[nodiscard]] std::optional<PanelError> apply(const PanelActor& actor, const PanelCommand& cmd, std::uint32_t tick);
    // The sender's laser this tick (the newest wins within a tick).
    [[nodiscard]] std::optional<PanelError> laser(const PanelActor& actor, const LaserCommand& cmd, std::uint32_t tick);
    // Per tick: lasers silent too long go off.
    void step(std::uint32_t tick);

    [[nodiscard]] std::span<const PanelState> panels() const { return panels_; }
    // Lasers that are on, by owner (order unspecified).
    [[nodiscard]] std::span<const LaserState> lasers() const { return lasers_; }
    // Bumps on every change of panels() or lasers(): the host re-publishes then.
    [[nodiscard]] std::uint64_t version() const { return version_; }
    [[nodiscard]] HoldingSet holding(core::EntityId who, std::uint16_t panel) const;

private:
    void emit(std::uint32_t tick, core::EntityId actor, RoomEventKind kind, std::uint16_t panel, core::EntityId target = {},
              std::uint32_t value = 0, const core::ContentHash& deck = {});
    [[nodiscard]] std::optional<core::Role> roleOf(core::EntityId who) const;
    [[nodiscard]] std::optional<PanelError> checkFrame(const PanelState& p, std::uint16_t frame) const;

    std::vector<PanelState> panels_;
    std::vector<LaserState> lasers_;
    std::vector<std::uint32_t> laserTick_;       // beside lasers_: tick of the newest input
    std::vector<std::optional<core::Role>> roster_; // by entity slot
    const DeckCatalog* catalog_;
    EventStream* events_;
    std::uint64_t version_ = 0;
};

} // namespace caseroom::sim
