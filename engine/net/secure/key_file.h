// The deployment's secret key: 32 raw bytes in a file only its owner may read.
// loadOrCreateKeyFile creates the file (mode 0600, never overwriting) when it is
// missing; an existing file whose mode lets group or others read or write it,
// or whose size is not exactly 32 bytes, is refused with a message naming the
// file, the problem and the fix.
#pragma once
#include <string>

#include "core/result.h"
#include "net/secure/crypto.h"

namespace caseroom::net::secure {

struct SecretKey {
    Key bytes{};
    bool created = false; // true when this call made the file
};

[[nodiscard]] core::Result<SecretKey> loadKeyFile(const std::string& path);
[[nodiscard]] core::Result<SecretKey> loadOrCreateKeyFile(const std::string& path, RandomSource& random);

} // namespace caseroom::net::secure
