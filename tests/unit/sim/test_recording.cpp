// The recording system's rules (sim/recording.h): who may start and stop,
// the policy's pauses by phase, epochs and acknowledgements, and its events.
#include <catch2/catch.hpp>

#include "sim/recording.h"

using namespace caseroom;
using namespace caseroom::sim;

namespace {
ClinicActor actor(std::uint16_t slot, core::Role role) {
    ClinicActor a;
    a.id = core::EntityId{slot};
    a.role = role;
    return a;
}

std::vector<RoomEventKind> kinds(EventStream& s) {
    std::vector<RoomEvent> out;
    s.drain(out);
    std::vector<RoomEventKind> k;
    for (const auto& e : out) k.push_back(e.kind);
    return k;
}
} // namespace

TEST_CASE("only the facilitator and the coordinator start and stop a recording", "[sim][recording]") {
    EventStream events;
    RecordingSystem rec(&events);
    for (core::Role r : {core::Role::Specialist, core::Role::Spoke, core::Role::Observer}) {
        CHECK(rec.apply(actor(3, r), RecordingOp::Start, 0, Phase::Didactic, 10) == RecordingError::NotPermitted);
    }
    CHECK(rec.state().status == RecordingStatus::Off);
    CHECK(kinds(events).empty());
    CHECK_FALSE(rec.apply(actor(1, core::Role::Coordinator), RecordingOp::Start, 0, Phase::Didactic, 11));
    CHECK(rec.state().status == RecordingStatus::Live);
    CHECK(rec.state().epoch == 1);
    CHECK(rec.state().startedBy == core::EntityId{1});
    CHECK(rec.apply(actor(0, core::Role::Facilitator), RecordingOp::Start, 0, Phase::Didactic, 12) == RecordingError::AlreadyRecording);
    CHECK(rec.apply(actor(4, core::Role::Spoke), RecordingOp::Stop, 0, Phase::Didactic, 13) == RecordingError::NotPermitted);
    CHECK_FALSE(rec.apply(actor(0, core::Role::Facilitator), RecordingOp::Stop, 0, Phase::Didactic, 14));
    CHECK(rec.state().status == RecordingStatus::Off);
    CHECK(rec.apply(actor(0, core::Role::Facilitator), RecordingOp::Stop, 0, Phase::Didactic, 15) == RecordingError::NotRecording);
    CHECK(kinds(events) == std::vector<RoomEventKind>{RoomEventKind::RecordingStarted, RoomEventKind::RecordingStopped});
}

TEST_CASE("the default policy records the didactic only and pauses by itself in every other phase", "[sim][recording]") {
    EventStream events;
    RecordingSystem rec(&events);
    REQUIRE(rec.state().policy == RecordingPolicy::DidacticOnly);
    // Started in the introductions: paused at once.
    CHECK_FALSE(rec.apply(actor(0, core::Role::Facilitator), RecordingOp::Start, 0, Phase::Introductions, 5));
    CHECK(rec.state().status == RecordingStatus::Paused);
    rec.onPhase(Phase::Didactic, 6);
    CHECK(rec.live());
    for (Phase p : {Phase::CasePresentation, Phase::CaseQuestions, Phase::CaseRecommendations, Phase::CaseSummary, Phase::WrapUp}) {
        rec.onPhase(p, 7);
        CHECK(rec.state().status == RecordingStatus::Paused);
    }
    rec.onPhase(Phase::Didactic, 8);
    CHECK(rec.live());
    CHECK(kinds(events) == std::vector<RoomEventKind>{RoomEventKind::RecordingStarted, RoomEventKind::RecordingPaused,
                                                      RoomEventKind::RecordingResumed, RoomEventKind::RecordingPaused,
                                                      RoomEventKind::RecordingResumed});
}

TEST_CASE("the whole-session policy records case phases; never refuses a start and ends a running one", "[sim][recording]") {
    EventStream events;
    RecordingSystem rec(&events);
    rec.setPolicy(RecordingPolicy::WholeSession, Phase::Lobby, 0);
    CHECK_FALSE(rec.apply(actor(0, core::Role::Facilitator), RecordingOp::Start, 0, Phase::CaseQuestions, 1));
    CHECK(rec.live());
    rec.onPhase(Phase::CaseRecommendations, 2);
    CHECK(rec.live());
    rec.onPhase(Phase::Ended, 3);
    CHECK(rec.state().status == RecordingStatus::Paused);
    // The program forbids it now: the recording ends.
    rec.setPolicy(RecordingPolicy::Never, Phase::Ended, 4);
    CHECK(rec.state().status == RecordingStatus::Off);
    CHECK(rec.apply(actor(0, core::Role::Facilitator), RecordingOp::Start, 0, Phase::Didactic, 5) == RecordingError::PolicyForbids);
    // Under didactic-only a case phase pauses a running recording at once.
    rec.setPolicy(RecordingPolicy::WholeSession, Phase::Didactic, 6);
    CHECK_FALSE(rec.apply(actor(0, core::Role::Facilitator), RecordingOp::Start, 0, Phase::CaseSummary, 7));
    rec.setPolicy(RecordingPolicy::DidacticOnly, Phase::CaseSummary, 8);
    CHECK(rec.state().status == RecordingStatus::Paused);
}

TEST_CASE("each start is a new epoch that everyone acknowledges once; leaving forgets it", "[sim][recording]") {
    EventStream events;
    RecordingSystem rec(&events);
    CHECK(rec.apply(actor(5, core::Role::Spoke), RecordingOp::Acknowledge, 0, Phase::Didactic, 1) == RecordingError::NotRecording);
    CHECK_FALSE(rec.apply(actor(0, core::Role::Facilitator), RecordingOp::Start, 0, Phase::Didactic, 2));
    const std::uint16_t first = rec.state().epoch;
    CHECK_FALSE(rec.acknowledged(core::EntityId{5}));
    CHECK(rec.apply(actor(5, core::Role::Spoke), RecordingOp::Acknowledge, static_cast<std::uint16_t>(first + 1), Phase::Didactic, 3) ==
          RecordingError::NotRecording);
    CHECK_FALSE(rec.apply(actor(5, core::Role::Spoke), RecordingOp::Acknowledge, first, Phase::Didactic, 3));
    CHECK_FALSE(rec.apply(actor(5, core::Role::Spoke), RecordingOp::Acknowledge, first, Phase::Didactic, 4)); // again: no-op
    CHECK(rec.acknowledged(core::EntityId{5}));
    CHECK_FALSE(rec.acknowledged(core::EntityId{6}));
    auto k = kinds(events);
    CHECK(std::count(k.begin(), k.end(), RoomEventKind::RecordingAcknowledged) == 1);
    // A new recording asks again.
    CHECK_FALSE(rec.apply(actor(0, core::Role::Facilitator), RecordingOp::Stop, 0, Phase::Didactic, 5));
    CHECK_FALSE(rec.acknowledged(core::EntityId{5}));
    CHECK_FALSE(rec.apply(actor(0, core::Role::Facilitator), RecordingOp::Start, 0, Phase::Didactic, 6));
    CHECK(rec.state().epoch == first + 1);
    CHECK_FALSE(rec.acknowledged(core::EntityId{5}));
    CHECK_FALSE(rec.apply(actor(5, core::Role::Spoke), RecordingOp::Acknowledge, rec.state().epoch, Phase::Didactic, 7));
    CHECK(rec.acknowledged(core::EntityId{5}));
    // Someone new in the same slot is asked again.
    rec.leave(core::EntityId{5});
    CHECK_FALSE(rec.acknowledged(core::EntityId{5}));
}

TEST_CASE("the audit trail keeps who started, stopped and acknowledged a recording", "[sim][recording]") {
    CHECK(audited(RoomEventKind::RecordingStarted));
    CHECK(audited(RoomEventKind::RecordingStopped));
    CHECK(audited(RoomEventKind::RecordingAcknowledged));
    CHECK_FALSE(audited(RoomEventKind::RecordingPaused)); // the room's own doing, every phase
}
