#include "session/content_store.h"

#include "net/messages.h"

namespace caseroom::session {

core::Result<ContentStore> ContentStore::open(const std::filesystem::path& dir, ContentStoreConfig config) {
    auto store = media::BlobStore::open(dir);
    if (!store) return store.error();
    return ContentStore(std::move(*store), config);
}

core::Status ContentStore::allow(const core::ContentHash& hash) {
    const auto size = store_.size(hash);
    if (!size) return core::Error{store_.pathOf(hash).string() + ": blob is not in the content store"};
    if (*size == 0 || *size > net::kMaxBlobBytes)
        return core::Error{store_.pathOf(hash).string() + ": blob is " + std::to_string(*size) + " bytes; served blobs are 1.." +
                           std::to_string(net::kMaxBlobBytes)};
    if (served_.emplace(hash, static_cast<std::uint32_t>(*size)).second) ++counters_.allowed;
    return {};
}

core::Status ContentStore::allowDeck(const core::ContentHash& manifest, std::span<const core::ContentHash> frames) {
    std::vector<core::ContentHash> all{manifest};
    all.insert(all.end(), frames.begin(), frames.end());
    for (const auto& h : all) {
        const auto size = store_.size(h);
        if (!size || *size == 0 || *size > net::kMaxBlobBytes)
            return core::Error{"deck " + manifest.hex() + ": " + store_.pathOf(h).string() +
                               (size ? ": blob size out of range" : ": blob is not in the content store")};
    }
    for (const auto& h : all)
        if (auto s = allow(h); !s) return s;
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
    return it->second;
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
    const auto size = servedSize(hash);
    if (!size || !allowDiskRead) return nullptr;
    allowDiskRead = false;
    ++counters_.cacheMisses;
    auto read = store_.read(hash, net::kMaxBlobBytes);
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
