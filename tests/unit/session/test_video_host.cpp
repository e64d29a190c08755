// The server's video system on its own (session/video_host.h), with a fake
// clock and allowances: who may publish, show lists honoured from the next
// fragment, tiers from the allowance with their hysteresis, still pictures,
// and the key frame relay's rate limit.
#include <catch2/catch.hpp>

#include <map>

#include "session/video_host.h"

using namespace caseroom;
using namespace caseroom::session;

namespace {

sim::ClinicActor actor(std::uint16_t slot, core::Role role) {
    sim::ClinicActor a;
    a.id = core::EntityId{slot};
    a.role = role;
    return a;
}

net::VideoFragment fragment(std::uint16_t publisher, std::uint16_t frame, std::uint8_t layer, bool key, std::uint16_t size = 1000) {
    net::VideoFragment f;
    f.stream = {publisher, net::VideoKind::Camera};
    f.frame = frame;
    f.layer = layer;
    f.keyframe = key;
    f.count = 1;
    f.size = size;
    return f;
}

struct World {
    sim::EventStream events;
    std::map<std::uint16_t, double> allowance;   // bytes per second per viewer
    VideoHost host{&events, [this](std::uint16_t s) { return allowance[s]; }, [](std::uint16_t) { return false; }};
    double now = 0;
    std::uint16_t frame = 0;
    std::vector<std::uint16_t> to;
    VideoHost::Tick tick;

    void publish(std::uint16_t slot, std::uint32_t layers = 3) {
        net::VideoPublish m;
        m.layers = layers;
        REQUIRE_FALSE(host.onPublish(actor(slot, core::Role::Spoke), m, sim::Phase::CasePresentation, 1).has_value());
    }
    // `seconds` of a 15 fps stream in the 0 2 1 2 pattern, a key frame first;
    // base frames 3000 bytes, upper 1000 (on the wire: + 84 per fragment).
    std::map<std::uint16_t, int> run(double seconds, std::uint16_t publisher = 0) {
        std::map<std::uint16_t, int> got;
        const int frames = static_cast<int>(seconds * 15);
        for (int i = 0; i < frames; ++i) {
            static constexpr std::uint8_t kPattern[] = {0, 2, 1, 2};
            const std::uint8_t layer = kPattern[frame % 4];
            const bool key = frame == 0;
            REQUIRE(host.onFragment(publisher, fragment(publisher, frame, layer, key, layer == 0 ? 1100 : 1000), now, to) ==
                    VideoHost::Verdict::Forward);
            for (auto v : to) ++got[v];
            if (layer == 0 && !key)   // base frames are three fragments
                for (int k = 0; k < 2; ++k) {
                    auto f = fragment(publisher, frame, 0, false, 1100);
                    REQUIRE(host.onFragment(publisher, f, now, to) == VideoHost::Verdict::Forward);
                }
            ++frame;
            now += 1.0 / 15.0;
            host.tick(now, 0, tick);
        }
        return got;
    }
};

} // namespace

TEST_CASE("video host: observers may not publish, spokes share no screen in the didactic, refusals name why", "[session][video]") {
    World w;
    net::VideoPublish cam;
    CHECK(w.host.onPublish(actor(1, core::Role::Observer), cam, sim::Phase::CasePresentation, 1) == net::RefusalReason::NotPermitted);
    net::VideoPublish screen;
    screen.kind = net::VideoKind::Screen;
    CHECK(w.host.onPublish(actor(2, core::Role::Spoke), screen, sim::Phase::Didactic, 1) == net::RefusalReason::WrongPhase);
    CHECK_FALSE(w.host.onPublish(actor(3, core::Role::Specialist), screen, sim::Phase::Didactic, 1).has_value());
    CHECK(w.host.streams().size() == 1);
    REQUIRE(w.events.pending().size() == 1);
    CHECK(w.events.pending()[0].kind == sim::RoomEventKind::VideoStarted);
    CHECK(sim::audited(sim::RoomEventKind::VideoStarted));
    // A fragment naming another publisher, or a stream not published.
    CHECK(w.host.onFragment(4, fragment(3, 0, 0, true), 0, w.to) == VideoHost::Verdict::Spoofed);
    CHECK(w.host.onFragment(4, fragment(4, 0, 0, true), 0, w.to) == VideoHost::Verdict::NotPublished);
}

TEST_CASE("video host: only viewers that show a stream get it, from the next frame on, never its publisher", "[session][video]") {
    World w;
    w.publish(0);
    w.allowance[1] = w.allowance[2] = 1e6;
    w.host.onShow(1, net::VideoShow{{{0, net::VideoKind::Camera}}});
    w.host.onShow(0, net::VideoShow{{{0, net::VideoKind::Camera}}});   // its own: ignored
    auto got = w.run(1.0);
    CHECK(got[1] > 0);
    CHECK(got[2] == 0);
    CHECK(got[0] == 0);
    w.host.onShow(1, net::VideoShow{});   // hide: nothing from the next fragment
    w.host.onShow(2, net::VideoShow{{{0, net::VideoKind::Camera}}});
    got = w.run(1.0);
    CHECK(got[1] == 0);
    CHECK(got[2] == 0);   // no key frame yet: its delta frames would not decode
    w.host.onFragment(0, fragment(0, w.frame++, 0, true), w.now, w.to);
    CHECK(w.to == std::vector<std::uint16_t>{2});
    // The publisher leaves: the stream ends and nobody keeps it.
    w.host.leave(0, 2);
    CHECK(w.host.streams().empty());
    CHECK(w.events.pending().back().kind == sim::RoomEventKind::VideoStopped);
}

TEST_CASE("video host: tiers follow the allowance, down at once, up one layer after it fits with a margin", "[session][video]") {
    World w;
    w.publish(0);
    const net::VideoStreamId stream{0, net::VideoKind::Camera};
    w.allowance[1] = 1e6;
    w.host.onShow(1, net::VideoShow{{stream}});
    w.run(4.0);
    auto t = w.host.tierOf(1, stream);
    REQUIRE(t.has_value());
    CHECK(t->tier == net::VideoTier::Full);
    const auto rates = w.host.layerRates(stream);
    CHECK(rates[0] > rates[1]);
    // Room for the base layer only: down at once to it.
    w.allowance[1] = rates[0] * 1.1;
    w.run(0.2);
    t = w.host.tierOf(1, stream);
    CHECK(t->tier == net::VideoTier::Reduced);
    CHECK(t->layers == 1);
    // Only upper layers shed: the base frames still go (one in four frames; `run` counts a frame's first fragment).
    const auto got = w.run(1.0);
    CHECK(got.at(1) >= 3);
    CHECK(got.at(1) <= 4);
    // No room for the base either: a still picture, with a key frame asked every few seconds.
    w.allowance[1] = rates[0] * 0.5;
    w.run(0.2);
    CHECK(w.host.tierOf(1, stream)->tier == net::VideoTier::Still);
    std::size_t asked = 0;
    for (int i = 0; i < 90; ++i) {
        w.run(1.0 / 15.0);
        asked += w.tick.keyframes.size();
    }
    CHECK(asked >= 1);
    CHECK(asked <= 3);   // 6 s at one per 3 s
    // Nothing fits: off.
    w.allowance[1] = 0;
    w.run(0.2);
    CHECK(w.host.tierOf(1, stream)->tier == net::VideoTier::Off);
    // The link recovers: one layer at a time, each after a second of room.
    w.allowance[1] = 1e6;
    w.run(0.5);
    CHECK(w.host.tierOf(1, stream)->layers <= 1);
    w.run(3.0);
    CHECK(w.host.tierOf(1, stream)->tier == net::VideoTier::Full);
    CHECK(w.host.stats().tierChanges >= 5);
}

TEST_CASE("video host: key frame requests reach the publisher at most once per interval per stream", "[session][video]") {
    World w;
    w.publish(0);
    const net::VideoStreamId stream{0, net::VideoKind::Camera};
    for (std::uint16_t v = 1; v <= 3; ++v) {
        w.allowance[v] = 1e6;
        w.host.onShow(v, net::VideoShow{{stream}});
    }
    w.run(1.0);
    int relayed = 0;
    for (int i = 0; i < 40; ++i)   // three viewers asking every 25 ms for a second
        for (std::uint16_t v = 1; v <= 3; ++v)
            if (w.host.onKeyframeRequest(v, stream, w.now + i * 0.025)) ++relayed;
    CHECK(relayed >= 3);
    CHECK(relayed <= 5);   // 1 s / 0.25 s, plus the first
    CHECK(w.host.stats().keyframesLimited > 100);
    CHECK_FALSE(w.host.onKeyframeRequest(9, stream, w.now + 5));   // not a viewer
}
