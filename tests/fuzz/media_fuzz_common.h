// Shared checks for the media decoder harnesses (fuzz_media_*.cpp).
#pragma once
#include <cstdint>
#include <cstdlib>
#include <span>

#include "media/decoders.h"
#include "media/window.h"

namespace caseroom::media::fuzz {

inline constexpr const char* kSource = "fuzz-input";

// Small limits keep each run fast (CI runs each harness for 20 s).
inline DecodeLimits limits() {
    DecodeLimits l;
    l.maxBytes = 1u << 20;
    l.maxPixelsPerFrame = 1u << 20;
    l.maxFrames = 64;
    l.maxTotalPixelBytes = 16u << 20;
    return l;
}

inline void checkDecoded(const core::Result<Image>& r) {
    if (!r.ok()) {
        if (r.error().message.rfind(std::string(kSource) + ": ", 0) != 0) std::abort(); // names the source
        return;
    }
    const Image& img = *r;
    const DecodeLimits l = limits();
    if (img.width == 0 || img.height == 0 || img.frames == 0) std::abort();
    if (std::uint64_t{img.width} * img.height > l.maxPixelsPerFrame || img.frames > l.maxFrames) std::abort();
    if (img.bits != 8 && img.bits != 16) std::abort();
    if (img.samplesPerPixel != 1 && img.samplesPerPixel != 3) std::abort();
    if ((img.samplesPerPixel == 3) != (img.photometric == Photometric::Rgb)) std::abort();
    if (img.pixels.size() != img.frameBytes() * img.frames) std::abort();
    if (img.samplesPerPixel == 1) {
        const auto grey = renderGrey8(img, img.frames - 1);
        if (!grey.ok() || grey->size() != std::size_t{img.width} * img.height) std::abort();
    }
}

} // namespace caseroom::media::fuzz
