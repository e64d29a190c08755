// The server core: hosts many rooms over one Transport. Per room, a fixed
// tick (30 Hz by default): apply queued intents, advance the room, record the
// new states, and build one delta snapshot per client inside its bandwidth
// budget. Rooms are independent (no room reads another): each update runs
// the due ticks in rounds, and in each round the part that grows with
// members x participants (interest and building every member's snapshot)
// runs on a pool of ServerConfig::threads, one job per member, while the
// room logic, the audit trail, the event readers (the database) and the
// transport stay on the host's thread (see update()). server/ wires this to
// ENet and signals.
// The room's rules live in sim (seats, permissions, moderation, interest,
// the voice policy and router); this host decodes, dispatches each message
// to its handler (one per client-to-server message), applies sim's verdict
// and sends the results.
// Thread rule: called from one thread; the pool's workers only ever run
// buildSnapshot(), which reads its room and writes its own Client's
// replicator and outgoing bytes. Time comes in as `now` (seconds).
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <string_view>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/ids.h"
#include "core/log.h"
#include "core/tick.h"
#include "core/worker_pool.h"
#include "net/messages.h"
#include "net/snapshot.h"
#include "net/transport.h"
#include "session/audit_log.h"
#include "session/board_host.h"
#include "session/case_desk.h"
#include "session/panel_host.h"
#include "session/recording_host.h"
#include "session/room_events.h"
#include "session/replay_room.h"
#include "session/round_host.h"
#include "session/video_host.h"
#include "session/content_store.h"
#include "session/deck_upload.h"
#include "session/link_scheduler.h"
#include "session/seat_holds.h"
#include "sim/permissions.h"
#include "sim/room.h"
#include "sim/interest.h"
#include "sim/voice_policy.h"
#include "sim/voice_router.h"

namespace caseroom::session {

struct ServerConfig {
    std::vector<sim::RoomSpec> rooms;        // empty: the built-in room "demo"
    double tickRate = 30.0;
    // Threads that build the members' snapshots each tick, the host's own
    // included (1: no worker threads). caseroom-server --threads, by
    // default the machine's cores.
    unsigned threads = 1;
    net::ReplicationConfig replication;
    double joinTimeout = 10.0;               // connected without joining this long: dropped
    // A participant whose link drops (timed out, or the same invitation
    // proven from elsewhere) keeps their place this long, shown
    // "reconnecting" (session/seat_holds.h); 0: a drop is a leave at once.
    // Authenticated transports only (a hold is taken back by the token's user).
    double seatHoldSeconds = 45.0;
    // A member of a room sends input every client tick; one silent this long
    // has lost its link (long before ENet's own timeout, 5 to 30 s): it is
    // disconnected as timed out, and held as above. 0: only ENet decides.
    // Authenticated transports only, like the hold.
    double silenceSeconds = 4.0;
    std::uint32_t maxMalformed = 64;         // bad messages before a peer is disconnected
    AuditSink* audit = nullptr;              // refused attempts go here (not owned)
    sim::RouterConfig voice;                 // voice forwarding: streams per listener (cap 6), hold, hysteresis, room-wide talkers
    const sim::DeckCatalog* decks = nullptr; // what decks the panels may show (not owned; null: none)
    ContentStore* content = nullptr;         // blobs clients may fetch (not owned); null: every BlobRequest is unavailable
    LinkConfig link;                         // the per-client downlink budget every channel shares (session/link_scheduler.h)
    DeckUploads* uploads = nullptr;          // presenters' deck uploads (not owned; session/deck_upload.h); null: refused StoreFailed
    // Readers of every room's event stream, called each room tick in this
    // order (not owned; session/room_events.h): attendance, the session clock.
    std::vector<RoomEventReader*> readers;
    std::function<std::uint64_t()> unixClock;       // wall-clock seconds for the readers; null: they get 0
    // Whether `room` holds an open session now (SessionExtend is refused
    // NoSession otherwise); must answer from memory. Null: never.
    std::function<bool(std::string_view room)> sessionOpen;
    DeskPort* desk = nullptr;                // the case desk for program credentials ("@code" tokens; session/case_desk.h; not owned); null: none
    // The teaching round (session/round_host.h, board_host.h). `planFor`
    // gives the session plan of the session `room` holds now (nullopt: none,
    // the room has no agenda); the host asks when a room is made and each
    // time it fills from empty, so it may read the records (once per
    // session, never per tick). Null: no plans.
    RoundConfig round;
    BoardConfig board;
    // Recording (session/recording_host.h): how a room's recording file is
    // made (null open: this server does not record) and the policy of rooms
    // whose plan names none. A room's plan (planFor) carries its program's policy.
    RecordingConfig recording;
    std::function<std::optional<sim::SessionPlan>(std::string_view room)> planFor;
    // A moderator removed `who` from `room` (reason given): revoke their
    // invitation for the session (the server's records). Null: the room
    // alone refuses them again for as long as it lives.
    std::function<void(std::string_view room, const RoomActor& who, const std::string& reason)> onRemoved;
    // [replay] Replay rooms (session/replay_room.h, server_host_replay.cpp):
    // room code -> its playback (not owned; outlives the host). Each is a
    // room of its own, built from the recording's room spec (a room of the
    // same code in `rooms` is replaced): viewers join it as usual and see
    // and hear the recorded room; its systems do not run.
    std::map<std::string, ReplayRoom*> replays;
    VideoConfig video;                       // live video forwarding (session/video_host.h)
};

struct ServerCounters {
    std::uint64_t malformed = 0;             // messages dropped as undecodable or out of place
    std::uint64_t peersDropped = 0;          // disconnected for bad input or silence
    std::uint64_t joins = 0, leaves = 0, refusedJoins = 0;
    std::uint64_t seatsHeld = 0, seatsReturned = 0, holdsExpired = 0; // drops held, taken back, run out (seat_holds.h)
    std::uint64_t peersSilent = 0;           // room members disconnected for silence (ServerConfig::silenceSeconds)
    std::uint64_t audited = 0;               // refused attempts (all, even past the audit rate limit)
    std::uint64_t snapshotsSent = 0, snapshotBytes = 0, entityUpdates = 0, deferredUpdates = 0;
    std::uint64_t objectBytes = 0;           // of snapshotBytes: the room objects section (panels, the round's state)
    std::uint64_t voiceIn = 0;               // voice frames accepted from speakers
    std::uint64_t voiceForwarded = 0;        // copies sent to listeners
    std::uint64_t voiceSpoofed = 0;          // frames naming another speaker: dropped, audited, counted as malformed
    std::uint64_t voiceRefused = 0;          // frames from roles that may not speak: dropped, audited
    std::uint64_t voiceMuted = 0;            // frames from participants a moderator muted: dropped
    std::uint64_t voiceBadCodec = 0;         // frames whose Opus framing is malformed or of the wrong length: dropped, counted as malformed
    std::uint64_t voiceLevelClamped = 0;     // frames whose claimed level the server lowered (sim::acceptVoiceLevel)
    std::uint64_t voiceRoomWideCapped = 0;   // frames dropped: more room-wide speakers at once than RouterConfig::maxRoomWideTalkers
    std::uint64_t moderations = 0;           // moderation intents carried out (each audited)
    std::uint64_t panelIntents = 0;          // panel intents carried out
    std::uint64_t panelRefused = 0;          // panel intents refused (answered, audited when not permitted)
    std::uint64_t laserRefused = 0;          // laser inputs dropped (role, bad ray, too far, too many)
    std::uint64_t extendsAsked = 0;          // SessionExtend carried to the readers
    std::uint64_t extendsRefused = 0;        // SessionExtend refused (role, or no open session)
    std::uint64_t roundIntents = 0;          // agenda, floor, board and chat intents carried out
    std::uint64_t roundRefused = 0;          // ... refused (answered; audited when not permitted or not in this phase)
    std::uint64_t textsHeld = 0;             // chat lines, questions, recommendations the PHI screen held
    std::uint64_t recordingIntents = 0;      // recording started, stopped, acknowledged
    std::uint64_t recordingRefused = 0;      // ... refused (answered; audited when not permitted)
    std::uint64_t replayIntents = 0;         // [replay] replay controls carried out
    std::uint64_t replayRefused = 0;         // [replay] ... refused (not a replay room, or not permitted: audited)
    std::uint64_t replayVoice = 0;           // [replay] recorded voice frames sent to viewers (copies)
    std::uint64_t replayVideo = 0;           // [replay] recorded video fragments queued to viewers (copies)
    std::uint64_t replayVideoBad = 0;        // [replay] recorded fragments that did not read as one of a recorded stream
    std::uint64_t videoRefused = 0;          // VideoPublish refused (answered; audited when not permitted)
    std::uint64_t videoDropped = 0;          // fragments dropped: their stream is not published, or a replay room
};

class ServerHost {
public:
    ServerHost(net::Transport& transport, ServerConfig config);
    ~ServerHost();

    // Drains the transport and runs every room's due ticks.
    void update(double now);
    // Tells everyone the server is going away and disconnects them.
    void shutdown();
    // Seconds until the earliest room tick is due.
    [[nodiscard]] double untilNextTick(double now) const;

    // The catalog's offered decks changed (an upload was accepted): every
    // room publishes its deck objects again (unchanged ones cost nothing).
    void republishDecks();
    [[nodiscard]] const ServerCounters& counters() const { return counters_; }
    // A SessionExtend the clinic database refused (session/room_sessions.h,
    // the roster): IntentRefused{ExtendSession, NotPermitted} to `who` if the
    // same client (peer, user, token) is still connected; counted as refused.
    void refuseExtend(const RoomActor& who);
    // Per-client downlink accounting: bytes per class, media deferred, requests.
    [[nodiscard]] const LinkScheduler& links() const { return links_; }
    // Benchmarks: the longest any client's newest view has shown any avatar
    // out of date, in ticks. O(clients * participants): not for the tick.
    [[nodiscard]] std::uint32_t worstStalenessTicks() const;
    [[nodiscard]] const sim::Room* room(const std::string& code) const;
    // The connection of `entity` in room `code` (invalid: none): links() by participant, for tests and benchmarks.
    [[nodiscard]] core::PeerId peerOf(const std::string& code, core::EntityId entity) const;
    // The room's panels (sim/panels.h), or nullptr for an unknown room.
    [[nodiscard]] const sim::PanelSystem* panels(const std::string& code) const;
    // The room's teaching round (agenda, floor, moderation; board and chat), or nullptr.
    [[nodiscard]] const RoundHost* round(const std::string& code) const;
    [[nodiscard]] const BoardHost* board(const std::string& code) const;
    [[nodiscard]] const RecordingHost* recording(const std::string& code) const;
    [[nodiscard]] const VideoHost* video(const std::string& code) const;
    [[nodiscard]] std::size_t roomCount() const { return rooms_.size(); }
    [[nodiscard]] std::size_t clientCount() const { return clients_.size(); }

private:
    struct RoomInstance;
    struct Client {
        core::PeerId peer;
        double connectedAt = 0;
        double lastHeard = 0;               // newest message from it (the silence check)
        RoomInstance* room = nullptr;
        core::EntityId entity;
        std::uint32_t newestInputSeq = 0;   // newest input seq received (expanded)
        bool anyInput = false;
        std::uint32_t reportedInputSeq = 0; // lastInputSeq carried by the previous snapshot
        std::uint32_t malformed = 0;
        core::Role role = core::Role::Observer;   // as invited (token) or, untrusted transports, as claimed
        std::string name;
        std::uint64_t userId = 0;
        AuditLimiter auditLimit{1.0, 10.0};       // refused input floods do not flood the audit log
        std::unique_ptr<net::ClientReplicator> replicator;
        // The tick's snapshot, built on a worker (buildSnapshot) and sent
        // by the host's thread (deliverSnapshot).
        struct Outgoing {
            net::Snapshot snapshot;
            std::vector<std::uint8_t> bytes;   // the encoded message
            net::SnapshotStats stats;
            bool ready = false;
        } out;
        bool desk = false;                        // a program credential: desk messages only, never a room (connectedAt: its last desk message)
        // [replay] A replay viewer's own view of the room: the ghosts and
        // itself, so that no viewer is replicated to another.
        std::unique_ptr<net::EntityHistory> replayView;
    };
    // [replay] What a replay room has mirrored of its playback (server_host_replay.cpp).
    struct ReplayMirror {
        ReplayRoom* playback = nullptr;
        std::uint32_t reserved = 0;                     // slots [0, reserved) are the recording's
        std::map<std::uint16_t, record::Present> announced; // ghost slot -> who, as ParticipantJoined told the viewers
        bool resync = true;                             // mirror every object next tick (a seek, a keyframe)
        bool tableFullLogged = false;
        ReplayInfoObject published;                     // the Replay object as last set
        bool anyPublished = false;
    };
    struct RoomInstance {
        RoomInstance(const sim::RoomSpec& spec, double rate, double now, const sim::RouterConfig& voiceConfig);
        sim::Room room;
        net::EntityHistory history;
        core::FixedTick clock;
        std::uint32_t due = 0;       // ticks due in this update, not yet run
        std::vector<core::PeerId> members;
        // Per tick, packed: where each slot stands and whether it just moved,
        // so the per-client interest loop does not stride over participants;
        // and the interest grid over them, shared by every member's build.
        std::vector<sim::InterestSpot> spots;
        sim::InterestGrid grid;
        net::RoomLayoutMsg layoutMsg;
        // Voice: who hears whom. Forwarding happens per packet on arrival;
        // the tick only refreshes positions and reads the speaking levels.
        sim::VoiceRouter voice;
        std::vector<sim::VoiceLevelGuard> levels; // per slot: how far its claimed level is believed
        std::vector<core::PeerId> peerOfSlot;  // entity slot -> its client, for forwarding
        std::vector<std::uint16_t> listeners;  // route() output scratch, one entry per slot
        // Room systems beyond presence (panels first): their state rides in
        // the snapshots as room objects; their events are drained each tick.
        net::ObjectTable objects;
        std::unique_ptr<PanelHost> panels;
        std::unique_ptr<RoundHost> round;   // agenda, floor, moderation (server_host_round.cpp)
        std::unique_ptr<BoardHost> board;   // recommendations, chat, questions
        std::unique_ptr<RecordingHost> recording; // the recording system and the recorder (server_host_recording.cpp)
        std::unique_ptr<VideoHost> video;   // live video (server_host_video.cpp); null in replay rooms
        VideoHost::Tick videoTick;          // scratch
        std::vector<RecordedSlot> recorded; // scratch: the tick's avatars for the recorder
        core::EntityId floorVoice;          // whose voice the router carries room-wide for the floor
        std::uint64_t planSession = 0;      // the session the round's plan is of (0: none or a test plan)
        // The room's one event stream (sim/events.h): the panels, joins,
        // leaves, refusals and extensions push; tickRoom drains it into
        // `events`, resolves `actors` and hands both to the readers.
        sim::EventStream stream;
        std::vector<std::pair<std::size_t, RoomActor>> pinned; // identity captured at push (stream index, who)
        std::vector<sim::RoomEvent> events;
        std::vector<RoomActor> actors;
        std::unique_ptr<ReplayMirror> replay;   // [replay] set: a replay room (server_host_replay.cpp)
    };

    void onReceive(Client& c, const net::TransportEvent& ev, double now);
    // One handler per client-to-server message (`bytes`: the message as
    // received). onReceive has checked the direction and, for all but
    // JoinRequest, that the client is in a room.
    void handle(Client& c, const net::JoinRequest& req, std::span<const std::uint8_t> bytes, double now);
    void handle(Client& c, const net::ClientInput& in, std::span<const std::uint8_t> bytes, double now);
    void handle(Client& c, const net::SitRequest& req, std::span<const std::uint8_t> bytes, double now);
    void handle(Client& c, const net::StandRequest& req, std::span<const std::uint8_t> bytes, double now);
    void handle(Client& c, const net::VoiceFrame& frame, std::span<const std::uint8_t> bytes, double now);
    void handle(Client& c, const net::ModerateRequest& req, std::span<const std::uint8_t> bytes, double now);
    void handle(Client& c, const net::PanelIntent& m, std::span<const std::uint8_t> bytes, double now);
    void handle(Client& c, const net::LaserInput& m, std::span<const std::uint8_t> bytes, double now);
    void onRoomEvents(RoomInstance& r);
    void handle(Client& c, const net::SessionExtend& m, std::span<const std::uint8_t> bytes, double now);
    // Pushes an event into the room's stream; `who`, when given, is captured
    // now (it may be gone by the tick that hands the event to the readers).
    void pushEvent(RoomInstance& r, const sim::RoomEvent& e, const Client* who);
    void pushEvent(RoomInstance& r, const sim::RoomEvent& e, const RoomActor& who);
    [[nodiscard]] RoomActor actorOf(const Client& c) const;
    void handle(Client& c, const net::BlobRequest& req, std::span<const std::uint8_t> bytes, double now);
    void handle(Client& c, const net::LinkHint& hint, std::span<const std::uint8_t> bytes, double now);
    void handle(Client& c, const net::LinkReport& report, std::span<const std::uint8_t> bytes, double now);
    void handle(Client& c, const net::BlobPut& put, std::span<const std::uint8_t> bytes, double now);
    void handle(Client& c, const net::DeckOffer& offer, std::span<const std::uint8_t> bytes, double now);
    void handle(Client& c, const net::CaseSubmit& m, std::span<const std::uint8_t> bytes, double now);
    void handle(Client& c, const net::CaseQuery& m, std::span<const std::uint8_t> bytes, double now);
    // The teaching round (server_host_round.cpp).
    void handle(Client& c, const net::AgendaIntent& m, std::span<const std::uint8_t> bytes, double now);
    void handle(Client& c, const net::FloorIntent& m, std::span<const std::uint8_t> bytes, double now);
    void handle(Client& c, const net::BoardIntent& m, std::span<const std::uint8_t> bytes, double now);
    void handle(Client& c, const net::ChatIntent& m, std::span<const std::uint8_t> bytes, double now);
    void handle(Client& c, const net::RecordingIntent& m, std::span<const std::uint8_t> bytes, double now);
    // Recording's part of a tick: the avatars and objects as replicated, after the events were drained.
    void captureRecording(RoomInstance& r, double now);
    [[nodiscard]] sim::ClinicActor clinicActor(const Client& c) const;
    // The board's answer to a text intent: TextHeld to the author, a refusal, or done.
    void onText(Client& c, const BoardHost::Outcome& out, net::IntentKind kind, const std::string& what, double now);
    // Answers a teaching-round refusal and audits it when the table said no.
    void refuseRound(Client& c, net::IntentKind kind, net::RefusalReason why, const std::string& what, double now);
    // Carries out what moderation asked of the host (removal, the chair).
    void applyModeration(RoomInstance& r, const Client& actor, const ModerationEffect& effect);
    // Loads the session plan when the room has none or a new session began.
    void refreshPlan(RoomInstance& r);
    // Per tick: the floor holder's voice room-wide, the systems' objects.
    void tickRound(RoomInstance& r);
    // The audit record of one teaching-round event (audited kinds).
    [[nodiscard]] std::string describe(const RoomInstance& r, const sim::RoomEvent& e) const;
    // Live video (server_host_video.cpp).
    void handle(Client& c, const net::VideoFragmentMsg& m, std::span<const std::uint8_t> bytes, double now);
    void handle(Client& c, const net::VideoPublish& m, std::span<const std::uint8_t> bytes, double now);
    void handle(Client& c, const net::VideoShow& m, std::span<const std::uint8_t> bytes, double now);
    void handle(Client& c, const net::KeyframeRequest& m, std::span<const std::uint8_t> bytes, double now);
    void makeVideo(RoomInstance& r);                  // the constructor, per live room
    void tickVideo(RoomInstance& r, double now);      // tickRoom: tiers, key frames, the Video objects
    void serveVideo(core::PeerId to, double now);     // the client's paced video, while its budget lasts
    // [replay] Replay rooms (server_host_replay.cpp).
    void handle(Client& c, const net::ReplayIntent& m, std::span<const std::uint8_t> bytes, double now);
    void addReplayRooms();                                  // the constructor: one room per ServerConfig::replays
    void tickReplay(RoomInstance& r, double now);           // tickRoom of a replay room
    void joinReplay(Client& c, RoomInstance& r);            // onJoin: the viewer's own view, the ghosts announced to it
    template <typename T> void handle(Client& c, const T&, std::span<const std::uint8_t>, double now);  // server-to-client: bad input
    void onJoin(Client& c, const net::JoinRequest& req, double now);
    void removeClient(core::PeerId peer, net::LeaveReason reason, double now);
    // The client's link leaves the room: no more forwarding to it, no more snapshots.
    void unlinkPeer(RoomInstance& r, const Client& c);
    // The room's side of a leave: every system lets go of `entity`, the room
    // hears of it, the audit trail records it (`audit`: who, already filled).
    void vacate(RoomInstance& r, core::EntityId entity, net::LeaveReason reason, const RoomActor& who, AuditRecord audit, bool dropped);
    // Reconnect (server_host_reconnect.cpp, session/seat_holds.h): a drop
    // held instead of a leave (false: not holdable, leave as usual); the
    // same user's join taking it back (false: no hold, join afresh); holds
    // run out, once per update.
    bool holdSeat(Client& c, net::LeaveReason reason, double now);
    bool returnToSeat(Client& c, RoomInstance& r, double now);
    void expireHolds(double now);
    // What a client is sent when it enters a room (new or back): accepted,
    // the layout, everyone present; then the room hears of it.
    void welcome(Client& c, RoomInstance& r, bool returning);
    // The room's tick on the host's thread: systems, events, readers,
    // recording; then each member with an avatar is queued in jobs_ for
    // buildSnapshot. Replay rooms build and send their own (serially).
    void tickRoom(RoomInstance& r, double now);
    // Per-thread scratch of the snapshot builds.
    struct BuildScratch {
        std::vector<float> priority;
        std::vector<std::uint16_t> consider;
        net::WriteStream writer{net::kMaxMessageBytes + 64};
    };
    struct BuildJob {
        RoomInstance* room = nullptr;
        Client* client = nullptr;
        const sim::Participant* me = nullptr;
        std::uint32_t tick = 0;
        net::ReplicationConfig replication;   // the server's, with this link's state budget
    };
    // A worker's job: the member's interest from the room's grid, then its snapshot.
    void buildSnapshot(const BuildJob& job, BuildScratch& scratch);
    // One member's snapshot of `view` (the room's history, or a replay
    // viewer's own), encoded into c.out; reads only the room and c.
    void buildFor(RoomInstance& r, Client& c, const sim::Participant& me, const net::EntityHistory& view, std::span<const float> priority,
                  std::span<const std::uint16_t> consider, std::uint32_t tick, const net::ReplicationConfig& replication,
                  net::WriteStream& writer);
    // The host's thread: c.out sent, then the client's paced video and media; counted.
    void deliverSnapshot(Client& c);
    void badInput(Client& c, const char* what, double now);
    // Records a refused attempt; false when the per-client audit rate is spent.
    void audit(Client& c, double now, std::string what, std::string outcome, const std::string& room = {});
    // Who a client is, for an audit record; and its held-back count, written when it goes.
    AuditRecord auditAbout(const Client& c, const std::string& room = {}) const;
    void flushAudit(Client& c);
    bool allowed(Client& c, sim::Action action, double now);
    // Records an intent carried out (moderation), not rate-limited.
    void auditDone(Client& c, AuditKind kind, std::string what);
    template <typename T> void send(core::PeerId peer, const T& msg);
    template <typename T> void broadcast(RoomInstance& r, const T& msg, core::PeerId except = core::PeerId::invalid());

    net::Transport& transport_;
    ServerConfig config_;
    std::vector<std::unique_ptr<RoomInstance>> rooms_;
    std::unordered_map<std::uint32_t, Client> clients_;
    ServerCounters counters_;
    LinkScheduler links_;
    SeatHolds holds_;
    std::vector<core::PeerId> silent_;     // scratch: members gone quiet this update
    double nextSilenceCheck_ = 0;
    net::WriteStream writer_{net::kMaxMessageBytes + 64};
    core::WorkerPool pool_;
    std::vector<BuildScratch> scratch_;    // one per pool thread
    std::vector<BuildJob> jobs_;           // the round's snapshot builds
    std::vector<std::uint16_t> videoTo_;   // scratch: a fragment's receivers
    double tickNow_ = 0;                   // `now` of the tick being run (sendSnapshot's video pacing)
    core::LogLimiter badLog_{1.0, 5.0};
};

// The message templates every server_host*.cpp uses, here so that each
// file instantiates what it sends (an optimised build inlines them away
// from the file that defines them, and explicit lists go stale).
template <typename T>
void ServerHost::send(core::PeerId peer, const T& msg) {
    if (!net::encodeMessage(msg, writer_)) {
        CR_LOG_ERROR("server: cannot encode %s", net::toString(T::kType));
        return;
    }
    const net::MessageInfo& info = net::messageInfo(T::kType);
    const auto bytes = writer_.finish();
    if (transport_.send(peer, info.channel, bytes, info.reliable)) links_.charge(peer, info.channel, bytes.size());
}

template <typename T>
void ServerHost::broadcast(RoomInstance& r, const T& msg, core::PeerId except) {
    if (!net::encodeMessage(msg, writer_)) return;
    const net::MessageInfo& info = net::messageInfo(T::kType);
    const auto bytes = writer_.finish();
    for (core::PeerId p : r.members)
        if (p != except && transport_.send(p, info.channel, bytes, info.reliable)) links_.charge(p, info.channel, bytes.size());
}

} // namespace caseroom::session
