// JPEG adapter (libjpeg-turbo's TurboJPEG API). Grey JPEGs stay grey,
// the rest decode to 8-bit RGB. CMYK is refused. Warnings (e.g. a
// truncated scan) are errors: a partial picture is never shown.
#include "media/decoders.h"

#include <turbojpeg.h>

#include <memory>

namespace caseroom::media::detail {
namespace {

struct TjDeleter {
    void operator()(void* h) const { tjDestroy(h); }
};

} // namespace

core::Result<Image> decodeJpeg(std::span<const std::uint8_t> bytes, std::string_view source,
                               const DecodeLimits& limits) {
    std::unique_ptr<void, TjDeleter> tj(tjInitDecompress());
    if (!tj) return fault(source, "JPEG decoder: cannot initialise");
    auto* data = const_cast<unsigned char*>(bytes.data()); // TurboJPEG 2.1 takes non-const, reads only
    const auto size = static_cast<unsigned long>(bytes.size());
    int width = 0, height = 0, subsamp = 0, colorspace = 0;
    if (tjDecompressHeader3(tj.get(), data, size, &width, &height, &subsamp, &colorspace) != 0)
        return fault(source, std::string("JPEG header: ") + tjGetErrorStr2(tj.get()));
    if (colorspace == TJCS_CMYK || colorspace == TJCS_YCCK)
        return fault(source, "JPEG: CMYK/YCCK colour is not supported");
    if (width <= 0 || height <= 0) return fault(source, "JPEG: empty image");
    const bool grey = colorspace == TJCS_GRAY;
    Image img;
    img.format = Format::Jpeg;
    img.width = static_cast<std::uint32_t>(width);
    img.height = static_cast<std::uint32_t>(height);
    img.samplesPerPixel = grey ? 1 : 3;
    img.photometric = grey ? Photometric::Monochrome2 : Photometric::Rgb;
    if (auto st = checkDimensions(source, limits, img.width, img.height, 1, img.samplesPerPixel); !st)
        return st.error();
    img.pixels.resize(img.frameBytes());
    if (tjDecompress2(tj.get(), data, size, img.pixels.data(), width, 0, height, grey ? TJPF_GRAY : TJPF_RGB,
                      TJFLAG_STOPONWARNING) != 0)
        return fault(source, std::string("JPEG decode: ") + tjGetErrorStr2(tj.get()));
    return img;
}

} // namespace caseroom::media::detail
