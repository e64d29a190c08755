#include "net/room_objects.h"

#include <algorithm>

namespace caseroom::net {

const char* toString(ObjectKind k) {
    switch (k) {
    case ObjectKind::Panel: return "panel";
    case ObjectKind::Laser: return "laser";
    case ObjectKind::Deck: return "deck";
    case ObjectKind::Agenda: return "agenda";
    case ObjectKind::AgendaEntry: return "agenda entry";
    case ObjectKind::Queue: return "queue";
    case ObjectKind::Moderation: return "moderation";
    case ObjectKind::BoardEntry: return "board entry";
    case ObjectKind::ChatLine: return "chat line";
    case ObjectKind::Statement: return "statement";
    case ObjectKind::Recording: return "recording";
    case ObjectKind::Replay: return "replay";
    case ObjectKind::ReplayMark: return "replay mark";
    case ObjectKind::Video: return "video stream";
    case ObjectKind::Count: break;
    }
    return "?";
}

const char* toString(ObjectError e) {
    switch (e) {
    case ObjectError::TableFull: return "the room's object table is full";
    case ObjectError::TooLarge: return "object encoding longer than kMaxObjectBytes";
    case ObjectError::Count: break;
    }
    return "?";
}

bool ObjectBytes::assign(std::span<const std::uint8_t> bytes) {
    if (bytes.size() > kMaxObjectBytes) return false;
    size = static_cast<std::uint16_t>(bytes.size());
    std::copy(bytes.begin(), bytes.end(), data.begin());
    std::fill(data.begin() + size, data.end(), std::uint8_t{0});
    return true;
}

int ObjectTable::slotOf(ObjectKey key) const {
    for (std::uint32_t s = 0; s < used_; ++s)
        if (records_[s].instance != 0 && keys_[s] == key) return static_cast<int>(s);
    return -1;
}

const ObjectBytes* ObjectTable::find(ObjectKey key) const {
    const int s = slotOf(key);
    return s < 0 ? nullptr : &bytes_[static_cast<std::uint32_t>(s)];
}

bool ObjectTable::set(ObjectKey key, std::span<const std::uint8_t> bytes, ObjectError* error) {
    if (bytes.size() > kMaxObjectBytes) {
        if (error) *error = ObjectError::TooLarge;
        return false;
    }
    int s = slotOf(key);
    if (s >= 0) {
        const auto slot = static_cast<std::uint32_t>(s);
        ObjectBytes next;
        (void)next.assign(bytes);
        if (next == bytes_[slot]) return true;
        bytes_[slot] = next;
        ++records_[slot].version;
        return true;
    }
    std::uint32_t slot = 0;
    while (slot < used_ && records_[slot].instance != 0) ++slot;
    if (slot == kMaxRoomObjects) {
        if (error) *error = ObjectError::TableFull;
        return false;
    }
    if (slot == used_) ++used_;
    keys_[slot] = key;
    (void)bytes_[slot].assign(bytes);
    records_[slot] = ObjectRecord{nextInstance_++, 1};
    ++live_;
    return true;
}

void ObjectTable::remove(ObjectKey key) {
    const int s = slotOf(key);
    if (s < 0) return;
    const auto slot = static_cast<std::uint32_t>(s);
    records_[slot] = ObjectRecord{};
    bytes_[slot] = ObjectBytes{};
    --live_;
}

} // namespace caseroom::net
