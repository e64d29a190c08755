// The board and chat in the server (session/board_host.h) with the real PHI
// screen and the real room-object codecs: what is published (decoded back
// with clinic_wire's decoders), what the screen holds (never stored, never
// published, the author told where), colleagues' names passing, phase
// gating through the permissions table, the screening budget, leavers.
#include <catch2/catch.hpp>

#include <string>

#include "clinic/phi_screen.h"
#include "session/board_host.h"
#include "session/clinic_wire.h"
#include "sim/board.h"
#include "sim/chat.h"

using namespace caseroom;
using namespace caseroom::session;

namespace {
sim::ClinicActor actor(std::uint16_t slot, core::Role role, const char* name) {
    sim::ClinicActor a;
    a.id = core::EntityId{slot};
    a.role = role;
    a.userId = 500u + slot;
    a.name = name;
    return a;
}

sim::RoundView round(sim::Phase phase, std::uint8_t caseIndex = 0) {
    sim::RoundView r;
    r.hasPlan = true;
    r.phase = phase;
    r.caseIndex = caseIndex;
    r.caseId = 77;
    return r;
}

net::BoardIntent post(std::string text, std::uint16_t clientSeq = 1) {
    net::BoardIntent m;
    m.op = net::BoardIntent::Op::Post;
    m.clientSeq = clientSeq;
    m.text = std::move(text);
    return m;
}
net::BoardIntent summary(std::string text) {
    net::BoardIntent m;
    m.op = net::BoardIntent::Op::Summary;
    m.clientSeq = 9;
    m.text = std::move(text);
    return m;
}
net::ChatIntent say(std::string text, std::uint16_t clientSeq = 1) {
    net::ChatIntent m;
    m.op = net::ChatIntent::Op::Say;
    m.clientSeq = clientSeq;
    m.text = std::move(text);
    return m;
}
net::ChatIntent ask(std::string text) {
    net::ChatIntent m;
    m.op = net::ChatIntent::Op::Ask;
    m.clientSeq = 3;
    m.text = std::move(text);
    return m;
}

std::optional<sim::BoardEntry> boardObject(const net::ObjectTable& t, std::uint16_t id) {
    const net::ObjectBytes* b = t.find(net::ObjectKey{net::ObjectKind::BoardEntry, id});
    if (!b) return std::nullopt;
    return decodeBoardEntry(b->view());
}
std::optional<sim::ChatLine> chatObject(const net::ObjectTable& t, std::uint32_t seq) {
    const net::ObjectBytes* b = t.find(net::ObjectKey{net::ObjectKind::ChatLine, static_cast<std::uint16_t>(seq % sim::kMaxChatLines)});
    if (!b) return std::nullopt;
    return decodeChatLine(b->view());
}
std::optional<sim::QueueState> questionsObject(const net::ObjectTable& t) {
    const net::ObjectBytes* b = t.find(net::ObjectKey{net::ObjectKind::Queue, sim::kQuestionsQueue});
    if (!b) return std::nullopt;
    return decodeQueue(b->view());
}
std::size_t countKind(const net::ObjectTable& t, net::ObjectKind k) {
    std::size_t n = 0;
    for (std::uint32_t s = 0; s < t.slotCount(); ++s)
        if (t.current(s).instance != 0 && t.key(s).kind == k) ++n;
    return n;
}

struct World {
    sim::EventStream events;
    BoardHost host{&events};
    net::ObjectTable objects;
    sim::ClinicActor fac = actor(1, core::Role::Facilitator, "Amara Okafor");
    sim::ClinicActor spec = actor(2, core::Role::Specialist, "Lee Chen");
    sim::ClinicActor spoke = actor(3, core::Role::Spoke, "Sam Rivera");
    sim::ClinicActor observer = actor(4, core::Role::Observer, "Jo Watcher");
    sim::RoundView rec = round(sim::Phase::CaseRecommendations);
    std::uint32_t now = 100;

    World() {
        sim::SessionPlan plan = sim::defaultPlan("HCV in pregnancy", {sim::AgendaEntry{sim::Phase::CasePresentation, 0, 0,
                                                                                        "Case 1", "Nkechi Adeyemi", "Treat now?"}});
        host.setPlan(plan);
        for (const auto* a : {&fac, &spec, &spoke, &observer}) host.join(*a);
    }
    void tick() { host.tick(now++, objects); }
    std::vector<sim::RoomEvent> drain() {
        std::vector<sim::RoomEvent> out;
        events.drain(out);
        return out;
    }
};

std::string spanOf(const std::string& text, const net::WireFinding& f) { return text.substr(f.begin, f.end - f.begin); }
} // namespace

TEST_CASE("BoardHost: a recommendation is stored, published and decodes back; its event carries the text", "[board_host]") {
    World w;
    const auto out = w.host.onIntent(w.spoke, w.rec, post("Start sofosbuvir/velpatasvir for 12 weeks;\ncheck HBV first."), w.now);
    CHECK_FALSE(out.refused);
    CHECK_FALSE(out.held);
    w.tick();
    REQUIRE(w.host.board().entries().size() == 1);
    const sim::BoardEntry& e = w.host.board().entries()[0];
    const auto decoded = boardObject(w.objects, e.id);
    REQUIRE(decoded);
    CHECK(*decoded == e);
    CHECK(decoded->text == "Start sofosbuvir/velpatasvir for 12 weeks;\ncheck HBV first.");
    CHECK(decoded->authorName == "Sam Rivera");
    CHECK(decoded->authorRole == core::Role::Spoke);

    const auto ev = w.drain();
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].kind == sim::RoomEventKind::RecommendationPosted);
    CHECK(ev[0].value == e.id);
    CHECK(ev[0].text == e.text);

    // The questions queue is published (empty) too, so late joiners see it.
    const auto q = questionsObject(w.objects);
    REQUIRE(q);
    CHECK(q->entries.empty());
    CHECK(w.host.publishFailures() == 0);
}

TEST_CASE("BoardHost: phase gating and refusals through the permissions table", "[board_host]") {
    World w;
    for (sim::Phase p : {sim::Phase::Lobby, sim::Phase::Didactic, sim::Phase::CasePresentation, sim::Phase::CaseQuestions,
                         sim::Phase::CaseSummary, sim::Phase::WrapUp}) {
        CHECK(w.host.onIntent(w.spoke, round(p), post("x"), w.now).refused == net::RefusalReason::WrongPhase);
        CHECK(w.host.onIntent(w.fac, round(p), post("x"), w.now).refused == net::RefusalReason::WrongPhase);
    }
    CHECK(w.host.onIntent(w.observer, w.rec, post("x"), w.now).refused == net::RefusalReason::NotPermitted);
    CHECK(w.host.onIntent(w.spoke, w.rec, post(" \n "), w.now).refused == net::RefusalReason::BadText);
    CHECK(w.host.onIntent(w.spoke, w.rec, post(std::string(net::kMaxBoardText + 1, 'a')), w.now).refused ==
          net::RefusalReason::BadText);
    // Without a plan (the lobby of a room opened for no session) there is no case to write on.
    sim::RoundView noPlan;
    CHECK(w.host.onIntent(w.spoke, noPlan, post("x"), w.now).refused == net::RefusalReason::NoAgenda);
    CHECK(w.host.onIntent(w.observer, noPlan, post("x"), w.now).refused == net::RefusalReason::NotPermitted);

    // The summary: the facilitator in the summary phase; a specialist only when acting facilitator.
    const sim::RoundView sum = round(sim::Phase::CaseSummary);
    CHECK(w.host.onIntent(w.spec, sum, summary("Consensus."), w.now).refused == net::RefusalReason::NotPermitted);
    CHECK(w.host.onIntent(w.fac, round(sim::Phase::WrapUp), summary("Consensus."), w.now).refused == net::RefusalReason::WrongPhase);
    CHECK_FALSE(w.host.onIntent(w.fac, sum, summary("Consensus: treat now, 12 weeks."), w.now).refused);
    sim::ClinicActor acting = w.spec;
    acting.holding = sim::HoldingSet{}.with(sim::Holding::ActingFacilitator);
    CHECK_FALSE(w.host.onIntent(acting, sum, summary("Consensus, revised: treat now, 12 weeks."), w.now).refused);
    w.tick();
    const sim::BoardEntry* c = w.host.board().consensus(0);
    REQUIRE(c);
    const auto decoded = boardObject(w.objects, c->id);
    REQUIRE(decoded);
    CHECK(decoded->consensus);
    CHECK(decoded->text == "Consensus, revised: treat now, 12 weeks.");
    CHECK(decoded->authorRole == core::Role::Specialist);

    // Edit and withdraw go to the sim's rules.
    REQUIRE_FALSE(w.host.onIntent(w.spoke, w.rec, post("Mine."), w.now).refused);
    const std::uint16_t mine = w.host.board().entries().back().id;
    net::BoardIntent edit;
    edit.op = net::BoardIntent::Op::Edit;
    edit.entry = mine;
    edit.text = "Not yours.";
    CHECK(w.host.onIntent(w.spec, w.rec, edit, w.now).refused == net::RefusalReason::NotAuthor);
    edit.entry = 999;
    CHECK(w.host.onIntent(w.spoke, w.rec, edit, w.now).refused == net::RefusalReason::NoSuchEntry);
    net::BoardIntent withdraw;
    withdraw.op = net::BoardIntent::Op::Withdraw;
    withdraw.entry = mine;
    CHECK(w.host.onIntent(w.spec, w.rec, withdraw, w.now).refused == net::RefusalReason::NotAuthor);
    w.tick();
    REQUIRE(boardObject(w.objects, mine));
    CHECK_FALSE(w.host.onIntent(w.spoke, w.rec, withdraw, w.now).refused);
    w.tick();
    CHECK_FALSE(boardObject(w.objects, mine));   // removed from the table
    CHECK(w.objects.find(net::ObjectKey{net::ObjectKind::BoardEntry, mine}) == nullptr);

    net::BoardIntent bad;
    bad.op = net::BoardIntent::Op::Count;
    CHECK(w.host.onIntent(w.spoke, w.rec, bad, w.now).refused == net::RefusalReason::BadValue);
}

TEST_CASE("BoardHost: a chat line with an MRN or a phone number is held, not stored or published", "[board_host]") {
    World w;
    w.tick();
    const std::size_t objectsBefore = w.objects.liveCount();

    const std::string mrn = "Her MRN 12345678 is in the chart";
    const auto out = w.host.onIntent(w.spoke, w.rec, say(mrn, 41), w.now);
    CHECK(out.refused == net::RefusalReason::PhiHeld);
    REQUIRE(out.held);
    CHECK(out.held->intent == net::IntentKind::Chat);
    CHECK(out.held->clientSeq == 41);
    REQUIRE(out.held->findings.size() == 1);
    const net::WireFinding& f = out.held->findings[0];
    CHECK(f.field == "chat");
    CHECK(f.kind == static_cast<std::uint32_t>(clinic::PhiKind::Mrn));
    CHECK(f.begin < f.end);
    CHECK(f.end <= mrn.size());
    CHECK(spanOf(mrn, f) == "12345678");
    // Spans are in the author's own text: exactly what the screen finds there.
    const auto direct = clinic::screenText("chat", mrn);
    REQUIRE(direct.size() == 1);
    CHECK(f.begin == direct[0].begin);
    CHECK(f.end == direct[0].end);

    const std::string phone = "call me on (505) 555-0142 after clinic";
    const auto out2 = w.host.onIntent(w.spoke, w.rec, ask(phone), w.now);
    CHECK(out2.refused == net::RefusalReason::PhiHeld);
    REQUIRE(out2.held);
    REQUIRE_FALSE(out2.held->findings.empty());
    CHECK(out2.held->findings[0].field == "question");
    CHECK(out2.held->findings[0].kind == static_cast<std::uint32_t>(clinic::PhiKind::Phone));
    CHECK(spanOf(phone, out2.held->findings[0]) == "(505) 555-0142");

    w.tick();
    CHECK(w.host.chat().lines().empty());
    CHECK(w.host.chat().questions().entries.empty());
    CHECK(w.objects.liveCount() == objectsBefore);
    CHECK(countKind(w.objects, net::ObjectKind::ChatLine) == 0);
    CHECK(w.host.held() == 2);
    CHECK(w.host.chat().nextSeq() == 1);   // no seq spent on a held text

    const auto ev = w.drain();
    REQUIRE(ev.size() == 2);
    for (const sim::RoomEvent& e : ev) {
        CHECK(e.kind == sim::RoomEventKind::TextHeld);
        CHECK(e.actor == w.spoke.id);
        CHECK(e.text.empty());   // never the text
    }
    CHECK(ev[0].value == (1u << static_cast<unsigned>(clinic::PhiKind::Mrn)));
    CHECK((ev[1].value & (1u << static_cast<unsigned>(clinic::PhiKind::Phone))) != 0);
    CHECK(sim::audited(ev[0].kind));

    // The TextHeld message encodes (its findings fit the wire's bounds).
    CHECK_FALSE(net::encodeMessage(net::Message{*out.held}).empty());
}

TEST_CASE("BoardHost: recommendations and summaries are screened too", "[board_host]") {
    World w;
    const std::string text = "Seen on 03/14/2025, treat now.";
    const auto out = w.host.onIntent(w.spoke, w.rec, post(text, 5), w.now);
    CHECK(out.refused == net::RefusalReason::PhiHeld);
    REQUIRE(out.held);
    CHECK(out.held->intent == net::IntentKind::Board);
    CHECK(out.held->clientSeq == 5);
    REQUIRE(out.held->findings.size() == 1);
    CHECK(out.held->findings[0].field == "recommendation");
    CHECK(out.held->findings[0].kind == static_cast<std::uint32_t>(clinic::PhiKind::Date));
    CHECK(spanOf(text, out.held->findings[0]) == "03/14/2025");

    const auto sum = w.host.onIntent(w.fac, round(sim::Phase::CaseSummary), summary("Email results to pt at jane.doe@example.com"), w.now);
    CHECK(sum.refused == net::RefusalReason::PhiHeld);
    REQUIRE(sum.held);
    CHECK(sum.held->findings[0].field == "summary");

    // An edit that slips PHI in leaves the old text standing.
    REQUIRE_FALSE(w.host.onIntent(w.spoke, w.rec, post("Treat now."), w.now).refused);
    const std::uint16_t id = w.host.board().entries().back().id;
    net::BoardIntent edit;
    edit.op = net::BoardIntent::Op::Edit;
    edit.entry = id;
    edit.text = "Treat now; SSN 123-45-6789 on file.";
    const auto ed = w.host.onIntent(w.spoke, w.rec, edit, w.now);
    CHECK(ed.refused == net::RefusalReason::PhiHeld);
    REQUIRE(ed.held);
    CHECK(ed.held->findings[0].field == "recommendation");
    CHECK(w.host.board().find(id)->text == "Treat now.");
    w.tick();
    CHECK(boardObject(w.objects, id)->text == "Treat now.");
    CHECK(w.host.board().entries().size() == 1);
    CHECK(w.host.held() == 3);
}

TEST_CASE("BoardHost: a colleague's name from the roster or the plan is not held; a patient's is", "[board_host]") {
    World w;
    // "Dr Okafor" (the facilitator, joined) and "Dr Adeyemi" (the plan's presenter).
    for (const char* text : {"Thanks Dr Okafor, that answers it", "Agree with Dr. Adeyemi's plan", "Dr Lee Chen, can you hear us?"}) {
        INFO(text);
        CHECK_FALSE(clinic::screenText("chat", text).empty());   // the screen alone flags it
        const auto out = w.host.onIntent(w.spoke, w.rec, say(text), w.now);
        CHECK_FALSE(out.refused);
        CHECK_FALSE(out.held);
    }
    CHECK(w.host.chat().lines().size() == 3);

    // The same words from someone not in the room are a name.
    const auto stranger = w.host.onIntent(w.spoke, w.rec, say("Thanks Dr Okonkwo, that answers it"), w.now);
    CHECK(stranger.refused == net::RefusalReason::PhiHeld);
    const std::string patient = "Mr Haugen missed his last two visits";
    const auto out = w.host.onIntent(w.spoke, w.rec, say(patient), w.now);
    CHECK(out.refused == net::RefusalReason::PhiHeld);
    REQUIRE(out.held);
    REQUIRE(out.held->findings.size() == 1);
    CHECK(out.held->findings[0].kind == static_cast<std::uint32_t>(clinic::PhiKind::Name));
    CHECK(spanOf(patient, out.held->findings[0]).find("Haugen") != std::string::npos);

    // A fresh host that never saw the roster holds "Dr Okafor": the roster is what lets it through.
    sim::EventStream events;
    BoardHost bare(&events);
    CHECK(bare.onIntent(w.spoke, w.rec, say("Thanks Dr Okafor, that answers it"), w.now).refused == net::RefusalReason::PhiHeld);
}

TEST_CASE("BoardHost: the screening budget per tick refuses RateLimited past it", "[board_host]") {
    sim::EventStream events;
    BoardHost host(&events, BoardConfig{2});
    net::ObjectTable objects;
    const sim::ClinicActor spoke = actor(3, core::Role::Spoke, "Sam Rivera");
    const sim::RoundView live = round(sim::Phase::Didactic);
    host.join(spoke);
    // Refusals before the screen cost nothing.
    CHECK(host.onIntent(spoke, live, say("\n"), 1).refused == net::RefusalReason::BadText);
    CHECK(host.onIntent(spoke, live, post("x"), 1).refused == net::RefusalReason::WrongPhase);
    CHECK_FALSE(host.onIntent(spoke, live, say("one"), 1).refused);
    CHECK_FALSE(host.onIntent(spoke, live, say("two"), 1).refused);
    CHECK(host.onIntent(spoke, live, say("three"), 1).refused == net::RefusalReason::RateLimited);
    CHECK(host.chat().lines().size() == 2);
    host.tick(1, objects);
    CHECK_FALSE(host.onIntent(spoke, live, say("three"), 2).refused);
    CHECK(host.chat().lines().size() == 3);
}

TEST_CASE("BoardHost: chat lines, questions and the queue are published and decode back", "[board_host]") {
    World w;
    const sim::RoundView live = round(sim::Phase::CaseQuestions);
    REQUIRE_FALSE(w.host.onIntent(w.spoke, live, ask("Is 8 weeks enough in F3?"), w.now).refused);
    REQUIRE_FALSE(w.host.onIntent(w.spec, live, say("Good question."), w.now).refused);
    w.tick();
    const auto q = questionsObject(w.objects);
    REQUIRE(q);
    CHECK(*q == w.host.chat().questions());
    REQUIRE(q->entries.size() == 1);
    CHECK(q->entries[0].who == w.spoke.id);
    CHECK(q->entries[0].line == 1);
    for (const sim::ChatLine& l : w.host.chat().lines()) {
        const auto decoded = chatObject(w.objects, l.seq);
        REQUIRE(decoded);
        CHECK(*decoded == l);
    }
    CHECK(chatObject(w.objects, 1)->kind == sim::ChatKind::Question);

    // Taking the question: the queue empties, the line shows answered.
    net::ChatIntent take;
    take.op = net::ChatIntent::Op::TakeNext;
    CHECK(w.host.onIntent(w.spoke, live, take, w.now).refused == net::RefusalReason::NotPermitted);
    CHECK_FALSE(w.host.onIntent(w.fac, live, take, w.now).refused);
    CHECK(w.host.onIntent(w.fac, live, take, w.now).refused == net::RefusalReason::NotInQueue);
    w.tick();
    CHECK(questionsObject(w.objects)->entries.empty());
    CHECK(chatObject(w.objects, 1)->answered);

    // The ring: past kMaxChatLines lines the oldest slot is reused by the newest.
    for (int i = 0; i < 30; ++i) {
        REQUIRE_FALSE(w.host.onIntent(w.spec, live, say("line " + std::to_string(i)), w.now).refused);
        if (i % 10 == 9) w.tick();   // within the budget of one tick
    }
    w.tick();
    CHECK(countKind(w.objects, net::ObjectKind::ChatLine) == sim::kMaxChatLines);
    for (const sim::ChatLine& l : w.host.chat().lines()) CHECK(chatObject(w.objects, l.seq) == l);

    // Withdraw and Answered through the host.
    REQUIRE_FALSE(w.host.onIntent(w.spoke, live, ask("One more?"), w.now).refused);
    const std::uint32_t seq = w.host.chat().lines().back().seq;
    net::ChatIntent withdraw;
    withdraw.op = net::ChatIntent::Op::Withdraw;
    withdraw.seq = seq;
    CHECK(w.host.onIntent(w.spec, live, withdraw, w.now).refused == net::RefusalReason::NotInQueue);
    net::ChatIntent answered;
    answered.op = net::ChatIntent::Op::Answered;
    answered.seq = seq + 1;
    CHECK(w.host.onIntent(w.fac, live, answered, w.now).refused == net::RefusalReason::NotInQueue);
    CHECK_FALSE(w.host.onIntent(w.spoke, live, withdraw, w.now).refused);
    w.tick();
    CHECK(questionsObject(w.objects)->entries.empty());
    CHECK(w.host.publishFailures() == 0);
}

TEST_CASE("BoardHost: a leaver's questions leave the published queue", "[board_host]") {
    World w;
    const sim::RoundView live = round(sim::Phase::Didactic);
    REQUIRE_FALSE(w.host.onIntent(w.spoke, live, ask("Mine?"), w.now).refused);
    REQUIRE_FALSE(w.host.onIntent(w.spec, live, ask("Theirs?"), w.now).refused);
    REQUIRE_FALSE(w.host.onIntent(w.spoke, w.rec, post("Kept after I go."), w.now).refused);
    w.tick();
    REQUIRE(questionsObject(w.objects)->entries.size() == 2);
    w.host.leave(w.spoke.id, w.now);
    w.tick();
    const auto q = questionsObject(w.objects);
    REQUIRE(q);
    REQUIRE(q->entries.size() == 1);
    CHECK(q->entries[0].who == w.spec.id);
    // Their recommendation stays, without their entity slot.
    const auto e = boardObject(w.objects, w.host.board().entries().back().id);
    REQUIRE(e);
    CHECK(e->text == "Kept after I go.");
    CHECK_FALSE(e->author.valid());
    CHECK(e->authorName == "Sam Rivera");
}

TEST_CASE("BoardHost: a new plan starts empty boards and chat; published objects go", "[board_host]") {
    World w;
    REQUIRE_FALSE(w.host.onIntent(w.spoke, w.rec, post("Old session."), w.now).refused);
    REQUIRE_FALSE(w.host.onIntent(w.spoke, w.rec, say("Old chat."), w.now).refused);
    w.tick();
    CHECK(countKind(w.objects, net::ObjectKind::BoardEntry) == 1);
    CHECK(countKind(w.objects, net::ObjectKind::ChatLine) == 1);
    w.host.setPlan(sim::defaultPlan("Next", {}));
    w.tick();
    CHECK(countKind(w.objects, net::ObjectKind::BoardEntry) == 0);
    CHECK(countKind(w.objects, net::ObjectKind::ChatLine) == 0);
    REQUIRE_FALSE(w.host.onIntent(w.spoke, w.rec, post("New session."), w.now).refused);
    CHECK(w.host.board().entries().back().id == 1);
}

TEST_CASE("BoardHost: colleagues' names in other forms: cued, non-ASCII, lower-case titles", "[board_host]") {
    World w;
    const sim::ClinicActor nunez = actor(9, core::Role::Specialist, "Jos\xc3\xa9 N\xc3\xba\xc3\xb1\x65z");
    w.host.join(nunez);
    for (const char* text : {"I talked with Amara Okafor about this case", "Dr N\xc3\xba\xc3\xb1\x65z, please go ahead",
                             "seen with Sam Rivera today", "Prof. Chen's point stands"}) {
        INFO(text);
        CHECK_FALSE(clinic::screenText("chat", text).empty());   // the screen alone flags it
        const auto out = w.host.onIntent(w.spoke, w.rec, say(text), w.now);
        CHECK_FALSE(out.held);
        CHECK_FALSE(out.refused);
    }
    // A colleague's name beside a patient's is still held (the patient's part decides).
    const std::string mixed = "Dr Okafor saw Mrs Tafoya on Tuesday";
    const auto out = w.host.onIntent(w.spoke, w.rec, say(mixed), w.now);
    CHECK(out.refused == net::RefusalReason::PhiHeld);
    REQUIRE(out.held);
    bool tafoya = false;
    for (const auto& f : out.held->findings) {
        CHECK(spanOf(mixed, f).find("Okafor") == std::string::npos);   // the colleague is not reported
        tafoya = tafoya || spanOf(mixed, f).find("Tafoya") != std::string::npos;
    }
    CHECK(tafoya);
}

TEST_CASE("BoardHost: entries retired past the room's bound leave the published set", "[board_host]") {
    sim::EventStream events;
    BoardHost host(&events, BoardConfig{64});
    net::ObjectTable objects;
    const sim::ClinicActor spoke = actor(3, core::Role::Spoke, "Sam Rivera");
    host.join(spoke);
    for (std::uint8_t kase = 0; kase < 3; ++kase)
        for (int i = 0; i < 20; ++i)
            REQUIRE_FALSE(host.onIntent(spoke, round(sim::Phase::CaseRecommendations, kase), post("case " + std::to_string(kase)), 1).refused);
    host.tick(1, objects);
    CHECK(host.board().retired() == 60 - sim::kMaxBoardEntries);
    CHECK(countKind(objects, net::ObjectKind::BoardEntry) == sim::kMaxBoardEntries);
    // Case 0's first twelve went; everything live is published and decodes back.
    CHECK(objects.find(net::ObjectKey{net::ObjectKind::BoardEntry, 1}) == nullptr);
    CHECK(objects.find(net::ObjectKey{net::ObjectKind::BoardEntry, 12}) == nullptr);
    for (const sim::BoardEntry& e : host.board().entries()) CHECK(boardObject(objects, e.id) == e);
    // Every post was an event: the journal has the retired ones.
    std::vector<sim::RoomEvent> ev;
    events.drain(ev);
    CHECK(ev.size() == 60);
    CHECK(host.publishFailures() == 0);
}

TEST_CASE("BoardHost: random intents keep the published objects equal to the systems' state", "[board_host]") {
    // A fixed-seed walk through every op from every role in every phase
    // (no clock, no rand(): the same run each time).
    std::uint64_t state = 0x9E3779B97F4A7C15ull;
    auto next = [&](std::uint32_t n) {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        return static_cast<std::uint32_t>((state >> 33) % n);
    };
    sim::EventStream events;
    BoardHost host(&events, BoardConfig{8});
    net::ObjectTable objects;
    std::vector<sim::ClinicActor> people;
    const core::Role roles[] = {core::Role::Facilitator, core::Role::Specialist, core::Role::Coordinator, core::Role::Spoke,
                                core::Role::Spoke, core::Role::Observer};
    for (std::uint16_t i = 0; i < 6; ++i) {
        people.push_back(actor(i, roles[i], ("Person " + std::to_string(i)).c_str()));
        host.join(people.back());
    }
    const char* texts[] = {"Treat 12 weeks.", "  Check HBV.  ", "", "Seen 03/14/2025.", "Recheck\nat SVR12", "MRN 12345678",
                           "Thanks Dr Person", "Agree."};
    std::vector<sim::RoomEvent> drained;
    for (std::uint32_t t = 1; t <= 400; ++t) {
        sim::RoundView r = round(static_cast<sim::Phase>(next(static_cast<std::uint32_t>(sim::Phase::Count))),
                                 static_cast<std::uint8_t>(next(3)));
        for (int k = 0; k < 6; ++k) {
            sim::ClinicActor a = people[next(static_cast<std::uint32_t>(people.size()))];
            if (next(8) == 0) a.holding = sim::HoldingSet{}.with(sim::Holding::ActingFacilitator);
            if (next(2) == 0) {
                net::BoardIntent m;
                m.op = static_cast<net::BoardIntent::Op>(next(4));
                m.entry = static_cast<std::uint16_t>(next(20));
                m.text = texts[next(8)];
                (void)host.onIntent(a, r, m, t);
            } else {
                net::ChatIntent m;
                m.op = static_cast<net::ChatIntent::Op>(next(5));
                m.seq = next(40);
                m.text = texts[next(8)];
                (void)host.onIntent(a, r, m, t);
            }
        }
        if (next(50) == 0) {
            const auto& who = people[next(static_cast<std::uint32_t>(people.size()))];
            host.leave(who.id, t);
            host.join(who);
        }
        host.tick(t, objects);
        events.drain(drained);
        for (const sim::RoomEvent& e : drained)
            if (e.kind == sim::RoomEventKind::TextHeld) CHECK(e.text.empty());

        // What a client decodes is exactly the systems' state.
        const auto entries = host.board().entries();
        REQUIRE(entries.size() <= sim::kMaxBoardEntries);
        REQUIRE(countKind(objects, net::ObjectKind::BoardEntry) == entries.size());
        for (const sim::BoardEntry& e : entries) REQUIRE(boardObject(objects, e.id) == e);
        const auto& lines = host.chat().lines();
        REQUIRE(countKind(objects, net::ObjectKind::ChatLine) == lines.size());
        for (const sim::ChatLine& l : lines) REQUIRE(chatObject(objects, l.seq) == l);
        REQUIRE(questionsObject(objects) == host.chat().questions());
        for (std::uint8_t c = 0; c < 3; ++c) REQUIRE(host.board().countFor(c) <= sim::kMaxCaseEntries);
    }
    CHECK(host.held() > 0);
    CHECK(host.publishFailures() == 0);
    CHECK_FALSE(host.board().entries().empty());
    CHECK_FALSE(host.chat().lines().empty());
}
