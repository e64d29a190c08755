// Room chat and questions (sim/chat.h): lines numbered per session in a ring
// of the newest, questions queued first-asked-first, withdrawn by their
// author, taken by the facilitator (or the acting facilitator); a leaver's
// questions go; the text rule; phase gating; events.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include "sim/chat.h"

using namespace caseroom;
using namespace caseroom::sim;

namespace {
ClinicActor actor(std::uint16_t slot, core::Role role, const char* name) {
    ClinicActor a;
    a.id = core::EntityId{slot};
    a.role = role;
    a.userId = 100u + slot;
    a.name = name;
    return a;
}

RoundView round(Phase phase) {
    RoundView r;
    r.hasPlan = true;
    r.phase = phase;
    return r;
}

struct World {
    EventStream events;
    ChatSystem chat{&events};
    ClinicActor fac = actor(1, core::Role::Facilitator, "Amara Okafor");
    ClinicActor spec = actor(2, core::Role::Specialist, "Lee Chen");
    ClinicActor spoke = actor(3, core::Role::Spoke, "Sam Rivera");
    ClinicActor spoke2 = actor(4, core::Role::Spoke, "Ana Ruiz");
    ClinicActor observer = actor(5, core::Role::Observer, "Jo Watcher");
    RoundView live = round(Phase::Didactic);
};
} // namespace

TEST_CASE("Say: numbered lines with author, role and tick; the newest kMaxChatLines kept", "[chat]") {
    World w;
    std::uint32_t seq = 0;
    REQUIRE_FALSE(w.chat.say(w.spoke, w.live, "  Can everyone hear the hub? ", 7, &seq));
    CHECK(seq == 1);
    REQUIRE(w.chat.lines().size() == 1);
    const ChatLine& l = w.chat.lines()[0];
    CHECK(l.seq == 1);
    CHECK(l.kind == ChatKind::Chat);
    CHECK(l.author == w.spoke.id);
    CHECK(l.authorName == "Sam Rivera");
    CHECK(l.authorRole == core::Role::Spoke);
    CHECK(l.tick == 7);
    CHECK_FALSE(l.answered);
    CHECK(l.text == "Can everyone hear the hub?");
    REQUIRE(w.events.pending().size() == 1);
    CHECK(w.events.pending()[0].kind == RoomEventKind::ChatSaid);
    CHECK(w.events.pending()[0].value == 1);
    CHECK(w.events.pending()[0].text == "Can everyone hear the hub?");
    CHECK(w.chat.questions().entries.empty());

    for (std::uint32_t i = 2; i <= kMaxChatLines + 5; ++i) REQUIRE_FALSE(w.chat.say(w.spec, w.live, "line " + std::to_string(i), i));
    CHECK(w.chat.lines().size() == kMaxChatLines);
    CHECK(w.chat.lines().front().seq == 6);
    CHECK(w.chat.lines().back().seq == kMaxChatLines + 5);
    CHECK(w.chat.find(5) == nullptr);
    CHECK(w.chat.find(6) != nullptr);
    CHECK(w.chat.nextSeq() == kMaxChatLines + 6);
}

TEST_CASE("Chat and questions are refused to observers, in the ended phase and with bad text", "[chat]") {
    World w;
    CHECK(w.chat.say(w.observer, w.live, "hi", 1) == RoundTextError::NotPermitted);
    CHECK(w.chat.ask(w.observer, w.live, "why?", 1) == RoundTextError::NotPermitted);
    CHECK(w.chat.say(w.spoke, round(Phase::Ended), "hi", 1) == RoundTextError::WrongPhase);
    CHECK(w.chat.ask(w.spoke, round(Phase::Ended), "why?", 1) == RoundTextError::WrongPhase);
    CHECK(w.chat.say(w.spoke, w.live, "", 1) == RoundTextError::BadText);
    CHECK(w.chat.say(w.spoke, w.live, "two\nlines", 1) == RoundTextError::BadText);
    CHECK(w.chat.say(w.spoke, w.live, "tab\tinside", 1) == RoundTextError::BadText);
    CHECK(w.chat.say(w.spoke, w.live, std::string(kMaxEntryTextBytes + 1, 'q'), 1) == RoundTextError::BadText);
    CHECK(w.chat.ask(w.spoke, w.live, "bad \xed\xa0\x80 surrogate", 1) == RoundTextError::BadText);
    CHECK(w.chat.lines().empty());
    CHECK(w.chat.questions().entries.empty());
    CHECK(w.events.pending().empty());
    // Every live phase, with or without a plan (the lobby before the start).
    for (Phase p : {Phase::Lobby, Phase::Introductions, Phase::Didactic, Phase::CasePresentation, Phase::CaseQuestions,
                    Phase::CaseRecommendations, Phase::CaseSummary, Phase::WrapUp})
        CHECK_FALSE(w.chat.say(w.spoke, round(p), "ok", 2));
    RoundView noPlan;
    CHECK_FALSE(w.chat.say(w.spoke, noPlan, "lobby chat", 3));
    CHECK(w.chat.say(w.spoke, w.live, std::string(kMaxEntryTextBytes, 'q'), 1) == std::nullopt);
}

TEST_CASE("Ask queues the question first-asked-first; TakeNext and Answered take it; Withdraw one's own", "[chat]") {
    World w;
    std::uint32_t a = 0, b = 0, c = 0;
    REQUIRE_FALSE(w.chat.ask(w.spoke, w.live, "Is 8 weeks enough in F3?", 10, &a));
    REQUIRE_FALSE(w.chat.say(w.spec, w.live, "Good question.", 11));
    REQUIRE_FALSE(w.chat.ask(w.spoke2, w.live, "Any DDI with PPIs?", 12, &b));
    REQUIRE_FALSE(w.chat.ask(w.spec, w.live, "Baseline RAS testing?", 13, &c));
    CHECK(a == 1);
    CHECK(b == 3);
    CHECK(c == 4);
    CHECK(w.chat.find(a)->kind == ChatKind::Question);
    CHECK(w.events.pending()[0].kind == RoomEventKind::QuestionAsked);
    CHECK(w.events.pending()[0].text == "Is 8 weeks enough in F3?");
    const auto& q = w.chat.questions().entries;
    REQUIRE(q.size() == 3);
    CHECK(q[0] == QueueEntry{w.spoke.id, 10, a});
    CHECK(q[1] == QueueEntry{w.spoke2.id, 12, b});
    CHECK(q[2] == QueueEntry{w.spec.id, 13, c});

    // Running the floor is the facilitator's (or the acting facilitator's).
    CHECK(w.chat.takeNext(w.spoke, w.live, 14) == RoundTextError::NotPermitted);
    CHECK(w.chat.takeNext(w.spec, w.live, 14) == RoundTextError::NotPermitted);
    CHECK(w.chat.answered(w.spoke2, w.live, b, 14) == RoundTextError::NotPermitted);
    CHECK(w.chat.takeNext(w.fac, round(Phase::Ended), 14) == RoundTextError::WrongPhase);
    // Withdraw: only one's own queued question.
    CHECK(w.chat.withdraw(w.spoke2, w.live, a, 14) == RoundTextError::NotInQueue);
    CHECK(w.chat.withdraw(w.spoke, w.live, 2, 14) == RoundTextError::NotInQueue);   // a chat line, not a question
    CHECK(w.chat.withdraw(w.spoke, w.live, 999, 14) == RoundTextError::NotInQueue);
    CHECK(w.chat.withdraw(w.observer, w.live, a, 14) == RoundTextError::NotPermitted);
    CHECK(q.size() == 3);

    std::uint32_t taken = 0;
    REQUIRE_FALSE(w.chat.takeNext(w.fac, w.live, 15, &taken));
    CHECK(taken == a);
    CHECK(w.chat.find(a)->answered);
    CHECK(w.events.pending().back().kind == RoomEventKind::QuestionAnswered);
    CHECK(w.events.pending().back().actor == w.fac.id);
    CHECK(w.events.pending().back().value == a);
    REQUIRE(q.size() == 2);
    CHECK(q[0].line == b);

    // Out of order, by an acting facilitator.
    ClinicActor acting = w.spec;
    acting.holding = HoldingSet{}.with(Holding::ActingFacilitator);
    REQUIRE_FALSE(w.chat.answered(acting, w.live, c, 16));
    CHECK(w.chat.find(c)->answered);
    CHECK(w.chat.answered(w.fac, w.live, c, 17) == RoundTextError::NotInQueue);   // already taken
    CHECK(w.chat.answered(w.fac, w.live, 2, 17) == RoundTextError::NotInQueue);   // a chat line

    REQUIRE_FALSE(w.chat.withdraw(w.spoke2, w.live, b, 18));
    CHECK(w.chat.find(b)->answered);
    CHECK(w.events.pending().back().kind == RoomEventKind::QuestionAnswered);
    CHECK(w.events.pending().back().actor == w.spoke2.id);
    CHECK(q.empty());
    CHECK(w.chat.takeNext(w.fac, w.live, 19) == RoundTextError::NotInQueue);
}

TEST_CASE("The questions queue holds at most kMaxQueue; a queued question outlives its line in the ring", "[chat]") {
    World w;
    for (std::size_t i = 0; i < kMaxQueue; ++i) REQUIRE_FALSE(w.chat.ask(w.spoke, w.live, "q" + std::to_string(i), 1));
    CHECK(w.chat.canAsk(w.spoke2, w.live) == RoundTextError::QueueFull);
    CHECK(w.chat.ask(w.spoke2, w.live, "one more", 2) == RoundTextError::QueueFull);
    CHECK(w.chat.questions().entries.size() == kMaxQueue);
    // Line 1 left the ring long ago; it is still first in the queue.
    CHECK(w.chat.find(1) == nullptr);
    std::uint32_t taken = 0;
    REQUIRE_FALSE(w.chat.takeNext(w.fac, w.live, 3, &taken));
    CHECK(taken == 1);
    REQUIRE_FALSE(w.chat.ask(w.spoke2, w.live, "now it fits", 4));
}

TEST_CASE("A leaver's queued questions go; their lines stay without the entity", "[chat]") {
    World w;
    std::uint32_t mine = 0, theirs = 0;
    REQUIRE_FALSE(w.chat.ask(w.spoke, w.live, "mine", 1, &mine));
    REQUIRE_FALSE(w.chat.ask(w.spoke2, w.live, "theirs", 2, &theirs));
    REQUIRE_FALSE(w.chat.say(w.spoke, w.live, "bye", 3));
    std::vector<std::uint32_t> dirty;
    w.chat.takeDirtyLines(dirty);
    CHECK(w.chat.takeQueueDirty());
    CHECK_FALSE(w.chat.takeQueueDirty());

    w.chat.leave(w.spoke.id, 4);
    REQUIRE(w.chat.questions().entries.size() == 1);
    CHECK(w.chat.questions().entries[0].line == theirs);
    CHECK(w.chat.find(mine)->answered);
    CHECK_FALSE(w.chat.find(mine)->author.valid());
    CHECK(w.chat.find(mine)->authorName == "Sam Rivera");
    CHECK(w.chat.find(theirs)->author == w.spoke2.id);
    CHECK(w.events.pending().back().kind == RoomEventKind::QuestionAnswered);
    CHECK(w.events.pending().back().value == mine);
    CHECK(w.chat.takeQueueDirty());
    w.chat.takeDirtyLines(dirty);
    CHECK(std::find(dirty.begin(), dirty.end(), mine) != dirty.end());

    w.chat.reset();
    CHECK(w.chat.lines().empty());
    CHECK(w.chat.questions().entries.empty());
    CHECK(w.chat.nextSeq() == 1);
    CHECK(w.chat.takeQueueDirty());
}
