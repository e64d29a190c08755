// The headless client core: connects, joins a room, keeps the room state,
// interpolates other avatars through a short buffer, predicts its own avatar
// and reconciles with the server. No SDL, no Vulkan: the desktop client, the
// bots and the tests are all views over this class.
// Thread rule: one thread calls everything; time comes in as `now` (seconds).
#pragma once
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "audio/voice_packet.h"
#include "audio/voice_rate.h"
#include "core/ids.h"
#include "core/rng.h"
#include "core/role.h"
#include "net/messages.h"
#include "net/snapshot.h"
#include "net/transport.h"
#include "session/case_desk_wire.h"
#include "session/content_fetch.h"
#include "session/interpolation.h"
#include "session/clinic_view.h"
#include "session/panel_view.h"
#include "session/replay_view.h"
#include "session/video_host.h"
#include "sim/panels.h"
#include "sim/avatar.h"
#include "sim/layout.h"
#include "sim/movement.h"

namespace caseroom::audio { class VoiceClient; }
namespace caseroom::session { class VideoClient; }

namespace caseroom::session {

// AtDesk: connected with a program credential (room "@" + program code): the
// case desk, no room (session/case_desk.h).
// Reconnecting: the link to the room was lost and the session is between
// attempts to get back (ReconnectPolicy); an attempt runs as Connecting,
// Joining, and reconnecting() stays true until the room takes us back.
enum class ClientState : std::uint8_t { Idle, Connecting, Joining, InRoom, Refused, Disconnected, AtDesk, Reconnecting, Count };
const char* toString(ClientState s);

// Every client-side timeout, in one place: seconds from connect(). They nest,
// innermost first, so that each failure shows its own message:
//  - kHandshake: the secure transport gives up on the join handshake
//    ("no answer from the server to the join handshake"); it is the
//    handshake's own net::secure::ClientHandshakeConfig::timeoutSeconds,
//    mirrored here because session does not include net/secure (a client test
//    pins the two together);
//  - kJoin: connected (or still handshaking) but no JoinAccepted: the session
//    gives up ("no answer from the server ...");
//  - kHeadlessWait: `caseroom --headless --connect` stops waiting for the room.
// The server's own timeouts (ServerConfig::joinTimeout, the handshake's
// connectTimeoutSeconds) are the server's and live with it.
struct ClientTimeouts {
    static constexpr double kHandshake = 10.0;
    static constexpr double kJoin = 15.0;
    static constexpr double kHeadlessWait = 20.0;
};
static_assert(ClientTimeouts::kHandshake < ClientTimeouts::kJoin && ClientTimeouts::kJoin < ClientTimeouts::kHeadlessWait);

// Getting back into the room by itself when the link drops (Wi-Fi, a
// changed address), with the same invitation: the server holds our place
// (ServerConfig::seatHoldSeconds) and gives it back. A link counts as lost
// when the transport says so or when nothing came from the server for
// silenceSeconds while in the room. Attempts follow at once, then after
// 0.5, 1, 2, 4 s and every 5 s (each +-25 % at random, so a clinic behind
// one NAT does not come back in lockstep), until giveUpSeconds.
// A refusal (removed, invitation withdrawn or expired) ends it.
struct ReconnectPolicy {
    bool enabled = false;
    double silenceSeconds = 3.0;
    double giveUpSeconds = 120.0;
};

struct ClientDesc {
    std::string roomCode = "demo";
    std::string displayName = "Guest";
    core::Role role = core::Role::Spoke;
    double interpolationDelay = 0.1;                 // seconds behind the newest server state
    double joinTimeout = ClientTimeouts::kJoin;      // seconds from connect to JoinAccepted
    std::filesystem::path blobCacheDir{};            // fetched blobs (session/content_fetch.h); empty: defaultBlobCacheDir()
    std::uint32_t downlinkKbps = 0;                  // sent as LinkHint on join: the server budgets our link below this; 0: none
    std::uint32_t uplinkKbps = 0;                    // what we may send (voice adapts to it, audio/voice_rate.h); 0: unknown
    // The user's "my connection is slow": voice at 16 kbit/s or less, and
    // (without a downlinkKbps) a LinkHint of kSlowDownlinkKbps, so the
    // server sends state and video within a rural link's budget.
    bool slowConnection = false;
    static constexpr std::uint32_t kSlowDownlinkKbps = 128;
    ReconnectPolicy reconnect{};                     // off: a lost link ends the session (Disconnected)
};

// One participant as a viewer should show it now.
struct RemoteAvatar {
    std::uint16_t slot = 0;
    std::string name;
    core::Role role = core::Role::Spoke;
    std::uint64_t userId = 0; // verified by the server from the token (0: unauthenticated transport)
    bool muted = false;       // muted by a moderator: the server forwards none of their voice
    bool away = false;        // their link dropped; the server holds their place (ParticipantAway)
    sim::AvatarPose pose;     // interpolated (others) or predicted (self)
    bool self = false;
    bool hasPose = false;     // false until the first state arrives
};

struct ClientStats {
    double rttMs = 0;
    double loss = 0;
    std::uint64_t bytesIn = 0, bytesOut = 0;
    std::uint64_t snapshotsApplied = 0;
    std::uint64_t snapshotsRejected = 0;   // duplicate, old or missing baseline
    std::uint64_t malformed = 0;           // dropped and counted
    std::uint64_t corrections = 0;         // reconciliations that moved the prediction
    std::uint64_t refusals = 0;            // intents the server refused
    float lastCorrection = 0;              // metres
    std::uint64_t inputsSent = 0;          // ClientInput packets handed to the transport (one per client tick)
    std::uint64_t voiceSent = 0;           // voice frames sent to the server
    std::uint64_t voiceReceived = 0;       // voice frames handed to the attached VoiceClient
    std::uint64_t voiceUnsent = 0;         // captured frames not sent (role may not speak, or too large for the wire)
    std::uint64_t panelIntentsSent = 0;    // PanelIntent messages sent
    std::uint64_t lasersSent = 0;          // LaserInput messages sent
    std::uint64_t objectUpdates = 0;       // room-object updates applied to the view models
    std::uint64_t videoFragmentsIn = 0;    // video fragments received (whether or not a VideoClient is attached)
    std::uint64_t videoBytesIn = 0;        // ... their payload bytes
};

// The case desk as the client sees it (one view model, read by the case
// form window and the headless --submit-case): what the server last said.
struct DeskCase {
    net::CaseSummary header;
    bool attested = false;
    std::vector<DeskField> fields;
    std::vector<net::WireFinding> findings;   // the presenter's own case only
};
struct DeskForm {
    std::string program;        // the program's name
    std::string templateText;   // clinic/case_form.h template text
    std::string attestation;    // what the presenter attests
};
struct CaseDeskView {
    std::vector<net::CaseSummary> mine, vetted;
    bool mineLoaded = false, vettedLoaded = false;
    std::optional<DeskCase> openCase;            // the last case asked for
    std::optional<DeskForm> form;
    std::vector<net::CaseReceipt> receipts;      // oldest first, the last kMaxReceipts
    std::uint64_t changes = 0;                   // bumped by every answer applied
    static constexpr std::size_t kMaxReceipts = 32;
};

class ClientSession {
public:
    ClientSession(net::Transport& transport, ClientDesc desc);

    void connect(const net::Address& server, double now);
    // Drains the transport, runs due client ticks (sending input), and
    // refreshes avatars() for `now`.
    void update(double now);
    // The participant's current intent, applied at every client tick.
    void setIntent(const sim::MoveInput& intent) { intent_ = intent; }
    void requestSit(std::uint16_t seat);
    void requestStand();
    // Moderation of one participant (mute, unmute; remove with `reason`,
    // which the server requires): the server decides and answers with
    // ParticipantMuted / ParticipantLeft{Removed} or a refusal notice. Every
    // other moderation: sendClinic(net::ModerateRequest).
    void requestModerate(std::uint16_t target, net::ModerateAction action, std::string reason = {});
    // The facilitator moves the live session's end `minutes` later (1..240);
    // a refusal comes back as IntentRefused{ExtendSession, reason}.
    void requestExtendSession(std::uint16_t minutes);
    // Panels: one intent (show a deck, step a slide, zoom, window, ask for or
    // hand over control); the server decides (sim/panels.h) and the result
    // arrives in panels() with the next snapshots, or a refusal notice.
    // SetView and SetWindow come from drags at mouse rate: they are coalesced
    // per panel and sent at most every kContinuousIntentTicks client ticks
    // (the newest value wins; the control channel allows 20 messages/s); any
    // other intent first sends what is pending, so the order is kept.
    static constexpr std::uint32_t kContinuousIntentTicks = 3;
    void sendPanelIntent(const sim::PanelCommand& cmd);
    // The laser: while `cmd.on`, it is sent every client tick (unreliable);
    // switching it off sends "off" for a few ticks. sendLaser sends once.
    void setLaser(const sim::LaserCommand& cmd);
    void sendLaser(const sim::LaserCommand& cmd);
    void leave();
    // Closes the link without a goodbye: the server sees a lost connection
    // (LeaveReason::TimedOut), not a deliberate leave, as when Wi-Fi drops.
    // For tests and link emulation; a person leaves with leave().
    void dropLink();
    // Optional voice. `voice` (not owned; nullptr detaches) must outlive the
    // session or be detached first; its device callback runs elsewhere. While
    // attached, update() pumps it: captured frames go to the server as
    // VoiceFrames stamped with our entity slot (only for roles that may
    // speak; others drain and drop them), received VoiceFrames go to
    // onPacket(), the listener follows the predicted own head, and each
    // speaker sits at its interpolated avatar's head.
    void attachVoice(audio::VoiceClient* voice) { voice_ = voice; }
    // Sends one encoded frame as ours (stamped with our entity slot), for
    // tools that produce frames themselves. The server, not this call,
    // decides who may speak. False when not in a room or the frame has no
    // wire form (codec bytes over net::kMaxVoiceBytes).
    bool sendVoice(const audio::VoicePacket& packet);
    // Alternative to a VoiceClient for tools and tests: every VoiceFrame
    // received is handed to `sink` as it arrives (no decoding). Empty: none.
    void setVoiceSink(std::function<void(const net::VoiceFrame&, double now)> sink) { voiceSink_ = std::move(sink); }
    // Optional live video (session/video_client.h; not owned; nullptr
    // detaches; must outlive the session or be detached first). While
    // attached, update() pumps it: what it publishes and shows goes to the
    // server, fragments, key frame requests and tiers come to it, and the
    // room's Video objects become its streams.
    void attachVideo(VideoClient* video);
    // The room's published video streams (the Video objects), by stream.
    [[nodiscard]] std::vector<VideoStreamInfo> videoStreams() const;

    [[nodiscard]] ClientState state() const { return state_; }
    // Since the link was lost until the room took us back (or gave up).
    [[nodiscard]] bool reconnecting() const { return reconnectStarted_ >= 0; }
    // Attempts in this reconnect, and seconds since the link was lost (0 when not reconnecting).
    [[nodiscard]] std::uint32_t reconnectAttempts() const { return reconnectAttempts_; }
    [[nodiscard]] double reconnectingFor(double now) const { return reconnecting() ? now - reconnectStarted_ : 0.0; }
    // Completed reconnects, and the last one's time from the lost link to back in the room.
    [[nodiscard]] std::uint32_t reconnects() const { return reconnects_; }
    [[nodiscard]] double lastReconnectSeconds() const { return lastReconnectSeconds_; }
    // Plain-words reason for Refused / Disconnected.
    [[nodiscard]] const std::string& statusText() const { return status_; }
    [[nodiscard]] const sim::RoomLayout* layout() const { return layout_ ? &*layout_ : nullptr; }
    [[nodiscard]] std::span<const RemoteAvatar> avatars() const { return avatars_; }
    [[nodiscard]] core::EntityId self() const { return self_; }
    [[nodiscard]] const sim::AvatarPose* selfPose() const { return predictedValid_ ? &predicted_ : nullptr; }
    [[nodiscard]] ClientStats stats() const;
    [[nodiscard]] std::uint32_t serverTick() const { return latestServerTick_; }
    [[nodiscard]] double tickRate() const { return tickRate_; }  // the room's, from JoinAccepted
    // The panels view model: every panel by index (holder and pending
    // requests included) and the lasers that are on.
    [[nodiscard]] std::span<const sim::PanelState> panels() const { return panelView_.panels(); }
    [[nodiscard]] std::span<const sim::LaserState> lasers() const { return panelView_.lasers(); }
    [[nodiscard]] std::span<const sim::OfferedDeck> decks() const { return panelView_.decks(); }
    [[nodiscard]] std::uint64_t panelChanges() const { return panelView_.changes(); }
    // serverTick of the newest snapshot that changed the panels view (0: none).
    [[nodiscard]] std::uint32_t panelsTick() const { return panelsTick_; }
    // The teaching round (session/clinic_view.h): intents go as they are
    // (reliable, on the control channel); the server decides and the result
    // arrives in clinic() with the next snapshots, or a refusal notice. A text
    // the PHI screen held comes back in heldTexts() (and a notice).
    void sendClinic(const net::AgendaIntent& m);
    void sendClinic(const net::FloorIntent& m);
    void sendClinic(const net::BoardIntent& m);
    void sendClinic(const net::ChatIntent& m);
    void sendClinic(const net::ModerateRequest& m);
    void sendClinic(const net::RecordingIntent& m);
    // Recording (clinic().recording()): entering a recorded room, or a
    // recording starting, asks this person to acknowledge it (audited by the
    // server; until then their voice is not recorded). Sends the
    // acknowledgement of the current epoch; recordingAcknowledged() is true
    // while the room records and this client acknowledged that recording.
    void acknowledgeRecording();
    // The newest authoritative state received for another participant's
    // slot: its server tick and the pose (exactly as the snapshot said, before
    // interpolation). For tests and tools that compare what a client was sent.
    [[nodiscard]] std::optional<std::pair<std::uint32_t, sim::AvatarPose>> newestReceived(std::uint16_t slot) const;
    [[nodiscard]] bool recordingAcknowledged() const;
    [[nodiscard]] const ClinicViewModel& clinic() const { return clinicView_; }
    // [replay] A replay room's playback (session/replay_view.h); replay().isReplay() tells the room is one.
    [[nodiscard]] const ReplayViewModel& replay() const { return replayView_; }
    // [replay] Play, pause, seek, speed: refused NotReplay in a live room, NotPermitted without Action::ControlReplay.
    void sendReplay(const net::ReplayIntent& m);
    [[nodiscard]] const std::vector<net::TextHeld>& heldTexts() const { return heldTexts_; }
    // The newest IntentRefused received (for UIs and bots that need the
    // reason; how many: stats().refusals).
    [[nodiscard]] const net::IntentRefused& lastRefusal() const { return lastRefusal_; }
    // Human-readable notices (joined, left, refusals) since the last call.
    std::vector<std::string> takeNotices();
    [[nodiscard]] const ClientDesc& desc() const { return desc_; }
    // Blobs by hash over the media channel into the local cache: want(),
    // progress per blob. Requests flow while in a room.
    [[nodiscard]] BlobFetcher& fetcher() { return fetcher_; }
    [[nodiscard]] const BlobFetcher& fetcher() const { return fetcher_; }
    // Deck uploads (session/deck_uploader.h): sends one BlobPut or DeckOffer
    // (false when not in a room or the transport refused it); every
    // UploadStatus received goes to `sink` (empty: dropped).
    bool sendUpload(const net::BlobPut& put);
    bool sendUpload(const net::DeckOffer& offer);
    void setUploadSink(std::function<void(const net::UploadStatus&)> sink) { uploadSink_ = std::move(sink); }

    // The case desk (state AtDesk only; desc.roomCode "@" + program code).
    // submitCase sends a new case (caseId 0) or a fixed one of mine in parts,
    // paced under the control channel's limit; the answer is a CaseReceipt
    // in desk().receipts with the returned request id. 0: not at the desk, or
    // the form is over the wire's bounds (`why` says which).
    std::uint32_t submitCase(std::uint64_t caseId, const std::vector<DeskField>& fields, bool attested,
                             const std::vector<core::ContentHash>& decks = {}, std::string* why = nullptr);
    // Mine, Vetted, Form, or Case (caseId): the answer lands in desk() (or,
    // refused, as a receipt). 0: not at the desk.
    std::uint32_t queryCases(net::CaseQueryKind what, std::uint64_t caseId = 0);
    [[nodiscard]] const CaseDeskView& desk() const { return desk_; }
    // Desk messages queued but not yet sent (pacing).
    [[nodiscard]] std::size_t deskBacklog() const { return deskOut_.size(); }

private:
    void handle(const net::TransportEvent& ev, double now);
    void handleMessage(net::Message& m, double now);
    void onSnapshot(const net::Snapshot& snap, double now);
    void clientTick();
    void reconcile(const sim::AvatarPose& authority, const net::Snapshot& snap);
    void refreshAvatars(double now);
    void pumpVoice(double now);
    // Once a second in a room: a LinkReport of what the downlink delivered
    // (the server's budget for us follows it, session/link_scheduler.h).
    void reportLink(double now);
    bool sendMessage(const net::Message& m);
    void fail(ClientState s, std::string why);
    // Reconnect (ReconnectPolicy): the link is lost; the next attempt; an
    // attempt that failed; the room's view reset for the new connection.
    void linkLost(double now, const std::string& why);
    void attemptReconnect(double now);
    void attemptFailed(double now, const std::string& why);
    void resetRoomView();
    // What any end of a connection lets go of: the fetcher's requests in flight, the video pipelines.
    void linkGone();

    struct Known {
        bool present = false;   // in the room (from snapshots)
        bool named = false;     // ParticipantJoined seen
        std::string name;
        core::Role role = core::Role::Spoke;
        std::uint64_t userId = 0;
        bool muted = false;
        bool away = false;
        InterpolationBuffer buffer;
    };

    Known& known(std::uint16_t slot);

    net::Transport& transport_;
    ClientDesc desc_;
    ClientState state_ = ClientState::Idle;
    std::string status_;
    core::PeerId server_;
    net::Address serverAddress_;
    double connectStarted_ = 0;
    double lastHeard_ = 0;            // newest packet from the server
    double reconnectStarted_ = -1;    // < 0: not reconnecting
    double nextAttempt_ = 0;
    std::uint32_t reconnectAttempts_ = 0, reconnects_ = 0;
    double lastReconnectSeconds_ = 0;
    core::Rng jitter_;                // the backoff's spread: seeded per client, so clients behind one NAT differ
    std::optional<sim::RoomLayout> layout_;
    core::EntityId self_;
    double tickRate_ = 30.0;
    double tickStart_ = 0;      // local time of client tick 0
    std::uint32_t nextTick_ = 0;
    std::uint32_t latestServerTick_ = 0;
    ServerClock clock_;
    net::SnapshotReceiver receiver_;
    std::vector<net::EntityUpdate> updates_;
    std::vector<net::ObjectUpdate> objectUpdates_;
    PanelViewModel panelView_;
    ClinicViewModel clinicView_;
    ReplayViewModel replayView_;   // [replay]
    std::vector<net::TextHeld> heldTexts_;   // newest last, at most 16 kept
    std::uint16_t ackedEpoch_ = 0;           // the recording epoch this client acknowledged (0: none)
    net::IntentRefused lastRefusal_;
    std::uint32_t panelsTick_ = 0;
    struct PendingPanel { bool view = false, window = false; sim::PanelCommand viewCmd, windowCmd; };
    std::vector<PendingPanel> pendingPanels_;   // coalesced SetView / SetWindow, by panel
    std::uint32_t lastContinuousTick_ = 0;      // client tick of the last flush
    bool anyPendingPanel_ = false;
    void flushPanelIntents();
    sim::LaserCommand laser_;
    std::uint32_t laserOffTicks_ = 0;   // "off" repeats still to send
    std::function<void(const net::UploadStatus&)> uploadSink_;
    std::vector<Known> known_;
    std::vector<std::pair<std::uint16_t, std::uint64_t>> knownBefore_;   // (slot, user) known before a return
    std::vector<RemoteAvatar> avatars_;   // rebuilt only when membership changes
    bool avatarsDirty_ = true;
    double lastRefresh_ = 0;
    std::vector<std::string> notices_;

    // Prediction: unacknowledged inputs replayed on every authoritative state.
    sim::MoveInput intent_;
    sim::AvatarPose predicted_;
    bool predictedValid_ = false;
    std::uint32_t nextInputSeq_ = 1;
    struct SentInput { std::uint32_t seq; net::InputFrame frame; };
    std::deque<SentInput> pendingInputs_;
    std::uint32_t lastAuthorityTick_ = 0;
    net::ClientInput inputMsg_;
    glm::vec3 correction_{0.0f};   // visual smoothing of reconciliation jumps
    ClientStats counters_;
    net::WriteStream writer_{net::kMaxMessageBytes};

    // Voice (optional): frames are converted in place, no allocation per frame.
    audio::VoiceClient* voice_ = nullptr;
    std::function<void(const net::VoiceFrame&, double)> voiceSink_;
    core::Role role_ = core::Role::Observer;   // as the server accepted us
    net::VoiceFrame voiceOut_;
    audio::VoicePacket voiceIn_;
    audio::VoiceRateControl voiceRate_;   // the encoder follows the link (pumpVoice)
    double nextRateCheck_ = 0;
    double linkReportAt_ = -1;             // the previous report (-1: none since the join)
    std::uint64_t linkReportBytes_ = 0;    // bytes received at it

    BlobFetcher fetcher_;

    // Live video (optional).
    VideoClient* video_ = nullptr;
    std::map<std::uint16_t, VideoStreamInfo> videoStreams_;   // by packed stream id
    bool videoStreamsDirty_ = false;
    void applyVideoObject(const net::ObjectUpdate& u);

    // The case desk: outgoing parts paced by a token bucket (messages and
    // bytes) under the server's control-channel limit; answers assembled per request.
    void pumpDesk(double now);
    void onDesk(const net::CaseListing& l);
    void onDesk(const net::CaseReceipt& r);
    CaseDeskView desk_;
    std::uint32_t nextDeskRequest_ = 1;
    std::deque<std::vector<std::uint8_t>> deskOut_;
    double deskTokens_ = 0, deskByteTokens_ = 0, deskLast_ = -1;
    struct Incoming {
        PieceAssembler pieces{2 * net::kMaxCaseFields, 256u << 10};
        std::vector<net::CaseSummary> cases;
        std::vector<net::WireFinding> findings;
        std::uint32_t nextPart = 0;
        bool broken = false;
    };
    std::unordered_map<std::uint32_t, Incoming> incoming_;
};

} // namespace caseroom::session
