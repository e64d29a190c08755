// Participant roles in a teleECHO clinic. Shared vocabulary of the wire
// (net) and the room rules (sim); the permission table is in sim/permissions.
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

namespace caseroom::core {

enum class Role : std::uint8_t { Facilitator, Specialist, Coordinator, Spoke, Observer, Count };

inline const char* toString(Role r) {
    switch (r) {
    case Role::Facilitator: return "facilitator";
    case Role::Specialist: return "specialist";
    case Role::Coordinator: return "coordinator";
    case Role::Spoke: return "spoke";
    case Role::Observer: return "observer";
    case Role::Count: break;
    }
    return "?";
}

// The inverse of toString ("spoke" -> Role::Spoke); nullopt for anything else.
[[nodiscard]] inline std::optional<Role> roleFromString(std::string_view s) {
    for (std::uint8_t i = 0; i < static_cast<std::uint8_t>(Role::Count); ++i)
        if (s == toString(static_cast<Role>(i))) return static_cast<Role>(i);
    return std::nullopt;
}

} // namespace caseroom::core
