// The recorder (session/recording_host.h) over a real recording file: what
// goes in while live, what a pause keeps out (avatars, voice, events, and
// objects that changed while paused, also from later keyframes), the case
// entries of the agenda scrubbed under the didactic-only policy, names and
// voices only of those who acknowledged, and keyframes on resume and at the
// interval. Video: screens while live from a key frame on, cameras only
// where the program allows them, nobody's who has not acknowledged, and the
// Video objects of streams not recorded kept out of the file.
#include <functional>
#include <map>
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

#include "record/recording.h"
#include "session/clinic_wire.h"
#include "session/recording_host.h"
#include "session/recording_wire.h"
#include "session/video_host.h"
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
    std::function<void(double now)> beforeCapture;   // e.g. video fragments arriving in the tick
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
        if (beforeCapture) beforeCapture(now);
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

// ---- video ------------------------------------------------------------------------

namespace {

net::VideoStreamId streamOf(std::uint16_t publisher, net::VideoKind kind) {
    net::VideoStreamId id;
    id.publisher = publisher;
    id.kind = kind;
    return id;
}

// A publisher's stream as the server sees it: its Video object in the table,
// and per tick one frame of two fragments, a key frame every `keyEvery`
// frames (0: only when asked, as the VP8 encoder does).
struct Publisher {
    net::VideoStreamId stream;
    std::uint32_t keyEvery = 0;
    std::uint16_t frame = 0;
    bool keyAsked = false;
    void publish(net::ObjectTable& objects) const {
        VideoStreamInfo info;
        info.stream = stream;
        info.width = 640;
        info.height = 360;
        info.fps = 30;
        info.layers = 1;
        net::ObjectBytes b;
        REQUIRE(encodeVideoObject(info, b));
        REQUIRE(objects.set({net::ObjectKind::Video, stream.packed()}, b.view()));
    }
    // Sends this tick's frame to the recorder as the server forwards it.
    void send(RecordingHost& host, double now) {
        const bool key = keyAsked || (keyEvery != 0 && frame % keyEvery == 0);
        keyAsked = false;
        for (std::uint8_t i = 0; i < 2; ++i) {
            net::VideoFragmentMsg m;
            m.fragment.stream = stream;
            m.fragment.frame = frame;
            m.fragment.keyframe = key;
            m.fragment.index = i;
            m.fragment.count = 2;
            m.fragment.ptsMs = frame * 33u;
            m.fragment.size = static_cast<std::uint16_t>(key ? 900 : 120);
            for (std::uint16_t b = 0; b < m.fragment.size; ++b) m.fragment.bytes[b] = static_cast<std::uint8_t>(frame + b);
            const auto wire = net::encodeMessage(net::Message{m});
            REQUIRE_FALSE(wire.empty());
            host.video(m.fragment, wire, now);
        }
        ++frame;
    }
};

// What a recording holds of video: fragments by stream (decoded from the
// recorded message bytes), the Video objects written (present or removed),
// and the ticks each stream has fragments in.
struct VideoInFile {
    std::map<std::uint16_t, std::vector<net::VideoFragment>> fragments;
    std::map<std::uint16_t, std::set<std::uint32_t>> ticks;
    std::set<std::uint16_t> objects, removed;
    std::size_t undecodable = 0;
};

VideoInFile videoIn(const std::string& path) {
    VideoInFile v;
    auto reader = record::RecordingReader::open(path, testKey());
    REQUIRE(reader);
    REQUIRE((*reader)->summary().damage.empty());
    auto seeObject = [&](const record::ObjectSample& o) {
        if (o.kind != static_cast<std::uint8_t>(net::ObjectKind::Video)) return;
        (o.removed ? v.removed : v.objects).insert(o.id);
        if (!o.removed) CHECK(decodeVideoObject({net::ObjectKind::Video, o.id}, o.bytes));
    };
    for (std::size_t i = 0; i < (*reader)->blocks().size(); ++i) {
        auto b = (*reader)->read(i);
        REQUIRE(b);
        if (b->keyframe)
            for (const auto& o : b->keyframe->objects) seeObject(o);
        for (const record::TickRecord& t : b->ticks) {
            for (const auto& o : t.objects) seeObject(o);
            for (const record::VideoSample& s : t.video) {
                const net::DecodeResult d = net::decodeMessage(s.wire, net::Channel::Video);
                const auto* m = d.ok ? std::get_if<net::VideoFragmentMsg>(&d.message) : nullptr;
                if (!m) { ++v.undecodable; continue; }
                CHECK(m->fragment.stream.packed() == s.stream);
                v.fragments[s.stream].push_back(m->fragment);
                v.ticks[s.stream].insert(t.tick);
            }
        }
    }
    return v;
}

void start(Rig& rig, std::initializer_list<std::uint16_t> acknowledging) {
    REQUIRE_FALSE(rig.host->onIntent(actor(0, core::Role::Facilitator), {net::RecordingIntent::Op::Start, 0}, sim::Phase::Didactic, 1, 1'700'000'000));
    REQUIRE(rig.host->recording());
    const std::uint16_t epoch = rig.host->system().state().epoch;
    for (std::uint16_t slot : acknowledging)
        REQUIRE_FALSE(rig.host->onIntent(actor(slot, slot == 0 ? core::Role::Facilitator : core::Role::Spoke),
                                         {net::RecordingIntent::Op::Acknowledge, epoch}, sim::Phase::Didactic, rig.tick, 0));
}

void stop(Rig& rig) {
    REQUIRE_FALSE(rig.host->onIntent(actor(0, core::Role::Facilitator), {net::RecordingIntent::Op::Stop, 0}, sim::Phase::Didactic, rig.tick, 0));
}

} // namespace

TEST_CASE("a screen is recorded while live, from a key frame on; nothing of it while paused", "[session][recording][video]") {
    Rig rig;
    Publisher screen{streamOf(0, net::VideoKind::Screen)};   // key frames only when asked
    screen.publish(rig.objects);
    std::vector<net::VideoStreamId> asked;
    double now = 50.0;
    rig.beforeCapture = [&](double t) { screen.send(*rig.host, t); };
    auto answer = [&](double t) {   // the server's side: the recorder's asks reach the publisher
        for (const auto& s : rig.host->keyframesWanted(t)) {
            asked.push_back(s);
            if (s == screen.stream) screen.keyAsked = true;
        }
    };
    // Not recording: the fragments go nowhere.
    for (int i = 0; i < 5; ++i) { rig.step(sim::Phase::Didactic, now += 1.0 / 30); answer(now); }
    CHECK(rig.host->stats().videoFragments == 0);
    CHECK(asked.empty());

    start(rig, {0, 1});
    const std::uint32_t started = rig.tick;
    for (int i = 0; i < 40; ++i) { rig.step(sim::Phase::Didactic, now += 1.0 / 30); answer(now); }
    const std::uint32_t liveUntil = rig.tick;
    REQUIRE_FALSE(asked.empty());   // the recorder asked for the key frame it starts at
    CHECK(asked.front() == screen.stream);
    for (int i = 0; i < 30; ++i) { rig.step(sim::Phase::CaseQuestions, now += 1.0 / 30); answer(now); }
    const std::uint32_t pausedUntil = rig.tick;
    const std::size_t askedBeforeResume = asked.size();
    for (int i = 0; i < 40; ++i) { rig.step(sim::Phase::Didactic, now += 1.0 / 30); answer(now); }
    CHECK(asked.size() > askedBeforeResume);   // and again on resuming
    stop(rig);
    const RecorderStats& st = rig.host->stats();
    CHECK(st.videoKeyframesAsked == asked.size());

    const VideoInFile v = videoIn(rig.path);
    CHECK(v.undecodable == 0);
    REQUIRE(v.fragments.size() == 1);
    const auto& frags = v.fragments.at(screen.stream.packed());
    CHECK(frags.size() == st.videoFragments);
    CHECK(st.videoWithheld > 0);
    CHECK(st.videoDropped == 0);
    // Live ticks only, and each live stretch opens with a key frame.
    for (std::uint32_t t : v.ticks.at(screen.stream.packed())) CHECK((t > started && (t <= liveUntil || t > pausedUntil)));
    REQUIRE_FALSE(frags.empty());
    CHECK(frags.front().keyframe);
    bool resumedAtKey = false, sawPaused = false;
    for (std::size_t i = 1; i < frags.size(); ++i) {
        // Frames follow one another except across the pause, which resumes at a key frame.
        const auto gap = static_cast<std::uint16_t>(frags[i].frame - frags[i - 1].frame);
        if (gap > 1) { sawPaused = true; resumedAtKey = frags[i].keyframe; }
    }
    CHECK(sawPaused);
    CHECK(resumedAtKey);
    // Its Video object is in the file (a screen is recorded).
    CHECK(v.objects.count(screen.stream.packed()) == 1);
}

TEST_CASE("cameras only where the program allows them; nobody's video before they acknowledge", "[session][recording][video]") {
    for (const bool allowCameras : {false, true}) {
        DYNAMIC_SECTION("cameras " << (allowCameras ? "allowed" : "not allowed")) {
            Rig rig;
            rig.host->setCameras(allowCameras);
            Publisher hubCamera{streamOf(0, net::VideoKind::Camera), 10};
            Publisher spokeScreen{streamOf(1, net::VideoKind::Screen), 10};
            Publisher spokeCamera{streamOf(1, net::VideoKind::Camera), 10};
            for (const Publisher* p : {&hubCamera, &spokeScreen, &spokeCamera}) p->publish(rig.objects);
            rig.beforeCapture = [&](double t) {
                for (Publisher* p : {&hubCamera, &spokeScreen, &spokeCamera}) p->send(*rig.host, t);
            };
            double now = 10.0;
            start(rig, {0});   // the spoke has not acknowledged yet
            for (int i = 0; i < 30; ++i) rig.step(sim::Phase::Didactic, now += 1.0 / 30);
            const std::uint32_t ackAt = rig.tick;
            REQUIRE_FALSE(rig.host->onIntent(actor(1, core::Role::Spoke),
                                             {net::RecordingIntent::Op::Acknowledge, rig.host->system().state().epoch},
                                             sim::Phase::Didactic, rig.tick, 0));
            for (int i = 0; i < 30; ++i) rig.step(sim::Phase::Didactic, now += 1.0 / 30);
            stop(rig);

            const VideoInFile v = videoIn(rig.path);
            const std::uint16_t hubCam = hubCamera.stream.packed(), spokeScr = spokeScreen.stream.packed(),
                                spokeCam = spokeCamera.stream.packed();
            // The spoke's screen: only after they acknowledged, from a key frame; its object likewise.
            REQUIRE(v.ticks.count(spokeScr) == 1);
            CHECK(*v.ticks.at(spokeScr).begin() > ackAt);
            CHECK(v.fragments.at(spokeScr).front().keyframe);
            CHECK(v.objects.count(spokeScr) == 1);
            if (allowCameras) {
                // The hub's camera from the start; the spoke's after acknowledging.
                REQUIRE(v.ticks.count(hubCam) == 1);
                CHECK(*v.ticks.at(hubCam).begin() <= ackAt);
                REQUIRE(v.ticks.count(spokeCam) == 1);
                CHECK(*v.ticks.at(spokeCam).begin() > ackAt);
                CHECK(v.objects.count(hubCam) == 1);
                CHECK(v.objects.count(spokeCam) == 1);
            } else {
                // No camera: neither its pictures nor its Video object.
                CHECK(v.fragments.count(hubCam) == 0);
                CHECK(v.fragments.count(spokeCam) == 0);
                CHECK(v.objects.count(hubCam) == 0);
                CHECK(v.objects.count(spokeCam) == 0);
                CHECK(rig.host->stats().objectsWithheld >= 2);
            }
            for (const auto& [id, frags] : v.fragments)
                for (const auto& f : frags) CHECK(f.stream.packed() == id);
        }
    }
}

TEST_CASE("a camera the program stops allowing leaves the recording: its object removed, its fragments withheld", "[session][recording][video]") {
    Rig rig;
    rig.host->setCameras(true);
    Publisher camera{streamOf(0, net::VideoKind::Camera), 15};
    camera.publish(rig.objects);
    rig.beforeCapture = [&](double t) { camera.send(*rig.host, t); };
    double now = 0.0;
    start(rig, {0, 1});
    for (int i = 0; i < 30; ++i) rig.step(sim::Phase::Didactic, now += 1.0 / 30);
    const std::uint32_t allowedUntil = rig.tick;
    const auto recordedBefore = rig.host->stats().videoFragments;
    CHECK(recordedBefore > 0);
    rig.host->setCameras(false);   // a new session's plan of a program that does not allow them
    for (int i = 0; i < 30; ++i) rig.step(sim::Phase::Didactic, now += 1.0 / 30);
    CHECK(rig.host->stats().videoFragments == recordedBefore);
    stop(rig);
    const VideoInFile v = videoIn(rig.path);
    CHECK(v.objects.count(camera.stream.packed()) == 1);
    CHECK(v.removed.count(camera.stream.packed()) == 1);
    for (std::uint32_t t : v.ticks.at(camera.stream.packed())) CHECK(t <= allowedUntil);
}
