// Every message round-trips with random field values from a fixed seed, and
// every decoder refuses truncated input and survives corrupted input.
#include <catch2/catch.hpp>

#include "core/rng.h"
#include "net/messages.h"

using namespace caseroom;
using namespace caseroom::net;

namespace {
std::string randomText(core::Rng& rng, std::uint32_t maxLen) {
    std::string s(rng.below(maxLen + 1), ' ');
    for (auto& c : s) c = static_cast<char>(0x20 + rng.below(0x5F)); // printable ASCII
    return s;
}
template <typename E> E randomEnum(core::Rng& rng) { return static_cast<E>(rng.below(static_cast<std::uint32_t>(E::Count))); }
std::int32_t rint(core::Rng& rng, std::int64_t lo, std::int64_t hi) { return static_cast<std::int32_t>(rng.range(lo, hi)); }
std::uint32_t ruint(core::Rng& rng, std::int64_t lo, std::int64_t hi) { return static_cast<std::uint32_t>(rng.range(lo, hi)); }

InputFrame randomFrame(core::Rng& rng) {
    InputFrame f;
    f.seq = static_cast<std::uint16_t>(rng.below(65536));
    f.moveX = rint(rng, -127, 127);
    f.moveZ = rint(rng, -127, 127);
    f.bodyYaw = ruint(rng, 0, kYawSteps - 1);
    f.headYaw = rint(rng, -12000, 12000);
    f.headPitch = rint(rng, -8500, 8500);
    return f;
}

// A chunk of a random blob (BlobChunk and BlobPut share the body).
template <MessageType Type>
BlobBytes<Type> randomBlobBytes(core::Rng& rng) {
    BlobBytes<Type> m;
    for (auto& b : m.hash.bytes) b = static_cast<std::uint8_t>(rng.below(256));
    m.size = static_cast<std::uint16_t>(ruint(rng, 1, kBlobChunkBytes));
    m.total = ruint(rng, m.size, kMaxBlobBytes);
    m.offset = ruint(rng, 0, m.total - m.size);
    for (std::uint16_t i = 0; i < m.size; ++i) m.bytes[i] = static_cast<std::uint8_t>(rng.below(256));
    return m;
}

// Case text: printable ASCII, UTF-8 letters, line breaks and tabs.
std::string randomCaseText(core::Rng& rng, std::uint32_t maxLen) {
    std::string s;
    const std::uint32_t n = rng.below(maxLen + 1);
    while (s.size() < n) {
        const std::uint32_t pick = rng.below(20);
        if (pick == 0) s += '\n';
        else if (pick == 1) s += '\t';
        else if (pick == 2 && s.size() + 3 <= n) s += "\xe1\xbb\x85"; // U+1EC5, as in "Nguyễn"
        else s += static_cast<char>(0x20 + rng.below(0x5F));
    }
    return s;
}

std::vector<CasePiece> randomPieces(core::Rng& rng, std::uint32_t budget) {
    std::vector<CasePiece> pieces(rng.below(kMaxCasePieces + 1));
    std::uint32_t left = budget;
    for (auto& p : pieces) {
        p.field = randomText(rng, kMaxCaseFieldName);
        p.continues = rng.chance(0.3);
        p.text = randomCaseText(rng, std::min(left, 600u));
        left -= static_cast<std::uint32_t>(p.text.size());
    }
    return pieces;
}

std::vector<WireFinding> randomFindings(core::Rng& rng) {
    std::vector<WireFinding> out(rng.below(kMaxWireFindings + 1));
    for (auto& f : out) {
        f.field = randomText(rng, kMaxCaseFieldName);
        f.begin = ruint(rng, 0, kMaxCaseValue);
        f.end = ruint(rng, f.begin, kMaxCaseValue);
        f.kind = ruint(rng, 0, kMaxPhiKind);
    }
    return out;
}

CaseSummary randomSummary(core::Rng& rng) {
    return CaseSummary{rng.next(), ruint(rng, 0, kMaxCaseStatus), randomText(rng, kMaxDisplayName), randomText(rng, kMaxCaseTitle),
                       ruint(rng, 0, 0xFFFF)};
}

Message randomMessage(MessageType t, core::Rng& rng) {
    switch (t) {
    case MessageType::JoinRequest: return JoinRequest{ruint(rng, 0, 0xFFFFFFFF), randomText(rng, kMaxRoomCode), randomText(rng, kMaxDisplayName), randomEnum<Role>(rng)};
    case MessageType::JoinAccepted: return JoinAccepted{static_cast<std::uint16_t>(rng.below(kMaxEntities)), ruint(rng, 1, 240), ruint(rng, 0, 0xFFFFFFFF), randomEnum<Role>(rng)};
    case MessageType::JoinRefused: return JoinRefused{randomEnum<JoinRefusal>(rng), randomText(rng, kMaxReasonText)};
    case MessageType::RoomLayout: {
        RoomLayoutMsg m;
        m.name = randomText(rng, 64);
        m.halfWidthMm = ruint(rng, 1000, 32000);
        m.halfDepthMm = ruint(rng, 1000, 32000);
        m.heightMm = ruint(rng, 2000, 10000);
        m.tableX = rint(rng, kPosXZMin, kPosXZMax);
        m.tableZ = rint(rng, kPosXZMin, kPosXZMax);
        m.tableRadiusMm = ruint(rng, 0, 8000);
        m.frontX = rint(rng, kPosXZMin, kPosXZMax);
        m.frontZ = rint(rng, kPosXZMin, kPosXZMax);
        m.seats.resize(rng.below(40));
        for (auto& s : m.seats) s = {rint(rng, kPosXZMin, kPosXZMax), rint(rng, kPosXZMin, kPosXZMax), ruint(rng, 0, kYawSteps - 1), rng.chance(0.5)};
        m.panels.resize(rng.below(kMaxPanels + 1));
        for (auto& p : m.panels)
            p = {rint(rng, kPosXZMin, kPosXZMax), rint(rng, 0, 10000), rint(rng, kPosXZMin, kPosXZMax), ruint(rng, 0, kYawSteps - 1),
                 ruint(rng, 100, 16000), ruint(rng, 100, 10000)};
        return m;
    }
    case MessageType::ParticipantJoined:
        return ParticipantJoined{static_cast<std::uint16_t>(rng.below(kMaxEntities)), randomText(rng, kMaxDisplayName), randomEnum<Role>(rng),
                                 rng.next(), rng.chance(0.3), rng.chance(0.3)};
    case MessageType::ParticipantLeft: return ParticipantLeft{static_cast<std::uint16_t>(rng.below(kMaxEntities)), randomEnum<LeaveReason>(rng)};
    case MessageType::SitRequest: return SitRequest{rng.below(kMaxSeats)};
    case MessageType::StandRequest: return StandRequest{};
    case MessageType::IntentRefused: return IntentRefused{randomEnum<IntentKind>(rng), randomEnum<RefusalReason>(rng)};
    case MessageType::ClientInput: {
        ClientInput m;
        m.hasAck = rng.chance(0.7);
        if (m.hasAck) { m.ackSeq = static_cast<std::uint16_t>(rng.below(65536)); m.ackBits = static_cast<std::uint32_t>(rng.next()); }
        m.inputs.resize(rng.below(kMaxInputsPerPacket + 1));
        for (auto& f : m.inputs) f = randomFrame(rng);
        return m;
    }
    case MessageType::Snapshot: {
        Snapshot m;
        m.seq = static_cast<std::uint16_t>(rng.below(65536));
        m.baselineOffset = rng.below(64);
        m.serverTick = static_cast<std::uint32_t>(rng.next());
        m.hasInput = rng.chance(0.5);
        if (m.hasInput) m.lastInputSeq = static_cast<std::uint16_t>(rng.below(65536));
        m.payload.resize(rng.below(400));
        for (auto& b : m.payload) b = static_cast<std::uint8_t>(rng.below(256));
        return m;
    }
    case MessageType::VoiceFrame: {
        VoiceFrame m;
        m.speaker = static_cast<std::uint16_t>(rng.below(65536));
        m.sequence = static_cast<std::uint16_t>(rng.below(65536));
        m.level = static_cast<std::uint8_t>(rng.below(256));
        m.frame20 = rng.chance(0.5);
        m.talkStart = rng.chance(0.2);
        m.size = static_cast<std::uint16_t>(ruint(rng, 1, rng.chance(0.1) ? kMaxVoiceBytes : 120));
        for (std::uint16_t i = 0; i < m.size; ++i) m.bytes[i] = static_cast<std::uint8_t>(rng.below(256));
        return m;
    }
    case MessageType::ModerateRequest: {
        ModerateRequest m;
        m.target = static_cast<std::uint16_t>(rng.below(kMaxEntities));
        m.action = randomEnum<ModerateAction>(rng);
        if (m.action == ModerateAction::MuteAllButHub) m.flag = rng.below(2) == 1;
        if (m.action == ModerateAction::Remove) m.reason = randomText(rng, kMaxReasonText);
        return m;
    }
    case MessageType::ParticipantMuted: return ParticipantMuted{static_cast<std::uint16_t>(rng.below(kMaxEntities)), rng.chance(0.5)};
    case MessageType::PanelIntent: { // only the fields the op carries (the others decode as defaults)
        PanelIntent m;
        m.op = randomEnum<PanelIntent::Op>(rng);
        m.panel = rng.below(kMaxPanels);
        auto f = [&] { return static_cast<float>(rint(rng, -100000, 100000)) / 7.0f; };
        switch (m.op) {
        case PanelIntent::Op::ShowDeck:
            m.hasDeck = rng.chance(0.8);
            if (m.hasDeck) for (auto& b : m.deck) b = static_cast<std::uint8_t>(rng.below(256));
            break;
        case PanelIntent::Op::SetSlide: case PanelIntent::Op::SetFrame: case PanelIntent::Op::Play: case PanelIntent::Op::Pause:
            m.index = rng.below(kMaxPanelIndex + 1);
            break;
        case PanelIntent::Op::SetView: m.centerX = f(); m.centerY = f(); m.zoom = f(); break;
        case PanelIntent::Op::SetWindow: m.centre = f(); m.width = f(); break;
        case PanelIntent::Op::GrantControl: case PanelIntent::Op::DismissRequest:
            m.target = static_cast<std::uint16_t>(rng.below(kMaxEntities));
            break;
        default: break;
        }
        return m;
    }
    case MessageType::LaserInput: {
        LaserInput m;
        m.on = rng.chance(0.8);
        if (m.on) {
            m.x = rint(rng, kPosXZMin, kPosXZMax);
            m.y = rint(rng, kPosYMin, kPosYMax);
            m.z = rint(rng, kPosXZMin, kPosXZMax);
            m.dx = rint(rng, -32767, 32767);
            m.dy = rint(rng, -32767, 32767);
            m.dz = rint(rng, -32767, 32767);
        }
        return m;
    }
    case MessageType::BlobRequest: {
        BlobRequest m;
        for (auto& b : m.hash.bytes) b = static_cast<std::uint8_t>(rng.below(256));
        m.offset = ruint(rng, 0, kMaxBlobBytes - 1);
        m.length = ruint(rng, 1, kMaxBlobRequestBytes);
        return m;
    }
    case MessageType::BlobChunk: return randomBlobBytes<MessageType::BlobChunk>(rng);
    case MessageType::BlobUnavailable: {
        BlobUnavailable m;
        for (auto& b : m.hash.bytes) b = static_cast<std::uint8_t>(rng.below(256));
        return m;
    }
    case MessageType::LinkHint: return LinkHint{ruint(rng, 0, 10'000'000)};
    case MessageType::BlobPut: return randomBlobBytes<MessageType::BlobPut>(rng);
    case MessageType::DeckOffer: {
        DeckOffer m;
        for (auto& b : m.manifest.bytes) b = static_cast<std::uint8_t>(rng.below(256));
        return m;
    }
    case MessageType::UploadStatus: {
        UploadStatus m;
        for (auto& b : m.hash.bytes) b = static_cast<std::uint8_t>(rng.below(256));
        m.state = static_cast<UploadState>(rng.below(static_cast<std::uint32_t>(UploadState::Count)));
        m.bytes = rng.next();
        m.reason = static_cast<UploadRefusal>(rng.below(static_cast<std::uint32_t>(UploadRefusal::Count)));
        return m;
    }
    case MessageType::SessionExtend: return SessionExtend{static_cast<std::uint16_t>(ruint(rng, 1, kMaxExtendMinutes))};
    case MessageType::CaseSubmit: {
        CaseSubmit m;
        m.request = ruint(rng, 1, 0xFFFFFFFF);
        m.caseId = rng.chance(0.5) ? 0 : rng.next();
        m.part = ruint(rng, 0, kMaxCaseParts - 1);
        m.last = rng.chance(0.5);
        m.pieces = randomPieces(rng, kCasePieceBytes);
        if (m.last) {
            m.attested = rng.chance(0.5);
            m.decks.resize(rng.below(kMaxCaseDecks + 1));
            for (auto& d : m.decks)
                for (auto& b : d.bytes) b = static_cast<std::uint8_t>(rng.below(256));
        }
        return m;
    }
    case MessageType::CaseQuery: {
        CaseQuery m;
        m.request = ruint(rng, 1, 0xFFFFFFFF);
        m.what = randomEnum<CaseQueryKind>(rng);
        if (m.what == CaseQueryKind::Case) m.caseId = rng.next();
        return m;
    }
    case MessageType::CaseListing: {
        CaseListing m;
        m.request = ruint(rng, 1, 0xFFFFFFFF);
        m.what = randomEnum<CaseQueryKind>(rng);
        m.part = ruint(rng, 0, 0xFFFF);
        m.last = rng.chance(0.5);
        if (m.what == CaseQueryKind::Mine || m.what == CaseQueryKind::Vetted) {
            m.cases.resize(rng.below(kMaxCaseSummaries + 1));
            for (auto& c : m.cases) c = randomSummary(rng);
        } else {
            m.pieces = randomPieces(rng, kListingPieceBytes);
            if (m.what == CaseQueryKind::Case) {
                m.header = randomSummary(rng);
                m.attested = rng.chance(0.5);
                m.findings = randomFindings(rng);
            }
        }
        return m;
    }
    case MessageType::CaseReceipt: {
        CaseReceipt m;
        m.request = ruint(rng, 1, 0xFFFFFFFF);
        m.verdict = randomEnum<CaseVerdict>(rng);
        m.caseId = rng.next();
        m.status = ruint(rng, 0, kMaxCaseStatus);
        m.reason = randomEnum<CaseRefusal>(rng);
        m.detail = randomText(rng, kMaxReasonText);
        m.findings = randomFindings(rng);
        m.totalFindings = ruint(rng, static_cast<std::int64_t>(m.findings.size()), 0xFFFF);
        return m;
    }
    case MessageType::AgendaIntent: {
        AgendaIntent m;
        m.op = randomEnum<AgendaIntent::Op>(rng);
        if (m.op == AgendaIntent::Op::Goto) m.index = ruint(rng, 0, kMaxAgendaEntries - 1);
        return m;
    }
    case MessageType::FloorIntent: {
        FloorIntent m;
        m.op = randomEnum<FloorIntent::Op>(rng);
        if (m.op == FloorIntent::Op::Give || m.op == FloorIntent::Op::Dismiss) m.target = static_cast<std::uint16_t>(rng.below(kMaxEntities));
        return m;
    }
    case MessageType::BoardIntent: {
        BoardIntent m;
        m.op = randomEnum<BoardIntent::Op>(rng);
        m.clientSeq = static_cast<std::uint16_t>(rng.below(0x10000));
        if (m.op == BoardIntent::Op::Edit || m.op == BoardIntent::Op::Withdraw) m.entry = static_cast<std::uint16_t>(rng.below(0x10000));
        if (m.op != BoardIntent::Op::Withdraw) m.text = randomText(rng, kMaxBoardText);
        return m;
    }
    case MessageType::ChatIntent: {
        ChatIntent m;
        m.op = randomEnum<ChatIntent::Op>(rng);
        m.clientSeq = static_cast<std::uint16_t>(rng.below(0x10000));
        if (m.op == ChatIntent::Op::Withdraw || m.op == ChatIntent::Op::Answered) m.seq = ruint(rng, 0, 0xFFFFFFFF);
        if (m.op == ChatIntent::Op::Say || m.op == ChatIntent::Op::Ask) m.text = randomText(rng, kMaxChatText);
        return m;
    }
    case MessageType::TextHeld: {
        TextHeld m;
        m.intent = randomEnum<IntentKind>(rng);
        m.clientSeq = static_cast<std::uint16_t>(rng.below(0x10000));
        m.findings = randomFindings(rng);
        return m;
    }
    case MessageType::RecordingIntent: {
        RecordingIntent m;
        m.op = randomEnum<RecordingIntent::Op>(rng);
        if (m.op == RecordingIntent::Op::Acknowledge) m.epoch = static_cast<std::uint16_t>(rng.below(0x10000));
        return m;
    }
    case MessageType::ReplayIntent: {
        ReplayIntent m;
        m.op = randomEnum<ReplayIntent::Op>(rng);
        if (m.op == ReplayIntent::Op::Seek) m.tick = ruint(rng, 0, 0xFFFFFFFF);
        if (m.op == ReplayIntent::Op::Speed) m.speedPercent = ruint(rng, kMinReplaySpeedPercent, kMaxReplaySpeedPercent);
        return m;
    }
    case MessageType::VideoFragment: {
        VideoFragmentMsg m;
        VideoFragment& f = m.fragment;
        f.stream = {static_cast<std::uint16_t>(rng.below(kMaxEntities)), randomEnum<VideoKind>(rng)};
        f.frame = static_cast<std::uint16_t>(rng.below(0x10000));
        f.layer = static_cast<std::uint8_t>(rng.below(kMaxVideoLayers));
        f.keyframe = rng.below(2) == 1;
        f.tl0 = static_cast<std::uint8_t>(rng.below(256));
        f.count = static_cast<std::uint8_t>(ruint(rng, 1, kMaxVideoFragments));
        f.index = static_cast<std::uint8_t>(rng.below(f.count));
        f.ptsMs = ruint(rng, 0, 0xFFFFFFFF);
        f.size = static_cast<std::uint16_t>(ruint(rng, 1, kVideoFragmentBytes));
        for (std::uint16_t i = 0; i < f.size; ++i) f.bytes[i] = static_cast<std::uint8_t>(rng.below(256));
        return m;
    }
    case MessageType::VideoPublish: {
        VideoPublish m;
        m.kind = randomEnum<VideoKind>(rng);
        m.on = rng.below(2) == 1;
        if (m.on) {
            m.width = 2 * ruint(rng, kMinVideoSide / 2, kMaxVideoSide / 2);
            m.height = 2 * ruint(rng, kMinVideoSide / 2, kMaxVideoSide / 2);
            m.fps = ruint(rng, 1, kMaxVideoFps);
            m.layers = ruint(rng, 1, kMaxVideoLayers);
        }
        return m;
    }
    case MessageType::VideoShow: {
        VideoShow m;
        const std::uint32_t n = ruint(rng, 0, kMaxShownStreams);
        for (std::uint32_t i = 0; i < n; ++i) m.streams.push_back({static_cast<std::uint16_t>(rng.below(kMaxEntities)), randomEnum<VideoKind>(rng)});
        return m;
    }
    case MessageType::KeyframeRequest: return KeyframeRequest{{static_cast<std::uint16_t>(rng.below(kMaxEntities)), randomEnum<VideoKind>(rng)}};
    case MessageType::VideoTier: return VideoTierMsg{{static_cast<std::uint16_t>(rng.below(kMaxEntities)), randomEnum<VideoKind>(rng)},
                                                     randomEnum<VideoTier>(rng), ruint(rng, 0, kMaxVideoLayers)};
    case MessageType::ParticipantAway:
        return ParticipantAway{static_cast<std::uint16_t>(rng.below(kMaxEntities)), rng.chance(0.5), static_cast<std::uint16_t>(ruint(rng, 0, 3600))};
    case MessageType::LinkReport:
        return LinkReport{ruint(rng, 0, 100'000'000), static_cast<std::uint16_t>(ruint(rng, 100, 10000)),
                          static_cast<std::uint16_t>(ruint(rng, 0, 60000)), static_cast<std::uint16_t>(ruint(rng, 0, 1000))};
    case MessageType::Count: break;
    }
    return StandRequest{};
}
} // namespace

TEST_CASE("every message round-trips with random field values", "[net][messages]") {
    core::Rng rng(20261127);
    for (std::uint8_t t = 0; t < static_cast<std::uint8_t>(MessageType::Count); ++t) {
        const auto type = static_cast<MessageType>(t);
        INFO("message " << toString(type));
        for (int i = 0; i < 200; ++i) {
            const Message m = randomMessage(type, rng);
            const auto bytes = encodeMessage(m);
            REQUIRE_FALSE(bytes.empty());
            CHECK(bytes.size() * 8 == measureMessageBits(m));
            CHECK(bytes.size() <= messageInfo(type).maxBytes);
            const DecodeResult r = decodeMessage(bytes, messageInfo(type).channel);
            REQUIRE(r.ok);
            CHECK(typeOf(r.message) == type);
            CHECK(r.message == m);
        }
    }
}

TEST_CASE("every decoder refuses truncated input", "[net][messages]") {
    core::Rng rng(99);
    for (std::uint8_t t = 0; t < static_cast<std::uint8_t>(MessageType::Count); ++t) {
        const auto type = static_cast<MessageType>(t);
        INFO("message " << toString(type));
        for (int i = 0; i < 20; ++i) {
            const auto bytes = encodeMessage(randomMessage(type, rng));
            for (std::size_t len = 0; len < bytes.size(); ++len) {
                const DecodeResult r = decodeMessage(std::span(bytes.data(), len), messageInfo(type).channel);
                CHECK_FALSE(r.ok);
            }
        }
    }
}

TEST_CASE("corrupted input is refused or decodes to a canonical message, never crashes", "[net][messages]") {
    core::Rng rng(1234);
    std::size_t refused = 0, accepted = 0;
    for (std::uint8_t t = 0; t < static_cast<std::uint8_t>(MessageType::Count); ++t) {
        const auto type = static_cast<MessageType>(t);
        for (int i = 0; i < 300; ++i) {
            auto bytes = encodeMessage(randomMessage(type, rng));
            const int flips = 1 + static_cast<int>(rng.below(4));
            for (int f = 0; f < flips; ++f) bytes[rng.below(static_cast<std::uint32_t>(bytes.size()))] ^= static_cast<std::uint8_t>(1u << rng.below(8));
            if (rng.chance(0.2)) bytes.push_back(static_cast<std::uint8_t>(rng.below(256))); // trailing junk
            for (std::uint8_t ch = 0; ch < static_cast<std::uint8_t>(Channel::Count); ++ch) {
                const DecodeResult r = decodeMessage(bytes, static_cast<Channel>(ch));
                if (!r.ok) { ++refused; continue; }
                ++accepted;
                // Whatever decodes must mean exactly these bytes.
                CHECK(encodeMessage(r.message) == bytes);
            }
        }
    }
    CHECK(refused > accepted);
}

TEST_CASE("decoding rejects unknown types, wrong channels and oversize packets", "[net][messages]") {
    std::vector<std::uint8_t> unknown{static_cast<std::uint8_t>(MessageType::Count), 0, 0};
    CHECK(decodeMessage(unknown, Channel::Control).error == DecodeError::UnknownType);
    CHECK(decodeMessage({}, Channel::Control).error == DecodeError::Empty);
    const auto sit = encodeMessage(SitRequest{3});
    CHECK(decodeMessage(sit, Channel::State).error == DecodeError::WrongChannel);
    std::vector<std::uint8_t> huge(200, 0);
    huge[0] = static_cast<std::uint8_t>(MessageType::JoinRequest);
    CHECK(decodeMessage(huge, Channel::Control).error == DecodeError::TooLarge);
}

TEST_CASE("the catalog gives every message a channel and reliability", "[net][messages]") {
    for (std::uint8_t t = 0; t < static_cast<std::uint8_t>(MessageType::Count); ++t) {
        const auto& info = messageInfo(static_cast<MessageType>(t));
        CHECK(static_cast<std::uint8_t>(info.type) == t);
        CHECK(info.channel < Channel::Count);
        CHECK(info.maxBytes > 0);
        // Reliable messages travel on control and media; per-tick state and voice are unreliable.
        CHECK(info.reliable == (info.channel == Channel::Control || info.channel == Channel::Media));
    }
}

TEST_CASE("voice frames: fixed layout, and bad sizes, truncation and trailing bytes are refused", "[net][messages][voice]") {
    VoiceFrame f;
    f.speaker = 0x0102;
    f.sequence = 0xBEEF;
    f.level = 200;
    f.frame20 = true;
    f.talkStart = true;
    f.size = 3;
    f.bytes[0] = 0xAA; f.bytes[1] = 0xBB; f.bytes[2] = 0xCC;
    const auto bytes = encodeMessage(f);
    // type | speaker 16 | sequence 16 | level 8 | frame 1 | talkStart 1 | size 10 | pad 4 | payload
    const std::vector<std::uint8_t> expected{static_cast<std::uint8_t>(MessageType::VoiceFrame), 0x02, 0x01, 0xEF, 0xBE, 200,
                                             0x03 | (3u << 2), 0x00, 0xAA, 0xBB, 0xCC};
    CHECK(bytes == expected);
    CHECK(messageInfo(MessageType::VoiceFrame).channel == Channel::Voice);
    CHECK_FALSE(messageInfo(MessageType::VoiceFrame).reliable);
    CHECK(decodeMessage(bytes, Channel::State).error == DecodeError::WrongChannel);
    REQUIRE(decodeMessage(bytes, Channel::Voice).ok);

    // Writers refuse what readers would refuse.
    VoiceFrame empty = f;
    empty.size = 0;
    CHECK(encodeMessage(Message{empty}).empty());
    VoiceFrame big = f;
    big.size = kMaxVoiceBytes + 1;
    CHECK(encodeMessage(Message{big}).empty());

    auto withSize = [&](std::uint32_t size) {
        auto b = bytes;
        b[6] = static_cast<std::uint8_t>(0x03 | ((size & 0x3F) << 2));
        b[7] = static_cast<std::uint8_t>(size >> 6);
        return b;
    };
    CHECK(decodeMessage(withSize(0), Channel::Voice).error == DecodeError::Malformed);       // no payload
    CHECK(decodeMessage(withSize(4), Channel::Voice).error == DecodeError::Malformed);       // claims more than is there
    CHECK(decodeMessage(withSize(2), Channel::Voice).error == DecodeError::Malformed);       // trailing byte
    auto over = withSize(kMaxVoiceBytes + 1);
    over.resize(8 + kMaxVoiceBytes + 1 - 1, 0); // within the catalog's maxBytes, but the size field is over the limit
    CHECK_FALSE(decodeMessage(over, Channel::Voice).ok);
    auto pad = bytes;
    pad[7] |= 0x10; // a non-zero padding bit
    CHECK(decodeMessage(pad, Channel::Voice).error == DecodeError::Malformed);
    auto huge = bytes;
    huge.resize(messageInfo(MessageType::VoiceFrame).maxBytes + 1, 0);
    CHECK(decodeMessage(huge, Channel::Voice).error == DecodeError::TooLarge);
}

TEST_CASE("moderation messages: layout, range checks and direction", "[net][messages][moderation]") {
    const auto unmute = encodeMessage(ModerateRequest{5, ModerateAction::Unmute, false, {}});
    // type | target 10 bits | action 4 bits (0..10) | pad
    const std::vector<std::uint8_t> expectedUnmute{static_cast<std::uint8_t>(MessageType::ModerateRequest), 0x05, 0x01 << 2};
    CHECK(unmute == expectedUnmute);
    // A removal carries its reason: | length 8 bits | bytes.
    const auto bytes = encodeMessage(ModerateRequest{5, ModerateAction::Remove, false, "disruptive"});
    CHECK(bytes.size() == 1 + 3 + 10);
    const DecodeResult ok = decodeMessage(bytes, Channel::Control);
    REQUIRE(ok.ok);
    CHECK(std::get<ModerateRequest>(ok.message) == ModerateRequest{5, ModerateAction::Remove, false, "disruptive"});
    CHECK(decodeMessage(bytes, Channel::Voice).error == DecodeError::WrongChannel);
    auto badAction = bytes;
    badAction[2] = 0x03 << 2; // action 3 = Count: no such action
    CHECK(decodeMessage(badAction, Channel::Control).error == DecodeError::Malformed);
    CHECK(encodeMessage(Message{ModerateRequest{5, ModerateAction::Count, false, {}}}).empty());
    CHECK(encodeMessage(Message{ModerateRequest{static_cast<std::uint16_t>(kMaxEntities), ModerateAction::Mute, false, {}}}).empty());
    CHECK(decodeMessage(std::span(bytes.data(), 2), Channel::Control).error == DecodeError::Malformed);

    CHECK(messageInfo(MessageType::ModerateRequest).direction == Direction::ToServer);
    CHECK(messageInfo(MessageType::ParticipantMuted).direction == Direction::ToClient);
    CHECK(messageInfo(MessageType::ParticipantMuted).reliable);
    CHECK(messageInfo(MessageType::ParticipantJoined).direction == Direction::ToClient);
    CHECK(messageInfo(MessageType::JoinRequest).direction == Direction::ToServer);

    // ParticipantJoined carries the verified user id whole (64 bits) and the mute flag.
    const ParticipantJoined pj{7, "Dr. Lee", Role::Spoke, 0xFEDCBA9876543210ull, true};
    const DecodeResult back = decodeMessage(encodeMessage(Message{pj}), Channel::Control);
    REQUIRE(back.ok);
    CHECK(std::get<ParticipantJoined>(back.message) == pj);
    ParticipantJoined longest{1023, std::string(kMaxDisplayName, 'x'), Role::Observer, ~0ull, true};
    CHECK(encodeMessage(Message{longest}).size() <= messageInfo(MessageType::ParticipantJoined).maxBytes);
}

// ---- The case desk -------------------------------------------------------------

namespace {
std::string filled(std::size_t n, char c) { return std::string(n, c); }
core::ContentHash someHash(std::uint8_t b) {
    core::ContentHash h;
    h.bytes.fill(b);
    return h;
}
} // namespace

TEST_CASE("case desk messages at their largest fit their catalog sizes; a CaseSubmit never fragments", "[net][messages][desk]") {
    CaseSubmit sub;
    sub.request = 0xFFFFFFFF;
    sub.caseId = ~0ull;
    sub.part = kMaxCaseParts - 1;
    sub.last = true;
    sub.attested = true;
    for (std::uint32_t i = 0; i < kMaxCasePieces; ++i)
        sub.pieces.push_back(CasePiece{filled(kMaxCaseFieldName, 'f'), true, filled(kCasePieceBytes / kMaxCasePieces, 'x')});
    for (std::uint32_t i = 0; i < kMaxCaseDecks; ++i) sub.decks.push_back(someHash(static_cast<std::uint8_t>(i + 1)));
    const auto bytes = encodeMessage(sub);
    REQUIRE_FALSE(bytes.empty());
    CHECK(bytes.size() <= messageInfo(MessageType::CaseSubmit).maxBytes);
    // One sealed ENet datagram carries it whole (MTU 1375 less ENet's reliable-send header), and
    // it passes the control channel's per-message limit (net/secure/limits.cpp: 2048).
    CHECK(bytes.size() + 10 <= 1375);
    CHECK(messageInfo(MessageType::CaseSubmit).maxBytes <= 2048);
    // One byte more of text is refused.
    sub.pieces.back().text += 'x';
    CHECK(encodeMessage(sub).empty());

    CaseListing caseView;
    caseView.what = CaseQueryKind::Case;
    caseView.header = CaseSummary{~0ull, kMaxCaseStatus, filled(kMaxDisplayName, 'p'), filled(kMaxCaseTitle, 't'), 0xFFFF};
    for (std::uint32_t i = 0; i < kMaxCasePieces; ++i)
        caseView.pieces.push_back(CasePiece{filled(kMaxCaseFieldName, 'f'), false, filled(kListingPieceBytes / kMaxCasePieces, 'y')});
    for (std::uint32_t i = 0; i < kMaxWireFindings; ++i)
        caseView.findings.push_back(WireFinding{filled(kMaxCaseFieldName, 'f'), kMaxCaseValue - 1, kMaxCaseValue, kMaxPhiKind});
    const auto listing = encodeMessage(caseView);
    REQUIRE_FALSE(listing.empty());
    CHECK(listing.size() <= messageInfo(MessageType::CaseListing).maxBytes);
    CaseListing summaries;
    summaries.what = CaseQueryKind::Vetted;
    summaries.cases.assign(kMaxCaseSummaries, caseView.header);
    const auto list = encodeMessage(summaries);
    REQUIRE_FALSE(list.empty());
    CHECK(list.size() <= messageInfo(MessageType::CaseListing).maxBytes);

    CaseReceipt receipt;
    receipt.verdict = CaseVerdict::Held;
    receipt.detail = filled(kMaxReasonText, 'd');
    receipt.findings = caseView.findings;
    receipt.totalFindings = 0xFFFF;
    const auto rb = encodeMessage(receipt);
    REQUIRE_FALSE(rb.empty());
    CHECK(rb.size() <= messageInfo(MessageType::CaseReceipt).maxBytes);
}

TEST_CASE("case text keeps line breaks and tabs; other control bytes, bad spans and zero requests are refused", "[net][messages][desk]") {
    CaseSubmit sub;
    sub.pieces.push_back(CasePiece{"history", false, "line one\n\tline two \xc3\x98rsted"});
    const auto bytes = encodeMessage(sub);
    REQUIRE_FALSE(bytes.empty());
    const DecodeResult ok = decodeMessage(bytes, Channel::Control);
    REQUIRE(ok.ok);
    CHECK(std::get<CaseSubmit>(ok.message) == sub);

    // A carriage return in the text fails the decode (written by hand: the encoder writes any byte).
    CaseSubmit bad = sub;
    bad.pieces[0].text = "a\rb";
    const auto badBytes = encodeMessage(bad);
    REQUIRE_FALSE(badBytes.empty());
    CHECK(decodeMessage(badBytes, Channel::Control).error == DecodeError::Malformed);
    // A field name may not hold a line break at all.
    bad = sub;
    bad.pieces[0].field = "hist\nory";
    CHECK(decodeMessage(encodeMessage(bad), Channel::Control).error == DecodeError::Malformed);

    CaseReceipt r;
    r.findings.push_back(WireFinding{"history", 10, 4, 1}); // end before begin
    CHECK(encodeMessage(r).empty());
    CaseQuery q;
    q.request = 0;
    CHECK(encodeMessage(q).empty());
    // Desk messages travel on control only.
    q.request = 7;
    CHECK(decodeMessage(encodeMessage(q), Channel::Media).error == DecodeError::WrongChannel);
    CHECK(messageInfo(MessageType::CaseSubmit).direction == Direction::ToServer);
    CHECK(messageInfo(MessageType::CaseListing).direction == Direction::ToClient);
}
