// The client's blob fetcher: wanted blobs (by hash, in order) come over the
// media channel into the client's blob cache (a media::BlobStore directory).
//  - A blob already in the cache costs nothing: no request, zero bytes.
//  - Bytes arrive in chunks into DIR/ab/<hex>.part; a fetch resumes from the
//    .part's size after a reconnect or a restart.
//  - A bounded window of outstanding requested bytes (several requests in
//    flight, each at most FetchConfig::requestBytes) keeps the link busy
//    without making the server hold more than a few requests for us.
//  - Complete: verified with media::BlobHasher, then renamed into the store
//    under its hash. A mismatch discards the part and counts; a part resumed
//    from an earlier run is retried from zero once, otherwise the blob is in
//    error (the server sent wrong bytes).
// Per blob: state, bytes and total, for the progress bar; errors in words.
// Thread rule: one thread (the session's). The cache is opened lazily, on
// the first want(), so sessions that never fetch touch no disk.
#pragma once
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/content_hash.h"
#include "core/result.h"
#include "media/blob.h"
#include "net/messages.h"

namespace caseroom::session {

struct FetchConfig {
    std::uint32_t windowBytes = 128u << 10;   // requested but not yet received, all blobs together
    std::uint32_t requestBytes = 32u << 10;   // per BlobRequest (<= net::kMaxBlobRequestBytes)
    std::uint32_t maxActive = 4;              // blobs with requests in flight at once (open .part files)
};

enum class FetchState : std::uint8_t {
    Queued,       // wanted, nothing requested yet
    Fetching,     // requests in flight
    Done,         // in the cache, verified
    Unavailable,  // the server does not serve it (absent or not allowed)
    Mismatch,     // received bytes did not hash to the name (discarded)
    Failed,       // local I/O error (the cache directory, the .part file)
    Count
};
const char* toString(FetchState s);

struct BlobProgress {
    core::ContentHash hash;
    FetchState state = FetchState::Queued;
    std::uint64_t bytes = 0;   // held so far (resumed part included)
    std::uint64_t total = 0;   // 0 until the first chunk says
    bool cached = false;       // was already in the cache when wanted
    std::string error;         // for Unavailable / Mismatch / Failed
    bool retried = false;      // a stale part was discarded and the fetch restarted from zero
};

struct FetchCounters {
    std::uint64_t requestsSent = 0;
    std::uint64_t bytesRequested = 0;
    std::uint64_t chunksReceived = 0;
    std::uint64_t bytesReceived = 0;     // chunk payload bytes
    std::uint64_t cacheHits = 0;         // wanted blobs already in the cache
    std::uint64_t resumed = 0;           // fetches that continued a .part
    std::uint64_t verified = 0;          // blobs completed and moved into the cache
    std::uint64_t mismatches = 0;        // completed parts that did not verify (discarded)
    std::uint64_t unavailable = 0;
    std::uint64_t unexpectedChunks = 0;  // for a blob not in flight, or out of order: ignored
};

// The default cache: $XDG_CACHE_HOME/caseroom/blobs, else $HOME/.cache/caseroom/blobs,
// else ./caseroom-cache/blobs. Pass the environment values (may be null).
std::filesystem::path defaultBlobCacheDir(const char* xdgCacheHome, const char* home);

class BlobFetcher {
public:
    explicit BlobFetcher(std::filesystem::path cacheDir = {}, FetchConfig config = {});
    ~BlobFetcher();
    BlobFetcher(const BlobFetcher&) = delete;
    BlobFetcher& operator=(const BlobFetcher&) = delete;

    // Where the cache lives; only before the first want().
    void setCacheDir(std::filesystem::path dir) { dir_ = std::move(dir); }
    [[nodiscard]] const std::filesystem::path& cacheDir() const { return dir_; }

    // Adds `hash` to the queue (a no-op when already wanted; a blob in error
    // is queued again). Done at once, zero bytes, when the cache has it.
    void want(const core::ContentHash& hash);
    [[nodiscard]] const BlobProgress* progress(const core::ContentHash& hash) const;
    [[nodiscard]] const std::vector<BlobProgress>& all() const { return blobs_; }
    // Every wanted blob Done.
    [[nodiscard]] bool complete() const;
    // The verified bytes of a Done blob, read from the cache.
    [[nodiscard]] core::Result<std::vector<std::uint8_t>> read(const core::ContentHash& hash) const;
    [[nodiscard]] const FetchCounters& counters() const { return counters_; }

    // Session side. Connected to a room: requests flow. Disconnected:
    // requests in flight are forgotten (the parts stay, and resume).
    void onConnected();
    void onDisconnected();
    // Sends requests while the window allows; `send` returns false when the
    // message could not be queued (then it is tried again next pump).
    void pump(const std::function<bool(const net::BlobRequest&)>& send);
    void onChunk(const net::BlobChunk& chunk);
    void onUnavailable(const core::ContentHash& hash);

private:
    struct Active {
        std::FILE* part = nullptr;
        media::BlobHasher hasher;
        std::uint64_t received = 0;   // bytes in the part (== progress.bytes)
        std::uint64_t requested = 0;  // next offset to request
        bool resumedFromDisk = false;
    };
    core::Status ensureStore();
    std::filesystem::path partPath(const core::ContentHash& hash) const;
    BlobProgress* find(const core::ContentHash& hash);
    void start(BlobProgress& p);
    void finish(BlobProgress& p, Active& a);
    void fail(BlobProgress& p, FetchState s, std::string why);
    void closeActive(const core::ContentHash& hash, bool removePart);
    // A resumed part that turned out wrong: discard it and start over, once.
    bool retryFromZero(BlobProgress& p);
    [[nodiscard]] std::uint64_t outstanding() const;

    std::filesystem::path dir_;
    FetchConfig config_;
    std::optional<media::BlobStore> store_;
    std::string storeError_;
    std::vector<BlobProgress> blobs_;                                              // in want() order
    std::unordered_map<core::ContentHash, std::size_t, core::ContentHashHasher> index_; // hash -> blobs_ index
    std::unordered_map<core::ContentHash, Active, core::ContentHashHasher> active_;
    bool connected_ = false;
    FetchCounters counters_;
};

} // namespace caseroom::session
