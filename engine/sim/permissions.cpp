#include "sim/permissions.h"

#include <array>

namespace caseroom::sim {
namespace {
using Row = std::array<bool, static_cast<std::size_t>(Action::Count)>;
// Columns: Walk Look Sit Stand Speak PresentCase DriveSlides Recommend Moderate Record
constexpr std::array<Row, static_cast<std::size_t>(core::Role::Count)> kTable{{
    /* facilitator */ {true, true, true, true, true, true, true, true, true, true},
    /* specialist  */ {true, true, true, true, true, true, true, true, false, false},
    /* coordinator */ {true, true, true, true, true, false, true, false, true, true},
    /* spoke       */ {true, true, true, true, true, true, true, false, false, false},
    /* observer    */ {true, true, true, true, false, false, false, false, false, false},
}};
} // namespace

const char* toString(Action a) {
    switch (a) {
    case Action::Walk: return "walk";
    case Action::Look: return "look";
    case Action::Sit: return "sit";
    case Action::Stand: return "stand";
    case Action::Speak: return "speak";
    case Action::PresentCase: return "present a case";
    case Action::DriveSlides: return "drive slides";
    case Action::Recommend: return "recommend";
    case Action::Moderate: return "moderate";
    case Action::Record: return "record";
    case Action::Count: break;
    }
    return "?";
}

bool permitted(core::Role role, Action action) {
    if (role >= core::Role::Count || action >= Action::Count) return false;
    return kTable[static_cast<std::size_t>(role)][static_cast<std::size_t>(action)];
}

} // namespace caseroom::sim
