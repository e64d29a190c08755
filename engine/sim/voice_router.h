// Server-side voice forwarding policy: which listeners get a voice packet.
// The server forwards, never decodes or mixes. Each listener hears at most
// `cap` speakers at once (default 6):
//   - room-wide speakers (facilitator, specialists, whoever presents) reach
//     every listener; when more than `cap` of them talk at once, the loudest
//     keep their places;
//   - other speakers compete per listener by score = smoothed level (dBFS,
//     from the packet's level byte) - 20 log10(max(distance, 1 m)): near and
//     loud wins. A newcomer displaces the weakest ordinary stream only if it
//     beats it by `hysteresisDb` and the weakest has held its place for
//     `minTenureSec`, so streams do not flap (room-wide speakers need neither);
//   - a stream keeps its place for `holdSec` after its last packet (word
//     gaps, DTX), then frees it;
//   - at most `maxRoomWideTalkers` room-wide speakers talk at once (F-13:
//     each reaches the whole room, so this bounds the server's egress per
//     room); a further one's packets reach nobody until one of them has been
//     silent for holdSec (counted in Stats::roomWideCapped).
// Which roles are room-wide is sim/voice_policy.h's rule; the router only
// keeps the flag.
// route() decides per packet, as the packet arrives (never held for a tick):
// O(listeners * cap). Time is an input. Thread rule: one thread (the room's).
// Pure logic: no codec, no network; the server calls it with parsed headers.
// (Moved from audio: the server links no codec to route voice.)
#pragma once
#include <array>
#include <cstdint>
#include <span>
#include <unordered_map>
#include <vector>

#include <glm/vec3.hpp>

namespace caseroom::sim {

struct RouterConfig {
    std::uint32_t cap = 6;          // streams per listener, at most kMaxCap
    double holdSec = 0.4;           // a silent stream keeps its place this long
    float hysteresisDb = 3.0f;      // a newcomer must beat the weakest by this much
    float levelSmoothing = 0.1f;    // weight of the newest packet in the level average
    double minTenureSec = 0.5;      // an ordinary stream keeps its place at least this long
    std::uint32_t maxRoomWideTalkers = 4; // room-wide speakers heard at once; more are dropped
};

class VoiceRouter {
public:
    static constexpr std::uint32_t kMaxCap = 16;

    explicit VoiceRouter(const RouterConfig& config = {});

    // Adds or updates a participant. `position`: mouth/head, room space, metres.
    void upsert(std::uint16_t id, const glm::vec3& position, bool roomWide);
    void remove(std::uint16_t id);
    // Updates a known participant's position only (O(1); the server calls it
    // every tick). Unknown ids are ignored.
    void move(std::uint16_t id, const glm::vec3& position);
    // Streams `id` may receive at once, within [1, the config's cap] (the
    // listener's link: session/link_scheduler.h voiceStreams). Lowered, the
    // streams it holds finish their talkspurts; new ones must displace.
    void setCap(std::uint16_t id, std::uint32_t cap);
    [[nodiscard]] std::size_t participantCount() const { return people_.size(); }

    // One voice packet from `speaker` with its level byte at `now` (seconds).
    // Writes the listeners to forward it to into `out` (room for
    // participantCount() entries) and returns how many. An unknown speaker
    // reaches nobody; so does a room-wide speaker over maxRoomWideTalkers.
    std::size_t route(std::uint16_t speaker, std::uint8_t level, double now, std::span<std::uint16_t> out);

    // The 0..15 speaking indicator for `id`'s avatar (AvatarPose::voiceLevel):
    // its smoothed level while it talks, 0 once silent for holdSec.
    [[nodiscard]] std::uint8_t avatarLevel(std::uint16_t id, double now) const;

    // The speakers `listener` currently receives (for tests and stats).
    [[nodiscard]] std::vector<std::uint16_t> streamsOf(std::uint16_t listener, double now) const;

    struct Stats {
        std::uint64_t packets = 0;
        std::uint64_t forwarded = 0;   // packet copies sent to listeners
        std::uint64_t refused = 0;     // (packet, listener) pairs refused by the cap
        std::uint64_t displaced = 0;   // streams that lost their place to a stronger one
        std::uint64_t roomWideCapped = 0; // packets dropped: too many room-wide speakers at once
    };
    [[nodiscard]] const Stats& stats() const { return stats_; }

private:
    struct Stream {
        std::uint16_t speaker = 0;
        double lastHeard = -1e9;
        double since = -1e9;           // when it got its place
        float score = -1e9f;           // as of the speaker's last packet to this listener
        bool roomWide = false;
    };
    struct Person {
        std::uint16_t id = 0;
        glm::vec3 position{0.0f};
        bool roomWide = false;
        float levelDb = -127.0f;       // smoothed speaking level
        double lastPacket = -1e9;      // last packet routed (a capped one does not count)
        std::array<Stream, kMaxCap> streams{};
        std::uint32_t streamCount = 0;
        std::uint32_t cap = 0;         // 0: the config's
    };
    Person* find(std::uint16_t id);
    [[nodiscard]] const Person* find(std::uint16_t id) const;
    bool admit(Person& listener, const Person& speaker, double now, float speakerScore);
    [[nodiscard]] float score(const Person& listener, const Person& speaker) const;

    RouterConfig config_;
    void reindex();

    std::vector<Person> people_;
    std::unordered_map<std::uint16_t, std::uint32_t> index_; // id -> position in people_
    Stats stats_;
};

} // namespace caseroom::sim
