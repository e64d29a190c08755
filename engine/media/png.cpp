// PNG adapter (libspng). Grey stays grey (8 or 16 bit), everything else
// becomes RGB; alpha is dropped (slides are opaque).
#include "media/decoders.h"

#include <spng.h>

#include <cstring>
#include <memory>

namespace caseroom::media::detail {
namespace {

struct CtxDeleter {
    void operator()(spng_ctx* c) const { spng_ctx_free(c); }
};

core::Error spngFault(std::string_view source, const char* step, int rc) {
    return fault(source, std::string("PNG ") + step + " failed: " + spng_strerror(rc));
}

} // namespace

core::Result<Image> decodePng(std::span<const std::uint8_t> bytes, std::string_view source,
                              const DecodeLimits& limits) {
    std::unique_ptr<spng_ctx, CtxDeleter> ctx(spng_ctx_new(0));
    if (!ctx) return fault(source, "PNG decoder: out of memory");
    // CRC errors are errors (the default); ancillary chunks capped at 1 MiB each / 8 MiB total.
    spng_set_chunk_limits(ctx.get(), 1u << 20, 8u << 20);
    int rc = spng_set_png_buffer(ctx.get(), bytes.data(), bytes.size());
    if (rc != 0) return spngFault(source, "open", rc);
    spng_ihdr ihdr{};
    rc = spng_get_ihdr(ctx.get(), &ihdr);
    if (rc != 0) return spngFault(source, "header", rc);

    const bool grey = ihdr.color_type == SPNG_COLOR_TYPE_GRAYSCALE ||
                      ihdr.color_type == SPNG_COLOR_TYPE_GRAYSCALE_ALPHA;
    const bool deep = ihdr.bit_depth == 16;
    Image img;
    img.format = Format::Png;
    img.width = ihdr.width;
    img.height = ihdr.height;
    img.bits = deep ? 16 : 8;
    img.bitsStored = img.bits;
    img.samplesPerPixel = grey ? 1 : 3;
    img.photometric = grey ? Photometric::Monochrome2 : Photometric::Rgb;

    // Decode format and the samples it has per pixel before alpha is dropped.
    int fmt = 0;
    unsigned decodedSamples = 0;
    if (grey && ihdr.color_type == SPNG_COLOR_TYPE_GRAYSCALE && deep) { fmt = SPNG_FMT_PNG; decodedSamples = 1; }
    else if (grey && ihdr.color_type == SPNG_COLOR_TYPE_GRAYSCALE) { fmt = SPNG_FMT_G8; decodedSamples = 1; }
    else if (grey) { fmt = deep ? SPNG_FMT_GA16 : SPNG_FMT_GA8; decodedSamples = 2; }
    else if (deep) { fmt = SPNG_FMT_RGBA16; decodedSamples = 4; }
    else { fmt = SPNG_FMT_RGB8; decodedSamples = 3; }

    const unsigned sampleBytes = img.bits / 8u;
    if (auto st = checkDimensions(source, limits, img.width, img.height, 1, std::uint64_t{decodedSamples} * sampleBytes); !st)
        return st.error();
    std::size_t size = 0;
    rc = spng_decoded_image_size(ctx.get(), fmt, &size);
    if (rc != 0) return spngFault(source, "size", rc);
    std::vector<std::uint8_t> decoded(size);
    rc = spng_decode_image(ctx.get(), decoded.data(), decoded.size(), fmt, SPNG_DECODE_TRNS);
    if (rc != 0) return spngFault(source, "decode", rc);
    // Read on to IEND: a file cut after its last IDAT is truncated, not fine.
    rc = spng_decode_chunks(ctx.get());
    if (rc != 0) return spngFault(source, "trailing chunks", rc);

    const std::size_t pixels = std::size_t{img.width} * img.height;
    if (decoded.size() != pixels * decodedSamples * sampleBytes)
        return fault(source, "PNG decode: unexpected decoded size");
    if (decodedSamples == img.samplesPerPixel) {
        img.pixels = std::move(decoded);
    } else {
        // Drop alpha: keep the first samplesPerPixel samples of each pixel.
        const std::size_t keep = std::size_t{img.samplesPerPixel} * sampleBytes;
        const std::size_t stride = std::size_t{decodedSamples} * sampleBytes;
        img.pixels.resize(pixels * keep);
        for (std::size_t i = 0; i < pixels; ++i)
            std::memcpy(img.pixels.data() + i * keep, decoded.data() + i * stride, keep);
    }
    return img;
}

} // namespace caseroom::media::detail
