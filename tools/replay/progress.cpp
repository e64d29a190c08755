// Progress on stderr (progress.h).
#include "progress.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>

namespace caseroom::replay {

Progress::Progress(ProgressMode mode, std::string label, double periodSeconds)
    : mode_(mode), label_(std::move(label)), period_(periodSeconds), start_(std::chrono::steady_clock::now()), last_(start_) {}

ProgressMode Progress::modeFor(bool quiet) {
    if (quiet) return ProgressMode::Quiet;
    return ::isatty(STDERR_FILENO) ? ProgressMode::Bar : ProgressMode::Lines;
}

namespace {
std::string seconds(double s) {
    char buf[32];
    const auto t = static_cast<long long>(std::ceil(std::max(0.0, s)));
    if (t >= 3600) std::snprintf(buf, sizeof buf, "%lldh%02lldm", t / 3600, t / 60 % 60);
    else if (t >= 60) std::snprintf(buf, sizeof buf, "%lldm%02llds", t / 60, t % 60);
    else std::snprintf(buf, sizeof buf, "%llds", t);
    return buf;
}
} // namespace

void Progress::update(double done, double total, const char* unit) {
    if (mode_ == ProgressMode::Quiet || total <= 0) return;
    const auto now = std::chrono::steady_clock::now();
    const double sinceLast = std::chrono::duration<double>(now - last_).count();
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    const double share = std::clamp(done / total, 0.0, 1.0);
    const bool finished = share >= 1.0;
    // A bar redraws ten times a second at most; lines every period (and the first after one period).
    if (mode_ == ProgressMode::Bar ? (sinceLast < 0.1 && !finished) : (sinceLast < period_)) return;
    last_ = now;
    const std::string left = share > 0.01 && elapsed > 0.5 ? "about " + seconds(elapsed * (1 - share) / share) + " left" : "estimating";
    if (mode_ == ProgressMode::Bar) {
        constexpr int kWidth = 30;
        const int filled = static_cast<int>(share * kWidth);
        std::string bar(static_cast<std::size_t>(filled), '#');
        bar.append(static_cast<std::size_t>(kWidth - filled), '.');
        std::fprintf(stderr, "\r%s [%s] %3d %% %s   ", label_.c_str(), bar.c_str(), static_cast<int>(share * 100),
                     finished ? ("done in " + seconds(elapsed)).c_str() : left.c_str());
        std::fflush(stderr);
        shown_ = true;
    } else if (!finished) {
        if (unit)
            std::fprintf(stderr, "%s: %d %% (%.0f of %.0f %s), %s\n", label_.c_str(), static_cast<int>(share * 100), done, total,
                         unit, left.c_str());
        else
            std::fprintf(stderr, "%s: %d %%, %s\n", label_.c_str(), static_cast<int>(share * 100), left.c_str());
    }
}

void Progress::done() {
    if (shown_) std::fputc('\n', stderr);
    shown_ = false;
}

} // namespace caseroom::replay
