// A case deck: a manifest plus content-addressed blobs (blob.h). The
// manifest is itself a blob, so a room names a deck by the manifest's hash
// and everything a client fetches is verified by its name.
//
// What a deck holds is display-ready and carries nothing identifying by
// construction: every frame is a PNG (DICOM frames as 8- or 16-bit grey or
// RGB samples, PDF pages rasterised) or a JPEG/PNG photo with its metadata
// removed; the manifest carries only what display needs (sizes, sample
// format, modality rescale, default window, frame rate, caption). Clients
// therefore decode only PNG and JPEG from the network; DICOM and PDF are read
// only by `caseroom-deck build`, on the presenter's own files.
// Parsing is total and bounded: a hostile manifest is an error naming the
// source and the fault. Format: docs/DECKS.md.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "media/blob.h"
#include "media/image.h"

namespace caseroom::media {

constexpr std::uint32_t kMaxDeckSlides = 512;
constexpr std::uint32_t kMaxSlideFrames = 1024;     // a cine loop
constexpr std::uint32_t kMaxCaptionBytes = 280;
constexpr std::uint32_t kMaxDeckTitleBytes = 120;
constexpr std::uint64_t kMaxManifestBytes = 1u << 20;

enum class SlideKind : std::uint8_t { Photo, Dicom, PdfPage, Count };
const char* toString(SlideKind k);

struct DeckSlide {
    SlideKind kind = SlideKind::Photo;
    std::uint32_t width = 0, height = 0;
    std::uint8_t bits = 8;             // 8 or 16 bits per sample in the frame blobs
    std::uint8_t samplesPerPixel = 1;  // 1 grey, 3 RGB
    bool isSigned = false;             // grey: the PNG's unsigned samples are raw + 2^(bits-1) (16-bit: + 32768)
    Photometric photometric = Photometric::Monochrome2;
    double rescaleSlope = 1.0, rescaleIntercept = 0.0;
    std::optional<Window> window;      // the default window (DICOM); none: full range
    double frameRateHz = 0.0;          // cine playback rate; 0 for a still
    std::string caption;
    std::vector<BlobHash> frames;      // one blob per frame, in order
    friend bool operator==(const DeckSlide&, const DeckSlide&) = default;
};

struct DeckManifest {
    std::string title;
    std::vector<DeckSlide> slides;
    // Every blob the deck needs (frames of every slide), each once, in slide order.
    [[nodiscard]] std::vector<BlobHash> blobs() const;
    friend bool operator==(const DeckManifest&, const DeckManifest&) = default;
};

// What parse accepts and write round-trips: sizes 1..65535 within the
// decode pixel limit, bits 8/16, samples 1 (MONOCHROME1/2) or 3 (RGB), signed
// and rescale/window only on DICOM grey slides, window width >= 1, 1..1024
// frames, frame rate > 0 exactly when there is more than one frame, caption
// and title within their limits with no control characters and no leading or
// trailing blanks. The error says which rule failed (no source: the caller's).
core::Status checkSlide(const DeckSlide& slide);
core::Status checkManifest(const DeckManifest& manifest);

core::Result<DeckManifest> parseManifest(std::span<const std::uint8_t> bytes, std::string_view source);
// Canonical bytes: parseManifest(writeManifest(m)) == m for every m that
// passes checkManifest, and equal decks give equal hashes.
std::vector<std::uint8_t> writeManifest(const DeckManifest& manifest);

} // namespace caseroom::media
