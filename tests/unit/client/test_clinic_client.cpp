// The client's teaching-round logic without a window: the string table is
// complete and well formed; the notices for a table of state transitions;
// the facts read from a real ClinicViewModel fed with the room objects'
// real encodings (session/clinic_wire.h); the headless printout lines.
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

#include "clinic_notices.h"
#include "session/clinic_wire.h"
#include "ui_strings.h"

using namespace caseroom;
using namespace caseroom::client;

namespace {

// Feeds one encoded object into the view, as a snapshot would.
template <typename T, typename Enc>
void feed(session::ClinicViewModel& v, net::ObjectKind kind, std::uint16_t id, const T& value, Enc encode) {
    net::ObjectUpdate u;
    u.key = {kind, id};
    REQUIRE(encode(value, u.bytes));
    REQUIRE(v.apply(u));
}

std::vector<session::RemoteAvatar> people() {
    std::vector<session::RemoteAvatar> p(3);
    p[0].slot = 1; p[0].name = "Dr. Amara Osei"; p[0].role = core::Role::Facilitator;
    p[1].slot = 2; p[1].name = "Ingrid Søndergaard"; p[1].role = core::Role::Spoke; p[1].self = true;
    p[2].slot = 3; p[2].name = "Dr. Li Wei"; p[2].role = core::Role::Specialist;
    return p;
}

std::vector<StringId> ids(const std::vector<ClinicNotice>& n) {
    std::vector<StringId> out;
    for (const auto& x : n) out.push_back(x.id);
    return out;
}

} // namespace

TEST_CASE("every string id has a non-empty English text with exactly its arguments", "[client][strings]") {
    const auto table = englishStrings();
    REQUIRE(table.size() == static_cast<std::size_t>(StringId::Count));
    std::set<std::string> seen;
    for (std::size_t i = 0; i < table.size(); ++i) {
        INFO("string " << i << ": " << (table[i].text ? table[i].text : "(null)"));
        CHECK(static_cast<std::size_t>(table[i].id) == i); // the table is in id order: tr() indexes it
        REQUIRE(table[i].text != nullptr);
        const std::string t = table[i].text;
        CHECK(!t.empty());
        CHECK(std::string(tr(table[i].id)) == t);
        // Placeholders: {0}..{args-1}, each at least once, none beyond.
        for (unsigned n = 0; n < 10; ++n) {
            const bool used = t.find("{" + std::to_string(n) + "}") != std::string::npos;
            CHECK(used == (n < table[i].args));
        }
    }
}

TEST_CASE("text() substitutes positional arguments, in any order", "[client][strings]") {
    CHECK(substitute("{1} then {0}", {"a", "b"}) == "b then a");
    CHECK(substitute("{0} and {0}", {"x"}) == "x and x");
    CHECK(substitute("missing {1}", {"x"}) == "missing {1}");  // a missing argument stays visible
    CHECK(substitute("{x} {", {"a"}) == "{x} {");
    CHECK(text(StringId::NoticeHandPosition, {"2"}) == "your hand is #2 in the queue");
    CHECK(std::string(phaseName(sim::Phase::CaseRecommendations)) == "recommendations");
    CHECK(std::string(roleName(core::Role::Spoke)) == "spoke");
    for (int p = 0; p < static_cast<int>(sim::Phase::Count); ++p) CHECK(std::string(phaseName(static_cast<sim::Phase>(p))) != "?");
    for (int r = 0; r < static_cast<int>(core::Role::Count); ++r) CHECK(std::string(roleName(static_cast<core::Role>(r))) != "?");
}

TEST_CASE("notices for a table of transitions", "[client][notices]") {
    const core::EntityId me{2}, fac{1}, spec{3};
    const auto who = people();
    ClinicFacts base;
    base.hasPlan = true;
    base.phase = sim::Phase::Introductions;
    base.current = 1;
    base.title = "Introductions";
    base.facilitator = fac;

    struct Row {
        const char* what;
        ClinicFacts before, after;
        std::vector<StringId> expected;
    };
    std::vector<Row> rows;
    auto with = [&](auto f) { ClinicFacts x = base; f(x); return x; };

    rows.push_back({"nothing changes", base, base, {}});
    rows.push_back({"the floor is given to me", base, with([&](ClinicFacts& f) { f.haveFloor = true; f.floor = me; }),
                    {StringId::NoticeFloorGiven}});
    rows.push_back({"my floor ends", with([&](ClinicFacts& f) { f.haveFloor = true; f.floor = me; }), base, {StringId::NoticeFloorEnded}});
    rows.push_back({"someone else gets the floor", base, with([&](ClinicFacts& f) { f.floor = spec; }), {StringId::NoticeOtherFloor}});
    rows.push_back({"the didactic mutes a spoke",
                    base, with([](ClinicFacts& f) { f.phase = sim::Phase::Didactic; f.current = 2; f.title = "HCV"; f.mutedByPhase = true; }),
                    {StringId::NoticePhase, StringId::NoticeMutedDidactic}});
    rows.push_back({"muted by the facilitator", base, with([](ClinicFacts& f) { f.mutedByModeration = true; }),
                    {StringId::NoticeMutedByModerator}});
    rows.push_back({"mute all with self-unmute",
                    base, with([](ClinicFacts& f) { f.mutedByModeration = true; f.mayUnmuteSelf = true; f.muteAll = sim::MuteAll::SelfUnmute; }),
                    {StringId::NoticeMutedSelfUnmute, StringId::NoticeMuteAllSoft}});
    rows.push_back({"mute all, hard, lifted",
                    with([](ClinicFacts& f) { f.mutedByModeration = true; f.muteAll = sim::MuteAll::Hard; }), base,
                    {StringId::NoticeUnmuted, StringId::NoticeMuteAllOff}});
    rows.push_back({"muted in the didactic, then the floor",
                    with([](ClinicFacts& f) { f.phase = sim::Phase::Didactic; f.mutedByPhase = true; f.handPosition = 1; }),
                    with([&](ClinicFacts& f) { f.phase = sim::Phase::Didactic; f.haveFloor = true; f.floor = me; }),
                    {StringId::NoticeFloorGiven, StringId::NoticeUnmuted}});
    rows.push_back({"my hand goes up as #2", base, with([](ClinicFacts& f) { f.handPosition = 2; }), {StringId::NoticeHandPosition}});
    rows.push_back({"my hand moves up to #1", with([](ClinicFacts& f) { f.handPosition = 2; }),
                    with([](ClinicFacts& f) { f.handPosition = 1; }), {StringId::NoticeHandPosition}});
    rows.push_back({"my hand is dismissed", with([](ClinicFacts& f) { f.handPosition = 1; }), base, {StringId::NoticeHandLowered}});
    rows.push_back({"the room is locked", base, with([](ClinicFacts& f) { f.locked = true; }), {StringId::NoticeLocked}});
    rows.push_back({"the room is unlocked", with([](ClinicFacts& f) { f.locked = true; }), base, {StringId::NoticeUnlocked}});
    rows.push_back({"facilitation passes to the specialist", base, with([&](ClinicFacts& f) { f.facilitator = spec; }),
                    {StringId::NoticeFacilitationPassed}});
    rows.push_back({"facilitation passes to me", base, with([&](ClinicFacts& f) { f.facilitator = me; }),
                    {StringId::NoticeYouFacilitate}});
    rows.push_back({"a co-facilitator is named", base, with([&](ClinicFacts& f) { f.coFacilitator = spec; }),
                    {StringId::NoticeCoFacilitatorNamed}});
    rows.push_back({"I am brought to the chair", base, with([&](ClinicFacts& f) { f.chair = me; }), {StringId::NoticeYouInChair}});
    rows.push_back({"recommendations open",
                    with([](ClinicFacts& f) { f.phase = sim::Phase::CaseQuestions; f.current = 4; }),
                    with([](ClinicFacts& f) { f.phase = sim::Phase::CaseRecommendations; f.current = 5; f.mayRecommend = true; }),
                    {StringId::NoticePhase, StringId::NoticeRecommendOpen}});

    for (const Row& r : rows) {
        INFO(r.what);
        CHECK(ids(clinicNotices(r.before, r.after, me, who)) == r.expected);
    }

    // The words carry the names and places.
    const auto passed = clinicNotices(base, with([&](ClinicFacts& f) { f.facilitator = spec; }), me, who);
    REQUIRE(passed.size() == 1);
    CHECK(passed[0].text == "facilitation passed to Dr. Li Wei");
    const auto second = clinicNotices(base, with([](ClinicFacts& f) { f.handPosition = 2; }), me, who);
    CHECK(second.at(0).text == "your hand is #2 in the queue");
    const auto didactic = clinicNotices(base, with([](ClinicFacts& f) { f.phase = sim::Phase::Didactic; f.mutedByPhase = true; }), me, who);
    CHECK(didactic.at(1).text == "you are muted (didactic: raise your hand with H)");
}

TEST_CASE("the first facts after joining announce only what concerns me", "[client][notices]") {
    const core::EntityId me{2}, fac{1};
    ClinicFacts now;
    now.hasPlan = true;
    now.phase = sim::Phase::Didactic;
    now.title = "HCV in pregnancy";
    now.mutedByPhase = true;
    now.facilitator = fac;           // the room's history: not announced
    const auto n = clinicNotices(ClinicFacts{}, now, me, people());
    CHECK(ids(n) == std::vector<StringId>{StringId::NoticePhase, StringId::NoticeMutedDidactic});
    CHECK(n[0].text == "now: didactic, HCV in pregnancy");
}

TEST_CASE("facts from a real clinic view: the phase's mute, the floor, moderation", "[client][notices]") {
    session::ClinicViewModel v;
    const core::EntityId me{2}, fac{1};
    const sim::SessionPlan plan = sim::defaultPlan("HCV in pregnancy", {sim::AgendaEntry{sim::Phase::CasePresentation, 0, 0,
                                                                                        "Case 1", "Dr. P", "Treat now?"}});
    sim::AgendaState a;
    a.hasPlan = true;
    a.entryCount = static_cast<std::uint8_t>(plan.entries.size());
    std::uint8_t didactic = 0;
    for (std::size_t i = 0; i < plan.entries.size(); ++i)
        if (plan.entries[i].phase == sim::Phase::Didactic) didactic = static_cast<std::uint8_t>(i);
    a.current = didactic;
    a.phase = sim::Phase::Didactic;
    a.phaseStartTick = 300;
    feed(v, net::ObjectKind::Agenda, 0, a, session::encodeAgenda);
    for (std::size_t i = 0; i < plan.entries.size(); ++i)
        feed(v, net::ObjectKind::AgendaEntry, static_cast<std::uint16_t>(i), plan.entries[i], session::encodeAgendaEntry);
    sim::ModerationState m;
    m.facilitator = fac;
    feed(v, net::ObjectKind::Moderation, 0, m, session::encodeModeration);

    ClinicFacts spoke = factsOf(v, me, core::Role::Spoke);
    CHECK(spoke.phase == sim::Phase::Didactic);
    CHECK(spoke.mutedByPhase);
    CHECK_FALSE(spoke.mutedByModeration);
    CHECK_FALSE(spoke.mayRecommend);
    CHECK_FALSE(factsOf(v, fac, core::Role::Facilitator).mutedByPhase); // the hub speaks in the didactic

    // A raised hand, then the floor: the floor lifts the phase's mute.
    sim::QueueState q;
    q.entries.push_back({core::EntityId{3}, 100, 0});
    q.entries.push_back({me, 200, 0});
    feed(v, net::ObjectKind::Queue, sim::kHandsQueue, q, session::encodeQueue);
    CHECK(factsOf(v, me, core::Role::Spoke).handPosition == 2);
    m.floor = me;
    m.floorSinceTick = 400;
    feed(v, net::ObjectKind::Moderation, 0, m, session::encodeModeration);
    spoke = factsOf(v, me, core::Role::Spoke);
    CHECK(spoke.haveFloor);
    CHECK_FALSE(spoke.mutedByPhase);
    CHECK(clinicHoldings(v, me).has(sim::Holding::FloorHolder));

    // Mute all with self-unmute: in the muted list, and I may unmute myself.
    m.floor = {};
    m.muteAll = sim::MuteAll::SelfUnmute;
    m.muted = {me.value};
    feed(v, net::ObjectKind::Moderation, 0, m, session::encodeModeration);
    spoke = factsOf(v, me, core::Role::Spoke);
    CHECK(spoke.mutedByModeration);
    CHECK(spoke.mayUnmuteSelf);
    CHECK(clinicHoldings(v, fac).has(sim::Holding::ActingFacilitator));
}

TEST_CASE("the printout lines: phase, queue and the current case's board", "[client][printout]") {
    session::ClinicViewModel v;
    CHECK(describePhase(v, 0, 30) == "phase: no session plan");
    const sim::SessionPlan plan = sim::defaultPlan("HCV", {sim::AgendaEntry{sim::Phase::CasePresentation, 0, 0, "Case 1: 54-year-old",
                                                                            "Dr. P", "Treat now?"}});
    std::uint8_t recs = 0;
    for (std::size_t i = 0; i < plan.entries.size(); ++i)
        if (plan.entries[i].phase == sim::Phase::CaseRecommendations) recs = static_cast<std::uint8_t>(i);
    sim::AgendaState a;
    a.hasPlan = true;
    a.entryCount = static_cast<std::uint8_t>(plan.entries.size());
    a.current = recs;
    a.phase = sim::Phase::CaseRecommendations;
    a.caseIndex = 0;
    a.phaseStartTick = 1000;
    feed(v, net::ObjectKind::Agenda, 0, a, session::encodeAgenda);
    for (std::size_t i = 0; i < plan.entries.size(); ++i)
        feed(v, net::ObjectKind::AgendaEntry, static_cast<std::uint16_t>(i), plan.entries[i], session::encodeAgendaEntry);
    const std::string title = plan.entries[recs].title;
    CHECK(describePhase(v, 1000 + 30 * 80, 30) ==
          "phase: recommendations, '" + title + "' 1:20 of " + clockText(0, plan.entries[recs].plannedSeconds, 1.0));

    sim::QueueState q;
    q.entries.push_back({core::EntityId{3}, 1000, 0});
    q.entries.push_back({core::EntityId{9}, 1300, 0});
    const auto who = people();
    CHECK(describeQueue(q, who, 1600, 30) == "hands: 1. Dr. Li Wei (0:20), 2. participant 9 (0:10)");
    CHECK(describeQueue(sim::QueueState{}, who, 0, 30) == "hands: none");

    sim::BoardEntry b;
    b.id = 4;
    b.caseIndex = 0;
    b.author = core::EntityId{3};
    b.authorName = "Dr. Li Wei";
    b.authorRole = core::Role::Specialist;
    b.postedTick = 1100;
    b.text = "Start sofosbuvir/velpatasvir\nfor 12 weeks";
    feed(v, net::ObjectKind::BoardEntry, 4, b, session::encodeBoardEntry);
    sim::BoardEntry other = b;
    other.id = 5;
    other.caseIndex = 1;                 // another case's entry: not on this case's board
    feed(v, net::ObjectKind::BoardEntry, 5, other, session::encodeBoardEntry);
    sim::BoardEntry sum = b;
    sum.id = 6;
    sum.consensus = true;
    sum.authorName = "Dr. Amara Osei";
    sum.authorRole = core::Role::Facilitator;
    sum.text = "Treat now";
    feed(v, net::ObjectKind::BoardEntry, 6, sum, session::encodeBoardEntry);
    CHECK(describeBoard(v) == std::vector<std::string>{"board: #4 Dr. Li Wei (specialist): Start sofosbuvir/velpatasvir for 12 weeks",
                                                       "board: #6 Dr. Amara Osei (facilitator) [consensus]: Treat now"});
    CHECK(clockText(0, 30 * 3725, 30) == "1:02:05");
    CHECK(clockText(50, 10, 30) == "0:00");
}

TEST_CASE("a held text is cut into the found spans and the rest, covering it all", "[client][held]") {
    const std::string t = "Pt Maria Delgado, MRN 00482913, asks about 12 weeks";
    auto finding = [](std::uint32_t b, std::uint32_t e) {
        net::WireFinding f;
        f.field = "chat";
        f.begin = b;
        f.end = e;
        return f;
    };
    // Out of order, one overlapping the next, one past the end, one empty.
    const std::vector<net::WireFinding> fs{finding(22, 30), finding(3, 12), finding(9, 16), finding(40, 400), finding(5, 5)};
    const auto segs = heldSegments(t, fs);
    REQUIRE(segs.size() == 5);
    CHECK(segs[0] == HeldSegment{0, 3, false});
    CHECK(segs[1] == HeldSegment{3, 16, true});   // "Maria Delgado": two spans merged
    CHECK(segs[2] == HeldSegment{16, 22, false});
    CHECK(segs[3] == HeldSegment{22, 30, true});  // the MRN
    CHECK(segs[4] == HeldSegment{30, static_cast<std::uint32_t>(t.size()), false}); // the span past the end is dropped
    // ... and the tail after the last span is plain text up to the end.
    const auto all = heldSegments(t, std::vector<net::WireFinding>{finding(22, 30)});
    REQUIRE(all.size() == 3);
    CHECK(all.back() == HeldSegment{30, static_cast<std::uint32_t>(t.size()), false});
    CHECK(t.substr(segs[1].begin, segs[1].end - segs[1].begin) == "Maria Delgado");
    CHECK(heldSegments("", fs).empty());
    CHECK(heldSegments(t, {}) == std::vector<HeldSegment>{HeldSegment{0, static_cast<std::uint32_t>(t.size()), false}});
}

TEST_CASE("a removed statement leaves the others at their ids", "[client][clinic-view]") {
    session::ClinicViewModel v;
    for (std::uint16_t i = 0; i < 3; ++i) {
        sim::Statement st;
        st.kind = i == 0 ? sim::StatementKind::Confidentiality : sim::StatementKind::Disclosure;
        st.title = "S" + std::to_string(i);
        st.text = "text " + std::to_string(i);
        feed(v, net::ObjectKind::Statement, i, st, session::encodeStatement);
    }
    net::ObjectUpdate gone;
    gone.key = {net::ObjectKind::Statement, 0};
    gone.removed = true;
    REQUIRE(v.apply(gone));
    // Statement 1 changes: the view's index 1 must be that object, not statement 2.
    sim::Statement changed;
    changed.kind = sim::StatementKind::Disclosure;
    changed.title = "S1";
    changed.text = "text 1, updated";
    feed(v, net::ObjectKind::Statement, 1, changed, session::encodeStatement);
    REQUIRE(v.statements().size() == 3);
    CHECK(v.statements()[0].text.empty());
    CHECK(v.statements()[1].text == "text 1, updated");
    CHECK(v.statements()[2].text == "text 2");
    gone.key.id = 2;
    REQUIRE(v.apply(gone));
    CHECK(v.statements().size() == 2);
}
