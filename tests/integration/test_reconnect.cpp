// Reconnect on a rural link: a secure ServerHost on real ENet, a spoke
// behind caseroom-netsim on the rural profile (64 kbit/s up, 128 down,
// 150 ms each way, 3 % loss), the facilitator direct. The spoke is in the
// presenter's chair with a hand raised when
//  - the link is cut for 10 s (netsim SIGUSR1): the facilitator sees them
//    "reconnecting", the hand still in the queue; the link back, the spoke
//    returns by itself to the same slot, chair and hand;
//  - the spoke's address changes (netsim SIGUSR2, a NAT rebinding): the
//    server hears nothing from the old address, the client proves the same
//    invitation from the new one, and is back in its place again.
// What each side sees is read from its own ClientSession. The figures are
// printed (WARN) and written to BENCHMARKS.md by hand.
#include <catch2/catch.hpp>

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <string>

#include "integration/process.h"
#include "temp_dir.h"
#include "integration/secure_fixture.h"

using namespace caseroom;
using namespace caseroom::session;
using namespace caseroom::testing;

namespace {

sim::SessionPlan onePlan() {
    std::vector<sim::AgendaEntry> cases(1);
    cases[0].title = "Rural case";
    cases[0].presenter = "Spoke Rural";
    cases[0].question = "Refer, or manage here?";
    sim::SessionPlan plan = sim::defaultPlan("Reconnect clinic", cases);
    plan.sessionId = 7;
    return plan;
}

const RemoteAvatar* avatarOf(const ClientSession& viewer, std::uint16_t slot) {
    for (const RemoteAvatar& a : viewer.avatars())
        if (a.slot == slot) return &a;
    return nullptr;
}

bool handUp(const ClientSession& viewer, core::EntityId who) { return viewer.clinic().handPosition(who) > 0; }

} // namespace

TEST_CASE("a spoke on a rural link is back in its chair with its hand raised after a 10 s cut and an address change",
          "[integration][reconnect]") {
    test::SecureWorld w("Reconnect teleECHO", [](ServerConfig& cfg) {
        cfg.planFor = [](std::string_view) { return std::optional<sim::SessionPlan>(onePlan()); };
        cfg.seatHoldSeconds = 45;
    });
    const TempDir tmp;
    REQUIRE(tmp.ok());
    const auto dir = tmp.path;
    Proc netsim;
    netsim.pid = spawnLogged({CASEROOM_NETSIM_EXE, "--server", "127.0.0.1:" + std::to_string(w.address.port), "--port-file",
                              (dir / "netsim.port").string(), "--stats-file", (dir / "netsim.stats").string(), "--seed", "14",
                              "--delay", "150", "--loss", "3", "--up-rate", "64", "--down-rate", "128", "--duration", "150"},
                             (dir / "netsim.log").string());
    REQUIRE(netsim.pid > 0);
    const std::string relayPort = waitForLine((dir / "netsim.port").string(), 10);
    REQUIRE_FALSE(relayPort.empty());
    const net::Address relay{"127.0.0.1", static_cast<std::uint16_t>(std::stoi(relayPort))};

    ClientSession& fac = w.join(w.mint("Dr. Facil", core::Role::Facilitator));
    const double joinAt = w.now();
    ClientSession& rural = w.join(w.mint("Spoke Rural"), &relay, [](ClientDesc& d) { d.reconnect.enabled = true; });
    double firstState = -1;
    REQUIRE(w.until(20.0, [&] {
        if (firstState < 0 && rural.selfPose()) firstState = w.now() - joinAt;
        return fac.state() == ClientState::InRoom && rural.state() == ClientState::InRoom && rural.selfPose() &&
               avatarOf(fac, rural.self().value) != nullptr;
    }));
    const std::uint16_t slot = rural.self().value;

    // The didactic (hands may go up), the spoke in the presenter's chair, hand raised.
    for (int i = 0; i < 2; ++i) fac.sendClinic(net::AgendaIntent{net::AgendaIntent::Op::Next, 0});
    net::ModerateRequest chair;
    chair.action = net::ModerateAction::BringToChair;
    chair.target = slot;
    REQUIRE(w.until(10.0, [&] { return rural.clinic().agenda().current == 2; }));
    fac.sendClinic(chair);
    REQUIRE(w.until(10.0, [&] { return rural.selfPose() && rural.selfPose()->seat == 0; }));
    rural.sendClinic(net::FloorIntent{net::FloorIntent::Op::Raise, 0});
    REQUIRE(w.until(10.0, [&] { return handUp(fac, core::EntityId{slot}) && handUp(rural, core::EntityId{slot}); }));

    auto backInPlace = [&] {
        const RemoteAvatar* seen = avatarOf(fac, slot);
        return rural.state() == ClientState::InRoom && !rural.reconnecting() && rural.self().value == slot && rural.selfPose() &&
               rural.selfPose()->seat == 0 && handUp(rural, core::EntityId{slot}) && seen && !seen->away && handUp(fac, core::EntityId{slot});
    };

    (void)rural.takeNotices(); // the join's; what follows is the reconnects'
    // 1. The link is cut for 10 s.
    REQUIRE(::kill(netsim.pid, SIGUSR1) == 0);
    const double cutAt = w.now();
    double awayAt = -1;
    REQUIRE(w.until(10.0, [&] {
        const RemoteAvatar* seen = avatarOf(fac, slot);
        if (awayAt < 0 && seen && seen->away) awayAt = w.now() - cutAt;
        return awayAt >= 0 && rural.reconnecting();
    }));
    // Held, not gone: the facilitator still sees the spoke in the chair with the hand raised.
    CHECK(handUp(fac, core::EntityId{slot}));
    CHECK(w.server->counters().seatsHeld == 1);
    w.until(std::max(0.0, cutAt + 10.0 - w.now()), [] { return false; });
    REQUIRE(::kill(netsim.pid, SIGUSR1) == 0);
    const double restoredAt = w.now();
    double backAfterCut = -1;
    const bool back1 = w.until(20.0, [&] { return backInPlace(); });
    INFO("rural: " << toString(rural.state()) << " (" << rural.statusText() << "), attempts " << rural.reconnectAttempts());
    REQUIRE(back1);
    backAfterCut = w.now() - restoredAt;
    const double cutOutage = rural.lastReconnectSeconds(); // from the client's own loss detection to back in the room
    CHECK(rural.reconnects() == 1);
    CHECK(w.server->counters().seatsReturned == 1);
    CHECK(w.server->counters().holdsExpired == 0);
    CHECK(std::any_of(w.audit.entries.begin(), w.audit.entries.end(),
                      [](const AuditEntry& e) { return e.kind == AuditKind::Joined && e.outcome == "returned to the held place"; }));

    // The state flows again after the return: the spoke stands, the facilitator sees it.
    const double moveAt = w.now();
    rural.requestStand();
    REQUIRE(w.until(10.0, [&] {
        const RemoteAvatar* seen = avatarOf(fac, slot);
        return seen && seen->hasPose && !seen->pose.seated();
    }));
    const double standSeen = w.now() - moveAt;
    fac.sendClinic(chair); // back in the chair for the next part
    REQUIRE(w.until(10.0, [&] { return rural.selfPose() && rural.selfPose()->seat == 0; }));

    // 2. The address changes under the spoke.
    REQUIRE(::kill(netsim.pid, SIGUSR2) == 0);
    const double movedAt = w.now();
    const bool back2 = w.until(30.0, [&] { return rural.reconnects() == 2 && backInPlace(); });
    // Nobody new joined meanwhile: the facilitator's ParticipantJoined on each return is no news.
    for (const std::string& n : rural.takeNotices()) {
        INFO(n);
        CHECK((n.find("joined") == std::string::npos || n.find("joined room") != std::string::npos));
    }
    INFO("rural: " << toString(rural.state()) << " (" << rural.statusText() << "), attempts " << rural.reconnectAttempts());
    REQUIRE(back2);
    const double backAfterMove = w.now() - movedAt;
    CHECK(w.server->counters().seatsReturned == 2);
    CHECK(w.server->clientCount() == 2); // the stale connection was let go

    WARN("rural join to first state " << firstState << " s; cut: seen away after " << awayAt << " s, back "
                                      << backAfterCut << " s after the link returned (" << cutOutage
                                      << " s from the client's loss detection); a stand seen in " << standSeen
                                      << " s; address change: back after " << backAfterMove << " s (" << rural.lastReconnectSeconds()
                                      << " s from the loss detection)");
    CHECK(backAfterCut < 10.0);
    CHECK(backAfterMove < 20.0);
    CHECK(netsim.stop(5) == 0);
    const std::string stats = slurp((dir / "netsim.stats").string());
    INFO(stats);
    CHECK(stats.find(" cuts=1 ") != std::string::npos);
    CHECK(stats.find(" rebinds=1") != std::string::npos);
    CHECK(stats.find("up_dropped_cut=0 ") == std::string::npos); // the cut dropped real traffic
}

TEST_CASE("a hold that runs out is a timed-out leave; a moderator may remove someone while away", "[integration][reconnect]") {
    test::SecureWorld w("Reconnect teleECHO", [](ServerConfig& cfg) {
        cfg.planFor = [](std::string_view) { return std::optional<sim::SessionPlan>(onePlan()); };
        cfg.seatHoldSeconds = 2;
    });
    ClientSession& fac = w.join(w.mint("Dr. Facil", core::Role::Facilitator));
    ClientSession& ana = w.join(w.mint("Spoke Ana"));
    ClientSession& ben = w.join(w.mint("Spoke Ben"));
    REQUIRE(w.until(5.0, [&] {
        return fac.state() == ClientState::InRoom && ana.state() == ClientState::InRoom && ben.state() == ClientState::InRoom &&
               avatarOf(fac, ana.self().value) && avatarOf(fac, ben.self().value);
    }));
    const std::uint16_t anaSlot = ana.self().value, benSlot = ben.self().value;
    // Ana's link drops (no goodbye) and she does not come back: held, then gone as timed out.
    ana.dropLink();
    REQUIRE(w.until(6.0, [&] { const RemoteAvatar* a = avatarOf(fac, anaSlot); return a && a->away; }));
    REQUIRE(w.until(6.0, [&] { return avatarOf(fac, anaSlot) == nullptr; }));
    CHECK(w.server->counters().holdsExpired == 1);
    CHECK(std::any_of(w.audit.entries.begin(), w.audit.entries.end(),
                      [](const AuditEntry& e) { return e.kind == AuditKind::Left && e.outcome == "timed out"; }));
    // Ben drops; the facilitator removes him while he is away: the hold ends as a removal, his return is refused.
    ben.dropLink();
    REQUIRE(w.until(6.0, [&] { const RemoteAvatar* a = avatarOf(fac, benSlot); return a && a->away; }));
    net::ModerateRequest rm;
    rm.action = net::ModerateAction::Remove;
    rm.target = benSlot;
    rm.reason = "left the clinic to see a patient";
    fac.sendClinic(rm);
    REQUIRE(w.until(3.0, [&] { return avatarOf(fac, benSlot) == nullptr; }));
    CHECK(w.server->counters().holdsExpired == 1);
    CHECK(std::any_of(w.audit.entries.begin(), w.audit.entries.end(),
                      [](const AuditEntry& e) { return e.kind == AuditKind::Kicked && e.what.find("while away") != std::string::npos; }));
}

TEST_CASE("a reconnect the server refuses (the invitation was withdrawn meanwhile) stops at once", "[integration][reconnect]") {
    test::SecureWorld w("Reconnect teleECHO", [](ServerConfig& cfg) { cfg.seatHoldSeconds = 30; });
    ClientSession& fac = w.join(w.mint("Dr. Facil", core::Role::Facilitator));
    // Cy is updated by hand (not by the world), so her link can go quiet.
    const net::secure::ConnectToken token = w.mint("Spoke Cy");
    auto t = net::secure::SecureTransport::createClient(token, w.random);
    REQUIRE(t);
    ClientDesc d;
    d.displayName = token.grant.displayName;
    d.role = token.grant.role;
    d.reconnect.enabled = true;
    ClientSession cy(**t, d);
    cy.connect(w.address, w.now());
    REQUIRE(w.until(5.0, [&] { return cy.state() == ClientState::InRoom && avatarOf(fac, cy.self().value); },
                    [&] { cy.update(w.now()); }));
    const std::uint16_t slot = cy.self().value;
    // Silent for longer than the server waits: held, shown away.
    REQUIRE(w.until(8.0, [&] { const RemoteAvatar* a = avatarOf(fac, slot); return a && a->away; }));
    w.revokedUsers.insert(token.grant.userId);
    // Cy wakes: her link is gone, she tries to get back, the handshake refuses her token: no more attempts.
    REQUIRE(w.until(15.0, [&] { return cy.state() == ClientState::Refused; }, [&] { cy.update(w.now()); }));
    CHECK_FALSE(cy.reconnecting());
    CHECK(cy.reconnectAttempts() == 1);
    CHECK(cy.statusText().find("join refused") != std::string::npos);
    for (int i = 0; i < 50; ++i) w.step([&] { cy.update(w.now()); });
    CHECK(cy.reconnectAttempts() == 1);
    CHECK(w.server->counters().seatsReturned == 0);
}
