// media::stripPngMetadata and stripJpegMetadata (raster.h) on any bytes,
// both on every input (a photo from a presenter's laptop is untrusted).
// Properties: nothing crashes or throws; an error names the source; output
// plus what was reported removed accounts for every input byte; stripping is
// idempotent (a stripped file strips to itself, removing nothing).
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>

#include "media/raster.h"

namespace {

template <typename Strip>
void check(std::span<const std::uint8_t> bytes, Strip strip) {
    const auto r = strip(bytes, "fuzz-input");
    if (!r.ok()) {
        if (r.error().message.rfind("fuzz-input: ", 0) != 0) std::abort();
        return;
    }
    std::uint64_t removed = 0;
    for (const auto& part : r->removed) {
        if (part.name.empty()) std::abort();
        removed += part.bytes;
    }
    if (r->bytes.size() + removed != bytes.size()) std::abort();
    const auto again = strip(r->bytes, "fuzz-again");
    if (!again.ok() || again->bytes != r->bytes || !again->removed.empty()) std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace caseroom::media;
    const std::span<const std::uint8_t> bytes(data, size);
    check(bytes, [](std::span<const std::uint8_t> b, std::string_view s) { return stripPngMetadata(b, s); });
    check(bytes, [](std::span<const std::uint8_t> b, std::string_view s) { return stripJpegMetadata(b, s); });
    return 0;
}
