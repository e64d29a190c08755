// `caseroom --headless`: the same renderer into an offscreen target, with no
// window and no display. Renders a built-in scene (or a joined room with
// --connect), optionally writes a PNG, or runs the frame-time benchmark.
#pragma once
#include "options.h"

namespace caseroom::client {

int runHeadless(const Options& o);

} // namespace caseroom::client
