// Participant roles in a teleECHO clinic. Shared vocabulary of the wire
// (net) and the room rules (sim); the permission table is in sim/permissions.
#pragma once
#include <cstdint>

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

} // namespace caseroom::core
