// Revocation files: parseRevocations on any bytes. Whatever parses must answer
// lookups for every id it was given, and the lines the appender writes for
// those ids must parse back to the same answers.
#include <cstdint>
#include <string>
#include <string_view>

#include "net/secure/revocation.h"

using namespace caseroom::net::secure;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto r = parseRevocations(text, "fuzz.revoked");
    if (!r.ok()) {
        if (r.error().message.rfind("fuzz.revoked", 0) != 0) __builtin_trap(); // errors name the source
        return 0;
    }
    // Probe ids taken from the input; the line builders must round-trip.
    std::uint64_t probe = 0;
    for (std::size_t i = 0; i < size && i < 8; ++i) probe |= static_cast<std::uint64_t>(data[i]) << (8 * i);
    const std::string lines = tokenRevocationLine(probe, text.substr(0, 32)) + "\n" + userRevocationLine(probe, text.substr(0, 32));
    auto back = parseRevocations(lines, "made");
    if (!back.ok() || !back->revokedToken(probe) || !back->revokedUser(probe) || back->size() != 2) __builtin_trap();
    (void)r->revoked(probe, ~probe);
    return 0;
}
