// Every role x teaching-round action x phase through the real server core
// (loopback twin, simulated time): the server applies the one permissions
// table to each intent. Where sim::check says no, the sender gets
// IntentRefused with that reason (NotPermitted or WrongPhase) and the audit
// trail gets a row naming them; where it says yes, no permission refusal
// comes back (a state refusal, e.g. an empty text, may). The table itself is
// checked cell by cell against docs/PERMISSIONS.md in tests/unit/sim.
#include <catch2/catch.hpp>

#include <algorithm>
#include <memory>
#include <string>

#include "net/loopback_transport.h"
#include "session/client_session.h"
#include "session/clinic_wire.h"
#include "session/server_host.h"
#include "sim/clinic_state.h"

using namespace caseroom;
using namespace caseroom::session;

namespace {
sim::SessionPlan onePlan() {
    std::vector<sim::AgendaEntry> cases(1);
    cases[0].title = "Case for the table";
    return sim::defaultPlan("Table", cases);
}

struct World {
    MemoryAudit audit;
    net::LoopbackNetwork net{11};
    std::unique_ptr<net::Transport> serverT = net.createHost(7777);
    ServerHost server{*serverT, [this] {
                          ServerConfig c;
                          c.audit = &audit;
                          c.planFor = [](std::string_view) { return std::optional<sim::SessionPlan>(onePlan()); };
                          return c;
                      }()};
    std::vector<std::unique_ptr<net::Transport>> clientT;
    std::vector<std::unique_ptr<ClientSession>> clients;
    double now = 0;

    ClientSession& add(const std::string& name, core::Role role) {
        clientT.push_back(net.createHost());
        ClientDesc d;
        d.displayName = name;
        d.roomCode = "demo";
        d.role = role;
        clients.push_back(std::make_unique<ClientSession>(*clientT.back(), d));
        clients.back()->connect(net::Address{"loop", 7777}, now);
        return *clients.back();
    }
    void run(double seconds) {
        const double end = now + seconds;
        while (now < end) {
            now += 1.0 / 60.0;
            for (auto& c : clients) c->update(now);
            server.update(now);
        }
    }
};

// One representative intent per action, chosen so that carrying it out
// changes nothing that matters to the next cell (empty texts, absent targets).
struct Probe {
    sim::Action action;
    net::IntentKind kind;
    std::function<void(ClientSession&, core::EntityId observer, std::uint8_t entry)> send;
};

std::vector<Probe> probes() {
    auto mod = [](net::ModerateAction a, std::uint16_t target) {
        net::ModerateRequest m;
        m.action = a;
        m.target = target;
        return m;
    };
    return {
        {sim::Action::AdvanceAgenda, net::IntentKind::Agenda,
         [](ClientSession& c, core::EntityId, std::uint8_t entry) { c.sendClinic(net::AgendaIntent{net::AgendaIntent::Op::Goto, entry}); }},
        {sim::Action::RaiseHand, net::IntentKind::Floor,
         [](ClientSession& c, core::EntityId, std::uint8_t) { c.sendClinic(net::FloorIntent{net::FloorIntent::Op::Lower, 0}); }},
        {sim::Action::RunFloor, net::IntentKind::Floor,
         [](ClientSession& c, core::EntityId obs, std::uint8_t) { c.sendClinic(net::FloorIntent{net::FloorIntent::Op::Dismiss, obs.value}); }},
        {sim::Action::Moderate, net::IntentKind::Moderate,
         [mod](ClientSession& c, core::EntityId obs, std::uint8_t) { c.sendClinic(mod(net::ModerateAction::Unmute, obs.value)); }},
        {sim::Action::MuteAll, net::IntentKind::Moderate,
         [mod](ClientSession& c, core::EntityId, std::uint8_t) { c.sendClinic(mod(net::ModerateAction::UnmuteAll, 0)); }},
        {sim::Action::LockRoom, net::IntentKind::Moderate,
         [mod](ClientSession& c, core::EntityId, std::uint8_t) { c.sendClinic(mod(net::ModerateAction::Unlock, 0)); }},
        {sim::Action::RemoveParticipant, net::IntentKind::Moderate,
         [mod](ClientSession& c, core::EntityId obs, std::uint8_t) { c.sendClinic(mod(net::ModerateAction::Remove, obs.value)); }}, // no reason: never carried out
        {sim::Action::BringToChair, net::IntentKind::Moderate,
         [mod](ClientSession& c, core::EntityId, std::uint8_t) { c.sendClinic(mod(net::ModerateAction::BringToChair, 900)); }},
        {sim::Action::HandFacilitation, net::IntentKind::Moderate,
         [mod](ClientSession& c, core::EntityId obs, std::uint8_t) { c.sendClinic(mod(net::ModerateAction::NameCoFacilitator, obs.value)); }},
        {sim::Action::Recommend, net::IntentKind::Board,
         [](ClientSession& c, core::EntityId, std::uint8_t) { c.sendClinic(net::BoardIntent{net::BoardIntent::Op::Post, 0, 1, ""}); }},
        {sim::Action::WriteSummary, net::IntentKind::Board,
         [](ClientSession& c, core::EntityId, std::uint8_t) { c.sendClinic(net::BoardIntent{net::BoardIntent::Op::Summary, 0, 2, ""}); }},
        {sim::Action::Chat, net::IntentKind::Chat,
         [](ClientSession& c, core::EntityId, std::uint8_t) { c.sendClinic(net::ChatIntent{net::ChatIntent::Op::Say, 3, 0, ""}); }},
        {sim::Action::AskQuestion, net::IntentKind::Chat,
         [](ClientSession& c, core::EntityId, std::uint8_t) { c.sendClinic(net::ChatIntent{net::ChatIntent::Op::Ask, 4, 0, ""}); }},
    };
}

std::size_t refusalRows(const MemoryAudit& audit, const std::string& who) {
    return static_cast<std::size_t>(std::count_if(audit.entries.begin(), audit.entries.end(), [&](const AuditEntry& e) {
        return e.kind == AuditKind::IntentRefused && e.who == who;
    }));
}
} // namespace

TEST_CASE("every role x round action x phase: the server answers as the table says, and audits each refusal", "[session][round][permissions]") {
    World w;
    const char* names[] = {"Facilitator Fay", "Specialist Sol", "Coordinator Cam", "Spoke Sue", "Observer Oz"};
    std::vector<ClientSession*> byRole;
    for (std::uint8_t r = 0; r < static_cast<std::uint8_t>(core::Role::Count); ++r)
        byRole.push_back(&w.add(names[r], static_cast<core::Role>(r)));
    w.run(1.0);
    for (auto* c : byRole) REQUIRE(c->state() == ClientState::InRoom);
    ClientSession& fac = *byRole[0];
    const core::EntityId observer = byRole[static_cast<std::size_t>(core::Role::Observer)]->self();
    const sim::SessionPlan plan = onePlan();
    std::size_t cells = 0, denied = 0;
    for (std::uint8_t entry = 0; entry < plan.entries.size(); ++entry) {
        fac.sendClinic(net::AgendaIntent{net::AgendaIntent::Op::Goto, entry});
        w.run(0.3);
        const sim::Phase phase = plan.entries[entry].phase;
        REQUIRE(fac.clinic().agenda().current == entry);
        for (const Probe& p : probes()) {
            std::vector<std::uint64_t> before;
            std::vector<std::size_t> rows;
            for (std::size_t r = 0; r < byRole.size(); ++r) {
                before.push_back(byRole[r]->stats().refusals);
                rows.push_back(refusalRows(w.audit, names[r]));
                p.send(*byRole[r], observer, entry);
            }
            w.run(1.1); // past the audit's per-person rate (1 a second after a burst of 10)
            for (std::size_t r = 0; r < byRole.size(); ++r) {
                const auto role = static_cast<core::Role>(r);
                ClientSession& c = *byRole[r];
                const auto denial = sim::check(role, {}, p.action, phase);
                INFO(names[r] << " / " << sim::toString(p.action) << " / " << sim::toString(phase));
                ++cells;
                const bool answered = c.stats().refusals > before[r];
                const net::IntentRefused last = c.lastRefusal();
                if (denial) {
                    ++denied;
                    REQUIRE(answered);
                    CHECK(last.intent == p.kind);
                    CHECK(last.reason == toWire(*denial));
                    CHECK(refusalRows(w.audit, names[r]) > rows[r]);
                } else if (answered) { // refused for the state (an empty text, nobody there), not by the table
                    CHECK(last.reason != net::RefusalReason::NotPermitted);
                    CHECK(last.reason != net::RefusalReason::WrongPhase);
                }
            }
        }
    }
    CHECK(cells == plan.entries.size() * probes().size() * byRole.size());
    CHECK(denied > cells / 3); // the table says no more often than yes: the test would see a server that never refuses
}
