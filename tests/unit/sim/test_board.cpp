// The recommendations board's rules (sim/board.h): posting on the current
// case in its phase, editing and withdrawing by the author only, the
// facilitator's summary as the one consensus per case, the text rule, the
// per-case and per-room bounds (earlier cases' oldest entries leave), and
// the events the journal reads.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include "sim/board.h"

using namespace caseroom;
using namespace caseroom::sim;
using namespace std::string_view_literals;

namespace {
ClinicActor actor(std::uint16_t slot, core::Role role, std::uint64_t user, const char* name) {
    ClinicActor a;
    a.id = core::EntityId{slot};
    a.role = role;
    a.userId = user;
    a.name = name;
    return a;
}

RoundView round(Phase phase, std::uint8_t caseIndex = 0) {
    RoundView r;
    r.hasPlan = true;
    r.phase = phase;
    r.caseIndex = caseIndex;
    r.caseId = 100 + caseIndex;
    return r;
}

struct World {
    EventStream events;
    BoardSystem board{&events};
    ClinicActor fac = actor(1, core::Role::Facilitator, 11, "Dr Amara Okafor");
    ClinicActor spec = actor(2, core::Role::Specialist, 12, "Lee Chen");
    ClinicActor spoke = actor(3, core::Role::Spoke, 13, "Sam Rivera");
    ClinicActor coord = actor(4, core::Role::Coordinator, 14, "Pat Moss");
    ClinicActor observer = actor(5, core::Role::Observer, 15, "Jo Watcher");
    RoundView rec = round(Phase::CaseRecommendations);
};
} // namespace

TEST_CASE("checkText trims and refuses empty, long, malformed and control text", "[board]") {
    CHECK(checkText("  hello \n", 400, true) == std::optional<std::string_view>("hello"));
    CHECK(checkText("line one\nline two\tend", 400, true) == std::optional<std::string_view>("line one\nline two\tend"));
    CHECK_FALSE(checkText("line one\nline two", 400, false));   // chat: no line breaks
    CHECK_FALSE(checkText("tab\there", 400, false));
    CHECK_FALSE(checkText("", 400, true));
    CHECK_FALSE(checkText(" \n\t ", 400, true));
    CHECK_FALSE(checkText(std::string(401, 'a'), 400, true));
    CHECK(checkText(std::string(400, 'a'), 400, true));
    CHECK_FALSE(checkText("bad \xff byte", 400, true));
    CHECK_FALSE(checkText("cut \xc3", 400, true));
    CHECK_FALSE(checkText("bell \a", 400, true));
    CHECK_FALSE(checkText("cr \r\n", 400, true));
    CHECK_FALSE(checkText("del \x7f", 400, true));
    CHECK_FALSE(checkText("c1 \xc2\x85 next line", 400, true));
    CHECK(checkText("caf\xc3\xa9 \xe2\x80\x94 ok", 400, false));   // an em dash is text
    CHECK_FALSE(checkText("line\xe2\x80\xa8separator", 400, true));
    CHECK_FALSE(checkText("para\xe2\x80\xa9separator", 400, false));
    // The bound is in bytes after the check, before trimming: a client pads nothing past it.
    CHECK(checkText(" " + std::string(398, 'a') + " ", 400, true)->size() == 398);
}

TEST_CASE("Post goes on the current case in the recommendations phase, with author, role and tick", "[board]") {
    World w;
    std::uint16_t id = 0;
    REQUIRE_FALSE(w.board.post(w.spoke, round(Phase::CaseRecommendations, 1), "  Start sofosbuvir/velpatasvir 12 weeks. ", 40, &id));
    CHECK(id == 1);
    REQUIRE(w.board.entries().size() == 1);
    const BoardEntry& e = w.board.entries()[0];
    CHECK(e.id == 1);
    CHECK(e.caseIndex == 1);
    CHECK(e.author == w.spoke.id);
    CHECK(e.authorName == "Sam Rivera");
    CHECK(e.authorRole == core::Role::Spoke);
    CHECK(e.postedTick == 40);
    CHECK(e.editedTick == 0);
    CHECK_FALSE(e.consensus);
    CHECK(e.text == "Start sofosbuvir/velpatasvir 12 weeks.");

    REQUIRE(w.events.pending().size() == 1);
    const RoomEvent& ev = w.events.pending()[0];
    CHECK(ev.kind == RoomEventKind::RecommendationPosted);
    CHECK(ev.actor == w.spoke.id);
    CHECK(ev.panel == 1);
    CHECK(ev.value == 1);
    CHECK(ev.text == "Start sofosbuvir/velpatasvir 12 weeks.");

    // Hub members write too ("all teach, all learn"); ids keep counting.
    REQUIRE_FALSE(w.board.post(w.spec, w.rec, "Check HBV serology first.", 41, &id));
    CHECK(id == 2);
    REQUIRE_FALSE(w.board.post(w.fac, w.rec, "Agree.", 42, &id));
    CHECK(id == 3);
}

TEST_CASE("Post is refused outside the recommendations phase, to observers and coordinators, and with bad text", "[board]") {
    World w;
    for (Phase p : {Phase::Lobby, Phase::Introductions, Phase::Didactic, Phase::CasePresentation, Phase::CaseQuestions,
                    Phase::CaseSummary, Phase::WrapUp, Phase::Ended}) {
        CHECK(w.board.post(w.spoke, round(p), "text", 1) == RoundTextError::WrongPhase);
        CHECK(w.board.post(w.fac, round(p), "text", 1) == RoundTextError::WrongPhase);
    }
    CHECK(w.board.post(w.observer, w.rec, "text", 1) == RoundTextError::NotPermitted);
    CHECK(w.board.post(w.coord, w.rec, "text", 1) == RoundTextError::NotPermitted);
    RoundView noPlan = w.rec;
    noPlan.hasPlan = false;
    CHECK(w.board.post(w.spoke, noPlan, "text", 1) == RoundTextError::NoAgenda);
    CHECK(w.board.post(w.spoke, w.rec, "   ", 1) == RoundTextError::BadText);
    CHECK(w.board.post(w.spoke, w.rec, std::string(kMaxEntryTextBytes + 1, 'x'), 1) == RoundTextError::BadText);
    CHECK(w.board.post(w.spoke, w.rec, "bad \xc0\xaf", 1) == RoundTextError::BadText);
    CHECK(w.board.post(w.spoke, w.rec, "nul \0 inside"sv, 1) == RoundTextError::BadText);
    CHECK(w.board.entries().empty());
    CHECK(w.events.pending().empty());
    CHECK(w.board.version() == 0);
}

TEST_CASE("Edit and withdraw: the author only, in the phase, on the current case", "[board]") {
    World w;
    std::uint16_t id = 0;
    REQUIRE_FALSE(w.board.post(w.spoke, w.rec, "Repeat the viral load.", 10, &id));
    std::vector<RoomEvent> drained;
    w.events.drain(drained);

    CHECK(w.board.edit(w.spec, w.rec, id, "Hijack", 11) == RoundTextError::NotAuthor);
    CHECK(w.board.edit(w.fac, w.rec, id, "Hijack", 11) == RoundTextError::NotAuthor);
    CHECK(w.board.edit(w.spoke, w.rec, 99, "x", 11) == RoundTextError::NoSuchEntry);
    CHECK(w.board.edit(w.spoke, round(Phase::CaseSummary), id, "Later", 11) == RoundTextError::WrongPhase);
    CHECK(w.board.edit(w.spoke, w.rec, id, "", 11) == RoundTextError::BadText);
    CHECK(w.board.withdraw(w.spec, w.rec, id, 11) == RoundTextError::NotAuthor);
    CHECK(w.board.withdraw(w.spoke, w.rec, 99, 11) == RoundTextError::NoSuchEntry);
    CHECK(w.board.withdraw(w.spoke, round(Phase::WrapUp), id, 11) == RoundTextError::WrongPhase);
    CHECK(w.board.withdraw(w.observer, w.rec, id, 11) == RoundTextError::NotPermitted);
    CHECK(w.events.pending().empty());

    REQUIRE_FALSE(w.board.edit(w.spoke, w.rec, id, "Repeat the viral load at week 4.", 12));
    CHECK(w.board.find(id)->text == "Repeat the viral load at week 4.");
    CHECK(w.board.find(id)->editedTick == 12);
    CHECK(w.board.find(id)->postedTick == 10);
    REQUIRE(w.events.pending().size() == 1);
    CHECK(w.events.pending()[0].kind == RoomEventKind::RecommendationEdited);
    CHECK(w.events.pending()[0].value == id);
    CHECK(w.events.pending()[0].text == "Repeat the viral load at week 4.");

    // The same author back on a new entity slot (reconnected): the user id decides.
    ClinicActor back = w.spoke;
    back.id = core::EntityId{30};
    REQUIRE_FALSE(w.board.edit(back, w.rec, id, "Repeat the viral load at week 4 and 12.", 13));
    // Someone else on the author's old slot is not the author.
    ClinicActor other = actor(3, core::Role::Spoke, 99, "Other");
    CHECK(w.board.withdraw(other, w.rec, id, 14) == RoundTextError::NotAuthor);

    // A later case's recommendations phase does not reopen this case's board.
    CHECK(w.board.edit(w.spoke, round(Phase::CaseRecommendations, 1), id, "x", 15) == RoundTextError::WrongPhase);

    REQUIRE_FALSE(w.board.withdraw(w.spoke, w.rec, id, 16));
    CHECK(w.board.entries().empty());
    CHECK(w.board.find(id) == nullptr);
    CHECK(w.events.pending().back().kind == RoomEventKind::RecommendationWithdrawn);
    CHECK(w.events.pending().back().value == id);
    CHECK(w.events.pending().back().text.empty());
    // Ids are never reused.
    std::uint16_t next = 0;
    REQUIRE_FALSE(w.board.post(w.spoke, w.rec, "Again", 17, &next));
    CHECK(next == id + 1);
}

TEST_CASE("Summary: WriteSummary in the recommendations and summary phases, one consensus per case", "[board]") {
    World w;
    const RoundView sum = round(Phase::CaseSummary);
    CHECK(w.board.summary(w.spoke, sum, "x", 1) == RoundTextError::NotPermitted);
    CHECK(w.board.summary(w.spec, sum, "x", 1) == RoundTextError::NotPermitted);
    CHECK(w.board.summary(w.observer, sum, "x", 1) == RoundTextError::NotPermitted);
    CHECK(w.board.summary(w.fac, round(Phase::CaseQuestions), "x", 1) == RoundTextError::WrongPhase);
    CHECK(w.board.summary(w.fac, round(Phase::WrapUp), "x", 1) == RoundTextError::WrongPhase);
    CHECK(w.board.summary(w.fac, sum, "\n\n", 1) == RoundTextError::BadText);

    std::uint16_t id = 0;
    REQUIRE_FALSE(w.board.summary(w.fac, sum, "Consensus: treat 12 weeks;\nrecheck SVR12.", 5, &id));
    const BoardEntry* c = w.board.consensus(0);
    REQUIRE(c);
    CHECK(c->id == id);
    CHECK(c->consensus);
    CHECK(c->authorRole == core::Role::Facilitator);
    CHECK(c->text == "Consensus: treat 12 weeks;\nrecheck SVR12.");
    CHECK(w.events.pending().back().kind == RoomEventKind::SummaryWritten);
    CHECK(w.events.pending().back().panel == 0);
    CHECK(w.events.pending().back().value == id);

    // Allowed in the recommendations phase too; it replaces the one consensus.
    // A specialist acting as facilitator (facilitation handed) may write it.
    ClinicActor acting = w.spec;
    acting.holding = HoldingSet{}.with(Holding::ActingFacilitator);
    std::uint16_t again = 0;
    REQUIRE_FALSE(w.board.summary(acting, w.rec, "Consensus, revised.", 6, &again));
    CHECK(again == id);
    CHECK(w.board.entries().size() == 1);
    CHECK(w.board.consensus(0)->text == "Consensus, revised.");
    CHECK(w.board.consensus(0)->editedTick == 6);
    CHECK(w.board.consensus(0)->author == acting.id);
    CHECK(w.board.consensus(0)->authorRole == core::Role::Specialist);
    // A spoke holding the floor gains nothing here.
    ClinicActor floor = w.spoke;
    floor.holding = HoldingSet{}.with(Holding::FloorHolder);
    CHECK(w.board.summary(floor, sum, "x", 7) == RoundTextError::NotPermitted);

    // The consensus entry is edited with WriteSummary, by any summary writer, not by its author's Recommend.
    CHECK(w.board.edit(w.spoke, w.rec, id, "spoke edit", 8) == RoundTextError::NotPermitted);
    REQUIRE_FALSE(w.board.edit(w.fac, sum, id, "Consensus, final.", 9));
    CHECK(w.board.consensus(0)->text == "Consensus, final.");
    CHECK(w.events.pending().back().kind == RoomEventKind::SummaryWritten);

    // Withdrawing the consensus is a summary writer's too (the author's Recommend is not enough).
    CHECK(w.board.withdraw(w.spoke, w.rec, id, 9) == RoundTextError::NotPermitted);
    CHECK(w.board.withdraw(w.fac, round(Phase::WrapUp), id, 9) == RoundTextError::WrongPhase);

    // Another case has its own consensus.
    REQUIRE_FALSE(w.board.summary(w.fac, round(Phase::CaseSummary, 1), "Case 2 consensus.", 10));
    CHECK(w.board.consensus(1)->text == "Case 2 consensus.");
    CHECK(w.board.consensus(0)->text == "Consensus, final.");
    REQUIRE_FALSE(w.board.withdraw(acting, sum, id, 11));
    CHECK(w.board.consensus(0) == nullptr);
    CHECK(w.events.pending().back().kind == RoomEventKind::RecommendationWithdrawn);
    // A new summary is a new entry.
    std::uint16_t fresh = 0;
    REQUIRE_FALSE(w.board.summary(w.fac, sum, "Consensus, anew.", 12, &fresh));
    CHECK(fresh > id);
}

TEST_CASE("A case's board holds at most kMaxCaseEntries recommendations; the consensus still fits", "[board]") {
    World w;
    for (std::size_t i = 0; i < kMaxCaseEntries; ++i) REQUIRE_FALSE(w.board.post(w.spoke, w.rec, "r" + std::to_string(i), 1));
    CHECK(w.board.countFor(0) == kMaxCaseEntries);
    CHECK(w.board.canPost(w.spoke, w.rec) == RoundTextError::BoardFull);
    CHECK(w.board.post(w.spec, w.rec, "one more", 2) == RoundTextError::BoardFull);
    REQUIRE_FALSE(w.board.summary(w.fac, w.rec, "The consensus.", 3));
    CHECK(w.board.entries().size() == kMaxCaseEntries + 1);
    // Withdrawing one makes room.
    REQUIRE_FALSE(w.board.withdraw(w.spoke, w.rec, 1, 4));
    REQUIRE_FALSE(w.board.post(w.spec, w.rec, "now it fits", 5));
    // The next case has its own board.
    REQUIRE_FALSE(w.board.post(w.spoke, round(Phase::CaseRecommendations, 1), "case 2", 6));
}

TEST_CASE("Past kMaxBoardEntries live entries the oldest of earlier cases leave; the current case's stay", "[board]") {
    World w;
    // Case 0: 30 entries + consensus; case 1: 17 entries: 48 live.
    for (int i = 0; i < 30; ++i) REQUIRE_FALSE(w.board.post(w.spoke, round(Phase::CaseRecommendations, 0), "c0", 1));
    REQUIRE_FALSE(w.board.summary(w.fac, round(Phase::CaseSummary, 0), "c0 consensus", 2));
    for (int i = 0; i < 17; ++i) REQUIRE_FALSE(w.board.post(w.spoke, round(Phase::CaseRecommendations, 1), "c1", 3));
    REQUIRE(w.board.entries().size() == kMaxBoardEntries);
    CHECK(w.board.retired() == 0);

    std::vector<std::uint16_t> dirty;
    w.board.takeDirty(dirty);
    CHECK(dirty.size() == kMaxBoardEntries);

    // Case 2 (later): each new entry retires case 0's oldest first.
    std::uint16_t id = 0;
    REQUIRE_FALSE(w.board.post(w.spoke, round(Phase::CaseRecommendations, 2), "c2", 4, &id));
    CHECK(w.board.entries().size() == kMaxBoardEntries);
    CHECK(w.board.retired() == 1);
    CHECK(w.board.find(1) == nullptr);
    CHECK(w.board.find(2) != nullptr);
    w.board.takeDirty(dirty);
    CHECK(std::find(dirty.begin(), dirty.end(), std::uint16_t{1}) != dirty.end());   // the host removes its object
    CHECK(std::find(dirty.begin(), dirty.end(), id) != dirty.end());

    // Fill case 2 to its maximum: the current case's entries never leave.
    for (std::size_t i = 1; i < kMaxCaseEntries; ++i) REQUIRE_FALSE(w.board.post(w.spoke, round(Phase::CaseRecommendations, 2), "c2", 5));
    REQUIRE_FALSE(w.board.summary(w.fac, round(Phase::CaseSummary, 2), "c2 consensus", 6));
    CHECK(w.board.entries().size() == kMaxBoardEntries);
    CHECK(w.board.countFor(2) == kMaxCaseEntries);
    CHECK(w.board.consensus(2) != nullptr);
    // Ids stay in order, unique.
    for (std::size_t i = 1; i < w.board.entries().size(); ++i) CHECK(w.board.entries()[i - 1].id < w.board.entries()[i].id);
}

TEST_CASE("A leaver's entries stay but lose the entity; reset starts a new session", "[board]") {
    World w;
    std::uint16_t id = 0;
    REQUIRE_FALSE(w.board.post(w.spoke, w.rec, "kept", 1, &id));
    std::vector<std::uint16_t> dirty;
    w.board.takeDirty(dirty);
    w.board.leave(w.spoke.id);
    CHECK_FALSE(w.board.find(id)->author.valid());
    CHECK(w.board.find(id)->authorName == "Sam Rivera");
    w.board.takeDirty(dirty);
    CHECK(dirty == std::vector<std::uint16_t>{id});
    // They come back (same user, new slot) and may still edit their own.
    ClinicActor back = w.spoke;
    back.id = core::EntityId{40};
    CHECK_FALSE(w.board.edit(back, w.rec, id, "kept, edited", 2));
    w.board.takeDirty(dirty);

    w.board.reset();
    CHECK(w.board.entries().empty());
    w.board.takeDirty(dirty);
    CHECK(dirty == std::vector<std::uint16_t>{id});
    REQUIRE_FALSE(w.board.post(w.spoke, w.rec, "new session", 3, &id));
    CHECK(id == 1);
}
