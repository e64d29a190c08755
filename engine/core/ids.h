// Typed handles used across module and network boundaries.
// Each handle wraps an integer of explicit width and has an invalid value; a
// stale or invalid handle is an error the caller checks, never UB.
#pragma once
#include <cstdint>
#include <functional>
#include <limits>

namespace caseroom::core {

template <typename Tag, typename T>
struct Id {
    using Value = T;
    static constexpr T kInvalidValue = std::numeric_limits<T>::max();

    T value = kInvalidValue;

    constexpr Id() = default;
    constexpr explicit Id(T v) : value(v) {}
    [[nodiscard]] constexpr bool valid() const { return value != kInvalidValue; }
    static constexpr Id invalid() { return Id{}; }
    friend constexpr bool operator==(Id a, Id b) = default;
    friend constexpr auto operator<=>(Id a, Id b) = default;
};

struct PeerTag {};
struct RoomTag {};
struct EntityTag {};
struct UserTag {};

using PeerId = Id<PeerTag, std::uint32_t>;     // transport connection handle
using RoomId = Id<RoomTag, std::uint16_t>;     // room hosted by one server process
using EntityId = Id<EntityTag, std::uint16_t>; // entity slot inside one room
using UserId = Id<UserTag, std::uint64_t>;     // person, stable across sessions

} // namespace caseroom::core

template <typename Tag, typename T>
struct std::hash<caseroom::core::Id<Tag, T>> {
    std::size_t operator()(caseroom::core::Id<Tag, T> id) const noexcept { return std::hash<T>{}(id.value); }
};
