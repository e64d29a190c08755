// The windowed client: join screen, in-room view and panels. A view over
// session::ClientSession; every room change goes through the session.
#pragma once
#include "options.h"

namespace caseroom::client {

int runWindowed(const Options& o);

} // namespace caseroom::client
