// RoundHost (session/round_host.h): intents routed to the agenda, floor and
// moderation systems, refusals as the client reads them, the published room
// objects decoded with the clinic_wire decoders (what a late joiner's first
// snapshot carries), voice gating, the facilitator's grace in ticks, and a
// sample of permission cells through the host.
#include <catch2/catch.hpp>

#include <functional>

#include "session/clinic_wire.h"
#include "session/round_host.h"
#include "sim/agenda.h"
#include "sim/floor.h"
#include "sim/moderation.h"

using namespace caseroom;
using namespace caseroom::session;
using net::RefusalReason;
using sim::Phase;

namespace {
constexpr double kTickRate = 30.0;

sim::ClinicActor actor(std::uint16_t slot, core::Role role, std::uint64_t user) {
    sim::ClinicActor a;
    a.id = core::EntityId{slot};
    a.role = role;
    a.userId = user;
    a.name = std::string(core::toString(role)) + " " + std::to_string(slot);
    return a;
}

sim::SessionPlan plan() {
    sim::AgendaEntry c1;
    c1.title = "54-year-old, genotype 3";
    c1.presenter = "Dr. Spoke";
    c1.question = "Treat now or wait?";
    c1.caseId = 71;
    sim::SessionPlan p = sim::defaultPlan("HCV in pregnancy", {c1});
    p.statements.push_back({sim::StatementKind::Confidentiality, "Confidentiality", "What is said here stays here."});
    p.statements.push_back({sim::StatementKind::Disclosure, "Dr. Hub", "No financial relationships."});
    return p;
}
// Plan entries: 0 lobby, 1 introductions, 2 didactic, 3..6 case 1, 7 wrap-up, 8 ended.
constexpr std::uint32_t kDidactic = 2, kPresentation = 3, kQuestions = 4, kEnded = 8;

struct Room {
    sim::EventStream events;
    RoundHost round{&events, kTickRate, RoundConfig{2.0}};  // a 2 s grace: 60 ticks
    net::ObjectTable objects;
    sim::ClinicActor fac = actor(0, core::Role::Facilitator, 100);
    sim::ClinicActor spec = actor(1, core::Role::Specialist, 101);
    sim::ClinicActor coord = actor(2, core::Role::Coordinator, 102);
    sim::ClinicActor spoke = actor(3, core::Role::Spoke, 103);
    sim::ClinicActor spoke2 = actor(4, core::Role::Spoke, 104);
    sim::ClinicActor obs = actor(5, core::Role::Observer, 105);
    std::uint32_t tick = 1;
    explicit Room(bool withPlan = true) {
        if (withPlan) round.setPlan(plan(), 0);
        for (const sim::ClinicActor* a : {&fac, &spec, &coord, &spoke, &spoke2, &obs}) round.join(*a, 0);
        step();
    }
    void step() { round.tick(tick++, objects); }
    std::optional<RefusalReason> agenda(const sim::ClinicActor& who, net::AgendaIntent::Op op, std::uint32_t index = 0) {
        net::AgendaIntent m;
        m.op = op;
        m.index = index;
        return round.onIntent(who, m, tick);
    }
    std::optional<RefusalReason> go(std::uint32_t index) { return agenda(fac, net::AgendaIntent::Op::Goto, index); }
    std::optional<RefusalReason> floorOp(const sim::ClinicActor& who, net::FloorIntent::Op op, core::EntityId target = {}) {
        net::FloorIntent m;
        m.op = op;
        m.target = target.valid() ? target.value : 0;
        return round.onIntent(who, m, tick);
    }
    RoundHost::Moderated moderate(const sim::ClinicActor& who, net::ModerateAction a, core::EntityId target = {}, bool flag = false,
                                  std::string reason = {}) {
        net::ModerateRequest m;
        m.action = a;
        m.target = target.valid() ? target.value : 0;
        m.flag = flag;
        m.reason = std::move(reason);
        return round.onModerate(who, m, tick);
    }
    template <typename T, typename Decode>
    std::optional<T> object(net::ObjectKind kind, std::uint16_t id, Decode decode) const {
        const net::ObjectBytes* b = objects.find({kind, id});
        if (!b) return std::nullopt;
        return decode(b->view());
    }
    std::optional<sim::AgendaState> agendaObject() const { return object<sim::AgendaState>(net::ObjectKind::Agenda, 0, decodeAgenda); }
    std::optional<sim::QueueState> queueObject() const {
        return object<sim::QueueState>(net::ObjectKind::Queue, sim::kHandsQueue, decodeQueue);
    }
    std::optional<sim::ModerationState> moderationObject() const {
        return object<sim::ModerationState>(net::ObjectKind::Moderation, 0, decodeModeration);
    }
    std::uint32_t version(net::ObjectKey key) const {
        for (std::uint32_t s = 0; s < objects.slotCount(); ++s)
            if (objects.current(s).instance != 0 && objects.key(s) == key) return objects.current(s).version;
        return 0;
    }
    std::vector<sim::RoomEvent> drain() {
        std::vector<sim::RoomEvent> out;
        events.drain(out);
        return out;
    }
};
using Slots = std::vector<std::uint16_t>;
using AOp = net::AgendaIntent::Op;
using FOp = net::FloorIntent::Op;
using MA = net::ModerateAction;
} // namespace

TEST_CASE("round host: the plan's objects are published and decode back", "[session][round]") {
    Room r;
    const auto a = r.agendaObject();
    REQUIRE(a);
    CHECK(a->hasPlan);
    CHECK(a->entryCount == 9);
    CHECK(a->phase == Phase::Lobby);
    const sim::SessionPlan p = plan();
    for (std::uint16_t i = 0; i < p.entries.size(); ++i) {
        const auto e = r.object<sim::AgendaEntry>(net::ObjectKind::AgendaEntry, i, decodeAgendaEntry);
        REQUIRE(e);
        sim::AgendaEntry want = p.entries[i];
        want.caseId = 0;  // server side only
        CHECK(*e == want);
    }
    CHECK(r.objects.find({net::ObjectKind::AgendaEntry, 9}) == nullptr);
    for (std::uint16_t i = 0; i < 2; ++i) {
        const auto s = r.object<sim::Statement>(net::ObjectKind::Statement, i, decodeStatement);
        REQUIRE(s);
        CHECK(*s == p.statements[i]);
    }
    const auto q = r.queueObject();
    REQUIRE(q);
    CHECK(q->entries.empty());
    const auto m = r.moderationObject();
    REQUIRE(m);
    CHECK(m->facilitator == r.fac.id);
    CHECK(r.round.publishFailures() == 0);

    // A quiet tick publishes nothing new.
    const auto v = r.version({net::ObjectKind::Agenda, 0});
    r.step();
    CHECK(r.version({net::ObjectKind::Agenda, 0}) == v);

    // A shorter plan removes the entries and statements past its end.
    sim::SessionPlan shorter;
    shorter.entries = {p.entries[0], p.entries[1], p.entries.back()};
    r.round.setPlan(shorter, r.tick);
    r.step();
    CHECK(r.agendaObject()->entryCount == 3);
    CHECK(r.object<sim::AgendaEntry>(net::ObjectKind::AgendaEntry, 2, decodeAgendaEntry)->phase == Phase::Ended);
    CHECK(r.objects.find({net::ObjectKind::AgendaEntry, 3}) == nullptr);
    CHECK(r.objects.find({net::ObjectKind::AgendaEntry, 8}) == nullptr);
    CHECK(r.objects.find({net::ObjectKind::Statement, 0}) == nullptr);
}

TEST_CASE("round host: without a plan the agenda is refused NoAgenda and the room is in the lobby", "[session][round]") {
    Room r(false);
    const auto a = r.agendaObject();
    REQUIRE(a);
    CHECK_FALSE(a->hasPlan);
    CHECK(r.round.phase() == Phase::Lobby);
    CHECK(r.agenda(r.fac, AOp::Next) == RefusalReason::NoAgenda);
    CHECK(r.agenda(r.spoke, AOp::Next) == RefusalReason::NotPermitted);
    CHECK_FALSE(r.round.view().hasPlan);
    CHECK(r.floorOp(r.spoke, FOp::Raise) == std::nullopt);  // hands work without an agenda
}

TEST_CASE("round host: advancing the agenda, the view and the ends", "[session][round]") {
    Room r;
    CHECK(r.agenda(r.fac, AOp::Previous) == RefusalReason::AtStart);
    r.tick = 50;
    CHECK(r.agenda(r.fac, AOp::Next) == std::nullopt);
    r.step();
    auto a = r.agendaObject();
    REQUIRE(a);
    CHECK(a->phase == Phase::Introductions);
    CHECK(a->current == 1);
    CHECK(a->phaseStartTick == 50);
    CHECK(a->sessionStartTick == 50);
    CHECK(r.go(kQuestions) == std::nullopt);
    const sim::RoundView v = r.round.view();
    CHECK(v.hasPlan);
    CHECK(v.phase == Phase::CaseQuestions);
    CHECK(v.caseIndex == 0);
    CHECK(v.caseId == 71);
    CHECK(r.go(kEnded) == std::nullopt);
    CHECK(r.agenda(r.fac, AOp::Next) == RefusalReason::AtEnd);
    CHECK(r.round.view().caseId == 0);
    CHECK(r.go(9) == RefusalReason::BadValue);
    const auto ev = r.drain();
    REQUIRE(ev.size() == 3);
    CHECK(ev[0].kind == sim::RoomEventKind::PhaseChanged);
    CHECK(ev[2].value == static_cast<std::uint32_t>(Phase::Ended));
}

TEST_CASE("round host: hands, the floor and the published queue and moderation", "[session][round]") {
    Room r;
    REQUIRE(r.go(kQuestions) == std::nullopt);
    r.tick = 100;
    CHECK(r.floorOp(r.spoke, FOp::Raise) == std::nullopt);
    r.tick = 105;
    CHECK(r.floorOp(r.spec, FOp::Raise) == std::nullopt);
    r.step();
    auto q = r.queueObject();
    REQUIRE(q);
    REQUIRE(q->entries.size() == 2);
    CHECK(q->entries[0].who == r.spoke.id);
    CHECK(q->entries[0].sinceTick == 100);
    CHECK(q->entries[1].who == r.spec.id);

    CHECK(r.floorOp(r.spec, FOp::CallNext) == RefusalReason::NotPermitted);
    r.tick = 120;
    CHECK(r.floorOp(r.fac, FOp::CallNext) == std::nullopt);
    r.step();
    q = r.queueObject();
    REQUIRE(q->entries.size() == 1);
    auto m = r.moderationObject();
    REQUIRE(m);
    CHECK(m->floor == r.spoke.id);
    CHECK(m->floorSinceTick == 120);
    CHECK(r.round.roomWide(r.spoke.id));
    CHECK_FALSE(r.round.roomWide(r.spec.id));
    CHECK(r.round.holding(r.spoke.id).has(sim::Holding::FloorHolder));

    // A phase change ends the floor.
    CHECK(r.agenda(r.fac, AOp::Next) == std::nullopt);
    r.step();
    CHECK_FALSE(r.moderationObject()->floor.valid());
    CHECK_FALSE(r.round.roomWide(r.spoke.id));

    CHECK(r.floorOp(r.fac, FOp::Release) == RefusalReason::NoFloor);
    CHECK(r.floorOp(r.fac, FOp::Give, core::EntityId{200}) == RefusalReason::NoSuchParticipant);
    CHECK(r.floorOp(r.fac, FOp::Give, r.obs.id) == RefusalReason::NotPermitted);
    CHECK(r.floorOp(r.fac, FOp::Dismiss, r.spoke2.id) == RefusalReason::NotInQueue);
    CHECK(r.floorOp(r.spoke2, FOp::Lower) == RefusalReason::NotInQueue);
    CHECK(r.floorOp(r.fac, FOp::Give, r.spoke2.id) == std::nullopt);
    CHECK(r.floorOp(r.spoke2, FOp::Release) == std::nullopt);
    CHECK(r.floorOp(r.fac, FOp::Give, r.spoke2.id) == std::nullopt);
    // The holder leaves: the floor goes with them.
    r.round.leave(r.spoke2.id, r.tick, true);
    r.step();
    CHECK_FALSE(r.moderationObject()->floor.valid());
    CHECK(r.round.publishFailures() == 0);
}

TEST_CASE("round host: voice follows role, phase, floor and mutes", "[session][round]") {
    Room r;
    // The lobby: every member speaks, observers never.
    CHECK(r.round.maySpeak(r.spoke.id, core::Role::Spoke));
    CHECK(r.round.maySpeak(r.fac.id, core::Role::Facilitator));
    CHECK_FALSE(r.round.maySpeak(r.obs.id, core::Role::Observer));
    // The didactic: spokes silent by default, the hub speaks; the floor opens a spoke's voice.
    REQUIRE(r.go(kDidactic) == std::nullopt);
    CHECK_FALSE(r.round.maySpeak(r.spoke.id, core::Role::Spoke));
    CHECK(r.round.maySpeak(r.spec.id, core::Role::Specialist));
    REQUIRE(r.floorOp(r.fac, FOp::Give, r.spoke.id) == std::nullopt);
    CHECK(r.round.maySpeak(r.spoke.id, core::Role::Spoke));
    CHECK(r.round.roomWide(r.spoke.id));
    REQUIRE(r.go(kPresentation) == std::nullopt);  // the floor ends with the phase
    CHECK(r.round.maySpeak(r.spoke.id, core::Role::Spoke));
    // A moderator's mute: dropped, until they hold the floor.
    REQUIRE_FALSE(r.moderate(r.fac, MA::Mute, r.spoke.id).refused);
    CHECK_FALSE(r.round.maySpeak(r.spoke.id, core::Role::Spoke));
    REQUIRE(r.floorOp(r.fac, FOp::Give, r.spoke.id) == std::nullopt);
    CHECK(r.round.maySpeak(r.spoke.id, core::Role::Spoke));
    REQUIRE(r.floorOp(r.fac, FOp::Release) == std::nullopt);
    CHECK_FALSE(r.round.maySpeak(r.spoke.id, core::Role::Spoke));
    // Mute all but the hub, with self-unmute.
    REQUIRE_FALSE(r.moderate(r.fac, MA::MuteAllButHub, {}, true).refused);
    CHECK_FALSE(r.round.maySpeak(r.spoke2.id, core::Role::Spoke));
    CHECK(r.round.maySpeak(r.spec.id, core::Role::Specialist));
    CHECK(r.round.maySpeak(r.coord.id, core::Role::Coordinator));
    CHECK(r.moderate(r.spoke, MA::SelfUnmute).refused == RefusalReason::SelfUnmuteOff);  // muted by the facilitator
    CHECK_FALSE(r.moderate(r.spoke2, MA::SelfUnmute).refused);
    CHECK(r.round.maySpeak(r.spoke2.id, core::Role::Spoke));
    r.step();
    auto m = r.moderationObject();
    REQUIRE(m);
    CHECK(m->muteAll == sim::MuteAll::SelfUnmute);
    CHECK(m->muted == Slots{r.spoke.id.value});
    // Hard: no self-unmute; a late spoke is muted on arrival.
    REQUIRE_FALSE(r.moderate(r.fac, MA::MuteAllButHub, {}, false).refused);
    CHECK(r.moderate(r.spoke2, MA::SelfUnmute).refused == RefusalReason::SelfUnmuteOff);
    const sim::ClinicActor late = actor(9, core::Role::Spoke, 109);
    r.round.join(late, r.tick);
    CHECK_FALSE(r.round.maySpeak(late.id, core::Role::Spoke));
    r.step();
    CHECK(r.moderationObject()->muted == Slots{3, 4, 9});
    CHECK(r.moderationObject()->muteAll == sim::MuteAll::Hard);
}

TEST_CASE("round host: moderation refusals and effects", "[session][round]") {
    Room r;
    CHECK(r.moderate(r.spoke, MA::Mute, r.spoke2.id).refused == RefusalReason::NotPermitted);
    CHECK(r.moderate(r.fac, MA::Mute, r.fac.id).refused == RefusalReason::NotOnSelf);
    CHECK(r.moderate(r.fac, MA::Mute, r.coord.id).refused == RefusalReason::TargetModerates);
    CHECK(r.moderate(r.fac, MA::Mute, core::EntityId{300}).refused == RefusalReason::NoSuchParticipant);
    CHECK(r.moderate(r.fac, MA::Remove, r.spoke.id, false, "").refused == RefusalReason::BadText);
    CHECK(r.moderate(r.fac, MA::HandFacilitation, r.coord.id).refused == RefusalReason::NotHub);
    CHECK(r.moderate(r.fac, MA::NameCoFacilitator, r.spoke.id).refused == RefusalReason::NotHub);
    CHECK(r.moderate(r.coord, MA::BringToChair, r.spoke.id).refused == RefusalReason::NotPermitted);

    // Bring to the chair: the host seats them.
    auto done = r.moderate(r.fac, MA::BringToChair, r.spoke.id);
    CHECK_FALSE(done.refused);
    CHECK(done.effect.toChair == r.spoke.id);
    CHECK_FALSE(done.effect.remove.valid());
    r.step();
    CHECK(r.moderationObject()->chair == r.spoke.id);

    // Remove: the host disconnects them; they cannot come back.
    REQUIRE(r.floorOp(r.spoke2, FOp::Raise) == std::nullopt);
    REQUIRE(r.floorOp(r.fac, FOp::Give, r.spoke2.id) == std::nullopt);
    r.drain();
    done = r.moderate(r.coord, MA::Remove, r.spoke2.id, false, "recording the session");
    CHECK_FALSE(done.refused);
    CHECK(done.effect.remove == r.spoke2.id);
    CHECK(done.effect.reason == "recording the session");
    CHECK_FALSE(done.effect.toChair.valid());
    CHECK(r.round.admits(core::Role::Spoke, 104) == net::JoinRefusal::Removed);
    CHECK_FALSE(r.round.roomWide(r.spoke2.id));  // their floor went at once
    const auto ev = r.drain();
    REQUIRE_FALSE(ev.empty());
    CHECK(ev[0].kind == sim::RoomEventKind::ParticipantRemoved);
    CHECK(ev[0].text == "recording the session");
    r.round.leave(r.spoke2.id, r.tick, false);  // the host's own leave after the disconnect: a no-op
    CHECK(r.drain().empty());

    // Lock: only those who were here come back.
    CHECK_FALSE(r.moderate(r.coord, MA::Lock).refused);
    CHECK(r.round.admits(core::Role::Spoke, 999) == net::JoinRefusal::RoomLocked);
    CHECK(r.round.admits(core::Role::Spoke, 0) == net::JoinRefusal::RoomLocked);
    CHECK(r.round.admits(core::Role::Spoke, 103) == std::nullopt);
    r.step();
    CHECK(r.moderationObject()->locked);
    CHECK_FALSE(r.moderate(r.fac, MA::Unlock).refused);
    CHECK(r.round.admits(core::Role::Spoke, 999) == std::nullopt);
    CHECK(r.round.publishFailures() == 0);
}

TEST_CASE("round host: facilitation, the grace in ticks, and what acting facilitation grants", "[session][round]") {
    Room r;
    REQUIRE(r.round.holding(r.fac.id).has(sim::Holding::ActingFacilitator));
    CHECK(r.agenda(r.spec, AOp::Next) == RefusalReason::NotPermitted);
    CHECK_FALSE(r.moderate(r.fac, MA::NameCoFacilitator, r.spec.id).refused);
    r.step();
    CHECK(r.moderationObject()->coFacilitator == r.spec.id);

    // The facilitator drops; back within 2 s (60 ticks) they run it again.
    r.tick = 1000;
    r.round.leave(r.fac.id, r.tick, true);
    r.step();
    CHECK_FALSE(r.moderationObject()->facilitator.valid());
    r.tick = 1059;
    const sim::ClinicActor back = actor(10, core::Role::Facilitator, 100);
    r.round.join(back, r.tick);
    r.step();
    CHECK(r.moderationObject()->facilitator == back.id);

    // Dropping again and not coming back: the co-facilitator takes over at the grace's end.
    r.tick = 2000;
    r.round.leave(back.id, r.tick, true);
    r.tick = 2059;
    r.step();
    CHECK_FALSE(r.moderationObject()->facilitator.valid());
    r.tick = 2060;
    r.drain();
    r.step();
    CHECK(r.moderationObject()->facilitator == r.spec.id);
    const auto ev = r.drain();
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].kind == sim::RoomEventKind::FacilitationHanded);
    CHECK(ev[0].value == 1);
    // The specialist now acts for the facilitator: agenda, floor, mute-all.
    CHECK(r.round.holding(r.spec.id).has(sim::Holding::ActingFacilitator));
    CHECK(r.agenda(r.spec, AOp::Next) == std::nullopt);
    CHECK(r.floorOp(r.spec, FOp::Give, r.spoke.id) == std::nullopt);
    CHECK_FALSE(r.moderate(r.spec, MA::MuteAllButHub, {}, false).refused);
    CHECK_FALSE(r.moderate(r.spec, MA::Mute, r.spoke2.id).refused);
    // ...but not the summary before its phase (the board's), and hands it on to a hub member only.
    CHECK(r.moderate(r.spec, MA::HandFacilitation, r.spoke.id).refused == RefusalReason::NotHub);
}

TEST_CASE("round host: a sample of permission cells answer the right reason", "[session][round][phase]") {
    struct Cell {
        const char* what;
        Phase phase;
        std::function<std::optional<RefusalReason>(Room&)> attempt;
        std::optional<RefusalReason> want;
    };
    const std::uint32_t kRecommendations = 5, kWrapUp = 7;
    auto phaseIndex = [&](Phase p) -> std::uint32_t {
        switch (p) {
        case Phase::Lobby: return 0;
        case Phase::Introductions: return 1;
        case Phase::Didactic: return kDidactic;
        case Phase::CasePresentation: return kPresentation;
        case Phase::CaseQuestions: return kQuestions;
        case Phase::CaseRecommendations: return kRecommendations;
        case Phase::CaseSummary: return 6;
        case Phase::WrapUp: return kWrapUp;
        default: return kEnded;
        }
    };
    const std::vector<Cell> cells = {
        {"spoke raises in the didactic", Phase::Didactic, [](Room& r) { return r.floorOp(r.spoke, FOp::Raise); }, std::nullopt},
        {"spoke raises once ended", Phase::Ended, [](Room& r) { return r.floorOp(r.spoke, FOp::Raise); }, RefusalReason::WrongPhase},
        {"observer raises", Phase::Introductions, [](Room& r) { return r.floorOp(r.obs, FOp::Raise); }, RefusalReason::NotPermitted},
        {"facilitator raises", Phase::CaseQuestions, [](Room& r) { return r.floorOp(r.fac, FOp::Raise); }, RefusalReason::NotPermitted},
        {"coordinator calls next", Phase::CaseQuestions, [](Room& r) { return r.floorOp(r.coord, FOp::CallNext); },
         RefusalReason::NotPermitted},
        {"facilitator gives once ended", Phase::Ended, [](Room& r) { return r.floorOp(r.fac, FOp::Give, r.spoke.id); },
         RefusalReason::WrongPhase},
        {"facilitator gives in wrap-up", Phase::WrapUp, [](Room& r) { return r.floorOp(r.fac, FOp::Give, r.spoke.id); }, std::nullopt},
        {"coordinator advances", Phase::Lobby, [](Room& r) { return r.agenda(r.coord, AOp::Next); }, RefusalReason::NotPermitted},
        {"facilitator steps back once ended", Phase::Ended, [](Room& r) { return r.agenda(r.fac, AOp::Previous); }, std::nullopt},
        {"facilitator mutes all once ended", Phase::Ended,
         [](Room& r) { return r.moderate(r.fac, MA::MuteAllButHub, {}, true).refused; }, RefusalReason::WrongPhase},
        {"coordinator mutes all", Phase::Didactic, [](Room& r) { return r.moderate(r.coord, MA::MuteAllButHub).refused; },
         RefusalReason::NotPermitted},
        {"coordinator locks once ended", Phase::Ended, [](Room& r) { return r.moderate(r.coord, MA::Lock).refused; }, std::nullopt},
        {"specialist locks", Phase::Lobby, [](Room& r) { return r.moderate(r.spec, MA::Lock).refused; }, RefusalReason::NotPermitted},
        {"facilitator brings to the chair once ended", Phase::Ended,
         [](Room& r) { return r.moderate(r.fac, MA::BringToChair, r.spoke.id).refused; }, RefusalReason::WrongPhase},
        {"coordinator removes once ended", Phase::Ended,
         [](Room& r) { return r.moderate(r.coord, MA::Remove, r.spoke.id, false, "late disruption").refused; }, std::nullopt},
        {"spoke removes", Phase::CaseRecommendations,
         [](Room& r) { return r.moderate(r.spoke, MA::Remove, r.spoke2.id, false, "x").refused; }, RefusalReason::NotPermitted},
        {"facilitator hands over once ended", Phase::Ended,
         [](Room& r) { return r.moderate(r.fac, MA::HandFacilitation, r.spec.id).refused; }, RefusalReason::WrongPhase},
        {"specialist names a co-facilitator", Phase::CaseQuestions,
         [](Room& r) { return r.moderate(r.spec, MA::NameCoFacilitator, r.spec.id).refused; }, RefusalReason::NotPermitted},
    };
    for (const Cell& c : cells) {
        Room r;
        INFO(c.what);
        REQUIRE(r.go(phaseIndex(c.phase)) == std::nullopt);
        REQUIRE(r.round.phase() == c.phase);
        CHECK(c.attempt(r) == c.want);
    }
}

TEST_CASE("round host: the round's holdings are its own, never the sender's copy", "[session][round]") {
    Room r;
    // A specialist claiming acting facilitation they do not have gets nothing.
    sim::ClinicActor forged = r.spec;
    forged.holding = forged.holding.with(sim::Holding::ActingFacilitator).with(sim::Holding::FloorHolder);
    CHECK(r.agenda(forged, AOp::Next) == RefusalReason::NotPermitted);
    CHECK(r.moderate(forged, MA::MuteAllButHub).refused == RefusalReason::NotPermitted);
    CHECK(r.floorOp(forged, FOp::CallNext) == RefusalReason::NotPermitted);
    // Handed facilitation, the same specialist acts with an empty copy.
    REQUIRE_FALSE(r.moderate(r.fac, MA::HandFacilitation, r.spec.id).refused);
    CHECK(r.round.holding(r.spec.id).has(sim::Holding::ActingFacilitator));
    CHECK_FALSE(r.round.holding(r.fac.id).has(sim::Holding::ActingFacilitator));
    CHECK(r.agenda(r.spec, AOp::Next) == std::nullopt);
    // The facilitator's role still advances without the holding.
    CHECK(r.agenda(r.fac, AOp::Next) == std::nullopt);
}

TEST_CASE("round host: out-of-range ops are BadValue; a non-member raises nothing", "[session][round]") {
    Room r;
    net::AgendaIntent a;
    a.op = net::AgendaIntent::Op::Count;
    CHECK(r.round.onIntent(r.fac, a, r.tick) == RefusalReason::BadValue);
    net::FloorIntent f;
    f.op = net::FloorIntent::Op::Count;
    CHECK(r.round.onIntent(r.fac, f, r.tick) == RefusalReason::BadValue);
    net::ModerateRequest m;
    m.action = net::ModerateAction::Count;
    CHECK(r.round.onModerate(r.fac, m, r.tick).refused == RefusalReason::BadValue);
    const sim::ClinicActor stranger = actor(40, core::Role::Spoke, 140);
    CHECK(r.floorOp(stranger, FOp::Raise) == RefusalReason::NoSuchParticipant);
    r.step();
    CHECK(r.queueObject()->entries.empty());
    CHECK(r.drain().empty());
}

TEST_CASE("round host: an entry the codec cannot carry is counted, the rest published", "[session][round]") {
    Room r(false);
    sim::SessionPlan p = plan();
    p.entries[3].caseIndex = 9;  // past kMaxPlanCases: the AgendaEntry encoding refuses it
    r.round.setPlan(p, r.tick);
    r.step();
    CHECK(r.round.publishFailures() == 1);
    CHECK(r.objects.find({net::ObjectKind::AgendaEntry, 3}) == nullptr);
    CHECK(r.objects.find({net::ObjectKind::AgendaEntry, 4}) != nullptr);
    CHECK(r.agendaObject()->entryCount == p.entries.size());
}

TEST_CASE("round host: a late joiner's table holds the current phase, queue and moderation", "[session][round]") {
    Room r;
    REQUIRE(r.go(kQuestions) == std::nullopt);
    REQUIRE(r.floorOp(r.spoke, FOp::Raise) == std::nullopt);
    REQUIRE(r.floorOp(r.spec, FOp::Raise) == std::nullopt);
    REQUIRE(r.floorOp(r.fac, FOp::CallNext) == std::nullopt);
    REQUIRE_FALSE(r.moderate(r.fac, MA::MuteAllButHub, {}, true).refused);
    REQUIRE_FALSE(r.moderate(r.fac, MA::BringToChair, r.spoke2.id).refused);
    REQUIRE_FALSE(r.moderate(r.coord, MA::Lock).refused);
    for (int i = 0; i < 5; ++i) r.step();
    // Everything a first snapshot carries, decoded from the table alone.
    const auto a = r.agendaObject();
    REQUIRE(a);
    CHECK(a->phase == Phase::CaseQuestions);
    CHECK(a->current == kQuestions);
    const auto q = r.queueObject();
    REQUIRE(q);
    REQUIRE(q->entries.size() == 1);
    CHECK(q->entries[0].who == r.spec.id);
    const auto m = r.moderationObject();
    REQUIRE(m);
    CHECK(m->floor == r.spoke.id);
    CHECK(m->chair == r.spoke2.id);
    CHECK(m->facilitator == r.fac.id);
    CHECK(m->locked);
    CHECK(m->muteAll == sim::MuteAll::SelfUnmute);
    CHECK(m->muted == Slots{r.spoke2.id.value});  // the floor holder is not listed
    CHECK(*m == r.round.moderation().state());
    CHECK(*q == r.round.floor().hands());
    CHECK(*a == r.round.agenda().state());
}

TEST_CASE("round host: a scripted round through the host, as the event stream tells it", "[session][round]") {
    Room r;
    r.drain();
    std::vector<sim::RoomEventKind> kinds;
    auto collect = [&] {
        for (const sim::RoomEvent& e : r.drain()) kinds.push_back(e.kind);
    };
    using K = sim::RoomEventKind;
    REQUIRE(r.agenda(r.fac, AOp::Next) == std::nullopt);                           // introductions
    REQUIRE(r.agenda(r.fac, AOp::Next) == std::nullopt);                           // didactic
    REQUIRE_FALSE(r.moderate(r.fac, MA::MuteAllButHub, {}, false).refused);        // spokes hard-muted
    REQUIRE(r.floorOp(r.spoke, FOp::Raise) == std::nullopt);
    REQUIRE(r.floorOp(r.fac, FOp::CallNext) == std::nullopt);                      // the spoke speaks room-wide
    CHECK(r.round.maySpeak(r.spoke.id, core::Role::Spoke));
    REQUIRE(r.agenda(r.fac, AOp::Next) == std::nullopt);                           // presentation: the floor ends
    CHECK_FALSE(r.round.maySpeak(r.spoke.id, core::Role::Spoke));                  // still under the mute-all
    REQUIRE_FALSE(r.moderate(r.fac, MA::UnmuteAll).refused);
    REQUIRE_FALSE(r.moderate(r.fac, MA::BringToChair, r.spoke.id).refused);
    REQUIRE_FALSE(r.moderate(r.coord, MA::Lock).refused);
    REQUIRE_FALSE(r.moderate(r.coord, MA::Remove, r.spoke2.id, false, "disruptive").refused);
    REQUIRE_FALSE(r.moderate(r.fac, MA::NameCoFacilitator, r.spec.id).refused);
    r.tick = 500;
    r.round.leave(r.fac.id, r.tick, true);                                          // the facilitator drops
    r.tick = 500 + 60;
    r.step();                                                                       // the grace ends: the specialist runs it
    REQUIRE(r.agenda(r.spec, AOp::Goto, kEnded) == std::nullopt);
    collect();
    // The phase changes first, then the floor ends because of it.
    const std::vector<K> want = {K::PhaseChanged, K::PhaseChanged, K::MutedAll,     K::HandRaised,
                                 K::FloorGiven,   K::PhaseChanged, K::FloorEnded,   K::UnmutedAll,
                                 K::BroughtToChair, K::RoomLocked, K::ParticipantRemoved, K::CoFacilitatorNamed,
                                 K::FacilitationHanded, K::PhaseChanged};
    CHECK(kinds == want);
    // Every moderation step is audited from the stream; hands are not.
    for (K k : {K::PhaseChanged, K::MutedAll, K::UnmutedAll, K::FloorGiven, K::BroughtToChair, K::RoomLocked,
                K::ParticipantRemoved, K::CoFacilitatorNamed, K::FacilitationHanded})
        CHECK(sim::audited(k));
    CHECK_FALSE(sim::audited(K::HandRaised));
    CHECK(r.round.phase() == Phase::Ended);
    r.step();
    const auto m = r.moderationObject();
    REQUIRE(m);
    CHECK(m->facilitator == r.spec.id);
    CHECK_FALSE(m->coFacilitator.valid());
    CHECK(m->chair == r.spoke.id);
    CHECK(m->locked);
    CHECK(r.round.admits(core::Role::Facilitator, 100) == std::nullopt);  // was here: back past the lock
    CHECK(r.round.admits(core::Role::Spoke, 104) == net::JoinRefusal::Removed);
    CHECK(r.round.publishFailures() == 0);
}

TEST_CASE("round host: runs without an event stream; a zero grace hands over on the next tick", "[session][round]") {
    RoundHost round(nullptr, kTickRate, RoundConfig{0.0});
    net::ObjectTable objects;
    round.setPlan(plan(), 0);
    const sim::ClinicActor fac = actor(0, core::Role::Facilitator, 100), spec = actor(1, core::Role::Specialist, 101);
    round.join(fac, 0);
    round.join(spec, 0);
    net::AgendaIntent next;
    CHECK(round.onIntent(fac, next, 1) == std::nullopt);
    round.leave(fac.id, 2, true);
    round.tick(2, objects);
    CHECK(round.moderation().state().facilitator == spec.id);
    CHECK(round.onIntent(spec, next, 3) == std::nullopt);
    round.tick(3, objects);
    const net::ObjectBytes* b = objects.find({net::ObjectKind::Agenda, 0});
    REQUIRE(b);
    const auto a = decodeAgenda(b->view());
    REQUIRE(a);
    CHECK(a->phase == Phase::Didactic);
    CHECK(round.publishFailures() == 0);
}
