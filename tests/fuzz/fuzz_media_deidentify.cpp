// media::screenDicom and scrubDicom (deidentify.h) on any bytes: pure code
// over the framing walk (no GDCM), so it is explored at random like the
// other pure decoders.
// Properties: nothing crashes or throws; an error names the source; a
// finding never carries more than its tag, keyword, VR and length; the
// scrubbed copy of any screenable file is itself a well-framed DICOM file
// whose screen lists nothing, and scrubbing is deterministic for one key.
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>

#include "media/deidentify.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace caseroom::media;
    const std::span<const std::uint8_t> bytes(data, size);
    const auto screen = screenDicom(bytes, "fuzz-input");
    if (!screen.ok()) {
        if (screen.error().message.rfind("fuzz-input: ", 0) != 0) std::abort();
        return 0;
    }
    for (const auto& f : screen->findings)
        if (f.vr.size() != 2 || f.keyword.empty() || f.reason.empty()) std::abort();
    ScrubOptions options;
    options.uidKey.fill(0x5a);
    const auto scrubbed = scrubDicom(bytes, "fuzz-input", options);
    if (!scrubbed.ok()) std::abort(); // it screened, so it scrubs
    const auto again = screenDicom(scrubbed->bytes, "fuzz-scrubbed");
    if (!again.ok() || !again->findings.empty()) std::abort();
    const auto twice = scrubDicom(bytes, "fuzz-input", options);
    if (!twice.ok() || twice->bytes != scrubbed->bytes) std::abort();
    return 0;
}
