#include "net/messages.h"

#include <cassert>

namespace caseroom::net {

const char* toString(Channel c) {
    switch (c) {
    case Channel::Control: return "control";
    case Channel::State: return "state";
    case Channel::Voice: return "voice";
    case Channel::Media: return "media";
    case Channel::Video: return "video";
    case Channel::Count: break;
    }
    return "?";
}

const char* toString(JoinRefusal r) {
    switch (r) {
    case JoinRefusal::VersionMismatch: return "the server speaks a different protocol version; update CaseRoom";
    case JoinRefusal::UnknownRoom: return "no room with that code on this server";
    case JoinRefusal::RoomFull: return "the room is full";
    case JoinRefusal::BadName: return "the display name is empty or not allowed";
    case JoinRefusal::BadRole: return "that role cannot be requested";
    case JoinRefusal::ServerShuttingDown: return "the server is shutting down";
    case JoinRefusal::NotInvited: return "the join does not match your invitation (room, name or role)";
    case JoinRefusal::Removed: return "a moderator removed you from this room";
    case JoinRefusal::RoomLocked: return "the facilitator has locked the room";
    case JoinRefusal::Count: break;
    }
    return "?";
}

const char* toString(RefusalReason r) {
    switch (r) {
    case RefusalReason::NotJoined: return "not joined to a room";
    case RefusalReason::SeatInvalid: return "no such seat";
    case RefusalReason::SeatTaken: return "seat is taken";
    case RefusalReason::SeatTooFar: return "too far from the seat";
    case RefusalReason::AlreadySeated: return "already seated";
    case RefusalReason::NotSeated: return "not seated";
    case RefusalReason::NotPermitted: return "not permitted for your role";
    case RefusalReason::RateLimited: return "too many requests";
    case RefusalReason::NoSuchParticipant: return "no such participant";
    case RefusalReason::NotOnSelf: return "not on yourself";
    case RefusalReason::TargetModerates: return "the participant is a moderator";
    case RefusalReason::NoSuchPanel: return "no such panel";
    case RefusalReason::UnknownDeck: return "the server does not have that deck";
    case RefusalReason::NoDeck: return "the panel shows no deck";
    case RefusalReason::SlideOutOfRange: return "no such slide in the deck";
    case RefusalReason::FrameOutOfRange: return "no such frame in the slide";
    case RefusalReason::BadValue: return "a value is out of range";
    case RefusalReason::RequestsFull: return "too many pending requests for that panel";
    case RefusalReason::NoSuchRequest: return "no such request";
    case RefusalReason::TargetMayNotHold: return "that participant may not drive a panel";
    case RefusalReason::NoSession: return "the room holds no open session";
    case RefusalReason::WrongPhase: return "not in this phase of the session";
    case RefusalReason::AtStart: return "already at the first phase";
    case RefusalReason::AtEnd: return "already at the last phase";
    case RefusalReason::NoAgenda: return "the room has no session plan";
    case RefusalReason::QueueFull: return "the queue is full";
    case RefusalReason::NotInQueue: return "not in the queue";
    case RefusalReason::NoFloor: return "nobody holds the floor";
    case RefusalReason::SelfUnmuteOff: return "the facilitator has muted you; raise your hand";
    case RefusalReason::NoSuchEntry: return "no such recommendation";
    case RefusalReason::NotAuthor: return "only its author may change it";
    case RefusalReason::BoardFull: return "the board is full";
    case RefusalReason::BadText: return "the text is empty, too long or not valid UTF-8";
    case RefusalReason::PhiHeld: return "held: it may identify a patient";
    case RefusalReason::NotHub: return "only hub members may facilitate";
    case RefusalReason::PolicyForbids: return "the program does not allow recording";
    case RefusalReason::AlreadyRecording: return "already recording";
    case RefusalReason::NotRecording: return "not recording";
    case RefusalReason::NotReplay: return "this room is not a replay";
    case RefusalReason::NoRecorder: return "this server cannot record";
    case RefusalReason::StreamsFull: return "the room carries all the video streams it can";
    case RefusalReason::Count: break;
    }
    return "?";
}

const char* toString(VideoTier t) {
    switch (t) {
    case VideoTier::Full: return "full";
    case VideoTier::Reduced: return "fewer layers";
    case VideoTier::Still: return "still picture";
    case VideoTier::Off: return "off";
    case VideoTier::Count: break;
    }
    return "?";
}

const char* toString(IntentKind k) {
    switch (k) {
    case IntentKind::Move: return "move";
    case IntentKind::Look: return "look";
    case IntentKind::Sit: return "sit";
    case IntentKind::Stand: return "stand";
    case IntentKind::Moderate: return "moderate";
    case IntentKind::Panel: return "panel";
    case IntentKind::ExtendSession: return "extend session";
    case IntentKind::Agenda: return "agenda";
    case IntentKind::Floor: return "floor";
    case IntentKind::Board: return "board";
    case IntentKind::Chat: return "chat";
    case IntentKind::Record: return "record";
    case IntentKind::Replay: return "replay";
    case IntentKind::Video: return "video";
    case IntentKind::Count: break;
    }
    return "?";
}

const char* toString(LeaveReason r) {
    switch (r) {
    case LeaveReason::Left: return "left";
    case LeaveReason::TimedOut: return "timed out";
    case LeaveReason::Kicked: return "dropped for bad input";
    case LeaveReason::ServerShutdown: return "server shut down";
    case LeaveReason::Removed: return "removed by a moderator";
    case LeaveReason::Replaced: return "joined again from another computer";
    case LeaveReason::Expired: return "invitation expired";
    case LeaveReason::Revoked: return "invitation withdrawn";
    case LeaveReason::Count: break;
    }
    return "?";
}

const char* toString(MessageType t) {
    switch (t) {
    case MessageType::JoinRequest: return "JoinRequest";
    case MessageType::JoinAccepted: return "JoinAccepted";
    case MessageType::JoinRefused: return "JoinRefused";
    case MessageType::RoomLayout: return "RoomLayout";
    case MessageType::ParticipantJoined: return "ParticipantJoined";
    case MessageType::ParticipantLeft: return "ParticipantLeft";
    case MessageType::SitRequest: return "SitRequest";
    case MessageType::StandRequest: return "StandRequest";
    case MessageType::IntentRefused: return "IntentRefused";
    case MessageType::ClientInput: return "ClientInput";
    case MessageType::Snapshot: return "Snapshot";
    case MessageType::VoiceFrame: return "VoiceFrame";
    case MessageType::ModerateRequest: return "ModerateRequest";
    case MessageType::ParticipantMuted: return "ParticipantMuted";
    case MessageType::PanelIntent: return "PanelIntent";
    case MessageType::LaserInput: return "LaserInput";
    case MessageType::BlobRequest: return "BlobRequest";
    case MessageType::BlobChunk: return "BlobChunk";
    case MessageType::BlobUnavailable: return "BlobUnavailable";
    case MessageType::LinkHint: return "LinkHint";
    case MessageType::BlobPut: return "BlobPut";
    case MessageType::DeckOffer: return "DeckOffer";
    case MessageType::UploadStatus: return "UploadStatus";
    case MessageType::SessionExtend: return "SessionExtend";
    case MessageType::CaseSubmit: return "CaseSubmit";
    case MessageType::CaseQuery: return "CaseQuery";
    case MessageType::CaseListing: return "CaseListing";
    case MessageType::CaseReceipt: return "CaseReceipt";
    case MessageType::AgendaIntent: return "AgendaIntent";
    case MessageType::FloorIntent: return "FloorIntent";
    case MessageType::BoardIntent: return "BoardIntent";
    case MessageType::ChatIntent: return "ChatIntent";
    case MessageType::TextHeld: return "TextHeld";
    case MessageType::RecordingIntent: return "RecordingIntent";
    case MessageType::ReplayIntent: return "ReplayIntent";
    case MessageType::VideoFragment: return "VideoFragment";
    case MessageType::VideoPublish: return "VideoPublish";
    case MessageType::VideoShow: return "VideoShow";
    case MessageType::KeyframeRequest: return "KeyframeRequest";
    case MessageType::VideoTier: return "VideoTier";
    case MessageType::ParticipantAway: return "ParticipantAway";
    case MessageType::LinkReport: return "LinkReport";
    case MessageType::Count: break;
    }
    return "?";
}

const char* toString(ModerateAction a) {
    switch (a) {
    case ModerateAction::Mute: return "mute";
    case ModerateAction::Unmute: return "unmute";
    case ModerateAction::Remove: return "remove";
    case ModerateAction::MuteAllButHub: return "mute all but the hub";
    case ModerateAction::UnmuteAll: return "unmute all";
    case ModerateAction::SelfUnmute: return "unmute self";
    case ModerateAction::Lock: return "lock";
    case ModerateAction::Unlock: return "unlock";
    case ModerateAction::BringToChair: return "bring to the presenter's chair";
    case ModerateAction::HandFacilitation: return "hand facilitation";
    case ModerateAction::NameCoFacilitator: return "name co-facilitator";
    case ModerateAction::Count: break;
    }
    return "?";
}

const char* toString(UploadState s) {
    switch (s) {
    case UploadState::Progress: return "progress";
    case UploadState::Accepted: return "accepted";
    case UploadState::Refused: return "refused";
    case UploadState::Count: break;
    }
    return "?";
}

const char* toString(UploadRefusal r) {
    switch (r) {
    case UploadRefusal::None: return "none";
    case UploadRefusal::NotPermitted: return "not permitted for your role";
    case UploadRefusal::Busy: return "an upload is already in progress (yours, or the server's limit)";
    case UploadRefusal::OverQuota: return "the deck is over the upload quota (bytes)";
    case UploadRefusal::TooManyBlobs: return "the deck has too many blobs";
    case UploadRefusal::OutOfOrder: return "a blob's chunks arrived out of order";
    case UploadRefusal::HashMismatch: return "a blob's bytes do not match its hash";
    case UploadRefusal::Incomplete: return "the deck was offered before all its blobs arrived";
    case UploadRefusal::BadManifest: return "the manifest is missing or invalid";
    case UploadRefusal::MissingBlob: return "a blob the manifest lists was not uploaded";
    case UploadRefusal::Undecodable: return "a frame does not decode as PNG or JPEG";
    case UploadRefusal::FrameMismatch: return "a frame's size or sample format differs from the manifest";
    case UploadRefusal::PhotoMetadata: return "a frame carries metadata (EXIF, XMP, comments)";
    case UploadRefusal::PngText: return "a PNG frame carries text chunks";
    case UploadRefusal::StoreFailed: return "the server could not store the deck";
    case UploadRefusal::TimedOut: return "the upload stalled";
    case UploadRefusal::Count: break;
    }
    return "?";
}

const char* toString(CaseQueryKind k) {
    switch (k) {
    case CaseQueryKind::Mine: return "mine";
    case CaseQueryKind::Vetted: return "vetted";
    case CaseQueryKind::Case: return "case";
    case CaseQueryKind::Form: return "form";
    case CaseQueryKind::Count: break;
    }
    return "?";
}

const char* toString(CaseVerdict v) {
    switch (v) {
    case CaseVerdict::Accepted: return "accepted";
    case CaseVerdict::Held: return "held";
    case CaseVerdict::Refused: return "refused";
    case CaseVerdict::Count: break;
    }
    return "?";
}

const char* toString(CaseRefusal r) {
    switch (r) {
    case CaseRefusal::None: return "none";
    case CaseRefusal::NotPermitted: return "not permitted for your role in this program";
    case CaseRefusal::NotOnRoster: return "you are not on this program's roster";
    case CaseRefusal::NoProgram: return "no such program on this server";
    case CaseRefusal::UnknownCase: return "no such case (or not yours to see)";
    case CaseRefusal::NotEditable: return "the case can no longer be changed (it is past vetting)";
    case CaseRefusal::Invalid: return "the form does not match the program's template";
    case CaseRefusal::NotAttested: return "the attestation was not given";
    case CaseRefusal::TooLarge: return "the form is too large (fields, a value's length or decks)";
    case CaseRefusal::OutOfOrder: return "the submission's parts arrived out of order";
    case CaseRefusal::Busy: return "the server is busy with your previous request";
    case CaseRefusal::StoreFailed: return "the server could not store the case";
    case CaseRefusal::Count: break;
    }
    return "?";
}

const char* toString(DecodeError e) {
    switch (e) {
    case DecodeError::Empty: return "empty packet";
    case DecodeError::UnknownType: return "unknown message type";
    case DecodeError::Malformed: return "malformed message";
    case DecodeError::TooLarge: return "message too large";
    case DecodeError::WrongChannel: return "message on the wrong channel";
    case DecodeError::Count: break;
    }
    return "?";
}

namespace {
constexpr std::array<MessageInfo, static_cast<std::size_t>(MessageType::Count)> kCatalog{{
    {MessageType::JoinRequest, Channel::Control, true, 128, Direction::ToServer},
    {MessageType::JoinAccepted, Channel::Control, true, 32, Direction::ToClient},
    {MessageType::JoinRefused, Channel::Control, true, 192, Direction::ToClient},
    {MessageType::RoomLayout, Channel::Control, true, 12 * 1024, Direction::ToClient},
    {MessageType::ParticipantJoined, Channel::Control, true, 80, Direction::ToClient},
    {MessageType::ParticipantLeft, Channel::Control, true, 8, Direction::ToClient},
    {MessageType::SitRequest, Channel::Control, true, 8, Direction::ToServer},
    {MessageType::StandRequest, Channel::Control, true, 8, Direction::ToServer},
    {MessageType::IntentRefused, Channel::Control, true, 8, Direction::ToClient},
    {MessageType::ClientInput, Channel::State, false, 64, Direction::ToServer},
    {MessageType::Snapshot, Channel::State, false, static_cast<std::uint32_t>(kMaxMessageBytes) + 16, Direction::ToClient},
    // Voice travels both ways: client -> server, and the same bytes server -> listeners.
    {MessageType::VoiceFrame, Channel::Voice, false, 1 + 7 + kMaxVoiceBytes, Direction::ToServer}, // type, 52 header bits padded, payload
    {MessageType::ModerateRequest, Channel::Control, true, 200, Direction::ToServer},
    {MessageType::ParticipantMuted, Channel::Control, true, 8, Direction::ToClient},
    {MessageType::PanelIntent, Channel::Control, true, 48, Direction::ToServer},
    {MessageType::LaserInput, Channel::State, false, 16, Direction::ToServer},
    // Content (media channel, reliable and ordered): hash 32 bytes, then the fields.
    {MessageType::BlobRequest, Channel::Media, true, 1 + 32 + 8, Direction::ToServer},
    {MessageType::BlobChunk, Channel::Media, true, 1 + 32 + 9 + kBlobChunkBytes, Direction::ToClient},
    {MessageType::BlobUnavailable, Channel::Media, true, 1 + 32, Direction::ToClient},
    {MessageType::LinkHint, Channel::Control, true, 8, Direction::ToServer},
    // Uploads: BlobPut has BlobChunk's layout, client -> server.
    {MessageType::BlobPut, Channel::Media, true, 1 + 32 + 9 + kBlobChunkBytes, Direction::ToServer},
    {MessageType::DeckOffer, Channel::Control, true, 1 + 32, Direction::ToServer},
    {MessageType::UploadStatus, Channel::Control, true, 1 + 32 + 10, Direction::ToClient},
    {MessageType::SessionExtend, Channel::Control, true, 8, Direction::ToServer},
    // The case desk, control: a
    // CaseSubmit at its largest (8 pieces, 768 text bytes, 4 decks) is 1185
    // bytes, one ENet datagram and under the control limit of 2 KiB; the
    // server's answers may fragment (they are not rate-limited at the client).
    {MessageType::CaseSubmit, Channel::Control, true, 1200, Direction::ToServer},
    {MessageType::CaseQuery, Channel::Control, true, 16, Direction::ToServer},
    {MessageType::CaseListing, Channel::Control, true, 4096, Direction::ToClient},
    {MessageType::CaseReceipt, Channel::Control, true, 1600, Direction::ToClient},
    {MessageType::AgendaIntent, Channel::Control, true, 8, Direction::ToServer},
    {MessageType::FloorIntent, Channel::Control, true, 8, Direction::ToServer},
    {MessageType::BoardIntent, Channel::Control, true, 420, Direction::ToServer},
    {MessageType::ChatIntent, Channel::Control, true, 420, Direction::ToServer},
    {MessageType::TextHeld, Channel::Control, true, 1400, Direction::ToClient},
    {MessageType::RecordingIntent, Channel::Control, true, 8, Direction::ToServer},
    {MessageType::ReplayIntent, Channel::Control, true, 8, Direction::ToServer},
    // Video: a fragment is its 13-byte header and at most 1100 bytes; the
    // server forwards it unchanged, so the one entry serves both directions
    // (as VoiceFrame's does).
    {MessageType::VideoFragment, Channel::Video, false, 1 + 13 + kVideoFragmentBytes, Direction::ToServer},
    {MessageType::VideoPublish, Channel::Control, true, 8, Direction::ToServer},
    {MessageType::VideoShow, Channel::Control, true, 1 + 1 + 2 * kMaxShownStreams, Direction::ToServer},
    {MessageType::KeyframeRequest, Channel::Control, true, 4, Direction::ToServer},
    {MessageType::VideoTier, Channel::Control, true, 8, Direction::ToClient},
    {MessageType::ParticipantAway, Channel::Control, true, 8, Direction::ToClient},
    {MessageType::LinkReport, Channel::Control, true, 12, Direction::ToServer},
}};

template <typename T>
Message makeDefault() { return Message{std::in_place_type<T>}; }

Message defaultFor(MessageType t) {
    switch (t) {
    case MessageType::JoinRequest: return makeDefault<JoinRequest>();
    case MessageType::JoinAccepted: return makeDefault<JoinAccepted>();
    case MessageType::JoinRefused: return makeDefault<JoinRefused>();
    case MessageType::RoomLayout: return makeDefault<RoomLayoutMsg>();
    case MessageType::ParticipantJoined: return makeDefault<ParticipantJoined>();
    case MessageType::ParticipantLeft: return makeDefault<ParticipantLeft>();
    case MessageType::SitRequest: return makeDefault<SitRequest>();
    case MessageType::StandRequest: return makeDefault<StandRequest>();
    case MessageType::IntentRefused: return makeDefault<IntentRefused>();
    case MessageType::ClientInput: return makeDefault<ClientInput>();
    case MessageType::Snapshot: return makeDefault<Snapshot>();
    case MessageType::VoiceFrame: return makeDefault<VoiceFrame>();
    case MessageType::ModerateRequest: return makeDefault<ModerateRequest>();
    case MessageType::ParticipantMuted: return makeDefault<ParticipantMuted>();
    case MessageType::PanelIntent: return makeDefault<PanelIntent>();
    case MessageType::LaserInput: return makeDefault<LaserInput>();
    case MessageType::BlobRequest: return makeDefault<BlobRequest>();
    case MessageType::BlobChunk: return makeDefault<BlobChunk>();
    case MessageType::BlobUnavailable: return makeDefault<BlobUnavailable>();
    case MessageType::LinkHint: return makeDefault<LinkHint>();
    case MessageType::BlobPut: return makeDefault<BlobPut>();
    case MessageType::DeckOffer: return makeDefault<DeckOffer>();
    case MessageType::UploadStatus: return makeDefault<UploadStatus>();
    case MessageType::SessionExtend: return makeDefault<SessionExtend>();
    case MessageType::CaseSubmit: return makeDefault<CaseSubmit>();
    case MessageType::CaseQuery: return makeDefault<CaseQuery>();
    case MessageType::CaseListing: return makeDefault<CaseListing>();
    case MessageType::CaseReceipt: return makeDefault<CaseReceipt>();
    case MessageType::AgendaIntent: return makeDefault<AgendaIntent>();
    case MessageType::FloorIntent: return makeDefault<FloorIntent>();
    case MessageType::BoardIntent: return makeDefault<BoardIntent>();
    case MessageType::ChatIntent: return makeDefault<ChatIntent>();
    case MessageType::TextHeld: return makeDefault<TextHeld>();
    case MessageType::RecordingIntent: return makeDefault<RecordingIntent>();
    case MessageType::ReplayIntent: return makeDefault<ReplayIntent>();
    case MessageType::VideoFragment: return makeDefault<VideoFragmentMsg>();
    case MessageType::VideoPublish: return makeDefault<VideoPublish>();
    case MessageType::VideoShow: return makeDefault<VideoShow>();
    case MessageType::KeyframeRequest: return makeDefault<KeyframeRequest>();
    case MessageType::VideoTier: return makeDefault<VideoTierMsg>();
    case MessageType::ParticipantAway: return makeDefault<ParticipantAway>();
    case MessageType::LinkReport: return makeDefault<LinkReport>();
    case MessageType::Count: break;
    }
    return makeDefault<StandRequest>();
}
} // namespace

const MessageInfo& messageInfo(MessageType t) {
    assert(t < MessageType::Count);
    return kCatalog[static_cast<std::size_t>(t)];
}

MessageType typeOf(const Message& m) {
    return std::visit([](const auto& x) { return std::decay_t<decltype(x)>::kType; }, m);
}

bool encodeMessage(const Message& m, WriteStream& out) {
    return std::visit([&](const auto& x) { return encodeMessage(x, out); }, m);
}

std::vector<std::uint8_t> encodeMessage(const Message& m) {
    WriteStream ws;
    if (!encodeMessage(m, ws)) return {};
    auto bytes = ws.finish();
    return {bytes.begin(), bytes.end()};
}

std::size_t measureMessageBits(const Message& m) {
    MeasureStream ms;
    std::uint32_t type = static_cast<std::uint32_t>(typeOf(m));
    ms.serializeBits(type, 8);
    std::visit([&](const auto& x) { const_cast<std::decay_t<decltype(x)>&>(x).serialize(ms); }, m);
    ms.align();
    return ms.bitsWritten();
}

DecodeResult decodeMessage(std::span<const std::uint8_t> packet, Channel arrivedOn) {
    DecodeResult r;
    if (packet.empty()) { r.error = DecodeError::Empty; return r; }
    if (packet[0] >= static_cast<std::uint8_t>(MessageType::Count)) { r.error = DecodeError::UnknownType; return r; }
    const auto type = static_cast<MessageType>(packet[0]);
    const MessageInfo& info = messageInfo(type);
    if (packet.size() > info.maxBytes) { r.error = DecodeError::TooLarge; return r; }
    if (info.channel != arrivedOn) { r.error = DecodeError::WrongChannel; return r; }
    ReadStream rs(packet.subspan(1));
    r.message = defaultFor(type);
    const bool ok = std::visit([&](auto& x) { return x.serialize(rs); }, r.message);
    if (!ok || !rs.align() || rs.bitsLeft() != 0) { r.error = DecodeError::Malformed; return r; }
    r.ok = true;
    return r;
}

} // namespace caseroom::net
