#include "sim/room.h"

#include <algorithm>
#include <cassert>
#include <cmath>

#include "sim/permissions.h"

namespace caseroom::sim {

const char* toString(JoinError e) {
    switch (e) {
    case JoinError::RoomFull: return "room full";
    case JoinError::BadName: return "bad display name";
    case JoinError::BadRole: return "bad role";
    case JoinError::Count: break;
    }
    return "?";
}

const char* toString(IntentError e) {
    switch (e) {
    case IntentError::NoSuchParticipant: return "no such participant";
    case IntentError::SeatInvalid: return "no such seat";
    case IntentError::SeatTaken: return "seat taken";
    case IntentError::SeatTooFar: return "too far from the seat";
    case IntentError::AlreadySeated: return "already seated";
    case IntentError::NotSeated: return "not seated";
    case IntentError::Count: break;
    }
    return "?";
}

Room::Room(const RoomSpec& spec, double tickRateHz)
    : spec_(spec), layout_(makeLayout(spec)), tickRate_(tickRateHz), participants_(spec.maxParticipants) {
    seatOwners_.assign(layout_.seats.size(), core::EntityId::invalid());
    freeSlots_.reserve(spec.maxParticipants);
    for (std::uint32_t i = 0; i < spec.maxParticipants; ++i) freeSlots_.push_back(static_cast<std::uint16_t>(i));
}

std::uint32_t Room::reserveSlots(std::uint32_t n) {
    n = std::min<std::uint32_t>(n, capacity());
    assert(population_ == 0);
    freeSlots_.erase(freeSlots_.begin(), freeSlots_.begin() + static_cast<std::ptrdiff_t>(freeHead_));
    freeHead_ = 0;
    std::erase_if(freeSlots_, [n](std::uint16_t slot) { return slot < n; });
    return n;
}

Participant* Room::get(core::EntityId id) {
    if (!id.valid() || id.value >= participants_.size() || !participants_[id.value].active()) return nullptr;
    return &participants_[id.value];
}

const Participant* Room::find(core::EntityId id) const {
    if (!id.valid() || id.value >= participants_.size() || !participants_[id.value].active()) return nullptr;
    return &participants_[id.value];
}

core::EntityId Room::seatOwner(std::uint16_t seat) const {
    return seat < seatOwners_.size() ? seatOwners_[seat] : core::EntityId::invalid();
}

glm::vec2 Room::spawnPoint() {
    // Along the back wall, spread out so newcomers do not stack.
    const float usable = layout_.halfExtents.x * 2 - 2.0f;
    const std::uint32_t n = spawnCounter_++;
    const float x = -usable / 2 + std::fmod(static_cast<float>(n) * 0.7f, usable);
    return layout_.resolveCollision({x, layout_.halfExtents.y - 0.8f});
}

JoinResult Room::join(const std::string& displayName, core::Role role, std::uint64_t userId) {
    if (displayName.empty() || displayName.size() > kMaxNameBytes) return {core::EntityId::invalid(), JoinError::BadName};
    if (role >= core::Role::Count) return {core::EntityId::invalid(), JoinError::BadRole};
    if (freeHead_ >= freeSlots_.size()) return {core::EntityId::invalid(), JoinError::RoomFull};
    const std::uint16_t slot = freeSlots_[freeHead_++];
    if (freeHead_ > 64 && freeHead_ * 2 > freeSlots_.size()) { // compact the FIFO now and then
        freeSlots_.erase(freeSlots_.begin(), freeSlots_.begin() + static_cast<std::ptrdiff_t>(freeHead_));
        freeHead_ = 0;
    }
    Participant& p = participants_[slot];
    p = Participant{};
    p.instance = nextInstance_++;
    p.name = displayName;
    p.userId = userId;
    p.role = role;
    const glm::vec2 at = spawnPoint();
    p.pose.body = {at.x, 0.0f, at.y};
    p.pose.bodyYaw = yawToward(at, layout_.tableCenter);
    poseHead(p.pose, 0.0f, 0.0f);
    p.joinedTick = tick_;
    p.changedTick = tick_;
    ++population_;
    return {core::EntityId{slot}, std::nullopt};
}

void Room::leave(core::EntityId id) {
    Participant* p = get(id);
    if (!p) return;
    if (p->pose.seated()) seatOwners_[p->pose.seat] = core::EntityId::invalid();
    *p = Participant{};
    --population_;
    freeSlots_.push_back(id.value);
}

void Room::submitInput(core::EntityId id, std::uint32_t seq, const MoveInput& input) {
    Participant* p = get(id);
    if (!p) return;
    if (p->anyInput && seq <= p->lastInputSeq) return;
    for (std::uint32_t i = 0; i < p->queued; ++i)
        if (p->queue[i].seq == seq) return; // redundant copy
    if (p->queued == kInputQueue) return;    // flooding: the surplus is dropped
    // Keep the queue sorted by sequence so reordered packets apply in order.
    std::uint32_t at = p->queued;
    while (at > 0 && p->queue[at - 1].seq > seq) { p->queue[at] = p->queue[at - 1]; --at; }
    p->queue[at] = {seq, input};
    ++p->queued;
}

void Room::restartInput(core::EntityId id) {
    if (Participant* p = get(id)) {
        p->anyInput = false;
        p->queued = 0;
    }
}

std::optional<IntentError> Room::sit(core::EntityId id, std::uint32_t seat) {
    Participant* p = get(id);
    if (!p) return IntentError::NoSuchParticipant;
    if (seat >= layout_.seats.size()) return IntentError::SeatInvalid;
    if (p->pose.seated()) return IntentError::AlreadySeated;
    if (seatOwners_[seat].valid()) return IntentError::SeatTaken;
    const Seat& s = layout_.seats[seat];
    const glm::vec2 d = s.position - glm::vec2(p->pose.body.x, p->pose.body.z);
    if (std::sqrt(d.x * d.x + d.y * d.y) > kSitReach) return IntentError::SeatTooFar;
    seatOwners_[seat] = id;
    p->pose.seat = static_cast<std::uint16_t>(seat);
    p->pose.body = {s.position.x, 0.0f, s.position.y};
    p->pose.bodyYaw = s.yaw;
    p->headYaw = 0.0f;
    poseHead(p->pose, p->headYaw, p->headPitch);
    p->changedTick = tick_;
    return std::nullopt;
}

std::optional<IntentError> Room::stand(core::EntityId id) {
    Participant* p = get(id);
    if (!p) return IntentError::NoSuchParticipant;
    if (!p->pose.seated()) return IntentError::NotSeated;
    const Seat& s = layout_.seats[p->pose.seat];
    seatOwners_[p->pose.seat] = core::EntityId::invalid();
    p->pose.seat = kNoSeat;
    // Step back from the chair, away from where it faces.
    const glm::vec3 back = -forwardOf(s.yaw) * 0.45f;
    const glm::vec2 at = layout_.resolveCollision(s.position + glm::vec2(back.x, back.z));
    p->pose.body = {at.x, 0.0f, at.y};
    poseHead(p->pose, p->headYaw, p->headPitch);
    p->changedTick = tick_;
    return std::nullopt;
}

std::optional<IntentError> Room::seatAt(core::EntityId id, std::uint32_t seat) {
    Participant* p = get(id);
    if (!p) return IntentError::NoSuchParticipant;
    if (seat >= layout_.seats.size()) return IntentError::SeatInvalid;
    if (p->pose.seated() && p->pose.seat == seat) return std::nullopt;
    if (const core::EntityId owner = seatOwners_[seat]; owner.valid()) (void)stand(owner);
    if (p->pose.seated()) (void)stand(id);
    const Seat& s = layout_.seats[seat];
    p->pose.body = {s.position.x, 0.0f, s.position.y};   // within reach now: sit() takes it from here
    return sit(id, seat);
}

void Room::step() {
    const float dt = static_cast<float>(1.0 / tickRate_);
    for (Participant& p : participants_) {
        if (!p.active()) continue;
        p.inputTokens = std::min(kInputBurst, p.inputTokens + 1.0f);
        std::uint32_t used = 0;
        while (used < p.queued && p.inputTokens >= 1.0f) {
            const auto& pending = p.queue[used++];
            const AvatarPose before = p.pose;
            stepAvatar(layout_, p.pose, pending.input, dt);
            p.headYaw = pending.input.headYaw;
            p.headPitch = pending.input.headPitch;
            p.lastInputSeq = pending.seq;
            p.anyInput = true;
            p.inputTokens -= 1.0f;
            if (before.body != p.pose.body || before.head != p.pose.head || before.bodyYaw != p.pose.bodyYaw)
                p.changedTick = tick_;
        }
        if (used > 0) {
            std::copy(p.queue.begin() + used, p.queue.begin() + p.queued, p.queue.begin());
            p.queued -= used;
        }
    }
    ++tick_;
}

} // namespace caseroom::sim
