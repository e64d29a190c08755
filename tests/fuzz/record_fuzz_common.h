// The fixed recording key shared by fuzz_record_reader and the seed maker
// make_record_seeds, so the committed seeds authenticate. Fuzzing only.
#pragma once
#include "record/recording.h"

namespace caseroom::fuzz {

inline record::Key recordFuzzKey() {
    record::Key k{};
    for (std::size_t i = 0; i < k.size(); ++i) k[i] = static_cast<std::uint8_t>(0xA5 ^ (i * 11));
    return k;
}

} // namespace caseroom::fuzz
