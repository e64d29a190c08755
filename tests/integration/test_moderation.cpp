// Verified identity and moderation over the product's transport: a secure
// ServerHost on 127.0.0.1 (real ENet, sealed channels), clients joined with
// minted tokens.
//  - F-16: two tokens minted with one display name join as two people, each
//    announced with the user id its token carries (joiners and late joiners);
//  - a facilitator mutes a spoke and the listener hears none of their frames;
//  - a removed user is disconnected as removed, and a fresh token for the same
//    user id is refused by the room.
// Real time (real sockets): each case runs a second or two.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include "audio/voice_packet.h"
#include "integration/secure_fixture.h"

using namespace caseroom;
using namespace caseroom::session;

namespace {
bool inRoom(const ClientSession& c) { return c.state() == ClientState::InRoom; }
const RemoteAvatar* avatarOf(const ClientSession& viewer, core::EntityId who) {
    for (const auto& a : viewer.avatars())
        if (a.slot == who.value) return &a;
    return nullptr;
}
} // namespace

TEST_CASE("two people with one display name stay two: each is announced with its token's user id", "[integration][identity]") {
    test::SecureWorld w;
    w.nextUser = 5001;
    ClientSession& lee1 = w.join(w.mint("Dr. Lee")); // user 5001
    ClientSession& lee2 = w.join(w.mint("Dr. Lee")); // user 5002
    REQUIRE(w.until(5.0, [&] { return inRoom(lee1) && inRoom(lee2); }));
    ClientSession& late = w.join(w.mint("Late Lou")); // user 5003
    REQUIRE(w.until(5.0, [&] {
        return inRoom(late) && avatarOf(late, lee1.self()) && avatarOf(late, lee2.self()) && avatarOf(lee1, lee2.self());
    }));
    CHECK(lee1.self() != lee2.self());
    // Late joiner: both Dr. Lees, told apart by the verified user id.
    CHECK(avatarOf(late, lee1.self())->name == "Dr. Lee");
    CHECK(avatarOf(late, lee2.self())->name == "Dr. Lee");
    CHECK(avatarOf(late, lee1.self())->userId == 5001);
    CHECK(avatarOf(late, lee2.self())->userId == 5002);
    // Those already there learn the newcomer's id too.
    CHECK(avatarOf(lee1, lee2.self())->userId == 5002);
    REQUIRE(w.until(2.0, [&] { return avatarOf(lee1, late.self()) != nullptr; }));
    CHECK(avatarOf(lee1, late.self())->userId == 5003);
    CHECK(w.server->room("demo")->find(lee2.self())->userId == 5002);
}

TEST_CASE("over the secure transport: a muted spoke is not forwarded, a removed user cannot come back", "[integration][moderation]") {
    test::SecureWorld w;
    w.nextUser = 7001;
    ClientSession& fac = w.join(w.mint("Dr. Facil", core::Role::Facilitator)); // 7001
    ClientSession& spk = w.join(w.mint("Spoke Sam"));                           // 7002
    ClientSession& lis = w.join(w.mint("Spoke Lis"));                           // 7003
    REQUIRE(w.until(5.0, [&] { return inRoom(fac) && inRoom(spk) && inRoom(lis); }));
    int heard = 0;
    lis.setVoiceSink([&](const net::VoiceFrame& f, double) { heard += f.speaker == spk.self().value; });
    audio::VoicePacket p;
    p.size = 60;
    p.bytes[0] = 0x08; // Opus TOC: SILK 20 ms, one frame
    p.level = audio::levelByteFromDb(-20.0f);
    std::uint16_t seq = 0;
    auto talk = [&](int frames) {
        for (int i = 0; i < frames; ++i) {
            p.sequence = seq++;
            REQUIRE(spk.sendVoice(p));
            w.until(0.02, [] { return false; });
        }
        w.until(0.2, [] { return false; });
    };
    talk(10);
    CHECK(heard == 10); // real sockets on loopback: nothing lost

    fac.requestModerate(spk.self().value, net::ModerateAction::Mute);
    REQUIRE(w.until(2.0, [&] { return avatarOf(lis, spk.self()) && avatarOf(lis, spk.self())->muted; }));
    heard = 0;
    talk(10);
    CHECK(heard == 0);
    CHECK(w.server->counters().voiceMuted == 10);

    fac.requestModerate(spk.self().value, net::ModerateAction::Remove, "disruptive");
    REQUIRE(w.until(3.0, [&] { return spk.state() == ClientState::Disconnected; }));
    CHECK(spk.statusText().find("removed by a moderator") != std::string::npos);
    CHECK(std::any_of(w.audit.entries.begin(), w.audit.entries.end(), [&](const AuditEntry& e) {
        return e.userId == 7002 && e.kind == AuditKind::Kicked && e.what == "removed by 'Dr. Facil' (user 7001): disruptive" &&
               e.outcome == "done";
    }));
    // A fresh token for the same person: the room refuses them.
    w.nextUser = 7002;
    ClientSession& again = w.join(w.mint("Spoke Sam"));
    REQUIRE(w.until(5.0, [&] { return again.state() == ClientState::Refused; }));
    CHECK(again.statusText().find("a moderator removed you from this room") != std::string::npos);
}
