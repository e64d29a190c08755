// A scripted participant that behaves like someone at a clinic: walks to a
// free seat, sits, looks at the presenter or a neighbour and shifts now and
// then; a wanderer stays standing and strolls. Decides from what its
// ClientSession sees, exactly like a person would, so bots exercise the real
// protocol. Deterministic for a given seed and input.
// With a ClinicScript it also plays a part in a short teaching round, read
// from ClientSession::clinic() (the agenda, queue, floor and board as the
// server replicates them): the facilitator advances the agenda on a fast
// timetable, calls the next hand and writes each case's summary; spokes
// raise hands in the didactic and the clarifying questions, ask a question
// when given the floor, and post recommendations; a specialist posts
// recommendations too.
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

// Who a bot is in a scripted teaching round.
enum class ClinicPart : std::uint8_t { Facilitator, Specialist, Spoke, Count };
const char* toString(ClinicPart p);

// A scripted short clinic (caseroom-bots --script clinic). Timers run from
// when the bot sees a phase begin (its view of the Agenda object), so every
// step follows the replicated state, not a clock of its own.
struct ClinicScript {
    ClinicPart part = ClinicPart::Spoke;
    double phaseSeconds = 4.0;           // facilitator: each phase's length before it advances (the plan's are minutes)
    std::uint32_t startWith = 1;         // facilitator: participants in its view (itself included) before it leaves the lobby
    double raiseChance = 0.6;            // spokes: chance to raise a hand in the didactic (in clarifying questions they all do)
    bool record = false;                 // facilitator: start recording as the session leaves the lobby (the program's policy pauses it by phase), stop it when it ends
    bool acknowledgeRecording = true;    // every part: a scripted participant agrees to a recording when asked (docs/RECORDING.md "Consent")
};

// What a scripted bot has done so far (printouts and tests).
struct ClinicProgress {
    std::uint32_t advances = 0;          // AgendaIntent Next sent
    std::uint32_t handsRaised = 0;
    std::uint32_t floorsCalled = 0;      // FloorIntent CallNext sent
    std::uint32_t floorsHeld = 0;        // times it saw itself given the floor
    std::uint32_t questionsAsked = 0;    // ChatIntent Ask sent
    std::uint32_t questionsTaken = 0;    // ChatIntent TakeNext sent
    std::uint32_t recommendations = 0;   // BoardIntent Post sent
    std::uint32_t summaries = 0;         // BoardIntent Summary sent
    std::uint32_t phasesSeen = 0;        // agenda entries it saw begin
    std::uint32_t recordingsStarted = 0; // RecordingIntent Start sent
    std::uint32_t recordingsAcknowledged = 0;
    bool finished = false;               // its view shows the agenda ended
};

class BotBrain {
public:
    BotBrain(std::uint64_t seed, bool wanderer) : rng_(seed), wanderer_(wanderer) {}

    // Looks at the session's view at `now` and drives it: sets the intent and
    // requests sit/stand through the session.
    void think(ClientSession& session, double now);

    // Turns the slide show on (or, with nullopt, off).
    void presentSlides(std::optional<SlideShow> show) { show_ = std::move(show); nextSlideAt_ = -1; }
    // Plays a part in the teaching round (or, with nullopt, none).
    void playClinic(std::optional<ClinicScript> script);
    [[nodiscard]] const ClinicProgress& clinicProgress() const { return progress_; }

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

    // The teaching round (bot_brain.cpp [SECTION] clinic script).
    void stepClinic(ClientSession& s, double now);
    void facilitate(ClientSession& s, double now);
    void participate(ClientSession& s, double now);
    std::optional<ClinicScript> script_;
    bool recordAsked_ = false, recordStopped_ = false;
    ClinicProgress progress_;
    int phaseIndex_ = -1;                // the agenda entry it last saw begin (-1: none yet)
    double phaseSeenAt_ = 0;             // when it saw it begin
    double actAt_ = 0;                   // this phase's planned moment to act (raise, post)
    bool wantsFloor_ = false;            // spokes: raising a hand this phase
    bool raised_ = false, posted_ = false, summarised_ = false;
    std::uint32_t lastTaken_ = 0;        // facilitator: the question line it last took
    double takenAt_ = -1;
    std::uint32_t callsThisPhase_ = 0;
    double nextAskedAt_ = -1;            // facilitator: when it last sent Next (resend after a while)
    double lastCallAt_ = -1;
    core::EntityId floorSeen_;           // who its view showed holding the floor
    double floorSeenAt_ = 0;
    bool askedOnFloor_ = false, releasedFloor_ = false;
    std::uint16_t clientSeq_ = 0;
};

} // namespace caseroom::session
