#include "net/link_model.h"

#include <algorithm>
#include <cmath>

namespace caseroom::net {

namespace {
bool probability(double p) { return std::isfinite(p) && p >= 0.0 && p <= 1.0; }
bool nonNegative(double v) { return std::isfinite(v) && v >= 0.0; }
} // namespace

std::string validate(const LinkParams& p) {
    if (!probability(p.loss)) return "loss must be a probability in [0, 1]";
    if (!probability(p.burst.enterBad)) return "burst.enterBad must be a probability in [0, 1]";
    if (!probability(p.burst.exitBad) || p.burst.exitBad <= 0.0) return "burst.exitBad must be a probability in (0, 1]";
    if (!probability(p.burst.lossBad)) return "burst.lossBad must be a probability in [0, 1]";
    if (!probability(p.duplicate)) return "duplicate must be a probability in [0, 1]";
    if (!probability(p.reorder)) return "reorder must be a probability in [0, 1]";
    if (!nonNegative(p.rateBytesPerSecond)) return "rateBytesPerSecond must be 0 (unlimited) or positive";
    if (p.rateBytesPerSecond > 0.0 && p.queueBytes == 0) return "queueBytes must be positive with a rate";
    if (!nonNegative(p.delay)) return "delay must be a non-negative number of seconds";
    if (!nonNegative(p.jitter)) return "jitter must be a non-negative number of seconds";
    return {};
}

LinkCounters& LinkCounters::operator+=(const LinkCounters& o) {
    received += o.received;
    forwarded += o.forwarded;
    droppedLoss += o.droppedLoss;
    droppedBurst += o.droppedBurst;
    droppedQueue += o.droppedQueue;
    duplicated += o.duplicated;
    reordered += o.reordered;
    bytesIn += o.bytesIn;
    bytesOut += o.bytesOut;
    return *this;
}

double LinkModel::queuedBytes(double now) const {
    if (params_.rateBytesPerSecond <= 0.0) return 0.0;
    return std::max(0.0, busyUntil_ - now) * params_.rateBytesPerSecond;
}

bool LinkModel::leave(double now, std::size_t bytes, bool enforceQueue, double& leaveAt) {
    const double rate = params_.rateBytesPerSecond;
    if (rate <= 0.0) {
        leaveAt = now;
        return true;
    }
    // The queue holds what the bottleneck has not sent yet; the copy fits if
    // that plus itself stays within the limit (drop-tail). The slack absorbs
    // rounding in busyUntil_, which sums many bytes / rate terms.
    constexpr double kSlackBytes = 1e-6;
    if (enforceQueue && queuedBytes(now) + static_cast<double>(bytes) > static_cast<double>(params_.queueBytes) + kSlackBytes)
        return false;
    busyUntil_ = std::max(now, busyUntil_) + static_cast<double>(bytes) / rate;
    leaveAt = busyUntil_;
    return true;
}

LinkDecision LinkModel::send(double now, std::size_t bytes, core::Rng& rng) {
    LinkDecision d;
    ++counters_.received;
    counters_.bytesIn += bytes;
    // The burst state moves once per packet, whatever else happens to it.
    if (params_.burst.enterBad > 0.0 || bad_) bad_ = bad_ ? !rng.chance(params_.burst.exitBad) : rng.chance(params_.burst.enterBad);
    if (params_.loss > 0.0 && rng.chance(params_.loss)) {
        ++counters_.droppedLoss;
        return d;
    }
    if (bad_ && rng.chance(params_.burst.lossBad)) {
        ++counters_.droppedBurst;
        return d;
    }
    const int wanted = params_.duplicate > 0.0 && rng.chance(params_.duplicate) ? 2 : 1;
    if (wanted == 2) ++counters_.duplicated;
    for (int i = 0; i < wanted; ++i) {
        double leftAt = now;
        if (!leave(now, bytes, true, leftAt)) {
            ++counters_.droppedQueue;
            continue;
        }
        const int k = d.copies++;
        d.leaveAt[k] = leftAt;
        d.arriveAt[k] = leftAt + params_.delay + (params_.jitter > 0.0 ? params_.jitter * rng.uniform() : 0.0);
        if (params_.reorder > 0.0 && rng.chance(params_.reorder)) {
            d.arriveAt[k] += reorderHold(params_);
            d.reordered[k] = true;
            ++counters_.reordered;
        }
        ++counters_.forwarded;
        counters_.bytesOut += bytes;
    }
    return d;
}

LinkDecision LinkModel::sendReliable(double now, std::size_t bytes, core::Rng& rng) {
    LinkDecision d;
    ++counters_.received;
    counters_.bytesIn += bytes;
    double leftAt = now;
    (void)leave(now, bytes, false, leftAt); // never refused without the queue check
    d.copies = 1;
    d.leaveAt[0] = leftAt;
    d.arriveAt[0] = leftAt + params_.delay + (params_.jitter > 0.0 ? params_.jitter * rng.uniform() : 0.0);
    ++counters_.forwarded;
    counters_.bytesOut += bytes;
    return d;
}

} // namespace caseroom::net
