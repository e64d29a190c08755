#include "session/replay_view.h"

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace caseroom::session {

bool ReplayViewModel::handles(net::ObjectKind kind) {
    return kind == net::ObjectKind::Replay || kind == net::ObjectKind::ReplayMark;
}

bool ReplayViewModel::apply(const net::ObjectUpdate& u) {
    if (u.key.kind == net::ObjectKind::Replay) {
        if (u.key.id != 0) return false;
        if (u.removed) { info_.reset(); ++changes_; return true; }
        auto v = decodeReplayInfo(u.bytes.view());
        if (!v) return false;
        info_ = std::move(*v);
        ++changes_;
        return true;
    }
    if (u.key.kind != net::ObjectKind::ReplayMark || u.key.id >= kMaxReplayMarks) return false;
    if (u.removed) {
        if (u.key.id < marks_.size()) marks_[u.key.id].reset();
        ++changes_;
        return true;
    }
    auto m = decodeReplayMark(u.bytes.view());
    if (!m) return false;
    if (marks_.size() <= u.key.id) marks_.resize(u.key.id + 1u);
    marks_[u.key.id] = std::move(*m);
    ++changes_;
    return true;
}

void ReplayViewModel::reset() {
    info_.reset();
    marks_.clear();
    ++changes_;
}

std::vector<ReplayMarkObject> ReplayViewModel::marks() const {
    std::vector<ReplayMarkObject> out;
    for (const auto& m : marks_)
        if (m) out.push_back(*m);
    std::stable_sort(out.begin(), out.end(), [](const ReplayMarkObject& a, const ReplayMarkObject& b) { return a.tick < b.tick; });
    return out;
}

double ReplayViewModel::secondsAt(std::uint32_t tick) const {
    if (!info_ || info_->tickRate == 0) return 0;
    return (static_cast<double>(tick) - info_->firstTick) / info_->tickRate;
}

std::string formatReplayTime(double seconds) {
    const auto s = static_cast<long long>(std::max(0.0, seconds));
    char buf[32];
    if (s >= 3600) std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", s / 3600, (s / 60) % 60, s % 60);
    else std::snprintf(buf, sizeof buf, "%02lld:%02lld", s / 60, s % 60);
    return buf;
}

std::string ReplayViewModel::header() const {
    if (!info_) return {};
    std::string out = "replay of " + info_->title;
    if (info_->startedUnix != 0) {
        const std::time_t t = static_cast<std::time_t>(info_->startedUnix);
        std::tm tm{};
        if (gmtime_r(&t, &tm)) {
            char buf[32];
            std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm);
            out += ", ";
            out += buf;
        }
    }
    return out;
}

std::string ReplayViewModel::positionLine() const {
    if (!info_) return {};
    char buf[128];
    std::snprintf(buf, sizeof buf, "replay %s / %s (tick %u), %s, %.2gx", formatReplayTime(secondsAt(info_->position)).c_str(),
                  formatReplayTime(secondsAt(info_->lastTick)).c_str(), info_->position, info_->paused ? "paused" : "playing",
                  info_->speedPercent / 100.0);
    return buf;
}

} // namespace caseroom::session
