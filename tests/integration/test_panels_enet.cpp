// Panels through the product's real transport: a secure server core and
// secure clients over ENet on 127.0.0.1. Real sockets run on the wall clock,
// so nothing here asserts a duration: the slide change is checked in ticks
// (every client's change arrives in the snapshot of the first server tick
// after the server applied the intent: one tick, the rest is the network's
// round trip), and each wait is a generous bound on an eventual state.
#include <catch2/catch.hpp>

#include <map>

#include "integration/secure_fixture.h"

using namespace caseroom;
using namespace caseroom::session;

namespace {
struct OneDeck final : sim::DeckCatalog {
    core::ContentHash deck;
    std::optional<std::uint16_t> slideCount(const core::ContentHash& d) const override {
        return d == deck ? std::optional<std::uint16_t>(6) : std::nullopt;
    }
    std::optional<std::uint16_t> frameCount(const core::ContentHash& d, std::uint16_t s) const override {
        return d == deck && s < 6 ? std::optional<std::uint16_t>(s == 5 ? 30 : 1) : std::nullopt;
    }
};

constexpr double kPatience = 30.0;

// The secure world with a server that knows one deck, and a step loop that
// notes the server tick before the update that applied the newest intent.
struct PanelWorld {
    OneDeck catalog;
    test::SecureWorld w;
    std::uint32_t applyTick = 0;
    std::uint64_t applied = 0;

    PanelWorld() {
        for (std::size_t i = 0; i < catalog.deck.bytes.size(); ++i) catalog.deck.bytes[i] = static_cast<std::uint8_t>(0xA0 + i);
        ServerConfig cfg;
        sim::RoomSpec spec;
        spec.name = "Demo teleECHO clinic";
        cfg.rooms = {spec};
        cfg.audit = &w.audit;
        cfg.decks = &catalog;
        w.server = std::make_unique<ServerHost>(*w.serverT, cfg); // before anyone joins
    }
    void step() {
        const double t = w.now();
        for (auto& c : w.clients) c->update(t);
        const std::uint32_t before = w.server->room("demo")->tick();
        w.server->update(t);
        if (w.server->counters().panelIntents != applied) {
            applied = w.server->counters().panelIntents;
            applyTick = before;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    template <typename F> bool until(double seconds, F pred) {
        const double end = w.now() + seconds;
        while (w.now() < end) {
            step();
            if (pred()) return true;
        }
        return false;
    }
    const sim::PanelState& truth() const { return w.server->panels("demo")->panels()[0]; }
    sim::PanelCommand cmd(sim::PanelOp op, std::uint16_t index = 0) const {
        sim::PanelCommand c;
        c.op = op;
        c.index = index;
        c.deck = catalog.deck;
        return c;
    }
};
} // namespace

TEST_CASE("over secure ENet a slide change reaches every client in the first tick after the server has it; a late joiner sees slide, zoom and window",
          "[integration][enet][secure][panels]") {
    PanelWorld p;
    ClientSession& fac = p.w.join(p.w.mint("Dr. Fac", core::Role::Facilitator));
    for (int i = 0; i < 4; ++i) (void)p.w.join(p.w.mint("Spoke " + std::to_string(i)));
    REQUIRE(p.until(kPatience, [&] {
        for (auto& c : p.w.clients)
            if (c->state() != ClientState::InRoom || c->stats().snapshotsApplied == 0) return false;
        return true;
    }));
    fac.sendPanelIntent(p.cmd(sim::PanelOp::ShowDeck));
    REQUIRE(p.until(kPatience, [&] {
        for (auto& c : p.w.clients)
            if (c->panels().empty() || c->panels()[0].deck != p.catalog.deck) return false;
        return true;
    }));
    for (std::uint16_t slide : {std::uint16_t{2}, std::uint16_t{5}}) {
        INFO("slide " << slide);
        fac.sendPanelIntent(p.cmd(sim::PanelOp::SetSlide, slide));
        REQUIRE(p.until(kPatience, [&] {
            for (auto& c : p.w.clients)
                if (c->panels()[0].slide != slide) return false;
            return true;
        }));
        // Carried by the snapshot of the first tick after the server applied
        // it. Snapshots are unreliable: ENet's throttle on a loaded machine
        // may drop one, and the next carries the change, so a few ticks of
        // slack here; the exact bound is the loopback twin's test
        // (test_panels_session.cpp), which controls loss.
        for (auto& c : p.w.clients) {
            CHECK(c->panelsTick() >= p.applyTick + 1);
            CHECK(c->panelsTick() <= p.applyTick + 1 + 3);
        }
    }
    sim::PanelCommand view = p.cmd(sim::PanelOp::SetView);
    view.view = sim::PanelView{0.4f, 0.45f, 3.0f};
    fac.sendPanelIntent(view);
    sim::PanelCommand window = p.cmd(sim::PanelOp::SetWindow);
    window.window = sim::PanelWindow{false, -600.0f, 1500.0f}; // a lung window
    fac.sendPanelIntent(window);
    REQUIRE(p.until(kPatience, [&] { return p.truth().window.centre == -600.0f && p.truth().view.zoom == 3.0f; }));

    ClientSession& late = p.w.join(p.w.mint("Dr. Late", core::Role::Specialist));
    REQUIRE(p.until(kPatience, [&] { return late.stats().snapshotsApplied >= 1; }));
    REQUIRE(!late.panels().empty());
    CHECK(late.panels()[0] == p.truth());
    CHECK(late.panels()[0].slide == 5);
    CHECK(late.panels()[0].view == sim::PanelView{0.4f, 0.45f, 3.0f});
    CHECK(late.panels()[0].window == sim::PanelWindow{false, -600.0f, 1500.0f});
    CHECK(p.w.server->counters().malformed == 0);
}

TEST_CASE("over secure ENet the presenter's laser reaches the viewers and goes when switched off", "[integration][enet][secure][panels]") {
    PanelWorld p;
    ClientSession& fac = p.w.join(p.w.mint("Dr. Fac", core::Role::Facilitator));
    ClientSession& a = p.w.join(p.w.mint("Dr. A"));
    ClientSession& b = p.w.join(p.w.mint("Dr. B"));
    REQUIRE(p.until(kPatience, [&] { return fac.selfPose() && a.state() == ClientState::InRoom && b.state() == ClientState::InRoom; }));
    const glm::vec3 head = fac.selfPose()->headPosition();
    fac.setLaser(sim::LaserCommand{true, head + glm::vec3(0.3f, -0.3f, 0.0f), glm::vec3(0.0f, 0.0f, -1.0f)});
    REQUIRE(p.until(kPatience, [&] { return a.lasers().size() == 1 && b.lasers().size() == 1; }));
    CHECK(a.lasers()[0].owner == fac.self());
    CHECK(b.lasers()[0].direction.z == Approx(-1.0f));
    fac.setLaser(sim::LaserCommand{});
    REQUIRE(p.until(kPatience, [&] { return a.lasers().empty() && b.lasers().empty(); }));
    CHECK(p.w.server->counters().laserRefused == 0);
}
