#include "sim/voice_router.h"

#include <algorithm>
#include <cassert>
#include <cmath>

#include <glm/geometric.hpp>

#include "core/voice_frame.h"

namespace caseroom::sim {

VoiceRouter::VoiceRouter(const RouterConfig& config) : config_(config) {
    assert(config_.cap >= 1 && config_.cap <= kMaxCap);
}

VoiceRouter::Person* VoiceRouter::find(std::uint16_t id) {
    const auto it = index_.find(id);
    return it == index_.end() ? nullptr : &people_[it->second];
}
const VoiceRouter::Person* VoiceRouter::find(std::uint16_t id) const {
    const auto it = index_.find(id);
    return it == index_.end() ? nullptr : &people_[it->second];
}

void VoiceRouter::reindex() {
    index_.clear();
    for (std::uint32_t i = 0; i < people_.size(); ++i) index_[people_[i].id] = i;
}

void VoiceRouter::upsert(std::uint16_t id, const glm::vec3& position, bool roomWide) {
    Person* p = find(id);
    if (!p) {
        people_.push_back(Person{});
        p = &people_.back();
        p->id = id;
        index_[id] = static_cast<std::uint32_t>(people_.size() - 1);
    }
    p->position = position;
    p->roomWide = roomWide;
    // A role change applies to streams already granted too.
    for (auto& l : people_)
        for (std::uint32_t i = 0; i < l.streamCount; ++i)
            if (l.streams[i].speaker == id) l.streams[i].roomWide = roomWide;
}

void VoiceRouter::move(std::uint16_t id, const glm::vec3& position) {
    if (Person* p = find(id)) p->position = position;
}

void VoiceRouter::remove(std::uint16_t id) {
    for (auto& l : people_) {
        auto* end = l.streams.begin() + l.streamCount;
        auto* it = std::remove_if(l.streams.begin(), end, [&](const Stream& s) { return s.speaker == id; });
        l.streamCount = static_cast<std::uint32_t>(it - l.streams.begin());
    }
    people_.erase(std::remove_if(people_.begin(), people_.end(), [&](const Person& p) { return p.id == id; }), people_.end());
    reindex();
}

void VoiceRouter::setCap(std::uint16_t id, std::uint32_t cap) {
    if (Person* p = find(id)) p->cap = std::clamp<std::uint32_t>(cap, 1, config_.cap);
}

float VoiceRouter::score(const Person& listener, const Person& speaker) const {
    const float d = std::max(1.0f, glm::length(speaker.position - listener.position));
    return speaker.levelDb - 20.0f * std::log10(d);
}

// Gives `speaker` a place among `listener`'s streams if the policy allows.
bool VoiceRouter::admit(Person& listener, const Person& speaker, double now, float speakerScore) {
    // Expire silent streams first.
    std::uint32_t kept = 0;
    for (std::uint32_t i = 0; i < listener.streamCount; ++i)
        if (now - listener.streams[i].lastHeard <= config_.holdSec) listener.streams[kept++] = listener.streams[i];
    listener.streamCount = kept;

    for (std::uint32_t i = 0; i < listener.streamCount; ++i) {
        if (listener.streams[i].speaker == speaker.id) {
            listener.streams[i].lastHeard = now;
            listener.streams[i].score = speakerScore;
            return true;
        }
    }
    const Stream fresh{speaker.id, now, now, speakerScore, speaker.roomWide};
    if (listener.streamCount < (listener.cap > 0 ? listener.cap : config_.cap)) {
        listener.streams[listener.streamCount++] = fresh;
        return true;
    }
    // Full: find the weakest stream this speaker may displace. Room-wide
    // speakers displace ordinary ones first, then quieter room-wide ones;
    // ordinary speakers displace only ordinary ones.
    std::int32_t victim = -1;
    float victimScore = 0.0f;
    bool victimRoomWide = true;
    for (std::uint32_t i = 0; i < listener.streamCount; ++i) {
        const Stream& s = listener.streams[i];
        if (s.roomWide && !speaker.roomWide) continue;
        if (!speaker.roomWide && now - s.since < config_.minTenureSec) continue;
        const float sc = s.score;
        // Prefer ordinary victims; among equals, the lowest score.
        const bool better = victim < 0 || (victimRoomWide && !s.roomWide) || (victimRoomWide == s.roomWide && sc < victimScore);
        if (better) {
            victim = static_cast<std::int32_t>(i);
            victimScore = sc;
            victimRoomWide = s.roomWide;
        }
    }
    if (victim < 0) return false;
    const bool mustWin = !(speaker.roomWide && !victimRoomWide); // room-wide beats ordinary outright
    if (mustWin && speakerScore < victimScore + config_.hysteresisDb) return false;
    listener.streams[static_cast<std::uint32_t>(victim)] = fresh;
    ++stats_.displaced;
    return true;
}

std::size_t VoiceRouter::route(std::uint16_t speakerId, std::uint8_t level, double now, std::span<std::uint16_t> out) {
    ++stats_.packets;
    Person* speaker = find(speakerId);
    if (!speaker) return 0;
    if (speaker->roomWide && now - speaker->lastPacket > config_.holdSec) {
        // A room-wide speaker starting to talk: is there room among them?
        std::uint32_t talking = 0;
        for (const auto& p : people_)
            if (p.roomWide && p.id != speakerId && now - p.lastPacket <= config_.holdSec) ++talking;
        if (talking >= config_.maxRoomWideTalkers) {
            ++stats_.roomWideCapped;
            return 0;
        }
    }
    const float db = core::levelByteToDb(level);
    if (now - speaker->lastPacket > config_.holdSec) speaker->levelDb = db; // a new talkspurt starts fresh
    else speaker->levelDb += config_.levelSmoothing * (db - speaker->levelDb);
    speaker->lastPacket = now;
    std::size_t n = 0;
    for (auto& listener : people_) {
        if (listener.id == speakerId) continue;
        if (admit(listener, *speaker, now, score(listener, *speaker))) {
            assert(n < out.size());
            if (n < out.size()) out[n++] = listener.id;
        } else {
            ++stats_.refused;
        }
    }
    stats_.forwarded += n;
    return n;
}

std::uint8_t VoiceRouter::avatarLevel(std::uint16_t id, double now) const {
    const Person* p = find(id);
    if (!p || now - p->lastPacket > config_.holdSec) return 0;
    return core::avatarLevelFromByte(core::levelByteFromDb(p->levelDb));
}

std::vector<std::uint16_t> VoiceRouter::streamsOf(std::uint16_t listenerId, double now) const {
    std::vector<std::uint16_t> out;
    if (const Person* l = find(listenerId))
        for (std::uint32_t i = 0; i < l->streamCount; ++i)
            if (now - l->streams[i].lastHeard <= config_.holdSec) out.push_back(l->streams[i].speaker);
    return out;
}

} // namespace caseroom::sim
