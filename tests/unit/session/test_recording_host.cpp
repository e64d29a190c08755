// The recorder (session/recording_host.h) over a real recording file: what
// goes in while live, what a pause keeps out (avatars, voice, events, and
// objects that changed while paused, also from later keyframes), the case
// entries of the agenda scrubbed under the didactic-only policy, names and
// voices only of those who acknowledged, and keyframes on resume and at the
// interval.
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

#include "record/recording.h"
#include "session/clinic_wire.h"
#include "session/recording_host.h"
#include "session/recording_wire.h"
#include "temp_dir.h"

using namespace caseroom;
using namespace caseroom::session;

namespace {
record::Key testKey() {
    record::Key k{};
    for (std::size_t i = 0; i < k.size(); ++i) k[i] = static_cast<std::uint8_t>(i * 7 + 1);
    return k;
}

sim::ClinicActor actor(std::uint16_t slot, core::Role role) {
    sim::ClinicActor a;
    a.id = core::EntityId{slot};
    a.role = role;
    return a;
}

struct Rig {
    testing::TempDir dir;
    std::string path = dir.file("room.crrec");
    sim::EventStream events;
    std::unique_ptr<RecordingHost> host;
    net::ObjectTable objects;
    std::string names[2] = {"Dr. Hub", "Dr. Spoke"};
    std::vector<RecordedSlot> present;
    std::uint32_t tick = 0;
    Rig() {
        RecordingConfig cfg;
        cfg.keyframeTicks = 60;
        cfg.open = [this](const record::RecordingInfo& info) {
            record::WriterConfig wc;
            wc.path = path;
            wc.key = testKey();
            wc.info = info;
            return record::RecordingWriter::create(wc);
        };
        record::RecordingInfo info;
        info.room = "hcv";
        info.title = "HCV ECHO";
        host = std::make_unique<RecordingHost>(&events, cfg, info);
        for (std::uint16_t s = 0; s < 2; ++s) {
            RecordedSlot r;
            r.slot = s;
            r.instance = 1u + s;
            r.role = s == 0 ? core::Role::Facilitator : core::Role::Spoke;
            r.name = &names[s];
            r.state.body = {1000 * s, 0, 500};
            present.push_back(r);
        }
    }
    void setObject(net::ObjectKind kind, std::uint16_t id, std::string_view text) {
        std::vector<std::uint8_t> bytes(text.begin(), text.end());
        REQUIRE(objects.set({kind, id}, bytes));
    }
    // One tick: phase, avatars move, voice from both, capture.
    void step(sim::Phase phase, double now) {
        ++tick;
        host->onPhase(phase, tick);
        host->publish(objects);
        for (auto& p : present) p.state.body.x += 3;
        const std::uint8_t opus[] = {0x48, 0x01, 0x02, static_cast<std::uint8_t>(tick)};
        host->voice(0, static_cast<std::uint16_t>(tick), 200, 20, false, opus, now);
        host->voice(1, static_cast<std::uint16_t>(tick), 180, 20, false, opus, now);
        std::vector<sim::RoomEvent> drained;
        events.drain(drained);
        host->capture(tick, now, present, objects, drained);
    }
};
} // namespace

TEST_CASE("the recorder keeps the live stretches only, and names and voices of those who acknowledged", "[session][recording]") {
    Rig rig;
    // Case entries of the plan, published before the recording starts.
    sim::AgendaEntry didactic;
    didactic.phase = sim::Phase::Didactic;
    didactic.title = "Didactic: HCV in pregnancy";
    sim::AgendaEntry casePresentation;
    casePresentation.phase = sim::Phase::CasePresentation;
    casePresentation.title = "Case 1: 54-year-old, genotype 3";
    casePresentation.presenter = "Dr. Spoke";
    casePresentation.question = "Treat now or wait for the transplant list?";
    net::ObjectBytes eb;
    REQUIRE(encodeAgendaEntry(didactic, eb));
    REQUIRE(rig.objects.set({net::ObjectKind::AgendaEntry, 0}, eb.view()));
    REQUIRE(encodeAgendaEntry(casePresentation, eb));
    REQUIRE(rig.objects.set({net::ObjectKind::AgendaEntry, 1}, eb.view()));
    rig.setObject(net::ObjectKind::ChatLine, 1, "welcome everyone");

    REQUIRE_FALSE(rig.host->onIntent(actor(0, core::Role::Facilitator), {net::RecordingIntent::Op::Start, 0}, sim::Phase::Didactic, 1, 1'700'000'000));
    REQUIRE(rig.host->recording());
    const std::uint16_t epoch = rig.host->system().state().epoch;
    REQUIRE_FALSE(rig.host->onIntent(actor(0, core::Role::Facilitator), {net::RecordingIntent::Op::Acknowledge, epoch}, sim::Phase::Didactic, 1, 0));
    double now = 100.0;
    for (int i = 0; i < 30; ++i) rig.step(sim::Phase::Didactic, now += 1.0 / 30);
    // The spoke acknowledges: from now on their name and voice are kept.
    REQUIRE_FALSE(rig.host->onIntent(actor(1, core::Role::Spoke), {net::RecordingIntent::Op::Acknowledge, epoch}, sim::Phase::Didactic, rig.tick, 0));
    for (int i = 0; i < 30; ++i) rig.step(sim::Phase::Didactic, now += 1.0 / 30);
    const std::uint32_t liveUntil = rig.tick;
    // The case: paused; what changes now stays out.
    rig.setObject(net::ObjectKind::BoardEntry, 7, "case board: start sofosbuvir");
    rig.setObject(net::ObjectKind::ChatLine, 1, "the patient lives in Farmington");
    for (int i = 0; i < 45; ++i) rig.step(sim::Phase::CaseQuestions, now += 1.0 / 30);
    const std::uint32_t pausedUntil = rig.tick;
    // Back in a didactic: live again from a keyframe.
    for (int i = 0; i < 20; ++i) rig.step(sim::Phase::Didactic, now += 1.0 / 30);
    rig.setObject(net::ObjectKind::ChatLine, 1, "thanks, next week: cirrhosis");
    for (int i = 0; i < 80; ++i) rig.step(sim::Phase::Didactic, now += 1.0 / 30);
    REQUIRE_FALSE(rig.host->onIntent(actor(0, core::Role::Facilitator), {net::RecordingIntent::Op::Stop, 0}, sim::Phase::Didactic, rig.tick, 0));
    CHECK_FALSE(rig.host->recording());
    CHECK(rig.host->stats().objectsWithheld == 2);

    auto reader = record::RecordingReader::open(rig.path, testKey());
    REQUIRE(reader);
    const record::ReaderSummary& sum = (*reader)->summary();
    CHECK(sum.closed);
    CHECK(sum.damage.empty());
    REQUIRE_FALSE(sum.pauses.empty());

    std::set<std::uint32_t> ticks;
    std::size_t keyframes = 0, voiceHub = 0, voiceSpoke = 0;
    bool spokeNamed = false, spokeUnnamed = false;
    std::vector<std::string> objectTexts;
    std::vector<std::uint8_t> caseEntry;
    auto seeObject = [&](const record::ObjectSample& o) {
        if (o.kind == static_cast<std::uint8_t>(net::ObjectKind::AgendaEntry) && o.id == 1) caseEntry = o.bytes;
        if (o.kind == static_cast<std::uint8_t>(net::ObjectKind::ChatLine) || o.kind == static_cast<std::uint8_t>(net::ObjectKind::BoardEntry))
            objectTexts.emplace_back(o.bytes.begin(), o.bytes.end());
    };
    auto seePresent = [&](const record::Present& p) {
        if (p.slot != 1) return;
        if (p.name.empty()) spokeUnnamed = true;
        else { CHECK(p.name == "Dr. Spoke"); spokeNamed = true; }
    };
    for (std::size_t i = 0; i < (*reader)->blocks().size(); ++i) {
        auto b = (*reader)->read(i);
        REQUIRE(b);
        if (b->keyframe) {
            ++keyframes;
            CHECK((b->keyframe->tick <= liveUntil || b->keyframe->tick > pausedUntil));
            for (const auto& p : b->keyframe->present) seePresent(p);
            for (const auto& o : b->keyframe->objects) seeObject(o);
        }
        for (const record::TickRecord& t : b->ticks) {
            ticks.insert(t.tick);
            for (const auto& p : t.joined) seePresent(p);
            for (const auto& o : t.objects) seeObject(o);
            for (const auto& v : t.voice) (v.slot == 0 ? voiceHub : voiceSpoke)++;
        }
    }
    // Nothing of the paused stretch.
    for (std::uint32_t t = liveUntil + 1; t <= pausedUntil; ++t) CHECK(ticks.count(t) == 0);
    CHECK(ticks.count(liveUntil) == 1);
    CHECK(ticks.count(pausedUntil + 1) == 1);
    // Keyframes: at the start, on resuming, and every 60 ticks while live.
    CHECK(keyframes >= 3);
    // The hub's voice from the start; the spoke's only after acknowledging (30 ticks later), and not while paused.
    CHECK(voiceHub == 60 + 100);
    CHECK(voiceSpoke == 30 + 100);
    CHECK(spokeUnnamed);
    CHECK(spokeNamed);
    // The chat from the live stretches only: the paused change and the case board never.
    CHECK(std::find(objectTexts.begin(), objectTexts.end(), "welcome everyone") != objectTexts.end());
    CHECK(std::find(objectTexts.begin(), objectTexts.end(), "thanks, next week: cirrhosis") != objectTexts.end());
    CHECK(std::find(objectTexts.begin(), objectTexts.end(), "the patient lives in Farmington") == objectTexts.end());
    CHECK(std::find(objectTexts.begin(), objectTexts.end(), "case board: start sofosbuvir") == objectTexts.end());
    // The case's agenda entry without its title, presenter and question.
    REQUIRE_FALSE(caseEntry.empty());
    const auto e = decodeAgendaEntry(caseEntry);
    REQUIRE(e);
    CHECK(e->title == "Case 1");
    CHECK(e->presenter.empty());
    CHECK(e->question.empty());
}

TEST_CASE("a server that cannot record refuses a start; a spoke is told it is not permitted", "[session][recording]") {
    sim::EventStream events;
    RecordingHost host(&events, RecordingConfig{}, record::RecordingInfo{});
    CHECK(host.onIntent(actor(1, core::Role::Spoke), {net::RecordingIntent::Op::Start, 0}, sim::Phase::Didactic, 1, 0) ==
          net::RefusalReason::NotPermitted);
    CHECK(host.onIntent(actor(0, core::Role::Facilitator), {net::RecordingIntent::Op::Start, 0}, sim::Phase::Didactic, 1, 0) ==
          net::RefusalReason::NoRecorder);
    CHECK(host.system().state().status == sim::RecordingStatus::Off);
}
