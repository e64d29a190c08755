#include "media/blob.h"

#include <sodium.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace caseroom::media {

static_assert(sizeof(crypto_generichash_state) <= 384, "BlobHasher::state_ is too small");
static_assert(crypto_generichash_BYTES_MIN <= 32 && crypto_generichash_BYTES_MAX >= 32);

namespace {
bool sodiumReady() {
    static const bool ok = sodium_init() >= 0;
    return ok;
}
crypto_generichash_state* stateOf(std::array<std::uint8_t, 384>& s) {
    return reinterpret_cast<crypto_generichash_state*>(s.data());
}
core::Error fault(const std::filesystem::path& p, std::string_view what) {
    return core::Error{p.string() + ": " + std::string(what)};
}
std::string errnoText() { return std::strerror(errno); }
} // namespace

BlobHash hashBlob(std::span<const std::uint8_t> bytes) {
    BlobHasher hasher;
    hasher.update(bytes);
    return hasher.finish();
}

BlobHasher::BlobHasher() {
    if (!sodiumReady()) std::abort(); // libsodium cannot start: nothing can be verified
    crypto_generichash_init(stateOf(state_), nullptr, 0, 32);
}

void BlobHasher::update(std::span<const std::uint8_t> bytes) {
    if (finished_ || bytes.empty()) return;
    crypto_generichash_update(stateOf(state_), bytes.data(), bytes.size());
}

BlobHash BlobHasher::finish() {
    BlobHash h;
    if (!finished_) crypto_generichash_final(stateOf(state_), h.bytes.data(), h.bytes.size());
    finished_ = true;
    return h;
}

core::Result<BlobStore> BlobStore::open(const std::filesystem::path& dir) {
    std::error_code ec;
    if (!std::filesystem::exists(dir, ec)) {
        std::filesystem::create_directories(dir, ec);
        if (ec) return fault(dir, "cannot create the blob store: " + ec.message());
        std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
    }
    if (!std::filesystem::is_directory(dir, ec)) return fault(dir, "is not a directory");
    return BlobStore(dir);
}

std::filesystem::path BlobStore::pathOf(const BlobHash& hash) const {
    const std::string hex = hash.hex();
    return dir_ / hex.substr(0, 2) / hex;
}

bool BlobStore::has(const BlobHash& hash) const {
    std::error_code ec;
    return std::filesystem::is_regular_file(pathOf(hash), ec);
}

std::optional<std::uint64_t> BlobStore::size(const BlobHash& hash) const {
    std::error_code ec;
    const auto n = std::filesystem::file_size(pathOf(hash), ec);
    if (ec) return std::nullopt;
    return n;
}

core::Result<std::vector<std::uint8_t>> BlobStore::read(const BlobHash& hash, std::uint64_t maxBytes) const {
    const auto path = pathOf(hash);
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return fault(path, "cannot open blob: " + errnoText());
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        return fault(path, "not a regular file");
    }
    if (static_cast<std::uint64_t>(st.st_size) > maxBytes) {
        ::close(fd);
        return fault(path, "blob is " + std::to_string(st.st_size) + " bytes, over the limit of " + std::to_string(maxBytes));
    }
    std::vector<std::uint8_t> bytes(static_cast<std::size_t>(st.st_size));
    std::size_t got = 0;
    while (got < bytes.size()) {
        const ssize_t n = ::read(fd, bytes.data() + got, bytes.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            ::close(fd);
            return fault(path, n == 0 ? "blob shrank while being read" : "read failed: " + errnoText());
        }
        got += static_cast<std::size_t>(n);
    }
    ::close(fd);
    if (hashBlob(bytes) != hash) return fault(path, "content does not match its hash (damaged blob)");
    return bytes;
}

core::Status BlobStore::writeAtomically(const BlobHash& hash, std::span<const std::uint8_t> bytes) {
    const auto path = pathOf(hash);
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec) return fault(path.parent_path(), "cannot create: " + ec.message());
    auto tmp = path;
    tmp += ".tmp." + std::to_string(::getpid());
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return fault(tmp, "cannot create: " + errnoText());
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const std::string why = errnoText();
            ::close(fd);
            ::unlink(tmp.c_str());
            return fault(tmp, "write failed: " + why);
        }
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        const std::string why = errnoText();
        ::unlink(tmp.c_str());
        return fault(tmp, "flush failed: " + why);
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        const std::string why = errnoText();
        ::unlink(tmp.c_str());
        return fault(path, "rename failed: " + why);
    }
    return {};
}

core::Result<BlobHash> BlobStore::put(std::span<const std::uint8_t> bytes) {
    const BlobHash hash = hashBlob(bytes);
    if (has(hash)) return hash;
    if (auto s = writeAtomically(hash, bytes); !s) return s.error();
    return hash;
}

core::Status BlobStore::putExpected(const BlobHash& expected, std::span<const std::uint8_t> bytes) {
    if (hashBlob(bytes) != expected)
        return fault(pathOf(expected), "received bytes do not match the blob's hash");
    if (has(expected)) return {};
    return writeAtomically(expected, bytes);
}

std::vector<BlobHash> BlobStore::list() const {
    std::vector<BlobHash> out;
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(dir_, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
        if (!it->is_regular_file(ec)) continue;
        if (auto h = BlobHash::fromHex(it->path().filename().string()); h && pathOf(*h) == it->path()) out.push_back(*h);
    }
    return out;
}

} // namespace caseroom::media
