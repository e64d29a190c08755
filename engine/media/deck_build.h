// Building a case deck from a presenter's files (caseroom_media; the engine
// of `caseroom-deck build`; format and rules: docs/DECKS.md).
// DICOM: screened (deidentify.h) and refused unless --scrub, then one slide
// whose frames are 8/16-bit PNGs of the stored samples (signed: + 2^(bits-1))
// with the rescale, window and frame rate in the manifest; only pixels and
// display parameters enter the deck, so nothing the scrub would remove can.
// PDF: one slide per page, rasterised to PNG (document metadata cannot
// enter). PNG/JPEG: a photo slide holding the file with its metadata
// stripped at the byte level. File names never enter a deck.
// PHI screen (clinic/phi_screen.h): every caption given, every file name,
// every PDF page's text and the title; a finding refuses the file (the deck,
// for the title), naming the field, the byte span and the kind, never the
// text, unless allowPhi gives the presenter's reason (then reported as a note).
// Text inside images (burned-in pixels) is not screened: see deidentify.h.
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "media/blob.h"
#include "media/deck.h"
#include "media/deidentify.h"
#include "media/image.h"

namespace caseroom::media {

struct BuildOptions {
    std::string title = "Case deck";
    bool scrub = false;                       // let files with identifying attributes in (reported)
    std::optional<std::string> burnedInOk;    // the stated reason to accept burned-in annotation
    std::optional<std::string> allowPhi;      // the stated reason to accept PHI screen findings
    std::vector<std::string> knownNames;      // people's names for the PHI screen (a roster), if any
    std::uint32_t pdfWidthPx = 2048;
    // (file as given or its file name, caption); the first match wins.
    std::vector<std::pair<std::string, std::string>> captions;
    double defaultCineRateHz = 10.0;          // multi-frame DICOM without a rate of its own
    DecodeLimits limits{};
    ScrubOptions scrubOptions{};              // the key for scrubbed UIDs (not used for decks: UIDs never enter)
};

// What happened to one input file, for the report.
struct FileReport {
    std::string source;                       // the path as given (the report is local; it never enters the deck)
    std::string format;                       // "DICOM", "PDF", ...
    std::vector<std::string> refusals;        // why the file was refused (none: accepted)
    std::vector<std::string> scrubbed;        // --scrub: what would be removed or replaced (none of it travels)
    std::vector<std::string> stripped;        // photo metadata removed, PDF metadata dropped
    std::vector<std::string> notes;           // burned-in and PHI override reasons, default frame rate, ...
    std::uint32_t firstSlide = 0, slides = 0; // 1-based index of its first slide, and its count
    [[nodiscard]] bool refused() const { return !refusals.empty(); }
};

struct BuildResult {
    std::vector<FileReport> files;
    DeckManifest manifest;                    // complete only when nothing was refused
    std::optional<BlobHash> manifestHash;     // set when the deck was written
    std::string error;                        // a refusal of the whole deck (no slides, too many, PHI in the title)
    std::vector<std::string> notes;           // deck-wide notes (a title accepted with --allow-phi)
    [[nodiscard]] bool ok() const { return manifestHash.has_value(); }
};

// Reads and checks every input (all of them, so the report lists every
// refusal), writes frame blobs of accepted files into `store`, and writes the
// manifest blob only when no file was refused. A failure to read a file is
// that file's refusal; a store write failure is an Error.
core::Result<BuildResult> buildDeck(const std::vector<std::filesystem::path>& inputs, const BuildOptions& options,
                                    BlobStore& store);

// The inputs for a directory: its regular files whose names do not start
// with '.', sorted by name (bytes), not recursive.
core::Result<std::vector<std::filesystem::path>> listDeckInputs(const std::filesystem::path& dir);

} // namespace caseroom::media
