// The replay window (ImGui): shown only in a replay room (the session's
// replay view has a Replay object). "replay of <title>, <date>", play/pause,
// speed 0.5x..2x, a timeline slider with the recording's marks (phases,
// cases; a click on one seeks there). Controls become net::ReplayIntent for
// the caller to send; the server refuses them (NotPermitted) to roles
// without Action::ControlReplay, and the window shows them greyed for those.
// Reads a view, emits intents; never touches the session itself.
#pragma once
#include <cstdint>
#include <vector>

#include "core/role.h"
#include "net/messages.h"
#include "session/replay_view.h"

namespace caseroom::client {

struct ReplayUi {
    bool show = true;
    bool dragging = false;          // the timeline slider is held: seek on release
    int dragTick = 0;
};

struct ReplayUiView {
    const session::ReplayViewModel* replay = nullptr;
    core::Role role = core::Role::Spoke;
};

// Draws the window when v.replay is a replay; appends the intents to `out`.
void drawReplayUi(ReplayUi& ui, const ReplayUiView& v, std::vector<net::ReplayIntent>& out);

} // namespace caseroom::client
