// The message catalog: every message CaseRoom sends, one small struct each
// with ONE serialize() used to read, write and measure, and one table saying
// which channel and reliability each travels on. The wire layout is written
// down in PROTOCOL.md; bump kProtocolVersion on any incompatible change.
#pragma once
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <variant>
#include <vector>

#include "core/content_hash.h"
#include "core/role.h"
#include "core/voice_frame.h"
#include "net/avatar_codec.h"
#include "net/stream.h"
#include "net/video_wire.h"

namespace caseroom::net {

constexpr std::uint32_t kProtocolVersion = 10;
constexpr std::uint32_t kMaxRoomCode = 32;
constexpr std::uint32_t kMaxDisplayName = 48;
constexpr std::uint32_t kMaxReasonText = 160;
constexpr std::uint32_t kMaxEntities = 1024;      // entity slots per room (10 bits)
constexpr std::uint32_t kMaxInputsPerPacket = 4;  // redundancy for lost input packets
constexpr std::uint32_t kMaxPanels = 16;
constexpr std::size_t kMaxMessageBytes = 16 * 1024;
constexpr std::uint32_t kMaxVoiceBytes = 400;     // codec bytes per voice frame (20 ms at 160 kbit/s; Opus voice uses ~60)
// Blobs on the media channel (content fetch): a chunk carries at most this
// many bytes, so that one BlobChunk (~1070 bytes encoded) plus ENet's
// reliable-send header fits one sealed datagram (ENet MTU 1375 after the 25
// bytes of sealing; PROTOCOL.md "Content"): no chunk is ever fragmented.
constexpr std::uint32_t kBlobChunkBytes = 1024;
constexpr std::uint32_t kMaxBlobBytes = 64u << 20;       // largest blob served or fetched (a 16-bit 4096x4096 PNG is ~32 MiB)
constexpr std::uint32_t kMaxBlobRequestBytes = 64u << 10; // bytes one BlobRequest may ask for

// ENet channels. The order is the channel id on the wire.
enum class Channel : std::uint8_t { Control, State, Voice, Media, Video, Count };
const char* toString(Channel c);

using core::Role;

// Why a join was refused. Codes are stable: clients print them in words.
enum class JoinRefusal : std::uint8_t {
    VersionMismatch, UnknownRoom, RoomFull, BadName, BadRole, ServerShuttingDown, NotInvited, Removed, RoomLocked, Count
};
const char* toString(JoinRefusal r);

// Why an intent was refused.
enum class RefusalReason : std::uint8_t {
    NotJoined, SeatInvalid, SeatTaken, SeatTooFar, AlreadySeated, NotSeated, NotPermitted, RateLimited,
    NoSuchParticipant, NotOnSelf, TargetModerates,
    // Panels (IntentKind::Panel):
    NoSuchPanel, UnknownDeck, NoDeck, SlideOutOfRange, FrameOutOfRange, BadValue, RequestsFull, NoSuchRequest,
    TargetMayNotHold,
    // Sessions (IntentKind::ExtendSession):
    NoSession,
    // The teaching round (IntentKind::Agenda, Floor, Board, Chat; Moderate):
    WrongPhase,       // allowed in another phase of the agenda (sim::Denial::WrongPhase)
    AtStart, AtEnd,   // no previous / next phase
    NoAgenda,         // the room has no session plan
    QueueFull,        // the hand-raise or question queue is full
    NotInQueue,       // no such raised hand or queued question
    NoFloor,          // nobody (or not that person) holds the floor
    SelfUnmuteOff,    // muted by the facilitator without self-unmute
    NoSuchEntry,      // no such recommendation
    NotAuthor,        // only its author edits or withdraws a recommendation
    BoardFull,        // the case's board holds its maximum of entries
    BadText,          // empty, too long, or not valid UTF-8
    PhiHeld,          // the PHI screen held the text (TextHeld says where)
    NotHub,           // facilitation goes to hub members only (facilitator, specialist)
    // Recording and replay (IntentKind::Record, Replay):
    PolicyForbids,    // the program's recording policy is "never"
    AlreadyRecording, // Start while recording
    NotRecording,     // Stop, or an acknowledgement, while nothing is recorded (or of another recording)
    NotReplay,        // a replay control in a live room
    NoRecorder,       // this server records nothing (no recordings folder, or the file could not be made)
    // Video (IntentKind::Video):
    StreamsFull,      // the room carries its maximum of video streams (net::kMaxVideoStreams)
    Count
};
const char* toString(RefusalReason r);

enum class IntentKind : std::uint8_t { Move, Look, Sit, Stand, Moderate, Panel, ExtendSession, Agenda, Floor, Board, Chat, Record, Replay, Video, Count };
const char* toString(IntentKind k);

// Why a participant left.
// Kicked: dropped by the server for bad input; Removed: by a moderator;
// Replaced: the same invitation joined from elsewhere; Expired / Revoked: the
// invitation ended or was withdrawn (the transport closes those).
enum class LeaveReason : std::uint8_t { Left, TimedOut, Kicked, ServerShutdown, Removed, Replaced, Expired, Revoked, Count };
const char* toString(LeaveReason r);

enum class MessageType : std::uint8_t {
    JoinRequest, JoinAccepted, JoinRefused, RoomLayout, ParticipantJoined, ParticipantLeft,
    SitRequest, StandRequest, IntentRefused, ClientInput, Snapshot, VoiceFrame, ModerateRequest, ParticipantMuted,
    PanelIntent, LaserInput, BlobRequest, BlobChunk, BlobUnavailable, LinkHint,
    BlobPut, DeckOffer, UploadStatus, SessionExtend,
    CaseSubmit, CaseQuery, CaseListing, CaseReceipt,
    AgendaIntent, FloorIntent, BoardIntent, ChatIntent, TextHeld, RecordingIntent, ReplayIntent,
    VideoFragment, VideoPublish, VideoShow, KeyframeRequest, VideoTier, ParticipantAway, LinkReport, Count
};
const char* toString(MessageType t);

// Who sends a message: the server refuses ToClient messages from clients.
enum class Direction : std::uint8_t { ToServer, ToClient };

struct MessageInfo {
    MessageType type;
    Channel channel;
    bool reliable;
    std::uint32_t maxBytes; // larger encodings are refused on both ends
    Direction direction;
};
const MessageInfo& messageInfo(MessageType t);

// ---- Messages ---------------------------------------------------------------

struct JoinRequest {
    static constexpr MessageType kType = MessageType::JoinRequest;
    friend bool operator==(const JoinRequest&, const JoinRequest&) = default;
    std::uint32_t protocolVersion = kProtocolVersion;
    std::string roomCode;
    std::string displayName;
    Role role = Role::Spoke;
    template <typename S> bool serialize(S& s) {
        return serializeU32(s, protocolVersion) && serializeString(s, roomCode, kMaxRoomCode) &&
               serializeString(s, displayName, kMaxDisplayName) && serializeEnum(s, role);
    }
};

struct JoinAccepted {
    static constexpr MessageType kType = MessageType::JoinAccepted;
    friend bool operator==(const JoinAccepted&, const JoinAccepted&) = default;
    std::uint16_t entity = 0;       // your avatar's slot
    std::uint32_t tickRateHz = 30;
    std::uint32_t serverTick = 0;   // tick at which the join was accepted
    Role role = Role::Spoke;
    template <typename S> bool serialize(S& s) {
        return serializeInt(s, entity, 0, kMaxEntities - 1) && serializeUInt(s, tickRateHz, 1, 240) &&
               serializeU32(s, serverTick) && serializeEnum(s, role);
    }
};

struct JoinRefused {
    static constexpr MessageType kType = MessageType::JoinRefused;
    friend bool operator==(const JoinRefused&, const JoinRefused&) = default;
    JoinRefusal reason = JoinRefusal::UnknownRoom;
    std::string detail;
    template <typename S> bool serialize(S& s) { return serializeEnum(s, reason) && serializeString(s, detail, kMaxReasonText); }
};

struct WireSeat {
    std::int32_t x = 0, z = 0; // mm
    std::uint32_t yaw = 0;     // facing, kYawBits
    bool atTable = true;
    friend bool operator==(const WireSeat&, const WireSeat&) = default;
};

struct WirePanel {
    std::int32_t x = 0, y = 0, z = 0;   // centre, mm
    std::uint32_t yaw = 0;              // the direction the panel faces
    std::uint32_t widthMm = 0, heightMm = 0;
    friend bool operator==(const WirePanel&, const WirePanel&) = default;
};

// The room geometry a client needs to render and to predict its own movement.
struct RoomLayoutMsg {
    static constexpr MessageType kType = MessageType::RoomLayout;
    friend bool operator==(const RoomLayoutMsg&, const RoomLayoutMsg&) = default;
    std::string name;
    std::uint32_t halfWidthMm = 8000, halfDepthMm = 6000, heightMm = 3200;
    std::int32_t tableX = 0, tableZ = 0;
    std::uint32_t tableRadiusMm = 1400;
    std::int32_t frontX = 0, frontZ = -6000; // where the presenter stands
    std::vector<WireSeat> seats;
    std::vector<WirePanel> panels;
    template <typename S> bool serialize(S& s) {
        if (!serializeString(s, name, 64)) return false;
        if (!serializeUInt(s, halfWidthMm, 1000, 32000) || !serializeUInt(s, halfDepthMm, 1000, 32000) ||
            !serializeUInt(s, heightMm, 2000, 10000))
            return false;
        if (!serializeInt(s, tableX, kPosXZMin, kPosXZMax) || !serializeInt(s, tableZ, kPosXZMin, kPosXZMax) ||
            !serializeUInt(s, tableRadiusMm, 0, 8000))
            return false;
        if (!serializeInt(s, frontX, kPosXZMin, kPosXZMax) || !serializeInt(s, frontZ, kPosXZMin, kPosXZMax)) return false;
        std::uint32_t n = static_cast<std::uint32_t>(seats.size());
        if (!serializeUInt(s, n, 0, kMaxSeats)) return false;
        if constexpr (S::kReading) seats.resize(n);
        for (auto& seat : seats) {
            if (!serializeInt(s, seat.x, kPosXZMin, kPosXZMax) || !serializeInt(s, seat.z, kPosXZMin, kPosXZMax) ||
                !serializeUInt(s, seat.yaw, 0, kYawSteps - 1) || !serializeBool(s, seat.atTable))
                return false;
        }
        std::uint32_t np = static_cast<std::uint32_t>(panels.size());
        if (!serializeUInt(s, np, 0, kMaxPanels)) return false;
        if constexpr (S::kReading) panels.resize(np);
        for (auto& p : panels) {
            if (!serializeInt(s, p.x, kPosXZMin, kPosXZMax) || !serializeInt(s, p.y, 0, 10000) ||
                !serializeInt(s, p.z, kPosXZMin, kPosXZMax) || !serializeUInt(s, p.yaw, 0, kYawSteps - 1) ||
                !serializeUInt(s, p.widthMm, 100, 16000) || !serializeUInt(s, p.heightMm, 100, 10000))
                return false;
        }
        return true;
    }
};

// Someone in the room: sent to a joiner for everyone already there and to
// everyone for the joiner. `userId` is the verified id from the connect token
// (0 on an unauthenticated transport): two people with one display name stay
// two. `muted`: a moderator has muted them (changes: ParticipantMuted).
struct ParticipantJoined {
    static constexpr MessageType kType = MessageType::ParticipantJoined;
    friend bool operator==(const ParticipantJoined&, const ParticipantJoined&) = default;
    std::uint16_t entity = 0;
    std::string displayName;
    Role role = Role::Spoke;
    std::uint64_t userId = 0;
    bool muted = false;
    bool away = false;   // since protocol 8: the link dropped and the server holds the seat (ParticipantAway)
    template <typename S> bool serialize(S& s) {
        return serializeInt(s, entity, 0, kMaxEntities - 1) && serializeString(s, displayName, kMaxDisplayName) &&
               serializeEnum(s, role) && serializeU64(s, userId) && serializeBool(s, muted) && serializeBool(s, away);
    }
};

struct ParticipantLeft {
    static constexpr MessageType kType = MessageType::ParticipantLeft;
    friend bool operator==(const ParticipantLeft&, const ParticipantLeft&) = default;
    std::uint16_t entity = 0;
    LeaveReason reason = LeaveReason::Left;
    template <typename S> bool serialize(S& s) { return serializeInt(s, entity, 0, kMaxEntities - 1) && serializeEnum(s, reason); }
};

struct SitRequest {
    static constexpr MessageType kType = MessageType::SitRequest;
    friend bool operator==(const SitRequest&, const SitRequest&) = default;
    std::uint32_t seat = 0;
    template <typename S> bool serialize(S& s) { return serializeUInt(s, seat, 0, kMaxSeats - 1); }
};

struct StandRequest {
    static constexpr MessageType kType = MessageType::StandRequest;
    friend bool operator==(const StandRequest&, const StandRequest&) = default;
    template <typename S> bool serialize(S&) { return true; }
};

struct IntentRefused {
    static constexpr MessageType kType = MessageType::IntentRefused;
    friend bool operator==(const IntentRefused&, const IntentRefused&) = default;
    IntentKind intent = IntentKind::Sit;
    RefusalReason reason = RefusalReason::NotPermitted;
    template <typename S> bool serialize(S& s) { return serializeEnum(s, intent) && serializeEnum(s, reason); }
};

// One fixed step of a participant's intent (one server tick's worth).
struct InputFrame {
    std::uint16_t seq = 0;
    std::int32_t moveX = 0, moveZ = 0;  // desired walk direction in room space, -127..127 (length <= 127)
    std::uint32_t bodyYaw = 0;          // kYawBits
    std::int32_t headYaw = 0;           // head yaw relative to body, 1/100 degree: -12000..12000
    std::int32_t headPitch = 0;         // 1/100 degree: -8500..8500
    friend bool operator==(const InputFrame&, const InputFrame&) = default;
    template <typename S> bool serialize(S& s) {
        return serializeU16(s, seq) && serializeInt(s, moveX, -127, 127) && serializeInt(s, moveZ, -127, 127) &&
               serializeUInt(s, bodyYaw, 0, kYawSteps - 1) && serializeInt(s, headYaw, -12000, 12000) &&
               serializeInt(s, headPitch, -8500, 8500);
    }
};

// Sent every client tick on the state channel: snapshot acks and the newest
// input frames (oldest first, consecutive seqs) so one lost packet loses none.
struct ClientInput {
    static constexpr MessageType kType = MessageType::ClientInput;
    friend bool operator==(const ClientInput&, const ClientInput&) = default;
    std::uint16_t ackSeq = 0;    // newest snapshot received
    std::uint32_t ackBits = 0;   // bit i: snapshot ackSeq-1-i received
    bool hasAck = false;
    std::vector<InputFrame> inputs;
    template <typename S> bool serialize(S& s) {
        if (!serializeBool(s, hasAck)) return false;
        if (hasAck && (!serializeU16(s, ackSeq) || !serializeU32(s, ackBits))) return false;
        std::uint32_t n = static_cast<std::uint32_t>(inputs.size());
        if (!serializeUInt(s, n, 0, kMaxInputsPerPacket)) return false;
        if constexpr (S::kReading) inputs.resize(n);
        for (auto& in : inputs)
            if (!in.serialize(s)) return false;
        return true;
    }
};

// Snapshot header; the entity payload that follows is decoded by the
// snapshot codec (snapshot.h) against the named baseline.
struct Snapshot {
    static constexpr MessageType kType = MessageType::Snapshot;
    friend bool operator==(const Snapshot&, const Snapshot&) = default;
    std::uint16_t seq = 0;
    std::uint32_t baselineOffset = 0; // 0: no baseline (full); k: baseline is seq-k
    std::uint32_t serverTick = 0;
    std::uint16_t lastInputSeq = 0;   // newest of your input frames applied
    bool hasInput = false;
    std::vector<std::uint8_t> payload;
    template <typename S> bool serialize(S& s) {
        if (!serializeU16(s, seq) || !serializeUInt(s, baselineOffset, 0, 63) || !serializeU32(s, serverTick) ||
            !serializeBool(s, hasInput))
            return false;
        if (hasInput && !serializeU16(s, lastInputSeq)) return false;
        std::uint32_t n = static_cast<std::uint32_t>(payload.size());
        if (!serializeUInt(s, n, 0, kMaxMessageBytes) || !s.align()) return false;
        if constexpr (S::kReading) payload.resize(n);
        return s.serializeBytes(payload.data(), n); // byte-aligned: copied whole
    }
};

// One codec frame of one speaker's voice, client -> server -> listeners on
// the voice channel (unreliable). The server reads the header to check and
// route it and forwards the same bytes; it never decodes the codec payload
// (it checks only the Opus framing, sim/opus_packet.h). The body layout is
// core/voice_frame.h's, shared with audio::VoicePacket (session/voice_wire.h
// copies between the two).
//   speaker 16 | sequence 16 | level 8 | frame 1 | talkStart 1 | size 10 | align | size bytes
struct VoiceFrame {
    static constexpr MessageType kType = MessageType::VoiceFrame;
    std::uint16_t speaker = 0;      // the speaker's entity slot; the server drops frames that are not the sender's own
    std::uint16_t sequence = 0;     // per-speaker frame counter, wraps (advances across DTX gaps)
    std::uint8_t level = 0;         // speech level, 255 = 0 dBFS, half-dB steps (core::levelByteFromDb)
    bool frame20 = true;            // codec frame length: true 20 ms, false 10 ms
    bool talkStart = false;         // first frame after a send gap (DTX or mute): silence before, not loss
    std::uint16_t size = 0;         // valid bytes in `bytes`, 1..kMaxVoiceBytes
    std::array<std::uint8_t, kMaxVoiceBytes> bytes{}; // codec payload, inline: decoding allocates nothing

    [[nodiscard]] std::span<const std::uint8_t> payload() const { return {bytes.data(), size}; }
    friend bool operator==(const VoiceFrame& a, const VoiceFrame& b) {
        return a.speaker == b.speaker && a.sequence == b.sequence && a.level == b.level && a.frame20 == b.frame20 &&
               a.talkStart == b.talkStart && a.size == b.size && std::equal(a.bytes.begin(), a.bytes.begin() + a.size, b.bytes.begin());
    }
    template <typename S> bool serialize(S& s) {
        return core::serializeVoiceFrame(s, {speaker, sequence, level, frame20, talkStart, size, bytes.data()}, kMaxVoiceBytes);
    }
};

// Moderation intent, client -> server (sim/moderation.h; each action's
// permission is in sim/permissions.h: Mute/Unmute Moderate, MuteAllButHub and
// UnmuteAll MuteAll, Lock/Unlock LockRoom, Remove RemoveParticipant,
// BringToChair BringToChair, HandFacilitation and NameCoFacilitator
// HandFacilitation; SelfUnmute is one's own, allowed when the mute-all allows
// it). Refusals come back as IntentRefused{Moderate, reason}; the state is the
// room's Moderation object (net/clinic_objects.h); a removal is also
// ParticipantLeft{Removed} (the target is disconnected with
// LeaveReason::Removed and their invitation for the session revoked).
enum class ModerateAction : std::uint8_t {
    Mute, Unmute, Remove,
    MuteAllButHub,     // flag: whether the muted may unmute themselves
    UnmuteAll,
    SelfUnmute,        // target ignored: the sender
    Lock, Unlock,
    BringToChair,      // the target takes the presenter's chair
    HandFacilitation,  // the target (facilitator or specialist) runs the session
    NameCoFacilitator, // the target (a specialist) takes over if the facilitator drops
    Count
};
const char* toString(ModerateAction a);

struct ModerateRequest {
    static constexpr MessageType kType = MessageType::ModerateRequest;
    friend bool operator==(const ModerateRequest&, const ModerateRequest&) = default;
    std::uint16_t target = 0;     // the participant's entity slot
    ModerateAction action = ModerateAction::Mute;
    bool flag = false;            // MuteAllButHub: allow self-unmute
    std::string reason;           // Remove: why (required, kept in the audit trail)
    template <typename S> bool serialize(S& s) {
        if (!serializeInt(s, target, 0, kMaxEntities - 1) || !serializeEnum(s, action)) return false;
        if (action == ModerateAction::MuteAllButHub) return serializeBool(s, flag);
        if (action == ModerateAction::Remove) return serializeString(s, reason, kMaxReasonText);
        return true;
    }
};
// Since protocol 8. A participant whose link dropped (away) is held in the
// room, seat, hand and floor kept, until the same invitation joins again
// (back) or the hold ends (then ParticipantLeft{TimedOut}). `holdSeconds`:
// how long the server holds the seat from now (away only).
struct ParticipantAway {
    static constexpr MessageType kType = MessageType::ParticipantAway;
    friend bool operator==(const ParticipantAway&, const ParticipantAway&) = default;
    std::uint16_t entity = 0;
    bool away = true;
    std::uint16_t holdSeconds = 0;
    template <typename S> bool serialize(S& s) {
        return serializeInt(s, entity, 0, kMaxEntities - 1) && serializeBool(s, away) && serializeInt(s, holdSeconds, 0, 3600);
    }
};

struct ParticipantMuted {
    static constexpr MessageType kType = MessageType::ParticipantMuted;
    friend bool operator==(const ParticipantMuted&, const ParticipantMuted&) = default;
    std::uint16_t entity = 0;
    bool muted = true;
    template <typename S> bool serialize(S& s) { return serializeInt(s, entity, 0, kMaxEntities - 1) && serializeBool(s, muted); }
};

// ---- Panels (the panels system, sim/panels.h) ------------------------------

// A float sent as its 32 bits; NaN and infinity are refused both ways.
template <typename S>
bool serializeFiniteFloat(S& s, float& f) {
    std::uint32_t bits = 0;
    if constexpr (S::kWriting) {
        if (!(f == f) || f > 3.4e38f || f < -3.4e38f) return false;
        std::memcpy(&bits, &f, sizeof bits);
    }
    if (!s.serializeBits(bits, 32)) return false;
    if constexpr (S::kReading) {
        std::memcpy(&f, &bits, sizeof f);
        if (!(f == f) || f > 3.4e38f || f < -3.4e38f) return false;
    }
    return true;
}

constexpr std::uint32_t kMaxPanelIndex = 65534; // slide and frame indices on the wire

// Every panel intent, C->S on control (reliable, ordered: a slide step is
// never lost or reordered; they are rare). `op` values are sim::PanelOp's;
// only the fields the op uses travel:
//   ShowDeck: hasDeck, deck (32 bytes); SetSlide, SetFrame, Play, Pause:
//   index; SetView: centerX, centerY, zoom; SetWindow: centre, width;
//   GrantControl, DismissRequest: target. The others: nothing.
// Refusals: IntentRefused{Panel, reason}.
struct PanelIntent {
    static constexpr MessageType kType = MessageType::PanelIntent;
    friend bool operator==(const PanelIntent&, const PanelIntent&) = default;
    enum class Op : std::uint8_t {
        ShowDeck, SetSlide, SetFrame, Play, Pause, SetView, SetWindow, DefaultWindow, RequestControl, WithdrawRequest,
        GrantControl, DismissRequest, ReleaseControl, TakeControl, Count
    };
    Op op = Op::SetSlide;
    std::uint32_t panel = 0;
    bool hasDeck = false;
    std::array<std::uint8_t, 32> deck{};
    std::uint32_t index = 0;
    float centerX = 0.5f, centerY = 0.5f, zoom = 1.0f;
    float centre = 0.0f, width = 1.0f;
    std::uint16_t target = 0;
    template <typename S> bool serialize(S& s) {
        if (!serializeEnum(s, op) || !serializeUInt(s, panel, 0, kMaxPanels - 1)) return false;
        switch (op) {
        case Op::ShowDeck:
            if (!serializeBool(s, hasDeck)) return false;
            return !hasDeck || s.serializeBytes(deck.data(), deck.size());
        case Op::SetSlide:
        case Op::SetFrame:
        case Op::Play:
        case Op::Pause: return serializeUInt(s, index, 0, kMaxPanelIndex);
        case Op::SetView: return serializeFiniteFloat(s, centerX) && serializeFiniteFloat(s, centerY) && serializeFiniteFloat(s, zoom);
        case Op::SetWindow: return serializeFiniteFloat(s, centre) && serializeFiniteFloat(s, width);
        case Op::GrantControl:
        case Op::DismissRequest: return serializeInt(s, target, 0, kMaxEntities - 1);
        default: return true;
        }
    }
};

// The sender's laser pointer, C->S on state (unreliable), every client tick
// while it is on and a few ticks after it goes off. A ray from the head or
// hand: origin in mm (the avatar position ranges), direction as three
// components in [-32767, 32767] / 32767 (normalised by the server; a vector
// far from unit length is refused).
struct LaserInput {
    static constexpr MessageType kType = MessageType::LaserInput;
    friend bool operator==(const LaserInput&, const LaserInput&) = default;
    bool on = false;
    std::int32_t x = 0, y = 0, z = 0;       // mm
    std::int32_t dx = 0, dy = 0, dz = -32767;
    template <typename S> bool serialize(S& s) {
        if (!serializeBool(s, on)) return false;
        if (!on) return true;
        return serializeInt(s, x, kPosXZMin, kPosXZMax) && serializeInt(s, y, kPosYMin, kPosYMax) &&
               serializeInt(s, z, kPosXZMin, kPosXZMax) && serializeInt(s, dx, -32767, 32767) &&
               serializeInt(s, dy, -32767, 32767) && serializeInt(s, dz, -32767, 32767);
    }
};

// ---- Content: blobs by hash on the media channel (PROTOCOL.md "Content") ----

// Client -> server: send me `length` bytes of blob `hash` from `offset`
// (offset < the blob's size; the server clips length at the end). The
// client's window of outstanding bytes is the sum of its open requests; the
// server holds a bounded number per client (session/link_scheduler.h).
struct BlobRequest {
    static constexpr MessageType kType = MessageType::BlobRequest;
    friend bool operator==(const BlobRequest&, const BlobRequest&) = default;
    core::ContentHash hash;
    std::uint32_t offset = 0;
    std::uint32_t length = kMaxBlobRequestBytes;
    template <typename S> bool serialize(S& s) {
        return s.serializeBytes(hash.bytes.data(), hash.bytes.size()) && serializeUInt(s, offset, 0, kMaxBlobBytes - 1) &&
               serializeUInt(s, length, 1, kMaxBlobRequestBytes);
    }
};

// Bytes [offset, offset + size) of blob `hash`, whose whole size is
// `total`, on the media channel (reliable, ordered): the one body of
// BlobChunk and BlobPut.
template <MessageType Type>
struct BlobBytes {
    static constexpr MessageType kType = Type;
    core::ContentHash hash;
    std::uint32_t offset = 0;
    std::uint32_t total = 0;
    std::uint16_t size = 0;                               // valid bytes in `bytes`, 1..kBlobChunkBytes
    std::array<std::uint8_t, kBlobChunkBytes> bytes{};    // inline: decoding a chunk allocates nothing

    [[nodiscard]] std::span<const std::uint8_t> payload() const { return {bytes.data(), size}; }
    friend bool operator==(const BlobBytes& a, const BlobBytes& b) {
        return a.hash == b.hash && a.offset == b.offset && a.total == b.total && a.size == b.size &&
               std::equal(a.bytes.begin(), a.bytes.begin() + a.size, b.bytes.begin());
    }
    template <typename S> bool serialize(S& s) {
        if (!s.serializeBytes(hash.bytes.data(), hash.bytes.size()) || !serializeUInt(s, total, 1, kMaxBlobBytes) ||
            !serializeUInt(s, offset, 0, kMaxBlobBytes - 1))
            return false;
        std::uint32_t n = size;
        if (!serializeUInt(s, n, 1, kBlobChunkBytes)) return false;
        if (static_cast<std::uint64_t>(offset) + n > total) return false; // a chunk past the blob's end
        if constexpr (S::kReading) size = static_cast<std::uint16_t>(n);
        return s.align() && s.serializeBytes(bytes.data(), n); // byte-aligned: copied whole
    }
};

// Server -> client: a chunk of a requested blob. Chunks of one request
// arrive in order; the receiver verifies the whole blob by its hash.
using BlobChunk = BlobBytes<MessageType::BlobChunk>;

// Server -> client: the blob is not served (absent, or not offered in this
// room: the same answer, so the store cannot be probed), or the request was
// out of range for it.
struct BlobUnavailable {
    static constexpr MessageType kType = MessageType::BlobUnavailable;
    friend bool operator==(const BlobUnavailable&, const BlobUnavailable&) = default;
    core::ContentHash hash;
    template <typename S> bool serialize(S& s) { return s.serializeBytes(hash.bytes.data(), hash.bytes.size()); }
};

// Client -> server: my downlink is at most this many kbit/s. The server's
// per-client link budget becomes min(its default, this); it can only lower
// the budget (0 = no hint: the server's default). Voice and state are never
// held back for it; only media waits (session/link_scheduler.h).
struct LinkHint {
    static constexpr MessageType kType = MessageType::LinkHint;
    friend bool operator==(const LinkHint&, const LinkHint&) = default;
    std::uint32_t downlinkKbps = 0;
    template <typename S> bool serialize(S& s) { return serializeUInt(s, downlinkKbps, 0, 10'000'000); }
};

// Client -> server, about once a second: the downlink as the client measures
// it (PROTOCOL.md "Link budget"). The server's budget for the client follows
// it (session/link_scheduler.h): delivered less than was sent, or a round
// trip grown past the link's own, lowers it; a clean link lets it grow back.
struct LinkReport {
    static constexpr MessageType kType = MessageType::LinkReport;
    friend bool operator==(const LinkReport&, const LinkReport&) = default;
    std::uint32_t receivedBytesPerSecond = 0; // every byte the transport delivered, over `windowMs`
    std::uint16_t windowMs = 0;               // 100..10000
    std::uint16_t rttMs = 0;                  // the transport's smoothed round trip
    std::uint16_t lossPermille = 0;           // snapshots lost over the window, per mille
    template <typename S> bool serialize(S& s) {
        return serializeUInt(s, receivedBytesPerSecond, 0, 100'000'000) && serializeInt(s, windowMs, 100, 10000) &&
               serializeInt(s, rttMs, 0, 60000) && serializeInt(s, lossPermille, 0, 1000);
    }
};

// ---- Uploads: a presenter's built deck into the server's store (PROTOCOL.md "Content") ----

// Client -> server: a chunk of a blob of the deck being uploaded. The
// blobs of one upload go one after another, each from offset 0 in order; the
// server hashes each as it arrives (session/deck_upload.h).
using BlobPut = BlobBytes<MessageType::BlobPut>;

// Client -> server on control: every blob of the deck has been put (the
// server acknowledged all the bytes, UploadStatus Progress); check the deck
// whose manifest is blob `manifest` and, if it passes, add it to the store.
struct DeckOffer {
    static constexpr MessageType kType = MessageType::DeckOffer;
    friend bool operator==(const DeckOffer&, const DeckOffer&) = default;
    core::ContentHash manifest;
    template <typename S> bool serialize(S& s) { return s.serializeBytes(manifest.bytes.data(), manifest.bytes.size()); }
};

enum class UploadState : std::uint8_t { Progress, Accepted, Refused, Count };
const char* toString(UploadState s);
// Why an upload was refused. Codes are stable: clients print them in words.
enum class UploadRefusal : std::uint8_t {
    None, NotPermitted, Busy, OverQuota, TooManyBlobs, OutOfOrder, HashMismatch, Incomplete, BadManifest,
    MissingBlob, Undecodable, FrameMismatch, PhotoMetadata, PngText, StoreFailed, TimedOut, Count
};
const char* toString(UploadRefusal r);

// Server -> client on control. Progress: `bytes` of this upload received
// and hash-checked so far (sent every kUploadAckBytes and at each blob's
// end; the uploader's window is bounded by it); `hash` is the blob last
// completed. Accepted / Refused: the verdict on the deck `hash` (or, refused
// during the puts, the blob being put), with `reason`.
constexpr std::uint32_t kUploadAckBytes = 64u << 10;
struct UploadStatus {
    static constexpr MessageType kType = MessageType::UploadStatus;
    friend bool operator==(const UploadStatus&, const UploadStatus&) = default;
    core::ContentHash hash;
    UploadState state = UploadState::Progress;
    std::uint64_t bytes = 0;
    UploadRefusal reason = UploadRefusal::None;
    template <typename S> bool serialize(S& s) {
        return s.serializeBytes(hash.bytes.data(), hash.bytes.size()) && serializeEnum(s, state) && serializeU64(s, bytes) &&
               serializeEnum(s, reason);
    }
};

// ---- Sessions (the clinic's schedule, store/records.h) ------------------------

// Client -> server on control: move the room's live session's end `minutes`
// later (permission ExtendSession: the facilitator). Carried out: audited
// (old and new end) and the room stays open that much longer, so expiring
// invitations do not cut anyone off (secure_transport.h). Refused:
// IntentRefused{ExtendSession, NotPermitted | NoSession}, audited.
constexpr std::uint32_t kMaxExtendMinutes = 240;
struct SessionExtend {
    static constexpr MessageType kType = MessageType::SessionExtend;
    friend bool operator==(const SessionExtend&, const SessionExtend&) = default;
    std::uint16_t minutes = 15;   // 1..kMaxExtendMinutes
    template <typename S> bool serialize(S& s) { return serializeInt(s, minutes, 1, kMaxExtendMinutes); }
};

// ---- The case desk: cases before the session (PROTOCOL.md "Case desk") -----
// Only clients holding a program credential (a connect token whose room is
// "@" + the program's code) speak these; they never join a room
// (session/case_desk.h). Forms are name/value lists cut into pieces so that
// no message passes the control channel's 2 KiB limit (net/secure/limits.h)
// or fragments (a CaseSubmit fits one ENet datagram); a request spans parts
// 0..n, the last one flagged.

constexpr std::uint32_t kMaxCaseFields = 32;       // fields in one form
constexpr std::uint32_t kMaxCaseFieldName = 32;    // bytes of a field's name ([a-z0-9_]+)
constexpr std::uint32_t kMaxCaseValue = 8000;      // bytes of one field's value (the default template's longest is 6000)
constexpr std::uint32_t kMaxCaseDecks = 4;         // attached case decks (manifest hashes)
constexpr std::uint32_t kCasePieceBytes = 768;     // text bytes per CaseSubmit (all its pieces)
constexpr std::uint32_t kMaxCasePieces = 8;        // pieces per message
constexpr std::uint32_t kMaxCaseParts = 511;       // parts of one request (32 x 8000 bytes = 334 parts at most)
constexpr std::uint32_t kListingPieceBytes = 2048; // text bytes per CaseListing
constexpr std::uint32_t kMaxCaseSummaries = 16;    // summaries per CaseListing
constexpr std::uint32_t kMaxCaseTitle = 120;       // bytes of a summary's title (the chief complaint)
constexpr std::uint32_t kMaxWireFindings = 32;     // findings per CaseReceipt or CaseListing
constexpr std::uint32_t kMaxCaseStatus = 15;       // store::CaseStatus values travel as [0, 15]
constexpr std::uint32_t kMaxPhiKind = 31;          // clinic::PhiKind values travel as [0, 31]

// Case text: like serializeString, but line breaks and tabs are allowed
// (a history is several lines); other control characters fail the decode.
template <typename S>
bool serializeCaseText(S& s, std::string& str, std::uint32_t maxBytes) {
    std::uint32_t len = static_cast<std::uint32_t>(str.size());
    if (!serializeUInt(s, len, 0, maxBytes)) return false;
    if constexpr (S::kReading) {
        str.assign(len, '\0');
        if (!s.serializeBytes(reinterpret_cast<std::uint8_t*>(str.data()), len)) return false;
        for (unsigned char c : str)
            if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7F) return false;
        return true;
    } else {
        return s.serializeBytes(reinterpret_cast<std::uint8_t*>(str.data()), len);
    }
}

// Text of one field: `continues` appends it to the previous piece's value
// (the same field), else it starts the next field.
struct CasePiece {
    std::string field;
    bool continues = false;
    std::string text;
    friend bool operator==(const CasePiece&, const CasePiece&) = default;
};

// At most kMaxCasePieces pieces whose texts add up to at most `textBudget` bytes.
template <typename S>
bool serializePieces(S& s, std::vector<CasePiece>& pieces, std::uint32_t textBudget) {
    std::uint32_t n = static_cast<std::uint32_t>(pieces.size());
    if (!serializeUInt(s, n, 0, kMaxCasePieces)) return false;
    if constexpr (S::kReading) pieces.resize(n);
    std::uint32_t used = 0;
    for (auto& p : pieces) {
        if (!serializeString(s, p.field, kMaxCaseFieldName) || !serializeBool(s, p.continues) ||
            !serializeCaseText(s, p.text, textBudget - used))
            return false;
        used += static_cast<std::uint32_t>(p.text.size());
    }
    return true;
}

// One PHI finding as the desk reports it: where, and what kind; never the text.
struct WireFinding {
    std::string field;
    std::uint32_t begin = 0, end = 0;   // byte span in the field's value, begin <= end
    std::uint32_t kind = 0;             // clinic::PhiKind
    friend bool operator==(const WireFinding&, const WireFinding&) = default;
    template <typename S> bool serialize(S& s) {
        return serializeString(s, field, kMaxCaseFieldName) && serializeUInt(s, begin, 0, kMaxCaseValue) &&
               serializeUInt(s, end, begin, kMaxCaseValue) && serializeUInt(s, kind, 0, kMaxPhiKind);
    }
};

template <typename S>
bool serializeFindings(S& s, std::vector<WireFinding>& findings) {
    std::uint32_t n = static_cast<std::uint32_t>(findings.size());
    if (!serializeUInt(s, n, 0, kMaxWireFindings)) return false;
    if constexpr (S::kReading) findings.resize(n);
    for (auto& f : findings)
        if (!f.serialize(s)) return false;
    return true;
}

// Client -> server: submit a new case (caseId 0) or a fixed version of one's
// own held or submitted case. Parts 0..n of one request carry the fields'
// pieces in order; the last part also carries the attestation and the decks.
// The server answers the whole request with one CaseReceipt.
struct CaseSubmit {
    static constexpr MessageType kType = MessageType::CaseSubmit;
    friend bool operator==(const CaseSubmit&, const CaseSubmit&) = default;
    std::uint32_t request = 1;              // the client's, nonzero; echoed in the receipt
    std::uint64_t caseId = 0;
    std::uint32_t part = 0;
    bool last = true;
    std::vector<CasePiece> pieces;
    bool attested = false;                  // last part: the presenter attests (the program's text)
    std::vector<core::ContentHash> decks;   // last part: attached case decks
    template <typename S> bool serialize(S& s) {
        if (!serializeUInt(s, request, 1, 0xFFFFFFFFu) || !serializeU64(s, caseId) || !serializeUInt(s, part, 0, kMaxCaseParts - 1) ||
            !serializeBool(s, last) || !serializePieces(s, pieces, kCasePieceBytes))
            return false;
        if (!last) return true;
        std::uint32_t n = static_cast<std::uint32_t>(decks.size());
        if (!serializeBool(s, attested) || !serializeUInt(s, n, 0, kMaxCaseDecks)) return false;
        if constexpr (S::kReading) decks.resize(n);
        for (auto& d : decks)
            if (!s.serializeBytes(d.bytes.data(), d.bytes.size())) return false;
        return true;
    }
};

// What a CaseQuery asks for: my cases, the vetted list (hub roles), one
// case's fields (caseId), or the program's form (template, attestation).
enum class CaseQueryKind : std::uint8_t { Mine, Vetted, Case, Form, Count };
const char* toString(CaseQueryKind k);

struct CaseQuery {
    static constexpr MessageType kType = MessageType::CaseQuery;
    friend bool operator==(const CaseQuery&, const CaseQuery&) = default;
    std::uint32_t request = 1;
    CaseQueryKind what = CaseQueryKind::Mine;
    std::uint64_t caseId = 0;               // Case only
    template <typename S> bool serialize(S& s) {
        if (!serializeUInt(s, request, 1, 0xFFFFFFFFu) || !serializeEnum(s, what)) return false;
        return what != CaseQueryKind::Case || serializeU64(s, caseId);
    }
};

struct CaseSummary {
    std::uint64_t id = 0;
    std::uint32_t status = 0;               // store::CaseStatus
    std::string presenter;                  // the presenter's roster name
    std::string title;                      // the chief complaint, cut to kMaxCaseTitle bytes
    std::uint32_t findings = 0;             // open PHI findings (the presenter's own list; 0 in the vetted list)
    friend bool operator==(const CaseSummary&, const CaseSummary&) = default;
};

// Server -> client: the answer to a CaseQuery, in parts 0..n (last flagged).
//   Mine, Vetted: summaries. Case: the case's header (every part), its
//   fields as pieces and its findings. Form: pieces "program" (the name),
//   "template" (clinic/case_form.h text), "attestation".
struct CaseListing {
    static constexpr MessageType kType = MessageType::CaseListing;
    friend bool operator==(const CaseListing&, const CaseListing&) = default;
    std::uint32_t request = 1;
    CaseQueryKind what = CaseQueryKind::Mine;
    std::uint32_t part = 0;
    bool last = true;
    std::vector<CaseSummary> cases;         // Mine, Vetted
    CaseSummary header;                     // Case
    bool attested = false;                  // Case
    std::vector<CasePiece> pieces;          // Case, Form
    std::vector<WireFinding> findings;      // Case
    template <typename S> bool serialize(S& s) {
        if (!serializeUInt(s, request, 1, 0xFFFFFFFFu) || !serializeEnum(s, what) || !serializeUInt(s, part, 0, 0xFFFF) ||
            !serializeBool(s, last))
            return false;
        switch (what) {
        case CaseQueryKind::Mine:
        case CaseQueryKind::Vetted: {
            std::uint32_t n = static_cast<std::uint32_t>(cases.size());
            if (!serializeUInt(s, n, 0, kMaxCaseSummaries)) return false;
            if constexpr (S::kReading) cases.resize(n);
            for (auto& c : cases)
                if (!serializeSummary(s, c)) return false;
            return true;
        }
        case CaseQueryKind::Case:
            return serializeSummary(s, header) && serializeBool(s, attested) && serializePieces(s, pieces, kListingPieceBytes) &&
                   serializeFindings(s, findings);
        case CaseQueryKind::Form: return serializePieces(s, pieces, kListingPieceBytes);
        case CaseQueryKind::Count: break;
        }
        return false;
    }
    template <typename S> static bool serializeSummary(S& s, CaseSummary& c) {
        return serializeU64(s, c.id) && serializeUInt(s, c.status, 0, kMaxCaseStatus) &&
               serializeString(s, c.presenter, kMaxDisplayName) && serializeString(s, c.title, kMaxCaseTitle) &&
               serializeUInt(s, c.findings, 0, 0xFFFF);
    }
};

enum class CaseVerdict : std::uint8_t { Accepted, Held, Refused, Count };
const char* toString(CaseVerdict v);
// Why a desk request was refused. Codes are stable: clients print them in words.
enum class CaseRefusal : std::uint8_t {
    None, NotPermitted, NotOnRoster, NoProgram, UnknownCase, NotEditable, Invalid, NotAttested, TooLarge, OutOfOrder, Busy,
    StoreFailed, Count
};
const char* toString(CaseRefusal r);

// Server -> client: the verdict on a CaseSubmit (Accepted: stored as
// submitted; Held: stored, held for its PHI findings until fixed or
// overridden), or a refused CaseSubmit or CaseQuery. `findings` are the
// first kMaxWireFindings of `totalFindings` (the case's listing has all);
// `detail` names the field and the fault (never case text).
struct CaseReceipt {
    static constexpr MessageType kType = MessageType::CaseReceipt;
    friend bool operator==(const CaseReceipt&, const CaseReceipt&) = default;
    std::uint32_t request = 1;
    CaseVerdict verdict = CaseVerdict::Accepted;
    std::uint64_t caseId = 0;
    std::uint32_t status = 0;               // store::CaseStatus after the request
    CaseRefusal reason = CaseRefusal::None;
    std::string detail;
    std::vector<WireFinding> findings;
    std::uint32_t totalFindings = 0;
    template <typename S> bool serialize(S& s) {
        return serializeUInt(s, request, 1, 0xFFFFFFFFu) && serializeEnum(s, verdict) && serializeU64(s, caseId) &&
               serializeUInt(s, status, 0, kMaxCaseStatus) && serializeEnum(s, reason) && serializeString(s, detail, kMaxReasonText) &&
               serializeFindings(s, findings) && serializeUInt(s, totalFindings, static_cast<std::uint32_t>(findings.size()), 0xFFFF);
    }
};

// ---- The teaching round (sim/agenda.h, floor.h, board.h, chat.h) -----------
// Client -> server intents of the room systems; their state comes back as
// room objects (net/clinic_objects.h), refusals as IntentRefused{kind, reason}.

constexpr std::uint32_t kMaxAgendaEntries = 32;   // phases of one session's plan (5 + 4 per case: 6 cases)
constexpr std::uint32_t kMaxChatText = 400;       // bytes of a chat line or question (UTF-8)
constexpr std::uint32_t kMaxBoardText = 400;      // bytes of one recommendation or summary (UTF-8, may hold line breaks)

struct AgendaIntent {
    static constexpr MessageType kType = MessageType::AgendaIntent;
    friend bool operator==(const AgendaIntent&, const AgendaIntent&) = default;
    enum class Op : std::uint8_t { Next, Previous, Goto, Count };   // Next from the lobby starts the session
    Op op = Op::Next;
    std::uint32_t index = 0;   // Goto: the plan entry
    template <typename S> bool serialize(S& s) {
        return serializeEnum(s, op) && (op != Op::Goto || serializeUInt(s, index, 0, kMaxAgendaEntries - 1));
    }
};

struct FloorIntent {
    static constexpr MessageType kType = MessageType::FloorIntent;
    friend bool operator==(const FloorIntent&, const FloorIntent&) = default;
    enum class Op : std::uint8_t {
        Raise, Lower,     // one's own hand
        CallNext,         // the first hand gets the floor (RunFloor)
        Give,             // target gets the floor, hand raised or not (RunFloor)
        Release,          // the floor ends: one's own, or anyone's (RunFloor)
        Dismiss,          // target's hand goes down (RunFloor)
        Count
    };
    Op op = Op::Raise;
    std::uint16_t target = 0;
    template <typename S> bool serialize(S& s) {
        if (!serializeEnum(s, op)) return false;
        return (op != Op::Give && op != Op::Dismiss) || serializeInt(s, target, 0, kMaxEntities - 1);
    }
};

struct BoardIntent {
    static constexpr MessageType kType = MessageType::BoardIntent;
    friend bool operator==(const BoardIntent&, const BoardIntent&) = default;
    enum class Op : std::uint8_t {
        Post,      // a recommendation on the current case's board (Recommend)
        Edit,      // entry's text, by its author (Recommend), or the summary (WriteSummary)
        Withdraw,  // entry, by its author
        Summary,   // the facilitator's summary, the consensus (WriteSummary); replaces an earlier one
        Count
    };
    Op op = Op::Post;
    std::uint16_t entry = 0;      // Edit, Withdraw
    std::uint16_t clientSeq = 0;  // echoed by TextHeld
    std::string text;             // Post, Edit, Summary
    template <typename S> bool serialize(S& s) {
        if (!serializeEnum(s, op) || !serializeU16(s, clientSeq)) return false;
        if ((op == Op::Edit || op == Op::Withdraw) && !serializeU16(s, entry)) return false;
        return op == Op::Withdraw || serializeCaseText(s, text, kMaxBoardText);
    }
};

struct ChatIntent {
    static constexpr MessageType kType = MessageType::ChatIntent;
    friend bool operator==(const ChatIntent&, const ChatIntent&) = default;
    enum class Op : std::uint8_t {
        Say,       // a chat line (Chat)
        Ask,       // a question for the hub, queued (AskQuestion)
        Withdraw,  // one's own queued question (seq)
        Answered,  // a question is taken, out of order (RunFloor) (seq)
        TakeNext,  // the first queued question is taken (RunFloor)
        Count
    };
    Op op = Op::Say;
    std::uint16_t clientSeq = 0;  // echoed by TextHeld
    std::uint32_t seq = 0;        // Withdraw, Answered: the line's seq
    std::string text;             // Say, Ask
    template <typename S> bool serialize(S& s) {
        if (!serializeEnum(s, op) || !serializeU16(s, clientSeq)) return false;
        if (op == Op::Withdraw || op == Op::Answered) return serializeU32(s, seq);
        return serializeString(s, text, kMaxChatText);
    }
};

// Server -> author: the PHI screen held a text before anyone else saw it.
// Findings say where (byte spans in the author's own text) and what kind,
// never the text; nothing was stored or shown.
struct TextHeld {
    static constexpr MessageType kType = MessageType::TextHeld;
    friend bool operator==(const TextHeld&, const TextHeld&) = default;
    IntentKind intent = IntentKind::Chat;   // Chat or Board
    std::uint16_t clientSeq = 0;
    std::vector<WireFinding> findings;      // field: "chat", "question", "recommendation", "summary"
    template <typename S> bool serialize(S& s) {
        return serializeEnum(s, intent) && serializeU16(s, clientSeq) && serializeFindings(s, findings);
    }
};

// Recording (sim/recording.h). Start and Stop: Action::Record. Acknowledge:
// anyone in a recorded room, for the recording `epoch` the Recording object
// shows (docs/RECORDING.md "Consent"); audited.
struct RecordingIntent {
    static constexpr MessageType kType = MessageType::RecordingIntent;
    friend bool operator==(const RecordingIntent&, const RecordingIntent&) = default;
    enum class Op : std::uint8_t { Start, Stop, Acknowledge, Count };
    Op op = Op::Start;
    std::uint16_t epoch = 0;   // Acknowledge: which recording
    template <typename S> bool serialize(S& s) {
        return serializeEnum(s, op) && (op != Op::Acknowledge || serializeU16(s, epoch));
    }
};

// Replay controls (session/replay_room.h), in a replay room only:
// Action::ControlReplay. Positions are ticks of the recording.
constexpr std::uint32_t kMinReplaySpeedPercent = 50, kMaxReplaySpeedPercent = 200;
struct ReplayIntent {
    static constexpr MessageType kType = MessageType::ReplayIntent;
    friend bool operator==(const ReplayIntent&, const ReplayIntent&) = default;
    enum class Op : std::uint8_t { Play, Pause, Seek, Speed, Count };
    Op op = Op::Play;
    std::uint32_t tick = 0;           // Seek: the recording's tick to go to
    std::uint32_t speedPercent = 100; // Speed: 50..200
    template <typename S> bool serialize(S& s) {
        if (!serializeEnum(s, op)) return false;
        if (op == Op::Seek) return serializeU32(s, tick);
        if (op == Op::Speed) return serializeUInt(s, speedPercent, kMinReplaySpeedPercent, kMaxReplaySpeedPercent);
        return true;
    }
};

// ---- Video (PROTOCOL.md "Video"; session/video_host.h) ----------------------

constexpr std::uint32_t kMaxVideoStreams = 48;   // published streams per room (cameras and screens together)
constexpr std::uint32_t kMaxShownStreams = 24;   // streams one client shows at once (VideoShow)

template <typename S>
bool serializeStreamId(S& s, VideoStreamId& id) {
    std::uint16_t v = 0;
    if constexpr (S::kWriting) v = id.packed();
    if (!serializeU16(s, v)) return false;
    if constexpr (S::kReading) {
        const auto u = VideoStreamId::unpack(v);
        if (!u) return false;
        id = *u;
    }
    return true;
}

// One fragment of an encoded frame (net/video_wire.h), unreliable on the
// video channel: publisher -> server, and forwarded unchanged (the same
// bytes) to each receiver that shows the stream. The server drops a
// fragment whose stream is not the sender's own published one.
struct VideoFragmentMsg {
    static constexpr MessageType kType = MessageType::VideoFragment;
    VideoFragment fragment;
    friend bool operator==(const VideoFragmentMsg&, const VideoFragmentMsg&) = default;
    template <typename S> bool serialize(S& s) { return serializeVideoFragment(s, fragment); }
};

// Client -> server: start (on) or stop publishing one's camera or screen.
// Checked against Action::ShowCamera / ShareScreen; the stream then appears
// to everyone as a Video room object, and refusals come back as
// IntentRefused{Video, reason}.
constexpr std::uint32_t kMinVideoSide = 16, kMaxVideoSide = 1920, kMaxVideoFps = 60;
struct VideoPublish {
    static constexpr MessageType kType = MessageType::VideoPublish;
    friend bool operator==(const VideoPublish&, const VideoPublish&) = default;
    VideoKind kind = VideoKind::Camera;
    bool on = true;
    std::uint32_t width = 320, height = 180;   // even, kMinVideoSide..kMaxVideoSide
    std::uint32_t fps = 15;                    // 1..kMaxVideoFps
    std::uint32_t layers = 3;                  // temporal layers, 1..kMaxVideoLayers
    template <typename S> bool serialize(S& s) {
        if (!serializeEnum(s, kind) || !serializeBool(s, on)) return false;
        if (!on) return true;
        return serializeUInt(s, width, kMinVideoSide, kMaxVideoSide) && serializeUInt(s, height, kMinVideoSide, kMaxVideoSide) &&
               serializeUInt(s, fps, 1, kMaxVideoFps) && serializeUInt(s, layers, 1, kMaxVideoLayers) &&
               (width % 2 == 0) && (height % 2 == 0);
    }
};

// Client -> server: the streams this client shows now, most important
// first (the order the server spends a thin link in). Replaces the previous
// set at once; streams not listed get no byte from the next fragment on.
struct VideoShow {
    static constexpr MessageType kType = MessageType::VideoShow;
    friend bool operator==(const VideoShow&, const VideoShow&) = default;
    std::vector<VideoStreamId> streams;
    template <typename S> bool serialize(S& s) {
        std::uint32_t n = static_cast<std::uint32_t>(streams.size());
        if (!serializeUInt(s, n, 0, kMaxShownStreams)) return false;
        if constexpr (S::kReading) streams.resize(n);
        for (auto& id : streams)
            if (!serializeStreamId(s, id)) return false;
        return true;
    }
};

// A receiver -> server: I lost the reference chain of `stream`, send a key
// frame; server -> the stream's publisher: encode one now. The server relays
// at most one per stream per VideoConfig::keyframeInterval.
struct KeyframeRequest {
    static constexpr MessageType kType = MessageType::KeyframeRequest;
    friend bool operator==(const KeyframeRequest&, const KeyframeRequest&) = default;
    VideoStreamId stream;
    template <typename S> bool serialize(S& s) { return serializeStreamId(s, stream); }
};

// Server -> a receiver: how much of `stream` its link carries now, sent when
// it changes. Full: every layer; Reduced: the lower `layers`; Still: a key
// frame every few seconds (a still picture); Off: nothing until the link
// recovers. The client shows a notice for anything below Full.
enum class VideoTier : std::uint8_t { Full, Reduced, Still, Off, Count };
const char* toString(VideoTier t);
struct VideoTierMsg {
    static constexpr MessageType kType = MessageType::VideoTier;
    friend bool operator==(const VideoTierMsg&, const VideoTierMsg&) = default;
    VideoStreamId stream;
    VideoTier tier = VideoTier::Full;
    std::uint32_t layers = 0;   // layers forwarded (Full, Reduced), 0..kMaxVideoLayers
    template <typename S> bool serialize(S& s) {
        return serializeStreamId(s, stream) && serializeEnum(s, tier) && serializeUInt(s, layers, 0, kMaxVideoLayers);
    }
};


using Message = std::variant<JoinRequest, JoinAccepted, JoinRefused, RoomLayoutMsg, ParticipantJoined, ParticipantLeft,
                             SitRequest, StandRequest, IntentRefused, ClientInput, Snapshot, VoiceFrame, ModerateRequest,
                             ParticipantMuted, PanelIntent, LaserInput, BlobRequest, BlobChunk, BlobUnavailable, LinkHint,
                             BlobPut, DeckOffer, UploadStatus, SessionExtend,
                             CaseSubmit, CaseQuery, CaseListing, CaseReceipt,
                             AgendaIntent, FloorIntent, BoardIntent, ChatIntent, TextHeld,
                             RecordingIntent, ReplayIntent,
                             VideoFragmentMsg, VideoPublish, VideoShow, KeyframeRequest, VideoTierMsg,
                             ParticipantAway, LinkReport>;
static_assert(std::variant_size_v<Message> == static_cast<std::size_t>(MessageType::Count));

enum class DecodeError : std::uint8_t { Empty, UnknownType, Malformed, TooLarge, WrongChannel, Count };
const char* toString(DecodeError e);

// Writes [type byte][body][pad] into `out` (reset first). False if a field is
// out of range or the encoding exceeds the message's maxBytes.
bool encodeMessage(const Message& m, WriteStream& out);
// The same for a concrete message, without building a Message variant (no copy).
template <typename T>
bool encodeMessage(const T& m, WriteStream& out) {
    const MessageInfo& info = messageInfo(T::kType);
    out.reset(info.maxBytes);
    std::uint32_t type = static_cast<std::uint32_t>(T::kType);
    // serialize() is non-const because the same code reads; writing never modifies.
    if (!out.serializeBits(type, 8) || !const_cast<T&>(m).serialize(out) || !out.align()) return false;
    out.finish();
    return !out.overflowed();
}
std::vector<std::uint8_t> encodeMessage(const Message& m);
// Decodes one packet. Trailing bytes after the body are refused.
struct DecodeResult {
    bool ok = false;
    DecodeError error = DecodeError::Malformed;
    Message message;
};
DecodeResult decodeMessage(std::span<const std::uint8_t> packet, Channel arrivedOn);
MessageType typeOf(const Message& m);
std::size_t measureMessageBits(const Message& m);

} // namespace caseroom::net
