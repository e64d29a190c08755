// The client's consumers of server messages: a real ClientSession joined to
// a hostile "server" over the loopback twin. The server side is the input: it
// sends any bytes on any channel (most of them decodable messages, from the
// seeds: JoinAccepted, RoomLayout, ParticipantJoined/Left, Snapshot,
// VoiceFrame, IntentRefused, JoinRefused), in any order and at any time,
// while the client ticks, walks, asks to sit and stand, and sends voice.
// Input: repeated operations until the input runs out (at most 400):
//   0 [u8 channel][u8 reliable][u16 len][len bytes]   the server sends a packet
//   1 [u8 ms]                                          time passes; the client updates
//   2 [u8 x][u8 z][u8 yaw]                             the client's walking intent
//   3 [u16 seat]                                       the client asks to sit
//   4                                                  the client asks to stand
//   5 [u8 size]                                        the client sends a voice frame
//   6 [u8 reason]                                      the server disconnects the client
// Properties: nothing crashes and no UB (sanitizers); the client's view stays
// self-consistent: at most one avatar is its own, every avatar has a slot
// below kMaxEntities, poses are finite, and every voice frame handed on has
// a size within the wire limit.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <span>
#include <vector>

#include "fuzz_common.h"
#include "net/loopback_transport.h"
#include "net/messages.h"
#include "session/client_session.h"

using namespace caseroom;

namespace {
using Reader = caseroom::fuzz::InputReader;

void checkView(const session::ClientSession& c) {
    std::size_t selves = 0;
    for (const session::RemoteAvatar& a : c.avatars()) {
        if (a.slot >= net::kMaxEntities) std::abort();
        selves += a.self;
        if (a.hasPose && !(std::isfinite(a.pose.body.x) && std::isfinite(a.pose.body.z))) std::abort();
    }
    if (selves > 1) std::abort();
    if (c.selfPose() && !(std::isfinite(c.selfPose()->body.x) && std::isfinite(c.selfPose()->body.z))) std::abort();
    (void)c.stats();
    (void)session::toString(c.state());
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    net::LoopbackNetwork network(1);
    auto serverT = network.createHost(7777);
    auto clientT = network.createHost();
    session::ClientSession client(*clientT, session::ClientDesc{});
    std::uint64_t voiceFrames = 0;
    client.setVoiceSink([&](const net::VoiceFrame& f, double) {
        if (f.size == 0 || f.size > net::kMaxVoiceBytes) std::abort();
        ++voiceFrames;
    });
    double now = 0.0;
    client.connect(net::Address{"loop", 7777}, now);

    // The hostile server accepts the connection.
    core::PeerId peer;
    net::TransportEvent ev;
    for (int i = 0; i < 10 && !peer.valid(); ++i) {
        now += 0.001;
        network.advance(now);
        client.update(now);
        while (serverT->poll(now, ev))
            if (ev.type == net::TransportEventType::Connected) peer = ev.peer;
    }
    if (!peer.valid()) std::abort();
    client.update(now);

    Reader in{data, size};
    std::uint8_t op = 0;
    int ops = 0;
    while (in.u8(op) && ops++ < 400) {
        switch (op % 7) {
        case 0: {
            std::uint8_t channel = 0, reliable = 0;
            std::uint16_t len = 0;
            if (!in.u8(channel) || !in.u8(reliable) || !in.u16(len)) return 0;
            const auto bytes = in.take(len % 2048);
            (void)serverT->send(peer, static_cast<net::Channel>(channel % static_cast<std::uint8_t>(net::Channel::Count)), bytes,
                                (reliable & 1) != 0);
            break;
        }
        case 1: {
            std::uint8_t ms = 0;
            if (!in.u8(ms)) return 0;
            now += ms * 1e-3;
            network.advance(now);
            client.update(now);
            while (serverT->poll(now, ev)) {} // what the client sends is not judged here
            checkView(client);
            break;
        }
        case 2: {
            std::uint8_t x = 0, z = 0, yaw = 0;
            if (!in.u8(x) || !in.u8(z) || !in.u8(yaw)) return 0;
            sim::MoveInput intent;
            intent.move = {(static_cast<float>(x) - 128.0f) / 100.0f, (static_cast<float>(z) - 128.0f) / 100.0f}; // past the unit range too
            intent.bodyYaw = (static_cast<float>(yaw) - 128.0f) / 10.0f;
            intent.headYaw = intent.bodyYaw * 0.5f;
            intent.headPitch = intent.bodyYaw * 0.1f;
            client.setIntent(intent);
            break;
        }
        case 3: {
            std::uint16_t seat = 0;
            if (!in.u16(seat)) return 0;
            client.requestSit(seat);
            break;
        }
        case 4: client.requestStand(); break;
        case 5: {
            std::uint8_t n = 0;
            if (!in.u8(n)) return 0;
            audio::VoicePacket p;
            p.size = static_cast<std::uint16_t>(n + 1u);
            p.sequence = static_cast<std::uint16_t>(ops);
            (void)client.sendVoice(p);
            break;
        }
        case 6: {
            std::uint8_t reason = 0;
            if (!in.u8(reason)) return 0;
            serverT->disconnect(peer, reason);
            break;
        }
        }
    }
    now += 0.1;
    network.advance(now);
    client.update(now);
    checkView(client);
    (void)client.takeNotices();
    client.leave();
    return 0;
}
