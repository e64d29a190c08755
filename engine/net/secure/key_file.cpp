#include "net/secure/key_file.h"

#include <cerrno>
#include <cstdio>
#include <cstdint>
#include <cstring>

#include <fcntl.h>
#include <sodium.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace caseroom::net::secure {
namespace {

core::Error fail(const std::string& path, const std::string& what) { return core::Error{"key file " + path + ": " + what}; }

std::string modeText(mode_t m) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(m & 07777));
    return buf;
}

bool syncParent(const std::string& path) {
    const auto slash = path.find_last_of('/');
    const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return false;
    const bool ok = ::fsync(fd) == 0;
    ::close(fd);
    return ok;
}

} // namespace

void protectSecret(std::span<std::uint8_t> secret) {
    if (secret.empty()) return;
    (void)sodium_mlock(secret.data(), secret.size());
#ifdef MADV_DONTDUMP
    const long page = ::sysconf(_SC_PAGESIZE);
    if (page <= 0) return;
    const auto p = reinterpret_cast<std::uintptr_t>(secret.data());
    const std::uintptr_t first = p & ~(static_cast<std::uintptr_t>(page) - 1);
    const std::uintptr_t end = p + secret.size();
    (void)::madvise(reinterpret_cast<void*>(first), end - first, MADV_DONTDUMP);
#endif
}

core::Result<Keyring> loadKeyring(const std::vector<std::string>& paths) {
    if (paths.empty()) return core::Error{"no deployment key file given"};
    Keyring ring;
    ring.keys.reserve(paths.size()); // no reallocation while adding: nothing to leave behind
    for (std::size_t i = 0; i < paths.size(); ++i) {
        auto key = loadKeyFile(paths[i]);
        if (!key) return key.error();
        if (!ring.add(key->bytes)) {
            std::string first;
            for (std::size_t j = 0; j < i; ++j)
                if (keyIdOf(key->bytes) == ring.keys[j].first) first = paths[j];
            char id[16];
            std::snprintf(id, sizeof id, "%08x", static_cast<unsigned>(keyIdOf(key->bytes)));
            return fail(paths[i], std::string("holds the same key (id ") + id + ") as " + first);
        }
    }
    protectSecret({reinterpret_cast<std::uint8_t*>(ring.keys.data()), ring.keys.size() * sizeof ring.keys[0]});
    return ring;
}

core::Result<SecretKey> loadKeyFile(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0 && errno == ELOOP) return fail(path, "is a symbolic link; give the key file's real path");
    if (fd < 0) return fail(path, std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        const int e = errno;
        ::close(fd);
        return fail(path, std::strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        ::close(fd);
        return fail(path, "not a regular file");
    }
    if ((st.st_mode & 077) != 0) {
        ::close(fd);
        return fail(path, "mode " + modeText(st.st_mode) +
                              " lets group or others read or write the secret key; run: chmod 600 " + path);
    }
    if (st.st_size != static_cast<off_t>(kKeyBytes)) {
        ::close(fd);
        return fail(path, "size is " + std::to_string(st.st_size) + " bytes, a key file holds exactly " +
                              std::to_string(kKeyBytes) + " (wrong file, or damaged: restore it or remove it to make a new one, "
                              "which invalidates every token minted with the old key)");
    }
    SecretKey key;
    std::size_t got = 0;
    while (got < kKeyBytes) {
        const ssize_t n = ::read(fd, key.bytes.data() + got, kKeyBytes - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            ::close(fd);
            wipe(key.bytes);
            return fail(path, "short read");
        }
        got += static_cast<std::size_t>(n);
    }
    ::close(fd);
    return key;
}

core::Result<SecretKey> loadOrCreateKeyFile(const std::string& path, RandomSource& random) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0) return loadKeyFile(path);
    if (errno != ENOENT) return fail(path, std::strerror(errno));

    SecretKey key;
    random.fill(key.bytes);
    // O_EXCL: never overwrite a key another process created meanwhile.
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        if (errno == EEXIST) return loadKeyFile(path);
        return fail(path, std::string("cannot create: ") + std::strerror(errno));
    }
    (void)::fchmod(fd, 0600); // the umask may only remove bits, but be explicit
    std::size_t put = 0;
    while (put < kKeyBytes) {
        const ssize_t n = ::write(fd, key.bytes.data() + put, kKeyBytes - put);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const int e = errno;
            ::close(fd);
            ::unlink(path.c_str());
            return fail(path, std::string("cannot write: ") + std::strerror(e));
        }
        put += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        ::unlink(path.c_str());
        return fail(path, "cannot flush the new key to disk");
    }
    if (!syncParent(path)) return fail(path, "created, but its folder could not be synced to disk");
    key.created = true;
    return key;
}

} // namespace caseroom::net::secure
