#include "room_link.h"

#include "options.h"

namespace caseroom::client {

core::Result<RoomLink> startJoin(const JoinRequest& req, double now) {
    auto hp = parseHostPort(req.server);
    if (!hp) return core::Error{"server address: " + hp.error().message};
    if (req.room.empty()) return core::Error{"enter a room code"};
    if (req.name.empty()) return core::Error{"enter a display name"};
    net::EnetDesc desc;
    desc.listen = false;
    desc.maxPeers = 1;
    auto transport = net::EnetTransport::create(desc);
    if (!transport) return core::Error{"cannot open a UDP socket: " + transport.error().message};
    RoomLink link;
    link.transport = std::move(*transport);
    session::ClientDesc cd;
    cd.roomCode = req.room;
    cd.displayName = req.name;
    cd.role = req.role;
    // req.token: ClientDesc has no token field yet (security issue); kept for then.
    link.session = std::make_unique<session::ClientSession>(*link.transport, cd);
    link.session->connect(net::Address{hp->first, hp->second}, now);
    return link;
}

void closeLink(RoomLink& link, double now) {
    if (link.session) {
        link.session->leave();
        link.session->update(now);
    }
    if (link.transport) link.transport->flush();
    link.session.reset();
    link.transport.reset();
}

void collectAvatars(const session::ClientSession& s, bool firstPerson, std::vector<render::AvatarDraw>& out) {
    out.clear();
    for (const session::RemoteAvatar& a : s.avatars()) {
        if (!a.hasPose) continue;
        render::AvatarDraw d;
        d.pose = a.pose;
        d.role = a.role;
        d.name = a.name;
        d.hideHead = a.self && firstPerson;
        out.push_back(d);
    }
}

} // namespace caseroom::client
