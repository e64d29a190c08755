// The case desk from the command line and the window's connection to it:
// a program credential (an invitation of kind "program": a .caseroom file
// or a caseroom:// link; or a token file for "@CODE" with --connect) opens
// a ClientSession at the desk (session/case_desk.h).
//   caseroom --headless --submit-case FILE CREDENTIAL [--attest] [--case ID]
// FILE is a filled form (clinic/case_form.h: one [case] section of
// name = value lines). Prints the receipt: "accepted case ID" (exit 0);
// the findings as JSON lines, field, span and kind, never the text (exit 1,
// held); "refused: REASON" (exit 2, also when the desk cannot be reached).
#pragma once
#include <string>

#include "core/result.h"
#include "options.h"
#include "room_link.h"

namespace caseroom::client {

// Starts connecting to the desk of the credential's program (non-blocking).
// `connect` (HOST:PORT) is needed for a bare token file, ignored for an invitation.
[[nodiscard]] core::Result<RoomLink> openDesk(const std::string& credential, const std::string& connect, double now);

// caseroom --headless --submit-case: exit 0 accepted, 1 held, 2 refused or failed.
int submitCaseHeadless(const Options& o);

} // namespace caseroom::client
