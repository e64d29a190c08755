// caseroom: the desktop client. Thin: options, then the window or the
// headless renderer. Exit codes: 0 ok, 2 bad options, 3 graphics failure
// (no device, lost device, shaders missing), 4 could not join, 5 validation
// messages seen with --validation, 6 --prefetch could not fetch a deck.
#include <cstdio>

#include "app.h"
#include "headless.h"
#include "options.h"

int main(int argc, char** argv) {
    using namespace caseroom::client;
    auto opts = parseOptions(argc, argv);
    if (!opts) {
        std::fprintf(stderr, "caseroom: %s\n", opts.error().message.c_str());
        return 2;
    }
    if (opts->help) {
        std::fputs(usageText().c_str(), stdout);
        return 0;
    }
    return opts->headless ? runHeadless(*opts) : runWindowed(*opts);
}
