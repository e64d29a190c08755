// One percentile definition for every benchmark and stats line: nearest
// rank. percentile(v, p) is the smallest sample with at least p of the
// samples at or below it (p in [0, 1]; 0.5 is the median, 1 the maximum).
#pragma once
#include <algorithm>
#include <cmath>
#include <vector>

namespace caseroom::core {

// Sorts `v` in place; 0 when empty.
inline double percentileInPlace(std::vector<double>& v, double p) {
    if (v.empty()) return 0.0;
    std::sort(v.begin(), v.end());
    const double rank = std::ceil(std::clamp(p, 0.0, 1.0) * static_cast<double>(v.size()));
    const auto i = static_cast<std::size_t>(std::max(rank, 1.0)) - 1;
    return v[std::min(i, v.size() - 1)];
}

inline double percentile(std::vector<double> v, double p) { return percentileInPlace(v, p); }

} // namespace caseroom::core
