// media::detail::decodeDicom: the DICOM (the framing check, then GDCM) decoder on any bytes, with no
// format sniffing in front, under small limits.
// Properties: nothing crashes or throws; an error names the source; a
// decoded image is non-empty, within the limits, its pixel buffer exactly
// its dimensions, and (grey) renders to 8-bit without error.
#include "media_fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> bytes(data, size);
    caseroom::media::fuzz::checkDecoded(caseroom::media::detail::decodeDicom(bytes, caseroom::media::fuzz::kSource,
                                                                       caseroom::media::fuzz::limits()));
    return 0;
}

// GDCM 3.0.21 (Debian 12) leaks small buffers when a compressed stream is
// corrupt: in JPEGLSCodec (Decode, GetHeaderInfo), its bundled libjpeg (libgdcmjpeg8/12/16) and openjp2 objects its JPEG 2000 codec
// does not free on an error path. Library bugs, not ours (bounded: one
// small leak per corrupt file). Suppressed here so that the harness keeps
// looking for real faults. A strdup'd string also leaks from inside a codec
// built without frame pointers (no caller in the trace); our code never
// calls strdup, so that suppression hides no leak of ours.
extern "C" const char* __lsan_default_suppressions() {
    return "leak:gdcm::JPEGLSCodec\nleak:libopenjp2.so\nleak:libgdcmjpeg\nleak:strdup\n";
}
