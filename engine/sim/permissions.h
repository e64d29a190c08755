// Who may do what in a clinic: one table, checked by the server for every
// intent. Later issues add actions (agenda, case forms, moderation, recording)
// to this table, not checks scattered elsewhere. docs/PERMISSIONS.md mirrors it.
#pragma once
#include <cstdint>

#include "core/role.h"

namespace caseroom::sim {

enum class Action : std::uint8_t {
    Walk,        // move one's own avatar
    Look,        // turn one's own head
    Sit,         // take a free seat
    Stand,       // leave one's seat
    Speak,       // send voice
    PresentCase, // present a de-identified case
    DriveSlides, // change the slide on a wall panel
    Recommend,   // write a recommendation for the presenter
    Moderate,    // mute others, run the hand-raise queue and the agenda
    Record,      // start and stop recording
    Count
};
const char* toString(Action a);

[[nodiscard]] bool permitted(core::Role role, Action action);

} // namespace caseroom::sim
