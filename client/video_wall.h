// Where live video goes in the room (issue 13), and feeding the renderer.
//
// planVideoWall (pure) places the room's streams:
//  - a shared screen on a front-wall panel that shows no deck, else on a
//    side panel (slides keep their panels: a share never covers a deck);
//  - the presenter's camera (whoever holds a front panel, else whoever
//    shares a screen) on a free front panel, else first in the tiles;
//  - the hub's faces (facilitator first, then specialists, by slot) on the
//    side panels left free;
//  - every other camera in the tile strip (at most kPreviewTile tiles),
//    spokes' in slot order;
//  - with faces on, every placed camera also on its publisher's avatar.
// Hidden streams and my own are not placed. The show list the server gets
// is the placed streams in that order (the most important first: a thin
// link keeps the share and the presenter).
//
// VideoWall keeps the renderer's slots fed from VideoClient::latest(): a
// slot is uploaded when its stream has a newer picture or a new stream
// moves onto it; a wall panel that video leaves goes back to its test card
// unless a deck has arrived on it (the slides then own it).
// Thread rule: main (render) thread; plan inputs are copies taken under the
// pump's lock.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/role.h"
#include "net/video_wire.h"
#include "render/renderer.h"
#include "sim/layout.h"
#include "sim/panel_state.h"

namespace caseroom::session {
class VideoClient;
}

namespace caseroom::client {

// The last video tile is my own camera's preview; the room's streams use the others.
constexpr std::uint32_t kPreviewTile = render::kMaxVideoTiles - 1;

enum class VideoSpot : std::uint8_t { FrontPanel, SidePanel, Tile, Count };
const char* toString(VideoSpot s);

struct VideoPublisher {
    std::uint16_t slot = 0;
    core::Role role = core::Role::Spoke;
};

struct VideoWallInput {
    const sim::RoomLayout* layout = nullptr;
    std::span<const net::VideoStreamId> streams;    // published in the room now
    std::span<const sim::PanelState> panels;        // the replicated panel states (decks, holders)
    std::span<const VideoPublisher> publishers;     // roles of those present
    std::span<const net::VideoStreamId> hidden;     // the person chose not to see these
    std::optional<std::uint16_t> self;              // my own streams are previewed locally, never shown
    bool faces = false;                             // cameras on avatars' faces as well
};

struct VideoPlacement {
    net::VideoStreamId stream;
    VideoSpot spot = VideoSpot::Tile;
    std::uint32_t index = 0;       // the layout's panel index, or the tile index
    bool face = false;             // also on the publisher's avatar
    // The renderer slot the picture goes to.
    [[nodiscard]] std::uint32_t slot() const { return spot == VideoSpot::Tile ? render::videoTileSlot(index) : index; }
};

struct VideoWallPlan {
    std::vector<VideoPlacement> placed;        // in show order
    std::vector<net::VideoStreamId> show;      // what the server is asked for (placed, at most kMaxShownStreams)
    [[nodiscard]] const VideoPlacement* find(net::VideoStreamId s) const;
};

// Front-wall panels face along the room's depth (z), side panels across it.
[[nodiscard]] bool isFrontPanel(const sim::Panel& p);
[[nodiscard]] VideoWallPlan planVideoWall(const VideoWallInput& in);

class VideoWall {
public:
    // Uploads what changed. `dots`: laser dots per wall panel (as the slides get them).
    void update(const VideoWallPlan& plan, const session::VideoClient& video, std::span<const sim::PanelState> panels,
                std::span<const std::vector<render::LaserDot>> dots, render::Renderer& renderer);
    // Every slot back (panels to their cards, tiles blank): leaving the room.
    void clear(std::span<const sim::PanelState> panels, render::Renderer& renderer);
    [[nodiscard]] std::uint64_t uploads() const { return uploads_; }

private:
    struct Fed {
        std::uint32_t slot = 0;
        net::VideoStreamId stream;
        std::uint64_t serial = 0;   // of the picture last uploaded (0: none yet)
    };
    void release(const Fed& f, std::span<const sim::PanelState> panels, render::Renderer& renderer);
    std::vector<Fed> fed_;
    std::uint64_t uploads_ = 0;
};

} // namespace caseroom::client
