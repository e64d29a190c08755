#include "session/content_store.h"

#include "net/messages.h"

namespace caseroom::session {

core::Result<ContentStore> ContentStore::open(const std::filesystem::path& dir, ContentStoreConfig config) {
    auto store = media::BlobStore::open(dir);
    if (!store) return store.error();
    return ContentStore(std::move(*store), config);
}

core::Status ContentStore::allowFrom(std::uint16_t from, const core::ContentHash& hash) {
    const media::BlobStore& store = source(from);
    const auto size = store.size(hash);
    if (!size) return core::Error{store.pathOf(hash).string() + ": blob is not in the content store"};
    if (*size == 0 || *size > net::kMaxBlobBytes)
        return core::Error{store.pathOf(hash).string() + ": blob is " + std::to_string(*size) + " bytes; served blobs are 1.." +
                           std::to_string(net::kMaxBlobBytes)};
    if (served_.emplace(hash, Served{static_cast<std::uint32_t>(*size), from}).second) ++counters_.allowed;
    return {};
}

core::Status ContentStore::allow(const core::ContentHash& hash) { return allowFrom(0, hash); }

core::Status ContentStore::allowDeck(const core::ContentHash& manifest, std::span<const core::ContentHash> frames) {
    return allowDeck(store_, manifest, frames);
}

core::Status ContentStore::allowDeck(const media::BlobStore& from, const core::ContentHash& manifest,
                                     std::span<const core::ContentHash> frames) {
    std::vector<core::ContentHash> all{manifest};
    all.insert(all.end(), frames.begin(), frames.end());
    for (const auto& h : all) {
        const auto size = from.size(h);
        if (!size || *size == 0 || *size > net::kMaxBlobBytes)
            return core::Error{"deck " + manifest.hex() + ": " + from.pathOf(h).string() +
                               (size ? ": blob size out of range" : ": blob is not in the content store")};
    }
    std::uint16_t index = 0;
    if (from.dir() != store_.dir()) {
        std::size_t i = 0;
        while (i < sources_.size() && sources_[i].dir() != from.dir()) ++i;
        if (i == sources_.size()) {
            if (sources_.size() >= 0xFFFEu) return core::Error{"deck " + manifest.hex() + ": too many blob directories"};
            sources_.push_back(from);
        }
        index = static_cast<std::uint16_t>(i + 1);
    }
    for (const auto& h : all)
        if (auto s = allowFrom(index, h); !s) return s;
    return {};
}

core::Result<std::size_t> ContentStore::allowAll() {
    std::size_t n = 0;
    for (const auto& h : store_.list()) {
        if (auto s = allow(h); !s) return s.error();
        ++n;
    }
    return n;
}

std::optional<std::uint32_t> ContentStore::servedSize(const core::ContentHash& hash) const {
    const auto it = served_.find(hash);
    if (it == served_.end()) return std::nullopt;
    return it->second.size;
}

void ContentStore::evictTo(std::uint64_t limit) {
    while (cachedBytes_ > limit && !lru_.empty()) {
        const auto it = cache_.find(lru_.back());
        cachedBytes_ -= it->second.bytes->size();
        cache_.erase(it);
        lru_.pop_back();
    }
}

BlobBytes ContentStore::load(const core::ContentHash& hash, bool& allowDiskRead) {
    if (const auto it = cache_.find(hash); it != cache_.end()) {
        ++counters_.cacheHits;
        lru_.splice(lru_.begin(), lru_, it->second.lru);
        return it->second.bytes;
    }
    const auto served = served_.find(hash);
    if (served == served_.end() || !allowDiskRead) return nullptr;
    allowDiskRead = false;
    ++counters_.cacheMisses;
    auto read = source(served->second.source).read(hash, net::kMaxBlobBytes);
    if (!read) {
        // Damaged or removed under us: never serve wrong bytes; stop offering it.
        ++counters_.diskReadFailures;
        served_.erase(hash);
        return nullptr;
    }
    auto bytes = std::make_shared<const std::vector<std::uint8_t>>(std::move(*read));
    if (bytes->size() <= config_.cacheBytes) {
        evictTo(config_.cacheBytes - bytes->size());
        lru_.push_front(hash);
        cache_.emplace(hash, Cached{bytes, lru_.begin()});
        cachedBytes_ += bytes->size();
    }
    return bytes;
}

} // namespace caseroom::session
