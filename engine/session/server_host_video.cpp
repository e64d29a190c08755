// ServerHost's live video: routes the video messages to the room's
// VideoHost (the rules are there and in sim/permissions.h), sends what it
// decides, and charges every forwarded byte to the receiver's link as
// class Video. server_host.cpp calls these in a few lines.
#include "session/server_host.h"

namespace caseroom::session {

const VideoHost* ServerHost::video(const std::string& code) const {
    for (const auto& r : rooms_)
        if (r->room.spec().code == code) return r->video.get();
    return nullptr;
}

void ServerHost::makeVideo(RoomInstance& r) {
    // Receivers are entity slots; their links are the scheduler's, by peer.
    RoomInstance* room = &r;
    auto peerOf = [room](std::uint16_t slot) {
        return slot < room->peerOfSlot.size() ? room->peerOfSlot[slot] : core::PeerId::invalid();
    };
    r.video = std::make_unique<VideoHost>(
        &r.stream, [this, peerOf](std::uint16_t slot) { return links_.videoAllowance(peerOf(slot)); },
        [this, peerOf](std::uint16_t slot) { return links_.videoCongested(peerOf(slot)); }, config_.video);
}

void ServerHost::handle(Client& c, const net::VideoFragmentMsg& m, std::span<const std::uint8_t> bytes, double now) {
    RoomInstance& r = *c.room;
    if (!r.video) { ++counters_.videoDropped; return; }   // [replay] viewers do not publish
    switch (r.video->onFragment(c.entity.value, m.fragment, now, videoTo_)) {
    case VideoHost::Verdict::Spoofed:
        audit(c, now, "video as entity " + std::to_string(m.fragment.stream.publisher),
              "refused: not the sender's avatar (" + std::to_string(c.entity.value) + ")");
        badInput(c, "video fragment naming another publisher", now);
        return;
    case VideoHost::Verdict::NotPublished: ++counters_.videoDropped; return;
    case VideoHost::Verdict::Forward: break;
    }
    // The same bytes as received (the server never re-encodes video), paced per receiver.
    for (std::uint16_t slot : videoTo_) {
        const core::PeerId to = slot < r.peerOfSlot.size() ? r.peerOfSlot[slot] : core::PeerId::invalid();
        if (!to.valid()) continue;
        if (links_.queueVideo(to, bytes)) serveVideo(to, now);
    }
    // The recorder's rules (a screen while live, a camera where the program allows it) are its own.
    if (r.recording) r.recording->video(m.fragment, bytes, now);
}

void ServerHost::serveVideo(core::PeerId to, double now) {
    links_.serveVideo(to, now, [&](std::span<const std::uint8_t> b) {
        if (transport_.send(to, net::Channel::Video, b, false)) links_.charge(to, net::Channel::Video, b.size());
    });
}

void ServerHost::handle(Client& c, const net::VideoPublish& m, std::span<const std::uint8_t>, double now) {
    RoomInstance& r = *c.room;
    const char* what = m.kind == net::VideoKind::Screen ? "video: share screen" : "video: show camera";
    const std::optional<net::RefusalReason> why =
        r.video ? r.video->onPublish(clinicActor(c), m, r.round->phase(), r.room.tick()) : net::RefusalReason::NotPermitted;
    if (!why) return;
    ++counters_.videoRefused;
    if (*why == net::RefusalReason::NotPermitted || *why == net::RefusalReason::WrongPhase)
        audit(c, now, what, std::string("refused: ") + net::toString(*why) + " (" + core::toString(c.role) + ", " +
                                sim::toString(r.round->phase()) + ")");
    send(c.peer, net::IntentRefused{net::IntentKind::Video, *why});
}

void ServerHost::handle(Client& c, const net::VideoShow& m, std::span<const std::uint8_t>, double) {
    if (c.room->video) c.room->video->onShow(c.entity.value, m);
}

void ServerHost::handle(Client& c, const net::KeyframeRequest& m, std::span<const std::uint8_t>, double now) {
    RoomInstance& r = *c.room;
    if (!r.video) return;
    const auto publisher = r.video->onKeyframeRequest(c.entity.value, m.stream, now);
    if (!publisher || *publisher >= r.peerOfSlot.size() || !r.peerOfSlot[*publisher].valid()) return;
    send(r.peerOfSlot[*publisher], net::KeyframeRequest{m.stream});
}

void ServerHost::tickVideo(RoomInstance& r, double now) {
    if (!r.video) return;
    r.video->tick(now, r.room.tick(), r.videoTick);
    for (const auto& [viewer, msg] : r.videoTick.tiers)
        if (viewer < r.peerOfSlot.size() && r.peerOfSlot[viewer].valid()) send(r.peerOfSlot[viewer], msg);
    for (const auto& [publisher, stream] : r.videoTick.keyframes)
        if (publisher < r.peerOfSlot.size() && r.peerOfSlot[publisher].valid()) send(r.peerOfSlot[publisher], net::KeyframeRequest{stream});
    r.video->publish(r.objects);
}

} // namespace caseroom::session
