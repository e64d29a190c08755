// media::parseManifest on any bytes (a deck manifest arrives from the
// network as a blob).
// Properties: nothing crashes or throws; an error names the source; a parsed
// manifest passes checkManifest, writes canonically (parse(write(m)) == m,
// and writing again gives the same bytes) and stays within the limits.
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>

#include "media/deck.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace caseroom::media;
    const std::span<const std::uint8_t> bytes(data, size);
    const auto r = parseManifest(bytes, "fuzz-input");
    if (!r.ok()) {
        if (r.error().message.rfind("fuzz-input", 0) != 0) std::abort();
        return 0;
    }
    if (!checkManifest(*r).ok()) std::abort();
    if (r->slides.empty() || r->slides.size() > kMaxDeckSlides) std::abort();
    const auto written = writeManifest(*r);
    const auto again = parseManifest(written, "fuzz-written");
    if (!again.ok() || !(*again == *r)) std::abort();
    if (writeManifest(*again) != written) std::abort();
    return 0;
}
