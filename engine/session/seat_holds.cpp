#include "session/seat_holds.h"

#include <algorithm>

namespace caseroom::session {

void SeatHolds::hold(SeatHold h) {
    std::erase_if(holds_, [&](const SeatHold& o) { return o.room == h.room && o.entity == h.entity; });
    holds_.push_back(std::move(h));
}

template <typename Pred>
std::optional<SeatHold> SeatHolds::takeFirst(Pred pred) {
    const auto it = std::find_if(holds_.begin(), holds_.end(), pred);
    if (it == holds_.end()) return std::nullopt;
    SeatHold out = std::move(*it);
    holds_.erase(it);
    return out;
}

std::optional<SeatHold> SeatHolds::take(const std::string& room, std::uint64_t userId, core::Role role) {
    if (userId == 0) return std::nullopt;
    return takeFirst([&](const SeatHold& h) { return h.room == room && h.userId == userId && h.role == role; });
}

std::optional<SeatHold> SeatHolds::takeEntity(const std::string& room, core::EntityId entity) {
    return takeFirst([&](const SeatHold& h) { return h.room == room && h.entity == entity; });
}

std::vector<SeatHold> SeatHolds::takeExpired(double now) {
    std::vector<SeatHold> out;
    for (auto it = holds_.begin(); it != holds_.end();) {
        if (it->until <= now) {
            out.push_back(std::move(*it));
            it = holds_.erase(it);
        } else {
            ++it;
        }
    }
    std::sort(out.begin(), out.end(), [](const SeatHold& a, const SeatHold& b) { return a.until < b.until; });
    return out;
}

bool SeatHolds::held(const std::string& room, core::EntityId entity) const {
    return std::any_of(holds_.begin(), holds_.end(), [&](const SeatHold& h) { return h.room == room && h.entity == entity; });
}

} // namespace caseroom::session
