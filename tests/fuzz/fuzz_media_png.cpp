// media::detail::decodePng: the PNG (libspng) decoder on any bytes, with no
// format sniffing in front, under small limits.
// Properties: nothing crashes or throws; an error names the source; a
// decoded image is non-empty, within the limits, its pixel buffer exactly
// its dimensions, and (grey) renders to 8-bit without error.
#include "media_fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> bytes(data, size);
    caseroom::media::fuzz::checkDecoded(caseroom::media::detail::decodePng(bytes, caseroom::media::fuzz::kSource,
                                                                       caseroom::media::fuzz::limits()));
    return 0;
}
