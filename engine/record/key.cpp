// The recording key (kept like the deployment key) and the policy's names.
#include "net/secure/key_file.h"
#include "record/recording.h"

namespace caseroom::record {

const char* toString(Policy p) {
    switch (p) {
    case Policy::Never: return "never";
    case Policy::DidacticOnly: return "didactic";
    case Policy::WholeSession: return "whole";
    case Policy::Count: break;
    }
    return "?";
}

std::optional<Policy> policyFromString(std::string_view s) {
    for (std::uint8_t i = 0; i < std::uint8_t(Policy::Count); ++i)
        if (s == toString(Policy(i))) return Policy(i);
    return std::nullopt;
}

core::Result<Key> loadRecordingKey(const std::string& path, bool create) {
    net::secure::SystemRandom random;
    auto k = create ? net::secure::loadOrCreateKeyFile(path, random) : net::secure::loadKeyFile(path);
    if (!k) return core::Error{"recording key: " + k.error().message};
    Key out = k->bytes;
    return out;
}

} // namespace caseroom::record
