// Revocation of connect tokens and people, at run time and from another
// process. The list is a text file the coordinator's tool appends to
// (caseroom-token revoke); the server watches it and refuses revoked tokens
// with Refusal::Revoked (and disconnects live holders).
//
// Format, one entry a line (blank lines and lines starting with '#' ignored;
// leading/trailing spaces and tabs ignored; a trailing '\r' tolerated):
//   token <16 hex digits> [# reason]     revokes one token id
//   user <decimal u64> [# reason]        revokes every token of one person
// Duplicates are allowed. A bad line makes the whole file bad: errors name the
// source and line, and the watcher then keeps the previous list.
// Thread rule: none of these types is thread-safe; one owner (the server loop).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/log.h"
#include "core/result.h"

namespace caseroom::net::secure {

constexpr std::size_t kMaxRevocationFileBytes = 16u << 20; // 16 MiB: about 400,000 entries

class RevocationList {
public:
    RevocationList() = default;
    RevocationList(std::vector<std::uint64_t> tokenIds, std::vector<std::uint64_t> userIds); // sorts, dedups

    [[nodiscard]] bool revokedToken(std::uint64_t tokenId) const;
    [[nodiscard]] bool revokedUser(std::uint64_t userId) const;
    [[nodiscard]] bool revoked(std::uint64_t tokenId, std::uint64_t userId) const {
        return revokedToken(tokenId) || revokedUser(userId);
    }
    [[nodiscard]] std::size_t size() const { return tokens_.size() + users_.size(); } // distinct entries
    [[nodiscard]] bool empty() const { return size() == 0; }
    bool operator==(const RevocationList&) const = default;

private:
    std::vector<std::uint64_t> tokens_; // sorted, unique
    std::vector<std::uint64_t> users_;  // sorted, unique
};

// Parses the text format. Errors read "SOURCE:LINE: what is wrong".
[[nodiscard]] core::Result<RevocationList> parseRevocations(std::string_view text, std::string_view source);

// One line of the format, for appendRevocation. Control characters in
// `reason` become spaces; an empty reason writes no comment.
[[nodiscard]] std::string tokenRevocationLine(std::uint64_t tokenId, std::string_view reason = {});
[[nodiscard]] std::string userRevocationLine(std::uint64_t userId, std::string_view reason = {});

// Reloads a revocation file when it changes. Time is an input (monotonic
// seconds). A missing file is an empty list; an unreadable or bad file, or one
// that group or others may write, keeps the previous list and logs an error
// naming the file (and line), at most once per change of the file and
// rate-limited.
class RevocationWatcher {
public:
    explicit RevocationWatcher(std::string path, double checkEverySeconds = 0.5);

    // Re-stats the file at most every checkEverySeconds (the first call always
    // checks); reloads when its inode, size, mtime or ctime changed. True when
    // the list changed.
    bool poll(double now);
    [[nodiscard]] const RevocationList& list() const { return list_; }
    [[nodiscard]] const std::string& path() const { return path_; }
    // The last load's error ("" after a good load or a missing file).
    [[nodiscard]] const std::string& lastError() const { return lastError_; }
    [[nodiscard]] std::uint64_t loads() const { return loads_; } // successful reads of the file

private:
    struct Signature {
        bool exists = false;
        std::uint64_t dev = 0, ino = 0, size = 0;
        std::int64_t mtimeNs = 0, ctimeNs = 0;
        bool operator==(const Signature&) const = default;
    };
    bool reload(double now);
    void reportError(double now, std::string message);

    std::string path_;
    double every_ = 0.5;
    double lastCheck_ = 0.0;
    bool checked_ = false;
    Signature seen_{};
    RevocationList list_;
    std::string lastError_;
    std::uint64_t loads_ = 0;
    core::LogLimiter logLimit_{1.0 / 60.0, 3.0}; // error logs: 3 at once, then one a minute
};

// Appends one line (a newline is added; a missing newline at the end of the
// file is supplied first) in a single write, then fsyncs: O_APPEND, so
// concurrent appenders never interleave. Creates the file 0600 (and fsyncs its
// folder). Refuses a symbolic link, a non-regular file, a file that group or
// others may read or write, and a line that is not one valid entry; messages
// name the file.
[[nodiscard]] core::Status appendRevocation(const std::string& path, std::string_view line);

} // namespace caseroom::net::secure
