// Recording in the client's UI (sim/recording.h, docs/RECORDING.md "Consent"):
// - a banner, always on top while the room records ("REC") or while the
//   recording is paused for the phase, so nobody is recorded unaware;
// - the acknowledgement: entering a recorded room, or a recording starting,
//   opens a modal that only "I understand" closes (the server audits it; the
//   person's voice is not recorded until then);
// - Start / Stop recording for whoever the permissions table lets record.
// The 3D wall sign is the wall board's (clinic_wall.h).
// Thread rule: the UI thread, between ImGui::NewFrame and ImGui::Render.
#pragma once
#include <vector>

#include "clinic_ui.h"
#include "session/client_session.h"

namespace caseroom::client {

void drawRecordingUi(const session::ClientSession& s, bool readOnly, std::vector<ClinicIntent>& out);

} // namespace caseroom::client
