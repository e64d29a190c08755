// Content-addressed blobs: a blob is named by the BLAKE2b-256 hash
// (libsodium crypto_generichash, 32 bytes) of its bytes, so a name says what
// the content is and any copy can be verified. Decks, slides, cached media and
// the server's content store all use this one type and one on-disk store.
// Library-free header: libsodium stays in blob.cpp.
#pragma once
#include <array>
#include <compare>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/content_hash.h"
#include "core/result.h"

namespace caseroom::media {

// The hash type itself is pure (core/content_hash.h) so that sim and net can
// name content without linking libsodium.
using BlobHash = core::ContentHash;
using BlobHashHasher = core::ContentHashHasher;

BlobHash hashBlob(std::span<const std::uint8_t> bytes);

// Incremental hash, for blobs that arrive in chunks.
class BlobHasher {
public:
    BlobHasher();
    void update(std::span<const std::uint8_t> bytes);
    BlobHash finish(); // once; the hasher is spent afterwards
private:
    alignas(64) std::array<std::uint8_t, 384> state_{}; // crypto_generichash_state (checked in blob.cpp)
    bool finished_ = false;
};

// A directory of blobs, one file per blob at DIR/ab/abcdef... (first byte
// fans out). Writes go to a temporary file that is flushed and renamed, so a
// crash never leaves a blob under its name with other bytes; reads verify the
// hash, so a damaged file is an error naming the file, never wrong content.
// Thread rule: one BlobStore per thread; separate processes may share a
// directory (rename is atomic and content is named by its hash).
class BlobStore {
public:
    // Creates DIR (mode 0700) if missing. Error names DIR and the fault.
    static core::Result<BlobStore> open(const std::filesystem::path& dir);

    [[nodiscard]] const std::filesystem::path& dir() const { return dir_; }
    [[nodiscard]] std::filesystem::path pathOf(const BlobHash& hash) const;
    [[nodiscard]] bool has(const BlobHash& hash) const;
    // Bytes on disk (not verified), nullopt when absent.
    [[nodiscard]] std::optional<std::uint64_t> size(const BlobHash& hash) const;
    // Reads and verifies; maxBytes bounds the read.
    core::Result<std::vector<std::uint8_t>> read(const BlobHash& hash, std::uint64_t maxBytes = 1ull << 30) const;
    // Stores `bytes` under their hash (a no-op when present) and returns it.
    core::Result<BlobHash> put(std::span<const std::uint8_t> bytes);
    // Stores bytes that must hash to `expected`; an error when they do not.
    core::Status putExpected(const BlobHash& expected, std::span<const std::uint8_t> bytes);
    // Every blob name in the store (files that are not blob names are skipped).
    [[nodiscard]] std::vector<BlobHash> list() const;

private:
    explicit BlobStore(std::filesystem::path dir) : dir_(std::move(dir)) {}
    core::Status writeAtomically(const BlobHash& hash, std::span<const std::uint8_t> bytes);
    std::filesystem::path dir_;
};

} // namespace caseroom::media
