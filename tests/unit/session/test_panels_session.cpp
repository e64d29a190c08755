// Panels through the real server core and real client sessions over the
// loopback twin (simulated time, seeded links: exact and repeatable): a slide
// change reaches every client in the snapshot of the first tick after the
// server applied it, so within one round trip and one tick; a late joiner's
// first snapshot carries the current slide, zoom and window; the laser
// reaches viewers and goes when switched off; refusals come back; the audit
// trail records control and decks.
#include <catch2/catch.hpp>

#include <cmath>
#include <map>
#include <memory>

#include "net/loopback_transport.h"
#include "session/audit_log.h"
#include "session/bot_brain.h"
#include "session/client_session.h"
#include "session/panel_wire.h"
#include "session/server_host.h"

using namespace caseroom;
using namespace caseroom::session;

namespace {
struct FakeCatalog final : sim::DeckCatalog {
    std::map<core::ContentHash, std::vector<std::uint16_t>> decks;
    std::vector<sim::OfferedDeck> offers;
    std::vector<sim::OfferedDeck> offered() const override { return offers; }
    std::optional<std::uint16_t> slideCount(const core::ContentHash& d) const override {
        const auto it = decks.find(d);
        return it == decks.end() ? std::nullopt : std::optional<std::uint16_t>(static_cast<std::uint16_t>(it->second.size()));
    }
    std::optional<std::uint16_t> frameCount(const core::ContentHash& d, std::uint16_t s) const override {
        const auto it = decks.find(d);
        if (it == decks.end() || s >= it->second.size()) return std::nullopt;
        return it->second[s];
    }
};

core::ContentHash deckHash() {
    core::ContentHash h;
    for (std::size_t i = 0; i < h.bytes.size(); ++i) h.bytes[i] = static_cast<std::uint8_t>(i + 1);
    return h;
}

constexpr double kTick = 1.0 / 30.0;
constexpr double kStep = 1.0 / 240.0;

struct World {
    FakeCatalog catalog;
    MemoryAudit audit;
    net::LoopbackNetwork net{31};
    std::unique_ptr<net::Transport> serverT = net.createHost(7777);
    std::unique_ptr<ServerHost> server;
    std::vector<std::unique_ptr<net::Transport>> clientT;
    std::vector<std::unique_ptr<ClientSession>> clients;
    double now = 0;
    std::uint32_t applyTick = 0;   // server tick before the update that applied the newest intent
    std::uint64_t applied = 0;

    World() {
        catalog.decks[deckHash()] = {1, 1, 1, 24, 1};
        catalog.offers = {sim::OfferedDeck{deckHash(), "Week 3: chest pain", 5}};
        ServerConfig cfg;
        cfg.decks = &catalog;
        cfg.audit = &audit;
        server = std::make_unique<ServerHost>(*serverT, cfg);
    }
    ClientSession& add(const std::string& name, core::Role role) {
        clientT.push_back(net.createHost());
        ClientDesc d;
        d.displayName = name;
        d.role = role;
        clients.push_back(std::make_unique<ClientSession>(*clientT.back(), d));
        clients.back()->connect(net::Address{"loop", 7777}, now);
        return *clients.back();
    }
    const sim::Room& room() const { return *server->room("demo"); }
    void step() {
        now += kStep;
        for (auto& c : clients) c->update(now);
        const std::uint32_t before = room().tick();
        server->update(now);
        if (server->counters().panelIntents != applied) {
            applied = server->counters().panelIntents;
            applyTick = before;
        }
    }
    void run(double seconds) {
        const double end = now + seconds;
        while (now < end) step();
    }
    template <typename F> bool until(double seconds, F pred) {
        const double end = now + seconds;
        while (now < end) {
            step();
            if (pred()) return true;
        }
        return false;
    }
    const sim::PanelState& truth(std::uint16_t panel) const { return server->panels("demo")->panels()[panel]; }
};

sim::PanelCommand cmd(sim::PanelOp op, std::uint16_t index = 0) {
    sim::PanelCommand c;
    c.op = op;
    c.index = index;
    c.deck = deckHash();
    return c;
}
} // namespace

TEST_CASE("every room lists the offered decks, in order, past the panels and lasers", "[session][panels]") {
    World w;
    w.catalog.offers.clear();
    for (std::uint8_t i = 0; i < kMaxOfferedDecks + 2; ++i) { // two more than a room lists
        core::ContentHash h;
        h.bytes.fill(static_cast<std::uint8_t>(i + 1));
        w.catalog.offers.push_back(sim::OfferedDeck{h, "Deck " + std::to_string(i), static_cast<std::uint16_t>(i + 1)});
    }
    w.server = std::make_unique<ServerHost>(*w.serverT, [&] {
        ServerConfig cfg;
        cfg.decks = &w.catalog;
        return cfg;
    }());
    ClientSession& c = w.add("Dr. Spoke", core::Role::Spoke);
    REQUIRE(w.until(3.0, [&] { return c.state() == ClientState::InRoom && c.stats().snapshotsApplied >= 1; }));
    REQUIRE(c.decks().size() == kMaxOfferedDecks);
    for (std::size_t i = 0; i < kMaxOfferedDecks; ++i) CHECK(c.decks()[i] == w.catalog.offers[i]);
    CHECK(c.stats().malformed == 0);
}

TEST_CASE("a slide change reaches every client within one round trip and one tick", "[session][panels]") {
    World w;
    constexpr double kOneWay = 0.040;
    w.net.setConditions({0.0, kOneWay, 0.0, 0.0, 0.0});
    ClientSession& presenter = w.add("Dr. Fac", core::Role::Facilitator);
    for (int i = 0; i < 7; ++i) w.add("Spoke " + std::to_string(i), core::Role::Spoke);
    REQUIRE(w.until(3.0, [&] {
        for (auto& c : w.clients)
            if (c->state() != ClientState::InRoom || c->stats().snapshotsApplied == 0) return false;
        return true;
    }));
    presenter.sendPanelIntent(cmd(sim::PanelOp::ShowDeck));
    REQUIRE(w.until(1.0, [&] {
        for (auto& c : w.clients)
            if (c->panels().empty() || c->panels()[0].deck != deckHash()) return false;
        return true;
    }));
    w.run(0.5); // everything acknowledged

    for (std::uint16_t slide : {std::uint16_t{1}, std::uint16_t{4}, std::uint16_t{2}}) {
        INFO("slide " << slide);
        const double sentAt = w.now;
        presenter.sendPanelIntent(cmd(sim::PanelOp::SetSlide, slide));
        std::vector<double> shownAt(w.clients.size(), -1.0);
        REQUIRE(w.until(1.0, [&] {
            bool all = true;
            for (std::size_t i = 0; i < w.clients.size(); ++i) {
                if (shownAt[i] < 0 && w.clients[i]->panels()[0].slide == slide) shownAt[i] = w.now;
                all = all && shownAt[i] >= 0;
            }
            return all;
        }));
        // In ticks: each client's change came in the snapshot of the first
        // tick after the server applied the intent (never deferred)...
        for (auto& c : w.clients) CHECK(c->panelsTick() == w.applyTick + 1);
        // ...so from the presenter's input to every client's view: one round
        // trip plus one tick (plus the test loop's two steps of granularity).
        for (double t : shownAt) CHECK(t - sentAt <= 2 * kOneWay + kTick + 2 * kStep + 1e-9);
        CHECK(w.truth(0).slide == slide);
    }
}

TEST_CASE("a late joiner sees the current slide, zoom, window and holder in its first snapshot", "[session][panels]") {
    World w;
    w.net.setConditions({0.05, 0.02, 0.01, 0.05, 0.0});
    ClientSession& fac = w.add("Dr. Fac", core::Role::Facilitator);
    ClientSession& spoke = w.add("Dr. Spoke", core::Role::Spoke);
    REQUIRE(w.until(3.0, [&] { return fac.state() == ClientState::InRoom && spoke.state() == ClientState::InRoom; }));
    fac.sendPanelIntent(cmd(sim::PanelOp::ShowDeck));
    fac.sendPanelIntent(cmd(sim::PanelOp::SetSlide, 3));
    sim::PanelCommand view = cmd(sim::PanelOp::SetView);
    view.view = sim::PanelView{0.3f, 0.6f, 2.5f};
    fac.sendPanelIntent(view);
    sim::PanelCommand window = cmd(sim::PanelOp::SetWindow);
    window.window = sim::PanelWindow{false, 40.0f, 80.0f}; // a CT brain window
    fac.sendPanelIntent(window);
    fac.sendPanelIntent(cmd(sim::PanelOp::Pause, 17));
    spoke.sendPanelIntent(cmd(sim::PanelOp::RequestControl));
    w.run(1.0);
    const sim::PanelState truth = w.truth(0);
    REQUIRE(truth.slide == 3);
    REQUIRE(truth.frame == 17);
    REQUIRE(truth.requests.size() == 1);

    ClientSession& late = w.add("Dr. Late", core::Role::Specialist);
    REQUIRE(w.until(3.0, [&] { return late.stats().snapshotsApplied >= 1; }));
    REQUIRE(late.panels().size() == w.room().layout().panels.size());
    const sim::PanelState& seen = late.panels()[0];
    CHECK(seen.deck == deckHash());
    CHECK(seen.slide == 3);
    CHECK(seen.frame == 17);
    CHECK(seen.view == truth.view);
    CHECK(seen.view.zoom == Approx(2.5f));
    CHECK(seen.window == sim::PanelWindow{false, 40.0f, 80.0f});
    CHECK(seen.requests == truth.requests);
    CHECK(seen == truth);
    for (std::size_t i = 1; i < late.panels().size(); ++i) CHECK(late.panels()[i] == sim::PanelState{});
    // The offered deck is in the same first snapshot.
    REQUIRE(late.decks().size() == 1);
    CHECK(late.decks()[0] == sim::OfferedDeck{deckHash(), "Week 3: chest pain", 5});
    // The others converge on the same state.
    CHECK(fac.panels()[0] == truth);
    CHECK(spoke.panels()[0] == truth);
}

TEST_CASE("control passes by request and grant; refusals come back; the holder's leaving returns it; all audited", "[session][panels]") {
    World w;
    ClientSession& fac = w.add("Dr. Fac", core::Role::Facilitator);
    ClientSession& spoke = w.add("Dr. Spoke", core::Role::Spoke);
    ClientSession& obs = w.add("Observer", core::Role::Observer);
    REQUIRE(w.until(3.0, [&] {
        return fac.state() == ClientState::InRoom && spoke.state() == ClientState::InRoom && obs.state() == ClientState::InRoom;
    }));
    fac.sendPanelIntent(cmd(sim::PanelOp::ShowDeck));
    spoke.sendPanelIntent(cmd(sim::PanelOp::SetSlide, 1)); // not the holder
    obs.sendPanelIntent(cmd(sim::PanelOp::RequestControl));
    w.run(0.5);
    CHECK(spoke.stats().refusals == 1);
    CHECK(obs.stats().refusals == 1);
    CHECK(w.truth(0).slide == 0);
    bool sawRefusal = false;
    for (const auto& n : spoke.takeNotices()) sawRefusal = sawRefusal || n.find("panel refused: not permitted") != std::string::npos;
    CHECK(sawRefusal);

    spoke.sendPanelIntent(cmd(sim::PanelOp::RequestControl));
    REQUIRE(w.until(1.0, [&] { return fac.panels()[0].requests.size() == 1; }));
    sim::PanelCommand grant = cmd(sim::PanelOp::GrantControl);
    grant.target = fac.panels()[0].requests[0];
    CHECK(grant.target == spoke.self());
    fac.sendPanelIntent(grant);
    REQUIRE(w.until(1.0, [&] { return spoke.panels()[0].holder == spoke.self(); }));
    spoke.sendPanelIntent(cmd(sim::PanelOp::SetSlide, 2));
    REQUIRE(w.until(1.0, [&] { return fac.panels()[0].slide == 2 && obs.panels()[0].slide == 2; }));
    CHECK(fac.panels()[0].requests.empty());

    spoke.leave();
    REQUIRE(w.until(2.0, [&] { return !fac.panels()[0].holder.valid(); }));
    std::vector<std::string> audited;
    for (const auto& r : w.audit.entries)
        if (r.kind == AuditKind::PanelControl) audited.push_back(r.what);
    REQUIRE(audited.size() == 3);
    CHECK(audited[0].find("deck shown on panel 0: deck " + deckHash().hex()) == 0);
    CHECK(audited[1].find("control granted on panel 0, participant") == 0);
    CHECK(audited[2].find("control returned on panel 0") == 0);
    // The observer's refused request is audited as a refusal.
    bool refusedAudited = false;
    for (const auto& r : w.audit.entries)
        refusedAudited = refusedAudited || (r.kind == AuditKind::IntentRefused && r.what.find("request control") != std::string::npos);
    CHECK(refusedAudited);
}

TEST_CASE("the laser reaches every viewer at tick rate and goes when switched off or its owner leaves", "[session][panels]") {
    World w;
    w.net.setConditions({0.1, 0.03, 0.01, 0.05, 0.0});
    ClientSession& spec = w.add("Dr. Spec", core::Role::Specialist);
    ClientSession& a = w.add("Dr. A", core::Role::Spoke);
    ClientSession& b = w.add("Dr. B", core::Role::Spoke);
    REQUIRE(w.until(3.0, [&] {
        return spec.selfPose() && a.state() == ClientState::InRoom && b.state() == ClientState::InRoom;
    }));
    const glm::vec3 head = spec.selfPose()->headPosition();
    const glm::vec3 dir = glm::vec3(0.0f, 0.0f, -1.0f);
    spec.setLaser(sim::LaserCommand{true, head, dir});
    REQUIRE(w.until(1.0, [&] { return a.lasers().size() == 1 && b.lasers().size() == 1; }));
    CHECK(a.lasers()[0].owner == spec.self());
    CHECK(std::abs(a.lasers()[0].origin.x - head.x) <= 0.0006f);
    CHECK(std::abs(a.lasers()[0].origin.z - head.z) <= 0.0006f);
    CHECK(a.lasers()[0].direction.z == Approx(-1.0f));
    // Moving the pointer: every viewer follows.
    const glm::vec3 dir2 = glm::vec3(0.6f, 0.0f, -0.8f);
    spec.setLaser(sim::LaserCommand{true, head, dir2});
    REQUIRE(w.until(1.0, [&] {
        return !b.lasers().empty() && std::abs(b.lasers()[0].direction.x - 0.6f) < 1e-3f && !a.lasers().empty() &&
               std::abs(a.lasers()[0].direction.x - 0.6f) < 1e-3f;
    }));
    spec.setLaser(sim::LaserCommand{});
    REQUIRE(w.until(2.0, [&] { return a.lasers().empty() && b.lasers().empty(); }));
    // A spoke's laser is refused (not the presenter) and reaches nobody.
    a.setLaser(sim::LaserCommand{true, a.selfPose()->headPosition(), dir});
    w.run(0.5);
    CHECK(b.lasers().empty());
    CHECK(w.server->counters().laserRefused > 0);
    a.setLaser(sim::LaserCommand{});
    // Back on, then the owner leaves: gone for everyone.
    spec.setLaser(sim::LaserCommand{true, head, dir});
    REQUIRE(w.until(1.0, [&] { return a.lasers().size() == 1; }));
    spec.leave();
    REQUIRE(w.until(2.0, [&] { return a.lasers().empty() && b.lasers().empty(); }));
    CHECK(a.stats().malformed == 0);
}

TEST_CASE("a facilitator bot with a slide show shows the deck and steps slides on its timer", "[session][panels][bots]") {
    World w;
    ClientSession& bot = w.add("Facilitator bot", core::Role::Facilitator);
    ClientSession& viewer = w.add("Viewer", core::Role::Spoke);
    BotBrain brain(7, false);
    brain.presentSlides(SlideShow{deckHash(), 5, 0, 2.0});
    std::vector<std::uint16_t> seen;
    for (int i = 0; i < 240 * 13; ++i) { // 13 s
        w.step();
        brain.think(bot, w.now);
        const auto p = viewer.panels();
        if (!p.empty() && p[0].deck == deckHash() && (seen.empty() || seen.back() != p[0].slide)) seen.push_back(p[0].slide);
    }
    // Shown at about 0 s, then one step every 2 s: slides 0..4, then back to 0.
    REQUIRE(seen.size() >= 6);
    for (std::size_t i = 0; i < 6; ++i) CHECK(seen[i] == i % 5);
    CHECK(bot.stats().refusals == 0);
}

TEST_CASE("a window/level drag at mouse rate is coalesced to 10 intents a second, the last value wins, order kept", "[session][panels]") {
    World w;
    ClientSession& fac = w.add("Dr. Fac", core::Role::Facilitator);
    ClientSession& viewer = w.add("Viewer", core::Role::Spoke);
    REQUIRE(w.until(3.0, [&] { return fac.state() == ClientState::InRoom && viewer.state() == ClientState::InRoom; }));
    fac.sendPanelIntent(cmd(sim::PanelOp::ShowDeck));
    w.run(0.5);
    const std::uint64_t before = fac.stats().panelIntentsSent;
    sim::PanelCommand drag = cmd(sim::PanelOp::SetWindow);
    for (int i = 0; i < 120; ++i) { // 1 s of a 120 Hz mouse
        drag.window = sim::PanelWindow{false, static_cast<float>(i), 400.0f + static_cast<float>(i)};
        fac.sendPanelIntent(drag);
        w.run(1.0 / 120.0);
    }
    const std::uint64_t sent = fac.stats().panelIntentsSent - before;
    CHECK(sent >= 9);
    CHECK(sent <= 12);
    w.run(0.5);
    CHECK(viewer.panels()[0].window == sim::PanelWindow{false, 119.0f, 519.0f});
    // A pending drag value goes before a later intent: the slide change does not overtake it.
    drag.window = sim::PanelWindow{false, -5.0f, 50.0f};
    fac.sendPanelIntent(drag);
    fac.sendPanelIntent(cmd(sim::PanelOp::SetSlide, 1));
    fac.sendPanelIntent(cmd(sim::PanelOp::DefaultWindow));
    w.run(0.5);
    CHECK(viewer.panels()[0].slide == 1);
    CHECK(viewer.panels()[0].window == sim::PanelWindow{});
    CHECK(fac.stats().refusals == 0);
}
