#include "session/bot_brain.h"

#include <cmath>
#include <vector>

namespace caseroom::session {

const char* toString(BotMode m) {
    switch (m) {
    case BotMode::FindSeat: return "finding a seat";
    case BotMode::Seated: return "seated";
    case BotMode::Wander: return "wandering";
    case BotMode::Pause: return "standing";
    case BotMode::Count: break;
    }
    return "?";
}

namespace {
float planarLength(glm::vec2 v) { return std::sqrt(v.x * v.x + v.y * v.y); }
} // namespace

void BotBrain::chooseSeat(const ClientSession& s, glm::vec2 at) {
    const sim::RoomLayout* layout = s.layout();
    seat_.reset();
    if (!layout || layout->seats.empty()) return;
    std::vector<bool> taken(layout->seats.size(), false);
    for (const RemoteAvatar& a : s.avatars())
        if (a.hasPose && !a.self && a.pose.seated() && a.pose.seat < taken.size()) taken[a.pose.seat] = true;
    // Prefer table seats, then the nearest free ones, with a little chance.
    float best = 1e30f;
    for (std::uint16_t i = 0; i < layout->seats.size(); ++i) {
        if (taken[i]) continue;
        const sim::Seat& seat = layout->seats[i];
        const float score = planarLength(seat.position - at) + (seat.atTable ? 0.0f : 6.0f) + rng_.uniformf(0.0f, 4.0f);
        if (score < best) { best = score; seat_ = i; }
    }
}

glm::vec2 BotBrain::steer(const sim::RoomLayout& layout, glm::vec2 at, glm::vec2 target) const {
    glm::vec2 to = target - at;
    const float dist = planarLength(to);
    if (dist < 1e-3f) return glm::vec2(0.0f);
    glm::vec2 dir = to / dist;
    // If the straight line passes through the table, walk around it.
    const glm::vec2 c = layout.tableCenter - at;
    const float along = c.x * dir.x + c.y * dir.y;
    const float clearance = layout.tableRadius + sim::kAvatarRadius + 0.25f;
    if (along > 0 && along < dist) {
        const glm::vec2 closest = at + dir * along;
        const glm::vec2 off = closest - layout.tableCenter;
        const float miss = planarLength(off);
        if (miss < clearance) {
            glm::vec2 side = miss > 1e-3f ? off / miss : glm::vec2(-dir.y, dir.x);
            const glm::vec2 waypoint = layout.tableCenter + side * (clearance + 0.3f);
            const glm::vec2 w = waypoint - at;
            const float wl = planarLength(w);
            if (wl > 1e-3f) dir = w / wl;
        }
    }
    const float speed = dist < 0.5f ? dist / 0.5f : 1.0f; // slow down on arrival
    return dir * speed;
}

void BotBrain::lookAt(const sim::AvatarPose& me, glm::vec3 target) {
    const glm::vec3 eye = me.headPosition();
    const glm::vec3 d = target - eye;
    const float worldYaw = sim::yawToward({eye.x, eye.z}, {target.x, target.z});
    intent_.headYaw = sim::wrapAngle(worldYaw - intent_.bodyYaw);
    const float horiz = std::sqrt(d.x * d.x + d.z * d.z);
    intent_.headPitch = std::atan2(d.y, std::max(horiz, 0.1f));
}

void BotBrain::stepSlides(ClientSession& s, double now) {
    if (!show_ || now < nextSlideAt_) return;
    if (show_->deck.empty()) {
        const auto offered = s.decks();
        if (offered.empty()) return; // not offered yet (or none): ask again next tick
        show_->deck = offered.front().deck;
        show_->slides = offered.front().slides;
    }
    if (show_->slides == 0) return;
    nextSlideAt_ = now + show_->secondsPerSlide;
    sim::PanelCommand c;
    c.panel = show_->panel;
    c.deck = show_->deck;
    const auto panels = s.panels();
    if (show_->panel >= panels.size() || panels[show_->panel].deck != show_->deck) {
        c.op = sim::PanelOp::ShowDeck;
    } else {
        c.op = sim::PanelOp::SetSlide;
        c.index = static_cast<std::uint16_t>((panels[show_->panel].slide + 1u) % show_->slides);
    }
    s.sendPanelIntent(c);
}

void BotBrain::think(ClientSession& s, double now) {
    const sim::AvatarPose* me = s.selfPose();
    const sim::RoomLayout* layout = s.layout();
    if (!me || !layout || s.state() != ClientState::InRoom) return;
    stepSlides(s, now);
    const glm::vec2 at{me->body.x, me->body.z};
    intent_.move = glm::vec2(0.0f);

    if (me->seated()) {
        if (mode_ != BotMode::Seated) { mode_ = BotMode::Seated; nextLookAt_ = now; }
        intent_.bodyYaw = me->bodyYaw;
        if (now >= nextLookAt_) {
            // Mostly the presenter at the front; sometimes a neighbour or the table.
            const double r = rng_.uniform();
            glm::vec3 target{layout->front.x, 1.6f, layout->front.y};
            if (r > 0.5) {
                const auto others = s.avatars();
                std::vector<const RemoteAvatar*> near;
                for (const RemoteAvatar& a : others)
                    if (!a.self && a.hasPose && planarLength(glm::vec2(a.pose.body.x, a.pose.body.z) - at) < 3.0f) near.push_back(&a);
                if (!near.empty()) target = near[rng_.below(static_cast<std::uint32_t>(near.size()))]->pose.headPosition();
            } else if (r > 0.4) {
                target = {layout->tableCenter.x, 0.8f, layout->tableCenter.y};
            }
            lookAt(*me, target);
            nextLookAt_ = now + 2.0 + rng_.uniform() * 4.0;
        } else if (rng_.chance(0.02)) {
            intent_.headYaw += rng_.uniformf(-0.05f, 0.05f); // shift slightly
        }
        s.setIntent(intent_);
        return;
    }

    if (wanderer_) {
        if (mode_ == BotMode::Pause && now < pauseUntil_) {
            if (rng_.chance(0.03)) intent_.headYaw = rng_.uniformf(-1.0f, 1.0f);
            s.setIntent(intent_);
            return;
        }
        mode_ = BotMode::Wander;
        if (!hasWanderTarget_) {
            const glm::vec2 lim = layout->halfExtents - glm::vec2(1.0f);
            wanderTarget_ = layout->resolveCollision({rng_.uniformf(-lim.x, lim.x), rng_.uniformf(-lim.y, lim.y)});
            hasWanderTarget_ = true;
        }
        if (planarLength(wanderTarget_ - at) < 0.3f) {
            hasWanderTarget_ = false;
            mode_ = BotMode::Pause;
            pauseUntil_ = now + 1.0 + rng_.uniform() * 3.0;
            s.setIntent(intent_);
            return;
        }
        intent_.move = steer(*layout, at, wanderTarget_);
        if (planarLength(intent_.move) > 0.05f) intent_.bodyYaw = sim::yawToward(at, at + intent_.move);
        intent_.headYaw = 0.0f;
        intent_.headPitch = 0.0f;
        s.setIntent(intent_);
        return;
    }

    mode_ = BotMode::FindSeat;
    // Re-pick when the seat was taken by someone else, or sitting keeps failing.
    bool retarget = !seat_;
    if (seat_) {
        for (const RemoteAvatar& a : s.avatars())
            if (!a.self && a.hasPose && a.pose.seat == *seat_) retarget = true;
        if (sitAskedAt_ >= 0 && now - sitAskedAt_ > 1.0) { retarget = true; ++failedSits_; sitAskedAt_ = -1; }
    }
    if (retarget) chooseSeat(s, at);
    if (!seat_) { s.setIntent(intent_); return; }
    const sim::Seat& seat = layout->seats[*seat_];
    const float dist = planarLength(seat.position - at);
    if (dist < sim::kSitReach * 0.7f) {
        if (sitAskedAt_ < 0) {
            s.requestSit(*seat_);
            sitAskedAt_ = now;
        }
    } else {
        intent_.move = steer(*layout, at, seat.position);
        if (planarLength(intent_.move) > 0.05f) intent_.bodyYaw = sim::yawToward(at, at + intent_.move);
    }
    intent_.headYaw = 0.0f;
    intent_.headPitch = 0.0f;
    s.setIntent(intent_);
}

} // namespace caseroom::session
