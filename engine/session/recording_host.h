// Recording in the server: one per room, beside RoundHost and BoardHost.
// Routes RecordingIntent to sim::RecordingSystem (the policy, the epoch,
// acknowledgements), publishes the Recording object, and is the recorder:
// a tap on what the room replicates and forwards, written as a
// record::RecordingWriter file (docs/RECORDING.md).
//
// Per tick ServerHost hands it the room as replicated (who is present,
// each avatar's quantized state, the room objects) and the tick's events;
// voice frames and video fragments as the server accepted and forwarded
// them, when they arrive. While live it
// writes only what changed (avatars as deltas, objects whose bytes
// changed), a keyframe every keyframeTicks and on every resume. The tick
// side only compares and encodes into memory: the writer's thread does the
// I/O (record/recording.h).
//
// What is kept out of the file (docs/RECORDING.md "What a recording holds"):
// - everything of a paused stretch: no avatar, voice, event or object change;
//   an object that changed while paused is withheld until it changes while
//   live (a case's slide, chat or recommendations never reach the file by a
//   later keyframe);
// - case entries of the agenda under a policy that pauses case phases are
//   written without their title, presenter and question;
// - a participant who has not acknowledged the recording is written without
//   their name, their voice and their video;
// - cameras (faces identify people) unless the program allows them
//   (setCameras; off by default): neither their fragments nor their Video
//   objects, so a replay shows no stream it has no pictures for. Screens are
//   recorded while live.
// A stream's fragments are kept from its first key frame after it became
// recordable (start, resume, acknowledgement, a new stream): nothing before
// it would decode. The recorder asks the publisher for that key frame, and
// for one at every keyframe of the file, so a replay seeking to a keyframe
// has a picture soon after it (keyframesWanted).
// Thread rule: the room's thread.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "net/avatar_codec.h"
#include "net/messages.h"
#include "net/room_objects.h"
#include "record/recording.h"
#include "sim/clinic_state.h"
#include "sim/events.h"
#include "sim/recording.h"

namespace caseroom::session {

struct RecordingConfig {
    // Makes the file of a new recording (the server: a new file in its
    // recordings folder under the recording key). Null: this server does not
    // record (Start refused NoRecorder).
    std::function<core::Result<std::unique_ptr<record::RecordingWriter>>(const record::RecordingInfo&)> open;
    sim::RecordingPolicy defaultPolicy = sim::RecordingPolicy::DidacticOnly; // rooms without a program's policy
    std::uint32_t keyframeTicks = 300;  // a keyframe every 10 s at 30 Hz (seek cost: at most this many ticks to apply)
};

// One present participant as the room replicates them this tick.
struct RecordedSlot {
    std::uint16_t slot = 0;
    std::uint32_t instance = 0;
    core::Role role = core::Role::Spoke;
    const std::string* name = nullptr;
    net::QuantizedAvatar state;
};

struct RecorderStats {
    std::uint64_t ticksWritten = 0, keyframes = 0, voiceFrames = 0, voiceDropped = 0, objectsWithheld = 0;
    std::uint64_t videoFragments = 0;   // written
    std::uint64_t videoWithheld = 0;    // kept out by the rules: paused, camera not allowed, not acknowledged, before the stream's key frame
    std::uint64_t videoDropped = 0;     // over the limits (fragment size, fragments per tick)
    std::uint64_t videoKeyframesAsked = 0;
    std::string file;        // the current or last recording's path (RecordingInfo::room when not known)
    std::string error;       // the last failure to open or write
};

class RecordingHost {
public:
    // `events` (not owned, may be null): the room's stream.
    RecordingHost(sim::EventStream* events, RecordingConfig config, record::RecordingInfo room);
    ~RecordingHost();
    RecordingHost(const RecordingHost&) = delete;
    RecordingHost& operator=(const RecordingHost&) = delete;

    void setPolicy(sim::RecordingPolicy policy, sim::Phase phase, std::uint32_t tick);
    void setSession(std::uint64_t session) { room_.session = session; }
    // Whether the program allows cameras in its recordings (store::Program
    // recordCameras, carried by the session plan). Off: camera fragments and
    // Video objects stay out of the file from the next capture on.
    void setCameras(bool recordCameras) { cameras_ = recordCameras; }

    // nullopt: carried out; else the refusal (IntentRefused{Record, reason}).
    [[nodiscard]] std::optional<net::RefusalReason> onIntent(const sim::ClinicActor& actor, const net::RecordingIntent& m,
                                                             sim::Phase phase, std::uint32_t tick, std::uint64_t unixTime);
    // The agenda's phase, each tick before the room's stream is drained.
    void onPhase(sim::Phase phase, std::uint32_t tick);
    void leave(core::EntityId who);
    // A voice frame the server accepted and forwarded; `atSeconds` on the host's clock.
    void voice(std::uint16_t slot, std::uint16_t seq, std::uint8_t level, std::uint8_t frameMs, bool talkStart,
               std::span<const std::uint8_t> opus, double atSeconds);
    // A video fragment the server accepted and forwarded (VideoHost's
    // Forward verdict): `wire` is the VideoFragment message as received and
    // forwarded (type byte first); `atSeconds` on the host's clock.
    void video(const net::VideoFragment& fragment, std::span<const std::uint8_t> wire, double atSeconds);
    // Streams whose publisher should be asked for a key frame now (at most
    // once a second each while the recorder waits for one, and once after
    // every keyframe of the file). Valid until the next call.
    [[nodiscard]] std::span<const net::VideoStreamId> keyframesWanted(double nowSeconds);
    // After the tick's avatars and objects are final and its events drained.
    void capture(std::uint32_t tick, double nowSeconds, std::span<const RecordedSlot> present,
                 const net::ObjectTable& objects, std::span<const sim::RoomEvent> events);
    // Publishes the Recording object when it changed.
    void publish(net::ObjectTable& objects);
    // The room emptied or the server stops: the file is closed (RecordingStopped pushed).
    void stop(std::uint32_t tick);

    [[nodiscard]] const sim::RecordingSystem& system() const { return *system_; }
    [[nodiscard]] bool recording() const { return writer_ != nullptr; }
    [[nodiscard]] bool mayRecordVoice(core::EntityId who) const;
    // Live, the publisher acknowledged, and a screen or (the program allowing it) a camera.
    [[nodiscard]] bool mayRecordVideo(net::VideoStreamId stream) const;
    [[nodiscard]] const RecorderStats& stats() const { return stats_; }

private:
    struct SlotMemory {
        std::uint32_t instance = 0;
        bool named = false;
        bool hasState = false;
        bool afterKeyframe = false;   // the next tick-record sample is absolute (a replay may start at the keyframe)
        net::QuantizedAvatar state;
    };
    struct ObjectMemory {
        std::vector<std::uint8_t> seen;     // the table's bytes at the last capture
        std::vector<std::uint8_t> written;  // what the file holds (empty: none)
        bool inFile = false;
        bool withheld = false;
        bool gated = false;                 // a Video object of a stream not recorded now (recordsObject)
    };
    struct StreamMemory {                   // per recorded stream (packed id)
        bool keyed = false;                 // its fragments are kept: a key frame was, since it became recordable
        bool want = false;                  // ask its publisher for a key frame
        double lastAsk = -1e9;
        double lastSeen = 0;                // the newest fragment's arrival (host clock)
    };
    void openFile(std::uint32_t tick, std::uint64_t unixTime);
    void closeFile();
    void writeKeyframe(std::uint32_t tick, std::span<const RecordedSlot> present, const net::ObjectTable& objects);
    [[nodiscard]] std::vector<std::uint8_t> recordedBytes(net::ObjectKey key, std::span<const std::uint8_t> bytes) const;
    [[nodiscard]] record::Present presentOf(const RecordedSlot& s) const;
    [[nodiscard]] bool recordsObject(net::ObjectKey key) const;
    [[nodiscard]] std::uint32_t msSinceStart(double atSeconds) const;

    sim::EventStream* events_;
    RecordingConfig config_;
    record::RecordingInfo room_;
    std::unique_ptr<sim::RecordingSystem> system_;
    std::unique_ptr<record::RecordingWriter> writer_;
    std::uint64_t published_ = 0;
    sim::RecordingStatus lastStatus_ = sim::RecordingStatus::Off;
    bool needKeyframe_ = false;
    std::uint32_t lastKeyframe_ = 0;
    double startSeconds_ = -1.0;       // the host clock at the file's first tick
    std::uint32_t firstTick_ = 0;
    std::vector<SlotMemory> slots_;
    std::map<net::ObjectKey, ObjectMemory> objects_;
    std::vector<record::VoiceSample> voice_;  // arrived since the last capture
    std::vector<record::VideoSample> video_;  // arrived since the last capture
    std::map<std::uint16_t, StreamMemory> streams_;
    std::vector<net::VideoStreamId> asks_;    // keyframesWanted's answer
    bool cameras_ = false;
    RecorderStats stats_;
};

} // namespace caseroom::session
