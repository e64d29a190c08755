// `caseroom-admin screen FILE|-`: the PHI screen (clinic/phi_screen.h) over a
// text file, stdin, or a filled case form; one JSON line per finding: field,
// span and kind (the output may land in a log), the matched text only with
// --show-text.
// Exit: 0 no finding, 1 findings, 2 usage or input error (the message names
// the file). The ADMIN engineer's main dispatches "screen" here.
#pragma once
#include <cstdio>

namespace caseroom::tools {

// argv[0] is "screen". Reads stdin for "-", writes findings to stdout and
// errors to stderr.
int runScreenCommand(int argc, char** argv);
// The same with explicit streams (tests).
int runScreenCommand(int argc, char** argv, std::FILE* in, std::FILE* out, std::FILE* err);

} // namespace caseroom::tools
