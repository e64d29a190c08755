// Content-addressed blob store: names are hashes, reads verify, writes are atomic.
#include <catch2/catch.hpp>

#include <fstream>

#include "media/blob.h"
#include "temp_dir.h"

using namespace caseroom;

namespace {
std::vector<std::uint8_t> bytesOf(std::string_view s) { return {s.begin(), s.end()}; }
}

TEST_CASE("blob hashes are BLAKE2b-256 and round-trip through hex") {
    // BLAKE2b-256 of "abc" (RFC 7693 parameters, 32-byte digest, no key).
    const auto h = media::hashBlob(bytesOf("abc"));
    CHECK(h.hex() == "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319");
    CHECK(media::BlobHash::fromHex(h.hex()) == h);
    CHECK_FALSE(media::BlobHash::fromHex(h.hex().substr(1)).has_value());
    CHECK_FALSE(media::BlobHash::fromHex(std::string(64, 'g')).has_value());
    CHECK(media::BlobHash{}.empty());
    CHECK_FALSE(h.empty());

    media::BlobHasher chunked;
    chunked.update(bytesOf("a"));
    chunked.update(bytesOf("bc"));
    CHECK(chunked.finish() == h);
}

TEST_CASE("a blob store keeps blobs under their hash and refuses damaged ones") {
    testing::TempDir tmp;
    auto opened = media::BlobStore::open(tmp.path / "blobs");
    REQUIRE(opened.ok());
    auto& store = opened.value();
    const auto data = bytesOf("a slide's bytes");
    auto put = store.put(data);
    REQUIRE(put.ok());
    CHECK(store.has(*put));
    CHECK(store.size(*put) == data.size());
    auto back = store.read(*put);
    REQUIRE(back.ok());
    CHECK(*back == data);
    CHECK(store.list() == std::vector<media::BlobHash>{*put});

    // Bytes that do not match the expected name are refused and not stored.
    const auto other = media::hashBlob(bytesOf("something else"));
    CHECK_FALSE(store.putExpected(other, data).ok());
    CHECK_FALSE(store.has(other));

    // A file damaged on disk is an error naming it, not wrong content.
    { std::ofstream(store.pathOf(*put), std::ios::binary | std::ios::trunc) << "tampered"; }
    auto bad = store.read(*put);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().message.find(store.pathOf(*put).string()) != std::string::npos);
    CHECK(bad.error().message.find("does not match") != std::string::npos);

    // The read limit is checked before reading.
    CHECK_FALSE(store.read(*put, 3).ok());
    CHECK_FALSE(store.read(other).ok());
}
