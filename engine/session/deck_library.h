// The decks a server offers: each loaded from a media::BlobStore by its
// manifest's hash (a `caseroom-deck build --out DIR` directory holds one:
// DIR/blobs and DIR/deck), its manifest read (verified) and parsed, and
// every frame blob checked present with a servable size (1..net::
// kMaxBlobBytes). Frames are not hashed at load: ContentStore::load verifies
// each blob against its name when it first reads it from disk, and a blob
// that fails is never served (a client verifies every blob it receives too).
//
// The library is the panels system's sim::DeckCatalog (a deck it does not
// hold cannot be shown) and lists what each room offers (sim::OfferedDeck,
// replicated as net::ObjectKind::Deck room objects). At most kMaxOfferedDecks
// decks (panel_wire.h), so that panels, lasers and decks fit a room's net::kMaxRoomObjects;
// add() refuses one more. Decks are listed in the order added.
// Thread rule: built before the server starts; read-only afterwards.
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

#include "core/content_hash.h"
#include "core/result.h"
#include "media/blob.h"
#include "media/deck.h"
#include "session/panel_wire.h"
#include "sim/panels.h"

namespace caseroom::session {

class ContentStore;

class DeckLibrary final : public sim::DeckCatalog {
public:
    // Loads the deck named `manifest` from `store`. Adding a deck the library
    // already holds is a no-op. Errors name the deck's hash, the blob's path
    // and the fault (manifest missing, damaged or unparsable; a frame blob
    // missing or of an unservable size; the library full).
    core::Status add(const media::BlobStore& store, const core::ContentHash& manifest);
    // A `caseroom-deck build --out DIR` directory: DIR/deck (the manifest's
    // hash, 64 hex digits on one line) and DIR/blobs. Returns the hash.
    core::Result<core::ContentHash> addBuiltDeck(const std::filesystem::path& dir);

    // Lets `content` serve every deck's manifest and frames, each from the
    // blob store it was loaded from. Error: the content store's, naming the blob.
    core::Status allowIn(ContentStore& content) const;

    [[nodiscard]] std::size_t size() const { return decks_.size(); }
    [[nodiscard]] const media::DeckManifest* find(const core::ContentHash& deck) const;
    [[nodiscard]] std::vector<sim::OfferedDeck> offered() const override;

    [[nodiscard]] std::optional<std::uint16_t> slideCount(const core::ContentHash& deck) const override;
    [[nodiscard]] std::optional<std::uint16_t> frameCount(const core::ContentHash& deck, std::uint16_t slide) const override;

private:
    struct Entry {
        core::ContentHash hash;
        media::DeckManifest manifest;
        media::BlobStore store;
    };
    [[nodiscard]] const Entry* entry(const core::ContentHash& deck) const;
    std::vector<Entry> decks_;
};

// Reads DIR/deck of a built deck: the manifest's hash. Error names the file.
core::Result<core::ContentHash> readDeckFile(const std::filesystem::path& file);

} // namespace caseroom::session
