// The teaching round through the product's transport: a secure ServerHost on
// 127.0.0.1 (real ENet, sealed channels), clients joined with minted tokens,
// a two-case session plan. What every client sees is read from its own
// ClinicViewModel (room objects), never from the server's memory.
//  - phases advance only for the facilitator (or who was handed it); a late
//    joiner sees the phase, the queue and the board;
//  - the didactic mutes spokes (the server drops their frames) until the
//    facilitator calls them: the floor is heard room-wide;
//  - mute-all with and without self-unmute, lock, removal with a reason,
//    facilitation handed and taken over after a drop;
//  - recommendations only in their phase, the consensus, questions queued
//    and taken, a chat line with an identifier held before anyone sees it.
// Real time (real sockets): each case runs a few seconds.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include "audio/voice_packet.h"
#include "integration/secure_fixture.h"
#include "sim/clinic_state.h"

using namespace caseroom;
using namespace caseroom::session;

namespace {
constexpr std::uint8_t kIntro = 1, kDidactic = 2, kCase1 = 3;   // plan entries (sim::defaultPlan)

sim::SessionPlan twoCasePlan() {
    std::vector<sim::AgendaEntry> cases(2);
    cases[0].title = "54-year-old, HCV genotype 3";
    cases[0].presenter = "Spoke Ana";
    cases[0].question = "Treat now, or wait for the elastography?";
    cases[1].title = "Pregnancy, HCV RNA positive";
    cases[1].presenter = "Spoke Ben";
    cases[1].question = "Treat during pregnancy or after delivery?";
    sim::SessionPlan plan = sim::defaultPlan("HCV treatment update", cases);
    plan.sessionId = 41;
    plan.statements = {{sim::StatementKind::Confidentiality, "Confidentiality", "Cases are de-identified; what is said here stays here."},
                       {sim::StatementKind::Disclosure, "Dr. Facil", "No relevant financial relationships."}};
    return plan;
}

bool inRoom(const ClientSession& c) { return c.state() == ClientState::InRoom; }

// A world with the plan; `grace` is the facilitator's reconnect grace.
std::unique_ptr<test::SecureWorld> clinicWorld(double grace = 60.0, std::vector<std::string>* removed = nullptr) {
    return std::make_unique<test::SecureWorld>("Hepatitis C teleECHO", [grace, removed](ServerConfig& cfg) {
        cfg.planFor = [](std::string_view) { return std::optional<sim::SessionPlan>(twoCasePlan()); };
        cfg.round.reconnectGraceSeconds = grace;
        cfg.onRemoved = [removed](std::string_view room, const RoomActor& who, const std::string& reason) {
            if (removed) removed->push_back(std::string(room) + "/" + std::to_string(who.userId) + "/" + reason);
        };
    });
}

audio::VoicePacket talkPacket() {
    audio::VoicePacket p;
    p.size = 60;
    p.bytes[0] = 0x08; // Opus TOC: SILK 20 ms, one frame
    p.level = audio::levelByteFromDb(-20.0f);
    return p;
}

// Frames `speaker` sends that `listener` hears.
int heardOf(test::SecureWorld& w, ClientSession& speaker, ClientSession& listener, int frames) {
    int heard = 0;
    listener.setVoiceSink([&](const net::VoiceFrame& f, double) { heard += f.speaker == speaker.self().value; });
    audio::VoicePacket p = talkPacket();
    static std::uint16_t seq = 0;
    for (int i = 0; i < frames; ++i) {
        p.sequence = seq++;
        (void)speaker.sendVoice(p);
        w.until(0.02, [] { return false; });
    }
    w.until(0.25, [] { return false; });
    listener.setVoiceSink({});
    return heard;
}

std::vector<std::uint16_t> handsOf(const ClientSession& c) {
    std::vector<std::uint16_t> out;
    for (const auto& e : c.clinic().hands().entries) out.push_back(e.who.value);
    return out;
}

bool allAt(const std::vector<ClientSession*>& cs, std::uint8_t entry) {
    return std::all_of(cs.begin(), cs.end(), [&](ClientSession* c) { return c->clinic().agenda().hasPlan && c->clinic().agenda().current == entry; });
}

bool refused(const ClientSession& c, std::uint64_t before, net::IntentKind kind, net::RefusalReason why) {
    return c.stats().refusals > before && c.lastRefusal().intent == kind && c.lastRefusal().reason == why;
}

net::ModerateRequest moderate(net::ModerateAction a, core::EntityId target = {}, bool flag = false, std::string reason = {}) {
    net::ModerateRequest m;
    m.action = a;
    m.target = target.valid() ? target.value : 0;
    m.flag = flag;
    m.reason = std::move(reason);
    return m;
}

bool audited(const test::SecureWorld& w, AuditKind kind, const std::string& part) {
    return std::any_of(w.audit.entries.begin(), w.audit.entries.end(),
                       [&](const AuditEntry& e) { return e.kind == kind && e.what.find(part) != std::string::npos; });
}
} // namespace

TEST_CASE("the round: phases for the facilitator only, the didactic mutes spokes, hands queue, the floor is heard", "[integration][round]") {
    auto world = clinicWorld();
    test::SecureWorld& w = *world;
    ClientSession& fac = w.join(w.mint("Dr. Facil", core::Role::Facilitator));
    ClientSession& spec = w.join(w.mint("Dr. Hepa", core::Role::Specialist));
    ClientSession& ana = w.join(w.mint("Spoke Ana"));
    ClientSession& ben = w.join(w.mint("Spoke Ben"));
    ClientSession& cy = w.join(w.mint("Spoke Cy"));
    const std::vector<ClientSession*> all{&fac, &spec, &ana, &ben, &cy};
    REQUIRE(w.until(5.0, [&] { return std::all_of(all.begin(), all.end(), [](auto* c) { return inRoom(*c); }); }));
    REQUIRE(w.until(3.0, [&] { return allAt(all, 0) && ana.clinic().entries().size() == twoCasePlan().entries.size(); }));
    CHECK(ana.clinic().agenda().phase == sim::Phase::Lobby);
    CHECK(ana.clinic().entries()[kCase1].question == "Treat now, or wait for the elastography?");
    CHECK(ana.clinic().statements().size() == 2);

    // A spoke may not advance the agenda: refused with the reason, audited.
    std::uint64_t before = ana.stats().refusals;
    ana.sendClinic(net::AgendaIntent{net::AgendaIntent::Op::Next, 0});
    REQUIRE(w.until(2.0, [&] { return refused(ana, before, net::IntentKind::Agenda, net::RefusalReason::NotPermitted); }));
    CHECK(audited(w, AuditKind::IntentRefused, "agenda: next"));
    CHECK(ana.clinic().agenda().current == 0);

    fac.sendClinic(net::AgendaIntent{net::AgendaIntent::Op::Next, 0});
    REQUIRE(w.until(2.0, [&] { return allAt(all, kIntro); }));
    fac.sendClinic(net::AgendaIntent{net::AgendaIntent::Op::Next, 0});
    REQUIRE(w.until(2.0, [&] { return allAt(all, kDidactic); }));
    CHECK(cy.clinic().agenda().phase == sim::Phase::Didactic);
    CHECK(cy.clinic().agenda().sessionStartTick > 0);
    CHECK(audited(w, AuditKind::Agenda, "didactic"));

    // The didactic: a spoke's voice is dropped by the server; the hub's is heard.
    const std::uint64_t mutedBefore = w.server->counters().voiceMuted;
    CHECK(heardOf(w, ana, ben, 5) == 0);
    CHECK(w.server->counters().voiceMuted == mutedBefore + 5);
    CHECK(heardOf(w, spec, ben, 5) == 5);

    // Hands, in the order raised, seen by everyone.
    for (ClientSession* s : {&ana, &ben, &cy}) {
        s->sendClinic(net::FloorIntent{net::FloorIntent::Op::Raise, 0});
        const std::uint16_t me = s->self().value;
        REQUIRE(w.until(2.0, [&] { const auto h = handsOf(fac); return std::find(h.begin(), h.end(), me) != h.end(); }));
    }
    const std::vector<std::uint16_t> order{ana.self().value, ben.self().value, cy.self().value};
    REQUIRE(w.until(2.0, [&] { return std::all_of(all.begin(), all.end(), [&](auto* c) { return handsOf(*c) == order; }); }));
    const auto& entries = spec.clinic().hands().entries;
    CHECK(entries[0].sinceTick <= entries[1].sinceTick);
    CHECK(ben.clinic().handPosition(ben.self()) == 2);
    ben.sendClinic(net::FloorIntent{net::FloorIntent::Op::Lower, 0});
    REQUIRE(w.until(2.0, [&] { return handsOf(cy) == std::vector<std::uint16_t>{ana.self().value, cy.self().value}; }));

    // Calling the next: Ana has the floor, is heard (room-wide), leaves the queue.
    fac.sendClinic(net::FloorIntent{net::FloorIntent::Op::CallNext, 0});
    REQUIRE(w.until(2.0, [&] { return cy.clinic().moderation().floor == ana.self() && handsOf(cy).size() == 1; }));
    CHECK(heardOf(w, ana, ben, 5) == 5);
    CHECK(audited(w, AuditKind::Moderation, "floor given"));

    // A late joiner sees the phase and the queue at once.
    ClientSession& late = w.join(w.mint("Spoke Late"));
    REQUIRE(w.until(5.0, [&] { return inRoom(late) && late.clinic().agenda().current == kDidactic && handsOf(late) == std::vector<std::uint16_t>{cy.self().value}; }));
    CHECK(late.clinic().moderation().floor == ana.self());

    // Released: the spoke waits again.
    ana.sendClinic(net::FloorIntent{net::FloorIntent::Op::Release, 0});
    REQUIRE(w.until(2.0, [&] { return !cy.clinic().moderation().floor.valid(); }));
    CHECK(heardOf(w, ana, ben, 5) == 0);
}

TEST_CASE("the round: mute-all with and without self-unmute, lock, removal with a reason, facilitation handed and taken over", "[integration][round]") {
    std::vector<std::string> removed;
    auto world = clinicWorld(0.5, &removed);
    test::SecureWorld& w = *world;
    w.nextUser = 8001;
    ClientSession& fac = w.join(w.mint("Dr. Facil", core::Role::Facilitator)); // 8001
    ClientSession& spec = w.join(w.mint("Dr. Hepa", core::Role::Specialist));  // 8002
    ClientSession& ana = w.join(w.mint("Spoke Ana"));                           // 8003
    ClientSession& ben = w.join(w.mint("Spoke Ben"));                           // 8004
    const std::vector<ClientSession*> all{&fac, &spec, &ana, &ben};
    REQUIRE(w.until(5.0, [&] { return std::all_of(all.begin(), all.end(), [](auto* c) { return inRoom(*c) && c->clinic().agenda().hasPlan; }); }));
    REQUIRE(heardOf(w, ana, ben, 3) == 3); // the lobby: everyone may talk

    // Mute all but the hub, hard: spokes are dropped and cannot unmute themselves.
    fac.sendClinic(moderate(net::ModerateAction::MuteAllButHub, {}, false));
    REQUIRE(w.until(2.0, [&] { return ben.clinic().moderation().muteAll == sim::MuteAll::Hard && ben.clinic().isMuted(ana.self()); }));
    CHECK_FALSE(ben.clinic().isMuted(spec.self()));
    CHECK(heardOf(w, ana, ben, 3) == 0);
    CHECK(heardOf(w, spec, ben, 3) == 3);
    std::uint64_t before = ana.stats().refusals;
    ana.sendClinic(moderate(net::ModerateAction::SelfUnmute));
    REQUIRE(w.until(2.0, [&] { return refused(ana, before, net::IntentKind::Moderate, net::RefusalReason::SelfUnmuteOff); }));

    // With self-unmute: Ana unmutes herself and is heard; Ben stays muted.
    fac.sendClinic(moderate(net::ModerateAction::MuteAllButHub, {}, true));
    REQUIRE(w.until(2.0, [&] { return ana.clinic().moderation().muteAll == sim::MuteAll::SelfUnmute; }));
    ana.sendClinic(moderate(net::ModerateAction::SelfUnmute));
    REQUIRE(w.until(2.0, [&] { return !ben.clinic().isMuted(ana.self()) && ana.clinic().isMuted(ben.self()); }));
    CHECK(heardOf(w, ana, ben, 3) == 3);
    CHECK(heardOf(w, ben, ana, 3) == 0);
    fac.sendClinic(moderate(net::ModerateAction::UnmuteAll));
    REQUIRE(w.until(2.0, [&] { return ana.clinic().moderation().muteAll == sim::MuteAll::Off && !ana.clinic().isMuted(ben.self()); }));

    // Lock: a newcomer is refused; the room says so.
    fac.sendClinic(moderate(net::ModerateAction::Lock));
    REQUIRE(w.until(2.0, [&] { return ben.clinic().moderation().locked; }));
    ClientSession& newcomer = w.join(w.mint("Spoke New")); // 8005
    REQUIRE(w.until(5.0, [&] { return newcomer.state() == ClientState::Refused; }));
    CHECK(newcomer.statusText().find("locked") != std::string::npos);

    // Removal needs a reason; then Ben is gone, his invitation revoked, and refused again.
    before = fac.stats().refusals;
    fac.sendClinic(moderate(net::ModerateAction::Remove, ben.self(), false, ""));
    REQUIRE(w.until(2.0, [&] { return refused(fac, before, net::IntentKind::Moderate, net::RefusalReason::BadText); }));
    fac.sendClinic(moderate(net::ModerateAction::Remove, ben.self(), false, "disruptive"));
    REQUIRE(w.until(3.0, [&] { return ben.state() == ClientState::Disconnected; }));
    CHECK(ben.statusText().find("removed by a moderator") != std::string::npos);
    REQUIRE(removed.size() == 1);
    CHECK(removed[0] == "demo/8004/disruptive");
    CHECK(audited(w, AuditKind::Kicked, "removed by 'Dr. Facil' (user 8001): disruptive"));
    fac.sendClinic(moderate(net::ModerateAction::Unlock));
    REQUIRE(w.until(2.0, [&] { return !ana.clinic().moderation().locked; }));
    w.nextUser = 8004;
    ClientSession& again = w.join(w.mint("Spoke Ben"));
    REQUIRE(w.until(5.0, [&] { return again.state() == ClientState::Refused; }));
    CHECK(again.statusText().find("a moderator removed you") != std::string::npos);

    // Facilitation goes to hub members only; the specialist acts as facilitator.
    before = fac.stats().refusals;
    fac.sendClinic(moderate(net::ModerateAction::HandFacilitation, ana.self()));
    REQUIRE(w.until(2.0, [&] { return refused(fac, before, net::IntentKind::Moderate, net::RefusalReason::NotHub); }));
    fac.sendClinic(moderate(net::ModerateAction::HandFacilitation, spec.self()));
    REQUIRE(w.until(2.0, [&] { return ana.clinic().moderation().facilitator == spec.self(); }));
    spec.sendClinic(net::AgendaIntent{net::AgendaIntent::Op::Next, 0});
    REQUIRE(w.until(2.0, [&] { return ana.clinic().agenda().current == kIntro; }));
    fac.sendClinic(moderate(net::ModerateAction::HandFacilitation, fac.self()));
    fac.sendClinic(moderate(net::ModerateAction::NameCoFacilitator, spec.self()));
    REQUIRE(w.until(2.0, [&] { return ana.clinic().moderation().facilitator == fac.self() && ana.clinic().moderation().coFacilitator == spec.self(); }));

    // The facilitator's link drops (not a goodbye): past the grace the co-facilitator runs it.
    fac.dropLink();
    const bool handed = w.until(5.0, [&] { return ana.clinic().moderation().facilitator == spec.self(); });
    INFO("facilitator now " << ana.clinic().moderation().facilitator.value << ", fac state " << toString(fac.state()) << ", clients " << w.server->clientCount());
    REQUIRE(handed);
    CHECK(audited(w, AuditKind::Moderation, "automatically"));
}

TEST_CASE("the round: recommendations only in their phase, the consensus, questions taken, an identifier held", "[integration][round]") {
    auto world = clinicWorld();
    test::SecureWorld& w = *world;
    ClientSession& fac = w.join(w.mint("Dr. Facil", core::Role::Facilitator));
    ClientSession& spec = w.join(w.mint("Dr. Hepa", core::Role::Specialist));
    ClientSession& ana = w.join(w.mint("Spoke Ana"));
    ClientSession& ben = w.join(w.mint("Spoke Ben"));
    const std::vector<ClientSession*> all{&fac, &spec, &ana, &ben};
    REQUIRE(w.until(5.0, [&] { return std::all_of(all.begin(), all.end(), [](auto* c) { return inRoom(*c) && c->clinic().agenda().hasPlan; }); }));
    auto next = [&](std::uint8_t to) {
        fac.sendClinic(net::AgendaIntent{net::AgendaIntent::Op::Next, 0});
        REQUIRE(w.until(2.0, [&] { return allAt(all, to); }));
    };
    next(kIntro);
    next(kDidactic);
    next(kCase1); // presentation

    // Recommendations wait for their phase: refused, with the reason, audited.
    std::uint64_t before = ana.stats().refusals;
    ana.sendClinic(net::BoardIntent{net::BoardIntent::Op::Post, 0, 1, "Start sofosbuvir/velpatasvir"});
    REQUIRE(w.until(2.0, [&] { return refused(ana, before, net::IntentKind::Board, net::RefusalReason::WrongPhase); }));
    CHECK(audited(w, AuditKind::IntentRefused, "board"));

    next(kCase1 + 1); // clarifying questions
    ana.sendClinic(net::ChatIntent{net::ChatIntent::Op::Ask, 2, 0, "Was a FibroScan done?"});
    REQUIRE(w.until(2.0, [&] { return spec.clinic().questions().entries.size() == 1; }));
    const std::uint32_t line = spec.clinic().questions().entries[0].line;
    CHECK(std::any_of(ben.clinic().chat().begin(), ben.clinic().chat().end(), [&](const sim::ChatLine& l) {
        return l.seq == line && l.kind == sim::ChatKind::Question && l.text == "Was a FibroScan done?" && l.authorName == "Spoke Ana";
    }));
    fac.sendClinic(net::ChatIntent{net::ChatIntent::Op::TakeNext, 3, 0, {}});
    REQUIRE(w.until(2.0, [&] { return spec.clinic().questions().entries.empty(); }));

    // A chat line with a record number is held: back to its author with where, seen by nobody.
    const std::string slip = "her MRN is 48392017, seen last week";
    ben.sendClinic(net::ChatIntent{net::ChatIntent::Op::Say, 4, 0, slip});
    REQUIRE(w.until(2.0, [&] { return !ben.heldTexts().empty(); }));
    const net::TextHeld& held = ben.heldTexts().back();
    CHECK(held.clientSeq == 4);
    REQUIRE_FALSE(held.findings.empty());
    CHECK(slip.substr(held.findings[0].begin, held.findings[0].end - held.findings[0].begin).find("48392017") != std::string::npos);
    w.until(0.3, [] { return false; });
    for (ClientSession* c : all)
        for (const sim::ChatLine& l : c->clinic().chat()) CHECK(l.text.find("48392017") == std::string::npos);
    CHECK(w.server->counters().textsHeld == 1);
    CHECK(audited(w, AuditKind::TextHeld, "kinds mask"));
    for (const AuditEntry& e : w.audit.entries) CHECK(e.what.find("48392017") == std::string::npos);

    next(kCase1 + 2); // recommendations: hub and spokes alike
    ana.sendClinic(net::BoardIntent{net::BoardIntent::Op::Post, 0, 5, "Start sofosbuvir/velpatasvir for 12 weeks"});
    spec.sendClinic(net::BoardIntent{net::BoardIntent::Op::Post, 0, 6, "Check HBV serology before starting"});
    REQUIRE(w.until(2.0, [&] { return ben.clinic().board().size() == 2; }));
    const auto board = ben.clinic().board();
    const auto anas = std::find_if(board.begin(), board.end(), [&](const sim::BoardEntry& e) { return e.authorName == "Spoke Ana"; });
    REQUIRE(anas != board.end());
    CHECK(anas->authorRole == core::Role::Spoke);
    CHECK(anas->caseIndex == 0);
    const std::uint16_t anaEntry = anas->id;
    before = ben.stats().refusals;
    ben.sendClinic(net::BoardIntent{net::BoardIntent::Op::Edit, anaEntry, 7, "Wait"});
    REQUIRE(w.until(2.0, [&] { return refused(ben, before, net::IntentKind::Board, net::RefusalReason::NotAuthor); }));
    ana.sendClinic(net::BoardIntent{net::BoardIntent::Op::Edit, anaEntry, 8, "Start sofosbuvir/velpatasvir for 12 weeks; SVR12 check"});
    REQUIRE(w.until(2.0, [&] {
        const auto b = fac.clinic().board();
        return std::any_of(b.begin(), b.end(), [&](const sim::BoardEntry& e) { return e.id == anaEntry && e.editedTick != 0; });
    }));
    CHECK(audited(w, AuditKind::BoardEdit, "recommendation edited"));

    next(kCase1 + 3); // summary: the facilitator's consensus
    fac.sendClinic(net::BoardIntent{net::BoardIntent::Op::Summary, 0, 9, "Treat now for 12 weeks after HBV serology."});
    REQUIRE(w.until(2.0, [&] {
        const auto b = ana.clinic().board();
        return std::any_of(b.begin(), b.end(), [](const sim::BoardEntry& e) { return e.consensus && e.authorName == "Dr. Facil"; });
    }));

    // A late joiner sees the board as it stands.
    ClientSession& late = w.join(w.mint("Spoke Late"));
    REQUIRE(w.until(5.0, [&] { return inRoom(late) && late.clinic().board().size() == 3 && late.clinic().agenda().current == kCase1 + 3; }));
}
