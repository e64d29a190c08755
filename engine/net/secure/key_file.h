// The deployment's secret key: 32 raw bytes in a file only its owner may read.
// loadOrCreateKeyFile creates the file (mode 0600, never overwriting) when it is
// missing; an existing file whose mode lets group or others read or write it,
// or whose size is not exactly 32 bytes, is refused with a message naming the
// file, the problem and the fix.
// protectSecret keeps key bytes out of swap and core dumps, best effort.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "net/secure/crypto.h"
#include "net/secure/token.h"

namespace caseroom::net::secure {

struct SecretKey {
    Key bytes{};
    bool created = false; // true when this call made the file
    SecretKey() = default;
    SecretKey(const SecretKey&) = default;
    SecretKey& operator=(const SecretKey&) = default;
    ~SecretKey() { wipe(bytes); }
};

[[nodiscard]] core::Result<SecretKey> loadKeyFile(const std::string& path);
// Creates the file when missing (O_EXCL, 0600, file and folder fsync'd).
// Only for an explicit request to create a key: a mistyped path must not
// silently become a new deployment key (use loadKeyFile otherwise).
[[nodiscard]] core::Result<SecretKey> loadOrCreateKeyFile(const std::string& path, RandomSource& random);

// A server's keyring from key files (none created): paths[0] is the current
// key, the rest are previous keys still accepted during a rotation. Refuses an
// empty list and two files holding the same key id, naming the files. The
// keyring's storage is protectSecret'ed.
[[nodiscard]] core::Result<Keyring> loadKeyring(const std::vector<std::string>& paths);

// Locks the pages holding `secret` in memory (sodium_mlock) and excludes them
// from core dumps (madvise MADV_DONTDUMP). Best effort: failures (for example
// RLIMIT_MEMLOCK) are ignored. Whole pages are affected, so neighbours of the
// secret are excluded from dumps too. Call once on long-lived key storage.
void protectSecret(std::span<std::uint8_t> secret);

} // namespace caseroom::net::secure
