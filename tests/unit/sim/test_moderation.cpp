// The moderation system's rules (sim/moderation.h): individual mutes and the
// room's memory of them, mute-all with and without self-unmute, the lock and
// who it lets back in, removal, the chair, facilitation (initial, handed,
// named co-facilitator, drop with grace and hand-over), the muted list.
#include <catch2/catch.hpp>

#include "sim/moderation.h"

using namespace caseroom;
using namespace caseroom::sim;

namespace {
ClinicActor actor(std::uint16_t slot, core::Role role, std::uint64_t user, HoldingSet h = {}) {
    ClinicActor a;
    a.id = core::EntityId{slot};
    a.role = role;
    a.userId = user;
    a.holding = h;
    return a;
}

constexpr std::uint32_t kGrace = 60;

struct World {
    EventStream events;
    ModerationSystem mod{&events, kGrace};
    ClinicActor fac = actor(0, core::Role::Facilitator, 100);
    ClinicActor spec = actor(1, core::Role::Specialist, 101);
    ClinicActor coord = actor(2, core::Role::Coordinator, 102);
    ClinicActor spoke = actor(3, core::Role::Spoke, 103);
    ClinicActor spoke2 = actor(4, core::Role::Spoke, 104);
    ClinicActor obs = actor(5, core::Role::Observer, 105);
    Phase phase = Phase::Didactic;
    std::uint32_t tick = 10;
    explicit World(bool joinAll = true) {
        if (joinAll)
            for (const ClinicActor* a : {&fac, &spec, &coord, &spoke, &spoke2, &obs}) mod.join(*a, tick);
    }
    std::optional<ModerationRefusal> op(const ClinicActor& who, ModerationOp o, core::EntityId target = {}, bool flag = false,
                                        std::string reason = {}) {
        ModerationCommand c;
        c.op = o;
        c.target = target;
        c.flag = flag;
        c.reason = std::move(reason);
        ClinicActor a = who;
        if (mod.state().facilitator == a.id) a.holding = a.holding.with(Holding::ActingFacilitator);
        return mod.apply(a, c, phase, tick);
    }
    std::vector<RoomEvent> drain() {
        std::vector<RoomEvent> out;
        events.drain(out);
        return out;
    }
    std::vector<std::uint16_t> muted() const { return mod.state().muted; }
};
using Slots = std::vector<std::uint16_t>;
} // namespace

TEST_CASE("moderation: mute one keeps today's target rules", "[sim][moderation]") {
    World w;
    CHECK(w.op(w.spoke, ModerationOp::Mute, w.spoke2.id) == ModerationRefusal::NotPermitted);
    CHECK(w.op(w.spec, ModerationOp::Mute, w.spoke2.id) == ModerationRefusal::NotPermitted);
    CHECK(w.op(w.fac, ModerationOp::Mute, core::EntityId{77}) == ModerationRefusal::NoSuchParticipant);
    CHECK(w.op(w.fac, ModerationOp::Mute, w.fac.id) == ModerationRefusal::NotOnSelf);
    CHECK(w.op(w.fac, ModerationOp::Mute, w.coord.id) == ModerationRefusal::TargetModerates);
    CHECK(w.op(w.coord, ModerationOp::Mute, w.fac.id) == ModerationRefusal::TargetModerates);
    CHECK(w.op(w.coord, ModerationOp::Mute, w.spec.id) == std::nullopt);  // specialists are not moderators
    CHECK(w.op(w.fac, ModerationOp::Mute, w.spoke.id) == std::nullopt);
    CHECK(w.muted() == Slots{1, 3});
    CHECK(w.mod.muted(w.spoke.id));
    CHECK_FALSE(w.mod.muted(w.spoke2.id));
    const std::uint64_t v = w.mod.version();
    CHECK(w.op(w.fac, ModerationOp::Mute, w.spoke.id) == std::nullopt);  // again: nothing
    CHECK(w.mod.version() == v);
    CHECK(w.op(w.fac, ModerationOp::Unmute, w.spec.id) == std::nullopt);
    CHECK(w.muted() == Slots{3});
    CHECK(w.op(w.fac, ModerationOp::Unmute, w.spec.id) == std::nullopt);  // not muted: no event
    const auto ev = w.drain();
    REQUIRE(ev.size() == 3);
    CHECK(ev[0].kind == RoomEventKind::Muted);
    CHECK(ev[0].actor == w.coord.id);
    CHECK(ev[0].target == w.spec.id);
    CHECK(ev[2].kind == RoomEventKind::Unmuted);
}

TEST_CASE("moderation: a muted user comes back muted; user 0 is not remembered", "[sim][moderation]") {
    World w;
    const ClinicActor anon = actor(6, core::Role::Spoke, 0);
    w.mod.join(anon, 11);
    REQUIRE(w.op(w.fac, ModerationOp::Mute, w.spoke.id) == std::nullopt);
    REQUIRE(w.op(w.fac, ModerationOp::Mute, anon.id) == std::nullopt);
    w.mod.leave(w.spoke.id, 20, true);
    w.mod.leave(anon.id, 20, true);
    CHECK(w.muted().empty());
    w.mod.join(actor(9, core::Role::Spoke, 103), 30);  // the same user, a new slot
    w.mod.join(actor(8, core::Role::Spoke, 0), 30);
    CHECK(w.muted() == Slots{9});
    // Unmuting forgets it.
    REQUIRE(w.op(w.fac, ModerationOp::Unmute, core::EntityId{9}) == std::nullopt);
    w.mod.leave(core::EntityId{9}, 31, false);
    w.mod.join(actor(10, core::Role::Spoke, 103), 32);
    CHECK(w.muted().empty());
}

TEST_CASE("moderation: mute all but the hub, hard and with self-unmute", "[sim][moderation]") {
    World w;
    CHECK(w.op(w.coord, ModerationOp::MuteAllButHub, {}, true) == ModerationRefusal::NotPermitted);
    CHECK(w.op(w.spoke, ModerationOp::SelfUnmute) == std::nullopt);  // nothing to lift
    CHECK(w.op(w.fac, ModerationOp::MuteAllButHub, {}, true) == std::nullopt);
    CHECK(w.mod.state().muteAll == MuteAll::SelfUnmute);
    CHECK(w.muted() == Slots{3, 4});  // spokes only: not the hub, observers never speak anyway
    // A spoke joining later is muted too.
    const ClinicActor late = actor(7, core::Role::Spoke, 107);
    w.mod.join(late, 12);
    CHECK(w.muted() == Slots{3, 4, 7});
    CHECK(w.op(w.spoke, ModerationOp::SelfUnmute) == std::nullopt);
    CHECK(w.muted() == Slots{4, 7});
    CHECK(w.op(w.spec, ModerationOp::SelfUnmute) == std::nullopt);  // the hub: a no-op
    // Muting all again re-mutes those who unmuted; hard this time.
    CHECK(w.op(w.fac, ModerationOp::MuteAllButHub, {}, false) == std::nullopt);
    CHECK(w.mod.state().muteAll == MuteAll::Hard);
    CHECK(w.muted() == Slots{3, 4, 7});
    CHECK(w.op(w.spoke, ModerationOp::SelfUnmute) == ModerationRefusal::SelfUnmuteOff);
    // A moderator lifts it for one.
    CHECK(w.op(w.coord, ModerationOp::Unmute, w.spoke2.id) == std::nullopt);
    CHECK(w.muted() == Slots{3, 7});
    CHECK(w.op(w.fac, ModerationOp::UnmuteAll) == std::nullopt);
    CHECK(w.mod.state().muteAll == MuteAll::Off);
    CHECK(w.muted().empty());
    CHECK(w.op(w.fac, ModerationOp::UnmuteAll) == std::nullopt);  // already off: no event
    const auto ev = w.drain();
    REQUIRE(ev.size() == 5);
    CHECK(ev[0].kind == RoomEventKind::MutedAll);
    CHECK(ev[0].value == 1);
    CHECK(ev[1].kind == RoomEventKind::Unmuted);
    CHECK(ev[1].actor == w.spoke.id);
    CHECK(ev[1].target == w.spoke.id);
    CHECK(ev[2].kind == RoomEventKind::MutedAll);
    CHECK(ev[2].value == 0);
    CHECK(ev[3].kind == RoomEventKind::Unmuted);
    CHECK(ev[4].kind == RoomEventKind::UnmutedAll);
}

TEST_CASE("moderation: self-unmute never lifts a moderator's own mute", "[sim][moderation]") {
    World w;
    REQUIRE(w.op(w.fac, ModerationOp::Mute, w.spoke.id) == std::nullopt);
    CHECK(w.op(w.spoke, ModerationOp::SelfUnmute) == ModerationRefusal::SelfUnmuteOff);
    REQUIRE(w.op(w.fac, ModerationOp::MuteAllButHub, {}, true) == std::nullopt);
    CHECK(w.op(w.spoke, ModerationOp::SelfUnmute) == ModerationRefusal::SelfUnmuteOff);
    CHECK(w.op(w.spoke2, ModerationOp::SelfUnmute) == std::nullopt);
    CHECK(w.muted() == Slots{3});
    // Lifting the mute-all leaves the individual mute.
    REQUIRE(w.op(w.fac, ModerationOp::UnmuteAll) == std::nullopt);
    CHECK(w.muted() == Slots{3});
}

TEST_CASE("moderation: mute-all is the facilitator's, and not once the session ended", "[sim][moderation]") {
    World w;
    const ClinicActor acting = actor(w.spec.id.value, core::Role::Specialist, 101, HoldingSet{}.with(Holding::ActingFacilitator));
    CHECK(w.mod.apply(acting, ModerationCommand{ModerationOp::MuteAllButHub, {}, false, {}}, w.phase, w.tick) == std::nullopt);
    w.phase = Phase::Ended;
    CHECK(w.op(w.fac, ModerationOp::UnmuteAll) == ModerationRefusal::WrongPhase);
    CHECK(w.op(w.fac, ModerationOp::BringToChair, w.spoke.id) == ModerationRefusal::WrongPhase);
    CHECK(w.op(w.fac, ModerationOp::HandFacilitation, w.spec.id) == ModerationRefusal::WrongPhase);
    // Mute, lock and remove are open in every phase.
    CHECK(w.op(w.fac, ModerationOp::Mute, w.spoke.id) == std::nullopt);
    CHECK(w.op(w.coord, ModerationOp::Lock) == std::nullopt);
}

TEST_CASE("moderation: the lock lets back only those who were in the room", "[sim][moderation]") {
    World w;
    CHECK(w.mod.admits(core::Role::Spoke, 500) == std::nullopt);
    CHECK(w.op(w.spec, ModerationOp::Lock) == ModerationRefusal::NotPermitted);
    CHECK(w.op(w.coord, ModerationOp::Lock) == std::nullopt);
    CHECK(w.mod.state().locked);
    CHECK(w.op(w.coord, ModerationOp::Lock) == std::nullopt);  // no second event
    CHECK(w.mod.admits(core::Role::Spoke, 500) == AdmitRefusal::RoomLocked);
    CHECK(w.mod.admits(core::Role::Facilitator, 501) == AdmitRefusal::RoomLocked);
    CHECK(w.mod.admits(core::Role::Spoke, 0) == AdmitRefusal::RoomLocked);
    w.mod.leave(w.spoke.id, 20, true);
    CHECK(w.mod.admits(core::Role::Spoke, 103) == std::nullopt);  // was here: let back in
    CHECK(w.mod.admits(core::Role::Spoke, 104) == std::nullopt);  // still here (a second connection)
    CHECK(w.op(w.fac, ModerationOp::Unlock) == std::nullopt);
    CHECK(w.mod.admits(core::Role::Spoke, 500) == std::nullopt);
    const auto ev = w.drain();
    REQUIRE(ev.size() == 2);
    CHECK(ev[0].kind == RoomEventKind::RoomLocked);
    CHECK(ev[0].actor == w.coord.id);
    CHECK(ev[1].kind == RoomEventKind::RoomUnlocked);
}

TEST_CASE("moderation: removal needs a reason and is remembered", "[sim][moderation]") {
    World w;
    CHECK(w.op(w.spec, ModerationOp::Remove, w.spoke.id, false, "disruptive") == ModerationRefusal::NotPermitted);
    CHECK(w.op(w.fac, ModerationOp::Remove, w.spoke.id, false, "") == ModerationRefusal::BadText);
    CHECK(w.op(w.fac, ModerationOp::Remove, w.spoke.id, false, "  \t") == ModerationRefusal::BadText);
    CHECK(w.op(w.fac, ModerationOp::Remove, w.fac.id, false, "x") == ModerationRefusal::NotOnSelf);
    CHECK(w.op(w.fac, ModerationOp::Remove, w.coord.id, false, "x") == ModerationRefusal::TargetModerates);
    CHECK(w.op(w.fac, ModerationOp::Remove, core::EntityId{50}, false, "x") == ModerationRefusal::NoSuchParticipant);
    CHECK(w.mod.admits(core::Role::Spoke, 103) == std::nullopt);
    w.drain();
    CHECK(w.op(w.coord, ModerationOp::Remove, w.spoke.id, false, "shared a patient's name") == std::nullopt);
    CHECK(w.mod.admits(core::Role::Spoke, 103) == AdmitRefusal::Removed);
    // Removed wins over locked-but-known.
    REQUIRE(w.op(w.fac, ModerationOp::Lock) == std::nullopt);
    CHECK(w.mod.admits(core::Role::Spoke, 103) == AdmitRefusal::Removed);
    const auto ev = w.drain();
    REQUIRE(ev.size() == 2);
    CHECK(ev[0].kind == RoomEventKind::ParticipantRemoved);
    CHECK(ev[0].actor == w.coord.id);
    CHECK(ev[0].target == w.spoke.id);
    CHECK(ev[0].text == "shared a patient's name");
}

TEST_CASE("moderation: the presenter's chair", "[sim][moderation]") {
    World w;
    w.phase = Phase::CasePresentation;
    CHECK(w.op(w.coord, ModerationOp::BringToChair, w.spoke.id) == ModerationRefusal::NotPermitted);
    CHECK(w.op(w.fac, ModerationOp::BringToChair, core::EntityId{40}) == ModerationRefusal::NoSuchParticipant);
    CHECK(w.op(w.fac, ModerationOp::BringToChair, w.obs.id) == ModerationRefusal::NotPermitted);
    CHECK(w.op(w.fac, ModerationOp::BringToChair, w.spoke.id) == std::nullopt);
    CHECK(w.mod.state().chair == w.spoke.id);
    CHECK(w.op(w.fac, ModerationOp::BringToChair, w.spoke2.id) == std::nullopt);
    CHECK(w.mod.state().chair == w.spoke2.id);
    w.mod.leave(w.spoke2.id, 30, false);
    CHECK_FALSE(w.mod.state().chair.valid());
    const auto ev = w.drain();
    REQUIRE(ev.size() == 2);
    CHECK(ev[1].kind == RoomEventKind::BroughtToChair);
    CHECK(ev[1].target == w.spoke2.id);
}

TEST_CASE("moderation: the first facilitator, handing over and the co-facilitator", "[sim][moderation]") {
    World w(false);
    w.mod.join(w.spoke, 1);
    w.mod.join(w.spec, 2);
    CHECK_FALSE(w.mod.state().facilitator.valid());  // a specialist is not facilitator by joining
    w.mod.join(w.fac, 3);
    CHECK(w.mod.state().facilitator == w.fac.id);
    const ClinicActor fac2 = actor(8, core::Role::Facilitator, 108);
    w.mod.join(fac2, 4);
    CHECK(w.mod.state().facilitator == w.fac.id);  // the first one

    CHECK(w.op(w.spec, ModerationOp::HandFacilitation, w.spec.id) == ModerationRefusal::NotPermitted);
    CHECK(w.op(fac2, ModerationOp::HandFacilitation, w.spoke.id) == ModerationRefusal::NotHub);
    CHECK(w.op(w.fac, ModerationOp::NameCoFacilitator, w.spoke.id) == ModerationRefusal::NotHub);
    CHECK(w.op(w.fac, ModerationOp::NameCoFacilitator, core::EntityId{60}) == ModerationRefusal::NoSuchParticipant);
    CHECK(w.op(w.fac, ModerationOp::NameCoFacilitator, w.fac.id) == ModerationRefusal::NotOnSelf);
    CHECK(w.op(w.fac, ModerationOp::NameCoFacilitator, w.spec.id) == std::nullopt);
    CHECK(w.mod.state().coFacilitator == w.spec.id);
    w.drain();
    CHECK(w.op(w.fac, ModerationOp::HandFacilitation, w.spec.id) == std::nullopt);
    CHECK(w.mod.state().facilitator == w.spec.id);
    CHECK_FALSE(w.mod.state().coFacilitator.valid());  // the co-facilitator runs it now
    // The acting specialist (holding ActingFacilitator) hands it back.
    CHECK(w.op(w.spec, ModerationOp::HandFacilitation, w.fac.id) == std::nullopt);
    CHECK(w.mod.state().facilitator == w.fac.id);
    const auto ev = w.drain();
    REQUIRE(ev.size() == 2);
    CHECK(ev[0].kind == RoomEventKind::FacilitationHanded);
    CHECK(ev[0].actor == w.fac.id);
    CHECK(ev[0].target == w.spec.id);
    CHECK(ev[0].value == 0);
    CHECK(ev[1].actor == w.spec.id);
}

TEST_CASE("moderation: the plan's facilitator and co-facilitator", "[sim][moderation]") {
    World w(false);
    w.mod.setPlan(100, 101);
    const ClinicActor other = actor(8, core::Role::Facilitator, 108);
    w.mod.join(other, 1);
    CHECK(w.mod.state().facilitator == other.id);  // by default until the plan's one comes
    w.mod.join(w.spec, 2);
    CHECK(w.mod.state().coFacilitator == w.spec.id);
    w.mod.join(w.fac, 3);
    CHECK(w.mod.state().facilitator == w.fac.id);
    // A plan set after the joins places those present.
    World v(true);
    v.mod.setPlan(101, 0);
    CHECK(v.mod.state().facilitator == v.spec.id);
}

TEST_CASE("moderation: a facilitator who drops and returns within the grace runs it again", "[sim][moderation]") {
    World w;
    REQUIRE(w.mod.state().facilitator == w.fac.id);
    w.mod.leave(w.fac.id, 100, true);
    CHECK_FALSE(w.mod.state().facilitator.valid());
    CHECK(w.mod.graceRunning());
    const ClinicActor fac3 = actor(9, core::Role::Facilitator, 109);
    w.mod.join(fac3, 110);  // another facilitator does not take it during the grace
    CHECK_FALSE(w.mod.state().facilitator.valid());
    w.mod.step(100 + kGrace - 1);
    CHECK(w.mod.graceRunning());
    w.mod.join(actor(12, core::Role::Facilitator, 100), 100 + kGrace - 1);
    CHECK(w.mod.state().facilitator == core::EntityId{12});
    CHECK_FALSE(w.mod.graceRunning());
    w.mod.step(100 + kGrace + 5);
    CHECK(w.mod.state().facilitator == core::EntityId{12});
    for (const RoomEvent& e : w.drain()) CHECK(e.kind != RoomEventKind::FacilitationHanded);
}

TEST_CASE("moderation: past the grace facilitation goes to the co-facilitator, else the longest-present specialist",
          "[sim][moderation]") {
    SECTION("the co-facilitator") {
        World w;
        const ClinicActor spec2 = actor(7, core::Role::Specialist, 107);
        w.mod.join(spec2, 20);
        REQUIRE(w.op(w.fac, ModerationOp::NameCoFacilitator, spec2.id) == std::nullopt);
        w.drain();
        w.mod.leave(w.fac.id, 100, true);
        w.mod.step(100 + kGrace);
        CHECK(w.mod.state().facilitator == spec2.id);
        CHECK_FALSE(w.mod.graceRunning());
        const auto ev = w.drain();
        REQUIRE(ev.size() == 1);
        CHECK(ev[0].kind == RoomEventKind::FacilitationHanded);
        CHECK_FALSE(ev[0].actor.valid());
        CHECK(ev[0].target == spec2.id);
        CHECK(ev[0].value == 1);
        // Coming back late: not facilitator again by joining.
        w.mod.join(actor(12, core::Role::Facilitator, 100), 200);
        CHECK(w.mod.state().facilitator == spec2.id);
    }
    SECTION("the longest-present specialist") {
        World w;
        const ClinicActor spec2 = actor(7, core::Role::Specialist, 107);
        w.mod.join(spec2, 20);
        w.mod.leave(w.fac.id, 100, true);
        w.mod.step(100 + kGrace);
        CHECK(w.mod.state().facilitator == w.spec.id);
    }
    SECTION("a deliberate leave hands over at once") {
        World w;
        w.drain();
        w.mod.leave(w.fac.id, 100, false);
        CHECK_FALSE(w.mod.graceRunning());
        CHECK(w.mod.state().facilitator == w.spec.id);
        const auto ev = w.drain();
        REQUIRE(ev.size() == 1);
        CHECK(ev[0].value == 1);
    }
    SECTION("nobody to hand to: the next facilitator to join runs it") {
        World w(false);
        w.mod.join(w.fac, 1);
        w.mod.join(w.spoke, 1);
        w.mod.leave(w.fac.id, 100, true);
        w.mod.step(100 + kGrace);
        CHECK_FALSE(w.mod.state().facilitator.valid());
        CHECK_FALSE(w.mod.graceRunning());
        w.mod.join(actor(9, core::Role::Facilitator, 109), 300);
        CHECK(w.mod.state().facilitator == core::EntityId{9});
    }
}

TEST_CASE("moderation: the floor holder is never in the muted list", "[sim][moderation]") {
    World w;
    REQUIRE(w.op(w.fac, ModerationOp::Mute, w.spoke.id) == std::nullopt);
    REQUIRE(w.op(w.fac, ModerationOp::MuteAllButHub, {}, false) == std::nullopt);
    CHECK(w.muted() == Slots{3, 4});
    w.mod.setFloor(w.spoke2.id, 50);
    CHECK(w.mod.state().floor == w.spoke2.id);
    CHECK(w.mod.state().floorSinceTick == 50);
    CHECK(w.muted() == Slots{3});
    w.mod.setFloor(w.spoke.id, 60);  // even one muted by a moderator speaks while holding the floor
    CHECK(w.muted() == Slots{4});
    w.mod.setFloor({}, 0);
    CHECK(w.muted() == Slots{3, 4});
}

TEST_CASE("moderation: a named co-facilitator who drops is co-facilitator again on return", "[sim][moderation]") {
    World w;
    REQUIRE(w.op(w.fac, ModerationOp::NameCoFacilitator, w.spec.id) == std::nullopt);
    w.mod.leave(w.spec.id, 20, true);
    CHECK_FALSE(w.mod.state().coFacilitator.valid());
    w.mod.join(actor(11, core::Role::Specialist, 101), 25);
    CHECK(w.mod.state().coFacilitator == core::EntityId{11});
    // Naming another replaces them.
    const ClinicActor spec2 = actor(12, core::Role::Specialist, 112);
    w.mod.join(spec2, 26);
    REQUIRE(w.op(w.fac, ModerationOp::NameCoFacilitator, spec2.id) == std::nullopt);
    CHECK(w.mod.state().coFacilitator == spec2.id);
}

TEST_CASE("moderation: an away facilitator (place held) keeps membership, gets it back in the grace, is never handed it",
          "[sim][moderation]") {
    SECTION("back within the grace") {
        World w;
        w.mod.away(w.fac.id, 100);
        CHECK_FALSE(w.mod.state().facilitator.valid());
        CHECK(w.mod.graceRunning());
        CHECK(w.mod.present(w.fac.id));   // still a member: a moderator may act on them
        w.mod.step(100 + kGrace - 1);
        w.mod.back(w.fac.id);
        CHECK(w.mod.state().facilitator == w.fac.id);
        CHECK_FALSE(w.mod.graceRunning());
        for (const RoomEvent& e : w.drain()) CHECK(e.kind != RoomEventKind::FacilitationHanded);
    }
    SECTION("past the grace: to the specialist; an away specialist is passed over; back late changes nothing") {
        World w;
        w.mod.away(w.spec.id, 90);      // the specialist's link dropped too
        w.mod.away(w.fac.id, 100);
        const ClinicActor fac2 = actor(9, core::Role::Facilitator, 109);
        w.mod.join(fac2, 101);
        w.mod.step(100 + kGrace);
        CHECK(w.mod.state().facilitator == fac2.id); // neither of the away ones
        w.mod.back(w.fac.id);
        CHECK(w.mod.state().facilitator == fac2.id);
    }
}
