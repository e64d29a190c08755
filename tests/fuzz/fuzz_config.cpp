// Config text (rooms file): core::parseConfigText, then sim::roomSpecsFromConfig
// and sim::makeLayout for every room it accepts.
#include <cstdint>
#include <string_view>

#include "core/config_text.h"
#include "sim/layout.h"

using namespace caseroom;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto doc = core::parseConfigText(text, "fuzz.conf");
    if (!doc.ok()) return 0;
    auto specs = sim::roomSpecsFromConfig(*doc);
    if (!specs.ok()) return 0;
    for (const auto& spec : *specs) {
        const sim::RoomLayout layout = sim::makeLayout(spec);
        (void)layout.resolveCollision({0.0f, 0.0f});
    }
    return 0;
}
