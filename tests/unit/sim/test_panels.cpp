// The panels system's rules (sim/panels.h): who may drive, ask, hand over,
// take and release; deck, slide and frame checks against a fake catalog;
// clamping; the laser's checks and timeout; what a leaver leaves; events.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <map>

#include <glm/geometric.hpp>

#include "sim/panels.h"

using namespace caseroom;
using namespace caseroom::sim;

namespace {
// A fake catalog: deck -> frames per slide.
struct FakeCatalog final : DeckCatalog {
    std::map<core::ContentHash, std::vector<std::uint16_t>> decks;
    std::optional<std::uint16_t> slideCount(const core::ContentHash& d) const override {
        const auto it = decks.find(d);
        if (it == decks.end()) return std::nullopt;
        return static_cast<std::uint16_t>(it->second.size());
    }
    std::optional<std::uint16_t> frameCount(const core::ContentHash& d, std::uint16_t slide) const override {
        const auto it = decks.find(d);
        if (it == decks.end() || slide >= it->second.size()) return std::nullopt;
        return it->second[slide];
    }
};

core::ContentHash hashOf(std::uint8_t b) {
    core::ContentHash h;
    h.bytes.fill(b);
    return h;
}

struct World {
    FakeCatalog catalog;
    EventStream events;
    PanelSystem panels{4, &catalog, &events};
    PanelActor fac{core::EntityId{0}, core::Role::Facilitator, {0.0f, 1.6f, -5.0f}};
    PanelActor spec{core::EntityId{1}, core::Role::Specialist, {1.0f, 1.2f, 0.0f}};
    PanelActor spoke{core::EntityId{2}, core::Role::Spoke, {2.0f, 1.2f, 0.0f}};
    PanelActor obs{core::EntityId{3}, core::Role::Observer, {3.0f, 1.2f, 0.0f}};
    PanelActor coord{core::EntityId{4}, core::Role::Coordinator, {-1.0f, 1.2f, 0.0f}};
    std::uint32_t tick = 1;
    World() {
        catalog.decks[hashOf(1)] = {1, 1, 40}; // three slides, the last a 40-frame cine loop
        for (const PanelActor* a : {&fac, &spec, &spoke, &obs, &coord}) panels.join(a->id, a->role);
    }
    std::optional<PanelError> op(const PanelActor& who, PanelOp o, std::uint16_t panel = 0, std::uint16_t index = 0,
                                 core::EntityId target = {}) {
        PanelCommand c;
        c.op = o;
        c.panel = panel;
        c.index = index;
        c.target = target;
        c.deck = hashOf(1);
        return panels.apply(who, c, tick);
    }
    std::vector<RoomEvent> drain() {
        std::vector<RoomEvent> out;
        events.drain(out);
        return out;
    }
};
} // namespace

TEST_CASE("panels: facilitators drive by role, others only the panel they hold", "[sim][panels]") {
    World w;
    CHECK(w.op(w.spoke, PanelOp::ShowDeck) == PanelError::NotPermitted);
    CHECK(w.op(w.spec, PanelOp::ShowDeck) == PanelError::NotPermitted);
    CHECK(w.op(w.fac, PanelOp::ShowDeck) == std::nullopt);
    CHECK(w.panels.panels()[0].deck == hashOf(1));
    CHECK(w.op(w.coord, PanelOp::SetSlide, 0, 1) == std::nullopt);

    // The spoke asks; the request is visible; the facilitator hands over panel 0.
    CHECK(w.op(w.spoke, PanelOp::RequestControl) == std::nullopt);
    CHECK(w.op(w.spoke, PanelOp::RequestControl) == std::nullopt); // twice: one request
    REQUIRE(w.panels.panels()[0].requests == std::vector<core::EntityId>{w.spoke.id});
    CHECK(w.op(w.spoke, PanelOp::GrantControl, 0, 0, w.spoke.id) == PanelError::NotPermitted); // cannot grant oneself
    CHECK(w.op(w.fac, PanelOp::GrantControl, 0, 0, w.spoke.id) == std::nullopt);
    CHECK(w.panels.panels()[0].holder == w.spoke.id);
    CHECK(w.panels.panels()[0].requests.empty());
    CHECK(w.panels.holding(w.spoke.id, 0).has(Holding::PanelHolder));
    CHECK_FALSE(w.panels.holding(w.spoke.id, 1).has(Holding::PanelHolder));

    CHECK(w.op(w.spoke, PanelOp::SetSlide, 0, 2) == std::nullopt);
    CHECK(w.panels.panels()[0].slide == 2);
    CHECK(w.op(w.spoke, PanelOp::SetSlide, 1, 0) == PanelError::NotPermitted); // holds panel 0, not 1
    CHECK(w.op(w.spoke, PanelOp::TakeControl, 1) == PanelError::NotPermitted); // holding never grants taking
    CHECK(w.op(w.spec, PanelOp::SetSlide, 0, 1) == PanelError::NotPermitted);

    // The holder hands on to the specialist, who releases.
    CHECK(w.op(w.spoke, PanelOp::GrantControl, 0, 0, w.spec.id) == std::nullopt);
    CHECK(w.panels.panels()[0].holder == w.spec.id);
    CHECK(w.op(w.spoke, PanelOp::SetSlide, 0, 0) == PanelError::NotPermitted);
    CHECK(w.op(w.spoke, PanelOp::ReleaseControl) == PanelError::NotPermitted);
    CHECK(w.op(w.spec, PanelOp::ReleaseControl) == std::nullopt);
    CHECK_FALSE(w.panels.panels()[0].holder.valid());

    // The coordinator takes it; the facilitator ends anyone's control.
    CHECK(w.op(w.coord, PanelOp::TakeControl) == std::nullopt);
    CHECK(w.panels.panels()[0].holder == w.coord.id);
    CHECK(w.op(w.fac, PanelOp::ReleaseControl) == std::nullopt);
    CHECK_FALSE(w.panels.panels()[0].holder.valid());
}

TEST_CASE("panels: observers may not ask, be handed control or drive", "[sim][panels]") {
    World w;
    CHECK(w.op(w.obs, PanelOp::RequestControl) == PanelError::NotPermitted);
    CHECK(w.op(w.fac, PanelOp::GrantControl, 0, 0, w.obs.id) == PanelError::TargetMayNotHold);
    CHECK(w.op(w.fac, PanelOp::GrantControl, 0, 0, core::EntityId{40}) == PanelError::NoSuchParticipant);
    CHECK(w.op(w.obs, PanelOp::SetView) == PanelError::NotPermitted);
    CHECK(w.panels.panels()[0] == PanelState{});
}

TEST_CASE("panels: requests are withdrawn, dismissed and bounded", "[sim][panels]") {
    World w;
    CHECK(w.op(w.spoke, PanelOp::WithdrawRequest) == PanelError::NoSuchRequest);
    CHECK(w.op(w.spoke, PanelOp::RequestControl) == std::nullopt);
    CHECK(w.op(w.spec, PanelOp::RequestControl) == std::nullopt);
    CHECK(w.op(w.spoke, PanelOp::WithdrawRequest) == std::nullopt);
    CHECK(w.op(w.spoke, PanelOp::DismissRequest, 0, 0, w.spec.id) == PanelError::NotPermitted);
    CHECK(w.op(w.fac, PanelOp::DismissRequest, 0, 0, w.spec.id) == std::nullopt);
    CHECK(w.panels.panels()[0].requests.empty());
    for (std::uint16_t i = 10; i < 10 + kMaxControlRequests; ++i) {
        const PanelActor a{core::EntityId{i}, core::Role::Spoke, {}};
        w.panels.join(a.id, a.role);
        CHECK(w.op(a, PanelOp::RequestControl) == std::nullopt);
    }
    CHECK(w.op(w.spoke, PanelOp::RequestControl) == PanelError::RequestsFull);
}

TEST_CASE("panels: decks, slides and frames are checked against the catalog", "[sim][panels]") {
    World w;
    CHECK(w.op(w.fac, PanelOp::SetSlide, 0, 0) == PanelError::NoDeck);
    PanelCommand unknown;
    unknown.op = PanelOp::ShowDeck;
    unknown.deck = hashOf(9);
    CHECK(w.panels.apply(w.fac, unknown, 1) == PanelError::UnknownDeck);
    CHECK(w.op(w.fac, PanelOp::ShowDeck, 7) == PanelError::NoSuchPanel);
    CHECK(w.op(w.fac, PanelOp::ShowDeck) == std::nullopt);
    CHECK(w.op(w.fac, PanelOp::SetSlide, 0, 3) == PanelError::SlideOutOfRange);
    CHECK(w.op(w.fac, PanelOp::SetFrame, 0, 1) == PanelError::FrameOutOfRange); // slide 0 has one frame
    CHECK(w.op(w.fac, PanelOp::SetSlide, 0, 2) == std::nullopt);
    CHECK(w.op(w.fac, PanelOp::Play, 0, 39) == std::nullopt);
    CHECK(w.panels.panels()[0].playing);
    CHECK(w.op(w.fac, PanelOp::Pause, 0, 40) == PanelError::FrameOutOfRange);
    CHECK(w.op(w.fac, PanelOp::Pause, 0, 12) == std::nullopt);
    CHECK_FALSE(w.panels.panels()[0].playing);
    CHECK(w.panels.panels()[0].frame == 12);
    // A slide change starts the slide paused at frame 0.
    CHECK(w.op(w.fac, PanelOp::Play, 0, 3) == std::nullopt);
    CHECK(w.op(w.fac, PanelOp::SetSlide, 0, 1) == std::nullopt);
    CHECK(w.panels.panels()[0].frame == 0);
    CHECK_FALSE(w.panels.panels()[0].playing);
    // Back to the idle card.
    PanelCommand idle;
    idle.op = PanelOp::ShowDeck;
    CHECK(w.panels.apply(w.fac, idle, 1) == std::nullopt);
    CHECK(w.panels.panels()[0].deck.empty());
    // No catalog: nothing can be shown.
    PanelSystem bare(1, nullptr, nullptr);
    CHECK(bare.apply(w.fac, PanelCommand{PanelOp::ShowDeck, 0, hashOf(1), 0, {}, {}, {}}, 1) == PanelError::UnknownDeck);
}

TEST_CASE("panels: the view and window are clamped; non-finite values refused", "[sim][panels]") {
    World w;
    PanelCommand c;
    c.op = PanelOp::SetView;
    c.view = PanelView{0.99f, -3.0f, 100.0f};
    CHECK(w.panels.apply(w.fac, c, 1) == std::nullopt);
    const PanelView v = w.panels.panels()[0].view;
    CHECK(v.zoom == kMaxZoom);
    CHECK(v.centerX == Approx(1.0f - 0.5f / kMaxZoom));
    CHECK(v.centerY == Approx(0.5f / kMaxZoom));
    c.view = PanelView{0.2f, 0.9f, 0.1f}; // zoomed out past the whole image: the whole image, centred
    CHECK(w.panels.apply(w.fac, c, 1) == std::nullopt);
    CHECK(w.panels.panels()[0].view == PanelView{0.5f, 0.5f, 1.0f});
    c.view.zoom = std::numeric_limits<float>::quiet_NaN();
    CHECK(w.panels.apply(w.fac, c, 1) == PanelError::BadValue);

    c.op = PanelOp::SetWindow;
    c.window = PanelWindow{true, 40.0f, 400.0f};
    CHECK(w.panels.apply(w.fac, c, 1) == std::nullopt);
    CHECK(w.panels.panels()[0].window == PanelWindow{false, 40.0f, 400.0f});
    c.window = PanelWindow{false, -1e9f, 0.0f};
    CHECK(w.panels.apply(w.fac, c, 1) == std::nullopt);
    CHECK(w.panels.panels()[0].window.centre == -kMaxWindowValue);
    CHECK(w.panels.panels()[0].window.width == kMinWindowWidth);
    c.window.width = std::numeric_limits<float>::infinity();
    CHECK(w.panels.apply(w.fac, c, 1) == PanelError::BadValue);
    CHECK(w.op(w.fac, PanelOp::DefaultWindow) == std::nullopt);
    CHECK(w.panels.panels()[0].window == PanelWindow{});
}

TEST_CASE("panels: the laser is a unit ray near the sender's head, and times out", "[sim][panels]") {
    World w;
    const LaserCommand ok{true, w.fac.head + glm::vec3(0.3f, -0.2f, 0.0f), glm::normalize(glm::vec3(0.0f, 0.1f, -1.0f))};
    CHECK(w.panels.laser(w.fac, ok, 1) == std::nullopt);
    REQUIRE(w.panels.lasers().size() == 1);
    CHECK(w.panels.lasers()[0].owner == w.fac.id);
    CHECK(w.panels.laser(w.spoke, LaserCommand{true, w.spoke.head, {0, 0, -1}}, 1) == PanelError::NotPermitted);
    CHECK(w.panels.laser(w.obs, LaserCommand{true, w.obs.head, {0, 0, -1}}, 1) == PanelError::NotPermitted);
    CHECK(w.panels.laser(w.spec, LaserCommand{true, w.spec.head, {0, 0, -2}}, 1) == PanelError::BadValue);
    CHECK(w.panels.laser(w.spec, LaserCommand{true, w.spec.head + glm::vec3(0, 0, 3), {0, 0, -1}}, 1) == PanelError::LaserTooFar);
    const float nan = std::numeric_limits<float>::quiet_NaN();
    CHECK(w.panels.laser(w.spec, LaserCommand{true, {nan, 0, 0}, {0, 0, -1}}, 1) == PanelError::BadValue);
    // A spoke handed a panel may point.
    CHECK(w.op(w.fac, PanelOp::GrantControl, 2, 0, w.spoke.id) == std::nullopt);
    CHECK(w.panels.laser(w.spoke, LaserCommand{true, w.spoke.head, {0, 0, -1}}, 1) == std::nullopt);
    CHECK(w.panels.lasers().size() == 2);
    // Silent for kLaserTimeoutTicks: off. Kept on by input.
    for (std::uint32_t t = 2; t < 1 + kLaserTimeoutTicks; ++t) {
        CHECK(w.panels.laser(w.fac, ok, t) == std::nullopt);
        w.panels.step(t);
    }
    w.panels.step(1 + kLaserTimeoutTicks);
    REQUIRE(w.panels.lasers().size() == 1);
    CHECK(w.panels.lasers()[0].owner == w.fac.id);
    CHECK(w.panels.laser(w.fac, LaserCommand{}, 20) == std::nullopt); // off
    CHECK(w.panels.lasers().empty());
}

TEST_CASE("panels: a holder who leaves returns control to nobody; requests and laser go", "[sim][panels]") {
    World w;
    CHECK(w.op(w.fac, PanelOp::GrantControl, 1, 0, w.spoke.id) == std::nullopt);
    CHECK(w.op(w.spoke, PanelOp::RequestControl, 2) == std::nullopt);
    CHECK(w.panels.laser(w.spoke, LaserCommand{true, w.spoke.head, {0, 0, -1}}, 1) == std::nullopt);
    (void)w.drain();
    const std::uint64_t before = w.panels.version();
    w.panels.leave(w.spoke.id, 9);
    CHECK(w.panels.version() != before);
    CHECK_FALSE(w.panels.panels()[1].holder.valid());
    CHECK(w.panels.panels()[2].requests.empty());
    CHECK(w.panels.lasers().empty());
    const auto ev = w.drain();
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].kind == RoomEventKind::ControlReturned);
    CHECK(ev[0].target == w.spoke.id);
    CHECK(ev[0].tick == 9);
    CHECK(audited(ev[0].kind));
    // The leaver is no longer a target.
    CHECK(w.op(w.fac, PanelOp::GrantControl, 1, 0, w.spoke.id) == PanelError::NoSuchParticipant);
}

TEST_CASE("panels: each change emits one event; refusals and no-ops emit none", "[sim][panels]") {
    World w;
    w.tick = 5;
    CHECK(w.op(w.fac, PanelOp::ShowDeck) == std::nullopt);
    CHECK(w.op(w.fac, PanelOp::ShowDeck) == std::nullopt); // the same again: nothing happened
    CHECK(w.op(w.fac, PanelOp::SetSlide, 0, 1) == std::nullopt);
    CHECK(w.op(w.spoke, PanelOp::SetSlide, 0, 2) == PanelError::NotPermitted);
    CHECK(w.op(w.spoke, PanelOp::RequestControl) == std::nullopt);
    CHECK(w.op(w.fac, PanelOp::GrantControl, 0, 0, w.spoke.id) == std::nullopt);
    CHECK(w.op(w.coord, PanelOp::TakeControl) == std::nullopt);
    const auto ev = w.drain();
    REQUIRE(ev.size() == 5);
    CHECK(ev[0].kind == RoomEventKind::DeckShown);
    CHECK(ev[0].deck == hashOf(1));
    CHECK(ev[0].actor == w.fac.id);
    CHECK(ev[1].kind == RoomEventKind::SlideChanged);
    CHECK(ev[1].value == 1);
    CHECK(ev[2].kind == RoomEventKind::ControlRequested);
    CHECK(ev[3].kind == RoomEventKind::ControlGranted);
    CHECK(ev[3].target == w.spoke.id);
    CHECK(ev[4].kind == RoomEventKind::ControlTaken);
    CHECK(ev[4].target == w.spoke.id);
    for (const auto& e : ev) CHECK(e.tick == 5);
    CHECK_FALSE(audited(RoomEventKind::SlideChanged));
    CHECK(audited(RoomEventKind::DeckShown));
    CHECK(w.drain().empty());
}
