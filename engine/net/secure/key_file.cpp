#include "net/secure/key_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fcntl.h>
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

} // namespace

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
    key.created = true;
    return key;
}

} // namespace caseroom::net::secure
