#include "session/content_fetch.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace caseroom::session {

const char* toString(FetchState s) {
    switch (s) {
    case FetchState::Queued: return "queued";
    case FetchState::Fetching: return "fetching";
    case FetchState::Done: return "done";
    case FetchState::Unavailable: return "not available from the server";
    case FetchState::Mismatch: return "received bytes do not match the blob's hash";
    case FetchState::Failed: return "cache error";
    case FetchState::Count: break;
    }
    return "?";
}

std::filesystem::path defaultBlobCacheDir(const char* xdgCacheHome, const char* home) {
    if (xdgCacheHome && *xdgCacheHome == '/') return std::filesystem::path(xdgCacheHome) / "caseroom" / "blobs";
    if (home && *home) return std::filesystem::path(home) / ".cache" / "caseroom" / "blobs";
    return std::filesystem::path("caseroom-cache") / "blobs";
}

BlobFetcher::BlobFetcher(std::filesystem::path cacheDir, FetchConfig config) : dir_(std::move(cacheDir)), config_(config) {
    config_.requestBytes = std::clamp<std::uint32_t>(config_.requestBytes, net::kBlobChunkBytes, net::kMaxBlobRequestBytes);
    config_.windowBytes = std::max(config_.windowBytes, config_.requestBytes);
    config_.maxActive = std::max<std::uint32_t>(config_.maxActive, 1);
}

BlobFetcher::~BlobFetcher() {
    for (auto& [h, a] : active_)
        if (a.part) std::fclose(a.part);
}

core::Status BlobFetcher::ensureStore() {
    if (store_) return {};
    if (!storeError_.empty()) return core::Error{storeError_};
    if (dir_.empty()) { storeError_ = "no blob cache directory set"; return core::Error{storeError_}; }
    auto s = media::BlobStore::open(dir_);
    if (!s) { storeError_ = s.error().message; return s.error(); }
    store_.emplace(std::move(*s));
    return {};
}

std::filesystem::path BlobFetcher::partPath(const core::ContentHash& hash) const {
    auto p = store_->pathOf(hash);
    p += ".part";
    return p;
}

BlobProgress* BlobFetcher::find(const core::ContentHash& hash) {
    const auto it = index_.find(hash);
    return it == index_.end() ? nullptr : &blobs_[it->second];
}

const BlobProgress* BlobFetcher::progress(const core::ContentHash& hash) const {
    const auto it = index_.find(hash);
    return it == index_.end() ? nullptr : &blobs_[it->second];
}

bool BlobFetcher::complete() const {
    return std::all_of(blobs_.begin(), blobs_.end(), [](const BlobProgress& p) { return p.state == FetchState::Done; });
}

core::Result<std::vector<std::uint8_t>> BlobFetcher::read(const core::ContentHash& hash) const {
    const BlobProgress* p = progress(hash);
    if (!p || p->state != FetchState::Done || !store_) return core::Error{"blob " + hash.shortHex() + " is not in the cache"};
    return store_->read(hash, net::kMaxBlobBytes);
}

void BlobFetcher::want(const core::ContentHash& hash) {
    if (BlobProgress* p = find(hash)) {
        if (p->state == FetchState::Unavailable || p->state == FetchState::Mismatch || p->state == FetchState::Failed) {
            p->state = FetchState::Queued;
            p->error.clear();
        }
        return;
    }
    index_.emplace(hash, blobs_.size());
    blobs_.push_back(BlobProgress{});
    BlobProgress& p = blobs_.back();
    p.hash = hash;
    if (auto s = ensureStore(); !s) { fail(p, FetchState::Failed, s.error().message); return; }
    if (const auto size = store_->size(hash)) {
        p.state = FetchState::Done;
        p.cached = true;
        p.bytes = p.total = *size;
        ++counters_.cacheHits;
    }
}

void BlobFetcher::fail(BlobProgress& p, FetchState s, std::string why) {
    p.state = s;
    p.error = std::move(why);
}

void BlobFetcher::closeActive(const core::ContentHash& hash, bool removePart) {
    const auto it = active_.find(hash);
    if (it == active_.end()) return;
    if (it->second.part) std::fclose(it->second.part);
    active_.erase(it);
    if (removePart && store_) {
        std::error_code ec;
        std::filesystem::remove(partPath(hash), ec);
    }
}

std::uint64_t BlobFetcher::outstanding() const {
    std::uint64_t n = 0;
    for (const auto& [h, a] : active_) n += a.requested - a.received;
    return n;
}

// Opens (or continues) the blob's part: an existing part is hashed once so
// that the hasher continues where it stopped; a part that is already the
// whole blob completes at once.
void BlobFetcher::start(BlobProgress& p) {
    if (auto s = ensureStore(); !s) { fail(p, FetchState::Failed, s.error().message); return; }
    if (store_->has(p.hash)) {
        p.state = FetchState::Done;
        p.bytes = p.total = store_->size(p.hash).value_or(0);
        return;
    }
    const auto path = partPath(p.hash);
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    std::FILE* f = std::fopen(path.c_str(), "a+b"); // reads from the start, writes append
    if (!f) { fail(p, FetchState::Failed, path.string() + ": cannot open: " + std::strerror(errno)); return; }
    Active a;
    a.part = f;
    std::vector<std::uint8_t> buf(64 * 1024);
    std::size_t n = 0;
    while ((n = std::fread(buf.data(), 1, buf.size(), f)) > 0) {
        a.hasher.update({buf.data(), n});
        a.received += n;
    }
    if (a.received > net::kMaxBlobBytes) { // not ours to resume: start over
        std::fclose(f);
        std::filesystem::remove(path, ec);
        f = std::fopen(path.c_str(), "a+b");
        if (!f) { fail(p, FetchState::Failed, path.string() + ": cannot open: " + std::strerror(errno)); return; }
        a = Active{};
        a.part = f;
    }
    a.requested = a.received;
    a.resumedFromDisk = a.received > 0;
    if (a.resumedFromDisk) ++counters_.resumed;
    p.bytes = a.received;
    p.state = FetchState::Fetching;
    const bool whole = a.resumedFromDisk && [&] {
        media::BlobHasher copy = a.hasher;
        return copy.finish() == p.hash;
    }();
    auto [it, inserted] = active_.emplace(p.hash, std::move(a));
    if (!inserted) { std::fclose(f); return; } // cannot happen: one Active per Fetching blob
    if (whole) {
        p.total = p.bytes;
        finish(p, it->second);
    }
}

bool BlobFetcher::retryFromZero(BlobProgress& p) {
    const auto it = active_.find(p.hash);
    if (p.retried || it == active_.end() || !it->second.resumedFromDisk) return false;
    closeActive(p.hash, true);
    p.retried = true;
    p.bytes = p.total = 0;
    p.state = FetchState::Queued;
    return true;
}

void BlobFetcher::finish(BlobProgress& p, Active& a) {
    const bool flushed = std::fflush(a.part) == 0 && ::fsync(::fileno(a.part)) == 0;
    media::BlobHasher h = a.hasher;
    if (h.finish() != p.hash) {
        ++counters_.mismatches;
        if (retryFromZero(p)) return;
        closeActive(p.hash, true);
        fail(p, FetchState::Mismatch, "blob " + p.hash.shortHex() + ": received bytes do not match its hash (discarded)");
        return;
    }
    const auto part = partPath(p.hash);
    const auto target = store_->pathOf(p.hash);
    std::fclose(a.part);
    a.part = nullptr;
    active_.erase(p.hash);
    if (!flushed || ::rename(part.c_str(), target.c_str()) != 0) {
        fail(p, FetchState::Failed, target.string() + ": cannot move the verified blob into the cache: " + std::strerror(errno));
        return;
    }
    p.state = FetchState::Done;
    p.bytes = p.total;
    ++counters_.verified;
}

void BlobFetcher::onConnected() { connected_ = true; }

void BlobFetcher::onDisconnected() {
    connected_ = false;
    for (auto& [h, a] : active_) {
        a.requested = a.received; // in flight is lost with the connection; the part stays
        if (a.part) (void)std::fflush(a.part); // and holds every byte received, for a resume
    }
}

void BlobFetcher::pump(const std::function<bool(const net::BlobRequest&)>& send) {
    if (!connected_) return;
    for (BlobProgress& p : blobs_) {
        if (active_.size() >= config_.maxActive) break;
        if (p.state == FetchState::Queued) start(p);
    }
    for (BlobProgress& p : blobs_) {
        if (p.state != FetchState::Fetching) continue;
        const auto it = active_.find(p.hash);
        if (it == active_.end()) continue;
        Active& a = it->second;
        for (;;) {
            if (p.total == 0 && a.requested > a.received) break; // the first answer tells the size
            const std::uint64_t end = p.total ? p.total : net::kMaxBlobBytes;
            if (a.requested >= end) break;
            const auto len = static_cast<std::uint32_t>(std::min<std::uint64_t>(config_.requestBytes, end - a.requested));
            if (outstanding() + len > config_.windowBytes) return;
            net::BlobRequest req{p.hash, static_cast<std::uint32_t>(a.requested), len};
            if (!send(req)) return;
            a.requested += len;
            ++counters_.requestsSent;
            counters_.bytesRequested += len;
        }
    }
}

void BlobFetcher::onChunk(const net::BlobChunk& chunk) {
    BlobProgress* p = find(chunk.hash);
    const auto it = active_.find(chunk.hash);
    if (!p || p->state != FetchState::Fetching || it == active_.end() || chunk.offset != it->second.received ||
        (p->total != 0 && chunk.total != p->total)) {
        ++counters_.unexpectedChunks;
        return;
    }
    Active& a = it->second;
    if (p->total == 0) {
        p->total = chunk.total;
        a.requested = std::min<std::uint64_t>(a.requested, p->total);
    }
    ++counters_.chunksReceived;
    counters_.bytesReceived += chunk.size;
    if (std::fwrite(chunk.bytes.data(), 1, chunk.size, a.part) != chunk.size) {
        const std::string why = partPath(chunk.hash).string() + ": write failed: " + std::strerror(errno);
        closeActive(chunk.hash, true);
        fail(*p, FetchState::Failed, why);
        return;
    }
    a.hasher.update(chunk.payload());
    a.received += chunk.size;
    a.requested = std::max(a.requested, a.received);
    p->bytes = a.received;
    if (a.received == p->total) finish(*p, a);
}

void BlobFetcher::onUnavailable(const core::ContentHash& hash) {
    BlobProgress* p = find(hash);
    if (!p || p->state != FetchState::Fetching) { ++counters_.unexpectedChunks; return; }
    // A resumed part longer than the blob asks past its end: the part was stale.
    if (retryFromZero(*p)) return;
    ++counters_.unavailable;
    closeActive(hash, false);
    fail(*p, FetchState::Unavailable, "blob " + hash.shortHex() + ": the server does not serve it");
}

} // namespace caseroom::session
