// Where live video goes in the room (client/video_wall.h), pure: the demo
// room's layout (two front panels, one on each side wall), panel states with
// and without decks and holders, publishers by role.
#include <catch2/catch.hpp>

#include "net/messages.h"
#include "video_wall.h"

using namespace caseroom;
using namespace caseroom::client;

namespace {

net::VideoStreamId cam(std::uint16_t slot) { return {slot, net::VideoKind::Camera}; }
net::VideoStreamId screen(std::uint16_t slot) { return {slot, net::VideoKind::Screen}; }

core::ContentHash someDeck() { return *core::ContentHash::fromHex(std::string(64, 'a')); }

struct Room {
    sim::RoomLayout layout = sim::makeLayout(sim::RoomSpec{});
    std::vector<sim::PanelState> panels = std::vector<sim::PanelState>(4);
    std::vector<VideoPublisher> people{{1, core::Role::Facilitator}, {2, core::Role::Specialist},
                                       {3, core::Role::Specialist}, {4, core::Role::Spoke},
                                       {5, core::Role::Spoke},      {6, core::Role::Observer}};
    std::vector<net::VideoStreamId> streams, hidden;
    std::optional<std::uint16_t> self;
    bool faces = false;
    VideoWallPlan plan() const {
        VideoWallInput in;
        in.layout = &layout;
        in.streams = streams;
        in.panels = panels;
        in.publishers = people;
        in.hidden = hidden;
        in.self = self;
        in.faces = faces;
        return planVideoWall(in);
    }
};

} // namespace

TEST_CASE("video wall: the demo room's panels are two in front and one on each side", "[video][client]") {
    const sim::RoomLayout l = sim::makeLayout(sim::RoomSpec{});
    REQUIRE(l.panels.size() == 4);
    CHECK(isFrontPanel(l.panels[0]));
    CHECK(isFrontPanel(l.panels[1]));
    CHECK_FALSE(isFrontPanel(l.panels[2]));
    CHECK_FALSE(isFrontPanel(l.panels[3]));
}

TEST_CASE("video wall: a share takes a front panel without a deck, the hub's faces the side panels", "[video][client]") {
    Room r;
    r.panels[0].deck = someDeck();          // the facilitator's slides on the left front panel
    r.panels[0].holder = core::EntityId{1};
    r.streams = {cam(4), cam(2), screen(4), cam(1), cam(3), cam(5)};
    const VideoWallPlan p = r.plan();
    // The share on the free front panel (1), never over the deck on panel 0.
    const VideoPlacement* share = p.find(screen(4));
    REQUIRE(share);
    CHECK(share->spot == VideoSpot::FrontPanel);
    CHECK(share->index == 1);
    // The presenter holds panel 0: the facilitator's camera is the presenter's; no front panel is left, so a tile, first.
    const VideoPlacement* presenter = p.find(cam(1));
    REQUIRE(presenter);
    CHECK(presenter->spot == VideoSpot::Tile);
    CHECK(presenter->index == 0);
    // Specialists on the two side panels, in slot order.
    REQUIRE(p.find(cam(2)));
    REQUIRE(p.find(cam(3)));
    CHECK(p.find(cam(2))->spot == VideoSpot::SidePanel);
    CHECK(p.find(cam(2))->index == 2);
    CHECK(p.find(cam(3))->index == 3);
    // Spokes in the tiles after the presenter, in slot order.
    CHECK(p.find(cam(4))->spot == VideoSpot::Tile);
    CHECK(p.find(cam(4))->index == 1);
    CHECK(p.find(cam(5))->index == 2);
    // The show list: the share first, then the presenter, then the rest as placed.
    REQUIRE(p.show.size() == 6);
    CHECK(p.show[0] == screen(4));
    CHECK(p.show[1] == cam(1));
    CHECK(p.placed[0].slot() == 1);
    CHECK(p.find(cam(4))->slot() == render::videoTileSlot(1));
}

TEST_CASE("video wall: with both front panels showing decks, a share goes to a side panel", "[video][client]") {
    Room r;
    r.panels[0].deck = someDeck();
    r.panels[1].deck = someDeck();
    r.streams = {screen(2), cam(1)};
    const VideoWallPlan p = r.plan();
    CHECK(p.find(screen(2))->spot == VideoSpot::SidePanel);
    CHECK(p.find(screen(2))->index == 2);
    // The sharer is the presenter (nobody holds a front panel); the facilitator's face takes the other side panel.
    CHECK(p.find(cam(1))->spot == VideoSpot::SidePanel);
    CHECK(p.find(cam(1))->index == 3);
}

TEST_CASE("video wall: no deck and no share: the presenter's camera on the front wall", "[video][client]") {
    Room r;
    r.panels[1].holder = core::EntityId{4}; // a spoke presenting its case holds the right front panel
    r.streams = {cam(4), cam(1)};
    const VideoWallPlan p = r.plan();
    CHECK(p.find(cam(4))->spot == VideoSpot::FrontPanel);
    CHECK(p.find(cam(4))->index == 1);       // the right-hand one first
    CHECK(p.find(cam(1))->spot == VideoSpot::SidePanel);
}

TEST_CASE("video wall: hidden streams and my own are not placed or asked for; faces follow cameras", "[video][client]") {
    Room r;
    r.streams = {cam(1), cam(2), cam(4), screen(5)};
    r.hidden = {cam(2)};
    r.self = 4;
    r.faces = true;
    const VideoWallPlan p = r.plan();
    CHECK(p.find(cam(2)) == nullptr);
    CHECK(p.find(cam(4)) == nullptr);
    CHECK(std::find(p.show.begin(), p.show.end(), cam(2)) == p.show.end());
    CHECK(std::find(p.show.begin(), p.show.end(), cam(4)) == p.show.end());
    REQUIRE(p.find(cam(1)));
    CHECK(p.find(cam(1))->face);
    CHECK_FALSE(p.find(screen(5))->face);    // a screen is never on a face
    r.faces = false;
    CHECK_FALSE(r.plan().find(cam(1))->face);
}

TEST_CASE("video wall: tiles stop before the preview tile and the show list at the protocol's limit", "[video][client]") {
    Room r;
    for (std::uint16_t s = 10; s < 60; ++s) {
        r.people.push_back({s, core::Role::Spoke});
        r.streams.push_back(cam(s));
    }
    const VideoWallPlan p = r.plan();
    std::uint32_t tiles = 0, panels = 0;
    for (const VideoPlacement& pl : p.placed) {
        if (pl.spot == VideoSpot::Tile) {
            ++tiles;
            CHECK(pl.index < kPreviewTile);
        } else {
            ++panels;
        }
    }
    CHECK(tiles == kPreviewTile);
    CHECK(panels == 0);                       // spokes are not hub: no side panel for them
    CHECK(p.show.size() == std::min<std::size_t>(p.placed.size(), net::kMaxShownStreams));
}
