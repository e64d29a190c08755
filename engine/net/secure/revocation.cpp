// [SECTION] list  [SECTION] parse  [SECTION] lines  [SECTION] watcher  [SECTION] append
#include "net/secure/revocation.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cctype>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace caseroom::net::secure {

// ---- [SECTION] list ------------------------------------------------------------

namespace {
void sortUnique(std::vector<std::uint64_t>& v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
}
} // namespace

RevocationList::RevocationList(std::vector<std::uint64_t> tokenIds, std::vector<std::uint64_t> userIds)
    : tokens_(std::move(tokenIds)), users_(std::move(userIds)) {
    sortUnique(tokens_);
    sortUnique(users_);
}

bool RevocationList::revokedToken(std::uint64_t tokenId) const {
    return std::binary_search(tokens_.begin(), tokens_.end(), tokenId);
}

bool RevocationList::revokedUser(std::uint64_t userId) const {
    return std::binary_search(users_.begin(), users_.end(), userId);
}

// ---- [SECTION] parse -----------------------------------------------------------

namespace {

bool isSpace(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
    while (!s.empty() && (isSpace(s.front()) || s.front() == '\r')) s.remove_prefix(1);
    while (!s.empty() && (isSpace(s.back()) || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

// Printable form of untrusted text for an error message (bounded, no control bytes).
std::string shown(std::string_view s) {
    std::string out;
    for (char c : s.substr(0, 40)) out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) ? '?' : c;
    if (s.size() > 40) out += "...";
    return out;
}

bool parseHex64(std::string_view s, std::uint64_t& out) {
    if (s.size() != 16) return false;
    for (char c : s)
        if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), out, 16);
    return r.ec == std::errc{} && r.ptr == s.data() + s.size();
}

bool parseDec64(std::string_view s, std::uint64_t& out) {
    if (s.empty() || s.size() > 20) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), out, 10);
    return r.ec == std::errc{} && r.ptr == s.data() + s.size();
}

} // namespace

core::Result<RevocationList> parseRevocations(std::string_view text, std::string_view source) {
    if (text.size() > kMaxRevocationFileBytes)
        return core::Error{std::string(source) + ": larger than " + std::to_string(kMaxRevocationFileBytes >> 20) +
                           " MiB; not a revocation list"};
    std::vector<std::uint64_t> tokens, users;
    std::size_t lineNo = 0;
    while (!text.empty()) {
        ++lineNo;
        const auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
        const auto bad = [&](const std::string& what) {
            return core::Error{std::string(source) + ":" + std::to_string(lineNo) + ": " + what};
        };
        if (line.find('\0') != std::string_view::npos) return bad("NUL byte (not a text file)");
        if (const auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
        line = trim(line);
        if (line.empty()) continue;
        std::size_t cut = 0;
        while (cut < line.size() && !isSpace(line[cut])) ++cut;
        const std::string_view kind = line.substr(0, cut);
        const std::string_view value = trim(line.substr(cut));
        if (value.find_first_of(" \t") != std::string_view::npos)
            return bad("unexpected text after '" + shown(kind) + " " + shown(value.substr(0, value.find_first_of(" \t"))) +
                       "' (a reason goes after '#')");
        std::uint64_t v = 0;
        if (kind == "token") {
            if (!parseHex64(value, v)) return bad("token id must be 16 hex digits, got '" + shown(value) + "'");
            tokens.push_back(v);
        } else if (kind == "user") {
            if (!parseDec64(value, v)) return bad("user id must be a decimal number 0 to 2^64-1, got '" + shown(value) + "'");
            users.push_back(v);
        } else {
            return bad("unknown entry '" + shown(kind) + "' (want 'token HEX16' or 'user N')");
        }
    }
    return RevocationList(std::move(tokens), std::move(users));
}

// ---- [SECTION] lines -----------------------------------------------------------

namespace {
std::string withReason(std::string line, std::string_view reason) {
    std::string clean;
    for (char c : reason) clean += (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) ? ' ' : c;
    const auto t = trim(clean);
    if (!t.empty()) line += " # " + std::string(t);
    return line;
}
} // namespace

std::string tokenRevocationLine(std::uint64_t tokenId, std::string_view reason) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(tokenId));
    return withReason(std::string("token ") + buf, reason);
}

std::string userRevocationLine(std::uint64_t userId, std::string_view reason) {
    return withReason("user " + std::to_string(userId), reason);
}

// ---- [SECTION] watcher ---------------------------------------------------------

RevocationWatcher::RevocationWatcher(std::string path, double checkEverySeconds)
    : path_(std::move(path)), every_(checkEverySeconds) {}

bool RevocationWatcher::poll(double now) {
    if (checked_ && now - lastCheck_ < every_) return false;
    const bool first = !checked_;
    checked_ = true;
    lastCheck_ = now;
    struct stat st {};
    Signature sig;
    if (::stat(path_.c_str(), &st) == 0) {
        sig.exists = true;
        sig.dev = static_cast<std::uint64_t>(st.st_dev);
        sig.ino = static_cast<std::uint64_t>(st.st_ino);
        sig.size = static_cast<std::uint64_t>(st.st_size);
        sig.mtimeNs = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
        sig.ctimeNs = static_cast<std::int64_t>(st.st_ctim.tv_sec) * 1'000'000'000 + st.st_ctim.tv_nsec;
    } else if (errno != ENOENT) {
        // Not "missing": an unreachable file must not silently empty the list.
        reportError(now, "revocation file " + path_ + ": cannot check it: " + std::strerror(errno) +
                             "; keeping the previous list (" + std::to_string(list_.size()) + " entries)");
        seen_ = Signature{};
        seen_.size = ~std::uint64_t{0}; // matches no real state: look again next time
        return false;
    }
    if (!first && sig == seen_) return false;
    seen_ = sig;
    if (!sig.exists) {
        lastError_.clear();
        if (list_.empty()) return false;
        list_ = RevocationList{};
        return true;
    }
    return reload(now);
}

bool RevocationWatcher::reload(double now) {
    const auto fail = [&](const std::string& what) {
        reportError(now, what + "; keeping the previous list (" + std::to_string(list_.size()) + " entries)");
        return false;
    };
    const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return fail("revocation file " + path_ + ": cannot open: " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        return fail("revocation file " + path_ + ": not a regular file");
    }
    if ((st.st_mode & 022) != 0) {
        ::close(fd);
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
        return fail("revocation file " + path_ + ": mode " + mode + " lets group or others change it; run: chmod 600 " +
                    path_);
    }
    std::string text;
    text.reserve(static_cast<std::size_t>(std::min<off_t>(st.st_size, static_cast<off_t>(kMaxRevocationFileBytes))));
    char buf[16384];
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            const int e = errno;
            ::close(fd);
            return fail("revocation file " + path_ + ": cannot read: " + std::strerror(e));
        }
        if (n == 0) break;
        text.append(buf, static_cast<std::size_t>(n));
        if (text.size() > kMaxRevocationFileBytes) break; // parseRevocations names the fault
    }
    ::close(fd);
    auto parsed = parseRevocations(text, path_);
    if (!parsed) return fail("revocation file " + parsed.error().message);
    lastError_.clear();
    ++loads_;
    if (*parsed == list_) return false;
    list_ = std::move(*parsed);
    return true;
}

void RevocationWatcher::reportError(double now, std::string message) {
    const bool repeat = message == lastError_;
    lastError_ = std::move(message);
    if (repeat) return; // once per change of the file's state
    std::uint64_t suppressed = 0;
    if (!logLimit_.allow(now, suppressed)) return;
    if (suppressed > 0)
        CR_LOG_ERROR("%s (%llu similar errors suppressed)", lastError_.c_str(), static_cast<unsigned long long>(suppressed));
    else
        CR_LOG_ERROR("%s", lastError_.c_str());
}

// ---- [SECTION] append ----------------------------------------------------------

core::Status appendRevocation(const std::string& path, std::string_view line) {
    const auto fail = [&](const std::string& what) { return core::Error{"revocation file " + path + ": " + what}; };
    std::string entry(trim(line));
    if (entry.find('\n') != std::string::npos) return fail("one entry at a time (the line holds a newline)");
    auto check = parseRevocations(entry, "");
    if (!check) return fail("not a valid entry: " + check.error().message.substr(check.error().message.find(' ') + 1));
    if (check->size() != 1) return fail("the line holds no entry");
    entry += '\n';

    struct stat before {};
    const bool existed = ::lstat(path.c_str(), &before) == 0;
    // O_RDWR rather than O_WRONLY only to read the last byte (a hand edit may
    // have left no final newline); every write still goes to the end (O_APPEND).
    const int fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0600);
    if (fd < 0 && errno == ELOOP) return fail("is a symbolic link; give the real path (nothing written)");
    if (fd < 0) return fail(std::string("cannot open it for appending: ") + std::strerror(errno));
    const auto closeFail = [&](const std::string& what) {
        ::close(fd);
        return fail(what);
    };
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return closeFail("not a regular file (nothing written)");
    if ((st.st_mode & 077) != 0) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
        return closeFail(std::string("mode ") + mode + " lets group or others read or change it; run: chmod 600 " +
                         path + " (nothing written)");
    }
    if (st.st_size > 0) {
        char last = '\n';
        if (::pread(fd, &last, 1, st.st_size - 1) == 1 && last != '\n') entry.insert(entry.begin(), '\n');
    }
    ssize_t n = -1;
    do n = ::write(fd, entry.data(), entry.size());
    while (n < 0 && errno == EINTR);
    if (n != static_cast<ssize_t>(entry.size())) {
        const int e = n < 0 ? errno : ENOSPC;
        return closeFail(std::string("cannot append: ") + std::strerror(e));
    }
    if (::fsync(fd) != 0) return closeFail(std::string("cannot sync to disk: ") + std::strerror(errno));
    if (::close(fd) != 0) return fail(std::string("cannot close: ") + std::strerror(errno));
    if (!existed) {
        const auto slash = path.find_last_of('/');
        const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
        const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
            (void)::fsync(dfd);
            ::close(dfd);
        }
    }
    return {};
}

} // namespace caseroom::net::secure
