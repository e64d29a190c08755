// A scripted participant that behaves like someone at a clinic: walks to a
// free seat, sits, looks at the presenter or a neighbour and shifts now and
// then; a wanderer stays standing and strolls. Decides from what its
// ClientSession sees, exactly like a person would, so bots exercise the real
// protocol. Deterministic for a given seed and input.
#pragma once
#include <cstdint>
#include <optional>

#include "core/content_hash.h"
#include "core/rng.h"
#include "sim/room.h"
#include "session/client_session.h"

namespace caseroom::session {

enum class BotMode : std::uint8_t { FindSeat, Seated, Wander, Pause, Count };

// A scripted presenter (option, off by default): shows `deck` on `panel` and
// steps to the next slide every `secondsPerSlide`, wrapping after `slides`.
// The bot's role must be allowed to drive the panel (a facilitator or
// coordinator; otherwise the server refuses and the bot keeps trying on its
// timer, which costs one refusal per step).
// Empty `deck`: the first deck the room offers (ClientSession::decks()), all its slides.
struct SlideShow {
    core::ContentHash deck;
    std::uint16_t slides = 1;
    std::uint16_t panel = 0;
    double secondsPerSlide = 8.0;
};
const char* toString(BotMode m);

class BotBrain {
public:
    BotBrain(std::uint64_t seed, bool wanderer) : rng_(seed), wanderer_(wanderer) {}

    // Looks at the session's view at `now` and drives it: sets the intent and
    // requests sit/stand through the session.
    void think(ClientSession& session, double now);

    // Turns the slide show on (or, with nullopt, off).
    void presentSlides(std::optional<SlideShow> show) { show_ = std::move(show); nextSlideAt_ = -1; }

    [[nodiscard]] BotMode mode() const { return mode_; }
    [[nodiscard]] std::optional<std::uint16_t> targetSeat() const { return seat_; }

private:
    void chooseSeat(const ClientSession& s, glm::vec2 at);
    glm::vec2 steer(const sim::RoomLayout& layout, glm::vec2 at, glm::vec2 target) const;
    void lookAt(const sim::AvatarPose& me, glm::vec3 target);

    core::Rng rng_;
    bool wanderer_;
    BotMode mode_ = BotMode::FindSeat;
    std::optional<std::uint16_t> seat_;
    double sitAskedAt_ = -1;
    double nextLookAt_ = 0;
    double pauseUntil_ = 0;
    glm::vec2 wanderTarget_{0.0f};
    bool hasWanderTarget_ = false;
    sim::MoveInput intent_;
    std::uint32_t failedSits_ = 0;
    std::optional<SlideShow> show_;
    double nextSlideAt_ = -1;
    void stepSlides(ClientSession& s, double now);
};

} // namespace caseroom::session
