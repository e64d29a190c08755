// Moderation through the real server core over the loopback twin
// (deterministic: simulated time). Roles are as claimed here, because the
// twin does not authenticate; verified user ids are tested over the secure
// transport in tests/integration/test_moderation.cpp.
//  - mute: the server drops a muted speaker's frames (counted), everyone and
//    late joiners learn the state, unmute restores;
//  - refusals: a spoke cannot mute; nobody moderates themselves or another
//    moderator; each refusal is answered and audited;
//  - remove: the target is disconnected with LeaveReason::Removed, the room
//    sees it leave, and the removal is audited.
#include <catch2/catch.hpp>

#include <algorithm>
#include <memory>
#include <string>

#include "audio/voice_packet.h"
#include "net/loopback_transport.h"
#include "session/client_session.h"
#include "session/server_host.h"
#include "sim/voice_policy.h"

using namespace caseroom;
using namespace caseroom::session;

namespace {
struct World {
    MemoryAudit audit;
    net::LoopbackNetwork net{5};
    std::unique_ptr<net::Transport> serverT = net.createHost(7777);
    ServerHost server{*serverT, [this] { ServerConfig c; c.audit = &audit; return c; }()};
    std::vector<std::unique_ptr<net::Transport>> clientT;
    std::vector<std::unique_ptr<ClientSession>> clients;
    double now = 0;

    ClientSession& add(const std::string& name, core::Role role) {
        clientT.push_back(net.createHost());
        ClientDesc d;
        d.displayName = name;
        d.roomCode = "demo";
        d.role = role;
        clients.push_back(std::make_unique<ClientSession>(*clientT.back(), d));
        clients.back()->connect(net::Address{"loop", 7777}, now);
        return *clients.back();
    }
    void run(double seconds, double step = 1.0 / 120.0) {
        const double end = now + seconds;
        while (now < end) {
            now += step;
            for (auto& c : clients) c->update(now);
            server.update(now);
        }
    }
    // `speaker` sends `frames` voice frames, one per 20 ms.
    void talk(ClientSession& speaker, int frames) {
        audio::VoicePacket p;
        p.size = 40;
        p.bytes.fill(0x11);
        p.bytes[0] = 0x08; // Opus TOC: SILK 20 ms, one frame
        p.level = audio::levelByteFromDb(-20.0f);
        for (int i = 0; i < frames; ++i) {
            p.sequence = static_cast<std::uint16_t>(seq++);
            p.talkStart = i == 0;
            REQUIRE(speaker.sendVoice(p));
            run(0.02);
        }
        run(0.1);
    }
    int seq = 0;
};

bool anyNotice(const std::vector<std::string>& notices, const std::string& text) {
    return std::any_of(notices.begin(), notices.end(), [&](const std::string& n) { return n.find(text) != std::string::npos; });
}
const RemoteAvatar* avatarOf(const ClientSession& viewer, core::EntityId who) {
    for (const auto& a : viewer.avatars())
        if (a.slot == who.value) return &a;
    return nullptr;
}
} // namespace

TEST_CASE("a facilitator mutes a spoke: the server drops their voice, the room and late joiners know", "[session][moderation]") {
    World w;
    ClientSession& fac = w.add("Dr. Facil", core::Role::Facilitator);
    ClientSession& spk = w.add("Spoke Sam", core::Role::Spoke);
    ClientSession& lis = w.add("Spoke Lis", core::Role::Spoke);
    w.run(0.5);
    REQUIRE(lis.state() == ClientState::InRoom);
    int heard = 0;
    lis.setVoiceSink([&](const net::VoiceFrame& f, double) { heard += f.speaker == spk.self().value; });
    w.talk(spk, 10);
    CHECK(heard == 10);

    fac.requestModerate(spk.self().value, net::ModerateAction::Mute);
    w.run(0.2);
    REQUIRE(lis.clinic().isMuted(spk.self())); // the round's moderation object
    REQUIRE(avatarOf(lis, spk.self()));
    CHECK(avatarOf(lis, spk.self())->muted);
    CHECK(anyNotice(lis.takeNotices(), "Spoke Sam was muted by a moderator"));
    CHECK(anyNotice(spk.takeNotices(), "you were muted by a moderator"));
    CHECK(w.server.counters().moderations == 1);
    CHECK(std::any_of(w.audit.entries.begin(), w.audit.entries.end(), [&](const AuditEntry& e) {
        return e.who == "Dr. Facil" && e.kind == AuditKind::Moderation && e.what.find("muted") == 0 &&
               e.what.find("participant " + std::to_string(spk.self().value) + " 'Spoke Sam'") != std::string::npos && e.outcome == "done";
    }));

    heard = 0;
    w.talk(spk, 10); // the client sends; the server, not the client's good will, drops
    CHECK(heard == 0);
    CHECK(w.server.counters().voiceMuted == 10);

    ClientSession& late = w.add("Late Lou", core::Role::Spoke);
    w.run(0.5);
    REQUIRE(avatarOf(late, spk.self()));
    CHECK(avatarOf(late, spk.self())->muted);
    CHECK_FALSE(avatarOf(late, fac.self())->muted);

    fac.requestModerate(spk.self().value, net::ModerateAction::Unmute);
    w.run(0.2);
    CHECK_FALSE(avatarOf(late, spk.self())->muted);
    w.talk(spk, 5);
    CHECK(heard == 5);
}

TEST_CASE("a spoke cannot mute; nobody moderates themselves or another moderator", "[session][moderation]") {
    World w;
    ClientSession& fac = w.add("Dr. Facil", core::Role::Facilitator);
    ClientSession& coord = w.add("Coord", core::Role::Coordinator);
    ClientSession& spk = w.add("Spoke Sam", core::Role::Spoke);
    ClientSession& other = w.add("Spoke Oda", core::Role::Spoke);
    w.run(0.5);
    REQUIRE(other.state() == ClientState::InRoom);
    spk.requestModerate(other.self().value, net::ModerateAction::Mute);
    spk.requestModerate(other.self().value, net::ModerateAction::Remove);
    fac.requestModerate(fac.self().value, net::ModerateAction::Mute);
    fac.requestModerate(coord.self().value, net::ModerateAction::Remove);
    fac.requestModerate(900, net::ModerateAction::Mute);
    w.run(0.3);
    const auto spkNotices = spk.takeNotices();
    CHECK(anyNotice(spkNotices, "moderate refused: not permitted for your role"));
    const auto facNotices = fac.takeNotices();
    CHECK(anyNotice(facNotices, "moderate refused: not on yourself"));
    CHECK(anyNotice(facNotices, "moderate refused: the participant is a moderator"));
    CHECK(anyNotice(facNotices, "moderate refused: no such participant"));
    CHECK(spk.stats().refusals == 2);
    CHECK(w.server.counters().moderations == 0);
    CHECK_FALSE(fac.clinic().isMuted(other.self()));
    CHECK(coord.state() == ClientState::InRoom);
    CHECK(other.state() == ClientState::InRoom);
    CHECK(std::any_of(w.audit.entries.begin(), w.audit.entries.end(), [](const AuditEntry& e) {
        return e.who == "Spoke Sam" && e.what.find("mute participant") == 0 && e.outcome.find("refused: not permitted for your role (spoke") == 0;
    }));
    // The spoke's failed attempt changed nothing: Oda is still heard.
    int heard = 0;
    spk.setVoiceSink([&](const net::VoiceFrame& f, double) { heard += f.speaker == other.self().value; });
    w.talk(other, 5);
    CHECK(heard == 5);
}

TEST_CASE("remove: the target is disconnected as removed and the room sees it leave", "[session][moderation]") {
    World w;
    ClientSession& fac = w.add("Dr. Facil", core::Role::Facilitator);
    ClientSession& spk = w.add("Spoke Sam", core::Role::Spoke);
    ClientSession& lis = w.add("Spoke Lis", core::Role::Spoke);
    w.run(0.5);
    REQUIRE(spk.state() == ClientState::InRoom);
    const core::EntityId gone = spk.self();
    (void)lis.takeNotices();
    fac.requestModerate(gone.value, net::ModerateAction::Remove, "disruptive");
    w.run(0.5);
    CHECK(spk.state() == ClientState::Disconnected);
    CHECK(spk.statusText().find("removed by a moderator") != std::string::npos);
    CHECK(anyNotice(lis.takeNotices(), "Spoke Sam left (removed by a moderator)"));
    CHECK(w.server.room("demo")->find(gone) == nullptr);
    CHECK(w.server.room("demo")->population() == 2);
    CHECK(w.server.clientCount() == 2);
    CHECK(avatarOf(lis, gone) == nullptr);
    CHECK(std::any_of(w.audit.entries.begin(), w.audit.entries.end(), [&](const AuditEntry& e) {
        return e.who == "Spoke Sam" && e.kind == AuditKind::Kicked && e.what == "removed by 'Dr. Facil' (user 0): disruptive" &&
               e.outcome == "done";
    }));
}

TEST_CASE("voice authority: a claimed level is bounded, malformed Opus is dropped and counted", "[session][voice]") {
    World w;
    ClientSession& spk = w.add("Spoke Sam", core::Role::Spoke);
    ClientSession& lis = w.add("Spoke Lis", core::Role::Spoke);
    w.run(0.5);
    REQUIRE(lis.state() == ClientState::InRoom);
    std::vector<std::uint8_t> levels;
    lis.setVoiceSink([&](const net::VoiceFrame& f, double) { levels.push_back(f.level); });
    audio::VoicePacket p;
    p.size = 60;
    p.bytes[0] = 0x08; // Opus TOC: SILK 20 ms, one frame
    p.level = 255;     // "0 dBFS", every frame
    for (int i = 0; i < 40; ++i) {
        p.sequence = static_cast<std::uint16_t>(i);
        REQUIRE(spk.sendVoice(p));
        w.run(0.02);
    }
    w.run(0.1);
    REQUIRE(levels.size() == 40);
    CHECK(core::levelByteToDb(levels.front()) < -20.0f); // a talkspurt's level starts low...
    for (std::size_t i = 1; i < levels.size(); ++i) CHECK(levels[i] >= levels[i - 1]);
    CHECK(core::levelByteToDb(levels.back()) == Approx(sim::kVoiceLevelCeilingDb).margin(0.5)); // ...and stops at the ceiling
    CHECK(w.server.counters().voiceLevelClamped == 40);

    // Bytes no Opus decoder accepts, and a 10 ms packet declared as 20 ms.
    const std::size_t before = levels.size();
    const std::uint64_t malformed = w.server.counters().malformed;
    p.level = audio::levelByteFromDb(-30.0f);
    p.bytes[0] = 0x09; // code 1 (two equal frames) with an odd payload of 59 bytes
    REQUIRE(spk.sendVoice(p));
    p.bytes[0] = 0x00; // SILK 10 ms, in a 20 ms frame
    REQUIRE(spk.sendVoice(p));
    w.run(0.2);
    CHECK(levels.size() == before);
    CHECK(w.server.counters().voiceBadCodec == 2);
    CHECK(w.server.counters().malformed == malformed + 2);
}
