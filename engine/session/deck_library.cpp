#include "session/deck_library.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>

#include "net/messages.h"
#include "session/content_store.h"

namespace caseroom::session {

static_assert(kMaxDeckObjectSlides == media::kMaxDeckSlides, "a deck object carries any deck's slide count");

core::Result<core::ContentHash> readDeckFile(const std::filesystem::path& file) {
    std::FILE* f = std::fopen(file.c_str(), "rb");
    if (!f) return core::Error{file.string() + ": cannot open: " + std::strerror(errno)};
    char buf[160] = {};
    const std::size_t n = std::fread(buf, 1, sizeof buf - 1, f);
    std::fclose(f);
    std::string text(buf, n);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
    const auto hash = core::ContentHash::fromHex(text);
    if (!hash || hash->empty()) return core::Error{file.string() + ": wants the deck manifest's hash, 64 hex digits on one line"};
    return *hash;
}

core::Status DeckLibrary::add(const media::BlobStore& store, const core::ContentHash& manifest) {
    const std::string name = "deck " + manifest.hex();
    if (manifest.empty()) return core::Error{"deck: the empty hash names no deck"};
    if (entry(manifest)) return {};
    if (decks_.size() >= kMaxOfferedDecks)
        return core::Error{name + ": a server offers at most " + std::to_string(kMaxOfferedDecks) +
                           " decks (each is a room object in every room)"};
    const std::string manifestPath = store.pathOf(manifest).string();
    if (!store.has(manifest)) return core::Error{name + ": manifest blob " + manifestPath + " is not in " + store.dir().string()};
    auto bytes = store.read(manifest, media::kMaxManifestBytes); // verified against its name
    if (!bytes) return core::Error{name + ": " + bytes.error().message};
    auto parsed = media::parseManifest(*bytes, manifestPath);
    if (!parsed) return core::Error{name + ": " + parsed.error().message};
    if (parsed->slides.size() > std::numeric_limits<std::uint16_t>::max())
        return core::Error{name + ": too many slides"};
    for (std::size_t s = 0; s < parsed->slides.size(); ++s) {
        const auto& slide = parsed->slides[s];
        for (std::size_t f = 0; f < slide.frames.size(); ++f) {
            const auto& h = slide.frames[f];
            const auto size = store.size(h);
            const std::string where = name + ": slide " + std::to_string(s + 1) + " frame " + std::to_string(f + 1) + ": blob " +
                                      store.pathOf(h).string();
            if (!size) return core::Error{where + " is missing"};
            if (*size == 0 || *size > net::kMaxBlobBytes)
                return core::Error{where + " is " + std::to_string(*size) + " bytes; served blobs are 1.." +
                                   std::to_string(net::kMaxBlobBytes)};
        }
    }
    decks_.push_back(Entry{manifest, std::move(*parsed), store});
    return {};
}

core::Result<core::ContentHash> DeckLibrary::addBuiltDeck(const std::filesystem::path& dir) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir / "blobs", ec))
        return core::Error{(dir / "blobs").string() + ": not a directory (a deck directory is what caseroom-deck build --out writes)"};
    auto hash = readDeckFile(dir / "deck");
    if (!hash) return hash.error();
    auto store = media::BlobStore::open(dir / "blobs");
    if (!store) return store.error();
    if (auto s = add(*store, *hash); !s) return s.error();
    return *hash;
}

core::Status DeckLibrary::allowIn(ContentStore& content) const {
    for (const Entry& e : decks_) {
        const auto frames = e.manifest.blobs();
        if (auto s = content.allowDeck(e.store, e.hash, frames); !s) return s;
    }
    return {};
}

const DeckLibrary::Entry* DeckLibrary::entry(const core::ContentHash& deck) const {
    for (const Entry& e : decks_)
        if (e.hash == deck) return &e;
    return nullptr;
}

const media::DeckManifest* DeckLibrary::find(const core::ContentHash& deck) const {
    const Entry* e = entry(deck);
    return e ? &e->manifest : nullptr;
}

std::vector<sim::OfferedDeck> DeckLibrary::offered() const {
    std::vector<sim::OfferedDeck> out;
    out.reserve(decks_.size());
    for (const Entry& e : decks_)
        out.push_back(sim::OfferedDeck{e.hash, e.manifest.title, static_cast<std::uint16_t>(e.manifest.slides.size())});
    return out;
}

std::optional<std::uint16_t> DeckLibrary::slideCount(const core::ContentHash& deck) const {
    const Entry* e = entry(deck);
    if (!e || e->manifest.slides.empty()) return std::nullopt;
    return static_cast<std::uint16_t>(e->manifest.slides.size());
}

std::optional<std::uint16_t> DeckLibrary::frameCount(const core::ContentHash& deck, std::uint16_t slide) const {
    const Entry* e = entry(deck);
    if (!e || slide >= e->manifest.slides.size()) return std::nullopt;
    const std::size_t n = e->manifest.slides[slide].frames.size();
    if (n == 0 || n > std::numeric_limits<std::uint16_t>::max()) return std::nullopt;
    return static_cast<std::uint16_t>(n);
}

} // namespace caseroom::session
