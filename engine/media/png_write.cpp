// PNG writer (libspng encoder) for deck frames: grey 8/16 and RGB 8, no
// ancillary chunks. libspng takes 16-bit samples in host order with
// SPNG_FMT_PNG and writes them big-endian, as PNG requires.
#include "media/raster.h"

#include <spng.h>

#include <cstdlib>
#include <memory>

namespace caseroom::media {

core::Result<std::vector<std::uint8_t>> encodePng(std::uint32_t width, std::uint32_t height, unsigned samples,
                                                  unsigned bits, std::span<const std::uint8_t> pixels) {
    if (!((samples == 1 && (bits == 8 || bits == 16)) || (samples == 3 && bits == 8)))
        return core::Error{"PNG writer: " + std::to_string(samples) + " samples of " + std::to_string(bits) +
                           " bits not supported (grey 8/16, RGB 8)"};
    if (width == 0 || height == 0 || width > (1u << 31) - 1 || height > (1u << 31) - 1)
        return core::Error{"PNG writer: invalid size " + std::to_string(width) + "x" + std::to_string(height)};
    const std::uint64_t expected = std::uint64_t{width} * height * samples * (bits / 8);
    if (pixels.size() != expected)
        return core::Error{"PNG writer: " + std::to_string(pixels.size()) + " pixel bytes for a frame of " +
                           std::to_string(expected)};
    std::unique_ptr<spng_ctx, void (*)(spng_ctx*)> ctx(spng_ctx_new(SPNG_CTX_ENCODER), spng_ctx_free);
    if (!ctx) return core::Error{"PNG writer: out of memory"};
    spng_set_option(ctx.get(), SPNG_ENCODE_TO_BUFFER, 1);
    spng_ihdr ihdr{};
    ihdr.width = width;
    ihdr.height = height;
    ihdr.bit_depth = static_cast<std::uint8_t>(bits);
    ihdr.color_type = samples == 1 ? SPNG_COLOR_TYPE_GRAYSCALE : SPNG_COLOR_TYPE_TRUECOLOR;
    if (int rc = spng_set_ihdr(ctx.get(), &ihdr); rc != 0)
        return core::Error{std::string("PNG writer: header: ") + spng_strerror(rc)};
    if (int rc = spng_encode_image(ctx.get(), pixels.data(), pixels.size(), SPNG_FMT_PNG, SPNG_ENCODE_FINALIZE); rc != 0)
        return core::Error{std::string("PNG writer: encode: ") + spng_strerror(rc)};
    std::size_t len = 0;
    int err = 0;
    void* buf = spng_get_png_buffer(ctx.get(), &len, &err);
    if (!buf) return core::Error{std::string("PNG writer: ") + spng_strerror(err)};
    std::vector<std::uint8_t> out(static_cast<std::uint8_t*>(buf), static_cast<std::uint8_t*>(buf) + len);
    std::free(buf);
    return out;
}

} // namespace caseroom::media
