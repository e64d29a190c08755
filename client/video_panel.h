// The client's live video (issue 13): the session::VideoClient attached to
// the session, where streams go in the room (video_wall.h), the tile strip,
// and the Video window: each stream with show/hide and its state (full,
// fewer layers, a still picture, off on a weak link, frozen), faces on
// avatars, my camera (a V4L2 device and mode, or the test pattern) with a
// local preview, and sharing one window (or, deliberately, the desktop).
// While I share, a red border runs round the window and a banner says what
// everyone sees, with a Stop button: a shared EMR screen can show patient
// data, so sharing is never silent.
// Thread rule: main thread. videoFrame and drawVideoUi hold the pump's lock
// (they call the VideoClient's session-thread side); uploadVideo runs
// outside it (VideoClient::latest is any-thread).
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "media/v4l2_source.h"
#include "media/video_source.h"
#include "render/renderer.h"
#include "session/client_session.h"
#include "session/video_client.h"
#include "video_wall.h"

namespace caseroom::client {

struct VideoPanel {
    std::unique_ptr<session::VideoClient> client;
    VideoWall wall;
    VideoWallPlan plan;                          // this frame's, made under the lock
    std::vector<session::VideoStreamView> views; // copies for the window
    std::vector<std::pair<std::uint16_t, std::string>> names; // publisher slot -> display name
    std::vector<net::VideoStreamId> hidden;      // "hide" in the window
    bool showFaces = false;                      // cameras on avatars' faces too
    bool showWindow = false;                     // the Video window (key: C)
    bool autoShow = true;                        // headless: everything placed is shown

    // My camera: 0 is the test pattern, then the V4L2 devices.
    struct Camera {
        std::vector<media::V4l2Device> devices;
        bool listed = false;
        int device = 0, mode = 0;
        std::unique_ptr<media::VideoCapture> preview;   // before publishing: what the camera sees
        std::shared_ptr<const media::I420Frame> previewPicture; // on the preview tile now
        std::uint64_t previewSerial = 0;                         // VideoClient::captured's, last uploaded
        std::string error;
    } camera;
    // Sharing: one window by default; the desktop only after a second tick.
    struct Share {
        std::vector<std::pair<unsigned long, std::string>> windows; // id, title
        bool listed = false;
        int window = -1;
        bool desktop = false, desktopConfirmed = false;
        std::string title;                              // what is shared now
        std::string error;
    } share;
    std::vector<render::ThumbnailDraw> tiles;           // the strip (and the preview), drawn after the UI
    std::vector<render::FaceDraw> faces;                // cameras on avatars (with faces on), this frame
    std::uint64_t seen = 0;                             // frames since the join (notices once)
};

// On joining (under the lock): a VideoClient for the session.
void startVideo(VideoPanel& p, session::ClientSession& s);
// Leaving (under the lock): detached, stopped, slots back.
void stopVideo(VideoPanel& p, session::ClientSession* s, std::span<const sim::PanelState> panels, render::Renderer& r);
// Per frame under the lock: the plan from the room, the show list to the server.
void videoFrame(VideoPanel& p, session::ClientSession& s);
// Per frame outside the lock: new pictures into the renderer's slots.
void uploadVideo(VideoPanel& p, std::span<const sim::PanelState> panels, std::span<const std::vector<render::LaserDot>> dots,
                 render::Renderer& r);
// Under the lock, in the UI pass: the Video window, the tile strip's labels
// and indicators, and the sharing border and banner. `readOnly`: headless
// (no buttons, nothing published).
struct VideoUiView {
    bool readOnly = false;          // headless: no window, no buttons, nothing published
    bool toggleWindow = false;      // the window's key was pressed this frame
    const render::Camera* camera = nullptr; // with it: a frozen or thinned picture on a wall panel says so there
};
void drawVideoUi(VideoPanel& p, session::ClientSession& s, const VideoUiView& v);
// My camera's size and rate for my role (media::videoProfile).
[[nodiscard]] const media::VideoProfile& cameraProfile(core::Role role);

} // namespace caseroom::client
