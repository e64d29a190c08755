// The agenda system's rules (sim/agenda.h): no plan, Next / Previous / Goto
// and their ends, who may advance and in which phase, the ticks it records,
// and the PhaseChanged events.
#include <catch2/catch.hpp>

#include "sim/agenda.h"

using namespace caseroom;
using namespace caseroom::sim;

namespace {
ClinicActor actor(std::uint16_t slot, core::Role role, HoldingSet h = {}) {
    ClinicActor a;
    a.id = core::EntityId{slot};
    a.role = role;
    a.holding = h;
    return a;
}

SessionPlan twoCasePlan() {
    AgendaEntry c1, c2;
    c1.title = "54-year-old, genotype 3";
    c1.presenter = "Dr. Spoke";
    c1.question = "Treat now or wait?";
    c1.caseId = 71;
    c2.title = "pregnancy";
    c2.caseId = 72;
    return defaultPlan("HCV in pregnancy", {c1, c2});
}

std::vector<RoomEvent> drain(EventStream& s) {
    std::vector<RoomEvent> out;
    s.drain(out);
    return out;
}
} // namespace

TEST_CASE("agenda: without a plan the room is in the lobby and every step is NoAgenda", "[sim][agenda]") {
    EventStream events;
    AgendaSystem agenda(&events);
    const auto fac = actor(0, core::Role::Facilitator);
    CHECK(agenda.phase() == Phase::Lobby);
    CHECK_FALSE(agenda.state().hasPlan);
    CHECK(agenda.current() == nullptr);
    CHECK(agenda.apply(fac, AgendaOp::Next, 0, 5) == AgendaError::NoAgenda);
    CHECK(agenda.apply(fac, AgendaOp::Previous, 0, 5) == AgendaError::NoAgenda);
    CHECK(agenda.apply(fac, AgendaOp::Goto, 1, 5) == AgendaError::NoAgenda);
    // Permission first: a spoke is told NotPermitted, not about the plan.
    CHECK(agenda.apply(actor(1, core::Role::Spoke), AgendaOp::Next, 0, 5) == AgendaError::NotPermitted);
    CHECK(drain(events).empty());
}

TEST_CASE("agenda: next, previous and goto walk the plan and stop at its ends", "[sim][agenda]") {
    EventStream events;
    AgendaSystem agenda(&events);
    const SessionPlan plan = twoCasePlan();
    REQUIRE(plan.entries.size() == 3 + 8 + 2);
    agenda.setPlan(plan, 10);
    const auto fac = actor(0, core::Role::Facilitator);
    CHECK(agenda.state().hasPlan);
    CHECK(agenda.state().entryCount == plan.entries.size());
    CHECK(agenda.state().current == 0);
    CHECK(agenda.phase() == Phase::Lobby);
    CHECK(agenda.state().phaseStartTick == 10);
    CHECK(agenda.state().sessionStartTick == 0);

    CHECK(agenda.apply(fac, AgendaOp::Previous, 0, 11) == AgendaError::AtStart);
    CHECK(agenda.apply(fac, AgendaOp::Next, 0, 20) == std::nullopt);
    CHECK(agenda.phase() == Phase::Introductions);
    CHECK(agenda.state().phaseStartTick == 20);
    CHECK(agenda.state().sessionStartTick == 20);
    CHECK(agenda.apply(fac, AgendaOp::Next, 0, 30) == std::nullopt);
    CHECK(agenda.phase() == Phase::Didactic);
    CHECK(agenda.state().sessionStartTick == 20);  // only the first departure from the lobby
    // Back to the lobby and out again: the session started at 20, still.
    CHECK(agenda.apply(fac, AgendaOp::Goto, 0, 35) == std::nullopt);
    CHECK(agenda.phase() == Phase::Lobby);
    CHECK(agenda.apply(fac, AgendaOp::Goto, 4, 40) == std::nullopt);
    CHECK(agenda.phase() == Phase::CaseQuestions);
    CHECK(agenda.state().caseIndex == 0);
    CHECK(agenda.state().sessionStartTick == 20);
    CHECK(agenda.current()->caseId == 71);
    CHECK(agenda.apply(fac, AgendaOp::Goto, 7, 41) == std::nullopt);
    CHECK(agenda.phase() == Phase::CasePresentation);
    CHECK(agenda.state().caseIndex == 1);
    CHECK(agenda.apply(fac, AgendaOp::Goto, static_cast<std::uint32_t>(plan.entries.size()), 42) == AgendaError::BadValue);

    const std::uint64_t v = agenda.version();
    CHECK(agenda.apply(fac, AgendaOp::Goto, 7, 43) == std::nullopt);  // already there: a no-op
    CHECK(agenda.version() == v);
    CHECK(agenda.state().phaseStartTick == 41);

    const auto last = static_cast<std::uint32_t>(plan.entries.size() - 1);
    CHECK(agenda.apply(fac, AgendaOp::Goto, last, 50) == std::nullopt);
    CHECK(agenda.phase() == Phase::Ended);
    CHECK(agenda.apply(fac, AgendaOp::Next, 0, 51) == AgendaError::AtEnd);
    CHECK(agenda.apply(fac, AgendaOp::Previous, 0, 52) == std::nullopt);
    CHECK(agenda.phase() == Phase::WrapUp);

    const auto ev = drain(events);
    REQUIRE(ev.size() == 7);
    CHECK(ev[0].kind == RoomEventKind::PhaseChanged);
    CHECK(ev[0].actor == fac.id);
    CHECK(ev[0].panel == 1);
    CHECK(ev[0].value == static_cast<std::uint32_t>(Phase::Introductions));
    CHECK(ev[0].tick == 20);
    CHECK(ev[3].panel == 4);
    CHECK(ev[3].value == static_cast<std::uint32_t>(Phase::CaseQuestions));
    CHECK(ev.back().panel == last - 1);
}

TEST_CASE("agenda: only the facilitator or the acting facilitator advances", "[sim][agenda]") {
    AgendaSystem agenda(nullptr);
    agenda.setPlan(twoCasePlan(), 0);
    for (core::Role r : {core::Role::Specialist, core::Role::Coordinator, core::Role::Spoke, core::Role::Observer})
        CHECK(agenda.apply(actor(1, r), AgendaOp::Next, 0, 1) == AgendaError::NotPermitted);
    const HoldingSet acting = HoldingSet{}.with(Holding::ActingFacilitator);
    CHECK(agenda.apply(actor(1, core::Role::Specialist, acting), AgendaOp::Next, 0, 1) == std::nullopt);
    // An observer gains nothing from a holding.
    CHECK(agenda.apply(actor(2, core::Role::Observer, acting), AgendaOp::Next, 0, 2) == AgendaError::NotPermitted);
    // A floor holder does not advance.
    CHECK(agenda.apply(actor(3, core::Role::Spoke, HoldingSet{}.with(Holding::FloorHolder)), AgendaOp::Next, 0, 2) ==
          AgendaError::NotPermitted);
    // Advancing is open in every phase, Ended included (to step back).
    REQUIRE(agenda.apply(actor(0, core::Role::Facilitator), AgendaOp::Goto, agenda.state().entryCount - 1u, 3) == std::nullopt);
    REQUIRE(agenda.phase() == Phase::Ended);
    CHECK(agenda.apply(actor(0, core::Role::Facilitator), AgendaOp::Previous, 0, 4) == std::nullopt);
}

TEST_CASE("agenda: a new plan resets to its first entry and is clipped to kMaxPlanEntries", "[sim][agenda]") {
    AgendaSystem agenda(nullptr);
    agenda.setPlan(twoCasePlan(), 0);
    const auto fac = actor(0, core::Role::Facilitator);
    REQUIRE(agenda.apply(fac, AgendaOp::Goto, 5, 3) == std::nullopt);
    const std::uint64_t pv = agenda.planVersion();
    SessionPlan big;
    for (int i = 0; i < 40; ++i) big.entries.push_back(AgendaEntry{Phase::Didactic, 0, 60, "talk " + std::to_string(i), "", "", 0});
    agenda.setPlan(big, 9);
    CHECK(agenda.planVersion() != pv);
    CHECK(agenda.state().current == 0);
    CHECK(agenda.state().entryCount == kMaxPlanEntries);
    CHECK(agenda.plan().entries.size() == kMaxPlanEntries);
    // A plan that starts past the lobby has started at once.
    CHECK(agenda.phase() == Phase::Didactic);
    CHECK(agenda.state().sessionStartTick == 9);
    agenda.setPlan(SessionPlan{}, 12);
    CHECK_FALSE(agenda.state().hasPlan);
    CHECK(agenda.phase() == Phase::Lobby);
    CHECK(agenda.apply(fac, AgendaOp::Next, 0, 13) == AgendaError::NoAgenda);
}

TEST_CASE("agenda: the publisher's change marks", "[sim][agenda]") {
    AgendaSystem agenda(nullptr);
    CHECK(agenda.takeStateChange());
    CHECK(agenda.takePlanChange());
    CHECK_FALSE(agenda.takeStateChange());
    CHECK_FALSE(agenda.takePlanChange());
    agenda.setPlan(twoCasePlan(), 0);
    CHECK(agenda.takeStateChange());
    CHECK(agenda.takePlanChange());
    REQUIRE(agenda.apply(actor(0, core::Role::Facilitator), AgendaOp::Next, 0, 1) == std::nullopt);
    CHECK(agenda.takeStateChange());
    CHECK_FALSE(agenda.takePlanChange());  // the plan did not change
}
