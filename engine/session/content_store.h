// The server's content store: a media::BlobStore on disk plus the set of
// blobs the server may serve (decks put there by `caseroom-deck build` and
// offered with allowDeck). Everything else in the directory is invisible to
// clients: a request for it gets the same BlobUnavailable as a blob that does
// not exist, so the store cannot be probed.
//
// Reads for the network come from memory: a bounded cache of whole blobs
// (least recently used out first). A miss reads the blob from disk once,
// verified against its hash; the caller takes at most one miss per tick
// (beginTick / load with allowDiskRead), so a tick never waits on the disk
// for more than one read of at most net::kMaxBlobBytes. A blob in use by a
// transfer stays alive through its shared_ptr even when the cache drops it;
// the scheduler loads only the request at the head of each client's queue,
// so memory is the cache bound plus at most one blob per fetching client.
// Thread rule: one thread (the server's).
#pragma once
#include <cstdint>
#include <filesystem>
#include <list>
#include <memory>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

#include "core/content_hash.h"
#include "core/result.h"
#include "media/blob.h"

namespace caseroom::session {

using BlobBytes = std::shared_ptr<const std::vector<std::uint8_t>>;

struct ContentStoreConfig {
    std::uint64_t cacheBytes = 256ull << 20;   // blobs held in memory, together
};

struct ContentStoreCounters {
    std::uint64_t cacheHits = 0, cacheMisses = 0;  // load() calls answered from memory / from disk
    std::uint64_t diskReadFailures = 0;            // a served blob that could not be read or did not verify
    std::uint64_t allowed = 0;                     // blobs that may be served
};

class ContentStore {
public:
    // Opens (creates) the store directory. Error names DIR and the fault.
    static core::Result<ContentStore> open(const std::filesystem::path& dir, ContentStoreConfig config = {});

    // Lets clients fetch `hash`. Error when the blob is not in the store or is
    // over net::kMaxBlobBytes (the error names the blob's path).
    core::Status allow(const core::ContentHash& hash);
    // Allows a deck: its manifest blob and every frame blob (the frames come
    // from media::parseManifest(...).blobs(), which the caller runs). All or
    // nothing: when one is missing, none is allowed.
    core::Status allowDeck(const core::ContentHash& manifest, std::span<const core::ContentHash> frames);
    // The same for a deck in another blob directory (a `--deck DIR`'s
    // DIR/blobs): its blobs are then read from `from` (verified like every
    // read). A blob already served from elsewhere keeps its first source.
    core::Status allowDeck(const media::BlobStore& from, const core::ContentHash& manifest,
                           std::span<const core::ContentHash> frames);
    // Allows every blob in the directory (a store that holds only deck
    // content, e.g. filled by `caseroom-deck build`); returns how many.
    core::Result<std::size_t> allowAll();

    // The size of an allowed blob; nullopt when it may not be served.
    [[nodiscard]] std::optional<std::uint32_t> servedSize(const core::ContentHash& hash) const;
    // The bytes of an allowed blob. From memory when cached; otherwise read
    // (and verified) from disk only when `allowDiskRead`, which the call then
    // clears. nullptr: not cached and no read allowed (try next tick), or the
    // read failed (counted; the blob is then no longer served).
    BlobBytes load(const core::ContentHash& hash, bool& allowDiskRead);

    [[nodiscard]] const ContentStoreCounters& counters() const { return counters_; }
    [[nodiscard]] std::uint64_t cachedBytes() const { return cachedBytes_; }
    [[nodiscard]] media::BlobStore& blobs() { return store_; }

private:
    ContentStore(media::BlobStore store, ContentStoreConfig config) : store_(std::move(store)), config_(config) {}
    void evictTo(std::uint64_t limit);

    struct Served {
        std::uint32_t size = 0;
        std::uint16_t source = 0; // 0: store_; i: sources_[i - 1]
    };
    core::Status allowFrom(std::uint16_t source, const core::ContentHash& hash);
    [[nodiscard]] const media::BlobStore& source(std::uint16_t i) const { return i == 0 ? store_ : sources_[i - 1u]; }

    media::BlobStore store_;
    std::vector<media::BlobStore> sources_; // further blob directories (decks elsewhere)
    ContentStoreConfig config_;
    std::unordered_map<core::ContentHash, Served, core::ContentHashHasher> served_;
    struct Cached {
        BlobBytes bytes;
        std::list<core::ContentHash>::iterator lru;
    };
    std::unordered_map<core::ContentHash, Cached, core::ContentHashHasher> cache_;
    std::list<core::ContentHash> lru_; // most recently used first
    std::uint64_t cachedBytes_ = 0;
    ContentStoreCounters counters_;
};

} // namespace caseroom::session
